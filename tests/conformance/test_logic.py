"""Conformance: app/page lifecycle, routing, setData, templates, WXS, events, components."""

# ruff: noqa: E501 - the mini-apps under test are inline WXML/JS source

from __future__ import annotations

import json

import pytest

from finclip_desktop.runtime import build_app
from tests.runtime.apps import make_app, one_page

pytestmark = pytest.mark.qt

LOG = '<view id="dump" bindtap="dump">dump</view><view id="log">{{log}}</view>'


def hooks(name: str, extra: str = "") -> str:
    names = ("onShow", "onReady", "onHide", "onUnload")
    body = ",".join(f"{h}() {{ getApp().log.push('{name}.{h}'); }}" for h in names)
    return (
        f"Page({{ data: {{ log: '' }}, onLoad(q) {{ getApp().log.push('{name}.onLoad:' + "
        f"JSON.stringify(q)); }}, {body}, dump() {{ this.setData({{ log: getApp().log.join('|') }}); }}"
        f", {extra} }});"
    )


def dumped(app) -> list[str]:
    before = app.text("#log")
    app.tap("#dump")
    app.wait(f"{app.q('#log')}.textContent !== {json.dumps(before)}")
    return app.text("#log").split("|")


APP_JS = """App({
  log: [], globalData: { who: 'global' },
  onLaunch(o) { this.log.push('app.onLaunch:' + o.path + ':' + JSON.stringify(o.query)); },
  onShow() { this.log.push('app.onShow'); },
  onError(e) { this.log.push('app.onError'); }
});"""


def test_app_and_page_lifecycle(open_app):
    app = open_app(
        make_app(
            {
                "pages/a/a": {
                    "wxml": LOG + "<view id='g'>{{who}}</view>",
                    "js": hooks(
                        "a",
                        "onLoad() { getApp().log.push('a.onLoad'); this.setData({ who: getApp().globalData.who }); }",
                    ),
                }
            },
            app_js=APP_JS,
        )
    )
    app.wait_text("#g", "global")
    assert dumped(app) == [
        "app.onLaunch:pages/a/a:{}",
        "app.onShow",
        "a.onLoad",
        "a.onShow",
        "a.onReady",
    ]


def test_routing_navigate_redirect_back_relaunch(open_app):
    pages = {
        "pages/a/a": {
            "wxml": LOG + '<view id="go" bindtap="go">go</view>',
            "js": hooks(
                "a",
                "go() { wx.navigateTo({ url: '/pages/b/b?id=7&name=%E4%BD%A0', events: { hi: (d) => getApp().log.push('hi:' + d) }, success: (r) => r.eventChannel.emit('fromA', 'A') }); }",
            ),
        },
        "pages/b/b": {
            "wxml": LOG + '<view id="redir" bindtap="redir">r</view><view id="n">{{n}}</view>',
            "js": hooks(
                "b",
                "onLoad(q) { getApp().log.push('b.onLoad:' + q.id + q.name); const ch = this.getOpenerEventChannel(); ch.emit('hi', 'B'); ch.on('fromA', (d) => getApp().log.push('got:' + d)); this.setData({ n: getCurrentPages().length }); }, redir() { wx.redirectTo({ url: '../c/c' }); }",
            ),
        },
        "pages/c/c": {
            "wxml": LOG
            + '<view id="back" bindtap="back">b</view><view id="re" bindtap="re">re</view>',
            "js": hooks(
                "c",
                "back() { wx.navigateBack({ delta: 1 }); }, re() { wx.reLaunch({ url: '/pages/b/b?id=1' }); }",
            ),
        },
    }
    app = open_app(make_app(pages, app_js=APP_JS))
    app.tap("#go")
    app.wait("document.querySelectorAll('wx-page').length === 2")
    app.wait_text("#n", "2")
    log = dumped(app)
    assert log[-6:] == ["a.onHide", "b.onLoad:7你", "hi:B", "b.onShow", "got:A", "b.onReady"]
    app.tap("#redir")
    app.wait("document.querySelector('wx-page[route=\"pages/c/c\"]:not(.fc-hidden)')")
    assert dumped(app)[-5:] == ["b.onHide", "b.onUnload", "c.onLoad:{}", "c.onShow", "c.onReady"]
    app.tap("#back")
    app.wait(f"{app.PAGE}.getAttribute('route') === 'pages/a/a'")
    assert dumped(app)[-3:] == ["c.onHide", "c.onUnload", "a.onShow"]
    app.tap("#go")
    app.wait("document.querySelectorAll('wx-page').length === 2")
    app.tap("#redir")
    app.wait("document.querySelector('wx-page[route=\"pages/c/c\"]:not(.fc-hidden)')")
    app.tap("#re")
    app.wait(
        "document.querySelectorAll('wx-page').length === 1 && document.querySelector('wx-page').getAttribute('route') === 'pages/b/b'"
    )
    assert app.text("#n") == "1"


