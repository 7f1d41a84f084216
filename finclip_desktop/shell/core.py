"""The shell: every running container of this process, the permission store and the rules
that decide whether an app may run at all (policy, developer mode, signatures)."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future
from pathlib import Path
from typing import Any

from PySide6.QtCore import QCoreApplication, QEventLoop, QObject, QTimer, Signal

from finclip_desktop.shell.bundle import AppBundle, BundleError, bundle_from_package
from finclip_desktop.shell.container import Container, app_dirs, clear_app_data
from finclip_desktop.shell.engine_proxy import apply_engine_proxy
from finclip_desktop.shell.mainthread import init_relay
from finclip_desktop.shell.permissions import PermissionStore, Prompter
from finclip_desktop.shell.qtapp import application
from finclip_desktop.shell.store_host import ShellHost, StoreServices
from finclip_desktop.shell.targets import load_settings
from finclip_desktop.shell.usage import usage_for

log = logging.getLogger(__name__)

PERMISSIONS_FILE = "permissions.json"
CLEAR_SETTLE_S = 3.0


def default_invoke() -> Callable[..., Future[dict[str, Any]]]:
    from finclip_desktop.capabilities import registry

    return registry.invoke


def preload_registry() -> None:
    """Build the default capability registry on a background thread once the first page
    painted (the runtime starts without a bridge call, and a thread importing every
    capability family during the launch would hold the GIL the launch needs): later calls
    find it ready. A call made before builds it on the spot."""
    from finclip_desktop.capabilities import registry

    threading.Thread(target=registry.default_registry, name="finclip-registry", daemon=True).start()


class Shell(QObject):
    """Opens, tracks and closes containers (one per app id)."""

    opened = Signal(str)
    closedApp = Signal(str)  # noqa: N815

    def __init__(
        self,
        settings: Any = None,
        data_root: Path | None = None,
        prompter: Prompter | None = None,
        invoke: Callable[..., Future[dict[str, Any]]] | None = None,
        dev_mode: bool | None = None,
        show_windows: bool = True,
    ) -> None:
        application()
        init_relay()
        super().__init__()
        from finclip_desktop.settings import data_dir

        self.settings = settings if settings is not None else load_settings()
        apply_engine_proxy(getattr(self.settings, "proxy", None) or "system")
        self.data_root = Path(data_root) if data_root is not None else data_dir()
        self.dev_mode = self.settings.developer_mode if dev_mode is None else dev_mode
        self.permissions = PermissionStore(self.data_root / PERMISSIONS_FILE, prompter)
        self.store_dir = self.data_root / "store"
        self.usage = usage_for(self.settings, self.store_dir, parent=self)
        self._preload = invoke is None
        self.invoke = invoke or default_invoke()
        if self.usage is not None:
            self.invoke = self.usage.wrap(self.invoke)
        self.show_windows = show_windows
        self.containers: dict[str, Container] = {}
        self.services = StoreServices(self)
        self._replacing: set[str] = set()
        self._first_painted = False
        self._watch_theme()

    # -- host events ----------------------------------------------------------------------
    def broadcast(self, name: str, payload: dict[str, Any]) -> None:
        """Send a host event to every running app."""
        for container in list(self.containers.values()):
            container.context.emit(name, payload)

    def _watch_theme(self) -> None:
        from PySide6.QtGui import QGuiApplication

        hints = QGuiApplication.styleHints()
        if hasattr(hints, "colorSchemeChanged"):
            hints.colorSchemeChanged.connect(
                lambda scheme: self.broadcast(
                    "themeChange", {"theme": "dark" if scheme.name == "Dark" else "light"}
                )
            )

    def _after_first_paint(self, _route: str = "") -> None:
        """Work that would only delay the first page: in the event loop's turn after it
        painted, relay network status changes and build the capability registry."""
        if not self._first_painted:
            self._first_painted = True
            QTimer.singleShot(0, self._load_network_backend)
            if self._preload:
                preload_registry()

    def _load_network_backend(self) -> None:
        try:
            from PySide6.QtNetwork import QNetworkInformation

            if QNetworkInformation.loadDefaultBackend() and QNetworkInformation.instance():
                QNetworkInformation.instance().reachabilityChanged.connect(self._network_changed)
        except Exception:  # noqa: BLE001 - no network information backend on this system
            log.info("network status changes will not be reported")

    def _network_changed(self, reachability) -> None:
        from PySide6.QtNetwork import QNetworkInformation

        online = reachability == QNetworkInformation.Reachability.Online
        info = QNetworkInformation.instance()
        kind = "none"
        if online and info is not None:
            medium = info.transportMedium()
            kind = {"Ethernet": "ethernet", "WiFi": "wifi", "Cellular": "4g"}.get(
                getattr(medium, "name", ""), "unknown"
            )
        self.broadcast("networkStatusChange", {"isConnected": online, "networkType": kind})

    # -- rules --------------------------------------------------------------------------
    def check_allowed(self, bundle: AppBundle) -> None:
        if not self.settings.app_allowed(bundle.app_id):
            raise BundleError(f"{bundle.app_id} is not allowed by your organisation's policy")
        if not bundle.signed and not self.dev_mode:
            raise BundleError(
                f"{bundle.app_id} is an unsigned folder: it runs only in developer mode "
                "(finclip run --dev, or turn developer mode on in settings)"
            )

    # -- containers ---------------------------------------------------------------------
    def open(
        self,
        bundle: AppBundle,
        launch_options: dict[str, Any] | None = None,
        show: bool | None = None,
    ) -> Container:
        """Run ``bundle`` (or bring its running container forward)."""
        self.check_allowed(bundle)
        running = self.containers.get(bundle.app_id)
        if running is not None and not running.is_closed:
            if running.window is not None:
                running.window.show()
                running.window.raise_()
                running.window.activateWindow()
            return running
        container = Container(
            bundle,
            self.data_root,
            self.permissions,
            self.invoke,
            dev_mode=self.dev_mode,
            allow_http_localhost=bool(getattr(self.settings, "allow_http_localhost", False)),
            launch_options=launch_options,
            parent=self,
            settings=self.settings,
        )
        self._add_window(container, self.show_windows if show is None else show)
        container.context.host = self._host_for(container)
        self.containers[bundle.app_id] = container
        container.closed.connect(lambda: self._forget(container))
        container.painted.connect(self._after_first_paint)
        if self.usage is not None:
            self.usage.watch(container)
        self.services.launched(container)
        container.load()
        self.opened.emit(bundle.app_id)
        return container

    def _add_window(self, container: Container, show: bool) -> None:
        from finclip_desktop.shell.window import ContainerWindow

        actions = [
            ("Permissions…", lambda: self.show_permissions(container.app_id)),
            ("Reload", container.load),
            ("About", lambda: self._about(container)),
        ]
        window = ContainerWindow(container.bundle.name, container.page, actions, container.close)
        window.on_visibility = lambda shown: container.context.emit(
            "appShow" if shown else "appHide", {}
        )
        container.window = window
        if show:
            window.show()

    def _host_for(self, container: Container) -> ShellHost:
        return ShellHost(
            self.services,
            view=container.window.view if container.window is not None else None,
            permission_settings=self.permissions.decisions,
            open_permission_settings=self._open_permission_settings,
        )

    def replace(self, container: Container, package: Any) -> Container | None:
        """Restart a running app on another verified version of it (an applied update);
        None when it is no longer running or the new version cannot be opened."""
        app_id = container.app_id
        if container.is_closed or self.containers.get(app_id) is not container:
            return None
        try:
            bundle = bundle_from_package(package, signed=True)
        except BundleError as exc:
            log.warning("cannot restart %s on its update: %s", app_id, exc)
            return None
        show = None if container.window is None else container.window.isVisible()
        self._replacing.add(app_id)  # not a close: the launcher and the shell app stay
        try:
            container.close()
        finally:
            self._replacing.discard(app_id)
        return self.open(bundle, show=show)

    def _open_permission_settings(self, app_id: str) -> dict[str, bool]:
        self.show_permissions(app_id)
        return self.permissions.decisions(app_id)

    def show_permissions(self, app_id: str, parent: Any = None) -> None:
        """The app's permission list, over ``parent`` (default: the app's window), which
        keeps the dialog alive until it is closed."""
        from PySide6.QtCore import Qt

        from finclip_desktop.shell.dialogs import PermissionsDialog

        parent = parent or self._parent_window(app_id)
        dialog = PermissionsDialog(self.permissions, app_id, parent)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()

    def _about(self, container: Container) -> None:
        from PySide6.QtWidgets import QMessageBox

        b = container.bundle
        QMessageBox.about(
            container.window,
            b.name,
            f"{b.name} {b.version}\n{b.app_id}\n"
            f"{'signed' if b.signed else 'unsigned (developer mode)'}",
        )

    def _parent_window(self, app_id: str):
        c = self.containers.get(app_id)
        return c.window if c is not None else None

    def _forget(self, container: Container) -> None:
        if self.containers.get(container.app_id) is container:
            del self.containers[container.app_id]
        if container.app_id not in self._replacing:
            self.closedApp.emit(container.app_id)

    def close_app(self, app_id: str) -> None:
        container = self.containers.get(app_id)
        if container is not None:
            container.close()

    def clear_data(self, app_id: str) -> None:
        """Close the app if running, then delete its storage, files and decisions."""
        self.close_app(app_id)
        base = app_dirs(self.data_root, app_id)["base"]
        deadline = time.monotonic() + CLEAR_SETTLE_S
        # The engine may still flush a closed profile's storage for a moment: delete until
        # the folder stays gone.
        while True:
            clear_app_data(self.data_root, app_id)
            settle_until = time.monotonic() + 0.15
            while time.monotonic() < settle_until:
                QCoreApplication.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 20)
                time.sleep(0.01)
            if not base.exists() or time.monotonic() > deadline:
                break
        self.permissions.revoke(app_id)

    def close_all(self) -> None:
        """Orderly shutdown: every page before its profile, per-app resources released;
        usage events sent within a short budget (the rest stay queued on disk)."""
        for container in list(self.containers.values()):
            container.close()
        self.services.close()
        if self.usage is not None:
            self.usage.flush()
