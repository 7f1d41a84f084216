"""wx.request / downloadFile / uploadFile against a real HTTPS server on loopback."""

from __future__ import annotations

import json
import threading
import time

import pytest

from finclip_desktop.capabilities import wxfile
from finclip_desktop.capabilities.binary import decode_buffer


def test_request_json_text_and_status(net_ctx, call, https_server):
    got = call(net_ctx, "request", {"url": https_server.url("/json")})
    assert got["errMsg"] == "request:ok"
    assert got["statusCode"] == 200 and got["data"] == {"hello": "world", "n": 1}
    assert got["header"]["content-type"] == "application/json"
    text = call(net_ctx, "request", {"url": https_server.url("/text")})
    assert text["data"] == "plain 文本"
    raw = call(net_ctx, "request", {"url": https_server.url("/json"), "dataType": "其他"})
    assert raw["data"] == '{"hello": "world", "n": 1}'
    missing = call(net_ctx, "request", {"url": https_server.url("/status?code=404")})
    assert missing["errMsg"] == "request:ok" and missing["statusCode"] == 404


def test_request_data_serialisation(net_ctx, call, https_server):
    get = call(net_ctx, "request", {"url": https_server.url("/echo?a=1"), "data": {"b": "x y"}})
    assert get["data"]["query"] == "a=1&b=x+y" and get["data"]["body"] == ""
    post = call(
        net_ctx,
        "request",
        {"url": https_server.url("/echo"), "method": "post", "data": {"k": [1, "二"]}},
    )
    assert post["data"]["method"] == "POST"
    assert json.loads(post["data"]["body"]) == {"k": [1, "二"]}
    assert post["data"]["headers"]["content-type"] == "application/json"
    form = call(
        net_ctx,
        "request",
        {
            "url": https_server.url("/echo"),
            "method": "PUT",
            "data": {"a": 1, "b": True},
            "header": {"Content-Type": "application/x-www-form-urlencoded", "X-Num": 5},
        },
    )
    assert form["data"]["body"] == "a=1&b=true" and form["data"]["headers"]["x-num"] == "5"
    buf = call(
        net_ctx,
        "request",
        {"url": https_server.url("/bytes?n=300"), "responseType": "arraybuffer"},
    )
    assert decode_buffer(buf["data"]) == bytes(i % 256 for i in range(300))


def test_request_bad_arguments(net_ctx, call, https_server):
    assert call(net_ctx, "request", {})["errMsg"] == "request:fail parameter error: url is required"
    bad_method = call(net_ctx, "request", {"url": https_server.url("/json"), "method": "BREW"})
    assert bad_method["errMsg"].startswith("request:fail parameter error: method should be one of")
    bad_header = call(
        net_ctx, "request", {"url": https_server.url("/json"), "header": {"X": "a\r\nB: c"}}
    )
    assert bad_header["errMsg"] == "request:fail parameter error: header X has a line break"


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("http://127.0.0.1/json", "url must use https:// (http://127.0.0.1/json)"),
        (
            "https://example.com/json",
            "url not in domain list: example.com is not allowed for request",
        ),
        ("not a url", "url must use https:// (not a url)"),
    ],
)
def test_request_refuses_disallowed_urls(net_ctx, call, url, reason):
    assert call(net_ctx, "request", {"url": url})["errMsg"] == f"request:fail {reason}"


def test_domain_lists_are_per_kind_and_port(make_ctx, call, certs, https_server):
    only_download = make_ctx(
        domains={"downloadFile": (https_server.host,)},
        settings={"sslContext": certs.client_context()},
    )
    got = call(only_download, "request", {"url": https_server.url("/json")})
    assert got["errMsg"].startswith("request:fail url not in domain list")
    no_port = make_ctx(domains={"request": ("127.0.0.1",)})
    got = call(no_port, "request", {"url": https_server.url("/json")})
    assert got["errMsg"].startswith("request:fail url not in domain list")


