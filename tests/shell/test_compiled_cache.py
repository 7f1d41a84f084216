"""The compiled-view cache (shell/compiled.py): a hit gives the same files as compiling,
any change of the sources or of the runtime misses, a damaged entry is compiled again, and
with a capability plugin installed nothing is cached."""

from __future__ import annotations

from pathlib import Path

import pytest

from finclip_desktop.runtime import build_app
from finclip_desktop.shell import compiled
from finclip_desktop.shell.bundle import load_folder

EXAMPLE = Path(__file__).resolve().parents[2] / "resources" / "examples" / "tabbed"


def entries() -> list[Path]:
    return sorted(compiled.folder().glob(f"*{compiled.SUFFIX}"))


@pytest.fixture
def app(tmp_path: Path) -> Path:
    root = tmp_path / "tabbed"
    for src in EXAMPLE.rglob("*"):
        if src.is_file():
            dest = root / src.relative_to(EXAMPLE)
            dest.parent.mkdir(parents=True, exist_ok=True)
            dest.write_bytes(src.read_bytes())
    return root


def generated(bundle) -> dict[str, bytes]:
    return {k: v for k, v in bundle.files.items() if k.startswith("__fc__/")}


def test_a_hit_serves_what_the_compiler_makes(app: Path) -> None:
    first = load_folder(app)
    assert len(entries()) == 1
    again = load_folder(app)
    sources = {k: v for k, v in first.files.items() if not k.startswith("__fc__/")}
    assert generated(again) == generated(first) == build_app(sources)
    assert len(entries()) == 1


def test_a_changed_source_or_runtime_misses(app: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    before = generated(load_folder(app))
    wxml = app / "pages" / "home" / "home.wxml"
    wxml.write_text(wxml.read_text().replace("Welcome", "Hello again"))
    after = generated(load_folder(app))
    assert after != before and len(entries()) == 2
    assert any(b"Hello again" in body for body in after.values())
    monkeypatch.setattr(compiled, "_identity", "another runtime")
    load_folder(app)
    assert len(entries()) == 3


def test_a_damaged_entry_is_compiled_again(app: Path) -> None:
    good = generated(load_folder(app))
    (entry,) = entries()
    data = bytearray(entry.read_bytes())
    data[-10] ^= 0xFF  # one flipped byte in the payload
    entry.write_bytes(bytes(data))
    assert generated(load_folder(app)) == good
    assert entry.read_bytes() != bytes(data)  # replaced by a good entry


def test_nothing_is_cached_with_a_capability_plugin(
    app: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from finclip_desktop.capabilities import registry

    monkeypatch.setattr(registry, "group_declared", lambda group: True)
    load_folder(app)
    assert entries() == []


def test_old_entries_are_pruned(app: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(compiled, "MAX_ENTRIES", 2)
    for n in range(4):
        monkeypatch.setattr(compiled, "_identity", f"runtime {n}")
        load_folder(app)
    assert len(entries()) == 2


def test_an_installed_package_is_compiled_ahead_of_its_launch(
    app: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``precompile`` (run by installs) leaves the first launch nothing to compile."""
    from finclip_desktop.package import (
        TrustStore,
        app_settings,
        build_archive,
        collect_files,
        generate_key,
        read_package,
    )
    from finclip_desktop.runtime import build
    from finclip_desktop.shell.bundle import bundle_from_package, precompile

    key = generate_key()
    _, data = build_archive(collect_files(app), app_settings(app), key)
    package = read_package(data, TrustStore([key.public_key()]))
    precompile(package)
    assert len(entries()) == 1

    def no_compile(files):
        raise AssertionError("the launch compiled the app")

    monkeypatch.setattr(build, "build_app", no_compile)
    bundle = bundle_from_package(package, signed=True)
    assert bundle.entry == "__fc__/index.html" and "__fc__/service.js" in bundle.files
