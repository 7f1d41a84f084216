"""Conformance: wx calling conventions in the runtime (what counts as success, view API
argument checks in the schema registry's words) and templates that cannot change data."""

# ruff: noqa: E501 - the mini-apps under test are inline WXML/JS source

from __future__ import annotations

import json

import pytest

from finclip_desktop.capabilities.schema import SchemaError, validate
from finclip_desktop.runtime.support import VIEW_SCHEMAS
from tests.runtime.apps import one_page

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
    app = open_app(one_page(wxml, js))
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
    app = open_app(one_page('<view id="r">{{r}}</view>', js))
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
    app = open_app(one_page('<view id="r">{{r}}</view>', js))
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


CAN_I_USE = {
    # APIs, their arguments and declared values (WeChat's `${API}.${method}.${param}.${option}`)
    "setStorageSync": True, "setStorageSync.object.key": True, "openBluetoothAdapter": False,
    "showToast.object.image": True, "showToast.object.icon.error": True,
    "showToast.object.icon.rocket": False, "showToast.object.nope": False, "showToast.object": True,
    "request.object.responseType.arraybuffer": True, "request.object.url.x": False,
    "request.object.method.GET": False,  # method declares no values (any case is accepted)
    "request.object.taskId": False, "navigateTo.object.events": True,
    "reportEvent.object.eventName": True, "reportEvent.object.data.big": False,
    # declared result fields (return / success / callback), nested ones dotted
    "getSystemInfoSync.return.safeArea.left": True, "getSystemInfoSync.return.safeArea": True,
    "getSystemInfoSync.return.safeArea.middle": False, "getSystemInfoSync.success.brand": False,
    "getSystemInfo.success.screenWidth": True, "getWindowInfo.return.pixelRatio": True,
    "getNetworkType.success.networkType": True, "request.success.statusCode": False,
    "onAppShow.callback": True, "onAppShow.object": False, "request.sideways": False,
    # object methods, components, internals and what does not exist
    "FileSystemManager": True, "FileSystemManager.readFile": True,
    "FileSystemManager.readFile.object.encoding.base64": True, "FileSystemManager.nope": False,
    "view": True, "scroll-view": True, "camera": False, "button.open-type.contact": False,
    "createCameraContext": False, "_launchOptions": False, "notAnApi.object": False, "": False,
}  # fmt: skip


def test_can_i_use_answers_from_declared_arguments_and_results(open_app):
    js = f"""Page({{ data: {{ r: '' }}, onLoad() {{
      const out = {{}};
      for (const name of {json.dumps(list(CAN_I_USE))}) out[name] = wx.canIUse(name);
      out['(number)'] = wx.canIUse(5);
      this.setData({{ r: JSON.stringify(out) }});
    }} }});"""
    app = open_app(one_page('<view id="r">{{r}}</view>', js))
    app.wait(f"{app.q('#r')}.textContent")
    got = json.loads(app.text("#r"))
    assert got.pop("(number)") is False
    assert {name: got[name] for name in CAN_I_USE} == CAN_I_USE


def test_report_event_takes_wechats_positional_form(open_app):
    """wx.reportEvent(eventId, data) (WeChat's form: returns nothing, a failure is logged) and
    the object form {eventName, data, success, fail, complete}; data is limited to what the
    server keeps of an event (store/events.py)."""
    from finclip_desktop.capabilities import registry
    from finclip_desktop.shell.testing import wait_until
    from finclip_desktop.store.events import TEXT_LIMITS

    reported: list[dict] = []

    def invoke(ctx, api, args=None):
        if api == "reportEvent":
            reported.append(args)
        return registry.invoke(ctx, api, args)

    limit = TEXT_LIMITS["message"]
    js = f"""Page({{ data: {{ r: '' }}, onLoad() {{
      const out = {{ returned: String(wx.reportEvent('purchase', {{ sku: 'tea' }})) }};
      wx.reportEvent('bare');
      wx.reportEvent('typed', 5);  // a failure is logged
      wx.reportEvent(7).catch((e) => {{ out.number = e.errMsg; }});
      const fits = {{ x: 'y'.repeat({limit} - 8) }}, over = {{ x: 'y'.repeat({limit} - 7) }};
      wx.reportEvent({{ eventName: 'over', data: over, fail: (e) => {{ out.over = e.errMsg; }} }});
      wx.reportEvent({{ eventName: 'fits', data: fits }}).then((r) => {{
        out.fits = r.errMsg;
        this.setData({{ r: JSON.stringify(out) }});
      }});
    }} }});"""
    files = one_page('<view id="r">{{r}}</view>', js)
    app = open_app(files, invoke=invoke)
    app.wait(f"{app.q('#r')}.textContent")
    got = json.loads(app.text("#r"))
    console = app.d.container.page.console
    warned = wait_until(lambda: [m for m in console if "reportEvent:fail" in m], what="warning")
    assert got == {
        "returned": "undefined",
        "number": "reportEvent:fail parameter error: arguments should be Object instead of Number",
        "over": f"reportEvent:fail data is too large: {limit + 1} characters as JSON"
        f" (at most {limit})",
        "fits": "reportEvent:ok",
    }
    assert warned == [
        "[finclip] reportEvent:fail parameter error: data should be Object instead of Number"
    ]
    assert [(a["eventName"], a.get("data")) for a in reported[:2]] == [
        ("purchase", {"sku": "tea"}),
        ("bare", None),
    ]
