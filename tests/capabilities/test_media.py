"""Choosing files through host dialogs, image info, saving to the Pictures folder."""

from __future__ import annotations

import struct
from concurrent.futures import Future

import pytest

from finclip_desktop.capabilities.host import BaseHost
from finclip_desktop.capabilities.media import ALBUM_SCOPE as ALBUM
from finclip_desktop.capabilities.media import image_size
from tests.capabilities.images import jpeg_header, png


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


def webp_vp8x(width: int, height: int) -> bytes:
    body = b"VP8X" + struct.pack("<I", 10) + b"\x00" * 4
    body += (width - 1).to_bytes(3, "little") + (height - 1).to_bytes(3, "little")
    return b"RIFF" + struct.pack("<I", len(body) + 4) + b"WEBP" + body


def webp_vp8(width: int, height: int) -> bytes:
    frame = b"\x00\x00\x00" + b"\x9d\x01\x2a" + struct.pack("<HH", width, height)
    body = b"VP8 " + struct.pack("<I", len(frame)) + frame
    return b"RIFF" + struct.pack("<I", len(body) + 4) + b"WEBP" + body


def webp_vp8l(width: int, height: int) -> bytes:
    bits = (width - 1) | ((height - 1) << 14)
    frame = b"\x2f" + struct.pack("<I", bits)
    body = b"VP8L" + struct.pack("<I", len(frame)) + frame
    return b"RIFF" + struct.pack("<I", len(body) + 4) + b"WEBP" + body


VALID = {
    "png": png(7, 3),
    "jpeg": jpeg_header(640, 480),
    "gif": b"GIF89a" + struct.pack("<HH", 20, 10) + b"\x00" * 8,
    "bmp": b"BM" + b"\x00" * 12 + struct.pack("<Iii", 40, 33, -44) + b"\x00" * 8,
    "webp-vp8x": webp_vp8x(300, 200),
    "webp-vp8": webp_vp8(64, 32),
    "webp-vp8l": webp_vp8l(5, 9),
}


def test_webp_and_bmp_sizes():
    assert image_size(VALID["webp-vp8x"]) == ("webp", 300, 200)
    assert image_size(VALID["webp-vp8"]) == ("webp", 64, 32)
    assert image_size(VALID["webp-vp8l"]) == ("webp", 5, 9)
    core = b"BM" + b"\x00" * 12 + struct.pack("<IHH", 12, 8, 6) + b"\x00" * 4
    assert image_size(core) == ("bmp", 8, 6)


def _outcome(head: bytes) -> str:
    from finclip_desktop.capabilities.errors import CapabilityError

    try:
        kind, width, height = image_size(head)
    except CapabilityError as exc:
        return f"fail: {exc.reason}"
    assert kind in ("png", "jpeg", "gif", "bmp", "webp") and width > 0 and height > 0
    return "ok"


@pytest.mark.parametrize("name", sorted(VALID))
def test_truncated_images_fail_cleanly(name):
    """Every prefix of a valid header either gives a positive size or a clear fail."""
    head = VALID[name]
    outcomes = {_outcome(head[:n]) for n in range(len(head) + 1)}
    assert outcomes <= {"ok", "fail: unsupported image format"} | {
        f"fail: damaged {k} image: its header has no valid size"
        for k in ("png", "jpeg", "gif", "bmp", "webp")
    }
    assert _outcome(head[:8]) != "ok" and _outcome(head) == "ok"


def test_hostile_image_headers_fail_cleanly():
    zero = b"\x89PNG\r\n\x1a\n" + struct.pack(">I", 13) + b"IHDR" + struct.pack(">II", 0, 5)
    no_ihdr = b"\x89PNG\r\n\x1a\n" + struct.pack(">I", 13) + b"JUNK" + struct.pack(">II", 3, 5)
    jpeg_loop = b"\xff\xd8" + b"\xff\xe0\x00\x00" * 8  # segment length 0
    jpeg_sos = b"\xff\xd8\xff\xda\x00\x08" + b"\x00" * 16  # scan data before any frame
    jpeg_junk = b"\xff\xd8" + b"\x12" * 40
    jpeg_huge_segment = b"\xff\xd8\xff\xe1\xff\xff" + b"\x00" * 20
    bmp_short = b"BM" + b"\x00" * 12 + struct.pack("<I", 40)
    webp_bad_start = VALID["webp-vp8"].replace(b"\x9d\x01\x2a", b"\x00\x00\x00")
    for head in (zero, no_ihdr, jpeg_loop, jpeg_sos, jpeg_junk, jpeg_huge_segment, bmp_short,
                 webp_bad_start):  # fmt: skip
        assert _outcome(head).startswith("fail: damaged"), head[:16]


def test_random_bytes_after_image_magic_fail_cleanly():
    from hypothesis import given, settings
    from hypothesis import strategies as st

    magics = [b"\x89PNG\r\n\x1a\n", b"GIF87a", b"GIF89a", b"BM", b"RIFF\x00\x00\x00\x00WEBP",
              b"RIFF\x00\x00\x00\x00WEBPVP8 ", b"RIFF\x00\x00\x00\x00WEBPVP8L", b"\xff\xd8",
              b"\xff\xd8\xff"]  # fmt: skip

    @settings(max_examples=400, derandomize=True, database=None, deadline=None)
    @given(st.sampled_from(magics), st.binary(max_size=64))
    def check(magic: bytes, tail: bytes) -> None:
        _outcome(magic + tail)  # never raises anything but a clear fail

    check()


def test_truncated_images_in_get_image_info_and_album(make_ctx, call, tmp_path):
    ctx = make_ctx(host=DialogHost([], tmp_path / "Pictures"), permissions=(ALBUM,))
    (ctx.data_dir / "usr").mkdir(parents=True)
    (ctx.data_dir / "usr" / "cut.gif").write_bytes(b"GIF89a")
    info = call(ctx, "getImageInfo", {"src": "wxfile://usr/cut.gif"})
    assert info == {"errMsg": "getImageInfo:fail damaged gif image: its header has no valid size"}
    saved = call(ctx, "saveImageToPhotosAlbum", {"filePath": "wxfile://usr/cut.gif"})
    assert saved == {
        "errMsg": "saveImageToPhotosAlbum:fail damaged gif image: its header has no valid size"
    }
    assert not (tmp_path / "Pictures").exists()


def test_chosen_files_respect_the_tmp_limit(make_ctx, call, tmp_path):
    big = tmp_path / "big.png"
    big.write_bytes(png(40, 40))
    ctx = make_ctx(host=DialogHost([str(big)]), settings={"tmpQuotaBytes": big.stat().st_size})
    assert call(ctx, "chooseImage", {"count": 1})["errMsg"] == "chooseImage:ok"
    assert call(ctx, "chooseImage", {"count": 1})["errMsg"] == (
        f"chooseImage:fail the temporary files exceed their limit of {big.stat().st_size} bytes"
    )
    assert len(list((ctx.data_dir / "tmp").iterdir())) == 1
