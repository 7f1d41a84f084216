"""TUF-shaped distribution metadata: root, and per-device targets, snapshot, timestamp.

Versions never decrease: targets and snapshot carry the *release epoch*, a counter bumped
by every change to what devices receive (releases, an app's domain lists, which limit the
domains of its targets, and when targets near expiry); the timestamp carries its own
counter, bumped with the epoch and whenever half its short lifetime has passed. Both
live in one database row, so several server replicas agree. Given the same counters
every document is byte-identical (Ed25519 is deterministic), so a client can
fetch timestamp, snapshot and targets in separate requests.

A device's audience also changes when it moves to another update channel (gray releases
may target channels). That is not a release event, so instead of the shared epoch the
device's own ``channel_changes`` count goes up, and it is added to the versions of its
targets, snapshot and timestamp: the sum of two counters that never decrease never
decreases, and nothing changes for other devices. A client that registers again (the
server forgot its old identity) says which versions it already trusts; the new device's
count then starts high enough for its documents to be newer (``version_offset``).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from finclip_desktop.package import key_id
from finclip_desktop.package import metadata as md
from finclip_desktop.policy import PolicyError, check_value
from finclip_desktop.server import keys as keyfiles
from finclip_desktop.server.config import Settings
from finclip_desktop.server.errors import ServiceError, bad_request, not_found
from finclip_desktop.server.models import App, Device, DistState, RootMetadata, Version, utcnow


def bump_epoch(session: Session) -> None:
    """Call inside the transaction of any change to what devices receive."""
    state = _state_row(session)
    now = utcnow()
    state.epoch += 1
    state.epoch_at = now
    state.ts_version += 1
    state.ts_at = now


def _state_row(session: Session) -> DistState:
    query = select(DistState).where(DistState.id == 1).with_for_update()
    state = session.scalar(query.execution_options(populate_existing=True))
    if state is None:
        now = utcnow()
        state = DistState(id=1, epoch=1, epoch_at=now, ts_version=1, ts_at=now)
        session.add(state)
        session.flush()
    return state


def current_state(session: Session, settings: Settings) -> DistState:
    """The counters, renewed first when targets or timestamp are half-way to expiry."""
    state = session.get(DistState, 1)
    now = utcnow()
    if (
        state is not None
        and now - state.epoch_at < timedelta(seconds=settings.targets_lifetime / 2)
        and now - state.ts_at < timedelta(seconds=settings.timestamp_lifetime / 2)
    ):
        return state
    state = _state_row(session)
    if now - state.epoch_at >= timedelta(seconds=settings.targets_lifetime / 2):
        bump_epoch(session)
    elif now - state.ts_at >= timedelta(seconds=settings.timestamp_lifetime / 2):
        state.ts_version += 1
        state.ts_at = now
    session.commit()
    return state


MAX_SEEN_VERSION = 2**30  # keeps every version sum far inside the integer columns


def version_offset(session: Session, settings: Settings, seen: dict[str, int]) -> int:
    """The ``channel_changes`` a new device starts with so that its targets, snapshot and
    timestamp versions are above ``seen`` (what a re-registering client trusts)."""
    state = current_state(session, settings)
    above = (
        seen.get("targets", 0) - state.epoch,
        seen.get("snapshot", 0) - state.epoch,
        seen.get("timestamp", 0) - state.ts_version,
    )
    return max(0, *(n + 1 for n in above))


def stable_bucket(app_id: str, device_id: str) -> int:
    """0..99, fixed per (app, device): who falls inside a gray percentage."""
    digest = hashlib.sha256(f"{app_id}\0{device_id}".encode()).digest()
    return int.from_bytes(digest[:8], "big") % 100


def in_gray(app: App, device: Device) -> bool:
    return (
        device.id in (app.gray_devices or [])
        or (device.org_id is not None and device.org_id in (app.gray_orgs or []))
        or device.channel in (app.gray_channels or [])
        or stable_bucket(app.id, device.id) < (app.gray_percent or 0)
    )


def check_channel(name: object, what: str) -> str:
    """``name`` if it is a channel name by the rule of the policy key ``update_channel``."""
    try:
        return check_value(what, name, "update_channel")
    except PolicyError:
        raise bad_request(
            f"{what}: {name!r} is not a channel name (lowercase letters, digits and '-', "
            "at most 32, like 'stable' or 'beta')"
        ) from None


def record_channel(session: Session, device: Device, channel: str) -> None:
    """Remember the channel the device follows now; a change counts in ``channel_changes``
    (atomically, so replicas and concurrent requests never lose a step)."""
    check_channel(channel, "X-Finclip-Channel")
    if device.channel == channel:
        return
    session.execute(
        update(Device)
        .where(Device.id == device.id, Device.channel != channel)
        .values(channel=channel, channel_changes=Device.channel_changes + 1)
    )
    session.commit()
    session.refresh(device)


def device_versions(session: Session, device: Device) -> list[tuple[App, Version, bool]]:
    """(app, version, mandatory) for each app this device receives."""
    result = []
    for app in session.scalars(select(App).where(App.taken_down.is_(False)).order_by(App.id)):
        if app.gray_version_id and in_gray(app, device):
            version_id, mandatory = app.gray_version_id, app.gray_mandatory
        else:
            version_id, mandatory = app.full_version_id, app.mandatory
        if version_id is None:
            continue
        version = session.get(Version, version_id)
        if version is not None:
            result.append((app, version, mandatory))
    return result


def served_domains(app: App, version: Version) -> dict[str, list[str]]:
    """The version's domain lists limited to the app's current ones on the server: a
    domain the server no longer allows leaves every device's metadata (the client keeps
    a host only when both its manifest and this list name it)."""
    allowed = {kind: set(hosts) for kind, hosts in (app.domains or {}).items()}
    return {
        kind: [h for h in hosts if h in allowed.get(kind, set())]
        for kind, hosts in (version.domains or {}).items()
    }


def target_entry(app: App, version: Version, mandatory: bool) -> dict[str, Any]:
    return {
        "app_id": version.app_id,
        "version": version.version,
        "length": version.size,
        "sha256": version.sha256,
        "manifest_sha256": version.manifest_sha256,
        "permissions": list(version.permissions),
        "domains": served_domains(app, version),
        "mandatory": bool(mandatory),
    }


def _expires(start: datetime, seconds: int) -> datetime:
    return start + timedelta(seconds=seconds)


def _root_signed(
    version: int,
    settings: Settings,
    root_keys: list[Ed25519PrivateKey],
    threshold: int,
    online: Ed25519PrivateKey,
) -> dict[str, Any]:
    """Root keys sign root; the one online key signs targets, snapshot and timestamp."""
    online_role = ([online], 1)
    return md.root_signed(
        version,
        _expires(utcnow(), settings.root_lifetime),
        {
            "root": (root_keys, threshold),
            "targets": online_role,
            "snapshot": online_role,
            "timestamp": online_role,
        },
    )


@dataclass
class _KeyCache:
    root_version: int = 0
    ring: keyfiles.KeyRing | None = None
    checked_at: datetime = datetime.min


class Distribution:
    """Signs and serves metadata for one server (keys loaded from ``settings.key_dir``)."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._cache = _KeyCache()

    # -- root ---------------------------------------------------------------------------
    def ensure_root(self, session: Session, root_keys: int = 1, threshold: int = 1) -> None:
        """Create the keys and root version 1 on first start."""
        if session.scalar(select(RootMetadata.version).limit(1)) is not None:
            if keyfiles.load_keys(self.settings.key_dir) is None:
                raise ServiceError(500, f"metadata keys missing from {self.settings.key_dir}")
            return
        if not 1 <= threshold <= root_keys:
            raise bad_request("root threshold must be between 1 and the number of root keys")
        ring = keyfiles.load_keys(self.settings.key_dir)
        if ring is None:
            ring = keyfiles.create_keys(self.settings.key_dir, root_keys)
        signed = _root_signed(1, self.settings, ring.root, threshold, ring.online)
        body = md.sign(signed, ring.root)
        session.add(RootMetadata(version=1, body=body))
        _state_row(session)
        session.commit()

    def root(self, session: Session, version: int | None = None) -> bytes:
        query = select(RootMetadata)
        if version is None:
            query = query.order_by(RootMetadata.version.desc()).limit(1)
        else:
            query = query.where(RootMetadata.version == version)
        row = session.scalar(query)
        if row is None:
            raise not_found(f"root version {version}")
        return row.body

    def root_version(self, session: Session) -> int:
        return (
            session.scalar(
                select(RootMetadata.version).order_by(RootMetadata.version.desc()).limit(1)
            )
            or 0
        )

    def rotate_root(
        self,
        session: Session,
        new_root_keys: int = 1,
        threshold: int = 1,
        rotate_online: bool = False,
    ) -> int:
        """Sign root N+1 with fresh root keys, by the old AND the new keys; return N+1."""
        ring = keyfiles.load_keys(self.settings.key_dir)
        if ring is None or not ring.root:
            raise ServiceError(500, f"root keys missing from {self.settings.key_dir}")
        if not 1 <= threshold <= new_root_keys:
            raise bad_request("root threshold must be between 1 and the number of root keys")
        version = self.root_version(session) + 1
        new_keys = keyfiles.new_root_keys(self.settings.key_dir, new_root_keys)
        online = keyfiles.new_online_key(self.settings.key_dir) if rotate_online else ring.online
        signed = _root_signed(version, self.settings, new_keys, threshold, online)
        body = md.sign(signed, ring.root + new_keys)
        session.add(RootMetadata(version=version, body=body))
        bump_epoch(session)
        session.commit()
        for key in ring.root:
            keyfiles.retire(self.settings.key_dir, key, f"root/{key_id(key)}.pem")
        if rotate_online:
            keyfiles.activate_online_key(self.settings.key_dir, ring.online)
        return version

    def renew_root_if_due(self, session: Session) -> int | None:
        """Re-sign the current root (same keys, version N+1) once it has less than a
        quarter of its lifetime left; return the new version, or None when not due or
        when the root keys are not on this server (kept offline: rotate by hand)."""
        current = md.parse_document(self.root(session), "root")["signed"]
        left = md.parse_time(current["expires"]) - md.utc_now()
        if left > timedelta(seconds=self.settings.root_lifetime / 4):
            return None
        ring = keyfiles.load_keys(self.settings.key_dir)
        rule = current["roles"]["root"]
        keys = [k for k in (ring.root if ring else []) if key_id(k) in rule["keyids"]]
        if ring is None or len(keys) < rule["threshold"]:
            return None
        version = current["version"] + 1
        signed = _root_signed(version, self.settings, keys, rule["threshold"], ring.online)
        session.add(RootMetadata(version=version, body=md.sign(signed, keys)))
        bump_epoch(session)
        session.commit()
        return version

    def _ring(self, session: Session) -> keyfiles.KeyRing:
        version = self.root_version(session)
        now = utcnow()
        if self._cache.ring is None or self._cache.root_version != version:
            ring = keyfiles.load_keys(self.settings.key_dir)
            if ring is None:
                raise ServiceError(500, f"metadata keys missing from {self.settings.key_dir}")
            self._cache = _KeyCache(version, ring, now)
        elif now - self._cache.checked_at > timedelta(hours=1):
            self._cache.checked_at = now
            if self.renew_root_if_due(session) is not None:
                return self._ring(session)
        assert self._cache.ring is not None
        return self._cache.ring

    # -- per-device roles ---------------------------------------------------------------
    def documents(self, session: Session, device: Device) -> dict[str, bytes]:
        """The signed targets, snapshot and timestamp for this device, as served."""
        state = current_state(session, self.settings)
        online = self._ring(session).online
        targets = {
            f"{v.app_id}/{v.version}.fcpkg": target_entry(app, v, mandatory)
            for app, v, mandatory in device_versions(session, device)
        }
        # The device's channel changes lift its versions (see the module docstring).
        epoch = state.epoch + device.channel_changes
        expires = _expires(state.epoch_at, self.settings.targets_lifetime)
        targets_body = md.sign(md.targets_signed(epoch, expires, targets), [online])
        snapshot_body = md.sign(md.snapshot_signed(epoch, expires, epoch, targets_body), [online])
        ts_expires = _expires(state.ts_at, self.settings.timestamp_lifetime)
        timestamp_body = md.sign(
            md.timestamp_signed(
                state.ts_version + device.channel_changes, ts_expires, epoch, snapshot_body
            ),
            [online],
        )
        return {"targets": targets_body, "snapshot": snapshot_body, "timestamp": timestamp_body}
