"""`finclip dev`: a real shell (offscreen), a real folder, real edits on disk."""

from __future__ import annotations

import json

import pytest

from finclip_desktop.devtools import overlay
from finclip_desktop.devtools.devloop import DevSession
from finclip_desktop.settings import effective_settings

from .conftest import wait_until

pytestmark = pytest.mark.qt

PAGE = '<!doctype html><meta charset="utf-8"><p id="msg">{text}</p><script src="app.js"></script>'


def js(qapp, page, script, world=0):
    out: list = []
    page.runJavaScript(script, world, out.append)
    assert wait_until(qapp, lambda: out), f"no answer to {script}"
    return out[0]


def text_is(qapp, page, expected):
    found: list = []

    def probe():
        found[:] = []
        page.runJavaScript(
            "(document.getElementById('msg') || {}).textContent || ''", 0, found.append
        )
        for _ in range(20):
            qapp.processEvents()
            if found:
                break
        return found and found[0] == expected

    return wait_until(qapp, probe)


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
    shown: list = []
    assert wait_until(
        qapp, lambda: (overlay.read(session.container.page, shown.append), shown and shown[-1])[1]
    )
    assert shown[-1]["kind"] == "runtime" and shown[-1]["location"] == "app.js:3"


def test_build_error_overlay_then_fixed(qapp, session):
    page = session.container.page
    assert text_is(qapp, page, "one")
    failures: list = []
    session.failed.connect(failures.append)
    (session.root / "app.json").write_text('{"pages": [')  # broken JSON: the build fails
    assert wait_until(qapp, lambda: failures), "the broken file was not reported"
    assert session.error is not None and session.error.file == "app.json"
    shown: list = []
    assert wait_until(
        qapp,
        lambda: (overlay.read(session.container.page, shown.append), shown and shown[-1])[1],
    )
    assert shown[-1] == {"kind": "compile", "location": "app.json"}
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
    gone: list = []
    assert wait_until(
        qapp, lambda: (overlay.read(session.container.page, gone.append), len(gone) > 0)[1]
    )
    assert gone[-1] is None
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
    found: list = []

    def probe():
        found[:] = []
        session.container.page.runJavaScript("document.body.innerText", 0, found.append)
        for _ in range(20):
            qapp.processEvents()
            if found:
                break
        return bool(found) and text in (found[0] or "")

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
    shown: list = []
    assert wait_until(
        qapp, lambda: (overlay.read(session.container.page, shown.append), shown and shown[-1])[1]
    )
    assert shown[-1]["kind"] == "compile"
    assert shown[-1]["location"].startswith("pages/index/index.wxml:")
    assert body_has(qapp, session, "Hello, hot reload"), "the last good build keeps running"

    wxml.write_text(source)
    assert wait_until(qapp, lambda: len(reloads) >= 2), "the fix did not rebuild"
    assert body_has(qapp, session, "Hello, mini-program")
    gone: list = []
    assert wait_until(
        qapp,
        lambda: (overlay.read(session.container.page, gone.append), gone and gone[-1] is None)[1],
    ), f"the overlay stayed after the fix: {gone[-1:]}, {session.runtime_error}"
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
    shown: list = []
    assert wait_until(
        qapp, lambda: (overlay.read(session.container.page, shown.append), shown and shown[-1])[1]
    )
    assert shown[-1] == {"kind": "runtime", "location": "pages/index/index.js:5:10"}


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
        shown: list = []
        assert wait_until(
            qapp,
            lambda: (overlay.read(session.container.page, shown.append), shown and shown[-1])[1],
        )
        assert shown[-1]["location"].startswith("pages/index/index.wxml:1:")
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
