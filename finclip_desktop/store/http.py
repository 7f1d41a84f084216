"""The HTTP client of the distribution API: timeouts, retries with backoff, proxy, size caps.

Every response body is read with a cap (a hostile or broken server cannot make the client
read endless data); transport failures that survive the retries become ``OfflineError``.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, BinaryIO

import httpx

from finclip_desktop.package.canonical import strict_loads
from finclip_desktop.store.errors import (
    OfflineError,
    ResponseTooLargeError,
    ServerError,
    StoreError,
)

API = "/api/v1"
MAX_ERROR_BYTES = 16 * 1024
MAX_JSON_BYTES = 4 * 1024 * 1024
_RETRY_STATUS = frozenset({502, 503, 504})
CHANNEL_HEADER = "X-Finclip-Channel"  # the update channel, on device-authenticated calls


@dataclass(frozen=True)
class RetryPolicy:
    """``attempts`` tries in all; the wait doubles from ``backoff`` up to ``max_backoff``."""

    attempts: int = 4
    backoff: float = 0.25
    max_backoff: float = 4.0

    def delay(self, attempt: int) -> float:
        base = min(self.max_backoff, self.backoff * (2**attempt))
        return base * (0.5 + random.random() / 2)


def proxy_options(proxy: str) -> dict[str, Any]:
    """httpx options for the ``proxy`` setting: "system" (environment), "none", or a URL."""
    if proxy == "system":
        return {"trust_env": True}
    if proxy == "none":
        return {"trust_env": False}
    return {"trust_env": False, "proxy": proxy}


class ServerClient:
    """Talks to one server. ``auth`` returns the Authorization header value (or None);
    ``channel`` (the ``update_channel`` setting) goes with every device-authenticated call,
    so the server knows which channel's gray releases this device receives."""

    def __init__(
        self,
        base_url: str,
        proxy: str = "system",
        timeout: float = 15.0,
        retry: RetryPolicy = RetryPolicy(),
        auth: Callable[[], str | None] | None = None,
        on_unauthorized: Callable[[], bool] | None = None,
        channel: str | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.channel = channel
        self.retry = retry
        self._auth = auth
        self._on_unauthorized = on_unauthorized
        self.bytes_received = 0
        self.total_timeout = 4 * timeout
        self.http = httpx.Client(
            base_url=self.base_url,
            timeout=httpx.Timeout(timeout, connect=min(timeout, 5.0)),
            follow_redirects=False,
            headers={"User-Agent": "finclip-desktop-store/1", "Accept-Encoding": "identity"},
            **proxy_options(proxy),
        )

    def close(self) -> None:
        self.http.close()

    def _deadline(self) -> float:
        """Whole-response deadline for API calls (not package downloads, which resume):
        a server dripping bytes slowly cannot hold the client forever."""
        return time.monotonic() + self.total_timeout

    # -- low level ------------------------------------------------------------------------
    def _headers(self, extra: dict[str, str] | None, device: bool) -> dict[str, str]:
        headers = dict(extra or {})
        if device and self._auth is not None:
            value = self._auth()
            if value:
                headers["Authorization"] = value
            if self.channel:
                headers[CHANNEL_HEADER] = self.channel
        return headers

    @contextmanager
    def _open(
        self, method: str, path: str, device: bool, headers: dict[str, str] | None, **kw: Any
    ) -> Iterator[httpx.Response]:
        """A streamed response, after retries of transport errors and 502/503/504;
        a 401 re-registers the device once (``on_unauthorized``)."""
        reauthed = False
        attempt = 0
        while True:
            yielded = False
            try:
                with self.http.stream(
                    method, API + path, headers=self._headers(headers, device), **kw
                ) as resp:
                    retry_status = resp.status_code in _RETRY_STATUS
                    if retry_status and attempt + 1 < self.retry.attempts:
                        pass
                    elif (
                        resp.status_code == 401
                        and device
                        and not reauthed
                        and self._on_unauthorized is not None
                        and self._on_unauthorized()
                    ):
                        reauthed = True
                        continue
                    else:
                        yielded = True
                        yield resp
                        return
            except httpx.TransportError as exc:
                if yielded:
                    raise
                if attempt + 1 >= self.retry.attempts:
                    raise OfflineError(f"cannot reach {self.base_url}: {_reason(exc)}") from None
            attempt += 1
            time.sleep(self.retry.delay(attempt - 1))

    def _read(self, resp: httpx.Response, cap: int, what: str, sink: BinaryIO | None = None,
              progress: Callable[[int], None] | None = None,
              deadline: float | None = None) -> bytes:  # fmt: skip
        declared = resp.headers.get("Content-Length")
        if declared is not None and declared.isdigit() and int(declared) > cap:
            raise ResponseTooLargeError(f"{what}: server sent {declared} bytes, cap is {cap}")
        chunks: list[bytes] = []
        total = 0
        for chunk in resp.iter_raw():
            if deadline is not None and time.monotonic() > deadline:
                raise OfflineError(f"{what}: the server is too slow (slow retrieval)")
            total += len(chunk)
            self.bytes_received += len(chunk)
            if total > cap:
                raise ResponseTooLargeError(f"{what}: response exceeds the {cap} byte cap")
            if sink is not None:
                sink.write(chunk)
                if progress is not None:
                    progress(len(chunk))
            else:
                chunks.append(chunk)
        return b"".join(chunks)

    def _check(self, resp: httpx.Response, what: str) -> None:
        if resp.status_code < 400:
            return
        try:
            body = self._read(resp, MAX_ERROR_BYTES, what)
            message = strict_loads(body).get("error", "")
        except (StoreError, ValueError, AttributeError):
            message = ""
        except httpx.HTTPError:
            message = ""
        raise ServerError(
            f"{what}: server answered {resp.status_code} {message or resp.reason_phrase}".strip(),
            resp.status_code,
        )

    # -- API calls ------------------------------------------------------------------------
    def get_bytes(self, path: str, cap: int, device: bool = True) -> bytes:
        return self._get(path, cap, device, None)[1]

    def get_if_changed(self, path: str, cap: int, etag: str) -> bytes | None:
        """GET with ``If-None-Match: etag``; None when the server answers 304 (unchanged)."""
        status, body = self._get(path, cap, True, {"If-None-Match": etag})
        return None if status == 304 else body

    def _get(
        self, path: str, cap: int, device: bool, headers: dict[str, str] | None
    ) -> tuple[int, bytes]:
        what = f"GET {path}"
        try:
            with self._open("GET", path, device, headers) as resp:
                self._check(resp, what)
                return resp.status_code, self._read(resp, cap, what, deadline=self._deadline())
        except httpx.TransportError as exc:
            raise OfflineError(f"{what} interrupted: {_reason(exc)}") from None

    def get_json(self, path: str, cap: int = MAX_JSON_BYTES, device: bool = True) -> Any:
        return _json(self.get_bytes(path, cap, device), path)

    def post_json(self, path: str, body: Any, cap: int = MAX_JSON_BYTES,
                  device: bool = True) -> Any:  # fmt: skip
        return _json(self.post_bytes(path, body, cap, device), path)

    def post_bytes(self, path: str, body: Any, cap: int, device: bool = True) -> bytes:
        what = f"POST {path}"
        try:
            with self._open("POST", path, device, None, json=body) as resp:
                self._check(resp, what)
                return self._read(resp, cap, what, deadline=self._deadline())
        except httpx.TransportError as exc:
            raise OfflineError(f"{what} interrupted: {_reason(exc)}") from None

    def download(
        self,
        path: str,
        sink: BinaryIO,
        offset: int,
        total: int,
        etag: str,
        progress: Callable[[int], None] | None = None,
    ) -> int:
        """Append bytes ``offset..total`` of a package to ``sink`` (Range resume);
        return how many bytes were written. Restarts from 0 when the server ignores Range."""
        headers = {"Range": f"bytes={offset}-", "If-Range": etag} if offset else {}
        what = f"GET {path}"
        try:
            with self._open("GET", path, True, headers) as resp:
                self._check(resp, what)
                if offset and resp.status_code != 206:
                    sink.seek(0)
                    sink.truncate()
                    offset = 0
                before = sink.tell()
                self._read(resp, total - offset, what, sink, progress)
                return sink.tell() - before
        except httpx.TransportError as exc:
            raise OfflineError(f"{what} interrupted: {_reason(exc)}") from None


def _json(body: bytes, path: str) -> Any:
    try:
        return strict_loads(body)
    except ValueError as exc:
        raise ServerError(f"{path}: the server sent invalid JSON ({exc})") from None


def _reason(exc: Exception) -> str:
    text = str(exc).strip() or type(exc).__name__
    return text.splitlines()[0][:200]
