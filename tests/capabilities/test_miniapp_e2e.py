"""wx.* from real mini-app code, in the real shell (offscreen): the runtime's wx object,
the bridge, the registry and the capabilities together, in callback, Promise and Sync forms.

Each test's page runs ``async function run(r)`` in onLoad and renders ``JSON.stringify(r)``.
"""

from __future__ import annotations

import pytest

from tests.capabilities.miniapp import open_page, overlay, page_result, run_page, tap, texts

pytestmark = pytest.mark.qt


def test_storage_in_every_form(harness):
    r = run_page(
        harness,
        """
        r.promise = await wx.setStorage({key: 'k', data: {n: 1}});
        r.get = (await wx.getStorage({key: 'k'})).data;
        r.sync = wx.getStorageSync('k');
        wx.setStorageSync('s', [1, 2]);
        r.sync2 = wx.getStorageSync('s');
        r.info = wx.getStorageInfoSync().keys;
        try { await wx.getStorage({key: 'missing'}); } catch (e) { r.rejected = e.errMsg; }
        r.missingSync = wx.getStorageSync('missing');
        try { wx.setStorageSync(5, 1); } catch (e) { r.thrown = e.message; }
        await new Promise((done) => wx.setStorage({key: 7, data: 1,
          fail: (e) => { r.fail = e.errMsg; }, complete: () => done()}));
        await new Promise((done) => wx.getStorage({key: 'k',
          success: (res) => { r.success = res.data; }, complete: done}));
        """,
    )
    assert r["promise"] == {"errMsg": "setStorage:ok"}
    assert r["get"] == r["sync"] == r["success"] == {"n": 1}
    assert r["sync2"] == [1, 2] and r["info"] == ["k", "s"]
    assert r["rejected"] == "getStorage:fail data not found" and r["missingSync"] == ""
    assert (
        r["thrown"] == "setStorageSync:fail parameter error: key should be String instead of Number"
    )
    assert r["fail"] == "setStorage:fail parameter error: key should be String instead of Number"


def test_request_download_and_domain_rules(harness, certs, https_server):
    host = https_server.host
    outside = https_server.url("/json", host="localhost")
    redirect = https_server.url(f"/redirect?to={outside}")
    r = run_page(
        harness,
        f"""
        // Task APIs return their task, not a Promise (as on WeChat): wrap the callbacks.
        const call = (api, o) => new Promise((ok) => wx[api]({{...o, success: ok, fail: ok}}));
        const res = await call('request', {{url: '{https_server.url("/json")}', data: {{q: 1}}}});
        r.status = res.statusCode; r.data = res.data;
        r.refused = (await call('request', {{url: 'https://example.com/x'}})).errMsg;
        r.redirect = (await call('request', {{url: '{redirect}'}})).errMsg;
        const progress = [];
        await new Promise((done) => {{
          const task = wx.downloadFile({{url: '{https_server.url("/bytes?n=300000")}',
            success: (res) => {{ r.download = res.tempFilePath; }},
            fail: (e) => {{ r.download = e.errMsg; }}, complete: done}});
          task.onProgressUpdate((p) => progress.push(p.progress));
        }});
        r.progress = progress[progress.length - 1];
        const downloaded = wx.getFileSystemManager().readFileSync(r.download);
        r.read = [downloaded instanceof ArrayBuffer, downloaded.byteLength,
                  new Uint8Array(downloaded)[257]];
        const bin = await call('request', {{url: '{https_server.url("/bytes?n=5")}',
                                            responseType: 'arraybuffer'}});
        r.bin = [bin.data instanceof ArrayBuffer, Array.from(new Uint8Array(bin.data))];
        const raw = await call('request', {{url: '{https_server.url("/echo")}', method: 'POST',
          data: new Uint8Array([104, 105, 0, 255]).buffer,
          header: {{'content-type': 'application/octet-stream'}}}});
        r.rawBody = [raw.data.method, raw.data.headers['content-length']];
        const form = await call('request', {{url: '{https_server.url("/echo")}', method: 'PUT',
          data: {{a: 1, b: 'x y'}},
          header: {{'content-type': 'application/x-www-form-urlencoded'}}}});
        r.form = [form.data.method, form.data.body];
        const json = await call('request', {{url: '{https_server.url("/echo")}', method: 'POST',
          data: {{list: [1, 'two']}}}});
        r.json = [json.data.headers['content-type'], json.data.body];
        r.text = (await call('request', {{url: '{https_server.url("/text")}'}})).data;
        r.plain = (await call('request', {{url: 'http://{host}/json'}})).errMsg;
        const saved = await wx.saveFile({{tempFilePath: r.download}});
        r.saved = saved.savedFilePath;
        r.savedList = (await wx.getSavedFileList()).fileList.map((f) => f.size);
        await wx.removeSavedFile({{filePath: saved.savedFilePath}});
        r.savedAfter = (await wx.getSavedFileList()).fileList.length;
        """,
        settings={"sslContext": certs.client_context()},
        domains={"request": (host,), "downloadFile": (host,)},
    )
    assert r["status"] == 200 and r["data"] == {"hello": "world", "n": 1}
    assert r["refused"] == (
        "request:fail url not in domain list: example.com is not allowed for request"
    )
    assert r["redirect"].startswith("request:fail redirect refused: url not in domain list")
    assert r["download"].startswith("wxfile://tmp/") and r["progress"] == 100
    assert r["read"] == [True, 300000, 1]
    assert r["bin"] == [True, [0, 1, 2, 3, 4]]
    assert r["rawBody"] == ["POST", "4"]
    assert r["form"] == ["PUT", "a=1&b=x+y"]
    assert r["json"] == ["application/json", '{"list":[1,"two"]}']
    assert r["text"] == "plain 文本"
    assert r["plain"] == f"request:fail url must use https:// (http://{host}/json)"
    assert r["saved"].startswith("wxfile://store/")
    assert r["savedList"] == [300000] and r["savedAfter"] == 0


