"""wx.request, wx.downloadFile and wx.uploadFile, performed by the host with httpx.

Only ``https`` URLs whose host is on the app's domain list for that kind are reached (see
:func:`allowed_hosts`), and every redirect is checked again. Response sizes are capped;
the timeout (the call's ``timeout``, else the app's ``networkTimeout``) is a deadline for
the whole task, however slowly the server answers; cookies are kept per app in
``data_dir/cookies.txt``. TLS is verified against the system roots, or against
``ctx.settings["sslContext"]`` (an ``ssl.SSLContext``) when one is given. The proxy comes
from ``ctx.settings["proxy"]`` (:mod:`.proxy`).
"""

from __future__ import annotations

import json
import os
import re
import socket
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import closing
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, urlencode

from finclip_desktop.capabilities import proxy, wxfile
from finclip_desktop.capabilities.binary import decode_buffer, encode_buffer, is_buffer
from finclip_desktop.capabilities.domains import effective_domains
from finclip_desktop.capabilities.errors import CapabilityError
from finclip_desktop.capabilities.files import writable
from finclip_desktop.capabilities.quota import TmpWriter, check_quota, check_tmp
from finclip_desktop.capabilities.registry import CallContext, Capability
from finclip_desktop.capabilities.schema import Arg, json_text, usv
from finclip_desktop.capabilities.tasks import Task, tasks_of

if TYPE_CHECKING:  # httpx is imported by the calls that use it: not at launch
    import httpx

METHODS = ("OPTIONS", "GET", "HEAD", "POST", "PUT", "DELETE", "TRACE", "CONNECT", "PATCH")
DEFAULT_TIMEOUT_MS = 60_000
MAX_REDIRECTS = 10
MAX_RESPONSE_BYTES = 10 * 1024 * 1024  # request; settings["maxResponseBytes"]
MAX_DOWNLOAD_BYTES = 200 * 1024 * 1024  # downloadFile; settings["maxDownloadBytes"]
MAX_UPLOAD_BYTES = 100 * 1024 * 1024
CHUNK = 64 * 1024
CREDENTIALS = {"authorization", "cookie", "proxy-authorization"}
FORBIDDEN_HEADERS = {"host", "content-length", "connection", "transfer-encoding", "referer"}
COOKIE_FILE = "cookies.txt"
PROGRESS_INTERVAL_S = 0.1
_TOKEN = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+")


# -- policy ---------------------------------------------------------------------------------
def allowed_hosts(ctx: CallContext, kind: str) -> set[str]:
    """Hosts (``host`` or ``host:port``) a call of ``kind`` may reach: the manifest's list,
    limited, for an app the server delivered, to the server's signed list for it
    (``settings["domains"]``: a host must be on both)."""
    declared = ctx.manifest.domains if ctx.manifest is not None else {}
    return set(effective_domains(declared, ctx.settings.get("domains")).get(kind, ()))


LOOPBACK_HOSTS = ("localhost", "127.0.0.1", "::1")
INSECURE = {"https": "http", "wss": "ws"}


def check_url(ctx: CallContext, kind: str, url: str, scheme: str = "https") -> httpx.URL:
    """The parsed URL if it may be reached for ``kind``; else CapabilityError.

    Plain ``http``/``ws`` is allowed only to a listed loopback host, in developer mode with
    ``settings["allowHttpLocalhost"]`` (the user's or policy's ``allow_http_localhost``).
    """
    import httpx

    try:
        parsed = httpx.URL(url)
    except (httpx.InvalidURL, TypeError, UnicodeError):
        raise CapabilityError(f"invalid url {url!r}") from None
    local_plain = (
        parsed.scheme == INSECURE[scheme]
        and (parsed.host or "").lower() in LOOPBACK_HOSTS
        and ctx.dev_mode
        and bool(ctx.settings.get("allowHttpLocalhost"))
    )
    if parsed.scheme != scheme and not local_plain:
        raise CapabilityError(f"url must use {scheme}:// ({url})")
    if not parsed.host or parsed.userinfo:
        raise CapabilityError(f"invalid url {url!r}")
    host = parsed.host.lower()
    hosts = allowed_hosts(ctx, kind)
    if (parsed.port is None and host in hosts) or f"{host}:{parsed.port}" in hosts:
        return parsed
    shown = host if parsed.port is None else f"{host}:{parsed.port}"
    raise CapabilityError(f"url not in domain list: {shown} is not allowed for {kind}")