def test_server_domain_lists_limit_the_manifests(make_ctx, call, certs, https_server):
    """For an app the server delivered, a host must be on the manifest's list AND on the
    server's signed list (settings["domains"])."""
    url = https_server.url("/json")
    tls = {"sslContext": certs.client_context()}
    listed = {"request": (https_server.host,)}
    both = make_ctx(domains=listed, settings={**tls, "domains": {"request": [https_server.host]}})
    assert call(both, "request", {"url": url})["statusCode"] == 200
    refused = f"request:fail url not in domain list: {https_server.host} is not allowed for request"
    server_only = make_ctx(settings={**tls, "domains": {"request": [https_server.host]}})
    assert call(server_only, "request", {"url": url})["errMsg"] == refused
    withdrawn = make_ctx(
        domains=listed, settings={**tls, "domains": {"request": ["other.example"]}}
    )
    assert call(withdrawn, "request", {"url": url})["errMsg"] == refused
    malformed = make_ctx(domains=listed, settings={**tls, "domains": ["not", "a", "mapping"]})
    assert call(malformed, "request", {"url": url})["errMsg"] == refused


def test_redirects_are_followed_only_to_allowed_domains(net_ctx, call, https_server):
    inside = https_server.url("/json")
    ok = call(net_ctx, "request", {"url": https_server.url(f"/redirect?to={inside}")})
    assert ok["data"] == {"hello": "world", "n": 1}
    outside = https_server.url("/json", host="localhost")
    refused = call(net_ctx, "request", {"url": https_server.url(f"/redirect?to={outside}")})
    assert refused["errMsg"] == (
        f"request:fail redirect refused: url not in domain list: localhost:{https_server.port}"
        " is not allowed for request"
    )
    downgrade = call(
        net_ctx, "request", {"url": https_server.url(f"/redirect?to=http://{https_server.host}/")}
    )
    assert downgrade["errMsg"].startswith("request:fail redirect refused: url must use https://")
    post = call(
        net_ctx,
        "request",
        {"url": https_server.url("/redirect?code=303&to=/echo"), "method": "POST", "data": "x"},
    )
    assert post["data"]["method"] == "GET"


def test_tls_is_verified_per_context(make_ctx, call, https_server):
    untrusting = make_ctx(domains={"request": (https_server.host,)})
    got = call(untrusting, "request", {"url": https_server.url("/json")})
    assert got["errMsg"].startswith("request:fail network error:")
    assert "CERTIFICATE_VERIFY_FAILED" in got["errMsg"]


def test_response_size_cap(make_ctx, call, certs, https_server):
    ctx = make_ctx(
        domains={"request": (https_server.host,), "downloadFile": (https_server.host,)},
        settings={"sslContext": certs.client_context(), "maxResponseBytes": 1000,
                  "maxDownloadBytes": 1000},
    )  # fmt: skip
    assert call(ctx, "request", {"url": https_server.url("/bytes?n=1000")})["statusCode"] == 200
    over = call(ctx, "request", {"url": https_server.url("/bytes?n=1001")})
    assert over["errMsg"] == "request:fail response exceeds 1000 bytes"
    over = call(ctx, "downloadFile", {"url": https_server.url("/bytes?n=5000")})
    assert over["errMsg"] == "downloadFile:fail response exceeds 1000 bytes"
    assert list((ctx.data_dir / "tmp").iterdir()) == []


def test_timeout(net_ctx, call, https_server):
    got = call(net_ctx, "request", {"url": https_server.url("/slow?s=2"), "timeout": 300})
    assert got["errMsg"] == "request:fail timeout"


def test_timeout_from_app_network_timeout(make_ctx, call, certs, https_server):
    ctx = make_ctx(
        domains={"request": (https_server.host,)},
        settings={"sslContext": certs.client_context(), "networkTimeout": {"request": 300}},
    )
    assert call(ctx, "request", {"url": https_server.url("/slow?s=2")})["errMsg"] == (
        "request:fail timeout"
    )


