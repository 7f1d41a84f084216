"""The host services of :mod:`.host` implemented with Qt, for the real shell.

The shell creates one ``QtHost`` per container, passing the widget that shows the app
(for window metrics and dialog parents) and its permission store's callables. Every
method runs on the Qt main thread (capabilities using it are not ``blocking``), except
``network_type`` which only reads a cached value. Qt modules that may be absent
(Positioning) are imported lazily, so a missing one fails its API cleanly.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Future
from pathlib import Path
from typing import Any

from PySide6.QtCore import QLocale, QStandardPaths, QUrl
from PySide6.QtGui import QDesktopServices, QGuiApplication
from PySide6.QtWidgets import QFileDialog, QWidget

from finclip_desktop.capabilities.documents import TYPES
from finclip_desktop.capabilities.errors import CapabilityError
from finclip_desktop.capabilities.host import BaseHost, WindowMetrics

LOCATION_TIMEOUT_MS = 10_000
NO_LOCATION = "location service is not available on this device"


def position_fix(info: Any) -> dict[str, Any]:
    """A QGeoPositionInfo as getLocation's fields (0 where the source gives nothing)."""
    attrs = type(info).Attribute

    def attr(name: str) -> float:
        key = getattr(attrs, name)
        return float(info.attribute(key)) if info.hasAttribute(key) else 0.0

    coord = info.coordinate()
    altitude = coord.altitude()
    return {
        "latitude": coord.latitude(),
        "longitude": coord.longitude(),
        "altitude": 0.0 if altitude != altitude else altitude,  # NaN when 2D
        "speed": max(attr("GroundSpeed"), 0.0),
        "accuracy": attr("HorizontalAccuracy"),
        "horizontalAccuracy": attr("HorizontalAccuracy"),
        "verticalAccuracy": attr("VerticalAccuracy"),
    }


