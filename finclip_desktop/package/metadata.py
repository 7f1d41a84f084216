"""TUF-shaped distribution metadata: root, targets, snapshot, timestamp.

Built on ``cryptography`` Ed25519 and the package format's canonical JSON rather than
python-tuf: signatures need a domain-separation prefix (TUF's canonical form has none),
key ids must be the package key ids (sha256 of the raw public key) and the guarantees the
store needs (threshold, expiry, rollback, mix-and-match, size caps) are few and tested.

Every document is canonical JSON ``{"signed": {...}, "signatures": [{"keyid", "sig"}]}``;
each signature is Ed25519 over ``METADATA_SIG_CONTEXT + canonical_json(signed)``.

- root: ``keys`` {keyid: {"keytype": "ed25519", "public": base64 raw key}}, ``roles``
  {role: {"keyids": [...], "threshold": n}} for all four roles; a new root N+1 must be
  signed by a threshold of root N's root keys AND of its own.
- targets: ``targets`` {"<app_id>/<version>.fcpkg": target entry}.
- snapshot: ``meta`` {"targets.json": {"version", "length", "sha256"}}.
- timestamp: ``meta`` {"snapshot.json": {"version", "length", "sha256"}}.

Each signed part also has ``_type`` (the role), ``version`` (int >= 1) and ``expires``
(``YYYY-MM-DDTHH:MM:SSZ``, UTC). ``str(error)`` of every ``MetadataError`` is one line.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from finclip_desktop.package.canonical import canonical_json, strict_loads
from finclip_desktop.package.signing import key_id, public_key_bytes

METADATA_SIG_CONTEXT = b"finclip-metadata-v1\0"
ROLES = ("root", "targets", "snapshot", "timestamp")
TARGETS_NAME = "targets.json"
SNAPSHOT_NAME = "snapshot.json"
MAX_METADATA_BYTES = 4 * 1024 * 1024
_HEX64 = re.compile(r"[0-9a-f]{64}")
_TIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z")
TARGET_FIELDS = frozenset(
    {"app_id", "version", "length", "sha256", "manifest_sha256", "permissions", "domains",
     "mandatory"}
)  # fmt: skip


# -- errors -------------------------------------------------------------------------------
class MetadataError(Exception):
    """Base of every reason metadata is refused; ``str(e)`` is one line."""

    code = "bad-metadata"

    def __init__(self, message: str) -> None:
        super().__init__(" ".join(message.split()))


class MetadataFormatError(MetadataError):
    """Not JSON, not canonical, wrong shape, or the wrong role."""

    code = "malformed-metadata"


class ThresholdError(MetadataError):
    """Fewer valid signatures by authorised keys than the role's threshold."""

    code = "signature-threshold"


class ExpiredError(MetadataError):
    code = "expired"


class RollbackError(MetadataError):
    """A version lower than one already trusted."""

    code = "rollback"


class MismatchError(MetadataError):
    """A document whose version, length or hash differs from what signed metadata names
    (mix-and-match, tampering in transit)."""

    code = "mismatch"


class TooLargeError(MetadataError):
    code = "too-large"


# -- time ---------------------------------------------------------------------------------
def format_time(value: datetime) -> str:
    """``YYYY-MM-DDTHH:MM:SSZ``; a naive datetime is taken as UTC."""
    if value.tzinfo is not None:
        value = value.astimezone(UTC)
    return value.strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_time(text: object) -> datetime:
    if not isinstance(text, str) or not _TIME.fullmatch(text):
        raise MetadataFormatError(f"expires must be YYYY-MM-DDTHH:MM:SSZ, got {text!r:.40}")
    try:
        return datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
    except ValueError:
        raise MetadataFormatError(f"expires is not a valid time: {text}") from None


def utc_now() -> datetime:
    return datetime.now(UTC)


# -- building (server side) ---------------------------------------------------------------
def key_entry(key: Ed25519PublicKey | Ed25519PrivateKey) -> dict[str, str]:
    return {"keytype": "ed25519", "public": base64.b64encode(public_key_bytes(key)).decode()}


def meta_info(version: int, body: bytes) -> dict[str, Any]:
    """What snapshot/timestamp say about another document: version, length, sha256."""
    return {"version": version, "length": len(body), "sha256": hashlib.sha256(body).hexdigest()}


