"""The server's metadata keys, kept as files in the data dir (the embedded setup).

``keys/root/<keyid>.pem`` are the root keys (offline in a real deployment: move them off
the server after ``finclip server init`` and bring them back only to rotate);
``keys/online.pem`` signs targets, snapshot and timestamp.
Retired keys move to ``keys/retired/``.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from finclip_desktop.package import generate_key, key_id, load_private_key, save_private_key


@dataclass
class KeyRing:
    root: list[Ed25519PrivateKey]
    online: Ed25519PrivateKey


def _save(key: Ed25519PrivateKey, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    save_private_key(key, path)


def load_keys(key_dir: Path) -> KeyRing | None:
    """The key ring on disk, or None before initialisation."""
    online = key_dir / "online.pem"
    if not online.exists():
        return None
    roots = [load_private_key(p) for p in sorted((key_dir / "root").glob("*.pem"))]
    return KeyRing(root=roots, online=load_private_key(online))


def create_keys(key_dir: Path, root_count: int) -> KeyRing:
    roots = [generate_key() for _ in range(root_count)]
    for key in roots:
        _save(key, key_dir / "root" / f"{key_id(key)}.pem")
    online = generate_key()
    _save(online, key_dir / "online.pem")
    return KeyRing(root=roots, online=online)


def retire(key_dir: Path, key: Ed25519PrivateKey, name: str) -> None:
    """Move a key file (``name`` relative to ``key_dir``, and its .pub) to ``keys/retired/``."""
    src = key_dir / name
    dest = key_dir / "retired"
    dest.mkdir(parents=True, exist_ok=True, mode=0o700)
    for suffix in ("", ".pub"):
        path = Path(f"{src}{suffix}")
        if path.exists():
            os.replace(path, dest / f"{key_id(key)[:16]}-{path.name}")


def new_root_keys(key_dir: Path, count: int) -> list[Ed25519PrivateKey]:
    keys = [generate_key() for _ in range(count)]
    for key in keys:
        _save(key, key_dir / "root" / f"{key_id(key)}.pem")
    return keys


def new_online_key(key_dir: Path) -> Ed25519PrivateKey:
    key = generate_key()
    tmp = key_dir / "online.pem.new"
    for path in (tmp, Path(f"{tmp}.pub")):
        path.unlink(missing_ok=True)
    _save(key, tmp)
    return key


def activate_online_key(key_dir: Path, old: Ed25519PrivateKey) -> None:
    retire(key_dir, old, "online.pem")
    os.replace(key_dir / "online.pem.new", key_dir / "online.pem")
    os.replace(key_dir / "online.pem.new.pub", key_dir / "online.pem.pub")
