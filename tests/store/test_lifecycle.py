"""Update lifecycle against the real server: mandatory releases, background checks,
server-side rollback, interrupted installs, managed policy, proxy, re-registration."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from finclip_desktop.package import public_key_text
from finclip_desktop.settings import Settings, SettingsStore
from finclip_desktop.store import AppNotAllowedError, Store, StoreError, UnknownAppError
from tests.store.conftest import (
    APP_ID,
    FAST_RETRY,
    Live,
    Mitm,
    app_files,
    make_package,
    make_store,
)


def test_mandatory_update_and_background_check(live: Live, tmp_path: Path) -> None:
    live.admin.publish("1.0.0")
    store = make_store(live.url, tmp_path / "client", live.admin.key)
    store.install(APP_ID)
    live.admin.publish("1.1.0", app_files("1.1.0", {"app.js": b"App({v: 11})"}), mandatory=True)
    # the cached version opens at once while the check runs in the background
    assert store.open(APP_ID).manifest.version == "1.0.0"
    done = []
    future = store.check_updates_async(done.append)
    (update,) = future.result(timeout=60)
    assert done == [future]
    assert (update.version, update.mandatory, update.staged) == ("1.1.0", True, True)
    assert store.apply_update(APP_ID).manifest.version == "1.1.0"
    assert store.installed_version(APP_ID) == "1.1.0"
    assert store.apply_update(APP_ID) is None
    store.close()


def test_server_rollback_is_followed(live: Live, tmp_path: Path) -> None:
    """An operator rollback is newer signed metadata naming an older version: installed."""
    live.admin.publish("1.0.0")
    live.admin.publish("1.0.1", app_files("1.0.1", {"app.js": b"App({v: 1})"}))
    store = make_store(live.url, tmp_path / "client", live.admin.key)
    assert store.install(APP_ID).manifest.version == "1.0.1"
    live.admin.call("POST", f"/api/v1/apps/{APP_ID}/rollback",
                    json={"version": "1.0.0", "reason": "bad build"})  # fmt: skip
    assert store.install(APP_ID).manifest.version == "1.0.0"
    store.close()


def test_interrupted_install_keeps_previous(live: Live, tmp_path: Path) -> None:
    live.admin.publish("1.0.0")
    store = make_store(live.url, tmp_path / "client", live.admin.key)
    store.install(APP_ID)
    live.admin.publish("2.0.0", app_files("2.0.0", {"data/big.bin": b"z" * 2_000_000}))

    class Quit(Exception):
        pass

    def quit_midway(done: int, total: int) -> None:
        if done > total // 3:
            raise Quit

    with pytest.raises(Quit):
        store.install(APP_ID, progress=quit_midway)
    store.close()
    again = make_store(live.url, tmp_path / "client", live.admin.key)
    assert again.open(APP_ID).manifest.version == "1.0.0"
    assert again.install(APP_ID).manifest.version == "2.0.0"
    again.close()


def test_unknown_app_and_corrupted_cache(live: Live, tmp_path: Path) -> None:
    live.admin.publish("1.0.0")
    live.admin.publish("1.0.1", app_files("1.0.1", {"app.js": b"App({v: 1})"}))
    store = make_store(live.url, tmp_path / "client", live.admin.key)
    with pytest.raises(UnknownAppError):
        store.install("com.example.none")
    with pytest.raises(StoreError):
        store.install("../../etc")
    store.install(APP_ID)
    # a damaged blob of the current version: the previous one is not there yet -> error
    blob = tmp_path / "client/cache/blobs" / store.open(APP_ID).manifest.files["app.js"].sha256
    blob.write_bytes(b"evil")
    with pytest.raises(StoreError):
        store.open(APP_ID)
    # reinstalling repairs it
    blob.unlink()
    assert store.install(APP_ID).read("app.js") == b"App({v: 1})"
    store.close()


def test_managed_policy_pins_root_and_blocks_apps(
    live: Live, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    live.admin.publish("1.0.0")
    with live.server.session() as session:
        root = json.loads(live.server.dist.root(session))
    policy = tmp_path / "policy.json"
    policy.write_text(json.dumps({
        "server_url": live.url, "trusted_keys": [public_key_text(live.admin.key)],
        "distribution_root": root, "telemetry": True,
    }))  # fmt: skip
    monkeypatch.setenv("FINCLIP_POLICY_FILE", str(policy))
    settings = SettingsStore(tmp_path / "settings.json").effective
    store = Store(settings, directory=tmp_path / "client", retry=FAST_RETRY)
    assert store.install(APP_ID).manifest.version == "1.0.0"
    store.close()
    data = json.loads(policy.read_text())
    data["blocked_apps"] = [APP_ID]
    policy.write_text(json.dumps(data))
    settings = SettingsStore(tmp_path / "settings.json").effective
    blocked = Store(settings, directory=tmp_path / "client", retry=FAST_RETRY)
    assert blocked.catalog() == []
    with pytest.raises(AppNotAllowedError):
        blocked.open(APP_ID)
    with pytest.raises(AppNotAllowedError):
        blocked.install(APP_ID)
    blocked.close()


@pytest.mark.parametrize("setting", ["explicit", "system"])
def test_proxy_setting_is_used(
    live: Live, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, setting: str
) -> None:
    """``proxy`` as a URL, or "system": the environment's HTTP_PROXY."""
    proxy = Mitm(live.url)
    try:
        live.admin.publish("1.0.0")
        for var in ("NO_PROXY", "no_proxy", "ALL_PROXY", "all_proxy"):
            monkeypatch.delenv(var, raising=False)
        if setting == "system":
            monkeypatch.setenv("HTTP_PROXY", proxy.url)
        value = proxy.url if setting == "explicit" else "system"
        settings = Settings(server_url=live.url, trusted_keys=(public_key_text(live.admin.key),),
                            proxy=value)  # fmt: skip
        store = Store(settings, directory=tmp_path / "client", retry=FAST_RETRY)
        store.install(APP_ID)
        store.close()
        assert "/api/v1/metadata/timestamp.json" in proxy.seen
    finally:
        proxy.close()


