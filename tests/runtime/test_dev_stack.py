"""`finclip dev` hot reload support: the view reports the page stack (``window.__fcDev``)
and an entry URL with ``#fcstack=`` reopens a whole stack with each page's query."""

# ruff: noqa: E501 - the mini-apps under test are inline WXML/JS source

from __future__ import annotations

import json
import time
from urllib.parse import quote

import pytest

from tests.runtime.apps import make_app

pytestmark = pytest.mark.qt

NAV_WXML = """
<view id="to-detail" bindtap="go" data-op="navigateTo" data-url="/pages/detail/detail?id=7&amp;name=a%20b">detail</view>
<view id="to-more" bindtap="go" data-op="navigateTo" data-url="../more/more?from=x">more</view>
<view id="redirect" bindtap="go" data-op="redirectTo" data-url="/pages/detail/detail?id=8">redirect</view>
<view id="back" bindtap="go" data-op="navigateBack">back</view>
<view id="tab" bindtap="go" data-op="switchTab" data-url="/pages/mine/mine">tab</view>
<view id="relaunch" bindtap="go" data-op="reLaunch" data-url="/pages/detail/detail?id=9">relaunch</view>
<view id="dump" bindtap="dump">dump</view>
<view id="pages">{{pages}}</view>
"""
NAV_JS = """Page({
  data: { pages: '' },
  onLoad(q) { getApp().log.push(this.route + ':' + JSON.stringify(q)); },
  go(e) { const d = e.currentTarget.dataset; wx[d.op](d.url ? { url: d.url } : {}); },
  dump() { this.setData({ pages: JSON.stringify({ pages: getCurrentPages().map((p) => [p.route, p.options]), log: getApp().log }) }); }
});"""
ROUTES = ("pages/home/home", "pages/mine/mine", "pages/detail/detail", "pages/more/more")


def nav_app() -> dict[str, bytes]:
    return make_app(
        {route: {"wxml": NAV_WXML, "js": NAV_JS} for route in ROUTES},
        app_js="App({ log: [] });",
        app_json={
            "tabBar": {
                "list": [
                    {"pagePath": "pages/home/home", "text": "Home"},
                    {"pagePath": "pages/mine/mine", "text": "Mine"},
                ]
            }
        },
    )


def shown(host) -> str:
    return host.js(
        "var p=document.querySelector('wx-page:not(.fc-hidden)');return p ? p.getAttribute('route') : '';"
    )


SETTLED_JS = (
    "var shown = document.querySelectorAll('wx-page:not(.fc-hidden)');"
    "return shown.length === 1 ? shown[0].getAttribute('route') : '';"
)


def stack_becomes(host, expected: list[dict], timeout: float = 10.0) -> list[dict]:
    """Wait until ``window.__fcDev.stack()`` equals ``expected`` and only its top page is
    shown (a page transition has ended, so a tap reaches the new page); returns the last
    stack seen."""
    deadline = time.monotonic() + timeout
    while True:
        seen = host.js("return window.__fcDev.stack();")
        top = expected[-1]["route"].lstrip("/") if expected else ""
        if seen == expected and host.js(SETTLED_JS) == top:
            return seen
        if time.monotonic() > deadline:
            return seen
        host.pump(0.03)


def worker_pages(host) -> dict:
    """getCurrentPages() routes and options, and every onLoad query, from the logic layer."""
    sel = "document.querySelector('wx-page:not(.fc-hidden) #pages').textContent"
    before = host.js(f"return {sel};")
    host.tap("#dump")
    host.wait(f"{sel} !== {json.dumps(before)}")
    return json.loads(host.js(f"return {sel};"))


def page(route: str, **query: str) -> dict:
    return {"route": route, "query": query}


