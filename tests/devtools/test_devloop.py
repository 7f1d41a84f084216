"""`finclip dev`: a real shell (offscreen), a real folder, real edits on disk."""

from __future__ import annotations

import json
import time

import pytest

from finclip_desktop.devtools import overlay
from finclip_desktop.devtools.devloop import DevSession
from finclip_desktop.settings import effective_settings

from .conftest import wait_until

pytestmark = pytest.mark.qt

# Guarded: an exception in a test's own script would count as the app's uncaught error.
BODY_TEXT = "document.body ? document.body.innerText : ''"
PAGE = '<!doctype html><meta charset="utf-8"><p id="msg">{text}</p><script src="app.js"></script>'


NO_ANSWER = object()


def ask(qapp, page, script, world=0, timeout=3.0):
    """Run ``script`` in ``page`` and wait for its answer, one call at a time (NO_ANSWER
    when the document went away first)."""
    out: list = []
    page.runJavaScript(script, world, out.append)
    end = time.monotonic() + timeout
    while not out and time.monotonic() < end:
        qapp.processEvents()
        time.sleep(0.005)
    return out[0] if out else NO_ANSWER


def js(qapp, page, script, world=0):
    answer = ask(qapp, page, script, world, timeout=15)
    assert answer is not NO_ANSWER, f"no answer to {script}"
    return answer


def text_is(qapp, page, expected):
    script = "(document.getElementById('msg') || {}).textContent || ''"
    return wait_until(qapp, lambda: ask(qapp, page, script) == expected)


def overlay_now(qapp, page):
    """What the error overlay shows now: {kind, location}, None, or NO_ANSWER."""
    out: list = []
    overlay.read(page, out.append)
    end = time.monotonic() + 3
    while not out and time.monotonic() < end:
        qapp.processEvents()
        time.sleep(0.005)
    return out[0] if out else NO_ANSWER


def overlay_shown(qapp, session):
    """Wait until the overlay shows an error; returns it (or None)."""
    seen: list = []

    def probe():
        seen[:] = [overlay_now(qapp, session.container.page)]
        return seen[0] not in (None, NO_ANSWER)

    return seen[0] if wait_until(qapp, probe) else None


def overlay_gone(qapp, session):
    return wait_until(qapp, lambda: overlay_now(qapp, session.container.page) is None)


@pytest.fixture
def session(qapp, tmp_path):
    from finclip_desktop.shell.core import Shell

    app = tmp_path / "demo"
    app.mkdir()
    (app / "index.html").write_text(PAGE.format(text="one"))
    (app / "app.js").write_text("console.log('hello from app.js');\n")
    shell = Shell(settings=effective_settings(), data_root=tmp_path / "data", dev_mode=True)
    messages: list = []
    dev = DevSession(shell, app, devtools=True, printer=messages.append, quiet_ms=40)
    dev.messages = messages  # type: ignore[attr-defined]
    dev.start(show=True)
    yield dev
    dev.stop()
    shell.close_all()
    qapp.processEvents()


def test_reload_on_edit_console_and_devtools(qapp, session):
    page = session.container.page
    assert text_is(qapp, page, "one")
    assert wait_until(qapp, lambda: any(m.message == "hello from app.js" for m in session.messages))
    hello = next(m for m in session.messages if m.message == "hello from app.js")
    assert (hello.level, hello.source, hello.line) == ("log", "app.js", 1)

    assert session.devtools is not None and page.devToolsPage() is session.devtools.view.page()
    inspector = session.devtools.view.page()
    assert wait_until(qapp, lambda: inspector.url().scheme() == "devtools"), inspector.url()
    from PySide6.QtGui import QKeySequence, QShortcut

    # docked in the app's own window, to the right of the app, which keeps its width
    window = session.container.window
    assert session.devtools.window() is window and window.isWindow()
    assert session.devtools.isVisible() and session.devtools.width() > 300
    assert window.view.width() == 375 and session.devtools.x() >= window.view.width()
    qapp.processEvents()
    assert window.capsule.geometry().right() < window.view.width(), "capsule over the app"
    (f12,) = [s for s in window.findChildren(QShortcut) if s.key() == QKeySequence("F12")]
    f12.activated.emit()
    assert not session.devtools.isVisible() and window.width() == 375
    f12.activated.emit()
    assert session.devtools.isVisible() and window.width() > 375 + 300
    assert window.view.width() == 375
    # the inspector's own ✕ (DevTools calls InspectorFrontendHost.closeWindow()) hides it
    close = "InspectorFrontendHost.closeWindow(), true"
    assert js(qapp, inspector, close) is True
    assert wait_until(qapp, lambda: not session.devtools.isVisible() and window.width() == 375)

    reloads: list = []
    session.reloaded.connect(reloads.append)
    (session.root / "index.html").write_text(PAGE.format(text="two"))
    assert wait_until(qapp, lambda: reloads), "the edit did not trigger a rebuild"
    assert reloads[0] == ["index.html"]
    assert text_is(qapp, session.container.page, "two")
    assert session.container is not None and session.error is None


