"""Usage telemetry of running apps: launches, painted pages, bridge calls, app errors.

Only when a server is configured and telemetry is on (:func:`usage_for` returns None
otherwise). Events are written to the store's on-disk queue by a background thread (a
flood of bridge calls never waits for the disk on the UI thread); once written they survive
a crash. A timer sends them in the background; :meth:`Usage.flush` (called at shutdown)
waits for the send only up to a short budget: what is not sent stays queued for next time.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, QTimer

log = logging.getLogger(__name__)

FLUSH_INTERVAL_S = 60.0
SHUTDOWN_BUDGET_S = 2.0
LOGIC_ERROR_PREFIX = "[finclip logic] "  # the view's copy of a logic-layer (worker) error
UNCAUGHT_PREFIX = "Uncaught"

Invoke = Callable[..., "Future[dict[str, Any]]"]


def usage_for(settings: Any, store_dir: Path, parent: QObject | None = None) -> Usage | None:
    """A Usage recorder when a server is configured and telemetry is on, else None."""
    if not getattr(settings, "server_url", None) or not getattr(settings, "telemetry", False):
        return None
    from finclip_desktop.store.store import Store

    return Usage(Store(settings, directory=store_dir), parent=parent)


def call_failed(result: Any) -> bool:
    errmsg = result.get("errMsg") if isinstance(result, dict) else None
    return not isinstance(errmsg, str) or ":fail" in errmsg


def is_app_error(level: Any, message: str, source: str) -> bool:
    """Whether a console message is an app's JS error (counted once per error)."""
    if message.startswith(LOGIC_ERROR_PREFIX):
        return True
    is_error = getattr(level, "name", "") == "ErrorMessageLevel"
    # Worker errors reach us twice (from the worker and relayed by the view): count the relay.
    return is_error and message.startswith(UNCAUGHT_PREFIX) and not source.endswith("service.js")


class Usage(QObject):
    """Records usage events of the shell's apps through ``store`` (a ``Store``)."""

    def __init__(
        self, store: Any, interval_s: float = FLUSH_INTERVAL_S, parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self.store = store
        self.delivered = 0
        self.last_error: str | None = None
        self._records: queue.Queue[tuple[str, str, dict[str, Any]] | None] = queue.Queue()
        self._writer = threading.Thread(target=self._write_loop, name="finclip-usage", daemon=True)
        self._writer.start()
        self._sender: threading.Thread | None = None
        self._sender_lock = threading.Lock()
        self._timer = QTimer(self)
        self._timer.timeout.connect(self.flush_async)
        self._timer.start(int(interval_s * 1000))

    # -- events -------------------------------------------------------------------------
    def record(self, type_: str, app_id: str, **fields: Any) -> None:
        """Queue one event (returns at once; the disk write happens in the background)."""
        self._records.put((type_, app_id, fields))

    def launch(self, app_id: str) -> None:
        self.record("launch", app_id)

    def page_view(self, app_id: str, route: str) -> None:
        self.record("page_view", app_id, name=route or None)

    def api_call(self, app_id: str, api: str, ok: bool, duration_ms: float) -> None:
        self.record(
            "api_call", app_id, name=api, result="ok" if ok else "fail",
            duration_ms=round(duration_ms, 2),
        )  # fmt: skip

    def error(self, app_id: str, message: str) -> None:
        self.record("error", app_id, message=message)

    def wrap(self, invoke: Invoke) -> Invoke:
        """``invoke`` that also records every public API call (name, result, duration)."""

        def timed(ctx: Any, api: str, args: Any) -> Future[dict[str, Any]]:
            start = time.monotonic()
            future = invoke(ctx, api, args)
            if not api.startswith("_"):  # internal plumbing (_log, _operateTask) is not usage

                def settled(f: Future[dict[str, Any]]) -> None:
                    ok = not f.cancelled() and f.exception() is None and not call_failed(f.result())
                    self.api_call(ctx.app_id, api, ok, (time.monotonic() - start) * 1000)

                future.add_done_callback(settled)
            return future

        return timed

    def watch(self, container: Any) -> None:
        """Record a container's launch, painted pages and JS errors."""
        app_id = container.app_id
        self.launch(app_id)
        container.painted.connect(lambda route: self.page_view(app_id, route))
        container.page.console_message.connect(
            lambda level, message, _line, source: (
                self.error(app_id, message) if is_app_error(level, message, source) else None
            )
        )

    def _write_loop(self) -> None:
        while True:
            item = self._records.get()
            try:
                if item is None:
                    return
                type_, app_id, fields = item
                self.store.record_event(type_, app_id, **fields)
            except Exception as exc:  # noqa: BLE001 - a bad event must not stop recording
                log.warning("usage event dropped: %s", exc)
            finally:
                self._records.task_done()

    # -- sending ------------------------------------------------------------------------
    def flush_async(self) -> threading.Thread:
        """Send what is queued on a background thread (one send at a time)."""
        with self._sender_lock:
            if self._sender is None or not self._sender.is_alive():
                self._sender = threading.Thread(
                    target=self._send, name="finclip-usage-send", daemon=True
                )
                self._sender.start()
            return self._sender

    def _send(self) -> None:
        from finclip_desktop.store.errors import StoreError

        self._records.join()  # everything recorded so far is on disk
        try:
            self.delivered += self.store.flush_stats()
            self.last_error = None
        except StoreError as exc:  # offline or refused: the events stay queued on disk
            self.last_error = str(exc)
            log.info("usage events not sent yet: %s", exc)
        except Exception as exc:  # noqa: BLE001 - never kill the sender thread noisily
            self.last_error = str(exc)
            log.exception("sending usage events failed")

    def flush(self, timeout: float = SHUTDOWN_BUDGET_S) -> bool:
        """Send now, waiting at most ``timeout`` seconds; True when the send finished."""
        sender = self.flush_async()
        sender.join(timeout)
        return not sender.is_alive()

    def pending(self) -> int:
        """Events written to disk and not yet acknowledged by the server."""
        self._records.join()
        return self.store.stats.pending()