def test_timeout_is_a_deadline_for_the_whole_task(net_ctx, call, https_server):
    """A server that trickles 20 bytes over 4 s never lets a 1 s call succeed."""
    drip = https_server.url("/drip?n=20&every=0.2")
    got = call(net_ctx, "request", {"url": drip, "timeout": 1000})
    assert got == {"errMsg": "request:fail timeout"}
    got = call(net_ctx, "downloadFile", {"url": drip, "timeout": 1000})
    assert got == {"errMsg": "downloadFile:fail timeout"}
    assert list((net_ctx.data_dir / "tmp").iterdir()) == []
    short = call(net_ctx, "request", {"url": https_server.url("/drip?n=3&every=0.05"),
                                      "timeout": 20000})  # fmt: skip
    assert short["errMsg"] == "request:ok" and short["data"] == "xxx"


def test_abort_interrupts_a_silent_server(net_ctx, registry, call, https_server):
    """The server sent its headers and then nothing: abort still ends the call at once."""
    future = registry.invoke(
        net_ctx, "request", {"url": https_server.url("/drip?n=2&every=30"), "taskId": "quiet"}
    )
    from finclip_desktop.capabilities.tasks import tasks_of

    deadline = time.monotonic() + 10
    while tasks_of(net_ctx).get("quiet") is None and time.monotonic() < deadline:
        time.sleep(0.01)
    time.sleep(0.2)  # let it reach the body
    call(net_ctx, "_operateTask", {"taskId": "quiet", "operation": "abort"})
    assert future.result(timeout=15)["errMsg"] == "request:fail abort"


def test_abort_a_running_request(net_ctx, registry, call, https_server):
    future = registry.invoke(
        net_ctx, "request", {"url": https_server.url("/slow?s=3"), "taskId": "t1"}
    )
    time.sleep(0.3)
    assert call(net_ctx, "_operateTask", {"taskId": "t1", "operation": "abort"})["errMsg"] == (
        "_operateTask:ok"
    )
    assert future.result(timeout=10)["errMsg"] == "request:fail abort"


def test_abort_before_the_task_started(net_ctx, registry, call, https_server):
    """An abort that overtakes its queued request still cancels it."""
    call(net_ctx, "_operateTask", {"taskId": "early", "operation": "abort"})
    got = call(net_ctx, "request", {"url": https_server.url("/json"), "taskId": "early"})
    assert got["errMsg"] == "request:fail abort"
    again = call(net_ctx, "request", {"url": https_server.url("/json"), "taskId": "early"})
    assert again["errMsg"] == "request:ok"


def test_cookies_are_kept_per_app_and_persisted(make_ctx, call, certs, https_server):
    def app(app_id):
        return make_ctx(
            app_id,
            domains={"request": (https_server.host,)},
            settings={"sslContext": certs.client_context()},
        )

    first = app("com.example.a")
    set_ = call(first, "request", {"url": https_server.url("/setcookie")})
    assert set_["cookies"] == ["sid=s3cr3t; Path=/; Max-Age=3600"]
    assert call(first, "request", {"url": https_server.url("/cookie")})["data"] == "sid=s3cr3t"
    other = app("com.example.b")
    assert call(other, "request", {"url": https_server.url("/cookie")})["data"] == ""
    first.close()
    again = app("com.example.a")
    assert call(again, "request", {"url": https_server.url("/cookie")})["data"] == "sid=s3cr3t"


def test_download_file_with_progress(net_ctx, call, https_server):
    got = call(
        net_ctx, "downloadFile", {"url": https_server.url("/bytes?n=200000"), "taskId": "d1"}
    )
    assert got["errMsg"] == "downloadFile:ok" and got["statusCode"] == 200
    assert got["tempFilePath"].startswith("wxfile://tmp/")
    path = wxfile.resolve(net_ctx.data_dir, got["tempFilePath"])
    assert path.read_bytes() == bytes(i % 256 for i in range(200000))
    events = [e for e in net_ctx.emit.of("taskEvent") if e["taskId"] == "d1"]
    progress = [e for e in events if e["type"] == "progressUpdate"]
    assert progress and progress[-1]["progress"] == 100
    assert progress[-1]["totalBytesWritten"] == progress[-1]["totalBytesExpectedToWrite"] == 200000
    saved = call(
        net_ctx,
        "downloadFile",
        {"url": https_server.url("/bytes?n=10"), "filePath": "wxfile://usr/sub/f.bin"},
    )
    assert saved["filePath"] == "wxfile://usr/sub/f.bin"
    assert (net_ctx.data_dir / "usr" / "sub" / "f.bin").read_bytes() == bytes(range(10))


