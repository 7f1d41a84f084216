"""Verifying packages: in memory for running, atomically to disk for extraction."""

from __future__ import annotations

import hashlib
import os
import shutil
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType

from finclip_desktop import RUNTIME_VERSION
from finclip_desktop.package.errors import (
    DestinationExistsError,
    HashMismatchError,
    ManifestInvalidError,
    ManifestMissingError,
    MissingFileError,
    ReadError,
    RuntimeTooOldError,
    SignatureMissingError,
    SizeMismatchError,
    UnlistedFileError,
    WriteError,
)
from finclip_desktop.package.fileio import (
    FileTooLargeError,
    SpecialFileError,
    read_regular_file,
    rename_noreplace,
)
from finclip_desktop.package.limits import (
    DEFAULT_LIMITS,
    EntryRules,
    Limits,
    archive_too_large,
    check_manifest_size,
)
from finclip_desktop.package.manifest import (
    MANIFEST_NAME,
    RESERVED_NAMES,
    SIGNATURE_NAME,
    Manifest,
    parse_semver,
)
from finclip_desktop.package.signing import (
    TrustStore,
    parse_signature,
    verify_manifest_signature,
)
from finclip_desktop.package.zipformat import read_archive


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
    """The package bytes: a regular file read with a bound (never a pipe or device)."""
    if isinstance(src, bytes):
        return src
    try:
        return read_regular_file(src, limits.max_archive_bytes)
    except FileTooLargeError as exc:
        raise archive_too_large(exc.size, limits) from None
    except SpecialFileError:
        raise ReadError(f"cannot read {src}: not a regular file") from None
    except OSError as exc:
        raise ReadError(f"cannot read {src}: {exc.strerror or exc}") from None


def check_runtime(manifest: Manifest, runtime: str = RUNTIME_VERSION) -> None:
    """Refuse a package whose ``min_runtime`` is newer than ``runtime``."""
    if parse_semver(manifest.min_runtime) > parse_semver(runtime):
        raise RuntimeTooOldError(
            f"{manifest.app_id} {manifest.version} needs FinClip runtime >= "
            f"{manifest.min_runtime}, this is {runtime}"
        )


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
    runtime: str | None,
) -> VerifiedPackage:
    check_manifest_size(len(manifest_bytes), limits)
    if trust is None:
        signer = None
        parse_signature(sig_bytes)
    else:
        signer = verify_manifest_signature(manifest_bytes, sig_bytes, trust)
    manifest = Manifest.from_bytes(manifest_bytes)
    rules = EntryRules(limits)  # the archive's rules, also for packages held as parts
    rules.add(MANIFEST_NAME, len(manifest_bytes))
    rules.add(SIGNATURE_NAME, len(sig_bytes))
    for path, entry in manifest.files.items():
        if path in RESERVED_NAMES:
            raise ManifestInvalidError(f"manifest lists the reserved name {path!r}")
        rules.add(path, entry.size)
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
    if runtime is not None:
        check_runtime(manifest, runtime)
    return VerifiedPackage(
        manifest, manifest_bytes, sig_bytes, signer, MappingProxyType(dict(files))
    )


def verify_parts(
    manifest_bytes: bytes,
    sig_bytes: bytes,
    files: Mapping[str, bytes],
    trust: TrustStore,
    limits: Limits = DEFAULT_LIMITS,
    runtime: str | None = RUNTIME_VERSION,
) -> VerifiedPackage:
    """Verify a package held as parts: manifest, signature and file contents.

    ``runtime``: refuse a package that needs a newer runtime (None: do not check).
    """
    return _verify(manifest_bytes, sig_bytes, files, trust, limits, runtime)


def read_package(
    src: Path | bytes,
    trust: TrustStore,
    limits: Limits = DEFAULT_LIMITS,
    runtime: str | None = RUNTIME_VERSION,
) -> VerifiedPackage:
    """Read and fully verify a .fcpkg (path or bytes); raise a typed PackageError if any
    byte is wrong, the signer is not trusted or it needs a newer ``runtime`` than this one
    (None: do not check)."""
    manifest, signature, files = _split(read_archive(_load(src, limits), limits))
    return _verify(manifest, signature, files, trust, limits, runtime)


def inspect_package(src: Path | bytes, limits: Limits = DEFAULT_LIMITS) -> VerifiedPackage:
    """Check structure and file hashes but not who signed it (``signer`` is None) nor
    the runtime it needs. For showing what a package holds; never for running it."""
    manifest, signature, files = _split(read_archive(_load(src, limits), limits))
    return _verify(manifest, signature, files, None, limits, None)


def signer_key_id(package: VerifiedPackage) -> str:
    """The key id named in the signature file (trusted or not)."""
    return parse_signature(package.signature)[0]


def _new_folder_beside(dest: Path) -> Path:
    """A fresh, empty folder next to ``dest`` with the usual (umask) permissions."""
    while True:
        tmp = dest.with_name(f".{dest.name}.{os.urandom(6).hex()}.tmp")
        try:
            tmp.mkdir()
            return tmp
        except FileExistsError:
            continue


def _write_tree(root: Path, files: Mapping[str, bytes]) -> None:
    for path, content in files.items():
        target = root.joinpath(*path.split("/"))
        target.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o644)
        with os.fdopen(fd, "wb") as fh:
            fh.write(content)
            fh.flush()
            os.fsync(fh.fileno())


def extract_package(
    src: Path | bytes,
    dest: Path,
    trust: TrustStore,
    limits: Limits = DEFAULT_LIMITS,
    runtime: str | None = RUNTIME_VERSION,
) -> VerifiedPackage:
    """Verify the whole package (as :func:`read_package`), then write its files to ``dest``,
    which must not exist.

    Files go to a temporary folder beside ``dest`` that is renamed into place only when
    complete (never over anything that appeared meanwhile), so ``dest`` either does not
    exist or holds the whole verified package; a failed write leaves nothing behind.
    """
    dest = Path(dest)
    if os.path.lexists(dest):
        raise DestinationExistsError(f"{dest} already exists")
    package = read_package(src, trust, limits, runtime)
    try:
        dest.parent.mkdir(parents=True, exist_ok=True)
        tmp = _new_folder_beside(dest)
    except OSError as exc:
        raise WriteError(f"cannot create {dest}: {exc.strerror or exc}") from None
    try:
        _write_tree(tmp, package.files)
        rename_noreplace(tmp, dest)
    except BaseException as exc:
        shutil.rmtree(tmp, ignore_errors=True)
        if isinstance(exc, FileExistsError) and os.path.lexists(dest):
            raise DestinationExistsError(f"{dest} appeared while extracting") from None
        if isinstance(exc, OSError):
            raise WriteError(f"cannot write {dest}: {exc.strerror or exc}") from None
        raise
    return package
