"""One process at a time per app: a lock file next to each app's data folder.

The engine keeps an app's storage (localStorage, IndexedDB, cookies) in files that only one
process may use: a second process on the same folder reads stale data and loses its writes.
So a container holds ``<data root>/apps/<safe app id>.lock`` while it runs, and clearing an
app's data takes it too. A lock whose process died is taken over.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QLockFile

from finclip_desktop.shell.bundle import BundleError, safe_app_id


def lock_path(root: Path, app_id: str) -> Path:
    return Path(root) / "apps" / f"{safe_app_id(app_id)}.lock"


class AppLock:
    """Held while this process uses the app's data; raises :class:`BundleError` (one line)
    when another live process holds it."""

    def __init__(self, root: Path, app_id: str) -> None:
        path = lock_path(root, app_id)
        path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = QLockFile(str(path))
        self._lock.setStaleLockTime(0)  # stale only when its process is gone, never by age
        if not self._lock.tryLock(0):
            raise BundleError(self._refusal(app_id))

    def _refusal(self, app_id: str) -> str:
        info = self._lock.getLockInfo()  # (pid, host, app name), empty when unreadable
        owner = f"another FinClip (process {info[0]})" if info else "another FinClip"
        return f"{app_id} is open in {owner}: close it there first, then try again"

    def release(self) -> None:
        self._lock.unlock()