def test_uncaught_exception_shows_overlay(qapp, session):
    (session.root / "app.js").write_text("\n\nnull.boom();\n")
    assert wait_until(qapp, lambda: any(m.uncaught() for m in session.messages))
    shown = overlay_shown(qapp, session)
    assert shown, "the overlay did not show"
    assert shown["kind"] == "runtime" and shown["location"] == "app.js:3"


def test_build_error_overlay_then_fixed(qapp, session):
    page = session.container.page
    assert text_is(qapp, page, "one")
    failures: list = []
    session.failed.connect(failures.append)
    (session.root / "app.json").write_text('{"pages": [')  # broken JSON: the build fails
    assert wait_until(qapp, lambda: failures), "the broken file was not reported"
    assert session.error is not None and session.error.file == "app.json"
    shown = overlay_shown(qapp, session)
    assert shown, "the overlay did not show"
    assert shown == {"kind": "compile", "location": "app.json"}
    assert text_is(qapp, page, "one"), "the last good build must keep running"

    # in the page's own world the overlay's content is unreachable (closed shadow root)
    probe = "document.getElementById('__finclip_dev_overlay__').shadowRoot === null"
    assert js(qapp, page, probe) is True

    restarted: list = []
    session.restarted.connect(restarted.append)
    (session.root / "app.json").unlink()  # fixed: an app-level file changed -> restart
    assert wait_until(qapp, lambda: restarted), "fixing the build did not restart the app"
    assert session.error is None
    assert text_is(qapp, session.container.page, "one")
    assert overlay_gone(qapp, session), "the overlay stayed after the fix"
    assert session.container.page.devToolsPage() is not None


def test_policy_can_forbid_dev(tmp_path, monkeypatch, capsys):
    from finclip_desktop.cli import main
    from finclip_desktop.policy import POLICY_ENV

    policy = tmp_path / "policy.json"
    policy.write_text(json.dumps({"developer_mode_allowed": False}))
    monkeypatch.setenv(POLICY_ENV, str(policy))
    (tmp_path / "app").mkdir()
    assert main(["dev", str(tmp_path / "app"), "--no-sandbox"]) == 1
    assert "developer mode is turned off by your organisation's policy" in capsys.readouterr().err


def body_has(qapp, session, text):
    """Wait until the app's page shows ``text`` (rendered by the runtime)."""

    def probe():
        answer = ask(qapp, session.container.page, BODY_TEXT)
        return isinstance(answer, str) and text in answer

    return wait_until(qapp, probe, timeout=20)


@pytest.fixture
def wechat_session(qapp, tmp_path):
    from finclip_desktop.devtools.scaffold import create_app
    from finclip_desktop.shell.core import Shell

    if not hasattr(__import__("finclip_desktop.runtime").runtime, "build_app"):
        pytest.skip("the runtime is not installed")
    root = tmp_path / "demo"
    create_app(root, "blank")
    shell = Shell(settings=effective_settings(), data_root=tmp_path / "data", dev_mode=True)
    dev = DevSession(shell, root, devtools=False, printer=lambda m: None, quiet_ms=40)
    dev.start(show=True)
    yield dev
    dev.stop()
    shell.close_all()
    qapp.processEvents()


