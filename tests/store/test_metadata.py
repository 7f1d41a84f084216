"""package/metadata.py: signing, threshold verification, shape checks, rotation (no server)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from finclip_desktop.package import generate_key
from finclip_desktop.package import metadata as md
from finclip_desktop.package.canonical import canonical_json

SOON = datetime.now(UTC) + timedelta(days=1)
PAST = datetime.now(UTC) - timedelta(seconds=1)
TARGET = {
    "app_id": "com.example.demo", "version": "1.0.0", "length": 10, "sha256": "a" * 64,
    "manifest_sha256": "b" * 64, "permissions": ["scope.userLocation"],
    "domains": {"request": ["api.example.com"]}, "mandatory": False,
}  # fmt: skip


def _root(version: int = 1, root_keys: list | None = None, threshold: int = 1, online=None):
    root_keys = root_keys or [generate_key()]
    online = online or generate_key()
    signed = md.root_signed(
        version, SOON, {"root": (root_keys, threshold), "targets": ([online], 1),
                        "snapshot": ([online], 1), "timestamp": ([online], 1)},
    )  # fmt: skip
    return signed, root_keys, online


def _error(fn, *args) -> md.MetadataError:
    with pytest.raises(md.MetadataError) as info:
        fn(*args)
    assert "\n" not in str(info.value)
    return info.value


def test_round_trip_and_canonical_bytes() -> None:
    root, keys, online = _root()
    body = md.sign(root, keys)
    assert body == canonical_json(json.loads(body))
    assert md.load_trusted_root(body) == root
    targets = md.targets_signed(3, SOON, {"com.example.demo/1.0.0.fcpkg": TARGET})
    tbody = md.sign(targets, [online])
    assert md.verify_document(tbody, root, "targets") == targets
    snap = md.snapshot_signed(3, SOON, 3, tbody)
    assert snap["meta"]["targets.json"] == md.meta_info(3, tbody)
    md.check_meta(tbody, snap["meta"]["targets.json"], "targets.json")
    ts = md.timestamp_signed(9, SOON, 3, md.sign(snap, [online]))
    assert md.verify_document(md.sign(ts, [online]), root, "timestamp")["version"] == 9


def test_domain_separation_prefix() -> None:
    """A signature over the bare canonical bytes (no prefix) is not accepted."""
    import base64

    from finclip_desktop.package import key_id

    root, keys, online = _root()
    signed = md.targets_signed(1, SOON, {})
    raw = online.sign(canonical_json(signed))
    doc = {"signed": signed, "signatures": [
        {"keyid": key_id(online), "sig": base64.b64encode(raw).decode()}]}  # fmt: skip
    assert _error(md.verify_document, canonical_json(doc), root, "targets").code == (
        "signature-threshold"
    )


def test_threshold_counts_distinct_authorised_keys() -> None:
    keys = [generate_key() for _ in range(3)]
    root, _, _ = _root(root_keys=keys, threshold=2)
    new, _, _ = _root(version=2, root_keys=keys, threshold=2)
    md.verify_root_update(root, md.sign(new, keys[:2]))
    one = md.sign(new, keys[:1])
    assert _error(md.verify_root_update, root, one).code == "signature-threshold"
    # the same signature twice counts once
    doc = json.loads(one)
    doc["signatures"] *= 2
    assert _error(md.verify_root_update, root, canonical_json(doc)).code == "signature-threshold"
    # a signature by a key outside the role does not count
    outsider = md.sign(new, [keys[0], generate_key()])
    assert _error(md.verify_root_update, root, outsider).code == "signature-threshold"


def test_rotation_needs_old_and_new_threshold_and_next_version() -> None:
    root, old_keys, online = _root()
    new_key = generate_key()
    new, _, _ = _root(version=2, root_keys=[new_key], online=online)
    assert md.verify_root_update(root, md.sign(new, old_keys + [new_key]))["version"] == 2
    assert _error(md.verify_root_update, root, md.sign(new, [new_key])).code == (
        "signature-threshold"
    )
    assert _error(md.verify_root_update, root, md.sign(new, old_keys)).code == (
        "signature-threshold"
    )
    skip, _, _ = _root(version=3, root_keys=[new_key], online=online)
    assert _error(md.verify_root_update, root, md.sign(skip, old_keys + [new_key])).code == (
        "rollback"
    )


def test_expiry_version_and_meta_checks() -> None:
    expired = md.timestamp_signed(2, PAST, 1, b"x")
    assert _error(md.check_expiry, expired).code == "expired"
    md.check_expiry(md.timestamp_signed(2, SOON, 1, b"x"))
    assert _error(md.check_version, expired, 3).code == "rollback"
    md.check_version(expired, 2)
    md.check_version(expired, None)
    assert _error(md.check_meta, b"abc", md.meta_info(1, b"abd"), "x").code == "mismatch"
    assert _error(md.check_meta, b"abcd", md.meta_info(1, b"abd"), "x").code == "mismatch"


@pytest.mark.parametrize(
    "mutate",
    [
        lambda d: d["signed"].update(_type="snapshot"),
        lambda d: d["signed"].update(version=0),
        lambda d: d["signed"].update(version=True),
        lambda d: d["signed"].update(expires="tomorrow"),
        lambda d: d["signed"].update(extra=1),
        lambda d: d["signed"]["targets"]["com.example.demo/1.0.0.fcpkg"].update(length="10"),
        lambda d: d["signed"]["targets"]["com.example.demo/1.0.0.fcpkg"].update(version="2.0.0"),
        lambda d: d["signed"]["targets"]["com.example.demo/1.0.0.fcpkg"].pop("mandatory"),
        lambda d: d.update(signatures={}),
        lambda d: d.update(more=[]),
    ],
)
def test_malformed_documents_rejected(mutate) -> None:
    root, _, online = _root()
    doc = json.loads(md.sign(md.targets_signed(1, SOON, {"com.example.demo/1.0.0.fcpkg":
                                                          TARGET}), [online]))  # fmt: skip
    mutate(doc)
    assert _error(md.verify_document, canonical_json(doc), root, "targets").code == (
        "malformed-metadata"
    )


def test_non_canonical_oversized_and_bad_root_rejected() -> None:
    root, keys, online = _root()
    body = md.sign(root, keys)
    assert _error(md.load_trusted_root, body.replace(b",", b", ", 1)).code == "malformed-metadata"
    assert _error(md.parse_document, body, "root", 10).code == "too-large"
    assert _error(md.load_trusted_root, b"\xff").code == "malformed-metadata"
    doc = json.loads(body)
    kid = next(iter(doc["signed"]["keys"]))
    doc["signed"]["keys"]["0" * 64] = doc["signed"]["keys"].pop(kid)  # key id not its hash
    assert _error(md.load_trusted_root, canonical_json(doc)).code == "malformed-metadata"
    roles = {role: ([online], 1) for role in md.ROLES}
    roles["root"] = ([generate_key()], 2)  # threshold above the number of keys
    with pytest.raises(md.MetadataFormatError):
        md.root_signed(1, SOON, roles)


_ROOT, _ROOT_KEYS, _ONLINE = _root()
_TARGETS_BODY = md.sign(
    md.targets_signed(1, SOON, {"com.example.demo/1.0.0.fcpkg": TARGET}), [_ONLINE]
)


@settings(max_examples=300, deadline=None)
@given(st.integers(min_value=0), st.integers(min_value=1, max_value=255))
def test_any_flipped_byte_is_a_typed_rejection(position: int, xor: int) -> None:
    body = bytearray(_TARGETS_BODY)
    body[position % len(body)] ^= xor
    with pytest.raises(md.MetadataError):
        md.verify_document(bytes(body), _ROOT, "targets")


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=400))
def test_garbage_is_a_typed_rejection(data: bytes) -> None:
    with pytest.raises(md.MetadataError):
        md.verify_document(data, _ROOT, "timestamp")
