"""Images and files chosen by the user, image info, saving to the Pictures folder.

``chooseImage`` / ``chooseMedia`` / ``chooseMessageFile`` ask the host for native file
dialogs (``host.choose_files``; headless tests answer the real Qt dialog) and copy the chosen
files into ``wxfile://tmp``. Audio, video and canvas contexts and ``previewImage`` are
built by the runtime in the view.
"""

from __future__ import annotations

import shutil
import struct
import time
from concurrent.futures import Future
from pathlib import Path
from typing import Any

from finclip_desktop.capabilities import wxfile
from finclip_desktop.capabilities.errors import CapabilityError
from finclip_desktop.capabilities.files import source_bytes
from finclip_desktop.capabilities.quota import check_tmp
from finclip_desktop.capabilities.registry import CallContext, Capability, view
from finclip_desktop.capabilities.schema import Arg

MAX_CHOSEN_BYTES = 100 * 1024 * 1024
IMAGE_EXTENSIONS = (".png", ".jpg", ".jpeg", ".gif", ".webp", ".bmp")
VIDEO_EXTENSIONS = (".mp4", ".mov", ".webm", ".m4v")
ALBUM_SCOPE = "scope.writePhotosAlbum"
DIALOG_NOTE = "native file dialog; no camera source on desktop"


# -- image headers --------------------------------------------------------------------------
JPEG_SOF = {0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF}
JPEG_STANDALONE = {0x01, 0xD8, *range(0xD0, 0xD8)}
ALBUM_HEAD_BYTES = 4 * 1024 * 1024  # enough for a JPEG's size after its metadata


def _png(head: bytes) -> tuple[int, int]:
    if head[12:16] != b"IHDR":
        return 0, 0
    return struct.unpack_from(">II", head, 16)


def _gif(head: bytes) -> tuple[int, int]:
    return struct.unpack_from("<HH", head, 6)


def _bmp(head: bytes) -> tuple[int, int]:
    (header_size,) = struct.unpack_from("<I", head, 14)
    if header_size == 12:  # BITMAPCOREHEADER
        return struct.unpack_from("<HH", head, 18)
    width, height = struct.unpack_from("<ii", head, 18)
    return width, abs(height)


