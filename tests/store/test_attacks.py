"""Attacks through a hostile proxy in front of the real server: each is rejected and leaves
the cache (and the trusted metadata) as it was."""

from __future__ import annotations

import itertools
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from finclip_desktop.package import generate_key, key_id, load_private_key
from finclip_desktop.package import metadata as md
from finclip_desktop.package.zipformat import read_archive, write_archive
from finclip_desktop.store import (
    OfflineError,
    ResponseTooLargeError,
    Store,
    VerificationError,
)
from tests.store.conftest import APP_ID, Live, Mitm, app_files, make_store, snapshot_tree

META = "/api/v1/metadata/"


def _replace(body: bytes, status: int = 200) -> Any:
    return lambda method, path, up: (status, {"Content-Type": "application/json"}, body)


def _installed(live: Live, mitm: Mitm, tmp_path: Path) -> Store:
    live.admin.publish("1.0.0")
    store = make_store(mitm.url, tmp_path / "client", live.admin.key)
    store.install(APP_ID)
    return store


def _recording(mitm: Mitm) -> dict[str, bytes]:
    """Record the first timestamp/snapshot/targets the proxy passes through."""
    recorded: dict[str, bytes] = {}
    for role in ("timestamp", "snapshot", "targets"):
        mitm.rules[f"{META}{role}.json"] = lambda m, p, up: (
            recorded.setdefault(p, up.content) and None
        )
    return recorded


def _updated_after_recording(
    live: Live, mitm: Mitm, tmp_path: Path
) -> tuple[dict[str, bytes], Store]:
    """1.0.0 installed with its metadata recorded, then 1.0.1 released and installed: the
    recorded documents are validly signed, unexpired and older than those trusted."""
    recorded = _recording(mitm)
    store = _installed(live, mitm, tmp_path)
    mitm.rules.clear()
    live.admin.publish("1.0.1")
    store.install(APP_ID)
    assert store.installed_version(APP_ID) == "1.0.1"
    return recorded, store


def _write_server_root(live: Live, path: Path) -> Path:
    """The server's current root.json, written to ``path`` (to pin it)."""
    with live.server.session() as session:
        path.write_bytes(live.server.dist.root(session))
    return path


def _rejected(
    store: Store, tmp_path: Path, error: type[Exception], reason: str = "", scope: str = ""
) -> None:
    """The next install fails with ``error``; nothing in the store dir changed (for package
    attacks ``scope="cache"``: the package cache; the metadata then is genuinely newer);
    the installed version still opens."""
    before = snapshot_tree(tmp_path / "client" / scope)
    with pytest.raises(error) as info:
        store.install(APP_ID)
    if reason:
        assert getattr(info.value, "reason", "") == reason, str(info.value)
    assert "\n" not in str(info.value)
    assert snapshot_tree(tmp_path / "client" / scope) == before
    assert store.open(APP_ID).manifest.version == "1.0.0"


def _online_key(live: Live) -> Any:
    return load_private_key(live.data_dir / "keys" / "online.pem")


def _root_keys(live: Live) -> list[Any]:
    return [load_private_key(p) for p in sorted((live.data_dir / "keys/root").glob("*.pem"))]


def _doc(body: bytes) -> dict[str, Any]:
    return md.parse_document(body, _role_of(body))


def _role_of(body: bytes) -> str:
    import json

    return json.loads(body)["signed"]["_type"]


