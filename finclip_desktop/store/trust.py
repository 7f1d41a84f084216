"""The client side of the signed metadata: pinned root, rotation walk, and the
timestamp → snapshot → targets chain with rollback, freeze and mix-and-match checks.

The last verified document of each role is kept in ``state_dir`` (written atomically), and
the highest version seen of each role in ``state.json`` (``trust_state``), so versions seen
once are never accepted lower again: after a restart, and after a new device identity
(whose documents differ) too. Every root trusted is also kept in ``roots/<N>.json``, so a
pinned root (policy, ``--root``) can be checked against the chain the stored state came
from; stored state that does not chain from the pin is discarded.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

from finclip_desktop.package.builder import write_atomic
from finclip_desktop.package.canonical import canonical_json
from finclip_desktop.package.metadata import (
    SNAPSHOT_NAME,
    TARGETS_NAME,
    MetadataError,
    MismatchError,
    RollbackError,
    check_expiry,
    check_meta,
    check_meta_version,
    check_version,
    load_trusted_root,
    parse_document,
    verify_document,
    verify_root_update,
)
from finclip_desktop.store.errors import NotConfiguredError, ServerError, VerificationError
from finclip_desktop.store.http import ServerClient
from finclip_desktop.store.locking import FileLock
from finclip_desktop.store.trust_state import TOFU, TrustState

MAX_ROOT_BYTES = 512 * 1024
MAX_TIMESTAMP_BYTES = 16 * 1024
MAX_ROOT_STEPS = 64
ROLE_FILES = ("root", "timestamp", "snapshot", "targets")
DEVICE_ROLES = ("timestamp", "snapshot", "targets")
ROOTS_DIR = "roots"
TIMESTAMP_PATH = "/metadata/timestamp.json"


def root_bytes(source: Mapping[str, Any] | bytes | str | Path) -> bytes:
    """The trusted root's bytes from a policy value (parsed document), bytes or a file."""
    if isinstance(source, Mapping):
        return canonical_json(dict(source))
    if isinstance(source, bytes):
        return source
    try:
        return Path(source).read_bytes()
    except OSError as exc:
        raise NotConfiguredError(f"cannot read root metadata {source}: {exc.strerror}") from None