def timeout_s(ctx: CallContext, kind: str, args: Mapping[str, Any]) -> float:
    ms = args.get("timeout") or ctx.settings.get("networkTimeout", {}).get(kind)
    return (ms if isinstance(ms, int | float) and ms > 0 else DEFAULT_TIMEOUT_MS) / 1000


def clean_headers(header: Mapping[str, Any] | None) -> dict[str, str]:
    """The call's headers as text (non-ASCII values go as UTF-8); hop-by-hop and
    host-controlled ones dropped, names that are not HTTP tokens refused."""
    out = {}
    for name, value in (header or {}).items():
        if name.lower() in FORBIDDEN_HEADERS or value is None:
            continue
        text = usv(value if isinstance(value, str) else json_text(value))
        if any(c in text for c in "\r\n\x00"):
            raise CapabilityError(f"parameter error: header {name} has a line break")
        if not _TOKEN.fullmatch(name):
            raise CapabilityError(f"parameter error: header name {usv(name)!r} is not valid")
        out[name] = text
    return out


def encoded_headers(headers: Mapping[str, str]) -> dict[str, bytes]:
    return {name: value.encode("utf-8") for name, value in headers.items()}


# -- per-app session ------------------------------------------------------------------------
class HttpSession:
    """An app's httpx client and its persisted cookie jar."""

    def __init__(self, ctx: CallContext) -> None:
        from http.cookiejar import LWPCookieJar

        import httpx

        self.path = Path(ctx.data_dir) / COOKIE_FILE
        self.jar = LWPCookieJar(str(self.path))
        if self.path.exists():
            try:
                self.jar.load(ignore_discard=True)
            except (OSError, ValueError):
                pass  # a damaged cookie file is dropped, not fatal
        self.client = httpx.Client(
            verify=ctx.settings.get("sslContext") or True,
            cookies=self.jar,
            follow_redirects=False,
            **proxy.httpx_options(ctx),
        )
        self._save_lock = threading.Lock()

    def save_cookies(self) -> None:
        """Write the jar atomically (a concurrent response may add a cookie: retry once)."""
        import secrets

        with self._save_lock:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            tmp = self.path.with_suffix(f".{secrets.token_hex(4)}.tmp")
            try:
                self.jar.save(str(tmp), ignore_discard=True)
            except RuntimeError:
                self.jar.save(str(tmp), ignore_discard=True)
            os.replace(tmp, self.path)

    def close(self) -> None:
        self.client.close()


def session_of(ctx: CallContext) -> HttpSession:
    return ctx.resource("http", lambda: HttpSession(ctx))


def interrupter(response: httpx.Response) -> Callable[[], None]:
    """A function that breaks the response's connection from another thread, so a read
    blocked on a silent server returns at once (closing the response would wait for it)."""

    def interrupt() -> None:
        if response.is_closed:  # read to the end (or closed): its connection may be reused
            return
        stream = response.extensions.get("network_stream")
        sock = stream.get_extra_info("socket") if stream is not None else None
        if isinstance(sock, socket.socket):
            try:
                socket.socket.shutdown(sock, socket.SHUT_RDWR)  # the TCP socket, even if TLS
            except OSError:
                pass  # already closed

    return interrupt


