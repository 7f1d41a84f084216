"""The proxy of a mini-app's network calls, from ``ctx.settings["proxy"]``.

``"none"`` (direct; also when the setting is absent), ``"system"`` (the environment's
``*_proxy`` variables, else the OS settings, with their bypass list: what
:func:`urllib.request.getproxies` reads) or a proxy URL (the user's or policy's ``proxy``
setting). ``request``/``downloadFile``/``uploadFile`` go through httpx, which speaks HTTP,
HTTPS and SOCKS5 proxies (``socksio``); ``connectSocket`` opens its own tunnel through an
``http://`` (``CONNECT``) or ``socks5://`` proxy (RFC 1928, the host name resolved by the
proxy; user and password from the URL, RFC 1929). Other proxies fail the call clearly.
"""

from __future__ import annotations

import base64
import ipaddress
import socket
from typing import Any
from urllib.parse import unquote, urlsplit

from finclip_desktop.capabilities.errors import CapabilityError
from finclip_desktop.capabilities.registry import CallContext

MAX_CONNECT_REPLY = 16 * 1024
SUPPORTED = ("http", "https", "socks5")
TUNNELS = {"http": 80, "socks5": 1080}  # proxies connectSocket tunnels through: default port
_SOCKS_REPLIES = {1: "general failure", 2: "not allowed", 3: "network unreachable",
                  4: "host unreachable", 5: "connection refused", 6: "TTL expired",
                  7: "command not supported", 8: "address type not supported"}  # fmt: skip


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
        f"{origin} proxy {shown} is not supported (use an http://, https:// or socks5:// proxy)"
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
    """A TCP connection to ``host:port`` through ``proxy`` (``http://`` or ``socks5://``)."""
    parts = urlsplit(proxy)
    scheme = parts.scheme.lower()
    if scheme not in TUNNELS or not parts.hostname:
        raise CapabilityError(f"sockets can only use an http:// or socks5:// proxy, not {proxy}")
    sock = socket.create_connection(
        (parts.hostname, parts.port or TUNNELS[scheme]), timeout=timeout
    )
    try:
        if scheme == "socks5":
            _socks5_connect(sock, parts.username, parts.password, host, port)
            return sock
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


def _recv_exact(sock: socket.socket, size: int) -> bytes:
    data = b""
    while len(data) < size:
        chunk = sock.recv(size - len(data))
        if not chunk:
            raise CapabilityError("the proxy closed the connection")
        data += chunk
    return data


def _socks5_connect(
    sock: socket.socket, user: str | None, password: str | None, host: str, port: int
) -> None:
    """The SOCKS5 ``CONNECT`` handshake on ``sock`` (the proxy resolves host names)."""
    method = 2 if user is not None else 0  # username/password, or none
    sock.sendall(bytes([5, 1, method]))
    if _recv_exact(sock, 2) != bytes([5, method]):
        raise CapabilityError("the SOCKS proxy refused the connection (authentication method)")
    if user is not None:
        name, secret = unquote(user).encode(), unquote(password or "").encode()
        if len(name) > 255 or len(secret) > 255:
            raise CapabilityError("the SOCKS proxy user name or password is too long")
        sock.sendall(bytes([1, len(name)]) + name + bytes([len(secret)]) + secret)
        if _recv_exact(sock, 2)[1] != 0:
            raise CapabilityError("the SOCKS proxy refused the user name or password")
    try:
        ip = ipaddress.ip_address(host.strip("[]"))
        address = bytes([1 if ip.version == 4 else 4]) + ip.packed
    except ValueError:
        name = host.encode("idna")
        address = bytes([3, len(name)]) + name
    sock.sendall(bytes([5, 1, 0]) + address + port.to_bytes(2, "big"))
    version, reply, _reserved, kind = _recv_exact(sock, 4)
    if version != 5 or reply != 0:
        shown = _SOCKS_REPLIES.get(reply, f"reply {reply}") if version == 5 else "not SOCKS5"
        raise CapabilityError(f"the proxy refused the connection ({shown})")
    bound = {1: 4, 4: 16}.get(kind)
    if bound is None:
        if kind != 3:
            raise CapabilityError("the proxy sent a malformed SOCKS5 reply")
        bound = _recv_exact(sock, 1)[0]
    _recv_exact(sock, bound + 2)  # the proxy's bound address and port
