"""Package blobs, addressed by sha256: a local folder (default) or an S3 bucket."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import Protocol

from finclip_desktop.package.manifest import SHA256_RE
from finclip_desktop.server.config import Settings
from finclip_desktop.server.s3 import S3Client


def _check_sha(sha256: str) -> str:
    if not isinstance(sha256, str) or not SHA256_RE.fullmatch(sha256):
        raise ValueError(f"{sha256[:80]!r} is not a sha256 hex digest")
    return sha256


class BlobStore(Protocol):
    def put(self, data: bytes) -> str: ...
    def get(self, sha256: str, start: int = 0, end: int | None = None) -> bytes: ...
    def exists(self, sha256: str) -> bool: ...
    def close(self) -> None: ...


class LocalBlobStore:
    """``<root>/<aa>/<sha256>`` files, written atomically."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self.root.mkdir(parents=True, exist_ok=True)

    def _path(self, sha256: str) -> Path:
        return self.root / _check_sha(sha256)[:2] / sha256

    def put(self, data: bytes) -> str:
        sha = hashlib.sha256(data).hexdigest()
        path = self._path(sha)
        if path.exists():
            return sha
        path.parent.mkdir(exist_ok=True)
        tmp = path.with_name(f".{sha}.{os.getpid()}.tmp")
        with open(tmp, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
        return sha

    def get(self, sha256: str, start: int = 0, end: int | None = None) -> bytes:
        """Bytes ``start..end`` (inclusive; ``end=None`` means to the end)."""
        with open(self._path(sha256), "rb") as fh:
            fh.seek(start)
            return fh.read() if end is None else fh.read(end - start + 1)

    def exists(self, sha256: str) -> bool:
        return self._path(sha256).exists()

    def close(self) -> None:
        pass


class S3BlobStore:
    """Objects ``<prefix><sha256>`` in an S3-compatible bucket (shared by server replicas)."""

    def __init__(self, client: S3Client, prefix: str = "packages/") -> None:
        self.client = client
        self.prefix = prefix

    def put(self, data: bytes) -> str:
        sha = hashlib.sha256(data).hexdigest()
        if not self.exists(sha):
            self.client.put(self.prefix + sha, data)
        return sha

    def get(self, sha256: str, start: int = 0, end: int | None = None) -> bytes:
        key = self.prefix + _check_sha(sha256)
        if start == 0 and end is None:
            return self.client.get(key)
        return self.client.get(key, start, end)

    def exists(self, sha256: str) -> bool:
        return self.client.exists(self.prefix + _check_sha(sha256))

    def close(self) -> None:
        self.client.close()


def make_blob_store(settings: Settings) -> BlobStore:
    if settings.s3 is None:
        return LocalBlobStore(settings.blob_dir)
    s3 = settings.s3
    client = S3Client(s3.endpoint, s3.bucket, s3.access_key, s3.secret_key, s3.region)
    client.create_bucket()
    return S3BlobStore(client, s3.prefix)
