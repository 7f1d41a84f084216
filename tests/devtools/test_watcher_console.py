"""Folder watching, build-error parsing and console formatting (real files, real Qt loop)."""

from __future__ import annotations

import os

import pytest

from finclip_desktop.devtools.console import ConsoleMessage, message_from_qt, relative_source
from finclip_desktop.devtools.devloop import build_error
from finclip_desktop.devtools.watcher import FolderWatcher, diff, scan

from .conftest import wait_until


def test_scan_and_diff(tmp_path):
    (tmp_path / "a.js").write_text("1")
    (tmp_path / ".git").mkdir()
    (tmp_path / ".git" / "HEAD").write_text("x")
    (tmp_path / "b.wxml.swp").write_text("x")
    first = scan(tmp_path)
    assert set(first) == {"a.js"}
    (tmp_path / "a.js").write_text("1")  # same content, new mtime: not a change
    assert diff(first, scan(tmp_path, first)) == []
    (tmp_path / "a.js").write_text("2")
    (tmp_path / "pages").mkdir()
    (tmp_path / "pages" / "p.wxml").write_text("<view/>")
    second = scan(tmp_path, first)
    assert diff(first, second) == ["a.js", "pages/p.wxml"]
    (tmp_path / "a.js").unlink()
    assert diff(second, scan(tmp_path, second)) == ["a.js"]


@pytest.mark.qt
def test_folder_watcher_reports_edits_renames_and_new_folders(qapp, tmp_path):
    (tmp_path / "pages" / "index").mkdir(parents=True)
    page = tmp_path / "pages" / "index" / "index.wxml"
    page.write_text("<view>one</view>")
    watcher = FolderWatcher(tmp_path, quiet_ms=50, poll_ms=60_000)
    seen: list[list[str]] = []
    watcher.changed.connect(seen.append)

    page.write_text("<view>two</view>")
    assert wait_until(qapp, lambda: seen), "an edit was not reported"
    assert seen[-1] == ["pages/index/index.wxml"]

    # an editor's atomic save: write a temp file, rename it over the original
    tmp = page.with_name("index.wxml.tmp")
    tmp.write_text("<view>three</view>")
    os.replace(tmp, page)
    assert wait_until(qapp, lambda: len(seen) >= 2), "an atomic save was not reported"
    assert seen[-1] == ["pages/index/index.wxml"]

    (tmp_path / "pages" / "about").mkdir()
    (tmp_path / "pages" / "about" / "index.js").write_text("Page({})")
    assert wait_until(qapp, lambda: len(seen) >= 3)
    assert "pages/about/index.js" in seen[-1]
    watcher.stop()


def test_build_error_locations(tmp_path):
    err = build_error(
        ValueError(f"{tmp_path}: cannot compile the app: pages/a/index.wxml:3:7: unclosed <view>"),
        tmp_path,
    )
    assert (err.kind, err.file, err.line, err.column, err.message) == (
        "compile", "pages/a/index.wxml", 3, 7, "unclosed <view>"
    )  # fmt: skip
    assert err.location == "pages/a/index.wxml:3:7"
    err = build_error(ValueError(f"{tmp_path}: app.json: Expecting value at line 1"), tmp_path)
    assert (err.file, err.message) == ("app.json", "Expecting value at line 1")
    assert build_error(ValueError("something odd"), tmp_path).location == ""


def test_console_messages():
    from PySide6.QtWebEngineCore import QWebEnginePage

    level = QWebEnginePage.JavaScriptConsoleMessageLevel
    msg = message_from_qt(level.WarningMessageLevel, "careful", 12, "finclip://demo/app.js", "demo")
    assert msg == ConsoleMessage("warn", "careful", 12, "app.js")
    assert msg.format("demo") == "[demo] warn app.js:12: careful"
    assert msg.uncaught() is None
    boom = message_from_qt(
        level.ErrorMessageLevel, "Uncaught TypeError: x is undefined", 3,
        "finclip://demo/pages/a.js", "demo",
    )  # fmt: skip
    err = boom.uncaught()
    assert err is not None and err.kind == "runtime"
    assert (err.location, err.message) == ("pages/a.js:3", "TypeError: x is undefined")
    shell_script = message_from_qt(
        level.ErrorMessageLevel, "Uncaught TypeError: x is not a function", 139,
        "userscript:qwebchannel", "demo",
    )  # fmt: skip
    assert shell_script.uncaught() is None  # the shell's bridge script, not the app's code
    assert relative_source("blob:finclip://demo/1234", "demo") == "worker"
    assert relative_source("https://cdn.example.com/x.js", "demo") == "https://cdn.example.com/x.js"


