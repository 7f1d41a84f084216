"""The launcher: a searchable grid of installed apps, per-app settings, global settings;
with a server configured also its catalogue, installs and updates (``launcher_server``)."""

from __future__ import annotations

import logging
from typing import Any

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
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
from finclip_desktop.shell.catalog import InstalledCatalog
from finclip_desktop.shell.launcher_server import ServerPanel, app_icon
from finclip_desktop.shell.settings_page import SettingsPage

log = logging.getLogger(__name__)
ROLE_APP = Qt.ItemDataRole.UserRole


class Launcher(QWidget):
    """Apps grid (Enter or double-click launches), search (Ctrl+F), per-app actions."""

    hidden = Signal()

    def __init__(self, shell: Any, catalog: Any = None, settings_store: Any = None) -> None:
        super().__init__()
        self.shell = shell
        self.catalog = catalog or InstalledCatalog(shell.settings, shell.store_dir)
        self.setWindowTitle("FinClip")
        self.resize(760, 640)
        self.search = QLineEdit(self)
        self.search.setPlaceholderText("Search apps")
        self.search.setAccessibleName("Search apps")
        self.search.setClearButtonEnabled(True)
        self.grid = QListWidget(self)
        self.grid.setAccessibleName("Apps")
        self.grid.setViewMode(QListView.ViewMode.IconMode)
        self.grid.setIconSize(QSize(64, 64))
        self.grid.setGridSize(QSize(128, 124))
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
        apps_layout.addWidget(QLabel("<b>Installed</b>", apps_page))
        apps_layout.addWidget(self.grid, 1)
        apps_layout.addLayout(buttons)
        self.server_panel: ServerPanel | None = None
        self._update_ready: set[str] = set()
        if self.catalog.has_server:
            self.server_panel = ServerPanel(self.catalog, apps_page)
            self.server_panel.changed.connect(self.refresh)
            self.server_panel.message.connect(self.status.setText)
            self.search.textChanged.connect(self.server_panel.filter)
            apps_layout.addWidget(self.server_panel, 1)
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
        keep = self.selected()
        self.grid.clear()
        try:
            apps = self.catalog.apps()
        except Exception as exc:  # noqa: BLE001 - a broken cache must not stop the launcher
            log.exception("listing apps failed")
            self.status.setText(f"Cannot list apps: {exc}")
            apps = []
        self._update_ready = {app.app_id for app in apps if app.update_ready}
        for app in apps:
            ready = f"\n{app.note}" if app.note else ""
            icon = app_icon(app.app_id, app.name, app.icon, badge=app.update_ready)
            item = QListWidgetItem(icon, f"{app.name}\n{app.version}{ready}")
            item.setData(ROLE_APP, app.app_id)
            item.setToolTip(f"{app.name} {app.version}\n{app.app_id}\n{app.description}{ready}")
            self.grid.addItem(item)
            if app.app_id == keep:
                self.grid.setCurrentItem(item)
        if not apps and self.server_panel is None:
            self.status.setText("No apps installed yet")
        if self.grid.count() and self.grid.currentItem() is None:
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
            return
        if app_id in self._update_ready:  # opening it made the staged update current
            self.refresh()

    def _permissions(self) -> None:
        app_id = self.selected()
        if app_id:
            self.shell.show_permissions(app_id, self)

    def _confirm(self, question: str) -> bool:
        answer = QMessageBox.question(self, "FinClip", question)
        return answer == QMessageBox.StandardButton.Yes

    def _clear(self) -> None:
        app_id = self.selected()
        if app_id and self._confirm(f"Delete everything {app_id} stored on this computer?"):
            self.clear_data(app_id)

    def clear_data(self, app_id: str) -> None:
        try:
            self.shell.clear_data(app_id)
        except BundleError as exc:  # the app runs in another FinClip process
            self.status.setText(str(exc))
            return
        self.status.setText(f"Cleared the data of {app_id}")

    def _uninstall(self) -> None:
        app_id = self.selected()
        if app_id and self._confirm(f"Uninstall {app_id} and delete its data?"):
            self.uninstall(app_id)

    def uninstall(self, app_id: str) -> None:
        try:
            self.shell.clear_data(app_id)
        except BundleError as exc:
            self.status.setText(str(exc))
            return
        self.catalog.uninstall(app_id)
        self.refresh()
        if self.server_panel is not None:
            self.server_panel.refresh()
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
