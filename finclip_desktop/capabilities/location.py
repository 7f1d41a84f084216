"""wx.getLocation from the host's positioning service (Qt Positioning in the shell).

Needs ``scope.userLocation``. A host without positioning fails the call cleanly.
"""

from __future__ import annotations

from concurrent.futures import Future
from typing import Any

from finclip_desktop.capabilities.registry import CallContext, Capability
from finclip_desktop.capabilities.schema import Arg

SCOPE = "scope.userLocation"
FIELDS = ("latitude", "longitude", "speed", "accuracy", "altitude",
          "verticalAccuracy", "horizontalAccuracy")  # fmt: skip


def _shape(fix: dict[str, Any]) -> dict[str, Any]:
    return {name: fix.get(name, 0) for name in FIELDS}


def get_location(ctx: CallContext, args: dict[str, Any]) -> Any:
    fix = ctx.host.get_location(args.get("type", "wgs84"))
    if isinstance(fix, Future):
        out: Future[dict[str, Any]] = Future()

        def located(f: Future[dict[str, Any]]) -> None:
            exc = f.exception()
            if exc is not None:
                out.set_exception(exc)
            else:
                out.set_result(_shape(f.result()))

        fix.add_done_callback(located)
        return out
    return _shape(fix)


CAPABILITIES = [
    Capability(
        "getLocation",
        get_location,
        {
            "type": Arg("String", enum=("wgs84", "gcj02")),
            "altitude": Arg("Boolean"),
            "isHighAccuracy": Arg("Boolean"),
            "highAccuracyExpireTime": Arg("Number", min=0),
        },
        scope=SCOPE,
        note="needs Qt Positioning and a location source; fails cleanly otherwise",
    ),
]
