"""wx.connectSocket: a SocketTask over a WebSocket client run by the host.

Uses ``websockets`` (its threaded ``sync`` client): a small, mature, pure-Python RFC 6455
implementation with TLS via the standard ``ssl`` module, message size limits and no
dependencies of its own. Only ``wss://`` URLs on the app's ``socket`` domain list are
reached. The TCP connection is opened here (through the app's proxy, see :mod:`.proxy`)
and handed to the client, so a redirect (which would skip the domain check) cannot be
followed and fails the connection.

Events (``taskEvent`` types): ``open {header, protocol}``, ``message {data}``,
``error {errMsg}``, ``close {code, reason}``. ``_operateTask`` operations: ``send {data}``
(String or ArrayBuffer) and ``close {code, reason}``; ``abort`` closes too.
"""

from __future__ import annotations

import socket
import threading
from concurrent.futures import Future, ThreadPoolExecutor
from typing import TYPE_CHECKING, Any

from finclip_desktop.capabilities import proxy
from finclip_desktop.capabilities.binary import decode_buffer, encode_buffer, is_buffer
from finclip_desktop.capabilities.errors import CapabilityError
from finclip_desktop.capabilities.network import check_url, clean_headers, timeout_s
from finclip_desktop.capabilities.registry import CallContext, Capability
from finclip_desktop.capabilities.schema import Arg
from finclip_desktop.capabilities.tasks import Task, tasks_of

if TYPE_CHECKING:  # websockets is imported by the calls that use it: not at launch
    from websockets.sync.client import ClientConnection

MAX_MESSAGE_BYTES = 16 * 1024 * 1024


class SocketTask:
    """One WebSocket connection: a reader thread plus an ordered sender."""

    def __init__(self, ctx: CallContext, task: Task, args: dict[str, Any]) -> None:
        self.ctx = ctx
        self.task = task
        self.url = check_url(ctx, "socket", args["url"], scheme="wss")
        self.headers = clean_headers(args.get("header"))
        self.protocols = [p for p in args.get("protocols") or [] if isinstance(p, str)]
        self.timeout = timeout_s(ctx, "connectSocket", args)
        self.conn: ClientConnection | None = None
        self.sender = ThreadPoolExecutor(1, f"finclip-socket-{task.task_id}")
        self._lock = threading.Lock()
        task.operations["send"] = self.send
        task.operations["close"] = self.close
        task.on_abort(lambda: self.close({"code": 1000, "reason": "abort"}))

    def start(self) -> None:
        threading.Thread(
            target=self._run, name=f"finclip-socket-{self.task.task_id}", daemon=True
        ).start()

    def _open(self) -> Any:
        """The connecting context manager (connects on enter)."""
        import ssl

        from websockets.sync.client import connect

        secure = self.url.scheme == "wss"
        port = self.url.port or (443 if secure else 80)
        context = self.ctx.settings.get("sslContext") or ssl.create_default_context()
        via = proxy.proxy_for(self.ctx, self.url.host)
        if via is None:
            sock = socket.create_connection((self.url.host, port), timeout=self.timeout)
        else:
            sock = proxy.tunnel(via, self.url.host, port, self.timeout)
        try:
            return connect(
                str(self.url),
                sock=sock,
                ssl=context if secure else None,
                server_hostname=self.url.host if secure else None,
                additional_headers=self.headers or None,
                subprotocols=self.protocols or None,  # type: ignore[arg-type]
                open_timeout=self.timeout,
                max_size=MAX_MESSAGE_BYTES,
                compression=None,
            )
        except BaseException:
            sock.close()
            raise

    def _run(self) -> None:
        from websockets.exceptions import InvalidStatus, WebSocketException

        try:
            with self._open() as conn:
                self._serve(conn)
        except CapabilityError as exc:
            self._fail(exc.reason)
        except InvalidStatus as exc:
            self._fail(f"handshake refused with HTTP {exc.response.status_code}")
        except ValueError as exc:
            self._fail("redirect refused" if "redirect" in str(exc) else str(exc))
        except (OSError, WebSocketException, TimeoutError) as exc:
            self._fail(" ".join(str(exc).split()) or type(exc).__name__)
        finally:
            self.sender.shutdown(wait=False)
            tasks_of(self.ctx).finish(self.task)

    def _serve(self, conn: ClientConnection) -> None:
        from websockets.exceptions import ConnectionClosed

        with self._lock:
            self.conn = conn
        if self.task.aborted.is_set():
            conn.close(1000, "abort")
        else:
            self.task.emit(
                "open", header=dict(conn.response.headers), protocol=conn.subprotocol or ""
            )
        try:
            for message in conn:
                data = message if isinstance(message, str) else encode_buffer(message)
                self.task.emit("message", data=data)
        except ConnectionClosed:
            pass
        self.task.emit("close", code=conn.close_code or 1006, reason=conn.close_reason or "")

    def _fail(self, reason: str) -> None:
        self.task.emit("error", errMsg=reason)
        self.task.emit("close", code=1006, reason=reason)

    def send(self, args: dict[str, Any]) -> Future[dict[str, Any]]:
        data = args.get("data")
        if is_buffer(data):
            payload: str | bytes = decode_buffer(data)
        elif isinstance(data, str):
            payload = data
        else:
            raise CapabilityError("parameter error: data should be String or ArrayBuffer")
        if len(payload) > MAX_MESSAGE_BYTES:
            raise CapabilityError(f"message exceeds {MAX_MESSAGE_BYTES} bytes")
        with self._lock:
            conn = self.conn
        if conn is None:
            raise CapabilityError("WebSocket is not connected")

        def deliver() -> dict[str, Any]:
            from websockets.exceptions import ConnectionClosed

            try:
                conn.send(payload)
            except ConnectionClosed:
                raise CapabilityError("WebSocket is not connected") from None
            return {}

        return self.sender.submit(deliver)

    def close(self, args: dict[str, Any]) -> dict[str, Any]:
        code = args.get("code", 1000)
        reason = args.get("reason", "")
        if not isinstance(code, int) or not (code == 1000 or 3000 <= code <= 4999):
            raise CapabilityError("parameter error: code should be 1000 or in 3000-4999")
        if not isinstance(reason, str) or len(reason.encode()) > 123:
            raise CapabilityError("parameter error: reason should be a String of 123 bytes")
        with self._lock:
            conn = self.conn
        if conn is None:
            self.task.aborted.set()
            return {}
        try:
            self.sender.submit(conn.close, code, reason)
        except RuntimeError:
            pass  # already closed and shut down
        return {}


def _connect(ctx: CallContext, args: dict[str, Any]) -> dict[str, Any]:
    check_url(ctx, "socket", args["url"], scheme="wss")
    task = tasks_of(ctx).start(ctx, args.get("taskId"), "socket")
    try:
        SocketTask(ctx, task, args).start()
    except BaseException:
        tasks_of(ctx).finish(task)
        raise
    return {"socketTaskId": task.task_id}


CAPABILITIES = [
    Capability(
        "connectSocket",
        _connect,
        {
            "url": Arg("String", required=True, max_len=8192),
            "header": Arg("Object", max_bytes=64 * 1024),
            "protocols": Arg("Array", max_len=16),
            "timeout": Arg("Number", min=0),
            "taskId": Arg("String", max_len=128),
        },
        kind="task",
    ),
]
