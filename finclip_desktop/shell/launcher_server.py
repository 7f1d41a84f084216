"""The launcher's server side: "Available from <server>" (the catalogue apps not installed
here) with Install and a progress bar, "Check for updates", and an offline indicator.

Every network call runs on one background thread (jobs run one at a time, in order); results,
progress and errors come back to the UI thread through ``mainthread.call_in_main``.
"""

from __future__ import annotations

import html
import logging
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any
from urllib.parse import urlsplit

import shiboken6
from PySide6.QtCore import QSize, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QFont, QIcon, QPainter, QPixmap
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListView,
    QListWidget,
    QListWidgetItem,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from finclip_desktop.shell.catalog import AvailableApp
from finclip_desktop.shell.mainthread import call_in_main

log = logging.getLogger(__name__)
ROLE_APP = Qt.ItemDataRole.UserRole
MAX_BAR = 2**31 - 1  # QProgressBar holds an int
RECHECK_ONLINE_S = 30 * 60  # automatic catalogue refresh and update check
RECHECK_OFFLINE_S = 60


def app_icon(app_id: str, name: str, data: bytes, badge: bool = False) -> QIcon:
    """The app's icon (its PNG bytes, else a coloured initial); ``badge`` adds a dot."""
    pixmap = QPixmap()
    if not (data and pixmap.loadFromData(data)):
        pixmap = QPixmap(64, 64)
        pixmap.fill(QColor.fromHsv(sum(map(ord, app_id)) % 360, 90, 200))
        painter = QPainter(pixmap)
        font = QFont()
        font.setPixelSize(34)
        font.setBold(True)
        painter.setFont(font)
        painter.setPen(Qt.GlobalColor.white)
        painter.drawText(pixmap.rect(), Qt.AlignmentFlag.AlignCenter, name[:1].upper())
        painter.end()
    pixmap = pixmap.scaled(
        64, 64, Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.SmoothTransformation
    )
    if badge:
        painter = QPainter(pixmap)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(QColor("white"))
        painter.setBrush(QColor("#e8590c"))
        painter.drawEllipse(pixmap.width() - 22, 2, 20, 20)
        painter.end()
    return QIcon(pixmap)


def one_line(exc: BaseException) -> str:
    """A clear one-line message for a failed job (never a traceback)."""
    from finclip_desktop.store.errors import StoreError

    text = " ".join(str(exc).split())
    if isinstance(exc, StoreError) and text:
        return text
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


