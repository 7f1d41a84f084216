"""Property-based: every kind of damage to a signed package is rejected with a typed error,
and extraction leaves the destination untouched."""

from __future__ import annotations

import os

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from finclip_desktop.package import PackageError, extract_package, read_package
from finclip_desktop.package.zipformat import read_archive, write_archive

PROPERTY = settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))


def assert_rejected(data: bytes, trust, tmp_path_factory) -> PackageError:
    base = tmp_path_factory.mktemp("dest")
    dest = base / "app"
    with pytest.raises(PackageError) as info:
        extract_package(data, dest, trust)
    assert not dest.exists()
    assert os.listdir(base) == []  # no temp leftovers either
    assert str(info.value) and "\n" not in str(info.value)
    assert type(info.value) is not PackageError  # a specific, typed reason
    return info.value


def entries(data: bytes) -> list[tuple[str, bytes]]:
    return list(read_archive(data).items())


safe_names = st.from_regex(
    r"[a-z][a-z0-9_-]{0,12}(/[a-z0-9_-]{1,12}){0,2}\.(js|wxml|png)", fullmatch=True
)


@PROPERTY
@given(data=st.data())
def test_any_single_byte_flip_is_rejected(data, package_bytes, trust, tmp_path_factory):
    index = data.draw(st.integers(0, len(package_bytes) - 1))
    xor = data.draw(st.integers(1, 255))
    damaged = bytearray(package_bytes)
    damaged[index] ^= xor
    assert_rejected(bytes(damaged), trust, tmp_path_factory)


@PROPERTY
@given(data=st.data())
def test_any_truncation_is_rejected(data, package_bytes, trust, tmp_path_factory):
    length = data.draw(st.integers(0, len(package_bytes) - 1))
    assert_rejected(package_bytes[:length], trust, tmp_path_factory)


@PROPERTY
@given(extra=st.binary(min_size=1, max_size=64))
def test_appended_data_is_rejected(extra, package_bytes, trust, tmp_path_factory):
    assert_rejected(package_bytes + extra, trust, tmp_path_factory)


@PROPERTY
@given(extra=st.binary(min_size=1, max_size=64))
def test_prepended_data_is_rejected(extra, package_bytes, trust, tmp_path_factory):
    assert_rejected(extra + package_bytes, trust, tmp_path_factory)


@PROPERTY
@given(data=st.data())
def test_renamed_entry_is_rejected(data, package_bytes, trust, tmp_path_factory):
    items = entries(package_bytes)
    index = data.draw(st.integers(0, len(items) - 1))
    new_name = data.draw(safe_names.filter(lambda n: n not in dict(items)))
    items[index] = (new_name, items[index][1])
    assert_rejected(write_archive(items), trust, tmp_path_factory)


@PROPERTY
@given(data=st.data())
def test_removed_entry_is_rejected(data, package_bytes, trust, tmp_path_factory):
    items = entries(package_bytes)
    del items[data.draw(st.integers(0, len(items) - 1))]
    assert_rejected(write_archive(items), trust, tmp_path_factory)


@PROPERTY
@given(name=safe_names, content=st.binary(max_size=64), position=st.integers(0, 8))
def test_added_entry_is_rejected(name, content, position, package_bytes, trust, tmp_path_factory):
    items = entries(package_bytes)
    if name in dict(items):
        return
    items.insert(min(position, len(items)), (name, content))
    assert_rejected(write_archive(items), trust, tmp_path_factory)


@PROPERTY
@given(data=st.data())
def test_replaced_content_is_rejected(data, package_bytes, trust, tmp_path_factory):
    items = entries(package_bytes)
    index = data.draw(st.integers(0, len(items) - 1))
    content = data.draw(st.binary(max_size=128).filter(lambda c: c != items[index][1]))
    items[index] = (items[index][0], content)
    assert_rejected(write_archive(items), trust, tmp_path_factory)


def test_reordered_entries_still_verify(package_bytes, trust):
    """Order carries no meaning: a reordered archive holds the same signed content."""
    items = entries(package_bytes)
    assert read_package(write_archive(reversed(items)), trust).manifest.app_id == "demo.test"
