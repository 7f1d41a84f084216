"""FileSystemManager and saved files: confined to the app's wxfile:// folders."""

from __future__ import annotations

import hashlib
import io
import os
import zipfile

import pytest

from finclip_desktop.capabilities.binary import decode_buffer, encode_buffer
from finclip_desktop.capabilities.host import BaseHost

FS = "FileSystemManager."
USR = "wxfile://usr"


@pytest.fixture
def fs(ctx, call):
    def run(op, **args):
        return call(ctx, FS + op, args)

    return run


def test_write_read_append_in_all_encodings(fs):
    assert fs("writeFile", filePath=f"{USR}/a.txt", data="你好")["errMsg"] == ("writeFile:ok")
    assert fs("readFileSync", filePath=f"{USR}/a.txt", encoding="utf8")["data"] == "你好"
    fs("appendFileSync", filePath=f"{USR}/a.txt", data="!")
    assert fs("readFile", filePath=f"{USR}/a.txt", encoding="utf-8")["data"] == "你好!"
    raw = fs("readFile", filePath=f"{USR}/a.txt")["data"]
    assert decode_buffer(raw) == "你好!".encode()
    fs("writeFileSync", filePath=f"{USR}/b.bin", data=encode_buffer(b"\x00\xff"))
    assert fs("readFile", filePath=f"{USR}/b.bin", encoding="hex")["data"] == "00ff"
    assert fs("readFile", filePath=f"{USR}/b.bin", encoding="base64")["data"] == "AP8="
    fs("writeFile", filePath=f"{USR}/c.bin", data="AAEC", encoding="base64")
    part = fs("readFile", filePath=f"{USR}/c.bin", encoding="hex", position=1, length=2)
    assert part["data"] == "0102"
    out_of_range = fs("readFile", filePath=f"{USR}/c.bin", position=2, length=5)
    assert "out of range" in out_of_range["errMsg"]


def test_directories_stat_rename_copy_unlink(fs, ctx):
    assert fs("mkdir", dirPath=f"{USR}/x/y")["errMsg"] == (
        f"mkdir:fail no such file or directory, mkdir {USR}/x/y"
    )
    fs("mkdirSync", dirPath=f"{USR}/x/y", recursive=True)
    assert fs("mkdir", dirPath=f"{USR}/x")["errMsg"] == (
        f"mkdir:fail file already exists, mkdir {USR}/x"
    )
    fs("writeFile", filePath=f"{USR}/x/y/f.txt", data="12345")
    assert fs("readdir", dirPath=f"{USR}/x")["files"] == ["y"]
    assert fs("readdirSync", dirPath=f"{USR}/x")["data"] == ["y"]  # the runtime returns data
    stats = fs("stat", path=f"{USR}/x/y/f.txt")["stats"]
    assert stats["size"] == 5 and stats["isFile"] and not stats["isDirectory"]
    tree = fs("statSync", path=f"{USR}/x", recursive=True)["stats"]
    assert [e["path"] for e in tree] == ["/", "/y", "/y/f.txt"]
    fs("copyFile", srcPath=f"{USR}/x/y/f.txt", destPath=f"{USR}/copy.txt")
    fs("rename", oldPath=f"{USR}/copy.txt", newPath=f"{USR}/moved.txt")
    assert fs("accessSync", path=f"{USR}/moved.txt")["errMsg"].endswith(":ok")
    assert fs("access", path=f"{USR}/copy.txt")["errMsg"] == (
        f"access:fail no such file or directory, access {USR}/copy.txt"
    )
    assert fs("rmdir", dirPath=f"{USR}/x")["errMsg"].endswith(f"directory not empty, rmdir {USR}/x")
    fs("rmdirSync", dirPath=f"{USR}/x", recursive=True)
    fs("unlink", filePath=f"{USR}/moved.txt")
    assert sorted(os.listdir(ctx.data_dir / "usr")) == []
    fs("writeFile", filePath=f"{USR}/t.txt", data="abcdef")
    fs("truncate", filePath=f"{USR}/t.txt", length=2)
    assert fs("readFile", filePath=f"{USR}/t.txt", encoding="utf8")["data"] == "ab"
    info = fs("getFileInfo", filePath=f"{USR}/t.txt", digestAlgorithm="sha1")
    assert info["size"] == 2 and len(info["digest"]) == 40


