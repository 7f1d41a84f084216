"""Install, open, update (delta), offline, rollback, GC against the real server."""

from __future__ import annotations

from pathlib import Path

import pytest

from finclip_desktop.store import NotInstalledError, OfflineError, Store
from tests.store.conftest import APP_ID, Live, app_files, make_store


def test_install_open_and_progress(live: Live, tmp_path: Path) -> None:
    live.admin.publish("1.0.0")
    store = make_store(live.url, tmp_path / "client", live.admin.key)
    catalog = store.catalog()
    assert [(e.app_id, e.version, e.installed_version) for e in catalog] == [
        (APP_ID, "1.0.0", None)
    ]
    seen: list[tuple[int, int]] = []
    package = store.install(APP_ID, progress=lambda done, total: seen.append((done, total)))
    assert package.manifest.version == "1.0.0"
    assert package.read("app.js") == b"App({})"
    assert seen and seen[-1][0] == seen[-1][1]
    assert store.open(APP_ID).manifest_sha256 == package.manifest_sha256
    assert store.catalog()[0].installed_version == "1.0.0"
    store.close()


def test_one_file_change_downloads_only_that_file(live: Live, tmp_path: Path) -> None:
    big = {f"data/blob{i}.bin": bytes([i]) * 50_000 for i in range(10)}
    live.admin.publish("1.0.0", app_files("1.0.0", big))
    store = make_store(live.url, tmp_path / "client", live.admin.key)
    store.install(APP_ID)
    live.admin.publish("1.0.1", app_files("1.0.1", {**big, "app.js": b"App({v: 2})"}))
    before = store.bytes_received()
    updates = store.check_updates()
    assert [(u.app_id, u.installed_version, u.version) for u in updates] == [
        (APP_ID, "1.0.0", "1.0.1")
    ]
    delta = store.bytes_received() - before
    assert delta < 0.1 * 500_000, delta
    # the staged update applies on the next launch
    assert store.installed_version(APP_ID) == "1.0.0"
    assert store.open(APP_ID).read("app.js") == b"App({v: 2})"
    assert store.installed_version(APP_ID) == "1.0.1"
    # unchanged app: a 304 for the timestamp and an empty 404 for the next root, no body
    before = store.bytes_received()
    assert store.check_updates() == []
    assert store.bytes_received() - before == 0
    # previous version kept for instant rollback
    assert store.rollback(APP_ID).manifest.version == "1.0.0"
    store.close()


def test_offline_launch_and_gc(live: Live, tmp_path: Path) -> None:
    live.admin.publish("1.0.0")
    store = make_store(live.url, tmp_path / "client", live.admin.key)
    store.install(APP_ID)
    for version in ("1.0.1", "1.0.2"):
        live.admin.publish(version, app_files(version, {"app.js": version.encode()}))
        store.install(APP_ID)
    blobs = {p.name for p in (tmp_path / "client/cache/blobs").iterdir()}
    # 1.0.0's app.js is no longer referenced (current 1.0.2, previous 1.0.1)
    assert len(blobs) == len(app_files()) + 1
    store.close()
    offline = make_store("http://127.0.0.1:9", tmp_path / "client", live.admin.key)
    with pytest.raises(OfflineError):
        offline.install(APP_ID)
    assert offline.open(APP_ID).read("app.js") == b"1.0.2"
    assert [e.installed_version for e in offline.catalog()] == ["1.0.2"]
    assert offline.online is False
    with pytest.raises(NotInstalledError):
        offline.open("com.example.other")
    offline.close()


def test_store_without_server_opens_cache(live: Live, tmp_path: Path) -> None:
    live.admin.publish("1.0.0")
    make_store(live.url, tmp_path / "client", live.admin.key).install(APP_ID)
    from finclip_desktop.package import public_key_text
    from finclip_desktop.settings import Settings

    settings = Settings(trusted_keys=(public_key_text(live.admin.key),))
    store = Store(settings, directory=tmp_path / "client")
    assert store.open(APP_ID).manifest.app_id == APP_ID


def test_measure_update_traffic() -> None:
    from finclip_desktop.store.measure import measure_update_traffic

    result = measure_update_traffic(file_count=8, file_size=20_000)
    assert result["unchanged_bytes"] == 0  # a 304 for the timestamp, an empty 404 for root
    assert result["one_file_change_fraction"] < 0.1


def test_example_app_end_to_end(live: Live, tmp_path: Path) -> None:
    """The shipped example: published, installed, then a one-file change fetches that
    file only (one new blob) and the stats of its launch reach the server."""
    from finclip_desktop.package import app_settings, build_archive, collect_files

    root = Path(__file__).resolve().parents[2] / "resources/examples/hello"
    files, settings = collect_files(root), app_settings(root)
    app_id = settings["app_id"]
    live.admin.call("POST", "/api/v1/apps", json={"app_id": app_id, "name": "Hello",
                                                  "org": live.admin.org})  # fmt: skip

    def publish(version: str, files: dict[str, bytes]) -> None:
        data = build_archive(files, {**settings, "version": version}, live.admin.key)[1]
        base = f"/api/v1/apps/{app_id}"
        live.admin.call("POST", base + "/versions", content=data)
        live.admin.call("POST", base + "/versions/" + version + "/submit", json={})
        live.admin.call("POST", base + "/versions/" + version + "/approve", json={})
        live.admin.call("POST", base + "/release", json={"version": version})

    publish("1.0.0", files)
    store = make_store(live.url, tmp_path / "client", live.admin.key)
    assert store.install(app_id).paths() == sorted(files)
    blobs = tmp_path / "client/cache/blobs"
    before = {p.name for p in blobs.iterdir()}
    publish("1.0.1", {**files, "app.wxss": files["app.wxss"] + b"\n.new { color: red; }\n"})
    assert [u.version for u in store.check_updates()] == ["1.0.1"]
    assert len({p.name for p in blobs.iterdir()} - before) == 1
    assert store.open(app_id).manifest.version == "1.0.1"
    store.record_event("launch", app_id)
    store.record_event("api_call", app_id, name="getSystemInfo", result="ok", duration_ms=3)
    assert store.flush_stats() == 2
    store.close()
