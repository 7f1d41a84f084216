"""The hosts an app may reach, per kind of network API: one rule for the capabilities
(wx.request & co.) and for the shell's request interceptor (images, media, fonts and
``<web-view>`` frames). Pure Python, imported at launch: keep it free of imports."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any


def effective_domains(
    declared: Mapping[str, Iterable[str]], server: Any = None
) -> dict[str, frozenset[str]]:
    """Per kind (``request``, ``socket``, ``uploadFile``, ``downloadFile``), the manifest's
    hosts (``host`` or ``host:port``, lower-cased). ``server`` is, for a version the store
    installed, the domain lists of its signed target entry (``None`` otherwise): a host
    must then be on both, so the server can withdraw one; a malformed list allows none."""
    lists = {kind: frozenset(h.lower() for h in hosts) for kind, hosts in declared.items()}
    if server is None:
        return lists
    server = server if isinstance(server, Mapping) else {}

    def listed(kind: str) -> set[str]:
        hosts = server.get(kind)
        if not isinstance(hosts, list | tuple):
            return set()
        return {h.lower() for h in hosts if isinstance(h, str)}

    return {kind: hosts & listed(kind) for kind, hosts in lists.items()}
