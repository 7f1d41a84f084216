"""The bindings' emit defect cannot abort a process that uses the shell's QApplication."""

from __future__ import annotations

import subprocess
import sys

import pytest

pytestmark = pytest.mark.qt

SCRIPT = """
from finclip_desktop.shell.qtapp import application
from PySide6.QtCore import QObject, Signal
application()
class Emitter(QObject):
    ping = Signal(str)
e = Emitter()
e.ping.connect(lambda text: None)
for _ in range(20000):
    e.ping.emit("x")
print("done")
"""


def test_many_signal_emits_do_not_abort_the_process():
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr[-500:]
    assert result.stdout.strip() == "done"
