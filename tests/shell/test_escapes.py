"""The escape catalogue: each test fails if a mini-app gets out of its container."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from finclip_desktop.shell.testing import process_events

pytestmark = pytest.mark.qt

PAGE = "<html><body><h1>app</h1></body></html>"


def _open(harness, app_id="app.a", files=None, **manifest):
    return harness.open_files(files or {"index.html": PAGE}, app_id=app_id, **manifest)


def _trust(app, server) -> None:
    """Accept the test CA's certificate for ``server`` in ``app`` (as a user would)."""
    app.page.certificateError.connect(
        lambda e: e.acceptCertificate() if e.url().authority() == server.host else None
    )


def _add_frame(app, url: str) -> None:
    app.eval(
        f"(f => (f.src = {url!r}, document.body.append(f), 1))(document.createElement('iframe'))"
    )


def test_other_apps_storage_cookies_cache_and_indexeddb_are_invisible(harness, page_server):
    from finclip_desktop.shell.testing import wait_until

    site = page_server(
        {"/set": "set", "/check": "check"},
        {"/set": {"Set-Cookie": "sid=a-cookie; Secure; SameSite=None; Max-Age=3600"}},
    )
    a = _open(harness, "app.a", domains={"request": (site.host,)})
    b = _open(harness, "app.b", domains={"request": (site.host,)})
    stored = a.eval_async("""
        localStorage.setItem('secret', 'a-data');
        await new Promise((ok, bad) => {
          const r = indexedDB.open('db', 1);
          r.onupgradeneeded = () => r.result.createObjectStore('s');
          r.onsuccess = () => { const tx = r.result.transaction('s', 'readwrite');
            tx.objectStore('s').put('a-idb', 'k'); tx.oncomplete = ok; tx.onerror = bad; };
          r.onerror = bad; });
        const cache = await caches.open('c');
        await cache.put('https://cache.example/x', new Response('a-cache'));
        // finclip:// documents have no cookies, and the Cache API refuses their URLs
        document.cookie = 'sid=page; max-age=3600';
        const own = await cache.put('/own', new Response('x')).then(() => 'kept', () => 'refused');
        return {ls: localStorage.getItem('secret'),
                dbs: (await indexedDB.databases()).map(d => d.name),
                cached: await (await caches.match('https://cache.example/x')).text(),
                cookie: document.cookie, own};
    """)
    assert stored == {
        "ls": "a-data",
        "dbs": ["db"],
        "cached": "a-cache",
        "cookie": "",
        "own": "refused",
    }
    # A's remote frame gets a cookie, and sends it back
    for app in (a, b):
        _trust(app, site)
    _add_frame(a, site.url("/set"))
    wait_until(lambda: "/set" in site.hits, what="the cookie")
    _add_frame(a, site.url("/check"))
    wait_until(lambda: ("/check", "sid=a-cookie") in site.cookies, what="A's cookie sent back")
    seen = b.eval_async("""
        const dbs = (await indexedDB.databases()).map(d => d.name);
        const hit = await caches.match('https://cache.example/x');
        return {ls: localStorage.getItem('secret'), dbs, caches: await caches.keys(),
                cached: hit ? await hit.text() : null};
    """)
    assert seen == {"ls": None, "dbs": [], "caches": [], "cached": None}
    _add_frame(b, site.url("/check"))
    wait_until(lambda: [c for p, c in site.cookies if p == "/check"][1:], what="B's request")
    assert [c for p, c in site.cookies if p == "/check"] == ["sid=a-cookie", ""]


def test_page_and_worker_cannot_reach_unlisted_hosts(harness, recorder):
    host = recorder.origin
    worker = f"""
      const out = [];
      for (const url of ['http://{host}/w-fetch', 'https://{host}/w-fetchs']) {{
        try {{ await fetch(url); out.push('fetched ' + url); }} catch (e) {{ out.push('blocked'); }}
      }}
      try {{ const x = new XMLHttpRequest(); x.open('GET', 'http://{host}/w-xhr', false);
            x.send(); out.push('xhr ' + x.status); }} catch (e) {{ out.push('blocked'); }}
      try {{ new WebSocket('ws://{host}/w-ws'); }} catch (e) {{ out.push('blocked'); }}
      postMessage(out);
    """
    app = _open(
        harness,
        files={"index.html": PAGE, "w.js": "(async()=>{" + worker + "})()"},
        domains={"request": ("example.org",)},
    )
    result = app.eval_async(f"""
      const out = [];
      for (const url of ['http://{host}/fetch', 'https://{host}/fetchs']) {{
        try {{ await fetch(url, {{mode: 'no-cors'}}); out.push('fetched'); }}
        catch (e) {{ out.push('blocked'); }}
      }}
      try {{ const x = new XMLHttpRequest(); x.open('GET', 'http://{host}/xhr', false); x.send();
            out.push('xhr ' + x.status); }} catch (e) {{ out.push('blocked'); }}
      try {{ new WebSocket('ws://{host}/ws'); }} catch (e) {{ out.push('blocked'); }}
      for (const src of ['http://{host}/img', 'https://{host}/imgs']) {{
        const img = new Image(); img.src = src; document.body.append(img);
      }}
      for (const src of ['http://{host}/frame', 'https://{host}/frames']) {{
        const f = document.createElement('iframe'); f.src = src; document.body.append(f);
      }}
      const w = new Worker('w.js');
      out.push(await new Promise(ok => {{ w.onmessage = e => ok(e.data);
                                          w.onerror = () => ok('worker failed'); }}));
      return out;
    """)
    assert "fetched" not in str(result)
    process_events(1.0)
    assert recorder.hits == []
    assert any("127.0.0.1" in url for _, url in app.container.interceptor.blocked)


