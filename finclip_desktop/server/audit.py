"""Every state change is recorded: who, when, what, why."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from finclip_desktop.server.models import AuditEntry


def record(
    session: Session,
    actor: str,
    action: str,
    app_id: str | None = None,
    version: str | None = None,
    reason: str = "",
    **detail: Any,
) -> AuditEntry:
    entry = AuditEntry(
        actor=actor, action=action, app_id=app_id, version=version, reason=reason, detail=detail
    )
    session.add(entry)
    return entry


def entries(
    session: Session, app_id: str | None = None, limit: int = 200, offset: int = 0
) -> list[AuditEntry]:
    query = select(AuditEntry).order_by(AuditEntry.id.desc()).limit(limit).offset(offset)
    if app_id:
        query = query.where(AuditEntry.app_id == app_id)
    return list(session.scalars(query))


def as_dict(entry: AuditEntry) -> dict[str, Any]:
    return {
        "id": entry.id,
        "at": entry.at.isoformat() + "Z",
        "actor": entry.actor,
        "action": entry.action,
        "app_id": entry.app_id,
        "version": entry.version,
        "reason": entry.reason,
        "detail": entry.detail,
    }
