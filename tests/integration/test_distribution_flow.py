"""Issue 6's "Done when", end to end: a real ``finclip server`` process and the real
launcher widget (offscreen) with real containers.

Publish an example app through the admin API → the launcher lists it under "Available" →
Install shows progress up to 100% → it launches → server stopped: still listed and
launched, "offline" shown → server restarted, a one-file change released → "Check for
updates" downloads only that file → the next launch runs the new version → the server's
statistics and dashboard show the launches and API calls.
"""

from __future__ import annotations

import os
from pathlib import Path

import httpx
import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from finclip_desktop.package import collect_files
from finclip_desktop.settings import SettingsStore
from finclip_desktop.shell.launcher_server import app_icon
from finclip_desktop.shell.testing import AppDriver, ShellHarness, wait_until
from tests.integration.conftest import APP_ID, Served, client_settings
from tests.store.conftest import Admin, ServerProcess

pytestmark = pytest.mark.qt

EXAMPLES = Path(__file__).resolve().parents[2] / "resources" / "examples"
ICON = (EXAMPLES / "gallery" / "logo.png").read_bytes()
# The hello example, with an icon, a large asset (so that one changed file is a small part
# of the package) and an App that records its launch through two wx APIs.
APP_JS = b"""App({
  globalData: { greeting: 'Hello' },
  onLaunch() {
    wx.setStorage({ key: 'lastLaunch', data: Date.now() });
    wx.getSystemInfo({});
  }
});
"""
INDEX = "pages/index/index.wxml"
ASSET = os.urandom(400_000)  # incompressible


def example_files(version: str) -> dict[str, bytes]:
    files = collect_files(EXAMPLES / "hello")
    files.update({
        "app.js": APP_JS,
        "images/icon.png": ICON,
        "assets/photo.bin": ASSET,
    })  # fmt: skip
    if version != "1.0.0":  # the one-file change
        files[INDEX] = files[INDEX].replace(b"{{name}}!", f"{{{{name}}}}! Now {version}".encode())
    return files


def launched(widget, h: ShellHarness) -> AppDriver:
    """Launch the app from the installed grid with the keyboard; wait for its first page."""
    row = next(
        r for r in range(widget.grid.count()) if widget.grid.item(r).data(Qt.ItemDataRole.UserRole)
        == APP_ID
    )  # fmt: skip
    widget.grid.setFocus()
    widget.grid.setCurrentRow(row)
    QTest.keyClick(widget.grid, Qt.Key.Key_Return)
    container = wait_until(lambda: h.shell.containers.get(APP_ID), what="launch")
    driver = AppDriver(container)
    driver.wait_painted(60)
    return driver


def settle(panel) -> None:
    wait_until(lambda: not panel.busy, timeout=90, what="the launcher's server job")


class AnsweredCalls:
    """The capability registry's ``invoke``, noting each API call once answered."""

    def __init__(self) -> None:
        from finclip_desktop.capabilities import registry

        self.invoke = registry.invoke
        self.names: list[str] = []

    def __call__(self, ctx, api: str, args):
        future = self.invoke(ctx, api, args)
        future.add_done_callback(lambda _f: self.names.append(api))
        return future

    def wait(self, launches: int) -> None:
        """Until the app's onLaunch calls of ``launches`` launches are answered."""
        wait_until(
            lambda: all(self.names.count(a) >= launches for a in ("setStorage", "getSystemInfo")),
            timeout=30,
            what="the app's API calls",
        )


