"""What the store gives running apps, in the real shell against the real server: wx.login
codes the app's backend can exchange, the UpdateManager (the update check at each launch,
onUpdateReady / onUpdateFailed, applyUpdate and mandatory updates restarting the app on the
new version) and wx.reportEvent reaching the server's statistics."""

from __future__ import annotations

import httpx
import pytest

from finclip_desktop.package import generate_key
from finclip_desktop.settings import Settings
from finclip_desktop.shell.targets import open_installed
from finclip_desktop.shell.testing import AppDriver, ShellHarness, wait_until
from finclip_desktop.store.store import Store
from tests.integration.conftest import APP_ID, client_settings
from tests.store.conftest import Mitm, app_files

pytestmark = pytest.mark.qt

LOGIN_PAGE = b"""Page({
  data: { code: '', session: '' },
  onLoad() {
    wx.login({ success: (r) => {
      this.setData({ code: r.code });
      wx.checkSession({ success: () => this.setData({ session: 'valid' }) });
    }, fail: (e) => this.setData({ code: 'failed: ' + e.errMsg }) });
  }
});
"""
LOGIN_WXML = b"<view>code={{code}};session={{session}};</view>"

UPDATE_WXML = b"<view>{{label}} check={{check}} state={{state}}</view>"


def update_page(version: str, apply: bool) -> dict[str, bytes]:
    """A page that listens to the UpdateManager (and applies a ready update if ``apply``)."""
    on_ready = "um.applyUpdate();" if apply else ""
    js = f"""Page({{
  data: {{ label: 'v{version}', check: '', state: '' }},
  onLoad() {{
    const um = wx.getUpdateManager();
    um.onCheckForUpdate((r) => this.setData({{ check: String(r.hasUpdate) }}));
    um.onUpdateReady(() => {{ this.setData({{ state: 'ready' }}); {on_ready} }});
    um.onUpdateFailed(() => this.setData({{ state: 'failed' }}));
  }}
}});
"""
    return app_files(version, {"pages/index/index.js": js.encode(),
                               "pages/index/index.wxml": UPDATE_WXML})  # fmt: skip


def exchange(served, code: str) -> httpx.Response:
    """What the app's own backend does with a code (code2Session)."""
    body = {"app_id": APP_ID, "app_secret": served.admin.app_secret, "code": code}
    return httpx.post(served.url + "/api/v1/login/session", json=body, timeout=10)


def running(h: ShellHarness, version: str) -> AppDriver:
    """The app's container once it runs ``version`` and has painted."""
    container = wait_until(
        lambda: (
            (c := h.shell.containers.get(APP_ID)) is not None and c.bundle.version == version and c
        ),
        timeout=60,
        what=f"{APP_ID} {version} running",
    )
    driver = AppDriver(container)
    driver.wait_painted(60)
    return driver


def test_wx_login_gives_a_code_for_this_app_and_device(served, qapp, tmp_path):
    served.admin.publish("1.0.0", app_files("1.0.0", {
        "pages/index/index.js": LOGIN_PAGE, "pages/index/index.wxml": LOGIN_WXML}))  # fmt: skip
    settings = client_settings(served, telemetry=False)
    with ShellHarness(settings=settings, dev_mode=False) as h:
        app = h.open(open_installed(APP_ID, settings))
        text = wait_until(lambda: "session=valid" in app.text() and app.text(), timeout=30)
        code = text.split("code=", 1)[1].split(";", 1)[0]
        assert len(code) >= 20, text
        openid = exchange(served, code).json()["openid"]
        assert exchange(served, code).status_code == 400  # a code works once
        # the same device (the shell's store) gets codes for the same openid
        with Store(settings, directory=h.shell.store_dir) as store:
            again = store.login_code(APP_ID)["code"]
        assert exchange(served, again).json()["openid"] == openid
    # another device (another registration, here through a proxy URL): another openid
    proxy = Mitm(served.url)
    try:
        other = Settings(server_url=proxy.url, trusted_keys=settings.trusted_keys)
        with Store(other, directory=tmp_path / "other") as store:
            assert exchange(served, store.login_code(APP_ID)["code"]).json()["openid"] != openid
    finally:
        proxy.close()


