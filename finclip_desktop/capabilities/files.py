"""Files: FileSystemManager operations and saved files, confined to ``wxfile://`` roots.

The runtime's ``wx.getFileSystemManager()`` returns an object whose methods call
``FileSystemManager.<op>`` (async) and ``FileSystemManager.<op>Sync`` (sync). Reads may
use any root (``usr``, ``tmp``, ``store``); writes only ``wxfile://usr`` (the app's
``wx.env.USER_DATA_PATH``). Size limits are in :mod:`.quota`. Handlers run inline so one
app's operations happen in call order. ``stats`` carry ``isDirectory``/``isFile`` booleans
the runtime turns into methods.
"""

from __future__ import annotations

import base64
import binascii
import errno
import hashlib
import os
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

from finclip_desktop.capabilities import documents, wxfile
from finclip_desktop.capabilities.binary import decode_buffer, encode_buffer, is_buffer
from finclip_desktop.capabilities.errors import CapabilityError
from finclip_desktop.capabilities.quota import QUOTA_BYTES, check_quota, tree_size
from finclip_desktop.capabilities.registry import CallContext, Capability, returning, view
from finclip_desktop.capabilities.schema import Arg

PREFIX = "FileSystemManager."
MAX_READ_BYTES = 50 * 1024 * 1024
TEXT_ENCODINGS = {
    "utf8": "utf-8", "utf-8": "utf-8", "ascii": "ascii", "latin1": "latin-1",
    "binary": "latin-1", "ucs2": "utf-16-le", "ucs-2": "utf-16-le", "utf16le": "utf-16-le",
    "utf-16le": "utf-16-le",
}  # fmt: skip
ENCODINGS = (*TEXT_ENCODINGS, "base64", "hex")
_ERRNO_REASONS = {
    errno.ENOENT: "no such file or directory",
    errno.EEXIST: "file already exists",
    errno.EISDIR: "illegal operation on a directory",
    errno.ENOTDIR: "not a directory",
    errno.ENOTEMPTY: "directory not empty",
    errno.EACCES: "permission denied",
    errno.EPERM: "permission denied",
}


# -- helpers --------------------------------------------------------------------------------
def fs_fail(reason: str, op: str, path: str) -> CapabilityError:
    return CapabilityError(f"{reason}, {op} {path}")


def os_fail(exc: OSError, op: str, path: str) -> CapabilityError:
    return fs_fail(_ERRNO_REASONS.get(exc.errno or 0, exc.strerror or "i/o error"), op, path)


def readable(ctx: CallContext, path: str) -> Path:
    return wxfile.resolve(ctx.data_dir, path)


def in_package(ctx: CallContext, path: str) -> bool:
    """A path without a scheme names a file of the app's own (read-only) package."""
    return ctx.package is not None and isinstance(path, str) and "://" not in path


def package_bytes(ctx: CallContext, path: str, op: str) -> bytes:
    key = path.lstrip("/")
    if not key or "\\" in key or any(p in ("", ".", "..") for p in key.split("/")):
        raise fs_fail("permission denied", op, path)
    try:
        return ctx.package.read(key)
    except KeyError:
        raise fs_fail("no such file or directory", op, path) from None


def source_bytes(ctx: CallContext, path: str, op: str, limit: int = MAX_READ_BYTES) -> bytes:
    """The whole content of a readable file (package or wxfile), at most ``limit`` bytes."""
    if in_package(ctx, path):
        return package_bytes(ctx, path, op)
    target = readable(ctx, path)
    try:
        if target.is_dir():
            raise fs_fail("illegal operation on a directory", op, path)
        if target.stat().st_size > limit:
            raise CapabilityError(f"file is larger than {limit} bytes, {path}")
        return target.read_bytes()
    except OSError as exc:
        raise os_fail(exc, op, path) from None


def writable(ctx: CallContext, path: str, op: str) -> Path:
    root, parts = wxfile.split(path)
    if root != "usr":
        raise fs_fail("permission denied", op, path)
    target = wxfile.resolve(ctx.data_dir, path)
    if not parts:
        raise fs_fail("permission denied", op, path)
    return target


def to_bytes(data: Any, encoding: str | None) -> bytes:
    if is_buffer(data):
        return decode_buffer(data)
    if not isinstance(data, str):
        raise CapabilityError("parameter error: data should be String or ArrayBuffer")
    encoding = (encoding or "utf8").lower()
    try:
        if encoding == "base64":
            return base64.b64decode(data, validate=True)
        if encoding == "hex":
            return bytes.fromhex(data)
        return data.encode(TEXT_ENCODINGS[encoding], "surrogatepass")
    except KeyError:
        raise CapabilityError(f"parameter error: unknown encoding {encoding}") from None
    except (binascii.Error, ValueError, UnicodeEncodeError):
        raise CapabilityError(f"parameter error: data is not valid {encoding}") from None