# -- packages -------------------------------------------------------------------------------
def test_tampered_package_full_download(live: Live, mitm: Mitm, tmp_path: Path) -> None:
    store = _installed(live, mitm, tmp_path)
    big = {"data/big.bin": bytes(range(256)) * 4000}
    live.admin.publish("1.0.1", app_files("1.0.1", big))

    def flip(method: str, path: str, up: Any) -> Any:
        if not path.endswith(".fcpkg"):
            return None
        data = bytearray(up.content)
        data[len(data) // 2] ^= 1
        return up.status_code, {"Content-Type": "application/octet-stream"}, bytes(data)

    mitm.rules.update({p: flip for p in _package_paths(live)})
    _rejected(store, tmp_path, VerificationError, "mismatch", scope="cache")


def _package_paths(live: Live) -> list[str]:
    with live.server.session() as session:
        from sqlalchemy import select

        from finclip_desktop.server.models import Version

        shas = session.scalars(select(Version.sha256)).all()
    return [f"/api/v1/packages/{sha}.fcpkg" for sha in shas]


def test_tampered_delta_file(live: Live, mitm: Mitm, tmp_path: Path) -> None:
    store = _installed(live, mitm, tmp_path)
    live.admin.publish("1.0.1", app_files("1.0.1", {"app.js": b"App({v: 2})"}))

    def evil(method: str, path: str, up: Any) -> Any:
        if not path.endswith("/delta"):
            return None
        entries = read_archive(up.content)
        forged = [(name, b"App({evil: 1})") for name in entries]  # same names, other bytes
        return 200, {"Content-Type": "application/zip"}, write_archive(forged)

    for path in _package_paths(live):
        mitm.rules[path.removesuffix(".fcpkg") + "/delta"] = evil
    _rejected(store, tmp_path, VerificationError, "hash", scope="cache")


def test_wrong_package_signer(live: Live, mitm: Mitm, tmp_path: Path) -> None:
    """The server accepts a second developer key the client does not trust."""
    store = _installed(live, mitm, tmp_path)
    other = generate_key()
    live.admin.add_key(other)
    live.admin.publish("1.0.1", key=other)
    _rejected(store, tmp_path, VerificationError, "unknown-signer", scope="cache")


# -- metadata -------------------------------------------------------------------------------
def test_tampered_metadata(live: Live, mitm: Mitm, tmp_path: Path) -> None:
    store = _installed(live, mitm, tmp_path)
    live.admin.publish("1.0.1")

    def tamper(method: str, path: str, up: Any) -> Any:
        body = up.content.replace(b'"mandatory":false', b'"mandatory":true ')
        return 200, {"Content-Type": "application/json"}, body

    mitm.rules[META + "targets.json"] = tamper
    _rejected(store, tmp_path, VerificationError, "mismatch")
    # and a timestamp whose signed part was edited (signature no longer matches)
    mitm.rules.clear()

    def edit_ts(method: str, path: str, up: Any) -> Any:
        doc = _doc(up.content)
        doc["signed"]["expires"] = "2099-01-01T00:00:00Z"
        from finclip_desktop.package.canonical import canonical_json

        return 200, {}, canonical_json(doc)

    mitm.rules[META + "timestamp.json"] = edit_ts
    _rejected(store, tmp_path, VerificationError, "signature-threshold")


def test_metadata_signed_by_wrong_key(live: Live, mitm: Mitm, tmp_path: Path) -> None:
    store = _installed(live, mitm, tmp_path)
    attacker = generate_key()

    def forge(method: str, path: str, up: Any) -> Any:
        signed = _doc(up.content)["signed"]
        signed["version"] += 1
        return 200, {}, md.sign(signed, [attacker])

    mitm.rules[META + "timestamp.json"] = forge
    _rejected(store, tmp_path, VerificationError, "signature-threshold")


def test_rollback_to_older_metadata(live: Live, mitm: Mitm, tmp_path: Path) -> None:
    recorded, store = _updated_after_recording(live, mitm, tmp_path)
    # replay the old (still unexpired, validly signed) documents: an older release
    for path, body in recorded.items():
        mitm.rules[path] = _replace(body)
    before = snapshot_tree(tmp_path / "client")
    with pytest.raises(VerificationError) as info:
        store.install(APP_ID)
    assert info.value.reason == "rollback"
    assert snapshot_tree(tmp_path / "client") == before
    assert store.open(APP_ID).manifest.version == "1.0.1"
    # also after a restart of the client (the versions seen are persisted)
    store.close()
    again = make_store(mitm.url, tmp_path / "client", live.admin.key)
    with pytest.raises(VerificationError):
        again.install(APP_ID)
    again.close()


def test_freeze_expired_timestamp(live: Live, mitm: Mitm, tmp_path: Path) -> None:
    """A validly signed but expired timestamp (a server frozen in time) is refused."""
    store = _installed(live, mitm, tmp_path)
    online = _online_key(live)

    def frozen(method: str, path: str, up: Any) -> Any:
        signed = _doc(up.content)["signed"]
        signed["version"] += 1
        signed["expires"] = md.format_time(datetime.now(UTC) - timedelta(minutes=5))
        return 200, {}, md.sign(signed, [online])

    mitm.rules[META + "timestamp.json"] = frozen
    _rejected(store, tmp_path, VerificationError, "expired")
    with pytest.raises(VerificationError):
        store.check_updates()


def test_forged_not_modified_holds_only_until_expiry(
    live: Live, mitm: Mitm, tmp_path: Path
) -> None:
    """A proxy answering 304 to every timestamp request hides new releases (a freeze) only
    as long as the timestamp the client trusts is unexpired: it is verified again each time."""
    store = _installed(live, mitm, tmp_path)
    mitm.rules[META + "timestamp.json"] = lambda method, path, up: (304, {}, b"")
    live.admin.publish("1.0.1")
    assert store.check_updates() == []
    assert store.installed_version(APP_ID) == "1.0.0"
    with pytest.raises(VerificationError) as info:
        store.metadata.refresh(store._http(), now=datetime.now(UTC) + timedelta(days=2))
    assert info.value.reason == "expired"


def test_mix_and_match(live: Live, mitm: Mitm, tmp_path: Path) -> None:
    """Old targets served with a new snapshot/timestamp: each file is validly signed,
    but the snapshot names another targets document."""
    old_targets: dict[str, bytes] = {}
    mitm.rules[META + "targets.json"] = lambda m, p, up: (
        old_targets.setdefault("body", up.content) and None
    )
    store = _installed(live, mitm, tmp_path)
    live.admin.publish("1.0.1")
    mitm.rules[META + "targets.json"] = _replace(old_targets["body"])
    _rejected(store, tmp_path, VerificationError, "mismatch")


# -- endless data -----------------------------------------------------------------------------
def _endless() -> Iterator[bytes]:
    yield b'{"signed":'
    for _ in itertools.count():
        yield b" " * 65536


@pytest.mark.parametrize("role", ["timestamp", "snapshot", "targets", "root"])
def test_endless_metadata(live: Live, mitm: Mitm, tmp_path: Path, role: str) -> None:
    store = _installed(live, mitm, tmp_path)
    live.admin.publish("1.0.1")
    path = f"{META}2.root.json" if role == "root" else f"{META}{role}.json"
    mitm.rules[path] = lambda m, p, up: (200, {"Content-Type": "application/json"}, _endless())
    _rejected(store, tmp_path, ResponseTooLargeError)


def test_endless_package_and_declared_size(live: Live, mitm: Mitm, tmp_path: Path) -> None:
    store = _installed(live, mitm, tmp_path)
    live.admin.publish("1.0.1", app_files("1.0.1", {"data/big.bin": b"x" * 300_000}))
    rules = {p: (lambda m, pa, up: (200, {}, _endless())) for p in _package_paths(live)}
    mitm.rules.update(rules)
    _rejected(store, tmp_path, ResponseTooLargeError, scope="cache")
    huge = {"Content-Length": str(10**12)}
    mitm.rules[META + "timestamp.json"] = lambda m, p, up: (200, huge, iter([b"{}"]))
    _rejected(store, tmp_path, ResponseTooLargeError)


# -- root rotation ----------------------------------------------------------------------------
def test_root_rotation_accepted(live: Live, mitm: Mitm, tmp_path: Path) -> None:
    store = _installed(live, mitm, tmp_path)
    with live.server.session() as session:
        assert live.server.dist.rotate_root(session, rotate_online=True) == 2
    live.admin.publish("1.0.1")
    assert store.install(APP_ID).manifest.version == "1.0.1"
    assert store.metadata.root["version"] == 2
    assert META + "2.root.json" in mitm.seen


def _next_root(live: Live, signers: list[Any], root_keys: list[Any]) -> bytes:
    online = _online_key(live)
    signed = md.root_signed(
        2,
        datetime.now(UTC) + timedelta(days=30),
        {"root": (root_keys, 1), "targets": ([online], 1), "snapshot": ([online], 1),
         "timestamp": ([online], 1)},
    )  # fmt: skip
    return md.sign(signed, signers)


def test_root_rotation_rejected(live: Live, mitm: Mitm, tmp_path: Path) -> None:
    store = _installed(live, mitm, tmp_path)
    old = _root_keys(live)
    new = generate_key()
    # signed by the new key only: not authorised by the trusted root
    mitm.rules[META + "2.root.json"] = _replace(_next_root(live, [new], [new]))
    _rejected(store, tmp_path, VerificationError, "signature-threshold")
    # signed by the old keys only: the new root does not meet its own threshold
    mitm.rules[META + "2.root.json"] = _replace(_next_root(live, old, [new]))
    _rejected(store, tmp_path, VerificationError, "signature-threshold")
    # root 2 served as 2.root.json but claiming version 3
    bad = md.sign(
        {**md.parse_document(_next_root(live, old + [new], [new]), "root")["signed"],
         "version": 3},
        old + [new],
    )  # fmt: skip
    mitm.rules[META + "2.root.json"] = _replace(bad)
    _rejected(store, tmp_path, VerificationError, "rollback")
    assert store.metadata.root["version"] == 1


def test_pinned_root_refuses_other_server(live: Live, tmp_path: Path) -> None:
    """With a pinned root (policy), a server whose metadata is signed by other keys fails."""
    key = generate_key()
    other_root = md.sign(
        md.root_signed(1, datetime.now(UTC) + timedelta(days=1), {r: ([key], 1) for r in md.ROLES}),
        [key],
    )
    root_file = tmp_path / "root.json"
    root_file.write_bytes(other_root)
    live.admin.publish("1.0.0")
    store = make_store(live.url, tmp_path / "client", live.admin.key, root_file=root_file)
    with pytest.raises(VerificationError):
        store.install(APP_ID)
    assert not any((tmp_path / "client/cache/blobs").iterdir())
    # the server's real root, pinned, works
    _write_server_root(live, root_file)
    ok = make_store(live.url, tmp_path / "client2", live.admin.key, root_file=root_file)
    assert ok.install(APP_ID).manifest.version == "1.0.0"


def test_same_version_other_bytes(live: Live, mitm: Mitm, tmp_path: Path) -> None:
    """A validly signed timestamp re-issued under a version already trusted is refused."""
    store = _installed(live, mitm, tmp_path)
    online = _online_key(live)

    def reissue(method: str, path: str, up: Any) -> Any:
        signed = _doc(up.content)["signed"]
        signed["expires"] = md.format_time(datetime.now(UTC) + timedelta(days=400))
        return 200, {}, md.sign(signed, [online])

    mitm.rules[META + "timestamp.json"] = reissue
    _rejected(store, tmp_path, VerificationError, "mismatch")


def test_rollback_seen_by_another_process(live: Live, mitm: Mitm, tmp_path: Path) -> None:
    """Store B started before store A (same folder) moved the metadata forward: B reloads the
    persisted versions before trusting anything, so a replay of the older ones fails."""
    recorded = _recording(mitm)
    a = _installed(live, mitm, tmp_path)
    b = make_store(mitm.url, tmp_path / "client", live.admin.key)
    mitm.rules.clear()
    live.admin.publish("1.0.1")
    a.install(APP_ID)
    for path, body in recorded.items():
        mitm.rules[path] = _replace(body)
    with pytest.raises(VerificationError) as info:
        b.install(APP_ID)
    assert info.value.reason == "rollback"
    assert b.open(APP_ID).manifest.version == "1.0.1"


def test_slow_retrieval(live: Live, mitm: Mitm, tmp_path: Path) -> None:
    """A server dripping a metadata document byte by byte is cut off by the deadline."""
    store = _installed(live, mitm, tmp_path)
    store.client.total_timeout = 1.5

    def drip() -> Iterator[bytes]:
        for _ in range(100):
            time.sleep(0.2)
            yield b" "

    mitm.rules[META + "timestamp.json"] = lambda m, p, up: (200, {}, drip())
    _rejected(store, tmp_path, OfflineError)


# -- trust resets -----------------------------------------------------------------------------
def test_forged_401_keeps_rollback_protection(live: Live, mitm: Mitm, tmp_path: Path) -> None:
    """A proxy answers one device call with 401: the client registers again (the server
    might have forgotten it) and drops the documents of its old identity, but not the
    versions it trusted: replaying older, validly signed metadata still fails."""
    recorded, store = _updated_after_recording(live, mitm, tmp_path)
    first = store.register().device_id
    forged: list[str] = []

    def unauthorized_once(method: str, path: str, up: Any) -> Any:
        if not forged:
            forged.append(path)
            return 401, {"Content-Type": "application/json"}, b'{"error": "unknown device"}'
        return 200, {}, recorded[path]

    mitm.rules[META + "timestamp.json"] = unauthorized_once
    for role in ("snapshot", "targets"):
        mitm.rules[f"{META}{role}.json"] = _replace(recorded[f"{META}{role}.json"])
    before = snapshot_tree(tmp_path / "client" / "cache")
    with pytest.raises(VerificationError) as info:
        store.install(APP_ID)
    assert info.value.reason == "rollback", str(info.value)
    assert forged and store.register().device_id != first  # it did register again
    assert snapshot_tree(tmp_path / "client" / "cache") == before
    assert store.open(APP_ID).manifest.version == "1.0.1"
    store.close()
    again = make_store(mitm.url, tmp_path / "client", live.admin.key)  # after a restart too
    with pytest.raises(VerificationError):
        again.install(APP_ID)
    assert again.open(APP_ID).manifest.version == "1.0.1"
    again.close()


def _stranger_root(tmp_path: Path) -> tuple[Path, Any]:
    key = generate_key()
    signed = md.root_signed(1, datetime.now(UTC) + timedelta(days=1),
                            {r: ([key], 1) for r in md.ROLES})  # fmt: skip
    path = tmp_path / "stranger-root.json"
    path.write_bytes(md.sign(signed, [key]))
    return path, key


def test_pin_replaces_a_root_trusted_on_first_use(live: Live, tmp_path: Path) -> None:
    """A root trusted on first use (perhaps an attacker's) does not outlive a pin: once
    policy or --root pins another root, metadata must chain from the pin."""
    live.admin.publish("1.0.0")
    tofu = make_store(live.url, tmp_path / "client", live.admin.key)
    tofu.install(APP_ID)
    tofu.close()
    pin, key = _stranger_root(tmp_path)
    pinned = make_store(live.url, tmp_path / "client", live.admin.key, root_file=pin)
    assert list(pinned.metadata.root["keys"]) == [key_id(key)]
    with pytest.raises(VerificationError) as info:
        pinned.install(APP_ID)
    assert info.value.reason == "signature-threshold"
    assert pinned.open(APP_ID).manifest.version == "1.0.0"  # the installed app still opens
    pinned.close()
    # the server's real root pinned instead: it chains from nothing stored, so it starts over
    real = _write_server_root(live, tmp_path / "real-root.json")
    fixed = make_store(live.url, tmp_path / "client", live.admin.key, root_file=real)
    assert fixed.install(APP_ID).manifest.version == "1.0.0"
    fixed.close()


def test_pin_of_the_stored_chain_keeps_its_versions(live: Live, mitm: Mitm, tmp_path: Path) -> None:
    """Pinning the very root that was trusted on first use keeps the stored state: the
    versions seen still refuse older metadata."""
    recorded, store = _updated_after_recording(live, mitm, tmp_path)
    store.close()
    pin = _write_server_root(live, tmp_path / "root.json")
    pinned = make_store(mitm.url, tmp_path / "client", live.admin.key, root_file=pin)
    for path, body in recorded.items():
        mitm.rules[path] = _replace(body)
    with pytest.raises(VerificationError) as info:
        pinned.install(APP_ID)
    assert info.value.reason == "rollback"
    pinned.close()


def test_reset_to_a_new_pin_keeps_installed_versions(
    live: Live, mitm: Mitm, tmp_path: Path
) -> None:
    """A pinned root the stored chain never reached (root 2, while the client holds root 1)
    discards the stored metadata and its versions; the installed app versions stay
    protected: replayed older metadata may be trusted again, but its older app version is
    not installed, until the server names the installed version again."""
    recorded, store = _updated_after_recording(live, mitm, tmp_path)
    store.close()
    with live.server.session() as session:
        assert live.server.dist.rotate_root(session, rotate_online=False) == 2
        pin_body = live.server.dist.root(session)
    pin = tmp_path / "root-2.json"
    pin.write_bytes(pin_body)
    pinned = make_store(mitm.url, tmp_path / "client", live.admin.key, root_file=pin)
    assert pinned.metadata.root["version"] == 2
    for path, body in recorded.items():
        mitm.rules[path] = _replace(body)
    before = snapshot_tree(tmp_path / "client" / "cache")
    with pytest.raises(VerificationError) as info:
        pinned.install(APP_ID)
    assert info.value.reason == "rollback"
    assert "older than the installed 1.0.1" in str(info.value)
    (update,) = pinned.check_updates()
    assert (update.version, update.staged) == ("1.0.0", False)
    assert snapshot_tree(tmp_path / "client" / "cache") == before
    assert pinned.open(APP_ID).manifest.version == "1.0.1"
    mitm.rules.clear()  # the real, newer metadata names 1.0.1: the guard is lifted
    assert pinned.install(APP_ID).manifest.version == "1.0.1"
    assert pinned.metadata.state.guard == {}
    pinned.close()
