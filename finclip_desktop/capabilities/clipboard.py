"""wx.setClipboardData / wx.getClipboardData through the host's clipboard.

Reading needs the ``scope.clipboardRead`` permission (declared and granted); writing does
not. The confirmation toast WeChat shows after a write is the runtime's.
"""

from __future__ import annotations

from typing import Any

from finclip_desktop.capabilities.registry import CallContext, Capability
from finclip_desktop.capabilities.schema import Arg

MAX_CLIPBOARD_BYTES = 1024 * 1024
READ_SCOPE = "scope.clipboardRead"


def set_clipboard(ctx: CallContext, args: dict[str, Any]) -> dict[str, Any]:
    ctx.host.set_clipboard_text(args["data"])
    return {}


def get_clipboard(ctx: CallContext, args: dict[str, Any]) -> dict[str, Any]:
    return {"data": ctx.host.clipboard_text()}


CAPABILITIES = [
    Capability(
        "setClipboardData",
        set_clipboard,
        {"data": Arg("String", required=True, max_bytes=MAX_CLIPBOARD_BYTES)},
    ),
    Capability("getClipboardData", get_clipboard, None, scope=READ_SCOPE),
]
