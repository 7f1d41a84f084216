"""The launcher's server panel against the real server (in-process, on loopback):
both sections side by side, failed installs, keyboard access."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from finclip_desktop.settings import SettingsStore
from finclip_desktop.shell.testing import ShellHarness, wait_until
from finclip_desktop.store.store import Store
from tests.integration.conftest import APP_ID, client_settings
from tests.store.conftest import app_files, make_package

pytestmark = pytest.mark.qt
NOTES = "com.example.notes"


def publish_notes(admin) -> None:
    """A second app, ``com.example.notes`` 2.1.0, released to everyone."""
    admin.call("POST", "/api/v1/apps", json={
        "app_id": NOTES, "name": "Notes", "org": admin.org, "category": "tools",
        "description": "Write things down"})  # fmt: skip
    data = make_package(admin.key, "2.1.0", app_files("2.1.0"), app_id=NOTES)
    admin.call("POST", f"/api/v1/apps/{NOTES}/versions", content=data)
    for step in ("submit", "approve"):
        admin.call("POST", f"/api/v1/apps/{NOTES}/versions/2.1.0/{step}", json={})
    admin.call("POST", f"/api/v1/apps/{NOTES}/release", json={"version": "2.1.0"})


@pytest.fixture
def launcher(served, qapp, tmp_path: Path, request) -> Iterator:
    """Demo installed, Notes only on the server; the launcher shown and its list loaded.
    Parametrized indirectly with True: Demo 1.0.1 is released before the launcher starts."""
    from finclip_desktop.shell.launcher import Launcher

    served.admin.publish("1.0.0")
    publish_notes(served.admin)
    settings = client_settings(served, telemetry=False)
    h = ShellHarness(settings=settings, dev_mode=False, data_root=tmp_path / "user")
    with Store(settings, directory=h.shell.store_dir) as store:
        store.install(APP_ID)
    if getattr(request, "param", False):
        served.admin.publish("1.0.1", app_files("1.0.1", {"app.js": b"App({v: 2})"}))
    widget = Launcher(h.shell, settings_store=SettingsStore())
    widget.show()
    wait_until(lambda: not widget.server_panel.busy, what="the server's catalogue")
    yield widget, served
    widget.close()
    h.close()


def test_both_sections(launcher, tmp_path: Path):
    widget, _ = launcher
    panel = widget.server_panel
    assert widget.visible_apps() == [APP_ID] and panel.available_apps() == [NOTES]
    assert panel.list.item(0).text() == "Notes  2.1.0\nWrite things down"
    assert not panel.offline.isVisible() and panel.empty.isHidden()
    QTest.keyClicks(widget.search, "notes")  # the search applies to both sections
    assert widget.visible_apps() == [] and panel.available_apps() == [NOTES]
    QTest.keyClicks(widget.search, "-none")
    assert panel.available_apps() == []
    widget.search.clear()
    shot = tmp_path / "launcher.png"
    assert widget.grab().save(str(shot)) and shot.stat().st_size > 5_000


def test_a_failed_install_is_one_clear_line(launcher):
    widget, served = launcher
    panel = widget.server_panel
    served.admin.call("POST", f"/api/v1/apps/{NOTES}/takedown", json={"reason": "broken"})
    panel.install(NOTES)
    wait_until(lambda: not panel.busy, what="the install")
    message = widget.status.text()
    assert message == f"the server offers no app {NOTES} to this device", message
    assert not panel.progress.isVisible() and widget.visible_apps() == [APP_ID]
    assert panel.install_button.isEnabled()


def test_keyboard_installs_and_checks_for_updates(launcher):
    widget, served = launcher
    panel = widget.server_panel
    widget.activateWindow()
    QTest.keyClick(widget, Qt.Key.Key_I, Qt.KeyboardModifier.AltModifier)  # &Install
    wait_until(lambda: not panel.busy and widget.visible_apps() == [APP_ID, NOTES])
    assert panel.available_apps() == [] and panel.empty.isVisible()
    asset = os.urandom(100_000)  # most of 1.0.1 is new: a whole download, in steps
    served.admin.publish("1.0.1", app_files("1.0.1", {"app.js": b"App({v: 2})", "a.bin": asset}))
    seen: list[tuple[int, int]] = []
    panel.progress.valueChanged.connect(lambda v: seen.append((v, panel.progress.maximum())))
    QTest.keyClick(widget, Qt.Key.Key_D, Qt.KeyboardModifier.AltModifier)  # Check for up&dates
    wait_until(lambda: not panel.busy and panel.updates, what="the update check")
    assert widget.status.text() == f"Update ready: {APP_ID} 1.0.1 (applies on next launch)"
    assert widget.grid.item(0).text() == "Demo\n1.0.0\nupdate ready"
    # the download showed in the progress bar, up to the package's size
    total = max(top for _, top in seen)
    assert total > len(asset) and (total, total) in seen, seen
    assert panel.progress.isVisible() and panel.progress.format() == "Updates checked"


def test_failed_and_withdrawn_apps_show_in_the_launcher(launcher, tmp_path: Path):
    """An update signed by a key this device does not trust is reported in the status line;
    an app the server takes down shows as withdrawn, does not launch, keeps its data."""
    from finclip_desktop.package import generate_key

    widget, served = launcher
    panel = widget.server_panel
    rogue = generate_key()
    served.admin.add_key(rogue)
    served.admin.publish("1.0.1", app_files("1.0.1", {"app.js": b"App({v: 2})"}), key=rogue)
    panel.check_updates()
    wait_until(lambda: not panel.busy, what="the update check")
    message = widget.status.text()
    assert message.startswith(f"Update failed: {APP_ID} 1.0.1: {APP_ID}: signed by unknown key")
    assert widget.grid.item(0).text() == "Demo\n1.0.0"
    data = tmp_path / "user/apps" / APP_ID / "data"
    widget.launch(APP_ID)
    wait_until(lambda: widget.shell.containers.get(APP_ID), what="the launch")
    widget.shell.close_app(APP_ID)
    assert data.is_dir()
    served.admin.call("POST", f"/api/v1/apps/{APP_ID}/takedown", json={"reason": "legal"})
    panel.check_updates()
    wait_until(lambda: not panel.busy, what="the update check")
    assert widget.grid.item(0).text() == "Demo\n1.0.0\nwithdrawn by the server"
    widget.launch(APP_ID)
    assert APP_ID not in widget.shell.containers
    assert widget.status.text() == (
        f"{APP_ID}: app {APP_ID} was withdrawn by the server; it can no longer be opened "
        "(its data on this computer is kept)"
    )
    assert data.is_dir()


@pytest.mark.parametrize("launcher", [True], indirect=True)
def test_updates_are_checked_when_the_launcher_starts(launcher):
    widget, _ = launcher
    wait_until(lambda: widget.server_panel.updates, what="the automatic update check")
    assert widget.grid.item(0).text() == "Demo\n1.0.0\nupdate ready"
    widget.launch(APP_ID)  # the staged update applies at this launch
    assert widget.grid.item(0).text() == "Demo\n1.0.1"
