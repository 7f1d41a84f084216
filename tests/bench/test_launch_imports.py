"""The `finclip run` launch path (argument parser, shell, compile of a WeChat-syntax app)
imports no network stack and does not build the capability registry: those wait for the
first call that needs them (see scripts/bench/README.md, cold-launch profile)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LAUNCH = """
import json, sys
from pathlib import Path
from finclip_desktop import cli
cli.build_parser()
from finclip_desktop.shell import core
from finclip_desktop.shell.bundle import load_folder
load_folder(Path(sys.argv[1]))
from finclip_desktop.capabilities import registry
heavy = ("httpx", "keyring", "websockets", "http.cookiejar", "finclip_desktop.store.store")
print(json.dumps({"imported": [m for m in heavy if m in sys.modules],
                  "registry_built": registry._default is not None}))
"""


def test_launch_path_imports_no_network_stack_and_builds_no_registry() -> None:
    proc = subprocess.run(
        [sys.executable, "-c", LAUNCH, str(ROOT / "resources" / "examples" / "tabbed")],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert json.loads(proc.stdout.splitlines()[-1]) == {
        "imported": [],
        "registry_built": False,
    }