def _webp(head: bytes) -> tuple[int, int]:
    chunk = head[12:16]
    if chunk == b"VP8X" and len(head) >= 30:
        return int.from_bytes(head[24:27], "little") + 1, int.from_bytes(head[27:30], "little") + 1
    if chunk == b"VP8 " and head[23:26] == b"\x9d\x01\x2a":
        width, height = struct.unpack_from("<HH", head, 26)
        return width & 0x3FFF, height & 0x3FFF
    if chunk == b"VP8L" and head[20:21] == b"\x2f":
        (bits,) = struct.unpack_from("<I", head, 21)
        return (bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1
    return 0, 0


def _jpeg(head: bytes) -> tuple[int, int]:
    i = 2
    while i + 1 < len(head):
        if head[i] != 0xFF:
            return 0, 0
        marker = head[i + 1]
        if marker == 0xFF:  # fill byte
            i += 1
            continue
        if marker in JPEG_STANDALONE:
            i += 2
            continue
        if marker in (0xD9, 0xDA):  # end of image or scan data before any frame header
            return 0, 0
        (length,) = struct.unpack_from(">H", head, i + 2)
        if length < 2:
            return 0, 0
        if marker in JPEG_SOF:
            height, width = struct.unpack_from(">HH", head, i + 5)
            return width, height
        i += 2 + length
    return 0, 0


def _sniff(head: bytes) -> str | None:
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return "gif"
    if head.startswith(b"BM"):
        return "bmp"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "webp"
    if head.startswith(b"\xff\xd8"):
        return "jpeg"
    return None


_SIZES = {"png": _png, "gif": _gif, "bmp": _bmp, "webp": _webp, "jpeg": _jpeg}


def image_size(head: bytes) -> tuple[str, int, int]:
    """(type, width, height) from the first bytes of a PNG, JPEG, GIF, WebP or BMP.

    Raises CapabilityError for another format, and for a header that is truncated or
    names no positive size (a damaged or hostile file)."""
    kind = _sniff(head)
    if kind is None:
        raise CapabilityError("unsupported image format")
    try:
        width, height = _SIZES[kind](head)
    except struct.error:  # the header ends early
        width = height = 0
    if width <= 0 or height <= 0:
        raise CapabilityError(f"damaged {kind} image: its header has no valid size")
    return kind, width, height


def get_image_info(ctx: CallContext, args: dict[str, Any]) -> dict[str, Any]:
    src = args["src"]
    kind, width, height = image_size(source_bytes(ctx, src, "getImageInfo"))
    return {"width": width, "height": height, "path": src, "orientation": "up", "type": kind}


# -- choosing -------------------------------------------------------------------------------
def _copy_in(ctx: CallContext, chosen: list[str]) -> list[tuple[str, Path, int]]:
    """Copy user-chosen host files into tmp: [(wxfile path, original, size)]."""
    if not chosen:
        raise CapabilityError("cancel")
    copied = []
    for name in chosen:
        source = Path(name)
        if not source.is_file():
            raise CapabilityError(f"no such file or directory, {source.name}")
        size = source.stat().st_size
        if size > MAX_CHOSEN_BYTES:
            raise CapabilityError(f"file {source.name} exceeds {MAX_CHOSEN_BYTES} bytes")
        check_tmp(ctx, size)
        target, path = wxfile.new_file(ctx.data_dir, "tmp", source.suffix.lower())
        shutil.copyfile(source, target)
        copied.append((path, source, size))
    return copied


def _choose(
    ctx: CallContext, kind: str, count: int, extensions: tuple[str, ...], shape: Any
) -> Any:
    picked = ctx.host.choose_files(kind, count, extensions)
    if not isinstance(picked, Future):
        return shape(_copy_in(ctx, list(picked)[:count]))
    out: Future[dict[str, Any]] = Future()

    def chosen(f: Future[list[str]]) -> None:
        try:
            out.set_result(shape(_copy_in(ctx, list(f.result())[:count])))
        except Exception as exc:  # noqa: BLE001 - handed to the registry as the call's failure
            out.set_exception(exc)

    picked.add_done_callback(chosen)
    return out


def _only_camera(args: dict[str, Any]) -> bool:
    sources = args.get("sourceType") or ["album", "camera"]
    return "album" not in sources


def choose_image(ctx: CallContext, args: dict[str, Any]) -> Any:
    if _only_camera(args):
        raise CapabilityError("camera is not supported on desktop")

    def shape(files: list[tuple[str, Path, int]]) -> dict[str, Any]:
        return {
            "tempFilePaths": [p for p, _, _ in files],
            "tempFiles": [{"path": p, "size": s} for p, _, s in files],
        }

    return _choose(ctx, "image", int(args.get("count", 9)), IMAGE_EXTENSIONS, shape)


def choose_media(ctx: CallContext, args: dict[str, Any]) -> Any:
    if _only_camera(args):
        raise CapabilityError("camera is not supported on desktop")
    types = args.get("mediaType") or ["image", "video"]
    extensions = (IMAGE_EXTENSIONS if "image" in types else ()) + (
        VIDEO_EXTENSIONS if "video" in types else ()
    )

    def shape(files: list[tuple[str, Path, int]]) -> dict[str, Any]:
        entries = [
            {"tempFilePath": p, "size": s,
             "fileType": "video" if src.suffix.lower() in VIDEO_EXTENSIONS else "image"}
            for p, src, s in files
        ]  # fmt: skip
        kinds = {e["fileType"] for e in entries}
        return {"tempFiles": entries, "type": kinds.pop() if len(kinds) == 1 else "mix"}

    return _choose(ctx, "media", int(args.get("count", 9)), extensions, shape)


def choose_message_file(ctx: CallContext, args: dict[str, Any]) -> Any:
    kind = args.get("type", "all")
    extensions = {
        "image": IMAGE_EXTENSIONS,
        "video": VIDEO_EXTENSIONS,
    }.get(kind, tuple(f".{e.lstrip('.')}" for e in args.get("extension") or ()))

    def shape(files: list[tuple[str, Path, int]]) -> dict[str, Any]:
        def type_of(src: Path) -> str:
            ext = src.suffix.lower()
            return (
                "image"
                if ext in IMAGE_EXTENSIONS
                else "video"
                if ext in VIDEO_EXTENSIONS
                else "file"
            )

        return {
            "tempFiles": [
                {"path": p, "size": s, "name": src.name, "type": type_of(src),
                 "time": int(time.time())}
                for p, src, s in files
            ]
        }  # fmt: skip

    return _choose(ctx, "file", int(args["count"]), extensions, shape)


# -- saving ---------------------------------------------------------------------------------
def save_to_album(ctx: CallContext, args: dict[str, Any]) -> dict[str, Any]:
    path = args["filePath"]
    source = wxfile.resolve(ctx.data_dir, path)
    if not source.is_file():
        raise CapabilityError(f"no such file or directory, {path}")
    with source.open("rb") as f:
        image_size(f.read(ALBUM_HEAD_BYTES))  # only images go to the album
    folder = ctx.host.pictures_dir()
    folder.mkdir(parents=True, exist_ok=True)
    stem, suffix = source.stem, source.suffix
    target = folder / f"{stem}{suffix}"
    n = 1
    while target.exists():
        target = folder / f"{stem}-{n}{suffix}"
        n += 1
    shutil.copyfile(source, target)
    return {}


_COUNT = Arg("Number", min=1, max=9)
_SOURCE = Arg("Array", max_len=2)

CAPABILITIES = [
    Capability("getImageInfo", get_image_info, {"src": Arg("String", required=True)}),
    Capability(
        "chooseImage",
        choose_image,
        {"count": _COUNT, "sizeType": Arg("Array"), "sourceType": _SOURCE},
        note=DIALOG_NOTE,
    ),
    Capability(
        "chooseMedia",
        choose_media,
        {"count": _COUNT, "mediaType": Arg("Array"), "sourceType": _SOURCE},
        note=DIALOG_NOTE,
    ),
    Capability(
        "chooseMessageFile",
        choose_message_file,
        {
            "count": Arg("Number", required=True, min=1, max=100),
            "type": Arg("String", enum=("all", "video", "image", "file")),
            "extension": Arg("Array", max_len=50),
        },
        note="native file dialog",
    ),
    Capability(
        "saveImageToPhotosAlbum",
        save_to_album,
        {"filePath": Arg("String", required=True, max_len=1024)},
        scope=ALBUM_SCOPE,
        note="copies into the user's Pictures folder",
    ),
    *view("previewImage", "createInnerAudioContext", "createVideoContext", "createCanvasContext"),
]
