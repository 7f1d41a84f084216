"""Verifying packages: in memory for running, atomically to disk for extraction."""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType

from finclip_desktop.package.errors import (
    DestinationExistsError,
    HashMismatchError,
    ManifestInvalidError,
    ManifestMissingError,
    ManifestTooLargeError,
    MissingFileError,
    PackageError,
    SignatureMissingError,
    SizeMismatchError,
    TooLargeError,
    TooManyEntriesError,
    UnlistedFileError,
)
from finclip_desktop.package.manifest import (
    MANIFEST_NAME,
    RESERVED_NAMES,
    SIGNATURE_NAME,
    Manifest,
)
from finclip_desktop.package.signing import (
    TrustStore,
    parse_signature,
    verify_manifest_signature,
)
from finclip_desktop.package.zipformat import Limits, check_path, read_archive


@dataclass(frozen=True)
class VerifiedPackage:
    """A package whose every byte has been checked. ``signer`` is the key id that signed it;
    it is ``None`` only for results of :func:`inspect_package`, whose signer is not trusted."""

    manifest: Manifest
    manifest_bytes: bytes
    signature: bytes
    signer: str | None
    files: Mapping[str, bytes]

    @property
    def manifest_sha256(self) -> str:
        return hashlib.sha256(self.manifest_bytes).hexdigest()

    def read(self, path: str) -> bytes:
        """Content of one file; KeyError when the package has no such file."""
        return self.files[path]

    def paths(self) -> list[str]:
        return sorted(self.files)


def _load(src: Path | bytes, limits: Limits) -> bytes:
    if isinstance(src, bytes):
        return src
    try:
        size = os.stat(src).st_size
        if size > limits.max_archive_bytes:
            raise TooLargeError(
                f"{src} is {size} bytes, over the {limits.max_archive_bytes} byte limit"
            )
        return Path(src).read_bytes()
    except OSError as exc:
        raise PackageError(f"cannot read {src}: {exc.strerror}") from None


def _split(entries: dict[str, bytes]) -> tuple[bytes, bytes, dict[str, bytes]]:
    manifest = entries.pop(MANIFEST_NAME, None)
    signature = entries.pop(SIGNATURE_NAME, None)
    if manifest is None:
        raise ManifestMissingError(f"package has no {MANIFEST_NAME}")
    if signature is None:
        raise SignatureMissingError(f"package has no {SIGNATURE_NAME} (it is unsigned)")
    return manifest, signature, entries


def _verify(
    manifest_bytes: bytes,
    sig_bytes: bytes,
    files: Mapping[str, bytes],
    trust: TrustStore | None,
    limits: Limits,
) -> VerifiedPackage:
    if len(manifest_bytes) > limits.max_manifest_bytes:
        raise ManifestTooLargeError(
            f"{MANIFEST_NAME} is {len(manifest_bytes)} bytes, over the "
            f"{limits.max_manifest_bytes} byte limit"
        )
    if trust is None:
        signer = None
        parse_signature(sig_bytes)
    else:
        signer = verify_manifest_signature(manifest_bytes, sig_bytes, trust)
    manifest = Manifest.from_bytes(manifest_bytes)
    if len(manifest.files) > limits.max_entries:
        raise TooManyEntriesError(f"manifest lists more than {limits.max_entries} files")
    if manifest.total_size > limits.max_total_bytes:
        raise TooLargeError(f"manifest lists over {limits.max_total_bytes} bytes of files")
    for path in manifest.files:
        check_path(path, limits)
        if path in RESERVED_NAMES:
            raise ManifestInvalidError(f"manifest lists the reserved name {path!r}")
    unlisted = sorted(set(files) - set(manifest.files))
    if unlisted:
        raise UnlistedFileError(f"file {unlisted[0]!r} is in the package but not in the manifest")
    missing = sorted(set(manifest.files) - set(files))
    if missing:
        raise MissingFileError(f"file {missing[0]!r} is in the manifest but not in the package")
    for path, entry in sorted(manifest.files.items()):
        content = files[path]
        if len(content) != entry.size:
            raise SizeMismatchError(
                f"file {path!r} is {len(content)} bytes; the manifest says {entry.size}"
            )
        if hashlib.sha256(content).hexdigest() != entry.sha256:
            raise HashMismatchError(f"file {path!r} does not match its sha256 in the manifest")
    return VerifiedPackage(
        manifest, manifest_bytes, sig_bytes, signer, MappingProxyType(dict(files))
    )


def verify_parts(
    manifest_bytes: bytes,
    sig_bytes: bytes,
    files: Mapping[str, bytes],
    trust: TrustStore,
    limits: Limits = Limits(),
) -> VerifiedPackage:
    """Verify a package held as parts: manifest, signature and file contents."""
    return _verify(manifest_bytes, sig_bytes, files, trust, limits)


def read_package(
    src: Path | bytes, trust: TrustStore, limits: Limits = Limits()
) -> VerifiedPackage:
    """Read and fully verify a .fcpkg (path or bytes); raise a typed PackageError if any
    byte is wrong or the signer is not trusted."""
    manifest, signature, files = _split(read_archive(_load(src, limits), limits))
    return _verify(manifest, signature, files, trust, limits)


def inspect_package(src: Path | bytes, limits: Limits = Limits()) -> VerifiedPackage:
    """Check structure and file hashes but not who signed it (``signer`` is None).

    For showing what a package holds; never for running it.
    """
    manifest, signature, files = _split(read_archive(_load(src, limits), limits))
    return _verify(manifest, signature, files, None, limits)


def signer_key_id(package: VerifiedPackage) -> str:
    """The key id named in the signature file (trusted or not)."""
    return parse_signature(package.signature)[0]


def extract_package(
    src: Path | bytes, dest: Path, trust: TrustStore, limits: Limits = Limits()
) -> VerifiedPackage:
    """Verify the whole package, then write its files to ``dest`` (which must not exist).

    Files go to a temporary folder beside ``dest`` that is renamed into place only when
    complete, so ``dest`` either does not exist or holds the whole verified package.
    """
    dest = Path(dest)
    if dest.exists() or dest.is_symlink():
        raise DestinationExistsError(f"{dest} already exists")
    package = read_package(src, trust, limits)
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{dest.name}.", dir=dest.parent))
    try:
        for path, content in package.files.items():
            target = tmp.joinpath(*path.split("/"))
            target.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o644)
            with os.fdopen(fd, "wb") as fh:
                fh.write(content)
                fh.flush()
                os.fsync(fh.fileno())
        os.rename(tmp, dest)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return package
