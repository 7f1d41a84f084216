"""A corpus of crafted hostile archives, each rejected with its own typed error."""

from __future__ import annotations

import base64
import hashlib
import io
import json
import os
import unicodedata
import zipfile
from pathlib import Path

import pytest

from finclip_desktop.package import (
    ArchiveTooLargeError,
    CompressionRatioError,
    CorruptArchiveError,
    DuplicateEntryError,
    HashMismatchError,
    Limits,
    ManifestInvalidError,
    ManifestMissingError,
    ManifestTooLargeError,
    MissingFileError,
    PathConflictError,
    ReadError,
    RuntimeTooOldError,
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
    extract_package,
    inspect_package,
    key_id,
    read_package,
    sign_manifest,
    verify_parts,
)
from finclip_desktop.package.canonical import canonical_json
from finclip_desktop.package.zipformat import read_archive, write_archive

from .conftest import APP_FILES, SETTINGS


def resign(items: dict[str, bytes], manifest: dict, key) -> bytes:
    """Re-sign a modified manifest with the trusted key: only the checks under test can fail."""
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


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("app_id", "demo.x\n"),
        ("version", "1.0.0\n"),
        ("min_runtime", "1.0.0\n"),
        ("permissions", ["scope.userLocation\n"]),
        ("domains", {"request": ["evil.com\n"]}),
        ("name", "X\nOK other.app 9.9.9"),
        ("description", "fine\nOK other.app 9.9.9"),
    ],
)
def test_signed_manifest_with_trailing_newline_or_control_rejected(
    field, value, package_bytes, trust, key
):
    items, manifest = parts(package_bytes)
    if field == "domains":
        value = {**manifest["domains"], **value}
    manifest[field] = value
    with pytest.raises(ManifestInvalidError):
        read_package(resign(items, manifest, key), trust)


def test_file_that_is_also_a_folder_rejected(package_bytes, trust, key, tmp_path):
    items, manifest = parts(package_bytes)
    for name in ("pages", "pages/index", "PAGES"):  # a file, and the folder of listed files
        listing = json.loads(json.dumps(manifest))
        listing["files"][name] = {"sha256": hashlib.sha256(b"").hexdigest(), "size": 0}
        for both in ({**items, name: b""}, {name: b"", **items}):  # the file after, before
            with pytest.raises(PathConflictError, match="both a file and the folder"):
                read_package(resign(both, listing, key), trust)
            with pytest.raises(PathConflictError):
                extract_package(resign(both, listing, key), tmp_path / "out", trust)
    assert list(tmp_path.iterdir()) == []


def test_names_equal_after_unicode_normalisation_rejected(package_bytes, trust, key):
    items, manifest = parts(package_bytes)
    nfc, nfd = unicodedata.normalize("NFC", "café.js"), unicodedata.normalize("NFD", "café.js")
    assert nfc != nfd
    for name in (nfc, nfd):
        items[name] = b"x"
        manifest["files"][name] = {"sha256": hashlib.sha256(b"x").hexdigest(), "size": 1}
    with pytest.raises(DuplicateEntryError, match="differ only in case or Unicode form"):
        read_package(resign(items, manifest, key), trust)


def test_signature_without_the_domain_prefix_rejected(package_bytes, trust, key):
    """A signature over the bare manifest bytes must not verify: only
    ``finclip-package-v1\\0`` + manifest is a package signature."""
    items = read_archive(package_bytes)
    bare = key.sign(items["finclip.json"])
    sig = canonical_json({"keyid": key_id(key), "sig": base64.b64encode(bare).decode()})
    items["finclip.sig"] = sig
    with pytest.raises(SignatureInvalidError, match="does not match"):
        read_package(write_archive(items.items()), trust)


def deflated(name: str, content: bytes) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(name, content)
    return buf.getvalue()


def test_max_ratio_is_its_own_limit(trust):
    """Stored entries have ratio 1, so only a compressed entry can pass ``max_ratio``; a
    lower cap turns the plain "compressed" refusal of a modest entry into "zip bomb"."""
    archive = deflated("app.js", b"App({}); " * 200)  # expands about 40 times
    with pytest.raises(UnsupportedEntryError, match="compressed"):
        read_package(archive, trust)
    with pytest.raises(CompressionRatioError, match="zip bomb"):
        read_package(archive, trust, Limits(max_ratio=10))


@pytest.mark.parametrize("field", ["max_ratio", "max_entries", "max_archive_bytes"])
@pytest.mark.parametrize("value", [0, -1, 1.5, True])
def test_limits_must_be_positive_integers(field, value):
    with pytest.raises(ValueError, match=f"Limits.{field} must be a positive integer"):
        Limits(**{field: value})


def test_package_needing_a_newer_runtime_rejected_for_use(key, trust, tmp_path):
    from finclip_desktop import RUNTIME_VERSION

    data = build_archive(APP_FILES, dict(SETTINGS, min_runtime="99.0.0"), key)[1]
    message = f"needs FinClip runtime >= 99.0.0, this is {RUNTIME_VERSION}"
    with pytest.raises(RuntimeTooOldError, match=message):
        read_package(data, trust)
    with pytest.raises(RuntimeTooOldError):
        extract_package(data, tmp_path / "out", trust)
    assert not (tmp_path / "out").exists()
    pkg = read_package(data, trust, runtime=None)  # integrity only: verify shows, not enforces
    with pytest.raises(RuntimeTooOldError):
        verify_parts(pkg.manifest_bytes, pkg.signature, dict(pkg.files), trust)
    assert read_package(data, trust, runtime="99.0.0").manifest.min_runtime == "99.0.0"
    assert inspect_package(data).manifest.min_runtime == "99.0.0"


def test_runtime_comparison_is_semver(key, trust):
    data = build_archive(APP_FILES, dict(SETTINGS, min_runtime="1.10.0"), key)[1]
    assert read_package(data, trust, runtime="1.10.0").manifest.app_id == "demo.test"
    for older in ("1.9.9", "1.10.0-rc.1"):
        with pytest.raises(RuntimeTooOldError):
            read_package(data, trust, runtime=older)


def test_too_large_file_and_bytes_give_the_same_error(package_bytes, trust, tmp_path):
    path = tmp_path / "app.fcpkg"
    path.write_bytes(package_bytes)
    small = Limits(max_archive_bytes=100)
    for src in (path, package_bytes):
        with pytest.raises(ArchiveTooLargeError, match=f"{len(package_bytes)} bytes, over"):
            read_package(src, trust, small)


def test_devices_and_folders_are_refused_without_reading_them(trust, tmp_path):
    """Checked on the open file (fstat), not by size: a device reports size 0 and
    /dev/zero would never end. (A FIFO, which would block, is tested in test_cli.)"""
    for src in (Path(os.devnull), tmp_path):
        with pytest.raises(ReadError, match="not a regular file"):
            read_package(src, trust)
    with pytest.raises(ReadError, match="No such file"):
        read_package(tmp_path / "missing.fcpkg", trust)