def test_wxml_edit_hot_reloads_and_compile_error_overlay(qapp, wechat_session):
    session = wechat_session
    assert body_has(qapp, session, "Hello, mini-program")
    first_container = session.container
    wxml = session.root / "pages" / "index" / "index.wxml"
    source = wxml.read_text()

    reloads: list = []
    session.reloaded.connect(reloads.append)
    wxml.write_text(source.replace("Hello, mini-program", "Hello, hot reload"))
    assert wait_until(qapp, lambda: reloads), "the WXML edit did not rebuild"
    assert body_has(qapp, session, "Hello, hot reload")
    assert session.container is first_container, "a page edit must not restart the app"

    failures: list = []
    session.failed.connect(failures.append)
    wxml.write_text(source.replace("</view>\n</view>", "</view>\n<view>"))  # unclosed tag
    assert wait_until(qapp, lambda: failures), "the compile error was not reported"
    assert session.error is not None and session.error.file == "pages/index/index.wxml"
    assert session.error.line > 0 and session.error.column > 0
    shown = overlay_shown(qapp, session)
    assert shown, "the overlay did not show"
    assert shown["kind"] == "compile"
    assert shown["location"].startswith("pages/index/index.wxml:")
    assert body_has(qapp, session, "Hello, hot reload"), "the last good build keeps running"

    wxml.write_text(source)
    assert wait_until(qapp, lambda: len(reloads) >= 2), "the fix did not rebuild"
    assert body_has(qapp, session, "Hello, mini-program")
    assert overlay_gone(qapp, session), f"the overlay stayed after the fix: {session.runtime_error}"
    assert session.error is None


def test_exception_in_page_code_maps_to_the_app_file(qapp, wechat_session):
    session = wechat_session
    messages: list = []
    session.console.connect(messages.append)
    js_file = session.root / "pages" / "index" / "index.js"
    js_file.write_text(
        "Page({\n  data: { count: 0 },\n  onLoad() {\n    console.log('loading');\n"
        "    null.crash();\n  },\n  increment() {},\n  decrement() {}\n});\n"
    )
    assert wait_until(qapp, lambda: any(m.message == "loading" for m in messages))
    loading = next(m for m in messages if m.message == "loading")
    assert loading.location == "pages/index/index.js:4"
    assert wait_until(qapp, lambda: any(m.uncaught() for m in messages), timeout=20)
    crash = next(m for m in messages if m.uncaught())
    assert crash.uncaught().location == "pages/index/index.js:5:10"
    assert "pages/index/index.js:5:10" in crash.message  # the stack points at the app file
    shown = overlay_shown(qapp, session)
    assert shown, "the overlay did not show"
    assert shown == {"kind": "runtime", "location": "pages/index/index.js:5:10"}


def test_app_broken_at_start_shows_overlay_then_runs_when_fixed(qapp, tmp_path):
    from finclip_desktop.devtools.scaffold import create_app
    from finclip_desktop.shell.core import Shell

    root = tmp_path / "demo"
    create_app(root, "blank")
    wxml = root / "pages" / "index" / "index.wxml"
    good = wxml.read_text()
    wxml.write_text("<view>{{ unclosed </view>")
    shell = Shell(settings=effective_settings(), data_root=tmp_path / "data", dev_mode=True)
    session = DevSession(shell, root, devtools=False, printer=lambda m: None, quiet_ms=40)
    try:
        session.start(show=True)
        assert session.error is not None and session.error.file == "pages/index/index.wxml"
        shown = overlay_shown(qapp, session)
        assert shown, "the overlay did not show"
        assert shown["location"].startswith("pages/index/index.wxml:1:")
        restarted: list = []
        session.restarted.connect(restarted.append)
        wxml.write_text(good)
        assert wait_until(qapp, lambda: restarted), "fixing the app did not start it"
        assert session.container.bundle.kind == "wechat"
        assert body_has(qapp, session, "Hello, mini-program")
    finally:
        session.stop()
        shell.close_all()
        qapp.processEvents()


SHOWN_ROUTE = (
    "(function () { var p = document.querySelector('wx-page[route]:not(.fc-hidden)');"
    " return p ? p.getAttribute('route') : ''; })()"
)


def shown_route_is(qapp, session, route):
    return wait_until(
        qapp, lambda: ask(qapp, session.container.page, SHOWN_ROUTE) == route, timeout=20
    )


