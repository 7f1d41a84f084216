"""The Qt bindings in use do not corrupt reference counts.

PySide6 6.12.0 drops a reference to ``True`` on every ``Signal.emit`` and one to ``None``
on every void method call; CPython 3.11 then aborts ("bool_dealloc" / "none_dealloc")
after a few thousand calls. pyproject.toml caps PySide6 below 6.12 for this reason: this
test fails if a build with the defect is installed.
"""

from __future__ import annotations

import subprocess
import sys

import pytest

pytestmark = pytest.mark.qt

SCRIPT = """
from finclip_desktop.shell.qtapp import application
from PySide6.QtCore import QObject, Signal
app = application()
class Emitter(QObject):
    ping = Signal(str)
e = Emitter()
e.ping.connect(lambda text: None)
for _ in range(20000):
    e.ping.emit("x")
    e.setObjectName("x")
    app.processEvents()
print("done")
"""


def test_many_emits_and_void_calls_do_not_abort_the_process():
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr[-500:]
    assert result.stdout.strip() == "done"
