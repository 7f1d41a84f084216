"""Signed metadata: expiry, versions that never decrease, root rotation."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import pytest

from finclip_desktop.package import metadata as md
from finclip_desktop.package.canonical import strict_loads
from finclip_desktop.server.config import Settings
from tests.server.conftest import Api, make_live

APP = "com.example.demo"


def parse_time(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def fetch(device: Api, role: str) -> dict:
    return strict_loads(device.call("GET", f"/api/v1/metadata/{role}.json").content)


@pytest.fixture
def quick(tmp_path):
    """A server whose timestamp lives 2 seconds."""
    yield from make_live(Settings(data_dir=tmp_path / "s", timestamp_lifetime=2))


def test_timestamp_is_short_lived_and_renewed(quick):
    device, _ = quick.device()
    first = fetch(device, "timestamp")["signed"]
    expires = parse_time(first["expires"])
    assert timedelta(0) < expires - datetime.now(UTC) <= timedelta(seconds=3)
    signed_at = expires - timedelta(seconds=2)  # to the second, rounded down
    # Within half its lifetime the same document is served (byte-identical).
    second = fetch(device, "timestamp")["signed"]
    if datetime.now(UTC) < signed_at + timedelta(seconds=1):
        assert second == first
    wait = (signed_at + timedelta(seconds=2.1) - datetime.now(UTC)).total_seconds()
    time.sleep(max(wait, 0))
    renewed = fetch(device, "timestamp")["signed"]
    assert renewed["version"] > first["version"]
    assert parse_time(renewed["expires"]) > expires
    # Targets did not change: snapshot and targets keep their versions.
    assert renewed["meta"] == first["meta"]


def test_default_expiries(live):
    device, _ = live.device()
    now = datetime.now(UTC)
    ts = parse_time(fetch(device, "timestamp")["signed"]["expires"])
    assert timedelta(hours=23) < ts - now <= timedelta(days=1)
    targets = parse_time(fetch(device, "targets")["signed"]["expires"])
    assert targets - now > timedelta(days=30)
    root = parse_time(fetch(device, "root")["signed"]["expires"])
    assert root - now > timedelta(days=300)


def test_versions_only_grow_and_documents_are_stable(live):
    live.setup_app(APP)
    device, _ = live.device()
    seen = []
    for version in ("1.0.0", "1.1.0", "1.2.0"):
        a = device.call("GET", "/api/v1/metadata/targets.json").content
        b = device.call("GET", "/api/v1/metadata/targets.json").content
        assert a == b  # deterministic between requests: timestamp/snapshot hashes hold
        signed = strict_loads(a)["signed"]
        seen.append(
            (
                signed["version"],
                fetch(device, "snapshot")["signed"]["version"],
                fetch(device, "timestamp")["signed"]["version"],
            )
        )
        live.publish(version)
    final = fetch(device, "targets")["signed"]
    assert list(final["targets"]) == [f"{APP}/1.2.0.fcpkg"]
    seen.append((final["version"], 0, 0))
    assert [s[0] for s in seen] == sorted({s[0] for s in seen})  # strictly increasing


def test_root_rotation(live):
    from finclip_desktop.server.distribution import Distribution

    device, _ = live.device()
    anon = Api(live.url)
    v1 = anon.get("/api/v1/metadata/root.json")
    assert v1["signed"]["version"] == 1
    old_targets = fetch(device, "targets")
    dist: Distribution = live.server.dist
    with live.server.session() as session:
        assert dist.rotate_root(session, new_root_keys=2, threshold=2, rotate_online=True) == 2
    v2 = anon.get("/api/v1/metadata/root.json")
    assert anon.get("/api/v1/metadata/1.root.json") == v1
    assert anon.get("/api/v1/metadata/2.root.json") == v2
    anon.call("GET", "/api/v1/metadata/3.root.json", expect=404)
    body2 = anon.call("GET", "/api/v1/metadata/2.root.json").content
    # Rotation: root 2 is signed by the old root's threshold AND its own threshold.
    assert md.verify_root_update(v1["signed"], body2) == v2["signed"]
    assert v2["signed"]["roles"]["root"]["threshold"] == 2
    assert set(v2["signed"]["roles"]["root"]["keyids"]).isdisjoint(
        v1["signed"]["roles"]["root"]["keyids"]
    )
    # The online key changed: new targets verify under root 2 only, with a higher version.
    new_body = device.call("GET", "/api/v1/metadata/targets.json").content
    md.verify_document(new_body, v2["signed"], "targets")
    with pytest.raises(md.ThresholdError):
        md.verify_document(new_body, v1["signed"], "targets")
    assert strict_loads(new_body)["signed"]["version"] > old_targets["signed"]["version"]
    # Old root keys were moved out of the live key folder.
    key_dir = live.server.settings.key_dir
    assert len(list((key_dir / "root").glob("*.pem"))) == 2
    assert len(list((key_dir / "retired").glob("*.pem"))) == 2  # old root key + old online key
    # A root signed only by the new keys would not verify under root 1.
    unsigned = md.sign(v2["signed"], [])
    with pytest.raises(md.ThresholdError):
        md.verify_root_update(v1["signed"], unsigned)


def test_root_is_renewed_before_it_expires(tmp_path):
    from finclip_desktop.server import embedded

    settings = Settings(data_dir=tmp_path / "s", root_lifetime=40 * 24 * 3600)
    first = embedded.start(settings)
    v1 = Api(first.url).get("/api/v1/metadata/root.json")["signed"]
    first.stop()
    assert v1["version"] == 1
    # Restarted with a policy of year-long roots, the 40-day root is due: it is re-signed.
    again = embedded.start(Settings(data_dir=tmp_path / "s", root_lifetime=365 * 24 * 3600))
    try:
        body = Api(again.url).call("GET", "/api/v1/metadata/2.root.json").content
        v2 = md.verify_root_update(v1, body)
        assert v2["roles"] == v1["roles"] and v2["keys"] == v1["keys"]
        assert parse_time(v2["expires"]) - datetime.now(UTC) > timedelta(days=300)
        assert again.admin_token is None
    finally:
        again.stop()


def test_unchanged_timestamp_is_an_empty_304(live):
    """An update check of a client holding the current timestamp costs no body bytes: the
    timestamp answers If-None-Match on its ETag (quoted sha256), the next-root probe is an
    empty 404."""
    import hashlib

    device, _ = live.device()
    first = device.call("GET", "/api/v1/metadata/timestamp.json")
    etag = first.headers["ETag"]
    assert etag == f'"{hashlib.sha256(first.content).hexdigest()}"'
    again = device.call(
        "GET", "/api/v1/metadata/timestamp.json", expect=304, headers={"If-None-Match": etag}
    )
    assert again.content == b"" and again.headers["ETag"] == etag
    other = device.call(
        "GET", "/api/v1/metadata/timestamp.json", headers={"If-None-Match": '"0", "1"'}
    )
    assert other.content == first.content
    probe = Api(live.url).call("GET", "/api/v1/metadata/2.root.json", expect=404)
    assert probe.content == b""


def test_target_domains_follow_the_apps_server_lists(live_db):
    """A target names the version's domains limited to the app's current lists; editing
    those lists reaches devices as newer metadata (the epoch moves, never back)."""
    live = live_db
    both = ["api.example.com", "old.example.com"]
    live.setup_app(APP, domains={"request": both})
    live.publish("1.0.0", domains={"request": both})
    device, _ = live.device()

    def served() -> tuple[dict, tuple[int, int, int]]:
        targets = fetch(device, "targets")["signed"]
        versions = (targets["version"], fetch(device, "snapshot")["signed"]["version"],
                    fetch(device, "timestamp")["signed"]["version"])  # fmt: skip
        return targets["targets"][f"{APP}/1.0.0.fcpkg"]["domains"], versions

    domains, before = served()
    assert domains["request"] == both
    patch = {"domains": {"request": ["api.example.com", "new.example.com"]}}
    live.admin.call("PATCH", f"/api/v1/apps/{APP}", json=patch)
    domains, after = served()
    # removed on the server: gone; added on the server but not in the manifest: not added
    assert domains == {"request": ["api.example.com"], "socket": [], "uploadFile": [],
                       "downloadFile": []}  # fmt: skip
    assert all(b > a for a, b in zip(before, after, strict=True))
    live.admin.call("PATCH", f"/api/v1/apps/{APP}", json=patch)  # no change: no new version
    assert served() == (domains, after)
    live.admin.call("PATCH", f"/api/v1/apps/{APP}", json={"domains": {"request": both}})
    domains, restored = served()
    assert domains["request"] == both and restored > after