def test_set_data_paths_and_sync_data(open_app):
    js = """Page({
      data: { a: { b: [1, { c: 'x' }] }, s: '' },
      go() {
        this.setData({ 'a.b[1].c': 'y', 'a.b[2]': 3, 'z.w': true });
        this.setData({ s: JSON.stringify(this.data) });
      }
    });"""
    wxml = (
        '<view id="go" bindtap="go">{{a.b[1].c}}-{{a.b[2]}}-{{z.w}}</view><view id="s">{{s}}</view>'
    )
    app = open_app(one_page(wxml, js))
    app.wait_text("#go", "x--")
    app.tap("#go")
    app.wait_text("#go", "y-3-true")
    assert json.loads(app.text("#s")) == {"a": {"b": [1, {"c": "y"}, 3]}, "s": "", "z": {"w": True}}


def test_conditionals_and_hidden(open_app):
    wxml = """<view id="c"><text wx:if="{{n > 1}}">big</text><text wx:elif="{{n === 1}}">one</text><text wx:else>zero</text></view>
    <view id="h" hidden="{{!show}}">shown</view><view id="inc" bindtap="inc">+</view>"""
    js = "Page({ data: { n: 0, show: false }, inc() { this.setData({ n: this.data.n + 1, show: true }); } });"
    app = open_app(one_page(wxml, js))
    app.wait_text("#c", "zero")
    assert app.eval(f"{app.q('#h')}.offsetParent === null")
    app.tap("#inc")
    app.wait_text("#c", "one")
    assert app.eval(f"{app.q('#h')}.offsetParent !== null")
    app.tap("#inc")
    app.wait_text("#c", "big")


def test_list_rendering(open_app):
    wxml = """<view id="arr"><text wx:for="{{list}}" wx:key="id" wx:for-item="it" wx:for-index="i">{{i}}{{it.name}},</text></view>
    <view id="obj"><block wx:for="{{obj}}" wx:key="*this">{{index}}={{item}};</block></view>
    <view id="num"><text wx:for="{{3}}" wx:key="*this">{{item}}</text></view>
    <view id="nested"><view wx:for="{{[[1,2],[3]]}}" wx:for-item="row"><text wx:for="{{row}}">{{item}}</text>/</view></view>
    <view id="shuffle" bindtap="shuffle">s</view>"""
    js = "Page({ data: { list: [{id: 1, name: 'a'}, {id: 2, name: 'b'}], obj: {x: 1, y: 2} }, shuffle() { this.setData({ list: [{id: 2, name: 'B'}, {id: 3, name: 'c'}, {id: 1, name: 'a'}] }); } });"
    app = open_app(one_page(wxml, js))
    app.wait_text("#arr", "0a,1b,")
    assert app.text("#obj") == "x=1;y=2;"
    assert app.text("#num") == "012"
    assert app.text("#nested") == "12/3/"
    app.tap("#shuffle")
    app.wait_text("#arr", "0B,1c,2a,")


