"""The archive layer of .fcpkg: a strict, canonical subset of ZIP.

Entries are *stored* (not compressed), with fixed header fields, laid out back to back
with no gaps, the central directory right after them and the end record at the very
end. Any ZIP tool can read such a file; the reader here accepts nothing else, so every
byte of a package is either a checked header field, a checked name, or file content
covered by the signed manifest. Deflate streams are malleable (padding bits) and
compression bombs are impossible by construction; transport compression is the server's job.
"""

from __future__ import annotations

import struct
import zlib
from collections.abc import Iterable
from dataclasses import dataclass

from finclip_desktop.package.errors import (
    CompressionRatioError,
    CorruptArchiveError,
    SymlinkError,
    UnsafePathError,
    UnsupportedEntryError,
)
from finclip_desktop.package.limits import (
    DEFAULT_LIMITS,
    EntryRules,
    Limits,
    check_archive_size,
    check_entry_count,
    check_path,
)

__all__ = ["Limits", "check_path", "read_archive", "write_archive"]

_LOCAL = struct.Struct("<IHHHHHIIIHH")
_CENTRAL = struct.Struct("<IHHHHHHIIIHHHHHII")
_END = struct.Struct("<IHHHHIIH")
_LOCAL_SIG, _CENTRAL_SIG, _END_SIG = 0x04034B50, 0x02014B50, 0x06054B50
_VERSION = 20
_MADE_BY = (3 << 8) | _VERSION  # Unix
_UTF8_FLAG = 0x0800
_DOS_DATE = 0x0021  # 1980-01-01: fixed so equal inputs give equal archives
_FILE_ATTR = 0o100644 << 16
_S_IFMT, _S_IFLNK = 0o170000, 0o120000


def write_archive(entries: Iterable[tuple[str, bytes]]) -> bytes:
    """Serialise (name, content) pairs in the given order as a canonical archive."""
    body = bytearray()
    central = bytearray()
    count = 0
    for name, content in entries:
        raw_name = name.encode("utf-8")
        crc = zlib.crc32(content)
        offset = len(body)
        body += _LOCAL.pack(
            _LOCAL_SIG, _VERSION, _UTF8_FLAG, 0, 0, _DOS_DATE,
            crc, len(content), len(content), len(raw_name), 0,
        )  # fmt: skip
        body += raw_name + content
        central += _CENTRAL.pack(
            _CENTRAL_SIG, _MADE_BY, _VERSION, _UTF8_FLAG, 0, 0, _DOS_DATE,
            crc, len(content), len(content), len(raw_name), 0, 0, 0, 0, _FILE_ATTR, offset,
        )  # fmt: skip
        central += raw_name
        count += 1
    end = _END.pack(_END_SIG, 0, 0, count, count, len(central), len(body), 0)
    return bytes(body + central + end)


@dataclass(frozen=True)
class _Central:
    name: str
    raw_name: bytes
    method: int
    flags: int
    crc: int
    csize: int
    usize: int
    offset: int
    header: tuple[int, ...]


def read_archive(data: bytes, limits: Limits = DEFAULT_LIMITS) -> dict[str, bytes]:
    """Parse a canonical archive into {name: content}; raise a typed PackageError otherwise."""
    check_archive_size(len(data), limits)
    if len(data) < _END.size:
        raise CorruptArchiveError("package is too short to be an archive (truncated?)")
    end_at = len(data) - _END.size
    sig, disk, cd_disk, n_disk, count, cd_size, cd_offset, comment = _END.unpack_from(data, end_at)
    if sig != _END_SIG:
        raise CorruptArchiveError("no end record at the end of the package (truncated or appended)")
    if disk or cd_disk or comment or n_disk != count:
        raise CorruptArchiveError("end record is not canonical (multi-disk or commented archive)")
    check_entry_count(count, limits)
    if cd_offset + cd_size != end_at:
        raise CorruptArchiveError("central directory does not end where the end record starts")
    records = _read_central(data, cd_offset, end_at, count)
    _check_entries(records, limits)
    return _read_bodies(data, records, cd_offset)


