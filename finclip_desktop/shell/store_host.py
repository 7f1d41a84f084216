"""What the store gives running apps: ``wx.login`` codes, the UpdateManager (an update check
at each launch, ``applyUpdate``) and ``wx.reportEvent`` into the on-disk stats queue.

``StoreServices`` (one per shell) holds one ``Store``, created on first use off the UI
thread. An app opened from the store's cache gets a ``LaunchCheck``: after its first
painted page (the cached version starts at once) the store stages a new version of it in
the background. The check answers ``UpdateManager.onCheckForUpdate`` (``{hasUpdate}``),
then the app receives the host event ``updateReady`` or ``updateFailed``; a mandatory
update restarts the app on the new version at once, any other one applies at the next
launch or when the app calls ``applyUpdate``.
"""

from __future__ import annotations

import json
import logging
import threading
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import wait as wait_futures
from typing import TYPE_CHECKING, Any

from finclip_desktop.capabilities.errors import CapabilityError
from finclip_desktop.capabilities.qt_host import QtHost
from finclip_desktop.shell.mainthread import call_in_main

if TYPE_CHECKING:
    from finclip_desktop.shell.container import Container
    from finclip_desktop.shell.core import Shell

log = logging.getLogger(__name__)

CLOSE_BUDGET_S = 5.0


class LaunchCheck:
    """The update check of one launch: ``result`` resolves to ``{"hasUpdate": bool}``."""

    def __init__(self, container: Container) -> None:
        self.container = container
        self.result: Future[dict[str, Any]] = Future()
        self.started = False

    def settle(self, has_update: bool) -> None:
        if not self.result.done():
            self.result.set_result({"hasUpdate": has_update})


