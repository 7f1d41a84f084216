"""Work-arounds for defects of the Qt bindings in use.

PySide6 6.12.0 ``SignalInstance.emit`` releases a reference to ``True`` it never took
(every emit from Python). After a few hundred emits CPython frees ``True`` and the process
aborts ("Fatal Python error: bool_dealloc"). :func:`protect_bools` detects the defect and
gives ``True`` and ``False`` a reference reserve no process can exhaust (what CPython
3.12+ does for them anyway: they are immortal there). With fixed bindings it does nothing.
"""

from __future__ import annotations

import ctypes
import sys

RESERVE = 1 << 40
_done = False


def emit_leaks_true() -> bool:
    """Whether a Python-side ``Signal.emit`` drops a reference to ``True``."""
    from PySide6.QtCore import QObject, Signal

    class _Probe(QObject):
        ping = Signal()

    probe = _Probe()
    before = sys.getrefcount(True)
    probe.ping.emit()
    leaked = sys.getrefcount(True) < before
    if leaked:
        ctypes.pythonapi.Py_IncRef(ctypes.py_object(True))  # give back the probe's loss
    return leaked


def protect_bools() -> None:
    """Apply the work-around once per process when the defect is present."""
    global _done
    if _done:
        return
    _done = True
    if emit_leaks_true():
        for value in (True, False):
            ctypes.c_ssize_t.from_address(id(value)).value += RESERVE
