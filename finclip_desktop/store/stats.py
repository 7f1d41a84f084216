"""Usage events queued in SQLite and sent in batches with idempotent batch ids.

An event is stored before ``record`` returns. ``flush`` first gives the oldest unsent
events a batch id (committed before sending), then posts that batch; the rows are deleted
only after the server accepted it. A batch whose answer was lost (server down, app quit)
is sent again with the same id, which the server counts once: nothing is lost or doubled.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
import uuid
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from finclip_desktop.store.errors import StoreError

EVENT_TYPES = frozenset({"launch", "page_view", "api_call", "error"})
OPTIONAL_FIELDS = {"name": str, "result": str, "duration_ms": (int, float), "message": str}
BATCH_SIZE = 500
MAX_QUEUE = 100_000

_SCHEMA = """
CREATE TABLE IF NOT EXISTS events (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    batch_id TEXT,
    body TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS events_batch ON events(batch_id);
"""


def make_event(type_: str, app_id: str, ts_ms: int | None = None, **fields: Any) -> dict:
    """Validate one event; raise StoreError naming the bad field."""
    if type_ not in EVENT_TYPES:
        raise StoreError(f"unknown event type {type_!r:.40}")
    if not isinstance(app_id, str) or not app_id:
        raise StoreError("event needs an app_id")
    event: dict[str, Any] = {
        "type": type_,
        "app_id": app_id,
        "ts": int(time.time() * 1000) if ts_ms is None else int(ts_ms),
    }
    for name, value in fields.items():
        kind = OPTIONAL_FIELDS.get(name)
        if kind is None:
            raise StoreError(f"unknown event field {name!r:.40}")
        if value is None:
            continue
        if not isinstance(value, kind) or isinstance(value, bool):
            raise StoreError(f"event field {name} has the wrong type")
        event[name] = value[:1000] if isinstance(value, str) else value
    return event


class StatsQueue:
    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=FULL")
        self._db.executescript(_SCHEMA)

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def record(self, event: Mapping[str, Any]) -> None:
        with self._lock:
            (count,) = self._db.execute("SELECT COUNT(*) FROM events").fetchone()
            if count >= MAX_QUEUE:  # bounded: the oldest unsent events make room
                self._db.execute(
                    "DELETE FROM events WHERE id IN (SELECT id FROM events "
                    "WHERE batch_id IS NULL ORDER BY id LIMIT ?)",
                    (count - MAX_QUEUE + 1,),
                )
            self._db.execute("INSERT INTO events(body) VALUES (?)", (json.dumps(dict(event)),))

    def pending(self) -> int:
        with self._lock:
            return self._db.execute("SELECT COUNT(*) FROM events").fetchone()[0]

    def _next_batch(self, size: int) -> tuple[str, list[dict]] | None:
        with self._lock:
            row = self._db.execute(
                "SELECT batch_id FROM events WHERE batch_id IS NOT NULL ORDER BY id LIMIT 1"
            ).fetchone()
            if row is None:
                batch_id = str(uuid.uuid4())
                self._db.execute(
                    "UPDATE events SET batch_id = ? WHERE id IN (SELECT id FROM events "
                    "WHERE batch_id IS NULL ORDER BY id LIMIT ?)",
                    (batch_id, size),
                )
            else:
                batch_id = row[0]
            bodies = self._db.execute(
                "SELECT body FROM events WHERE batch_id = ? ORDER BY id", (batch_id,)
            ).fetchall()
        if not bodies:
            return None
        return batch_id, [json.loads(b) for (b,) in bodies]

    def _done(self, batch_id: str) -> None:
        with self._lock:
            self._db.execute("DELETE FROM events WHERE batch_id = ?", (batch_id,))

    def flush(self, send: Callable[[dict], Any], size: int = BATCH_SIZE) -> int:
        """Send every queued batch with ``send({"batch_id", "events"})``; return how many
        events were delivered. Stops (keeping the rest) at the first failure, re-raised."""
        sent = 0
        while True:
            batch = self._next_batch(size)
            if batch is None:
                return sent
            batch_id, events = batch
            send({"batch_id": batch_id, "events": events})
            self._done(batch_id)
            sent += len(events)
