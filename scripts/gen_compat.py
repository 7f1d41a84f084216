#!/usr/bin/env python3
"""Generate docs/compatibility.md from the runtime's support registry, the capability
registry, the feature checklist of tests/conformance/features.py and the results of the
tests it names (the conformance suite runs each feature as a small mini-app in the real
shell, offscreen; the compiler's unit tests cover the constructs).

    python scripts/gen_compat.py              # runs the tests, writes docs/compatibility.md
    python scripts/gen_compat.py --junit F    # reuse an existing junit XML report
"""

from __future__ import annotations

import argparse
import gzip
import os
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from finclip_desktop.runtime import framework_file  # noqa: E402
from finclip_desktop.runtime.support import COMPONENTS, VIEW_APIS  # noqa: E402
from tests.conformance.features import CHECKLIST, COMPONENT_TESTS, SUITE  # noqa: E402

KNOWN_GAPS = [
    "- `styleIsolation: page-*`, the `moved` lifetime and relation `target` (behaviour-based)",
    "  matching are not implemented; components use isolated styles (or `apply-shared`,",
    "  `shared`, `addGlobalClass`) plus `externalClasses`.",
    "- Component styles (isolated, apply-shared): classes are prefixed per component, tag, `*`",
    "  and bare pseudo-class selectors match only the component's own nodes, id and attribute",
    "  selectors are dropped (WeChat: not effective in components). `styleIsolation: shared`",
    "  makes a component's stylesheet global only when set in its JSON (in `options` it shares",
    "  class names, not the stylesheet).",
    "- ES modules are rewritten to CommonJS: `import` (default, named, `* as`, side effect),",
    "  `export` (declarations, default, lists, `export ... from`, `export *` and `* as`) and",
    "  `import()`; imported names are bound once (not live). Destructuring in `export const`,",
    "  `import.meta` and import attributes are compile errors.",
    "- npm packages: `require('pkg[/sub]')` and bare `usingComponents` paths are looked up in",
    "  `miniprogram_npm/` of the requiring file's folder and each parent (the layout the",
    "  WeChat tools build); `node_modules` is not read and nothing is built from `package.json`.",
    "- `createIntersectionObserver().relativeTo(selector)` needs a node that contains the",
    "  observed ones (e.g. a scroll-view); a selector that matches nothing observes nothing.",
    "- Page transitions are partial: a short slide-in on navigateTo, none on back, redirect or",
    "  tab switches. Pull-down refresh starts from the API or a mouse-wheel pull at the top.",
    "- `map`, `camera` and `editor` are not supported; neither is `wx.createCameraContext` (the",
    "  desktop gives the web engine no camera source: `canIUse('createCameraContext')` is",
    "  false). `canvasToTempFilePath` and `canvasGetImageData` are not implemented.",
    "- `wx.canIUse` knows the declared arguments and values of every API and the result",
    "  fields of the system information APIs; other result fields and all component",
    "  attributes (`button.open-type.*`) answer false.",
    "- `web-view` opens only https pages on the app's domain lists (the shell's interceptor",
    "  decides; `http://localhost` in developer mode when policy allows it); `bindmessage`",
    "  and the JSSDK (`wx.miniProgram.*`) are not supported. A network error of an allowed",
    "  page shows the engine's error page and fires `bindload`.",
    "- WXS runs in the logic worker (strict mode, logic-layer globals hidden), not in the view.",
    "- A custom tabBar (`tabBar.custom`) and `model:` bindings on custom components are not",
    "  supported; `model:value` works on input/textarea and `model:` on other built-ins' change.",
]


def run_suite(junit: Path) -> None:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "QTWEBENGINE_DISABLE_SANDBOX": "1"}
    subprocess.run([sys.executable, "-m", "pytest", *SUITE, "-q", "-p", "no:cacheprovider",
                    f"--junitxml={junit}"], cwd=ROOT, env=env, check=False)  # fmt: skip


def results(junit: Path) -> dict[str, str]:
    """pytest node id (parameters folded: one failing case fails the test) -> pass | FAIL |
    skipped."""
    out: dict[str, str] = {}
    for case in ET.parse(junit).getroot().iter("testcase"):
        status = "pass"
        if case.find("failure") is not None or case.find("error") is not None:
            status = "FAIL"
        elif case.find("skipped") is not None:
            status = "skipped"
        path = case.get("classname", "").replace(".", "/") + ".py"
        node = f"{path}::{case.get('name', '').split('[')[0]}"
        if out.get(node) != "FAIL" and (status == "FAIL" or out.get(node) != "pass"):
            out[node] = status
    return out


def tested(tests: list[str], res: dict[str, str]) -> str:
    """ "tested" when every test passed, else what went wrong ("untested" without tests)."""
    if not tests:
        return "untested"
    states = [res.get(t, "not run") for t in tests]
    if "FAIL" in states:
        return "**failing**"
    return "tested" if all(s == "pass" for s in states) else "not run"


def status(note: str, tests: list[str], res: dict[str, str]) -> tuple[str, str]:
    """(status, remaining note) of a checklist row or a component."""
    if note.startswith("no:"):
        return "no", note[3:].strip()
    kind, rest = ("partial", note[8:].strip()) if note.startswith("partial:") else ("yes", note)
    return f"{kind} ({tested(tests, res)})", rest


