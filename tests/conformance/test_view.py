"""Conformance: built-in components, view APIs, navigation bar and tabBar, in the real shell."""

# ruff: noqa: E501 - the mini-apps under test are inline WXML/JS source

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.runtime.apps import make_app, one_page

pytestmark = pytest.mark.qt

PNG = (Path(__file__).parents[2] / "resources/examples/tabbed/images/home.png").read_bytes()


def with_png(files: dict[str, bytes]) -> dict[str, bytes]:
    return {**files, "img/p.png": PNG}


def test_button_form_and_fields(open_app):
    wxml = """<form bindsubmit="submit" bindreset="reset">
      <input name="user" value="ann" bindinput="typed" bindconfirm="confirmed" id="in"/>
      <switch name="sw" checked/>
      <checkbox-group name="cb" bindchange="cbChange"><checkbox value="a" checked/><checkbox value="b" id="cbb"/></checkbox-group>
      <radio-group name="rd"><radio value="x"/><radio value="y" checked/></radio-group>
      <slider name="sl" value="30" min="0" max="100"/>
      <button form-type="submit" type="primary" id="submit">Submit</button>
      <button form-type="reset" id="reset">Reset</button>
      <button disabled bindtap="never" id="dis">Disabled</button>
      <button loading size="mini" plain id="load">Busy</button>
    </form><view id="out">{{out}}</view><view id="typed">{{typed}}</view><view id="cb">{{cb}}</view>"""
    js = """Page({
      data: { out: '', typed: '', cb: '' },
      submit(e) { this.setData({ out: JSON.stringify(e.detail.value) }); },
      reset() { this.setData({ out: 'reset' }); },
      typed(e) { this.setData({ typed: e.detail.value }); },
      confirmed(e) { this.setData({ typed: 'confirm:' + e.detail.value }); },
      cbChange(e) { this.setData({ cb: e.detail.value.join(',') }); },
      never() { this.setData({ out: 'disabled button tapped' }); }
    });"""
    app = open_app(one_page(wxml, js))
    app.wait(app.q("#submit"))
    app.tap("#dis")
    app.tap("#submit")
    app.wait(f"{app.q('#out')}.textContent")
    assert json.loads(app.text("#out")) == {
        "user": "ann",
        "sw": True,
        "cb": ["a"],
        "rd": "y",
        "sl": 30,
    }
    assert app.eval(f"{app.q('#load')}.classList.contains('fc-btn-loading')")
    app.tap("#cbb")
    app.wait_text("#cb", "a,b")
    app.eval(
        f"(function(){{var i={app.q('#in input')}; i.value='bob'; i.dispatchEvent(new Event('input')); return 1;}})()"
    )
    app.wait_text("#typed", "bob")
    app.eval(f"{app.q('#in input')}.dispatchEvent(new KeyboardEvent('keydown', {{key: 'Enter'}}))")
    app.wait_text("#typed", "confirm:bob")
    app.tap("#reset")
    app.wait_text("#out", "reset")
    assert app.eval(f"{app.q('#in input')}.value") == ""


def test_image_modes_and_events(open_app):
    wxml = """<image id="fill" src="/img/p.png" mode="aspectFill" style="width:100px;height:50px" bindload="loaded"/>
    <image id="fix" src="../../img/p.png" mode="widthFix" style="width:96px"/><image id="rel" src="pic.png"/>
    <image id="bad" src="/img/missing.png" binderror="failed"/><view id="r">{{r}}</view><view id="e">{{e}}</view>"""
    js = "Page({ data: { r: '', e: '' }, loaded(ev) { this.setData({ r: ev.detail.width + 'x' + ev.detail.height }); }, failed() { this.setData({ e: 'error' }); } });"
    app = open_app(with_png(one_page(wxml, js)))
    app.wait(f"{app.q('#r')}.textContent")
    w, h = app.text("#r").split("x")
    assert int(w) > 0 and int(h) > 0
    assert app.eval(f"getComputedStyle({app.q('#fill .fc-img')}).backgroundSize") == "cover"
    app.wait(f"{app.q('#fix')}.style.height === '{96 * int(h) // int(w)}px'")
    app.wait_text("#e", "error")
    # a relative src resolves against the page's folder
    assert "pages/p/pic.png" in app.eval(f"{app.q('#rel .fc-img')}.style.backgroundImage")


