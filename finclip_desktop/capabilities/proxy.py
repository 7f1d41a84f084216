"""The proxy of a mini-app's network calls, from ``ctx.settings["proxy"]``.

``"none"`` (direct; also when the setting is absent), ``"system"`` (the environment's
``*_proxy`` variables, else the OS settings, with their bypass list: what
:func:`urllib.request.getproxies` reads) or a proxy URL (the user's or policy's ``proxy``
setting). ``request``/``downloadFile``/``uploadFile`` go through httpx, which speaks HTTP
and HTTPS proxies; ``connectSocket`` opens its own tunnel (HTTP ``CONNECT``) through an
``http://`` proxy. A SOCKS proxy fails the call with a clear reason (no SOCKS client ships).
"""

from __future__ import annotations

import base64
import socket
from typing import Any
from urllib.parse import unquote, urlsplit

from finclip_desktop.capabilities.errors import CapabilityError
from finclip_desktop.capabilities.registry import CallContext

MAX_CONNECT_REPLY = 16 * 1024
SUPPORTED = ("http", "https")


def setting(ctx: CallContext) -> str:
    return str(ctx.settings.get("proxy") or "none")


def _system_proxy(scheme: str, host: str | None = None) -> str | None:
    """The environment's / OS's proxy for ``scheme`` (None when ``host`` bypasses it)."""
    import urllib.request

    if host is not None and urllib.request.proxy_bypass(host):
        return None
    proxies = urllib.request.getproxies()
    return proxies.get(scheme) or proxies.get("all") or None


def _checked(url: str, origin: str) -> str:
    parts = urlsplit(url)
    if parts.scheme.lower() in SUPPORTED and parts.hostname:
        return url
    shown = f"{parts.scheme.lower()}://" if parts.scheme else repr(url)
    raise CapabilityError(
        f"{origin} proxy {shown} is not supported (use an http:// or https:// proxy)"
    )


def httpx_options(ctx: CallContext) -> dict[str, Any]:
    """``proxy`` and ``trust_env`` for the app's httpx client."""
    proxy = setting(ctx)
    if proxy == "none":
        return {"proxy": None, "trust_env": False}
    if proxy == "system":
        found = _system_proxy("https")
        if found:
            _checked(found, "the system")
        return {"proxy": None, "trust_env": True}
    return {"proxy": _checked(proxy, "the configured"), "trust_env": False}


def proxy_for(ctx: CallContext, host: str) -> str | None:
    """The proxy URL a TLS connection to ``host`` goes through, or None (direct)."""
    proxy = setting(ctx)
    if proxy == "none":
        return None
    if proxy == "system":
        found = _system_proxy("https", host)
        return _checked(found, "the system") if found else None
    return _checked(proxy, "the configured")


def tunnel(proxy: str, host: str, port: int, timeout: float) -> socket.socket:
    """A TCP connection to ``host:port`` through the HTTP proxy ``proxy`` (``CONNECT``)."""
    parts = urlsplit(proxy)
    if parts.scheme.lower() != "http" or not parts.hostname:
        raise CapabilityError(f"sockets can only use an http:// proxy, not {proxy}")
    sock = socket.create_connection((parts.hostname, parts.port or 80), timeout=timeout)
    try:
        target = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
        lines = [f"CONNECT {target} HTTP/1.1", f"Host: {target}"]
        if parts.username is not None:
            secret = f"{unquote(parts.username)}:{unquote(parts.password or '')}"
            lines.append("Proxy-Authorization: Basic " + base64.b64encode(secret.encode()).decode())
        sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1"))
        reply = b""
        while b"\r\n\r\n" not in reply:
            chunk = sock.recv(4096)
            if not chunk or len(reply) + len(chunk) > MAX_CONNECT_REPLY:
                raise CapabilityError("the proxy closed the connection")
            reply += chunk
        status = reply.split(b"\r\n", 1)[0].split(b" ")
        if len(status) < 2 or not status[0].startswith(b"HTTP/") or status[1] != b"200":
            shown = b" ".join(status[1:]).decode("latin-1", "replace")[:80]
            raise CapabilityError(f"the proxy refused the connection ({shown or 'no status'})")
        if reply.index(b"\r\n\r\n") + 4 != len(reply):
            raise CapabilityError("the proxy sent data before the tunnel opened")
        return sock
    except BaseException:
        sock.close()
        raise
