"""`finclip new | doctor | dev`."""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from finclip_desktop.cli import CliError
from finclip_desktop.devtools.scaffold import (
    DEFAULT_TEMPLATE,
    TEMPLATE_DESCRIPTIONS,
    ScaffoldError,
    available_templates,
    create_app,
)


def register(sub: argparse._SubParsersAction) -> None:
    templates = "; ".join(f"{k}: {v}" for k, v in TEMPLATE_DESCRIPTIONS.items())
    p = sub.add_parser(
        "new",
        help="create a mini-program from a template",
        description=f"Create a mini-program folder from a template ({templates}).",
    )
    p.add_argument(
        "name", type=Path, nargs="?", help="folder to create; its name is the app's name"
    )
    p.add_argument("-t", "--template", default=DEFAULT_TEMPLATE, help="template (default: blank)")
    p.add_argument("--app-id", help="app id (default: dev.NAME)")
    p.add_argument("--list", action="store_true", help="list the templates and exit")
    p.set_defaults(func=cmd_new)

    p = sub.add_parser(
        "doctor",
        help="check this computer can run FinClip, and say what to fix",
        description="Check the managed policy, settings, data folders, user, web engine "
        "sandbox, that Qt WebEngine starts, the management server and the keyring.",
    )
    p.add_argument("--server", help="check this server URL instead of the configured one")
    p.add_argument(
        "--policy",
        type=Path,
        metavar="FILE",
        help="check this policy file instead of the installed one (before deploying it)",
    )
    p.add_argument("--no-webengine", action="store_true", help="skip starting the web engine")
    p.add_argument("--probe-webengine", action="store_true", help=argparse.SUPPRESS)
    p.set_defaults(func=cmd_doctor)

    p = sub.add_parser(
        "dev",
        help="run a mini-program folder with hot reload and devtools",
        description="Run a mini-program folder in developer mode: saving a file recompiles "
        "what changed and reloads the current page, console output appears here with its "
        "source location, errors show in an overlay, and the inspector is one key away (F12).",
    )
    p.add_argument("dir", type=Path, help="the mini-program folder")
    p.add_argument("--no-devtools", action="store_true", help="do not open the inspector")
    p.add_argument(
        "--no-sandbox",
        action="store_true",
        help="run the web engine without its sandbox (needed as root, e.g. in containers)",
    )
    p.add_argument(
        "--remote-debugging",
        type=int,
        metavar="PORT",
        help="also serve the Chrome DevTools protocol on 127.0.0.1:PORT (open "
        "chrome://inspect in Chrome or Chromium: the page and its logic-layer worker)",
    )
    p.add_argument("--screenshot", type=Path, help="write a PNG of the first painted page")
    p.add_argument(
        "--exit-after", type=float, metavar="SECONDS", help="quit after this many seconds"
    )
    p.set_defaults(func=cmd_dev)


def cmd_new(args: argparse.Namespace) -> int:
    if args.list:
        for name in available_templates():
            print(f"{name:<10} {TEMPLATE_DESCRIPTIONS.get(name, '')}")
        return 0
    if args.name is None:
        raise CliError("new: give the folder to create, like `finclip new demo --template tabbed`")
    try:
        app_id, name = create_app(args.name, args.template, app_id=args.app_id)
    except ScaffoldError as exc:
        raise CliError(str(exc)) from None
    print(f"created {args.name} ({args.template} template): app id {app_id}, name {name!r}")
    print("next:")
    print(f"  finclip dev {args.name}        run it with hot reload and devtools")
    print(f"  finclip pack {args.name} --key KEY   pack and sign it (finclip keygen --out KEY)")
    return 0


def cmd_doctor(args: argparse.Namespace) -> int:
    from finclip_desktop.devtools import doctor

    if args.probe_webengine:
        return doctor.run_probe()
    if args.policy is not None:
        from finclip_desktop.policy import POLICY_ENV

        if not args.policy.is_file():
            raise CliError(f"--policy {args.policy}: no such file")
        os.environ[POLICY_ENV] = str(args.policy)
    checks = doctor.run_checks(server_url=args.server, webengine=not args.no_webengine)
    for check in checks:
        print("\n".join(check.lines()))
    failed = [c for c in checks if c.status == doctor.FAIL]
    warned = [c for c in checks if c.status == doctor.WARN]
    print(f"\n{len(failed)} problem(s), {len(warned)} warning(s)")
    return 1 if failed else 0


def cmd_dev(args: argparse.Namespace) -> int:
    from finclip_desktop.devtools.devloop import run_dev

    return run_dev(args)