def test_templates_import_include(open_app):
    extra = {
        "common/t.wxml": '<import src="inner.wxml"/><template name="card"><view class="card">{{title}}:<template is="tag" data="{{t: title}}"/></view></template>',
        "common/inner.wxml": '<template name="tag"><text class="tag">#{{t}}</text></template>',
        "common/header.wxml": '<view id="header">Header {{name}}</view>',
    }
    wxml = """<import src="/common/t.wxml"/><include src="../../common/header.wxml"/>
    <template is="card" data="{{title: name}}"/><template is="card" data="{{...obj}}"/>
    <template name="local"><view id="local">{{x}}</view></template><template is="{{which}}" data="{{x: 5}}"/>"""
    js = "Page({ data: { name: 'N', obj: { title: 'O' }, which: 'local' } });"
    app = open_app(one_page(wxml, js, extra=extra))
    app.wait_text("#header", "Header N")
    assert app.texts(".card") == ["N:#N", "O:#O"]
    assert app.text("#local") == "5"


def test_wxs_modules(open_app):
    extra = {
        "utils/m.wxs": """
      var dep = require('./dep.wxs');
      function fmt(v) { return dep.pad(v.toFixed(1)) + getRegExp('a', 'g').test('a') + (getDate(0).getTime()); }
      module.exports = { fmt: fmt, k: 'K' };""",
        "utils/dep.wxs": "module.exports.pad = function (s) { return '<' + s + '>'; };",
    }
    wxml = """<wxs module="m" src="/utils/m.wxs"/><wxs module="l">module.exports = { up: function (s) { return s.toUpperCase(); } };</wxs>
    <view id="a">{{m.fmt(1.25)}}</view><view id="b">{{l.up(word)}}{{m.k}}</view>"""
    app = open_app(one_page(wxml, "Page({ data: { word: 'hi' } });", extra=extra))
    app.wait_text("#b", "HIK")
    assert app.text("#a") in ("<1.3>true0", "<1.2>true0")


def test_events_bubbling_catch_capture_mut_dataset(open_app):
    js = """Page({
      data: { log: '' },
      rec(tag, e) { this.setData({ log: this.data.log + tag + '(' + e.type + ' ' + e.target.id + '>' + e.currentTarget.id + ' ' + JSON.stringify(e.currentTarget.dataset) + ');' }); },
      o(e) { this.rec('o', e); }, i(e) { this.rec('i', e); }, c(e) { this.rec('c', e); }, m1(e) { this.rec('m1', e); }, m2(e) { this.rec('m2', e); },
      clear() { this.setData({ log: '' }); }
    });"""
    wxml = """<view id="outer" data-a-b="1" bindtap="o" capture-bind:tap="c" mut-bind:tap="m2">
      <view id="inner" data-x="{{ {k: 1} }}" bind:tap="i" mut-bind:tap="m1"><text id="t">t</text></view>
      <view id="stop" catchtap="i"><text id="t2">t2</text></view>
    </view><view id="log">{{log}}</view><view id="clear" bindtap="clear">c</view>"""
    app = open_app(one_page(wxml, js))
    app.wait_text("#clear", "c")
    app.tap("#t")
    app.wait(f"{app.q('#log')}.textContent.split(';').length > 3")
    assert app.text("#log") == (
        'c(tap t>outer {"aB":"1"});i(tap t>inner {"x":{"k":1}});m1(tap t>inner {"x":{"k":1}});'
        'o(tap t>outer {"aB":"1"});'
    )
    app.tap("#clear")
    app.wait_text("#log", "")
    app.tap("#t2")
    app.wait(f"{app.q('#log')}.textContent.split(';').length > 2")
    assert app.text("#log") == 'c(tap t2>outer {"aB":"1"});i(tap t2>stop {});'


