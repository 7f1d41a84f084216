"""Upload -> review -> full and gray release -> promote -> rollback -> take down, end to end
over HTTP, with the signed metadata each device receives checked at every step."""

from __future__ import annotations

import hashlib
import json

from finclip_desktop.package import metadata as md
from finclip_desktop.package.canonical import strict_loads
from finclip_desktop.server.distribution import stable_bucket
from tests.server.conftest import make_package

APP = "com.example.demo"


def device_view(live, device) -> dict[str, str]:
    """{app_id: version} from the device's verified targets; checks the whole chain."""
    root = md.load_trusted_root(device.call("GET", "/api/v1/metadata/root.json").content)
    ts_body = device.call("GET", "/api/v1/metadata/timestamp.json").content
    timestamp = md.verify_document(ts_body, root, "timestamp")
    snap_body = device.call("GET", "/api/v1/metadata/snapshot.json").content
    snapshot = md.verify_document(snap_body, root, "snapshot")
    meta = timestamp["meta"]["snapshot.json"]
    assert meta["version"] == snapshot["version"]
    assert meta["sha256"] == hashlib.sha256(snap_body).hexdigest()
    targets_body = device.call("GET", "/api/v1/metadata/targets.json").content
    targets = md.verify_document(targets_body, root, "targets")
    assert snapshot["meta"]["targets.json"]["sha256"] == hashlib.sha256(targets_body).hexdigest()
    view = {}
    for name, entry in targets["targets"].items():
        assert name == f"{entry['app_id']}/{entry['version']}.fcpkg"
        view[entry["app_id"]] = entry["version"]
    device.versions = getattr(device, "versions", []) + [
        (timestamp["version"], snapshot["version"], targets["version"])
    ]
    return view


def assert_monotonic(device) -> None:
    for earlier, later in zip(device.versions, device.versions[1:], strict=False):
        assert all(b >= a for a, b in zip(earlier, later, strict=True)), device.versions


def test_full_lifecycle_with_gray_release(live_db):
    live = live_db
    live.setup_app(APP)
    devices = [live.device() for _ in range(12)]
    named, named_id = devices[0]
    org_device, _ = live.device(org=live.org)

    version = live.upload("1.0.0").json()
    assert version["state"] == "uploaded" and version["signer"]
    # Not distributed before release.
    assert device_view(live, named) == {}
    live.admin.call("POST", f"/api/v1/apps/{APP}/release", json={"version": "1.0.0"}, expect=409)
    live.approve("1.0.0")
    live.admin.post(f"/api/v1/apps/{APP}/release", json={"version": "1.0.0"})
    for device, _ in devices:
        assert device_view(live, device) == {APP: "1.0.0"}
    catalog = named.get("/api/v1/catalog")
    assert catalog == [
        {
            "app_id": APP,
            "name": "Demo",
            "description": "A demo app",
            "category": "tools",
            "icon_url": f"/api/v1/apps/{APP}/icon",
            "version": "1.0.0",
        }
    ]
    assert named.call("GET", catalog[0]["icon_url"]).content == b"\x89PNG fake icon bytes"

    # Gray release 1.1.0 to 50% of devices, one named device and the org.
    live.upload("1.1.0")
    live.approve("1.1.0")
    app = live.admin.post(
        f"/api/v1/apps/{APP}/release",
        json={
            "version": "1.1.0",
            "reason": "canary",
            "gray": {"percent": 50, "devices": [named_id], "orgs": [live.org]},
        },
    )
    assert app["release"]["version"] == "1.0.0"
    assert app["release"]["gray"]["version"] == "1.1.0"
    for device, device_id in devices:
        expected = (
            "1.1.0" if device_id == named_id or stable_bucket(APP, device_id) < 50 else "1.0.0"
        )
        assert device_view(live, device) == {APP: expected}, device_id
    assert device_view(live, org_device) == {APP: "1.1.0"}
    in_gray = sum(device_view(live, d) == {APP: "1.1.0"} for d, _ in devices)
    assert in_gray >= 1  # the named device at least; the exact split is checked above

    # Promote: everyone gets 1.1.0; 1.0.0 is retired.
    live.admin.post(f"/api/v1/apps/{APP}/promote", json={"reason": "canary healthy"})
    for device, _ in devices:
        assert device_view(live, device) == {APP: "1.1.0"}
    states = {v["version"]: v["state"] for v in live.admin.get(f"/api/v1/apps/{APP}")["versions"]}
    assert states == {"1.1.0": "released", "1.0.0": "retired"}

    # Rollback needs a reason and an older version; the rollback is mandatory for clients.
    live.admin.call(
        "POST", f"/api/v1/apps/{APP}/rollback", json={"version": "1.0.0", "reason": ""}, expect=400
    )
    live.admin.post(f"/api/v1/apps/{APP}/rollback", json={"version": "1.0.0", "reason": "crash"})
    assert device_view(live, named) == {APP: "1.0.0"}
    targets = strict_loads(named.call("GET", "/api/v1/metadata/targets.json").content)
    assert targets["signed"]["targets"][f"{APP}/1.0.0.fcpkg"]["mandatory"] is True

    # Take down removes the app everywhere; restore brings it back.
    live.admin.call("POST", f"/api/v1/apps/{APP}/takedown", json={"reason": ""}, expect=400)
    live.admin.post(f"/api/v1/apps/{APP}/takedown", json={"reason": "legal"})
    assert device_view(live, named) == {}
    assert named.get("/api/v1/catalog") == []
    live.admin.post(f"/api/v1/apps/{APP}/restore", json={"reason": "cleared"})
    assert device_view(live, named) == {APP: "1.0.0"}
    for device, _ in devices[:3]:
        assert_monotonic(device)
    assert_monotonic(named)

    # Every transition is in the audit log with who and why.
    log = live.admin.get("/api/v1/audit", params={"app_id": APP})
    actions = [(e["action"], e["version"], e["reason"]) for e in reversed(log)]
    assert actions == [
        ("app.create", None, ""),
        ("version.upload", "1.0.0", "v1.0.0"),
        ("version.submit", "1.0.0", ""),
        ("version.approve", "1.0.0", ""),
        ("version.release", "1.0.0", ""),
        ("version.upload", "1.1.0", "v1.1.0"),
        ("version.submit", "1.1.0", ""),
        ("version.approve", "1.1.0", ""),
        ("version.gray", "1.1.0", "canary"),
        ("version.promote", "1.1.0", "canary healthy"),
        ("version.rollback", "1.0.0", "crash"),
        ("app.takedown", None, "legal"),
        ("app.restore", None, "cleared"),
    ]
    assert all(e["actor"] == "admin" and e["at"].endswith("Z") for e in log)
    gray = next(e for e in log if e["action"] == "version.gray")
    assert gray["detail"] == {
        "percent": 50,
        "devices": [named_id],
        "orgs": [live.org],
        "channels": [],
        "mandatory": False,
    }


