"""wx.connectSocket against a real WSS server on loopback."""

from __future__ import annotations

import time

import pytest

from finclip_desktop.capabilities.binary import decode_buffer, encode_buffer


@pytest.fixture
def ws_ctx(make_ctx, certs, wss_server):
    return make_ctx(
        domains={"socket": (wss_server.host,)}, settings={"sslContext": certs.client_context()}
    )


def wait_for(ctx, task_id, type_, count=1, timeout=10.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = [
            e for e in ctx.emit.of("taskEvent") if e["taskId"] == task_id and e["type"] == type_
        ]
        if len(found) >= count:
            return found
        time.sleep(0.01)
    raise AssertionError(f"no {type_} event for {task_id}: {ctx.emit.items}")


def test_open_send_receive_close(ws_ctx, call, wss_server):
    got = call(ws_ctx, "connectSocket", {"url": wss_server.url(), "taskId": "s1"})
    assert got == {"errMsg": "connectSocket:ok", "socketTaskId": "s1"}
    wait_for(ws_ctx, "s1", "open")
    sent = call(ws_ctx, "_operateTask", {"taskId": "s1", "operation": "send", "data": "hi 你好"})
    assert sent["errMsg"] == "_operateTask:ok"
    binary = {"taskId": "s1", "operation": "send", "data": encode_buffer(b"\x00\x01\xff")}
    assert call(ws_ctx, "_operateTask", binary)["errMsg"] == "_operateTask:ok"
    messages = wait_for(ws_ctx, "s1", "message", count=2)
    assert messages[0]["data"] == "hi 你好"
    assert decode_buffer(messages[1]["data"]) == b"\x00\x01\xff"
    closing = {"taskId": "s1", "operation": "close", "code": 1000, "reason": "done"}
    assert call(ws_ctx, "_operateTask", closing)["errMsg"] == "_operateTask:ok"
    (closed,) = wait_for(ws_ctx, "s1", "close")
    assert closed["code"] == 1000 and closed["reason"] == "done"


def test_server_close_is_reported(ws_ctx, call, wss_server):
    call(ws_ctx, "connectSocket", {"url": wss_server.url("/server-close"), "taskId": "s2"})
    (closed,) = wait_for(ws_ctx, "s2", "close")
    assert closed == {"taskId": "s2", "type": "close", "code": 4001, "reason": "bye from server"}
    late = call(ws_ctx, "_operateTask", {"taskId": "s2", "operation": "send", "data": "x"})
    assert late["errMsg"] == "_operateTask:fail task s2 is not running"


def test_refuses_disallowed_and_insecure_urls(ws_ctx, call, wss_server):
    got = call(ws_ctx, "connectSocket", {"url": f"ws://{wss_server.host}/"})
    assert got["errMsg"] == f"connectSocket:fail url must use wss:// (ws://{wss_server.host}/)"
    got = call(ws_ctx, "connectSocket", {"url": "wss://example.com/"})
    assert got["errMsg"] == (
        "connectSocket:fail url not in domain list: example.com is not allowed for socket"
    )


def test_redirect_is_refused(ws_ctx, call, wss_server):
    call(ws_ctx, "connectSocket", {"url": wss_server.url("/redirect"), "taskId": "s3"})
    (error,) = wait_for(ws_ctx, "s3", "error")
    assert error["errMsg"] == "redirect refused"
    assert not [e for e in ws_ctx.emit.of("taskEvent") if e["type"] == "open"]


def test_untrusted_certificate_fails(make_ctx, call, wss_server):
    ctx = make_ctx(domains={"socket": (wss_server.host,)})
    call(ctx, "connectSocket", {"url": wss_server.url(), "taskId": "s4"})
    (error,) = wait_for(ctx, "s4", "error")
    assert "CERTIFICATE_VERIFY_FAILED" in error["errMsg"]


def test_send_checks_and_task_limit(ws_ctx, call, wss_server):
    for i in range(5):
        call(ws_ctx, "connectSocket", {"url": wss_server.url(), "taskId": f"m{i}"})
    over = call(ws_ctx, "connectSocket", {"url": wss_server.url(), "taskId": "m5"})
    assert over["errMsg"] == "connectSocket:fail exceed max task count"
    wait_for(ws_ctx, "m0", "open")
    bad = call(ws_ctx, "_operateTask", {"taskId": "m0", "operation": "send", "data": 5})
    assert bad["errMsg"] == (
        "_operateTask:fail parameter error: data should be String or ArrayBuffer"
    )
    bad_code = call(ws_ctx, "_operateTask", {"taskId": "m0", "operation": "close", "code": 1})
    assert bad_code["errMsg"].startswith("_operateTask:fail parameter error: code")
    ws_ctx.close()  # closing the app closes its sockets
    for i in range(5):
        wait_for(ws_ctx, f"m{i}", "close")


def test_socket_goes_through_the_configured_proxy(make_ctx, call, certs, wss_server):
    from tests.capabilities.servers import RecordingProxy

    proxy, refusing = RecordingProxy(), RecordingProxy(refuse=True)
    try:
        ctx = make_ctx(
            domains={"socket": (wss_server.host,)},
            settings={"sslContext": certs.client_context(), "proxy": proxy.url},
        )
        call(ctx, "connectSocket", {"url": wss_server.url(), "taskId": "p1"})
        wait_for(ctx, "p1", "open")
        call(ctx, "_operateTask", {"taskId": "p1", "operation": "send", "data": "via proxy"})
        assert wait_for(ctx, "p1", "message")[0]["data"] == "via proxy"
        assert proxy.targets == [wss_server.host]
        refused = make_ctx(
            "com.example.refused",
            domains={"socket": (wss_server.host,)},
            settings={"sslContext": certs.client_context(), "proxy": refusing.url},
        )
        call(refused, "connectSocket", {"url": wss_server.url(), "taskId": "p2"})
        (error,) = wait_for(refused, "p2", "error")
        assert error["errMsg"] == (
            "the proxy refused the connection (407 Proxy Authentication Required)"
        )
        https_proxy = make_ctx(
            "com.example.https-proxy",
            domains={"socket": (wss_server.host,)},
            settings={"proxy": "https://127.0.0.1:1"},
        )
        call(https_proxy, "connectSocket", {"url": wss_server.url(), "taskId": "p3"})
        (error,) = wait_for(https_proxy, "p3", "error")
        assert error["errMsg"] == (
            "sockets can only use an http:// or socks5:// proxy, not https://127.0.0.1:1"
        )
    finally:
        proxy.close()
        refusing.close()


def test_socket_goes_through_a_socks5_proxy(make_ctx, call, certs, wss_server):
    """RFC 1928/1929 against a real SOCKS5 proxy on loopback; a wrong password fails."""
    from tests.capabilities.servers import Socks5Proxy

    proxy = Socks5Proxy(credentials=("user", "p@ss word"))
    try:
        url = proxy.url.replace("socks5://", "socks5://user:p%40ss%20word@")
        ctx = make_ctx(
            domains={"socket": (wss_server.host,)},
            settings={"sslContext": certs.client_context(), "proxy": url},
        )
        call(ctx, "connectSocket", {"url": wss_server.url(), "taskId": "s1"})
        wait_for(ctx, "s1", "open")
        call(ctx, "_operateTask", {"taskId": "s1", "operation": "send", "data": "via socks"})
        assert wait_for(ctx, "s1", "message")[0]["data"] == "via socks"
        assert proxy.targets == [wss_server.host]
        wrong = make_ctx(
            "com.example.wrong-password",
            domains={"socket": (wss_server.host,)},
            settings={"sslContext": certs.client_context(),
                      "proxy": proxy.url.replace("socks5://", "socks5://user:nope@")},
        )  # fmt: skip
        call(wrong, "connectSocket", {"url": wss_server.url(), "taskId": "s2"})
        (error,) = wait_for(wrong, "s2", "error")
        assert error["errMsg"] == "the SOCKS proxy refused the user name or password"
        assert proxy.targets == [wss_server.host]
    finally:
        proxy.close()
