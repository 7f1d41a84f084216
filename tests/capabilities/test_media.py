"""Choosing files through host dialogs, image info, saving to the Pictures folder."""

from __future__ import annotations

import struct
import zlib
from concurrent.futures import Future

import pytest

from finclip_desktop.capabilities.host import BaseHost
from finclip_desktop.capabilities.media import image_size


def png(width: int, height: int) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    rows = b"".join(b"\x00" + b"\x10\x20\x30" * width for _ in range(height))
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


def jpeg_header(width: int, height: int) -> bytes:
    app0 = b"\xff\xe0" + struct.pack(">H", 16) + b"JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
    sof = b"\xff\xc0" + struct.pack(">HBHHB", 11, 8, height, width, 1) + b"\x01\x11\x00"
    return b"\xff\xd8" + app0 + sof + b"\x00" * 16


class DialogHost(BaseHost):
    """A headless host whose 'file dialog' answers with preset files."""

    def __init__(self, answer: list[str], pictures=None) -> None:
        super().__init__()
        self.answer = answer
        self.asked: list[tuple] = []
        self.pictures = pictures

    def choose_files(self, kind, count, extensions):
        self.asked.append((kind, count, extensions))
        future: Future = Future()
        future.set_result(self.answer)
        return future

    def pictures_dir(self):
        return self.pictures


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        (png(7, 3), ("png", 7, 3)),
        (jpeg_header(640, 480), ("jpeg", 640, 480)),
        (b"GIF89a" + struct.pack("<HH", 20, 10) + b"\x00" * 8, ("gif", 20, 10)),
        (b"BM" + b"\x00" * 16 + struct.pack("<ii", 33, -44) + b"\x00" * 8, ("bmp", 33, 44)),
    ],
)
def test_image_sizes(head, expected):
    assert image_size(head) == expected


def test_choose_image_copies_into_tmp(make_ctx, call, tmp_path):
    picked = tmp_path / "Holiday.PNG"
    picked.write_bytes(png(4, 2))
    host = DialogHost([str(picked)])
    ctx = make_ctx(host=host)
    got = call(ctx, "chooseImage", {"count": 1})
    assert got["errMsg"] == "chooseImage:ok"
    (path,) = got["tempFilePaths"]
    assert path.startswith("wxfile://tmp/") and path.endswith(".png")
    assert got["tempFiles"] == [{"path": path, "size": picked.stat().st_size}]
    assert host.asked[0][:2] == ("image", 1)
    info = call(ctx, "getImageInfo", {"src": path})
    assert (info["width"], info["height"], info["type"]) == (4, 2, "png")


def test_choose_cancel_and_camera(make_ctx, call):
    ctx = make_ctx(host=DialogHost([]))
    assert call(ctx, "chooseImage")["errMsg"] == "chooseImage:fail cancel"
    assert call(ctx, "chooseImage", {"sourceType": ["camera"]})["errMsg"] == (
        "chooseImage:fail camera is not supported on desktop"
    )
    assert call(make_ctx(), "chooseMedia")["errMsg"] == (
        "chooseMedia:fail no file dialog is available"
    )
    assert call(ctx, "chooseImage", {"count": 20})["errMsg"] == (
        "chooseImage:fail parameter error: count should be at most 9"
    )


def test_choose_media_and_message_file(make_ctx, call, tmp_path):
    (tmp_path / "a.jpg").write_bytes(jpeg_header(1, 1))
    (tmp_path / "b.mp4").write_bytes(b"video")
    (tmp_path / "c.pdf").write_bytes(b"%PDF")
    host = DialogHost([str(tmp_path / n) for n in ("a.jpg", "b.mp4", "c.pdf")])
    ctx = make_ctx(host=host)
    media = call(ctx, "chooseMedia", {"count": 2})
    assert media["type"] == "mix"
    assert [f["fileType"] for f in media["tempFiles"]] == ["image", "video"]
    files = call(ctx, "chooseMessageFile", {"count": 3, "type": "file", "extension": ["pdf"]})
    assert [f["name"] for f in files["tempFiles"]] == ["a.jpg", "b.mp4", "c.pdf"]
    assert [f["type"] for f in files["tempFiles"]] == ["image", "video", "file"]
    assert host.asked[-1] == ("file", 3, (".pdf",))


def test_save_image_to_album(make_ctx, call, tmp_path):
    pictures = tmp_path / "Pictures"
    ctx = make_ctx(host=DialogHost([], pictures), permissions=("scope.writePhotosAlbum",))
    (ctx.data_dir / "usr").mkdir(parents=True)
    (ctx.data_dir / "usr" / "shot.png").write_bytes(png(2, 2))
    args = {"filePath": "wxfile://usr/shot.png"}
    assert call(ctx, "saveImageToPhotosAlbum", args)["errMsg"] == "saveImageToPhotosAlbum:ok"
    assert call(ctx, "saveImageToPhotosAlbum", args)["errMsg"] == "saveImageToPhotosAlbum:ok"
    assert sorted(p.name for p in pictures.iterdir()) == ["shot-1.png", "shot.png"]
    (ctx.data_dir / "usr" / "note.txt").write_text("not an image")
    assert call(ctx, "saveImageToPhotosAlbum", {"filePath": "wxfile://usr/note.txt"})["errMsg"] == (
        "saveImageToPhotosAlbum:fail unsupported image format"
    )
    denied = make_ctx(permissions=("scope.writePhotosAlbum",), consent=False)
    assert call(denied, "saveImageToPhotosAlbum", args)["errMsg"] == (
        "saveImageToPhotosAlbum:fail auth deny"
    )
    escape = call(ctx, "saveImageToPhotosAlbum", {"filePath": "/etc/passwd"})
    assert escape["errMsg"].startswith("saveImageToPhotosAlbum:fail permission denied")
