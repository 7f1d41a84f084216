"""The inspector of `finclip dev`: Chromium's DevTools for the app's page, docked in the
app's own window, to the right of the app (a splitter: the app keeps its width, so its
layout and ``rpx`` do not change; the window grows by the panel's width)."""

from __future__ import annotations

from typing import Any

import shiboken6
from PySide6.QtCore import QEvent, QObject, QPoint, Qt, QTimer
from PySide6.QtWebEngineWidgets import QWebEngineView
from PySide6.QtWidgets import QSplitter, QVBoxLayout, QWidget

from finclip_desktop.capabilities.host import CAPSULE_RIGHT_MARGIN, CAPSULE_TOP, CAPSULE_WIDTH

PANEL_WIDTH = 640


class DevToolsPanel(QWidget):
    """The inspector beside ``window.view`` (a ContainerWindow: ``view``, ``capsule``)."""

    def __init__(self, window: Any, page: Any) -> None:
        super().__init__()
        self.setObjectName("finclip-devtools")
        self.app_window = window
        self.view = QWebEngineView(self)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.view)
        page.setDevToolsPage(self.view.page())
        self.view.page().windowCloseRequested.connect(lambda: self.set_shown(False))  # its ✕
        app_view = window.view
        self.splitter = QSplitter(Qt.Orientation.Horizontal, window)
        self.splitter.setChildrenCollapsible(False)
        window.layout().replaceWidget(app_view, self.splitter)
        self.splitter.addWidget(app_view)
        self.splitter.addWidget(self)
        self.splitter.setStretchFactor(0, 0)  # a wider window widens the inspector
        self.splitter.setStretchFactor(1, 1)
        self.splitter.splitterMoved.connect(lambda *_: self._place_capsule())
        self._filter = _CapsuleKeeper(self)
        window.installEventFilter(self._filter)
        app_view.installEventFilter(self._filter)
        self.setVisible(False)

    def is_shown(self) -> bool:
        """Whether the panel is open (also while its window is hidden)."""
        return not self.isHidden()

    def set_shown(self, shown: bool) -> None:
        """Open or close the panel; the window grows or shrinks by its width."""
        if shown == self.is_shown():
            return
        window = self.app_window
        app_width = window.view.width() if self.is_shown() else window.width()
        if shown:
            self.setVisible(True)
            window.resize(app_width + self.splitter.handleWidth() + PANEL_WIDTH, window.height())
        else:
            self.setVisible(False)
            window.resize(app_width, window.height())
        window.layout().activate()  # the splitter has its new width now
        if shown:
            self.splitter.setSizes([app_width, self.splitter.width() - app_width])
        self._place_capsule()

    def _place_capsule(self) -> None:
        """The capsule stays at the app view's top-right corner, not the window's."""
        window = self.app_window
        if not shiboken6.isValid(window) or not shiboken6.isValid(window.view):
            return
        corner = window.view.mapTo(window, QPoint(window.view.width(), 0))
        window.capsule.move(
            corner.x() - CAPSULE_WIDTH - CAPSULE_RIGHT_MARGIN, corner.y() + CAPSULE_TOP
        )
        window.capsule.raise_()

    def later(self) -> None:
        """Place the capsule once the window has handled the current resize (its own
        resizeEvent puts the capsule at the window's edge)."""
        QTimer.singleShot(0, self, self._place_capsule)


class _CapsuleKeeper(QObject):
    def __init__(self, panel: DevToolsPanel) -> None:
        super().__init__(panel)
        self.panel = panel

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt API
        if event.type() in (QEvent.Type.Resize, QEvent.Type.Show, QEvent.Type.Move):
            self.panel.later()
        return False
