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
from finclip_desktop.server.models import Device, Event, StatBatch
from finclip_desktop.store.events import EventError, check_event, check_ts_number

MAX_EVENTS = 5000
_BATCH_RE = re.compile(r"\A[A-Za-z0-9-]{8,64}\Z")  # fullmatch: no trailing newline


def _timestamp(value: Any, index: int) -> datetime:
    """Unix seconds or milliseconds (numbers above 1e11 are ms), or ISO 8601."""
    try:
        if not isinstance(value, str):
            number = check_ts_number(value)
            seconds = number / 1000 if number > 1e11 else number
            return datetime.fromtimestamp(seconds, UTC).replace(tzinfo=None)
        if isinstance(value, str):
            parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
            if parsed.tzinfo is not None:
                parsed = parsed.astimezone(UTC).replace(tzinfo=None)
            return parsed
    except (ValueError, OverflowError, OSError):  # EventError is a ValueError
        pass
    raise bad_request(f"events[{index}].ts must be unix seconds/milliseconds or ISO 8601")


def _event(device: Device, batch_id: str, raw: Any, index: int) -> Event:
    """One event by the rule the client queue applies too (``store.events``)."""
    if not isinstance(raw, dict):
        raise bad_request(f"events[{index}] must be an object")
    try:
        event = check_event(raw)
    except EventError as exc:
        raise bad_request(f"events[{index}].{exc}") from None
    ts = _timestamp(event["ts"], index)
    return Event(
        batch_id=batch_id,
        device_id=device.id,
        app_id=event["app_id"],
        type=event["type"],
        ts=ts,
        day=ts.date().isoformat(),
        name=event.get("name", ""),
        result=event.get("result", ""),
        message=event.get("message", ""),
        duration_ms=event.get("duration_ms"),
    )


def ingest(session: Session, device: Device, body: Any) -> dict[str, Any]:
    """Store a batch once; a repeated ``batch_id`` is acknowledged and ignored."""
    if not isinstance(body, dict):
        raise bad_request("body must be an object with batch_id and events")
    batch_id, events = body.get("batch_id"), body.get("events")
    if not isinstance(batch_id, str) or not _BATCH_RE.fullmatch(batch_id):
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
        if kind in out:  # custom events (wx.reportEvent) are counted by name: per_event
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
        if kind in SERIES:
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


def per_event(session: Session, rng: Range) -> list[dict[str, Any]]:
    """Custom events (``wx.reportEvent``) per (app, event name): count, devices."""
    query = rng.where(
        select(Event.app_id, Event.name, func.count(), func.count(distinct(Event.device_id)))
        .where(Event.type == "custom")
        .group_by(Event.app_id, Event.name)
    )
    rows = [
        {"app_id": a, "event": n, "count": c, "devices": d} for a, n, c, d in session.execute(query)
    ]
    return sorted(rows, key=lambda r: (-r["count"], r["app_id"], r["event"]))


def recent_errors(session: Session, rng: Range, limit: int = 50) -> list[Event]:
    query = rng.where(select(Event).where(Event.type == "error"))
    return list(session.scalars(query.order_by(Event.ts.desc()).limit(limit)))