def from_bytes(raw: bytes, encoding: str | None) -> Any:
    if encoding is None:
        return encode_buffer(raw)
    encoding = encoding.lower()
    if encoding == "base64":
        return base64.b64encode(raw).decode("ascii")
    if encoding == "hex":
        return raw.hex()
    if encoding not in TEXT_ENCODINGS:
        raise CapabilityError(f"parameter error: unknown encoding {encoding}")
    return raw.decode(TEXT_ENCODINGS[encoding], "replace")


def stats_of(path: Path) -> dict[str, Any]:
    st = path.stat()
    return {
        "mode": st.st_mode,
        "size": st.st_size,
        "lastAccessedTime": int(st.st_atime),
        "lastModifiedTime": int(st.st_mtime),
        "isDirectory": path.is_dir(),
        "isFile": path.is_file(),
    }


# -- FileSystemManager ----------------------------------------------------------------------
def access(ctx: CallContext, args: dict[str, Any]) -> dict[str, Any]:
    if in_package(ctx, args["path"]):
        package_bytes(ctx, args["path"], "access")
        return {}
    if not readable(ctx, args["path"]).exists():
        raise fs_fail("no such file or directory", "access", args["path"])
    return {}


def read_file(ctx: CallContext, args: dict[str, Any]) -> dict[str, Any]:
    path = args["filePath"]
    raw = source_bytes(ctx, path, "open")
    position, length = int(args.get("position", 0)), args.get("length")
    length = len(raw) - position if length is None else int(length)
    if position > len(raw) or length < 0 or position + length > len(raw):
        raise CapabilityError(f"the value of position or length is out of range, {path}")
    return {"data": from_bytes(raw[position : position + length], args.get("encoding"))}


def _write(ctx: CallContext, args: dict[str, Any], op: str, mode: str) -> dict[str, Any]:
    path = args["filePath"]
    target = writable(ctx, path, "open")
    raw = to_bytes(args.get("data", ""), args.get("encoding"))
    if not target.parent.is_dir():
        raise fs_fail("no such file or directory", "open", path)
    if target.is_dir():
        raise fs_fail("illegal operation on a directory", "open", path)
    if op == "appendFile" and not target.is_file():
        raise fs_fail("no such file or directory", "open", path)
    check_quota(ctx, len(raw), replacing=target if op == "writeFile" else None)
    try:
        if op == "writeFile":
            tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
            tmp.write_bytes(raw)
            os.replace(tmp, target)
        else:
            with target.open(mode) as f:
                f.write(raw)
    except OSError as exc:
        raise os_fail(exc, "open", path) from None
    return {}


def write_file(ctx: CallContext, args: dict[str, Any]) -> dict[str, Any]:
    return _write(ctx, args, "writeFile", "wb")


def append_file(ctx: CallContext, args: dict[str, Any]) -> dict[str, Any]:
    return _write(ctx, args, "appendFile", "ab")


def mkdir(ctx: CallContext, args: dict[str, Any]) -> dict[str, Any]:
    path = args["dirPath"]
    target = writable(ctx, path, "mkdir")
    try:
        target.mkdir(parents=bool(args.get("recursive")), exist_ok=False)
    except OSError as exc:
        raise os_fail(exc, "mkdir", path) from None
    return {}


def readdir(ctx: CallContext, args: dict[str, Any]) -> dict[str, Any]:
    path = args["dirPath"]
    target = readable(ctx, path)
    try:
        names = sorted(p.name for p in target.iterdir() if not p.name.endswith(".part"))
    except OSError as exc:
        raise os_fail(exc, "scandir", path) from None
    return {"files": names}


def stat(ctx: CallContext, args: dict[str, Any]) -> dict[str, Any]:
    path = args["path"]
    if in_package(ctx, path):
        size = len(package_bytes(ctx, path, "stat"))
        return {"stats": {"mode": 0o100444, "size": size, "lastAccessedTime": 0,
                          "lastModifiedTime": 0, "isDirectory": False, "isFile": True}}  # fmt: skip
    target = readable(ctx, path)
    try:
        if not (args.get("recursive") and target.is_dir()):
            return {"stats": stats_of(target)}
        found = [{"path": "/", "stats": stats_of(target)}]
        for dirpath, dirs, names in os.walk(target):
            dirs.sort()
            for name in sorted(dirs + names):
                full = Path(dirpath) / name
                rel = "/" + full.relative_to(target).as_posix()
                found.append({"path": rel, "stats": stats_of(full)})
        return {"stats": found}
    except OSError as exc:
        raise os_fail(exc, "stat", path) from None


