"""Compiled views kept on disk, so launching an app that ran before (or was installed)
neither imports nor runs the compiler.

An entry is keyed by the sha256 of the runtime's identity (its version and the size and
modification time of every file of ``finclip_desktop/runtime``) and of the app's source
files (path and sha256 of each, as its manifest lists them): any change to either misses.
It holds the generated ``__fc__/`` files and their sha256, checked on every read (a damaged
entry is dropped and compiled again). Capability plugins change the generated wx table, so
with a plugin installed nothing is cached. Entries live under the user cache folder; the
oldest beyond :data:`MAX_ENTRIES` are removed when one is written.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

FORMAT = 1
MAX_ENTRIES = 64
SUFFIX = ".fcview"
_identity: str | None = None


def runtime_identity() -> str:
    """The version and file stamps of the installed runtime (computed once a process)."""
    global _identity
    if _identity is None:
        from finclip_desktop import RUNTIME_VERSION, __version__

        root = Path(__file__).resolve().parents[1] / "runtime"
        stamps = []
        for folder, dirs, names in os.walk(root):
            dirs[:] = sorted(d for d in dirs if d != "__pycache__")
            for name in sorted(names):
                st = os.stat(os.path.join(folder, name))
                stamps.append(f"{os.path.relpath(os.path.join(folder, name), root)}:"
                              f"{st.st_size}:{st.st_mtime_ns}")  # fmt: skip
        text = "\n".join([f"{FORMAT} {__version__} {RUNTIME_VERSION}", *stamps])
        _identity = hashlib.sha256(text.encode()).hexdigest()
    return _identity


def cache_key(sources: Mapping[str, Any]) -> str | None:
    """The key of an app whose manifest lists ``sources`` (path -> entry with ``sha256``);
    None when nothing may be cached (capability plugins are installed)."""
    from finclip_desktop.capabilities.registry import ENTRY_POINT_GROUP, group_declared

    if group_declared(ENTRY_POINT_GROUP):
        return None
    listing = sorted((path, entry.sha256) for path, entry in sources.items())
    text = json.dumps([runtime_identity(), listing], separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def folder() -> Path:
    from finclip_desktop.settings import cache_dir

    return cache_dir() / "compiled"


def load(key: str) -> dict[str, bytes] | None:
    """The generated files cached under ``key``, or None (missing or damaged)."""
    path = folder() / f"{key}{SUFFIX}"
    try:
        with open(path, "rb") as f:
            header = json.loads(f.readline())
            payload = f.read()
    except (OSError, ValueError):
        return None
    try:
        if header["format"] != FORMAT or hashlib.sha256(payload).hexdigest() != header["sha256"]:
            raise ValueError("damaged")
        out, offset = {}, 0
        for name, size in header["files"]:
            out[name] = payload[offset : offset + size]
            offset += size
        if offset != len(payload):
            raise ValueError("damaged")
    except (KeyError, TypeError, ValueError):
        path.unlink(missing_ok=True)
        return None
    try:
        os.utime(path)  # recently used: kept longest
    except OSError:
        pass
    return out


def save(key: str, generated: Mapping[str, bytes]) -> None:
    """Cache ``generated`` under ``key`` (atomically; a failure only costs a recompile)."""
    names = sorted(generated)
    payload = b"".join(generated[n] for n in names)
    header = {
        "format": FORMAT,
        "sha256": hashlib.sha256(payload).hexdigest(),
        "files": [[n, len(generated[n])] for n in names],
    }
    import tempfile

    target = folder()
    try:
        target.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=target, suffix=".part")
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(json.dumps(header).encode() + b"\n" + payload)
            os.replace(tmp, target / f"{key}{SUFFIX}")
        finally:
            Path(tmp).unlink(missing_ok=True)
        _prune(target)
    except OSError:
        return


def _prune(target: Path) -> None:
    entries = sorted(target.glob(f"*{SUFFIX}"), key=lambda p: p.stat().st_mtime_ns, reverse=True)
    for old in entries[MAX_ENTRIES:]:
        old.unlink(missing_ok=True)
