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
from collections.abc import Sequence

from finclip_desktop import __version__

COMMAND_MODULES = [
    "finclip_desktop.package.commands",
    "finclip_desktop.devtools.commands",
    "finclip_desktop.server.commands",
    "finclip_desktop.store.commands",
    "finclip_desktop.shell.commands",
]


class CliError(Exception):
    """A user-facing failure: printed as ``finclip: <message>``, exit code ``code``."""

    def __init__(self, message: str, code: int = 1) -> None:
        super().__init__(message)
        self.code = code


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="finclip", description="Run, pack, sign and publish WeChat-syntax mini-programs."
    )
    parser.add_argument("--version", action="version", version=f"finclip {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except CliError as exc:
        print(f"finclip: {exc}", file=sys.stderr)
        return exc.code
    except BrokenPipeError:  # output piped into `head` and friends
        sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - silence the flush at exit
        return 0
    except KeyboardInterrupt:
        print("finclip: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
