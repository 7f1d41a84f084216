"""Static sizes: the framework JS each page loads, and the installed footprint without Qt.

- framework JS: ``runtime/js/view.js`` (view, main world) + ``service.js`` (logic worker),
  as shipped (raw), minified with rjsmin (comments and whitespace only, no
  renaming) and gzip -9 of each; the app's own compiled code is reported apart for the
  tabbed example (``app_js_*``: ``__fc__/app-view.js`` + the app part of ``service.js``).
- wheel: ``finclip_desktop-*.whl`` built offline from a copy of the sources (``pip wheel
  --no-deps --no-build-isolation``), its size and unpacked size; plus the installed size of
  the runtime dependencies other than Qt (PySide6*, shiboken6), from their RECORDs.
"""

from __future__ import annotations

import gzip
import re
import shutil
import subprocess
import sys
import tempfile
import tomllib
import zipfile
from importlib import metadata
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
QT_DISTS = re.compile(r"^(pyside6|shiboken6)", re.I)
KB = 1024


def _gzip(data: bytes) -> int:
    return len(gzip.compress(data, compresslevel=9, mtime=0))


def framework_js() -> dict[str, Any]:
    from finclip_desktop.runtime.build import framework_file

    names = ("view.js", "service.js")
    raw = "\n".join(framework_file(name) for name in names).encode()
    out: dict[str, Any] = {
        "framework_js_raw_kb": round(len(raw) / KB, 1),
        "framework_js_gzip_kb": round(_gzip(raw) / KB, 1),
    }
    try:
        import rjsmin
    except ImportError:
        out["framework_js_min_kb"] = out["framework_js_min_gzip_kb"] = None
        out["_reasons"] = {"framework_js_min_kb": "rjsmin is not installed (dev extra)"}
        return out
    small = rjsmin.jsmin(raw.decode()).encode()
    out["framework_js_min_kb"] = round(len(small) / KB, 1)
    out["framework_js_min_gzip_kb"] = round(_gzip(small) / KB, 1)
    return out


def app_js(folder: Path) -> dict[str, Any]:
    """The tabbed example's compiled code (what ``build_app`` adds to the framework)."""
    from finclip_desktop.package import collect_files
    from finclip_desktop.runtime import build_app
    from finclip_desktop.runtime.build import framework_file

    built = build_app(collect_files(folder))
    framework = len(framework_file("service.js").encode()) + 1  # + the joining newline
    own = built["__fc__/app-view.js"] + built["__fc__/service.js"][framework:]
    return {"app_js_raw_kb": round(len(own) / KB, 1), "app_js_gzip_kb": round(_gzip(own) / KB, 1)}


def _dist_size(dist: metadata.Distribution) -> int:
    total = 0
    for file in dist.files or ():
        path = Path(dist.locate_file(file))
        if path.is_file():
            total += path.stat().st_size
    return total


def _names(requirements: list[str]) -> list[str]:
    """Names of the requirements that apply here (markers evaluated, extras left out)."""
    from packaging.requirements import Requirement

    names = []
    for text in requirements:
        req = Requirement(text)
        if req.marker is None or req.marker.evaluate({"extra": ""}):
            names.append(req.name)
    return names


def dependencies_without_qt() -> dict[str, Any]:
    """Installed size of the runtime dependency closure (pyproject's dependencies and what
    they require here), Qt excluded."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    seen: dict[str, int] = {}
    todo = _names(project["dependencies"])
    while todo:
        name = todo.pop()
        key = name.lower().replace("_", "-")
        if key in seen or QT_DISTS.match(key):
            continue
        try:
            dist = metadata.distribution(name)
        except metadata.PackageNotFoundError:
            continue
        seen[key] = _dist_size(dist)
        todo += _names(dist.requires or [])
    return {
        "deps_without_qt_mb": round(sum(seen.values()) / KB / KB, 1),
        "deps_without_qt": sorted(seen),
    }


def wheel() -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="finclip-wheel-") as tmp:
        src = Path(tmp) / "src"
        src.mkdir()
        for name in ("pyproject.toml", "README.md"):
            shutil.copy2(ROOT / name, src / name)
        shutil.copytree(
            ROOT / "finclip_desktop",
            src / "finclip_desktop",
            ignore=shutil.ignore_patterns("__pycache__", "*.pyc"),
        )
        out = Path(tmp) / "out"
        proc = subprocess.run(
            [
                sys.executable,
                "-m",
                "pip",
                "wheel",
                "--no-deps",
                "--no-build-isolation",
                "-q",
                "-w",
                str(out),
                str(src),
            ],
            capture_output=True,
            text=True,
            timeout=300,
        )
        wheels = sorted(out.glob("*.whl")) if out.exists() else []
        if proc.returncode != 0 or not wheels:
            last = (proc.stderr.strip().splitlines() or ["no wheel built"])[-1]
            return {
                "wheel_kb": None,
                "wheel_unpacked_kb": None,
                "_reasons": {"wheel_kb": f"pip wheel failed: {last}"},
            }
        with zipfile.ZipFile(wheels[0]) as zf:
            unpacked = sum(info.file_size for info in zf.infolist())
        return {
            "wheel_kb": round(wheels[0].stat().st_size / KB, 1),
            "wheel_unpacked_kb": round(unpacked / KB, 1),
        }


def measure(tabbed: Path, build_wheel: bool = True) -> dict[str, Any]:
    out: dict[str, Any] = {}
    reasons: dict[str, str] = {}
    parts = [framework_js, lambda: app_js(tabbed), dependencies_without_qt]
    if build_wheel:
        parts.append(wheel)
    for part in parts:
        values = part()
        reasons.update(values.pop("_reasons", {}))
        out.update(values)
    if not build_wheel:
        out["wheel_kb"] = out["wheel_unpacked_kb"] = None
        reasons["wheel_kb"] = "skipped (--quick)"
    out["_reasons"] = reasons
    return out


if __name__ == "__main__":
    import json

    print(json.dumps(measure(ROOT / "resources" / "examples" / "tabbed")))
