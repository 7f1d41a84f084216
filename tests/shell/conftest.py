"""Shell test fixtures: the process's one QApplication, a harness per test, loopback
servers that record every connection attempt and datagram (to prove blocked requests never
arrive), and HTTPS servers of pages (``page_server``: a <web-view>'s remote site)."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator

import pytest

from finclip_desktop.shell.qtapp import application
from tests.pages import page_certs, page_server  # noqa: F401 - fixtures


@pytest.fixture(scope="session")
def qapp():
    return application()


@pytest.fixture
def harness(qapp) -> Iterator:
    from finclip_desktop.shell.testing import ShellHarness

    h = ShellHarness()
    yield h
    h.close()


class Listener:
    """A socket on 127.0.0.1 served by a daemon thread until :meth:`close`."""

    def __init__(self, kind: socket.SocketKind) -> None:
        self.sock = socket.socket(socket.AF_INET, kind)
        self.sock.bind(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.thread = threading.Thread(target=self._serve, daemon=True)

    def _serve(self) -> None:
        raise NotImplementedError

    def close(self) -> None:
        self.sock.close()


class Recorder(Listener):
    """A TCP server on 127.0.0.1 answering HTTP 200 and recording each request line."""

    def __init__(self) -> None:
        super().__init__(socket.SOCK_STREAM)
        self.sock.listen(64)
        self.hits: list[str] = []
        self.thread.start()

    @property
    def origin(self) -> str:
        return f"127.0.0.1:{self.port}"

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:  # closed
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


class UdpRecorder(Listener):
    """A UDP socket on 127.0.0.1 recording the size of every datagram it receives."""

    def __init__(self) -> None:
        super().__init__(socket.SOCK_DGRAM)
        self.hits: list[int] = []
        self.thread.start()

    def _serve(self) -> None:
        while True:
            try:
                data, _ = self.sock.recvfrom(65536)
            except OSError:  # closed
                return
            self.hits.append(len(data))


@pytest.fixture
def recorder() -> Iterator[Recorder]:
    r = Recorder()
    yield r
    r.close()


@pytest.fixture
def udp_recorder() -> Iterator[UdpRecorder]:
    r = UdpRecorder()
    yield r
    r.close()
