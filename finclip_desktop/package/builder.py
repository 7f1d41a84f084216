"""Packing a mini-program folder into a signed .fcpkg."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from finclip_desktop.package.canonical import strict_loads
from finclip_desktop.package.errors import (
    AppError,
    ManifestInvalidError,
    PackageError,
    TooLargeError,
)
from finclip_desktop.package.fileio import FileTooLargeError, SpecialFileError, read_regular_file
from finclip_desktop.package.limits import (
    DEFAULT_LIMITS,
    EntryRules,
    Limits,
    check_archive_size,
    check_manifest_size,
)
from finclip_desktop.package.manifest import (
    DEFAULT_MIN_RUNTIME,
    DOMAIN_KINDS,
    MANIFEST_NAME,
    RESERVED_NAMES,
    SIGNATURE_NAME,
    FileEntry,
    Manifest,
    normalize_domain,
)
from finclip_desktop.package.signing import sign_manifest
from finclip_desktop.package.zipformat import write_archive

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

PROJECT_CONFIG = "project.config.json"
FINCLIP_CONFIG = "finclip.config.json"
# Never packed: build configuration, VCS and editor litter, dependencies sources.
_SKIPPED_NAMES = frozenset({FINCLIP_CONFIG, "node_modules"})
_MAX_CONFIG_BYTES = 1024 * 1024


def _require_folder(root: Path) -> None:
    if not root.is_dir():
        raise AppError(f"{root} is not a folder")


def collect_files(root: Path, limits: Limits = DEFAULT_LIMITS) -> dict[str, bytes]:
    """All files of a mini-program folder as {posix path: bytes}.

    Hidden entries, ``node_modules``, ``finclip.config.json`` and built ``*.fcpkg`` files
    are skipped. Symbolic links, pipes, devices and unsafe names are refused, and so is
    anything a package may not hold (the reader's rules and ``limits``), with an AppError.
    """
    root = Path(root)
    _require_folder(root)
    rules = EntryRules(limits)
    files: dict[str, bytes] = {}
    try:
        for name in sorted(RESERVED_NAMES):  # every package also holds these two entries
            rules.add(name, 0)
        for dirpath, dirnames, filenames in os.walk(root):
            base = Path(dirpath)
            dirnames[:] = sorted(
                d for d in dirnames if not d.startswith(".") and d not in _SKIPPED_NAMES
            )
            for name in dirnames:
                if (base / name).is_symlink():
                    raise AppError(f"{base / name} is a symbolic link; packages cannot hold links")
            for name in sorted(filenames):
                if name.startswith(".") or name in _SKIPPED_NAMES or name.endswith(".fcpkg"):
                    continue
                rel = (base / name).relative_to(root).as_posix()
                if rel in RESERVED_NAMES:
                    raise AppError(f"{rel} is a reserved name and cannot be part of an app")
                data = _read_app_file(base / name, rel, rules, limits)
                rules.add(rel, len(data))
                files[rel] = data
    except PackageError as exc:
        raise AppError(str(exc)) from None
    return files


def _read_app_file(path: Path, rel: str, rules: EntryRules, limits: Limits) -> bytes:
    """One file of an app folder: a regular file that fits in what the limit leaves."""
    if path.is_symlink():
        raise AppError(f"{rel} is a symbolic link; packages cannot hold links")
    try:
        return read_regular_file(path, limits.max_total_bytes - rules.total, follow_symlinks=False)
    except FileTooLargeError as exc:
        raise TooLargeError(
            f"{rel} is {exc.size} bytes: the app's files exceed the "
            f"{limits.max_total_bytes} byte package content limit"
        ) from None
    except SpecialFileError:
        raise AppError(
            f"{rel} is not a regular file (a pipe, socket or device); packages hold only files"
        ) from None
    except OSError as exc:
        raise AppError(f"cannot read {rel}: {exc.strerror or exc}") from None


def _read_json(root: Path, name: str) -> dict[str, Any]:
    path = root / name
    if not path.exists():
        return {}
    try:
        data = strict_loads(read_regular_file(path, _MAX_CONFIG_BYTES))
    except ValueError as exc:
        raise AppError(f"{name}: {exc}") from None
    except OSError as exc:
        raise AppError(f"cannot read {name}: {exc.strerror or exc}") from None
    if not isinstance(data, dict):
        raise AppError(f"{name}: must be a JSON object")
    return data


def _domain_lists(value: Any, where: str) -> dict[str, tuple[str, ...]]:
    """Normalised domain lists; ``where`` names the source in error messages."""
    if not isinstance(value, Mapping) or set(value) - set(DOMAIN_KINDS):
        raise AppError(f"{where}: 'domains' may only have the keys {', '.join(DOMAIN_KINDS)}")
    result = {}
    for kind in DOMAIN_KINDS:
        hosts = value.get(kind, [])
        if not isinstance(hosts, list | tuple) or not all(isinstance(h, str) for h in hosts):
            raise AppError(f"{where}: 'domains.{kind}' must be an array of domains")
        try:
            result[kind] = tuple(sorted({normalize_domain(h) for h in hosts}))
        except ValueError as exc:
            raise AppError(f"{where}: {exc}") from None
    return result


def _permission_list(value: Any, where: str) -> tuple[str, ...]:
    if not isinstance(value, list | tuple) or not all(isinstance(p, str) for p in value):
        raise AppError(f"{where}: 'permissions' must be an array of scope names")
    return tuple(sorted(set(value)))


def app_settings(root: Path, overrides: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """Manifest fields for a folder: ``project.config.json`` (appid, projectname), then
    ``finclip.config.json`` (appId, name, version, description, icon, minRuntime,
    permissions, domains), then explicit ``overrides`` (same keys as Manifest)."""
    root = Path(root)
    _require_folder(root)
    project = _read_json(root, PROJECT_CONFIG)
    own = _read_json(root, FINCLIP_CONFIG)
    settings: dict[str, Any] = {
        "app_id": own.get("appId", project.get("appid")),
        "name": own.get("name", project.get("projectname")),
        "version": own.get("version"),
        "description": own.get("description", project.get("description", "")),
        "icon": own.get("icon", ""),
        "min_runtime": own.get("minRuntime", DEFAULT_MIN_RUNTIME),
        "permissions": _permission_list(own.get("permissions", []), FINCLIP_CONFIG),
        "domains": _domain_lists(own.get("domains", {}), FINCLIP_CONFIG),
    }
    extra = {k: v for k, v in (overrides or {}).items() if v not in (None, [], {})}
    if "permissions" in extra:
        extra["permissions"] = _permission_list(extra["permissions"], "overrides")
    if "domains" in extra:
        extra["domains"] = _domain_lists(extra["domains"], "overrides")
    settings.update(extra)
    for key, hint in (
        ("app_id", f"'appId' in {FINCLIP_CONFIG}, 'appid' in {PROJECT_CONFIG}, or --app-id"),
        ("name", f"'name' in {FINCLIP_CONFIG}, 'projectname' in {PROJECT_CONFIG}, or --name"),
        ("version", f"'version' in {FINCLIP_CONFIG} or --version"),
    ):
        if not settings[key]:
            raise AppError(f"no {key.replace('_', ' ')}: set {hint}")
    if isinstance(settings["app_id"], str):
        settings["app_id"] = settings["app_id"].lower()
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
    files: Mapping[str, bytes],
    settings: Mapping[str, Any],
    key: Ed25519PrivateKey,
    limits: Limits = DEFAULT_LIMITS,
) -> tuple[Manifest, bytes]:
    """A signed package (manifest, archive bytes) for in-memory files. Deterministic.

    Raises AppError for anything the reader would refuse under ``limits``.
    """
    manifest = make_manifest(files, settings)
    manifest_bytes = manifest.canonical_bytes()
    entries = [(path, files[path]) for path in sorted(files)]
    entries += [
        (MANIFEST_NAME, manifest_bytes),
        (SIGNATURE_NAME, sign_manifest(manifest_bytes, key)),
    ]
    try:
        rules = EntryRules(limits)
        for name, content in entries:
            rules.add(name, len(content))
        check_manifest_size(len(manifest_bytes), limits)
        data = write_archive(entries)
        check_archive_size(len(data), limits)
    except PackageError as exc:
        raise AppError(str(exc)) from None
    return manifest, data


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