def click(qapp, session, selector, index=0):
    script = f"document.querySelectorAll({json.dumps(selector)})[{index}].click(); true"
    assert js(qapp, session.container.page, script) is True


def test_tabbed_template_hot_reload_keeps_the_current_page(qapp, tmp_path, monkeypatch):
    """The issue's loop: `finclip new demo --template tabbed`, then `finclip dev demo`
    (its session), edit a WXML file of the page on show: it reloads in the same container
    and the same page comes back."""
    from finclip_desktop.cli import main
    from finclip_desktop.shell.core import Shell

    monkeypatch.chdir(tmp_path)
    assert main(["new", "demo", "--template", "tabbed"]) == 0
    root = tmp_path / "demo"
    shell = Shell(settings=effective_settings(), data_root=tmp_path / "data", dev_mode=True)
    messages: list = []
    session = DevSession(shell, root, devtools=False, printer=messages.append, quiet_ms=40)
    try:
        session.start(show=True)
        assert body_has(qapp, session, "Good day")
        first = session.container
        click(qapp, session, ".fc-tab", 1)  # the Explore tab
        assert shown_route_is(qapp, session, "pages/explore/index")
        assert body_has(qapp, session, "Security reminder")

        reloads: list = []
        session.reloaded.connect(reloads.append)
        wxml = root / "pages" / "explore" / "index.wxml"
        wxml.write_text('<view class="card">Edited while running</view>\n' + wxml.read_text())
        assert wait_until(qapp, lambda: reloads), "the WXML edit did not rebuild"
        assert reloads[0] == ["pages/explore/index.wxml"]
        assert body_has(qapp, session, "Edited while running")
        assert shown_route_is(qapp, session, "pages/explore/index"), "the page on show changed"
        assert session.container is first, "a page edit must not restart the app"

        # a detail page opened with `?id=...` from the list: after an edit the same article
        # comes back (its query kept) with the list under it
        click(qapp, session, "wx-page[route='pages/explore/index'] .card", 1)
        assert shown_route_is(qapp, session, "pages/article/index")
        assert body_has(qapp, session, "Everything your team needs")
        stack = json.loads(js(qapp, session.container.page, "JSON.stringify(__fcDev.stack())"))
        assert [p["route"] for p in stack] == ["pages/explore/index", "pages/article/index"]
        assert stack[1]["query"].get("id"), stack
        article = root / "pages" / "article" / "index.wxml"
        article.write_text(article.read_text().replace("min read", "minutes to read"))
        assert wait_until(qapp, lambda: len(reloads) >= 2)
        assert body_has(qapp, session, "minutes to read"), "the edit did not reach the page"
        assert shown_route_is(qapp, session, "pages/article/index")
        assert body_has(qapp, session, "Everything your team needs"), "the query was lost"
        assert session.container is first
        reloaded = json.loads(js(qapp, session.container.page, "JSON.stringify(__fcDev.stack())"))
        assert reloaded == stack
        click(qapp, session, ".fc-nav-back")  # the list is still under the article
        assert shown_route_is(qapp, session, "pages/explore/index")
        assert body_has(qapp, session, "Security reminder")
        assert not [m for m in messages if m.uncaught()], messages
        assert session.error is None and session.runtime_error is None
    finally:
        session.stop()
        shell.close_all()
        qapp.processEvents()


@pytest.mark.parametrize(
    ("template", "text"),
    [("blank", "Hello, mini-program"), ("tabbed", "Good day"),
     ("form", "Residential parking permit"), ("dashboard", "Total value")],
)  # fmt: skip
def test_each_template_runs_without_errors(qapp, tmp_path, template, text):
    """Each template, as scaffolded, runs in the shell: its first page paints its content
    and nothing reaches the console as an error."""
    from finclip_desktop.devtools.scaffold import create_app
    from finclip_desktop.shell.core import Shell

    root = tmp_path / template
    create_app(root, template)
    shell = Shell(settings=effective_settings(), data_root=tmp_path / "data", dev_mode=True)
    messages: list = []
    session = DevSession(shell, root, devtools=False, printer=messages.append, quiet_ms=40)
    try:
        container = session.start(show=True)
        assert session.error is None
        assert wait_until(qapp, lambda: container.first_painted is not None, timeout=20)
        assert body_has(qapp, session, text)
        for _ in range(30):  # let late lifecycle code run
            qapp.processEvents()
        errors = [m for m in messages if m.level == "error" or m.uncaught()]
        assert not errors, errors
    finally:
        session.stop()
        shell.close_all()
        qapp.processEvents()


