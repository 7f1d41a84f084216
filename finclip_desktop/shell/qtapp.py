"""Process-level Qt setup: sandbox rule, engine flags, the ``finclip`` scheme, the one QApplication.

Order matters: :func:`prepare_environment` runs before Qt WebEngine starts (it reads the
sandbox variable at start-up); :func:`application` sets the engine's flags and registers the
scheme before the QApplication exists.
"""

from __future__ import annotations

import logging
import os
import sys

SCHEME = "finclip"
FILE_SCHEME = "wxfile"  # an app's own files (wx.env.USER_DATA_PATH), for <image src>
ROOT_REFUSAL = (
    "refusing to run as root: the web engine sandbox cannot work for root; "
    "run as a normal user, or pass --no-sandbox if you accept the risk (CI containers)"
)
NO_DISPLAY = (
    "no display: DISPLAY and WAYLAND_DISPLAY are unset, so no window can open; use "
    "`finclip run APP --screenshot FILE.png` or `--dump-text FILE` for headless runs, "
    "or set QT_QPA_PLATFORM=offscreen"
)


# Start-up notes of a machine without a GPU (software rendering is used): logged at debug
# level instead of printed; every other Qt message still reaches stderr.
HARMLESS_QT_MESSAGES = (
    "QRhiGles2: Failed to create",
    "Failed to create RHI for backend",
    "This plugin does not support createPlatformVulkanInstance",
    "QVulkanInstance: Failed to initialize Vulkan",
    "GBM is not supported",
    "GPUInfo not initialized",
)
log = logging.getLogger(__name__)


class ShellStartError(RuntimeError):
    """The shell cannot start; ``str()`` is one line for the user."""


def is_root() -> bool:
    return hasattr(os, "geteuid") and os.geteuid() == 0


def no_display() -> bool:
    """Whether Qt has nowhere to show a window: Linux without ``DISPLAY`` or
    ``WAYLAND_DISPLAY``, and no ``QT_QPA_PLATFORM`` chosen (offscreen, vnc, ...)."""
    return (
        sys.platform.startswith("linux")
        and not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))
        and not os.environ.get("QT_QPA_PLATFORM")
    )


def prepare_environment(no_sandbox: bool = False, headless: bool = False) -> None:
    """Apply the display and sandbox rules; must run before the first QtWebEngine import
    starts Qt.

    On Linux without a display (and no ``QT_QPA_PLATFORM`` chosen), ``headless`` runs
    (screenshots, text dumps) use Qt's offscreen platform; any other start is refused
    (Qt would abort opening the X11 or Wayland connection).
    """
    if no_display():
        if not headless:
            raise ShellStartError(NO_DISPLAY)
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
    if no_sandbox:
        os.environ["QTWEBENGINE_DISABLE_SANDBOX"] = "1"
    elif is_root() and os.environ.get("QTWEBENGINE_DISABLE_SANDBOX") != "1":
        raise ShellStartError(ROOT_REFUSAL)


# Flags the engine starts with; a default the user already gave (another --log-level, ...)
# stays, a forced flag replaces any other value.
DEFAULT_FLAGS = (
    "--disable-background-networking",  # no traffic of its own (safe browsing, updates, ...)
    "--log-level=3",  # Chromium's internal errors (no D-Bus, ...): fatal only
)
# WebRTC reaches the network past the interceptor and the CSP: the page guard (guard.py)
# removes it; without UDP, STUN and direct peers stay off even if a page kept it.
FORCED_FLAGS = ("--force-webrtc-ip-handling-policy=disable_non_proxied_udp",)


def _flag_name(flag: str) -> str:
    return flag.split("=", 1)[0]


def engine_flags() -> None:
    """Put the default and forced flags into ``QTWEBENGINE_CHROMIUM_FLAGS`` (read when the
    engine starts)."""
    forced = {_flag_name(f) for f in FORCED_FLAGS}
    given_flags = os.environ.get("QTWEBENGINE_CHROMIUM_FLAGS", "").split()
    flags = [f for f in given_flags if _flag_name(f) not in forced] + list(FORCED_FLAGS)
    given = {_flag_name(f) for f in flags}
    flags += [f for f in DEFAULT_FLAGS if _flag_name(f) not in given]
    os.environ["QTWEBENGINE_CHROMIUM_FLAGS"] = " ".join(flags)


def _qt_message(mode, context, message: str) -> None:
    if message.startswith(HARMLESS_QT_MESSAGES):
        log.debug("qt: %s", message)
    else:
        print(message, file=sys.stderr)


_scheme_registered = False


def register_scheme() -> None:
    """Declare ``finclip://<appId>/...`` (secure, CORS-enabled, no local access) and
    ``wxfile://usr/...`` (secure; images and media of the app's own files).

    Idempotent; must run before the QApplication is created.
    """
    global _scheme_registered
    if _scheme_registered:
        return
    from PySide6.QtWebEngineCore import QWebEngineUrlScheme

    flags = QWebEngineUrlScheme.Flag
    scheme = QWebEngineUrlScheme(SCHEME.encode())
    scheme.setSyntax(QWebEngineUrlScheme.Syntax.Host)
    # FetchApiAllowed: fetch() of the app's own files (and the sync bridge) needs it.
    scheme.setFlags(flags.SecureScheme | flags.CorsEnabled | flags.FetchApiAllowed)
    QWebEngineUrlScheme.registerScheme(scheme)
    files = QWebEngineUrlScheme(FILE_SCHEME.encode())
    files.setSyntax(QWebEngineUrlScheme.Syntax.Host)
    files.setFlags(flags.SecureScheme)
    QWebEngineUrlScheme.registerScheme(files)
    _scheme_registered = True


def application():
    """The process's QApplication, created once (scheme registered first)."""
    from PySide6.QtCore import QCoreApplication, Qt, qInstallMessageHandler
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance()
    if app is not None:
        return app
    engine_flags()
    register_scheme()
    qInstallMessageHandler(_qt_message)
    # Needed: without it the shell crashes in QApplication.quit() (offscreen, Qt 6.11), even
    # though Qt WebEngine would share its OpenGL context by itself. It costs PySide building
    # every enum of the ``Qt`` namespace (~20 ms), which the floor never does.
    QCoreApplication.setAttribute(Qt.ApplicationAttribute.AA_ShareOpenGLContexts)
    import PySide6.QtWebEngineWidgets  # noqa: F401 - the engine must load before the app

    app = QApplication([sys.argv[0] if sys.argv else "finclip"])
    app.setApplicationName("finclip-desktop")
    app.setApplicationDisplayName("FinClip")
    app.setQuitOnLastWindowClosed(False)
    return app
