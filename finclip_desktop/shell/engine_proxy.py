"""The web engine's own proxy, from the effective ``proxy`` setting (user or policy).

What the engine fetches from the network is the ``<web-view>`` pages an app may show (its
own files come from the ``finclip://`` handler, never the network); the app's
``wx.request`` & co. use the capabilities' client with the same setting
(``capabilities/proxy.py``). Qt WebEngine takes its proxy from Qt Network: the OS settings
when ``QNetworkProxyFactory.usesSystemConfiguration()``, else
``QNetworkProxy.applicationProxy()`` (type, host and port only: HTTP or SOCKS5, no
credentials), read again at the engine's next request. Chromium cannot be told about a
TLS (``https://``) proxy through Qt, only by its ``--proxy-server`` switch, which it reads
once at start. Loopback hosts never go through a proxy.
"""

from __future__ import annotations

import logging
import os
from urllib.parse import urlsplit

log = logging.getLogger(__name__)

FLAGS_ENV = "QTWEBENGINE_CHROMIUM_FLAGS"
_DEFAULT_PORTS = {"http": 80, "https": 443, "socks5": 1080}


def apply_engine_proxy(setting: str) -> None:
    """Route the engine through ``setting``: ``"system"``, ``"none"`` or a proxy URL
    (validated by policy/settings). Call before the first page loads."""
    from PySide6.QtNetwork import QNetworkProxy, QNetworkProxyFactory

    kind = QNetworkProxy.ProxyType
    if setting in ("system", "none"):
        QNetworkProxy.setApplicationProxy(QNetworkProxy(kind.NoProxy))
        # after it: setting an application proxy turns the system configuration off
        QNetworkProxyFactory.setUseSystemConfiguration(setting == "system")
        return
    QNetworkProxyFactory.setUseSystemConfiguration(False)
    parts = urlsplit(setting)
    host, port = parts.hostname or "", parts.port or _DEFAULT_PORTS.get(parts.scheme, 80)
    if parts.scheme == "https":
        QNetworkProxy.setApplicationProxy(QNetworkProxy(kind.NoProxy))
        _chromium_proxy_switch(f"https://{host}:{port}")
        return
    proxy_type = kind.Socks5Proxy if parts.scheme == "socks5" else kind.HttpProxy
    QNetworkProxy.setApplicationProxy(QNetworkProxy(proxy_type, host, port))


def _chromium_proxy_switch(server: str) -> None:
    flags = [f for f in os.environ.get(FLAGS_ENV, "").split() if not f.startswith("--proxy-")]
    flags.append(f"--proxy-server={server}")
    os.environ[FLAGS_ENV] = " ".join(flags)
    log.info("web engine proxy %s (from the engine's next start if it is running)", server)
