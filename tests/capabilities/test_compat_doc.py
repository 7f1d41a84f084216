"""docs/compatibility.md lists exactly the registry's wx APIs and object methods, each with
its kind and permission scope (regenerate it with ``python scripts/gen_compat.py`` when
this fails)."""

from __future__ import annotations

import re
from pathlib import Path

from finclip_desktop.capabilities.registry import describe

DOC = Path(__file__).resolve().parents[2] / "docs" / "compatibility.md"
# | `wx.name` | kind | status | scope | notes |   or   | `Class.method` | kind | ...
ROW = re.compile(
    r"^\| `(?:wx\.)?([A-Za-z0-9_.]+)` \| ([a-z]+) \| ([^|]+) \| ([^|]*) \|", re.MULTILINE
)


def documented() -> dict[str, tuple[str, str, str]]:
    rows = ROW.findall(DOC.read_text(encoding="utf-8"))
    return {name: (kind, status.strip(), scope.strip()) for name, kind, status, scope in rows}


def test_compatibility_doc_lists_the_registry():
    rows = documented()
    public = {d["name"]: d for d in describe() if not d["name"].startswith("_")}
    from_registry = {name: row for name, row in rows.items() if row[0] != "runtime"}
    missing = sorted(set(public) - set(from_registry))
    stale = sorted(set(from_registry) - set(public))
    assert not missing, f"APIs missing from docs/compatibility.md: {missing}"
    assert not stale, f"docs/compatibility.md lists APIs the registry lacks: {stale}"
    wrong = sorted(n for n, d in public.items() if from_registry[n][0] != d["kind"])
    assert not wrong, f"kinds differ from the registry for: {wrong}"
    scopes = sorted(n for n, d in public.items() if from_registry[n][2] != (d["scope"] or ""))
    assert not scopes, f"permission scopes differ from the registry for: {scopes}"


def test_every_api_has_a_status_and_methods_are_listed():
    rows = documented()
    assert all(status for _, status, _ in rows.values())
    assert rows["FileSystemManager.readFile"][0] == "async"
    assert rows["FileSystemManager.readFileSync"][0] == "sync"
    assert rows["getClipboardData"][2] == "scope.clipboardRead"
    assert rows["offNetworkStatusChange"][:2] == ("event", "supported (host event)")
