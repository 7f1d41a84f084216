"""Entry point of the bundled `finclip` executable (and of FinClip.exe on Windows).

One executable is both the desktop application and the command line. The desktop entry
(``Exec=finclip %U``), the macOS app and the Windows shortcut start it with no arguments,
or with the one file or link the user opened; those open the launcher or run that app:

    finclip                          -> finclip launcher
    finclip file:///a/b/app.fcpkg    -> finclip run /a/b/app.fcpkg
    finclip /a/b/app.fcpkg           -> finclip run /a/b/app.fcpkg
    finclip finclip://com.corp.app/  -> finclip run com.corp.app   (an installed app)

Anything else is the `finclip` command line as usual (``finclip --help``). A checkout's or
pip's `finclip` (no bundle) keeps printing its usage when given no arguments. A start by the
desktop has no terminal: its one-line error is also shown in a box (``shell.errorbox``).
"""

from __future__ import annotations

import sys
from urllib.parse import unquote, urlsplit

from finclip_desktop.cli import main


def gui_argv(argv: list[str]) -> list[str]:
    """The command line for what the desktop passed (see the module docstring)."""
    if not argv:
        return ["launcher"]
    if len(argv) != 1:
        return argv
    parts = urlsplit(argv[0])
    if parts.scheme == "file" and parts.netloc in ("", "localhost"):
        path = unquote(parts.path)
        if sys.platform == "win32" and path[2:3] == ":":  # file:///C:/x -> C:/x
            path = path[1:]
        return ["run", path]
    if parts.scheme == "finclip" and parts.netloc:
        return ["run", unquote(parts.netloc)]
    if len(parts.scheme) <= 1 and argv[0].lower().endswith(".fcpkg"):  # a path (C:\... too)
        return ["run", argv[0]]
    return argv


def started_by_desktop(argv: list[str]) -> bool:
    """Whether the desktop started this process (nothing, or the one file or link it
    opens): not a command line, so errors are also shown in a box."""
    return gui_argv(argv) != argv


def run(argv: list[str]) -> int:
    """The executable: ``argv`` as the desktop or a command line gave it."""
    if not started_by_desktop(argv):
        return main(argv)
    from finclip_desktop.shell.errorbox import report

    return main(gui_argv(argv), report=report)


if __name__ == "__main__":
    sys.exit(run(sys.argv[1:]))
