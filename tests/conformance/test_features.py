"""The feature checklist behind docs/compatibility.md names real tests, counts every
conformance test, and gives every supported built-in component a test (no Qt)."""

from __future__ import annotations

import re
from pathlib import Path

from finclip_desktop.runtime.support import COMPONENTS
from tests.conformance.features import CHECKLIST, COMPONENT_TESTS, SUITE

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent


def referenced() -> set[str]:
    rows = [tests for _, _, tests, _ in CHECKLIST] + list(COMPONENT_TESTS.values())
    return {test for tests in rows for test in tests}


def defined(node: str) -> bool:
    path, name = node.split("::")
    file = ROOT / path
    return (
        file.is_file() and re.search(rf"^def {name}\(", file.read_text("utf-8"), re.M) is not None
    )


def test_every_referenced_test_exists_and_runs_with_the_suite():
    missing = sorted(node for node in referenced() if not defined(node))
    assert not missing, f"features.py names tests that do not exist: {missing}"
    outside = sorted(n for n in referenced() if not any(n.startswith(s) for s in SUITE))
    assert not outside, f"gen_compat does not run: {outside}"


def test_every_conformance_test_proves_a_listed_feature():
    listed = referenced()
    unlisted = [
        f"{path.relative_to(ROOT)}::{name}"
        for path in sorted(HERE.glob("test_*.py"))
        if path.name != Path(__file__).name
        for name in re.findall(r"^def (test_\w+)\(", path.read_text("utf-8"), re.M)
        if f"{path.relative_to(ROOT)}::{name}" not in listed
    ]
    assert not unlisted, f"add these tests to features.py: {unlisted}"


def test_components_have_tests_and_notes_have_a_known_form():
    untested = sorted(
        n
        for n, note in COMPONENTS.items()
        if not note.startswith("no:") and n not in COMPONENT_TESTS
    )
    assert not untested, f"supported components without a test: {untested}"
    assert set(COMPONENT_TESTS) <= set(COMPONENTS)
    for _, feature, _, note in CHECKLIST:
        assert note == "" or note.startswith(("partial: ", "no: ")), feature


def test_view_schemas_cover_implemented_view_apis_only():
    from finclip_desktop.runtime.support import VIEW_APIS, VIEW_SCHEMAS, wire_schemas

    assert set(VIEW_SCHEMAS) <= set(VIEW_APIS)
    wire = wire_schemas()
    assert wire["showActionSheet"]["itemList"] == {"type": "Array", "required": True, "max_len": 6}
    assert wire["showToast"]["icon"]["enum"] == ["success", "error", "loading", "none"]
