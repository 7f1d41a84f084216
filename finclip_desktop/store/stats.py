"""Usage events queued in SQLite and sent in batches with idempotent batch ids.

An event is stored before ``record`` returns. ``flush`` first gives the oldest unsent
events a batch id (committed before sending), then posts that batch; the rows are deleted
only after the server accepted it. A batch whose answer was lost (server down, app quit)
is sent again with the same id, which the server counts once: nothing is lost or doubled.

A batch the server refuses for good (``BatchRejected(permanent=True)``) is dropped at once;
one that keeps failing the server (``permanent=False``) is retried at most
``MAX_BATCH_ATTEMPTS`` times, then dropped: one poisoned batch never blocks the queue.
"""

from __future__ import annotations

import json
import logging
import sqlite3
import threading
import time
import uuid
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from finclip_desktop.store.errors import StoreError
from finclip_desktop.store.events import OPTIONAL_FIELDS, EventError, check_event

log = logging.getLogger(__name__)
BATCH_SIZE = 500
MAX_QUEUE = 100_000
MAX_BATCH_ATTEMPTS = 5

_SCHEMA = """
CREATE TABLE IF NOT EXISTS events (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    batch_id TEXT,
    body TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS events_batch ON events(batch_id);
CREATE TABLE IF NOT EXISTS batch_failures (
    batch_id TEXT PRIMARY KEY,
    attempts INTEGER NOT NULL
);
"""


class BatchRejected(StoreError):
    """The server answered a batch with a refusal: for good (``permanent``), or with a
    failure that counts towards ``MAX_BATCH_ATTEMPTS``."""

    def __init__(self, message: str, permanent: bool) -> None:
        super().__init__(message)
        self.permanent = permanent


def make_event(type_: str, app_id: str, ts_ms: float | None = None, **fields: Any) -> dict:
    """Validate one event (``events.check_event``, the server's rule); raise StoreError
    naming the bad field."""
    unknown = set(fields) - set(OPTIONAL_FIELDS)
    if unknown:
        raise StoreError(f"unknown event field {sorted(unknown)[0]!r:.40}")
    raw = {"type": type_, "app_id": app_id,
           "ts": int(time.time() * 1000) if ts_ms is None else ts_ms}  # fmt: skip
    raw.update({k: v for k, v in fields.items() if v is not None})
    try:
        event = check_event(raw)
    except EventError as exc:
        raise StoreError(f"bad event: {exc}") from None
    event["ts"] = int(event["ts"])
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
            self._db.execute("DELETE FROM batch_failures WHERE batch_id = ?", (batch_id,))

    def _failed(self, batch_id: str) -> int:
        """Count one more failure of a batch; return the count."""
        with self._lock:
            self._db.execute(
                "INSERT INTO batch_failures(batch_id, attempts) VALUES (?, 1) "
                "ON CONFLICT(batch_id) DO UPDATE SET attempts = attempts + 1",
                (batch_id,),
            )
            return self._db.execute(
                "SELECT attempts FROM batch_failures WHERE batch_id = ?", (batch_id,)
            ).fetchone()[0]

    def flush(self, send: Callable[[dict], Any], size: int = BATCH_SIZE) -> int:
        """Send every queued batch with ``send({"batch_id", "events"})``; return how many
        events were delivered. Stops (keeping the rest) at the first failure, re-raised,
        except for rejected batches that are dropped (see the module docstring)."""
        sent = 0
        while True:
            batch = self._next_batch(size)
            if batch is None:
                return sent
            batch_id, events = batch
            try:
                send({"batch_id": batch_id, "events": events})
                sent += len(events)
            except BatchRejected as exc:
                if not exc.permanent and self._failed(batch_id) < MAX_BATCH_ATTEMPTS:
                    raise
                log.warning("dropped %d usage events the server refuses: %s", len(events), exc)
            self._done(batch_id)