def unlink(ctx: CallContext, args: dict[str, Any]) -> dict[str, Any]:
    path = args["filePath"]
    target = writable(ctx, path, "unlink")
    if target.is_dir():
        raise fs_fail("operation not permitted", "unlink", path)
    try:
        target.unlink()
    except OSError as exc:
        raise os_fail(exc, "unlink", path) from None
    return {}


def rmdir(ctx: CallContext, args: dict[str, Any]) -> dict[str, Any]:
    path = args["dirPath"]
    target = writable(ctx, path, "rmdir")
    try:
        if not target.is_dir():
            raise fs_fail("no such file or directory" if not target.exists() else "not a directory",
                          "rmdir", path)  # fmt: skip
        if args.get("recursive"):
            shutil.rmtree(target)
        else:
            target.rmdir()
    except OSError as exc:
        raise os_fail(exc, "rmdir", path) from None
    return {}


def rename(ctx: CallContext, args: dict[str, Any]) -> dict[str, Any]:
    """Move within ``usr``, or from ``tmp`` into ``usr`` (whole trees count to the quota);
    a root folder itself never moves."""
    old, new = args["oldPath"], args["newPath"]
    root, parts = wxfile.split(old)
    if root == "store" or not parts:
        raise fs_fail("permission denied", "rename", old)
    source = readable(ctx, old)
    target = writable(ctx, new, "rename")
    if not source.exists():
        raise fs_fail("no such file or directory", "rename", old)
    if root != "usr":
        check_quota(ctx, tree_size(source), replacing=target)
    try:
        os.replace(source, target)
    except OSError as exc:
        raise os_fail(exc, "rename", f"{old} -> {new}") from None
    return {}


def copy_file(ctx: CallContext, args: dict[str, Any]) -> dict[str, Any]:
    src, dest = args["srcPath"], args["destPath"]
    target = writable(ctx, dest, "copyFile")
    raw = source_bytes(ctx, src, "copyFile", limit=QUOTA_BYTES)
    check_quota(ctx, len(raw), replacing=target)
    try:
        target.write_bytes(raw)
    except OSError as exc:
        raise os_fail(exc, "copyFile", dest) from None
    return {}


def truncate(ctx: CallContext, args: dict[str, Any]) -> dict[str, Any]:
    path = args["filePath"]
    target = writable(ctx, path, "truncate")
    length = int(args.get("length", 0))
    if not target.is_file():
        raise fs_fail("no such file or directory", "truncate", path)
    check_quota(ctx, length, replacing=target)
    with target.open("r+b") as f:
        f.truncate(length)
    return {}


# -- saved files ----------------------------------------------------------------------------
def save_file(ctx: CallContext, args: dict[str, Any]) -> dict[str, Any]:
    temp = args["tempFilePath"]
    root, _ = wxfile.split(temp)
    if root != "tmp":
        raise fs_fail("permission denied", "saveFile", temp)
    source = readable(ctx, temp)
    if not source.is_file():
        raise fs_fail("no such file or directory", "saveFile", temp)
    if args.get("filePath"):
        target = writable(ctx, args["filePath"], "saveFile")
        saved = args["filePath"]
    else:
        target, saved = wxfile.new_file(ctx.data_dir, "store", source.suffix)
    check_quota(ctx, source.stat().st_size, replacing=target)
    os.replace(source, target)
    return {"savedFilePath": saved}


def saved_file_list(ctx: CallContext, args: dict[str, Any]) -> dict[str, Any]:
    folder = wxfile.root_dir(ctx.data_dir, "store")
    files = []
    if folder.is_dir():
        for path in sorted(folder.iterdir()):
            st = path.stat()
            files.append(
                {"filePath": wxfile.to_wxfile(ctx.data_dir, path), "size": st.st_size,
                 "createTime": int(st.st_mtime)}
            )  # fmt: skip
    return {"fileList": files}


def _saved(ctx: CallContext, path: str, op: str) -> Path:
    root, parts = wxfile.split(path)
    if root != "store" or not parts:
        raise fs_fail("permission denied", op, path)
    target = readable(ctx, path)
    if not target.is_file():
        raise fs_fail("no such file or directory", op, path)
    return target


def saved_file_info(ctx: CallContext, args: dict[str, Any]) -> dict[str, Any]:
    st = _saved(ctx, args["filePath"], "getSavedFileInfo").stat()
    return {"size": st.st_size, "createTime": int(st.st_mtime)}