def _read_central(data: bytes, pos: int, end_at: int, count: int) -> list[_Central]:
    records = []
    for _ in range(count):
        if pos + _CENTRAL.size > end_at:
            raise CorruptArchiveError("central directory is cut short")
        fields = _CENTRAL.unpack_from(data, pos)
        (sig, _made_by, _needed, flags, method, _time, _date, crc, csize, usize,
         name_len, extra_len, comment_len, _disk, _internal, _attr, offset) = fields  # fmt: skip
        if sig != _CENTRAL_SIG:
            raise CorruptArchiveError("central directory entry has a bad signature")
        start = pos + _CENTRAL.size
        pos = start + name_len + extra_len + comment_len
        if pos > end_at:
            raise CorruptArchiveError("central directory entry runs past its end")
        raw_name = data[start : start + name_len]
        try:
            name = raw_name.decode("utf-8")
        except UnicodeDecodeError:
            raise UnsafePathError(f"entry name {raw_name[:60]!r} is not UTF-8") from None
        records.append(_Central(name, raw_name, method, flags, crc, csize, usize, offset, fields))
        if extra_len or comment_len:
            raise UnsupportedEntryError(f"entry {name[:80]!r} has extra fields or a comment")
    if pos != end_at:
        raise CorruptArchiveError("central directory size does not match its entries")
    return records


def _check_entries(records: list[_Central], limits: Limits) -> None:
    rules = EntryRules(limits)
    for rec in records:
        attr = rec.header[15]
        if (attr >> 16) & _S_IFMT == _S_IFLNK:
            raise SymlinkError(f"entry {rec.name[:80]!r} is a symbolic link")
        if rec.usize > limits.max_ratio * max(rec.csize, 1):
            raise CompressionRatioError(
                f"entry {rec.name[:80]!r} expands {rec.usize} bytes from {rec.csize}: a zip bomb"
            )
        rules.add(rec.name, rec.usize)
        if rec.flags & 0x1:
            raise UnsupportedEntryError(f"entry {rec.name[:80]!r} is encrypted")
        if rec.method != 0:
            raise UnsupportedEntryError(
                f"entry {rec.name[:80]!r} is compressed (method {rec.method}); "
                "entries must be stored"
            )
        expected = _CENTRAL.pack(
            _CENTRAL_SIG, _MADE_BY, _VERSION, _UTF8_FLAG, 0, 0, _DOS_DATE, rec.crc,
            rec.usize, rec.usize, len(rec.raw_name), 0, 0, 0, 0, _FILE_ATTR, rec.offset,
        )  # fmt: skip
        if _CENTRAL.pack(*rec.header) != expected:
            raise CorruptArchiveError(f"central header of {rec.name[:80]!r} is not canonical")


def _read_bodies(data: bytes, records: list[_Central], cd_offset: int) -> dict[str, bytes]:
    files: dict[str, bytes] = {}
    pos = 0
    for rec in records:
        if rec.offset != pos:
            raise CorruptArchiveError(f"entry {rec.name[:80]!r} is not where the directory says")
        if pos + _LOCAL.size > cd_offset:
            raise CorruptArchiveError(f"local header of {rec.name[:80]!r} is cut short")
        expected = _LOCAL.pack(
            _LOCAL_SIG, _VERSION, _UTF8_FLAG, 0, 0, _DOS_DATE,
            rec.crc, rec.usize, rec.usize, len(rec.raw_name), 0,
        )  # fmt: skip
        if data[pos : pos + _LOCAL.size] != expected:
            raise CorruptArchiveError(
                f"local header of {rec.name[:80]!r} does not match the directory"
            )
        start = pos + _LOCAL.size
        if data[start : start + len(rec.raw_name)] != rec.raw_name:
            raise CorruptArchiveError(
                f"local name of {rec.name[:80]!r} does not match the directory"
            )
        body_at = start + len(rec.raw_name)
        pos = body_at + rec.usize
        if pos > cd_offset:
            raise CorruptArchiveError(f"content of {rec.name[:80]!r} runs into the directory")
        content = data[body_at:pos]
        if zlib.crc32(content) != rec.crc:
            raise CorruptArchiveError(f"content of {rec.name[:80]!r} fails its CRC check")
        files[rec.name] = content
    if pos != cd_offset:
        raise CorruptArchiveError("unaccounted bytes between the last entry and the directory")
    return files