def test_update_manager_reports_a_staged_update_and_apply_restarts(served, qapp):
    served.admin.publish("1.0.0", update_page("1.0.0", apply=True))
    settings = client_settings(served, telemetry=False)
    bundle = open_installed(APP_ID, settings)  # installs 1.0.0
    served.admin.publish("1.0.1", update_page("1.0.1", apply=True))
    with ShellHarness(settings=settings, dev_mode=False) as h:
        first = h.open(bundle)
        assert first.container.bundle.version == "1.0.0"  # the cached version, at once
        # the launch check stages 1.0.1; onUpdateReady calls applyUpdate: a restart on it
        new = running(h, "1.0.1")
        assert new.container is not first.container and first.container.is_closed
        wait_until(lambda: "check=false" in new.text(), what="the new version's own check")
        assert new.text().startswith("v1.0.1")
        with Store(settings, directory=h.shell.store_dir) as store:
            assert store.installed_version(APP_ID) == "1.0.1"
            assert store.cache.pointer(APP_ID).pending is None


def test_update_failed_is_reported_and_the_app_keeps_running(served, qapp):
    served.admin.publish("1.0.0", update_page("1.0.0", apply=True))
    settings = client_settings(served, telemetry=False)
    bundle = open_installed(APP_ID, settings)
    rogue = generate_key()  # the server accepts it; this device does not trust it
    served.admin.add_key(rogue)
    served.admin.publish("1.0.1", update_page("1.0.1", apply=True), key=rogue)
    with ShellHarness(settings=settings, dev_mode=False) as h:
        app = h.open(bundle)
        wait_until(lambda: "check=true state=failed" in app.text(), timeout=30)
        assert h.shell.containers[APP_ID] is app.container
        assert app.call("_applyUpdate", {})["errMsg"] == "_applyUpdate:fail no update is ready"


def test_mandatory_update_restarts_the_app_at_once(served, qapp):
    served.admin.publish("1.0.0", update_page("1.0.0", apply=False))
    settings = client_settings(served, telemetry=False)
    bundle = open_installed(APP_ID, settings)
    served.admin.publish("1.0.1", update_page("1.0.1", apply=False), mandatory=True)
    with ShellHarness(settings=settings, dev_mode=False) as h:
        h.open(bundle)
        assert running(h, "1.0.1").text().startswith("v1.0.1")


def test_launch_checks_for_updates_without_waiting(served, qapp):
    """``finclip run APP_ID`` (open_installed, then the shell): the cached version starts
    at once, the launch stages the new one in the background, the next launch runs it."""
    served.admin.publish("1.0.0", update_page("1.0.0", apply=False))
    settings = client_settings(served, telemetry=False)
    bundle = open_installed(APP_ID, settings)
    served.admin.publish("1.0.1", update_page("1.0.1", apply=False))
    with ShellHarness(settings=settings, dev_mode=False) as h:
        app = h.open(bundle)
        assert app.container.bundle.version == "1.0.0"
        wait_until(lambda: "check=true state=ready" in app.text(), timeout=30)
        assert h.shell.containers[APP_ID] is app.container  # not mandatory: no restart
        with Store(settings, directory=h.shell.store_dir) as store:
            assert store.cache.pointer(APP_ID).pending is not None
        app.close()
        assert h.open(open_installed(APP_ID, settings)).text().startswith("v1.0.1")


def test_report_event_reaches_the_server_stats(served, qapp):
    # The object form; WeChat's positional (eventId, data) is in the conformance suite.
    page = b"""Page({ onLoad() {
      wx.reportEvent({ eventName: 'purchase', data: { sku: 'tea', qty: 2 } });
      wx.reportEvent({ eventName: 'purchase', data: { sku: 'cake' } });
    }});
    """
    served.admin.publish("1.0.0", app_files("1.0.0", {"pages/index/index.js": page}))
    settings = client_settings(served)
    with ShellHarness(settings=settings, dev_mode=False) as h:
        app = h.open(open_installed(APP_ID, settings))
        big = app.call("reportEvent", {"eventName": "big", "data": {"x": "y" * 3000}})
        assert big["errMsg"].startswith("reportEvent:fail data is too large: 3008 characters")
        assert h.shell.usage.flush(timeout=15) and h.shell.usage.pending() == 0
    summary = served.admin.call("GET", "/api/v1/stats/summary", params={"app_id": APP_ID})
    assert summary["events"] == [{"app_id": APP_ID, "event": "purchase", "count": 2,
                                  "devices": 1}]  # fmt: skip
