"""The interactive shell process: single instance, launcher, containers, orderly exit."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from finclip_desktop.cli import CliError
from finclip_desktop.shell.bundle import AppBundle, BundleError
from finclip_desktop.shell.core import Shell
from finclip_desktop.shell.instance import InstanceServer, hand_over, server_name
from finclip_desktop.shell.mainthread import init_relay
from finclip_desktop.shell.qtapp import application

log = logging.getLogger(__name__)


class ShellApp:
    """Runs until the launcher and every app window are closed."""

    def __init__(self, settings: Any, dev: bool = False) -> None:
        self.settings = settings
        self.dev = dev
        self.shell: Shell | None = None
        self.launcher = None

    def run(self, request: dict[str, Any] | None, first: AppBundle | None = None) -> int:
        app = application()
        init_relay()
        from finclip_desktop.settings import data_dir

        name = server_name(str(data_dir()))
        answer = hand_over(name, request or {"launcher": True})
        if answer is not None:
            if "error" in answer:
                raise CliError(str(answer["error"]))
            return 0
        self.shell = Shell(
            settings=self.settings,
            prompter=self._ask_consent,
            dev_mode=self.dev or None,
        )
        server = InstanceServer(name, self.handle)
        self.shell.closedApp.connect(lambda _app_id: self._maybe_quit())
        app.aboutToQuit.connect(self.shell.close_all)
        app.aboutToQuit.connect(server.close)
        try:
            if first is not None:
                self.shell.open(first)
            else:
                self.show_launcher()
        except BundleError as exc:
            self.shell.close_all()
            server.close()
            raise CliError(str(exc)) from None
        _quit_on_signals(app)
        return app.exec()

    def _ask_consent(
        self, app_name: str, app_id: str, scope: str, answer: Callable[[str], None]
    ) -> None:
        """The consent dialog (its module is imported at the first question, not at launch)."""
        from finclip_desktop.shell.dialogs import dialog_prompter

        dialog_prompter(self._window_of)(app_name, app_id, scope, answer)

    def _window_of(self, app_id: str):
        container = self.shell.containers.get(app_id) if self.shell else None
        return container.window if container is not None else self.launcher

    def handle(self, request: dict[str, Any]) -> str | None:
        """A hand-over from a second ``finclip run`` / ``finclip launcher``."""
        if request.get("launcher"):
            self.show_launcher()
            return None
        from finclip_desktop.shell.targets import developer_mode, resolve

        target = request.get("target")
        if not isinstance(target, str):
            return "bad request"
        trust = [t for t in request.get("trust", []) if isinstance(t, str)]
        try:
            dev = developer_mode(self.settings, bool(request.get("dev")))
            bundle = resolve(target, self.settings, dev, trust)
            if dev and self.shell is not None:
                self.shell.dev_mode = True
            self.shell.open(bundle)
        except BundleError as exc:
            return str(exc)
        return None

    def show_launcher(self) -> None:
        from finclip_desktop.shell.launcher import Launcher

        if self.launcher is None:
            self.launcher = Launcher(self.shell)
            self.launcher.hidden.connect(self._maybe_quit)
        self.launcher.show()
        self.launcher.raise_()
        self.launcher.activateWindow()

    def _maybe_quit(self) -> None:
        launcher_open = self.launcher is not None and self.launcher.isVisible()
        if not launcher_open and self.shell is not None and not self.shell.containers:
            application().quit()


def _quit_on_signals(app) -> None:
    """SIGINT/SIGTERM quit the event loop, so shutdown stays orderly (data flushed)."""
    import signal

    from PySide6.QtCore import QTimer

    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: app.quit())
    ticker = QTimer(app)  # lets the interpreter run its signal handlers
    ticker.timeout.connect(lambda: None)
    ticker.start(200)
