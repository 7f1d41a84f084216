"""Capabilities through the real shell: page -> QWebChannel bridge -> registry -> page.

These run a real container offscreen and post calls exactly as the runtime does, so they
cover the bridge wiring, the real permission prompts, the real QtHost and persistence.
"""

from __future__ import annotations

import json

import pytest

pytestmark = pytest.mark.qt

PAGE = {
    "index.html": "<!doctype html><title>caps</title><h1>caps</h1>",
    # The logic layer's synchronous bridge: a sync XHR from a worker to the app origin.
    "sync.js": """
      onmessage = (e) => {
        const x = new XMLHttpRequest();
        x.open('POST', '/__bridge__/invoke', false);
        x.setRequestHeader('X-Finclip-Call', encodeURIComponent(JSON.stringify(e.data)));
        x.send();
        postMessage(JSON.parse(x.responseText));
      };
    """,
}


@pytest.fixture(scope="module")
def qapp():
    from finclip_desktop.shell.qtapp import application

    return application()


@pytest.fixture
def harness(qapp, tmp_path):
    from finclip_desktop.shell.testing import ShellHarness

    h = ShellHarness(
        answers={"scope.clipboardRead": "always", "scope.userLocation": "deny"},
        data_root=tmp_path / "shell-data",
    )
    yield h
    h.close()


def open_app(harness, app_id="e2e.caps", **manifest):
    return harness.open_files(PAGE, app_id=app_id, **manifest)


def sync_call(app, api, args):
    """Call a *Sync API the way the runtime's worker does."""
    request = json.dumps({"api": api, "args": args})
    return app.eval_async(
        "window.__fcSync = window.__fcSync || new Worker('sync.js');"
        "return await new Promise((ok) => {"
        "  window.__fcSync.onmessage = (e) => ok(e.data);"
        f"  window.__fcSync.postMessage({request});"
        "});"
    )


def test_storage_async_sync_and_persistence(harness):
    app = open_app(harness)
    assert app.call("setStorage", {"key": "k", "data": {"a": [1]}}) == {"errMsg": "setStorage:ok"}
    assert app.call("getStorage", {"key": "k"})["data"] == {"a": [1]}
    assert app.call("setStorage", {"key": 3})["errMsg"] == (
        "setStorage:fail parameter error: key should be String instead of Number"
    )
    app.close()
    again = open_app(harness)
    assert again.call("getStorage", {"key": "k"})["data"] == {"a": [1]}
    other = open_app(harness, app_id="e2e.other")
    assert other.call("getStorage", {"key": "k"})["errMsg"] == "getStorage:fail data not found"


def test_sync_bridge(harness):
    app = open_app(harness)
    app.call("setStorage", {"key": "k", "data": {"a": [1]}})
    assert sync_call(app, "getStorageSync", {"key": "k"}) == {
        "errMsg": "getStorageSync:ok", "data": {"a": [1]}
    }  # fmt: skip
    assert sync_call(app, "setStorageSync", {"key": "k", "data": 2}) == {
        "errMsg": "setStorageSync:ok"
    }  # fmt: skip
    assert app.call("getStorage", {"key": "k"})["data"] == 2
    account = sync_call(app, "getAccountInfoSync", {})
    assert account["miniProgram"]["appId"] == "e2e.caps"
    assert account["miniProgram"]["envVersion"] == "develop"


def test_clipboard_with_real_prompt_and_qclipboard(harness):
    from PySide6.QtGui import QGuiApplication

    app = open_app(harness, permissions=("scope.clipboardRead",))
    assert app.call("setClipboardData", {"data": "from the app"})["errMsg"] == (
        "setClipboardData:ok"
    )
    assert QGuiApplication.clipboard().text() == "from the app"
    QGuiApplication.clipboard().setText("from the user")
    assert app.call("getClipboardData") == {
        "errMsg": "getClipboardData:ok", "data": "from the user"
    }  # fmt: skip
    assert harness.asked == [("e2e.caps", "scope.clipboardRead")]
    undeclared = open_app(harness, app_id="e2e.nodecl")
    assert undeclared.call("getClipboardData")["errMsg"] == (
        "getClipboardData:fail permission scope.clipboardRead is not declared by the app"
    )


