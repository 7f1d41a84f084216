"""The framework end to end in a real QtWebEngine (offscreen), served from memory."""

# ruff: noqa: E501 - the mini-apps under test are inline WXML/JS source

from __future__ import annotations

import json

import pytest

from tests.runtime.apps import make_app

pytestmark = pytest.mark.qt

LOGGING_APP = """
App({
  log: [],
  onLaunch(o) { this.log.push('app.onLaunch:' + o.path); },
  onShow() { this.log.push('app.onShow'); }
});
"""


def page_js(name: str, extra: str = "") -> str:
    hooks = ",".join(
        f"{h}() {{ getApp().log.push('{name}.{h}'); }}"
        for h in ("onShow", "onReady", "onHide", "onUnload")
    )
    return (
        f"Page({{ data: {{ log: '' }}, onLoad(q) {{ getApp().log.push('{name}.onLoad:' + "
        f"JSON.stringify(q)); }}, {hooks}, dump() {{ this.setData({{ log: "
        f"getApp().log.join('|') }}); }}, {extra} }});"
    )


LOG_WXML = '<view id="dump" bindtap="dump">dump</view><view id="log">{{log}}</view>'


def dump(host) -> list[str]:
    sel = "document.querySelector('wx-page:not(.fc-hidden) #log').textContent"
    before = host.js(f"return {sel};")
    host.tap("#dump")
    host.wait(f"{sel} !== {json.dumps(before)}")
    return host.js(
        "return document.querySelector('wx-page:not(.fc-hidden) #log').textContent.split('|');"
    )


def test_lifecycle_order_and_routing(run_app):
    files = make_app(
        {
            "pages/a/a": {
                "wxml": LOG_WXML + '<view id="go" bindtap="go">go</view>',
                "js": page_js("a", "go() { wx.navigateTo({ url: '../b/b?x=1&y=%20z' }); }"),
                "json": {"navigationBarTitleText": "Page A"},
            },
            "pages/b/b": {
                "wxml": LOG_WXML + '<view id="back" bindtap="back">back</view>',
                "js": page_js("b", "back() { wx.navigateBack(); }"),
            },
        },
        app_js=LOGGING_APP,
        app_json={
            "window": {"navigationBarTitleText": "App", "navigationBarBackgroundColor": "#123456"}
        },
    )
    host = run_app(files)
    host.wait_painted("pages/a/a")
    assert host.js("return document.querySelector('.fc-nav-title').textContent") == "Page A"
    assert (
        host.js("return getComputedStyle(document.querySelector('.fc-nav')).backgroundColor")
        == "rgb(18, 52, 86)"
    )
    assert host.js("return document.querySelector('.fc-nav-back').hidden") is True
    assert dump(host) == [
        "app.onLaunch:pages/a/a",
        "app.onShow",
        "a.onLoad:{}",
        "a.onShow",
        "a.onReady",
    ]
    host.tap("#go")
    host.wait_painted("pages/b/b")
    assert host.js("return document.querySelector('.fc-nav-title').textContent") == "App"
    assert host.js("return document.querySelector('.fc-nav-back').hidden") is False
    assert dump(host)[-4:] == ["a.onHide", 'b.onLoad:{"x":"1","y":" z"}', "b.onShow", "b.onReady"]
    host.tap("#back")
    host.wait("document.querySelectorAll('wx-page').length === 1")
    assert dump(host)[-3:] == ["b.onHide", "b.onUnload", "a.onShow"]
    assert not host.errors()


def test_set_data_path_keys_and_callback(run_app):
    js = """Page({
      data: { user: { name: 'a', tags: ['x', 'y'] }, list: [{ v: 1 }, { v: 2 }], note: '' },
      go() {
        this.setData({ 'user.name': 'b', 'user.tags[1]': 'z', 'list[1].v': 5, 'new.deep[0]': 'n' }, () => {
          this.setData({ note: 'cb:' + this.data.user.name + ':' + JSON.stringify(this.data.new) });
        });
      }
    });"""
    wxml = (
        '<view id="go" bindtap="go">{{user.name}} {{user.tags[0]}}{{user.tags[1]}} '
        '<text wx:for="{{list}}" wx:key="v">{{item.v}};</text> {{new.deep[0]}}</view>'
        '<view id="note">{{note}}</view>'
    )
    host = run_app(make_app({"pages/i/i": {"wxml": wxml, "js": js}}))
    host.wait_painted("pages/i/i")
    assert host.text().startswith("a xy 1;2;")
    host.tap("#go")
    host.wait("document.querySelector('#note').textContent")
    assert host.js("return document.querySelector('#go').textContent") == "b xz 1;5; n"
    assert host.js("return document.querySelector('#note').textContent") == 'cb:b:{"deep":["n"]}'


