"""The .fcpkg package format: manifest, canonical archive, Ed25519 signatures, trust.

Pure Python (no Qt): used by the shell, the CLI, the store and the server alike.
"""

from finclip_desktop.package.appcheck import validate_app
from finclip_desktop.package.builder import (
    app_settings,
    build_archive,
    collect_files,
    make_manifest,
    write_atomic,
)
from finclip_desktop.package.errors import *  # noqa: F403 - the typed errors are part of the API
from finclip_desktop.package.errors import AppError, PackageError
from finclip_desktop.package.limits import Limits, check_path
from finclip_desktop.package.manifest import (
    DOMAIN_KINDS,
    MANIFEST_NAME,
    SIGNATURE_NAME,
    FileEntry,
    Manifest,
    normalize_domain,
    parse_semver,
)
from finclip_desktop.package.reader import (
    VerifiedPackage,
    check_runtime,
    extract_package,
    inspect_package,
    read_package,
    signer_key_id,
    verify_parts,
)
from finclip_desktop.package.signing import (
    TrustStore,
    generate_key,
    key_id,
    load_private_key,
    load_public_key,
    parse_public_key,
    public_key_bytes,
    public_key_text,
    save_private_key,
    sign_manifest,
)

__all__ = [
    "DOMAIN_KINDS", "MANIFEST_NAME", "SIGNATURE_NAME", "AppError", "FileEntry", "Limits",
    "Manifest", "PackageError", "TrustStore", "VerifiedPackage", "app_settings",
    "build_archive", "check_path", "check_runtime", "collect_files", "extract_package",
    "generate_key", "inspect_package", "key_id", "load_private_key", "load_public_key",
    "make_manifest", "normalize_domain", "parse_public_key", "parse_semver",
    "public_key_bytes", "public_key_text", "read_package", "save_private_key",
    "sign_manifest", "signer_key_id", "validate_app", "verify_parts", "write_atomic",
]  # fmt: skip