def root_signed(
    version: int,
    expires: datetime,
    roles: Mapping[str, tuple[Iterable[Ed25519PublicKey | Ed25519PrivateKey], int]],
) -> dict[str, Any]:
    """The signed part of a root: ``roles`` maps each of the four roles to (keys, threshold)."""
    if set(roles) != set(ROLES):
        raise MetadataFormatError(f"root needs exactly the roles {', '.join(ROLES)}")
    keys: dict[str, dict[str, str]] = {}
    role_map: dict[str, dict[str, Any]] = {}
    for role, (role_keys, threshold) in roles.items():
        ids = []
        for key in role_keys:
            kid = key_id(key)
            keys[kid] = key_entry(key)
            ids.append(kid)
        role_map[role] = {"keyids": sorted(set(ids)), "threshold": threshold}
    signed = {
        "_type": "root",
        "version": version,
        "expires": format_time(expires),
        "keys": keys,
        "roles": role_map,
    }
    check_signed(signed, "root")
    return signed


def targets_signed(
    version: int, expires: datetime, targets: Mapping[str, Mapping[str, Any]]
) -> dict[str, Any]:
    signed = {
        "_type": "targets",
        "version": version,
        "expires": format_time(expires),
        "targets": {name: dict(entry) for name, entry in targets.items()},
    }
    check_signed(signed, "targets")
    return signed


def snapshot_signed(
    version: int, expires: datetime, targets_version: int, targets_body: bytes
) -> dict[str, Any]:
    signed = {
        "_type": "snapshot",
        "version": version,
        "expires": format_time(expires),
        "meta": {TARGETS_NAME: meta_info(targets_version, targets_body)},
    }
    check_signed(signed, "snapshot")
    return signed


def timestamp_signed(
    version: int, expires: datetime, snapshot_version: int, snapshot_body: bytes
) -> dict[str, Any]:
    signed = {
        "_type": "timestamp",
        "version": version,
        "expires": format_time(expires),
        "meta": {SNAPSHOT_NAME: meta_info(snapshot_version, snapshot_body)},
    }
    check_signed(signed, "timestamp")
    return signed


def sign(signed: Mapping[str, Any], keys: Iterable[Ed25519PrivateKey]) -> bytes:
    """The served document (canonical JSON bytes) with one signature per key."""
    payload = METADATA_SIG_CONTEXT + canonical_json(signed)
    signatures = []
    seen = set()
    for key in keys:
        kid = key_id(key)
        if kid in seen:
            continue
        seen.add(kid)
        signatures.append({"keyid": kid, "sig": base64.b64encode(key.sign(payload)).decode()})
    signatures.sort(key=lambda s: s["keyid"])
    return canonical_json({"signed": dict(signed), "signatures": signatures})


# -- shape checks -------------------------------------------------------------------------
def _fail(role: str, what: str) -> MetadataFormatError:
    return MetadataFormatError(f"{role} metadata: {what}")


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _check_meta(role: str, meta: object, name: str) -> None:
    if not isinstance(meta, dict) or set(meta) != {name}:
        raise _fail(role, f"meta must name exactly {name}")
    info = meta[name]
    if (
        not isinstance(info, dict)
        or set(info) != {"version", "length", "sha256"}
        or not _is_int(info["version"])
        or info["version"] < 1
        or not _is_int(info["length"])
        or not 0 < info["length"] <= MAX_METADATA_BYTES
        or not isinstance(info["sha256"], str)
        or not _HEX64.fullmatch(info["sha256"])
    ):
        raise _fail(role, f"meta for {name} needs version, length and sha256")


def check_target(name: str, entry: object) -> None:
    """A target entry: the fields of DIST_API.md, with the right types."""
    if not isinstance(entry, dict) or set(entry) != TARGET_FIELDS:
        raise _fail("targets", f"entry {name!r:.80} must have exactly {sorted(TARGET_FIELDS)}")
    ok = (
        isinstance(entry["app_id"], str)
        and isinstance(entry["version"], str)
        and name == f"{entry['app_id']}/{entry['version']}.fcpkg"
        and _is_int(entry["length"])
        and entry["length"] > 0
        and isinstance(entry["sha256"], str)
        and _HEX64.fullmatch(entry["sha256"]) is not None
        and isinstance(entry["manifest_sha256"], str)
        and _HEX64.fullmatch(entry["manifest_sha256"]) is not None
        and isinstance(entry["permissions"], list)
        and all(isinstance(p, str) for p in entry["permissions"])
        and isinstance(entry["domains"], dict)
        and isinstance(entry["mandatory"], bool)
    )
    if not ok:
        raise _fail("targets", f"entry {name!r:.80} has a bad field")


