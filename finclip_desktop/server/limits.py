"""A cap on request bodies, so no endpoint can be fed endless data.

Package uploads (``POST /api/v1/apps/{id}/versions``) stream and enforce their own,
larger limit; every other body must declare a Content-Length within ``max_bytes``.
"""

from __future__ import annotations

import json
from typing import Any

from starlette.types import ASGIApp, Receive, Scope, Send

UPLOAD_SUFFIX = "/versions"


class BodyLimit:
    def __init__(self, app: ASGIApp, max_bytes: int = 8 * 1024 * 1024) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in ("GET", "HEAD", "OPTIONS"):
            await self.app(scope, receive, send)
            return
        if scope["path"].endswith(UPLOAD_SUFFIX):
            await self.app(scope, receive, send)
            return
        headers = {k.lower(): v for k, v in scope["headers"]}
        length = headers.get(b"content-length")
        if length is None and headers.get(b"transfer-encoding"):
            await _reject(send, 411, "a request body needs a Content-Length")
            return
        if length is not None and (not length.isdigit() or int(length) > self.max_bytes):
            await _reject(send, 413, f"request body is over {self.max_bytes} bytes")
            return
        await self.app(scope, receive, send)


async def _reject(send: Send, status: int, message: str) -> None:
    body = json.dumps({"error": message}).encode()
    start: dict[str, Any] = {
        "type": "http.response.start",
        "status": status,
        "headers": [
            (b"content-type", b"application/json"),
            (b"content-length", str(len(body)).encode()),
        ],
    }
    await send(start)
    await send({"type": "http.response.body", "body": body})
