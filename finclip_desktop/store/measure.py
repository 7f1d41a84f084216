"""Update traffic measurement for the benchmark: ``measure_update_traffic()``.

Starts the real server on loopback (needs the ``[server]`` extra) in a temporary folder,
publishes an app, installs it with a ``Store``, then counts the body bytes the store
receives for an update check with nothing changed (0: a 304 for the timestamp and an empty
404 for the next root), and for an update after a one-file change (that file, as a delta,
plus the new metadata). The device secret lives in an in-memory keyring for the run.
"""

from __future__ import annotations

import os
import socket
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import keyring
from keyring.backend import KeyringBackend

from finclip_desktop.package import build_archive, generate_key, public_key_text

APP_ID = "com.example.bench"


class _MemoryKeyring(KeyringBackend):
    priority = 1  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self._items: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self._items.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self._items[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        self._items.pop((service, username), None)


@contextmanager
def _server(data_dir: Path) -> Iterator[tuple[str, str]]:
    import uvicorn

    from finclip_desktop.server.app import create_app
    from finclip_desktop.server.config import Settings
    from finclip_desktop.server.core import Server

    server = Server(Settings(data_dir=data_dir))
    token = server.bootstrap() or ""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    uv = uvicorn.Server(uvicorn.Config(create_app(server), log_level="warning", lifespan="off"))
    thread = threading.Thread(target=uv.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not uv.started and time.monotonic() < deadline:
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{sock.getsockname()[1]}", token
    finally:
        uv.should_exit = True
        thread.join(10)
        sock.close()
        server.close()


def _files(count: int, size: int, version: str) -> dict[str, bytes]:
    files = {
        "app.json": b'{"pages": ["pages/index/index"]}',
        "app.js": f"App({{version: '{version}'}})".encode(),
        "pages/index/index.wxml": b"<view>bench</view>",
        "pages/index/index.js": b"Page({})",
    }
    for i in range(count):
        files[f"assets/file{i}.bin"] = os.urandom(size) if i == 0 else bytes([i % 256]) * size
    return files


def _publish(url: str, token: str, key: Any, version: str, files: dict[str, bytes]) -> int:
    domains = {"request": (), "socket": (), "uploadFile": (), "downloadFile": ()}
    meta = {"app_id": APP_ID, "name": "Bench", "version": version, "min_runtime": "1.0.0",
            "permissions": (), "description": "", "icon": "", "domains": domains}  # fmt: skip
    data = build_archive(files, meta, key)[1]
    auth = {"Authorization": f"Bearer {token}"}
    base = f"{url}/api/v1/apps/{APP_ID}"
    for method, path, kw in (
        ("POST", "/versions", {"content": data}),
        ("POST", f"/versions/{version}/submit", {"json": {}}),
        ("POST", f"/versions/{version}/approve", {"json": {}}),
        ("POST", "/release", {"json": {"version": version}}),
    ):
        httpx.request(method, base + path, headers=auth, timeout=60, **kw).raise_for_status()
    return len(data)


def measure_update_traffic(file_count: int = 20, file_size: int = 50_000) -> dict[str, float]:
    """Bytes received by the store: ``unchanged_bytes`` (update check, nothing new),
    ``one_file_change_bytes`` and its ``one_file_change_fraction`` of ``package_bytes``."""
    from finclip_desktop.settings import Settings
    from finclip_desktop.store.store import Store

    previous = keyring.get_keyring()
    keyring.set_keyring(_MemoryKeyring())
    try:
        with (
            tempfile.TemporaryDirectory(prefix="finclip-measure-") as tmp,
            _server(Path(tmp) / "server") as (url, token),
        ):
            key = generate_key()
            auth = {"Authorization": f"Bearer {token}"}
            for path, body in (
                ("/api/v1/orgs", {"id": "bench", "name": "Bench"}),
                ("/api/v1/orgs/bench/keys", {"public_key": public_key_text(key), "name": "k"}),
                ("/api/v1/apps", {"app_id": APP_ID, "name": "Bench", "org": "bench"}),
            ):
                httpx.post(url + path, json=body, headers=auth, timeout=30).raise_for_status()
            files = _files(file_count, file_size, "1.0.0")
            size = _publish(url, token, key, "1.0.0", files)
            settings = Settings(server_url=url, trusted_keys=(public_key_text(key),))
            store = Store(settings, directory=Path(tmp) / "client")
            try:
                store.install(APP_ID)
                start = store.bytes_received()
                store.check_updates()
                unchanged = store.bytes_received() - start
                changed = dict(files, **{"app.js": b"App({version: '1.0.1'})"})
                _publish(url, token, key, "1.0.1", changed)
                start = store.bytes_received()
                store.check_updates()
                one_file = store.bytes_received() - start
                assert store.open(APP_ID).manifest.version == "1.0.1"
            finally:
                store.close()
    finally:
        keyring.set_keyring(previous)
    return {
        "package_bytes": size,
        "unchanged_bytes": unchanged,
        "one_file_change_bytes": one_file,
        "one_file_change_fraction": one_file / size,
    }


if __name__ == "__main__":
    print(measure_update_traffic())