def test_download_refuses_escaping_file_path_and_other_domains(net_ctx, call, https_server):
    got = call(
        net_ctx,
        "downloadFile",
        {"url": https_server.url("/bytes"), "filePath": "wxfile://usr/../../escape"},
    )
    assert got["errMsg"] == (
        "downloadFile:fail permission denied, wxfile://usr/../../escape escapes the app's"
        " user data folder"
    )
    got = call(net_ctx, "downloadFile", {"url": "https://example.org/x"})
    assert got["errMsg"].startswith("downloadFile:fail url not in domain list")


def test_upload_file_multipart_with_progress(net_ctx, call, https_server):
    (net_ctx.data_dir / "usr").mkdir(parents=True)
    (net_ctx.data_dir / "usr" / "photo.png").write_bytes(b"\x89PNG" + b"z" * 100000)
    got = call(
        net_ctx,
        "uploadFile",
        {
            "url": https_server.url("/upload"),
            "filePath": "wxfile://usr/photo.png",
            "name": "file",
            "formData": {"user": "ann", "n": 3},
            "taskId": "u1",
        },
    )
    assert got["errMsg"] == "uploadFile:ok" and got["statusCode"] == 200
    summary = json.loads(got["data"])
    assert summary["contentType"].startswith("multipart/form-data; boundary=")
    body = summary["body"]
    assert 'name="user"\r\n\r\nann\r\n' in body and 'name="n"\r\n\r\n3\r\n' in body
    assert 'name="file"; filename="photo.png"\r\nContent-Type: image/png' in body
    assert "\x89PNG" + "z" * 100000 in body
    progress = [e for e in net_ctx.emit.of("taskEvent") if e["type"] == "progressUpdate"]
    assert progress[-1]["progress"] == 100
    assert progress[-1]["totalBytesSent"] == summary["length"]


def test_upload_refuses_missing_and_escaping_files(net_ctx, call, https_server):
    base = {"url": https_server.url("/upload"), "name": "f"}
    missing = call(net_ctx, "uploadFile", {**base, "filePath": "wxfile://usr/nope"})
    assert missing["errMsg"] == "uploadFile:fail file not found: wxfile://usr/nope"
    host_file = call(net_ctx, "uploadFile", {**base, "filePath": "/etc/passwd"})
    assert host_file["errMsg"].startswith("uploadFile:fail permission denied")


def test_concurrent_requests_do_not_block_each_other(net_ctx, registry, https_server):
    slow = registry.invoke(net_ctx, "request", {"url": https_server.url("/slow?s=1")})
    started = time.monotonic()
    fast = registry.invoke(net_ctx, "request", {"url": https_server.url("/json")})
    assert fast.result(timeout=5)["statusCode"] == 200
    assert time.monotonic() - started < 0.9
    assert slow.result(timeout=5)["data"] == "late"
    assert threading.active_count() < 100


