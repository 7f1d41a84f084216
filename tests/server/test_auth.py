"""Who may do what: tokens, roles, org boundaries, device credentials, enrollment."""

from __future__ import annotations

from tests.server.conftest import Api, make_package

APP = "com.example.demo"


def test_tokens_are_required_and_stored_hashed(live):
    anon = Api(live.url)
    assert anon.call("GET", "/api/v1/apps", expect=401).json() == {
        "error": "missing 'Authorization: Bearer ...' header"
    }
    assert live.api("fct_nope").call("GET", "/api/v1/apps", expect=401).json() == {
        "error": "invalid API token"
    }
    assert live.admin.get("/api/v1/me") == {"name": "admin", "role": "admin", "org": None}
    from sqlalchemy import select

    from finclip_desktop.server.models import ApiToken

    with live.server.session() as session:
        stored = list(session.scalars(select(ApiToken.token_hash)))
    assert live.token not in stored and len(stored[0]) == 64


def test_roles_separate_duties(live):
    live.setup_app(APP)
    dev = live.user("dev", "developer", live.org)
    reviewer = live.user("rev", "reviewer")
    operator = live.user("ops", "operator")
    pkg = make_package(live.key, APP, "1.0.0")
    upload = f"/api/v1/apps/{APP}/versions"
    # Only admins create users and orgs.
    dev.call("POST", "/api/v1/users", json={"name": "x", "role": "admin"}, expect=403)
    operator.call("POST", "/api/v1/orgs", json={"id": "evil"}, expect=403)
    # Reviewers and operators cannot upload; developers can.
    reviewer.call("POST", upload, content=pkg, expect=403)
    operator.call("POST", upload, content=pkg, expect=403)
    assert dev.post(upload, content=pkg)["uploaded_by"] == "dev"
    dev.post(f"/api/v1/apps/{APP}/versions/1.0.0/submit", json={})
    # Developers cannot approve their own work; operators cannot approve either.
    err = dev.call("POST", f"/api/v1/apps/{APP}/versions/1.0.0/approve", json={}, expect=403)
    assert err.json() == {"error": "role 'developer' may not review"}
    operator.call("POST", f"/api/v1/apps/{APP}/versions/1.0.0/approve", json={}, expect=403)
    reviewer.post(f"/api/v1/apps/{APP}/versions/1.0.0/approve", json={"reason": "ok"})
    # Only operators (and admins) release.
    dev.call("POST", f"/api/v1/apps/{APP}/release", json={"version": "1.0.0"}, expect=403)
    reviewer.call("POST", f"/api/v1/apps/{APP}/release", json={"version": "1.0.0"}, expect=403)
    operator.post(f"/api/v1/apps/{APP}/release", json={"version": "1.0.0"})
    actors = [
        (e["action"], e["actor"]) for e in live.admin.get("/api/v1/audit", params={"app_id": APP})
    ]
    assert ("version.release", "ops") in actors and ("version.approve", "rev") in actors
    # Everyone may read.
    assert [a["app_id"] for a in reviewer.get("/api/v1/apps")] == [APP]


def test_org_boundaries(live):
    live.admin.post("/api/v1/orgs", json={"id": "other"})
    live.setup_app(APP)
    outsider = live.user("mallory", "developer", "other")
    outsider.call(
        "POST",
        f"/api/v1/apps/{APP}/versions",
        content=make_package(live.key, APP, "1.0.0"),
        expect=403,
    )
    outsider.call("POST", "/api/v1/orgs/acme/keys", json={"public_key": "x"}, expect=403)
    outsider.call("POST", "/api/v1/apps", json={"app_id": "com.x", "org": "acme"}, expect=403)
    assert outsider.get("/api/v1/apps") == []
    outsider.call("GET", f"/api/v1/apps/{APP}", expect=403)


def test_names_with_a_trailing_newline_are_refused(live):
    """Org ids and user names are checked whole: a "$" anchor would pass "acme2\\n"."""
    err = live.admin.call("POST", "/api/v1/orgs", json={"id": "acme2\n"}, expect=400).json()
    assert err == {"error": "org id 'acme2\\n' must be lowercase letters, digits and '-'"}
    body = {"name": "bob\n", "role": "developer"}
    err = live.admin.call("POST", "/api/v1/users", json=body, expect=400).json()
    assert err == {"error": "user name 'bob\\n' must be letters, digits and . _ @ -"}
    assert [o["id"] for o in live.admin.get("/api/v1/orgs")] == [live.org]


def test_device_credentials_and_enrollment(live):
    anon = Api(live.url)
    anon.call("GET", "/api/v1/metadata/timestamp.json", expect=401)
    Api(live.url, "Device nope:nope").call("GET", "/api/v1/catalog", expect=401)
    device, device_id = live.device()
    Api(live.url, f"Device {device_id}:wrong").call("GET", "/api/v1/catalog", expect=401)
    assert device.get("/api/v1/catalog") == []
    # Root metadata is public (clients bootstrap trust from policy and walk rotations).
    assert anon.get("/api/v1/metadata/root.json")["signed"]["_type"] == "root"
    # Joining an org needs its enrollment token.
    body = {"name": "pc", "platform": "linux", "org": live.org}
    anon.call(
        "POST", "/api/v1/devices/register", json={**body, "enrollment_token": "x"}, expect=403
    )
    anon.call("POST", "/api/v1/devices/register", json=body, expect=403)
    anon.post("/api/v1/devices/register", json={**body, "enrollment_token": live.enrollment})
    listed = live.admin.get("/api/v1/devices")
    assert sorted(d["org"] or "" for d in listed) == ["", live.org]
    assert anon.call("POST", "/api/v1/devices/register", json={"name": "x"}, expect=422).json() == {
        "error": "platform: Field required"
    }


def test_tokens_can_be_issued_and_revoked(live):
    dev = live.user("dev", "developer", live.org)
    second = live.api(dev.post("/api/v1/me/tokens")["token"])
    assert second.get("/api/v1/me")["name"] == "dev"
    # Revoking one token leaves the other working.
    assert second.post("/api/v1/me/revoke") == {"revoked": 1}
    second.call("GET", "/api/v1/me", expect=401)
    assert dev.get("/api/v1/me")["name"] == "dev"
    # An admin revokes all of a user's tokens, with a reason in the audit log.
    dev.call("POST", "/api/v1/users/dev/revoke", json={"reason": "x"}, expect=403)
    assert live.admin.post("/api/v1/users/dev/revoke", json={"reason": "left"}) == {"revoked": 1}
    dev.call("GET", "/api/v1/me", expect=401)
    live.admin.call("POST", "/api/v1/users/nobody/revoke", json={}, expect=404)
    last = live.admin.get("/api/v1/audit", params={"limit": 1})[0]
    assert (last["action"], last["reason"], last["detail"]) == (
        "token.revoke_all",
        "left",
        {"user": "dev"},
    )
