"""The rule for one usage event, shared by the client queue and the server (stdlib only).

An event is ``{type, app_id, ts, name?, result?, duration_ms?, message?}``: ``type`` one
of :data:`EVENT_TYPES` (``custom`` is ``wx.reportEvent``: ``name`` the event name,
``message`` its data as JSON), ``app_id`` at most 64 characters, ``ts`` a finite number
(unix seconds or milliseconds; the server also takes ISO 8601 text), ``duration_ms`` a
finite number from 0 to :data:`MAX_DURATION_MS`, text fields strings of at most
:data:`TEXT_LIMITS` characters (longer ones are cut).
"""

from __future__ import annotations

import math
from typing import Any

EVENT_TYPES = ("launch", "page_view", "api_call", "error", "custom")
OPTIONAL_FIELDS = ("name", "result", "duration_ms", "message")
TEXT_LIMITS = {"name": 200, "result": 16, "message": 2000}
MAX_APP_ID = 64
MAX_DURATION_MS = 2**31 - 1  # the server's integer column
MAX_TS = 1e15  # milliseconds, far beyond any clock


class EventError(ValueError):
    """``str(e)`` names the bad field: ``"duration_ms must be ..."``."""


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def check_duration(value: Any) -> int | None:
    """``duration_ms`` as the integer stored, or EventError."""
    if value is None:
        return None
    if not _number(value) or not math.isfinite(value) or not 0 <= value <= MAX_DURATION_MS:
        raise EventError(f"duration_ms must be a number from 0 to {MAX_DURATION_MS}")
    return int(value)


def check_ts_number(value: Any) -> float:
    """A numeric ``ts`` (unix seconds or milliseconds), or EventError."""
    if not _number(value) or not math.isfinite(value) or not 0 <= value <= MAX_TS:
        raise EventError("ts must be unix seconds/milliseconds or ISO 8601")
    return float(value)


def check_event(raw: Any) -> dict[str, Any]:
    """The event's known fields checked (``ts`` as given; other keys are ignored): raise
    EventError naming the first bad one. Text fields are cut to their limits; absent
    optional fields are omitted."""
    if not isinstance(raw, dict):
        raise EventError("event must be an object")
    if raw.get("type") not in EVENT_TYPES:
        raise EventError(f"type must be one of {', '.join(EVENT_TYPES)}")
    app_id = raw.get("app_id")
    if not isinstance(app_id, str) or not 0 < len(app_id) <= MAX_APP_ID:
        raise EventError("app_id must be an app id")
    event: dict[str, Any] = {"type": raw["type"], "app_id": app_id, "ts": raw.get("ts")}
    if not isinstance(event["ts"], str):
        check_ts_number(event["ts"])
    for key, limit in TEXT_LIMITS.items():
        value = raw.get(key)
        if value is None:
            continue
        if not isinstance(value, str):
            raise EventError(f"{key} must be a string")
        event[key] = value[:limit]
    duration = check_duration(raw.get("duration_ms"))
    if duration is not None:
        event["duration_ms"] = duration
    return event
