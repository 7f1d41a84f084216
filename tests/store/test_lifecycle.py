"""Update lifecycle against the real server: mandatory releases, background checks,
server-side rollback, interrupted installs, managed policy, proxy, re-registration."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import httpx
import pytest

from finclip_desktop.package import public_key_text
from finclip_desktop.settings import Settings, SettingsStore
from finclip_desktop.store import (
    AppNotAllowedError,
    Store,
    StoreError,
    UnknownAppError,
    WithdrawnError,
)
from finclip_desktop.store.stats import make_event
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


@pytest.mark.parametrize("kind", ["http", "socks5"])
@pytest.mark.parametrize("setting", ["explicit", "system"])
def test_proxy_setting_is_used(
    live: Live, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, setting: str, kind: str
) -> None:
    """``proxy`` as a URL, or "system": the environment's HTTP_PROXY / ALL_PROXY; through
    a real HTTP forward proxy or a real SOCKS5 proxy on loopback."""
    from tests.capabilities.servers import Socks5Proxy

    proxy = Mitm(live.url) if kind == "http" else Socks5Proxy()
    try:
        live.admin.publish("1.0.0")
        for var in ("NO_PROXY", "ALL_PROXY", "HTTP_PROXY"):
            monkeypatch.delenv(var, raising=False)
            monkeypatch.delenv(var.lower(), raising=False)
        if setting == "system":
            monkeypatch.setenv("HTTP_PROXY" if kind == "http" else "ALL_PROXY", proxy.url)
        value = proxy.url if setting == "explicit" else "system"
        settings = Settings(server_url=live.url, trusted_keys=(public_key_text(live.admin.key),),
                            proxy=value)  # fmt: skip
        store = Store(settings, directory=tmp_path / "client", retry=FAST_RETRY)
        assert store.install(APP_ID).manifest.version == "1.0.0"
        store.close()
        if kind == "http":
            assert "/api/v1/metadata/timestamp.json" in proxy.seen
        else:
            assert proxy.targets and set(proxy.targets) == {live.url.removeprefix("http://")}
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
        assert store.flush_stats(batch_size=4) == 6  # the refused batch is dropped at once
        assert store.stats.pending() == 0 and len(calls) == 3
        store.close()
    finally:
        proxy.close()


OTHER = "com.example.other"


def _second_app(live: Live) -> None:
    live.admin.call("POST", "/api/v1/apps", json={"app_id": OTHER, "name": "Other",
                                                  "org": live.admin.org})  # fmt: skip


def _release(live: Live, app_id: str, version: str, key: object = None, **files: bytes) -> bytes:
    extra = {"app.js": f"App({{v: '{version}'}})".encode(), **files}
    data = live.admin.upload(version, app_files(version, extra), key, app_id)
    live.admin.call("POST", f"/api/v1/apps/{app_id}/release", json={"version": version})
    return data


def test_one_failed_update_does_not_block_the_others(live: Live, tmp_path: Path) -> None:
    """The first app's update is signed by a key the client does not trust; the second
    app's update is still staged, and the failure is reported next to it."""
    from finclip_desktop.package import generate_key

    _second_app(live)
    _release(live, APP_ID, "1.0.0")
    _release(live, OTHER, "1.0.0")
    store = make_store(live.url, tmp_path / "client", live.admin.key)
    store.install(APP_ID)
    store.install(OTHER)
    rogue = generate_key()
    live.admin.add_key(rogue)
    _release(live, APP_ID, "1.0.1", rogue)  # sorts before OTHER: checked first
    _release(live, OTHER, "1.0.1")
    failed, staged = store.check_updates()
    assert (failed.app_id, failed.version, failed.staged) == (APP_ID, "1.0.1", False)
    assert "signed by unknown key" in failed.error and "\n" not in failed.error
    assert (staged.app_id, staged.version, staged.staged, staged.error) == (
        OTHER, "1.0.1", True, "")  # fmt: skip
    assert store.open(OTHER).manifest.version == "1.0.1"
    assert store.open(APP_ID).manifest.version == "1.0.0"
    store.close()