def test_rich_text_is_sanitised(open_app):
    html = '<p class="p" onclick="steal()">Hi <b>there</b><script>window.pwned=1</script><img src="x" onerror="window.pwned=2"><a href="javascript:alert(1)">link</a><iframe src="https://evil"></iframe></p>'
    nodes = [
        {
            "name": "div",
            "attrs": {"style": "color: red", "onmouseover": "x()"},
            "children": [{"type": "text", "text": "node &amp; text"}],
        }
    ]
    wxml = '<rich-text id="h" nodes="{{html}}"/><rich-text id="n" nodes="{{nodes}}"/>'
    app = open_app(
        make_app(
            {
                "pages/p/p": {
                    "wxml": wxml,
                    "js": f"Page({{ data: {{ html: {json.dumps(html)}, nodes: {json.dumps(nodes)} }} }});",
                }
            }
        )
    )
    app.wait(f"{app.q('#h p')}")
    assert app.text("#h") == "Hi therelink"
    assert (
        app.eval(
            f"{app.q('#h')}.querySelectorAll('script,iframe,[onclick],[onerror],[href]').length"
        )
        == 0
    )
    assert app.eval("window.pwned === undefined")
    assert app.text("#n") == "node & text"
    assert app.eval(f"{app.q('#n div')}.getAttribute('onmouseover')") is None


def test_icon_progress_text_navigator(open_app):
    wxml = """<icon id="ic" type="success" size="30"/><progress id="pr" percent="40" show-info/>
    <text id="tx" user-select>a  b</text><navigator id="nav" url="/pages/q/q?x=1">go</navigator>"""
    pages = {
        "pages/p/p": {"wxml": wxml},
        "pages/q/q": {
            "wxml": '<view id="q">{{x}}</view>',
            "js": "Page({ data: {x: ''}, onLoad(o) { this.setData({ x: o.x }); } });",
        },
    }
    app = open_app(make_app(pages))
    app.wait(app.q("#pr"))
    assert app.eval(f"getComputedStyle({app.q('#ic')}).width") == "30px"
    assert app.eval(f"{app.q('#pr .fc-progress-inner')}.style.width") == "40%"
    assert app.text("#pr .fc-progress-info") == "40%"
    assert app.text("#tx") == "a  b"
    app.tap("#nav")
    app.wait_text("#q", "1")


def test_scroll_view_and_swiper(open_app):
    wxml = """<scroll-view id="sv" scroll-y style="height:100px" bindscroll="sc" bindscrolltolower="low" lower-threshold="20">
      <view wx:for="{{20}}" style="height:50px" id="row{{item}}">{{item}}</view></scroll-view>
    <swiper id="sw" indicator-dots current="{{cur}}" circular bindchange="changed">
      <swiper-item item-id="a">A</swiper-item><swiper-item item-id="b">B</swiper-item></swiper>
    <view id="r">{{r}}</view><view id="s">{{s}}</view><view id="next" bindtap="next">n</view>"""
    js = """Page({ data: { r: '', s: '', cur: 0 },
      sc(e) { this.setData({ s: 'scroll' }); }, low(e) { this.setData({ r: 'lower:' + e.detail.direction }); },
      changed(e) { this.setData({ r: 'change:' + e.detail.current + e.detail.currentItemId + e.detail.source }); },
      next() { this.setData({ cur: 1 }); } });"""
    app = open_app(one_page(wxml, js))
    app.wait(app.q("#sv"))
    assert app.eval(f"{app.q('#sw .fc-swiper-dots')}.children.length") == 2
    app.eval(f"{app.q('#sv')}.scrollTop = 1000")
    app.wait_text("#r", "lower:bottom")
    assert app.text("#s") == "scroll"
    app.tap("#next")
    app.wait(f"{app.q('#sw .fc-swiper-track')}.style.transform === 'translateX(-100%)'")
    app.eval(
        f"(function(){{var s={app.q('#sw')}; s.dispatchEvent(new PointerEvent('pointerdown', {{clientX: 200}})); s.dispatchEvent(new PointerEvent('pointerup', {{clientX: 100}})); return 1;}})()"
    )
    app.wait_text("#r", "change:0atouch")


