"""What ``wx.canIUse`` answers from: every wx API's arguments with their allowed values (the
capability registry's schemas; ``support.VIEW_SCHEMAS`` for view APIs), the result fields
it declares, and the supported built-in components. ``build_app`` ships it as
``__fc__/caniuse.js``, which the logic worker loads on the first ``canIUse`` call (so a
launch does not parse it)."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import Any

from finclip_desktop.capabilities.schema import Schema
from finclip_desktop.runtime.support import COMPONENTS, VIEW_APIS, VIEW_SCHEMAS

FILE = "__fc__/caniuse.js"
# canIUse's `${method}` for an API's result: `api.return.x` (sync), `api.callback.x`
# (listeners), else `api.success.x`
RESULT_METHOD = {"sync": "return", "event": "callback"}

Params = tuple[tuple[str, tuple[Any, ...] | None], ...]


def params(schema: Schema | None) -> Params:
    """``(name, allowed values or None)`` of each argument of ``schema``, in its order."""
    return tuple((name, arg.enum) for name, arg in (schema or {}).items())


def script(apis: Iterable[Sequence[Any]]) -> str:
    """``__fc__/caniuse.js`` for the API table rows ``(name, kind, params, returns)``:
    internal (``_``) names and view APIs the runtime does not implement are left out."""
    facts: dict[str, dict[str, Any]] = {}
    for name, kind, args, returns in apis:
        if name.startswith("_") or (kind == "view" and name not in VIEW_APIS):
            continue
        if kind == "view":
            args = params(VIEW_SCHEMAS.get(name))
        entry: dict[str, Any] = {RESULT_METHOD.get(kind, "success"): list(returns)}
        if kind != "event":  # (a task's taskId is the runtime's own argument)
            entry["object"] = {
                p: None if e is None else list(e)
                for p, e in args
                if not (kind == "task" and p == "taskId")
            }
        facts[name] = entry
    components = sorted(n for n, note in COMPONENTS.items() if not note.startswith("no:"))
    table = {"apis": facts, "components": components}
    return f"__fc.canIUseTable={json.dumps(table, ensure_ascii=False, separators=(',', ':'))};"