def test_listed_https_image_host_is_the_only_remote_allowed(harness):
    app = _open(harness, domains={"downloadFile": ("img.example.com",)})
    interceptor = app.container.interceptor
    from PySide6.QtCore import QUrl

    from finclip_desktop.shell.interceptor import RT

    assert interceptor.allows(QUrl("https://img.example.com/a.png"), RT.ResourceTypeImage)
    assert not interceptor.allows(QUrl("http://img.example.com/a.png"), RT.ResourceTypeImage)
    assert not interceptor.allows(QUrl("https://img.example.com/a"), RT.ResourceTypeXhr)
    assert not interceptor.allows(QUrl("https://other.com/a.png"), RT.ResourceTypeImage)
    assert not interceptor.allows(QUrl("finclip://app.b/x.png"), RT.ResourceTypeImage)
    assert not interceptor.allows(QUrl("file:///etc/passwd"), RT.ResourceTypeImage)
    assert interceptor.allows(QUrl("finclip://app.a/x.png"), RT.ResourceTypeImage)


def test_hosts_the_server_withdrew_are_refused_to_frames_and_images(qapp, tmp_path, page_server):
    """A store-installed app: the interceptor and the frame check apply the manifest's
    lists limited by the server's signed ones (its target entry), like wx.request does."""
    from finclip_desktop.package import TrustStore, build_archive, generate_key, read_package
    from finclip_desktop.shell.bundle import bundle_from_package
    from finclip_desktop.shell.testing import ShellHarness, wait_until
    from finclip_desktop.store.cache import PackageCache

    site = page_server({"/kept": "kept", "/withdrawn": "withdrawn", "/img": ""})
    kept, withdrawn = site.host, site.host.replace("127.0.0.1", "localhost")
    key = generate_key()
    meta = {"app_id": "app.installed", "name": "Installed", "version": "1.0.0",
            "domains": {"request": [kept, withdrawn]}}  # fmt: skip
    _, archive = build_archive({"index.html": PAGE.encode()}, meta, key)
    package = read_package(archive, TrustStore([key.public_key()]))
    target = {"app_id": "app.installed", "version": "1.0.0", "domains": {"request": [kept]}}
    PackageCache(tmp_path / "store" / "cache").add_version(
        package.manifest_bytes, package.signature, target
    )
    h = ShellHarness(data_root=tmp_path, dev_mode=False)
    try:
        app = h.open(bundle_from_package(package, signed=True))
        app.page.certificateError.connect(lambda e: e.acceptCertificate())  # the test CA
        _add_frame(app, f"https://{withdrawn}/withdrawn")
        app.eval(f"(i => (i.src = 'https://{withdrawn}/img', document.body.append(i), 1))"
                 "(new Image())")  # fmt: skip
        _add_frame(app, site.url("/kept"))
        wait_until(lambda: "/kept" in site.hits, what="the listed host's frame")
        process_events(0.5)
        assert site.hits == ["/kept"]
        assert f"https://{withdrawn}/withdrawn" in app.page.refused
        assert (
            "ResourceTypeImage",
            f"https://{withdrawn}/img",
        ) in app.container.interceptor.blocked
    finally:
        h.close()


def test_no_file_urls_and_no_other_apps_origin(harness):
    b = _open(harness, "app.b", files={"index.html": PAGE, "secret.txt": "b-secret"})
    a = _open(harness, "app.a")
    result = a.eval_async("""
      const out = [];
      for (const url of ['file:///etc/passwd', 'finclip://app.b/secret.txt']) {
        try { const r = await fetch(url); out.push(await r.text()); }
        catch (e) { out.push('blocked'); }
      }
      const f = document.createElement('iframe'); f.src = 'finclip://app.b/secret.txt';
      document.body.append(f);
      await new Promise(ok => setTimeout(ok, 300));
      let framed = ''; try { framed = f.contentDocument.body.innerText; } catch (e) {}
      out.push(framed);
      return out;
    """)
    assert "b-secret" not in str(result) and "root:" not in str(result)
    assert "secret.txt" not in a.container.scheme.served
    assert "secret.txt" not in b.container.scheme.served


