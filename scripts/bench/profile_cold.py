"""Where the cold launch goes: `finclip run` of the tabbed example, phase by phase.

    .venv/bin/python scripts/bench/profile_cold.py [--runs 5] [--imports 15]

Spawns ``cold_run.py --phases`` (the real CLI with wall-clock stamps, see there) with fresh
user folders, alternated with the floor, and prints the median time of each phase from the
spawn; then one run under ``python -X importtime`` and the slowest imports (cumulative,
self) of that launch.
"""

from __future__ import annotations

import argparse
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

import bench  # noqa: E402  (scripts/bench.py)

PHASES = {
    "interpreter": "python start-up (interpreter, site, editable finder)",
    "cli-imported": "import finclip_desktop.cli",
    "shell-imported": "`run` parser, settings and policy, resolve + build_app (entry-point "
    "scan), then shell.core (PySide6, QtWebEngine, shell modules)",
    "qt-start": "shell.app, shell.instance",
    "qapplication": "QApplication created (web engine initialised)",
    "bundle-resolved": "instance check (local socket), Shell(), permissions",
    "container-created": "profile + page + channel + window (Container)",
    "load-started": "page.load() -> loadStarted",
    "load-finished": "index.html + view.js + service.js loaded, worker started",
    "painted": "first page rendered -> finclip:painted -> Python",
}
IMPORT_LINE = re.compile(r"import time:\s+(\d+) \|\s+(\d+) \|(\s*)(\S+)")


def phases(runs: int) -> dict[str, list[float]]:
    """Milliseconds from spawn to each phase; ``floor``: the floor, alternated with them."""
    out: dict[str, list[float]] = {name: [] for name in (*PHASES, "floor")}
    for _ in range(runs):
        out["floor"].append(bench.spawn_stamps(bench.FLOOR_CMD)["painted"] * 1000)
        stamps = bench.spawn_stamps(bench.cold_command(phases=True))
        for name in PHASES:
            if name in stamps:
                out[name].append(stamps[name] * 1000)
    return out


def imports(top: int) -> list[tuple[int, int, int, str]]:
    """(cumulative µs, self µs, depth, module) of the slowest imports of one launch."""
    cmd = bench.cold_command(phases=True)
    cmd.insert(1, "-X")
    cmd.insert(2, "importtime")
    with bench.user_dirs() as dirs:
        proc = subprocess.Popen(
            cmd,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=bench.qt_env(dirs),
            text=True,
            start_new_session=True,
        )
        assert proc.stdout is not None and proc.stderr is not None
        deadline = time.monotonic() + bench.SPAWN_TIMEOUT_S
        while time.monotonic() < deadline:
            line = proc.stdout.readline()
            if not line or line.startswith("painted"):
                break
        bench._kill_group(proc)
        err = proc.stderr.read()
    rows = []
    for match in IMPORT_LINE.finditer(err):
        own, cum, indent, name = match.groups()
        rows.append((int(cum), int(own), len(indent) // 2, name))
    return sorted(rows, reverse=True)[:top]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="profile the cold launch")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--imports", type=int, default=15, help="slowest imports to list")
    args = parser.parse_args(argv)
    data = phases(args.runs)
    print(f"cold launch phases, median of {args.runs} runs (ms since spawn, phase length)")
    previous = 0.0
    for name, what in PHASES.items():
        if not data[name]:
            print(f"  {name:<18} not reached")
            continue
        at = statistics.median(data[name])
        print(f"  {name:<18} {at:7.1f} {at - previous:+7.1f}  {what}")
        previous = at
    floor = statistics.median(data["floor"])
    print(f"  {'floor':<18} {floor:7.1f}          bare QWebEngineView, spawn -> first frame")
    print(f"\nslowest imports of one launch (python -X importtime), top {args.imports}")
    print(f"  {'cumulative':>10} {'self':>7}  module")
    for cum, own, depth, name in imports(args.imports):
        print(f"  {cum / 1000:8.1f}ms {own / 1000:5.1f}ms  {'  ' * depth}{name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
