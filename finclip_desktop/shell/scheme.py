"""The ``finclip://<appId>/...`` scheme handler of one app's profile.

It serves only the bytes of that app's :class:`AppBundle`, from memory: ``GET`` of a known
path answers the file with its MIME type and a strict Content-Security-Policy; anything
else is a 404 (unknown path, other app's host) or refused (other methods). The one
exception is the synchronous bridge: ``POST /__bridge__/invoke`` from the app's own origin,
its call (``{api, args}`` JSON, percent-encoded) in the ``X-Finclip-Call`` header: reading
request bodies (``requestBody()``) crashes the PySide6 versions this project supports. A
header over :data:`MAX_BRIDGE_HEADER` is refused by its size, unread (the runtime does not
send calls over the bridge's limit at all).
"""

from __future__ import annotations

import json
import logging
import posixpath
from collections.abc import Callable
from pathlib import Path
from urllib.parse import unquote

from PySide6.QtCore import QBuffer, QByteArray, QObject
from PySide6.QtWebEngineCore import QWebEngineUrlRequestJob, QWebEngineUrlSchemeHandler

from finclip_desktop.shell.bridge import MAX_ARGS_BYTES, TOO_BIG
from finclip_desktop.shell.bundle import AppBundle

log = logging.getLogger(__name__)

CSP = (
    "default-src 'self'; script-src 'self'; worker-src 'self'; "
    "style-src 'self' 'unsafe-inline'; img-src 'self' data: blob: https: wxfile:; "
    "media-src 'self' blob: https: wxfile:; font-src 'self' data:; connect-src 'self'; "
    "frame-src https:; object-src 'none'; base-uri 'none'; form-action 'none'; "
    "frame-ancestors 'none'"
)
SECURITY_HEADERS = {
    b"Content-Security-Policy": CSP.encode(),
    b"X-Content-Type-Options": b"nosniff",
    b"Cache-Control": b"no-store",
    b"Referrer-Policy": b"no-referrer",
}
# Developer mode with plain http to localhost allowed: <web-view> may frame a local page.
LOCAL_FRAMES = "frame-src https: http://localhost:* http://127.0.0.1:*;"  # CSP has no IPv6 literals
DEV_LOCALHOST_HEADERS = {
    **SECURITY_HEADERS,
    b"Content-Security-Policy": CSP.replace("frame-src https:;", LOCAL_FRAMES).encode(),
}
BRIDGE_PATH = "__bridge__/invoke"
BRIDGE_HEADER = b"X-Finclip-Call"
# A call of MAX_ARGS_BYTES (UTF-8) percent-encodes to at most 3 times as many characters.
MAX_BRIDGE_HEADER = 3 * MAX_ARGS_BYTES
JSON_TYPE = b"application/json;charset=utf-8"
# The types an app serves most, answered without ``mimetypes`` (its first lookup reads the
# system's MIME database: ~5 ms on the first page's first request); and types it lacks.
_KNOWN_TYPES = {
    ".html": "text/html",
    ".css": "text/css",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
    ".js": "text/javascript",
    ".mjs": "text/javascript",
    ".json": "application/json",
    ".wxml": "text/plain",
    ".wxss": "text/css",
    ".wxs": "text/javascript",
    ".svg": "image/svg+xml",
    ".webp": "image/webp",
    ".woff2": "font/woff2",
    ".wasm": "application/wasm",
}

# (body bytes, reply(json bytes)) -> None ; set by the container for the sync bridge.
SyncInvoke = Callable[[bytes, Callable[[bytes], None]], None]


def mime_type(path: str) -> str:
    ext = posixpath.splitext(path)[1].lower()
    if ext in _KNOWN_TYPES:
        return _KNOWN_TYPES[ext]
    import mimetypes

    return mimetypes.guess_type(path)[0] or "application/octet-stream"


def content_type(path: str) -> bytes:
    mime = mime_type(path)
    if mime.startswith("text/") or mime in ("application/json", "image/svg+xml"):
        return f"{mime};charset=utf-8".encode()
    return mime.encode()


def reply(
    job: QWebEngineUrlRequestJob, ctype: bytes, data: bytes, headers: dict[bytes, bytes]
) -> None:
    """Answer ``job`` with ``data`` and the security ``headers``."""
    # PySide maps the QMultiMap as {name: [values]}.
    job.setAdditionalResponseHeaders({QByteArray(k): [QByteArray(v)] for k, v in headers.items()})
    buffer = QBuffer(job)
    buffer.setData(QByteArray(data))
    job.reply(ctype, buffer)


