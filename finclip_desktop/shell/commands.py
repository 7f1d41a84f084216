"""`finclip run TARGET` and `finclip launcher`."""

from __future__ import annotations

import argparse
import math
import sys
from pathlib import Path
from typing import Any

from finclip_desktop.cli import CliError


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "run",
        help="run a mini-app (folder, .fcpkg or installed app id)",
        description="Run a mini-app in its own container. TARGET is a folder (developer "
        "mode), a signed .fcpkg, or the id of an installed app. A running FinClip takes "
        "the request over unless --screenshot/--dump-text is given; those runs refuse an "
        "app the running FinClip has open (its storage is in use).",
    )
    p.add_argument("target", help="folder, .fcpkg file, or installed app id")
    p.add_argument(
        "--screenshot",
        type=Path,
        metavar="FILE.png",
        help="save a screenshot after the first page is painted, then exit",
    )
    p.add_argument(
        "--dump-text",
        type=Path,
        metavar="FILE",
        help="write the first page's visible text, then exit",
    )
    p.add_argument(
        "--timeout",
        type=float,
        default=30.0,
        metavar="SECONDS",
        help="give up on --screenshot/--dump-text after this long (default 30)",
    )
    p.add_argument(
        "--trust",
        action="append",
        default=[],
        metavar="PUBKEY",
        help="also trust this signer key for a .fcpkg (key text or .pub file; repeatable)",
    )
    p.add_argument(
        "--dev",
        action="store_true",
        help="developer mode for this run (unsigned folders), unless policy forbids",
    )
    _add_sandbox(p)
    p.set_defaults(func=cmd_run)

    p = sub.add_parser(
        "launcher",
        help="open the launcher window",
        description="Open the launcher: installed apps, settings.",
    )
    _add_sandbox(p)
    p.set_defaults(func=cmd_launcher)


def _add_sandbox(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--no-sandbox",
        action="store_true",
        help="disable the web engine sandbox (needed as root, e.g. in CI)",
    )


def _start(no_sandbox: bool, headless: bool = False) -> Any:
    """Environment and settings, before anything imports Qt: the pure-Python part of a
    launch (settings, resolving and compiling the app) is imported before PySide6, whose
    import hook reads the source of every module imported after it."""
    from finclip_desktop.shell.bundle import BundleError
    from finclip_desktop.shell.qtapp import ShellStartError, prepare_environment
    from finclip_desktop.shell.targets import load_settings

    try:
        prepare_environment(no_sandbox, headless)
        return load_settings()
    except (ShellStartError, BundleError) as exc:
        raise CliError(str(exc)) from None


def cmd_run(args: argparse.Namespace) -> int:
    from finclip_desktop.shell.bundle import BundleError
    from finclip_desktop.shell.targets import developer_mode, resolve

    if not math.isfinite(args.timeout) or args.timeout <= 0:
        raise CliError("--timeout must be a positive number of seconds")
    if args.trust and not (Path(args.target).is_file() or args.target.endswith(".fcpkg")):
        raise CliError(
            "--trust applies to .fcpkg files only (folders are unsigned; installed apps are "
            "checked against the keys trusted in settings)"
        )
    automated = args.screenshot is not None or args.dump_text is not None
    settings = _start(args.no_sandbox, headless=automated)
    try:
        dev = developer_mode(settings, args.dev)
        bundle = resolve(args.target, settings, dev, args.trust)
    except BundleError as exc:
        raise CliError(str(exc)) from None
    if automated:
        return _run_automated(bundle, settings, dev, args)
    from finclip_desktop.shell.app import ShellApp

    target = str(Path(args.target).resolve()) if Path(args.target).exists() else args.target
    return ShellApp(settings, dev).run(
        {"target": target, "dev": args.dev, "trust": args.trust}, first=bundle
    )


def _run_automated(bundle: Any, settings: Any, dev: bool, args: argparse.Namespace) -> int:
    from finclip_desktop.shell.bundle import BundleError
    from finclip_desktop.shell.core import Shell
    from finclip_desktop.shell.testing import AppDriver

    shell = Shell(settings=settings, dev_mode=dev)
    try:
        try:
            driver = AppDriver(shell.open(bundle))
        except BundleError as exc:  # e.g. the app is open in the interactive FinClip
            raise CliError(str(exc)) from None
        try:
            driver.wait_painted(args.timeout)
        except (TimeoutError, RuntimeError) as exc:
            raise CliError(f"{bundle.app_id}: {exc}") from None
        if args.screenshot is not None:
            try:
                driver.screenshot(args.screenshot)
            except OSError as exc:
                raise CliError(str(exc)) from None
        if args.dump_text is not None:
            try:
                args.dump_text.write_text(driver.text() + "\n", encoding="utf-8")
            except OSError as exc:
                raise CliError(f"cannot write {args.dump_text}: {exc.strerror}") from None
    finally:
        shell.close_all()
        _flush()
    return 0


def _flush() -> None:
    from finclip_desktop.shell.testing import process_events

    process_events(0.1)
    sys.stdout.flush()


def cmd_launcher(args: argparse.Namespace) -> int:
    settings = _start(args.no_sandbox)
    from finclip_desktop.shell.app import ShellApp

    return ShellApp(settings).run(None)