COMP = {
    "components/counter/counter.json": '{"component": true, "usingComponents": {"x-badge": "../badge/badge"}}',
    "components/counter/counter.wxml": """<view class="wrap ext"><view class="label">{{label}}:{{value}} ({{double}}) {{greet}}</view>
      <x-badge id="badge" text="{{value}}"/><slot name="before"/><slot/><view class="btn" bindtap="inc">+</view></view>""",
    "components/counter/counter.wxss": ".label{color:rgb(0, 128, 0)} :host{display:block}",
    "components/counter/counter.js": """
      const greeter = Behavior({ data: { greet: '' }, methods: { hello() { return 'hello from behavior'; } }, attached() { this.setData({ greet: 'B' }); } });
      Component({
        behaviors: [greeter],
        externalClasses: ['ext'],
        options: { multipleSlots: true },
        properties: { label: { type: String, value: 'count' }, value: { type: Number, value: 0 } },
        data: { double: 0 },
        observers: { value(v) { this.setData({ double: v * 2 }); } },
        lifetimes: { attached() { getApp().log.push('counter.attached'); }, ready() { getApp().log.push('counter.ready'); }, detached() { getApp().log.push('counter.detached'); } },
        methods: {
          inc() { this.triggerEvent('change', { value: this.data.value + 1 }, { bubbles: true, composed: true }); },
          badgeText() { return this.selectComponent('#badge').data.text; }
        }
      });""",
    "components/badge/badge.json": '{"component": true}',
    "components/badge/badge.wxml": '<text class="badge">[{{text}}]</text>',
    "components/badge/badge.js": "Component({ properties: { text: null } });",
}


def test_components(open_app):
    js = """Page({
      data: { v: 1, show: true, log: '' },
      onChange(e) { this.setData({ v: e.detail.value }); },
      info() {
        const c = this.selectComponent('#ctr');
        this.setData({ log: [c.data.value, c.hello(), c.badgeText(), getApp().log.join(',')].join('|') });
      },
      drop() { this.setData({ show: false }); }
    });"""
    wxml = """<counter wx:if="{{show}}" id="ctr" label="n" value="{{v}}" ext="big" bindchange="onChange">
      <text class="def">default slot</text><text slot="before" class="named">named slot</text></counter>
    <view id="info" bindtap="info">i</view><view id="drop" bindtap="drop">d</view><view id="log">{{log}}</view>"""
    app = open_app(
        one_page(
            wxml,
            js,
            {"counter": "/components/counter/counter"},
            app_js="App({ log: [] });",
            app_wxss=".big{font-size:30px} .label{color:rgb(255, 0, 0)}",
            extra=COMP,
        )
    )
    app.wait_text("wx-counter .c0-label", "n:1 (2) B")
    assert app.text("wx-counter .badge, wx-counter .c1-badge") == "[1]"
    assert app.texts("wx-counter wx-text.def, wx-counter wx-text.named") == [
        "named slot",
        "default slot",
    ]
    assert app.eval(f"getComputedStyle({app.q('.c0-label')}).color") == "rgb(0, 128, 0)"
    assert app.eval(f"getComputedStyle({app.q('.c0-wrap')}).fontSize") == "30px"
    app.tap(".c0-btn")
    app.wait_text("wx-counter .c0-label", "n:2 (4) B")
    app.tap("#info")
    app.wait(f"{app.q('#log')}.textContent")
    assert app.text("#log") == "2|hello from behavior|2|counter.attached,counter.ready"
    app.tap("#drop")
    app.wait(f"!{app.q('wx-counter')}")


def test_component_as_page_and_page_not_found(open_app):
    # onLoad runs once, with `this` the page (its route, setData and properties from the query)
    comp = """let loads = 0;
    Component({ properties: { id: String }, data: { x: 'comp-page' },
      methods: { onLoad(q) { loads++; this.setData({ x: [loads, this.route, typeof this.setData, this.data.id, q.id].join(' ') }); } } });"""
    home = """Page({ data: { nf: '' }, onLoad() { this.setData({ nf: JSON.stringify(getApp().nf) }); },
      go() { wx.navigateTo({ url: '/pages/p/p?id=7' }); } });"""
    files = make_app(
        {
            "pages/home/home": {
                "wxml": '<view id="nf">{{nf}}</view><view id="go" bindtap="go">go</view>',
                "js": home,
            },
            "pages/p/p": {"wxml": '<view id="x">{{x}}</view>', "js": comp},
        },
        app_js="App({ onPageNotFound(r) { this.nf = r; } });",
    )
    app = open_app(files, launch_options={"path": "pages/gone/gone", "query": {"a": "1"}})
    app.wait(f"{app.q('#nf')}.textContent")
    assert json.loads(app.text("#nf")) == {
        "path": "pages/gone/gone",
        "query": {"a": "1"},
        "isEntryPage": True,
    }
    assert app.route() == "pages/home/home"
    app.tap("#go")
    app.wait_text("#x", "1 pages/p/p function 7 7")


