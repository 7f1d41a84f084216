"""The launcher over a real store cache: lists, searches, launches, clears, uninstalls."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from finclip_desktop.package import (
    MANIFEST_NAME,
    SIGNATURE_NAME,
    build_archive,
    generate_key,
    public_key_text,
)
from finclip_desktop.package.zipformat import read_archive
from finclip_desktop.settings import SettingsStore, UserSettings, effective_settings
from finclip_desktop.shell.testing import ShellHarness, process_events, wait_until

pytestmark = pytest.mark.qt


def install(cache, key, app_id: str, name: str) -> None:
    """Put a signed package into the store's content-addressed cache as current."""
    from finclip_desktop.store.cache import Pointer

    files = {"index.html": f"<h1>{name}</h1>".encode()}
    _, archive = build_archive(files, {"app_id": app_id, "name": name, "version": "1.0.0"}, key)
    entries = read_archive(archive)
    for path, data in entries.items():
        if path not in (MANIFEST_NAME, SIGNATURE_NAME):
            cache.put_blob(data)
    msha = cache.add_version(
        entries[MANIFEST_NAME], entries[SIGNATURE_NAME], {"app_id": app_id, "version": "1.0.0"}
    )
    cache.set_pointer(app_id, Pointer(current=msha))


@pytest.fixture
def launcher(qapp):
    from finclip_desktop.shell.launcher import Launcher
    from finclip_desktop.store.store import Store

    key = generate_key()
    settings = effective_settings(UserSettings(trusted_keys=(public_key_text(key),)))
    with Store(settings) as store:
        install(store.cache, key, "com.example.mail", "Mail")
        install(store.cache, key, "com.example.notes", "Notes")
    h = ShellHarness(settings=settings)
    widget = Launcher(h.shell, settings_store=SettingsStore())
    widget.show()
    yield widget, h
    widget.close()
    h.close()


def test_lists_searches_and_launches_with_the_keyboard(launcher):
    widget, h = launcher
    assert widget.server_panel is None  # no server configured: installed apps only
    assert widget.visible_apps() == ["com.example.mail", "com.example.notes"]
    QTest.keyClicks(widget.search, "note")
    assert widget.visible_apps() == ["com.example.notes"]
    QTest.keyClick(widget.search, Qt.Key.Key_Return)
    container = wait_until(lambda: h.shell.containers.get("com.example.notes"), what="launch")
    wait_until(lambda: container.first_painted is not None, what="paint")
    assert container.bundle.signed


def test_clear_data_and_uninstall(launcher):
    widget, h = launcher
    widget.launch("com.example.mail")
    container = wait_until(lambda: h.shell.containers.get("com.example.mail"))
    data = container.dirs["base"]
    assert data.exists()
    widget.clear_data("com.example.mail")
    process_events(0.1)
    assert not data.exists() and "com.example.mail" not in h.shell.containers
    widget.uninstall("com.example.notes")
    assert widget.visible_apps() == ["com.example.mail"]


def test_settings_page_saves_developer_mode(launcher):
    widget, _ = launcher
    widget.toggle_settings()
    page = widget.settings_page
    page.developer.setChecked(True)
    assert page.save()
    assert SettingsStore().effective.developer_mode is True


def test_permissions_button_lists_and_revokes_the_selected_apps_decisions(launcher):
    from PySide6.QtWidgets import QApplication

    from finclip_desktop.shell.dialogs import PermissionsDialog

    widget, h = launcher
    h.shell.permissions.set("com.example.notes", "scope.clipboardRead", True)
    h.shell.permissions.set("com.example.mail", "scope.userLocation", False)
    widget.grid.setCurrentRow(widget.visible_apps().index("com.example.notes"))
    assert widget.selected() == "com.example.notes"
    QTest.mouseClick(widget.permissions_button, Qt.MouseButton.LeftButton)
    dialog = wait_until(
        lambda: next(
            (
                w
                for w in QApplication.topLevelWidgets()
                if isinstance(w, PermissionsDialog) and w.isVisible()
            ),
            None,
        ),
        what="the permissions dialog",
    )
    assert dialog.app_id == "com.example.notes"
    assert [dialog.list.item(i).text() for i in range(dialog.list.count())] == [
        "read your clipboard: allowed"
    ]
    dialog.list.setCurrentRow(0)
    dialog.revoke_button.click()
    assert h.shell.permissions.decisions("com.example.notes") == {}
    assert h.shell.permissions.decisions("com.example.mail") == {"scope.userLocation": False}
    dialog.close()