def test_logic_worker_is_debuggable_over_the_devtools_protocol(tmp_path):
    """`finclip dev --remote-debugging PORT` (as docs/getting-started.md says): the logic
    layer's worker is a DevTools target of the app's page, and code evaluates in it."""
    import socket
    import subprocess
    import sys

    import httpx
    from websockets.sync.client import connect

    from finclip_desktop.devtools.scaffold import create_app

    root = tmp_path / "demo"
    create_app(root, "blank")
    log = tmp_path / "dev.log"
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    command = "import sys; from finclip_desktop.cli import main; sys.exit(main())"
    proc = subprocess.Popen(
        [sys.executable, "-c", command, "dev", str(root), "--no-sandbox", "--no-devtools",
         "--remote-debugging", str(port), "--exit-after", "90"],
        stdout=subprocess.DEVNULL, stderr=log.open("w"),
    )  # fmt: skip
    try:
        page = None
        for _ in range(300):
            try:
                targets = httpx.get(f"http://127.0.0.1:{port}/json/list", timeout=2).json()
                page = next((t for t in targets if t["url"].startswith("finclip://")), None)
            except httpx.HTTPError:
                pass
            if page or proc.poll() is not None:
                break
            time.sleep(0.1)
        assert page, f"no app page among the DevTools targets: {log.read_text()[-800:]}"
        with connect(page["webSocketDebuggerUrl"], open_timeout=10, max_size=None) as ws:
            params = {"autoAttach": True, "waitForDebuggerOnStart": False, "flatten": True}
            ws.send(json.dumps({"id": 1, "method": "Target.setAutoAttach", "params": params}))
            session_id, deadline = None, time.monotonic() + 20
            while session_id is None and time.monotonic() < deadline:
                event = json.loads(ws.recv(timeout=20))
                info = event.get("params", {}).get("targetInfo", {})
                if event.get("method") == "Target.attachedToTarget" and info["type"] == "worker":
                    assert info["url"].endswith("/__fc__/service.js"), info
                    session_id = event["params"]["sessionId"]
            assert session_id, "the logic-layer worker is not a DevTools target"
            expression = (
                "typeof getCurrentPages === 'function' ? "
                "getCurrentPages().map(function (p) { return p.route; }).join() : ''"
            )
            evaluate = {"expression": expression, "returnByValue": True}
            value, deadline = None, time.monotonic() + 20
            for call in range(2, 200):  # until the worker has opened its first page
                ws.send(json.dumps({"id": call, "sessionId": session_id,
                                    "method": "Runtime.evaluate", "params": evaluate}))  # fmt: skip
                reply = json.loads(ws.recv(timeout=20))
                while reply.get("id") != call:
                    reply = json.loads(ws.recv(timeout=20))
                value = reply.get("result", {}).get("result", {}).get("value")
                if value or time.monotonic() > deadline:
                    break
                time.sleep(0.1)
        assert value == "pages/index/index", reply
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def test_stack_url():
    from urllib.parse import parse_qs, unquote

    from finclip_desktop.devtools.devloop import stack_url

    entry = "finclip://demo/__fc__/index.html"
    assert stack_url(entry, []).toString() == entry
    assert stack_url(entry, "junk").toString() == entry
    stack = [{"route": "pages/home/index", "query": {}},
             {"route": "pages/article/index", "query": {"id": "a 1&b"}}]  # fmt: skip
    url = stack_url(entry, stack)
    assert url.path() == "/__fc__/index.html"
    (path,) = parse_qs(url.query(url.ComponentFormattingOption.FullyEncoded))["path"]
    assert path == "pages/article/index?id=a%201%26b"  # decodeURIComponent-able
    assert json.loads(unquote(url.fragment().removeprefix("fcstack="))) == stack


def test_dev_refuses_a_bad_debugging_port(tmp_path, capsys):
    from finclip_desktop.cli import main

    (tmp_path / "app").mkdir()
    assert main(["dev", str(tmp_path / "app"), "--remote-debugging", "70000"]) == 1
    assert "--remote-debugging 70000: not a port number" in capsys.readouterr().err