def test_clipboard_permission_and_system_info(harness):
    r = run_page(
        harness,
        """
        await wx.setClipboardData({data: 'copied'});
        r.clip = (await wx.getClipboardData()).data;
        const info = wx.getSystemInfoSync();
        r.width = info.windowWidth; r.platform = info.platform;
        r.account = wx.getAccountInfoSync().miniProgram.appId;
        r.canIUse = [wx.canIUse('getStorageSync'), wx.canIUse('notAnApi')];
        r.vibrate = (await wx.vibrateShort({type: 'light'})).errMsg;
        try { await wx.scanCode(); } catch (e) { r.scan = e.errMsg; }
        """,
        permissions=("scope.clipboardRead",),
    )
    assert r["clip"] == "copied" and r["width"] > 0 and r["platform"]
    assert r["account"] == "e2e.mini" and r["canIUse"] == [True, False]
    assert (
        r["vibrate"] == "vibrateShort:ok" and r["scan"] == "scanCode:fail not supported on desktop"
    )
    undeclared = run_page(
        harness,
        "try { await wx.getClipboardData(); } catch (e) { r.err = e.errMsg; }",
        app_id="e2e.nodecl",
    )
    assert undeclared["err"] == (
        "getClipboardData:fail permission scope.clipboardRead is not declared by the app"
    )