def test_top_level_navigation_and_window_open_are_refused(harness, recorder):
    app = _open(harness)
    start = app.page.url().toString()
    opened = app.eval(f"String(window.open('http://{recorder.origin}/popup'))")
    assert opened == "null"
    for target in (
        f"http://{recorder.origin}/nav",
        "file:///etc/passwd",
        "finclip://app.b/index.html",
        "https://example.com/",
    ):
        app.eval(f"(location.href = {target!r}, 1)")
        process_events(0.3)
        assert app.page.url().toString() == start
    process_events(0.5)
    assert recorder.hits == []
    assert app.text().strip() == "app"
    assert f"http://{recorder.origin}/nav" in app.page.refused


def test_no_browser_context_menu(harness):
    """A right-click opens no browser menu (back, reload, save, view source)."""
    from PySide6.QtCore import QPoint, Qt
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QApplication, QMenu

    app = _open(harness)
    view = app.container.window.view
    target = view.focusProxy() or view
    QTest.mouseClick(target, Qt.MouseButton.RightButton, pos=QPoint(100, 100))
    process_events(0.5)
    assert view.lastContextMenuRequest() is not None  # the click did reach the engine
    menus = [w for w in QApplication.topLevelWidgets() if isinstance(w, QMenu) and w.isVisible()]
    assert menus == []


def test_service_workers_cannot_be_installed(harness):
    app = _open(harness, files={"index.html": PAGE, "sw.js": "self.onfetch = () => {};"})
    result = app.eval_async("""
      if (!navigator.serviceWorker) return 'unavailable';
      try { await navigator.serviceWorker.register('sw.js'); return 'registered'; }
      catch (e) { return 'refused'; }
    """)
    assert result in ("unavailable", "refused")


def test_bridge_is_not_reachable_from_the_main_world(harness):
    app = _open(harness)
    assert app.eval("typeof qt") == "undefined"
    assert app.eval("typeof QWebChannel") == "undefined"
    assert app.eval("typeof window.__fcShim") == "undefined"
    assert app.eval("typeof qt", isolated=True) == "object"


def test_capability_needs_declared_scope_and_consent(harness):
    undeclared = _open(harness, "app.u")
    result = undeclared.call("getClipboardData", {})
    assert result["errMsg"].startswith("getClipboardData:fail permission scope.clipboardRead")
    assert harness.asked == []

    harness.answers = {"scope.clipboardRead": "deny"}
    app = _open(harness, "app.p", permissions=("scope.clipboardRead",))
    assert app.call("getClipboardData", {})["errMsg"] == "getClipboardData:fail auth deny"
    assert app.call("getClipboardData", {})["errMsg"] == "getClipboardData:fail auth deny"
    assert harness.asked == [("app.p", "scope.clipboardRead")]  # remembered: asked once

    harness.shell.permissions.revoke("app.p", "scope.clipboardRead")
    harness.answers = {"scope.clipboardRead": "always"}
    assert app.call("getClipboardData", {})["errMsg"] == "getClipboardData:ok"
    assert harness.shell.permissions.decisions("app.p") == {"scope.clipboardRead": True}

    harness.answers = {"scope.clipboardRead": "once"}
    other = _open(harness, "app.q", permissions=("scope.clipboardRead",))
    assert other.call("getClipboardData", {})["errMsg"] == "getClipboardData:ok"
    assert harness.shell.permissions.decisions("app.q") == {}  # once: not remembered


def test_chromium_permissions_default_to_deny(harness):
    app = _open(harness)
    result = app.eval_async("""
      const geo = await new Promise(ok => navigator.geolocation.getCurrentPosition(
        () => ok('granted'), e => ok('denied ' + e.code)));
      const note = window.Notification ? await Notification.requestPermission() : 'denied';
      return [geo, note];
    """)
    assert result[0].startswith("denied") and result[1] == "denied"


def test_malformed_and_oversized_arguments_get_clear_errors(harness):
    app = _open(harness)
    assert "parameter error" in app.call("setStorageSync", {"key": 5, "data": 1})["errMsg"]
    bad = app.call("getStorageInfoSync", ["not", "an", "object"])
    assert bad["errMsg"] == (
        "getStorageInfoSync:fail parameter error: arguments must be a JSON object"
    )
    big = app.call("setStorageSync", {"key": "k", "data": "x" * (2 * 1024 * 1024)})
    assert big["errMsg"].startswith("setStorageSync:fail parameter error: arguments over")
    cyclic = app.eval_async("""
      const a = {}; a.self = a;
      window.postMessage({__fcBridge: 'call', id: 'cyc', api: 'getStorageInfoSync', args: a}, '*');
      return true;
    """)
    assert cyclic is True  # structured clone copes; the page keeps working
    assert app.call("nope", {})["errMsg"] == "nope:fail not supported"