@pytest.mark.parametrize(
    "path",
    [
        "wxfile://usr/../secret",
        "wxfile://usr/a/../../x",
        "/etc/passwd",
        "../../etc/passwd",
        "wxfile://other/x",
        "wxfile://usr/..\\..\\x",
        "file:///etc/passwd",
        "wxfile://usr/C:/x",
    ],
)
def test_escapes_are_refused(fs, path):
    for op, args in (
        ("readFile", {"filePath": path}),
        ("writeFile", {"filePath": path, "data": "x"}),
        ("stat", {"path": path}),
        ("readdir", {"dirPath": path}),
    ):
        got = fs(op, **args)["errMsg"]
        assert got.startswith(f"{op}:fail permission denied"), (op, got)


def test_symlink_escape_is_refused(fs, ctx, tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_text("host secret")
    (ctx.data_dir / "usr").mkdir(parents=True)
    os.symlink(outside, ctx.data_dir / "usr" / "link")
    got = fs("readFile", filePath=f"{USR}/link/secret.txt", encoding="utf8")
    assert got["errMsg"] == (
        f"readFile:fail permission denied, {USR}/link/secret.txt escapes the app's user data folder"
    )
    assert fs("writeFile", filePath=f"{USR}/link/new.txt", data="x")["errMsg"].startswith(
        "writeFile:fail permission denied"
    )
    assert not (outside / "new.txt").exists()


def test_writes_only_in_user_data(fs, ctx):
    (ctx.data_dir / "tmp").mkdir(parents=True)
    (ctx.data_dir / "tmp" / "t.txt").write_text("tmp")
    assert fs("readFile", filePath="wxfile://tmp/t.txt", encoding="utf8")["data"] == "tmp"
    assert fs("writeFile", filePath="wxfile://tmp/t.txt", data="x")["errMsg"] == (
        "writeFile:fail permission denied, open wxfile://tmp/t.txt"
    )
    assert fs("rmdir", dirPath=USR, recursive=True)["errMsg"].startswith(
        "rmdir:fail permission denied"
    )


def test_apps_cannot_see_each_other(make_ctx, call):
    a, b = make_ctx("com.example.a"), make_ctx("com.example.b")
    call(a, FS + "writeFile", {"filePath": f"{USR}/mine.txt", "data": "a"})
    got = call(b, FS + "readFile", {"filePath": f"{USR}/mine.txt"})
    assert got["errMsg"].startswith("readFile:fail no such file or directory")


def test_quota(make_ctx, call):
    ctx = make_ctx(settings={"fileQuotaBytes": 1000})
    ok = call(ctx, FS + "writeFile", {"filePath": f"{USR}/a", "data": "x" * 900})
    assert ok["errMsg"].endswith(":ok")
    over = call(ctx, FS + "appendFile", {"filePath": f"{USR}/a", "data": "x" * 101})
    assert over["errMsg"] == (
        "appendFile:fail the maximum size of the file storage limit is exceeded"
    )
    rewrite = call(ctx, FS + "writeFile", {"filePath": f"{USR}/a", "data": "y" * 1000})
    assert rewrite["errMsg"].endswith(":ok")


def test_quota_counts_whole_trees_moved_out_of_tmp(make_ctx, call):
    ctx = make_ctx(settings={"fileQuotaBytes": 20_000})
    batch = ctx.data_dir / "tmp" / "batch"
    batch.mkdir(parents=True)
    for i in range(4):
        (batch / f"f{i}.bin").write_bytes(b"x" * 8000)
    (ctx.data_dir / "tmp" / "one.bin").write_bytes(b"y" * 8000)
    moved = call(ctx, FS + "rename", {"oldPath": "wxfile://tmp/batch", "newPath": f"{USR}/b"})
    assert moved["errMsg"] == "rename:fail the maximum size of the file storage limit is exceeded"
    assert (
        call(ctx, FS + "rename", {"oldPath": "wxfile://tmp/one.bin", "newPath": f"{USR}/o"})[
            "errMsg"
        ]
        == "rename:ok"
    )
    for root in ("wxfile://tmp", "wxfile://tmp/", USR, "wxfile://store"):
        got = call(ctx, FS + "rename", {"oldPath": root, "newPath": f"{USR}/moved"})
        assert got["errMsg"] == f"rename:fail permission denied, rename {root}", root
    assert sorted(os.listdir(ctx.data_dir / "usr")) == ["o"]
    assert len(os.listdir(batch)) == 4


def test_tmp_files_last_one_session(make_ctx, tmp_path):
    ctx = make_ctx()
    (ctx.data_dir / "tmp").mkdir(parents=True)
    (ctx.data_dir / "tmp" / "left.bin").write_bytes(b"from this session")
    (ctx.data_dir / "usr").mkdir(parents=True)
    (ctx.data_dir / "usr" / "kept.txt").write_text("kept")
    ctx.close()
    assert not (ctx.data_dir / "tmp").exists()
    (ctx.data_dir / "tmp").mkdir()
    (ctx.data_dir / "tmp" / "crashed.bin").write_bytes(b"a session that never closed")
    make_ctx()  # the app launches again
    assert not (ctx.data_dir / "tmp").exists()
    assert (ctx.data_dir / "usr" / "kept.txt").read_text() == "kept"


def test_bad_arguments(fs):
    assert fs("readFile")["errMsg"] == "readFile:fail parameter error: filePath is required"
    assert fs("writeFile", filePath=f"{USR}/a", data=1)["errMsg"] == (
        "writeFile:fail parameter error: data should be String or ArrayBuffer instead of Number"
    )
    assert fs("readFile", filePath=f"{USR}/a", encoding="klingon")["errMsg"].startswith(
        "readFile:fail parameter error: encoding should be one of"
    )
    assert fs("writeFile", filePath=f"{USR}/a", data="zz", encoding="hex")["errMsg"] == (
        "writeFile:fail parameter error: data is not valid hex"
    )


def test_saved_files(ctx, call):
    (ctx.data_dir / "tmp").mkdir(parents=True)
    (ctx.data_dir / "tmp" / "dl.png").write_bytes(b"png")
    saved = call(ctx, "saveFile", {"tempFilePath": "wxfile://tmp/dl.png"})
    path = saved["savedFilePath"]
    assert path.startswith("wxfile://store/") and path.endswith(".png")
    assert not (ctx.data_dir / "tmp" / "dl.png").exists()
    listed = call(ctx, "getSavedFileList")["fileList"]
    assert [f["filePath"] for f in listed] == [path] and listed[0]["size"] == 3
    assert call(ctx, "getSavedFileInfo", {"filePath": path})["size"] == 3
    digest = call(ctx, "getFileInfo", {"filePath": path})["digest"]
    assert digest == hashlib.md5(b"png").hexdigest()
    assert call(ctx, "removeSavedFile", {"filePath": path})["errMsg"] == "removeSavedFile:ok"
    assert call(ctx, "getSavedFileList")["fileList"] == []
    assert call(ctx, "saveFile", {"tempFilePath": f"{USR}/x"})["errMsg"].startswith(
        "saveFile:fail permission denied"
    )
    assert call(ctx, "removeSavedFile", {"filePath": f"{USR}/x"})["errMsg"].startswith(
        "removeSavedFile:fail permission denied"
    )


class ViewerHost(BaseHost):
    """A headless host whose 'system viewer' records what it was asked to open."""

    def __init__(self) -> None:
        super().__init__()
        self.opened: list[tuple[str, bytes]] = []

    def open_document(self, path):
        self.opened.append((path.name, path.read_bytes()))


OOXML_TYPES = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
    "docm": "application/vnd.ms-word.document.macroEnabled.main+xml",
}