def check_signed(signed: object, role: str) -> None:
    """Raise MetadataFormatError unless ``signed`` is a well-formed ``role`` document."""
    if role not in ROLES:
        raise MetadataFormatError(f"unknown role {role!r:.40}")
    if not isinstance(signed, dict):
        raise _fail(role, "signed must be an object")
    if signed.get("_type") != role:
        raise _fail(role, f"expected _type {role!r}, got {signed.get('_type')!r:.40}")
    version = signed.get("version")
    if not _is_int(version) or version < 1:
        raise _fail(role, "version must be an integer >= 1")
    parse_time(signed.get("expires"))
    body_keys = {"root": {"keys", "roles"}, "targets": {"targets"}}.get(role, {"meta"})
    if set(signed) != {"_type", "version", "expires"} | body_keys:
        raise _fail(role, f"unexpected fields {sorted(set(signed))}")
    if role == "root":
        _check_root(signed)
    elif role == "targets":
        if not isinstance(signed["targets"], dict):
            raise _fail(role, "targets must be an object")
        for name, entry in signed["targets"].items():
            check_target(name, entry)
    else:
        _check_meta(role, signed["meta"], TARGETS_NAME if role == "snapshot" else SNAPSHOT_NAME)


def _check_root(signed: dict[str, Any]) -> None:
    keys, roles = signed["keys"], signed["roles"]
    if not isinstance(keys, dict) or not isinstance(roles, dict):
        raise _fail("root", "keys and roles must be objects")
    for kid, entry in keys.items():
        if not isinstance(entry, dict) or set(entry) != {"keytype", "public"}:
            raise _fail("root", f"key {kid[:16]} must have keytype and public")
        if entry["keytype"] != "ed25519":
            raise _fail("root", f"key {kid[:16]} has unsupported type {entry['keytype']!r:.20}")
        if key_id(_raw_key(entry["public"])) != kid:
            raise _fail("root", f"key id {kid[:16]} is not the sha256 of its key")
    if set(roles) != set(ROLES):
        raise _fail("root", f"roles must be exactly {', '.join(ROLES)}")
    for role, rule in roles.items():
        if not isinstance(rule, dict) or set(rule) != {"keyids", "threshold"}:
            raise _fail("root", f"role {role} needs keyids and threshold")
        ids, threshold = rule["keyids"], rule["threshold"]
        if not isinstance(ids, list) or len(set(ids)) != len(ids) or not ids:
            raise _fail("root", f"role {role} needs a list of distinct key ids")
        if any(kid not in keys for kid in ids):
            raise _fail("root", f"role {role} names a key that root does not list")
        if not _is_int(threshold) or not 1 <= threshold <= len(ids):
            raise _fail("root", f"role {role} threshold must be between 1 and {len(ids)}")


def _raw_key(text: object) -> bytes:
    if not isinstance(text, str):
        raise _fail("root", "public key must be base64 text")
    try:
        raw = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise _fail("root", "public key is not base64") from None
    if len(raw) != 32:
        raise _fail("root", "public key must be 32 raw bytes")
    return raw


# -- verifying (client side) --------------------------------------------------------------
def parse_document(body: bytes, role: str, max_bytes: int = MAX_METADATA_BYTES) -> dict:
    """Parse a served document strictly (size cap, canonical bytes, shape)."""
    if len(body) > max_bytes:
        raise TooLargeError(f"{role} metadata is {len(body)} bytes, over the {max_bytes} cap")
    try:
        doc = strict_loads(body)
    except ValueError as exc:
        raise MetadataFormatError(f"{role} metadata is not valid JSON: {exc}") from None
    if not isinstance(doc, dict) or set(doc) != {"signed", "signatures"}:
        raise MetadataFormatError(f"{role} metadata must hold exactly signed and signatures")
    if canonical_json(doc) != body:
        raise MetadataFormatError(f"{role} metadata is not in canonical form")
    sigs = doc["signatures"]
    if not isinstance(sigs, list) or not all(
        isinstance(s, dict) and set(s) == {"keyid", "sig"} and isinstance(s["keyid"], str)
        and isinstance(s["sig"], str) for s in sigs
    ):  # fmt: skip
        raise MetadataFormatError(f"{role} metadata has malformed signatures")
    check_signed(doc["signed"], role)
    return doc