def test_oversized_arguments_are_refused_before_they_reach_the_host(harness):
    from finclip_desktop.shell.testing import wait_until

    app = _open(harness)
    app.call("getStorageInfoSync", {})  # installs the reply listener
    crossed = app.container.bridge.calls
    app.eval("""(() => {
      const call = (id, api, args) => window.postMessage({__fcBridge: 'call', id, api, args}, '*');
      call('big', 'setStorageSync', {key: 'k', data: 'x'.repeat(64 << 20)});
      call('small', 'getStorageInfoSync', {});
    })()""")
    both = "(r => r.big && r.small && [r.big.errMsg, r.small.errMsg])(window.__fcTest.replies)"
    assert wait_until(lambda: app.eval(both), what="both replies") == [
        "setStorageSync:fail parameter error: arguments over 1048576 bytes",
        "getStorageInfoSync:ok",
    ]
    assert app.container.bridge.calls == crossed + 1  # only the small call reached the host
    assert not app.call("getStorageSync", {"key": "k"}).get("data")  # nothing was stored


def test_a_call_flood_cannot_freeze_the_host(harness):
    import time

    from finclip_desktop.shell.bridge import RateLimiter
    from finclip_desktop.shell.testing import wait_until

    app = _open(harness)
    app.call("getStorageInfoSync", {})  # installs the reply listener
    app.container.bridge.limiter = RateLimiter(rate=50, burst=100)  # slow machines too
    flood = 3000
    app.eval(f"""(() => {{
      for (let i = 0; i < {flood}; i++)
        window.postMessage({{__fcBridge: 'call', id: 'f' + i, api: 'getStorageInfoSync',
                            args: {{}}}}, '*');
    }})()""")
    started = time.monotonic()
    assert app.eval("document.body.innerText.trim()") == "app"  # the page still answers
    assert time.monotonic() - started < 5
    count = """(() => { const r = Object.values(window.__fcTest.replies);
        return [r.length, r.filter(x => /too many calls/.test(x.errMsg)).length]; })()"""
    replies, refused = wait_until(lambda: (c := app.eval(count))[0] > flood and c, 60, "replies")
    assert refused >= flood // 2  # the limit engaged; every call was answered
    app.container.bridge.limiter = RateLimiter()  # the flood is over: calls work again
    assert app.call("getStorageInfoSync", {})["errMsg"] == "getStorageInfoSync:ok"


def test_bridge_refuses_calls_when_the_page_is_not_the_app(qapp):
    from PySide6.QtCore import QUrl

    from finclip_desktop.shell.bridge import Bridge
    from finclip_desktop.shell.mainthread import init_relay

    init_relay()
    calls = []
    bridge = Bridge(
        "app.a", lambda api, args: calls.append(api), lambda: QUrl("finclip://app.b/index.html")
    )
    answers = []
    bridge.call("getStorageInfoSync", "{}", answers.append)
    assert answers == [{"errMsg": "getStorageInfoSync:fail the page is not the app's own"}]
    assert calls == []


def test_sync_bridge_over_xhr_from_a_worker(harness):
    worker = """
      const x = new XMLHttpRequest();
      x.open('POST', '/__bridge__/invoke', false);
      x.setRequestHeader('X-Finclip-Call',
                         encodeURIComponent(JSON.stringify({api: 'getStorageInfoSync', args: {}})));
      x.send();
      postMessage([x.status, JSON.parse(x.responseText).errMsg]);
    """
    app = _open(harness, files={"index.html": PAGE, "w.js": worker})
    result = app.eval_async("""
      const w = new Worker('w.js');
      return await new Promise(ok => { w.onmessage = e => ok(e.data);
                                       w.onerror = e => ok(['error', String(e.message)]); });
    """)
    assert result == [200, "getStorageInfoSync:ok"]
    get = app.eval_async("return await fetch('/__bridge__/invoke').then(r => r.status, () => 0)")
    assert get != 200


