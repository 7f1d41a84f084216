"""Usage events from devices (idempotent batches) and the figures the dashboard shows."""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import Select, case, distinct, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from finclip_desktop.server.errors import bad_request
from finclip_desktop.server.models import EVENT_TYPES, Device, Event, StatBatch

MAX_EVENTS = 5000
_BATCH_RE = re.compile(r"^[A-Za-z0-9-]{8,64}$")


def _timestamp(value: Any, index: int) -> datetime:
    """Unix seconds or milliseconds (numbers above 1e11 are ms), or ISO 8601."""
    try:
        if isinstance(value, int | float) and not isinstance(value, bool):
            seconds = value / 1000 if value > 1e11 else value
            return datetime.fromtimestamp(seconds, UTC).replace(tzinfo=None)
        if isinstance(value, str):
            parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
            if parsed.tzinfo is not None:
                parsed = parsed.astimezone(UTC).replace(tzinfo=None)
            return parsed
    except (ValueError, OverflowError, OSError):
        pass
    raise bad_request(f"events[{index}].ts must be unix seconds/milliseconds or ISO 8601")


def _text(event: dict[str, Any], key: str, limit: int, index: int) -> str:
    value = event.get(key) or ""
    if not isinstance(value, str):
        raise bad_request(f"events[{index}].{key} must be a string")
    return value[:limit]


def _event(device: Device, batch_id: str, raw: Any, index: int) -> Event:
    if not isinstance(raw, dict):
        raise bad_request(f"events[{index}] must be an object")
    kind = raw.get("type")
    if kind not in EVENT_TYPES:
        raise bad_request(f"events[{index}].type must be one of {', '.join(EVENT_TYPES)}")
    app_id = raw.get("app_id")
    if not isinstance(app_id, str) or not 0 < len(app_id) <= 64:
        raise bad_request(f"events[{index}].app_id must be an app id")
    duration = raw.get("duration_ms")
    if duration is not None and (not isinstance(duration, int | float) or duration < 0):
        raise bad_request(f"events[{index}].duration_ms must be a non-negative number")
    ts = _timestamp(raw.get("ts"), index)
    return Event(
        batch_id=batch_id,
        device_id=device.id,
        app_id=app_id,
        type=kind,
        ts=ts,
        day=ts.date().isoformat(),
        name=_text(raw, "name", 200, index),
        result=_text(raw, "result", 16, index),
        message=_text(raw, "message", 2000, index),
        duration_ms=None if duration is None else int(duration),
    )


def ingest(session: Session, device: Device, body: Any) -> dict[str, Any]:
    """Store a batch once; a repeated ``batch_id`` is acknowledged and ignored."""
    if not isinstance(body, dict):
        raise bad_request("body must be an object with batch_id and events")
    batch_id, events = body.get("batch_id"), body.get("events")
    if not isinstance(batch_id, str) or not _BATCH_RE.match(batch_id):
        raise bad_request("batch_id must be a uuid")
    if not isinstance(events, list) or len(events) > MAX_EVENTS:
        raise bad_request(f"events must be a list of at most {MAX_EVENTS} events")
    existing = session.get(StatBatch, batch_id)
    if existing is not None:
        return {"accepted": existing.count, "duplicate": True}
    rows = [_event(device, batch_id, raw, i) for i, raw in enumerate(events)]
    session.add(StatBatch(batch_id=batch_id, device_id=device.id, count=len(rows)))
    try:
        session.flush()
        session.add_all(rows)
        session.commit()
    except IntegrityError:  # the same batch arrived concurrently
        session.rollback()
        existing = session.get(StatBatch, batch_id)
        return {"accepted": existing.count if existing else 0, "duplicate": True}
    return {"accepted": len(rows), "duplicate": False}


@dataclass(frozen=True)
class Range:
    start: date
    end: date
    app_id: str | None = None

    @classmethod
    def parse(cls, start: str | None, end: str | None, app_id: str | None = None) -> Range:
        """Inclusive dates (YYYY-MM-DD); default: the last 14 days."""
        try:
            end_d = date.fromisoformat(end) if end else datetime.now(UTC).date()
            start_d = date.fromisoformat(start) if start else end_d - timedelta(days=13)
        except ValueError:
            raise bad_request("dates must look like 2026-01-31") from None
        if start_d > end_d:
            raise bad_request("the start date is after the end date")
        if (end_d - start_d).days > 366:
            raise bad_request("a date range may span at most 366 days")
        return cls(start_d, end_d, app_id or None)

    def days(self) -> list[str]:
        n = (self.end - self.start).days + 1
        return [(self.start + timedelta(days=i)).isoformat() for i in range(n)]

    def where(self, query: Select[Any]) -> Select[Any]:
        query = query.where(Event.day >= self.start.isoformat(), Event.day <= self.end.isoformat())
        if self.app_id:
            query = query.where(Event.app_id == self.app_id)
        return query


SERIES = ("launch", "page_view", "api_call", "error")


def daily(session: Session, rng: Range) -> dict[str, dict[str, int]]:
    """{series: {day: count}} for the event types plus ``active_devices``."""
    out: dict[str, dict[str, int]] = {s: dict.fromkeys(rng.days(), 0) for s in SERIES}
    out["active_devices"] = dict.fromkeys(rng.days(), 0)
    query = rng.where(select(Event.day, Event.type, func.count()).group_by(Event.day, Event.type))
    for day, kind, count in session.execute(query):
        out[kind][day] = count
    query = rng.where(select(Event.day, func.count(distinct(Event.device_id))).group_by(Event.day))
    for day, count in session.execute(query):
        out["active_devices"][day] = count
    return out


def per_app(session: Session, rng: Range) -> list[dict[str, Any]]:
    """Totals per app: launches, page views, API calls, errors, active devices."""
    rows: dict[str, dict[str, Any]] = defaultdict(
        lambda: {"launch": 0, "page_view": 0, "api_call": 0, "error": 0, "devices": 0}
    )
    for app_id, kind, count in session.execute(
        rng.where(select(Event.app_id, Event.type, func.count()).group_by(Event.app_id, Event.type))
    ):
        rows[app_id][kind] = count
    for app_id, count in session.execute(
        rng.where(
            select(Event.app_id, func.count(distinct(Event.device_id))).group_by(Event.app_id)
        )
    ):
        rows[app_id]["devices"] = count
    return [{"app_id": app_id, **rows[app_id]} for app_id in sorted(rows)]


def per_api(session: Session, rng: Range) -> list[dict[str, Any]]:
    """API calls per (app, API): calls, failures, mean duration — the billing meter."""
    fail = func.sum(case((Event.result == "fail", 1), else_=0))
    query = rng.where(
        select(Event.app_id, Event.name, func.count(), fail, func.avg(Event.duration_ms))
        .where(Event.type == "api_call")
        .group_by(Event.app_id, Event.name)
    )
    rows = [
        {
            "app_id": a,
            "api": n,
            "calls": c,
            "failures": int(f or 0),
            "avg_ms": round(float(d), 1) if d is not None else None,
        }
        for a, n, c, f, d in session.execute(query)
    ]
    return sorted(rows, key=lambda r: (-r["calls"], r["app_id"], r["api"]))


def recent_errors(session: Session, rng: Range, limit: int = 50) -> list[Event]:
    query = rng.where(select(Event).where(Event.type == "error"))
    return list(session.scalars(query.order_by(Event.ts.desc()).limit(limit)))
