"""Conformance: image crop modes and lazy-load, scroll-into-view, swiper autoplay, cover-view /
cover-image, video and audio, picker modes (multiSelector, time, date, region)."""

# ruff: noqa: E501 - the mini-apps under test are inline WXML/JS source

from __future__ import annotations

import json

import pytest

from finclip_desktop.shell.testing import wait_until
from tests.conformance.test_view import PNG, wav, with_png
from tests.runtime.apps import one_page

pytestmark = pytest.mark.qt

CROP = {  # mode -> background-position (the image keeps its size: no scaling)
    "top": "50% 0%", "bottom": "50% 100%", "center": "50% 50%", "left": "0% 50%",
    "right": "100% 50%", "top left": "0% 0%", "top right": "100% 0%",
    "bottom left": "0% 100%", "bottom right": "100% 100%",
}  # fmt: skip


def test_image_crop_modes_and_lazy_load(open_app):
    crops = "".join(
        f'<image class="crop" mode="{m}" src="/img/p.png" style="width:10px;height:10px"/>'
        for m in CROP
    )
    wxml = f"""{crops}<image id="near" lazy-load src="/img/p.png" bindload="near"/>
    <view style="height:20000px"></view><image id="far" lazy-load src="/img/p.png?far" bindload="far"/>
    <view id="r">{{{{r}}}}</view>"""
    js = "Page({ data: { r: '' }, near() { this.setData({ r: this.data.r + 'near;' }); }, far() { this.setData({ r: this.data.r + 'far;' }); } });"
    app = open_app(with_png(one_page(wxml, js)))
    app.wait_text("#r", "near;")
    got = app.eval(
        f"[].map.call({app.PAGE}.querySelectorAll('.crop .fc-img'), e => [e.parentNode.getAttribute('mode'), getComputedStyle(e).backgroundPosition, getComputedStyle(e).backgroundSize])"
    )
    assert {m: (pos, size) for m, pos, size in got} == {m: (p, "auto") for m, p in CROP.items()}
    # the far image waits: nothing fetched, no background, until it comes near the viewport
    served = app.d.container.scheme.served
    assert "img/p.png?far" not in " ".join(served)
    assert app.eval(f"{app.q('#far .fc-img')}.style.backgroundImage") == ""
    app.eval(f"{app.PAGE}.scrollTop = {app.PAGE}.scrollHeight")
    app.wait_text("#r", "near;far;")
    assert "far" in app.eval(f"{app.q('#far .fc-img')}.style.backgroundImage")


def test_scroll_into_view_both_axes_and_swiper_autoplay(open_app):
    wxml = """<scroll-view id="y" scroll-y style="height:100px" scroll-into-view="{{y}}">
      <view wx:for="{{20}}" wx:key="*this" id="y{{item}}" style="height:40px">{{item}}</view></scroll-view>
    <scroll-view id="x" scroll-x style="width:100px;white-space:nowrap" scroll-into-view="{{x}}">
      <view wx:for="{{20}}" wx:key="*this" id="x{{item}}" style="display:inline-block;width:50px">{{item}}</view></scroll-view>
    <swiper id="sw" autoplay interval="150" circular bindchange="changed"><swiper-item>A</swiper-item><swiper-item>B</swiper-item><swiper-item>C</swiper-item></swiper>
    <view id="go" bindtap="go">go</view><view id="r">{{r}}</view>"""
    js = "Page({ data: { x: '', y: '', r: '' }, go() { this.setData({ x: 'x6', y: 'y5' }); }, changed(e) { if (this.data.r.length < 12) this.setData({ r: this.data.r + e.detail.current + e.detail.source + ';' }); } });"
    app = open_app(one_page(wxml, js))
    app.wait(app.q("#go"))
    app.tap("#go")
    app.wait(f"{app.q('#x')}.scrollLeft === 300 && {app.q('#y')}.scrollTop === 200")
    assert app.eval(f"{app.q('#x')}.scrollTop") == 0
    # autoplay advances on its own, through the circular end
    app.wait(f"{app.q('#r')}.textContent.length >= 12", timeout=15)
    assert app.text("#r").startswith("1autoplay;2autoplay;")


def test_cover_view_cover_image_video_and_audio(open_app):
    wxml = """<cover-view id="cv" style="padding:4px">cover text<cover-image id="ci" src="/img/p.png" bindload="loaded"/></cover-view>
    <video id="vid" src="/sound.wav" poster="/img/p.png" loop muted bindplay="played" bindpause="paused"/>
    <audio id="au" src="/sound.wav" loop/><view id="r">{{r}}</view>"""
    js = "Page({ data: { r: '' }, loaded(e) { this.setData({ r: this.data.r + 'image ' + e.detail.width + ';' }); }, played() { this.setData({ r: this.data.r + 'play;' }); }, paused() { this.setData({ r: this.data.r + 'pause;' }); } });"
    files = with_png(one_page(wxml, js))
    app = open_app({**files, "sound.wav": wav()})
    app.wait(f"{app.q('#r')}.textContent.indexOf('image') >= 0")
    assert app.text("#cv").startswith("cover text")
    assert app.eval(f"getComputedStyle({app.q('#cv')}).display") == "block"
    from PySide6.QtGui import QImage

    width = QImage.fromData(PNG).width()
    assert app.text("#r") == f"image {width};"
    video = app.q("#vid video")
    assert app.eval(f"[{video}.getAttribute('src'), {video}.poster.endsWith('/img/p.png'), {video}.loop, {video}.muted, {video}.controls]") == [
        "/sound.wav", True, True, True, True,
    ]  # fmt: skip
    audio = app.q("#au audio")
    assert app.eval(f"[{audio}.getAttribute('src'), {audio}.loop]") == ["/sound.wav", True]
    app.wait(f"{video}.readyState >= 1")
    app.eval(f"{video}.play().catch(() => 0)")
    app.wait_text("#r", f"image {width};play;")
    app.eval(f"{video}.pause()")
    app.wait_text("#r", f"image {width};play;pause;")


