"""The `finclip run` launch path (argument parser, settings, compile of a WeChat-syntax app,
shell) imports no network stack, no cryptography for a developer folder, no other command's
module, and does not build the capability registry: those wait for the first call that
needs them. The pure-Python part runs before PySide6 is imported (PySide reads the source
of every module imported after it). Building the registry imports no ssl, sqlite3, ...:
each family imports those at call time (see scripts/bench/README.md, cold-launch profile).
"""

from __future__ import annotations

import argparse
import importlib
import json
import subprocess
import sys
from pathlib import Path

from finclip_desktop import cli

ROOT = Path(__file__).resolve().parents[2]
LAUNCH = """
import json, sys
from finclip_desktop import cli
cli.build_parser("run")
from finclip_desktop.shell import commands
from finclip_desktop.shell.targets import developer_mode, resolve
settings = commands._start(no_sandbox=True, headless=True)
resolve(sys.argv[1], settings, developer_mode(settings, True))
qt_before_shell = "PySide6" in sys.modules
from finclip_desktop.shell import core
from finclip_desktop.capabilities import registry
launch = [m for m in sys.argv[2].split(",") if m in sys.modules]
registry_built = registry._default is not None
registry.default_registry()
print(json.dumps({"qt_before_shell": qt_before_shell, "imported": launch,
                  "registry_built": registry_built,
                  "registry_imported": [m for m in sys.argv[3].split(",") if m in sys.modules]}))
"""
NOT_AT_LAUNCH = [
    "httpx",
    "keyring",
    "websockets",
    "http.cookiejar",
    "cryptography",
    "finclip_desktop.store.store",
    "finclip_desktop.shell.dialogs",
    *(m for m in cli.COMMAND_MODULES if m != "finclip_desktop.shell.commands"),
]
NOT_FOR_THE_REGISTRY = [
    "httpx",
    "websockets",
    "ssl",
    "sqlite3",
    "secrets",
    "mimetypes",
    "platform",
]


def test_launch_path_imports_only_what_the_first_page_needs() -> None:
    proc = subprocess.run(
        [
            sys.executable,
            "-c",
            LAUNCH,
            str(ROOT / "resources" / "examples" / "tabbed"),
            ",".join(NOT_AT_LAUNCH),
            ",".join(NOT_FOR_THE_REGISTRY),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert json.loads(proc.stdout.splitlines()[-1]) == {
        "qt_before_shell": False,
        "imported": [],
        "registry_built": False,
        "registry_imported": [],
    }


def test_a_relaunch_never_loads_the_compiler() -> None:
    """The second launch of the same app finds its compiled view in the user cache: the
    compiler (and its regular expressions) is not even imported."""
    compiler = ["finclip_desktop.runtime.build", "finclip_desktop.runtime.compiler.wxml"]
    imported = []
    for _ in range(2):
        proc = subprocess.run(
            [sys.executable, "-c", LAUNCH, str(ROOT / "resources" / "examples" / "tabbed"),
             ",".join(compiler), ""],
            capture_output=True, text=True, timeout=120, cwd=ROOT,
        )  # fmt: skip
        assert proc.returncode == 0, proc.stderr[-2000:]
        imported.append(json.loads(proc.stdout.splitlines()[-1])["imported"])
    assert imported == [compiler, []]


def test_command_modules_name_the_subcommands_they_register() -> None:
    for module, names in cli.COMMAND_MODULES.items():
        sub = argparse.ArgumentParser().add_subparsers()
        importlib.import_module(module).register(sub)
        assert tuple(sub.choices) == names, module


def _commands(parser: argparse.ArgumentParser) -> set[str]:
    return set(parser._subparsers._group_actions[0].choices)  # type: ignore[union-attr]


def test_a_known_command_builds_its_own_parser_only() -> None:
    every = {n for names in cli.COMMAND_MODULES.values() for n in names}
    assert _commands(cli.build_parser()) == every
    assert _commands(cli.build_parser("no-such-command")) == every
    run = cli.build_parser("run")
    assert _commands(run) == {"run", "launcher"}
    assert run.format_usage() == cli.build_parser().format_usage()
