"""Which files ``wx.openDocument`` may hand to the system's viewer.

Only WeChat's document types: doc, xls, ppt (OLE2 compound files), docx, xlsx, pptx
(OOXML zips whose ``[Content_Types].xml`` declares that kind's main part, no macros) and
pdf. A file is opened only when its content is of the type named by ``fileType`` (or its
extension): the copy the viewer gets always carries that type's extension, so the system
picks its handler by a type we checked, never by a name the app chose. Anything else
(executables, scripts, ``.desktop`` files, ...) fails the call.
"""

from __future__ import annotations

import re
import shutil
import zipfile
from pathlib import Path
from typing import TYPE_CHECKING

from finclip_desktop.capabilities import wxfile
from finclip_desktop.capabilities.errors import CapabilityError
from finclip_desktop.capabilities.quota import check_tmp

if TYPE_CHECKING:
    from finclip_desktop.capabilities.registry import CallContext

TYPES = ("doc", "docx", "xls", "xlsx", "ppt", "pptx", "pdf")
OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
OOXML_MAIN = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml",
}
MACRO_MARKS = ("macroenabled", "vbaproject")
MAX_CONTENT_TYPES_BYTES = 1024 * 1024
_CONTENT_TYPE = re.compile(r"""ContentType\s*=\s*(["'])(.*?)\1""")


def _ooxml_kind(path: Path) -> str | None:
    """docx / xlsx / pptx for a macro-free OOXML package, else None."""
    try:
        with zipfile.ZipFile(path) as archive:
            info = archive.getinfo("[Content_Types].xml")
            if info.file_size > MAX_CONTENT_TYPES_BYTES:
                return None
            declared = archive.read(info).decode("utf-8", "replace")
    except (OSError, KeyError, ValueError, zipfile.BadZipFile, RuntimeError, NotImplementedError):
        return None
    types = {value.lower() for _, value in _CONTENT_TYPE.findall(declared)}
    if any(mark in t for t in types for mark in MACRO_MARKS):
        return None
    kinds = [kind for kind, main in OOXML_MAIN.items() if main in types]
    return kinds[0] if len(kinds) == 1 else None


def content_matches(path: Path, kind: str) -> bool:
    """Whether the file's bytes are a document of ``kind`` (one of :data:`TYPES`)."""
    with path.open("rb") as f:
        head = f.read(8)
    if kind == "pdf":
        return head.startswith(b"%PDF-")
    if kind in ("doc", "xls", "ppt"):
        return head == OLE2_MAGIC
    return head.startswith(b"PK\x03\x04") and _ooxml_kind(path) == kind


def document_type(path: Path, file_type: str | None) -> str:
    """The checked type of ``path``: ``file_type`` or its extension, confirmed by content."""
    kind = (file_type or path.suffix.lstrip(".")).lower()
    if kind not in TYPES:
        what = f"file type .{kind}" if kind else "a file without an extension (give fileType)"
        raise CapabilityError(f"{what} is not supported; openDocument opens {', '.join(TYPES)}")
    if not content_matches(path, kind):
        raise CapabilityError(f"the file is not a {kind} document")
    return kind


def viewable(ctx: CallContext, path: Path, file_type: str | None) -> Path:
    """The file to give the system's viewer: ``path`` itself when its extension is its
    checked type, else a copy in ``wxfile://tmp`` named with that type's extension."""
    kind = document_type(path, file_type)
    if path.suffix.lower() == f".{kind}":
        return path
    check_tmp(ctx, path.stat().st_size)
    copy, _ = wxfile.new_file(ctx.data_dir, "tmp", f".{kind}")
    shutil.copyfile(path, copy)
    return copy