def test_events_bubble_catch_dataset_and_capture(run_app):
    js = """Page({
      data: { log: [] },
      add(tag, e) { this.setData({ log: this.data.log.concat(tag + ':' + e.type + ':' + e.target.id + '>' + e.currentTarget.id + ':' + JSON.stringify(e.currentTarget.dataset)) }); },
      outer(e) { this.add('outer', e); },
      inner(e) { this.add('inner', e); },
      cap(e) { this.add('cap', e); },
      stop(e) { this.add('stop', e); },
      reset() { this.setData({ log: [] }); }
    });"""
    wxml = """
    <view id="o" data-level="outer" bindtap="outer" capture-bind:tap="cap">
      <view id="i" data-my-value="{{1+1}}" bindtap="inner"><text id="leaf">leaf</text></view>
      <view id="c" catchtap="stop"><text id="leaf2">leaf2</text></view>
    </view>
    <view id="out">{{log}}</view><view id="reset" bindtap="reset">r</view>"""
    host = run_app(make_app({"pages/e/e": {"wxml": wxml, "js": js}}))
    host.wait_painted("pages/e/e")
    host.tap("#leaf")
    host.wait("document.querySelector('#out').textContent.split(',').length >= 3")
    assert host.js("return document.querySelector('#out').textContent") == (
        'cap:tap:leaf>o:{"level":"outer"},inner:tap:leaf>i:{"myValue":2},'
        'outer:tap:leaf>o:{"level":"outer"}'
    )
    host.tap("#reset")
    host.wait("document.querySelector('#out').textContent === ''")
    host.tap("#leaf2")
    host.wait("document.querySelector('#out').textContent.split(',').length >= 2")
    assert host.js("return document.querySelector('#out').textContent") == (
        'cap:tap:leaf2>o:{"level":"outer"},stop:tap:leaf2>c:{}'
    )


COMPONENT_JS = """
const seen = [];
Component({
  options: { multipleSlots: true },
  externalClasses: ['ext-class'],
  properties: {
    title: { type: String, value: 'untitled', observer(n, o) { seen.push('prop:' + o + '->' + n); } },
    count: Number,
  },
  data: { clicks: 0, doubled: 0 },
  observers: { 'count': function (c) { this.setData({ doubled: c * 2 }); } },
  lifetimes: {
    created() { seen.push('created'); },
    attached() { seen.push('attached:' + this.data.title); },
    ready() { seen.push('ready'); },
    detached() { getApp().detached = (getApp().detached || 0) + 1; }
  },
  pageLifetimes: { show() { seen.push('page-show'); } },
  methods: {
    click() {
      this.setData({ clicks: this.data.clicks + 1 });
      this.triggerEvent('bump', { clicks: this.data.clicks, seen: seen.join('|') }, { bubbles: true });
    }
  }
});
"""
COMPONENT_WXML = """
<view class="box ext-class" bindtap="click">
  <view class="title">{{title}} {{count}}x2={{doubled}} clicks={{clicks}}</view>
  <view class="head"><slot name="head"></slot></view>
  <slot></slot>
</view>
"""