def test_oversized_sync_calls_never_cross_into_the_host(harness):
    """The runtime refuses a sync call over the bridge's limit (its UTF-8 JSON) before
    sending it, as the shim does for async calls; the shell refuses a larger header by its
    size alone, whoever sends it."""
    from finclip_desktop.shell.scheme import MAX_BRIDGE_HEADER, bridge_call
    from tests.capabilities.miniapp import open_page, page_result

    body = """
      const attempt = (data) => {
        try { wx.setStorageSync('k', data); return 'stored'; } catch (e) { return e.message; }
      };
      r.ascii = attempt('x'.repeat(1 << 20));
      r.wide = attempt('\\u4e2d'.repeat(350000));  // 350,000 characters, 1,050,000 bytes
      r.under = attempt('x'.repeat((1 << 20) - 100));
    """
    raw = """onmessage = (e) => { const x = new XMLHttpRequest();
      x.open('POST', '/__bridge__/invoke', false);
      x.setRequestHeader('X-Finclip-Call', 'a'.repeat(e.data)); x.send();
      postMessage([x.status, JSON.parse(x.responseText).errMsg]); };"""
    app = open_page(harness, body, extra={"raw.js": raw})
    scheme, crossed = app.container.scheme, []
    handle = scheme._bridge

    def spy(job, method):  # what reaches the host's handler
        call = bridge_call(job.requestHeaders())
        crossed.append("refused" if call is None else len(call))
        handle(job, method)

    scheme._bridge = spy
    over = "setStorageSync:fail parameter error: arguments over 1048576 bytes"
    assert page_result(app) == {"ascii": over, "wide": over, "under": "stored"}
    under = {"api": "setStorageSync", "args": {"key": "k", "data": "x" * ((1 << 20) - 100)}}
    assert [n for n in crossed if n == "refused" or n > 1 << 19] == [
        len(json.dumps(under, separators=(",", ":")))
    ]  # of the three large calls, only the one under the limit reached the host
    answer = app.eval_async(f"""
      const w = new Worker('/raw.js');
      return await new Promise(ok => {{ w.onmessage = e => ok(e.data);
                                       w.postMessage({MAX_BRIDGE_HEADER + 1}); }});
    """)
    assert answer == [200, "bridge:fail parameter error: arguments over 1048576 bytes"]


def test_every_response_carries_the_csp_and_a_correct_mime(harness):
    app = _open(harness, files={"index.html": PAGE, "a.js": "1", "s.css": "b{}", "d.json": "{}"})
    result = app.eval_async("""
      const out = {};
      for (const p of ['a.js', 's.css', 'd.json', 'index.html']) {
        const r = await fetch(p);
        out[p] = [r.headers.get('content-type'), r.headers.get('content-security-policy')];
      }
      out.missing = (await fetch('nope.js').catch(() => ({status: 'failed'}))).status;
      return out;
    """)
    assert result["a.js"][0].startswith("text/javascript")
    assert result["s.css"][0].startswith("text/css")
    assert result["d.json"][0].startswith("application/json")
    assert result["index.html"][0].startswith("text/html")
    assert all("script-src 'self'" in v[1] for k, v in result.items() if k != "missing")
    assert result["missing"] != 200
    blocked = app.eval_async("try { eval('1'); return 'ran'; } catch (e) { return 'blocked'; }")
    assert blocked == "blocked"


def test_every_resource_type_is_mapped():
    from finclip_desktop.shell.interceptor import RT, RULES

    members = {m for name, m in RT.__members__.items() if name != "ResourceTypeLast"}
    assert members - set(RULES) == set()


def test_wxfile_images_come_only_from_the_apps_own_folder(harness):
    svg = b'<svg xmlns="http://www.w3.org/2000/svg" width="7" height="5"/>'
    other = _open(harness, "app.b")
    (other.container.dirs["data"] / "usr").mkdir(parents=True, exist_ok=True)
    (other.container.dirs["data"] / "usr" / "b.svg").write_bytes(svg)
    app = _open(harness, "app.a")
    (app.container.dirs["data"] / "usr").mkdir(parents=True, exist_ok=True)
    (app.container.dirs["data"] / "usr" / "pic.svg").write_bytes(svg)
    result = app.eval_async("""
      const load = src => new Promise(ok => { const i = new Image();
        i.onload = () => ok(i.naturalWidth); i.onerror = () => ok('error'); i.src = src; });
      const fetched = await fetch('wxfile://usr/pic.svg').then(() => 'fetched', () => 'blocked');
      return [await load('wxfile://usr/pic.svg'), await load('wxfile://usr/../../app.b/data/usr/b.svg'),
              await load('wxfile://etc/passwd'), fetched];
    """)
    assert result == [7, "error", "error", "blocked"]


def test_downloads_are_refused(harness, tmp_path):
    app = _open(harness, files={"index.html": PAGE, "f.bin": "payload"})
    states = []
    app.container.profile.downloadRequested.connect(
        lambda item: states.append((item.state(), item.downloadDirectory()))
    )
    app.eval("""(() => { const a = document.createElement('a'); a.href = 'f.bin';
        a.download = 'f.bin'; document.body.append(a); a.click(); })()""")
    from finclip_desktop.shell.testing import wait_until

    wait_until(lambda: states, what="the download request")
    process_events(0.3)
    from PySide6.QtWebEngineCore import QWebEngineDownloadRequest as D

    assert states[0][0] == D.DownloadState.DownloadCancelled
    assert not list(Path(states[0][1]).glob("f*.bin"))


