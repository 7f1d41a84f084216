"""The content-addressed package cache.

Layout under the cache root::

    blobs/<sha256>                 every file of every kept version, named by its hash
    versions/<manifest sha256>/    finclip.json, finclip.sig, target.json of one version
    apps/<app_id>.json             {"current", "pending", "previous"}: manifest hashes
    downloads/<sha256>.part        interrupted full downloads (resumed with Range)
    runtime-refusals.json          versions this runtime is too old for (not fetched again)

Blobs and version folders are written completely (temp file or folder, then rename)
before the app pointer names them, and the pointer is replaced atomically, so an
interrupted download or install always leaves the previous version launchable.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import tempfile
import time
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from finclip_desktop.package import (
    MANIFEST_NAME,
    SIGNATURE_NAME,
    Manifest,
    PackageError,
    TrustStore,
    VerifiedPackage,
    verify_parts,
)
from finclip_desktop.package.builder import write_atomic
from finclip_desktop.package.canonical import canonical_json, strict_loads
from finclip_desktop.store.errors import NotInstalledError, StoreError, VerificationError

TARGET_FILE = "target.json"
RUNTIME_REFUSALS = "runtime-refusals.json"
_APP_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,127}")
_SHA = re.compile(r"[0-9a-f]{64}")


@dataclass(frozen=True)
class Pointer:
    """Which versions (manifest hashes) of an app are current, staged, and kept for rollback."""

    current: str | None = None
    pending: str | None = None
    previous: str | None = None

    def kept(self) -> set[str]:
        return {v for v in (self.current, self.pending, self.previous) if v}


def check_app_id(app_id: str) -> str:
    if not isinstance(app_id, str) or not _APP_ID.fullmatch(app_id) or ".." in app_id:
        raise StoreError(f"invalid app id {app_id!r:.60}")
    return app_id


class PackageCache:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.blobs = root / "blobs"
        self.versions = root / "versions"
        self.apps = root / "apps"
        self.downloads = root / "downloads"
        for folder in (self.blobs, self.versions, self.apps, self.downloads):
            folder.mkdir(parents=True, exist_ok=True)

    # -- blobs ----------------------------------------------------------------------------
    def has_blob(self, sha256: str) -> bool:
        return (self.blobs / sha256).is_file()

    def put_blob(self, content: bytes, sha256: str | None = None) -> str:
        digest = hashlib.sha256(content).hexdigest()
        if sha256 is not None and digest != sha256:
            raise VerificationError(f"blob {sha256[:16]}… does not match its hash", "hash")
        if not self.has_blob(digest):
            write_atomic(self.blobs / digest, content)
        return digest

    def read_blob(self, sha256: str) -> bytes:
        try:
            return (self.blobs / sha256).read_bytes()
        except OSError:
            raise NotInstalledError(f"file {sha256[:16]}… is missing from the cache") from None

    # -- versions -------------------------------------------------------------------------
    def has_version(self, manifest_sha256: str) -> bool:
        return (self.versions / manifest_sha256 / MANIFEST_NAME).is_file()

    def add_version(
        self, manifest_bytes: bytes, sig_bytes: bytes, target: Mapping[str, Any]
    ) -> str:
        """Record a version whose blobs are all present; returns its manifest hash."""
        msha = hashlib.sha256(manifest_bytes).hexdigest()
        dest = self.versions / msha
        if dest.is_dir():
            return msha
        tmp = Path(tempfile.mkdtemp(prefix=f".{msha[:16]}.", dir=self.versions))
        try:
            for name, data in (
                (MANIFEST_NAME, manifest_bytes),
                (SIGNATURE_NAME, sig_bytes),
                (TARGET_FILE, canonical_json(dict(target))),
            ):
                write_atomic(tmp / name, data)
            os.rename(tmp, dest)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
        return msha

    def target(self, manifest_sha256: str) -> dict[str, Any]:
        try:
            return strict_loads((self.versions / manifest_sha256 / TARGET_FILE).read_bytes())
        except (OSError, ValueError):
            return {}

    def update_target(self, manifest_sha256: str, target: Mapping[str, Any]) -> bool:
        """Replace a cached version's target entry with a newer verified one (the server
        may have changed the app's domain lists since the download); False when the
        version is not cached or the entry is unchanged."""
        if not _SHA.fullmatch(manifest_sha256):
            return False
        path = self.versions / manifest_sha256 / TARGET_FILE
        body = canonical_json(dict(target))
        try:
            if path.read_bytes() == body:
                return False
            write_atomic(path, body)
        except OSError:  # not cached (or collected meanwhile)
            return False
        return True

    def manifest(self, manifest_sha256: str) -> Manifest | None:
        """The cached manifest of a version (unverified: for display only)."""
        try:
            return Manifest.from_bytes(
                (self.versions / manifest_sha256 / MANIFEST_NAME).read_bytes()
            )
        except (OSError, PackageError):
            return None

    def load(self, manifest_sha256: str, trust: TrustStore) -> VerifiedPackage:
        """Read a version from the cache and verify every byte (``verify_parts``)."""
        folder = self.versions / manifest_sha256
        try:
            manifest_bytes = (folder / MANIFEST_NAME).read_bytes()
            sig_bytes = (folder / SIGNATURE_NAME).read_bytes()
        except OSError:
            raise NotInstalledError(f"version {manifest_sha256[:16]}… is not cached") from None
        if hashlib.sha256(manifest_bytes).hexdigest() != manifest_sha256:
            raise VerificationError("cached manifest does not match its hash", "hash")
        try:
            manifest = Manifest.from_bytes(manifest_bytes)
            files = {path: self.read_blob(e.sha256) for path, e in manifest.files.items()}
            return verify_parts(manifest_bytes, sig_bytes, files, trust)
        except PackageError as exc:
            raise VerificationError(f"cached package rejected: {exc}", exc.code) from None

    # -- app pointers ---------------------------------------------------------------------
    def pointer(self, app_id: str) -> Pointer:
        path = self.apps / f"{check_app_id(app_id)}.json"
        try:
            data = strict_loads(path.read_bytes())
        except (OSError, ValueError):
            return Pointer()
        values = {k: data.get(k) for k in ("current", "pending", "previous")}
        clean = {k: v if isinstance(v, str) and _SHA.fullmatch(v) else None
                 for k, v in values.items()}  # fmt: skip
        return Pointer(**clean)

    def set_pointer(self, app_id: str, pointer: Pointer) -> None:
        path = self.apps / f"{check_app_id(app_id)}.json"
        body = {"current": pointer.current, "pending": pointer.pending,
                "previous": pointer.previous}  # fmt: skip
        write_atomic(path, json.dumps(body, sort_keys=True).encode())

    def installed(self) -> list[str]:
        return sorted(p.stem for p in self.apps.glob("*.json") if _APP_ID.fullmatch(p.stem))

    # -- partial downloads ----------------------------------------------------------------
    def part_path(self, sha256: str) -> Path:
        if not _SHA.fullmatch(sha256):
            raise StoreError("invalid package hash")
        return self.downloads / f"{sha256}.part"

    # -- versions this runtime cannot run -------------------------------------------------
    def runtime_refusal(self, manifest_sha256: str, runtime: str) -> str | None:
        """The one-line reason recorded when ``runtime`` refused this version, else None
        (a newer runtime tries again)."""
        entry = self._refusals().get(manifest_sha256)
        if isinstance(entry, dict) and entry.get("runtime") == runtime:
            error = entry.get("error")
            return error if isinstance(error, str) else None
        return None

    def refuse_runtime(
        self, manifest_sha256: str, runtime: str, error: str, keep: Collection[str]
    ) -> None:
        """Record that ``runtime`` cannot run this version; records of versions not in
        ``keep`` (no longer offered) are dropped."""
        refusals = {k: v for k, v in self._refusals().items() if k in keep}
        refusals[manifest_sha256] = {"runtime": runtime, "error": error}
        write_atomic(self.root / RUNTIME_REFUSALS, canonical_json(refusals))

    def _refusals(self) -> dict[str, Any]:
        try:
            data = strict_loads((self.root / RUNTIME_REFUSALS).read_bytes())
        except (OSError, ValueError):
            return {}
        return data if isinstance(data, dict) else {}

    # -- garbage collection ---------------------------------------------------------------
    def gc(
        self, keep_downloads: Collection[str] = frozenset(), keep_younger_than: float = 0.0
    ) -> int:
        """Delete versions no app points to and blobs no kept version lists; return the
        number of blobs deleted. Interrupted downloads survive when their package hash is
        in ``keep_downloads`` or they were written less than ``keep_younger_than`` s ago."""
        kept: set[str] = set()
        for app_id in self.installed():
            kept |= self.pointer(app_id).kept()
        wanted: set[str] = set()
        for folder in self.versions.iterdir():
            if folder.name.startswith(".") or folder.name not in kept:
                shutil.rmtree(folder, ignore_errors=True)
                continue
            try:
                manifest = Manifest.from_bytes((folder / MANIFEST_NAME).read_bytes())
            except (OSError, PackageError):
                shutil.rmtree(folder, ignore_errors=True)
                continue
            wanted |= {e.sha256 for e in manifest.files.values()}
        removed = 0
        for blob in self.blobs.iterdir():
            if blob.name not in wanted:
                blob.unlink(missing_ok=True)
                removed += 1
        oldest = time.time() - keep_younger_than
        for part in self.downloads.iterdir():
            if part.name.removesuffix(".part") in keep_downloads:
                continue
            try:
                if part.stat().st_mtime > oldest:
                    continue
            except OSError:
                continue
            part.unlink(missing_ok=True)
        return removed