def test_model_two_way_binding(open_app):
    wxml = (
        '<input id="in" model:value="{{name}}"/><view id="echo">{{name}}</view>'
        '<switch id="sw" model:checked="{{on}}"/><view id="on">{{on}}</view>'
    )
    app = open_app(one_page(wxml, "Page({ data: { name: 'a', on: false } });"))
    app.wait_text("#echo", "a")
    assert app.eval(f"{app.q('#in input')}.value") == "a"
    app.eval(
        f"(function(){{var i={app.q('#in input')}; i.value='hello'; i.dispatchEvent(new Event('input')); return 1;}})()"
    )
    app.wait_text("#echo", "hello")
    app.tap("#sw")
    app.wait_text("#on", "true")


def test_storage_through_the_bridge(open_app):
    js = """Page({
      data: { r: '' },
      onLoad() {
        wx.setStorageSync('k', { n: 1 });
        const sync = JSON.stringify(wx.getStorageSync('k'));
        wx.setStorage({ key: 'k2', data: 'v2' }).then(() => wx.getStorage({ key: 'k2' })).then((res) => {
          this.setData({ r: sync + '|' + res.data + '|' + res.errMsg });
        }).catch((e) => this.setData({ r: 'fail ' + e.errMsg }));
      }
    });"""
    app = open_app(one_page('<view id="r">{{r}}</view>', js))
    app.wait(f"{app.q('#r')}.textContent", timeout=15)
    assert app.text("#r") == '{"n":1}|v2|getStorage:ok'


def test_selector_query_and_next_tick(open_app):
    js = """Page({
      data: { r: '', w: 10 },
      onReady() {
        this.setData({ w: 120 });
        wx.nextTick(() => {
          wx.createSelectorQuery().select('#box').boundingClientRect().selectAll('.i').fields({ dataset: true, size: true }).exec((res) => {
            this.setData({ r: res[0].width + '|' + res[1].length + '|' + res[1][1].dataset.k });
          });
        });
      }
    });"""
    wxml = '<view id="box" style="width: {{w}}px; height: 10px"></view><view class="i" data-k="a">a</view><view class="i" data-k="b">b</view><view id="r">{{r}}</view>'
    app = open_app(one_page(wxml, js))
    app.wait_text("#r", "120|2|b")


def test_wxss_rpx_page_and_import(open_app):
    files = make_app(
        {
            "pages/p/p": {
                "wxml": '<view id="a" class="shared">x</view>',
                "wxss": '@import "/styles/common.wxss";\n#a{width:375rpx} page{background-color:rgb(1, 2, 3)}',
            }
        },
        extra={"styles/common.wxss": ".shared{height:20rpx}"},
        app_wxss="view{color:rgb(4, 5, 6)}",
    )
    app = open_app(files)
    app.wait_text("#a", "x")
    width = app.eval("document.documentElement.clientWidth")
    assert (
        app.eval(f"getComputedStyle({app.q('#a')}).width") == f"{int(375 / 750 * width + 1e-4)}px"
    )
    assert (
        app.eval(f"getComputedStyle({app.q('#a')}).height") == f"{int(20 / 750 * width + 1e-4)}px"
    )
    assert app.eval(f"getComputedStyle({app.q('#a')}).color") == "rgb(4, 5, 6)"
    assert app.eval(f"getComputedStyle({app.PAGE}).backgroundColor") == "rgb(1, 2, 3)"