def test_plain_http_to_loopback_only_in_developer_mode(make_ctx, call, http_server):
    url = http_server.url("/json")
    listed = {"request": (http_server.host, "example.com")}
    dev = make_ctx(domains=listed, dev_mode=True, settings={"allowHttpLocalhost": True})
    assert call(dev, "request", {"url": url})["data"] == {"hello": "world", "n": 1}
    assert call(dev, "request", {"url": "http://example.com/"})["errMsg"] == (
        "request:fail url must use https:// (http://example.com/)"
    )
    unlisted = make_ctx(dev_mode=True, settings={"allowHttpLocalhost": True})
    assert call(unlisted, "request", {"url": url})["errMsg"].startswith(
        "request:fail url not in domain list"
    )
    for ctx in (
        make_ctx(domains=listed, settings={"allowHttpLocalhost": True}),
        make_ctx(domains=listed, dev_mode=True),
    ):
        assert call(ctx, "request", {"url": url})["errMsg"] == (
            f"request:fail url must use https:// ({url})"
        )


def test_download_to_user_data_respects_quota_and_write_rules(make_ctx, call, certs, https_server):
    ctx = make_ctx(
        domains={"downloadFile": (https_server.host,)},
        settings={"sslContext": certs.client_context(), "fileQuotaBytes": 1000},
    )
    url = https_server.url("/bytes?n=2000")
    over = call(ctx, "downloadFile", {"url": url, "filePath": "wxfile://usr/big.bin"})
    assert over["errMsg"] == (
        "downloadFile:fail the maximum size of the file storage limit is exceeded"
    )
    assert not (ctx.data_dir / "usr" / "big.bin").exists()
    assert list((ctx.data_dir / "tmp").iterdir()) == []
    tmp = call(ctx, "downloadFile", {"url": url, "filePath": "wxfile://tmp/x.bin"})
    assert tmp["errMsg"] == "downloadFile:fail permission denied, downloadFile wxfile://tmp/x.bin"


def test_redirect_to_another_allowed_host_drops_credentials(make_ctx, call, certs, https_server):
    ctx = make_ctx(
        domains={"request": (https_server.host, f"localhost:{https_server.port}")},
        settings={"sslContext": certs.client_context()},
    )
    auth = {"Authorization": "Bearer secret", "X-Keep": "1"}
    same = call(ctx, "request", {"url": https_server.url("/redirect?to=/echo"), "header": auth})
    assert same["data"]["headers"]["authorization"] == "Bearer secret"
    other = https_server.url("/echo", host="localhost")
    moved = call(ctx, "request", {"url": https_server.url(f"/redirect?to={other}"), "header": auth})
    assert "authorization" not in moved["data"]["headers"]
    assert moved["data"]["headers"]["x-keep"] == "1"


def test_temporary_downloads_are_limited(make_ctx, call, certs, https_server):
    ctx = make_ctx(
        domains={"downloadFile": (https_server.host,)},
        settings={"sslContext": certs.client_context(), "tmpQuotaBytes": 100_000},
    )
    full = "downloadFile:fail the temporary files exceed their limit of 100000 bytes"
    got = call(ctx, "downloadFile", {"url": https_server.url("/bytes?n=150000")})
    assert got == {"errMsg": full}  # told by Content-Length
    got = call(ctx, "downloadFile", {"url": https_server.url("/stream?n=300000")})
    assert got == {"errMsg": full}  # counted while streaming
    assert list((ctx.data_dir / "tmp").iterdir()) == []
    ok = call(ctx, "downloadFile", {"url": https_server.url("/stream?n=60000")})
    assert ok["errMsg"] == "downloadFile:ok"
    again = call(ctx, "downloadFile", {"url": https_server.url("/stream?n=60000")})
    assert again == {"errMsg": full}  # the first one still holds 60000 of them


