"""Ed25519 keys, detached package signatures and the trust store.

A key id is the hex sha256 of the raw 32-byte public key. Package signatures cover
``PACKAGE_SIG_CONTEXT + canonical manifest bytes`` so they can never be replayed as a
signature over some other kind of message.

``cryptography`` is imported by the functions that use a key, not at import: running a
developer folder (no signature to check) does not load it.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import os
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from finclip_desktop.package.canonical import canonical_json, strict_loads
from finclip_desktop.package.errors import (
    KeyFileError,
    SignatureInvalidError,
    UnknownSignerError,
)
from finclip_desktop.package.fileio import FileTooLargeError, SpecialFileError, read_regular_file

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import (
        Ed25519PrivateKey,
        Ed25519PublicKey,
    )

PACKAGE_SIG_CONTEXT = b"finclip-package-v1\0"
_MAX_KEY_FILE = 16 * 1024


def generate_key() -> Ed25519PrivateKey:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    return Ed25519PrivateKey.generate()


def public_key_bytes(key: Ed25519PublicKey | Ed25519PrivateKey) -> bytes:
    """The raw 32 bytes of a public key (or of a private key's public half)."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    if isinstance(key, Ed25519PrivateKey):
        key = key.public_key()
    return key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def key_id(key: Ed25519PublicKey | Ed25519PrivateKey | bytes) -> str:
    raw = key if isinstance(key, bytes) else public_key_bytes(key)
    return hashlib.sha256(raw).hexdigest()


def public_key_text(key: Ed25519PublicKey | Ed25519PrivateKey) -> str:
    """Base64 of the raw public key: the form used in policy files and printed by keygen."""
    return base64.b64encode(public_key_bytes(key)).decode("ascii")


def save_private_key(key: Ed25519PrivateKey, path: Path) -> Path:
    """Write the private key (PKCS#8 PEM, mode 0600) and its public key next to it (.pub).

    Refuses to overwrite either file; on any failure neither is left behind.
    Returns the public key's path.
    """
    from cryptography.hazmat.primitives import serialization

    path = Path(path)
    pub_path = Path(f"{path}.pub")
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    pub_pem = key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    created: list[Path] = []
    target = path
    try:
        for target, data, mode in ((path, pem, 0o600), (pub_path, pub_pem, 0o666)):
            fd = os.open(target, flags, mode)
            created.append(target)
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
        target = path
        os.chmod(path, 0o600)  # exactly 0600, whatever the umask
    except OSError as exc:
        for done in created:
            done.unlink(missing_ok=True)
        if isinstance(exc, FileExistsError):
            raise KeyFileError(f"{target} already exists; refusing to overwrite a key") from None
        raise KeyFileError(f"cannot write {target}: {exc.strerror or exc}") from None
    return pub_path


def _read_key_file(path: Path) -> bytes:
    try:
        return read_regular_file(path, _MAX_KEY_FILE)
    except FileTooLargeError:
        raise KeyFileError(f"{path} is too large to be a key file") from None
    except SpecialFileError:
        raise KeyFileError(f"cannot read key file {path}: not a regular file") from None
    except OSError as exc:
        raise KeyFileError(f"cannot read key file {path}: {exc.strerror or exc}") from None


def load_private_key(path: Path) -> Ed25519PrivateKey:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    data = _read_key_file(path)
    try:
        key = serialization.load_pem_private_key(data, password=None)
    except (ValueError, TypeError):
        raise KeyFileError(f"{path} is not an unencrypted PEM private key") from None
    if not isinstance(key, Ed25519PrivateKey):
        raise KeyFileError(f"{path} holds a {type(key).__name__}, not an Ed25519 key")
    return key


def parse_public_key(text: str | bytes) -> Ed25519PublicKey:
    """Accept a PEM public key or base64 of the raw 32 bytes."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    data = text.encode("ascii", "replace") if isinstance(text, str) else text
    if b"-----BEGIN" in data:
        try:
            key = serialization.load_pem_public_key(data)
        except (ValueError, TypeError):
            raise KeyFileError("not a valid PEM public key") from None
        if not isinstance(key, Ed25519PublicKey):
            raise KeyFileError(f"public key is {type(key).__name__}, not Ed25519")
        return key
    try:
        raw = base64.b64decode(data.strip(), validate=True)
    except (binascii.Error, ValueError):
        raise KeyFileError("public key is neither PEM nor base64") from None
    if len(raw) != 32:
        raise KeyFileError(f"raw Ed25519 public key must be 32 bytes, got {len(raw)}")
    return Ed25519PublicKey.from_public_bytes(raw)


def load_public_key(path: Path) -> Ed25519PublicKey:
    try:
        return parse_public_key(_read_key_file(path))
    except KeyFileError as exc:
        raise KeyFileError(f"{path}: {exc}") from None


class TrustStore:
    """Maps key ids to the public keys whose package signatures are accepted."""

    def __init__(self, keys: Iterable[Ed25519PublicKey] = ()) -> None:
        self._keys: dict[str, Ed25519PublicKey] = {}
        for key in keys:
            self.add(key)

    def add(self, key: Ed25519PublicKey) -> str:
        kid = key_id(key)
        self._keys[kid] = key
        return kid

    def get(self, kid: str) -> Ed25519PublicKey | None:
        return self._keys.get(kid)

    def __contains__(self, kid: object) -> bool:
        return kid in self._keys

    def __len__(self) -> int:
        return len(self._keys)

    def key_ids(self) -> list[str]:
        return sorted(self._keys)

    @classmethod
    def from_texts(cls, texts: Iterable[str]) -> TrustStore:
        """Build from PEM or base64 public keys (the forms used in settings and policy)."""
        return cls(parse_public_key(t) for t in texts)

    @classmethod
    def from_files(cls, paths: Iterable[Path]) -> TrustStore:
        return cls(load_public_key(p) for p in paths)


def sign_manifest(manifest_bytes: bytes, key: Ed25519PrivateKey) -> bytes:
    """The content of ``finclip.sig`` for these manifest bytes."""
    sig = key.sign(PACKAGE_SIG_CONTEXT + manifest_bytes)
    return canonical_json({"keyid": key_id(key), "sig": base64.b64encode(sig).decode("ascii")})


def parse_signature(sig_bytes: bytes) -> tuple[str, bytes]:
    """Return (key id, raw signature) from ``finclip.sig`` bytes."""
    try:
        data = strict_loads(sig_bytes)
    except ValueError as exc:
        raise SignatureInvalidError(f"signature file is not valid JSON: {exc}") from None
    if not isinstance(data, dict) or set(data) != {"keyid", "sig"}:
        raise SignatureInvalidError("signature file must hold exactly 'keyid' and 'sig'")
    kid, sig_text = data["keyid"], data["sig"]
    if not isinstance(kid, str) or len(kid) != 64 or not isinstance(sig_text, str):
        raise SignatureInvalidError("signature file has a malformed keyid or sig")
    try:
        sig = base64.b64decode(sig_text, validate=True)
    except (binascii.Error, ValueError):
        raise SignatureInvalidError("signature is not base64") from None
    if len(sig) != 64 or canonical_json(data) != sig_bytes:
        raise SignatureInvalidError("signature file is not in canonical form")
    return kid, sig


def verify_manifest_signature(manifest_bytes: bytes, sig_bytes: bytes, trust: TrustStore) -> str:
    """Check the detached signature; return the signer's key id."""
    from cryptography.exceptions import InvalidSignature

    kid, sig = parse_signature(sig_bytes)
    key = trust.get(kid)
    if key is None:
        raise UnknownSignerError(f"signed by unknown key {kid[:16]}…; it is not in the trust store")
    try:
        key.verify(sig, PACKAGE_SIG_CONTEXT + manifest_bytes)
    except InvalidSignature:
        raise SignatureInvalidError(
            f"signature by key {kid[:16]}… does not match the manifest"
        ) from None
    return kid
