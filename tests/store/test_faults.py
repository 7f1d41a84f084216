"""Faults with the server as a real process: killed mid-download (repeatedly), restarted
during a stats upload."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from finclip_desktop.store import OfflineError
from tests.store.conftest import (
    APP_ID,
    Admin,
    Mitm,
    ServerProcess,
    app_files,
    make_store,
)

BIG = 16 * 1024 * 1024


def test_killed_mid_download_resumes(server_process: ServerProcess, tmp_path: Path) -> None:
    admin = Admin(server_process.url, server_process.token)
    admin.setup()
    admin.publish("1.0.0")
    store = make_store(server_process.url, tmp_path / "client", admin.key)
    store.install(APP_ID)
    admin.publish("1.0.1", app_files("1.0.1", {"data/big.bin": os.urandom(BIG)}))
    parts = tmp_path / "client/cache/downloads"
    sizes = []
    for kill_at in (2, 6, 10):
        killed = []

        def progress(done: int, total: int, kill_at: int = kill_at, killed: list = killed) -> None:
            if done >= kill_at * 1024 * 1024 and not killed:
                killed.append(done)
                server_process.kill()

        with pytest.raises(OfflineError):
            store.install(APP_ID, progress=progress)
        assert killed
        # no corrupt install: the previous version still launches, also offline
        assert store.open(APP_ID).manifest.version == "1.0.0"
        (part,) = parts.iterdir()
        sizes.append(part.stat().st_size)
        server_process.start()
    assert sizes == sorted(sizes) and sizes[0] < BIG
    before = store.bytes_received()
    package = store.install(APP_ID)
    assert package.manifest.version == "1.0.1"
    assert len(package.read("data/big.bin")) == BIG
    assert store.bytes_received() - before < BIG + 100_000 - sizes[-1] + 100_000
    assert not any(parts.iterdir())
    store.close()


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