def test_reject_needs_reason_and_is_final(live_db):
    live = live_db
    live.setup_app(APP)
    live.upload("1.0.0")
    live.admin.post(f"/api/v1/apps/{APP}/versions/1.0.0/submit", json={})
    path = f"/api/v1/apps/{APP}/versions/1.0.0/reject"
    assert live.admin.call("POST", path, json={"reason": " "}, expect=400).json() == {
        "error": "reject needs a reason"
    }
    assert live.admin.post(path, json={"reason": "uses a private API"})["state"] == "rejected"
    err = live.admin.call(
        "POST", f"/api/v1/apps/{APP}/versions/1.0.0/approve", json={}, expect=409
    ).json()["error"]
    assert "rejected" in err
    last = live.admin.get("/api/v1/audit", params={"app_id": APP, "limit": 1})[0]
    assert (last["action"], last["reason"]) == ("version.reject", "uses a private API")


def test_release_rules(live):
    live.setup_app(APP)
    live.publish("2.0.0")
    live.upload("1.5.0")
    live.approve("1.5.0")
    # An older version cannot be "released": that is a rollback, with a reason.
    err = live.admin.call(
        "POST", f"/api/v1/apps/{APP}/release", json={"version": "1.5.0"}, expect=409
    ).json()["error"]
    assert "rollback" in err
    # A gray release needs an audience and a newer version.
    live.upload("2.1.0")
    live.approve("2.1.0")
    live.admin.call(
        "POST",
        f"/api/v1/apps/{APP}/release",
        json={"version": "2.1.0", "gray": {"percent": 0}},
        expect=400,
    )
    live.admin.call(
        "POST",
        f"/api/v1/apps/{APP}/release",
        json={"version": "1.5.0", "gray": {"percent": 10}},
        expect=409,
    )
    live.admin.call("POST", f"/api/v1/apps/{APP}/promote", json={}, expect=409)
    # A gray audience naming devices or orgs the server does not know is refused.
    _, known = live.device()
    err = live.admin.call(
        "POST",
        f"/api/v1/apps/{APP}/release",
        json={"version": "2.1.0", "gray": {"devices": [known, "nope", "gone"],
                                           "orgs": [live.org, "ghost"]}},
        expect=400,
    ).json()["error"]  # fmt: skip
    assert err == "gray release: unknown device ids: gone, nope; unknown orgs: ghost"
    assert live.admin.get(f"/api/v1/apps/{APP}")["release"]["gray"] is None
    # Cancelling a gray release returns its version to approved.
    live.admin.post(
        f"/api/v1/apps/{APP}/release", json={"version": "2.1.0", "gray": {"percent": 100}}
    )
    device, _ = live.device()
    assert device_view(live, device) == {APP: "2.1.0"}
    live.admin.post(f"/api/v1/apps/{APP}/gray/cancel", json={"reason": "abort"})
    assert device_view(live, device) == {APP: "2.0.0"}
    assert_monotonic(device)
    versions = live.admin.get(f"/api/v1/apps/{APP}")["versions"]
    assert [(v["version"], v["state"]) for v in versions] == [
        ("2.1.0", "approved"),
        ("2.0.0", "released"),
        ("1.5.0", "approved"),
    ]
    assert json.loads(json.dumps(versions))[0]["changelog"] == "v2.1.0"