def test_touch_and_longpress(open_app):
    js = """Page({ data: { log: '' },
      rec(e) { this.setData({ log: this.data.log + e.type + (e.touches ? e.touches.length : '-') + ';' }); } });"""
    wxml = '<view id="t" bindtouchstart="rec" bindtouchend="rec" bindlongpress="rec" bindtap="rec">hold</view><view id="log">{{log}}</view>'
    app = open_app(one_page(wxml, js))
    app.wait_text("#t", "hold")
    app.eval(
        f"{app.q('#t')}.dispatchEvent(new PointerEvent('pointerdown', {{bubbles: true, clientX: 5, clientY: 5}}))"
    )
    app.wait(f"{app.q('#log')}.textContent.indexOf('longpress') >= 0")
    app.eval(
        f"(function(){{var t={app.q('#t')}; t.dispatchEvent(new PointerEvent('pointerup', {{bubbles: true}})); t.click(); return 1;}})()"
    )
    app.wait(f"{app.q('#log')}.textContent.indexOf('touchend') >= 0")
    # a longpress with a handler suppresses the tap that follows it (WeChat behaviour)
    assert app.text("#log") == "touchstart1;longpress1;touchend0;"


def test_subpackages_load_on_first_navigation(open_app):
    files = make_app(
        {
            "pages/a/a": {
                "wxml": '<view id="go" bindtap="go">go</view>',
                "js": "Page({ go() { wx.navigateTo({ url: '/pkg/pages/s/s?v=2' }); } });",
            }
        },
        app_json={"subpackages": [{"root": "pkg", "pages": ["pages/s/s"]}]},
        extra={
            "pkg/pages/s/s.wxml": '<view id="s">sub {{v}} {{h}}</view>',
            "pkg/pages/s/s.js": "const h = require('../../util.js'); Page({ data: { v: '' }, onLoad(q) { this.setData({ v: q.v, h: h() }); } });",
            "pkg/util.js": "module.exports = () => 'helper';",
        },
    )
    built = build_app(files)
    # the subpackage is not part of the main bundle: it has its own file, loaded on demand
    assert b'__fc.define("pkg/util.js"' not in built["__fc__/service.js"]
    assert b'__fc.define("pkg/util.js"' in built["__fc__/sub/0.js"]
    app = open_app(files)
    app.wait(app.q("#go"))
    app.tap("#go")
    app.wait_text("#s", "sub 2 helper")


def test_launch_options_choose_the_entry_page(open_app):
    files = make_app(
        {
            "pages/a/a": {"wxml": "<view id='x'>a</view>"},
            "pages/b/b": {
                "wxml": "<view id='x'>b {{q}}</view>",
                "js": "Page({ data: { q: '' }, onLoad(o) { this.setData({ q: o.k }); } });",
            },
        },
        app_js="App({ onLaunch(o) { this.scene = o.scene; } });",
    )
    app = open_app(files, launch_options={"path": "pages/b/b", "query": {"k": "v 1"}})
    app.wait_text("#x", "b v 1")


def test_component_relations(open_app):
    extra = {
        "c/ul.json": '{"component": true}', "c/li.json": '{"component": true}',
        "c/ul.wxml": '<view class="ul"><slot/></view><view class="count">{{count}}</view>',
        "c/ul.js": """Component({
          relations: { './li': { type: 'child', linked() { this.sync(); }, unlinked() { this.sync(); } } },
          data: { count: 0 },
          methods: { sync() { this.setData({ count: this.getRelationNodes('./li').map((c) => c.data.label).join('+') || 'none' }); } }
        });""",
        "c/li.wxml": '<text class="li">{{label}}{{parentName}}</text>',
        "c/li.js": """Component({
          properties: { label: String },
          data: { parentName: '' },
          relations: { './ul': { type: 'parent', linked(p) { this.setData({ parentName: '@' + p.is }); } } }
        });""",
    }  # fmt: skip
    wxml = """<x-ul><x-li wx:for="{{items}}" wx:key="*this" label="{{item}}"/></x-ul><view id="drop" bindtap="drop">d</view>"""
    js = "Page({ data: { items: ['a', 'b', 'c'] }, drop() { this.setData({ items: ['a', 'c'] }); } });"
    app = open_app(one_page(wxml, js, {"x-ul": "/c/ul", "x-li": "/c/li"}, extra=extra))
    app.wait_text("x-ul .c0-count", "a+b+c")
    assert app.texts("x-li .c1-li") == ["a@c/ul", "b@c/ul", "c@c/ul"]
    app.tap("#drop")
    app.wait_text("x-ul .c0-count", "a+c")


