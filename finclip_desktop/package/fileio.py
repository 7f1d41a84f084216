"""File-system helpers that stay safe on hostile input: bounded reads of regular files
only (a pipe or device never hangs or exhausts memory), and a rename that never replaces."""

from __future__ import annotations

import errno
import os
import stat
import sys
from functools import cache
from pathlib import Path
from typing import Any

_CHUNK = 1 << 20
_AT_FDCWD = -100
_RENAME_NOREPLACE = 1  # Linux renameat2 flag
_RENAME_EXCL = 4  # macOS renamex_np flag


class SpecialFileError(OSError):
    """The path is a folder, pipe, socket or device, not a regular file."""


class FileTooLargeError(OSError):
    """The file holds more than the caller allows; ``size`` is at least its length."""

    def __init__(self, path: Path | str, size: int) -> None:
        super().__init__(f"{path} is {size} bytes")
        self.size = size


def read_regular_file(path: Path | str, max_bytes: int, *, follow_symlinks: bool = True) -> bytes:
    """The content of a regular file of at most ``max_bytes``.

    Opening never blocks (a FIFO is refused, not waited on) and at most ``max_bytes + 1``
    bytes are read. Raises SpecialFileError, FileTooLargeError or another OSError.
    """
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
    if not follow_symlinks:
        flags |= getattr(os, "O_NOFOLLOW", 0)
    fd = os.open(path, flags)
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise SpecialFileError(f"{path} is not a regular file (a folder, pipe or device)")
        if info.st_size > max_bytes:
            raise FileTooLargeError(path, info.st_size)
        chunks: list[bytes] = []
        left = max_bytes + 1
        while left > 0:
            chunk = os.read(fd, min(left, _CHUNK))
            if not chunk:
                break
            chunks.append(chunk)
            left -= len(chunk)
    finally:
        os.close(fd)
    data = b"".join(chunks)
    if len(data) > max_bytes:  # grew while being read
        raise FileTooLargeError(path, len(data))
    return data


@cache
def _libc_rename() -> tuple[Any, str] | None:
    """The C function that renames without replacing, if this system has one."""
    import ctypes

    if sys.platform == "linux":
        name = "renameat2"
    elif sys.platform == "darwin":
        name = "renamex_np"
    else:
        return None
    try:
        function = getattr(ctypes.CDLL(None, use_errno=True), name)
    except (OSError, AttributeError):
        return None
    function.restype = ctypes.c_int
    return function, name


def rename_noreplace(src: Path, dst: Path) -> None:
    """Rename ``src`` to ``dst``; FileExistsError if ``dst`` exists, even as an empty folder
    (which a plain POSIX rename would silently replace)."""
    native = _libc_rename()
    if native is not None:
        import ctypes

        function, name = native
        a, b = os.fsencode(src), os.fsencode(dst)
        if name == "renameat2":
            rc = function(_AT_FDCWD, a, _AT_FDCWD, b, ctypes.c_uint(_RENAME_NOREPLACE))
        else:
            rc = function(a, b, ctypes.c_uint(_RENAME_EXCL))
        if rc == 0:
            return
        err = ctypes.get_errno()
        if err not in (errno.EINVAL, errno.ENOSYS, errno.ENOTSUP):
            raise OSError(err, os.strerror(err), str(dst))
        # this file system cannot rename exclusively: check, then rename
    if os.path.lexists(dst):
        raise FileExistsError(errno.EEXIST, os.strerror(errno.EEXIST), str(dst))
    os.rename(src, dst)  # on Windows this itself refuses an existing dst
