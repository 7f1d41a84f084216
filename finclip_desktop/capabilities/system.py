"""System information, settings and permissions, events, logs and desktop no-ops."""

from __future__ import annotations

import threading
import time
from concurrent.futures import Future
from pathlib import Path
from typing import Any

from finclip_desktop import __version__
from finclip_desktop.capabilities.errors import CapabilityError
from finclip_desktop.capabilities.host import (
    CAPSULE_HEIGHT,
    CAPSULE_RIGHT_MARGIN,
    CAPSULE_TOP,
    CAPSULE_WIDTH,
)
from finclip_desktop.capabilities.registry import CallContext, Capability, event, view
from finclip_desktop.capabilities.schema import SCOPE_ARG, Arg, json_text
from finclip_desktop.store.events import TEXT_LIMITS

# The WeChat base library level we emulate, reported as SDKVersion (apps compare it before
# using an API). The wx signatures we follow are those of base library 3.x (api-typings);
# 3.0.0 is the lowest 3.x level, and APIs of that level we lack answer false to canIUse,
# which apps should prefer. The host's own version is reported as `version`.
BASE_LIBRARY_VERSION = "3.0.0"
LOG_FILE_LIMIT = 1024 * 1024
NOT_ON_DESKTOP = "not supported on desktop"
FAILS_ON_DESKTOP = "fails cleanly: not available on desktop"
NO_OP = "does nothing on desktop (ok)"
# characters of a wx.reportEvent's data as JSON: what the server keeps (store/events.py)
MAX_EVENT_DATA = TEXT_LIMITS["message"]


def platform_name() -> str:
    import platform

    system = platform.system()
    return {"Windows": "windows", "Darwin": "mac"}.get(system, system.lower() or "unknown")


def system_version() -> str:
    import platform

    system = platform.system()
    if system == "Darwin":
        return f"macOS {platform.mac_ver()[0]}"
    if system == "Windows":
        return f"Windows {platform.release()}"
    return f"{system} {platform.release()}".strip()


# -- info -----------------------------------------------------------------------------------
# the fields each info API answers (Capability.returns, for wx.canIUse; the runtime's tests
# check them against the handlers' results)
_SAFE_AREA = tuple(f"safeArea.{k}" for k in ("left", "right", "top", "bottom", "width", "height"))
WINDOW_FIELDS = ("pixelRatio", "screenWidth", "screenHeight", "windowWidth", "windowHeight",
                 "statusBarHeight", "screenTop", *_SAFE_AREA)  # fmt: skip
MENU_BUTTON_FIELDS = ("width", "height", "top", "bottom", "left", "right")
DEVICE_FIELDS = ("brand", "model", "system", "platform", "abi", "benchmarkLevel", "cpuType",
                 "memorySize")  # fmt: skip
APP_BASE_FIELDS = ("SDKVersion", "version", "language", "theme", "enableDebug",
                   "fontSizeSetting", "host.appId")  # fmt: skip
SYSTEM_FIELDS = (*DEVICE_FIELDS, *WINDOW_FIELDS, *APP_BASE_FIELDS, "deviceOrientation",
                 "locationEnabled", "wifiEnabled")  # fmt: skip
ACCOUNT_FIELDS = ("miniProgram.appId", "miniProgram.envVersion", "miniProgram.version")
LAUNCH_FIELDS = ("path", "query", "scene", "referrerInfo")
NETWORK_FIELDS = ("networkType", "isConnected")


def window_info(ctx: CallContext, args: dict[str, Any] | None = None) -> dict[str, Any]:
    m = ctx.host.window_metrics()
    return {
        "pixelRatio": m.pixel_ratio,
        "screenWidth": m.screen_width,
        "screenHeight": m.screen_height,
        "windowWidth": m.window_width,
        "windowHeight": m.window_height,
        "statusBarHeight": m.status_bar_height,
        "screenTop": m.screen_top,
        "safeArea": {
            "left": 0,
            "right": m.window_width,
            "top": m.status_bar_height,
            "bottom": m.window_height,
            "width": m.window_width,
            "height": m.window_height - m.status_bar_height,
        },
    }


def menu_button_rect(ctx: CallContext, args: dict[str, Any] | None = None) -> dict[str, Any]:
    """Where the shell's capsule sits, for pages with a custom navigation bar."""
    right = ctx.host.window_metrics().window_width - CAPSULE_RIGHT_MARGIN
    return {
        "width": CAPSULE_WIDTH,
        "height": CAPSULE_HEIGHT,
        "top": CAPSULE_TOP,
        "bottom": CAPSULE_TOP + CAPSULE_HEIGHT,
        "left": right - CAPSULE_WIDTH,
        "right": right,
    }