def test_takedown_withdraws_the_installed_app(live: Live, mitm: Mitm, tmp_path: Path) -> None:
    """Fresh signed targets that no longer name an installed app withdraw it: it does not
    open, online or offline, until the server restores it; nothing of it is deleted."""
    from finclip_desktop.store import OfflineError

    live.admin.publish("1.0.0")
    store = make_store(mitm.url, tmp_path / "client", live.admin.key)
    store.install(APP_ID)
    base = f"/api/v1/apps/{APP_ID}"
    live.admin.call("POST", base + "/takedown", json={"reason": "security"})
    assert store.check_updates() == []
    assert store.withdrawn(APP_ID)
    with pytest.raises(WithdrawnError) as info:
        store.open(APP_ID)
    assert str(info.value) == (
        f"app {APP_ID} was withdrawn by the server; it can no longer be opened "
        "(its data on this computer is kept)"
    )
    assert store.installed() == [APP_ID] and store.installed_version(APP_ID) == "1.0.0"
    store.close()
    mitm.upstream = "http://127.0.0.1:9"  # the server cannot be reached
    offline = make_store(mitm.url, tmp_path / "client", live.admin.key)
    with pytest.raises(OfflineError):
        offline.check_updates()
    with pytest.raises(WithdrawnError):  # the last verified metadata still says so
        offline.open(APP_ID)
    offline.close()
    # restored: verified targets name it again, and the same cached version opens
    mitm.upstream = live.url
    live.admin.call("POST", base + "/restore", json={"reason": "fixed"})
    again = make_store(mitm.url, tmp_path / "client", live.admin.key)
    assert again.withdrawn(APP_ID)
    assert again.check_updates() == []
    assert not again.withdrawn(APP_ID)
    assert again.open(APP_ID).manifest.version == "1.0.0"
    again.close()


def test_new_identity_never_moves_an_app_back(live: Live, tmp_path: Path) -> None:
    """The device had a gray release (named device); the server forgets it and it registers
    again, outside the gray audience: the full release is older than the installed version
    and is not installed, until the server offers the installed version or newer again."""
    live.admin.publish("1.0.0")
    store = make_store(live.url, tmp_path / "client", live.admin.key)
    device = store.register().device_id
    base = f"/api/v1/apps/{APP_ID}"
    live.admin.upload("1.1.0", app_files("1.1.0", {"app.js": b"App({v: 11})"}))
    live.admin.call("POST", base + "/release", json={"version": "1.1.0",
                                                     "gray": {"devices": [device]}})  # fmt: skip
    assert store.install(APP_ID).manifest.version == "1.1.0"
    db = sqlite3.connect(live.data_dir / "finclip.db")
    db.execute("DELETE FROM devices")
    db.commit()
    db.close()
    (update,) = store.check_updates()
    assert store.register().device_id != device
    assert (update.version, update.staged) == ("1.0.0", False)
    assert "older than the installed 1.1.0" in update.error
    assert store.open(APP_ID).manifest.version == "1.1.0"
    live.admin.call("POST", base + "/promote", json={})  # 1.1.0 for everyone
    assert store.check_updates() == []
    assert store.metadata.state.guard == {}
    # from now on newer metadata naming an older version is an ordinary (operator) rollback
    live.admin.call("POST", base + "/rollback", json={"version": "1.0.0", "reason": "bug"})
    (rollback,) = store.check_updates()
    assert (rollback.version, rollback.staged, rollback.mandatory) == ("1.0.0", True, True)
    store.close()


