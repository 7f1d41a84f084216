"""`finclip install APP_ID` and `finclip update`: the client store from the command line."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from finclip_desktop.cli import CliError


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "install",
        help="install or update an app from the server",
        description="Download, verify and install the app the configured server offers "
        "(server_url in settings or policy).",
    )
    p.add_argument("app_id")
    p.add_argument("--root", type=Path, default=None,
                   help="root metadata file to pin (default: policy, else first use)")  # fmt: skip
    p.set_defaults(func=cmd_install)
    p = sub.add_parser(
        "update",
        help="check installed apps for updates and stage them",
        description="Download and verify new versions of installed apps; they become "
        "current at the next launch, or at once with --apply.",
    )
    p.add_argument("--apply", action="store_true", help="make staged updates current now")
    p.add_argument("--root", type=Path, default=None, help="root metadata file to pin")
    p.set_defaults(func=cmd_update)


def _store(args: argparse.Namespace) -> Any:
    from finclip_desktop.policy import PolicyError
    from finclip_desktop.settings import SettingsError, SettingsStore
    from finclip_desktop.store import Store, StoreError

    try:
        settings = SettingsStore().effective
        if not settings.server_url:
            raise CliError("no server configured: set server_url in settings or policy")
        return Store(settings, root_file=args.root)
    except (PolicyError, SettingsError, StoreError) as exc:
        raise CliError(str(exc)) from None


def _progress(done: int, total: int) -> None:
    if sys.stderr.isatty() and total:
        print(f"\r{done * 100 // total:3d}% of {total} bytes", end="", file=sys.stderr)


def cmd_install(args: argparse.Namespace) -> int:
    from finclip_desktop.store import StoreError

    store = _store(args)
    try:
        package = store.install(args.app_id, progress=_progress)
    except StoreError as exc:
        raise CliError(str(exc)) from None
    finally:
        store.close()
    if sys.stderr.isatty():
        print(file=sys.stderr)
    from finclip_desktop.shell.bundle import precompile

    precompile(package)  # its first launch needs no compile
    print(f"installed {package.manifest.app_id} {package.manifest.version}")
    return 0


def cmd_update(args: argparse.Namespace) -> int:
    from finclip_desktop.store import StoreError

    store = _store(args)
    try:
        updates = store.check_updates()
        for update in updates:
            change = f"{update.app_id} {update.installed_version} -> {update.version}"
            if not update.staged:
                print(f"{change}: not updated: {update.error}", file=sys.stderr)
                continue
            applied = args.apply or update.mandatory
            if applied:
                store.apply_update(update.app_id)
            state = "installed" if applied else "staged for the next launch"
            flag = " (mandatory)" if update.mandatory else ""
            print(f"{change}{flag}: {state}")
    except StoreError as exc:
        raise CliError(str(exc)) from None
    finally:
        store.close()
    if not updates:
        print("all apps are up to date")
    return 1 if any(not u.staged for u in updates) else 0
