"""Run the server inside this process on a loopback port (tests, demos, the shell's
own end-to-end checks)."""

from __future__ import annotations

import socket
import threading
import time
from dataclasses import dataclass

import uvicorn

from finclip_desktop.server.app import create_app
from finclip_desktop.server.config import Settings
from finclip_desktop.server.core import Server


@dataclass
class RunningServer:
    """``url`` is ``http://127.0.0.1:<port>``; ``admin_token`` is set on a first start."""

    url: str
    server: Server
    admin_token: str | None
    _uvicorn: uvicorn.Server
    _thread: threading.Thread
    _sock: socket.socket

    def stop(self) -> None:
        self._uvicorn.should_exit = True
        self._thread.join(10)
        self._sock.close()
        self.server.close()


def start(settings: Settings, port: int = 0, timeout: float = 10.0) -> RunningServer:
    """Bootstrap (migrations, keys, admin) and serve on 127.0.0.1 in a daemon thread."""
    server = Server(settings)
    token = server.bootstrap()
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    # Accepted sockets inherit this; without it small responses wait for a delayed ACK.
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    sock.bind(("127.0.0.1", port))
    config = uvicorn.Config(create_app(server), log_level="warning", lifespan="off")
    uv = uvicorn.Server(config)
    thread = threading.Thread(target=uv.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + timeout
    while not uv.started:
        if time.monotonic() > deadline or not thread.is_alive():
            uv.should_exit = True
            sock.close()
            raise RuntimeError("the embedded server did not start")
        time.sleep(0.02)
    url = f"http://127.0.0.1:{sock.getsockname()[1]}"
    return RunningServer(url, server, token, uv, thread, sock)