def test_interceptor_alone_blocks_the_network_without_the_csp(harness, recorder, monkeypatch):
    """Defence in depth: even if the CSP were lost, no request leaves the profile."""
    from finclip_desktop.shell import scheme

    monkeypatch.setattr(scheme, "SECURITY_HEADERS", {})
    host = recorder.origin
    attempts = f"""
      const out = [];
      for (const url of ['http://{host}/a', 'https://{host}/b', 'file:///etc/passwd']) {{
        try {{ await fetch(url, {{mode: 'no-cors'}}); out.push('fetched ' + url); }}
        catch (e) {{ out.push('blocked'); }}
      }}
      try {{ const x = new XMLHttpRequest(); x.open('GET', 'http://{host}/x', false); x.send();
            out.push('xhr ' + x.status); }} catch (e) {{ out.push('blocked'); }}
      await new Promise(ok => {{ const s = new WebSocket('ws://{host}/ws');
        s.onopen = () => {{ out.push('socket open'); ok(); }}; s.onerror = () => ok(); }});
    """
    app = _open(
        harness,
        files={"index.html": PAGE, "w.js": f"(async () => {{ {attempts} postMessage(out); }})()"},
    )
    page = app.eval_async(attempts + "return out;")
    worker = app.eval_async("""const w = new Worker('w.js');
      return await new Promise(ok => { w.onmessage = e => ok(e.data); });""")
    assert app.eval_async("try { eval('1'); return 'no csp'; } catch (e) { return 'csp'; }") == (
        "no csp"
    )
    assert all(r == "blocked" for r in page + worker), (page, worker)
    process_events(0.5)
    assert recorder.hits == []


def test_chromium_permission_follows_declared_scope_and_consent(harness):
    harness.answers = {"scope.userLocation": "always"}
    app = _open(harness, permissions=("scope.userLocation",))
    code = app.eval_async("""
      return await new Promise(ok => navigator.geolocation.getCurrentPosition(
        () => ok(0), e => ok(e.code), {timeout: 1500}));
    """)
    assert code != 1  # not PERMISSION_DENIED: granted (no position source here)
    assert harness.asked == [("app.a", "scope.userLocation")]


@pytest.mark.parametrize("dev_mode", [False, True])
def test_local_web_view_frames_only_in_developer_mode(qapp, tmp_path, dev_mode):
    """The CSP admits http://localhost frames only where the interceptor does: developer
    mode with allow_http_localhost (here a signed package, which runs in both modes)."""
    from finclip_desktop.package import TrustStore, build_archive, generate_key
    from finclip_desktop.settings import Settings
    from finclip_desktop.shell.bundle import load_package_file
    from finclip_desktop.shell.testing import ShellHarness

    key = generate_key()
    meta = {"app_id": "app.signed", "name": "Signed", "version": "1.0.0"}
    _, archive = build_archive({"index.html": PAGE.encode()}, meta, key)
    (tmp_path / "app.fcpkg").write_bytes(archive)
    bundle = load_package_file(tmp_path / "app.fcpkg", TrustStore([key.public_key()]))
    settings = Settings(developer_mode=True, allow_http_localhost=True)
    with ShellHarness(settings=settings, dev_mode=dev_mode, data_root=tmp_path / "d") as h:
        app = h.open(bundle)
        csp = app.eval_async(
            "return (await fetch('index.html')).headers.get('content-security-policy')"
        )
        assert ("http://localhost:*" in csp) is dev_mode
        assert "frame-src https:" in csp and "frame-ancestors 'none'" in csp
        assert not [m for m in app.container.page.console if "Content Security Policy" in m]


# -- WebRTC and WebTransport: sockets the interceptor never sees --------------------------

# attempt(w): every RTC constructor of window/worker ``w`` tries TURN over TCP to the
# recorder and STUN over UDP to the UDP recorder, WebTransport tries QUIC; the RTC names
# found are returned.
ATTEMPT_JS = """
self.attempt = async function (w, tcp, udp) {
  const found = [];
  for (const name of ['RTCPeerConnection', 'webkitRTCPeerConnection']) {
    const PC = w[name];
    if (typeof PC !== 'function') continue;
    found.push(name);
    try {
      const pc = new PC({iceServers: [
        {urls: 'turn:' + tcp + '?transport=tcp', username: 'u', credential: 'c'},
        {urls: 'stun:' + udp}]});
      pc.createDataChannel('x');
      await pc.setLocalDescription(await pc.createOffer());
    } catch (e) { found.push(name + ' threw ' + e); }
  }
  try { new w.WebTransport('https://' + udp + '/').ready.catch(() => 0); } catch (e) {}
  return found;
};
"""
PARSER_PAGE = (
    "<html><body><h1>app</h1><iframe></iframe><iframe src='https://refused.example/'>"
    "</iframe><script src='attempt.js'></script><script src='p.js'></script></body></html>"
)


