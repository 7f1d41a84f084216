#!/usr/bin/env python3
"""FinClip Desktop benchmark: every figure measured in one run, next to the floor it is
compared with (a bare QtWebEngine process painting a tiny page on this same machine).

    .venv/bin/python scripts/bench.py            # human table
    .venv/bin/python scripts/bench.py --json     # one JSON object
    .venv/bin/python scripts/bench.py --runs 5   # measured runs per figure (after a warm-up)
    .venv/bin/python scripts/bench.py --quick    # fewest samples (smoke test, ~30 s)

Every part runs in its own process, offscreen, with fresh user folders. What each figure
spans is documented in scripts/bench/README.md. A figure that cannot be measured is null
with a reason in "reasons", never made up.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
BENCH = Path(__file__).resolve().parent / "bench"
TABBED = ROOT / "resources" / "examples" / "tabbed"
QT_ENV = {
    "QT_QPA_PLATFORM": "offscreen",
    "QTWEBENGINE_CHROMIUM_FLAGS": "--disable-gpu --disable-background-networking",
}
AS_ROOT = hasattr(os, "geteuid") and os.geteuid() == 0
SPAWN_TIMEOUT_S = 60
PYCACHE = str(Path(tempfile.gettempdir()) / "finclip-bench-pycache")
PART_TIMEOUT_S = 600
MEMORY_RUNS = 3  # memory is steady; more runs only cost time

# figure -> the target it must stay at or below (issue 7, DESIGN.md section 5).
TARGETS: dict[str, float] = {
    "cold_launch_ratio": 1.5,
    "warm_launch_ms": 150,
    "setdata_p50_ms": 5,
    "list1000_first_render_ms": 100,
    "update_one_file_fraction": 0.10,
    "update_unchanged_bytes": 0,
    "framework_js_gzip_kb": 60,
}


class BenchError(RuntimeError):
    """A part of the benchmark could not run; ``str()`` is one line."""


# -- processes ------------------------------------------------------------------------------
@contextmanager
def user_dirs(cache: str | None = None) -> Iterator[dict[str, str]]:
    """Fresh XDG folders (and no policy file) for one process; ``cache``: a cache folder
    kept across processes instead of a fresh one."""
    with tempfile.TemporaryDirectory(prefix="finclip-bench-") as tmp:
        env = {"FINCLIP_POLICY_FILE": str(Path(tmp) / "no-policy.json")}
        for var in ("DATA", "CONFIG", "CACHE", "STATE", "RUNTIME"):
            path = Path(tmp) / var.lower()
            path.mkdir(mode=0o700)
            env[f"XDG_{var}_HOME" if var != "RUNTIME" else "XDG_RUNTIME_DIR"] = str(path)
        if cache is not None:
            env["XDG_CACHE_HOME"] = cache
        yield env


def child_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    """The environment of a measured process: bytecode is cached (in PYCACHE, not the
    source tree), as it is after a pip install, whatever PYTHONDONTWRITEBYTECODE says here;
    the warm-up run of each figure fills that cache."""
    env = dict(os.environ, **(extra or {}))
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPYCACHEPREFIX"] = PYCACHE
    return env


def qt_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    env = child_env({**QT_ENV, **(extra or {})})
    if AS_ROOT:  # Chromium's sandbox cannot run as root; benchmarks only.
        env["QTWEBENGINE_DISABLE_SANDBOX"] = "1"
    return env


def _kill_group(proc: subprocess.Popen) -> None:
    """Kill the process group of ``proc`` (it and the web engine processes it started)."""
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    proc.wait(timeout=10)


def spawn_lines(
    cmd: list[str], env: dict[str, str], until: str, timeout: float = SPAWN_TIMEOUT_S
) -> tuple[float, dict[str, list[str]]]:
    """Spawn ``cmd`` (own process group), read ``<name> <values...>`` lines until one named
    ``until``; return the spawn wall-clock time and the lines by name. The process group is
    killed afterwards (the shell itself never exits)."""
    start = time.time()
    proc = subprocess.Popen(
        cmd,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        env=env,
        text=True,
        start_new_session=True,
    )
    lines: dict[str, list[str]] = {}
    watchdog = threading.Timer(timeout, _kill_group, (proc,))  # ends a silent hang
    watchdog.start()
    try:
        assert proc.stdout is not None
        for line in proc.stdout:
            name, *values = line.split() or [""]
            lines[name] = values
            if name == until:
                return start, lines
    finally:
        watchdog.cancel()
        _kill_group(proc)
    raise BenchError(f"{Path(cmd[1]).name} never printed {until!r} (exit {proc.returncode})")


def run_json(cmd: list[str], env: dict[str, str]) -> dict[str, Any]:
    """Run a helper that prints one JSON object on its last stdout line."""
    try:
        proc = subprocess.run(
            cmd,
            capture_output=True,
            text=True,
            env=env,
            timeout=PART_TIMEOUT_S,
            start_new_session=True,
        )
    except subprocess.TimeoutExpired:
        raise BenchError(f"{Path(cmd[1]).name} timed out after {PART_TIMEOUT_S} s") from None
    lines = proc.stdout.strip().splitlines()
    if proc.returncode != 0 or not lines:
        tail = (proc.stderr.strip().splitlines() or ["no output"])[-1]
        raise BenchError(f"{Path(cmd[1]).name} failed (exit {proc.returncode}): {tail}")
    return json.loads(lines[-1])


# -- statistics -----------------------------------------------------------------------------
def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def stats(values: list[float], digits: int = 2) -> dict[str, float | int]:
    return {
        "median": round(statistics.median(values), digits),
        "p95": round(percentile(values, 0.95), digits),
        "min": round(min(values), digits),
        "max": round(max(values), digits),
        "n": len(values),
    }


# -- parts ------------------------------------------------------------------------------------
FLOOR_CMD = [sys.executable, str(BENCH / "floor_page.py")]


def cold_command(phases: bool = False) -> list[str]:
    cmd = [sys.executable, str(BENCH / "cold_run.py")]
    if phases:
        cmd.append("--phases")
    cmd += ["run", str(TABBED), "--dev"]
    if AS_ROOT:
        cmd.append("--no-sandbox")
    return cmd


def spawn_stamps(cmd: list[str], cache: str | None = None) -> dict[str, float]:
    """Seconds from spawning ``cmd`` (fresh user folders; ``cache``: a kept cache folder)
    to each ``<name> <time.time()>`` line it prints, up to ``painted``."""
    with user_dirs(cache) as dirs:
        start, lines = spawn_lines(cmd, qt_env(dirs), "painted")
    return {name: float(values[0]) - start for name, values in lines.items() if values}


def measure_launches(runs: int, floor: bool, cold: bool) -> dict[str, list[dict[str, float]]]:
    """Floor (bare QWebEngineView process: spawn -> first frame after load) and cold
    launches (``finclip run`` of the tabbed example: spawn -> first page painted, with the
    phases on the way), alternated run by run so all see the same load on a shared
    machine. ``cold_launch``: the app ran before, so its compiled view is in the user cache
    (the warm-up run puts it there), everything else is fresh; ``cold_first_launch``: the
    very first launch, compiling the app (nothing cached)."""
    cmds = {"floor": FLOOR_CMD} if floor else {}
    if cold:
        cmds["cold_launch"] = cmds["cold_first_launch"] = cold_command(phases=True)
    samples: dict[str, list[dict[str, float]]] = {name: [] for name in cmds}
    with tempfile.TemporaryDirectory(prefix="finclip-bench-cache-") as kept:
        for i in range(1 + runs):  # the first round is the warm-up
            for name, cmd in cmds.items():
                stamps = spawn_stamps(cmd, kept if name == "cold_launch" else None)
                if i:
                    samples[name].append(stamps)
    return samples


def measure_floor_memory() -> dict[str, Any]:
    """RSS/PSS of the floor process (and its web engine children) 1.5 s after painting."""
    with user_dirs() as dirs:
        _, lines = spawn_lines([*FLOOR_CMD, "--memory"], qt_env(dirs), "memory")
    rss, pss, count = lines["memory"]
    return {
        "rss_mb": float(rss),
        "pss_mb": None if pss == "-" else float(pss),
        "processes": int(count),
    }


def measure_inpage(runs: int, micro: int) -> dict[str, Any]:
    cmd = [
        sys.executable,
        str(BENCH / "inpage.py"),
        "--runs",
        str(runs),
        "--micro",
        str(micro),
        "--tabbed",
        str(TABBED),
    ]
    with user_dirs() as dirs:
        return run_json(cmd, qt_env(dirs))


def measure_memory() -> dict[str, Any]:
    with user_dirs() as dirs:
        return run_json(
            [sys.executable, str(BENCH / "memory.py"), "--tabbed", str(TABBED)], qt_env(dirs)
        )


def measure_update() -> dict[str, Any]:
    with user_dirs() as dirs:
        return run_json([sys.executable, str(BENCH / "update_traffic.py")], child_env(dirs))


def measure_sizes(build_wheel: bool) -> dict[str, Any]:
    sys.path.insert(0, str(BENCH))
    try:
        import sizes
    finally:
        sys.path.remove(str(BENCH))
    return sizes.measure(TABBED, build_wheel=build_wheel)


# -- the report -----------------------------------------------------------------------------
class Report:
    def __init__(self) -> None:
        self.values: dict[str, Any] = {}
        self.details: dict[str, dict[str, Any]] = {}
        self.reasons: dict[str, str] = {}

    def put(self, key: str, value: Any) -> None:
        self.values[key] = value

    def null(self, keys: list[str], reason: str) -> None:
        for key in keys:
            self.values[key] = None
            self.reasons[key] = reason

    def series(
        self, key: str, samples: list[float], unit: str, digits: int = 2
    ) -> dict[str, float | int]:
        s = stats(samples, digits)
        self.details[key] = {**s, "unit": unit}
        return s

    def as_json(self, meta: dict[str, Any]) -> dict[str, Any]:
        targets = {}
        for key, limit in TARGETS.items():
            value = self.values.get(key)
            targets[key] = {"target": limit, "met": None if value is None else value <= limit}
        return {
            **self.values,
            "details": self.details,
            "targets": targets,
            "reasons": self.reasons,
            "meta": meta,
        }


def part_launch(args: argparse.Namespace, report: Report) -> None:
    floor, cold = "floor" in args.parts, "cold" in args.parts
    try:
        samples = measure_launches(args.runs, floor, cold)
    except BenchError as exc:
        keys = ["cold_launch_s", "cold_launch_ratio", "cold_first_launch_s"]
        report.null(["floor_s"] * floor + keys * cold, str(exc))
        samples = {}
    if "floor" in samples:
        values = [run["painted"] for run in samples["floor"]]
        report.put("floor_s", report.series("floor", values, "s", digits=4)["median"])
    for name in ("cold_launch", "cold_first_launch"):
        if name not in samples:
            continue
        runs = samples[name]
        s = report.series(name, [run["painted"] for run in runs], "s", digits=4)
        report.put(f"{name}_s", s["median"])
        ratio(report, f"{name}_ratio", s["median"], "floor_s", 1)
        phases = [phase for phase in runs[0] if all(phase in run for run in runs)]
        report.put(
            f"{name}_phases_ms",
            {
                phase: round(statistics.median(run[phase] for run in runs) * 1000, 1)
                for phase in phases
            },
        )
    if floor:
        try:
            memory = measure_floor_memory()
            report.put("floor_rss_mb", memory["rss_mb"])
            report.put("floor_pss_mb", memory["pss_mb"])
        except BenchError as exc:
            report.null(["floor_rss_mb", "floor_pss_mb"], str(exc))


def ratio(report: Report, key: str, value: float | None, floor_key: str, scale: float) -> None:
    """``key`` = value / the floor figure of this run (null with a reason without one)."""
    floor = report.values.get(floor_key)
    if value is None:
        return
    if not floor:
        report.null([key], f"no {floor_key} measured in this run")
        return
    report.put(key, round(value / (floor * scale), 3))


def part_memory(args: argparse.Namespace, report: Report) -> None:
    keys = ["rss_1_app_mb", "rss_5_apps_mb", "pss_1_app_mb", "pss_5_apps_mb"]
    try:
        runs = [measure_memory() for _ in range(min(args.runs, MEMORY_RUNS))]
    except BenchError as exc:
        report.null([*keys, "rss_1_app_ratio"], str(exc))
        return
    for key in keys:
        values = [r[key] for r in runs if r.get(key) is not None]
        if values:
            report.put(key, report.series(key, values, "MB", digits=1)["median"])
        else:
            report.null([key], "not available on this platform")
    ratio(report, "rss_1_app_ratio", report.values.get("rss_1_app_mb"), "floor_rss_mb", 1)


def part_update(args: argparse.Namespace, report: Report) -> None:
    keys = {
        "update_unchanged_bytes": "unchanged_bytes",
        "update_one_file_bytes": "one_file_change_bytes",
        "update_one_file_fraction": "one_file_change_fraction",
        "update_package_bytes": "package_bytes",
    }
    try:
        up = measure_update()
        if "error" in up:
            raise BenchError(up["error"])
    except BenchError as exc:
        report.null(list(keys), str(exc))
        return
    for key, name in keys.items():
        report.put(key, round(up[name], 4) if isinstance(up[name], float) else up[name])


def part_sizes(args: argparse.Namespace, report: Report) -> None:
    sizes = measure_sizes(build_wheel=not args.quick)
    report.reasons.update(sizes.pop("_reasons"))
    for key, value in sizes.items():
        report.put(key, value)


# inpage figure -> (report key for the median, also report p95?)
INPAGE = {
    "setdata": ("setdata_p50_ms", "setdata_p95_ms"),
    "setdata_frame": ("setdata_frame_p50_ms", None),
    "tap_to_logic": ("tap_to_logic_p50_ms", None),
    "bridge": ("bridge_p50_ms", "bridge_p95_ms"),
    "navigate": ("navigate_ms", None),
    "navigate_frame": ("navigate_frame_ms", None),
    "first_screen_200": ("first_screen_200_ms", None),
    "first_screen_200_frame": ("first_screen_200_frame_ms", None),
    "list1000_first": ("list1000_first_paint_ms", None),
    "list1000_first_frame": ("list1000_first_render_ms", None),
    "list1000_update": ("list1000_update_ms", None),
    "list1000_update_frame": ("list1000_update_frame_ms", None),
    "list1000_fill": ("list1000_fill_ms", None),
    "list1000_fill_frame": ("list1000_fill_frame_ms", None),
    "warm_launch": ("warm_launch_ms", None),
    "warm_resolve": ("warm_resolve_ms", None),
    "warm_open": ("warm_open_ms", None),
}


def part_inpage(args: argparse.Namespace, report: Report) -> None:
    micro = max(5, 10 * args.runs) if not args.quick else 5
    try:
        data = measure_inpage(args.runs, micro)
    except BenchError as exc:
        data = {"errors": dict.fromkeys(INPAGE, str(exc))}
    errors = data.pop("errors", {})
    for figure, (median_key, p95_key) in INPAGE.items():
        samples = data.get(figure)
        keys = [k for k in (median_key, p95_key) if k]
        if not samples:
            why = errors.get(figure, "not measured")
            report.null(keys, why)
            continue
        s = report.series(figure, samples, "ms")
        report.put(median_key, s["median"])
        if p95_key:
            report.put(p95_key, s["p95"])
    ratio(report, "warm_launch_ratio", report.values.get("warm_launch_ms"), "floor_s", 1000)


def machine() -> dict[str, Any]:
    try:
        import PySide6

        qt = PySide6.__version__
    except ImportError:
        qt = None
    return {
        "python": platform.python_version(),
        "pyside6": qt,
        "platform": platform.platform(),
        "cpus": os.cpu_count(),
        "load_avg": [round(x, 2) for x in os.getloadavg()] if hasattr(os, "getloadavg") else None,
        "when": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }


# -- output -----------------------------------------------------------------------------------
ROWS = [
    ("floor_s", "floor: bare QWebEngineView, spawn -> first frame", "s", "floor"),
    ("cold_launch_s", "cold launch: finclip run tabbed -> painted", "s", "cold_launch"),
    ("cold_launch_ratio", "  cold launch / floor", "x", None),
    ("cold_first_launch_s", "first launch (compiles the app) -> painted", "s", "cold_first_launch"),
    ("cold_first_launch_ratio", "  first launch / floor", "x", None),
    ("warm_launch_ms", "warm launch: 2nd app -> painted", "ms", "warm_launch"),
    ("warm_resolve_ms", "  of which read + compile", "ms", "warm_resolve"),
    ("warm_launch_ratio", "  warm launch / floor", "x", None),
    ("setdata_p50_ms", "setData small -> DOM (p50)", "ms", "setdata"),
    ("setdata_p95_ms", "setData small -> DOM (p95)", "ms", None),
    ("setdata_frame_p50_ms", "setData small -> frame rendered (p50)", "ms", "setdata_frame"),
    ("tap_to_logic_p50_ms", "tap in view -> handler in logic (p50)", "ms", "tap_to_logic"),
    ("bridge_p50_ms", "bridge no-op round trip (p50)", "ms", "bridge"),
    ("bridge_p95_ms", "bridge no-op round trip (p95)", "ms", None),
    ("navigate_ms", "navigateTo -> painted (small page)", "ms", "navigate"),
    ("navigate_frame_ms", "navigateTo -> frame rendered", "ms", "navigate_frame"),
    ("first_screen_200_ms", "200-node page: navigateTo -> painted", "ms", "first_screen_200"),
    (
        "first_screen_200_frame_ms",
        "200-node page -> frame rendered",
        "ms",
        "first_screen_200_frame",
    ),
    ("list1000_first_paint_ms", "1000-row page: navigateTo -> painted", "ms", "list1000_first"),
    ("list1000_first_render_ms", "1000-row page -> frame rendered", "ms", "list1000_first_frame"),
    ("list1000_update_ms", "1000-row update -> DOM", "ms", "list1000_update"),
    (
        "list1000_update_frame_ms",
        "1000-row update -> frame rendered",
        "ms",
        "list1000_update_frame",
    ),
    ("list1000_fill_ms", "1000 rows into empty list -> DOM", "ms", "list1000_fill"),
    ("rss_1_app_mb", "RSS shell + engine, 1 app", "MB", "rss_1_app_mb"),
    ("rss_1_app_ratio", "  RSS 1 app / RSS of the floor", "x", None),
    ("rss_5_apps_mb", "RSS shell + engine, 5 apps", "MB", "rss_5_apps_mb"),
    ("pss_1_app_mb", "PSS, 1 app", "MB", "pss_1_app_mb"),
    ("pss_5_apps_mb", "PSS, 5 apps", "MB", "pss_5_apps_mb"),
    ("floor_rss_mb", "RSS of the floor process", "MB", None),
    ("update_unchanged_bytes", "update check, app unchanged", "B", None),
    ("update_one_file_bytes", "update after a one-file change", "B", None),
    ("update_one_file_fraction", "  fraction of the package", "", None),
    ("framework_js_raw_kb", "framework JS raw", "KB", None),
    ("framework_js_min_kb", "framework JS minified", "KB", None),
    ("framework_js_gzip_kb", "framework JS gzip", "KB", None),
    ("wheel_kb", "wheel (without Qt)", "KB", None),
    ("deps_without_qt_mb", "runtime deps installed, without Qt", "MB", None),
]


def table(result: dict[str, Any]) -> str:
    lines = [f"{'figure':<50} {'value':>11}  {'spread (min-max, n)':<24} target"]
    for key, label, unit, detail in ROWS:
        if key not in result:  # its part was not run
            continue
        value = result[key]
        shown = "null" if value is None else f"{value:g} {unit}".strip()
        spread = ""
        if detail and detail in result["details"]:
            d = result["details"][detail]
            spread = f"{d['min']:g}-{d['max']:g} ({d['n']})"
        target = result["targets"].get(key)
        mark = ""
        if target:
            state = {True: "met", False: "MISSED", None: "-"}[target["met"]]
            mark = f"<= {target['target']:g}: {state}"
        lines.append(f"{label:<50} {shown:>11}  {spread:<24} {mark}")
    phases = result.get("cold_launch_phases_ms")
    if phases:
        steps = ", ".join(f"{name} {at:g}" for name, at in phases.items())
        lines.append(f"cold launch phases, ms since spawn: {steps}")
    for key, why in sorted(result["reasons"].items()):
        lines.append(f"null {key}: {why}")
    return "\n".join(lines)


PARTS = ("floor", "cold", "inpage", "memory", "update", "sizes")
# runner -> the parts it serves; in this order (the floor first: the ratios need it)
RUNNERS = (
    (part_launch, {"floor", "cold"}),
    (part_inpage, {"inpage"}),
    (part_memory, {"memory"}),
    (part_update, {"update"}),
    (part_sizes, {"sizes"}),
)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--runs", type=int, default=5, help="measured runs per figure")
    parser.add_argument(
        "--quick", action="store_true", help="fewest samples, no wheel build (a smoke test)"
    )
    parser.add_argument(
        "--only",
        default=",".join(PARTS),
        help=f"comma-separated parts to run (default: {','.join(PARTS)})",
    )
    args = parser.parse_args(argv)
    if args.runs < 1:
        parser.error("--runs must be at least 1")
    args.parts = {p.strip() for p in args.only.split(",") if p.strip()}
    unknown = args.parts - set(PARTS)
    if unknown:
        parser.error(f"unknown part(s): {', '.join(sorted(unknown))}")
    report = Report()
    for runner, parts in RUNNERS:
        if parts & args.parts:
            runner(args, report)
    meta = {"runs": args.runs, "warmup": 1, "quick": args.quick, **machine()}
    result = report.as_json(meta)
    print(json.dumps(result, indent=2) if args.json else table(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
