"""Run a callable on the Qt main thread, from any thread (queued signal)."""

from __future__ import annotations

import logging
from collections.abc import Callable

from PySide6.QtCore import QObject, Signal

log = logging.getLogger(__name__)


class _Relay(QObject):
    call = Signal(object)

    def __init__(self) -> None:
        super().__init__()
        self.call.connect(self._run)

    def _run(self, fn: Callable[[], None]) -> None:
        try:
            fn()
        except Exception:  # noqa: BLE001 - never into Qt's event loop
            log.exception("main-thread callback failed")


_relay: _Relay | None = None


def init_relay() -> None:
    """Create the relay; must be called once on the main thread after the QApplication."""
    global _relay
    if _relay is None:
        _relay = _Relay()


def call_in_main(fn: Callable[[], None]) -> None:
    """Queue ``fn`` to run on the main thread (also when called from the main thread)."""
    if _relay is None:
        raise RuntimeError("init_relay() was not called")
    _relay.call.emit(fn)
