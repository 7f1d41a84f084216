"""Per-app permission decisions: asked at first use, remembered, listed and revocable.

Decisions live in ``permissions.json`` under the user data folder as
``{app_id: {scope: true|false}}``, shared by every FinClip process of the user: a change is
merged into the file as it is on disk (re-read under ``permissions.json.lock``, changed,
written atomically), and reads pick up what other processes wrote. "Allow once" grants the
current request only and is not stored. Asking goes through a *prompter*: the consent
dialog in the GUI, or a test hook. Without a prompter the answer is deny (the default for
every permission).
"""

from __future__ import annotations

import json
import logging
import os
import threading
from collections.abc import Callable
from concurrent.futures import Future
from pathlib import Path

from finclip_desktop.package import write_atomic
from finclip_desktop.store.locking import FileLock

log = logging.getLogger(__name__)

ALLOW_ONCE = "once"
ALLOW_ALWAYS = "always"
DENY = "deny"
ANSWERS = (ALLOW_ONCE, ALLOW_ALWAYS, DENY)
SCOPE_LABELS = {
    "scope.clipboardRead": "read your clipboard",
    "scope.userLocation": "use your location",
    "scope.userInfo": "see your user profile",
    "scope.writePhotosAlbum": "save files to your Pictures folder",
    "scope.camera": "use your camera",
    "scope.record": "use your microphone",
    "scope.notifications": "show notifications",
}

# prompter(app_name, app_id, scope, answer) must eventually call answer(one of ANSWERS);
# it runs on the Qt main thread.
Prompter = Callable[[str, str, str, Callable[[str], None]], None]
Decisions = dict[str, dict[str, bool]]


def describe_scope(scope: str) -> str:
    return SCOPE_LABELS.get(scope, scope.removeprefix("scope."))


class PermissionStore:
    """Remembered decisions plus the asking of new ones (one question per app and scope)."""

    def __init__(self, path: Path, prompter: Prompter | None = None) -> None:
        self.path = Path(path)
        self.prompter = prompter
        self._lock = threading.Lock()
        self._file_lock = FileLock(self.path.with_name(self.path.name + ".lock"))
        self._asking: dict[tuple[str, str], list[Future[bool]]] = {}
        self._stamp: tuple[int, int, int] | None = None
        self._decisions: Decisions = {}

    def _disk_stamp(self) -> tuple[int, int, int] | None:
        try:
            st = os.stat(self.path)
        except OSError:
            return None
        return st.st_ino, st.st_mtime_ns, st.st_size

    def _fresh(self) -> Decisions:
        """The decisions as on disk (re-read only when the file changed); under ``_lock``."""
        stamp = self._disk_stamp()  # a rewrite is a new file: its inode differs
        if stamp != self._stamp:
            self._decisions, self._stamp = self._load(), stamp
        return self._decisions

    def _load(self) -> Decisions:
        try:
            data = json.loads(self.path.read_bytes())
        except FileNotFoundError:
            return {}
        except (OSError, ValueError) as exc:
            log.warning("ignoring unreadable %s: %s", self.path, exc)
            return {}
        if not isinstance(data, dict):
            return {}
        return {
            app: {s: v for s, v in scopes.items() if isinstance(v, bool)}
            for app, scopes in data.items()
            if isinstance(scopes, dict)
        }

    def _change(self, change: Callable[[Decisions], None]) -> None:
        """Apply ``change`` to the decisions on disk and save them, holding the lock file:
        what other processes wrote meanwhile stays."""
        with self._lock, self._file_lock.hold():
            self._stamp = None  # read the file as it is now
            decisions = self._fresh()
            change(decisions)
            self.path.parent.mkdir(parents=True, exist_ok=True)
            write_atomic(self.path, json.dumps(decisions, indent=1, sort_keys=True).encode())
            self._stamp = self._disk_stamp()

    # -- remembered decisions -----------------------------------------------------------
    def decisions(self, app_id: str) -> dict[str, bool]:
        with self._lock:
            return dict(self._fresh().get(app_id, {}))

    def decided(self, app_id: str, scope: str) -> bool | None:
        with self._lock:
            return self._fresh().get(app_id, {}).get(scope)

    def set(self, app_id: str, scope: str, allowed: bool) -> None:
        def record(decisions: Decisions) -> None:
            decisions.setdefault(app_id, {})[scope] = allowed

        self._change(record)

    def revoke(self, app_id: str, scope: str | None = None) -> None:
        """Forget one decision (or all of an app's): the app will be asked again."""

        def forget(decisions: Decisions) -> None:
            scopes = decisions.get(app_id, {})
            if scope is None:
                scopes.clear()
            else:
                scopes.pop(scope, None)
            if not scopes:
                decisions.pop(app_id, None)

        self._change(forget)

    # -- asking -------------------------------------------------------------------------
    def ask(self, app_id: str, app_name: str, scope: str) -> Future[bool]:
        """The decision for ``scope``: remembered, or asked now (main thread only)."""
        future: Future[bool] = Future()
        remembered = self.decided(app_id, scope)
        if remembered is not None:
            future.set_result(remembered)
            return future
        if self.prompter is None:
            future.set_result(False)
            return future
        key = (app_id, scope)
        waiting = self._asking.setdefault(key, [])
        waiting.append(future)
        if len(waiting) == 1:
            try:
                self.prompter(app_name, app_id, scope, lambda a: self._answered(key, a))
            except Exception:  # noqa: BLE001 - a broken prompt denies
                log.exception("permission prompt failed")
                self._answered(key, DENY)
        return future

    def _answered(self, key: tuple[str, str], answer: str) -> None:
        waiting = self._asking.pop(key, [])
        allowed = answer in (ALLOW_ONCE, ALLOW_ALWAYS)
        if answer in (ALLOW_ALWAYS, DENY):
            self.set(*key, allowed)
        for future in waiting:
            if not future.done():
                future.set_result(allowed)