def test_stack_is_reported_after_each_navigation(run_app):
    host = run_app(nav_app())
    host.wait_painted("pages/home/home")
    home = page("pages/home/home")
    assert stack_becomes(host, [home]) == [home]  # at launch
    host.tap("#to-detail")
    detail = page("pages/detail/detail", id="7", name="a b")
    assert stack_becomes(host, [home, detail]) == [home, detail]
    host.tap("#to-more")  # a relative url
    more = page("pages/more/more", **{"from": "x"})
    assert stack_becomes(host, [home, detail, more]) == [home, detail, more]
    host.tap("#redirect")
    assert stack_becomes(host, [home, detail, page("pages/detail/detail", id="8")])[-1] == page(
        "pages/detail/detail", id="8"
    )
    host.tap("#back")
    assert stack_becomes(host, [home, detail]) == [home, detail]
    host.tap("#tab")
    assert stack_becomes(host, [page("pages/mine/mine")]) == [page("pages/mine/mine")]
    host.tap("#relaunch")
    relaunched = [page("pages/detail/detail", id="9")]
    assert stack_becomes(host, relaunched) == relaunched
    # a copy: the caller cannot change what the view keeps
    assert (
        host.js("var s = window.__fcDev.stack(); s.pop(); return window.__fcDev.stack().length;")
        == 1
    )
    assert not host.errors()


def fcstack(stack: list[dict]) -> str:
    """``?path=`` (the top page) and ``#fcstack=`` as `finclip dev` builds them."""
    top = stack[-1]
    path = top["route"] + "?" + "&".join(f"{quote(k)}={quote(v)}" for k, v in top["query"].items())
    return quote(path, safe="") + "#fcstack=" + quote(json.dumps(stack))


def test_fcstack_reopens_the_stack_with_queries(run_app):
    stack = [
        page("pages/mine/mine"),  # a tab page at the bottom: opened as the entry
        page("pages/gone/gone", id="1"),  # no such page (removed since): dropped
        page("pages/detail/detail", id="7", name="a b&c=d"),
        page("pages/home/home"),  # a tab page above the bottom: dropped
        page("/pages/more/more", **{"from": "détail"}),
    ]
    host = run_app(nav_app(), path=fcstack(stack))
    host.wait_painted("pages/more/more")
    assert shown(host) == "pages/more/more"
    state = worker_pages(host)
    assert state["pages"] == [
        ["pages/mine/mine", {}],
        ["pages/detail/detail", {"id": "7", "name": "a b&c=d"}],
        ["pages/more/more", {"from": "détail"}],
    ]
    assert state["log"] == [  # each page's onLoad got its query, bottom first
        "pages/mine/mine:{}",
        'pages/detail/detail:{"id":"7","name":"a b&c=d"}',
        'pages/more/more:{"from":"détail"}',
    ]
    expected = [page("pages/mine/mine"), stack[2], page("pages/more/more", **{"from": "détail"})]
    assert stack_becomes(host, expected) == expected
    assert host.js("return document.querySelector('.fc-nav-back').hidden") is False
    host.tap("#back")
    host.wait_painted("pages/detail/detail")
    host.tap("#back")
    host.wait_painted("pages/mine/mine")  # the tab page under the stack, with its tab bar
    assert host.js("return document.querySelector('.fc-tabbar').hidden") is False
    assert host.js("return document.querySelectorAll('.fc-tab')[1].classList.contains('fc-on')")
    assert not host.errors()


@pytest.mark.parametrize(
    "fragment", ["%5B%7B%22route%22%3A%22pages%2Fgone%2Fgone%22%7D%5D", "not-json%7B", ""]
)
def test_fcstack_without_a_valid_page_falls_back_to_path(run_app, fragment):
    host = run_app(nav_app(), path="pages%2Fdetail%2Fdetail%3Fid%3D3#fcstack=" + fragment)
    host.wait_painted("pages/detail/detail")
    assert worker_pages(host)["pages"] == [["pages/detail/detail", {"id": "3"}]]
    assert stack_becomes(host, [page("pages/detail/detail", id="3")]) == [
        page("pages/detail/detail", id="3")
    ]
    assert not host.errors()
