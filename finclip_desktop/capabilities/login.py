"""wx.login / checkSession / getUserInfo / getUserProfile through the host's store.

``login`` asks the host for a short-lived code issued by the management server for this
device and app (``host.login_code``, a network call: the handler is ``blocking``). A host
without a server fails cleanly. ``checkSession`` is ok while the last code is valid.
"""

from __future__ import annotations

import threading
import time
from typing import Any

from finclip_desktop.capabilities.errors import CapabilityError
from finclip_desktop.capabilities.registry import CallContext, Capability
from finclip_desktop.capabilities.schema import Arg

USER_INFO_SCOPE = "scope.userInfo"
DEFAULT_SESSION_S = 300


class Session:
    def __init__(self) -> None:
        self.expires_at = 0.0
        self.lock = threading.Lock()


def _session(ctx: CallContext) -> Session:
    return ctx.resource("login", Session)


def login(ctx: CallContext, args: dict[str, Any]) -> dict[str, Any]:
    issued = ctx.host.login_code(ctx.app_id)
    code = issued.get("code") if isinstance(issued, dict) else None
    if not isinstance(code, str) or not code:
        raise CapabilityError("login server returned no code")
    session = _session(ctx)
    with session.lock:
        session.expires_at = time.monotonic() + float(issued.get("expires_in", DEFAULT_SESSION_S))
    return {"code": code}


def check_session(ctx: CallContext, args: dict[str, Any]) -> dict[str, Any]:
    session = _session(ctx)
    with session.lock:
        if time.monotonic() >= session.expires_at:
            raise CapabilityError("session time out, need relogin")
    return {}


def user_info(ctx: CallContext, args: dict[str, Any]) -> dict[str, Any]:
    info = dict(ctx.host.user_info(ctx.app_id))
    return {"userInfo": info, "rawData": "", "signature": ""}


CAPABILITIES = [
    Capability(
        "login",
        login,
        {"timeout": Arg("Number", min=0)},
        blocking=True,
        note="code issued by the management server; fails cleanly without one",
    ),
    Capability("checkSession", check_session, None),
    Capability(
        "getUserInfo",
        user_info,
        {"lang": Arg("String")},
        scope=USER_INFO_SCOPE,
        note="the host's signed-in user",
    ),
    Capability(
        "getUserProfile",
        user_info,
        {"desc": Arg("String", required=True, max_len=30), "lang": Arg("String")},
        scope=USER_INFO_SCOPE,
    ),
]