class QtHost(BaseHost):
    def __init__(
        self,
        view: QWidget | None = None,
        permission_settings: Callable[[str], dict[str, bool]] | None = None,
        open_permission_settings: Callable[[str], Any] | None = None,
    ) -> None:
        super().__init__()
        self.view = view
        self._settings = permission_settings
        self._open_settings = open_permission_settings
        self._keep: set[Any] = set()  # Qt objects alive until their answer arrives
        self._connections: list[tuple[Any, Callable[..., None]]] = []

    # -- screen and locale ------------------------------------------------------------------
    def window_metrics(self) -> WindowMetrics:
        screen = (self.view.screen() if self.view is not None else None) or (
            QGuiApplication.primaryScreen()
        )
        if screen is None:
            return super().window_metrics()
        size = screen.geometry()
        width = self.view.width() if self.view is not None else size.width()
        height = self.view.height() if self.view is not None else size.height()
        return WindowMetrics(
            screen_width=size.width(),
            screen_height=size.height(),
            window_width=width,
            window_height=height,
            pixel_ratio=float(screen.devicePixelRatio()),
        )

    def theme(self) -> str:
        scheme = QGuiApplication.styleHints().colorScheme()
        return "dark" if scheme.name == "Dark" else "light"

    def language(self) -> str:
        name = QLocale.system().name()
        return "en" if name in ("C", "") else name

    def network_type(self) -> str:
        from PySide6.QtNetwork import QNetworkInformation

        info = QNetworkInformation.instance()
        if info is None and QNetworkInformation.loadDefaultBackend():
            info = QNetworkInformation.instance()
        if info is None:
            return "unknown"
        if info.reachability() == QNetworkInformation.Reachability.Disconnected:
            return "none"
        medium = info.transportMedium()
        return {
            QNetworkInformation.TransportMedium.WiFi: "wifi",
            QNetworkInformation.TransportMedium.Ethernet: "ethernet",
            QNetworkInformation.TransportMedium.Cellular: "4g",
        }.get(medium, "unknown")

    def watch(self, emit: Callable[[str, dict[str, Any]], None]) -> None:
        """Forward OS changes to the app as host events (``networkStatusChange``,
        ``themeChange``) through ``emit`` (the container's ``CallContext.emit``)."""
        from PySide6.QtNetwork import QNetworkInformation

        def network_changed(*_: Any) -> None:
            kind = self.network_type()
            emit("networkStatusChange", {"isConnected": kind != "none", "networkType": kind})

        def theme_changed(*_: Any) -> None:
            emit("themeChange", {"theme": self.theme()})

        self.close()
        hints = QGuiApplication.styleHints()
        hints.colorSchemeChanged.connect(theme_changed)
        self._connections.append((hints.colorSchemeChanged, theme_changed))
        info = QNetworkInformation.instance()
        if info is None and QNetworkInformation.loadDefaultBackend():
            info = QNetworkInformation.instance()
        if info is not None:
            for signal in (info.reachabilityChanged, info.transportMediumChanged):
                signal.connect(network_changed)
                self._connections.append((signal, network_changed))

    def close(self) -> None:
        """Stop watching (CallContext.close() calls this when the app closes)."""
        connections, self._connections = self._connections, []
        for signal, slot in connections:
            try:
                signal.disconnect(slot)
            except (RuntimeError, TypeError):
                pass  # already gone with its object

    # -- clipboard --------------------------------------------------------------------------
    def clipboard_text(self) -> str:
        return QGuiApplication.clipboard().text()

    def set_clipboard_text(self, text: str) -> None:
        QGuiApplication.clipboard().setText(text)

    # -- location ---------------------------------------------------------------------------
    def get_location(self, kind: str) -> Future[dict[str, Any]]:
        try:
            from PySide6.QtPositioning import QGeoPositionInfoSource
        except ImportError:
            raise CapabilityError(NO_LOCATION) from None
        source = QGeoPositionInfoSource.createDefaultSource(None)
        if source is None:
            raise CapabilityError(NO_LOCATION)
        out: Future[dict[str, Any]] = Future()
        self._keep.add(source)

        def finish() -> None:
            self._keep.discard(source)
            source.deleteLater()

        def updated(info: Any) -> None:
            if not out.done():
                out.set_result(position_fix(info))
            finish()

        def failed(error: Any) -> None:
            if not out.done():
                out.set_exception(CapabilityError(f"{NO_LOCATION} ({error.name})"))
            finish()

        source.positionUpdated.connect(updated)
        source.errorOccurred.connect(failed)
        source.requestUpdate(LOCATION_TIMEOUT_MS)
        return out

    # -- dialogs and the desktop ------------------------------------------------------------
    def choose_files(self, kind: str, count: int, extensions: tuple[str, ...]) -> Future[list[str]]:
        dialog = QFileDialog(self.view)
        dialog.setFileMode(
            QFileDialog.FileMode.ExistingFiles if count > 1 else QFileDialog.FileMode.ExistingFile
        )
        if extensions:
            dialog.setNameFilter(" ".join(f"*{e}" for e in extensions))
        out: Future[list[str]] = Future()
        self._keep.add(dialog)

        def finished(result: int) -> None:
            out.set_result(dialog.selectedFiles() if result else [])
            self._keep.discard(dialog)
            dialog.deleteLater()

        dialog.finished.connect(finished)
        dialog.open()
        return out

    def open_document(self, path: Path) -> None:
        """Hand a checked document (see :mod:`.documents`) to the system's viewer; a file
        of any other type is refused here too."""
        if path.suffix.lower().lstrip(".") not in TYPES:
            raise CapabilityError(f"{path.name} is not a document the viewer may open")
        if not QDesktopServices.openUrl(QUrl.fromLocalFile(str(path))):
            raise CapabilityError("no application can open this document")

    def pictures_dir(self) -> Path:
        location = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.PicturesLocation)
        if not location:
            raise CapabilityError("no pictures folder is available")
        return Path(location)

    # -- permissions ------------------------------------------------------------------------
    def permission_settings(self, app_id: str) -> dict[str, bool]:
        return self._settings(app_id) if self._settings else {}

    def open_permission_settings(self, app_id: str) -> Any:
        if self._open_settings is None:
            return super().open_permission_settings(app_id)
        return self._open_settings(app_id)
