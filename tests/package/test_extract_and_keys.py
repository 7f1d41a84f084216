"""Extraction leaves nothing behind on failure and never replaces what appeared meanwhile;
key files are written whole or not at all; key ids are sha256 of the raw public key."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import textwrap

import pytest
from cryptography.hazmat.primitives import serialization

from finclip_desktop.package import (
    DestinationExistsError,
    KeyFileError,
    WriteError,
    extract_package,
    generate_key,
    key_id,
    public_key_text,
    save_private_key,
)
from finclip_desktop.package.fileio import rename_noreplace

from .conftest import APP_FILES


def test_key_id_is_sha256_of_the_raw_public_key():
    key = generate_key()
    raw = key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    assert len(raw) == 32
    assert key_id(key) == key_id(key.public_key()) == hashlib.sha256(raw).hexdigest()


@pytest.mark.parametrize("blocker", ["folder", "file"])
def test_key_pair_is_not_half_written(tmp_path, blocker):
    """When KEY.pub cannot be created, KEY is not left behind (and nothing is replaced)."""
    pub = tmp_path / "k.pub"
    if blocker == "folder":
        pub.mkdir()
    else:
        pub.write_text("someone else's key")
    with pytest.raises(KeyFileError, match=r"k.pub already exists"):
        save_private_key(generate_key(), tmp_path / "k")
    assert not (tmp_path / "k").exists()
    assert blocker == "folder" or pub.read_text() == "someone else's key"


def test_extracted_folder_has_normal_permissions(tmp_path, package_bytes, trust):
    old = os.umask(0o022)
    try:
        extract_package(package_bytes, tmp_path / "out", trust)
    finally:
        os.umask(old)
    assert (tmp_path / "out").stat().st_mode & 0o777 == 0o755
    assert (tmp_path / "out" / "images").stat().st_mode & 0o777 == 0o755
    assert (tmp_path / "out" / "app.js").stat().st_mode & 0o777 == 0o644


def test_rename_never_replaces_an_empty_folder(tmp_path):
    src, dst = tmp_path / "src", tmp_path / "dst"
    src.mkdir()
    (src / "f").write_text("x")
    dst.mkdir()  # a plain POSIX rename would silently replace this
    with pytest.raises(FileExistsError):
        rename_noreplace(src, dst)
    assert (src / "f").read_text() == "x" and list(dst.iterdir()) == []
    dst.rmdir()
    rename_noreplace(src, dst)
    assert (dst / "f").read_text() == "x" and not src.exists()


def test_extract_refuses_a_destination_that_appears_meanwhile(
    tmp_path, package_bytes, trust, monkeypatch
):
    """Another process creates ``dest`` (empty) while the files are being written."""
    dest = tmp_path / "out"
    real_fsync = os.fsync

    def fsync_then_race(fd: int) -> None:
        real_fsync(fd)
        dest.mkdir(exist_ok=True)

    monkeypatch.setattr(os, "fsync", fsync_then_race)
    with pytest.raises(DestinationExistsError, match="appeared while extracting"):
        extract_package(package_bytes, dest, trust)
    assert list(dest.iterdir()) == []  # the other process's folder is untouched
    assert os.listdir(tmp_path) == ["out"]  # and no temporary folder is left


@pytest.mark.skipif(sys.platform == "win32", reason="RLIMIT_FSIZE is POSIX")
def test_failed_write_part_way_leaves_nothing(tmp_path, package_bytes, key):
    """A real write error (file size limit, EFBIG) after some files were written."""
    (tmp_path / "app.fcpkg").write_bytes(package_bytes)
    script = textwrap.dedent(
        """
        import json, resource, signal, sys
        from pathlib import Path
        from finclip_desktop.package import PackageError, TrustStore, extract_package
        from finclip_desktop.package import parse_public_key
        work, key = Path(sys.argv[1]), sys.argv[2]
        data = (work / "app.fcpkg").read_bytes()
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (600, 600))
        try:
            extract_package(data, work / "dest" / "app", TrustStore([parse_public_key(key)]))
        except PackageError as exc:
            print(json.dumps([type(exc).__name__, str(exc)]))
        """
    )
    (tmp_path / "dest").mkdir()
    result = subprocess.run(
        [sys.executable, "-B", "-c", script, str(tmp_path), public_key_text(key)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    kind, message = json.loads(result.stdout)
    assert kind == WriteError.__name__ and "File too large" in message
    assert max(map(len, APP_FILES.values())) > 600 > min(map(len, APP_FILES.values()))
    assert os.listdir(tmp_path / "dest") == []
