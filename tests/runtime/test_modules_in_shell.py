"""In the real engine: broken modules stay isolated, ES modules and npm packages run, WXSS
pseudo-classes and component style isolation, bad setData, getApp, entryPagePath, the
intersection observer's root and margins, WXS limits."""

# ruff: noqa: E501 - the mini-apps under test are inline WXML/JS source

from __future__ import annotations

import pytest

from finclip_desktop.shell.testing import wait_until
from tests.runtime.apps import make_app

pytestmark = pytest.mark.qt

ERRORS_APP = "App({ errors: [], onError(e) { this.errors.push(String(e).split('\\n')[0]); } })"
SHOW_ERRORS = (
    "Page({ data: { e: '' }, onShow() { this.setData({ e: getApp().errors.join(' | ') }); } })"
)


def logged(host, part: str) -> str:
    """The first console line containing ``part`` (waits for it)."""
    return wait_until(lambda: next((line for line in host.log if part in line), None), what=part)


def text_of(host, selector: str) -> str:
    return host.js(
        f"var e = document.querySelector('wx-page:not(.fc-hidden) {selector}'); return e ? e.textContent : null;"
    )


def test_a_module_the_engine_refuses_does_not_stop_the_app(run_app):
    # a duplicate `let` passes the build-time check (it is no token-level mistake) but the
    # engine refuses the whole bundle: the view restarts with one file per module
    files = make_app(
        {"pages/a/a": {"wxml": "<view id='e'>{{e}}</view><view id='n' bindtap='go'>{{n}}</view><view id='x' bindtap='boom'>x</view>",
                       "js": "var u = require('../../utils/u.js');\nPage({ data: { e: '', n: u.n }, onLoad() { this.setData({ e: getApp().errors.join(' | ') }); }, go() { wx.navigateTo({ url: '/sub/p/p' }); },\n  boom() { null.x; } })"},
         "pages/b/b": {"js": "let dup = 1;\nPage({})\nlet dup = 2;\n"}},
        app_js=ERRORS_APP,
        app_json={"subpackages": [{"root": "sub", "pages": ["p/p", "q/q"]}]},
        extra={"utils/u.js": "module.exports = { n: 'utils ok' };",
               "sub/p/p.wxml": "<view id='s'>{{s}}</view>", "sub/p/p.js": "Page({ data: { s: 'sub ok' } })",
               "sub/q/q.wxml": "<view/>", "sub/q/q.js": "const q = 1;\nconst q = 2;"},
    )  # fmt: skip
    host = run_app(files)
    host.wait_painted("pages/a/a")
    assert text_of(host, "#n") == "utils ok"
    assert (
        text_of(host, "#e")
        == "pages/b/b.js:3:5: SyntaxError: Identifier 'dup' has already been declared"
    )
    assert logged(host, "pages/b/b.js:3:5: SyntaxError")
    assert not host.js("return !!document.querySelector('.fc-crash')")
    # stack frames of modules loaded one by one name the module's own file and line
    host.tap("#x")
    assert logged(host, "finclip://test.app/pages/a/a.js:3:")
    # a subpackage whose file does not parse loads module by module as well
    host.tap("#n")
    host.wait_painted("sub/p/p")
    assert text_of(host, "#s") == "sub ok"
    assert logged(host, "sub/q/q.js:2:7: SyntaxError: Identifier 'q' has already been declared")


def test_es_modules_run_as_commonjs(run_app):
    files = make_app(
        {"pages/a/a": {"wxml": "<view id='out'>{{out}}</view><view id='dyn'>{{dyn}}</view>",
                       "js": "import greet, { name as who } from '../../utils/greet'\nimport * as all from '../../utils/greet.js'\nimport cfg from '../../utils/cjs.js'\nimport { count, bump } from '../../utils/counter.js'\n"
                             "Page({ data: { out: '', dyn: '' },\n  onLoad() { bump(); this.setData({ out: [greet(who), all.name, cfg.mode, count, getApp().tag].join(' ') });\n"
                             "    import('../../utils/cjs.js').then(m => this.setData({ dyn: m.default.mode + ' ' + m.mode })); } })"}},
        app_js="import { tag } from './utils/greet'\nApp({ tag })",
        extra={"utils/greet.js": "export const name = 'Lin'\nexport const tag = 'T'\nexport default function greet(n) { return `hi ${n}` }",
               "utils/cjs.js": "module.exports = { mode: 'cjs' };",
               "utils/counter.js": "export let count = 0\nexport function bump() { count++ }"},
    )  # fmt: skip
    host = run_app(files)
    host.wait_painted("pages/a/a")
    assert text_of(host, "#out") == "hi Lin Lin cjs 0 T"  # named imports are bound once
    host.wait("document.querySelector('#dyn').textContent === 'cjs cjs'")
    assert not host.errors()


