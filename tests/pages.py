"""Loopback servers of given pages: the remote sites of ``<web-view>`` and other frames in
the shell and conformance tests (a pytest plugin of tests/conftest.py).

``page_server({path: html}, headers=None, tls=True)`` starts a :class:`PageServer` for one
test; ``page_certs`` is the throwaway CA whose certificate it presents.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from http.server import BaseHTTPRequestHandler

import pytest

from tests.capabilities.servers import Certs, HttpsServer, make_certs


class PageServer(HttpsServer):
    """Answers GET ``path`` (query included) with ``pages[path]`` as HTML, plus
    ``headers[path]``; 404 otherwise. ``hits`` lists the paths asked for, ``cookies`` the
    ``(path, Cookie header)`` of each request. Plain HTTP when ``certs`` is None."""

    def __init__(
        self,
        certs: Certs | None,
        pages: Mapping[str, str | bytes],
        headers: Mapping[str, Mapping[str, str]] | None = None,
    ) -> None:
        hits: list[str] = []
        cookies: list[tuple[str, str]] = []
        self.hits, self.cookies, extra = hits, cookies, headers or {}

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - http.server API
                hits.append(self.path)
                cookies.append((self.path, self.headers.get("Cookie", "")))
                page = pages.get(self.path, b"")
                body = page.encode() if isinstance(page, str) else page
                self.send_response(200 if self.path in pages else 404)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                for name, value in extra.get(self.path, {}).items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: object) -> None:  # noqa: A002
                return None

        super().__init__(certs, Handler)


@pytest.fixture(scope="module")
def page_certs(tmp_path_factory) -> Certs:
    return make_certs(tmp_path_factory.mktemp("page-certs"))


@pytest.fixture
def page_server(page_certs) -> Iterator[Callable[..., PageServer]]:
    """Starts :class:`PageServer` s (TLS with :func:`page_certs` unless ``tls=False``),
    closed after the test."""
    made: list[PageServer] = []

    def start(
        pages: Mapping[str, str | bytes],
        headers: Mapping[str, Mapping[str, str]] | None = None,
        tls: bool = True,
    ) -> PageServer:
        made.append(PageServer(page_certs if tls else None, pages, headers))
        return made[-1]

    yield start
    for server in made:
        server.close()