def open_response(
    ctx: CallContext,
    task: Task,
    kind: str,
    method: str,
    url: httpx.URL,
    headers: dict[str, str],
    content: bytes | Callable[[], Iterator[bytes]] | None,
) -> httpx.Response:
    """Send and follow redirects, re-checking each target; returns a streaming response.

    A streamed body is given as a function making the iterator, so a 307/308 can resend it.
    Each network phase may take what is left of the task's deadline.
    """
    session = session_of(ctx)
    for _hop in range(MAX_REDIRECTS + 1):
        task.check()
        request = session.client.build_request(
            method,
            url,
            headers=encoded_headers(headers),
            content=content() if callable(content) else content,
            timeout=task.remaining(),
        )
        response = session.client.send(request, stream=True)
        task.on_abort(interrupter(response))
        if task.stopped():  # stopped while sending: the reason, not a response
            response.close()
            task.check()
        if not response.is_redirect:
            return response
        location = response.headers.get("location", "")
        response.close()
        try:
            target = check_url(ctx, kind, str(response.url.join(location)))
        except CapabilityError as exc:
            raise CapabilityError(f"redirect refused: {exc.reason}") from None
        if (target.host, target.port) != (url.host, url.port):  # credentials stay at home
            headers = {k: v for k, v in headers.items() if k.lower() not in CREDENTIALS}
        url = target
        if response.status_code == 303 or (
            response.status_code in (301, 302) and method not in ("GET", "HEAD")
        ):
            method, content = "GET", None
            headers = {k: v for k, v in headers.items() if k.lower() != "content-type"}
    raise CapabilityError("too many redirects")


def _content_length(response: httpx.Response) -> int:
    try:
        return max(int(response.headers.get("content-length", "0") or 0), 0)
    except ValueError:
        return 0


