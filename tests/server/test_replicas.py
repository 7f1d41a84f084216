"""Two server processes' worth of state on one database and key/blob store agree."""

from __future__ import annotations

import hashlib

from finclip_desktop.server import embedded
from tests.server.conftest import Api

APP = "com.example.demo"
ROLES = ("timestamp", "snapshot", "targets")


def test_replicas_serve_identical_metadata(live_db):
    live = live_db
    other = embedded.start(live.server.settings)
    try:
        assert other.admin_token is None  # not a first start
        live.setup_app(APP)
        live.publish("1.0.0")
        device_a, device_id = live.device()
        device_b = Api(other.url, device_a.http.headers["Authorization"])
        for role in ROLES:
            path = f"/api/v1/metadata/{role}.json"
            assert device_a.call("GET", path).content == device_b.call("GET", path).content
        # A release made through B is what A serves next.
        live.upload("1.1.0")
        live.approve("1.1.0")
        admin_b = Api(other.url, f"Bearer {live.token}")
        admin_b.post(
            f"/api/v1/apps/{APP}/release",
            json={"version": "1.1.0", "gray": {"devices": [device_id]}},
        )
        for role in ROLES:
            path = f"/api/v1/metadata/{role}.json"
            assert device_a.call("GET", path).content == device_b.call("GET", path).content
        assert device_a.get("/api/v1/catalog")[0]["version"] == "1.1.0"
        sha = next(
            iter(device_b.get("/api/v1/metadata/targets.json")["signed"]["targets"].values())
        )
        package = device_b.call("GET", f"/api/v1/packages/{sha['sha256']}.fcpkg").content
        assert hashlib.sha256(package).hexdigest() == sha["sha256"]
    finally:
        other.stop()
