"""System info, settings/authorize, events, logs and desktop no-ops."""

from __future__ import annotations

import json
from concurrent.futures import Future

from finclip_desktop import __version__
from finclip_desktop.capabilities.host import BaseHost, WindowMetrics


class Host(BaseHost):
    def __init__(self) -> None:
        super().__init__()
        self.decided: dict[str, bool] = {}

    def window_metrics(self) -> WindowMetrics:
        return WindowMetrics(1920, 1080, 414, 736, 2.0, 0, 0)

    def theme(self) -> str:
        return "dark"

    def language(self) -> str:
        return "zh_CN"

    def network_type(self) -> str:
        return "wifi"

    def permission_settings(self, app_id: str) -> dict[str, bool]:
        return dict(self.decided)

    def open_permission_settings(self, app_id: str) -> Future:
        future: Future = Future()
        self.decided["scope.userLocation"] = False
        future.set_result(dict(self.decided))
        return future


def test_system_info_comes_from_the_host(make_ctx, call):
    ctx = make_ctx(host=Host(), dev_mode=True)
    info = call(ctx, "getSystemInfoSync")
    assert info["errMsg"] == "getSystemInfoSync:ok"
    assert (info["windowWidth"], info["windowHeight"], info["pixelRatio"]) == (414, 736, 2.0)
    assert (info["screenWidth"], info["screenHeight"]) == (1920, 1080)
    assert info["theme"] == "dark" and info["language"] == "zh_CN"
    assert info["platform"] in ("linux", "windows", "mac")
    assert info["deviceOrientation"] == "landscape" and info["enableDebug"] is True
    assert info["safeArea"]["width"] == 414
    assert call(ctx, "getSystemInfo")["windowWidth"] == 414
    assert call(ctx, "getWindowInfo")["windowHeight"] == 736
    assert call(ctx, "getDeviceInfo")["brand"] == "desktop"
    assert call(ctx, "getAppBaseInfo")["theme"] == "dark"
    assert call(ctx, "getNetworkType") == {
        "errMsg": "getNetworkType:ok", "networkType": "wifi", "isConnected": True
    }  # fmt: skip


def compare_version(a: str, b: str) -> int:
    """WeChat's documented compareVersion, as mini-apps copy it."""
    pa, pb = [int(x) for x in a.split(".")], [int(x) for x in b.split(".")]
    width = max(len(pa), len(pb))
    pa, pb = pa + [0] * (width - len(pa)), pb + [0] * (width - len(pb))
    return (pa > pb) - (pa < pb)


def test_sdk_version_is_the_emulated_base_library(ctx, call):
    """Apps gate features on SDKVersion: it is WeChat's base-library level, not ours."""
    from finclip_desktop.capabilities.system import BASE_LIBRARY_VERSION

    base = call(ctx, "getAppBaseInfo")
    assert (
        base["SDKVersion"] == BASE_LIBRARY_VERSION == call(ctx, "getSystemInfoSync")["SDKVersion"]
    )
    for needed in ("2.10.0", "2.20.1", "2.25.0", "3.0.0"):  # chooseMedia, getWindowInfo, batch*
        assert compare_version(base["SDKVersion"], needed) >= 0, needed
    assert base["version"] == __version__  # the host's own version, as WeChat's `version`


def test_account_and_launch_options(make_ctx, call):
    ctx = make_ctx(settings={"launchOptions": {"path": "pages/a/a", "query": {"x": "1"}}})
    account = call(ctx, "getAccountInfoSync")["miniProgram"]
    assert account == {"appId": "com.example.demo", "envVersion": "release", "version": "1.2.3"}
    launch = call(ctx, "getLaunchOptionsSync")
    assert launch["path"] == "pages/a/a" and launch["query"] == {"x": "1"}
    assert launch["scene"] == 1001


def test_authorize_and_settings(make_ctx, call):
    host = Host()
    granted = make_ctx(host=host, permissions=("scope.userLocation",), consent=True)
    assert call(granted, "authorize", {"scope": "scope.userLocation"})["errMsg"] == "authorize:ok"
    denied = make_ctx(permissions=("scope.userLocation",), consent=False)
    assert call(denied, "authorize", {"scope": "scope.userLocation"})["errMsg"] == (
        "authorize:fail auth deny"
    )
    undeclared = make_ctx(consent=True)
    assert call(undeclared, "authorize", {"scope": "scope.camera"})["errMsg"] == (
        "authorize:fail permission scope.camera is not declared by the app"
    )
    assert undeclared.ask_permission.asked == []
    assert call(granted, "authorize", {})["errMsg"] == (
        "authorize:fail parameter error: scope is required"
    )
    host.decided["scope.clipboardRead"] = True
    assert call(granted, "getSetting")["authSetting"] == {"scope.clipboardRead": True}
    assert call(granted, "openSetting")["authSetting"] == {
        "scope.clipboardRead": True, "scope.userLocation": False
    }  # fmt: skip
    assert call(make_ctx(), "openSetting")["errMsg"] == (
        "openSetting:fail no settings page is available"
    )


def test_report_event_goes_to_the_host(make_ctx, call):
    host = Host()
    ctx = make_ctx(host=host)
    got = call(ctx, "reportEvent", {"eventName": "buy", "data": {"sku": "a1"}})
    assert got["errMsg"] == "reportEvent:ok"
    assert host.reported == [("com.example.demo", "buy", {"sku": "a1"})]
    assert call(ctx, "reportEvent", {"data": {}})["errMsg"] == (
        "reportEvent:fail parameter error: eventName is required"
    )


def test_log_manager_writes_the_app_log(ctx, call):
    assert call(ctx, "_log", {"level": "info", "args": ["hello", {"n": 1}]})["errMsg"] == "_log:ok"
    lines = (ctx.data_dir / "logs" / "app.log").read_text().splitlines()
    assert json.loads(lines[-1])["args"] == ["hello", {"n": 1}]
    assert call(ctx, "_log", {"level": "fatal"})["errMsg"].startswith("_log:fail parameter error")


def test_desktop_no_ops_and_clean_fails(ctx, call):
    assert call(ctx, "vibrateShort", {"type": "light"})["errMsg"] == "vibrateShort:ok"
    for api in ("scanCode", "openLocation", "chooseLocation"):
        assert call(ctx, api)["errMsg"] == f"{api}:fail not supported on desktop"
    assert call(ctx, "makePhoneCall", {"phoneNumber": "123"})["errMsg"] == (
        "makePhoneCall:fail not supported on desktop"
    )


def test_update_manager_plumbing(ctx, call):
    assert call(ctx, "_checkUpdate") == {"errMsg": "_checkUpdate:ok", "hasUpdate": False}
    assert call(ctx, "_applyUpdate")["errMsg"] == "_applyUpdate:fail no update is ready"
