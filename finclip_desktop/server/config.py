"""Server settings: where data lives and how long signed metadata stays valid."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class S3Settings:
    """An S3-compatible bucket for package blobs."""

    endpoint: str
    bucket: str
    access_key: str
    secret_key: str
    region: str = "us-east-1"
    prefix: str = "packages/"


@dataclass(frozen=True)
class Settings:
    """Everything the server needs; ``database_url`` defaults to SQLite in ``data_dir``."""

    data_dir: Path
    database_url: str = ""
    s3: S3Settings | None = None
    keys_dir: Path | None = None
    timestamp_lifetime: int = 24 * 3600
    targets_lifetime: int = 90 * 24 * 3600
    root_lifetime: int = 365 * 24 * 3600
    login_code_lifetime: int = 300
    max_upload_bytes: int = 100 * 1024 * 1024
    max_body_bytes: int = 8 * 1024 * 1024
    require_enrollment: bool = False

    @property
    def db_url(self) -> str:
        return self.database_url or f"sqlite:///{self.data_dir / 'finclip.db'}"

    @property
    def key_dir(self) -> Path:
        return self.keys_dir or self.data_dir / "keys"

    @property
    def blob_dir(self) -> Path:
        return self.data_dir / "blobs"

    @classmethod
    def from_env(cls, data_dir: Path | None = None, **overrides: object) -> Settings:
        """Settings from ``FINCLIP_SERVER_*`` environment variables plus explicit overrides."""
        env = os.environ
        s3 = None
        if env.get("FINCLIP_S3_ENDPOINT"):
            s3 = S3Settings(
                endpoint=env["FINCLIP_S3_ENDPOINT"],
                bucket=env.get("FINCLIP_S3_BUCKET", "finclip"),
                access_key=env.get("FINCLIP_S3_ACCESS_KEY", ""),
                secret_key=env.get("FINCLIP_S3_SECRET_KEY", ""),
                region=env.get("FINCLIP_S3_REGION", "us-east-1"),
            )
        values: dict[str, object] = {
            "data_dir": Path(data_dir or env.get("FINCLIP_SERVER_DATA", "finclip-server-data")),
            "database_url": env.get("FINCLIP_DATABASE_URL", ""),
            "s3": s3,
        }
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**values)  # type: ignore[arg-type]