def test_logic_bundle_lines_map_to_app_files():
    from PySide6.QtWebEngineCore import QWebEnginePage

    from finclip_desktop.devtools.console import ModuleLines

    service = "\n".join([
        "var __fc = {};  // framework",
        "// more framework",
        '__fc.define("app.js",function(require,module,exports){App({',
        "});",
        "}); ",
        '__fc.define("pages/index/index.js",function(require,module,exports){Page({',
        "  onLoad() {",
        "    console.log('x');",
        "  }",
        "});",
        "});",
    ]).encode()  # fmt: skip
    lines = ModuleLines(service)
    assert lines.locate(2) is None
    assert lines.locate(3) == ("app.js", 1)
    assert lines.locate(8) == ("pages/index/index.js", 3)
    level = QWebEnginePage.JavaScriptConsoleMessageLevel.InfoMessageLevel
    msg = message_from_qt(level, "x", 8, "finclip://demo/__fc__/service.js", "demo", lines)
    assert msg.location == "pages/index/index.js:3"


def test_frames_of_app_code_only():
    from finclip_desktop.devtools.console import app_frame

    assert app_frame("    at Object.f (pages/index/index.wxml#m:1:49)") == (
        "pages/index/index.wxml#m", 1, 49
    )  # fmt: skip
    assert app_frame("    at pages/a/index.js:3:9") == ("pages/a/index.js", 3, 9)
    assert app_frame("    at utils/fmt.wxs:2:1") == ("utils/fmt.wxs", 2, 1)
    for frame in ("    at c (finclip://dev.demo/__fc__/service.js:69:14)",
                  "    at c (__fc__/service.js:69:14)",
                  "    at x (https://cdn.example.com/lib.js:1:2)",
                  "    at eval (<anonymous>:1:5)", "TypeError: boom"):  # fmt: skip
        assert app_frame(frame) is None, frame


def test_caught_error_skips_framework_frames():
    stack = ("[finclip] TypeError: boom\n    at self.__fc.C.c (finclip://dev.demo/__fc__/"
             "service.js:69:14)\n    at Object.f (pages/index/index.wxml#m:1:49)")  # fmt: skip
    err = ConsoleMessage("error", stack, 691, "__fc__/service.js").uncaught()
    assert err is not None and err.location == "pages/index/index.wxml#m:1:49"


def _level(name):
    from PySide6.QtWebEngineCore import QWebEnginePage

    return getattr(QWebEnginePage.JavaScriptConsoleMessageLevel, name)


def test_relayed_errors_and_duplicates():
    from finclip_desktop.devtools.console import Duplicates

    error = _level("ErrorMessageLevel")
    relay = message_from_qt(
        error, "[finclip logic] pages/a.js:3: Uncaught SyntaxError: Unexpected token '{'",
        99, "finclip://demo/__fc__/view.js", "demo",
    )  # fmt: skip
    assert relay == ConsoleMessage(
        "error", "Uncaught SyntaxError: Unexpected token '{'", 3, "pages/a.js", relayed=True
    )  # fmt: skip
    assert relay.uncaught().location == "pages/a.js:3"
    copy = message_from_qt(error, "Uncaught SyntaxError: Unexpected token '{'", 3,
                           "finclip://demo/pages/a.js", "demo")  # fmt: skip
    duplicates = Duplicates()
    # one uncaught error: the view's relay, then Chromium's copies in the worker and page
    assert [duplicates.seen(m) for m in (relay, copy, copy)] == [False, True, True]
    assert duplicates.seen(copy) is False  # a fourth copy: the error happened again

    caught = ConsoleMessage("error", "[finclip] TypeError: x\n    at f (pages/a.js:1:2)", 1, "a")
    relayed = message_from_qt(error, "[finclip logic] TypeError: x\n    at f (pages/a.js:1:2)",
                              115, "finclip://demo/__fc__/view.js", "demo")  # fmt: skip
    assert relayed.relayed and relayed.message == caught.message
    duplicates.reset()
    log = ConsoleMessage("log", "handler ran", 1, "a")
    seen = [duplicates.seen(m) for m in (caught, log, relayed, caught, relayed)]
    assert seen == [False, False, True, False, True]  # the same handler failing twice
    other = ConsoleMessage("error", "my own error", 1, "a")
    assert [duplicates.seen(other), duplicates.seen(other)] == [False, False]


def test_module_columns_on_a_first_line_leave_out_the_wrapper():
    from finclip_desktop.devtools.console import ModuleLines

    service = (
        b'var fw = 1;\n__fc.define("app.js",function(require,module,exports){App({});\n});\n'
        b'__fc.define("a.wxml#m",function(require,module,exports){return (function(wx,p)'
        b"{'use strict';module.exports={f:1};\n})();\n});"
    )
    lines = ModuleLines(service)
    prefix = len('__fc.define("app.js",function(require,module,exports){')
    text = f"at x (finclip://demo/__fc__/service.js:2:{prefix + 3}) at y (finclip://demo/__fc__/service.js:3:5)"
    assert lines.rewrite(text, "demo") == "at x (app.js:1:3) at y (app.js:2:5)"
    wxs = len('__fc.define("a.wxml#m",function(require,module,exports){return (function(wx,p)'
              "{'use strict';")  # fmt: skip
    assert lines.rewrite(f"(finclip://demo/__fc__/service.js:4:{wxs + 8})", "demo") == (
        "(a.wxml#m:1:8)"
    )  # fmt: skip
