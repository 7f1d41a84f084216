"""Store tests: a real server on loopback (in a thread, or as a process that can be
killed), a hostile man-in-the-middle proxy of our own, and helpers to publish apps.

Device secrets go to a file-backed keyring (keyrings.alt) in the per-test XDG data dir:
``PYTHON_KEYRING_BACKEND`` is set here, for the tests only.
"""

from __future__ import annotations

import hashlib
import os
import re
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest

os.environ["PYTHON_KEYRING_BACKEND"] = "keyrings.alt.file.PlaintextKeyring"

from finclip_desktop.package import build_archive, generate_key, public_key_text  # noqa: E402
from finclip_desktop.settings import Settings  # noqa: E402
from finclip_desktop.store import RetryPolicy, Store  # noqa: E402

pytest.importorskip("fastapi", reason="the store tests run the real server ([server] extra)")

import uvicorn  # noqa: E402

from finclip_desktop.server.app import create_app  # noqa: E402
from finclip_desktop.server.config import Settings as ServerSettings  # noqa: E402
from finclip_desktop.server.core import Server  # noqa: E402

APP_ID = "com.example.demo"
FAST_RETRY = RetryPolicy(attempts=2, backoff=0.01, max_backoff=0.05)


@pytest.fixture(autouse=True)
def _keyring_in_test_dir(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyrings.alt.file.PlaintextKeyring")


def app_files(version: str = "1.0.0", extra: dict[str, bytes] | None = None) -> dict[str, bytes]:
    files = {
        "app.json": b'{"pages": ["pages/index/index"]}',
        "app.js": b"App({})",
        "pages/index/index.wxml": b"<view>hello</view>",
        "pages/index/index.js": b"Page({data: {}})",
        "images/icon.png": b"\x89PNG fake icon bytes",
    }
    files.update(extra or {})
    return files


def make_package(key: Any, version: str, files: dict[str, bytes], app_id: str = APP_ID,
                 **manifest: Any) -> bytes:  # fmt: skip
    """A signed package; ``manifest`` overrides fields (``domains``, ``min_runtime``, ...)."""
    meta = {
        "app_id": app_id,
        "name": "Demo",
        "version": version,
        "description": "A demo app",
        "icon": "images/icon.png",
        "min_runtime": "1.0.0",
        "permissions": (),
        "domains": {"request": (), "socket": (), "uploadFile": (), "downloadFile": ()},
        **manifest,
    }
    return build_archive(files, meta, key)[1]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Admin:
    """Drives a server through its admin API: org ``acme`` with a developer key."""

    url: str
    token: str
    key: Any = field(default_factory=generate_key)
    org: str = "acme"
    app_secret: str = ""  # the demo app's, for its backend's code2Session (login/session)

    def call(self, method: str, path: str, **kw: Any) -> Any:
        resp = httpx.request(
            method, self.url + path, headers={"Authorization": f"Bearer {self.token}"},
            timeout=30, **kw,
        )  # fmt: skip
        assert resp.status_code in (200, 201), f"{method} {path}: {resp.status_code} {resp.text}"
        return resp.json()

    def setup(self) -> None:
        self.call("POST", "/api/v1/orgs", json={"id": self.org, "name": "Acme"})
        self.add_key(self.key)
        self.app_secret = self.call("POST", "/api/v1/apps", json={
            "app_id": APP_ID, "name": "Demo", "org": self.org, "category": "tools",
            "description": "A demo app"})["app_secret"]  # fmt: skip

    def add_key(self, key: Any) -> None:
        self.call("POST", f"/api/v1/orgs/{self.org}/keys",
                  json={"public_key": public_key_text(key), "name": "dev"})  # fmt: skip

    def upload(self, version: str, files: dict[str, bytes] | None = None, key: Any = None,
               app_id: str = APP_ID, **manifest: Any) -> bytes:  # fmt: skip
        """Upload, submit and approve ``version`` (not released); returns the package."""
        data = make_package(key or self.key, version, files or app_files(version), app_id,
                            **manifest)  # fmt: skip
        self.call("POST", f"/api/v1/apps/{app_id}/versions", content=data,
                  params={"changelog": version})  # fmt: skip
        self.call("POST", f"/api/v1/apps/{app_id}/versions/{version}/submit", json={})
        self.call("POST", f"/api/v1/apps/{app_id}/versions/{version}/approve", json={})
        return data

    def publish(self, version: str, files: dict[str, bytes] | None = None, key: Any = None,
                mandatory: bool = False, **manifest: Any) -> bytes:  # fmt: skip
        data = self.upload(version, files, key, **manifest)
        body: dict[str, Any] = {"version": version}
        if mandatory:
            body["mandatory"] = True
        self.call("POST", f"/api/v1/apps/{APP_ID}/release", json=body)
        return data


@dataclass
class Live:
    url: str
    admin: Admin
    server: Server
    data_dir: Path


@pytest.fixture
def live(tmp_path: Path) -> Iterator[Live]:
    """The real server in a thread on loopback (SQLite), org and app set up."""
    yield from _thread_server(ServerSettings(data_dir=tmp_path / "server"))


def _thread_server(settings: ServerSettings) -> Iterator[Live]:
    server = Server(settings)
    token = server.bootstrap()
    assert token
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    url = f"http://127.0.0.1:{sock.getsockname()[1]}"
    uv = uvicorn.Server(uvicorn.Config(create_app(server), log_level="warning", lifespan="off"))
    thread = threading.Thread(target=uv.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not uv.started:
        assert time.monotonic() < deadline, "server did not start"
        time.sleep(0.02)
    admin = Admin(url, token)
    admin.setup()
    try:
        yield Live(url, admin, server, settings.data_dir)
    finally:
        uv.should_exit = True
        thread.join(10)
        sock.close()
        server.close()


class ServerProcess:
    """``finclip server`` as a child process on a fixed port: can be killed and restarted."""

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.proc: subprocess.Popen | None = None
        self.token = ""

    def start(self) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "finclip_desktop", "server", "--data-dir",
             str(self.data_dir), "--port", str(self.port)],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        )  # fmt: skip
        deadline = time.monotonic() + 60
        assert self.proc.stdout is not None
        if not self.token:
            for line in self.proc.stdout:
                match = re.search(r"admin API token.*: (\S+)", line)
                if match:
                    self.token = match.group(1)
                    break
                assert time.monotonic() < deadline, "no admin token printed"
        while True:
            try:
                httpx.get(self.url + "/api/v1/metadata/root.json", timeout=1)
                return
            except httpx.TransportError:
                assert self.proc.poll() is None, "server exited"
                assert time.monotonic() < deadline, "server did not start"
                time.sleep(0.1)

    def kill(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(10)

    def stop(self) -> None:
        self.kill()
        if self.proc is not None and self.proc.stdout is not None:
            self.proc.stdout.close()


@pytest.fixture
def server_process(tmp_path: Path) -> Iterator[ServerProcess]:
    proc = ServerProcess(tmp_path / "server")
    proc.start()
    try:
        yield proc
    finally:
        proc.stop()


Rewrite = Callable[[str, str, httpx.Response | None], tuple[int, dict[str, str], Any] | None]


class Mitm:
    """A hostile proxy on loopback in front of the real server. ``rules[path]`` may
    replace any answer: a function (method, path, upstream response) -> (status, headers,
    body bytes or an iterator of chunks), ``"drop"`` to close the connection without an
    answer, or None to pass the real answer through."""

    def __init__(self, upstream: str) -> None:
        self.upstream = upstream
        self.rules: dict[str, Rewrite] = {}
        self.seen: list[str] = []
        self.http = httpx.Client(timeout=30, trust_env=False)  # never through HTTP_PROXY
        mitm = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:
                pass

            def _handle(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                if self.path.startswith("http://"):  # used as a forward proxy
                    self.path = "/" + self.path.split("/", 3)[3]
                path = self.path.split("?")[0]
                mitm.seen.append(path)
                rule = mitm.rules.get(path)
                # a rewriting proxy asks for the whole document (no 304) to forge from it
                dropped = ("host", "content-length", "connection") + (
                    ("if-none-match",) if rule else ()
                )
                headers = {k: v for k, v in self.headers.items() if k.lower() not in dropped}
                try:
                    up = mitm.http.request(self.command, mitm.upstream + self.path,
                                          headers=headers, content=body)  # fmt: skip
                except httpx.TransportError:
                    self.close_connection = True  # upstream down: drop without an answer
                    return
                answer = rule(self.command, path, up) if rule else None
                if answer == "drop":
                    self.close_connection = True
                    return
                if answer is None:
                    answer = (
                        up.status_code,
                        {
                            k: v
                            for k, v in up.headers.items()
                            if k.lower() in ("content-type", "etag", "content-range")
                        },
                        up.content,
                    )
                status, out_headers, out = answer
                self.send_response(status)
                for k, v in out_headers.items():
                    self.send_header(k, v)
                try:
                    if isinstance(out, bytes):
                        self.send_header("Content-Length", str(len(out)))
                        self.end_headers()
                        self.wfile.write(out)
                    else:
                        self.send_header("Connection", "close")
                        self.end_headers()
                        for chunk in out:
                            self.wfile.write(chunk)
                        self.close_connection = True
                except (BrokenPipeError, ConnectionResetError):
                    self.close_connection = True

            do_GET = do_POST = _handle

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        self.http.close()


@pytest.fixture
def mitm(live: Live) -> Iterator[Mitm]:
    proxy = Mitm(live.url)
    try:
        yield proxy
    finally:
        proxy.close()


def make_store(url: str, directory: Path, key: Any, **kw: Any) -> Store:
    settings = Settings(server_url=url, trusted_keys=(public_key_text(key),), telemetry=True)
    kw.setdefault("retry", FAST_RETRY)
    kw.setdefault("timeout", 10.0)
    return Store(settings, directory=directory, **kw)


def snapshot_tree(directory: Path) -> dict[str, str]:
    """{relative path: sha256} of every file except interrupted downloads and locks."""
    result = {}
    for path in sorted(directory.rglob("*")):
        if (
            path.is_file()
            and "downloads" not in path.parts
            and not path.name.endswith("-wal")
            and not path.name.endswith("-shm")
            and not path.name.startswith("stats.")
        ):
            result[str(path.relative_to(directory))] = hashlib.sha256(
                path.read_bytes()).hexdigest()  # fmt: skip
    return result