def test_picker_selector(open_app):
    wxml = '<picker id="pk" range="{{items}}" range-key="n" value="0" bindchange="pick"><view>{{items[i].n}}</view></picker>'
    js = "Page({ data: { items: [{n: 'red'}, {n: 'green'}], i: 0 }, pick(e) { this.setData({ i: e.detail.value }); } });"
    app = open_app(one_page(wxml, js))
    app.wait_text("#pk", "red")
    app.tap("#pk")
    app.wait("document.querySelector('.fc-picker select')")
    app.eval(
        "(function(){var s=document.querySelector('.fc-picker select'); s.value='1'; document.querySelector('.fc-picker .fc-ok').click(); return 1;})()"
    )
    app.wait_text("#pk", "green")


def test_view_apis(open_app):
    js = """Page({
      data: { r: '' },
      onPullDownRefresh() { this.setData({ r: 'pulled' }); wx.stopPullDownRefresh(); },
      toast() { wx.showToast({ title: 'Done', icon: 'none', duration: 1500 }); },
      loading() { wx.showLoading({ title: 'Wait' }); },
      hide() { wx.hideLoading(); },
      modal() { wx.showModal({ title: 'Name?', editable: true, placeholderText: 'type' }).then((r) => this.setData({ r: r.confirm + ':' + r.content })); },
      sheet() { wx.showActionSheet({ itemList: ['A', 'B'] }).then((r) => this.setData({ r: 'sheet:' + r.tapIndex })); },
      nav() { wx.setNavigationBarColor({ frontColor: '#ffffff', backgroundColor: '#ff0000' }); wx.showNavigationBarLoading(); },
      pull() { wx.startPullDownRefresh(); },
      scroll() { wx.pageScrollTo({ scrollTop: 300, duration: 0 }); }
    });"""
    buttons = "".join(
        f'<view id="{n}" bindtap="{n}">{n}</view>'
        for n in ("toast", "loading", "hide", "modal", "sheet", "nav", "pull", "scroll")
    )
    app = open_app(
        make_app(
            {
                "pages/p/p": {
                    "wxml": buttons
                    + '<view id="r">{{r}}</view><view style="height:3000px"></view>',
                    "js": js,
                    "json": {"enablePullDownRefresh": True},
                }
            }
        )
    )
    app.wait(app.q("#scroll"))
    app.tap("#toast")
    app.wait(
        "document.querySelector('.fc-toast.fc-text-only') && document.querySelector('.fc-toast-title').textContent === 'Done'"
    )
    app.wait("!document.querySelector('.fc-toast')")
    app.tap("#loading")
    app.wait("document.querySelector('.fc-i-loading')")
    app.tap("#hide")
    app.wait("!document.querySelector('.fc-toast')")
    app.tap("#modal")
    app.wait("document.querySelector('.fc-modal-input')")
    assert app.eval("document.querySelector('.fc-modal-input').placeholder") == "type"
    app.eval(
        "(function(){document.querySelector('.fc-modal-input').value='Zed'; document.querySelector('.fc-confirm').click(); return 1;})()"
    )
    app.wait_text("#r", "true:Zed")
    app.tap("#sheet")
    app.wait("document.querySelectorAll('.fc-sheet-item').length === 3")
    app.eval("document.querySelectorAll('.fc-sheet-item')[1].click()")
    app.wait_text("#r", "sheet:1")
    app.tap("#nav")
    app.wait(
        "getComputedStyle(document.querySelector('.fc-nav')).backgroundColor === 'rgb(255, 0, 0)'"
    )
    assert app.eval("document.querySelector('.fc-nav').classList.contains('fc-loading')")
    app.tap("#pull")
    app.wait_text("#r", "pulled")
    app.wait(f"!{app.PAGE}.classList.contains('fc-refreshing')")
    app.tap("#scroll")
    app.wait(f"{app.PAGE}.scrollTop === 300")


