"""``wxfile://`` paths: an app's own files, confined to folders under its data dir.

``wxfile://usr/...`` is the app's user data (``wx.env.USER_DATA_PATH``),
``wxfile://tmp/...`` holds temporary files (downloads, chosen files) and
``wxfile://store/...`` files kept by ``saveFile``. Any path that is not ``wxfile://``,
names another root, contains ``..``, a backslash or a drive, or resolves (through a
symlink) outside its root is refused.

The shell's scheme handler serves ``wxfile://`` URLs (``<image src>``) with :func:`resolve`.
"""

from __future__ import annotations

import re
from pathlib import Path

from finclip_desktop.capabilities.errors import CapabilityError

SCHEME = "wxfile://"
USER_DATA_PATH = "wxfile://usr"
ROOTS = ("usr", "tmp", "store")
_BAD_PART = re.compile(r"^\.\.?$|[\\:\x00]")


def root_dir(data_dir: Path, root: str) -> Path:
    return Path(data_dir) / root


def split(path: str) -> tuple[str, list[str]]:
    """``wxfile://usr/a/b`` -> ``("usr", ["a", "b"])``; raises CapabilityError if unsafe."""
    if not isinstance(path, str) or not path.startswith(SCHEME):
        raise CapabilityError(f"permission denied, {path} is not in the app's user data folder")
    root, _, rest = path[len(SCHEME) :].partition("/")
    if root not in ROOTS:
        raise CapabilityError(f"permission denied, {path} is not in the app's user data folder")
    parts = [p for p in rest.split("/") if p]
    if any(_BAD_PART.search(p) for p in parts):
        raise CapabilityError(f"permission denied, {path} escapes the app's user data folder")
    return root, parts


def resolve(data_dir: Path, path: str) -> Path:
    """The real file behind a ``wxfile://`` path (which need not exist yet)."""
    root, parts = split(path)
    base = root_dir(data_dir, root)
    base.mkdir(parents=True, exist_ok=True)
    real_base = base.resolve()
    target = real_base.joinpath(*parts)
    if not target.resolve().is_relative_to(real_base):
        raise CapabilityError(f"permission denied, {path} escapes the app's user data folder")
    return target


def to_wxfile(data_dir: Path, real: Path) -> str:
    """The ``wxfile://`` path of a file under one of the roots."""
    for root in ROOTS:
        base = root_dir(data_dir, root).resolve()
        if real.resolve().is_relative_to(base):
            rel = real.resolve().relative_to(base).as_posix()
            return f"{SCHEME}{root}" + ("" if rel == "." else f"/{rel}")
    raise ValueError(f"{real} is not in an app folder")


def new_file(data_dir: Path, root: str, suffix: str = "") -> tuple[Path, str]:
    """A fresh unique file path in ``root`` (``tmp`` or ``store``): (real path, wxfile path)."""
    import secrets

    clean = suffix if re.fullmatch(r"\.[A-Za-z0-9]{1,10}", suffix or "") else ""
    name = secrets.token_hex(12) + clean
    base = root_dir(data_dir, root)
    base.mkdir(parents=True, exist_ok=True)
    return base / name, f"{SCHEME}{root}/{name}"


def purge_tmp(data_dir: Path) -> None:
    """Delete the session's temporary files (``wxfile://tmp``; best effort: a file another
    program still holds open on Windows stays until the next purge)."""
    import shutil

    shutil.rmtree(root_dir(data_dir, "tmp"), ignore_errors=True)