def test_custom_component_properties_observers_slots_events(run_app):
    page_js_ = """Page({
      data: { n: 1, show: true, got: '', title: 'Hello' },
      onBump(e) { this.setData({ got: e.detail.clicks + '/' + e.detail.seen, n: this.data.n + 1 }); },
      hide() { this.setData({ show: false }); },
      outer() { this.setData({ title: 'Bubbled' }); }
    });"""
    wxml = """
    <view bindbump="outer">
      <my-comp wx:if="{{show}}" id="c" title="{{title}}" count="{{n}}" ext-class="red" bind:bump="onBump">
        <text slot="head">HEAD</text>
        <text class="body">body {{n}}</text>
      </my-comp>
    </view>
    <view id="got">{{got}}</view>
    <view id="hide" bindtap="hide">hide</view>"""
    files = make_app(
        {
            "pages/p/p": {
                "wxml": wxml,
                "js": page_js_,
                "json": {"usingComponents": {"my-comp": "../../comp/comp"}},
            }
        },
        app_wxss=".red{color:rgb(255, 0, 0)} .title{color:rgb(0, 0, 255)}",
        extra={
            "comp/comp.js": COMPONENT_JS,
            "comp/comp.wxml": COMPONENT_WXML,
            "comp/comp.json": '{"component": true}',
            "comp/comp.wxss": ".title{font-weight:700} .box{padding:10rpx}",
        },
    )
    host = run_app(files, width=375)
    host.wait_painted("pages/p/p")
    assert (
        host.js("return document.querySelector('my-comp .c0-title').textContent")
        == "Hello 1x2=2 clicks=0"
    )
    assert host.js("return document.querySelector('.c0-head').textContent") == "HEAD"
    assert host.js("return document.querySelector('my-comp wx-text.body').textContent") == "body 1"
    # style isolation: app .title does not reach inside; component style applies; rpx sized
    # (the title inherits the external class's red, not app.wxss's blue .title)
    assert (
        host.js("return getComputedStyle(document.querySelector('.c0-title')).color")
        == "rgb(255, 0, 0)"
    )
    assert (
        host.js("return getComputedStyle(document.querySelector('.c0-title')).fontWeight") == "700"
    )
    assert host.js("return getComputedStyle(document.querySelector('.c0-box')).paddingTop") == "5px"
    # external class takes the page's class
    assert (
        host.js("return getComputedStyle(document.querySelector('.c0-box')).color")
        == "rgb(255, 0, 0)"
    )
    host.tap(".c0-box")
    host.wait("document.querySelector('#got').textContent")
    got = host.js("return document.querySelector('#got').textContent")
    assert got.startswith("1/created|prop:untitled->Hello|attached:Hello|page-show|ready")
    assert (
        host.js("return document.querySelector('.c0-title').textContent")
        == "Bubbled 2x2=4 clicks=1"
    )
    assert host.js("return document.querySelector('my-comp wx-text.body').textContent") == "body 2"
    host.tap("#hide")
    host.wait("!document.querySelector('my-comp')")
    assert not host.errors()


def test_templates_wxs_include_and_lists(run_app):
    files = make_app(
        {
            "pages/t/t": {
                "wxml": """
<import src="/tpl/row.wxml"/>
<wxs module="m">var f = function (v) { return '[' + v.toUpperCase() + ']'; }; module.exports = { f: f };</wxs>
<wxs src="../../util/fmt.wxs" module="fmt"/>
<include src="/tpl/header.wxml"/>
<block wx:for="{{rows}}" wx:key="id"><template is="row" data="{{...item, fmt}}"/></block>
<view id="inline">{{m.f(word)}}</view>
<view id="obj"><text wx:for="{{ {a: 1, b: 2} }}" wx:for-index="k">{{k}}={{item}};</text></view>
<view id="num"><text wx:for="{{3}}">{{item}}</text></view>
<template is="{{dyn}}" data="{{word}}"/>
""",
                "js": "Page({ data: { title: 'T', word: 'hi', dyn: 'other', rows: [{id: 1, v: 1.5}, {id: 2, v: -2}] } });",
            }
        },
        extra={
            "tpl/row.wxml": '<template name="row"><view class="row">{{id}}:{{fmt.sign(v)}}</view></template>'
            '<template name="other"><view id="dyn">dyn {{word}}</view></template>',
            "tpl/header.wxml": '<view id="header">{{title}}</view><template name="hidden">x</template>',
            "util/fmt.wxs": "module.exports = { sign: function (v) { return (v > 0 ? '+' : '') + v.toFixed(1); } };",
        },
    )
    host = run_app(files)
    host.wait_painted("pages/t/t")
    assert host.js("return [].map.call(document.querySelectorAll('.row'), e => e.textContent)") == [
        "1:+1.5",
        "2:-2.0",
    ]
    assert host.js("return document.querySelector('#header').textContent") == "T"
    assert host.js("return document.querySelector('#inline').textContent") == "[HI]"
    assert host.js("return document.querySelector('#obj').textContent") == "a=1;b=2;"
    assert host.js("return document.querySelector('#num').textContent") == "012"
    assert host.js("return document.querySelector('#dyn').textContent") == "dyn hi"
    assert not host.errors()