TAB_APP = {
    "tabBar": {
        "color": "#999999",
        "selectedColor": "#00aa00",
        "backgroundColor": "#fafafa",
        "list": [
            {
                "pagePath": "pages/home/home",
                "text": "Home",
                "iconPath": "img/p.png",
                "selectedIconPath": "img/p.png",
            },
            {"pagePath": "pages/me/me", "text": "Me", "iconPath": "img/p.png"},
        ],
    },
    "window": {
        "navigationBarTitleText": "Tabs",
        "navigationBarTextStyle": "black",
        "navigationBarBackgroundColor": "#ffffff",
    },
}


def test_tab_bar_and_apis(open_app):
    pages = {
        "pages/home/home": {
            "wxml": '<view id="badge" bindtap="badge">b</view><view id="go" bindtap="go">go</view><view id="item" bindtap="item">i</view>',
            "js": """Page({ badge() { wx.setTabBarBadge({ index: 1, text: '3' }); wx.showTabBarRedDot({ index: 0 }); },
                                      go() { wx.switchTab({ url: '/pages/me/me' }); },
                                      item() { wx.setTabBarItem({ index: 1, text: 'Mine' }); wx.hideTabBar(); } });""",
        },
        "pages/me/me": {
            "wxml": '<view id="me">me</view><view id="sub" bindtap="sub">sub</view>',
            "js": "Page({ onTabItemTap(i) { getApp().tap = i.index; }, sub() { wx.navigateTo({ url: '/pages/sub/sub' }); } });",
            "json": {"navigationBarTitleText": "Profile"},
        },
        "pages/sub/sub": {
            "wxml": '<view id="sub">sub page</view>',
            "json": {"navigationStyle": "custom"},
        },
    }
    app = open_app(with_png(make_app(pages, app_json=TAB_APP)))
    app.wait(app.q("#badge"))
    assert app.eval(
        "[].map.call(document.querySelectorAll('.fc-tab-text'), e => getComputedStyle(e).color)"
    ) == ["rgb(0, 170, 0)", "rgb(153, 153, 153)"]
    assert app.eval("document.querySelector('.fc-tab img').getAttribute('src')") == "/img/p.png"
    assert app.eval("document.querySelector('.fc-nav-title').textContent") == "Tabs"
    app.tap("#badge")
    app.wait("document.querySelectorAll('.fc-badge')[1].textContent === '3'")
    assert app.eval("document.querySelectorAll('.fc-badge')[0].classList.contains('fc-dot')")
    app.eval("document.querySelectorAll('.fc-tab')[1].click()")
    app.wait(f"{app.PAGE}.getAttribute('route') === 'pages/me/me'")
    assert app.eval("document.querySelector('.fc-nav-title').textContent") == "Profile"
    app.tap("#sub")
    app.wait(f"{app.PAGE}.getAttribute('route') === 'pages/sub/sub'")
    assert app.eval(
        "document.querySelector('.fc-nav').hidden && document.querySelector('.fc-tabbar').hidden"
    )
    app.eval("document.querySelector('.fc-nav-back').click()")
    app.wait(f"{app.PAGE}.getAttribute('route') === 'pages/me/me'")
    app.eval("document.querySelectorAll('.fc-tab')[0].click()")
    app.wait(f"{app.PAGE}.getAttribute('route') === 'pages/home/home'")
    app.tap("#item")
    app.wait(
        "document.querySelectorAll('.fc-tab-text')[1].textContent === 'Mine' && document.querySelector('.fc-tabbar').hidden"
    )


