"""Containers side by side: separate data, clearing one app, host events, painted, shutdown."""

from __future__ import annotations

import json

import pytest

from finclip_desktop.shell.testing import ShellHarness, process_events, wait_until

pytestmark = pytest.mark.qt

PAGE = "<html><body><h1>app</h1></body></html>"


def test_clearing_one_apps_data_leaves_the_other_intact(harness):
    for app_id in ("app.a", "app.b"):
        app = harness.open_files({"index.html": PAGE}, app_id=app_id)
        assert app.eval_async(f"localStorage.setItem('k', '{app_id}'); return 1") == 1
        app.call("setStorageSync", {"key": "k", "data": app_id})
    harness.shell.permissions.set("app.a", "scope.clipboardRead", True)
    harness.shell.permissions.set("app.b", "scope.clipboardRead", True)
    harness.shell.clear_data("app.a")
    assert "app.a" not in harness.shell.containers
    harness.shell.close_app("app.b")
    process_events(0.2)
    a = harness.open_files({"index.html": PAGE}, app_id="app.a")
    b = harness.open_files({"index.html": PAGE}, app_id="app.b")
    assert a.eval("localStorage.getItem('k')") is None
    assert b.eval("localStorage.getItem('k')") == "app.b"
    assert a.call("getStorageSync", {"key": "k"}).get("data") != "app.a"
    assert b.call("getStorageSync", {"key": "k"})["data"] == "app.b"
    assert harness.shell.permissions.decisions("app.a") == {}
    assert harness.shell.permissions.decisions("app.b") == {"scope.clipboardRead": True}


def test_permission_decisions_survive_a_new_shell(qapp):
    with ShellHarness(answers={"scope.clipboardRead": "always"}) as first:
        app = first.open_files(
            {"index.html": PAGE}, app_id="app.p", permissions=("scope.clipboardRead",)
        )
        assert app.call("getClipboardData", {})["errMsg"] == "getClipboardData:ok"
    with ShellHarness() as second:
        app = second.open_files(
            {"index.html": PAGE}, app_id="app.p", permissions=("scope.clipboardRead",)
        )
        assert app.call("getClipboardData", {})["errMsg"] == "getClipboardData:ok"
        assert second.asked == []


def test_host_events_reach_the_page_from_any_thread(harness):
    import threading

    app = harness.open_files({"index.html": PAGE}, app_id="app.e")
    app.call("getStorageInfoSync", {})  # installs the listener
    thread = threading.Thread(
        target=app.container.context.emit, args=("networkStatusChange", {"isConnected": False})
    )
    thread.start()
    thread.join()
    events = wait_until(app.events, what="the host event")
    assert events == [{"name": "networkStatusChange", "payload": {"isConnected": False}}]


def test_runtime_painted_event_is_forwarded_with_its_route(harness):
    app = harness.open_files({"index.html": PAGE}, app_id="app.r")
    routes = []
    app.container.painted.connect(routes.append)
    app.eval(
        "window.dispatchEvent(new CustomEvent('finclip:painted', "
        "{detail: {route: 'pages/index/index'}}))"
    )
    wait_until(lambda: routes, what="painted")
    assert routes[0] in ("pages/index/index", "")  # detail may not cross worlds


def test_unsigned_bundle_is_refused_outside_developer_mode(qapp):
    from finclip_desktop.shell.bundle import BundleError, bundle_from_files

    with ShellHarness(dev_mode=False) as h:
        with pytest.raises(BundleError, match="developer mode"):
            h.shell.open(bundle_from_files({"index.html": b"x"}, "app.x"))


def test_orderly_shutdown_deletes_pages_before_profiles(harness):
    import shiboken6

    app = harness.open_files({"index.html": PAGE}, app_id="app.s")
    container = app.container
    page, profile = container.page, container.profile
    destroyed = []
    page.destroyed.connect(lambda: destroyed.append("page"))
    profile.destroyed.connect(lambda: destroyed.append("profile"))
    harness.shell.close_all()
    assert destroyed == ["page", "profile"]
    assert not shiboken6.isValid(page) and not shiboken6.isValid(profile)
    assert harness.shell.containers == {}


def test_wechat_example_paints_through_the_runtime(harness):
    from pathlib import Path

    example = Path(__file__).resolve().parents[2] / "resources" / "examples" / "hello"
    app = harness.open_folder(example)
    assert app.container.bundle.kind == "wechat"
    assert app.container.first_painted is not None
    assert "Hello, FinClip!" in app.text()
    assert app.eval("typeof qt") == "undefined"