def test_npm_components_and_modules_come_from_miniprogram_npm(run_app):
    files = make_app(
        {"pages/a/a": {"wxml": "<van-button id='b' type='primary'>Go</van-button><view id='m'>{{m}}</view>",
                       "json": {"usingComponents": {"van-button": "@vant/weapp/button/index"}},
                       "js": "const fmt = require('fmt-money');\nconst deep = require('fmt-money/lib/deep');\nPage({ data: { m: fmt(3) + ' ' + deep } })"}},
        extra={
            "miniprogram_npm/@vant/weapp/button/index.json": '{"component": true, "usingComponents": {"van-icon": "../icon/index"}}',
            "miniprogram_npm/@vant/weapp/button/index.wxml": "<view class='van-button van-button--{{type}}'><van-icon name='star'/><slot/></view>",
            "miniprogram_npm/@vant/weapp/button/index.js": "const { cls } = require('../common/utils');\nComponent({ properties: { type: String } })",
            "miniprogram_npm/@vant/weapp/common/utils.js": "exports.cls = 'x';",
            "miniprogram_npm/@vant/weapp/icon/index.json": '{"component": true}',
            "miniprogram_npm/@vant/weapp/icon/index.wxml": "<text class='van-icon'>[{{name}}]</text>",
            "miniprogram_npm/@vant/weapp/icon/index.js": "Component({ properties: { name: String } })",
            "miniprogram_npm/fmt-money/index.js": "module.exports = function (n) { return '¥' + n.toFixed(2); };",
            "miniprogram_npm/fmt-money/lib/deep.js": "module.exports = 'deep';",
        },
    )  # fmt: skip
    host = run_app(files)
    host.wait_painted("pages/a/a")
    assert text_of(host, "#b") == "[star]Go"
    assert text_of(host, "#m") == "¥3.00 deep"
    assert not host.errors()


def test_pseudo_class_arguments_keep_their_meaning(run_app):
    files = make_app(
        {"pages/a/a": {"wxml": "<view class='l'><view class='i' wx:for='{{4}}' wx:key='*this'>{{item}}</view></view><view lang='en' class='g'>en</view>",
                       "wxss": ".i:nth-child(odd){color:rgb(255,0,0)} .i:nth-of-type(even){color:rgb(0,0,255)} .g:lang(en){color:rgb(0,128,0)} .l view:not(.none){font-size:13px}"}},
    )  # fmt: skip
    host = run_app(files)
    host.wait_painted("pages/a/a")
    colors = host.js(
        "return [].map.call(document.querySelectorAll('.i'), e => getComputedStyle(e).color)"
    )
    assert colors == ["rgb(255, 0, 0)", "rgb(0, 0, 255)", "rgb(255, 0, 0)", "rgb(0, 0, 255)"]
    assert (
        host.js("return getComputedStyle(document.querySelector('.g')).color") == "rgb(0, 128, 0)"
    )
    assert host.js("return getComputedStyle(document.querySelector('.i')).fontSize") == "13px"


def test_component_styles_never_restyle_the_page_or_other_components(run_app):
    files = make_app(
        {"pages/a/a": {"wxml": "<view id='pv' class='t'>page</view><x-a id='a'/><x-b id='b'/>",
                       "json": {"usingComponents": {"x-a": "/c/a", "x-b": "/c/b"}},
                       "wxss": ".t{font-size:21px}"}},
        extra={"c/a.wxml": "<view class='t' id='ai'>a</view><text>a-text</text>", "c/a.js": "Component({})",
               "c/a.wxss": "view{color:rgb(255,0,0)} text{color:rgb(0,0,255)} .t{font-size:11px} #pv{color:rgb(0,255,0)} [id]{font-weight:900}",
               "c/b.wxml": "<view class='t'>b</view>", "c/b.js": "Component({})"},
    )  # fmt: skip
    host = run_app(files)
    host.wait_painted("pages/a/a")

    def style(selector: str, prop: str) -> str:
        return host.js(f"return getComputedStyle(document.querySelector({selector!r}))[{prop!r}]")

    assert style("#ai", "color") == "rgb(255, 0, 0)" and style("#ai", "fontSize") == "11px"
    assert style("#a wx-text", "color") == "rgb(0, 0, 255)"
    assert style("#pv", "color") == "rgb(0, 0, 0)"  # neither the tag nor the id rule leaks
    assert style("#pv", "fontSize") == "21px" and style("#pv", "fontWeight") == "400"
    assert style("#b .c1-t", "color") == "rgb(0, 0, 0)"  # another component: untouched
    assert style("#b .c1-t", "fontSize") != "21px"  # page classes stay out of components


