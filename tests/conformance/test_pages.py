"""Conformance: page events (scroll, reach bottom, resize), app host events, the page
stack limit, preloadRule, per-page navigation bar state, switchTab to the shown tab."""

# ruff: noqa: E501 - the mini-apps under test are inline WXML/JS source

from __future__ import annotations

import pytest

from finclip_desktop.shell.testing import wait_until
from tests.runtime.apps import make_app, one_page

pytestmark = pytest.mark.qt

# the app keeps one log, shown live by the visible page's #log
LOG = '<view id="log">{{log}}</view>'


def app_js(extra: str = "") -> str:
    return f"""App({{ log: [],
      rec(x) {{ this.log.push(x); const p = getCurrentPages().slice(-1)[0]; if (p) p.setData({{ log: this.log.join('|') }}); }},
      {extra} }});"""


def hooks(name: str, extra: str = "") -> str:
    names = ("onShow", "onReady", "onHide", "onUnload")
    body = ",".join(f"{h}() {{ getApp().rec('{name}.{h}'); }}" for h in names)
    return f"Page({{ data: {{ log: '' }}, onLoad() {{ getApp().rec('{name}.onLoad'); }}, {body}, {extra} }});"


def logged(app) -> list[str]:
    return app.text("#log").split("|")


def test_page_scroll_reach_bottom_resize_and_rpx(open_app):
    js = """Page({ data: { top: -1, bottoms: 0, size: '' },
      onPageScroll(e) { this.setData({ top: e.scrollTop }); },
      onReachBottom() { this.setData({ bottoms: this.data.bottoms + 1 }); },
      onResize(e) { this.setData({ size: e.size.windowWidth + 'x' + e.size.windowHeight }); } });"""
    wxml = """<view id="w" style="height:10px">w</view><view id="top">{{top}}</view><view id="b">{{bottoms}}</view>
    <view id="size">{{size}}</view><view style="height:3000px"></view><view>end</view>"""
    app = open_app(
        make_app(
            {
                "pages/p/p": {
                    "wxml": wxml,
                    "js": js,
                    "wxss": "#w{width:375rpx}",
                    "json": {"onReachBottomDistance": 200},
                }
            }
        )
    )
    app.wait_text("#top", "-1")
    app.eval(f"{app.PAGE}.scrollTop = 120")
    app.wait_text("#top", "120")
    assert app.text("#b") == "0"
    # 150 px above the end is within onReachBottomDistance (200): one onReachBottom
    app.eval(f"{app.PAGE}.scrollTop = {app.PAGE}.scrollHeight - {app.PAGE}.clientHeight - 150")
    app.wait_text("#b", "1")
    app.eval(f"{app.PAGE}.scrollTop = {app.PAGE}.scrollHeight")
    app.wait(f"{app.q('#top')}.textContent === String({app.PAGE}.scrollTop)")
    assert app.text("#b") == "1"  # fires on entering the zone, not on every scroll inside it
    width = app.eval("document.documentElement.clientWidth")
    assert (
        app.eval(f"getComputedStyle({app.q('#w')}).width") == f"{int(375 / 750 * width + 1e-4)}px"
    )
    window = app.d.container.window
    window.resize(window.width() - 100, window.height() - 50)
    app.wait(f"document.documentElement.clientWidth !== {width}")
    new_width = app.eval("document.documentElement.clientWidth")
    app.wait_text("#size", f"{new_width}x{app.eval('innerHeight')}")
    # rpx follows the new window width
    assert (
        app.eval(f"getComputedStyle({app.q('#w')}).width")
        == f"{int(375 / 750 * new_width + 1e-4)}px"
    )


