"""Shell test fixtures: the process's one QApplication, a harness per test, a loopback
server that records every connection attempt (to prove blocked requests never arrive)."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator

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
