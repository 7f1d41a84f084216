"""One running mini-app: its own profile, page, bridge, call context and window.

Creation order: profile (storage name and paths set before it exists), its interceptor and
scheme handlers, then the page with its channel and bridge scripts (page-level, so they are
re-installed when a crashed renderer is restarted), then the window. :meth:`Container.close`
undoes it in reverse: window and view, page, then profile (a page must never outlive its
profile).
"""

from __future__ import annotations

import json
import logging
import shutil
from collections.abc import Callable
from concurrent.futures import Future
from pathlib import Path
from typing import Any

import shiboken6
from PySide6.QtCore import QFile, QIODevice, QObject, QTimer, QUrl, Signal
from PySide6.QtWebChannel import QWebChannel
from PySide6.QtWebEngineCore import (
    QWebEnginePage,
    QWebEnginePermission,
    QWebEngineProfile,
    QWebEngineProfileBuilder,
    QWebEngineScript,
    QWebEngineSettings,
)

from finclip_desktop.capabilities.domains import effective_domains
from finclip_desktop.capabilities.registry import CallContext
from finclip_desktop.shell.applock import AppLock
from finclip_desktop.shell.bridge import (
    MAX_ARGS_BYTES,
    OBJECT_NAME,
    SHIM_JS,
    TOO_BIG,
    Bridge,
    fail,
)
from finclip_desktop.shell.bundle import AppBundle, safe_app_id
from finclip_desktop.shell.guard import guard_script
from finclip_desktop.shell.interceptor import RT, AppRequestInterceptor
from finclip_desktop.shell.permissions import PermissionStore
from finclip_desktop.shell.qtapp import FILE_SCHEME, SCHEME
from finclip_desktop.shell.scheme import AppSchemeHandler, WxfileSchemeHandler

log = logging.getLogger(__name__)

WORLD = QWebEngineScript.ScriptWorldId.ApplicationWorld
PT = QWebEnginePermission.PermissionType
# Chromium permission -> the scope that decides it (others are always denied).
PERMISSION_SCOPES: dict[PT, tuple[str, ...]] = {
    PT.Geolocation: ("scope.userLocation",),
    PT.Notifications: ("scope.notifications",),
    PT.MediaAudioCapture: ("scope.record",),
    PT.MediaVideoCapture: ("scope.camera",),
    PT.MediaAudioVideoCapture: ("scope.record", "scope.camera"),
    PT.ClipboardReadWrite: ("scope.clipboardRead",),
}

Invoke = Callable[[CallContext, str, Any], "Future[dict[str, Any]]"]
MAX_RESTARTS = 3


def app_dirs(root: Path, app_id: str) -> dict[str, Path]:
    """The folders of one app under the user data root: ``web`` (engine profile),
    ``cache`` (engine cache) and ``data`` (the capabilities' private folder)."""
    base = Path(root) / "apps" / safe_app_id(app_id)
    return {"base": base, "web": base / "web", "cache": base / "cache", "data": base / "data"}


def clear_app_data(root: Path, app_id: str) -> None:
    """Delete everything an app stored (its container must be closed); refused (one-line
    :class:`BundleError`) while another process runs the app."""
    lock = AppLock(root, app_id)
    try:
        shutil.rmtree(app_dirs(root, app_id)["base"], ignore_errors=True)
    finally:
        lock.release()


def _qrc_text(path: str) -> str:
    f = QFile(path)
    if not f.open(QIODevice.OpenModeFlag.ReadOnly):
        raise RuntimeError(f"missing Qt resource {path}")
    try:
        return bytes(f.readAll().data()).decode("utf-8")
    finally:
        f.close()


def _script(
    name: str, source: str, world: QWebEngineScript.ScriptWorldId = WORLD, sub_frames: bool = False
) -> QWebEngineScript:
    script = QWebEngineScript()
    script.setName(name)
    script.setSourceCode(source)
    script.setWorldId(world)
    script.setInjectionPoint(QWebEngineScript.InjectionPoint.DocumentCreation)
    script.setRunsOnSubFrames(sub_frames)
    return script


def page_scripts(framework_page: bool = False) -> list[QWebEngineScript]:
    """qwebchannel.js and the bridge shim, for the isolated world of the main frame; the
    page guard (no WebRTC, no WebTransport; ``framework_page``: see
    :func:`guard.guard_script`), for the main world of every frame."""
    return [
        _script("qwebchannel", _qrc_text(":/qtwebchannel/qwebchannel.js")),
        _script("finclip-bridge", SHIM_JS),
        _script(
            "finclip-guard",
            guard_script(framework_page),
            QWebEngineScript.ScriptWorldId.MainWorld,
            True,
        ),
    ]


