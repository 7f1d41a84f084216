"""The container window: the app's view with a native capsule (more / close) top-right."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QSize, Qt, QTimer
from PySide6.QtGui import QCloseEvent, QKeySequence, QShortcut
from PySide6.QtWebEngineWidgets import QWebEngineView
from PySide6.QtWidgets import QFrame, QHBoxLayout, QMenu, QToolButton, QVBoxLayout, QWidget

from finclip_desktop.capabilities.host import (
    CAPSULE_HEIGHT,
    CAPSULE_RIGHT_MARGIN,
    CAPSULE_TOP,
    CAPSULE_WIDTH,
)

DEFAULT_SIZE = QSize(375, 667)
CAPSULE_SIZE = QSize(CAPSULE_WIDTH, CAPSULE_HEIGHT)


class Capsule(QFrame):
    """The more / close pill that mobile mini-app hosts draw over the navigation bar."""

    def __init__(
        self, parent: QWidget, on_more: Callable[[], None], on_close: Callable[[], None]
    ) -> None:
        super().__init__(parent)
        self.setObjectName("capsule")
        self.setFixedSize(CAPSULE_SIZE)
        self.setStyleSheet(
            "#capsule { background: rgba(255,255,255,0.85); border: 1px solid rgba(0,0,0,0.12);"
            " border-radius: 16px; } QToolButton { border: none; font-size: 15px; }"
        )
        layout = QHBoxLayout(self)
        layout.setContentsMargins(6, 0, 6, 0)
        layout.setSpacing(0)
        self.more = QToolButton(self, text="•••", toolTip="More")
        self.more.setAccessibleName("More")
        self.close_button = QToolButton(self, text="✕", toolTip="Close")
        self.close_button.setAccessibleName("Close")
        sep = QFrame(self)
        sep.setFrameShape(QFrame.Shape.VLine)
        sep.setStyleSheet("color: rgba(0,0,0,0.15);")
        for w in (self.more, sep, self.close_button):
            layout.addWidget(w)
        self.more.clicked.connect(on_more)
        self.close_button.clicked.connect(on_close)


class ContainerWindow(QWidget):
    """Top-level window of one app. Closing it closes the app's container."""

    def __init__(
        self,
        title: str,
        page,
        menu_actions: list[tuple[str, Callable[[], None]]],
        on_close: Callable[[], None],
    ) -> None:
        super().__init__()
        self.setWindowTitle(title)
        self.resize(DEFAULT_SIZE)
        self._on_close: Callable[[], None] | None = on_close
        self.on_visibility: Callable[[bool], None] | None = None  # shown/restored vs hidden
        self._hidden = False
        self.view = QWebEngineView(self)
        self.view.setPage(page)
        self.view.setContextMenuPolicy(Qt.ContextMenuPolicy.NoContextMenu)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.view)
        self.menu = QMenu(self)
        for label, action in menu_actions:
            self.menu.addAction(label, action)
        self.capsule = Capsule(self, self._show_menu, self.close)
        self.capsule.raise_()
        QShortcut(QKeySequence.StandardKey.Close, self, activated=self.close)

    def _show_menu(self) -> None:
        self.menu.popup(self.capsule.mapToGlobal(self.capsule.rect().bottomLeft()))

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt API
        super().resizeEvent(event)
        self.capsule.move(self.width() - CAPSULE_WIDTH - CAPSULE_RIGHT_MARGIN, CAPSULE_TOP)
        self.capsule.raise_()

    def changeEvent(self, event) -> None:  # noqa: N802 - Qt API
        super().changeEvent(event)
        if event.type() == QEvent.Type.WindowStateChange:
            self._visibility(not self.isMinimized())

    def showEvent(self, event) -> None:  # noqa: N802 - Qt API
        super().showEvent(event)
        self._visibility(True)

    def hideEvent(self, event) -> None:  # noqa: N802 - Qt API
        super().hideEvent(event)
        self._visibility(False)

    def _visibility(self, visible: bool) -> None:
        """Report hide and the show that follows it (the launch itself is not a show)."""
        if visible == (not self._hidden):
            return
        self._hidden = not visible
        if self.on_visibility is not None and self._on_close is not None:
            self.on_visibility(visible)

    def detach(self) -> None:
        """Forget the container (it is closing the window itself)."""
        self._on_close = None

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt API
        callback, self._on_close = self._on_close, None
        event.accept()
        if callback is not None:
            QTimer.singleShot(0, callback)  # not while Qt is inside this handler