def remove_saved_file(ctx: CallContext, args: dict[str, Any]) -> dict[str, Any]:
    _saved(ctx, args["filePath"], "removeSavedFile").unlink()
    return {}


def file_info(ctx: CallContext, args: dict[str, Any]) -> dict[str, Any]:
    raw = source_bytes(ctx, args["filePath"], "getFileInfo", limit=QUOTA_BYTES)
    digest = hashlib.new(args.get("digestAlgorithm", "md5"), raw)
    return {"size": len(raw), "digest": digest.hexdigest()}


def open_document(ctx: CallContext, args: dict[str, Any]) -> dict[str, Any]:
    """Open an office document or PDF in the system's viewer, only after its name and its
    content agree on one of WeChat's document types (never any other kind of file)."""
    path = args["filePath"]
    target = readable(ctx, path)
    if not target.is_file():
        raise fs_fail("no such file or directory", "openDocument", path)
    ctx.host.open_document(documents.viewable(ctx, target, args.get("fileType")))
    return {}


# -- registration ---------------------------------------------------------------------------
_PATH = Arg("String", required=True, max_len=1024)
_ENCODING = Arg("String", enum=ENCODINGS)
_DATA = Arg("String|ArrayBuffer", required=True, max_bytes=MAX_READ_BYTES * 2)
Handler = Callable[[CallContext, dict[str, Any]], dict[str, Any]]


def fsm(
    name: str, handler: Handler, schema: dict[str, Arg], sync: bool = True, value: str = ""
) -> list[Capability]:
    """The async method and (unless ``sync`` is False) its Sync twin, which returns the
    result's ``value`` field itself when one is named."""
    caps = [Capability(f"{PREFIX}{name}", handler, schema)]
    if sync:
        sync_handler = returning(value, handler) if value else handler
        caps.append(Capability(f"{PREFIX}{name}Sync", sync_handler, schema, kind="sync"))
    return caps


_READ = {"filePath": _PATH, "encoding": _ENCODING, "position": Arg("Number", min=0),
         "length": Arg("Number", min=0)}  # fmt: skip
_WRITE = {"filePath": _PATH, "data": _DATA, "encoding": _ENCODING}
_SAVE = {"tempFilePath": _PATH, "filePath": Arg("String", max_len=1024)}
_FILE_INFO = {"filePath": _PATH, "digestAlgorithm": Arg("String", enum=("md5", "sha1"))}

CAPABILITIES = [
    *view("getFileSystemManager"),
    *fsm("access", access, {"path": _PATH}),
    *fsm("readFile", read_file, _READ),
    *fsm("writeFile", write_file, _WRITE),
    *fsm("appendFile", append_file, _WRITE),
    *fsm("mkdir", mkdir, {"dirPath": _PATH, "recursive": Arg("Boolean")}),
    *fsm("readdir", readdir, {"dirPath": _PATH}, value="files"),
    *fsm("stat", stat, {"path": _PATH, "recursive": Arg("Boolean")}),
    *fsm("unlink", unlink, {"filePath": _PATH}),
    *fsm("rmdir", rmdir, {"dirPath": _PATH, "recursive": Arg("Boolean")}),
    *fsm("rename", rename, {"oldPath": _PATH, "newPath": _PATH}),
    *fsm("copyFile", copy_file, {"srcPath": _PATH, "destPath": _PATH}),
    *fsm("truncate", truncate, {"filePath": _PATH, "length": Arg("Number", min=0)}),
    *fsm("saveFile", save_file, _SAVE, value="savedFilePath"),
    *fsm("getSavedFileList", saved_file_list, {}, sync=False),
    *fsm("removeSavedFile", remove_saved_file, {"filePath": _PATH}, sync=False),
    *fsm("getFileInfo", file_info, _FILE_INFO, sync=False),
    Capability("saveFile", save_file, _SAVE),
    Capability("getSavedFileList", saved_file_list, None),
    Capability("getSavedFileInfo", saved_file_info, {"filePath": _PATH}),
    Capability("removeSavedFile", remove_saved_file, {"filePath": _PATH}),
    Capability("getFileInfo", file_info, _FILE_INFO),
    Capability(
        "openDocument",
        open_document,
        {
            "filePath": _PATH,
            "fileType": Arg("String", enum=documents.TYPES),
            "showMenu": Arg("Boolean"),
        },
        note="opens the system's viewer; documents only (doc, xls, ppt, pdf, docx, xlsx, pptx)",
    ),
]
