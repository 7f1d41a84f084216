"""The consent dialog and the per-app permissions list (real widgets, offscreen)."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QPushButton

from finclip_desktop.shell.dialogs import ConsentDialog, PermissionsDialog, dialog_prompter
from finclip_desktop.shell.permissions import PermissionStore
from finclip_desktop.shell.testing import process_events

pytestmark = pytest.mark.qt


def _dialog() -> ConsentDialog:
    found = [
        w for w in QApplication.topLevelWidgets() if isinstance(w, ConsentDialog) and w.isVisible()
    ]
    assert len(found) == 1
    return found[0]


def test_consent_dialog_names_app_and_scope_and_remembers_always(qapp, tmp_path):
    store = PermissionStore(tmp_path / "p.json", dialog_prompter())
    decision = store.ask("com.mail", "Mail", "scope.userLocation")
    process_events(0.05)
    dialog = _dialog()
    assert "Mail" in dialog.message.text() and "location" in dialog.message.text()
    [always] = [b for b in dialog.findChildren(QPushButton) if b.text() == "Always allow"]
    QTest.mouseClick(always, Qt.MouseButton.LeftButton)
    assert decision.result(timeout=1) is True
    assert PermissionStore(tmp_path / "p.json").decided("com.mail", "scope.userLocation") is True


def test_escape_denies_and_only_one_question_per_scope(qapp, tmp_path):
    store = PermissionStore(tmp_path / "p.json", dialog_prompter())
    first = store.ask("com.mail", "Mail", "scope.clipboardRead")
    second = store.ask("com.mail", "Mail", "scope.clipboardRead")
    process_events(0.05)
    QTest.keyClick(_dialog(), Qt.Key.Key_Escape)
    assert first.result(timeout=1) is False and second.result(timeout=1) is False
    assert store.decided("com.mail", "scope.clipboardRead") is False


def test_permissions_list_revokes(qapp, tmp_path):
    store = PermissionStore(tmp_path / "p.json")
    store.set("com.mail", "scope.userLocation", True)
    store.set("com.mail", "scope.clipboardRead", False)
    dialog = PermissionsDialog(store, "com.mail")
    assert dialog.list.count() == 2
    dialog.list.setCurrentRow(0)
    dialog.revoke_selected()
    assert len(store.decisions("com.mail")) == 1
    assert store.ask("other.app", "Other", "scope.camera").result() is False  # default deny
