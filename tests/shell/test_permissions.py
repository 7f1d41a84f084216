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


def test_two_stores_on_one_file_merge_their_decisions(tmp_path):
    """Two processes' stores on one permissions.json: neither overwrites the other's
    decisions, and each sees what the other wrote (revocations included)."""
    path = tmp_path / "permissions.json"
    a, b = PermissionStore(path), PermissionStore(path)
    assert a.decisions("com.mail") == {} and b.decisions("com.notes") == {}  # both read
    a.set("com.mail", "scope.userLocation", True)
    b.set("com.notes", "scope.camera", False)
    fresh = PermissionStore(path)
    assert fresh.decisions("com.mail") == {"scope.userLocation": True}
    assert fresh.decisions("com.notes") == {"scope.camera": False}
    assert a.decided("com.notes", "scope.camera") is False
    b.revoke("com.mail")
    assert a.decided("com.mail", "scope.userLocation") is None
    a.set("com.mail", "scope.record", True)  # does not bring the revoked decision back
    assert PermissionStore(path).decisions("com.mail") == {"scope.record": True}
    assert PermissionStore(path).decisions("com.notes") == {"scope.camera": False}


WRITER = """
import sys, time
from pathlib import Path
from finclip_desktop.shell.permissions import PermissionStore
path, app, go = Path(sys.argv[1]), sys.argv[2], Path(sys.argv[3])
store = PermissionStore(path)
while not go.exists():
    time.sleep(0.005)
for i in range(40):
    store.set(app, f"scope.s{i}", i % 2 == 0)
"""


def test_processes_writing_at_once_lose_no_decision(tmp_path):
    import subprocess
    import sys

    path, go = tmp_path / "permissions.json", tmp_path / "go"
    writers = [
        subprocess.Popen([sys.executable, "-c", WRITER, str(path), app, str(go)])
        for app in ("com.a", "com.b")
    ]
    go.touch()
    assert [w.wait(60) for w in writers] == [0, 0]
    store = PermissionStore(path)
    for app in ("com.a", "com.b"):
        assert store.decisions(app) == {f"scope.s{i}": i % 2 == 0 for i in range(40)}
