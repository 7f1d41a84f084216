"""Native wx.* from real mini-app code in the real shell (offscreen): file dialogs, images,
the Pictures folder, the system viewer, uploads, aborts, login, permissions, logs, app
show/hide, updates, the proxy setting and the server's domain lists.

Headless runs answer the shell's real (Qt widget) file dialog the way a user does and
receive what the shell hands to the system viewer (see tests/capabilities/miniapp.py).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.capabilities.images import jpeg_header, png
from tests.capabilities.miniapp import answer_file_dialog, open_page, page_result, run_page

pytestmark = pytest.mark.qt

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
SCOPES = ("scope.writePhotosAlbum", "scope.userLocation", "scope.userInfo")


@pytest.fixture
def granting(qapp, tmp_path):
    """A shell whose user allows the album and location, and refuses user info."""
    from finclip_desktop.shell.testing import ShellHarness

    answers = {"scope.writePhotosAlbum": "always", "scope.userLocation": "always",
               "scope.userInfo": "deny"}  # fmt: skip
    h = ShellHarness(answers=answers, data_root=tmp_path / "data")
    yield h
    h.close()


def test_choose_files_image_info_album_and_documents(granting, system_viewer, tmp_path):
    from finclip_desktop.shell.testing import wait_until

    user = tmp_path / "user files"
    user.mkdir()
    (user / "a.png").write_bytes(png(6, 4))
    (user / "b.jpg").write_bytes(jpeg_header(320, 200))
    (user / "clip.mp4").write_bytes(b"\x00\x00\x00\x18ftypmp42")
    (user / "report.pdf").write_bytes(PDF)
    pictures = tmp_path / "My Pictures"
    config = Path(__import__("os").environ["XDG_CONFIG_HOME"])
    (config / "user-dirs.dirs").write_text(f'XDG_PICTURES_DIR="{pictures}"\n')
    app = open_page(
        granting,
        """
        const fs = wx.getFileSystemManager();
        const image = await wx.chooseImage({count: 2, sourceType: ['album']});
        r.image = [image.errMsg, image.tempFilePaths.length, image.tempFiles.map((f) => f.size)];
        const info = await wx.getImageInfo({src: image.tempFilePaths[1]});
        r.info = [info.errMsg, info.type, info.width, info.height];
        const media = await wx.chooseMedia({count: 2, mediaType: ['image', 'video']});
        r.media = [media.type, media.tempFiles.map((f) => f.fileType)];
        const file = await wx.chooseMessageFile({count: 1, type: 'file', extension: ['pdf']});
        r.file = [file.tempFiles[0].name, file.tempFiles[0].type, file.tempFiles[0].size];
        r.cancel = await wx.chooseImage({}).catch((e) => e.errMsg);
        r.album = (await wx.saveImageToPhotosAlbum({filePath: image.tempFilePaths[0]})).errMsg;
        r.doc = (await wx.openDocument({filePath: file.tempFiles[0].path})).errMsg;
        fs.writeFileSync(`${wx.env.USER_DATA_PATH}/setup.exe`, 'MZ not a document', 'utf8');
        r.exe = await wx.openDocument({filePath: `${wx.env.USER_DATA_PATH}/setup.exe`})
          .catch((e) => e.errMsg);
        fs.writeFileSync(`${wx.env.USER_DATA_PATH}/fake.pdf`, '#!/bin/sh', 'utf8');
        r.fake = await wx.openDocument({filePath: `${wx.env.USER_DATA_PATH}/fake.pdf`})
          .catch((e) => e.errMsg);
        r.notImage = await wx.saveImageToPhotosAlbum({filePath: file.tempFiles[0].path})
          .catch((e) => e.errMsg);
        """,
        app_id="e2e.native",
        permissions=("scope.writePhotosAlbum",),
    )
    answer_file_dialog(app, [user / "a.png", user / "b.jpg"])
    answer_file_dialog(app, [user / "b.jpg", user / "clip.mp4"])
    answer_file_dialog(app, [user / "report.pdf"])
    answer_file_dialog(app, None)
    r = page_result(app)
    assert r["image"] == ["chooseImage:ok", 2, [len(png(6, 4)), len(jpeg_header(320, 200))]]
    assert r["info"] == ["getImageInfo:ok", "jpeg", 320, 200]
    assert r["media"] == ["mix", ["image", "video"]]
    assert r["file"] == ["report.pdf", "file", len(PDF)]
    assert r["cancel"] == "chooseImage:fail cancel"
    assert r["album"] == "saveImageToPhotosAlbum:ok"
    assert [p.read_bytes() for p in pictures.iterdir()] == [png(6, 4)]
    assert ("e2e.native", "scope.writePhotosAlbum") in granting.asked
    assert r["doc"] == "openDocument:ok"
    (opened,) = system_viewer.opened
    data_dir = app.container.context.data_dir
    assert opened.read_bytes() == PDF and opened.is_relative_to((data_dir / "tmp").resolve())
    assert r["exe"] == (
        "openDocument:fail file type .exe is not supported; openDocument opens doc, docx, xls,"
        " xlsx, ppt, pptx, pdf"
    )
    assert r["fake"] == "openDocument:fail the file is not a pdf document"
    assert r["notImage"] == "saveImageToPhotosAlbum:fail unsupported image format"
    app.close()
    wait_until(lambda: not (data_dir / "tmp").exists(), 10, "the session's files to go")


def test_upload_progress_and_abort(harness, certs, https_server):
    host = https_server.host
    r = run_page(
        harness,
        f"""
        const fs = wx.getFileSystemManager();
        const photo = `${{wx.env.USER_DATA_PATH}}/photo.jpg`;
        fs.writeFileSync(photo, new Uint8Array(200000).fill(7).buffer);
        const progress = [];
        const up = await new Promise((ok) => {{
          const task = wx.uploadFile({{url: '{https_server.url("/upload")}', filePath: photo,
            name: 'file', formData: {{who: 'ann'}}, success: ok, fail: ok}});
          task.onProgressUpdate((p) => progress.push(p.progress));
        }});
        const body = JSON.parse(up.data);
        r.upload = [up.errMsg, up.statusCode, body.contentType.split(';')[0],
                    body.body.includes('name="who"\\r\\n\\r\\nann'),
                    body.body.includes('filename="photo.jpg"')];
        r.progress = progress[progress.length - 1];
        r.denied = await new Promise((ok) => wx.uploadFile({{url: 'https://example.com/u',
          filePath: photo, name: 'file', fail: (e) => ok(e.errMsg)}}));
        r.aborted = await new Promise((ok) => {{
          const task = wx.request({{url: '{https_server.url("/drip?n=2&every=30")}',
            success: () => ok('finished'), fail: (e) => ok(e.errMsg)}});
          task.onHeadersReceived(() => task.abort());
        }});
        r.timeout = await new Promise((ok) => wx.request({{
          url: '{https_server.url("/drip?n=20&every=0.2")}', timeout: 1000,
          success: () => ok('finished'), fail: (e) => ok(e.errMsg)}}));
        """,
        settings={"sslContext": certs.client_context()},
        domains={"uploadFile": (host,), "request": (host,)},
    )
    assert r["upload"] == ["uploadFile:ok", 200, "multipart/form-data", True, True]
    assert r["progress"] == 100
    assert r["denied"] == (
        "uploadFile:fail url not in domain list: example.com is not allowed for uploadFile"
    )
    assert r["aborted"] == "request:fail abort"
    assert r["timeout"] == "request:fail timeout"


def test_login_session_profile_and_authorize(granting):
    r = run_page(
        granting,
        """
        r.login = await wx.login().catch((e) => e.errMsg);
        r.session = await wx.checkSession().catch((e) => e.errMsg);
        r.profile = await wx.getUserProfile({desc: 'show your name'}).catch((e) => e.errMsg);
        r.noDesc = await wx.getUserProfile({}).catch((e) => e.errMsg);
        r.authorize = (await wx.authorize({scope: 'scope.userLocation'})).errMsg;
        r.setting = (await wx.getSetting()).authSetting;
        r.undeclared = await wx.authorize({scope: 'scope.record'}).catch((e) => e.errMsg);
        """,
        app_id="e2e.login",
        permissions=("scope.userLocation", "scope.userInfo"),
    )
    assert r["login"] == "login:fail no login server is configured"
    assert r["session"] == "checkSession:fail session time out, need relogin"
    assert r["profile"] == "getUserProfile:fail auth deny"
    assert r["noDesc"] == "getUserProfile:fail parameter error: desc is required"
    assert r["authorize"] == "authorize:ok"
    assert r["setting"] == {"scope.userLocation": True, "scope.userInfo": False}
    assert r["undeclared"] == "authorize:fail permission scope.record is not declared by the app"
    assert ("e2e.login", "scope.userLocation") in granting.asked


def test_log_manager_and_app_show_hide(harness):
    from finclip_desktop.shell.testing import process_events, wait_until

    app = open_page(
        harness,
        """
        const log = wx.getLogManager();
        log.info('started', 42);
        log.warn('low disk');
        r.events = [];
        wx.onAppHide(() => r.events.push('hide'));
        await new Promise((ok) => wx.onAppShow((options) => {
          r.events.push('show:' + typeof options); ok();
        }));
        """,
        app_id="e2e.lifecycle",
    )
    log_file = app.container.context.data_dir / "logs" / "app.log"

    def logged() -> list[dict]:
        lines = log_file.read_text("utf-8").splitlines() if log_file.exists() else []
        return [json.loads(line) for line in lines]

    wait_until(lambda: len(logged()) == 2, 20, "the app's log lines")
    assert [(e["level"], e["args"]) for e in logged()] == [
        ("info", ["started", "42"]),
        ("warn", ["low disk"]),
    ]
    window = app.container.window
    window.hide()
    process_events(0.2)
    window.show()
    r = page_result(app)
    assert r["events"] == ["hide", "show:object"]


def test_storage_and_files_survive_an_app_update(harness):
    write = """
        wx.setStorageSync('profile', {name: 'Ann', visits: 3});
        const fs = wx.getFileSystemManager();
        fs.mkdirSync(`${wx.env.USER_DATA_PATH}/notes`, true);
        fs.writeFileSync(`${wx.env.USER_DATA_PATH}/notes/a.txt`, 'kept', 'utf8');
        r.version = wx.getAccountInfoSync().miniProgram.version;
    """
    first = open_page(harness, write, app_id="e2e.update", version="1.0.0")
    assert page_result(first)["version"] == "1.0.0"
    first.close()
    read = """
        r.version = wx.getAccountInfoSync().miniProgram.version;
        r.profile = wx.getStorageSync('profile');
        r.note = wx.getFileSystemManager()
          .readFileSync(`${wx.env.USER_DATA_PATH}/notes/a.txt`, 'utf8');
        r.keys = wx.getStorageInfoSync().keys;
    """
    second = page_result(open_page(harness, read, app_id="e2e.update", version="1.1.0"))
    assert second == {
        "version": "1.1.0", "profile": {"name": "Ann", "visits": 3}, "note": "kept",
        "keys": ["profile"],
    }  # fmt: skip


TAB_APP = {
    "app.json": json.dumps(
        {
            "pages": ["pages/index/index", "pages/other/other"],
            "tabBar": {
                "list": [
                    {"pagePath": "pages/index/index", "text": "Home"},
                    {"pagePath": "pages/other/other", "text": "Other"},
                ]
            },
        }
    ),  # fmt: skip
    "pages/other/other.wxml": "<view>other</view>",
    "pages/other/other.js": "Page({})",
}
VALID_ARGS = {
    "showToast": {"title": "Saved", "icon": "none"},
    "hideToast": {},
    "showLoading": {"title": "Wait"},
    "hideLoading": {},
    "setNavigationBarTitle": {"title": "Title"},
    "setNavigationBarColor": {"frontColor": "#ffffff", "backgroundColor": "#000000"},
    "showNavigationBarLoading": {},
    "hideNavigationBarLoading": {},
    "setBackgroundColor": {"backgroundColor": "#ffffff"},
    "setBackgroundTextStyle": {"textStyle": "dark"},
    "setTabBarBadge": {"index": 0, "text": "3"},
    "removeTabBarBadge": {"index": 0},
    "showTabBarRedDot": {"index": 1},
    "hideTabBarRedDot": {"index": 1},
    "setTabBarItem": {"index": 1, "text": "More"},
    "setTabBarStyle": {
        "color": "#000000",
        "selectedColor": "#ff0000",
        "backgroundColor": "#ffffff",
        "borderStyle": "white",
    },  # fmt: skip
    "hideTabBar": {"animation": False},
    "showTabBar": {"animation": False},
    "startPullDownRefresh": {},
    "stopPullDownRefresh": {},
    "pageScrollTo": {"scrollTop": 0, "duration": 0},
    "previewImage": {"urls": ["wxfile://usr/a.png"], "current": "wxfile://usr/a.png"},
}


def test_every_declared_view_api_answers_ok_with_valid_arguments(harness):
    """Each view API the registry declares is implemented by the runtime: called with
    WeChat-valid arguments (in an app with a tabBar) it succeeds."""
    from finclip_desktop.capabilities.registry import describe

    waits_for_the_user = {"showModal", "showActionSheet"}
    routing = {"navigateTo", "redirectTo", "navigateBack", "switchTab", "reLaunch"}
    builders = {
        "canIUse", "getFileSystemManager", "getLogManager", "getUpdateManager",
        "createInnerAudioContext", "createVideoContext", "createCanvasContext",
    }  # fmt: skip
    declared = {d["name"] for d in describe() if d["kind"] == "view"}
    calls = declared - waits_for_the_user - routing - builders
    assert calls == set(VALID_ARGS), "give every declared view API its valid arguments"
    r = run_page(
        harness,
        f"""
        r.answers = {{}};
        for (const [name, args] of Object.entries({json.dumps(VALID_ARGS)})) {{
          r.answers[name] = (await wx[name](args).catch((e) => e)).errMsg;
        }}
        r.built = {json.dumps(sorted(builders))}.map((n) => [n, typeof wx[n]('c')]);
        r.other = {json.dumps(sorted(routing | waits_for_the_user))}.map((n) => [n, typeof wx[n]]);
        """,
        app_id="e2e.views",
        extra=TAB_APP,
    )
    assert r["answers"] == {name: f"{name}:ok" for name in VALID_ARGS}
    assert dict(r["built"]) == {n: "boolean" if n == "canIUse" else "object" for n in builders}
    assert all(kind == "function" for _, kind in r["other"])


def test_the_proxy_setting_reaches_mini_app_requests(qapp, tmp_path, certs, https_server):
    """Policy says: use this proxy. wx.request from the app goes through it (CONNECT)."""
    from finclip_desktop.policy import Policy
    from finclip_desktop.settings import effective_settings
    from finclip_desktop.shell.testing import ShellHarness
    from tests.capabilities.servers import RecordingProxy

    proxy = RecordingProxy()
    settings = effective_settings(policy=Policy(proxy=proxy.url))
    h = ShellHarness(settings=settings, data_root=tmp_path / "data")
    try:
        r = run_page(
            h,
            f"""
            r.res = await new Promise((ok) => wx.request({{url: '{https_server.url("/json")}',
              success: (res) => ok(res.data), fail: (e) => ok(e.errMsg)}}));
            """,
            settings={"sslContext": certs.client_context()},
            domains={"request": (https_server.host,)},
        )
    finally:
        h.close()
        proxy.close()
    assert r["res"] == {"hello": "world", "n": 1}
    assert proxy.targets == [https_server.host]


def test_server_domain_lists_of_an_installed_app_limit_the_manifests(
    qapp, tmp_path, certs, https_server
):
    """An app the store installed reaches only hosts on both its manifest's list and the
    server's signed list for it (its target entry in the store cache)."""
    from finclip_desktop.package import TrustStore, build_archive, generate_key, read_package
    from finclip_desktop.shell.bundle import bundle_from_package
    from finclip_desktop.shell.testing import ShellHarness
    from finclip_desktop.store.cache import PackageCache
    from tests.capabilities.miniapp import PAGE_JS

    listed = https_server.host
    withdrawn = f"localhost:{https_server.port}"
    body = f"""
        const get = (url) => new Promise((ok) => wx.request({{url,
          success: (res) => ok(res.statusCode), fail: (e) => ok(e.errMsg)}}));
        r.kept = await get('{https_server.url("/json")}');
        r.withdrawn = await get('{https_server.url("/json", host="localhost")}');
    """
    files = {
        "app.json": json.dumps({"pages": ["pages/index/index"]}).encode(),
        "app.js": b"App({})",
        "pages/index/index.wxml": b"<view id='out'>{{out}}</view>",
        "pages/index/index.js": (PAGE_JS % body).encode(),
    }
    key = generate_key()
    meta = {"app_id": "e2e.installed", "name": "Installed", "version": "2.0.0",
            "domains": {"request": [listed, withdrawn]}}  # fmt: skip
    _manifest, archive = build_archive(files, meta, key)
    package = read_package(archive, TrustStore([key.public_key()]))
    target = {"app_id": "e2e.installed", "version": "2.0.0", "domains": {"request": [listed]}}
    PackageCache(tmp_path / "data" / "store" / "cache").add_version(
        package.manifest_bytes, package.signature, target
    )
    h = ShellHarness(data_root=tmp_path / "data", dev_mode=False)
    try:
        app = h.open(bundle_from_package(package, signed=True), wait=False)
        ctx = app.container.context
        assert ctx.settings["domains"] == {"request": [listed]}
        ctx.settings = {**ctx.settings, "sslContext": certs.client_context()}
        r = page_result(app)
    finally:
        h.close()
    assert r == {
        "kept": 200,
        "withdrawn": f"request:fail url not in domain list: {withdrawn} is not allowed for request",
    }