def read_body(
    task: Task, response: httpx.Response, limit: int, sink: Any = None, progress: bool = False
) -> bytes:
    """Read the body (into ``sink`` if given), failing past ``limit`` bytes."""
    expected = _content_length(response)
    if expected > limit:
        raise CapabilityError(f"response exceeds {limit} bytes")
    chunks, got, last = [], 0, 0.0
    for chunk in response.iter_bytes(CHUNK):
        task.check()
        got += len(chunk)
        if got > limit:
            raise CapabilityError(f"response exceeds {limit} bytes")
        if sink is None:
            chunks.append(chunk)
        else:
            sink.write(chunk)
        now = time.monotonic()
        if progress and (now - last >= PROGRESS_INTERVAL_S or got == expected):
            last = now
            task.emit(
                "progressUpdate",
                progress=min(100, got * 100 // expected) if expected else 0,
                totalBytesWritten=got,
                totalBytesExpectedToWrite=expected,
            )
    task.check()
    return b"".join(chunks)


def run_task(
    ctx: CallContext, args: Mapping[str, Any], kind: str, group: str, work: Any
) -> dict[str, Any]:
    """Run ``work(task)`` as a task within its deadline (``timeout`` / ``networkTimeout``
    of ``kind``), turning transport errors into clear fail reasons (WeChat's ``timeout``
    and ``abort`` among them)."""
    import httpx

    session = session_of(ctx)
    task = tasks_of(ctx).start(ctx, args.get("taskId"), group)
    task.set_deadline(timeout_s(ctx, kind, args))
    try:
        return work(task)
    except (httpx.HTTPError, httpx.StreamError, OSError, CapabilityError) as exc:
        task.check()  # a passed deadline or an abort is the reason, whatever broke
        if isinstance(exc, CapabilityError):
            raise
        if isinstance(exc, httpx.TimeoutException):
            raise CapabilityError("timeout") from None
        reason = " ".join(str(exc).split()) or type(exc).__name__
        raise CapabilityError(f"network error: {reason}") from None
    finally:
        tasks_of(ctx).finish(task)
        session.save_cookies()


# -- wx.request -----------------------------------------------------------------------------
def encode_data(
    method: str, url: httpx.URL, data: Any, headers: dict[str, str]
) -> tuple[httpx.URL, bytes | None]:
    """WeChat's rules: GET data goes to the query; otherwise JSON or form by content-type."""
    if data is None:
        return url, None
    if method == "GET":
        if isinstance(data, Mapping) and not is_buffer(data):
            query = urlencode({usv(k): _form_value(v) for k, v in data.items()})
        elif isinstance(data, str):  # as given, with what a URL cannot hold escaped
            query = quote(usv(data), safe="!#$%&'()*+,/:;=?@[]~")
        else:
            return url, None
        if not query:
            return url, None
        joined = f"{url.query.decode()}&{query}" if url.query else query
        return url.copy_with(query=joined.encode()), None
    if is_buffer(data):
        return url, decode_buffer(data)
    if isinstance(data, str):
        return url, usv(data).encode("utf-8")
    content_type = next((v for k, v in headers.items() if k.lower() == "content-type"), "")
    if "application/x-www-form-urlencoded" in content_type.lower() and isinstance(data, Mapping):
        return url, urlencode({usv(k): _form_value(v) for k, v in data.items()}).encode()
    return url, json_text(data).encode("utf-8")


def _form_value(value: Any) -> str:
    if isinstance(value, str):
        return usv(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    return json_text(value)


def _decode_text(response: httpx.Response, body: bytes) -> str:
    text = body.decode(response.charset_encoding or "utf-8", errors="replace")
    return text.removeprefix("\ufeff")


def _request(ctx: CallContext, args: dict[str, Any]) -> dict[str, Any]:
    method = args.get("method", "GET").upper()
    if method not in METHODS:
        raise CapabilityError(f"parameter error: method should be one of {', '.join(METHODS)}")
    url = check_url(ctx, "request", args["url"])
    headers = clean_headers(args.get("header"))
    if not any(k.lower() == "content-type" for k in headers):
        headers["content-type"] = "application/json"
    url, content = encode_data(method, url, args.get("data"), headers)
    limit = int(ctx.settings.get("maxResponseBytes", MAX_RESPONSE_BYTES))

    def work(task: Task) -> dict[str, Any]:
        with closing(open_response(ctx, task, "request", method, url, headers, content)) as resp:
            header = dict(resp.headers)
            task.emit("headersReceived", header=header, statusCode=resp.status_code)
            body = read_body(task, resp, limit)
        if args.get("responseType") == "arraybuffer":
            data: Any = encode_buffer(body)
        else:
            data = _decode_text(resp, body)
            if args.get("dataType", "json") == "json":
                try:
                    data = json.loads(data)
                except ValueError:
                    pass  # WeChat hands back the text when it is not JSON
        return {
            "data": data,
            "statusCode": resp.status_code,
            "header": header,
            "cookies": resp.headers.get_list("set-cookie"),
        }

    return run_task(ctx, args, "request", "request", work)


# -- wx.downloadFile ------------------------------------------------------------------------
def _download(ctx: CallContext, args: dict[str, Any]) -> dict[str, Any]:
    url = check_url(ctx, "downloadFile", args["url"])
    headers = clean_headers(args.get("header"))
    target = writable(ctx, args["filePath"], "downloadFile") if "filePath" in args else None
    limit = int(ctx.settings.get("maxDownloadBytes", MAX_DOWNLOAD_BYTES))

    def work(task: Task) -> dict[str, Any]:
        suffix = Path(url.path).suffix
        temp, temp_path = wxfile.new_file(ctx.data_dir, "tmp", suffix)
        part = temp.with_name(temp.name + ".part")
        try:
            with closing(open_response(ctx, task, "downloadFile", "GET", url, headers, None)) as r:
                task.emit("headersReceived", header=dict(r.headers), statusCode=r.status_code)
                check_tmp(ctx, min(_content_length(r), limit))
                with part.open("wb") as f:
                    read_body(task, r, limit, sink=TmpWriter(ctx, f), progress=True)
                    f.flush()
                    os.fsync(f.fileno())
            if target is not None:
                check_quota(ctx, part.stat().st_size, replacing=target)
                target.parent.mkdir(parents=True, exist_ok=True)
                os.replace(part, target)
                return {"filePath": args["filePath"], "statusCode": r.status_code}
            os.replace(part, temp)
            return {"tempFilePath": temp_path, "statusCode": r.status_code}
        finally:
            part.unlink(missing_ok=True)

    return run_task(ctx, args, "downloadFile", "transfer", work)


# -- wx.uploadFile --------------------------------------------------------------------------
def _quote_field(text: str) -> str:
    return quote(usv(text), safe=" !#$&'()*+,-./:;<=>?@[]^_`{|}~")


def multipart(
    name: str, filename: str, content: bytes, fields: Mapping[str, Any]
) -> tuple[str, bytes]:
    """A multipart/form-data body: the form fields, then the file."""
    import mimetypes
    import secrets

    boundary = f"----FinClipFormBoundary{secrets.token_hex(12)}"
    parts = []
    for key, value in fields.items():
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{_quote_field(key)}"\r\n\r\n'
            f"{_form_value(value)}\r\n".encode()
        )
    mime = mimetypes.guess_type(filename)[0] or "application/octet-stream"
    parts.append(
        f'--{boundary}\r\nContent-Disposition: form-data; name="{_quote_field(name)}"; '
        f'filename="{_quote_field(filename)}"\r\nContent-Type: {mime}\r\n\r\n'.encode()
    )
    parts.append(content + f"\r\n--{boundary}--\r\n".encode())
    return f"multipart/form-data; boundary={boundary}", b"".join(parts)


def _upload(ctx: CallContext, args: dict[str, Any]) -> dict[str, Any]:
    url = check_url(ctx, "uploadFile", args["url"])
    source = wxfile.resolve(ctx.data_dir, args["filePath"])
    if not source.is_file():
        raise CapabilityError(f"file not found: {args['filePath']}")
    if source.stat().st_size > MAX_UPLOAD_BYTES:
        raise CapabilityError(f"file exceeds {MAX_UPLOAD_BYTES} bytes")
    content_type, body = multipart(
        args["name"], source.name, source.read_bytes(), args.get("formData") or {}
    )
    headers = clean_headers(args.get("header"))
    headers = {k: v for k, v in headers.items() if k.lower() != "content-type"}
    headers.update({"content-type": content_type, "content-length": str(len(body))})
    limit = int(ctx.settings.get("maxResponseBytes", MAX_RESPONSE_BYTES))

    def work(task: Task) -> dict[str, Any]:
        def chunks() -> Iterator[bytes]:
            last = 0.0
            for start in range(0, len(body), CHUNK):
                task.check()
                piece = body[start : start + CHUNK]
                yield piece
                sent = start + len(piece)
                now = time.monotonic()
                if now - last >= PROGRESS_INTERVAL_S or sent == len(body):
                    last = now
                    task.emit(
                        "progressUpdate",
                        progress=sent * 100 // len(body),
                        totalBytesSent=sent,
                        totalBytesExpectedToSend=len(body),
                    )

        with closing(open_response(ctx, task, "uploadFile", "POST", url, headers, chunks)) as r:
            task.emit("headersReceived", header=dict(r.headers), statusCode=r.status_code)
            data = _decode_text(r, read_body(task, r, limit))
        return {"data": data, "statusCode": r.status_code}

    return run_task(ctx, args, "uploadFile", "transfer", work)


_COMMON = {
    "url": Arg("String", required=True, max_len=8192),
    "header": Arg("Object", max_bytes=64 * 1024),
    "timeout": Arg("Number", min=0),
    "taskId": Arg("String", max_len=128),
}

CAPABILITIES = [
    Capability(
        "request",
        _request,
        {
            **_COMMON,
            "data": Arg(
                "String|Object|Array|ArrayBuffer|Number|Boolean", max_bytes=MAX_UPLOAD_BYTES
            ),
            "method": Arg("String"),
            "dataType": Arg("String"),
            "responseType": Arg("String", enum=("text", "arraybuffer")),
        },
        kind="task",
        blocking=True,
    ),
    Capability(
        "downloadFile",
        _download,
        {**_COMMON, "filePath": Arg("String", max_len=1024)},
        kind="task",
        blocking=True,
    ),
    Capability(
        "uploadFile",
        _upload,
        {
            **_COMMON,
            "filePath": Arg("String", required=True, max_len=1024),
            "name": Arg("String", required=True, max_len=256),
            "formData": Arg("Object", max_bytes=1024 * 1024),
        },
        kind="task",
        blocking=True,
    ),
]
