"""The interactive shell process: single instance, launcher, containers, orderly exit."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QTimer

from finclip_desktop.cli import CliError
from finclip_desktop.shell.bundle import AppBundle, BundleError
from finclip_desktop.shell.core import Shell
from finclip_desktop.shell.instance import InstanceRunning, InstanceServer, hand_over, server_name
from finclip_desktop.shell.mainthread import call_in_main, init_relay
from finclip_desktop.shell.qtapp import application

log = logging.getLogger(__name__)
HAND_OVER_TRIES = 3


class ShellApp:
    """Runs until the launcher and every app window are closed."""

    def __init__(self, settings: Any, dev: bool = False) -> None:
        self.settings = settings
        self.dev = dev
        self.shell: Shell | None = None
        self.launcher = None
        self.errors: list[str] = []  # errors of handed-over requests, as shown
        self.notices: list[Any] = []  # the error boxes still open

    def run(self, request: dict[str, Any] | None, first: AppBundle | None = None) -> int:
        app = application()
        init_relay()
        from finclip_desktop.settings import data_dir

        name = server_name(str(data_dir()))
        server = self._serve_or_hand_over(name, request or {"launcher": True})
        if server is None:
            return 0
        self.shell = Shell(
            settings=self.settings,
            prompter=self._ask_consent,
            dev_mode=self.dev or None,
        )
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

    def _serve_or_hand_over(self, name: str, request: dict[str, Any]) -> InstanceServer | None:
        """This process's instance server; None when a running instance took ``request``
        (also one that started while this one did)."""
        for _ in range(HAND_OVER_TRIES):
            answer = hand_over(name, request)
            if answer is not None:
                if "error" in answer:
                    raise CliError(str(answer["error"]))
                return None
            try:
                return InstanceServer(name, self.handle)
            except InstanceRunning:  # it is starting: hand over once it listens
                time.sleep(0.3)
        raise CliError("another FinClip is starting and does not answer yet; try again")

    def handle(self, request: dict[str, Any]) -> str | None:
        """A hand-over from a second ``finclip run`` / ``finclip launcher``: refused at once
        when malformed or against policy, else accepted; the target is resolved on a
        thread (that can take a while, even install the app) and opened afterwards, and
        later errors are shown here."""
        if request.get("launcher"):
            QTimer.singleShot(0, self.show_launcher)
            return None
        from finclip_desktop.shell.targets import developer_mode

        target, trust = request.get("target"), request.get("trust", [])
        if not isinstance(target, str) or not target or not isinstance(trust, list):
            return "bad request"
        if not all(isinstance(t, str) for t in trust):
            return "bad request"
        try:
            dev = developer_mode(self.settings, bool(request.get("dev")))
        except BundleError as exc:
            return str(exc)
        threading.Thread(
            target=self._resolve, args=(target, dev, trust), name="finclip-hand-over", daemon=True
        ).start()
        return None

    def _resolve(self, target: str, dev: bool, trust: list[str]) -> None:
        """Off the main thread (the windows stay responsive); the result opens on it."""
        from finclip_desktop.shell.targets import resolve

        try:
            bundle = resolve(target, self.settings, dev, trust)
        except BundleError as exc:
            message = str(exc)
            call_in_main(lambda: self.report(message))
            return
        call_in_main(lambda: self._open(bundle, dev))

    def _open(self, bundle: AppBundle, dev: bool) -> None:
        try:
            if dev and self.shell is not None:
                self.shell.dev_mode = True
            self.shell.open(bundle)
        except BundleError as exc:
            self.report(str(exc))

    def report(self, message: str) -> None:
        """Show an error of a handed-over request (no one waits for it any more)."""
        log.warning("%s", message)
        self.errors.append(message)
        from PySide6.QtCore import Qt
        from PySide6.QtWidgets import QMessageBox

        box = QMessageBox(QMessageBox.Icon.Warning, "FinClip", message, parent=self.launcher)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.notices.append(box)  # without a parent, only this reference keeps it open
        box.finished.connect(lambda _result: self.notices.remove(box))
        box.open()

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