def test_text_the_http_layer_cannot_carry_as_is(net_ctx, call, https_server):
    """Non-ASCII header values go as UTF-8, lone surrogates as browsers send them, and
    what cannot be sent at all fails with a clear reason (never an internal error)."""
    echo = https_server.url("/echo")
    got = call(net_ctx, "request", {"url": echo, "header": {"X-Name": "张三"}})
    assert got["data"]["headers"]["x-name"] == "张三".encode().decode("latin-1")
    got = call(net_ctx, "request", {"url": echo, "data": "q=中 文&x=\ud800"})
    assert got["data"]["query"] == "q=%E4%B8%AD%20%E6%96%87&x=%EF%BF%BD"
    got = call(net_ctx, "request", {"url": echo, "method": "POST", "data": {"t": "a\ud800"}})
    assert got["data"]["body"] == '{"t":"a\\ud800"}'  # JSON.stringify's escape
    got = call(net_ctx, "request", {"url": echo, "method": "POST", "data": "x\udfff"})
    assert got["data"]["body"] == "x\ufffd"
    assert call(net_ctx, "request", {"url": echo, "header": {"Bad Name": "v"}}) == {
        "errMsg": "request:fail parameter error: header name 'Bad Name' is not valid"
    }
    bad_url = https_server.url("/echo?\ud800")
    assert call(net_ctx, "request", {"url": bad_url}) == {
        "errMsg": f"request:fail invalid url {bad_url!r}"
    }


@pytest.fixture(params=["http", "socks5"])
def proxy_server(request):
    """A real recording proxy on loopback: HTTP (CONNECT) or SOCKS5."""
    from tests.capabilities.servers import RecordingProxy, Socks5Proxy

    proxy = RecordingProxy() if request.param == "http" else Socks5Proxy()
    yield proxy
    proxy.close()


@pytest.fixture
def no_env_proxy(monkeypatch):
    for name in ("HTTPS_PROXY", "HTTP_PROXY", "ALL_PROXY", "NO_PROXY"):
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.lower(), raising=False)
    return monkeypatch


def proxied_ctx(make_ctx, certs, https_server, proxy: str):
    host = https_server.host
    return make_ctx(
        domains={"request": (host,), "downloadFile": (host,), "uploadFile": (host,)},
        settings={"sslContext": certs.client_context(), "proxy": proxy},
    )


def test_requests_go_through_the_configured_proxy(
    make_ctx, call, certs, https_server, proxy_server, no_env_proxy
):
    ctx = proxied_ctx(make_ctx, certs, https_server, proxy_server.url)
    assert call(ctx, "request", {"url": https_server.url("/json")})["data"] == {
        "hello": "world", "n": 1
    }  # fmt: skip
    got = call(ctx, "downloadFile", {"url": https_server.url("/bytes?n=10")})
    assert got["errMsg"] == "downloadFile:ok"
    assert proxy_server.targets and set(proxy_server.targets) == {https_server.host}


def test_system_proxy_comes_from_the_environment(
    make_ctx, call, certs, https_server, proxy_server, no_env_proxy
):
    no_env_proxy.setenv("HTTPS_PROXY", proxy_server.url)
    system = proxied_ctx(make_ctx, certs, https_server, "system")
    assert call(system, "request", {"url": https_server.url("/json")})["statusCode"] == 200
    assert proxy_server.targets == [https_server.host]
    direct = proxied_ctx(make_ctx, certs, https_server, "none")
    assert call(direct, "request", {"url": https_server.url("/json")})["statusCode"] == 200
    no_env_proxy.setenv("NO_PROXY", "127.0.0.1")
    bypassed = proxied_ctx(make_ctx, certs, https_server, "system")
    assert call(bypassed, "request", {"url": https_server.url("/json")})["statusCode"] == 200
    assert proxy_server.targets == [https_server.host]  # neither went through it


def test_unsupported_proxies_fail_clearly(make_ctx, call, certs, https_server, no_env_proxy):
    socks4 = proxied_ctx(make_ctx, certs, https_server, "socks4://127.0.0.1:1080")
    assert call(socks4, "request", {"url": https_server.url("/json")}) == {
        "errMsg": "request:fail the configured proxy socks4:// is not supported (use an"
        " http://, https:// or socks5:// proxy)"
    }
    no_env_proxy.setenv("ALL_PROXY", "socks4://127.0.0.1:1080")
    system = proxied_ctx(make_ctx, certs, https_server, "system")
    assert call(system, "request", {"url": https_server.url("/json")})["errMsg"] == (
        "request:fail the system proxy socks4:// is not supported (use an http://, https:// or"
        " socks5:// proxy)"
    )
