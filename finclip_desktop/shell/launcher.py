"""The launcher: a searchable grid of installed apps, per-app settings, global settings."""

from __future__ import annotations

import logging
from typing import Any

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QColor, QFont, QIcon, QKeySequence, QPainter, QPixmap, QShortcut
from PySide6.QtWidgets import (
    QCheckBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListView,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from finclip_desktop.shell.bundle import BundleError
from finclip_desktop.shell.catalog import InstalledApp, InstalledCatalog

log = logging.getLogger(__name__)
ROLE_APP = Qt.ItemDataRole.UserRole


def _icon(app: InstalledApp) -> QIcon:
    pixmap = QPixmap()
    if app.icon and pixmap.loadFromData(app.icon):
        return QIcon(pixmap)
    fallback = QPixmap(64, 64)
    fallback.fill(QColor.fromHsv(sum(map(ord, app.app_id)) % 360, 90, 200))
    painter = QPainter(fallback)
    font = QFont()
    font.setPixelSize(34)
    font.setBold(True)
    painter.setFont(font)
    painter.setPen(Qt.GlobalColor.white)
    painter.drawText(fallback.rect(), Qt.AlignmentFlag.AlignCenter, app.name[:1].upper())
    painter.end()
    return QIcon(fallback)


class SettingsPage(QWidget):
    """Server URL and developer mode; values managed by policy are read-only."""

    def __init__(self, store: Any, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.store = store
        form = QFormLayout(self)
        eff = store.effective
        self.server = QLineEdit(eff.server_url or "", self)
        self.server.setAccessibleName("Server URL")
        self.developer = QCheckBox("Developer mode (run unsigned folders)", self)
        self.developer.setChecked(eff.developer_mode)
        for widget, name in ((self.server, "server_url"), (self.developer, "developer_mode")):
            if eff.is_managed(name):
                widget.setEnabled(False)
                widget.setToolTip(eff.note(name))
        form.addRow("Server URL", self.server)
        form.addRow("", self.developer)
        self.status = QLabel("", self)
        save = QPushButton("Save", self)
        save.clicked.connect(self.save)
        form.addRow(save, self.status)

    def save(self) -> bool:
        from finclip_desktop.settings import SettingsError

        eff = self.store.effective
        changes: dict[str, Any] = {}
        if not eff.is_managed("server_url"):
            changes["server_url"] = self.server.text().strip() or None
        if not eff.is_managed("developer_mode"):
            changes["developer_mode"] = self.developer.isChecked()
        try:
            self.store.update(**changes)
        except SettingsError as exc:
            self.status.setText(str(exc))
            return False
        self.status.setText("Saved")
        return True


class Launcher(QWidget):
    """Apps grid (Enter or double-click launches), search (Ctrl+F), per-app actions."""

    hidden = Signal()

    def __init__(self, shell: Any, catalog: Any = None, settings_store: Any = None) -> None:
        super().__init__()
        self.shell = shell
        self.catalog = catalog or InstalledCatalog(shell.settings)
        self.setWindowTitle("FinClip")
        self.resize(720, 520)
        self.search = QLineEdit(self)
        self.search.setPlaceholderText("Search apps")
        self.search.setAccessibleName("Search apps")
        self.search.setClearButtonEnabled(True)
        self.grid = QListWidget(self)
        self.grid.setAccessibleName("Apps")
        self.grid.setViewMode(QListView.ViewMode.IconMode)
        self.grid.setIconSize(QSize(64, 64))
        self.grid.setGridSize(QSize(120, 110))
        self.grid.setResizeMode(QListView.ResizeMode.Adjust)
        self.grid.setMovement(QListView.Movement.Static)
        self.grid.itemActivated.connect(lambda item: self.launch(item.data(ROLE_APP)))
        self.search.textChanged.connect(self.filter)
        self.search.returnPressed.connect(self._launch_first_visible)
        buttons = QHBoxLayout()
        self.open_button = QPushButton("&Open", self)
        self.permissions_button = QPushButton("&Permissions…", self)
        self.clear_button = QPushButton("&Clear data", self)
        self.uninstall_button = QPushButton("&Uninstall", self)
        self.settings_button = QPushButton("&Settings", self)
        for b in (
            self.open_button,
            self.permissions_button,
            self.clear_button,
            self.uninstall_button,
        ):
            buttons.addWidget(b)
        buttons.addStretch(1)
        self.open_button.clicked.connect(lambda: self.launch(self.selected()))
        self.permissions_button.clicked.connect(self._permissions)
        self.clear_button.clicked.connect(self._clear)
        self.uninstall_button.clicked.connect(self._uninstall)
        self.status = QLabel("", self)
        self.pages = QStackedWidget(self)
        apps_page = QWidget(self)
        apps_layout = QVBoxLayout(apps_page)
        apps_layout.addWidget(self.search)
        apps_layout.addWidget(self.grid, 1)
        apps_layout.addLayout(buttons)
        apps_layout.addWidget(self.status)
        self.pages.addWidget(apps_page)
        self.settings_page: SettingsPage | None = None
        self._settings_store = settings_store
        self.settings_button.clicked.connect(self.toggle_settings)
        layout = QVBoxLayout(self)
        layout.addWidget(self.pages)
        bottom = QHBoxLayout()
        bottom.addStretch(1)
        bottom.addWidget(self.settings_button)
        layout.addLayout(bottom)
        QShortcut(QKeySequence.StandardKey.Find, self, activated=self.search.setFocus)
        QShortcut(QKeySequence("Ctrl+,"), self, activated=self.toggle_settings)
        self.grid.currentItemChanged.connect(lambda *_: self._update_buttons())
        self.refresh()

    # -- list ---------------------------------------------------------------------------
    def refresh(self) -> None:
        self.grid.clear()
        try:
            apps = self.catalog.apps()
        except Exception as exc:  # noqa: BLE001 - a broken cache must not stop the launcher
            log.exception("listing apps failed")
            self.status.setText(f"Cannot list apps: {exc}")
            apps = []
        for app in apps:
            item = QListWidgetItem(_icon(app), f"{app.name}\n{app.version}")
            item.setData(ROLE_APP, app.app_id)
            item.setToolTip(f"{app.name} {app.version}\n{app.app_id}\n{app.description}")
            self.grid.addItem(item)
        if not apps:
            self.status.setText("No apps installed yet")
        if self.grid.count():
            self.grid.setCurrentRow(0)
        self.filter(self.search.text())
        self._update_buttons()

    def filter(self, text: str) -> None:
        needle = text.strip().lower()
        for row in range(self.grid.count()):
            item = self.grid.item(row)
            haystack = f"{item.text()} {item.data(ROLE_APP)}".lower()
            item.setHidden(bool(needle) and needle not in haystack)

    def visible_apps(self) -> list[str]:
        return [
            self.grid.item(r).data(ROLE_APP)
            for r in range(self.grid.count())
            if not self.grid.item(r).isHidden()
        ]

    def selected(self) -> str | None:
        item = self.grid.currentItem()
        return item.data(ROLE_APP) if item is not None and not item.isHidden() else None

    def _update_buttons(self) -> None:
        on = self.selected() is not None
        for b in (
            self.open_button,
            self.permissions_button,
            self.clear_button,
            self.uninstall_button,
        ):
            b.setEnabled(on)

    # -- actions ------------------------------------------------------------------------
    def _launch_first_visible(self) -> None:
        visible = self.visible_apps()
        if visible:
            self.launch(visible[0])

    def launch(self, app_id: str | None) -> None:
        if not app_id:
            return
        try:
            self.shell.open(self.catalog.open(app_id))
            self.status.setText("")
        except BundleError as exc:
            self.status.setText(str(exc))

    def _permissions(self) -> None:
        app_id = self.selected()
        if app_id:
            self.shell.show_permissions(app_id)

    def _confirm(self, question: str) -> bool:
        answer = QMessageBox.question(self, "FinClip", question)
        return answer == QMessageBox.StandardButton.Yes

    def _clear(self) -> None:
        app_id = self.selected()
        if app_id and self._confirm(f"Delete everything {app_id} stored on this computer?"):
            self.clear_data(app_id)

    def clear_data(self, app_id: str) -> None:
        self.shell.clear_data(app_id)
        self.status.setText(f"Cleared the data of {app_id}")

    def _uninstall(self) -> None:
        app_id = self.selected()
        if app_id and self._confirm(f"Uninstall {app_id} and delete its data?"):
            self.uninstall(app_id)

    def uninstall(self, app_id: str) -> None:
        self.shell.clear_data(app_id)
        self.catalog.uninstall(app_id)
        self.refresh()
        self.status.setText(f"Uninstalled {app_id}")

    def toggle_settings(self) -> None:
        if self.settings_page is None:
            from finclip_desktop.settings import SettingsStore

            store = self._settings_store or SettingsStore()
            self.settings_page = SettingsPage(store, self)
            self.pages.addWidget(self.settings_page)
        showing = self.pages.currentWidget() is self.settings_page
        self.pages.setCurrentIndex(0 if showing else 1)
        self.settings_button.setText("&Apps" if not showing else "&Settings")

    def hideEvent(self, event) -> None:  # noqa: N802 - Qt API
        super().hideEvent(event)
        self.hidden.emit()