class StoreServices:
    """The shell's store, shared by its running apps (network work on one thread)."""

    def __init__(self, shell: Shell) -> None:
        self.shell = shell
        self._store: Any = None
        self._store_lock = threading.Lock()
        self._pool = ThreadPoolExecutor(1, thread_name_prefix="finclip-updates")
        self._jobs: list[Future] = []
        self._checks: dict[str, LaunchCheck] = {}
        self._closed = False

    @property
    def configured(self) -> bool:
        return bool(getattr(self.shell.settings, "server_url", None))

    def store(self) -> Any:
        """The ``Store`` (created on first use; thread-safe)."""
        with self._store_lock:
            if self._closed:
                raise CapabilityError("the shell is closing")
            if self._store is None:
                from finclip_desktop.store.store import Store

                self._store = Store(self.shell.settings, directory=self.shell.store_dir)
            return self._store

    def close(self) -> None:
        """Stop background work (network calls are cut off) and close the store; the
        services start afresh if the shell opens apps again."""
        with self._store_lock:
            self._closed = True
            store, self._store = self._store, None
        pool, self._pool = self._pool, ThreadPoolExecutor(1, thread_name_prefix="finclip-updates")
        pool.shutdown(wait=False, cancel_futures=True)
        if store is not None and store.client is not None:
            store.client.close()
        wait_futures(self._jobs, timeout=CLOSE_BUDGET_S)
        self._jobs = []
        self._checks.clear()
        if store is not None:
            store.close()
        self._closed = False

    # -- wx.login -------------------------------------------------------------------------
    def login_code(self, app_id: str) -> dict[str, Any]:
        """``{code, expires_in}`` from the server for this device and app (blocks)."""
        from finclip_desktop.store.errors import StoreError

        if not self.configured:
            raise CapabilityError("no login server is configured")
        try:
            return self.store().login_code(app_id)
        except StoreError as exc:
            raise CapabilityError(str(exc)) from None

    # -- wx.reportEvent -------------------------------------------------------------------
    def report_event(self, app_id: str, name: str, data: dict[str, Any]) -> None:
        """Queue a ``custom`` event on disk (sent with the other usage events); nothing is
        recorded when telemetry is off."""
        from finclip_desktop.store.errors import StoreError
        from finclip_desktop.store.stats import make_event

        usage = self.shell.usage
        if usage is None:
            return
        message = json.dumps(data, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
        # its size was checked by the capability (what the server keeps: store/events.py)
        try:
            make_event("custom", app_id, name=name, message=message)
        except StoreError as exc:
            raise CapabilityError(str(exc)) from None
        usage.record("custom", app_id, name=name, message=message)

    # -- UpdateManager --------------------------------------------------------------------
    def launched(self, container: Container) -> None:
        """Give a container opened from the store its launch check (started after the first
        painted page, so the launch never waits for it)."""
        package = container.bundle.package
        if not (self.configured and container.bundle.signed and package is not None):
            return
        if not getattr(package, "manifest_sha256", None):
            return
        check = LaunchCheck(container)
        self._checks[container.app_id] = check
        container.painted.connect(lambda _route: self._start(check))
        container.loadFailed.connect(lambda _url: self._start(check))

    def _start(self, check: LaunchCheck) -> None:
        if check.started or self._closed:
            return
        check.started = True
        job = self._pool.submit(self._run_check, check)
        self._jobs = [j for j in self._jobs if not j.done()] + [job]

    def _run_check(self, check: LaunchCheck) -> None:
        from finclip_desktop.store.errors import StoreError

        app_id = check.container.app_id
        try:
            store = self.store()
            opened = check.container.bundle.package.manifest_sha256
            if store.cache.pointer(app_id).current != opened:
                check.settle(False)  # not the store's version (a sideloaded package)
                return
            updates = [u for u in store.check_updates(app_ids=[app_id]) if u.app_id == app_id]
        except (StoreError, CapabilityError) as exc:
            log.info("update check of %s failed: %s", app_id, exc)
            check.settle(False)
            return
        except Exception:  # noqa: BLE001 - a broken check must not stop the shell
            if not self._closed:  # closing cuts the store's connections off: not an error
                log.exception("update check of %s failed", app_id)
            check.settle(False)
            return
        check.settle(bool(updates))
        if not updates:
            return
        update = updates[0]
        emit = check.container.context.emit
        if not update.staged:
            log.info("update of %s failed: %s", app_id, update.error)
            emit("updateFailed", {"errMsg": update.error})
            return
        emit("updateReady", {"version": update.version})
        if update.mandatory:
            call_in_main(lambda: self._restart_if_running(check.container))

    def check_update(self, app_id: str) -> dict[str, Any] | Future[dict[str, Any]]:
        check = self._checks.get(app_id)
        return check.result if check is not None else {"hasUpdate": False}

    def apply_update(self, app_id: str) -> None:
        """Make the staged update current and restart the app on it (main thread)."""
        from finclip_desktop.store.errors import StoreError

        if not self.configured:
            raise CapabilityError("no update is ready")
        container = self.shell.containers.get(app_id)
        if container is None:
            raise CapabilityError("app is not running")
        try:
            package = self.store().apply_update(app_id)
        except StoreError as exc:
            raise CapabilityError(str(exc)) from None
        if package is None:
            raise CapabilityError("no update is ready")
        call_in_main(lambda: self.shell.replace(container, package))

    def _restart_if_running(self, container: Container) -> None:
        from finclip_desktop.store.errors import StoreError

        if container.is_closed or self.shell.containers.get(container.app_id) is not container:
            return  # applies at the next launch
        try:
            package = self.store().apply_update(container.app_id)
        except (StoreError, CapabilityError) as exc:
            log.warning("mandatory update of %s not applied: %s", container.app_id, exc)
            return
        if package is not None:
            self.shell.replace(container, package)


class ShellHost(QtHost):
    """``QtHost`` with the store's services (``QtHost`` arguments by keyword)."""

    def __init__(self, services: StoreServices, **qt: Any) -> None:
        super().__init__(**qt)
        self.services = services

    def login_code(self, app_id: str) -> dict[str, Any]:
        return self.services.login_code(app_id)

    def report_event(self, app_id: str, name: str, data: dict[str, Any]) -> None:
        self.services.report_event(app_id, name, data)

    def check_update(self, app_id: str) -> dict[str, Any] | Future[dict[str, Any]]:
        return self.services.check_update(app_id)

    def apply_update(self, app_id: str) -> None:
        self.services.apply_update(app_id)