def test_gc_keeps_resumable_downloads(live: Live, tmp_path: Path) -> None:
    """An interrupted download of a target still listed survives the garbage collection
    after another app's install, and resumes; stale ones go after PART_MAX_AGE_S."""
    import hashlib
    import os
    import time

    from finclip_desktop.store.store import PART_MAX_AGE_S

    _second_app(live)
    _release(live, APP_ID, "1.0.0")
    big = _release(live, OTHER, "1.0.0", **{"data/big.bin": os.urandom(1_000_000)})
    store = make_store(live.url, tmp_path / "client", live.admin.key)
    downloads = tmp_path / "client/cache/downloads"
    part = downloads / f"{hashlib.sha256(big).hexdigest()}.part"
    part.write_bytes(big[: len(big) // 2])  # an install of OTHER cut off half-way
    stale, recent = downloads / f"{'a' * 64}.part", downloads / f"{'b' * 64}.part"
    stale.write_bytes(b"old")
    recent.write_bytes(b"new")
    old = time.time() - PART_MAX_AGE_S - 60
    os.utime(stale, (old, old))
    store.install(APP_ID)  # succeeds and collects garbage
    assert part.stat().st_size == len(big) // 2
    assert recent.exists() and not stale.exists()
    before = store.bytes_received()
    assert store.install(OTHER).manifest.version == "1.0.0"
    assert store.bytes_received() - before < len(big) // 2 + 64 * 1024  # resumed
    assert not part.exists()
    store.close()


def test_login_code_and_its_lifetime(live: Live, tmp_path: Path) -> None:
    live.admin.publish("1.0.0")
    store = make_store(live.url, tmp_path / "client", live.admin.key)
    issued = store.login_code(APP_ID)
    assert set(issued) == {"code", "expires_in"} and issued["expires_in"] == 300
    answer = httpx.post(live.url + "/api/v1/login/session", json={
        "app_id": APP_ID, "app_secret": live.admin.app_secret, "code": issued["code"]},
        timeout=10).json()  # fmt: skip
    assert len(answer["openid"]) == 32
    store.close()


def test_a_batch_the_server_keeps_failing_is_dropped_after_bounded_retries(
    live: Live, mitm: Mitm, tmp_path: Path
) -> None:
    """The server answers 500 to one batch every time: it is retried at most
    MAX_BATCH_ATTEMPTS times (events stay queued meanwhile), then dropped, and the queue
    behind it is delivered."""
    from finclip_desktop.store.stats import MAX_BATCH_ATTEMPTS, BatchRejected

    store = make_store(mitm.url, tmp_path / "client", live.admin.key)
    for i in range(10):
        store.record_event("page_view", APP_ID, name=f"pages/p{i}")
    poisoned: list[str] = []

    def fail_first_batch(method: str, path: str, up: object) -> object:
        batch_id = json.loads(up.request.content)["batch_id"]
        if not poisoned:
            poisoned.append(batch_id)
        if batch_id == poisoned[0]:
            return 500, {"Content-Type": "application/json"}, b'{"error": "internal"}'
        return None

    mitm.rules["/api/v1/stats"] = fail_first_batch
    for _ in range(MAX_BATCH_ATTEMPTS - 1):
        with pytest.raises(BatchRejected) as info:
            store.flush_stats(batch_size=4)
        assert "500" in str(info.value)
        assert store.stats.pending() == 10
    assert store.flush_stats(batch_size=4) == 6
    assert store.stats.pending() == 0
    summary = live.admin.call("GET", "/api/v1/stats/summary", params={"app_id": APP_ID})
    assert summary["apps"][0]["page_view"] == 10  # the server did store the first one too
    store.close()


def test_events_that_are_not_finite_never_enter_or_block_the_queue(
    live: Live, tmp_path: Path
) -> None:
    store = make_store(live.url, tmp_path / "client", live.admin.key)
    for duration in (float("nan"), float("inf"), 1e300, -1):
        with pytest.raises(StoreError, match=r"^bad event: duration_ms must be a number from 0"):
            store.record_event("api_call", APP_ID, name="request", duration_ms=duration)
    with pytest.raises(StoreError, match="^bad event: ts must be"):
        make_event("launch", APP_ID, ts_ms=float("nan"))
    with pytest.raises(StoreError, match="unknown event field 'colour'"):
        store.record_event("launch", APP_ID, colour="red")
    assert store.stats.pending() == 0
    # a NaN queued by an older version cannot even be written as JSON: dropped, not stuck
    store.record_event("launch", APP_ID)
    store.stats.record({"type": "api_call", "app_id": APP_ID, "ts": 1, "duration_ms": float("nan")})
    store.record_event("launch", APP_ID)
    assert store.flush_stats(batch_size=2) == 1  # [launch, NaN] dropped, [launch] sent
    assert store.stats.pending() == 0
    store.close()


def test_a_domain_removed_on_the_server_stops_working_after_a_refresh(
    live: Live, tmp_path: Path
) -> None:
    """A mini-app reaches hosts on both its manifest's lists and the server's signed ones
    (the cached target entry the shell gives the capabilities): a domain removed on the
    server stops working after the device's next refresh, with no new version."""
    from finclip_desktop.capabilities.errors import CapabilityError
    from finclip_desktop.capabilities.network import check_url
    from finclip_desktop.capabilities.registry import CallContext

    both = ["api.example.com", "old.example.com"]
    live.admin.call("PATCH", f"/api/v1/apps/{APP_ID}", json={"domains": {"request": both}})
    live.admin.publish("1.0.0", domains={"request": both})
    store = make_store(live.url, tmp_path / "client", live.admin.key)
    package = store.install(APP_ID)

    def allows(url: str) -> bool:
        domains = store.cache.target(package.manifest_sha256)["domains"]
        ctx = CallContext(APP_ID, tmp_path / "app-data", manifest=package.manifest,
                          settings={"domains": domains})  # fmt: skip
        try:
            check_url(ctx, "request", url)
        except CapabilityError as exc:
            assert str(exc) == "url not in domain list: old.example.com is not allowed for request"
            return False
        return True

    assert allows("https://old.example.com/v1") and allows("https://api.example.com/v1")
    live.admin.call("PATCH", f"/api/v1/apps/{APP_ID}",
                    json={"domains": {"request": ["api.example.com"]}})  # fmt: skip
    assert allows("https://old.example.com/v1")  # until the device hears of it
    assert store.check_updates() == []  # nothing to download: the same version
    assert not allows("https://old.example.com/v1") and allows("https://api.example.com/v1")
    store.close()
    offline = make_store("http://127.0.0.1:9", tmp_path / "client", live.admin.key)
    assert offline.cache.target(package.manifest_sha256)["domains"]["request"] == [
        "api.example.com"
    ]  # the last verified entry holds offline too
    offline.close()


def test_a_version_for_a_newer_runtime_is_refused_before_download_and_once(
    live: Live, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """This client runs runtime 0.9.0 (older than the server's): a version needing 1.0.0
    is refused from its signed manifest, before its files are fetched, reported once,
    not fetched again by later checks, and picked up once the runtime is new enough."""
    import finclip_desktop.store.store as store_module
    from finclip_desktop.store import RuntimeTooOldError

    monkeypatch.setattr(store_module, "RUNTIME_VERSION", "0.9.0")
    live.admin.publish("1.0.0", min_runtime="0.5.0")
    store = make_store(live.url, tmp_path / "client", live.admin.key)
    store.install(APP_ID)
    big = {"data/big.bin": bytes(range(256)) * 8000}  # 2 MB: a whole download if fetched
    live.admin.publish("1.0.1", app_files("1.0.1", big), min_runtime="1.0.0")
    blobs = tmp_path / "client/cache/blobs"
    before_blobs, before = sorted(p.name for p in blobs.iterdir()), store.bytes_received()
    (update,) = store.check_updates()
    reason = ("com.example.demo 1.0.1 needs FinClip runtime >= 1.0.0, this is 0.9.0; "
              "update FinClip Desktop to get this version")  # fmt: skip
    assert (update.version, update.staged, update.error) == ("1.0.1", False, reason)
    assert store.bytes_received() - before < 50_000  # metadata and the manifest only
    assert sorted(p.name for p in blobs.iterdir()) == before_blobs
    assert not any((tmp_path / "client/cache/downloads").iterdir())
    # later checks: not fetched, not reported again; an explicit install says why at once
    before = store.bytes_received()
    assert store.check_updates() == []
    with pytest.raises(RuntimeTooOldError) as info:
        store.install(APP_ID)
    assert str(info.value) == reason
    assert store.bytes_received() - before == 0  # the timestamp answered 304
    assert store.open(APP_ID).manifest.version == "1.0.0"
    # FinClip Desktop updated: the version is fetched and staged
    monkeypatch.setattr(store_module, "RUNTIME_VERSION", "1.0.0")
    (update,) = store.check_updates()
    assert (update.version, update.staged) == ("1.0.1", True)
    assert store.open(APP_ID).read("data/big.bin") == big["data/big.bin"]
    store.close()
