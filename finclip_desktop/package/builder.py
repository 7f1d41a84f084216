"""Packing a mini-program folder into a signed .fcpkg."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from finclip_desktop.package.canonical import strict_loads
from finclip_desktop.package.errors import AppError, ManifestInvalidError, PackageError
from finclip_desktop.package.manifest import (
    DOMAIN_KINDS,
    MANIFEST_NAME,
    RESERVED_NAMES,
    SIGNATURE_NAME,
    FileEntry,
    Manifest,
    normalize_domain,
)
from finclip_desktop.package.signing import sign_manifest
from finclip_desktop.package.zipformat import check_path, write_archive

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

PROJECT_CONFIG = "project.config.json"
FINCLIP_CONFIG = "finclip.config.json"
# Never packed: build configuration, VCS and editor litter, dependencies sources.
_SKIPPED_NAMES = frozenset({FINCLIP_CONFIG, "node_modules"})


def collect_files(root: Path) -> dict[str, bytes]:
    """All files of a mini-program folder as {posix path: bytes}.

    Hidden entries, ``node_modules``, ``finclip.config.json`` and built ``*.fcpkg`` files
    are skipped; symbolic links and unsafe names are refused with an AppError.
    """
    root = Path(root)
    if not root.is_dir():
        raise AppError(f"{root} is not a folder")
    files: dict[str, bytes] = {}
    for dirpath, dirnames, filenames in os.walk(root):
        base = Path(dirpath)
        dirnames[:] = sorted(
            d for d in dirnames if not d.startswith(".") and d not in _SKIPPED_NAMES
        )
        for name in dirnames:
            if (base / name).is_symlink():
                raise AppError(f"{base / name} is a symbolic link; packages cannot hold links")
        for name in sorted(filenames):
            path = base / name
            if name.startswith(".") or name in _SKIPPED_NAMES or name.endswith(".fcpkg"):
                continue
            rel = path.relative_to(root).as_posix()
            if path.is_symlink():
                raise AppError(f"{rel} is a symbolic link; packages cannot hold links")
            if rel in RESERVED_NAMES:
                raise AppError(f"{rel} is a reserved name and cannot be part of an app")
            try:
                check_path(rel)
            except PackageError as exc:
                raise AppError(str(exc)) from None
            files[rel] = path.read_bytes()
    return files


def _read_json(root: Path, name: str) -> dict[str, Any]:
    path = root / name
    if not path.exists():
        return {}
    try:
        data = strict_loads(path.read_bytes())
    except ValueError as exc:
        raise AppError(f"{name}: {exc}") from None
    if not isinstance(data, dict):
        raise AppError(f"{name}: must be a JSON object")
    return data


def app_settings(root: Path, overrides: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """Manifest fields for a folder: ``project.config.json`` (appid, projectname), then
    ``finclip.config.json`` (appId, name, version, description, icon, minRuntime,
    permissions, domains), then explicit ``overrides`` (same keys as Manifest)."""
    project = _read_json(root, PROJECT_CONFIG)
    own = _read_json(root, FINCLIP_CONFIG)
    settings: dict[str, Any] = {
        "app_id": own.get("appId", project.get("appid")),
        "name": own.get("name", project.get("projectname")),
        "version": own.get("version"),
        "description": own.get("description", project.get("description", "")),
        "icon": own.get("icon", ""),
        "min_runtime": own.get("minRuntime", "1.0.0"),
        "permissions": own.get("permissions", []),
        "domains": own.get("domains", {}),
    }
    settings.update({k: v for k, v in (overrides or {}).items() if v not in (None, [], {})})
    for key, hint in (
        ("app_id", f"'appId' in {FINCLIP_CONFIG}, 'appid' in {PROJECT_CONFIG}, or --app-id"),
        ("name", f"'name' in {FINCLIP_CONFIG}, 'projectname' in {PROJECT_CONFIG}, or --name"),
        ("version", f"'version' in {FINCLIP_CONFIG} or --version"),
    ):
        if not settings[key]:
            raise AppError(f"no {key.replace('_', ' ')}: set {hint}")
    if isinstance(settings["app_id"], str):
        settings["app_id"] = settings["app_id"].lower()
    domains = settings["domains"]
    if not isinstance(domains, dict) or set(domains) - set(DOMAIN_KINDS):
        raise AppError(
            f"{FINCLIP_CONFIG}: 'domains' may only have the keys {', '.join(DOMAIN_KINDS)}"
        )
    try:
        settings["domains"] = {
            kind: tuple(sorted({normalize_domain(d) for d in domains.get(kind, [])}))
            for kind in DOMAIN_KINDS
        }
    except (ValueError, AttributeError, TypeError) as exc:
        raise AppError(f"{FINCLIP_CONFIG}: {exc}") from None
    if not isinstance(settings["permissions"], list | tuple):
        raise AppError(f"{FINCLIP_CONFIG}: 'permissions' must be an array of scope names")
    settings["permissions"] = tuple(sorted(set(settings["permissions"])))
    return settings


def make_manifest(files: Mapping[str, bytes], settings: Mapping[str, Any]) -> Manifest:
    entries = {
        path: FileEntry(hashlib.sha256(data).hexdigest(), len(data)) for path, data in files.items()
    }
    try:
        return Manifest(files=entries, **settings)
    except ManifestInvalidError as exc:
        raise AppError(str(exc).removeprefix("manifest: ")) from None


def build_archive(
    files: Mapping[str, bytes], settings: Mapping[str, Any], key: Ed25519PrivateKey
) -> tuple[Manifest, bytes]:
    """A signed package (manifest, archive bytes) for in-memory files. Deterministic."""
    manifest = make_manifest(files, settings)
    manifest_bytes = manifest.canonical_bytes()
    entries = [(path, files[path]) for path in sorted(files)]
    entries += [
        (MANIFEST_NAME, manifest_bytes),
        (SIGNATURE_NAME, sign_manifest(manifest_bytes, key)),
    ]
    return manifest, write_archive(entries)


def write_atomic(path: Path, data: bytes) -> None:
    """Write a file so that readers see either the old or the whole new content."""
    path = Path(path)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with open(tmp, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
