"""A desktop start's error in a message box.

Started from the desktop (the bundle's GUI entry: a double-clicked package, a
``finclip://`` link, the launcher's icon), FinClip has no terminal for its one-line error,
so the entry passes :func:`report` to ``cli.main``: the line goes to stderr as always, and
into a box when one can be seen.
"""

from __future__ import annotations

import os
import sys

from finclip_desktop.shell.qtapp import no_display

# Qt platforms that draw on no screen: a modal box there would wait for no one.
UNSEEN_PLATFORMS = frozenset({"offscreen", "minimal"})


def can_show() -> bool:
    """Whether a box would be seen: a display, on a Qt platform that draws on a screen."""
    platform = os.environ.get("QT_QPA_PLATFORM", "").split(":", 1)[0].strip()
    return not no_display() and platform not in UNSEEN_PLATFORMS


def show(message: str) -> None:
    """Show ``message`` in a modal error box until the user closes it (a QApplication is
    created when the error came before the shell's)."""
    from PySide6.QtWidgets import QApplication, QMessageBox

    _app = QApplication.instance() or QApplication([sys.argv[0] if sys.argv else "finclip"])
    QMessageBox(QMessageBox.Icon.Critical, "FinClip", message).exec()


def report(message: str) -> None:
    """The GUI entry's error reporter: a box when it can be seen."""
    if can_show():
        show(message)