def ooxml(kind: str) -> bytes:
    """A minimal OOXML zip whose [Content_Types].xml declares ``kind``'s main part."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as archive:
        archive.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/'
            '2006/content-types"><Override PartName="/main.xml" '
            f"ContentType='{OOXML_TYPES[kind]}'/></Types>",
        )
        archive.writestr("main.xml", "<x/>")
    return buf.getvalue()


PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
OLE2 = bytes.fromhex("d0cf11e0a1b11ae1") + b"\x00" * 504


def put(ctx, name: str, data: bytes) -> str:
    folder = ctx.data_dir / "usr"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_bytes(data)
    return f"{USR}/{name}"


def test_open_document_opens_only_checked_documents(make_ctx, call):
    host = ViewerHost()
    ctx = make_ctx(host=host)
    for name, data in (("a.pdf", PDF), ("b.DOC", OLE2), ("c.xls", OLE2), ("d.docx", ooxml("docx"))):
        assert call(ctx, "openDocument", {"filePath": put(ctx, name, data)})["errMsg"] == (
            "openDocument:ok"
        ), name
    assert [n for n, _ in host.opened] == ["a.pdf", "b.DOC", "c.xls", "d.docx"]
    # a downloaded file without an extension opens as the fileType its content is
    got = call(ctx, "openDocument", {"filePath": put(ctx, "dl", PDF), "fileType": "pdf"})
    assert got["errMsg"] == "openDocument:ok"
    name, data = host.opened[-1]
    assert name.endswith(".pdf") and data == PDF
    assert (ctx.data_dir / "tmp" / name).is_file()  # the viewer's copy is a session file


ONLY = "is not supported; openDocument opens doc, docx, xls, xlsx, ppt, pptx, pdf"


@pytest.mark.parametrize(
    ("name", "data", "file_type", "reason"),
    [
        ("run.exe", b"MZ\x90\x00" + b"\x00" * 60, None, f"file type .exe {ONLY}"),
        ("evil.desktop", b"[Desktop Entry]\nExec=sh -c id\n", None, f"file type .desktop {ONLY}"),
        ("run.bat", b"@echo off\r\n", "pdf", "the file is not a pdf document"),
        ("fake.pdf", b"#!/bin/sh\nid\n", None, "the file is not a pdf document"),
        ("fake.doc", b"MZ" + b"\x00" * 100, None, "the file is not a doc document"),
        ("sheet.docx", ooxml("xlsx"), None, "the file is not a docx document"),
        ("macro.docx", ooxml("docm"), None, "the file is not a docx document"),
        ("plain.docx", b"PK\x03\x04 not really a zip", None, "the file is not a docx document"),
        ("noext", PDF, None, f"a file without an extension (give fileType) {ONLY}"),
    ],
)
def test_open_document_refuses_anything_else(make_ctx, call, name, data, file_type, reason):
    host = ViewerHost()
    ctx = make_ctx(host=host)
    args = {"filePath": put(ctx, name, data)}
    if file_type:
        args["fileType"] = file_type
    assert call(ctx, "openDocument", args)["errMsg"] == f"openDocument:fail {reason}"
    assert host.opened == []


def test_open_document_bad_arguments(make_ctx, call):
    ctx = make_ctx(host=ViewerHost())
    got = call(ctx, "openDocument", {"filePath": put(ctx, "x.pdf", PDF), "fileType": "exe"})
    assert got["errMsg"].startswith("openDocument:fail parameter error: fileType should be one of")
    assert call(ctx, "openDocument", {"filePath": f"{USR}/none.pdf"})["errMsg"] == (
        f"openDocument:fail no such file or directory, openDocument {USR}/none.pdf"
    )
    no_viewer = make_ctx("com.example.other")
    assert call(no_viewer, "openDocument", {"filePath": put(no_viewer, "y.pdf", PDF)}) == {
        "errMsg": "openDocument:fail no document viewer is available"
    }


@pytest.fixture
def package_ctx(make_ctx):
    """An app context backed by a real signed, verified package."""
    from finclip_desktop.package import TrustStore, build_archive, generate_key, read_package

    key = generate_key()
    files = {"app.json": b'{"pages": ["pages/index/index"]}', "data/cfg.json": b'{"a": 1}'}
    settings = {"app_id": "com.example.demo", "name": "Demo", "version": "1.0.0"}
    _manifest, archive = build_archive(files, settings, key)
    package = read_package(archive, TrustStore([key.public_key()]))
    ctx = make_ctx()
    ctx.package = package
    return ctx


def test_reads_the_apps_own_package_files(package_ctx, call):
    got = call(package_ctx, FS + "readFile", {"filePath": "/data/cfg.json", "encoding": "utf8"})
    assert got["data"] == '{"a": 1}'
    assert call(package_ctx, FS + "stat", {"path": "data/cfg.json"})["stats"]["size"] == 8
    assert call(package_ctx, FS + "access", {"path": "/nope.json"})["errMsg"] == (
        "access:fail no such file or directory, access /nope.json"
    )
    for bad in ("/../x", "data/../app.json", "/"):
        got = call(package_ctx, FS + "readFile", {"filePath": bad})
        assert got["errMsg"] == f"readFile:fail permission denied, open {bad}"
    got = call(package_ctx, FS + "writeFile", {"filePath": "/data/cfg.json", "data": "x"})
    assert got["errMsg"].startswith("writeFile:fail permission denied")
    call(package_ctx, FS + "copyFile", {"srcPath": "/data/cfg.json", "destPath": f"{USR}/c.json"})
    assert (package_ctx.data_dir / "usr" / "c.json").read_bytes() == b'{"a": 1}'