def make_profile(
    bundle: AppBundle, dirs: dict[str, Path], remote_hosts: set[str], allow_http_localhost: bool
) -> tuple[QWebEngineProfile, AppRequestInterceptor, AppSchemeHandler]:
    """A persistent profile of the app alone, hardened before any page uses it; with its
    request interceptor and scheme handler (children of the profile)."""
    dirs["web"].mkdir(parents=True, exist_ok=True)
    builder = QWebEngineProfileBuilder()
    builder.setPersistentStoragePath(str(dirs["web"]))
    builder.setCachePath(str(dirs["cache"]))
    builder.setPersistentCookiesPolicy(
        QWebEngineProfile.PersistentCookiesPolicy.AllowPersistentCookies
    )
    builder.setPersistentPermissionsPolicy(
        QWebEngineProfile.PersistentPermissionsPolicy.AskEveryTime
    )
    profile = builder.createProfile(f"finclip-{safe_app_id(bundle.app_id)}")
    profile.setSpellCheckEnabled(False)
    interceptor = AppRequestInterceptor(
        bundle.app_id, remote_hosts, allow_http_localhost, parent=profile
    )
    profile.setUrlRequestInterceptor(interceptor)
    handler = AppSchemeHandler(bundle, allow_http_localhost, parent=profile)
    profile.installUrlSchemeHandler(SCHEME.encode(), handler)
    profile.installUrlSchemeHandler(
        FILE_SCHEME.encode(), WxfileSchemeHandler(dirs["data"], parent=profile)
    )
    profile.downloadRequested.connect(lambda item: item.cancel())
    settings = profile.settings()
    attr = QWebEngineSettings.WebAttribute
    for name, on in (
        ("LocalContentCanAccessRemoteUrls", False),
        ("LocalContentCanAccessFileUrls", False),
        ("JavascriptCanOpenWindows", False),
        ("JavascriptCanAccessClipboard", False),
        ("PluginsEnabled", False),
        ("PdfViewerEnabled", False),
        ("AllowRunningInsecureContent", False),
        ("AllowGeolocationOnInsecureOrigins", False),
        ("XSSAuditingEnabled", True),
        ("ScreenCaptureEnabled", False),
        ("WebRTCPublicInterfacesOnly", True),
        ("NavigateOnDropEnabled", False),
    ):
        if hasattr(attr, name):
            settings.setAttribute(getattr(attr, name), on)
    return profile, interceptor, handler


class AppPage(QWebEnginePage):
    """A page that stays on its app: no leaving navigation, no new windows, sub-frames only
    for allowed remote pages.

    ``console_message(level, message, line, source)`` relays every console message (the
    usage recorder counts app errors from it; devtools prints it)."""

    console_message = Signal(object, str, int, str)
    frame_refused = Signal(str)  # a <web-view> frame's URL the app may not load

    def __init__(self, profile: QWebEngineProfile, app_id: str, remote_allows) -> None:
        super().__init__(profile)
        self.app_id = app_id
        self._remote_allows = remote_allows
        self.refused: list[str] = []
        self.console: list[str] = []

    def own(self, url: QUrl) -> bool:
        return url.scheme() == SCHEME and url.host() == self.app_id

    def frame_allowed(self, url: QUrl) -> bool:
        """A sub-frame (``<web-view>``) may hold only a remote page the app may reach: never
        the app's own origin, ``data:`` or ``blob:`` (same-origin or opaque documents)."""
        return url.scheme() in ("https", "http") and self._remote_allows(url)

    def acceptNavigationRequest(self, url: QUrl, nav_type, is_main_frame: bool) -> bool:  # noqa: N802
        try:
            if self.own(url) if is_main_frame else self.frame_allowed(url):
                return True
            self.refused.append(url.toString())
            del self.refused[:-200]
            if not is_main_frame:
                self.frame_refused.emit(url.toString())
        except Exception:  # noqa: BLE001 - refuse on any trouble, never raise into Qt
            log.exception("navigation check failed")
        return False

    def createWindow(self, window_type):  # noqa: N802 - Qt API
        self.refused.append(f"window:{window_type.name}")
        return None

    def javaScriptConsoleMessage(self, level, message: str, line: int, source: str) -> None:  # noqa: N802
        self.console.append(message)
        del self.console[:-500]
        log.debug("[%s] %s (%s:%s)", self.app_id, message, source, line)
        self.console_message.emit(level, message, line, source)