def test_runtime_error_overlay_clears_when_fixed(qapp, session):
    (session.root / "app.js").write_text("\n\nnull.boom();\n")
    assert overlay_shown(qapp, session), "the overlay did not show"
    assert session.runtime_error is not None
    (session.root / "app.js").write_text("console.log('fixed');\n")
    assert wait_until(qapp, lambda: any(m.message == "fixed" for m in session.messages)), (
        session.messages
    )
    assert overlay_gone(qapp, session), "the runtime error stayed after the fix"
    assert session.runtime_error is None


def errors_of(messages):
    return [m for m in messages if m.level == "error"]


def test_an_error_prints_once_where_it_is_and_clears(qapp, wechat_session):
    """An exception thrown by a timer of the page's code reaches the console more than once
    (the runtime's report and the view's relay of it): it prints once, at the app's file,
    line and column."""
    session = wechat_session
    # the first load must be over: an edit during it would run the new code twice (the
    # load in progress picks up the new build, then the reload runs it again)
    assert body_has(qapp, session, "Hello, mini-program")
    messages: list = []
    session.console.connect(messages.append)
    js_file = session.root / "pages" / "index" / "index.js"
    good = js_file.read_text()
    js_file.write_text(
        "Page({\n  data: { count: 0 },\n  onLoad() {\n    setTimeout(function () {\n"
        "      null.late();\n    }, 0);\n  },\n  increment() {},\n  decrement() {}\n});\n"
    )
    shown = overlay_shown(qapp, session)
    assert shown == {"kind": "runtime", "location": "pages/index/index.js:5:12"}, shown
    for _ in range(50):  # every copy has arrived by now
        qapp.processEvents()
        time.sleep(0.01)
    errors = errors_of(messages)
    assert len(errors) == 1, errors
    assert (errors[0].source, errors[0].line) == ("pages/index/index.js", 5)
    assert "TypeError" in errors[0].message and "[finclip logic]" not in errors[0].message
    js_file.write_text(good)
    assert body_has(qapp, session, "Hello, mini-program")
    assert overlay_gone(qapp, session) and session.runtime_error is None


def test_inline_wxs_error_points_at_its_wxml_module(qapp, wechat_session):
    session = wechat_session
    messages: list = []
    session.console.connect(messages.append)
    wxml = session.root / "pages" / "index" / "index.wxml"
    wxml.write_text(
        '<wxs module="m">module.exports = { f: function () { return null.x; } };</wxs>\n'
        "<view>{{m.f()}}</view>\n"
    )
    shown = overlay_shown(qapp, session)
    assert shown, "the overlay did not show"
    # column 49 of the module's own code (V8 points at the `x` of `null.x`), not of the
    # runtime's wrapper around it
    assert shown == {"kind": "runtime", "location": "pages/index/index.wxml#m:1:49"}, shown
    for _ in range(50):
        qapp.processEvents()
        time.sleep(0.01)
    assert len(errors_of(messages)) == 1, errors_of(messages)


def blocking(*patterns):
    from finclip_desktop.policy import parse_policy

    return effective_settings(policy=parse_policy({"blocked_apps": list(patterns)}))


