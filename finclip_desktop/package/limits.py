"""The rules every package obeys, applied alike when packing and when reading.

One source of truth: ``finclip pack`` refuses exactly what ``finclip verify`` would.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, fields

from finclip_desktop.package.errors import (
    ArchiveTooLargeError,
    DuplicateEntryError,
    ManifestTooLargeError,
    PathConflictError,
    TooLargeError,
    TooManyEntriesError,
    UnsafePathError,
)

_WINDOWS_DEVICES = frozenset(
    ["con", "prn", "aux", "nul"] + [f"{p}{i}" for p in ("com", "lpt") for i in range(1, 10)]
)


@dataclass(frozen=True)
class Limits:
    """Caps applied before any content is trusted; all configurable, all positive.

    ``max_ratio`` caps how far one entry may expand. Entries must be stored (never
    compressed), so only a compressed entry, which is refused anyway, can exceed it: the
    cap makes a compression bomb report itself as one instead of as "compressed".
    """

    max_archive_bytes: int = 100 * 1024 * 1024
    max_entries: int = 5000
    max_total_bytes: int = 100 * 1024 * 1024
    max_ratio: int = 100
    max_manifest_bytes: int = 1024 * 1024
    max_path_length: int = 512

    def __post_init__(self) -> None:
        for f in fields(self):
            value = getattr(self, f.name)
            if not isinstance(value, int) or isinstance(value, bool) or value < 1:
                raise ValueError(f"Limits.{f.name} must be a positive integer, not {value!r}")


DEFAULT_LIMITS = Limits()


def check_path(name: str, limits: Limits = DEFAULT_LIMITS) -> None:
    """Refuse any name that could leave the destination folder on any OS."""

    def unsafe(why: str) -> UnsafePathError:
        return UnsafePathError(f"unsafe path {name[:80]!r}: {why}")

    if not name:
        raise unsafe("empty name")
    if len(name) > limits.max_path_length:
        raise unsafe(f"longer than {limits.max_path_length} characters")
    if "\\" in name:
        raise unsafe("backslash in name")
    if any(ord(c) < 0x20 or ord(c) == 0x7F for c in name):
        raise unsafe("control character in name")
    if name.startswith("/"):
        raise unsafe("absolute path")
    if ":" in name:
        raise unsafe("drive letter or ':' in name")
    for segment in name.split("/"):
        if segment in ("", ".", ".."):
            raise unsafe("empty, '.' or '..' path segment")
        if segment.endswith((" ", ".")):
            raise unsafe("segment ends with a space or dot")
        if segment.split(".")[0].lower() in _WINDOWS_DEVICES:
            raise unsafe("reserved device name")


def fold(name: str) -> str:
    """The form shared by names a case-insensitive or normalising file system treats as one
    (canonical caseless matching: NFD, casefold, NFD)."""
    return unicodedata.normalize("NFD", unicodedata.normalize("NFD", name).casefold())


def archive_too_large(size: int, limits: Limits) -> ArchiveTooLargeError:
    return ArchiveTooLargeError(
        f"package is {size} bytes, over the {limits.max_archive_bytes} byte limit"
    )


def check_archive_size(size: int, limits: Limits) -> None:
    if size > limits.max_archive_bytes:
        raise archive_too_large(size, limits)


def check_entry_count(count: int, limits: Limits) -> None:
    if count > limits.max_entries:
        raise TooManyEntriesError(
            f"package has {count} entries (its files plus finclip.json and finclip.sig), "
            f"over the {limits.max_entries} limit"
        )


def check_manifest_size(size: int, limits: Limits) -> None:
    if size > limits.max_manifest_bytes:
        raise ManifestTooLargeError(
            f"finclip.json is {size} bytes, over the {limits.max_manifest_bytes} byte limit"
        )


class EntryRules:
    """Checks a package's entries one at a time: safe names, no duplicates once case and
    Unicode normalisation are folded, no file that is also another file's folder, and the
    entry count and total content caps."""

    def __init__(self, limits: Limits = DEFAULT_LIMITS) -> None:
        self.limits = limits
        self.count = 0
        self.total = 0
        self._files: dict[str, str] = {}  # folded name -> name
        self._folders: dict[str, str] = {}  # folded folder -> a file inside it

    def add(self, name: str, size: int) -> None:
        """Admit one entry or raise the typed PackageError naming the broken rule."""
        check_path(name, self.limits)
        self.count += 1
        check_entry_count(self.count, self.limits)
        key = fold(name)
        other = self._files.get(key)
        if other is not None:
            raise DuplicateEntryError(
                f"entry {name[:80]!r} appears twice"
                + ("" if other == name else f" (as {other[:80]!r}: they differ only in case "
                   "or Unicode form, so they collide on some systems)")
            )  # fmt: skip
        if key in self._folders:
            raise PathConflictError(
                f"{name[:80]!r} is both a file and the folder of {self._folders[key][:80]!r}"
            )
        parts = key.split("/")
        for end in range(1, len(parts)):
            folder = "/".join(parts[:end])
            if folder in self._files:
                raise PathConflictError(
                    f"{self._files[folder][:80]!r} is both a file and the folder of {name[:80]!r}"
                )
            self._folders.setdefault(folder, name)
        self._files[key] = name
        self.total += size
        if self.total > self.limits.max_total_bytes:
            raise TooLargeError(
                f"package content exceeds the {self.limits.max_total_bytes} byte limit"
            )