def test_keyed_list_reuses_nodes(run_app):
    js = """Page({
      data: { items: [{id: 'a'}, {id: 'b'}, {id: 'c'}] },
      rev() { this.setData({ items: this.data.items.slice().reverse().concat({id: 'd'}) }); }
    });"""
    wxml = '<view id="l"><view wx:for="{{items}}" wx:key="id" class="it">{{item.id}}</view></view><view id="rev" bindtap="rev">r</view>'
    host = run_app(make_app({"pages/k/k": {"wxml": wxml, "js": js}}))
    host.wait_painted("pages/k/k")
    host.js("window.__kept = [].slice.call(document.querySelectorAll('.it')); return 1;")
    host.tap("#rev")
    host.wait("document.querySelectorAll('.it').length === 4")
    assert host.js("return [].map.call(document.querySelectorAll('.it'), e => e.textContent)") == [
        "c",
        "b",
        "a",
        "d",
    ]
    # the same DOM nodes were moved, not re-created
    assert host.js(
        "var n=document.querySelectorAll('.it'); return [n[0]===__kept[2], n[1]===__kept[1], n[2]===__kept[0]];"
    ) == [True, True, True]


def test_tab_bar_and_switch_tab(run_app):
    files = make_app(
        {
            "pages/one/one": {
                "wxml": '<view id="t">one</view>',
                "js": "Page({ onTabItemTap(i) { getApp().tapped = i.index; } });",
            },
            "pages/two/two": {
                "wxml": '<view id="t">two {{n}}</view><view id="back" bindtap="go">go</view>',
                "js": "Page({ data: {n: 0}, onShow() { this.setData({ n: this.data.n + 1 }); },"
                " go() { wx.switchTab({ url: '/pages/one/one' }); } });",
            },
        },
        app_json={
            "tabBar": {
                "color": "#000000",
                "selectedColor": "#ff0000",
                "list": [
                    {"pagePath": "pages/one/one", "text": "One"},
                    {"pagePath": "pages/two/two", "text": "Two"},
                ],
            }
        },
    )
    host = run_app(files)
    host.wait_painted("pages/one/one")
    assert host.js(
        "return [].map.call(document.querySelectorAll('.fc-tab-text'), e => e.textContent)"
    ) == ["One", "Two"]
    assert (
        host.js("return document.querySelectorAll('.fc-tab')[0].classList.contains('fc-on')")
        is True
    )
    host.js("document.querySelectorAll('.fc-tab')[1].click(); return 1;")
    host.wait_painted("pages/two/two")
    assert host.text() == "two 1\ngo"
    assert (
        host.js("return getComputedStyle(document.querySelectorAll('.fc-tab-text')[1]).color")
        == "rgb(255, 0, 0)"
    )
    host.tap("#back")
    host.wait(
        "document.querySelector('wx-page:not(.fc-hidden)').getAttribute('route') === 'pages/one/one'"
    )
    host.js("document.querySelectorAll('.fc-tab')[1].click(); return 1;")
    host.wait(
        "document.querySelector('wx-page:not(.fc-hidden)').textContent.indexOf('two 2') === 0"
    )
    # tab pages stay alive: still only two page elements
    assert host.js("return document.querySelectorAll('wx-page').length") == 2


