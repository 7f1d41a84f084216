"""The review and release lifecycle of versions; every transition is audited.

upload -> submit -> approve | reject(reason) -> release full, or gray (percentage of
devices by stable hash, named devices, orgs, update channels) -> promote -> rollback;
app take down/restore.
Every change that alters what devices receive bumps the distribution epoch.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from finclip_desktop.package import parse_semver
from finclip_desktop.server import audit
from finclip_desktop.server.distribution import bump_epoch, check_channel
from finclip_desktop.server.errors import bad_request, conflict
from finclip_desktop.server.models import App, Device, Org, User, Version
from finclip_desktop.server.registry import get_app, get_version
from finclip_desktop.server.security import require


def _newer(a: Version, b: Version | None) -> bool:
    return b is None or parse_semver(a.version) > parse_semver(b.version)


def _need_reason(reason: str, action: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise bad_request(f"{action} needs a reason")
    return reason


def _state(version: Version, allowed: Sequence[str], action: str) -> None:
    if version.state not in allowed:
        raise conflict(
            f"cannot {action} version {version.version}: it is {version.state} "
            f"(needs {' or '.join(allowed)})"
        )


def _load(
    session: Session, actor: User, app_id: str, version: str, action: str
) -> tuple[App, Version]:
    app = get_app(session, app_id)
    require(actor, action, app.org_id)
    return app, get_version(session, app_id, version)


def full_version(session: Session, app: App) -> Version | None:
    return session.get(Version, app.full_version_id) if app.full_version_id else None


def gray_version(session: Session, app: App) -> Version | None:
    return session.get(Version, app.gray_version_id) if app.gray_version_id else None


def submit(session: Session, actor: User, app_id: str, version: str, note: str = "") -> Version:
    _app, row = _load(session, actor, app_id, version, "upload")
    _state(row, ("uploaded",), "submit")
    row.state = "submitted"
    audit.record(session, actor.name, "version.submit", app_id, version, note)
    session.commit()
    return row


def approve(session: Session, actor: User, app_id: str, version: str, note: str = "") -> Version:
    _app, row = _load(session, actor, app_id, version, "review")
    _state(row, ("submitted",), "approve")
    row.state = "approved"
    audit.record(session, actor.name, "version.approve", app_id, version, note)
    session.commit()
    return row


def reject(session: Session, actor: User, app_id: str, version: str, reason: str) -> Version:
    _app, row = _load(session, actor, app_id, version, "review")
    reason = _need_reason(reason, "reject")
    _state(row, ("submitted",), "reject")
    row.state = "rejected"
    audit.record(session, actor.name, "version.reject", app_id, version, reason)
    session.commit()
    return row


def _clear_gray(session: Session, app: App, new_state: str = "approved") -> None:
    gray = gray_version(session, app)
    if gray is not None and gray.state == "gray":
        gray.state = new_state
    app.gray_version_id = None
    app.gray_percent = 0
    app.gray_devices = []
    app.gray_orgs = []
    app.gray_channels = []
    app.gray_mandatory = False


def release(
    session: Session,
    actor: User,
    app_id: str,
    version: str,
    reason: str = "",
    mandatory: bool = False,
) -> Version:
    """Release ``version`` to every device (also how a gray release is promoted)."""
    app, row = _load(session, actor, app_id, version, "release")
    _state(row, ("approved", "gray"), "release")
    current = full_version(session, app)
    if not _newer(row, current):
        raise conflict(
            f"version {version} is not newer than the released "
            f"{current.version if current else ''}; use rollback"
        )
    gray = gray_version(session, app)
    if gray is not None and (gray.id == row.id or not _newer(gray, row)):
        _clear_gray(session, app, "retired" if gray.id != row.id else "gray")
    if current is not None:
        current.state = "retired"
    row.state = "released"
    app.full_version_id = row.id
    app.mandatory = bool(mandatory)
    action = "version.promote" if gray is not None and gray.id == row.id else "version.release"
    audit.record(session, actor.name, action, app_id, version, reason, mandatory=bool(mandatory))
    bump_epoch(session)
    session.commit()
    return row


def promote(session: Session, actor: User, app_id: str, reason: str = "") -> Version:
    app = get_app(session, app_id)
    gray = gray_version(session, app)
    if gray is None:
        raise conflict(f"app {app_id!r} has no gray release to promote")
    return release(session, actor, app_id, gray.version, reason, app.gray_mandatory)


def _check_audience(session: Session, devices: Sequence[str], orgs: Sequence[str]) -> None:
    """Refuse gray audiences naming devices or orgs this server does not know."""
    known_devices = set(session.scalars(select(Device.id).where(Device.id.in_(devices))))
    known_orgs = set(session.scalars(select(Org.id).where(Org.id.in_(orgs))))
    problems = []
    if unknown := [d for d in devices if d not in known_devices]:
        problems.append(f"unknown device ids: {', '.join(unknown)}")
    if unknown := [o for o in orgs if o not in known_orgs]:
        problems.append(f"unknown orgs: {', '.join(unknown)}")
    if problems:
        raise bad_request(f"gray release: {'; '.join(problems)}"[:500])


def release_gray(
    session: Session,
    actor: User,
    app_id: str,
    version: str,
    percent: int = 0,
    devices: Sequence[str] = (),
    orgs: Sequence[str] = (),
    reason: str = "",
    mandatory: bool = False,
    channels: Sequence[str] = (),
) -> Version:
    """Release ``version`` to part of the devices (a percentage, named devices, devices of
    orgs, devices following update channels); the rest keep the full release."""
    app, row = _load(session, actor, app_id, version, "release")
    _state(row, ("approved", "gray"), "gray-release")
    if not isinstance(percent, int) or not 0 <= percent <= 100:
        raise bad_request("gray percent must be an integer from 0 to 100")
    devices = sorted({str(d) for d in devices})
    orgs = sorted({str(o) for o in orgs})
    channels = sorted({check_channel(c, "gray channel") for c in channels})
    if not (percent or devices or orgs or channels):
        raise bad_request("a gray release needs a percent, devices, orgs or channels")
    _check_audience(session, devices, orgs)
    current = full_version(session, app)
    if not _newer(row, current):
        raise conflict(f"gray version {version} must be newer than the released one")
    previous = gray_version(session, app)
    if previous is not None and previous.id != row.id:
        _clear_gray(session, app)
    row.state = "gray"
    app.gray_version_id = row.id
    app.gray_percent, app.gray_devices, app.gray_orgs = percent, devices, orgs
    app.gray_channels = channels
    app.gray_mandatory = bool(mandatory)
    audit.record(
        session,
        actor.name,
        "version.gray",
        app_id,
        version,
        reason,
        percent=percent,
        devices=devices,
        orgs=orgs,
        channels=channels,
        mandatory=bool(mandatory),
    )
    bump_epoch(session)
    session.commit()
    return row


def cancel_gray(session: Session, actor: User, app_id: str, reason: str) -> None:
    app = get_app(session, app_id)
    require(actor, "release", app.org_id)
    gray = gray_version(session, app)
    if gray is None:
        raise conflict(f"app {app_id!r} has no gray release")
    _clear_gray(session, app)
    audit.record(session, actor.name, "version.gray_cancel", app_id, gray.version, reason)
    bump_epoch(session)
    session.commit()


def rollback(session: Session, actor: User, app_id: str, version: str, reason: str) -> Version:
    """Make an earlier version the full release again."""
    app, row = _load(session, actor, app_id, version, "release")
    reason = _need_reason(reason, "rollback")
    current = full_version(session, app)
    if current is None or not _newer(current, row):
        raise conflict(f"rollback needs a version older than the released one ({version} is not)")
    _state(row, ("retired", "approved"), "roll back to")
    current.state = "retired"
    row.state = "released"
    app.full_version_id = row.id
    app.mandatory = True
    audit.record(
        session,
        actor.name,
        "version.rollback",
        app_id,
        version,
        reason,
        from_version=current.version,
    )
    bump_epoch(session)
    session.commit()
    return row


def take_down(session: Session, actor: User, app_id: str, reason: str) -> App:
    app = get_app(session, app_id)
    require(actor, "release", app.org_id)
    reason = _need_reason(reason, "take down")
    if app.taken_down:
        raise conflict(f"app {app_id!r} is taken down already")
    app.taken_down = True
    audit.record(session, actor.name, "app.takedown", app_id, None, reason)
    bump_epoch(session)
    session.commit()
    return app


def restore(session: Session, actor: User, app_id: str, reason: str) -> App:
    app = get_app(session, app_id)
    require(actor, "release", app.org_id)
    reason = _need_reason(reason, "restore")
    if not app.taken_down:
        raise conflict(f"app {app_id!r} is not taken down")
    app.taken_down = False
    audit.record(session, actor.name, "app.restore", app_id, None, reason)
    bump_epoch(session)
    session.commit()
    return app