def test_denied_permission(harness):
    app = open_app(harness, permissions=("scope.userLocation",))
    assert app.call("getLocation")["errMsg"] == "getLocation:fail auth deny"
    assert app.call("getSetting")["authSetting"] == {"scope.userLocation": False}


def test_system_info_from_the_real_window(harness):
    app = open_app(harness)
    info = app.call("getSystemInfo")
    assert info["errMsg"] == "getSystemInfo:ok"
    width = app.eval("window.innerWidth")
    assert info["windowWidth"] == width and info["pixelRatio"] >= 1


def test_network_and_task_events_reach_the_page(harness, certs, https_server):
    host = https_server.host
    app = open_app(harness, domains={"request": (host,), "downloadFile": (host,)})
    ctx = app.container.context
    ctx.settings = {**ctx.settings, "sslContext": certs.client_context()}
    got = app.call("request", {"url": https_server.url("/json"), "taskId": "r1"})
    assert got["statusCode"] == 200 and got["data"] == {"hello": "world", "n": 1}
    refused = app.call("request", {"url": "https://example.com/"})
    assert refused["errMsg"] == (
        "request:fail url not in domain list: example.com is not allowed for request"
    )
    download = app.call(
        "downloadFile", {"url": https_server.url("/bytes?n=100000"), "taskId": "d1"}
    )
    assert download["tempFilePath"].startswith("wxfile://tmp/")
    events = [e["payload"] for e in app.events() if e["name"] == "taskEvent"]
    assert {"r1", "d1"} <= {e["taskId"] for e in events}
    assert [e for e in events if e["taskId"] == "d1" and e["type"] == "progressUpdate"][-1][
        "progress"
    ] == 100


def test_files_confined(harness):
    app = open_app(harness)
    fs = "FileSystemManager."
    assert app.call(fs + "writeFile", {"filePath": "wxfile://usr/n.txt", "data": "hi"})[
        "errMsg"
    ] == ("writeFile:ok")
    assert (
        app.call(fs + "readFile", {"filePath": "wxfile://usr/n.txt", "encoding": "utf8"})["data"]
        == "hi"
    )
    escape = app.call(fs + "readFile", {"filePath": "wxfile://usr/../../../etc/passwd"})
    assert escape["errMsg"].startswith("readFile:fail permission denied")


def test_a_flood_of_calls_is_answered_and_the_host_stays_live(harness):
    app = open_app(harness)
    ids = [app.post_call("getStorageInfo", {}) for _ in range(300)]
    ids += [app.post_call("nope", {}) for _ in range(50)]
    from finclip_desktop.shell.testing import wait_until

    def answered():
        count = app.eval("Object.keys((window.__fcTest || {replies: {}}).replies).length")
        return count >= len(ids)

    wait_until(answered, 60, "every flood reply")
    assert app.reply(ids[0])["errMsg"] == "getStorageInfo:ok"
    assert app.reply(ids[-1])["errMsg"] == "nope:fail not supported"
    assert app.call("setStorage", {"key": "after", "data": 1})["errMsg"] == "setStorage:ok"


def test_menu_button_rect_is_where_the_capsule_is_drawn(harness):
    app = open_app(harness)
    window = app.container.window
    window.resize(414, 736)
    rect = app.call("getMenuButtonBoundingClientRect", {})
    capsule = window.capsule.geometry()
    assert rect["errMsg"] == "getMenuButtonBoundingClientRect:ok"
    assert (rect["left"], rect["top"], rect["width"], rect["height"]) == (
        capsule.x(), capsule.y(), capsule.width(), capsule.height()
    )  # fmt: skip
    assert rect["right"] == capsule.x() + capsule.width() and rect["right"] < 414