def test_framework_is_small():
    import gzip

    from finclip_desktop.runtime import framework_file

    raw = sum(len(framework_file(n).encode()) for n in ("service.js", "view.js", "view.css"))
    packed = sum(
        len(gzip.compress(framework_file(n).encode(), 9))
        for n in ("service.js", "view.js", "view.css")
    )
    assert packed <= 60 * 1024, (raw, packed)


def test_picker_view_and_movable_view(open_app):
    wxml = """<picker-view id="pv" value="{{val}}" bindchange="pv" style="height:170px">
      <picker-view-column><view wx:for="{{5}}" wx:key="*this">Y{{item}}</view></picker-view-column>
      <picker-view-column><view wx:for="{{3}}" wx:key="*this">M{{item}}</view></picker-view-column>
    </picker-view>
    <movable-area id="area" style="width:200px;height:200px"><movable-view id="mv" direction="all" style="width:50px;height:50px" bindchange="mv"/></movable-area>
    <view id="r">{{r}}</view><view id="m">{{m}}</view>"""
    js = "Page({ data: { val: [1, 2], r: '', m: '' }, pv(e) { this.setData({ r: e.detail.value.join(',') }); }, mv(e) { this.setData({ m: e.detail.x + ',' + e.detail.y + ',' + e.detail.source }); } });"
    app = open_app(one_page(wxml, js))
    app.wait(f"{app.q('#pv')} && {app.q('#pv')}.children[0].scrollTop === 34")
    assert app.eval(f"{app.q('#pv')}.children[1].scrollTop") == 68
    app.eval(f"{app.q('#pv')}.children[0].scrollTop = 102")
    app.wait_text("#r", "3,2")
    app.eval(f"""(function(){{var m={app.q("#mv")};
      m.dispatchEvent(new PointerEvent('pointerdown', {{clientX: 10, clientY: 10}}));
      m.dispatchEvent(new PointerEvent('pointermove', {{clientX: 70, clientY: 400}}));
      m.dispatchEvent(new PointerEvent('pointerup', {{}})); return 1;}})()""")
    app.wait_text("#m", "60,150,touch")


def test_canvas_2d(open_app, tmp_path):
    js = """Page({ data: { r: '' }, onReady() {
      wx.createSelectorQuery().select('#c').fields({ node: true, size: true }).exec((res) => {
        const canvas = res[0].node;
        canvas.width = res[0].width; canvas.height = res[0].height;
        const ctx = canvas.getContext('2d');
        ctx.fillStyle = 'rgb(255, 0, 0)';
        ctx.fillRect(0, 0, canvas.width, canvas.height);
        canvas.requestAnimationFrame(() => this.setData({ r: 'drawn ' + res[0].width + 'x' + res[0].height }));
      });
    } });"""
    wxml = '<canvas id="c" type="2d" style="width:100px;height:60px"></canvas><view id="r">{{r}}</view>'
    app = open_app(one_page(wxml, js))
    app.wait_text("#r", "drawn 100x60")
    rect = app.eval(
        f"(function(){{var b={app.q('#c')}.getBoundingClientRect(); return [b.left + 50, b.top + 30];}})()"
    )
    from PySide6.QtGui import QImage

    from finclip_desktop.shell.testing import process_events

    process_events(0.3)
    shot = app.d.screenshot(tmp_path / "canvas.png")
    image = QImage(str(shot))
    ratio = image.width() / app.eval("window.innerWidth")
    color = image.pixelColor(int(rect[0] * ratio), int(rect[1] * ratio))
    assert (color.red(), color.green(), color.blue()) == (255, 0, 0)