def test_publish_install_launch_offline_update_and_stats(tmp_path, qapp):
    from finclip_desktop.shell.launcher import Launcher

    server = ServerProcess(tmp_path / "server")
    server.start()
    h = widget = None
    try:
        admin = Admin(server.url, server.token)
        admin.setup()
        admin.publish("1.0.0", example_files("1.0.0"))  # upload, submit, approve, release
        settings = client_settings(Served(server.url, admin))
        calls = AnsweredCalls()
        h = ShellHarness(
            settings=settings, dev_mode=False, data_root=tmp_path / "user", invoke=calls
        )
        widget = Launcher(h.shell, settings_store=SettingsStore())
        widget.show()
        panel = widget.server_panel
        assert panel is not None and "Available from 127.0.0.1" in panel.title.text()

        # listed under "Available from <server>": name, version, description, icon
        settle(panel)
        assert panel.available_apps() == [APP_ID] and widget.visible_apps() == []
        item = panel.list.item(0)
        assert item.text() == "Demo  1.0.0\nA demo app"
        expected = app_icon(APP_ID, "Demo", ICON).pixmap(64).toImage()
        assert item.icon().pixmap(64).toImage() == expected
        assert not panel.offline.isVisible()

        # Install with the keyboard: progress increases to the package's size
        seen: list[tuple[int, int]] = []
        panel.progress.valueChanged.connect(lambda v: seen.append((v, panel.progress.maximum())))
        panel.list.setFocus()
        QTest.keyClick(panel.list, Qt.Key.Key_Return)
        settle(panel)
        values = [v for v, _ in seen if v >= 0]
        total = seen[-1][1]
        assert len(values) >= 3, seen
        assert all(a < b for a, b in zip(values, values[1:], strict=False)), values
        assert values[-1] == total and total > 400_000
        assert panel.progress.isVisible() and panel.progress.value() == total
        assert widget.status.text() == "Installed Demo 1.0.0"
        assert widget.visible_apps() == [APP_ID] and panel.available_apps() == []

        # it launches (first page painted); its API calls are counted
        app = launched(widget, h)
        assert "Hello, FinClip!" in app.text()
        calls.wait(1)
        app.close()

        # server stopped: still listed and launched, "offline" shown
        server.stop()
        panel.refresh()
        settle(panel)
        assert panel.offline.isVisible() and panel.online is False
        assert widget.status.text() == (
            f"Offline: {panel.host} cannot be reached; installed apps keep working"
        )
        widget.refresh()
        assert widget.visible_apps() == [APP_ID]
        app = launched(widget, h)
        assert app.container.bundle.version == "1.0.0"
        calls.wait(2)
        app.close()

        # server back, a one-file change released: the update downloads only that file
        server.start()
        v2 = admin.publish("1.0.1", example_files("1.0.1"))
        before = widget.catalog.bytes_received
        QTest.mouseClick(panel.updates_button, Qt.MouseButton.LeftButton)
        settle(panel)
        received = widget.catalog.bytes_received - before
        assert 0 < received < 0.10 * len(v2), (received, len(v2))
        assert [(u.app_id, u.version, u.staged) for u in panel.updates] == [(APP_ID, "1.0.1", True)]
        assert not panel.offline.isVisible()
        assert widget.grid.item(0).text() == "Demo\n1.0.0\nupdate ready"

        # the next launch runs the new version
        app = launched(widget, h)
        assert app.container.bundle.version == "1.0.1"
        assert "Hello, FinClip! Now 1.0.1" in app.text()
        assert widget.grid.item(0).text() == "Demo\n1.0.1"
        calls.wait(3)
        app.close()

        # the server's statistics and dashboard show the three launches and the API calls
        assert h.shell.usage.flush(timeout=20) and h.shell.usage.pending() == 0
        stats = admin.call("GET", "/api/v1/stats/summary", params={"app_id": APP_ID})
        (row,) = stats["apps"]
        apis = {r["api"]: r["calls"] for r in stats["apis"]}
        assert row["launch"] == 3 and row["api_call"] == sum(apis.values())
        assert apis["setStorage"] == 3 and apis["getSystemInfo"] == 3
        with httpx.Client(base_url=server.url, timeout=30) as web:
            web.post("/dashboard/login", data={"token": server.token})
            html = web.get("/dashboard", params={"app_id": APP_ID}).text
        assert f"{APP_ID}</a></td><td>3</td>" in html
        assert "<code>setStorage</code></td><td>3</td>" in html
        assert "<code>getSystemInfo</code></td><td>3</td>" in html
    finally:
        if widget is not None:
            widget.close()
        if h is not None:
            h.close()
        server.stop()
