"""Usage telemetry end to end: an app runs in the real shell, its launch, painted pages,
bridge calls and JS errors reach the real server's statistics."""

from __future__ import annotations

import httpx
import pytest

from finclip_desktop.shell.targets import open_installed
from finclip_desktop.shell.testing import ShellHarness, wait_until
from tests.integration.conftest import APP_ID, client_settings
from tests.store.conftest import app_files

pytestmark = pytest.mark.qt


def summary(served, app_id: str = APP_ID) -> dict:
    return served.admin.call("GET", "/api/v1/stats/summary", params={"app_id": app_id})


def test_launch_page_view_and_api_call_reach_the_server(served, qapp):
    served.admin.publish("1.0.0")
    settings = client_settings(served)
    bundle = open_installed(APP_ID, settings)  # installs from the server
    with ShellHarness(settings=settings, dev_mode=False) as h:
        app = h.open(bundle)
        assert app.call("getStorageInfo", {})["errMsg"] == "getStorageInfo:ok"
        assert app.call("getStorage", {"key": "missing"})["errMsg"].startswith("getStorage:fail")
        assert h.shell.usage.flush(timeout=15)
        assert h.shell.usage.last_error is None
        assert h.shell.usage.pending() == 0
    stats = summary(served)
    (row,) = stats["apps"]
    assert row["launch"] == 1 and row["page_view"] >= 1 and row["api_call"] >= 2
    apis = {r["api"]: r for r in stats["apis"]}
    assert apis["getStorageInfo"]["calls"] == 1 and apis["getStorageInfo"]["failures"] == 0
    assert apis["getStorage"]["failures"] == 1
    assert all(not name.startswith("_") for name in apis)
    csv = httpx.get(
        served.url + "/api/v1/stats/export.csv",
        params={"kind": "apis", "app_id": APP_ID},
        headers={"Authorization": f"Bearer {served.admin.token}"},
    ).text
    assert f"{APP_ID},getStorageInfo,1,0," in csv


def test_app_errors_are_counted_once(served, qapp):
    files = app_files(extra={"pages/index/index.js": b"Page({onLoad() { null.boom(); }})"})
    settings = client_settings(served)
    with ShellHarness(settings=settings, dev_mode=True) as h:
        h.open_files(files, app_id="com.example.broken")
        wait_until(lambda: h.shell.usage.pending() >= 3, what="the error event")
        assert h.shell.usage.flush(timeout=15)
    (row,) = summary(served, "com.example.broken")["apps"]
    assert row["launch"] == 1 and row["error"] == 1


def test_no_telemetry_no_recorder(served, qapp):
    with ShellHarness(settings=client_settings(served, telemetry=False)) as h:
        assert h.shell.usage is None


def test_events_recorded_offline_are_sent_later(served, qapp, tmp_path):
    from finclip_desktop.settings import Settings

    down = Settings(server_url="http://127.0.0.1:9", telemetry=True)
    with ShellHarness(settings=down, data_root=tmp_path / "user") as h:
        h.open_files({"index.html": "<h1>hi</h1>"}, app_id="com.example.offline")
        assert h.shell.usage.flush(timeout=15)
        assert h.shell.usage.last_error is not None and h.shell.usage.pending() >= 2
    # next start, server reachable again: the queue on disk is delivered
    with ShellHarness(settings=client_settings(served), data_root=tmp_path / "user") as h:
        assert h.shell.usage.flush(timeout=15) and h.shell.usage.pending() == 0
    (row,) = summary(served, "com.example.offline")["apps"]
    assert row["launch"] == 1 and row["page_view"] == 1