def wav(seconds: float = 0.5, rate: int = 8000) -> bytes:
    """A silent mono 8-bit PCM WAV file."""
    import struct

    frames = int(seconds * rate)
    header = struct.pack("<4sI4s4sIHHIIHH4sI", b"RIFF", 36 + frames, b"WAVE", b"fmt ", 16, 1, 1,
                         rate, rate, 1, 8, b"data", frames)  # fmt: skip
    return header + b"\x80" * frames


def test_media_contexts(open_app):
    js = """Page({ data: { r: '', v: '' },
      onReady() {
        const a = wx.createInnerAudioContext();
        a.onCanplay(() => this.setData({ r: 'canplay ' + a.duration.toFixed(1) }));
        a.onError((e) => this.setData({ r: 'error ' + e.errMsg }));
        a.src = '/sound.wav';
        const bad = wx.createInnerAudioContext();
        bad.onError(() => this.setData({ v: 'bad src reported' }));
        bad.src = '/missing.wav';
        wx.createVideoContext('vid').seek(0);
      } });"""
    wxml = '<video id="vid" src="/sound.wav"/><view id="r">{{r}}</view><view id="v">{{v}}</view>'
    files = one_page(wxml, js)
    app = open_app({**files, "sound.wav": wav()})
    app.wait_text("#r", "canplay 0.5")
    app.wait_text("#v", "bad src reported")


def test_hover_class(open_app):
    wxml = '<view id="h" hover-class="pressed" hover-stay-time="50">press</view>'
    app = open_app(one_page(wxml))
    app.wait(app.q("#h"))
    app.eval(f"{app.q('#h')}.dispatchEvent(new PointerEvent('pointerdown', {{bubbles: true}}))")
    app.wait(f"{app.q('#h')}.classList.contains('pressed')")
    app.eval(f"{app.q('#h')}.dispatchEvent(new PointerEvent('pointerup', {{bubbles: true}}))")
    app.wait(f"!{app.q('#h')}.classList.contains('pressed')")


def test_scroll_view_refresher(open_app):
    wxml = """<scroll-view id="sv" scroll-y refresher-enabled refresher-triggered="{{busy}}" bindrefresherrefresh="refresh" style="height:100px">
      <view style="height:300px">content</view></scroll-view><view id="r">{{n}}</view>"""
    js = "Page({ data: { busy: false, n: 0 }, refresh() { this.setData({ busy: true, n: this.data.n + 1 }); setTimeout(() => this.setData({ busy: false }), 50); } });"
    app = open_app(one_page(wxml, js))
    app.wait(app.q("#sv"))
    app.eval(f"{app.q('#sv')}.dispatchEvent(new WheelEvent('wheel', {{deltaY: -200}}))")
    app.wait_text("#r", "1")
    app.wait(f"!{app.q('#sv')}.classList.contains('fc-refreshing')")


def test_legacy_canvas_context(open_app, tmp_path):
    js = """Page({ data: { r: '' }, onReady() {
      const ctx = wx.createCanvasContext('old');
      ctx.setFillStyle('#00ff00');
      ctx.fillRect(0, 0, 80, 40);
      ctx.draw(false, () => this.setData({ r: 'drawn' }));
    } });"""
    wxml = (
        '<canvas canvas-id="old" style="width:80px;height:40px"></canvas><view id="r">{{r}}</view>'
    )
    app = open_app(one_page(wxml, js))
    app.wait_text("#r", "drawn")
    from PySide6.QtGui import QImage

    from finclip_desktop.shell.testing import process_events

    rect = app.eval(
        f"(function(){{var b={app.q('wx-canvas')}.getBoundingClientRect(); return [b.left + 40, b.top + 20];}})()"
    )
    process_events(0.3)
    image = QImage(str(app.d.screenshot(tmp_path / "legacy.png")))
    ratio = image.width() / app.eval("window.innerWidth")
    color = image.pixelColor(int(rect[0] * ratio), int(rect[1] * ratio))
    assert (color.red(), color.green(), color.blue()) == (0, 255, 0)