def test_form_field_export_and_pure_data(open_app):
    extra = {
        "c/rate.json": '{"component": true}',
        "c/rate.wxml": '<view class="stars" bindtap="up">{{value}}★ {{_secret}}</view>',
        "c/rate.js": """Component({
          behaviors: ['wx://form-field'],
          options: { pureDataPattern: /^_/ },
          data: { _secret: 'hidden' },
          methods: { up() { this.setData({ value: (this.data.value || 0) + 1 }); } },
          export() { return { kind: 'rate', owner: this.selectOwnerComponent().is }; }
        });""",
    }  # fmt: skip
    wxml = """<form bindsubmit="submit"><rate id="r" name="stars" value="{{2}}"/><input name="note" value="ok"/>
      <button form-type="submit" id="go">go</button></form><view id="out">{{out}}</view><view id="exp">{{exp}}</view>"""
    js = """Page({ data: { out: '', exp: '' },
      onReady() { this.setData({ exp: JSON.stringify(this.selectComponent('#r')) }); },
      submit(e) { this.setData({ out: JSON.stringify(e.detail.value) }); } });"""
    app = open_app(one_page(wxml, js, {"rate": "/c/rate"}, extra=extra))
    app.wait_text("#exp", '{"kind":"rate","owner":"pages/p/p"}')
    assert app.text("wx-rate .c0-stars").strip() == "2★"
    app.tap("wx-rate .c0-stars")
    app.wait_text("wx-rate .c0-stars", "3★ ")
    app.tap("#go")
    app.wait(f"{app.q('#out')}.textContent")
    assert json.loads(app.text("#out")) == {"note": "ok", "stars": 3}


def test_capture_phase_select_all_components_and_query_in(open_app):
    extra = {
        "c/item.json": '{"component": true}',
        "c/item.wxml": '<view class="cell" bindtap="fire">{{label}}</view><scroll-view class="sv" scroll-y style="height:20px"><view style="height:200px">tall</view></scroll-view>',
        "c/item.js": """Component({ properties: { label: String },
          methods: { fire() { this.triggerEvent('pick', { label: this.data.label }, { bubbles: true, composed: true, capturePhase: true }); } } });""",
    }  # fmt: skip
    wxml = """<view id="outer" capture-bind:pick="cap" bind:pick="bub"><x-item wx:for="{{['a', 'b', 'c']}}" wx:key="*this" class="it" id="i{{item}}" label="{{item}}"/></view>
    <view class="cell" id="pagecell">page cell</view><view id="log">{{log}}</view><view id="q" bindtap="query">q</view>"""
    js = """Page({ data: { log: '' },
      cap(e) { this.setData({ log: this.data.log + 'capture:' + e.detail.label + ';' }); },
      bub(e) { this.setData({ log: this.data.log + 'bubble:' + e.detail.label + ';' }); },
      query() {
        const all = this.selectAllComponents('.it'), b = this.selectComponent('#ib');
        b.createSelectorQuery().select('.sv').scrollOffset().selectAll('.cell').boundingClientRect().exec((res) => {
          wx.createSelectorQuery().selectAll('.cell').fields({ id: true }).exec((r2) => {
            this.setData({ log: [all.map((c) => c.data.label).join(','), res[0].scrollTop, res[0].scrollHeight, res[1].length, r2[0].map((c) => c.id).join(',')].join('|') });
          });
        });
      } });"""
    app = open_app(one_page(wxml, js, {"x-item": "/c/item"}, extra=extra))
    app.wait(app.q("#ib .c0-cell"))
    app.tap("#ib .c0-cell")
    app.wait_text("#log", "capture:b;bubble:b;")
    app.eval(f"{app.q('#ib .c0-sv')}.scrollTop = 30")
    app.tap("#q")
    # in(component) scopes the query to that component (its own .cell and .sv); the page's
    # query sees only the page's .cell
    app.wait_text("#log", "a,b,c|30|200|1|pagecell")
