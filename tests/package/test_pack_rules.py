"""Packing refuses, with a clear AppError, exactly what reading a package would refuse."""

from __future__ import annotations

import unicodedata

import pytest

from finclip_desktop.package import (
    AppError,
    ArchiveTooLargeError,
    Limits,
    ManifestTooLargeError,
    PackageError,
    TooLargeError,
    TooManyEntriesError,
    build_archive,
    collect_files,
    read_package,
)

from .conftest import APP_FILES, SETTINGS

N_ENTRIES = len(APP_FILES) + 2  # the files, finclip.json and finclip.sig
CONTENT = sum(map(len, APP_FILES.values()))


def write_app(root, files=APP_FILES) -> None:
    for name, data in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_bytes(data)


@pytest.mark.parametrize(
    ("limits", "read_error", "message"),
    [
        (Limits(max_entries=N_ENTRIES - 1), TooManyEntriesError, "entries"),
        (Limits(max_total_bytes=CONTENT + 400), TooLargeError, "content exceeds"),
        (Limits(max_manifest_bytes=300), ManifestTooLargeError, "finclip.json is"),
        (Limits(max_archive_bytes=CONTENT + 1000), ArchiveTooLargeError, "package is"),
    ],
)
def test_pack_refuses_what_the_reader_refuses(limits, read_error, message, key, trust):
    """One rule set: a package built under the default limits is refused by a reader with
    ``limits``, and building under ``limits`` is refused with the same reason."""
    data = build_archive(APP_FILES, SETTINGS, key)[1]
    with pytest.raises(read_error, match=message):
        read_package(data, trust, limits)
    with pytest.raises(AppError, match=message):
        build_archive(APP_FILES, SETTINGS, key, limits)


def test_collect_stops_at_the_limits_while_walking(tmp_path):
    write_app(tmp_path)
    assert collect_files(tmp_path, Limits(max_entries=N_ENTRIES)) == APP_FILES
    with pytest.raises(AppError, match=f"package has {N_ENTRIES} entries"):
        collect_files(tmp_path, Limits(max_entries=N_ENTRIES - 1))
    with pytest.raises(AppError, match="exceed the 1000 byte package content limit"):
        collect_files(tmp_path, Limits(max_total_bytes=1000))


def test_collect_stops_before_reading_a_huge_file(tmp_path):
    write_app(tmp_path)
    with open(tmp_path / "huge.bin", "wb") as fh:  # sparse: no disk used, never read
        fh.truncate(Limits().max_total_bytes + 1)
    with pytest.raises(AppError, match=r"huge.bin is 104857601 bytes: .* content limit"):
        collect_files(tmp_path)


def case_sensitive(folder) -> bool:
    (folder / "probe").write_bytes(b"")
    sensitive = not (folder / "PROBE").exists()
    (folder / "probe").unlink()
    return sensitive


@pytest.mark.parametrize(
    "names",
    [
        ("A.js", "a.js"),
        ("pages/Index.js", "PAGES/index.js"),
        (unicodedata.normalize("NFC", "café.js"), unicodedata.normalize("NFD", "café.js")),
    ],
)
def test_collect_refuses_names_that_collide_when_folded(tmp_path, names):
    if not case_sensitive(tmp_path):
        pytest.skip("this file system folds names itself")
    write_app(tmp_path, {**APP_FILES, **dict.fromkeys(names, b"x")})
    if sum(p.is_file() for p in tmp_path.rglob("*")) != len(APP_FILES) + 2:
        pytest.skip("this file system normalises names itself")
    with pytest.raises(AppError, match="appears twice .* differ only in case or Unicode form"):
        collect_files(tmp_path)


def test_build_refuses_a_file_that_is_also_a_folder(key):
    with pytest.raises(AppError, match="'pages/index' is both a file and the folder"):
        build_archive({**APP_FILES, "pages/index": b""}, SETTINGS, key)


def test_pack_time_errors_are_app_errors_with_one_line(key):
    with pytest.raises(PackageError) as info:
        build_archive(APP_FILES, SETTINGS, key, Limits(max_entries=1))
    assert type(info.value) is AppError and "\n" not in str(info.value)