def device_info(ctx: CallContext, args: dict[str, Any] | None = None) -> dict[str, Any]:
    import platform

    return {
        "brand": "desktop",
        "model": platform.machine() or "unknown",
        "system": system_version(),
        "platform": platform_name(),
        "abi": platform.machine(),
        "benchmarkLevel": -1,
        "cpuType": platform.processor() or platform.machine(),
        "memorySize": -1,
    }


def app_base_info(ctx: CallContext, args: dict[str, Any] | None = None) -> dict[str, Any]:
    return {
        "SDKVersion": BASE_LIBRARY_VERSION,
        "version": __version__,
        "language": ctx.host.language(),
        "theme": ctx.host.theme(),
        "enableDebug": bool(ctx.dev_mode),
        "fontSizeSetting": 16,
        "host": {"appId": ""},
    }


def system_info(ctx: CallContext, args: dict[str, Any] | None = None) -> dict[str, Any]:
    m = ctx.host.window_metrics()
    return {
        **device_info(ctx),
        **window_info(ctx),
        **app_base_info(ctx),
        "deviceOrientation": "landscape" if m.screen_width > m.screen_height else "portrait",
        "locationEnabled": False,
        "wifiEnabled": ctx.host.network_type() == "wifi",
    }


def account_info(ctx: CallContext, args: dict[str, Any]) -> dict[str, Any]:
    version = ctx.manifest.version if ctx.manifest is not None else ""
    env = ctx.settings.get("envVersion") or ("develop" if ctx.dev_mode else "release")
    return {"miniProgram": {"appId": ctx.app_id, "envVersion": env, "version": version}}


def launch_options(ctx: CallContext, args: dict[str, Any]) -> dict[str, Any]:
    options = ctx.settings.get("launchOptions") or {}
    return {
        "path": options.get("path", ""),
        "query": dict(options.get("query", {})),
        "scene": options.get("scene", 1001),
        "referrerInfo": dict(options.get("referrerInfo", {})),
    }


def network_type(ctx: CallContext, args: dict[str, Any]) -> dict[str, Any]:
    kind = ctx.host.network_type()
    return {"networkType": kind, "isConnected": kind != "none"}


# -- permissions ----------------------------------------------------------------------------
def get_setting(ctx: CallContext, args: dict[str, Any]) -> dict[str, Any]:
    return {"authSetting": dict(ctx.host.permission_settings(ctx.app_id))}


def open_setting(ctx: CallContext, args: dict[str, Any]) -> Any:
    settings = ctx.host.open_permission_settings(ctx.app_id)
    if isinstance(settings, Future):
        out: Future[dict[str, Any]] = Future()

        def changed(f: Future[dict[str, bool]]) -> None:
            if f.exception() is not None:
                out.set_exception(f.exception())  # type: ignore[arg-type]
            else:
                out.set_result({"authSetting": dict(f.result())})

        settings.add_done_callback(changed)
        return out
    return {"authSetting": dict(settings)}


def authorize(ctx: CallContext, args: dict[str, Any]) -> Future[dict[str, Any]]:
    scope = args["scope"]
    if not ctx.declares(scope):
        raise CapabilityError(f"permission {scope} is not declared by the app")
    out: Future[dict[str, Any]] = Future()

    def decided(f: Future[bool]) -> None:
        if f.exception() is None and f.result() is True:
            out.set_result({})
        else:
            out.set_exception(CapabilityError("auth deny"))

    ctx.ask_permission(scope).add_done_callback(decided)
    return out


# -- events and logs ------------------------------------------------------------------------
def report_event(ctx: CallContext, args: dict[str, Any]) -> dict[str, Any]:
    """Queue a custom event; its data as JSON must fit what the server keeps of it."""
    data = dict(args.get("data") or {})
    size = len(json_text(data))
    if size > MAX_EVENT_DATA:
        raise CapabilityError(
            f"data is too large: {size} characters as JSON (at most {MAX_EVENT_DATA})"
        )
    ctx.host.report_event(ctx.app_id, args["eventName"], data)
    return {}


