"""Size limits of an app's file roots.

``wxfile://usr`` and ``wxfile://store`` together hold at most ``settings["fileQuotaBytes"]``
(200 MB, as WeChat's local user files). ``wxfile://tmp`` (downloads, chosen files) holds at
most ``settings["tmpQuotaBytes"]`` (512 MB); its files last one session: the folder is
emptied when the app's :class:`~.registry.CallContext` is created and when it closes
(:func:`.wxfile.purge_tmp`).
Sizes are measured on disk (whole trees, symlinks not followed).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import IO, TYPE_CHECKING

from finclip_desktop.capabilities import wxfile
from finclip_desktop.capabilities.errors import CapabilityError

if TYPE_CHECKING:
    from finclip_desktop.capabilities.registry import CallContext

QUOTA_BYTES = 200 * 1024 * 1024
TMP_QUOTA_BYTES = 512 * 1024 * 1024
TMP_CHECK_EVERY = 1024 * 1024  # a growing tmp file re-measures the folder this often
QUOTA_EXCEEDED = "the maximum size of the file storage limit is exceeded"


def tree_size(path: Path) -> int:
    """Bytes under ``path`` (a file's own size; 0 when it does not exist)."""
    try:
        if not path.is_dir() or path.is_symlink():
            return os.lstat(path).st_size
    except OSError:
        return 0
    total = 0
    for dirpath, _dirs, names in os.walk(path):
        for name in names:
            try:
                total += os.lstat(os.path.join(dirpath, name)).st_size
            except OSError:
                pass
    return total


def check_quota(ctx: CallContext, adding: int, replacing: Path | None = None) -> None:
    """Fail unless ``usr`` + ``store`` can take ``adding`` more bytes (``replacing``, a file
    or folder about to be overwritten, frees its own size)."""
    quota = int(ctx.settings.get("fileQuotaBytes", QUOTA_BYTES))
    data_dir = ctx.data_dir
    used = sum(tree_size(wxfile.root_dir(data_dir, root)) for root in ("usr", "store"))
    if replacing is not None:
        used -= tree_size(replacing)
    if used + adding > quota:
        raise CapabilityError(QUOTA_EXCEEDED)


def tmp_quota(ctx: CallContext) -> int:
    return int(ctx.settings.get("tmpQuotaBytes", TMP_QUOTA_BYTES))


def tmp_full(quota: int) -> CapabilityError:
    return CapabilityError(f"the temporary files exceed their limit of {quota} bytes")


def check_tmp(ctx: CallContext, adding: int) -> None:
    """Fail unless ``wxfile://tmp`` can take ``adding`` more bytes."""
    quota = tmp_quota(ctx)
    if tree_size(wxfile.root_dir(ctx.data_dir, "tmp")) + adding > quota:
        raise tmp_full(quota)


class TmpWriter:
    """Writes a growing file in ``wxfile://tmp``, failing once the folder would pass its
    quota (the folder is measured at the start and every :data:`TMP_CHECK_EVERY` bytes, so
    concurrent writers overshoot by at most that much each)."""

    def __init__(self, ctx: CallContext, sink: IO[bytes]) -> None:
        self.ctx = ctx
        self.sink = sink
        self.quota = tmp_quota(ctx)
        self._measure()

    def _measure(self) -> None:
        self.sink.flush()
        self.base = tree_size(wxfile.root_dir(self.ctx.data_dir, "tmp"))
        self.since = 0

    def write(self, data: bytes) -> None:
        if self.since >= TMP_CHECK_EVERY:
            self._measure()
        if self.base + self.since + len(data) > self.quota:
            raise tmp_full(self.quota)
        self.sink.write(data)
        self.since += len(data)
