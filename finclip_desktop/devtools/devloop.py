"""`finclip dev DIR`: a folder app in developer mode with hot reload, the inspector,
console forwarding and the error overlay.

A :class:`DevSession` opens the folder in the shell (unsigned, developer mode), watches the
folder, and on every change rebuilds the app: a build that fails keeps the last good app
running and shows the error over it; a good build replaces what the container serves and
reloads the current page, reopening the page stack with each page's query
(``window.__fcDev`` and ``#fcstack=``, see docs/architecture.md).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

import shiboken6
from PySide6.QtCore import QCoreApplication, QObject, QTimer, QUrl, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWebEngineCore import QWebEnginePage

from finclip_desktop.devtools import overlay
from finclip_desktop.devtools.console import (
    SERVICE_JS,
    ConsoleMessage,
    ConsolePrinter,
    Duplicates,
    ModuleLines,
    message_from_qt,
)
from finclip_desktop.devtools.inspector import DevToolsPanel
from finclip_desktop.devtools.overlay import DevError
from finclip_desktop.devtools.watcher import FolderWatcher

# "cannot compile the app: pages/a/index.wxml:3:7: unclosed <view>"
_LOCATED = re.compile(r"(?:^|: )(?P<file>[\w./@-]+\.\w+):(?P<line>\d+):(?P<col>\d+): (?P<msg>.*)$")
# The page stack [{route, query}], bottom first, as the runtime's view reports it ([] when the
# view never started). Always a string: PySide6 mishandles a null result's refcount in
# runJavaScript callbacks.
_STACK_JS = "JSON.stringify(window.__fcDev && window.__fcDev.stack ? window.__fcDev.stack() : [])"
RESTART_FILES = frozenset({"app.json", "app.js", "project.config.json", "finclip.config.json"})


def build_error(exc: Exception, root: Path) -> DevError:
    """A DevError (file, line, column when the message names them) from a failed build."""
    text = str(exc).replace(f"{root}: ", "")
    match = _LOCATED.search(text)
    if match:
        return DevError(
            "compile", match["msg"], match["file"], int(match["line"]), int(match["col"])
        )
    file_match = re.match(
        r"(?:cannot compile the app: )?(?P<file>[\w./@-]+\.\w+): (?P<msg>.*)$", text
    )
    if file_match:
        return DevError("compile", file_match["msg"], file_match["file"])
    return DevError("compile", text)


def stack_url(entry_url: str, stack: Any) -> QUrl:
    """The entry URL that reopens ``stack``: ``?path=`` (the view's launch path) opens its
    top page with that page's query; ``#fcstack=`` carries the whole stack, which the
    runtime reopens page by page."""
    url = QUrl(entry_url)
    entries = stack if isinstance(stack, list) else []
    pages = [p for p in entries if isinstance(p, dict) and isinstance(p.get("route"), str)]
    if not pages:
        return url
    top = pages[-1]
    query = top.get("query") if isinstance(top.get("query"), dict) else {}
    pairs = {str(k): str(v) for k, v in query.items()}
    path = top["route"] + ("?" + urlencode(pairs, quote_via=quote) if pairs else "")
    url.setQuery("path=" + quote(path, safe=""))
    url.setFragment("fcstack=" + quote(json.dumps(pages, separators=(",", ":"))))
    return url


class DevSession(QObject):
    """One folder app under development. ``reloaded(paths)`` fires after each good rebuild,
    ``failed(message)`` after each bad one, ``console(ConsoleMessage)`` for every message."""

    reloaded = Signal(list)
    restarted = Signal(object)
    failed = Signal(str)
    console = Signal(object)

    def __init__(
        self, shell: Any, root: Path, devtools: bool = True,
        printer: Callable[[ConsoleMessage], None] | None = None, quiet_ms: int = 120,
        on_closed: Callable[[], None] | None = None,
    ) -> None:  # fmt: skip
        super().__init__()
        self.shell = shell
        self.root = Path(root).resolve()
        self.error: DevError | None = None  # the last build's error
        self.runtime_error: DevError | None = None  # an uncaught exception since the reload
        self.container: Any = None
        self.devtools: DevToolsPanel | None = None
        self._want_devtools = devtools
        self._printer = printer
        self._quiet_ms = quiet_ms
        self.watcher: FolderWatcher | None = None
        self.builds = 0
        self._on_closed = on_closed  # the user closed the app window
        self._modules: tuple[Any, ModuleLines | None] = (None, None)
        self._duplicates = Duplicates()
        self._placeholder_shown = False  # the app never built: an empty page is showing
        self._pending_reload: QUrl | None = None  # asked for while the page was loading

    # -- building -----------------------------------------------------------------------
    def _build(self):
        from finclip_desktop.shell.bundle import BundleError, load_folder

        started = time.perf_counter()
        try:
            bundle = load_folder(self.root)
        except BundleError as exc:
            self.error = build_error(exc, self.root)
            self._log(self.error.one_line())
            self.failed.emit(self.error.one_line())
            return None
        self.builds += 1
        self._log(f"built {bundle.app_id} in {(time.perf_counter() - started) * 1000:.0f} ms")
        self.error = None
        return bundle

    def _placeholder(self):
        """What to serve while the app has never built: an empty page the overlay covers."""
        from finclip_desktop.shell.bundle import bundle_from_files, safe_app_id

        page = b"<!doctype html><meta charset=utf-8><title>build error</title><body></body>"
        return bundle_from_files({"index.html": page}, f"dev.{safe_app_id(self.root.name)}")

    # -- life cycle -----------------------------------------------------------------------
    def start(self, show: bool = True) -> Any:
        """Build and open the app (BundleError when policy refuses it)."""
        bundle = self._build()
        self._placeholder_shown = bundle is None
        self.container = self.shell.open(bundle or self._placeholder(), show=show)
        self._attach(self.container)
        if self._want_devtools:
            self.toggle_devtools(show)
        self.watcher = FolderWatcher(self.root, quiet_ms=self._quiet_ms, parent=self)
        self.watcher.changed.connect(self.on_changed)
        return self.container

    def _attach(self, container: Any) -> None:
        self._hook_console(container.page)
        container.page.loadFinished.connect(self._loaded)
        if container.window is not None:
            shortcut = QShortcut(QKeySequence("F12"), container.window)
            shortcut.activated.connect(self.toggle_devtools)
        if self._on_closed is not None:
            container.closed.connect(self._on_closed)

    def stop(self) -> None:
        if self.watcher is not None:
            self.watcher.stop()
        self.stop_devtools()

    def stop_devtools(self) -> None:
        """Remove the inspector (its page goes now, before the app's page and profile)."""
        panel, self.devtools = self.devtools, None
        if panel is not None and shiboken6.isValid(panel):  # else gone with its window
            shiboken6.delete(panel)

    def toggle_devtools(self, show: bool = True) -> None:
        """F12: open the inspector docked in the app window, or close it."""
        window = self.container.window
        if window is None:
            return
        if self.devtools is None:
            self.devtools = DevToolsPanel(window, self.container.page)
            self.devtools.set_shown(show)
        elif show:
            self.devtools.set_shown(not self.devtools.is_shown())

    # -- hot reload -----------------------------------------------------------------------
    def on_changed(self, paths: list[str]) -> None:
        self._log(f"changed: {', '.join(paths)}")
        bundle = self._build()
        page = self.container.page
        if bundle is None:
            overlay.show(page, self.error)
            return
        app_level = RESTART_FILES if bundle.kind == "wechat" else RESTART_FILES - {"app.js"}
        restart = (
            app_level.intersection(paths)
            or self._placeholder_shown
            or bundle.app_id != self.container.app_id
        )
        if restart:
            if not self._restart(bundle):
                return
        elif bundle.kind != "wechat":
            self._fixed(page)
            self._swap(bundle)
            self._reload(page.url())
        else:
            self._fixed(page)
            self._swap(bundle)
            page.runJavaScript(_STACK_JS, 0, lambda stack: self._reload_with_stack(stack))
        self.reloaded.emit(paths)

    def _fixed(self, page) -> None:
        """A good build replaces whatever went wrong before."""
        overlay.clear(page)
        self.runtime_error = None
        self._duplicates.reset()

    def _restart(self, bundle) -> bool:
        """App-level change (app.json, app.js, config, app id): a fresh container, same
        inspector. A bundle policy refuses (its app id is blocked) leaves the running app
        as it is, with the reason in the overlay; returns whether the app restarted."""
        from finclip_desktop.shell.bundle import BundleError

        try:
            self.shell.check_allowed(bundle)
        except BundleError as exc:
            self.error = DevError("refused", str(exc))
            self._log(self.error.one_line())
            self.failed.emit(self.error.one_line())
            overlay.show(self.container.page, self.error)
            return False
        self._log("restarting the app")
        self.runtime_error = None
        self._duplicates.reset()
        had_devtools = self.devtools is not None
        visible = had_devtools and self.devtools.is_shown()
        self.stop_devtools()
        old = self.container
        show = old.window is not None and old.window.isVisible()
        if self._on_closed is not None:
            old.closed.disconnect(self._on_closed)  # closing it is not quitting
        old.close()
        self.container = self.shell.open(bundle, show=show)
        self._placeholder_shown = False
        self._pending_reload = None
        self._attach(self.container)
        if had_devtools:
            self.toggle_devtools(visible)
        self.restarted.emit(self.container)
        return True

    def _swap(self, bundle) -> None:
        """Serve the new build from now on (the container and its scheme handler)."""
        self.container.bundle = bundle
        self.container.scheme.bundle = bundle

    def _reload_with_stack(self, stack_json: Any) -> None:
        try:
            stack = json.loads(stack_json) if isinstance(stack_json, str) else []
        except ValueError:
            stack = []
        self._reload(stack_url(self.container.bundle.entry_url(), stack))

    def _reload(self, url: QUrl | None) -> None:
        """Load the new build at ``url``; while the page is still loading, once it has
        finished (a reload in the middle of a load can leave the page deaf to the next)."""
        page = self.container.page
        url = url if url is not None else QUrl(self.container.bundle.entry_url())
        if page.isLoading():
            self._pending_reload = url
        elif url == page.url():  # loading it again would only scroll to its #fragment
            page.triggerAction(QWebEnginePage.WebAction.Reload)
        else:
            page.load(url)

    def _loaded(self, ok: bool) -> None:
        """A new document: show the standing error again (scripts that failed while it was
        loading may have reported before the page could show anything)."""
        pending, self._pending_reload = self._pending_reload, None
        if pending is not None:
            self._reload(pending)
            return
        standing = self.error or self.runtime_error
        if standing is not None:
            overlay.show(self.container.page, standing)

    # -- console --------------------------------------------------------------------------
    def _hook_console(self, page) -> None:
        signal = getattr(page, "console_message", None)
        if signal is not None and hasattr(signal, "connect"):
            signal.connect(self._console)
            return
        original = page.javaScriptConsoleMessage

        def forward(level, message, line, source):  # the page's own handling runs too
            original(level, message, line, source)
            self._console(level, message, line, source)

        page.javaScriptConsoleMessage = forward

    def _console(self, level, message: str, line: int, source: str) -> None:
        bundle = self.container.bundle
        if self._modules[0] is not bundle:  # the logic bundle's line map, per build
            self._modules = (bundle, ModuleLines(bundle.files.get(SERVICE_JS)))
        msg = message_from_qt(level, message, line, source, bundle.app_id, self._modules[1])
        if self._duplicates.seen(msg):
            return  # another copy of an error already printed (worker, page, relay)
        uncaught = msg.uncaught()
        if uncaught is not None and uncaught.file:  # where the app's code failed
            msg = ConsoleMessage(msg.level, msg.message, uncaught.line, uncaught.file)
        if self._printer is not None:
            self._printer(msg)
        self.console.emit(msg)
        if uncaught is not None and self.error is None:
            self.runtime_error = uncaught
            overlay.show(self.container.page, uncaught)

    def _log(self, text: str) -> None:
        print(f"finclip dev: {text}", file=sys.stderr, flush=True)


def run_dev(args: argparse.Namespace) -> int:
    from finclip_desktop.cli import CliError

    root = Path(args.dir)
    if not root.is_dir():
        raise CliError(f"{root} is not a folder")
    screenshot = Path(args.screenshot) if args.screenshot else None
    if screenshot is not None and not screenshot.parent.is_dir():
        raise CliError(f"--screenshot {screenshot}: the folder {screenshot.parent} does not exist")
    try:
        from finclip_desktop.shell.core import Shell, load_settings
        from finclip_desktop.shell.qtapp import ShellStartError, application, prepare_environment
        from finclip_desktop.shell.targets import developer_mode, require_sideloading
    except ImportError as exc:
        raise CliError(f"the shell is not available: {exc}") from None
    from finclip_desktop.shell.bundle import BundleError

    port = getattr(args, "remote_debugging", None)
    if port is not None:
        if not 0 < port < 65536:
            raise CliError(f"--remote-debugging {port}: not a port number (1-65535)")
        os.environ["QTWEBENGINE_REMOTE_DEBUGGING"] = f"127.0.0.1:{port}"  # loopback only
    try:
        # offscreen when there is no display to open a window on (CI, ssh, containers)
        prepare_environment(no_sandbox=getattr(args, "no_sandbox", False), headless=True)
        settings = load_settings()
        developer_mode(settings, requested=True)
        require_sideloading(settings, f"running app folders from disk ({root})")
    except (ShellStartError, BundleError) as exc:
        raise CliError(str(exc)) from None
    if os.environ.get("QT_QPA_PLATFORM") == "offscreen" and not (screenshot or args.exit_after):
        print("finclip dev: no display, running offscreen (nothing will be shown)", file=sys.stderr)
    app = application()
    shell = Shell(settings=settings, dev_mode=True)
    printer = ConsolePrinter(app_id="")
    session = DevSession(
        shell, root, devtools=not args.no_devtools, printer=printer, on_closed=app.quit
    )
    try:
        container = session.start()
    except BundleError as exc:
        session.stop()
        shell.close_all()
        raise CliError(str(exc)) from None
    printer.app_id = container.app_id
    print(f"finclip dev: watching {session.root} (F12: inspector, Ctrl+C: quit)", file=sys.stderr)
    if port is not None:
        print(f"finclip dev: DevTools protocol on http://127.0.0.1:{port}", file=sys.stderr)
    if screenshot is not None:
        _screenshot_once(session, screenshot)
    if args.exit_after:
        QTimer.singleShot(int(args.exit_after * 1000), app.quit)
    _quit_on_sigint(app)
    try:
        code = app.exec()
    finally:
        session.stop()
        shell.close_all()
    return code


def _screenshot_once(session: DevSession, path: Path) -> None:
    """Write the app's view (not the inspector) to ``path`` after its first painted page,
    replacing an older file; a file that cannot be written ends the session with code 1."""
    done: list[bool] = []

    def take() -> None:
        window = session.container.window if session.container is not None else None
        if done or window is None:
            return
        done.append(True)
        if window.view.grab().save(str(path)):
            print(f"finclip dev: screenshot {path}", file=sys.stderr)
        else:
            print(f"finclip dev: cannot write the screenshot {path}", file=sys.stderr)
            QCoreApplication.exit(1)

    session.container.painted.connect(lambda _route: QTimer.singleShot(300, take))


def _quit_on_sigint(app) -> None:
    """Let Ctrl+C quit the Qt loop (Python signal handlers run only between Qt events)."""
    import signal

    signal.signal(signal.SIGINT, lambda *_: app.quit())
    timer = QTimer(app)
    timer.timeout.connect(lambda: None)
    timer.start(250)
