"""A real server on loopback (uvicorn in a thread) on SQLite, or PostgreSQL when
FINCLIP_TEST_PG_URL is set; helpers to build signed packages and call the API."""

from __future__ import annotations

import os
import socket
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

pytest.importorskip("fastapi", reason="the server needs the [server] extra")

from sqlalchemy import create_engine, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from finclip_desktop.package import build_archive, generate_key, public_key_text  # noqa: E402
from finclip_desktop.server import embedded  # noqa: E402
from finclip_desktop.server.config import Settings  # noqa: E402
from finclip_desktop.server.core import Server  # noqa: E402
from finclip_desktop.server.models import Base  # noqa: E402

PG_URL = os.environ.get("FINCLIP_TEST_PG_URL", "")


def app_files(version: str = "1.0.0", extra: dict[str, bytes] | None = None) -> dict[str, bytes]:
    files = {
        "app.json": b'{"pages": ["pages/index/index"]}',
        "app.js": b"App({})",
        "pages/index/index.wxml": b"<view>hello</view>",
        "pages/index/index.js": f"Page({{data: {{v: '{version}'}}}})".encode(),
        "images/icon.png": b"\x89PNG fake icon bytes",
    }
    files.update(extra or {})
    return files


def make_package(
    key: Any,
    app_id: str = "com.example.demo",
    version: str = "1.0.0",
    files: dict[str, bytes] | None = None,
    **settings: Any,
) -> bytes:
    meta = {
        "app_id": app_id,
        "name": "Demo",
        "version": version,
        "description": "A demo app",
        "icon": "images/icon.png",
        "min_runtime": "1.0.0",
        "permissions": (),
        "domains": {"request": (), "socket": (), "uploadFile": (), "downloadFile": ()},
    }
    meta.update(settings)
    return build_archive(files if files is not None else app_files(version), meta, key)[1]


class Api:
    """A thin httpx wrapper that fails loudly on unexpected statuses."""

    def __init__(self, base: str, auth: str | None = None) -> None:
        self.base = base
        # TCP_NODELAY: without it, a POST's body waits ~40 ms for the delayed ACK.
        transport = httpx.HTTPTransport(
            socket_options=[(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)]
        )
        self.http = httpx.Client(base_url=base, timeout=30, transport=transport)
        if auth:
            self.http.headers["Authorization"] = auth

    def call(
        self, method: str, path: str, expect: int | tuple[int, ...] = (200, 201), **kwargs: Any
    ) -> httpx.Response:
        resp = self.http.request(method, path, **kwargs)
        expected = (expect,) if isinstance(expect, int) else expect
        assert resp.status_code in expected, f"{method} {path}: {resp.status_code} {resp.text}"
        return resp

    def get(self, path: str, **kw: Any) -> Any:
        return self.call("GET", path, **kw).json()

    def post(self, path: str, **kw: Any) -> Any:
        return self.call("POST", path, **kw).json()


@dataclass
class Live:
    """A running server and the things most tests need."""

    url: str
    server: Server
    admin: Api
    token: str
    key: Any = field(default_factory=generate_key)
    org: str = "acme"
    enrollment: str = ""

    def api(self, token: str) -> Api:
        return Api(self.url, f"Bearer {token}")

    def user(self, name: str, role: str, org: str | None = None) -> Api:
        body = self.admin.post("/api/v1/users", json={"name": name, "role": role, "org": org})
        return self.api(body["token"])

    def device(self, org: str | None = None, name: str = "pc") -> tuple[Api, str]:
        body: dict[str, Any] = {"name": name, "platform": "linux"}
        if org:
            body.update(org=org, enrollment_token=self.enrollment)
        reg = Api(self.url).post("/api/v1/devices/register", json=body)
        return Api(self.url, f"Device {reg['device_id']}:{reg['device_secret']}"), reg["device_id"]

    def setup_app(self, app_id: str = "com.example.demo", **extra: Any) -> None:
        body = {
            "app_id": app_id,
            "name": "Demo",
            "org": self.org,
            "category": "tools",
            "description": "A demo app",
            **extra,
        }
        self.admin.post("/api/v1/apps", json=body)

    def upload(
        self,
        version: str,
        app_id: str = "com.example.demo",
        key: Any = None,
        expect: int | tuple[int, ...] = 201,
        **kw: Any,
    ) -> httpx.Response:
        data = make_package(key or self.key, app_id, version, **kw)
        return self.admin.call(
            "POST",
            f"/api/v1/apps/{app_id}/versions",
            content=data,
            params={"changelog": f"v{version}"},
            expect=expect,
        )

    def approve(self, version: str, app_id: str = "com.example.demo") -> None:
        self.admin.post(f"/api/v1/apps/{app_id}/versions/{version}/submit", json={})
        self.admin.post(f"/api/v1/apps/{app_id}/versions/{version}/approve", json={})

    def publish(self, version: str, app_id: str = "com.example.demo", **kw: Any) -> None:
        """Upload, approve and release to everyone."""
        self.upload(version, app_id, **kw)
        self.approve(version, app_id)
        self.admin.post(f"/api/v1/apps/{app_id}/release", json={"version": version})


@pytest.fixture(scope="session")
def pg_database() -> Iterator[str]:
    """A fresh PostgreSQL database for this test session (dropped at the end)."""
    if not PG_URL:
        pytest.skip("FINCLIP_TEST_PG_URL is not set")
    name = f"finclip_test_{uuid.uuid4().hex[:10]}"
    admin_engine = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with admin_engine.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    yield make_url(PG_URL).set(database=name).render_as_string(hide_password=False)
    with admin_engine.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin_engine.dispose()


def _empty_pg(url: str) -> None:
    engine = create_engine(url)
    with engine.begin() as conn:
        tables = [t.name for t in Base.metadata.sorted_tables]
        existing = set(
            conn.execute(
                text("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
            ).scalars()
        )
        names = ", ".join(f'"{t}"' for t in tables if t in existing)
        if names:
            conn.execute(text(f"TRUNCATE {names} CASCADE"))
    engine.dispose()


BACKENDS = [
    "sqlite",
    pytest.param(
        "postgres",
        marks=[
            pytest.mark.postgres,
            pytest.mark.skipif(not PG_URL, reason="FINCLIP_TEST_PG_URL is not set"),
        ],
    ),
]


def make_live(settings: Settings) -> Iterator[Live]:
    running = embedded.start(settings)
    token = running.admin_token
    assert token, "first start must print an admin token"
    admin = Api(running.url, f"Bearer {token}")
    live = Live(running.url, running.server, admin, token)
    org = admin.post("/api/v1/orgs", json={"id": live.org, "name": "Acme Corp"})
    live.enrollment = org["enrollment_token"]
    admin.post(
        f"/api/v1/orgs/{live.org}/keys",
        json={"public_key": public_key_text(live.key), "name": "dev key"},
    )
    try:
        yield live
    finally:
        running.stop()


@pytest.fixture
def live(tmp_path: Path) -> Iterator[Live]:
    """SQLite server with org ``acme`` and a registered developer key."""
    yield from make_live(Settings(data_dir=tmp_path / "server"))


@pytest.fixture(params=BACKENDS)
def live_db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Live]:
    """Like ``live``, once on SQLite and once on PostgreSQL (when configured)."""
    if request.param == "postgres":
        url = request.getfixturevalue("pg_database")
        _empty_pg(url)
        settings = Settings(data_dir=tmp_path / "server", database_url=url)
    else:
        settings = Settings(data_dir=tmp_path / "server")
    yield from make_live(settings)
