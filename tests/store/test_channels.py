"""Update channels end to end: the store tells the real server its ``update_channel``, and
a gray release to channel ``beta`` reaches beta devices only; managed policy wins over the
user's choice; a device that leaves beta goes back to the full release."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from finclip_desktop.package import public_key_text
from finclip_desktop.settings import Settings, SettingsStore
from finclip_desktop.store import Store
from tests.store.conftest import APP_ID, FAST_RETRY, Live, Mitm, app_files, make_package

BETA_JS = b"App({beta: true})"


def gray_to_beta(live: Live) -> None:
    """1.0.0 released to everyone, 1.1.0 as a gray release to channel beta."""
    live.admin.publish("1.0.0")
    base = f"/api/v1/apps/{APP_ID}"
    pkg = make_package(live.admin.key, "1.1.0", app_files("1.1.0", {"app.js": BETA_JS}))
    live.admin.call("POST", base + "/versions", content=pkg)
    live.admin.call("POST", base + "/versions/1.1.0/submit", json={})
    live.admin.call("POST", base + "/versions/1.1.0/approve", json={})
    live.admin.call("POST", base + "/release", json={
        "version": "1.1.0", "gray": {"channels": ["beta"]}})  # fmt: skip


def store_for(live: Live, url: str, directory: Path, channel: str) -> Store:
    settings = Settings(server_url=url, trusted_keys=(public_key_text(live.admin.key),),
                        update_channel=channel)  # fmt: skip
    return Store(settings, directory=directory, retry=FAST_RETRY, timeout=10.0)


def test_beta_channel_gets_the_gray_release(live: Live, tmp_path: Path) -> None:
    """Two devices (the second reaches the server through a proxy URL, so it registers as
    another device): beta installs the gray 1.1.0, stable the released 1.0.0; then the
    beta device switches to stable and is given 1.0.0 again, in newer signed metadata."""
    proxy = Mitm(live.url)
    try:
        gray_to_beta(live)
        beta = store_for(live, live.url, tmp_path / "a", "beta")
        stable = store_for(live, proxy.url, tmp_path / "b", "stable")
        assert beta.install(APP_ID).read("app.js") == BETA_JS
        assert [e.version for e in beta.catalog()] == ["1.1.0"]
        assert stable.install(APP_ID).manifest.version == "1.0.0"
        assert stable.check_updates() == []
        assert [e.version for e in stable.catalog()] == ["1.0.0"]
        seen = beta.metadata.signed("targets")["version"]
        beta.close()
        stable.close()

        # Leaving beta: the full release is staged like after a cancelled gray release.
        left = store_for(live, live.url, tmp_path / "a", "stable")
        assert [(u.version, u.mandatory) for u in left.check_updates()] == [("1.0.0", False)]
        assert left.open(APP_ID).manifest.version == "1.0.0"
        assert left.metadata.signed("targets")["version"] > seen
        left.close()
    finally:
        proxy.close()


def test_policy_channel_wins_over_the_user_setting(
    live: Live, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    gray_to_beta(live)
    monkeypatch.delenv("FINCLIP_POLICY_FILE", raising=False)
    user = SettingsStore(tmp_path / "settings.json")
    user.update(server_url=live.url, trusted_keys=[public_key_text(live.admin.key)],
                update_channel="stable")  # fmt: skip
    store = Store(user.effective, directory=tmp_path / "client", retry=FAST_RETRY)
    assert store.install(APP_ID).manifest.version == "1.0.0"
    store.close()

    policy = tmp_path / "policy.json"
    policy.write_text(json.dumps({"update_channel": "beta"}))
    monkeypatch.setenv("FINCLIP_POLICY_FILE", str(policy))
    settings = SettingsStore(tmp_path / "settings.json").effective
    assert settings.update_channel == "beta" and settings.is_managed("update_channel")
    store = Store(settings, directory=tmp_path / "client", retry=FAST_RETRY)
    assert [u.version for u in store.check_updates()] == ["1.1.0"]
    assert store.open(APP_ID).read("app.js") == BETA_JS
    store.close()


def test_registering_again_after_channel_changes(live: Live, tmp_path: Path) -> None:
    """A device whose channel changed has versions above the epoch; the server forgets it.
    Registering again, the client says which versions it trusts, so the new identity's
    documents start above them (a fresh device's would be older: refused as a rollback)."""
    import sqlite3

    gray_to_beta(live)
    store = store_for(live, live.url, tmp_path / "a", "beta")
    store.install(APP_ID)
    store.close()
    store = store_for(live, live.url, tmp_path / "a", "stable")  # a channel change
    assert [u.version for u in store.check_updates()] == ["1.0.0"]
    seen = {r: store.metadata.signed(r)["version"] for r in ("timestamp", "snapshot", "targets")}
    db = sqlite3.connect(live.data_dir / "finclip.db")
    db.execute("DELETE FROM devices")
    db.commit()
    db.close()
    assert store.check_updates() == []
    for role, version in seen.items():
        assert store.metadata.signed(role)["version"] > version, role
    store.close()
