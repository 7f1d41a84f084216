"""The request interceptor on every app profile: what may leave the page at all.

Every Chromium resource type is mapped to a rule (a test fails when Qt adds one that is
not). The app's own ``finclip://<appId>/`` origin is always allowed; ``data:`` and
``blob:`` carry no network traffic, but are no frames (such documents are opaque or the
app's own); ``wxfile://`` (the app's own files) only as images and media. Network access
otherwise goes through wx.request and friends in Python; the page itself may only load
images, media, fonts and ``<web-view>`` frames over https from hosts on the app's domain
lists (http to localhost only in developer mode when policy allows it): the container
passes the hosts of every kind in ``capabilities.domains.effective_domains``, the lists
wx.request & co. apply. Everything else is blocked.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import Enum

from PySide6.QtCore import QObject, QUrl
from PySide6.QtWebEngineCore import QWebEngineUrlRequestInfo, QWebEngineUrlRequestInterceptor

from finclip_desktop.shell.qtapp import FILE_SCHEME, SCHEME

RT = QWebEngineUrlRequestInfo.ResourceType


class Rule(Enum):
    OWN = "own origin only"
    REMOTE = "own origin, or https to an allowed host"
    BLOCK = "never"


RULES: dict[RT, Rule] = {
    RT.ResourceTypeMainFrame: Rule.OWN,
    RT.ResourceTypeSubFrame: Rule.REMOTE,  # <web-view>
    RT.ResourceTypeStylesheet: Rule.OWN,
    RT.ResourceTypeScript: Rule.OWN,
    RT.ResourceTypeImage: Rule.REMOTE,
    RT.ResourceTypeFontResource: Rule.REMOTE,
    RT.ResourceTypeSubResource: Rule.OWN,
    RT.ResourceTypeObject: Rule.BLOCK,
    RT.ResourceTypeMedia: Rule.REMOTE,
    RT.ResourceTypeWorker: Rule.OWN,
    RT.ResourceTypeSharedWorker: Rule.BLOCK,
    RT.ResourceTypePrefetch: Rule.BLOCK,
    RT.ResourceTypeFavicon: Rule.BLOCK,
    RT.ResourceTypeXhr: Rule.OWN,
    RT.ResourceTypePing: Rule.BLOCK,
    RT.ResourceTypeServiceWorker: Rule.BLOCK,
    RT.ResourceTypeCspReport: Rule.BLOCK,
    RT.ResourceTypePluginResource: Rule.BLOCK,
    RT.ResourceTypeNavigationPreloadMainFrame: Rule.BLOCK,
    RT.ResourceTypeNavigationPreloadSubFrame: Rule.BLOCK,
    RT.ResourceTypeJson: Rule.OWN,
    RT.ResourceTypeWebSocket: Rule.BLOCK,  # sockets go through wx.connectSocket
    RT.ResourceTypeUnknown: Rule.OWN,
}
LOCAL_HOSTS = frozenset({"localhost", "127.0.0.1", "[::1]", "::1"})


def rule_for(resource_type: RT) -> Rule:
    """The rule of a resource type; an unmapped type is blocked (and fails the tests)."""
    return RULES.get(resource_type, Rule.BLOCK)


def host_port(url: QUrl) -> tuple[str, str]:
    host = url.host().lower()
    port = url.port()
    return host, f"{host}:{port}" if port > 0 else host


class AppRequestInterceptor(QWebEngineUrlRequestInterceptor):
    """Allows a request only when its resource type's rule admits its URL."""

    def __init__(
        self,
        app_id: str,
        remote_hosts: Iterable[str] = (),
        allow_http_localhost: bool = False,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.app_id = app_id
        self.remote_hosts = frozenset(h.lower() for h in remote_hosts)
        self.allow_http_localhost = allow_http_localhost
        self.blocked: list[tuple[str, str]] = []  # (resource type name, url) for diagnostics

    def allows(self, url: QUrl, resource_type: RT) -> bool:
        scheme = url.scheme().lower()
        if scheme == SCHEME:
            return url.host() == self.app_id
        if scheme == FILE_SCHEME:
            return resource_type in (RT.ResourceTypeImage, RT.ResourceTypeMedia)
        if scheme in ("data", "blob"):  # no documents: frames of them are opaque or ours
            return resource_type not in (RT.ResourceTypeMainFrame, RT.ResourceTypeSubFrame)
        rule = rule_for(resource_type)
        if rule is not Rule.REMOTE:
            return False
        host, with_port = host_port(url)
        listed = host in self.remote_hosts or with_port in self.remote_hosts
        if scheme == "https":
            return listed
        if scheme == "http" and self.allow_http_localhost:
            return listed and host in LOCAL_HOSTS
        return False

    def interceptRequest(self, info: QWebEngineUrlRequestInfo) -> None:  # noqa: N802
        try:
            url = info.requestUrl()
            resource_type = info.resourceType()
            if not self.allows(url, resource_type):
                self.blocked.append((resource_type.name, url.toString()))
                del self.blocked[:-200]
                info.block(True)
        except Exception:  # noqa: BLE001 - fail closed, never raise into Qt
            info.block(True)