def test_hiding_and_restoring_the_window_sends_app_hide_and_show(harness):
    app = harness.open_files({"index.html": PAGE}, app_id="app.v")
    app.call("getStorageInfoSync", {})  # installs the listener
    app.container.window.hide()
    app.container.window.show()
    names = wait_until(
        lambda: (
            [e["name"] for e in app.events()][-2:] == ["appHide", "appShow"]
            and [e["name"] for e in app.events()]
        ),
        what="hide/show events",
    )
    assert names == ["appHide", "appShow"]  # the launch itself sent no appShow


def test_a_killed_renderer_is_restarted(harness):
    import os
    import signal

    app = harness.open_files({"index.html": PAGE}, app_id="app.k")
    pid = app.page.renderProcessPid()
    assert pid > 0
    os.kill(pid, signal.SIGKILL)
    wait_until(lambda: app.container.restarts == 1, what="the restart")
    wait_until(lambda: app.page.renderProcessPid() not in (0, pid), what="a new renderer")
    wait_until(lambda: app.eval("document.body && document.body.innerText.trim()") == "app")
    assert app.call("getStorageInfoSync", {})["errMsg"] == "getStorageInfoSync:ok"


def test_the_capsule_closes_the_app_and_opens_its_menu(harness):
    app = harness.open_files({"index.html": PAGE}, app_id="app.c")
    window = app.container.window
    window.capsule.more.click()
    wait_until(lambda: window.menu.isVisible(), what="the capsule menu")
    assert [a.text() for a in window.menu.actions()] == ["Permissions…", "Reload", "About"]
    window.menu.hide()
    closed = []
    app.container.closed.connect(lambda: closed.append(True))
    window.capsule.close_button.click()
    wait_until(lambda: closed, what="the container to close")
    assert app.container.is_closed and "app.c" not in harness.shell.containers
    import shiboken6

    assert not shiboken6.isValid(window) and not shiboken6.isValid(app.container.page)


def test_a_reload_drops_the_previous_documents_replies(qapp):
    """Replies to the calls of a document a reload replaced never reach the new one, even
    while the new one waits for replies of its own."""
    from concurrent.futures import Future

    from finclip_desktop.capabilities import registry

    held: list[tuple[Future, Future]] = []  # (the registry's answer, what the bridge waits on)

    def holding(ctx, api, args):
        out: Future = Future()
        held.append((registry.invoke(ctx, api, args), out))
        return out

    def release(calls: list[tuple[Future, Future]]) -> None:
        for answer, out in calls:
            out.set_result(answer.result(timeout=10))

    with ShellHarness(invoke=holding) as h:
        app = h.open_files({"index.html": PAGE}, app_id="app.r")
        for key in ("old", "new"):
            app.post_call("setStorageSync", {"key": key, "data": key.upper()})
        wait_until(lambda: len(held) == 2, what="the stores")
        release(held[:2])
        old = [app.post_call("getStorageSync", {"key": "old"}) for _ in range(5)]
        wait_until(lambda: len(held) == 7, what="the first document's calls")
        painted: list[str] = []
        app.container.painted.connect(painted.append)
        app.container.load()  # what the capsule's Reload does
        wait_until(lambda: painted, what="the new document")
        new = [app.post_call("getStorageSync", {"key": "new"}) for _ in range(5)]
        wait_until(lambda: len(held) == 12, what="the new document's calls")
        release(held[2:7])  # the previous document's replies arrive first
        process_events(0.5)
        assert [app.reply(i) for i in old + new] == [None] * 10
        release(held[7:])
        replies = wait_until(lambda: all(r := [app.reply(i) for i in new]) and r, what="replies")
        assert [r["data"] for r in replies] == ["NEW"] * 5
        assert not [m for m in app.page.console if "qwebchannel" in m or "Unhandled" in m]


def test_responses_meant_for_a_previous_document_are_dropped(harness):
    """What a reload leaves on the page's one channel: responses to calls of the document
    it replaced, untagged by this one's token (qwebchannel.js would throw "channel.
    execCallbacks[message.id] is not a function" for each, or run a wrong callback)."""
    app = harness.open_files({"index.html": PAGE}, app_id="app.f")
    app.call("getStorageInfoSync", {})  # the channel is up
    stale = [
        {"type": 10, "id": 0, "data": {}},  # the previous document's init, answered late
        {"type": 10, "id": 4, "data": None},  # one of its calls
    ]
    outcome = app.eval(
        f"""{json.dumps([json.dumps(m) for m in stale])}.map(text => {{
          try {{ qt.webChannelTransport.onmessage({{data: text}}); return 'dropped'; }}
          catch (e) {{ return String(e); }} }})""",
        isolated=True,
    )
    assert outcome == ["dropped", "dropped"]
    assert app.call("getStorageInfoSync", {})["errMsg"] == "getStorageInfoSync:ok"
    assert app.page.console == []