def test_app_show_hide_on_host_events_and_unhandled_rejection(open_app):
    events = app_js(
        "onShow() { this.rec('app.onShow'); }, onHide() { this.rec('app.onHide'); },"
        "onUnhandledRejection(r) { this.rec('rejected:' + r.reason.message + ':' + (r.promise instanceof Promise)); }"
    )
    page = hooks("p", "fail() { Promise.reject(new Error('nobody caught me')); }")
    wxml = LOG + '<view id="fail" bindtap="fail">f</view>'
    app = open_app(one_page(wxml, page, app_js=events))
    app.wait(f"{app.q('#log')}.textContent.endsWith('p.onReady')")
    window = app.d.container.window
    window.hide()
    window.show()
    app.wait(f"{app.q('#log')}.textContent.endsWith('p.onShow')")
    assert logged(app) == [
        "app.onShow", "p.onLoad", "p.onShow", "p.onReady",
        "app.onHide", "p.onHide", "app.onShow", "p.onShow",
    ]  # fmt: skip
    app.tap("#fail")
    app.wait(f"{app.q('#log')}.textContent.split('|').length === 9")
    assert logged(app)[-1] == "rejected:nobody caught me:true"


def test_page_stack_limit_of_ten(open_app):
    js = """Page({ data: { n: 0, r: '' }, onLoad(q) { this.setData({ n: getCurrentPages().length + ':' + this.route + ':' + (this.options.d || '') + q.d }); },
      go() { wx.navigateTo({ url: '/pages/p/p?d=' + (getCurrentPages().length + 1) }).then((r) => this.setData({ r: r.errMsg }), (e) => this.setData({ r: e.errMsg + ' at ' + getCurrentPages().length })); } });"""
    wxml = '<view id="n">{{n}}</view><view id="go" bindtap="go">go</view><view id="r">{{r}}</view>'
    app = open_app(one_page(wxml, js))
    app.wait_text("#n", "1:pages/p/p:undefined")
    for depth in range(1, 10):
        if depth > 1:  # this.route, this.options and onLoad's query of each new page
            app.wait_text("#n", f"{depth}:pages/p/p:{depth}{depth}")
        app.tap("#go")
        app.wait(f"document.querySelectorAll('wx-page').length === {depth + 1}")
    app.wait_text("#n", "10:pages/p/p:1010")
    app.tap("#go")
    app.wait_text("#r", "navigateTo:fail webview count limit exceed at 10")
    assert app.eval("document.querySelectorAll('wx-page').length") == 10


def test_preload_rule_loads_the_subpackage_when_its_page_shows(open_app):
    files = make_app(
        {
            "pages/a/a": {
                "wxml": '<view id="go" bindtap="go">go</view>',
                "js": "Page({ go() { wx.navigateTo({ url: '/pages/b/b' }); } });",
            },
            "pages/b/b": {
                "wxml": '<view id="in" bindtap="go">b</view>',
                "js": "Page({ go() { wx.navigateTo({ url: '/pkg/s/s' }); } });",
            },
        },
        app_json={
            "subpackages": [{"root": "pkg", "name": "extra", "pages": ["s/s"]}],
            "preloadRule": {"pages/b/b": {"network": "all", "packages": ["extra"]}},
        },
        extra={"pkg/s/s.wxml": '<view id="s">sub page</view>', "pkg/s/s.js": "Page({});"},
    )
    app = open_app(files)
    served = app.d.container.scheme.served
    app.wait(app.q("#go"))
    assert "__fc__/sub/0.js" not in served
    app.tap("#go")
    app.wait_text("#in", "b")
    wait_until(lambda: "__fc__/sub/0.js" in served, what="the preloaded subpackage")
    assert app.route() == "pages/b/b"  # loaded before anyone navigated into it
    app.tap("#in")
    app.wait_text("#s", "sub page")
    assert served.count("__fc__/sub/0.js") == 1


NAV_TITLE = "document.querySelector('.fc-nav-title').textContent"
NAV_BG = "getComputedStyle(document.querySelector('.fc-nav')).backgroundColor"


