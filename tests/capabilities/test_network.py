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
    server_config = make_ctx(
        settings={"sslContext": certs.client_context(), "domains": {"request": [https_server.host]}}
    )
    assert call(server_config, "request", {"url": https_server.url("/json")})["statusCode"] == 200


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