def verify_signatures(doc: Mapping[str, Any], root: Mapping[str, Any], role: str) -> None:
    """Require ``root``'s threshold of distinct valid signatures by the role's keys."""
    rule = root["roles"][role]
    allowed = set(rule["keyids"])
    payload = METADATA_SIG_CONTEXT + canonical_json(doc["signed"])
    good: set[str] = set()
    for entry in doc["signatures"]:
        kid = entry["keyid"]
        if kid not in allowed or kid in good:
            continue
        try:
            sig = base64.b64decode(entry["sig"], validate=True)
            key = Ed25519PublicKey.from_public_bytes(_raw_key(root["keys"][kid]["public"]))
            key.verify(sig, payload)
        except (binascii.Error, ValueError, InvalidSignature):
            continue
        good.add(kid)
    if len(good) < rule["threshold"]:
        raise ThresholdError(
            f"{role} metadata has {len(good)} valid signature(s) by its keys; "
            f"{rule['threshold']} required"
        )


def verify_document(
    body: bytes, root: Mapping[str, Any], role: str, max_bytes: int = MAX_METADATA_BYTES
) -> dict[str, Any]:
    """Parse ``body`` and check it is signed by ``root``'s threshold for ``role``;
    return the signed part. Expiry and versions are the caller's (see ``check_*``)."""
    doc = parse_document(body, role, max_bytes)
    verify_signatures(doc, root, role)
    return doc["signed"]


def verify_root_update(
    trusted: Mapping[str, Any], body: bytes, max_bytes: int = MAX_METADATA_BYTES
) -> dict[str, Any]:
    """Verify root N+1 against trusted root N: signed by N's root threshold AND its own,
    version exactly N+1. Expiry is checked only for the final root (``check_expiry``)."""
    doc = parse_document(body, "root", max_bytes)
    new = doc["signed"]
    verify_signatures(doc, trusted, "root")
    verify_signatures(doc, new, "root")
    if new["version"] != trusted["version"] + 1:
        raise RollbackError(
            f"root rotation expected version {trusted['version'] + 1}, got {new['version']}"
        )
    return new


def check_expiry(signed: Mapping[str, Any], now: datetime | None = None) -> None:
    expires = parse_time(signed["expires"])
    if (now or utc_now()) >= expires:
        raise ExpiredError(f"{signed['_type']} metadata expired at {signed['expires']}")


def check_version(signed: Mapping[str, Any], seen: int | None) -> None:
    """Refuse a version lower than the highest one already trusted."""
    if seen is not None and signed["version"] < seen:
        raise RollbackError(
            f"{signed['_type']} version {signed['version']} is older than trusted version {seen}"
        )


def check_meta(body: bytes, expected: Mapping[str, Any], name: str) -> None:
    """``body`` must be exactly the document signed metadata describes."""
    if len(body) != expected["length"]:
        raise MismatchError(
            f"{name} is {len(body)} bytes; signed metadata says {expected['length']}"
        )
    if hashlib.sha256(body).hexdigest() != expected["sha256"]:
        raise MismatchError(f"{name} does not match the hash in signed metadata")


def check_meta_version(signed: Mapping[str, Any], expected: Mapping[str, Any], name: str) -> None:
    if signed["version"] != expected["version"]:
        raise MismatchError(
            f"{name} is version {signed['version']}; signed metadata names {expected['version']}"
        )


def load_trusted_root(body: bytes, max_bytes: int = MAX_METADATA_BYTES) -> dict[str, Any]:
    """A root shipped out of band (policy/settings): must carry its own threshold."""
    doc = parse_document(body, "root", max_bytes)
    verify_signatures(doc, doc["signed"], "root")
    return doc["signed"]


__all__ = [
    "MAX_METADATA_BYTES", "METADATA_SIG_CONTEXT", "ROLES", "SNAPSHOT_NAME", "TARGETS_NAME",
    "TARGET_FIELDS", "ExpiredError", "MetadataError", "MetadataFormatError", "MismatchError",
    "RollbackError", "ThresholdError", "TooLargeError", "check_expiry", "check_meta",
    "check_meta_version", "check_signed", "check_target", "check_version", "format_time",
    "key_entry", "load_trusted_root", "meta_info", "parse_document", "parse_time",
    "root_signed", "sign", "snapshot_signed", "targets_signed", "timestamp_signed", "utc_now",
    "verify_document", "verify_root_update", "verify_signatures",
]  # fmt: skip
