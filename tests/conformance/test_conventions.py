"""Conformance: wx calling conventions in the runtime (what counts as success, view API
argument checks in the schema registry's words) and templates that cannot change data."""

# ruff: noqa: E501 - the mini-apps under test are inline WXML/JS source

from __future__ import annotations

import json

import pytest

from finclip_desktop.capabilities.schema import SchemaError, validate
from finclip_desktop.runtime.support import VIEW_SCHEMAS
from tests.runtime.apps import make_app

pytestmark = pytest.mark.qt


def test_template_calls_cannot_change_logic_data(open_app):
    wxml = """<view id="sorted">{{l.sort()}}</view><view id="rev">{{l.reverse()}}</view><view id="len">{{l.push(9)}}</view>
    <view id="wxs">{{m.grab(l)}}</view><view id="each">{{l.map(m.bump)}}</view><view id="call">{{l.push.call(l, 5)}}</view>
    <view id="proto">{{l.__proto__ === undefined}}</view><wxs module="m">module.exports = {
      grab: function (x) { x.splice(0, 1); return x.length; },
      bump: function (o) { o.v = 100; return o.v; } };</wxs>
    <view id="data">{{data}}</view><view id="go" bindtap="go">go</view>"""
    js = """Page({ data: { l: [3, 1, 2], objs: [{ v: 1 }], data: '' },
      go() { this.setData({ data: JSON.stringify(this.data.l) + JSON.stringify(this.data.objs) }); } });"""
    wxml = wxml.replace("l.map(m.bump)", "objs.map(m.bump)")
    app = open_app(make_app({"pages/p/p": {"wxml": wxml, "js": js}}))
    app.wait(app.q("#go"))
    # the expressions see their results, on copies
    assert app.text("#sorted") == "1,2,3"
    assert app.text("#rev") == "2,1,3"
    assert app.text("#len") == "4"
    assert app.text("#wxs") == "2"
    assert app.text("#each") == "100"
    assert app.text("#call") == ""  # methods of functions (call/apply/bind) are refused
    assert app.text("#proto") == "true"
    app.tap("#go")
    app.wait(f"{app.q('#data')}.textContent")
    assert app.text("#data") == '[3,1,2][{"v":1}]'


def test_success_needs_an_ok_errmsg(open_app):
    """A fail whose reason ends in "ok" (a path like .../notebook, or .../a:ok) is a fail."""
    js = """Page({ data: { r: '' }, onLoad() {
      const fs = wx.getFileSystemManager(), out = [];
      fs.writeFileSync('wxfile://usr/here.txt', 'x', 'utf8');
      fs.access({ path: 'wxfile://usr/here.txt', success: (r) => out.push('here ' + r.errMsg), fail: (e) => out.push('here FAIL ' + e.errMsg) });
      fs.access({ path: 'wxfile://usr/notebook', success: (r) => out.push('notebook OK ' + r.errMsg), fail: (e) => out.push('notebook ' + e.errMsg) });
      try { fs.readFileSync('wxfile://usr/a:ok', 'utf8'); out.push('readFileSync returned'); } catch (e) { out.push('threw ' + e.message); }
      fs.access({ path: 'wxfile://usr/x:ok', complete: () => { this.setData({ r: out.join('|') }); } });
    } });"""
    app = open_app(make_app({"pages/p/p": {"wxml": '<view id="r">{{r}}</view>', "js": js}}))
    app.wait(f"{app.q('#r')}.textContent", timeout=15)
    threw, here, notebook = app.text("#r").split("|")  # the sync call answers first
    assert here == "here access:ok"
    assert notebook.startswith("notebook access:fail ") and notebook.endswith("notebook")
    assert threw.startswith("threw readFileSync:fail ") and "a:ok" in threw


VIEW_CALLS = {
    "toastNoTitle": ("showToast", {}),
    "toastNumber": ("showToast", {"title": 5}),
    "toastIcon": ("showToast", {"title": "t", "icon": "rocket"}),
    "modalTitle": ("showModal", {"title": {}}),
    "sheetNoItems": ("showActionSheet", {}),
    "sheetTooMany": ("showActionSheet", {"itemList": list("abcdefg")}),
    "barColor": ("setNavigationBarColor", {"frontColor": "red", "backgroundColor": "#fff"}),
    "badgeIndex": ("setTabBarBadge", {"index": -1, "text": "1"}),
    "navigateNoUrl": ("navigateTo", {}),
    "backDelta": ("navigateBack", {"delta": "2"}),
}


def expected_failure(api: str, args: dict) -> str:
    try:
        validate(VIEW_SCHEMAS[api], args)
    except SchemaError as exc:
        return f"{api}:fail {exc}"
    raise AssertionError(f"{api}{args} passes its schema")


def test_view_api_arguments_are_checked(open_app):
    calls = json.dumps(VIEW_CALLS)
    js = f"""const CALLS = {calls};
    Page({{ data: {{ r: '' }}, onReady() {{
      const out = {{}}, names = Object.keys(CALLS);
      const one = (i) => {{
        if (i === names.length) {{
          wx.showToast('not an object').catch((e) => {{ out.shape = e.errMsg; return wx.showToast({{ title: 'fine', duration: 10 }}); }})
            .then((r) => {{ out.ok = r.errMsg; this.setData({{ r: JSON.stringify(out) }}); }});
          return;
        }}
        const [api, args] = CALLS[names[i]];
        wx[api](Object.assign({{}}, args, {{ success: (r) => {{ out[names[i]] = 'ANSWERED ' + r.errMsg; }}, fail: (e) => {{ out[names[i]] = e.errMsg; }}, complete: () => one(i + 1) }}));
      }};
      one(0);
    }} }});"""
    app = open_app(make_app({"pages/p/p": {"wxml": '<view id="r">{{r}}</view>', "js": js}}))
    app.wait(f"{app.q('#r')}.textContent", timeout=15)
    got = json.loads(app.text("#r"))
    for name, (api, args) in VIEW_CALLS.items():
        assert got[name] == expected_failure(api, args), name
    assert (
        got["shape"]
        == "showToast:fail parameter error: arguments should be Object instead of String"
    )
    assert got["ok"] == "showToast:ok"
    # nothing was left open: a modal or sheet without valid arguments never reaches the view
    assert app.eval("document.querySelectorAll('.fc-modal, .fc-sheet').length") == 0
