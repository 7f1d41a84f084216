"""``Store``: what the shell and the launcher use to list, install, update and open apps.

Online, every install or update first refreshes the signed metadata (root rotation walk,
timestamp → snapshot → targets); packages are fetched whole (with Range resume) or as a
file-level delta, verified against the signed target and the trust store, and only then
made current. Offline, ``open`` serves the last verified version from the cache.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import platform
import socket
import threading
from collections.abc import Callable, Collection
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from finclip_desktop import RUNTIME_VERSION
from finclip_desktop.package import (
    Limits,
    Manifest,
    PackageError,
    TrustStore,
    VerifiedPackage,
    check_runtime,
    read_package,
)
from finclip_desktop.package.signing import verify_manifest_signature
from finclip_desktop.package.zipformat import read_archive
from finclip_desktop.store import credentials
from finclip_desktop.store.cache import PackageCache, Pointer, check_app_id
from finclip_desktop.store.errors import (
    AppNotAllowedError,
    NotConfiguredError,
    NotInstalledError,
    OfflineError,
    RuntimeTooOldError,
    ServerError,
    StoreError,
    UnknownAppError,
    VerificationError,
    WithdrawnError,
)
from finclip_desktop.store.http import RetryPolicy, ServerClient
from finclip_desktop.store.locking import FileLock
from finclip_desktop.store.stats import BATCH_SIZE, BatchRejected, StatsQueue, make_event
from finclip_desktop.store.trust import DEVICE_ROLES, TrustedMetadata, root_bytes
from finclip_desktop.store.trust_state import semver_key

Progress = Callable[[int, int], None]
MAX_PARTS_BYTES = 8 * 1024 * 1024
DOWNLOAD_ATTEMPTS = 3
DELTA_FRACTION = 0.5  # a delta when at most this share of the package is missing
DEFAULT_RETRY = RetryPolicy()
PERMANENT_REJECTIONS = frozenset({400, 413, 422})  # stats batches the server refuses for good
COUNTED_REJECTIONS = frozenset({500})  # a batch that keeps failing the server: bounded retries
PART_MAX_AGE_S = 7 * 86400  # interrupted downloads of targets no longer listed are kept this long
MAX_LOGIN_LIFETIME_S = 24 * 3600


@dataclass(frozen=True)
class CatalogEntry:
    app_id: str
    name: str
    description: str = ""
    category: str = ""
    icon_url: str = ""
    version: str = ""
    installed_version: str | None = None
    update_available: bool = False
    mandatory: bool = False


@dataclass(frozen=True)
class UpdateInfo:
    """A new version found by ``check_updates``: ``staged`` (downloaded and verified), or
    not, with ``error`` saying why (one line)."""

    app_id: str
    installed_version: str | None
    version: str
    mandatory: bool
    staged: bool
    error: str = ""


def _default_settings() -> Any:
    from finclip_desktop.settings import SettingsStore

    return SettingsStore().effective


def _default_dir() -> Path:
    from finclip_desktop.settings import data_dir

    return data_dir() / "store"


class Store:
    """The client store of one server.

    ``settings`` is a ``finclip_desktop.settings.Settings`` (or any object with
    ``server_url``, ``proxy``, ``telemetry``, ``distribution_root``, ``update_channel``,
    ``trust_store()`` and ``app_allowed()``). The server sends this device the gray
    releases of its ``update_channel`` (told with every device call). The root of trust
    is ``distribution_root`` (policy), else ``root_file``, else trust on first use of the
    server's root.json (``allow_tofu``).
    """

    def __init__(
        self,
        settings: Any = None,
        *,
        directory: Path | None = None,
        root_file: Path | None = None,
        allow_tofu: bool = True,
        enrollment: tuple[str, str] | None = None,
        retry: RetryPolicy = DEFAULT_RETRY,
        timeout: float = 15.0,
        device_name: str | None = None,
    ) -> None:
        self.settings = settings if settings is not None else _default_settings()
        self.directory = Path(directory) if directory is not None else _default_dir()
        self.server_url = (self.settings.server_url or "").rstrip("/") or None
        self.cache = PackageCache(self.directory / "cache")
        self.stats = StatsQueue(self.directory / "stats.sqlite3")
        self.online: bool | None = None
        # install/update/gc one at a time; app pointers briefly, never over the network
        self._network = FileLock(self.directory / "network.lock")
        self._pointers = FileLock(self.directory / "pointers.lock")
        self._metadata_lock = FileLock(self.directory / "metadata.lock")
        self._executor: ThreadPoolExecutor | None = None
        self._register_lock = threading.Lock()  # one registration at a time
        self._enrollment = enrollment
        self._device_name = device_name or socket.gethostname()
        pinned: bytes | None = None
        if getattr(self.settings, "distribution_root", None):
            pinned = root_bytes(self.settings.distribution_root)
            allow_tofu = False
        elif root_file is not None:
            pinned = root_bytes(root_file)
            allow_tofu = False
        self.metadata = TrustedMetadata(
            self._state_dir(), pinned, allow_tofu, self._installed_versions, self._metadata_lock
        )
        self.client: ServerClient | None = None
        if self.server_url:
            self.client = ServerClient(
                self.server_url,
                proxy=getattr(self.settings, "proxy", "system"),
                timeout=timeout,
                retry=retry,
                auth=self._auth_header,
                on_unauthorized=self._reregister,
                channel=getattr(self.settings, "update_channel", None),
            )

    def _state_dir(self) -> Path:
        key = hashlib.sha256((self.server_url or "").encode()).hexdigest()[:16]
        return self.directory / "metadata" / key

    def close(self) -> None:
        if self._executor is not None:
            self._executor.shutdown(wait=True)
        if self.client is not None:
            self.client.close()
        self.stats.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- device ---------------------------------------------------------------------------
    def _http(self) -> ServerClient:
        if self.client is None:
            raise NotConfiguredError("no server configured (set server_url)")
        return self.client

    def _auth_header(self) -> str:
        return self.register().header()

    def register(self, force: bool = False) -> credentials.DeviceCredentials:
        """The device credentials, registering this install on first use. The metadata
        versions already trusted go along (``seen``), so the server starts the new
        identity's documents above them."""
        assert self.server_url is not None
        with self._register_lock:
            creds = None if force else credentials.load(self.server_url)
            return creds if creds is not None else self._register_now()

    def _register_now(self) -> credentials.DeviceCredentials:
        assert self.server_url is not None
        body: dict[str, Any] = {"name": self._device_name[:200], "platform": platform.system()}
        seen = self.metadata.seen_versions(DEVICE_ROLES)
        if seen:
            body["seen"] = seen
        if self._enrollment:
            body["org"], body["enrollment_token"] = self._enrollment
        data = self._http().post_json("/devices/register", body, device=False)
        if not isinstance(data, dict) or not all(
            isinstance(data.get(k), str) for k in ("device_id", "device_secret")
        ):
            raise ServerError("registration answer lacks device_id/device_secret")
        creds = credentials.DeviceCredentials(data["device_id"], data["device_secret"])
        credentials.save(self.server_url, creds)
        return creds

    def _reregister(self) -> bool:
        """The server no longer knows this device (401): register again, once. The new
        device may be in another audience, so its documents start afresh; the versions
        seen and the installed app versions stay protected (a forged 401 gains nothing)."""
        self.register(force=True)
        self.metadata.forget_device_roles()
        return True

    # -- metadata -------------------------------------------------------------------------
    def refresh(self) -> dict[str, Any]:
        """Verified targets of this device, fresh from the server (marks online/offline).
        Cached versions they name take their entry as it is now: the domain lists the
        server allows an app may have changed since its download."""
        try:
            with self._metadata_lock.hold():
                targets = self.metadata.refresh(self._http())
        except OfflineError:
            self.online = False
            raise
        self.online = True
        with self._pointers.hold():
            for target in targets["targets"].values():
                self.cache.update_target(target["manifest_sha256"], target)
        return targets["targets"]

    def _trust(self) -> TrustStore:
        return self.settings.trust_store()

    def _check_allowed(self, app_id: str) -> None:
        allowed = getattr(self.settings, "app_allowed", None)
        if allowed is not None and not allowed(app_id):
            raise AppNotAllowedError(f"app {app_id} is not allowed by your organisation")

    @staticmethod
    def _target_for(targets: dict[str, Any], app_id: str) -> dict[str, Any] | None:
        entries = [t for t in targets.values() if t["app_id"] == app_id]
        if not entries:
            return None
        return max(entries, key=lambda t: semver_key(t["version"]))

    def _usable_target(self, targets: dict[str, Any], app_id: str) -> dict[str, Any] | None:
        """The target to install for ``app_id``; VerificationError when it is older than a
        version guarded after a change of trust."""
        target = self._target_for(targets, app_id)
        if target is not None:
            self.metadata.check_target(target)
        return target

    # -- catalogue ------------------------------------------------------------------------
    def catalog(self) -> list[CatalogEntry]:
        """The apps this device receives (online), or the installed ones (offline;
        ``self.online`` is then False)."""
        try:
            targets = self.refresh()
            listing = self._http().get_json("/catalog")
        except OfflineError:
            return [self._installed_entry(app_id) for app_id in self.installed()]
        if not isinstance(listing, list):
            raise ServerError("catalog is not a list")
        entries = []
        for item in listing:
            if not isinstance(item, dict) or not isinstance(item.get("app_id"), str):
                continue
            app_id = item["app_id"]
            allowed = getattr(self.settings, "app_allowed", None)
            if allowed is not None and not allowed(app_id):
                continue
            target = self._target_for(targets, app_id)
            if target is None:
                continue  # only what the signed targets list is offered
            installed = self.installed_version(app_id)
            try:
                self.metadata.check_target(target)
                newer = self._current_msha(app_id) != target["manifest_sha256"]
            except VerificationError:
                newer = False
            entries.append(
                CatalogEntry(
                    app_id=app_id,
                    name=str(item.get("name") or app_id),
                    description=str(item.get("description") or ""),
                    category=str(item.get("category") or ""),
                    icon_url=str(item.get("icon_url") or ""),
                    version=target["version"],
                    installed_version=installed,
                    update_available=installed is not None and newer,
                    mandatory=target["mandatory"],
                )
            )
        return entries

    def _installed_entry(self, app_id: str) -> CatalogEntry:
        pointer = self.cache.pointer(app_id)
        manifest = self.cache.manifest(pointer.current) if pointer.current else None
        if manifest is None:
            return CatalogEntry(app_id=app_id, name=app_id)
        return CatalogEntry(
            app_id=app_id,
            name=manifest.name,
            description=manifest.description,
            version=manifest.version,
            installed_version=manifest.version,
        )

    # -- installed ------------------------------------------------------------------------
    def installed(self) -> list[str]:
        return [a for a in self.cache.installed() if self.cache.pointer(a).current]

    def _current_msha(self, app_id: str) -> str | None:
        pointer = self.cache.pointer(app_id)
        return pointer.pending or pointer.current

    def installed_version(self, app_id: str) -> str | None:
        pointer = self.cache.pointer(app_id)
        if not pointer.current:
            return None
        return self.cache.target(pointer.current).get("version")

    def _installed_versions(self) -> dict[str, str]:
        """The highest installed or staged version of every installed app."""
        found: dict[str, str] = {}
        for app_id in self.cache.installed():
            pointer = self.cache.pointer(app_id)
            versions = [self.cache.target(m).get("version") for m in (pointer.current,
                        pointer.pending) if m]  # fmt: skip
            versions = [v for v in versions if isinstance(v, str)]
            if versions:
                found[app_id] = max(versions, key=semver_key)
        return found

    def withdrawn(self, app_id: str) -> bool:
        """Whether the server withdrew the app from this device (taken down, or no longer
        in its audience): verified, fresh targets that named it no longer do. Follows the
        last verified metadata, also offline; cleared when verified targets name it again."""
        return self.metadata.withdrawn(app_id)

    def open(self, app_id: str) -> VerifiedPackage:
        """The app's verified package, from the cache only (works offline). A staged update
        becomes current here (on the next launch); a damaged current version falls back to
        the previous one. A withdrawn app is refused (its data stays)."""
        check_app_id(app_id)
        self._check_allowed(app_id)
        if self.withdrawn(app_id):
            raise WithdrawnError(
                f"app {app_id} was withdrawn by the server; it can no longer be opened "
                "(its data on this computer is kept)"
            )
        with self._pointers.hold():
            pointer = self.cache.pointer(app_id)
            if pointer.pending:
                try:
                    package = self.cache.load(pointer.pending, self._trust())
                    self._promote(app_id, pointer)
                    return package
                except StoreError:
                    self.cache.set_pointer(app_id, Pointer(pointer.current, None, pointer.previous))
            if not pointer.current:
                raise NotInstalledError(f"app {app_id} is not installed")
            try:
                return self.cache.load(pointer.current, self._trust())
            except StoreError:
                if not pointer.previous:
                    raise
                package = self.cache.load(pointer.previous, self._trust())
                self.cache.set_pointer(app_id, Pointer(pointer.previous, None, None))
                return package

    def _promote(self, app_id: str, pointer: Pointer) -> None:
        self.cache.set_pointer(app_id, Pointer(pointer.pending, None, pointer.current))

    def apply_update(self, app_id: str) -> VerifiedPackage | None:
        """Make a staged update current now (mandatory updates, UpdateManager.applyUpdate)."""
        with self._pointers.hold():
            pointer = self.cache.pointer(app_id)
            if not pointer.pending:
                return None
            package = self.cache.load(pointer.pending, self._trust())
            self._promote(app_id, pointer)
            return package

    def rollback(self, app_id: str) -> VerifiedPackage:
        """Go back to the previous installed version (kept for instant rollback)."""
        with self._pointers.hold():
            pointer = self.cache.pointer(app_id)
            if not pointer.previous:
                raise NotInstalledError(f"app {app_id} has no previous version")
            package = self.cache.load(pointer.previous, self._trust())
            self.cache.set_pointer(app_id, Pointer(pointer.previous, None, pointer.current))
            return package

    # -- install / update -----------------------------------------------------------------
    def install(self, app_id: str, progress: Progress | None = None) -> VerifiedPackage:
        """Install or update ``app_id`` to the version the server's signed targets name,
        and make it current. Needs the server (fresh, unexpired metadata)."""
        check_app_id(app_id)
        self._check_allowed(app_id)
        with self._network.hold():
            target = self._usable_target(self.refresh(), app_id)
            if target is None:
                raise UnknownAppError(f"the server offers no app {app_id} to this device")
            msha = self._fetch(target, progress)
            package = self.cache.load(msha, self._trust())
            with self._pointers.hold():
                pointer = self.cache.pointer(app_id)
                if pointer.current != msha:
                    self.cache.set_pointer(app_id, Pointer(msha, None, pointer.current))
                elif pointer.pending:
                    self.cache.set_pointer(app_id, Pointer(msha, None, pointer.previous))
            self.gc()
            return package

    def check_updates(
        self, progress: Progress | None = None, app_ids: Collection[str] | None = None
    ) -> list[UpdateInfo]:
        """Refresh metadata and stage (download and verify) a new version of every
        installed app (or of ``app_ids``); staged versions become current on the next
        ``open`` or at once with ``apply_update`` (what the shell does for ``mandatory``
        ones). An app whose update fails is reported (``error``) and the others go on;
        only a failed metadata refresh raises. A version that needs a newer runtime is
        reported once, before any of its files is downloaded, then skipped (until the
        runtime changes)."""
        with self._network.hold():
            targets = self.refresh()
            updates = []
            for app_id in self.installed():
                if app_ids is not None and app_id not in app_ids:
                    continue
                target = self._target_for(targets, app_id)
                pointer = self.cache.pointer(app_id)
                if target is None or target["manifest_sha256"] in (
                    pointer.current,
                    pointer.pending,
                ):
                    continue
                if self.cache.runtime_refusal(target["manifest_sha256"], RUNTIME_VERSION):
                    continue  # reported when found; tried again by a newer runtime
                updates.append(self._stage(app_id, target, progress))
            self.gc()
            return updates

    def _stage(self, app_id: str, target: dict[str, Any], progress: Progress | None) -> UpdateInfo:
        installed = self.installed_version(app_id)
        try:
            self.metadata.check_target(target)
            msha = self._fetch(target, progress)
            self.cache.load(msha, self._trust())
        except StoreError as exc:
            return UpdateInfo(
                app_id, installed, target["version"], target["mandatory"], False, str(exc)
            )
        with self._pointers.hold():
            pointer = self.cache.pointer(app_id)
            self.cache.set_pointer(app_id, Pointer(pointer.current, msha, pointer.previous))
        return UpdateInfo(app_id, installed, target["version"], target["mandatory"], True)

    def check_updates_async(
        self,
        callback: Callable[[Future], None] | None = None,
        app_ids: Collection[str] | None = None,
    ) -> Future[list[UpdateInfo]]:
        """``check_updates`` on a background thread (launch never waits for it)."""
        if self._executor is None:
            self._executor = ThreadPoolExecutor(1, thread_name_prefix="finclip-store")
        future = self._executor.submit(self.check_updates, None, app_ids)
        if callback is not None:
            future.add_done_callback(callback)
        return future

    def gc(self) -> int:
        """Delete blobs and versions nothing points to (keeps current, staged, previous).
        Interrupted downloads survive while the last verified targets list them, or for
        ``PART_MAX_AGE_S`` after their last write."""
        listed = {t["sha256"] for t in self.metadata.targets().values()}
        with self._network.hold(), self._pointers.hold():
            return self.cache.gc(keep_downloads=listed, keep_younger_than=PART_MAX_AGE_S)

    def _fetch(self, target: dict[str, Any], progress: Progress | None) -> str:
        """Make the target's version complete and verified in the cache; return its
        manifest hash. Nothing becomes current here."""
        msha = target["manifest_sha256"]
        refused = self.cache.runtime_refusal(msha, RUNTIME_VERSION)
        if refused is not None:
            raise RuntimeTooOldError(refused)
        trust = self._trust()
        if self.cache.has_version(msha):
            try:
                self.cache.load(msha, trust)
                return msha
            except StoreError:
                pass
        http = self._http()
        parts = http.get_json(f"/packages/{target['sha256']}/parts", MAX_PARTS_BYTES)
        manifest_bytes, sig_bytes = _decode_parts(parts)
        if hashlib.sha256(manifest_bytes).hexdigest() != msha:
            raise VerificationError(
                f"manifest of {target['app_id']} does not match the signed targets", "mismatch"
            )
        try:
            verify_manifest_signature(manifest_bytes, sig_bytes, trust)
            manifest = Manifest.from_bytes(manifest_bytes)
        except PackageError as exc:
            raise VerificationError(f"{target['app_id']}: {exc}", exc.code) from None
        _check_target_matches(target, manifest)
        self._check_runtime(msha, manifest)
        needed = {e.sha256: e.size for e in manifest.files.values()}
        have = sorted(h for h in needed if self.cache.has_blob(h))
        missing_bytes = sum(size for h, size in needed.items() if not self.cache.has_blob(h))
        part = self.cache.part_path(target["sha256"])
        if len(have) == len(needed):
            pass
        elif missing_bytes <= DELTA_FRACTION * target["length"] and not part.exists():
            self._fetch_delta(target, needed, have, progress)
        else:  # mostly new bytes: the whole package, resumable with Range
            self._fetch_full(target, manifest_bytes, progress)
        self.cache.add_version(manifest_bytes, sig_bytes, target)
        try:
            self.cache.load(msha, trust)
        except StoreError:
            self.gc()
            raise
        return msha

    def _check_runtime(self, msha: str, manifest: Manifest) -> None:
        """Refuse, before any file is downloaded, a version that needs a newer runtime; the
        refusal is recorded, so later checks neither fetch nor report it again."""
        try:
            check_runtime(manifest, RUNTIME_VERSION)
        except PackageError as exc:
            error = f"{exc}; update FinClip Desktop to get this version"
            keep = {t["manifest_sha256"] for t in self.metadata.targets().values()}
            with self._pointers.hold():
                self.cache.refuse_runtime(msha, RUNTIME_VERSION, error, keep)
            raise RuntimeTooOldError(error) from None

    def _fetch_delta(
        self,
        target: dict[str, Any],
        needed: dict[str, int],
        have: list[str],
        progress: Progress | None,
    ) -> None:
        missing = {h: size for h, size in needed.items() if h not in set(have)}
        if not missing:
            return
        total = sum(missing.values())
        cap = total + 256 * len(missing) + 64 * 1024
        body = self._http().post_bytes(f"/packages/{target['sha256']}/delta", {"have": have}, cap)
        try:
            entries = read_archive(body, Limits(max_archive_bytes=cap))
        except PackageError as exc:
            raise VerificationError(f"delta for {target['app_id']}: {exc}", exc.code) from None
        blobs = {}
        for name, content in entries.items():
            if name not in missing or hashlib.sha256(content).hexdigest() != name:
                raise VerificationError(
                    f"delta for {target['app_id']} holds a file that is not one it needs",
                    "hash",
                )
            blobs[name] = content
        if set(blobs) != set(missing):
            raise VerificationError(f"delta for {target['app_id']} lacks files", "missing-file")
        for name, content in blobs.items():
            self.cache.put_blob(content, name)
        if progress is not None:
            progress(total, total)

    def _fetch_full(
        self, target: dict[str, Any], manifest_bytes: bytes, progress: Progress | None
    ) -> None:
        """Download the .fcpkg (resuming a partial download), check its length and hash
        against the signed target, verify it, then store its files as blobs."""
        sha, length = target["sha256"], target["length"]
        part = self.cache.part_path(sha)
        path = f"/packages/{sha}.fcpkg"
        for attempt in range(DOWNLOAD_ATTEMPTS):
            with open(part, "ab+") as sink:
                sink.seek(0, 2)
                offset = sink.tell()
                if offset > length:
                    sink.truncate(0)
                    offset = 0
                done = [offset]

                def report(n: int, done: list[int] = done) -> None:
                    done[0] += n
                    if progress is not None:
                        progress(done[0], length)

                if offset < length:
                    try:
                        self._http().download(path, sink, offset, length, f'"{sha}"', report)
                    except OfflineError:
                        if attempt + 1 == DOWNLOAD_ATTEMPTS:
                            raise
                        continue
                    except StoreError:  # endless data, server error: start over next time
                        sink.close()
                        part.unlink(missing_ok=True)
                        raise
                sink.flush()
                size = sink.tell()
            if size == length:
                break
        else:
            raise OfflineError(f"download of {target['app_id']} incomplete; it resumes later")
        data = part.read_bytes()
        if len(data) != length or hashlib.sha256(data).hexdigest() != sha:
            part.unlink(missing_ok=True)
            raise VerificationError(
                f"package of {target['app_id']} does not match the signed targets", "mismatch"
            )
        try:
            package = read_package(data, self._trust())
        except PackageError as exc:
            part.unlink(missing_ok=True)
            raise VerificationError(f"{target['app_id']}: {exc}", exc.code) from None
        if package.manifest_bytes != manifest_bytes:
            part.unlink(missing_ok=True)
            raise VerificationError(f"{target['app_id']}: package manifest differs", "mismatch")
        for path_, entry in package.manifest.files.items():
            self.cache.put_blob(package.files[path_], entry.sha256)
        part.unlink(missing_ok=True)

    # -- stats, login ---------------------------------------------------------------------
    def record_event(self, type_: str, app_id: str, **fields: Any) -> bool:
        """Queue a usage event on disk (only when telemetry is on); returns whether queued."""
        if not getattr(self.settings, "telemetry", False):
            return False
        self.stats.record(make_event(type_, app_id, **fields))
        return True

    def flush_stats(self, batch_size: int = BATCH_SIZE) -> int:
        """Send queued events in batches; returns how many were delivered. Raises
        OfflineError/ServerError when the server is unavailable (events stay queued)."""
        http = self._http()

        def send(batch: dict) -> None:
            try:
                http.post_json("/stats", batch)
            except ValueError:  # not JSON (NaN queued by an older version): never sendable
                raise BatchRejected("the batch cannot be sent as JSON", permanent=True) from None
            except ServerError as exc:
                if exc.status in PERMANENT_REJECTIONS:
                    raise BatchRejected(str(exc), permanent=True) from None
                if exc.status in COUNTED_REJECTIONS:
                    raise BatchRejected(str(exc), permanent=False) from None
                raise

        return self.stats.flush(send, batch_size)

    def login_code(self, app_id: str) -> dict[str, Any]:
        """A ``wx.login`` code for this device and app: ``{"code", "expires_in"}``
        (seconds, as the server says)."""
        data = self._http().post_json("/login/code", {"app_id": check_app_id(app_id)})
        code = data.get("code") if isinstance(data, dict) else None
        lifetime = data.get("expires_in") if isinstance(data, dict) else None
        if not isinstance(code, str) or not code:
            raise ServerError("login code answer lacks a code")
        if (
            not isinstance(lifetime, int)
            or isinstance(lifetime, bool)
            or not 0 < lifetime <= MAX_LOGIN_LIFETIME_S
        ):
            raise ServerError("login code answer has no valid expires_in")
        return {"code": code, "expires_in": lifetime}

    def bytes_received(self) -> int:
        """Body bytes received from the server by this store (for measurements)."""
        return self.client.bytes_received if self.client is not None else 0


def _decode_parts(parts: Any) -> tuple[bytes, bytes]:
    if not isinstance(parts, dict):
        raise ServerError("package parts answer is not an object")
    try:
        return (
            base64.b64decode(parts["manifest"], validate=True),
            base64.b64decode(parts["signature"], validate=True),
        )
    except (KeyError, TypeError, binascii.Error, ValueError):
        raise ServerError("package parts answer is malformed") from None


def _check_target_matches(target: dict[str, Any], manifest: Manifest) -> None:
    if manifest.app_id != target["app_id"] or manifest.version != target["version"]:
        raise VerificationError(
            f"package is {manifest.app_id} {manifest.version}, but the signed targets name "
            f"{target['app_id']} {target['version']}",
            "mismatch",
        )
