"""In the real engine: the logic worker has no WebRTC or WebTransport, and an uncaught
error of the app's code is logged once by the runtime and relayed once by the view
(Chromium's own "Uncaught ..." copies in the worker and the page are not logged)."""

# ruff: noqa: E501 - the mini-apps under test are inline JS source

from __future__ import annotations

import json

import pytest

from finclip_desktop.shell.testing import wait_until
from tests.runtime.apps import make_app

pytestmark = pytest.mark.qt

PROBE = r"""Page({ data: { r: '' }, onLoad() {
  const names = Object.getOwnPropertyNames(self).filter((n) => /^(webkit)?RTC|^WebTransport/.test(n));
  let redefined;
  try { Object.defineProperty(self, 'WebTransport', { value: 1 }); redefined = true; } catch (e) { redefined = false; }
  this.setData({ r: JSON.stringify({ names, defined: names.filter((n) => self[n] !== undefined),
                                     wt: typeof WebTransport, redefined }) });
} });"""


def test_the_logic_layer_has_no_webrtc_or_webtransport(run_app):
    host = run_app(make_app({"pages/a/a": {"wxml": "<view id='r'>{{r}}</view>", "js": PROBE}}))
    host.wait_painted("pages/a/a")
    host.wait("document.querySelector('#r').textContent")
    got = json.loads(host.js("return document.querySelector('#r').textContent"))
    assert "WebTransport" in got["names"]  # the engine has it: the runtime took it away
    assert got == {"names": got["names"], "defined": [], "wt": "undefined", "redefined": False}


def test_an_uncaught_error_is_reported_once(run_app):
    js = """Page({ data: { n: 0 }, onLoad() {
      setTimeout(() => { null.boom(); }, 0);
      setTimeout(() => { this.setData({ n: 1 }); }, 100);
    } });"""
    host = run_app(make_app({"pages/a/a": {"wxml": "<view id='n'>{{n}}</view>", "js": js}}))
    host.wait_painted("pages/a/a")
    host.wait("document.querySelector('#n').textContent === '1'")
    host.pump(0.5)  # let any later copy of the error arrive

    def copies(start: str) -> list[str]:
        return [m for m in host.log if m.startswith(f"ErrorMessageLevel: {start}") and "boom" in m]

    wait_until(lambda: copies("[finclip logic]"), what="the relay")
    assert len(copies("[finclip] TypeError")) == 1  # the runtime's report, in the worker
    assert len(copies("[finclip logic] TypeError")) == 1  # the view's relay of it
    assert copies("Uncaught") == []  # the view took the error event: Chromium logs no copy
    assert not host.js("return !!document.querySelector('.fc-crash')")