def picker_ok(app) -> None:
    app.eval("document.querySelector('.fc-picker .fc-ok').click()")


def test_picker_multi_selector_time_and_date(open_app):
    wxml = """<picker id="m" mode="multiSelector" range="{{[['a','b'],['x','y','z']]}}" value="{{[0,1]}}" bindchange="c" bindcolumnchange="col"><view>m</view></picker>
    <picker id="t" mode="time" value="09:30" start="08:00" end="18:00" bindchange="c"><view>t</view></picker>
    <picker id="d" mode="date" value="2024-02-29" start="2024-01-01" bindchange="c" bindcancel="cancel"><view>d</view></picker>
    <view id="r">{{r}}</view>"""
    js = "Page({ data: { r: '' }, c(e) { this.setData({ r: this.data.r + JSON.stringify(e.detail.value) + ';' }); }, col(e) { this.setData({ r: this.data.r + 'col' + e.detail.column + '=' + e.detail.value + ';' }); }, cancel() { this.setData({ r: this.data.r + 'cancel;' }); } });"
    app = open_app(one_page(wxml, js))
    app.wait(app.q("#d"))
    app.tap("#m")
    app.wait("document.querySelectorAll('.fc-picker select').length === 2")
    assert app.eval(
        "[].map.call(document.querySelectorAll('.fc-picker select'), s => s.value)"
    ) == ["0", "1"]
    app.eval(
        "(function(){var s=document.querySelectorAll('.fc-picker select')[1]; s.value='2'; s.dispatchEvent(new Event('change')); return 1})()"
    )
    app.wait_text("#r", "col1=2;")
    picker_ok(app)
    app.wait_text("#r", "col1=2;[0,2];")
    app.tap("#t")
    app.wait("document.querySelector('.fc-picker-native')")
    assert app.eval(
        "(function(){var i=document.querySelector('.fc-picker-native'); return [i.type, i.value, i.min, i.max]})()"
    ) == ["time", "09:30", "08:00", "18:00"]
    app.eval("document.querySelector('.fc-picker-native').value = '17:05'")
    picker_ok(app)
    app.wait_text("#r", 'col1=2;[0,2];"17:05";')
    app.tap("#d")
    app.wait("document.querySelector('.fc-picker-native')")
    assert app.eval("document.querySelector('.fc-picker-native').type") == "date"
    app.eval("document.querySelector('.fc-picker-bar span').click()")
    app.wait_text("#r", 'col1=2;[0,2];"17:05";cancel;')
    assert app.eval("document.querySelector('.fc-picker')") is None


REGION_COLS = "[].map.call(document.querySelectorAll('.fc-region-col'), s => s.options[s.selectedIndex] ? s.options[s.selectedIndex].textContent : null)"


def choose(app, column: int, name: str) -> None:
    app.eval(
        f"(function(){{var s=document.querySelectorAll('.fc-region-col')[{column}];"
        f"s.value=[].find.call(s.options, o => o.textContent === {json.dumps(name)}).value;"
        "s.dispatchEvent(new Event('change')); return 1})()"
    )


def test_picker_region(open_app):
    wxml = """<picker id="rg" mode="region" value="{{region}}" bindchange="c"><view>{{region}}</view></picker>
    <picker id="cu" mode="region" custom-item="全部" level="city" bindchange="c"><view>cu</view></picker><view id="r">{{r}}</view>"""
    js = "Page({ data: { region: ['广东省', '广州市', '海珠区'], r: '' }, c(e) { this.setData({ r: JSON.stringify(e.detail) }); } });"
    app = open_app(one_page(wxml, js))
    app.wait(app.q("#cu"))
    served = app.d.container.scheme.served
    assert "__fc__/region.json" not in served  # loaded on first use only
    app.tap("#rg")
    app.wait(f"{REGION_COLS}.length === 3 && {REGION_COLS}[2] !== null")
    assert app.eval(REGION_COLS) == ["广东省", "广州市", "海珠区"]
    counts = app.eval(
        "[].map.call(document.querySelectorAll('.fc-region-col'), s => s.options.length)"
    )
    # 34 provincial-level divisions; Guangdong has 21 cities, Guangzhou 11 districts
    assert counts == [34, 21, 11]
    choose(app, 0, "浙江省")  # lower columns follow the new province
    assert app.eval(REGION_COLS) == ["浙江省", "杭州市", "上城区"]
    choose(app, 1, "宁波市")
    choose(app, 2, "鄞州区")
    picker_ok(app)
    app.wait(f"{app.q('#r')}.textContent")
    assert json.loads(app.text("#r")) == {
        "value": ["浙江省", "宁波市", "鄞州区"],
        "code": ["330000", "330200", "330212"],
    }
    app.tap("#cu")  # custom-item heads each column; level="city" shows two columns
    app.wait(f"{REGION_COLS}.length === 2 && {REGION_COLS}[1] !== null")
    assert app.eval(REGION_COLS) == ["全部", "全部"]
    choose(app, 0, "北京市")
    assert app.eval(REGION_COLS) == ["北京市", "全部"]
    choose(app, 1, "北京市")
    picker_ok(app)
    wait_until(lambda: "北京市" in app.text("#r"), what="the region change")
    assert json.loads(app.text("#r")) == {
        "value": ["北京市", "北京市"],
        "code": ["110000", "110100"],
    }
    assert served.count("__fc__/region.json") == 1