def test_navigation_bar_changes_stay_with_their_page(open_app):
    pages = {
        "pages/a/a": {
            "wxml": '<view id="set" bindtap="set">set</view><view id="go" bindtap="go">go</view>',
            "js": """Page({ onLoad() { wx.setNavigationBarTitle({ title: 'Loaded A' }); },
              set() { wx.setNavigationBarTitle({ title: 'Custom A' }); wx.setNavigationBarColor({ frontColor: '#ffffff', backgroundColor: '#ff0000' }); },
              go() { wx.navigateTo({ url: '/pages/b/b' }); } });""",
            "json": {"navigationBarTitleText": "Config A"},
        },
        "pages/b/b": {
            "wxml": '<view id="b">b</view>',
            "json": {
                "navigationBarTitleText": "Config B",
                "navigationBarBackgroundColor": "#0000ff",
            },
        },
    }
    app = open_app(make_app(pages))
    app.wait(f"{NAV_TITLE} === 'Loaded A'")  # set in onLoad: not lost when the page shows
    app.tap("#set")
    app.wait(f"{NAV_TITLE} === 'Custom A' && {NAV_BG} === 'rgb(255, 0, 0)'")
    app.tap("#go")
    app.wait_text("#b", "b")
    assert app.eval(NAV_TITLE) == "Config B"
    assert app.eval(NAV_BG) == "rgb(0, 0, 255)"
    app.eval("document.querySelector('.fc-nav-back').click()")
    app.wait(f"{app.PAGE}.getAttribute('route') === 'pages/a/a'")
    assert app.eval(NAV_TITLE) == "Custom A"
    assert app.eval(NAV_BG) == "rgb(255, 0, 0)"


def test_switch_tab_to_the_shown_tab_changes_nothing(open_app):
    tab_bar = {
        "position": "top",
        "list": [{"pagePath": "pages/a/a", "text": "A"}, {"pagePath": "pages/b/b", "text": "B"}],
    }
    tapped = (
        "onTabItemTap(i) { getApp().rec('tap:' + i.index + ',' + i.pagePath + ',' + i.text); }, "
    )
    js = hooks(
        "a",
        tapped
        + "same() { wx.switchTab({ url: '/pages/a/a' }).then((r) => getApp().rec(r.errMsg)); }, "
        "other() { wx.switchTab({ url: '/pages/b/b' }); }",
    )
    wxml = LOG + '<view id="same" bindtap="same">s</view><view id="other" bindtap="other">o</view>'
    pages = {
        "pages/a/a": {"wxml": wxml, "js": js},
        "pages/b/b": {"js": hooks("b", tapped), "wxml": LOG},
    }
    app = open_app(make_app(pages, app_js=app_js(), app_json={"tabBar": tab_bar}))
    app.wait(f"{app.q('#log')}.textContent.endsWith('a.onReady')")
    # position "top": the bar sits under the navigation bar, the page below both
    assert app.eval("document.querySelector('.fc-tabbar').classList.contains('fc-top')")
    assert app.eval("document.querySelector('.fc-tabbar').getBoundingClientRect().top") == 44
    assert app.eval("document.querySelector('.fc-pages').getBoundingClientRect().top") == 92
    app.tap("#same")
    app.wait(f"{app.q('#log')}.textContent.endsWith('switchTab:ok')")
    assert logged(app) == ["a.onLoad", "a.onShow", "a.onReady", "switchTab:ok"]
    app.eval("document.querySelectorAll('.fc-tab')[0].click()")  # the shown tab's item
    app.wait(f"{app.q('#log')}.textContent.endsWith('tap:0,pages/a/a,A')")
    assert "a.onHide" not in logged(app)
    app.eval("document.querySelectorAll('.fc-tab')[1].click()")  # a real switch hides the old tab
    app.wait(f"{app.PAGE}.getAttribute('route') === 'pages/b/b'")
    app.wait(f"{app.q('#log')}.textContent.endsWith('b.onReady')")
    assert logged(app)[5:] == ["a.onHide", "b.onLoad", "b.onShow", "tap:1,pages/b/b,B", "b.onReady"]
