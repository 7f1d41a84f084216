"""Clipboard (read needs permission), location and login through the host."""

from __future__ import annotations

from concurrent.futures import Future

from finclip_desktop.capabilities.host import BaseHost


class Host(BaseHost):
    def get_location(self, kind):
        future: Future = Future()
        future.set_result({"latitude": 31.2, "longitude": 121.5, "accuracy": 30})
        return future

    def login_code(self, app_id):
        return {"code": f"code-for-{app_id}", "expires_in": 60}

    def user_info(self, app_id):
        return {"nickName": "Ann", "avatarUrl": ""}


def test_clipboard_write_then_read_with_permission(make_ctx, call):
    ctx = make_ctx(permissions=("scope.clipboardRead",))
    assert call(ctx, "setClipboardData", {"data": "复制"})["errMsg"] == "setClipboardData:ok"
    assert call(ctx, "getClipboardData") == {"errMsg": "getClipboardData:ok", "data": "复制"}
    assert ctx.ask_permission.asked == ["scope.clipboardRead"]


def test_clipboard_read_needs_declared_and_granted_scope(make_ctx, call):
    undeclared = make_ctx()
    assert call(undeclared, "getClipboardData")["errMsg"] == (
        "getClipboardData:fail permission scope.clipboardRead is not declared by the app"
    )
    denied = make_ctx(permissions=("scope.clipboardRead",), consent=False)
    assert call(denied, "getClipboardData")["errMsg"] == "getClipboardData:fail auth deny"
    assert call(denied, "setClipboardData", {"data": 5})["errMsg"] == (
        "setClipboardData:fail parameter error: data should be String instead of Number"
    )


def test_location(make_ctx, call):
    ctx = make_ctx(host=Host(), permissions=("scope.userLocation",))
    got = call(ctx, "getLocation", {"type": "wgs84"})
    assert got["errMsg"] == "getLocation:ok"
    assert (got["latitude"], got["longitude"], got["accuracy"]) == (31.2, 121.5, 30)
    headless = make_ctx(permissions=("scope.userLocation",))
    assert call(headless, "getLocation")["errMsg"] == (
        "getLocation:fail location service is not available on this device"
    )
    assert call(make_ctx(), "getLocation")["errMsg"].startswith(
        "getLocation:fail permission scope.userLocation is not declared"
    )
    assert call(ctx, "getLocation", {"type": "bd09"})["errMsg"] == (
        "getLocation:fail parameter error: type should be one of wgs84, gcj02"
    )


def test_login_and_session(make_ctx, call):
    ctx = make_ctx(host=Host(), permissions=("scope.userInfo",))
    assert call(ctx, "checkSession")["errMsg"] == (
        "checkSession:fail session time out, need relogin"
    )
    assert call(ctx, "login") == {"errMsg": "login:ok", "code": "code-for-com.example.demo"}
    assert call(ctx, "checkSession")["errMsg"] == "checkSession:ok"
    profile = call(ctx, "getUserProfile", {"desc": "show your name"})
    assert profile["userInfo"]["nickName"] == "Ann"
    assert call(ctx, "getUserProfile", {})["errMsg"] == (
        "getUserProfile:fail parameter error: desc is required"
    )


def test_login_without_server_fails_cleanly(ctx, call):
    assert call(ctx, "login")["errMsg"] == "login:fail no login server is configured"