class ServerPanel(QWidget):
    """The server's apps for this device, install with progress, update checks."""

    changed = Signal()  # installed apps changed (install, staged or applied update)
    message = Signal(str)  # one line for the launcher's status line

    def __init__(self, catalog: Any, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.catalog = catalog
        self.online: bool | None = None
        self.updates: list[Any] = []
        self._pool = ThreadPoolExecutor(1, thread_name_prefix="finclip-launcher")
        self._pending = 0
        self.host = host = urlsplit(catalog.settings.server_url).netloc or "the server"
        self.title = QLabel(f"<b>Available from {html.escape(host)}</b>", self)
        self.offline = QLabel("● Offline", self)
        self.offline.setStyleSheet("color: #c92a2a;")
        self.offline.setAccessibleName("Offline")
        self.offline.setToolTip(f"{host} cannot be reached: installed apps keep working")
        self.offline.hide()
        self.refresh_button = QPushButton("&Refresh", self)
        self.updates_button = QPushButton("Check for up&dates", self)
        self.list = QListWidget(self)
        self.list.setAccessibleName("Available apps")
        self.list.setViewMode(QListView.ViewMode.ListMode)
        self.list.setIconSize(QSize(40, 40))
        self.list.setSpacing(2)
        self.list.setWordWrap(True)
        self.empty = QLabel("", self)
        self.empty.setEnabled(False)
        self.install_button = QPushButton("&Install", self)
        self.progress = QProgressBar(self)
        self.progress.setAccessibleName("Install progress")
        self.progress.hide()
        header = QHBoxLayout()
        header.addWidget(self.title)
        header.addWidget(self.offline)
        header.addStretch(1)
        header.addWidget(self.refresh_button)
        header.addWidget(self.updates_button)
        footer = QHBoxLayout()
        footer.addWidget(self.install_button)
        footer.addWidget(self.progress, 1)
        footer.addStretch(0)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 6, 0, 0)
        layout.addLayout(header)
        layout.addWidget(self.list, 1)
        layout.addWidget(self.empty)
        layout.addLayout(footer)
        self.refresh_button.clicked.connect(self.refresh)
        self.updates_button.clicked.connect(self.check_updates)
        self.install_button.clicked.connect(lambda: self.install(self.selected()))
        self.list.itemActivated.connect(lambda item: self.install(item.data(ROLE_APP)))
        self.list.currentItemChanged.connect(lambda *_: self._update_buttons())
        self.destroyed.connect(lambda: self._pool.shutdown(wait=False, cancel_futures=True))
        self._timer = QTimer(self)
        self._timer.timeout.connect(self.recheck)
        self._timer.start(RECHECK_ONLINE_S * 1000)
        self.recheck()

    def recheck(self) -> None:
        """The automatic refresh (at start, then periodically): catalogue and updates."""
        if not self.busy:
            self.refresh()
            self.check_updates(quiet=True)

    # -- state --------------------------------------------------------------------------
    @property
    def busy(self) -> bool:
        return self._pending > 0

    def available_apps(self) -> list[str]:
        """App ids listed under "Available" (visible ones: the search applies)."""
        return [
            self.list.item(r).data(ROLE_APP)
            for r in range(self.list.count())
            if not self.list.item(r).isHidden()
        ]

    def selected(self) -> str | None:
        item = self.list.currentItem()
        return item.data(ROLE_APP) if item is not None and not item.isHidden() else None

    def filter(self, text: str) -> None:
        needle = text.strip().lower()
        for row in range(self.list.count()):
            item = self.list.item(row)
            haystack = f"{item.text()} {item.data(ROLE_APP)}".lower()
            item.setHidden(bool(needle) and needle not in haystack)

    def _update_buttons(self) -> None:
        self.install_button.setEnabled(not self.busy and self.selected() is not None)
        self.updates_button.setEnabled(not self.busy)
        self.refresh_button.setEnabled(not self.busy)

    def _set_online(self, online: bool | None) -> None:
        self.online = online
        self._timer.setInterval(1000 * (RECHECK_OFFLINE_S if online is False else RECHECK_ONLINE_S))
        self.offline.setVisible(online is False)
        self.empty.setText(
            "Cannot list the server's apps while offline." if online is False
            else "Every app the server offers is installed."
        )  # fmt: skip
        self.empty.setVisible(self.list.count() == 0)
        self._update_buttons()

    # -- jobs ---------------------------------------------------------------------------
    def _run(
        self, job: Callable[[], Any], done: Callable[[Any], None], quiet: bool = False
    ) -> Future:
        """Run ``job`` on the background thread; ``done(result)`` or the error message
        then runs on the UI thread (unless this panel is gone by then). ``quiet``: being
        offline only shows in the indicator."""
        self._pending += 1
        self._update_buttons()
        future = self._pool.submit(job)
        future.add_done_callback(lambda f: call_in_main(lambda: self._finish(f, done, quiet)))
        return future

    def _finish(self, future: Future, done: Callable[[Any], None], quiet: bool) -> None:
        if not shiboken6.isValid(self):
            return
        self._pending -= 1
        exc = future.exception()
        if exc is None:
            done(future.result())
        else:
            from finclip_desktop.store.errors import OfflineError

            offline = isinstance(exc, OfflineError)
            if offline:
                self._set_online(False)
            else:
                log.warning("launcher job failed", exc_info=exc)
            self.progress.hide()
            if not (quiet and offline):
                self.message.emit(one_line(exc))
        self._update_buttons()

    def refresh(self) -> Future:
        """Ask the server for its catalogue (in the background)."""
        self.progress.hide()
        return self._run(self.catalog.available, self._show_available)

    def _show_available(self, result: tuple[list[AvailableApp], bool | None]) -> None:
        apps, online = result
        self.list.clear()
        for app in apps:
            text = f"{app.name}  {app.version}"
            if app.description:
                text += f"\n{app.description}"
            item = QListWidgetItem(app_icon(app.app_id, app.name, app.icon), text)
            item.setData(ROLE_APP, app.app_id)
            item.setToolTip(f"{app.name} {app.version}\n{app.app_id}\n{app.description}")
            self.list.addItem(item)
        if self.list.count():
            self.list.setCurrentRow(0)
        self._set_online(online)
        if online is False:
            self.message.emit(
                f"Offline: {self.host} cannot be reached; installed apps keep working"
            )
        window = self.window()
        search = getattr(window, "search", None)
        if search is not None:
            self.filter(search.text())

    def install(self, app_id: str | None) -> Future | None:
        """Install ``app_id`` from the server, showing its progress (in the background)."""
        if not app_id or self.busy:
            return None
        name = next(
            (self.list.item(r).text().split("  ")[0] for r in range(self.list.count())
             if self.list.item(r).data(ROLE_APP) == app_id), app_id,
        )  # fmt: skip
        self.progress.setRange(0, 0)  # busy until the first bytes arrive
        self.progress.setFormat(f"Installing {name}…")
        self.progress.show()
        self.message.emit(f"Installing {name}…")

        return self._run(
            lambda: self.catalog.install(app_id, progress=self._reporter()),
            lambda version: self._installed(app_id, name, version),
        )

    def _reporter(self) -> Callable[[int, int], None]:
        """A store ``progress(done, total)`` callback (called on the background thread)."""

        def report(done: int, total: int) -> None:
            call_in_main(lambda: self._show_progress(done, total))

        return report

    def _show_progress(self, done: int, total: int) -> None:
        if not shiboken6.isValid(self) or total <= 0:
            return
        self.progress.show()
        scale = max(1, -(-total // MAX_BAR))
        self.progress.setRange(0, total // scale)
        self.progress.setValue(min(done, total) // scale)
        self.progress.setFormat(f"%p%  ({done // 1024:,} of {total // 1024:,} KB)")

    def _installed(self, app_id: str, name: str, version: str) -> None:
        if self.progress.maximum() == 0:  # already complete in the cache: nothing downloaded
            self.progress.setRange(0, 1)
            self.progress.setValue(1)
        self.progress.setFormat("Installed")
        for row in range(self.list.count()):
            if self.list.item(row).data(ROLE_APP) == app_id:
                self.list.takeItem(row)
                break
        self._set_online(True)
        self.message.emit(f"Installed {name} {version}")
        self.changed.emit()

    def check_updates(self, quiet: bool = False) -> Future:
        """Download and verify updates of the installed apps (in the background); they
        apply on each app's next launch (mandatory ones at once). ``quiet``: say only
        what was found (the automatic check)."""
        self.progress.hide()
        if not quiet:
            self.progress.setRange(0, 0)  # busy until a download reports its size
            self.progress.setFormat("Checking for updates…")
            self.progress.show()
            self.message.emit("Checking for updates…")
        return self._run(
            lambda: self.catalog.check_updates(progress=self._reporter()),
            lambda found: self._updates_checked(found, quiet),
            quiet,
        )

    def _updates_checked(self, updates: list[Any], quiet: bool) -> None:
        self.updates = [u for u in updates if u.staged]
        failed = [u for u in updates if not u.staged]
        self._set_online(True)
        if self.progress.isVisible():
            self.progress.setRange(0, 1)
            self.progress.setValue(1)
            self.progress.setFormat("Updates checked")
        parts = []
        if self.updates:
            names = ", ".join(f"{u.app_id} {u.version}" for u in self.updates)
            parts.append(f"Update ready: {names} (applies on next launch)")
        if failed:
            parts.append("Update failed: " + "; ".join(
                f"{u.app_id} {u.version}: {u.error}" for u in failed))  # fmt: skip
        if parts:
            self.message.emit("; ".join(parts))
        elif not quiet:
            self.message.emit("All apps are up to date")
        self.changed.emit()  # staged updates, and apps the server withdrew