def test_device_registers_again_when_forgotten(live: Live, tmp_path: Path) -> None:
    live.admin.publish("1.0.0")
    store = make_store(live.url, tmp_path / "client", live.admin.key)
    store.install(APP_ID)
    first = store.register().device_id
    db = sqlite3.connect(live.data_dir / "finclip.db")
    db.execute("DELETE FROM devices")
    db.commit()
    db.close()
    assert store.check_updates() == []
    assert store.register().device_id != first
    assert store.login_code(APP_ID)
    store.close()


def test_cli_install_and_update(live: Live, tmp_path: Path) -> None:
    import os
    import subprocess
    import sys

    from finclip_desktop.settings import settings_path

    live.admin.publish("1.0.0")
    path = settings_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"server_url": live.url,
                                "trusted_keys": [public_key_text(live.admin.key)]}))  # fmt: skip

    def finclip(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "finclip_desktop", *args], env=os.environ,
                              capture_output=True, text=True, timeout=120)  # fmt: skip

    done = finclip("install", APP_ID)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == f"installed {APP_ID} 1.0.0"
    assert finclip("update").stdout.strip() == "all apps are up to date"
    live.admin.publish("1.0.1", app_files("1.0.1", {"app.js": b"App({v: 1})"}))
    out = finclip("update", "--apply").stdout.strip()
    assert out == f"{APP_ID} 1.0.0 -> 1.0.1: installed"
    bad = finclip("install", "com.example.none")
    assert bad.returncode == 1
    assert bad.stderr.strip() == "finclip: the server offers no app com.example.none to this device"


def test_gray_release_reaches_its_audience_only(live: Live, tmp_path: Path) -> None:
    """Two devices (the second reaches the server through a proxy URL, so it registers as
    another device): a gray release to one named device, then promoted to everyone."""
    proxy = Mitm(live.url)
    try:
        live.admin.publish("1.0.0")
        a = make_store(live.url, tmp_path / "a", live.admin.key)
        b = make_store(proxy.url, tmp_path / "b", live.admin.key)
        a.install(APP_ID)
        b.install(APP_ID)
        assert a.register().device_id != b.register().device_id
        data = app_files("1.1.0", {"app.js": b"App({gray: true})"})
        pkg = make_package(live.admin.key, "1.1.0", data)
        base = f"/api/v1/apps/{APP_ID}"
        live.admin.call("POST", base + "/versions", content=pkg)
        live.admin.call("POST", base + "/versions/1.1.0/submit", json={})
        live.admin.call("POST", base + "/versions/1.1.0/approve", json={})
        live.admin.call("POST", base + "/release", json={
            "version": "1.1.0", "gray": {"devices": [a.register().device_id]}})  # fmt: skip
        assert [u.version for u in a.check_updates()] == ["1.1.0"]
        assert b.check_updates() == []
        assert [e.version for e in b.catalog()] == ["1.0.0"]
        live.admin.call("POST", base + "/promote", json={"reason": "looks good"})
        assert [u.version for u in b.check_updates()] == ["1.1.0"]
        assert b.open(APP_ID).read("app.js") == b"App({gray: true})"
        a.close()
        b.close()
    finally:
        proxy.close()


def test_refused_stats_batch_does_not_block_the_queue(live: Live, tmp_path: Path) -> None:
    proxy = Mitm(live.url)
    try:
        store = make_store(proxy.url, tmp_path / "client", live.admin.key)
        for i in range(10):
            store.record_event("page_view", APP_ID, name=f"pages/p{i}")
        calls = []

        def refuse_first(method: str, path: str, up: object) -> object:
            calls.append(path)
            if len(calls) == 1:
                return 422, {"Content-Type": "application/json"}, b'{"error": "bad batch"}'
            return None

        proxy.rules["/api/v1/stats"] = refuse_first
        assert store.flush_stats(batch_size=4) == 10
        assert store.stats.pending() == 0 and len(calls) == 3
        store.close()
    finally:
        proxy.close()
