"""Memory of a shell process with 1, then 5 apps open (the tabbed example under distinct app
ids, each painted, then 1.5 s to settle). Prints JSON ``{"rss_1_app_mb", "rss_5_apps_mb",
"pss_1_app_mb", "pss_5_apps_mb", "processes_1_app", "processes_5_apps"}``.

RSS is summed over this process and all its descendants (QtWebEngineProcess: the zygote,
GPU/utility and one renderer per app); shared pages are counted once per process, so the
sum overstates what the system loses. PSS (shared pages split between the processes that
map them) is the fairer total where the kernel offers it (Linux).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

SETTLE_S = 1.5


def totals() -> dict[str, float]:
    import psutil

    me = psutil.Process()
    procs = [me, *me.children(recursive=True)]
    rss = pss = 0
    have_pss = True
    for proc in procs:
        try:
            rss += proc.memory_info().rss
            full = proc.memory_full_info()
            if hasattr(full, "pss"):
                pss += full.pss
            else:
                have_pss = False
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            have_pss = False
    mb = 1024 * 1024
    return {"rss": rss / mb, "pss": pss / mb if have_pss else None, "processes": len(procs)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="shell memory with 1 and 5 apps (JSON)")
    parser.add_argument("--tabbed", type=Path, required=True)
    args = parser.parse_args(argv)
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    os.environ.setdefault("QTWEBENGINE_DISABLE_SANDBOX", "1")
    from finclip_desktop.package import collect_files
    from finclip_desktop.shell.bundle import bundle_from_files
    from finclip_desktop.shell.testing import ShellHarness, process_events

    files = collect_files(args.tabbed)
    out: dict[str, float | int | None] = {}
    with ShellHarness() as harness:
        for i in range(5):
            harness.open(bundle_from_files(files, app_id=f"bench.mem{i}", name="Tabbed"))
            if i in (0, 4):
                process_events(SETTLE_S)
                t = totals()
                label = "1_app" if i == 0 else "5_apps"
                out[f"rss_{label}_mb"] = round(t["rss"], 1)
                out[f"pss_{label}_mb"] = None if t["pss"] is None else round(t["pss"], 1)
                out[f"processes_{label}"] = t["processes"]
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
