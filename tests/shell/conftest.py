"""Shell test fixtures: the process's one QApplication, a harness per test, loopback
servers that record every connection attempt and datagram (to prove blocked requests never
arrive), and an HTTPS server of pages (a <web-view>'s remote site)."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from finclip_desktop.shell.qtapp import application


@pytest.fixture(scope="session")
def qapp():
    return application()


@pytest.fixture
def harness(qapp) -> Iterator:
    from finclip_desktop.shell.testing import ShellHarness

    h = ShellHarness()
    yield h
    h.close()


class Recorder:
    """A TCP server on 127.0.0.1 answering HTTP 200 and recording each request line."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(64)
        self.port = self.sock.getsockname()[1]
        self.hits: list[str] = []
        self._stop = False
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    @property
    def origin(self) -> str:
        return f"127.0.0.1:{self.port}"

    def _serve(self) -> None:
        while not self._stop:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            with conn:
                conn.settimeout(2)
                try:
                    first = conn.recv(4096).split(b"\r\n", 1)[0].decode("latin-1")
                except OSError:
                    first = "<no data>"
                self.hits.append(first or "<connect>")
                body = b"<h1>leaked</h1>"
                try:
                    conn.sendall(
                        b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n"
                        b"Access-Control-Allow-Origin: *\r\nContent-Length: "
                        + str(len(body)).encode()
                        + b"\r\n\r\n"
                        + body
                    )
                except OSError:
                    pass

    def close(self) -> None:
        self._stop = True
        self.sock.close()


@pytest.fixture
def recorder() -> Iterator[Recorder]:
    r = Recorder()
    yield r
    r.close()


class UdpRecorder:
    """A UDP socket on 127.0.0.1 recording the size of every datagram it receives."""

    def __init__(self) -> None:
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.hits: list[int] = []
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while True:
            try:
                data, _ = self.sock.recvfrom(65536)
            except OSError:
                return
            self.hits.append(len(data))

    def close(self) -> None:
        self.sock.close()


@pytest.fixture
def udp_recorder() -> Iterator[UdpRecorder]:
    r = UdpRecorder()
    yield r
    r.close()


class Pages:
    """An HTTPS server on 127.0.0.1 (certificate of a throwaway CA) answering GET ``path``
    with ``pages[path]`` as HTML (and ``headers[path]``), 404 otherwise; ``hits`` lists the
    paths asked for, ``cookies`` the ``(path, Cookie header)`` of each request."""

    def __init__(
        self, certs, pages: dict[str, str], headers: dict[str, dict[str, str]] | None = None
    ) -> None:
        hits = self.hits = []
        cookies = self.cookies = []
        extra = headers or {}

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - http.server API
                hits.append(self.path)
                cookies.append((self.path, self.headers.get("Cookie", "")))
                body = pages.get(self.path, "").encode()
                self.send_response(200 if self.path in pages else 404)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                for name, value in extra.get(self.path, {}).items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: object) -> None:  # noqa: A002
                return None

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.httpd.socket = certs.server_context().wrap_socket(self.httpd.socket, server_side=True)
        self.host = f"127.0.0.1:{self.httpd.server_address[1]}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def url(self, path: str) -> str:
        return f"https://{self.host}{path}"

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture(scope="module")
def certs(tmp_path_factory):
    from tests.capabilities.servers import make_certs

    return make_certs(tmp_path_factory.mktemp("shell-certs"))


@pytest.fixture
def https_pages(certs) -> Iterator:
    """``https_pages({path: html}, headers)`` starts a :class:`Pages` server (closed after
    the test)."""
    made: list[Pages] = []

    def start(pages: dict[str, str], headers: dict[str, dict[str, str]] | None = None) -> Pages:
        made.append(Pages(certs, pages, headers))
        return made[-1]

    yield start
    for server in made:
        server.close()