def _addresses(recorder, udp_recorder) -> str:
    return f"{recorder.origin!r}, '127.0.0.1:{udp_recorder.port}'"


def frame_eval(frame, expression: str):
    """The JSON value of ``expression`` in a (cross-origin) frame's main world."""
    from finclip_desktop.shell.testing import wait_until

    box: list[str] = []
    frame.runJavaScript(f"JSON.stringify({expression})", box.append)
    wait_until(lambda: box, 5, f"{expression!r} in the frame")
    return json.loads(box[0])


def test_webrtc_and_webtransport_are_gone_from_page_frames_and_workers(
    harness, recorder, udp_recorder
):
    to = _addresses(recorder, udp_recorder)
    files = {
        "index.html": PARSER_PAGE,
        "attempt.js": ATTEMPT_JS,
        # parser-inserted frames, reached by the next script
        "p.js": f"window.parsed = Promise.all([0, 1].map(i => attempt(frames[i], {to})));",
        "w.js": f"importScripts('attempt.js'); attempt(self, {to}).then(found => "
        "postMessage([found, typeof WebTransport]));",
    }
    app = _open(harness, files=files)
    result = app.eval_async(f"""
      const out = {{page: await attempt(window, {to}), parsed: await window.parsed}};
      const add = (name = '') => {{ const f = document.createElement('iframe'); f.name = name;
                                    document.body.append(f); return f; }};
      out.contentWindow = await attempt(add().contentWindow, {to});
      add(); out.indexed = await attempt(frames[frames.length - 1], {to});
      add('named'); out.named = await attempt(window.named, {to});
      const root = document.body.appendChild(document.createElement('div'))
        .attachShadow({{mode: 'closed'}});
      root.innerHTML = '<iframe></iframe>';
      out.shadow = await attempt(root.querySelector('iframe').contentWindow, {to});
      add(); const child = frames[frames.length - 1];
      child.document.body.append(child.document.createElement('iframe'));
      out.grandchild = await attempt(child[0], {to});
      const nav = add(); nav.src = 'about:blank'; await new Promise(ok => nav.onload = ok);
      out.navigated = await attempt(frames[frames.length - 1], {to});
      // a srcdoc document, watched from another task in a loop as it commits
      const doc = add(), at = frames.length - 1, caught = [];
      let polling = true;
      const loop = new MessageChannel();
      loop.port1.onmessage = () => {{
        const PC = frames[at] && frames[at].RTCPeerConnection;
        if (typeof PC === 'function') caught.push(PC);
        if (polling) loop.port2.postMessage(0);
      }};
      loop.port2.postMessage(0);
      for (let k = 0; k < 10; k++) {{
        doc.srcdoc = '<p>' + k + '</p>'; await new Promise(ok => setTimeout(ok, 30)); }}
      polling = false;
      out.srcdoc = [caught.length, doc.hasAttribute('srcdoc')];
      out.page.push(typeof WebTransport);
      const w = new Worker('w.js');
      out.worker = await new Promise(ok => {{ w.onmessage = e => ok(e.data); }});
      return out;
    """)
    assert result == {
        "page": ["undefined"],
        "parsed": [[], []],
        "contentWindow": [],
        "indexed": [],
        "named": [],
        "shadow": [],
        "grandchild": [],
        "navigated": [],
        "srcdoc": [0, False],  # never seen, and refused
        "worker": [[], "function"],  # workers have no WebRTC; the CSP bars WebTransport
    }
    process_events(1.5)
    assert recorder.hits == [] and udp_recorder.hits == []
    assert app.eval("typeof RTCPeerConnection + typeof RTCDataChannel") == "undefinedundefined"


