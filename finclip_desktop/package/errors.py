"""Typed rejections of a package. ``str(error)`` is always one human-readable line."""

from __future__ import annotations


class PackageError(Exception):
    """Base of every reason a package is refused."""

    code = "invalid-package"

    def __init__(self, message: str) -> None:
        super().__init__(" ".join(message.split()))


class ArchiveTooLargeError(PackageError):
    code = "archive-too-large"


class CorruptArchiveError(PackageError):
    """Truncated, appended-to, or otherwise not a canonical .fcpkg archive."""

    code = "corrupt-archive"


class UnsupportedEntryError(PackageError):
    """An entry that is compressed, encrypted or carries fields the format does not allow."""

    code = "unsupported-entry"


class UnsafePathError(PackageError):
    code = "unsafe-path"


class SymlinkError(PackageError):
    code = "symlink"


class DuplicateEntryError(PackageError):
    """Two names that are equal once case and Unicode normalisation are folded."""

    code = "duplicate-entry"


class PathConflictError(PackageError):
    """A file name that is also the folder of another file (``x`` and ``x/y``)."""

    code = "path-conflict"


class TooManyEntriesError(PackageError):
    code = "too-many-entries"


class TooLargeError(PackageError):
    code = "too-large"


class CompressionRatioError(PackageError):
    code = "compression-ratio"


class ManifestMissingError(PackageError):
    code = "manifest-missing"


class ManifestTooLargeError(PackageError):
    code = "manifest-too-large"


class ManifestInvalidError(PackageError):
    code = "manifest-invalid"


class SignatureMissingError(PackageError):
    code = "signature-missing"


class SignatureInvalidError(PackageError):
    """The signature file is malformed, or the signature does not match."""

    code = "bad-signature"


class UnknownSignerError(PackageError):
    code = "unknown-signer"


class UnlistedFileError(PackageError):
    code = "unlisted-file"


class MissingFileError(PackageError):
    code = "missing-file"


class HashMismatchError(PackageError):
    code = "hash-mismatch"


class SizeMismatchError(PackageError):
    code = "size-mismatch"


class RuntimeTooOldError(PackageError):
    """A valid package that declares a ``min_runtime`` newer than this runtime."""

    code = "runtime-too-old"


class ReadError(PackageError):
    """The package file cannot be read (missing, unreadable, not a regular file)."""

    code = "read-error"


class WriteError(PackageError):
    """Extraction could not write the destination (nothing is left behind)."""

    code = "write-error"


class DestinationExistsError(PackageError):
    code = "destination-exists"


class KeyFileError(PackageError):
    """A key file that cannot be read or is not an Ed25519 key."""

    code = "bad-key-file"


class AppError(PackageError):
    """The mini-program itself is invalid (app.json and friends)."""

    code = "invalid-app"