def test_file_system_manager(harness):
    r = run_page(
        harness,
        """
        const fs = wx.getFileSystemManager();
        const dir = `${wx.env.USER_DATA_PATH}/notes`;
        fs.mkdirSync(dir, true);
        fs.writeFileSync(`${dir}/a.txt`, 'hello', 'utf8');
        fs.appendFileSync(`${dir}/a.txt`, ' world', 'utf8');
        r.text = fs.readFileSync(`${dir}/a.txt`, 'utf8');
        r.list = fs.readdirSync(dir);
        r.isFile = fs.statSync(`${dir}/a.txt`).isFile();
        r.async = await new Promise((ok) => fs.readFile({filePath: `${dir}/a.txt`,
          encoding: 'utf8', success: (res) => ok(res.data), fail: (e) => ok(e.errMsg)}));
        try { fs.readFileSync('wxfile://usr/../../../etc/passwd', 'utf8'); }
        catch (e) { r.escape = e.message; }
        try { fs.readFileSync('/etc/passwd', 'utf8'); } catch (e) { r.absolute = e.message; }
        r.own = JSON.parse(fs.readFileSync('/data/seed.json', 'utf8'));
        // ArrayBuffers in and out, Sync and callback forms
        const bin = `${dir}/b.bin`;
        fs.writeFileSync(bin, new Uint8Array([1, 2, 3, 250]).buffer);
        const back = fs.readFileSync(bin);
        r.binSync = [back instanceof ArrayBuffer, Array.from(new Uint8Array(back))];
        r.binAsync = await new Promise((ok) => fs.readFile({filePath: bin,
          success: (res) => ok(Array.from(new Uint8Array(res.data))), fail: (e) => ok(e.errMsg)}));
        r.written = await new Promise((ok) => fs.writeFile({filePath: bin,
          data: new Uint8Array([9, 8, 7]), success: (res) => ok(res.errMsg),
          fail: (e) => ok(e.errMsg)}));
        r.slice = Array.from(new Uint8Array(fs.readFileSync(bin, undefined, 1, 1)));
        r.base64 = fs.readFileSync(bin, 'base64');
        // WeChat's object-argument form, moving, copying and removing
        fs.truncateSync({filePath: `${dir}/a.txt`, length: 5});
        r.truncated = fs.readFileSync(`${dir}/a.txt`, 'utf8');
        fs.copyFileSync(`${dir}/a.txt`, `${dir}/c.txt`);
        fs.renameSync(`${dir}/c.txt`, `${dir}/d.txt`);
        r.moved = fs.readdirSync(dir).sort();
        r.size = fs.statSync(`${dir}/d.txt`).size;
        fs.unlinkSync(`${dir}/d.txt`);
        try { fs.accessSync(`${dir}/d.txt`); } catch (e) { r.gone = e.message; }
        r.rmdir = await new Promise((ok) => fs.rmdir({dirPath: dir, recursive: true,
          success: (res) => ok(res.errMsg), fail: (e) => ok(e.errMsg)}));
        r.canIUse = ['FileSystemManager.readFile', 'FileSystemManager.truncateSync',
          'FileSystemManager', 'FileSystemManager.nope', 'request.object.responseType',
          'getSystemInfoSync.return.windowWidth', 'notAnApi.object'].map((n) => wx.canIUse(n));
        """,
        extra={"data/seed.json": '{"seed": 42}'},
    )
    assert r["text"] == r["async"] == "hello world"
    assert r["list"] == ["a.txt"] and r["isFile"] is True
    assert r["escape"].startswith("readFileSync:fail permission denied")
    assert r["absolute"] == "readFileSync:fail no such file or directory, open /etc/passwd"
    assert r["own"] == {"seed": 42}
    assert r["binSync"] == [True, [1, 2, 3, 250]] and r["binAsync"] == [1, 2, 3, 250]
    assert r["written"] == "writeFile:ok" and r["slice"] == [8] and r["base64"] == "CQgH"
    assert r["truncated"] == "hello" and r["moved"] == ["a.txt", "b.bin", "d.txt"]
    assert r["size"] == 5
    assert r["gone"] == "accessSync:fail no such file or directory, access wxfile://usr/notes/d.txt"
    assert r["rmdir"] == "rmdir:ok"
    assert r["canIUse"] == [True, True, True, False, True, True, False]


