"""Watch a mini-program folder and report which files changed.

``QFileSystemWatcher`` watches every folder (which catches editors that save by writing a
new file and renaming it over the old one) and every file; any signal schedules a rescan
after a short quiet period, and the rescan compares (size, mtime, sha256) snapshots, so a
save that changes nothing reports nothing. A slow poll catches what the OS misses
(network file systems).
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from PySide6.QtCore import QFileSystemWatcher, QObject, QTimer, Signal

IGNORED_DIRS = frozenset({"node_modules", "__pycache__"})
Snapshot = dict[str, tuple[int, int, str]]


def _ignored(name: str) -> bool:
    return name.startswith(".") or name in IGNORED_DIRS or name.endswith(("~", ".swp", ".tmp"))


def scan(root: Path, previous: Snapshot | None = None) -> Snapshot:
    """{posix relative path: (size, mtime_ns, sha256)} of the folder's files.

    Files whose size and mtime match ``previous`` keep their hash without being read.
    """
    previous = previous or {}
    snapshot: Snapshot = {}
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = [d for d in dirnames if not _ignored(d)]
        for name in filenames:
            if _ignored(name):
                continue
            path = Path(dirpath) / name
            try:
                stat = path.stat()
                rel = path.relative_to(root).as_posix()
                old = previous.get(rel)
                if old and old[:2] == (stat.st_size, stat.st_mtime_ns):
                    snapshot[rel] = old
                    continue
                digest = hashlib.sha256(path.read_bytes()).hexdigest()
            except OSError:
                continue  # vanished while scanning: the next scan settles it
            snapshot[rel] = (stat.st_size, stat.st_mtime_ns, digest)
    return snapshot


def diff(old: Snapshot, new: Snapshot) -> list[str]:
    """Paths added, removed or whose content changed, sorted."""
    return sorted(
        p for p in old.keys() | new.keys() if (old.get(p) or ())[2:] != (new.get(p) or ())[2:]
    )


class FolderWatcher(QObject):
    """Emits ``changed(paths)`` (sorted relative paths) after files in ``root`` change."""

    changed = Signal(list)

    def __init__(
        self, root: Path, quiet_ms: int = 120, poll_ms: int = 2000, parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self.root = Path(root).resolve()
        self._snapshot = scan(self.root)
        self._fs = QFileSystemWatcher(self)
        self._fs.directoryChanged.connect(self._schedule)
        self._fs.fileChanged.connect(self._schedule)
        self._quiet = QTimer(self, singleShot=True, interval=quiet_ms)
        self._quiet.timeout.connect(self.rescan)
        self._poll = QTimer(self, interval=poll_ms)
        self._poll.timeout.connect(self.rescan)
        self._poll.start()
        self._watch_paths()

    def _schedule(self, _path: str = "") -> None:
        self._quiet.start()  # restarts: a burst of events gives one rescan

    def _watch_paths(self) -> None:
        wanted = {str(self.root)}
        for rel in self._snapshot:
            wanted.add(str(self.root / rel))
            parent = (self.root / rel).parent
            while parent != self.root and self.root in parent.parents:
                wanted.add(str(parent))
                parent = parent.parent
        current = set(self._fs.directories()) | set(self._fs.files())
        if stale := current - wanted:
            self._fs.removePaths(list(stale))
        if new := wanted - current:
            self._fs.addPaths(sorted(new))

    def rescan(self) -> list[str]:
        """Compare the folder with the last snapshot now; emit and return what changed."""
        snapshot = scan(self.root, self._snapshot)
        changes = diff(self._snapshot, snapshot)
        self._snapshot = snapshot
        if changes:
            self._watch_paths()
            self.changed.emit(changes)
        return changes

    def stop(self) -> None:
        self._poll.stop()
        self._quiet.stop()
        paths = self._fs.directories() + self._fs.files()
        if paths:
            self._fs.removePaths(paths)
