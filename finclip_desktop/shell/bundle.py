"""What a container serves: the verified package's files plus the compiled runtime view.

An :class:`AppBundle` is built from a verified ``.fcpkg`` (the only source outside developer
mode) or from a developer folder (unsigned; refused unless developer mode is on). Every byte
served comes from it, held in memory and immutable.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any

from finclip_desktop import runtime
from finclip_desktop.package import (
    AppError,
    Manifest,
    PackageError,
    RuntimeTooOldError,
    TrustStore,
    VerifiedPackage,
    app_settings,
    check_runtime,
    collect_files,
    make_manifest,
    read_package,
    validate_app,
)
from finclip_desktop.package.appcheck import PLAIN_ENTRY
from finclip_desktop.shell import compiled

_UNSAFE = re.compile(r"[^a-z0-9.-]+")


class BundleError(ValueError):
    """The app cannot be opened; ``str()`` is one line for the user."""


def safe_app_id(app_id: str) -> str:
    """A folder- and storage-name-safe form of an app id (stable, collision-resistant)."""
    clean = _UNSAFE.sub("-", app_id.lower()).strip(".-")[:64] or "app"
    if clean != app_id:
        clean = f"{clean}-{hashlib.sha256(app_id.encode()).hexdigest()[:8]}"
    return clean


@dataclass(frozen=True)
class AppBundle:
    """One app ready to serve: ``files`` maps URL paths (no leading slash) to bytes."""

    app_id: str
    name: str
    version: str
    manifest: Manifest
    files: Mapping[str, bytes]
    entry: str
    kind: str  # "wechat" | "html"
    package: Any = None  # VerifiedPackage, or a dev folder's in-memory equivalent
    signed: bool = True
    window: Mapping[str, Any] = field(default_factory=dict)  # app.json "window" config

    @property
    def origin(self) -> str:
        return f"finclip://{self.app_id}"

    def entry_url(self) -> str:
        return f"{self.origin}/{self.entry}"


@dataclass(frozen=True)
class FolderPackage:
    """A developer folder held like a package (``read``/``paths``/``files``), unsigned."""

    manifest: Manifest
    files: Mapping[str, bytes]
    signer: None = None

    def read(self, path: str) -> bytes:
        return self.files[path]

    def paths(self) -> list[str]:
        return sorted(self.files)


def _app_json(files: Mapping[str, bytes]) -> dict[str, Any]:
    try:
        data = json.loads(files.get("app.json", b"{}"))
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def compile_files(
    files: Mapping[str, bytes], sources: Mapping[str, Any]
) -> tuple[dict[str, bytes], str, str]:
    """Served files, entry path and kind for an app's source files (``sources``: its
    manifest's file entries, whose hashes key the compiled-view cache).

    A WeChat-syntax app goes through ``runtime.build_app`` (or its cached result: the
    compiler is imported only on a miss); a plain web app (index.html, no app.json) is
    served as it is.
    """
    try:
        kind = validate_app(files)
    except AppError as exc:
        raise BundleError(str(exc)) from None
    if kind == "html":
        return dict(files), PLAIN_ENTRY, kind
    key = compiled.cache_key(sources)
    generated = compiled.load(key) if key else None
    if generated is None:
        try:
            generated = runtime.build_app(files)
        except runtime.CompileError as exc:
            raise BundleError(f"cannot compile the app: {exc}") from None
        if key:
            compiled.save(key, generated)
    return {**files, **generated}, runtime.ENTRY, kind


def bundle_from_package(package: VerifiedPackage | FolderPackage, signed: bool) -> AppBundle:
    manifest = package.manifest
    served, entry, kind = compile_files(package.files, manifest.files)
    window = _app_json(package.files).get("window", {})
    return AppBundle(
        app_id=manifest.app_id,
        name=manifest.name,
        version=manifest.version,
        manifest=manifest,
        files=MappingProxyType(served),
        entry=entry,
        kind=kind,
        package=package,
        signed=signed,
        window=window if isinstance(window, dict) else {},
    )


def precompile(package: VerifiedPackage) -> None:
    """Compile an installed package ahead of its first launch (into the compiled-view
    cache); an app that does not compile is left to report it when it is opened."""
    try:
        compile_files(package.files, package.manifest.files)
    except BundleError:
        return


def load_package_file(path: Path, trust: TrustStore) -> AppBundle:
    """A signed .fcpkg, verified against ``trust`` before any byte is used."""
    try:
        package = read_package(Path(path), trust)
    except PackageError as exc:
        raise BundleError(f"{path}: {exc}") from None
    return bundle_from_package(package, signed=True)


def _folder_settings(root: Path) -> dict[str, Any]:
    fallback = {
        "app_id": f"dev.{safe_app_id(root.resolve().name)}",
        "name": root.resolve().name or "app",
        "version": "0.0.0",
    }
    overrides: dict[str, Any] = {}
    for _ in fallback:
        try:
            return app_settings(root, overrides)
        except AppError as exc:
            missing = next(
                (k for k in fallback if str(exc).startswith(f"no {k.replace('_', ' ')}:")), None
            )
            if missing is None or missing in overrides:
                raise BundleError(f"{root}: {exc}") from None
            overrides[missing] = fallback[missing]
    return app_settings(root, overrides)


def load_folder(root: Path) -> AppBundle:
    """A developer folder (unsigned): the caller has checked developer mode. Its
    ``minRuntime`` is checked like a package's (one-line :class:`BundleError`)."""
    root = Path(root)
    try:
        files = collect_files(root)
        settings = _folder_settings(root)
        manifest = make_manifest(files, settings)
        check_runtime(manifest)  # minRuntime, as for packages
    except (AppError, RuntimeTooOldError) as exc:
        raise BundleError(f"{root}: {exc}") from None
    return bundle_from_package(FolderPackage(manifest, MappingProxyType(files)), signed=False)


def bundle_from_files(files: Mapping[str, bytes], app_id: str, **manifest: Any) -> AppBundle:
    """An unsigned in-memory app (tests and tools; runs only in developer mode)."""
    settings = {"app_id": app_id, "name": manifest.pop("name", app_id), "version": "0.0.0"}
    settings.update(manifest)
    try:
        made = make_manifest(files, settings)
    except AppError as exc:
        raise BundleError(str(exc)) from None
    return bundle_from_package(FolderPackage(made, MappingProxyType(dict(files))), signed=False)
