"""The `finclip` command.

Each concern contributes its subcommands from its own ``commands`` module, which exposes
``register(subparsers)``; every subcommand sets ``func(args) -> int`` as its handler.
A :class:`CliError` raised by a handler is printed as one line and exits non-zero.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Callable, Sequence

from finclip_desktop import __version__

# Each commands module and the subcommands its ``register`` adds: `finclip NAME ...` imports
# and builds only NAME's module (a launch does not pay for every parser); `finclip --help`
# and anything else build them all (tests/bench/test_launch_imports.py keeps this in sync).
COMMAND_MODULES: dict[str, tuple[str, ...]] = {
    "finclip_desktop.package.commands": ("keygen", "pack", "verify", "inspect"),
    "finclip_desktop.devtools.commands": ("new", "doctor", "dev"),
    "finclip_desktop.server.commands": (
        "server", "publish", "review", "release", "promote", "rollback", "takedown",
        "restore", "apps", "admin", "login",
    ),
    "finclip_desktop.store.commands": ("install", "update"),
    "finclip_desktop.shell.commands": ("run", "launcher"),
}  # fmt: skip


class CliError(Exception):
    """A user-facing failure: printed as ``finclip: <message>``, exit code ``code``."""

    def __init__(self, message: str, code: int = 1) -> None:
        super().__init__(message)
        self.code = code


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The `finclip` parser; given a known subcommand, with that command's module only."""
    parser = argparse.ArgumentParser(
        prog="finclip", description="Run, pack, sign and publish WeChat-syntax mini-programs."
    )
    parser.add_argument("--version", action="version", version=f"finclip {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    modules = [m for m, names in COMMAND_MODULES.items() if command in names]
    for name in modules or COMMAND_MODULES:
        importlib.import_module(name).register(sub)
    return parser


def main(argv: Sequence[str] | None = None, report: Callable[[str], None] | None = None) -> int:
    """Run one command; ``report`` also gets a user error's line (the desktop entry's box)."""
    argv = sys.argv[1:] if argv is None else list(argv)
    args = build_parser(argv[0] if argv else None).parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except CliError as exc:
        print(f"finclip: {exc}", file=sys.stderr)
        if report is not None:
            report(str(exc))
        return exc.code
    except BrokenPipeError:  # output piped into `head` and friends
        sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - silence the flush at exit
        return 0
    except KeyboardInterrupt:
        print("finclip: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