def test_set_data_with_a_non_object_is_reported(run_app):
    files = make_app(
        {"pages/a/a": {"wxml": "<view id='e'>{{e}}</view><view id='n'>{{n}}</view>",
                       "js": "Page({ data: { e: '', n: 0 }, onLoad() { this.setData('x'); this.setData(null); this.setData({ n: 1 }); },\n  onReady() { this.setData({ e: getApp().errors.join(' | ') }); } })"}},
        app_js=ERRORS_APP,
    )  # fmt: skip
    host = run_app(files)
    host.wait("document.querySelector('#e') && document.querySelector('#e').textContent.length > 0")
    assert text_of(host, "#e") == (
        "TypeError: setData(string): the first argument must be an object of data paths and values | "
        "TypeError: setData(null): the first argument must be an object of data paths and values"
    )
    assert text_of(host, "#n") == "1"
    assert logged(host, "setData(null): the first argument")


def test_get_app_before_app_and_entry_page_path(run_app):
    files = make_app(
        {"pages/a/a": {"wxml": "<view id='w'>a</view>"},
         "pages/b/b": {"wxml": "<view id='w'>{{w}}</view>", "js": "Page({ data: { w: '' }, onLoad() { this.setData({ w: getApp().early + ' ' + getApp().seen + ' ' + getApp().kept }); } })"}},
        app_js="var before = typeof getApp();\nvar d = getApp({ allowDefault: true });\nd.kept = 'kept';\nd.early = 'overridden';\ngetApp({ allowDefault: true }).seen = getApp({ allowDefault: true }) === d;\nApp({ early: before });",
        app_json={"entryPagePath": "pages/b/b"},
    )  # fmt: skip
    host = run_app(files)
    host.wait_painted("pages/b/b")
    assert text_of(host, "#w") == "undefined true kept"


def test_intersection_observer_root_and_margins(run_app):
    files = make_app(
        {"pages/a/a": {"wxml": "<view class='box' style='height:100px'><view id='item' style='position:relative;top:300px;height:50px'>x</view></view>"
                               "<view id='r'>{{rel}}/{{vp}}/{{m}}</view>",
                       "js": "Page({ data: { rel: -1, vp: -1, m: -1 }, onReady() {\n"
                             "  wx.createIntersectionObserver(this).relativeTo('.box').observe('#item', r => this.setData({ rel: r.intersectionRatio }));\n"
                             "  wx.createIntersectionObserver(this).relativeToViewport().observe('#item', r => this.setData({ vp: r.intersectionRatio }));\n"
                             "  wx.createIntersectionObserver(this).relativeToViewport({ bottom: -600 }).observe('#item', r => this.setData({ m: r.intersectionRatio })); } })"}},
    )  # fmt: skip
    host = run_app(files)
    host.wait(
        "document.querySelector('#r') && document.querySelector('#r').textContent.indexOf('-1') < 0"
    )
    assert text_of(host, "#r") == "0/1/0"


def test_wxs_cannot_reach_logic_modules_at_run_time(run_app):
    files = make_app(
        {"pages/a/a": {"wxml": "<wxs module='m' src='/u/m.wxs'/><view id='v'>{{m.v}}</view>"}},
        extra={"u/m.wxs": "var p = '../utils/secret.js';\nvar r = (function () { try { return require(p).s; } catch (e) { return e.message; } })();\nmodule.exports = { v: r + ' ' + typeof getDate() + ' ' + typeof wx };",
               "utils/secret.js": "module.exports = { s: 'logic' };"},
    )  # fmt: skip
    host = run_app(files)
    host.wait_painted("pages/a/a")
    assert (
        text_of(host, "#v")
        == 'WXS can only require .wxs modules, not "../utils/secret.js" object undefined'
    )