class TrustedMetadata:
    """Verified metadata of one server, persisted in ``state_dir``.

    ``installed()`` returns ``{app_id: version}`` of the installed apps: when trust is
    reset (a new device identity, or a pinned root the stored state does not chain from)
    those versions are guarded (``trust_state``). ``lock`` serialises changes of the
    folder between processes."""

    def __init__(
        self,
        state_dir: Path,
        pinned_root: bytes | None,
        allow_tofu: bool,
        installed: Callable[[], Mapping[str, str]] | None = None,
        lock: FileLock | None = None,
    ) -> None:
        self.state_dir = state_dir
        self.allow_tofu = allow_tofu
        self._installed = installed or dict
        self._lock = lock or FileLock(state_dir.parent / f".{state_dir.name}.lock")
        self._pinned = (
            None
            if pinned_root is None
            else (pinned_root, _verified(lambda: load_trusted_root(pinned_root), "pinned root"))
        )
        self._bodies: dict[str, bytes] = {}
        self._signed: dict[str, dict[str, Any]] = {}
        self.state = TrustState(state_dir)
        self.reload()

    def reload(self) -> None:
        """Read the persisted state again (another process may have moved it forward) and
        start from the pinned root when the stored state does not chain from it (under the
        lock only then: reading never waits for another process's refresh)."""
        self._read()
        if self._pinned is not None and not self._pin_settled(self._pinned[0]):
            with self._lock.hold():
                self._read()
                self._apply_pin(*self._pinned)

    def _read(self) -> None:
        self._bodies.clear()
        self._signed.clear()
        for role in ROLE_FILES:
            path = self.state_dir / f"{role}.json"
            if path.is_file():
                body = path.read_bytes()
                try:
                    self._signed[role] = parse_document(body, role)["signed"]
                    self._bodies[role] = body
                except MetadataError:
                    continue  # a damaged state file is ignored, never trusted
        self.state.load()

    def _pin_settled(self, body: bytes) -> bool:
        """Whether the stored state started from the pin ``body``."""
        return self.state.origin == hashlib.sha256(body).hexdigest() and "root" in self._signed

    def _apply_pin(self, body: bytes, pinned: dict[str, Any]) -> None:
        origin = hashlib.sha256(body).hexdigest()
        if self._pin_settled(body):
            return
        if self._chains_from(body, pinned):
            self.state.origin = origin
            self.state.save()
            return
        if self._signed:  # another chain (trusted on first use, or another pin)
            self.state.add_guard(self._installed())
            self.state.floors = {}
            self.state.save()
            for role in ROLE_FILES:
                self._drop(role)
            for old in self._roots_dir().glob("*.json"):
                old.unlink(missing_ok=True)
        self._store("root", body, pinned)
        self.state.origin = origin
        self.state.save()

    def _chains_from(self, body: bytes, pinned: Mapping[str, Any]) -> bool:
        """Whether the stored root is the pinned one or was reached from it by rotation."""
        if "root" not in self._signed:
            return False
        if self._bodies.get("root") == body:
            return True
        if self.root["version"] < pinned["version"]:
            return False
        try:
            return (self._roots_dir() / f"{pinned['version']}.json").read_bytes() == body
        except OSError:
            return False

    def _roots_dir(self) -> Path:
        return self.state_dir / ROOTS_DIR

    def signed(self, role: str) -> dict[str, Any] | None:
        return self._signed.get(role)

    @property
    def root(self) -> dict[str, Any]:
        root = self._signed.get("root")
        if root is None:
            raise NotConfiguredError("no trusted root metadata for this server")
        return root

    def _seen(self, role: str) -> int | None:
        """The highest version of ``role`` trusted so far (stored document or floor)."""
        versions = [v for v in (_version(self._signed.get(role)), self.state.floors.get(role))
                    if v is not None]  # fmt: skip
        return max(versions) if versions else None

    def seen_versions(self, roles: tuple[str, ...]) -> dict[str, int]:
        """``{role: highest version trusted}`` of the roles seen so far."""
        seen = {role: self._seen(role) for role in roles}
        return {role: v for role, v in seen.items() if v is not None}

    def _store(self, role: str, body: bytes, signed: dict[str, Any]) -> None:
        self.state_dir.mkdir(parents=True, exist_ok=True)
        if role == "root":
            self._roots_dir().mkdir(exist_ok=True)
            write_atomic(self._roots_dir() / f"{signed['version']}.json", body)
        write_atomic(self.state_dir / f"{role}.json", body)
        self._bodies[role] = body
        self._signed[role] = signed

    def _drop(self, role: str) -> None:
        (self.state_dir / f"{role}.json").unlink(missing_ok=True)
        self._bodies.pop(role, None)
        self._signed.pop(role, None)

    def forget_device_roles(self) -> None:
        """A new device identity (maybe another audience, whose documents differ): drop the
        stored timestamp, snapshot and targets, but keep the versions seen (floors), and
        guard the installed app versions."""
        with self._lock.hold():
            self._read()
            for role in DEVICE_ROLES:
                seen = self._seen(role)
                if seen is not None:
                    self.state.raise_floor(role, seen)
            self.state.add_guard(self._installed())
            self.state.save()
            for role in DEVICE_ROLES:
                self._drop(role)

    # -- apps ---------------------------------------------------------------------------
    def check_target(self, target: Mapping[str, Any]) -> None:
        """Refuse a target older than a guarded installed version (after a trust reset)."""
        floor = self.state.guarded_floor(target["app_id"], target["version"])
        if floor is not None:
            raise VerificationError(
                f"{target['app_id']} {target['version']} is older than the installed {floor}: "
                f"refused after a change of trust until the server offers {floor} or newer",
                "rollback",
            )

    def withdrawn(self, app_id: str) -> bool:
        """Whether verified targets of this server stopped naming ``app_id``."""
        return self.state.withdrawn(app_id)

    # -- root -----------------------------------------------------------------------------
    def update_root(self, client: ServerClient) -> dict[str, Any]:
        """Trust on first use when allowed and nothing is pinned; then walk N+1, N+2, ..."""
        if "root" not in self._signed:
            if not self.allow_tofu:
                raise NotConfiguredError(
                    "no trusted root: set distribution_root in policy or pass a root file"
                )
            body = client.get_bytes("/metadata/root.json", MAX_ROOT_BYTES, device=False)
            self._store("root", body, _verified(lambda: load_trusted_root(body), "root"))
            self.state.origin = TOFU
            self.state.save()
        for _ in range(MAX_ROOT_STEPS):
            current = self.root
            try:
                body = client.get_bytes(
                    f"/metadata/{current['version'] + 1}.root.json", MAX_ROOT_BYTES, device=False
                )
            except ServerError as exc:
                if exc.status == 404:
                    break
                raise
            new = _verified(lambda b=body, c=current: verify_root_update(c, b), "root")
            rotated = [r for r in DEVICE_ROLES if new["roles"][r] != current["roles"][r]]
            for role in rotated:  # keys rotated: allow recovery from a compromised key
                self.state.floors.pop(role, None)
            if rotated:
                self.state.save()
            self._store("root", body, new)
            for role in rotated:
                self._drop(role)
        return self.root

    # -- timestamp → snapshot → targets --------------------------------------------------
    def refresh(self, client: ServerClient, now: datetime | None = None) -> dict[str, Any]:
        """Fetch and verify the whole chain; return the signed targets. Timestamp, snapshot
        and targets are stored only when all three verify (each new root as it verifies);
        refreshes of one folder are serialised by ``lock``."""
        with self._lock.hold():
            return self._refresh(client, now)

    def _refresh(self, client: ServerClient, now: datetime | None) -> dict[str, Any]:
        self.reload()
        root = self.update_root(client)
        _verified(lambda: check_expiry(root, now), "root")
        ts_body = self._fetch_timestamp(client)
        ts = _verified(lambda: verify_document(ts_body, root, "timestamp"), "timestamp")
        snap_meta = ts["meta"][SNAPSHOT_NAME]
        old_snap = self._seen("snapshot")

        def check_ts() -> None:
            check_version(ts, self._seen("timestamp"))
            _check_same_version_same_bytes(ts, ts_body, self._signed.get("timestamp"),
                                           self._bodies.get("timestamp"))  # fmt: skip
            if old_snap is not None and snap_meta["version"] < old_snap:
                raise RollbackError(
                    f"timestamp names snapshot version {snap_meta['version']}, older than "
                    f"trusted version {old_snap}"
                )
            check_expiry(ts, now)

        _verified(check_ts, "timestamp")
        snap_body, snap = self._fetch_listed(
            client, "snapshot", snap_meta, SNAPSHOT_NAME, root, now
        )
        targets_meta = snap["meta"][TARGETS_NAME]
        old_targets = self._seen("targets")

        def check_snap() -> None:
            if old_targets is not None and targets_meta["version"] < old_targets:
                raise RollbackError(
                    f"snapshot names targets version {targets_meta['version']}, older than "
                    f"trusted version {old_targets}"
                )

        _verified(check_snap, "snapshot")
        targets_body, targets = self._fetch_listed(
            client, "targets", targets_meta, TARGETS_NAME, root, now
        )
        self._store("targets", targets_body, targets)
        self._store("snapshot", snap_body, snap)
        self._store("timestamp", ts_body, ts)
        for role, signed in (("targets", targets), ("snapshot", snap), ("timestamp", ts)):
            self.state.raise_floor(role, signed["version"])
        self.state.saw_targets(targets["targets"])
        self.state.save()
        return targets

    def _fetch_timestamp(self, client: ServerClient) -> bytes:
        """timestamp.json, or the stored copy when the server answers 304 to a conditional
        GET on its ETag (the quoted sha256 of the bytes held). Either way it is verified
        again below (signature, version, expiry): a 304 only saves the transfer."""
        stored = self._bodies.get("timestamp")
        if stored is None:
            return client.get_bytes(TIMESTAMP_PATH, MAX_TIMESTAMP_BYTES)
        etag = f'"{hashlib.sha256(stored).hexdigest()}"'
        body = client.get_if_changed(TIMESTAMP_PATH, MAX_TIMESTAMP_BYTES, etag)
        return stored if body is None else body

    def _fetch_listed(
        self,
        client: ServerClient,
        role: str,
        meta: Mapping[str, Any],
        name: str,
        root: Mapping[str, Any],
        now: datetime | None,
    ) -> tuple[bytes, dict[str, Any]]:
        """A document named (version, length, sha256) by its parent; reuse the stored one
        when it is exactly that document."""
        body = self._bodies.get(role)
        try:
            if body is None:
                raise MetadataError("not stored")
            check_meta(body, meta, name)
        except MetadataError:
            body = client.get_bytes(f"/metadata/{name}", meta["length"])

        def check() -> dict[str, Any]:
            check_meta(body, meta, name)
            signed = verify_document(body, root, role)
            check_meta_version(signed, meta, name)
            check_version(signed, self._seen(role))
            _check_same_version_same_bytes(signed, body, self._signed.get(role),
                                           self._bodies.get(role))  # fmt: skip
            check_expiry(signed, now)
            return signed

        return body, _verified(check, role)

    def targets(self) -> dict[str, Any]:
        """The last verified targets (for offline use); empty before the first refresh."""
        signed = self._signed.get("targets")
        return dict(signed["targets"]) if signed else {}


def _check_same_version_same_bytes(
    signed: Mapping[str, Any], body: bytes, old: Mapping[str, Any] | None, old_body: bytes | None
) -> None:
    """A version already trusted must come back byte for byte (the server's documents are
    deterministic): another document under the same version is a forgery or a mix."""
    if old is not None and old_body is not None and signed["version"] == old["version"]:
        if body != old_body:
            raise MismatchError(
                f"{signed['_type']} version {signed['version']} differs from the trusted copy"
            )


def _version(signed: Mapping[str, Any] | None) -> int | None:
    return None if signed is None else signed["version"]


def _verified(check: Any, what: str) -> Any:
    """Run a metadata check, turning MetadataError into VerificationError."""
    try:
        return check()
    except MetadataError as exc:
        raise VerificationError(f"{what} rejected: {exc}", exc.code) from None