def refs(tests: list[str]) -> str:
    return "<br>".join(f"`{t}`" for t in tests)


def cell(text: str) -> str:
    return text.replace("|", "\\|")


def describe() -> list[dict]:
    try:
        from finclip_desktop.capabilities import registry
    except ImportError:
        return []
    return registry.describe()


def api_row(d: dict) -> str:
    """One row of the wx API table: ``| `wx.name` | kind | status | scope | notes |``."""
    name, kind = d["name"], d["kind"]
    notes = [d.get("note") or ""]
    if kind == "view":
        state = "supported" if name in VIEW_APIS else "not supported (declared only)"
        notes.insert(0, VIEW_APIS.get(name, ""))
    elif kind == "event":
        state = "supported (host event)"
    elif notes[0].startswith("fails cleanly:"):  # a desktop cannot: "<api>:fail <reason>"
        state, notes = "not available (fails cleanly)", [notes[0].split(":", 1)[1].strip()]
    else:
        state = "supported (native bridge)"
    shown = name if "." in name else f"wx.{name}"
    note = cell("; ".join(n for n in notes if n))
    return f"| `{shown}` | {kind} | {state} | {d.get('scope') or ''} | {note} |"


def render(res: dict[str, str]) -> str:
    lines = [
        "# Compatibility with WeChat mini-programs",
        "",
        "Generated by `scripts/gen_compat.py` from the runtime's support registry",
        "(`finclip_desktop/runtime/support.py`), the capability registry, the feature",
        "checklist (`tests/conformance/features.py`: every feature the runtime issue names)",
        "and the results of the tests it names: the conformance suite (`tests/conformance/`,",
        "each feature a small mini-app run in the real shell offscreen) and the compiler's",
        "unit tests. Do not edit by hand.",
        "",
    ]
    passed = sum(1 for s in res.values() if s == "pass")
    lines += [f"Tests run for this table: {passed} of {len(res)} pass ({', '.join(SUITE)}).", ""]
    raw = {n: len(framework_file(n).encode()) for n in ("service.js", "view.js", "view.css")}
    packed = {n: len(gzip.compress(framework_file(n).encode(), 9)) for n in raw}
    sizes = ", ".join(f"`{n}` {raw[n] / 1024:.1f} KB ({packed[n] / 1024:.1f} KB gzip)" for n in raw)
    total = sum(packed.values()) / 1024
    region = framework_file("region.json").encode()
    lines += [
        f"Framework size shipped to each app: {sizes}; total {total:.1f} KB gzip (unminified"
        f' source). The region list of `<picker mode="region">` is a separate file loaded on'
        f" first use: {len(region) / 1024:.1f} KB ({len(gzip.compress(region, 9)) / 1024:.1f} KB"
        " gzip).",
        "",
        "Status: **yes (tested)**: implemented and proven by the named tests;"
        " **yes (untested)**: implemented, no test; **partial**: what is missing is in the notes;"
        " **no**: not supported.",
        "",
        "## Framework and template features",
        "",
        "| Area | Feature | Status | Notes | Tests |",
        "|---|---|---|---|---|",
    ]
    for section, feature, tests, note in CHECKLIST:
        state, rest = status(note, tests, res)
        lines.append(f"| {section} | {cell(feature)} | {state} | {cell(rest)} | {refs(tests)} |")
    lines += ["", "## Built-in components", "",
              "| Component | Status | Notes | Tests |", "|---|---|---|---|"]  # fmt: skip
    for name, notes in sorted(COMPONENTS.items()):
        tests = COMPONENT_TESTS.get(name, [])
        state, rest = status(notes, tests, res)
        lines.append(f"| `<{name}>` | {state} | {cell(rest)} | {refs(tests)} |")

    lines += [
        "",
        "## wx APIs",
        "",
        "Native APIs come from the capability registry (`finclip_desktop/capabilities`):",
        "`async` (callback or Promise), `sync` (`*Sync`), `task` (returns a task object),",
        "`event` (`wx.onX`/`wx.offX` listeners of host events); `view` APIs are implemented",
        "by the runtime in the page; `runtime` rows are the runtime's own extras. Methods of",
        "the objects an API returns are listed as `Class.method`. Permission: the scope the",
        "app must declare (and the user grant) before the call runs.",
        "",
        "| API | Kind | Status | Permission | Notes |",
        "|---|---|---|---|---|",
    ]
    seen = set()
    for d in describe():
        name = d["name"]
        if name.startswith("_"):
            continue
        seen.add(name)
        lines.append(api_row(d))
    for name in sorted(set(VIEW_APIS) - seen):
        lines.append(f"| `wx.{name}` | runtime | supported |  | {VIEW_APIS[name]} |")
    lines += ["", "## Known gaps", "", *KNOWN_GAPS, ""]
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--junit", type=Path, help="existing junit XML of tests/conformance")
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "compatibility.md")
    args = parser.parse_args()
    if args.junit:
        junit = args.junit
    else:
        junit = Path(tempfile.mkdtemp()) / "conformance.xml"
        run_suite(junit)
    if not junit.exists():
        print(f"gen_compat: no test report at {junit}", file=sys.stderr)
        return 1
    res = results(junit)
    for name, status in sorted(res.items()):
        if status != "pass":
            print(f"gen_compat: {name}: {status}", file=sys.stderr)
    args.out.write_text(render(res), encoding="utf-8")
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