def test_socket_task(harness, certs, wss_server):
    r = run_page(
        harness,
        f"""
        r.events = [];
        await new Promise((finish) => {{
          let left = 2;  // the close event and close()'s own callback
          const done = () => {{ if (--left === 0) finish(); }};
          const task = wx.connectSocket({{url: '{wss_server.url()}'}});
          task.onOpen(() => {{
            r.events.push('open');
            task.send({{data: 'ping', success: (res) => r.events.push(res.errMsg)}});
          }});
          task.onMessage((m) => {{
            if (typeof m.data === 'string') {{
              r.events.push('message:' + m.data);
              task.send({{data: new Uint8Array([1, 2, 255]).buffer}});
              return;
            }}
            r.events.push('binary:' + (m.data instanceof ArrayBuffer) + ':'
                          + Array.from(new Uint8Array(m.data)));
            task.close({{code: 1000, reason: 'bye',
                         complete: (res) => {{ r.events.push(res.errMsg); done(); }}}});
          }});
          task.onClose((c) => {{ r.events.push('close:' + c.code); done(); }});
          task.onError((e) => {{ r.events.push('error:' + e.errMsg); finish(); }});
          setTimeout(() => {{ r.events.push('timeout'); finish(); }}, 8000);
        }});
        """,
        settings={"sslContext": certs.client_context()},
        domains={"socket": (wss_server.host,)},
    )
    events = r["events"]
    assert events[0] == "open" and events.index("message:ping") < events.index(
        "binary:true:1,2,255"
    )
    assert sorted(events) == sorted([
        "open", "sendSocketMessage:ok", "message:ping", "binary:true:1,2,255",
        "close:1000", "closeSocket:ok",
    ])  # fmt: skip


def test_quota_and_refused_consent(harness):
    r = run_page(
        harness,
        """
        const fs = wx.getFileSystemManager();
        fs.writeFileSync(`${wx.env.USER_DATA_PATH}/small.txt`, 'x'.repeat(60), 'utf8');
        try { fs.writeFileSync(`${wx.env.USER_DATA_PATH}/big.txt`, 'y'.repeat(60), 'utf8'); }
        catch (e) { r.quota = e.message; }
        r.location = await new Promise((ok) => wx.getLocation({fail: (e) => ok(e.errMsg)}));
        r.authorize = await wx.authorize({scope: 'scope.userLocation'}).catch((e) => e.errMsg);
        r.setting = (await wx.getSetting()).authSetting;
        """,
        settings={"fileQuotaBytes": 100},
        permissions=("scope.userLocation",),
    )
    assert r["quota"] == "writeFileSync:fail the maximum size of the file storage limit is exceeded"
    assert r["location"] == "getLocation:fail auth deny"
    assert r["authorize"] == "authorize:fail auth deny"
    assert r["setting"] == {"scope.userLocation": False}


def test_toast_loading_modal_and_action_sheet(harness):
    app = open_page(
        harness,
        """
        r.loading = [(await wx.showLoading({title: 'Wait'})).errMsg,
                     (await wx.hideLoading()).errMsg];
        r.toast = (await wx.showToast({title: 'Saved', duration: 60000})).errMsg;
        r.confirm = await wx.showModal({title: 'Delete?', content: 'Really delete it?'});
        r.cancel = await new Promise((ok) => wx.showModal({title: 'Again', confirmText: 'Yes',
          cancelText: 'No', success: ok, fail: ok}));
        r.edited = await wx.showModal({title: 'Name', editable: true,
                                       placeholderText: 'your name'});
        r.alert = await wx.showModal({content: 'Only OK', showCancel: false});
        r.sheet = await wx.showActionSheet({itemList: ['Copy', 'Move', 'Delete']});
        try { await wx.showActionSheet({itemList: ['A']}); } catch (e) { r.sheetCancel = e.errMsg; }
        r.title = (await wx.setNavigationBarTitle({title: 'Edited'})).errMsg;
        r.hidden = (await wx.hideToast()).errMsg;
        """,
    )
    overlay(app, ".fc-modal-wrap")
    seen = {"toast": texts(app, ".fc-toast-title")}
    seen["first"] = texts(app, ".fc-modal-title, .fc-modal-content, .fc-modal-btn")
    tap(app, ".fc-modal-btn.fc-confirm")
    overlay(app, ".fc-modal-wrap")
    seen["second"] = texts(app, ".fc-modal-btn")
    tap(app, ".fc-modal-btn.fc-cancel")
    overlay(app, ".fc-modal-input")
    seen["placeholder"] = app.eval("document.querySelector('.fc-modal-input').placeholder")
    app.eval("document.querySelector('.fc-modal-input').value = 'Ada'")
    tap(app, ".fc-modal-btn.fc-confirm")
    overlay(app, ".fc-modal-wrap")
    seen["alert"] = texts(app, ".fc-modal-content, .fc-modal-btn")
    tap(app, ".fc-modal-btn.fc-confirm")
    overlay(app, ".fc-sheet-item")
    seen["sheet"] = texts(app, ".fc-sheet-item")
    tap(app, ".fc-sheet-item:nth-child(2)")
    tap(app, ".fc-sheet-cancel")
    r = page_result(app)

    assert r["loading"] == ["showLoading:ok", "hideLoading:ok"] and r["toast"] == "showToast:ok"
    assert seen["toast"] == ["Saved"]
    assert seen["first"] == ["Delete?", "Really delete it?", "取消", "确定"]
    assert r["confirm"] == {"errMsg": "showModal:ok", "confirm": True, "cancel": False}
    assert seen["second"] == ["No", "Yes"]
    assert r["cancel"] == {"errMsg": "showModal:ok", "confirm": False, "cancel": True}
    assert seen["placeholder"] == "your name"
    assert r["edited"] == {
        "errMsg": "showModal:ok", "confirm": True, "cancel": False, "content": "Ada"
    }  # fmt: skip
    assert seen["alert"] == ["Only OK", "确定"] and r["alert"]["confirm"] is True
    assert seen["sheet"] == ["Copy", "Move", "Delete", "取消"]
    assert r["sheet"] == {"errMsg": "showActionSheet:ok", "tapIndex": 1}
    assert r["sheetCancel"] == "showActionSheet:fail cancel"
    assert r["title"] == "setNavigationBarTitle:ok" and "Edited" in app.text()
    assert r["hidden"] == "hideToast:ok" and texts(app, ".fc-toast-title") == []