class Container(QObject):
    """A running app. ``painted(route)`` fires after its first (and each) painted page."""

    painted = Signal(str)
    loadFailed = Signal(str)  # noqa: N815
    closed = Signal()

    def __init__(
        self,
        bundle: AppBundle,
        data_root: Path,
        permissions: PermissionStore,
        invoke: Invoke,
        dev_mode: bool = False,
        allow_http_localhost: bool = False,
        launch_options: dict[str, Any] | None = None,
        parent: QObject | None = None,
        settings: Any = None,  # the shell's effective Settings (proxy, ...)
    ) -> None:
        super().__init__(parent)
        self.bundle = bundle
        self.app_id = bundle.app_id
        self.data_root = Path(data_root)
        self.shell_settings = settings
        self.lock = AppLock(data_root, bundle.app_id)  # first: no other process uses its data
        self.dirs = app_dirs(data_root, bundle.app_id)
        self.dirs["data"].mkdir(parents=True, exist_ok=True)
        self.permissions = permissions
        self._invoke = invoke
        self.first_painted: str | None = None
        self.load_failed = False
        self.restarts = 0
        self.is_closed = False
        self.server_domains = self._server_domains()
        lists = effective_domains(bundle.manifest.domains, self.server_domains)
        remote = set().union(*lists.values())
        self.profile, self.interceptor, self.scheme = make_profile(
            bundle, self.dirs, remote, allow_http_localhost and dev_mode
        )
        self.page = AppPage(
            self.profile,
            bundle.app_id,
            lambda url: self.interceptor.allows(url, RT.ResourceTypeSubFrame),
        )
        self.bridge = Bridge(bundle.app_id, self._call_registry, self.page.url, parent=self)
        self.channel = QWebChannel(self.page)
        self.channel.registerObject(OBJECT_NAME, self.bridge)
        self.page.setWebChannel(self.channel, WORLD)
        self._install_scripts()
        self.page.permissionRequested.connect(self._chromium_permission)
        self.page.loadFinished.connect(self._load_finished)
        self.page.renderProcessTerminated.connect(self._render_gone)
        self.bridge.paintedRoute.connect(self._painted)
        self.page.frame_refused.connect(
            lambda url: self.bridge.emit_event("webViewBlocked", {"url": url})
        )
        self.scheme.sync_invoke = self._sync_invoke
        self.window = None
        self.context = CallContext(
            app_id=bundle.app_id,
            data_dir=self.dirs["data"],
            manifest=bundle.manifest,
            dev_mode=dev_mode,
            ask_permission=self.ask_permission,
            emit=self.bridge.emit_event,
            settings=self._call_settings(launch_options or {}, dev_mode),
            package=bundle.package,
        )

    # -- life cycle ---------------------------------------------------------------------
    def load(self) -> None:
        self.page.load(QUrl(self.entry_url()))

    def entry_url(self) -> str:
        """The entry document; a WeChat-syntax app's carries the launch options (``path``:
        the page and its query, ``scene``), so the runtime starts without asking the host."""
        if self.bundle.kind != "wechat":
            return self.bundle.entry_url()
        from urllib.parse import quote, urlencode

        launch = self.context.settings["launchOptions"]
        params = {"scene": launch["scene"]}
        if launch["path"]:
            query = urlencode(launch["query"], quote_via=quote)
            params["path"] = launch["path"] + (f"?{query}" if query else "")
        return f"{self.bundle.entry_url()}?{urlencode(params, quote_via=quote)}"

    def close(self) -> None:
        """Tear down in order: window, page, profile; then release per-app resources."""
        if self.is_closed:
            return
        self.is_closed = True
        self.bridge.closed = True
        try:
            self.context.close()
        except Exception:  # noqa: BLE001
            log.exception("closing %s failed", self.app_id)
        window, self.window = self.window, None
        if window is not None and shiboken6.isValid(window):
            window.detach()
            window.hide()
            shiboken6.delete(window)
        if shiboken6.isValid(self.page):
            shiboken6.delete(self.page)
        if shiboken6.isValid(self.profile):
            shiboken6.delete(self.profile)
        self.lock.release()
        self.closed.emit()

    # -- page events --------------------------------------------------------------------
    def _load_finished(self, ok: bool) -> None:
        if not ok:
            self.load_failed = True
            self.loadFailed.emit(self.page.url().toString())
            return
        if self.bundle.kind == "html":
            self.page.runJavaScript(
                "window.__fcPaintedFallback && window.__fcPaintedFallback()", WORLD
            )

    def _painted(self, route: str) -> None:
        if self.first_painted is None:
            self.first_painted = route
        self.painted.emit(route)

    def _render_gone(self, status, code: int) -> None:
        """A crashed or killed renderer is restarted (a few times) so the app comes back."""
        log.warning("%s: render process ended (%s, %s)", self.app_id, status, code)
        normal = QWebEnginePage.RenderProcessTerminationStatus.NormalTerminationStatus
        if self.is_closed or status == normal or self.restarts >= MAX_RESTARTS:
            return
        self.restarts += 1
        QTimer.singleShot(0, self._restart)

    def _install_scripts(self) -> None:
        scripts = self.page.scripts()
        for script in page_scripts(self.bundle.kind == "wechat"):
            for old in scripts.find(script.name()):
                scripts.remove(old)
            scripts.insert(script)

    def _restart(self) -> None:
        if self.is_closed:
            return
        # A new renderer gets neither the page scripts nor the channel by itself.
        self._install_scripts()
        self.page.setWebChannel(None, WORLD)
        self.page.setWebChannel(self.channel, WORLD)
        self.load()

    # -- bridge ---------------------------------------------------------------------------
    def _call_settings(self, launch: dict[str, Any], dev_mode: bool) -> dict[str, Any]:
        """The CallContext's settings (docs/architecture.md): app.json's networkTimeout,
        the launch options, envVersion, the shell's proxy and allow_http_localhost settings
        and, for a version the store installed, the server's signed domain lists (its
        target entry), which limit the manifest's."""
        app = {}
        if "app.json" in self.bundle.files:
            try:
                app = json.loads(self.bundle.files["app.json"])
            except ValueError:
                app = {}
        timeouts = app.get("networkTimeout") if isinstance(app, dict) else None
        settings: dict[str, Any] = {
            "networkTimeout": timeouts if isinstance(timeouts, dict) else {},
            "launchOptions": {
                "path": launch.get("path", ""),
                "query": launch.get("query", {}),
                "scene": launch.get("scene", 1001),
            },
            "envVersion": "release" if self.bundle.signed else "develop",
            "proxy": getattr(self.shell_settings, "proxy", None) or "system",
            "allowHttpLocalhost": self.interceptor.allow_http_localhost,  # dev mode only
        }
        if self.server_domains is not None:
            settings["domains"] = self.server_domains
        return settings

    def _server_domains(self) -> dict[str, Any] | None:
        """For a version the store installed, the domain lists of its signed target entry
        (they limit the manifest's: ``capabilities.domains``); else None."""
        msha = getattr(self.bundle.package, "manifest_sha256", None)
        cache = self.data_root / "store" / "cache"
        if not self.bundle.signed or not isinstance(msha, str):
            return None
        if not (cache / "versions" / msha).is_dir():
            return None
        from finclip_desktop.store.cache import PackageCache

        target = PackageCache(cache).target(msha)
        if target.get("app_id") != self.app_id:
            return None
        domains = target.get("domains")
        return domains if isinstance(domains, dict) else {}

    def _call_registry(self, api: str, args: Any) -> Future[dict[str, Any]]:
        if self.is_closed:
            out: Future[dict[str, Any]] = Future()
            out.set_result(fail(api, "app is closed"))
            return out
        return self._invoke(self.context, api, args)

    def _sync_invoke(self, body: bytes, answer: Callable[[bytes], None]) -> None:
        if len(body) > MAX_ARGS_BYTES:  # the runtime refuses such calls before sending them
            answer(json.dumps(fail("bridge", TOO_BIG)).encode())
            return
        try:
            request = json.loads(body)
        except ValueError:
            request = None
        if not isinstance(request, dict) or not isinstance(request.get("api"), str):
            answer(json.dumps(fail("bridge", "parameter error: body must be {api, args}")).encode())
            return

        def reply(result: dict[str, Any]) -> None:
            answer(json.dumps(result, default=str).encode())

        args = json.dumps(request.get("args", {}), ensure_ascii=False)  # sized as in JS
        self.bridge.call(request["api"], args, reply)

    def ask_permission(self, scope: str) -> Future[bool]:
        return self.permissions.ask(self.app_id, self.bundle.name, scope)

    def _chromium_permission(self, permission: QWebEnginePermission) -> None:
        try:
            origin = permission.origin()
            scopes = PERMISSION_SCOPES.get(permission.permissionType(), ())
            if (
                not scopes
                or not self.page.own(origin)
                or not all(self.context.declares(s) for s in scopes)
            ):
                permission.deny()
                return
            decisions = [self.ask_permission(s) for s in scopes]
            keep = QWebEnginePermission(permission)
            answered: list[bool] = []

            def decided(_: Future[bool]) -> None:
                if answered or not all(d.done() for d in decisions):
                    return
                answered.append(True)
                if self.is_closed:
                    return
                if all(d.result() is True for d in decisions):
                    keep.grant()
                else:
                    keep.deny()

            for d in decisions:
                d.add_done_callback(decided)
        except Exception:  # noqa: BLE001 - deny on any trouble
            log.exception("permission request failed")
            permission.deny()

    # -- automation -----------------------------------------------------------------------
    def run_js(self, script: str, callback: Callable[[Any], None], isolated: bool = False) -> None:
        world = WORLD if isolated else QWebEngineScript.ScriptWorldId.MainWorld
        self.page.runJavaScript(script, world, callback)
