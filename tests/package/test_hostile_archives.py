"""A corpus of crafted hostile archives, each rejected with its own typed error."""

from __future__ import annotations

import io
import json
import zipfile

import pytest

from finclip_desktop.package import (
    CompressionRatioError,
    CorruptArchiveError,
    DuplicateEntryError,
    HashMismatchError,
    Limits,
    ManifestInvalidError,
    ManifestMissingError,
    ManifestTooLargeError,
    MissingFileError,
    SignatureInvalidError,
    SignatureMissingError,
    SizeMismatchError,
    SymlinkError,
    TooLargeError,
    TooManyEntriesError,
    UnlistedFileError,
    UnsafePathError,
    UnsupportedEntryError,
    build_archive,
    read_package,
    sign_manifest,
)
from finclip_desktop.package.zipformat import read_archive, write_archive

from .conftest import APP_FILES, SETTINGS


def resign(items: dict[str, bytes], manifest: dict, key) -> bytes:
    """Re-sign a modified manifest with the trusted key: only the checks under test can fail."""
    from finclip_desktop.package.canonical import canonical_json

    manifest_bytes = canonical_json(manifest)
    items = dict(
        items, **{"finclip.json": manifest_bytes, "finclip.sig": sign_manifest(manifest_bytes, key)}
    )
    return write_archive(items.items())


def parts(package_bytes):
    items = read_archive(package_bytes)
    return items, json.loads(items["finclip.json"])


@pytest.mark.parametrize(
    "name",
    [
        "../evil.js",
        "a/../../evil.js",
        "/etc/passwd",
        "C:/windows/evil.js",
        "c:evil.js",
        "pages\\evil.js",
        "a//b.js",
        "./a.js",
        "a/./b.js",
        "nul.txt",
        "a/CON",
        "trailing.",
        "space ",
        "tab\there.js",
        "dir/",
    ],
)
def test_unsafe_names_rejected(name, key, trust, package_bytes):
    items, manifest = parts(package_bytes)
    items[name] = b"x"
    with pytest.raises(UnsafePathError, match="unsafe path"):
        read_package(write_archive(items.items()), trust)


def test_symlink_rejected(trust):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        info = zipfile.ZipInfo("link.js")
        info.external_attr = 0o120777 << 16
        zf.writestr(info, "/etc/passwd")
    with pytest.raises(SymlinkError):
        read_package(buf.getvalue(), trust)


def test_zip_bomb_rejected(trust):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("bomb.js", b"\0" * (20 * 1024 * 1024))
    with pytest.raises(CompressionRatioError, match="zip bomb"):
        read_package(buf.getvalue(), trust)


def test_compressed_entries_rejected(trust):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("app.js", b"App({}) " * 4)
    with pytest.raises(UnsupportedEntryError, match="compressed"):
        read_package(buf.getvalue(), trust)


def test_total_size_cap(package_bytes, trust):
    with pytest.raises(TooLargeError):
        read_package(package_bytes, trust, Limits(max_total_bytes=500))


def test_archive_size_cap(package_bytes, trust):
    from finclip_desktop.package import ArchiveTooLargeError

    with pytest.raises(ArchiveTooLargeError):
        read_package(package_bytes, trust, Limits(max_archive_bytes=100))


def test_entry_count_cap(package_bytes, trust):
    with pytest.raises(TooManyEntriesError):
        read_package(package_bytes, trust, Limits(max_entries=3))


@pytest.mark.parametrize("dup", ["app.js", "APP.js"])
def test_duplicate_entries_rejected(dup, package_bytes, trust):
    items = list(read_archive(package_bytes).items())
    items.append((dup, b"App({evil: 1});"))
    with pytest.raises(DuplicateEntryError, match="twice"):
        read_package(write_archive(items), trust)


def test_huge_manifest_rejected(package_bytes, trust, key):
    items, manifest = parts(package_bytes)
    manifest["description"] = "x" * 1500
    manifest["name"] = "n"
    manifest["files"].update(
        {f"pad/{i:06d}.js": {"sha256": "0" * 64, "size": 0} for i in range(20000)}
    )
    with pytest.raises(ManifestTooLargeError):
        read_package(resign(items, manifest, key), trust)


def test_missing_manifest_and_signature(package_bytes, trust):
    items = read_archive(package_bytes)
    without_manifest = {k: v for k, v in items.items() if k != "finclip.json"}
    with pytest.raises(ManifestMissingError):
        read_package(write_archive(without_manifest.items()), trust)
    unsigned = {k: v for k, v in items.items() if k != "finclip.sig"}
    with pytest.raises(SignatureMissingError, match="unsigned"):
        read_package(write_archive(unsigned.items()), trust)


def test_signature_of_other_manifest_rejected(package_bytes, trust, key):
    items, manifest = parts(package_bytes)
    other = build_archive(APP_FILES, dict(SETTINGS, version="2.0.0"), key)[1]
    items["finclip.sig"] = read_archive(other)["finclip.sig"]
    with pytest.raises(SignatureInvalidError, match="does not match"):
        read_package(write_archive(items.items()), trust)


def test_malformed_json_manifest(package_bytes, trust, key):
    items, _ = parts(package_bytes)
    bad = b'{"app_id": "x", "app_id": "y"}'
    items.update({"finclip.json": bad, "finclip.sig": sign_manifest(bad, key)})
    with pytest.raises(ManifestInvalidError, match="duplicate key"):
        read_package(write_archive(items.items()), trust)
    items.update({"finclip.json": b"{not json", "finclip.sig": sign_manifest(b"{not json", key)})
    with pytest.raises(ManifestInvalidError, match="not valid JSON"):
        read_package(write_archive(items.items()), trust)


def test_listed_file_missing(package_bytes, trust, key):
    items, manifest = parts(package_bytes)
    del items["app.wxss"]
    with pytest.raises(MissingFileError, match="app.wxss"):
        read_package(write_archive(items.items()), trust)


def test_unlisted_file(package_bytes, trust, key):
    items, manifest = parts(package_bytes)
    del manifest["files"]["app.wxss"]
    with pytest.raises(UnlistedFileError, match="app.wxss"):
        read_package(resign(items, manifest, key), trust)


def test_hash_and_size_mismatch(package_bytes, trust, key):
    items, manifest = parts(package_bytes)
    items["app.js"] = b"App({evil: 1});"
    with pytest.raises(SizeMismatchError):
        read_package(write_archive(items.items()), trust)
    items["app.js"] = b"App({});".replace(b"{}", b"[]")
    with pytest.raises(HashMismatchError):
        read_package(write_archive(items.items()), trust)


def test_manifest_listing_traversal_rejected(package_bytes, trust, key):
    items, manifest = parts(package_bytes)
    manifest["files"]["../x.js"] = {"sha256": "0" * 64, "size": 0}
    with pytest.raises(UnsafePathError):
        read_package(resign(items, manifest, key), trust)


def test_not_a_zip(trust):
    with pytest.raises(CorruptArchiveError):
        read_package(b"this is not a package at all, just text", trust)
