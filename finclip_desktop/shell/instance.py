"""One shell per user: the first process listens on a local socket, later ones hand over.

A request is one JSON line ``{"target", "dev", "trust"}`` (or ``{"launcher": true}``); the
answer one JSON line ``{"ok": true}`` (accepted: the instance opens the app afterwards and
shows any error itself) or ``{"error": "..."}`` (refused at once). The socket name is
derived from the user's data folder, so each user (and each test's private folder) has its
own instance; a crashed instance's socket is replaced.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QDir, QLockFile, QObject
from PySide6.QtNetwork import QLocalServer, QLocalSocket

log = logging.getLogger(__name__)

MAX_REQUEST = 64 * 1024
TIMEOUT_MS = 5000  # the running instance answers at once (it opens the app afterwards)
CONNECT_MS = 500


def server_name(data_root: str) -> str:
    return "finclip-" + hashlib.sha256(data_root.encode()).hexdigest()[:20]


def hand_over(name: str, request: dict[str, Any]) -> dict[str, Any] | None:
    """Send ``request`` to a running instance; None when there is none."""
    socket = QLocalSocket()
    socket.connectToServer(name)
    if not socket.waitForConnected(CONNECT_MS):
        return None
    socket.write(json.dumps(request).encode() + b"\n")
    socket.flush()
    data = b""
    while b"\n" not in data and socket.waitForReadyRead(TIMEOUT_MS):
        data += bytes(socket.readAll().data())
    socket.disconnectFromServer()
    try:
        answer = json.loads(data.split(b"\n", 1)[0])
    except ValueError:
        return {"error": "the running FinClip did not answer"}
    return answer if isinstance(answer, dict) else {"error": "bad answer"}


class InstanceRunning(RuntimeError):
    """Another live instance owns the name (it started meanwhile): hand over to it."""


class InstanceServer(QObject):
    """Listens for hand-overs; ``handler(request) -> error text or None``.

    The instance owns a lock file next to the socket first: only its owner listens, so a
    process starting at the same moment gets :class:`InstanceRunning` instead of replacing
    a live instance's socket (Qt's ``listen`` overwrites it). The lock of a crashed
    instance is taken over, and its stale socket removed."""

    def __init__(self, name: str, handler: Callable[[dict[str, Any]], str | None]) -> None:
        super().__init__()
        self.handler = handler
        self._lock = QLockFile(str(Path(QDir.tempPath()) / f"{name}.lock"))
        self._lock.setStaleLockTime(0)  # stale only when its process is gone
        if not self._lock.tryLock(0):
            raise InstanceRunning(f"another FinClip runs as {name}")
        self.server = QLocalServer(self)
        self.server.setSocketOptions(QLocalServer.SocketOption.UserAccessOption)
        if not self.server.listen(name):
            QLocalServer.removeServer(name)  # a stale socket of a crashed instance
            if not self.server.listen(name):
                self._lock.unlock()
                raise RuntimeError(f"cannot listen on {name}: {self.server.errorString()}")
        self.server.newConnection.connect(self._accept)

    def _accept(self) -> None:
        while self.server.hasPendingConnections():
            socket = self.server.nextPendingConnection()
            buffer = bytearray()

            def read(socket: QLocalSocket = socket, buffer: bytearray = buffer) -> None:
                buffer.extend(bytes(socket.readAll().data()))
                if len(buffer) > MAX_REQUEST:
                    socket.abort()
                    return
                if b"\n" in buffer:
                    self._answer(socket, bytes(buffer).split(b"\n", 1)[0])

            socket.readyRead.connect(read)
            socket.disconnected.connect(socket.deleteLater)

    def _answer(self, socket: QLocalSocket, line: bytes) -> None:
        try:
            request = json.loads(line)
            error = self.handler(request) if isinstance(request, dict) else "bad request"
        except Exception as exc:  # noqa: BLE001 - answer, never raise into Qt
            log.exception("hand-over failed")
            error = str(exc) or "internal error"
        socket.write(
            json.dumps({"ok": True} if error is None else {"error": error}).encode() + b"\n"
        )
        socket.flush()

    def close(self) -> None:
        self.server.close()
        self._lock.unlock()