def test_app_id_blocked_while_running_keeps_the_app_and_says_why(qapp, tmp_path):
    from finclip_desktop.devtools.scaffold import create_app
    from finclip_desktop.shell.core import Shell

    root = tmp_path / "demo"
    create_app(root, "blank", app_id="dev.allowed")
    shell = Shell(settings=blocking("corp.blocked"), data_root=tmp_path / "data", dev_mode=True)
    session = DevSession(shell, root, devtools=True, printer=lambda m: None, quiet_ms=40)
    try:
        session.start(show=True)
        assert body_has(qapp, session, "Hello, mini-program")
        first = session.container
        failures: list = []
        session.failed.connect(failures.append)
        config = root / "project.config.json"
        data = json.loads(config.read_text())
        config.write_text(json.dumps({**data, "appid": "corp.blocked"}))
        assert wait_until(qapp, lambda: failures), "the refusal was not reported"
        assert "corp.blocked is not allowed by your organisation's policy" in failures[0]
        shown = overlay_shown(qapp, session)
        assert shown == {"kind": "refused", "location": ""}, shown
        assert session.container is first and not first.is_closed
        assert first.window is not None and first.window.isVisible()
        assert session.devtools is not None and session.devtools.is_shown()

        # a page edit meanwhile must not slip the blocked app into the running container
        wxml = root / "pages" / "index" / "index.wxml"
        wxml.write_text(wxml.read_text().replace("Hello, mini-program", "Hello, again"))
        assert wait_until(qapp, lambda: len(failures) >= 2)
        assert session.container is first and first.bundle.app_id == "dev.allowed"

        restarted: list = []
        session.restarted.connect(restarted.append)
        config.write_text(json.dumps({**data, "appid": "dev.renamed"}))
        assert wait_until(qapp, lambda: restarted), "fixing the app id did not restart"
        assert session.container.app_id == "dev.renamed" and session.error is None
        assert body_has(qapp, session, "Hello, again")
        assert overlay_gone(qapp, session)
    finally:
        session.stop()
        shell.close_all()
        qapp.processEvents()


def test_dev_refuses_a_blocked_app_id_without_a_traceback(tmp_path, monkeypatch, capsys):
    from finclip_desktop.cli import main
    from finclip_desktop.devtools.scaffold import create_app
    from finclip_desktop.policy import POLICY_ENV

    root = tmp_path / "demo"
    create_app(root, "blank", app_id="corp.blocked")
    policy = tmp_path / "policy.json"
    policy.write_text(json.dumps({"blocked_apps": ["corp.*"]}))
    monkeypatch.setenv(POLICY_ENV, str(policy))
    assert main(["dev", str(root), "--no-sandbox", "--no-devtools", "--exit-after", "5"]) == 1
    err = capsys.readouterr().err
    assert "finclip: corp.blocked is not allowed by your organisation's policy" in err
    assert "Traceback" not in err


def test_dev_refuses_folders_when_sideloading_is_off(tmp_path, monkeypatch, capsys):
    from finclip_desktop.cli import main
    from finclip_desktop.policy import POLICY_ENV

    policy = tmp_path / "policy.json"
    policy.write_text(json.dumps({"sideloading_allowed": False}))
    monkeypatch.setenv(POLICY_ENV, str(policy))
    (tmp_path / "app").mkdir()
    assert main(["dev", str(tmp_path / "app"), "--no-sandbox"]) == 1
    err = capsys.readouterr().err
    assert "running app folders from disk" in err
    assert "is turned off by your organisation's policy" in err


def test_headless_dev_without_a_display_writes_its_screenshot(tmp_path):
    """No DISPLAY, no QT_QPA_PLATFORM: `finclip dev --screenshot` runs offscreen (it used
    to abort in Qt's xcb plugin), and replaces a screenshot file already there."""
    import os
    import subprocess
    import sys

    from PySide6.QtGui import QImage

    from finclip_desktop.devtools.scaffold import create_app

    root = tmp_path / "demo"
    create_app(root, "blank")
    shot = tmp_path / "shot.png"
    shot.write_bytes(b"old")
    env = {k: v for k, v in os.environ.items()
           if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}  # fmt: skip
    command = "import sys; from finclip_desktop.cli import main; sys.exit(main())"
    proc = subprocess.run(
        [sys.executable, "-c", command, "dev", str(root), "--no-sandbox", "--no-devtools",
         "--screenshot", str(shot), "--exit-after", "25"],
        env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr[-2000:]
    image = QImage(str(shot))
    assert not image.isNull(), "the old file was not replaced by a PNG"
    assert (image.width(), image.height()) == (375, 667)
    colours = {image.pixel(x, y) for x in range(0, 375, 5) for y in range(0, 667, 5)}
    assert len(colours) > 10, "the screenshot is blank"


def test_dev_refuses_a_screenshot_in_a_missing_folder(tmp_path, capsys):
    from finclip_desktop.cli import main

    (tmp_path / "app").mkdir()
    shot = tmp_path / "nowhere" / "x.png"
    assert main(["dev", str(tmp_path / "app"), "--screenshot", str(shot)]) == 1
    assert f"the folder {shot.parent} does not exist" in capsys.readouterr().err
