"""docs/compatibility.md lists exactly the registry's wx APIs (regenerate it with
``python scripts/gen_compat.py`` when this fails)."""

from __future__ import annotations

import re
from pathlib import Path

from finclip_desktop.capabilities.registry import describe

DOC = Path(__file__).resolve().parents[2] / "docs" / "compatibility.md"
ROW = re.compile(r"^\| `wx\.([A-Za-z0-9_]+)` \| ([a-z]+) \|", re.MULTILINE)


def test_compatibility_doc_lists_the_registry():
    documented = dict(ROW.findall(DOC.read_text(encoding="utf-8")))
    public = {
        d["name"]: d["kind"]
        for d in describe()
        if not d["name"].startswith("_") and "." not in d["name"]
    }
    from_registry = {name: kind for name, kind in documented.items() if kind != "runtime"}
    missing = sorted(set(public) - set(from_registry))
    stale = sorted(set(from_registry) - set(public))
    assert not missing, f"APIs missing from docs/compatibility.md: {missing}"
    assert not stale, f"docs/compatibility.md lists APIs the registry lacks: {stale}"
    wrong = sorted(n for n, kind in public.items() if from_registry[n] != kind)
    assert not wrong, f"kinds differ from the registry for: {wrong}"
