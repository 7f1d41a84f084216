"""Conformance: `<web-view>` shows an allowed remote page over the whole page, in the real
shell, from a real local HTTPS server; unlisted hosts and other schemes never load."""

# ruff: noqa: E501 - the mini-apps under test are inline WXML/JS source

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from finclip_desktop.shell.testing import process_events, wait_until
from tests.conformance.conftest import Driven
from tests.runtime.apps import make_app

pytestmark = pytest.mark.qt

REMOTE_HTML = b"""<!doctype html><title>Remote page</title><body style='margin:0'>remote content
<script>
  window.tries = [];
  try { window.tries.push(parent.document.title); } catch (e) { window.tries.push('parent: ' + e.name); }
  try { top.location.href = 'https://example.com/'; window.tries.push('top: navigated?'); }
  catch (e) { window.tries.push('top: ' + e.name); }
  window.tries.push('opened: ' + String(window.open('https://example.com/')));
</script></body>"""
WXML = """<view id="under">under the web-view</view>
<web-view src="{{url}}" bindload="loaded" binderror="failed"/>
<view id="out">{{out}}</view>"""


def page_js(urls: list[str]) -> str:
    """A page opening ``urls`` one after the other: each error moves on to the next."""
    return """Page({
      data: { url: URLS[0], out: '', errors: [] },
      loaded(e) { this.setData({ out: 'load ' + e.detail.src }); },
      failed(e) {
        var errors = this.data.errors.concat([e.detail]);
        this.setData({ errors: errors, out: JSON.stringify(errors), url: URLS[errors.length] || '' });
      }
    });""".replace("URLS", json.dumps(urls))


@pytest.fixture
def shell(qapp) -> Iterator:
    from finclip_desktop.settings import Settings
    from finclip_desktop.shell.testing import ShellHarness

    harness = ShellHarness(settings=Settings(developer_mode=True, allow_http_localhost=True))
    yield harness
    harness.close()


def open_web_view(shell, urls: list[str], hosts: tuple[str, ...], trusted: str = "") -> Driven:
    """Open the web-view page; the certificate of the ``trusted`` host (our test CA) is
    accepted by the page as a user would, every other certificate error is refused."""
    files = make_app({"pages/w/w": {"wxml": WXML, "js": page_js(urls)}})
    driver = shell.open_files(files, app_id="conf.webview", wait=False, domains={"request": hosts})

    def certificate_error(error) -> None:
        if trusted and error.url().authority() == trusted:
            error.acceptCertificate()
        else:
            error.rejectCertificate()

    driver.page.certificateError.connect(certificate_error)
    driver.wait_painted()
    return Driven(driver)


def frame_of(app: Driven, prefix: str):
    frames = [f for f in app.d.page.mainFrame().children() if f.url().toString().startswith(prefix)]
    return frames[0] if frames else None


def frame_eval(frame, expression: str):
    """A JSON value computed in a (cross-origin) frame, through Qt, as a user agent would."""
    box: list[str] = []
    frame.runJavaScript(f"JSON.stringify({expression})", box.append)
    wait_until(lambda: box, 5, f"{expression!r} in the frame")
    return json.loads(box[0])


def test_web_view_shows_an_allowed_page(shell, page_server):
    server = page_server({"/page?x=1": REMOTE_HTML})
    url = server.url("/page?x=1")
    app = open_web_view(shell, [url], (server.host,), trusted=server.host)
    app.wait_text("#out", f"load {url}")
    assert server.hits == ["/page?x=1"]
    frame = frame_of(app, url)
    assert frame is not None and frame_eval(frame, "document.title") == "Remote page"
    page = app.eval(f"(r => [r.width, r.height])({app.PAGE}.getBoundingClientRect())")
    assert [frame.size().width(), frame.size().height()] == page
    # it covers the page's other content
    assert (
        app.eval(
            f"(r => document.elementFromPoint(r.left + 5, r.top + 5).className)({app.q('#under')}.getBoundingClientRect())"
        )
        == "fc-webview"
    )
    attrs = app.eval(
        f"(f => [f.getAttribute('sandbox'), f.getAttribute('referrerpolicy')])({app.q('wx-web-view iframe')})"
    )
    assert "allow-top-navigation" not in attrs[0] and "escape-sandbox" not in attrs[0]
    assert attrs[1] == "no-referrer"
    # the remote page can reach neither the app's document nor the top window
    tries = frame_eval(frame, "window.tries")
    assert tries[0] == "parent: SecurityError" and tries[1] == "top: SecurityError"
    assert tries[2] == "opened: null" and app.route() == "pages/w/w"
    # nor load the app's own origin into itself (frame-ancestors 'none', frame-src https:)
    frame_eval(frame, "location.href = 'finclip://conf.webview/__fc__/index.html', 1")
    process_events(1.0)
    assert app.eval(f"{app.q('wx-web-view iframe')}.contentDocument") is None
    assert (
        app.eval(
            "(() => { try { return window.frames[0].document.URL; } catch (e) { return e.name; } })()"
        )
        == "SecurityError"
    )
    assert app.eval("window.__fcView.pages && document.querySelectorAll('wx-page').length") == 1


def test_web_view_refuses_unlisted_hosts_and_other_schemes(shell, page_server):
    listed, unlisted = page_server({}), page_server({"/secret": REMOTE_HTML})
    urls = [
        unlisted.url("/secret"),  # https, but not on the app's domain lists: the shell refuses
        "finclip://conf.webview/__fc__/index.html",  # the app's own origin: the runtime refuses
        "http://example.com/",  # plain http to a remote host: the runtime refuses
        "http://localhost.example.com/",  # not loopback
        "javascript:parent.alert(1)",
        "data:text/html,<b>hi</b>",
        "/pages/w/w",  # the app's own files
    ]
    app = open_web_view(shell, urls, (listed.host,), trusted=unlisted.host)
    app.wait(f"{app.q('#out')}.textContent.split('fullUrl').length === 8", timeout=15)
    errors = json.loads(app.text("#out"))
    assert [e["fullUrl"] for e in errors] == urls
    assert errors[0]["url"] == unlisted.url("/secret")
    assert unlisted.hits == [] and listed.hits == []
    assert unlisted.url("/secret") in app.d.page.refused
    assert all(f.url().toString() in ("", "about:blank") for f in app.d.page.mainFrame().children())


def test_web_view_http_localhost_in_developer_mode(shell, page_server):
    """http://localhost loads in developer mode with allow_http_localhost and the host listed
    (the runtime, the shell's CSP and its interceptor all admit it)."""
    server = page_server({"/dev": REMOTE_HTML}, tls=False)
    url = server.url("/dev")
    app = open_web_view(shell, [url], (server.host,))
    app.wait(f"{app.q('#out')}.textContent", timeout=10)
    assert app.text("#out") == f"load {url}"
    assert server.hits == ["/dev"]
