"""The shipped examples render, plus edge behaviour: unknown entry page, style sharing,
intersection observer, worker errors reaching App.onError."""

# ruff: noqa: E501 - the mini-apps under test are inline WXML/JS source

from __future__ import annotations

from pathlib import Path

import pytest

from tests.runtime.apps import make_app
from tests.runtime.harness import load_folder

pytestmark = pytest.mark.qt
EXAMPLES = Path(__file__).parents[2] / "resources" / "examples"


@pytest.mark.parametrize(
    ("name", "route", "expected"),
    [
        ("hello", "pages/index/index", ["Hello, FinClip!", "Tapped 0 times", "3. Cherry"]),
        ("tabbed", "pages/home/home", ["Welcome, Lin Wei", "Gold", "Flat market.", "62%"]),
        ("gallery", "pages/index/index", ["Form fields", "Hello stranger", "Chip 12"]),
    ],
)
def test_examples_render(run_app, name, route, expected):
    host = run_app(load_folder(EXAMPLES / name), app_id=f"demo.{name}")
    host.wait_painted(route)
    text = host.text()
    for part in expected:
        assert part in text
    assert not host.errors()


def test_tabbed_list_uses_template_and_wxs(run_app):
    host = run_app(load_folder(EXAMPLES / "tabbed"), path="pages/list/list")
    host.wait_painted("pages/list/list")
    rows = host.js(
        "return [].map.call(document.querySelectorAll('.row'), r => r.innerText.replace(/\\n/g, ' '))"
    )
    assert len(rows) == 50
    assert rows[0] == "Growth Fund 1 F1000 1.00 -4.00%"
    assert (
        host.js("return getComputedStyle(document.querySelector('.row-change.down')).color")
        == "rgb(0, 180, 42)"
    )
    host.tap(".row")
    host.wait_painted("pages/detail/detail")
    assert "NAV: ¥1.00" in host.text()


def test_unknown_entry_page_falls_back_and_reports(run_app):
    files = make_app(
        {
            "pages/a/a": {
                "wxml": '<view id="nf">{{nf}}</view>',
                "js": "Page({ data: { nf: '' }, onLoad() { this.setData({ nf: getApp().nf }); } });",
            }
        },
        app_js="App({ onPageNotFound(r) { this.nf = 'missing ' + r.path; } });",
    )
    host = run_app(files, path="pages/nope/nope")
    host.wait_painted("pages/a/a")
    assert host.js("return document.querySelector('#nf').textContent") == "missing pages/nope/nope"


def test_handler_errors_reach_app_on_error(run_app):
    files = make_app(
        {
            "pages/a/a": {
                "wxml": '<view id="b" bindtap="boom">b</view><view id="e">{{e}}</view>',
                "js": "Page({ data: { e: '' }, boom() { throw new Error('kaput'); }, onShow() { getApp().page = this; } });",
            }
        },
        app_js="App({ onError(msg) { this.page.setData({ e: msg.split('\\n')[0] }); } });",
    )
    host = run_app(files)
    host.wait_painted("pages/a/a")
    host.tap("#b")
    host.wait("document.querySelector('#e').textContent")
    assert host.js("return document.querySelector('#e').textContent") == "Error: kaput"


def test_apply_shared_style_isolation(run_app):
    files = make_app(
        {
            "pages/a/a": {
                "wxml": "<shared-c/><iso-c/>",
                "json": {"usingComponents": {"shared-c": "/c/s", "iso-c": "/c/i"}},
            }
        },
        app_wxss=".hot{color:rgb(200, 0, 0)}",
        extra={
            "c/s.json": "{}",
            "c/s.wxml": '<view class="hot" id="s">s</view>',
            "c/s.js": "Component({ options: { styleIsolation: 'apply-shared' } });",
            "c/i.json": "{}",
            "c/i.wxml": '<view class="hot" id="i">i</view>',
            "c/i.js": "Component({});",
        },
    )
    host = run_app(files)
    host.wait_painted("pages/a/a")
    assert (
        host.js("return getComputedStyle(document.querySelector('#s')).color") == "rgb(200, 0, 0)"
    )
    assert host.js("return getComputedStyle(document.querySelector('#i')).color") == "rgb(0, 0, 0)"


def test_intersection_observer(run_app):
    js = """Page({ data: { seen: '' }, onReady() {
      wx.createIntersectionObserver(this).relativeToViewport().observe('#far', (r) => this.setData({ seen: 'ratio>' + (r.intersectionRatio > 0) }));
    } });"""
    files = make_app(
        {
            "pages/a/a": {
                "wxml": '<view id="s">{{seen}}</view><view style="height:2000px"></view><view id="far">far</view>',
                "js": js,
            }
        }
    )
    host = run_app(files)
    host.wait_painted("pages/a/a")
    host.wait("document.querySelector('#s').textContent === 'ratio>false'")
    host.js("document.querySelector('wx-page').scrollTop = 5000; return 1;")
    host.wait("document.querySelector('#s').textContent === 'ratio>true'")


def test_syntax_error_in_app_js_is_reported_with_its_file(run_app):
    # a redeclared const passes the build's syntax check: the engine refuses the module
    js = "Page({});\nconst a = 1;\nconst a = 2;"
    host = run_app(make_app({"pages/a/a": {"wxml": "<view id='x'>x</view>", "js": js}}))
    host.wait_painted("pages/a/a")  # the rest of the app still runs
    assert host.js("return document.querySelector('#x').textContent") == "x"
    from finclip_desktop.shell.testing import wait_until

    reported = wait_until(
        lambda: [m.split("] ", 1)[1] for m in host.errors() if "[finclip logic]" in m],
        what="the error report",
    )
    assert reported[0].startswith(
        "pages/a/a.js:3:7: SyntaxError: Identifier 'a' has already been declared"
    )