class AppSchemeHandler(QWebEngineUrlSchemeHandler):
    """Serves one app's bundle; installed on that app's profile only."""

    def __init__(
        self, bundle: AppBundle, dev_localhost: bool = False, parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self.bundle = bundle
        self.dev_localhost = dev_localhost  # frames from http://localhost allowed (dev mode)
        self.sync_invoke: SyncInvoke | None = None
        self.served: list[str] = []  # paths answered (tests and diagnostics)
        self._pending: set[QWebEngineUrlRequestJob] = set()

    def requestStarted(self, job: QWebEngineUrlRequestJob) -> None:  # noqa: N802 - Qt API
        try:
            self._handle(job)
        except Exception:  # noqa: BLE001 - never into Qt
            log.exception("finclip scheme handler failed")
            job.fail(QWebEngineUrlRequestJob.Error.RequestFailed)

    def _handle(self, job: QWebEngineUrlRequestJob) -> None:
        url = job.requestUrl()
        method = bytes(job.requestMethod().data()).decode("latin-1").upper()
        if url.host() != self.bundle.app_id:
            job.fail(QWebEngineUrlRequestJob.Error.UrlNotFound)
            return
        initiator = job.initiator()
        # Only the app's own documents, or the browser itself (no initiator: the container
        # loading the entry page). Opaque origins ("null": data: and sandboxed frames, also
        # those a <web-view> page nests) and other origins get nothing.
        if initiator.isValid() and initiator.toString() != self.bundle.origin:
            job.fail(QWebEngineUrlRequestJob.Error.RequestDenied)
            return
        path = unquote(url.path()).lstrip("/")
        if path == BRIDGE_PATH:
            self._bridge(job, method)
            return
        if method not in ("GET", "HEAD"):
            job.fail(QWebEngineUrlRequestJob.Error.RequestDenied)
            return
        if path == "" or path.endswith("/"):
            path += "index.html" if path else self.bundle.entry
        data = self.bundle.files.get(path)
        if data is None or posixpath.normpath(path) != path:
            job.fail(QWebEngineUrlRequestJob.Error.UrlNotFound)
            return
        self.served.append(path)
        del self.served[:-500]
        self._reply(job, content_type(path), data)

    def _reply(self, job: QWebEngineUrlRequestJob, ctype: bytes, data: bytes) -> None:
        headers = DEV_LOCALHOST_HEADERS if self.dev_localhost else SECURITY_HEADERS
        reply(job, ctype, data, headers)

    def _bridge(self, job: QWebEngineUrlRequestJob, method: str) -> None:
        initiator = job.initiator().toString()
        if method != "POST" or initiator != self.bundle.origin or self.sync_invoke is None:
            job.fail(QWebEngineUrlRequestJob.Error.RequestDenied)
            return
        body = bridge_call(job.requestHeaders())
        if body is None:  # refused before its bytes were read
            self._reply(job, JSON_TYPE, json.dumps({"errMsg": f"bridge:fail {TOO_BIG}"}).encode())
            return
        self._pending.add(job)
        job.destroyed.connect(lambda *_: self._pending.discard(job))

        def answer(payload: bytes) -> None:
            if job not in self._pending:
                return  # the page gave up (navigated away, closed)
            self._pending.discard(job)
            try:
                self._reply(job, JSON_TYPE, payload)
            except RuntimeError:  # the job was deleted meanwhile
                pass

        self.sync_invoke(body, answer)


def bridge_call(headers: dict) -> bytes | None:
    """The sync bridge call carried in a request's headers: b"" when absent, None when over
    :data:`MAX_BRIDGE_HEADER` (sized in Qt's own buffer: its bytes are never copied)."""
    for name, value in headers.items():
        if bytes(name.data()).lower() != BRIDGE_HEADER.lower():
            continue
        value = value[0] if isinstance(value, list) else value
        if value.size() > MAX_BRIDGE_HEADER:
            return None
        return unquote(bytes(value.data()).decode("latin-1")).encode()
    return b""


class WxfileSchemeHandler(QWebEngineUrlSchemeHandler):
    """Serves ``wxfile://usr|tmp|store/...`` from the app's own data folder (GET only);
    paths that escape it are refused by ``capabilities.wxfile.resolve``."""

    def __init__(self, data_dir: Path, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.data_dir = data_dir

    def requestStarted(self, job: QWebEngineUrlRequestJob) -> None:  # noqa: N802 - Qt API
        try:
            self._handle(job)
        except Exception:  # noqa: BLE001 - never into Qt
            log.exception("wxfile scheme handler failed")
            job.fail(QWebEngineUrlRequestJob.Error.RequestFailed)

    def _handle(self, job: QWebEngineUrlRequestJob) -> None:
        from finclip_desktop.capabilities.errors import CapabilityError
        from finclip_desktop.capabilities.wxfile import resolve

        method = bytes(job.requestMethod().data()).decode("latin-1").upper()
        if method not in ("GET", "HEAD"):
            job.fail(QWebEngineUrlRequestJob.Error.RequestDenied)
            return
        url = job.requestUrl()
        wx_path = f"wxfile://{url.host()}{unquote(url.path())}"
        try:
            real = resolve(self.data_dir, wx_path)
            data = real.read_bytes() if real.is_file() else None
        except (CapabilityError, OSError):
            data = None
        if data is None:
            job.fail(QWebEngineUrlRequestJob.Error.UrlNotFound)
            return
        reply(job, content_type(real.name), data, SECURITY_HEADERS)
