"""Per-file compile cache: a file is compiled again only when its content, or a file it
looked at (an import, a resolved ``src``, an existence probe), changed."""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Mapping
from typing import Any, TypeVar

from finclip_desktop.runtime.compiler.appjson import text_of

T = TypeVar("T")


class Files:
    """A build's view of the app's files that records what a compiler reads: ``path in
    files`` and ``files[path]`` (the text) work as on a mapping of texts."""

    def __init__(self, files: Mapping[str, bytes], digests: Mapping[str, str]) -> None:
        self._files = files
        self._digests = digests
        self.seen: dict[str, str | None] = {}  # path -> digest, None when absent

    def __contains__(self, path: object) -> bool:
        if not isinstance(path, str):
            return False
        self.seen[path] = self._digests.get(path)
        return path in self._digests

    def __getitem__(self, path: str) -> str:
        if path not in self:
            raise KeyError(path)
        return text_of(self._files, path)

    def unchanged(self, seen: Mapping[str, str | None]) -> bool:
        """Whether every file in ``seen`` still has the digest (or absence) recorded."""
        return all(self._digests.get(path) == digest for path, digest in seen.items())

    def fork(self) -> Files:
        return Files(self._files, self._digests)


def digests(files: Mapping[str, bytes]) -> dict[str, str]:
    """sha256 of every file, the identity the cache compares."""
    return {path: hashlib.sha256(data).hexdigest() for path, data in files.items()}


class CompileCache:
    """Compiled results keyed by (kind, path, content hash, options), LRU-bounded and
    thread-safe. ``compiles`` counts the compilations actually run."""

    def __init__(self, capacity: int = 4096) -> None:
        self.capacity = capacity
        self.compiles = 0
        self._entries: OrderedDict[Hashable, tuple[Any, dict[str, str | None]]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable, files: Files, compile_: Callable[[Files], T]) -> T:
        """The cached result for ``key`` if every file it read is unchanged, else
        ``compile_(view)`` (errors are not cached)."""
        with self._lock:
            hit = self._entries.get(key)
            if hit is not None:
                self._entries.move_to_end(key)
        if hit is not None:
            value, seen = hit
            if files.unchanged(seen):
                return value
        view = files.fork()
        value = compile_(view)
        with self._lock:
            self.compiles += 1
            self._entries[key] = (value, view.seen)
            self._entries.move_to_end(key)
            while len(self._entries) > self.capacity:
                self._entries.popitem(last=False)
        return value


DEFAULT_CACHE = CompileCache()