class AppLog:
    """``data_dir/logs/app.log``: one JSON line per entry, rotated past 1 MB."""

    def __init__(self, folder: Path) -> None:
        self.path = folder / "app.log"
        self._lock = threading.Lock()

    def write(self, level: str, message: Any) -> None:
        line = json_text({"ts": round(time.time(), 3), "level": level, "args": message})
        with self._lock:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            if self.path.exists() and self.path.stat().st_size > LOG_FILE_LIMIT:
                self.path.replace(self.path.with_suffix(".log.1"))
            with self.path.open("a", encoding="utf-8") as f:
                f.write(line + "\n")


def write_log(ctx: CallContext, args: dict[str, Any]) -> dict[str, Any]:
    log = ctx.resource("log", lambda: AppLog(Path(ctx.data_dir) / "logs"))
    log.write(args["level"], args.get("args", []))
    return {}


def check_update(ctx: CallContext, args: dict[str, Any]) -> Any:
    return ctx.host.check_update(ctx.app_id)


def apply_update(ctx: CallContext, args: dict[str, Any]) -> dict[str, Any]:
    ctx.host.apply_update(ctx.app_id)
    return {}


def not_on_desktop(ctx: CallContext, args: dict[str, Any]) -> dict[str, Any]:
    raise CapabilityError(NOT_ON_DESKTOP)


def nothing(ctx: CallContext, args: dict[str, Any]) -> dict[str, Any]:
    return {}


CAPABILITIES = [
    Capability("getSystemInfo", system_info, None, returns=SYSTEM_FIELDS),
    Capability("getSystemInfoAsync", system_info, None, returns=SYSTEM_FIELDS),
    Capability("getSystemInfoSync", system_info, None, kind="sync", returns=SYSTEM_FIELDS),
    Capability("getWindowInfo", window_info, None, kind="sync", returns=WINDOW_FIELDS),
    Capability(
        "getMenuButtonBoundingClientRect",
        menu_button_rect,
        None,
        kind="sync",
        returns=MENU_BUTTON_FIELDS,
    ),
    Capability("getDeviceInfo", device_info, None, kind="sync", returns=DEVICE_FIELDS),
    Capability("getAppBaseInfo", app_base_info, None, kind="sync", returns=APP_BASE_FIELDS),
    Capability("getAccountInfoSync", account_info, None, kind="sync", returns=ACCOUNT_FIELDS),
    Capability("getLaunchOptionsSync", launch_options, None, kind="sync", returns=LAUNCH_FIELDS),
    Capability("getEnterOptionsSync", launch_options, None, kind="sync", returns=LAUNCH_FIELDS),
    Capability("getNetworkType", network_type, None, returns=NETWORK_FIELDS),
    Capability("getSetting", get_setting, None),
    Capability("openSetting", open_setting, None, note="opens the app's permissions dialog"),
    Capability("authorize", authorize, {"scope": SCOPE_ARG}),
    Capability(
        "reportEvent",
        report_event,
        {
            "eventName": Arg("String", required=True, max_len=128),
            "data": Arg("Object"),  # at most MAX_EVENT_DATA characters as JSON (the handler)
        },
        note=f"also WeChat's reportEvent(eventId, data); data: {MAX_EVENT_DATA} characters"
        " as JSON at most",
    ),
    Capability(
        "_log",
        write_log,
        {
            "level": Arg("String", required=True, enum=("debug", "log", "info", "warn")),
            "args": Arg("Array", max_bytes=64 * 1024),
        },
    ),
    Capability("_launchOptions", launch_options, None, kind="sync"),  # the runtime's start
    Capability("_checkUpdate", check_update, None),
    Capability("_applyUpdate", apply_update, None),
    Capability("vibrateShort", nothing, {"type": Arg("String")}, note=NO_OP),
    Capability("vibrateLong", nothing, None, note=NO_OP),
    Capability(
        "makePhoneCall",
        not_on_desktop,
        {"phoneNumber": Arg("String", required=True)},
        note=FAILS_ON_DESKTOP,
    ),
    Capability("scanCode", not_on_desktop, None, note=FAILS_ON_DESKTOP),
    Capability("openLocation", not_on_desktop, None, note=FAILS_ON_DESKTOP),
    Capability("chooseLocation", not_on_desktop, None, note=FAILS_ON_DESKTOP),
    *event("onNetworkStatusChange", "onAppShow", "onAppHide", "onThemeChange"),
    *view("getLogManager", "getUpdateManager", "canIUse"),
]