def test_view_apis_toast_modal_navbar(run_app):
    js = """Page({
      data: { r: '' },
      toast() { wx.showToast({ title: 'Saved', icon: 'success' }); },
      modal() { wx.showModal({ title: 'Q', content: 'Sure?', success: (r) => this.setData({ r: 'confirm=' + r.confirm }) }); },
      title() { wx.setNavigationBarTitle({ title: 'New' }).then((r) => this.setData({ r: r.errMsg })); },
      bad() { wx.navigateTo({ url: '/nope' }).catch((e) => this.setData({ r: e.errMsg })); }
    });"""
    wxml = (
        '<view id="toast" bindtap="toast">t</view><view id="modal" bindtap="modal">m</view>'
        '<view id="title" bindtap="title">n</view><view id="bad" bindtap="bad">b</view><view id="r">{{r}}</view>'
    )
    host = run_app(make_app({"pages/v/v": {"wxml": wxml, "js": js}}))
    host.wait_painted("pages/v/v")
    host.tap("#toast")
    host.wait(
        "document.querySelector('.fc-toast-title') && document.querySelector('.fc-toast-title').textContent === 'Saved'"
    )
    host.tap("#modal")
    host.wait("document.querySelector('.fc-modal-content')")
    host.js("document.querySelector('.fc-confirm').click(); return 1;")
    host.wait("document.querySelector('#r').textContent === 'confirm=true'")
    host.tap("#title")
    host.wait("document.querySelector('#r').textContent === 'setNavigationBarTitle:ok'")
    assert host.js("return document.querySelector('.fc-nav-title').textContent") == "New"
    host.tap("#bad")
    host.wait("document.querySelector('#r').textContent.indexOf('navigateTo:fail') === 0")
    assert (
        host.js("return document.querySelector('#r').textContent")
        == 'navigateTo:fail page "nope" is not found'
    )


def test_rpx_uses_wechat_rounding(run_app):
    files = make_app(
        {
            "pages/r/r": {
                "wxml": '<view id="a"/><view id="b" style="width: 375rpx; height: 1rpx"/>',
                "wxss": "#a{width:100rpx;height:0.5rpx}",
            }
        }
    )
    host = run_app(files, width=400)
    host.wait_painted("pages/r/r")
    w = host.js("return document.documentElement.clientWidth")
    assert (
        host.js("return getComputedStyle(document.querySelector('#a')).width")
        == f"{int(100 / 750 * w + 1e-4)}px"
    )
    assert host.js("return getComputedStyle(document.querySelector('#a')).height") == "1px"
    assert (
        host.js("return getComputedStyle(document.querySelector('#b')).width")
        == f"{int(375 / 750 * w + 1e-4)}px"
    )


def test_set_data_reaches_dom_with_big_list(run_app):
    js = """Page({
      data: { n: 0, rows: [], t0: 0 },
      tick() { this.setData({ n: this.data.n + 1, t0: performance.timeOrigin + performance.now() }); },
      big() {
        const rows = [];
        for (let i = 0; i < 1000; i++) rows.push({ id: i, name: 'Row ' + i, v: i * 3 });
        this.setData({ rows, t0: performance.timeOrigin + performance.now() });
      }
    });"""
    wxml = (
        '<view id="n" data-t="{{t0}}" bindtap="tick">{{n}}</view><view id="big" bindtap="big">big</view>'
        '<view id="list"><view wx:for="{{rows}}" wx:key="id" class="r"><text>{{item.name}}</text>'
        '<text class="v">{{item.v}}</text></view></view><view id="t0">{{t0}}</view>'
    )
    host = run_app(make_app({"pages/f/f": {"wxml": wxml, "js": js}}))
    host.wait_painted("pages/f/f")
    host.js("""window.__lat = [];
      new MutationObserver(function () {
        var t0 = +document.querySelector('#t0').textContent;
        window.__lat.push(performance.timeOrigin + performance.now() - t0);
      }).observe(document.querySelector('#n'), { characterData: true, subtree: true, childList: true });
      return 1;""")
    host.js("""var list = document.querySelector('#list');
      new MutationObserver(function () {
        if (list.children.length === 1000 && !window.__first)
          window.__first = performance.timeOrigin + performance.now() - +document.querySelector('#t0').textContent;
      }).observe(list, { childList: true });
      return 1;""")
    host.tap("#big")
    host.wait("document.querySelectorAll('.r').length === 1000")
    first = host.js("return window.__first;")
    for i in range(25):
        host.tap("#n")
        host.wait(f"window.__lat.length >= {i + 1}")
    # Timing belongs to scripts/bench.py; here: every update reached the DOM, in order.
    assert first is not None
    assert len(host.js("return window.__lat;")) == 25
    assert host.js("return document.querySelector('#n').textContent") == "25"
    assert host.js("return document.querySelectorAll('.r')[999].textContent") == "Row 9992997"
