"""Faults with the server as a real process: killed mid-download (repeatedly), restarted
during a stats upload."""

from __future__ import annotations

import contextlib
import os
import re
import socket
import sqlite3
import threading
from pathlib import Path
from typing import Any

import pytest

from finclip_desktop.store import OfflineError
from tests.capabilities.servers import RecordingProxy
from tests.store.conftest import (
    APP_ID,
    Admin,
    Mitm,
    ServerProcess,
    app_files,
    make_store,
)

BIG = 16 * 1024 * 1024
CUT = 3 * 1024 * 1024  # bytes of each download answer served before the server dies
_PACKAGE_GET = re.compile(rb"GET /api/v1/packages/[0-9a-f]{64}\.fcpkg ")


class KillingRelay(RecordingProxy):
    """A TCP relay on loopback in front of the server process. While ``budget`` is set,
    the answer to a package download is passed on for exactly ``budget`` bytes (status
    line and headers included); then the relay kills the server (and waits until it is
    gone) and only then closes the client's connection. Where the cut falls never depends
    on timing: the client holds exactly those bytes, and finds the server down."""

    def __init__(self, server: ServerProcess) -> None:
        self.server = server
        self.budget: int | None = None
        self.bodies: list[int] = []  # body bytes of each cut answer
        super().__init__()

    def _serve(self, client: socket.socket) -> None:
        try:
            upstream = socket.create_connection(("127.0.0.1", self.server.port))
        except OSError:  # the server is down: like a refused connection
            client.close()
            return
        armed: list[int] = []  # the budget of the download under way on this connection
        threading.Thread(target=self._requests, args=(client, upstream, armed),
                         daemon=True).start()  # fmt: skip
        try:
            self._answers(upstream, client, armed)
        finally:
            for sock in (client, upstream):
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)
                sock.close()

    def _requests(self, client: socket.socket, upstream: socket.socket, armed: list) -> None:
        """Client -> server; a package download is armed before the server sees it."""
        tail = b""
        with contextlib.suppress(OSError):
            while data := client.recv(65536):
                tail += data
                if self.budget is not None and _PACKAGE_GET.search(tail):
                    armed.append(self.budget)
                    tail = b""
                tail = tail[-200:]  # a request line split between reads is still found
                upstream.sendall(data)

    def _answers(self, upstream: socket.socket, client: socket.socket, armed: list) -> None:
        """Server -> client, cut after the budget of an armed download."""
        sent = 0
        head = b""
        with contextlib.suppress(OSError):
            while data := upstream.recv(65536):
                if not armed:
                    client.sendall(data)
                    continue
                data = data[: armed[0] - sent]
                if len(head) < 4096:
                    head += data[:4096]
                client.sendall(data)
                sent += len(data)
                if sent == armed[0]:
                    self.bodies.append(sent - head.index(b"\r\n\r\n") - 4)
                    self.server.kill()  # gone before the client can ask again
                    return


def test_killed_mid_download_resumes(server_process: ServerProcess, tmp_path: Path) -> None:
    """The server dies three times, each after a known number of bytes of the download:
    nothing corrupt is installed, the previous version launches (also offline), each
    attempt keeps what it received, and the last one fetches only the rest."""
    admin = Admin(server_process.url, server_process.token)
    admin.setup()
    admin.publish("1.0.0")
    relay = KillingRelay(server_process)
    try:
        store = make_store(relay.url, tmp_path / "client", admin.key)
        store.install(APP_ID)
        admin.publish("1.0.1", app_files("1.0.1", {"data/big.bin": os.urandom(BIG)}))
        parts = tmp_path / "client/cache/downloads"
        for round_ in range(1, 4):
            relay.budget = CUT
            with pytest.raises(OfflineError):
                store.install(APP_ID)
            relay.budget = None
            assert len(relay.bodies) == round_ and server_process.proc.poll() is not None
            # no corrupt install: the previous version still launches, with the server down
            assert store.open(APP_ID).manifest.version == "1.0.0"
            (part,) = parts.iterdir()
            assert part.stat().st_size == sum(relay.bodies)  # every byte received is kept
            server_process.start()
        assert sum(relay.bodies) < BIG
        before = store.bytes_received()
        package = store.install(APP_ID)
        assert package.manifest.version == "1.0.1"
        assert len(package.read("data/big.bin")) == BIG
        assert store.bytes_received() - before < BIG - sum(relay.bodies) + 200_000
        assert not any(parts.iterdir())
        store.close()
    finally:
        relay.close()


def test_stats_survive_server_restart(server_process: ServerProcess, tmp_path: Path) -> None:
    admin = Admin(server_process.url, server_process.token)
    admin.setup()
    mitm = Mitm(server_process.url)
    try:
        store = make_store(mitm.url, tmp_path / "client", admin.key)
        for i in range(1200):
            assert store.record_event("api_call", APP_ID, name=f"api{i % 7}", result="ok",
                                      duration_ms=i)  # fmt: skip
        batches: list[Any] = []

        def kill_after_second(method: str, path: str, up: Any) -> Any:
            batches.append(up.json())
            if len(batches) == 2:  # the server stored it; the answer never arrives
                server_process.kill()
                return "drop"
            return None

        mitm.rules["/api/v1/stats"] = kill_after_second
        with pytest.raises(OfflineError):
            store.flush_stats(batch_size=500)
        assert batches[0] == {"accepted": 500, "duplicate": False}
        assert store.stats.pending() == 700
        store.close()  # the app quits
        server_process.start()
        mitm.rules.clear()
        again = make_store(mitm.url, tmp_path / "client", admin.key)
        assert again.flush_stats(batch_size=500) == 700
        assert again.stats.pending() == 0
        again.close()
    finally:
        mitm.close()
    db = sqlite3.connect(server_process.data_dir / "finclip.db")
    try:
        assert db.execute("SELECT COUNT(*) FROM events").fetchone()[0] == 1200
        assert db.execute("SELECT COUNT(*) FROM stat_batches").fetchone()[0] == 3
        durations = {r[0] for r in db.execute("SELECT duration_ms FROM events")}
        assert durations == set(range(1200))
    finally:
        db.close()


def test_no_telemetry_no_events(tmp_path: Path) -> None:
    from finclip_desktop.settings import Settings
    from finclip_desktop.store import Store

    store = Store(Settings(server_url="http://127.0.0.1:9"), directory=tmp_path / "c")
    assert store.record_event("launch", APP_ID) is False
    assert store.stats.pending() == 0
    store.close()
