"""Permission dialogs: the consent question at first use and the per-app list."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from finclip_desktop.shell.permissions import (
    ALLOW_ALWAYS,
    ALLOW_ONCE,
    DENY,
    PermissionStore,
    describe_scope,
)


class ConsentDialog(QDialog):
    """ "<App> wants to <scope>": Allow once / Always allow / Deny (Escape denies)."""

    def __init__(
        self,
        app_name: str,
        scope: str,
        answer: Callable[[str], None],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Permission request")
        self._answer: Callable[[str], None] | None = answer
        layout = QVBoxLayout(self)
        self.message = QLabel(
            f"<b>{_escape(app_name)}</b> wants to {_escape(describe_scope(scope))}.", self
        )
        self.message.setWordWrap(True)
        layout.addWidget(self.message)
        buttons = QDialogButtonBox(self)
        for label, value in (
            ("Allow once", ALLOW_ONCE),
            ("Always allow", ALLOW_ALWAYS),
            ("Deny", DENY),
        ):
            button = QPushButton(label, self)
            button.clicked.connect(lambda _=False, v=value: self._finish(v))
            buttons.addButton(button, QDialogButtonBox.ButtonRole.ActionRole)
            if value == DENY:
                button.setDefault(True)
        layout.addWidget(buttons)
        self.rejected.connect(lambda: self._finish(DENY))

    def _finish(self, value: str) -> None:
        answer, self._answer = self._answer, None
        if answer is not None:
            answer(value)
        self.accept() if value != DENY else self.done(0)


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def dialog_prompter(parent: Callable[[str], QWidget | None] = lambda app_id: None):
    """A prompter for :class:`PermissionStore` that shows :class:`ConsentDialog`."""

    def prompt(app_name: str, app_id: str, scope: str, answer: Callable[[str], None]) -> None:
        dialog = ConsentDialog(app_name, scope, answer, parent(app_id))
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()

    return prompt


class PermissionsDialog(QDialog):
    """The decisions remembered for one app; each can be revoked (asked again next time)."""

    def __init__(self, store: PermissionStore, app_id: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.store, self.app_id = store, app_id
        self.setWindowTitle(f"Permissions – {app_id}")
        layout = QVBoxLayout(self)
        self.list = QListWidget(self)
        self.list.setAccessibleName("Permissions")
        layout.addWidget(self.list)
        self.revoke_button = QPushButton("Revoke", self)
        self.revoke_button.clicked.connect(self.revoke_selected)
        layout.addWidget(self.revoke_button)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        close.rejected.connect(self.reject)
        layout.addWidget(close)
        self.refresh()

    def refresh(self) -> None:
        self.list.clear()
        decisions = self.store.decisions(self.app_id)
        for scope, allowed in sorted(decisions.items()):
            item = QListWidgetItem(f"{describe_scope(scope)}: {'allowed' if allowed else 'denied'}")
            item.setData(Qt.ItemDataRole.UserRole, scope)
            self.list.addItem(item)
        if not decisions:
            self.list.addItem(QListWidgetItem("No permissions decided yet"))
        self.revoke_button.setEnabled(bool(decisions))

    def revoke_selected(self) -> None:
        item = self.list.currentItem()
        scope = item.data(Qt.ItemDataRole.UserRole) if item is not None else None
        if scope:
            self.store.revoke(self.app_id, scope)
            self.refresh()
