"""wx storage: a per-app key-value store in SQLite under the app's data dir.

Values are kept as JSON text (a JS string with a lone surrogate survives, escaped). Keys
must be valid Unicode text. Each app has a 10 MB quota (key + value bytes) and each entry
a 1 MB limit, as on WeChat. SQLite's journal makes every write atomic and durable,
so a crash never leaves half an entry. Handlers run inline (not ``blocking``) so calls
from one app take effect in the order they were made.
"""

from __future__ import annotations

import json
import threading
from pathlib import Path
from typing import Any

from finclip_desktop.capabilities.errors import CapabilityError
from finclip_desktop.capabilities.registry import CallContext, Capability, returning
from finclip_desktop.capabilities.schema import Arg, json_text

QUOTA_BYTES = 10 * 1024 * 1024
ITEM_LIMIT_BYTES = 1024 * 1024
DB_NAME = "storage.sqlite3"


def check_key(key: str) -> None:
    try:
        key.encode("utf-8")
    except UnicodeEncodeError:
        raise CapabilityError("parameter error: key is not valid text (a lone surrogate)") from None


class KeyValueStore:
    """One app's storage file; thread-safe."""

    def __init__(
        self, path: Path, quota: int = QUOTA_BYTES, item_limit: int = ITEM_LIMIT_BYTES
    ) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.quota = quota
        self.item_limit = item_limit
        self._lock = threading.Lock()
        import sqlite3  # imported by the first app that stores data, not at launch

        self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=FULL")
        self._db.execute(
            "CREATE TABLE IF NOT EXISTS kv (key TEXT PRIMARY KEY, value TEXT NOT NULL,"
            " size INTEGER NOT NULL)"
        )

    def get(self, key: str) -> tuple[bool, Any]:
        check_key(key)
        with self._lock:
            row = self._db.execute("SELECT value FROM kv WHERE key = ?", (key,)).fetchone()
        return (False, None) if row is None else (True, json.loads(row[0]))

    def set_many(self, items: list[tuple[str, Any]]) -> None:
        """Store all items or none; raises CapabilityError past the item or app limit."""
        encoded = []
        for key, value in items:
            check_key(key)
            text = json_text(value)
            size = len(key.encode("utf-8")) + len(text.encode("utf-8"))
            if size > self.item_limit:
                raise CapabilityError(
                    f"exceed storage item max size {self.item_limit // 1024 // 1024}Mb"
                )
            encoded.append((key, text, size))
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                for key, text, size in encoded:
                    self._db.execute(
                        "INSERT INTO kv (key, value, size) VALUES (?, ?, ?) ON CONFLICT(key)"
                        " DO UPDATE SET value = excluded.value, size = excluded.size",
                        (key, text, size),
                    )
                (total,) = self._db.execute("SELECT COALESCE(SUM(size), 0) FROM kv").fetchone()
                if total > self.quota:
                    raise CapabilityError(f"exceed storage max size {self.quota // 1024 // 1024}Mb")
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    def remove(self, key: str) -> None:
        check_key(key)
        with self._lock:
            self._db.execute("DELETE FROM kv WHERE key = ?", (key,))

    def clear(self) -> None:
        with self._lock:
            self._db.execute("DELETE FROM kv")

    def info(self) -> tuple[list[str], int]:
        """All keys (in insertion order) and the bytes they use."""
        with self._lock:
            keys = [r[0] for r in self._db.execute("SELECT key FROM kv ORDER BY rowid")]
            (total,) = self._db.execute("SELECT COALESCE(SUM(size), 0) FROM kv").fetchone()
        return keys, total

    def close(self) -> None:
        with self._lock:
            self._db.close()


def store_of(ctx: CallContext) -> KeyValueStore:
    return ctx.resource("storage", lambda: KeyValueStore(Path(ctx.data_dir) / DB_NAME))


def _set(ctx: CallContext, args: dict[str, Any]) -> dict[str, Any]:
    store_of(ctx).set_many([(args["key"], args.get("data"))])
    return {}


def _get(ctx: CallContext, args: dict[str, Any]) -> dict[str, Any]:
    found, value = store_of(ctx).get(args["key"])
    if not found:
        raise CapabilityError("data not found")
    return {"data": value}


def _get_sync(ctx: CallContext, args: dict[str, Any]) -> dict[str, Any]:
    found, value = store_of(ctx).get(args["key"])
    return {"data": value if found else ""}


def _remove(ctx: CallContext, args: dict[str, Any]) -> dict[str, Any]:
    store_of(ctx).remove(args["key"])
    return {}


def _clear(ctx: CallContext, args: dict[str, Any]) -> dict[str, Any]:
    store_of(ctx).clear()
    return {}


def _info(ctx: CallContext, args: dict[str, Any]) -> dict[str, Any]:
    store = store_of(ctx)
    keys, used = store.info()
    return {"keys": keys, "currentSize": -(-used // 1024), "limitSize": store.quota // 1024}


def _batch_set(ctx: CallContext, args: dict[str, Any]) -> dict[str, Any]:
    items = []
    for i, item in enumerate(args["kvList"]):
        if not isinstance(item, dict) or not isinstance(item.get("key"), str):
            raise CapabilityError(f"parameter error: kvList[{i}].key should be String")
        items.append((item["key"], item.get("value")))
    store_of(ctx).set_many(items)
    return {}


def _batch_get(ctx: CallContext, args: dict[str, Any]) -> dict[str, Any]:
    store = store_of(ctx)
    values = []
    for i, key in enumerate(args["keyList"]):
        if not isinstance(key, str):
            raise CapabilityError(f"parameter error: keyList[{i}] should be String")
        found, value = store.get(key)
        values.append(value if found else "")
    return {"dataList": values}


_KEY = {"key": Arg("String", required=True, max_len=4096)}
_SET = {**_KEY, "data": Arg("Any")}
_BATCH_SET = {"kvList": Arg("Array", required=True, max_len=1000)}
_BATCH_GET = {"keyList": Arg("Array", required=True, max_len=1000)}


def _pair(name: str, handler: Any, schema: Any, sync_handler: Any = None) -> list[Capability]:
    return [
        Capability(name, handler, schema),
        Capability(f"{name}Sync", sync_handler or handler, schema, kind="sync"),
    ]


CAPABILITIES = [
    *_pair("setStorage", _set, _SET),
    *_pair("getStorage", _get, _KEY, _get_sync),
    *_pair("removeStorage", _remove, _KEY),
    *_pair("clearStorage", _clear, None),
    *_pair("getStorageInfo", _info, None),
    *_pair("batchSetStorage", _batch_set, _BATCH_SET),
    *_pair("batchGetStorage", _batch_get, _BATCH_GET, returning("dataList", _batch_get)),
]
