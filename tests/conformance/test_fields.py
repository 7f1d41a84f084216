"""Conformance: text fields (input, textarea), label, button variants and <text> options,
in the real shell."""

# ruff: noqa: E501 - the mini-apps under test are inline WXML/JS source

from __future__ import annotations

import pytest

from tests.runtime.apps import one_page

pytestmark = pytest.mark.qt


def typed(app, sel: str, value: str) -> None:
    app.eval(
        f"(function(){{var i={app.q(sel)}; i.value={value!r}; i.dispatchEvent(new Event('input')); return 1;}})()"
    )


def test_input_password_maxlength_focus_and_textarea(open_app):
    wxml = """<input id="pw" password value="secret"/><input id="max" maxlength="3" bindinput="max"/>
    <input id="f" focus="{{focus}}" bindfocus="focused" placeholder="type here"/>
    <textarea id="ta" value="{{text}}" bindinput="ta" maxlength="20"/>
    <textarea id="auto" auto-height value="{{long}}"/><textarea id="fixed" value="{{long}}"/>
    <view id="r">{{r}}</view><view id="t">{{t}}</view><view id="go" bindtap="go">go</view>"""
    js = """Page({ data: { r: '', t: '', text: 'one', long: 'a\\nb\\nc\\nd\\ne\\nf', focus: false },
      max(e) { this.setData({ r: 'max:' + e.detail.value }); }, focused(e) { this.setData({ r: 'focus:' + e.detail.value }); },
      ta(e) { this.setData({ t: e.detail.value }); }, go() { this.setData({ focus: true }); } });"""
    app = open_app(one_page(wxml, js))
    app.wait(app.q("#go"))
    assert app.eval(f"{app.q('#pw input')}.type") == "password"
    assert app.eval(f"{app.q('#pw input')}.value") == "secret"
    assert app.eval(f"{app.q('#f input')}.placeholder") == "type here"
    typed(app, "#max input", "abcdef")
    app.wait_text("#r", "max:abc")
    assert app.eval(f"{app.q('#max input')}.value") == "abc"
    app.d.container.window.view.setFocus()  # the window has keyboard focus, as for a user
    app.wait("document.hasFocus()")
    app.tap("#go")
    app.wait_text("#r", "focus:")
    assert app.eval(f"document.activeElement === {app.q('#f input')}")
    assert app.eval(f"{app.q('#ta textarea')}.value") == "one"
    typed(app, "#ta textarea", "x" * 30)
    app.wait_text("#t", "x" * 20)
    # auto-height: as tall as its six lines from the first render on; a plain textarea keeps 150px
    line = app.eval(f"parseFloat(getComputedStyle({app.q('#auto textarea')}).lineHeight)")
    app.wait(f"{app.q('#auto')}.offsetHeight >= {5.5 * line}")
    assert app.eval(f"{app.q('#fixed')}.offsetHeight") == 150
    first = app.eval(f"{app.q('#auto')}.offsetHeight")
    assert first < 150
    typed(app, "#auto textarea", "a\\nb\\nc\\nd\\ne\\nf\\ng\\nh\\ni\\nj\\nk".replace("\\n", "\n"))
    app.wait(f"{app.q('#auto')}.offsetHeight > {first}")


def test_label_targets_its_control(open_app):
    wxml = """<checkbox-group bindchange="cb"><label id="wrap"><checkbox value="a"/><text>wrapped</text></label>
    <checkbox id="b" value="b"/></checkbox-group><label id="for" for="b">for b</label>
    <radio-group bindchange="rd"><label id="rl"><radio value="r1"/>radio</label></radio-group><view id="r">{{r}}</view>"""
    js = "Page({ data: { r: '' }, cb(e) { this.setData({ r: 'cb:' + e.detail.value.join(',') }); }, rd(e) { this.setData({ r: 'rd:' + e.detail.value }); } });"
    app = open_app(one_page(wxml, js))
    app.wait(app.q("#for"))
    app.tap("#wrap wx-text")
    app.wait_text("#r", "cb:a")
    app.tap("#for")
    app.wait_text("#r", "cb:a,b")
    app.tap("#rl")
    app.wait_text("#r", "rd:r1")


def test_button_types_sizes_loading_disabled(open_app):
    wxml = """<button id="def">default</button><button id="pri" type="primary">primary</button>
    <button id="warn" type="warn">warn</button><button id="mini" size="mini">mini</button>
    <button id="plain" type="primary" plain>plain</button><button id="busy" loading>busy</button>
    <button id="off" disabled="{{off}}" bindtap="tapped">off</button><view id="n">{{n}}</view><view id="on" bindtap="enable">on</view>"""
    js = "Page({ data: { n: 0, off: true }, tapped() { this.setData({ n: this.data.n + 1 }); }, enable() { this.setData({ off: false }); } });"
    app = open_app(one_page(wxml, js))
    app.wait(app.q("#on"))

    def style(sel: str, prop: str) -> str:
        return app.eval(f"getComputedStyle({app.q(sel)}).{prop}")

    assert style("#pri", "backgroundColor") == "rgb(7, 193, 96)"
    assert style("#pri", "color") == "rgb(255, 255, 255)"
    assert style("#warn", "color") == "rgb(250, 81, 81)"
    assert style("#def", "backgroundColor") == "rgb(242, 242, 242)"
    assert style("#def", "width") == "184px"
    assert style("#mini", "display") == "inline-block"
    assert app.eval(f"{app.q('#mini')}.offsetWidth") < 184
    assert style("#plain", "backgroundColor") == "rgba(0, 0, 0, 0)"
    assert "solid" in style("#plain", "borderStyle")
    assert app.eval(f"getComputedStyle({app.q('#busy')}, '::before').animationName") == "fc-spin"
    assert app.eval(f"getComputedStyle({app.q('#def')}, '::before').content") in ("none", "normal")
    assert style("#off", "opacity") == "0.6"
    app.tap("#off")
    app.tap("#on")
    app.wait(f"!{app.q('#off')}.classList.contains('fc-disabled')")
    app.tap("#off")
    app.wait_text("#n", "1")  # the tap while disabled was never delivered


def test_text_space_and_decode(open_app):
    wxml = """<text id="raw">a&amp;b&nbsp;c</text><text id="dec" decode>a&amp;b&nbsp;c&lt;d&gt;&apos;&emsp;&ensp;</text>
    <text id="dyn" decode>{{s}}</text><text id="dynraw">{{s}}</text><view id="v">x&amp;y</view>
    <text id="ensp" space="ensp">a b</text><text id="emsp" space="emsp">a b</text><text id="nbsp" space="nbsp">a  b</text><text id="plain">a  b</text>"""
    js = "Page({ data: { s: '1&lt;2&amp;3' } });"
    app = open_app(one_page(wxml, js))
    app.wait(app.q("#plain"))
    assert app.text("#raw") == "a&amp;b&nbsp;c"  # no decode: shown as written
    assert app.text("#dec") == "a&b\u00a0c<d>'\u2003\u2002"
    assert app.text("#dyn") == "1<2&3"
    assert app.text("#dynraw") == "1&lt;2&amp;3"
    assert app.text("#v") == "x&y"
    assert app.text("#ensp") == "a\u2002b"
    assert app.text("#emsp") == "a\u2003b"
    assert app.text("#nbsp") == "a\u00a0\u00a0b"
    # without space, runs of spaces collapse when drawn (white-space: pre-line)
    assert app.eval(f"{app.q('#plain')}.getBoundingClientRect().width") < app.eval(
        f"{app.q('#nbsp')}.getBoundingClientRect().width"
    )