def test_a_web_view_page_has_no_webrtc_and_no_opaque_frames_reach_the_app(
    harness, recorder, udp_recorder, page_server
):
    """A remote page in an allowed frame: no WebRTC in it nor in its about:blank child; its
    data: frame is refused; its sandboxed (opaque origin) frame gets none of the app's files."""
    to = _addresses(recorder, udp_recorder)
    remote = page_server(
        {
            "/page": "<!doctype html><body>remote"
            "<iframe sandbox='allow-scripts' src='/inner'></iframe>"
            "<iframe src='data:text/html,<p>data</p>'></iframe>"
            "<img src='finclip://app.w/pic.svg'>"
            f"<script>{ATTEMPT_JS}"
            f"(async () => {{ const out = {{page: await attempt(window, {to})}};"
            f" out.refusedFrame = await attempt(frames[1], {to});"
            " const f = document.createElement('iframe'); document.body.append(f);"
            f" out.blank = await attempt(f.contentWindow, {to});"
            " out.page.push(typeof WebTransport); window.result = out; })();</script>",
            "/inner": "<!doctype html><img src='finclip://app.w/pic.svg'"
            " onload=\"window.img='loaded'\" onerror=\"window.img='refused'\">",
        }
    )
    svg = '<svg xmlns="http://www.w3.org/2000/svg" width="7" height="5"/>'
    app = _open(
        harness,
        "app.w",
        files={"index.html": PAGE, "pic.svg": svg},
        domains={"request": (remote.host,)},
    )
    _trust(app, remote)
    _add_frame(app, remote.url("/page"))
    from finclip_desktop.shell.testing import wait_until

    def frame(parent, path):
        found = [f for f in parent.children() if f.url().toString() == remote.url(path)]
        return found[0] if found else None

    page = wait_until(lambda: frame(app.page.mainFrame(), "/page"), what="the remote page")
    result = wait_until(lambda: frame_eval(page, "window.result || null"), what="attempts")
    assert result == {"page": ["undefined"], "refusedFrame": [], "blank": []}
    inner = wait_until(lambda: frame(page, "/inner"), what="the sandboxed frame")
    assert wait_until(lambda: frame_eval(inner, "window.img || null")) == "refused"
    assert "data:text/html,%3Cp%3Edata%3C/p%3E" in app.page.refused
    assert "pic.svg" not in app.container.scheme.served  # neither for the page nor its frame
    assert sorted(remote.hits) == ["/inner", "/page"]
    process_events(1.5)
    assert recorder.hits == [] and udp_recorder.hits == []


def test_without_the_guard_the_engine_still_sends_no_udp(
    harness, recorder, udp_recorder, monkeypatch
):
    """Defence in depth: the engine flag keeps STUN (UDP) off even if WebRTC were left in."""
    from finclip_desktop.shell import container

    scripts = container.page_scripts
    monkeypatch.setattr(
        container,
        "page_scripts",
        lambda *a: [s for s in scripts(*a) if s.name() != "finclip-guard"],
    )
    to = _addresses(recorder, udp_recorder)
    app = _open(harness, files={"index.html": PAGE, "attempt.js": ATTEMPT_JS})
    found = app.eval_async(f"""
      await new Promise(ok => {{ const s = document.createElement('script'); s.src = 'attempt.js';
                                s.onload = ok; document.head.append(s); }});
      return await attempt(window, {to});
    """)
    assert found == ["RTCPeerConnection", "webkitRTCPeerConnection"]  # the guard is off
    process_events(1.5)
    assert udp_recorder.hits == []


def test_a_wechat_apps_page_is_stripped_and_its_web_view_fully_guarded(
    harness, recorder, udp_recorder, page_server
):
    """The main frame of a WeChat-syntax app runs only the framework (the app's code runs in
    the logic-layer worker): its WebRTC globals are gone and its DOM methods stay native (no
    per-patch hooks); the remote page of a ``<web-view>`` and that page's own about:blank
    child get the whole guard."""
    from finclip_desktop.shell.testing import wait_until
    from tests.runtime.apps import make_app

    to = _addresses(recorder, udp_recorder)
    remote = page_server(
        {
            "/page": f"<!doctype html><body>remote<script>{ATTEMPT_JS}"
            f"(async () => {{ const out = {{page: await attempt(window, {to})}};"
            " const f = document.createElement('iframe'); document.body.append(f);"
            f" out.blank = await attempt(f.contentWindow, {to}); window.result = out; }})();"
            "</script>"
        }
    )
    files = make_app({"pages/index/index": {"wxml": f'<web-view src="{remote.url("/page")}"/>'}})
    app = harness.open_files(files, app_id="app.wx", domains={"request": (remote.host,)})
    _trust(app, remote)
    main = app.eval(
        "[typeof RTCPeerConnection, typeof webkitRTCPeerConnection, typeof WebTransport,"
        " /\\[native code\\]/.test(Node.prototype.appendChild.toString())]"
    )
    assert main == ["undefined", "undefined", "undefined", True]

    def remote_frame():
        found = [
            f for f in app.page.mainFrame().children() if f.url().toString() == remote.url("/page")
        ]
        return found[0] if found else None

    frame = wait_until(remote_frame, what="the web-view page")
    result = wait_until(lambda: frame_eval(frame, "window.result || null"), what="attempts")
    assert result == {"page": [], "blank": []}
    process_events(1.5)
    assert recorder.hits == [] and udp_recorder.hits == []