def test_gray_release_to_update_channel(live_db):
    """A gray release to channel ``beta`` reaches the devices that say (X-Finclip-Channel)
    they follow beta; a device that leaves beta gets the full release again, in metadata
    whose versions still go up, and no other device's metadata changes."""
    live = live_db
    live.setup_app(APP)
    live.publish("1.0.0")
    live.upload("1.1.0")
    live.approve("1.1.0")
    (beta, beta_id), (stable, _), (silent, _) = live.device(), live.device(), live.device()
    beta.http.headers["X-Finclip-Channel"] = "beta"
    stable.http.headers["X-Finclip-Channel"] = "stable"
    app = live.admin.post(
        f"/api/v1/apps/{APP}/release",
        json={"version": "1.1.0", "reason": "beta", "gray": {"channels": ["beta"]}},
    )
    assert app["release"]["gray"]["channels"] == ["beta"]
    assert app["release"]["gray"]["percent"] == 0
    assert device_view(live, beta) == {APP: "1.1.0"}
    assert [e["version"] for e in beta.get("/api/v1/catalog")] == ["1.1.0"]
    assert device_view(live, stable) == {APP: "1.0.0"}
    assert device_view(live, silent) == {APP: "1.0.0"}  # no header: "stable"
    channels = {d["device_id"]: d["channel"] for d in live.admin.get("/api/v1/devices")}
    assert channels[beta_id] == "beta" and set(channels.values()) == {"beta", "stable"}

    # The beta device may download the gray build; the others may not.
    gray_sha = hashlib.sha256(make_package(live.key, APP, "1.1.0")).hexdigest()
    beta.call("GET", f"/api/v1/packages/{gray_sha}.fcpkg")
    stable.call("GET", f"/api/v1/packages/{gray_sha}.fcpkg", expect=404)

    # Leaving beta: the full release again, under higher versions of every document.
    stable_ts = stable.call("GET", "/api/v1/metadata/timestamp.json").content
    beta.http.headers["X-Finclip-Channel"] = "stable"
    assert device_view(live, beta) == {APP: "1.0.0"}
    beta.http.headers["X-Finclip-Channel"] = "beta"
    assert device_view(live, beta) == {APP: "1.1.0"}
    assert_monotonic(beta)
    assert all(b > a for a, b in zip(beta.versions[0], beta.versions[1], strict=True))
    assert stable.call("GET", "/api/v1/metadata/timestamp.json").content == stable_ts

    # The same rule as the policy key update_channel; a bad name is a clear 400.
    beta.http.headers["X-Finclip-Channel"] = "Beta!"
    err = beta.call("GET", "/api/v1/metadata/timestamp.json", expect=400).json()["error"]
    assert err == (
        "X-Finclip-Channel: 'Beta!' is not a channel name (lowercase letters, digits and '-', "
        "at most 32, like 'stable' or 'beta')"
    )
    err = live.admin.call(
        "POST",
        f"/api/v1/apps/{APP}/release",
        json={"version": "1.1.0", "gray": {"channels": ["x" * 33]}},
        expect=400,
    ).json()["error"]
    assert err.startswith("gray channel: 'xxx")
    err = live.admin.call(
        "POST",
        f"/api/v1/apps/{APP}/release",
        json={"version": "1.1.0", "gray": {"channels": ["beta\n"]}},
        expect=400,
    ).json()["error"]
    assert err.startswith("gray channel: 'beta\\n' is not a channel name")

    # Audited like the other gray fields; promote ends the channel audience.
    gray = live.admin.get("/api/v1/audit", params={"app_id": APP, "limit": 1})[0]
    assert (gray["action"], gray["detail"]["channels"]) == ("version.gray", ["beta"])
    app = live.admin.post(f"/api/v1/apps/{APP}/promote", json={"reason": "beta healthy"})
    assert app["release"] == {"version": "1.1.0", "mandatory": False, "gray": None}
    assert device_view(live, stable) == {APP: "1.1.0"}
