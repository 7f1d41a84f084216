"""Host services a capability may need from the shell (clipboard, screen, dialogs, ...).

The shell passes an object implementing :class:`Host` in each :class:`CallContext`;
tests pass a plain Python object. :class:`BaseHost` is a complete implementation whose
optional services fail cleanly, so a host overrides only what it can provide.

Threading: capabilities that are not ``blocking`` run on the thread that called
``Registry.invoke`` (the Qt main thread in the shell), so they may touch Qt objects.
``blocking`` capabilities run on a worker thread and only call the thread-safe services
marked so below.
"""

from __future__ import annotations

import locale
from concurrent.futures import Future
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

from finclip_desktop.capabilities.errors import CapabilityError

# The capsule (more / close) the shell draws over the page's top-right corner, in CSS px.
CAPSULE_WIDTH, CAPSULE_HEIGHT, CAPSULE_TOP, CAPSULE_RIGHT_MARGIN = 87, 32, 4, 7


@dataclass(frozen=True)
class WindowMetrics:
    """Sizes in CSS pixels of the screen and of the mini-app's page area."""

    screen_width: int = 1280
    screen_height: int = 800
    window_width: int = 375
    window_height: int = 667
    pixel_ratio: float = 1.0
    status_bar_height: int = 0
    screen_top: int = 0


@runtime_checkable
class Host(Protocol):
    """What the shell provides. Unless marked, a method runs on the Qt main thread and must
    not block (answer with a Future to take time); raising CapabilityError fails the call
    with its reason."""

    def window_metrics(self) -> WindowMetrics: ...
    def theme(self) -> str: ...  # "light" | "dark"
    def language(self) -> str: ...  # e.g. "zh_CN", "en"
    def network_type(self) -> str: ...  # wifi | ethernet | unknown | none (thread-safe)
    def clipboard_text(self) -> str: ...
    def set_clipboard_text(self, text: str) -> None: ...
    def get_location(self, kind: str) -> dict[str, Any] | Future[dict[str, Any]]: ...

    def login_code(self, app_id: str) -> dict[str, Any]:
        """``{"code": str, "expires_in": seconds}`` from the management server for this
        device and app (``POST /login/code``). Runs on a worker thread (wx.login is a
        blocking capability): thread-safe, may block on the network."""
        ...

    def user_info(self, app_id: str) -> dict[str, Any]:
        """The signed-in user as WeChat's userInfo (``nickName``, ``avatarUrl``, ...),
        asked only after the user consented to ``scope.userInfo``."""
        ...

    def report_event(self, app_id: str, name: str, data: dict[str, Any]) -> None:
        """Queue a wx.reportEvent (the store's stats queue); must not block."""
        ...

    def choose_files(
        self, kind: str, count: int, extensions: tuple[str, ...]
    ) -> list[str] | Future[list[str]]:
        """Paths the user picked (``[]`` = cancelled); ``kind``: image | media | file."""
        ...

    def open_document(self, path: Path) -> None:
        """Show a document in the system's viewer. ``path`` was checked by
        :mod:`.documents` (its extension is its verified type); refuse anything else."""
        ...

    def pictures_dir(self) -> Path: ...

    def check_update(self, app_id: str) -> dict[str, Any] | Future[dict[str, Any]]:
        """``{"hasUpdate": bool}`` (UpdateManager.onCheckForUpdate). When a staged update
        is ready, or fetching it failed, emit the host event ``updateReady`` /
        ``updateFailed`` to the app (``CallContext.emit``)."""
        ...

    def apply_update(self, app_id: str) -> None:
        """Restart the app on its staged version (UpdateManager.applyUpdate)."""
        ...

    def permission_settings(self, app_id: str) -> dict[str, bool]: ...  # decided scopes
    def open_permission_settings(
        self, app_id: str
    ) -> dict[str, bool] | Future[dict[str, bool]]: ...


class BaseHost:
    """Defaults for a host without UI: fixed metrics, in-memory clipboard, no devices."""

    def __init__(self) -> None:
        self._clipboard = ""
        self.reported: list[tuple[str, str, dict[str, Any]]] = []

    def window_metrics(self) -> WindowMetrics:
        return WindowMetrics()

    def theme(self) -> str:
        return "light"

    def language(self) -> str:
        return (locale.getlocale()[0] or "en").replace("-", "_")

    def network_type(self) -> str:
        return "unknown"

    def clipboard_text(self) -> str:
        return self._clipboard

    def set_clipboard_text(self, text: str) -> None:
        self._clipboard = text

    def get_location(self, kind: str) -> dict[str, Any] | Future[dict[str, Any]]:
        raise CapabilityError("location service is not available on this device")

    def login_code(self, app_id: str) -> dict[str, Any]:
        raise CapabilityError("no login server is configured")

    def user_info(self, app_id: str) -> dict[str, Any]:
        raise CapabilityError("no user is signed in to the host")

    def report_event(self, app_id: str, name: str, data: dict[str, Any]) -> None:
        self.reported.append((app_id, name, data))

    def choose_files(
        self, kind: str, count: int, extensions: tuple[str, ...]
    ) -> list[str] | Future[list[str]]:
        raise CapabilityError("no file dialog is available")

    def open_document(self, path: Path) -> None:
        raise CapabilityError("no document viewer is available")

    def pictures_dir(self) -> Path:
        raise CapabilityError("no pictures folder is available")

    def check_update(self, app_id: str) -> dict[str, Any] | Future[dict[str, Any]]:
        return {"hasUpdate": False}

    def apply_update(self, app_id: str) -> None:
        raise CapabilityError("no update is ready")

    def permission_settings(self, app_id: str) -> dict[str, bool]:
        return {}

    def open_permission_settings(self, app_id: str) -> dict[str, bool] | Future[dict[str, bool]]:
        raise CapabilityError("no settings page is available")