def test_system_info_and_host_events(harness):
    from finclip_desktop.shell.testing import process_events, wait_until

    app = open_page(
        harness,
        """
        const promised = await wx.getSystemInfo();
        const called = await new Promise((ok) => wx.getSystemInfo({success: ok}));
        const sync = wx.getSystemInfoSync();
        r.errMsg = [promised.errMsg, called.errMsg];
        r.same = ['windowWidth', 'windowHeight', 'pixelRatio', 'platform', 'language', 'SDKVersion']
          .map((k) => [k, promised[k] === sync[k] && called[k] === sync[k]]);
        r.types = [typeof sync.windowWidth, typeof sync.pixelRatio, typeof sync.system,
                   typeof sync.safeArea];
        r.window = wx.getWindowInfo().windowWidth === sync.windowWidth;
        r.device = typeof wx.getDeviceInfo().platform;
        r.base = typeof wx.getAppBaseInfo().SDKVersion;
        r.account = wx.getAccountInfoSync().miniProgram;
        r.launch = wx.getLaunchOptionsSync().scene;
        const net = await wx.getNetworkType();
        r.net = [net.errMsg, typeof net.networkType];
        r.change = await new Promise((ok) => wx.onNetworkStatusChange(ok));
        wx.offNetworkStatusChange();
        """,
    )
    ctx = app.container.context

    def network_changed() -> bool:
        """Report a lost network (again) until the page has seen it and finished."""
        ctx.emit("networkStatusChange", {"isConnected": False, "networkType": "none"})
        process_events(0.1)
        text = app.eval("(document.getElementById('out') || {}).textContent || ''")
        return bool(text) and text != "pending"

    wait_until(network_changed, 30, "the page to see the network change")
    r = page_result(app)
    assert r["errMsg"] == ["getSystemInfo:ok", "getSystemInfo:ok"]
    assert all(same for _, same in r["same"]), r["same"]
    assert r["types"] == ["number", "number", "string", "object"]
    assert r["window"] is True and r["device"] == "string" and r["base"] == "string"
    assert r["account"] == {"appId": "e2e.mini", "envVersion": "develop", "version": "0.0.0"}
    assert r["launch"] == 1001 and r["net"] == ["getNetworkType:ok", "string"]
    assert r["change"] == {"isConnected": False, "networkType": "none"}
