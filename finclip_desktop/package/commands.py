"""`finclip keygen | pack | verify | inspect`."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from finclip_desktop import RUNTIME_VERSION
from finclip_desktop.cli import CliError
from finclip_desktop.package import (
    DOMAIN_KINDS,
    Manifest,
    PackageError,
    RuntimeTooOldError,
    TrustStore,
    VerifiedPackage,
    app_settings,
    build_archive,
    check_runtime,
    collect_files,
    generate_key,
    inspect_package,
    key_id,
    load_private_key,
    load_public_key,
    normalize_domain,
    parse_public_key,
    public_key_text,
    read_package,
    save_private_key,
    signer_key_id,
    validate_app,
    write_atomic,
)


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "keygen",
        help="create an Ed25519 signing key",
        description="Create an Ed25519 signing key (private key file mode 0600, "
        "public key beside it as KEY.pub).",
    )
    p.add_argument("--out", required=True, type=Path, help="private key file to create")
    p.set_defaults(func=cmd_keygen)

    p = sub.add_parser(
        "pack",
        help="pack and sign a mini-program folder",
        description="Check, pack and sign a mini-program folder into a .fcpkg. "
        "App id, name and version come from project.config.json / "
        "finclip.config.json unless given as flags.",
    )
    p.add_argument("dir", type=Path, help="the mini-program folder")
    p.add_argument("--key", required=True, type=Path, help="private key file (from keygen)")
    p.add_argument("-o", "--out", type=Path, help="output file (default: APPID-VERSION.fcpkg)")
    p.add_argument("--app-id", help="app id (lowercase letters, digits, '-', '.')")
    p.add_argument("--name", help="display name")
    p.add_argument("--version", dest="app_version", help="semantic version, like 1.2.3")
    p.add_argument(
        "--permission",
        action="append",
        default=[],
        metavar="SCOPE",
        help="declare a permission scope (repeatable), like scope.clipboardRead",
    )
    p.add_argument(
        "--domain",
        action="append",
        default=[],
        metavar="KIND=HOST",
        help=f"allow a domain (repeatable); KIND is one of {', '.join(DOMAIN_KINDS)}",
    )
    p.set_defaults(func=cmd_pack)

    p = sub.add_parser(
        "verify",
        help="verify a package's integrity and signer",
        description="Verify every byte of a .fcpkg and that a trusted key signed "
        "it. Exit 0 with a summary when valid, 1 with the reason when not.",
    )
    p.add_argument("package", type=Path)
    p.add_argument(
        "--trust",
        action="append",
        default=[],
        type=Path,
        metavar="PUBKEY_FILE",
        help="trust this public key (PEM or base64; repeatable)",
    )
    p.set_defaults(func=cmd_verify)

    p = sub.add_parser(
        "inspect",
        help="show a package's manifest, files and signer",
        description="Show what a .fcpkg holds. Checks integrity, not trust.",
    )
    p.add_argument("package", type=Path)
    p.add_argument("--json", action="store_true", help="print the manifest as JSON")
    p.set_defaults(func=cmd_inspect)


def cmd_keygen(args: argparse.Namespace) -> int:
    key = generate_key()
    try:
        pub_path = save_private_key(key, args.out)
    except PackageError as exc:
        raise CliError(str(exc)) from None
    print(f"private key: {args.out} (keep it secret)")
    print(f"public key:  {pub_path}")
    print(f"key id:      {key_id(key)}")
    print(f"public key (base64): {public_key_text(key)}")
    return 0


def _parse_domains(values: list[str]) -> dict[str, list[str]]:
    domains: dict[str, list[str]] = {}
    for value in values:
        kind, sep, host = value.partition("=")
        if not sep or kind not in DOMAIN_KINDS or not host:
            raise CliError(f"--domain {value!r}: expected KIND=HOST with KIND in {DOMAIN_KINDS}")
        try:
            domains.setdefault(kind, []).append(normalize_domain(host))
        except ValueError as exc:
            raise CliError(f"--domain {value!r}: {exc}") from None
    return domains


def cmd_pack(args: argparse.Namespace) -> int:
    overrides = {
        "app_id": args.app_id,
        "name": args.name,
        "version": args.app_version,
        "permissions": args.permission,
        "domains": _parse_domains(args.domain),
    }
    try:
        settings = app_settings(args.dir, overrides)
        key = load_private_key(args.key)
        files = collect_files(args.dir)
        validate_app(files)
        _compile_check(files)
        manifest, data = build_archive(files, settings, key)
    except PackageError as exc:
        raise CliError(f"cannot pack {args.dir}: {exc}") from None
    out = args.out or Path(f"{manifest.app_id}-{manifest.version}.fcpkg")
    try:
        write_atomic(out, data)
    except OSError as exc:
        raise CliError(f"cannot write {out}: {exc.strerror}") from None
    print(
        f"packed {manifest.app_id} {manifest.version}: {len(manifest.files)} files, "
        f"{len(data)} bytes -> {out}"
    )
    print(f"signed by key {key_id(key)}")
    return 0


def _compile_check(files: dict[str, bytes]) -> None:
    """Refuse an app whose WXML/WXSS/WXS does not compile (CompileError names file:line:col)."""
    from finclip_desktop import runtime

    if "app.json" in files:
        try:
            runtime.build_app(files)
        except runtime.CompileError as exc:
            raise PackageError(f"compile error: {exc}") from None


def _runtime_note(m: Manifest) -> str:
    """What runtime the package needs, and whether this one is new enough."""
    try:
        check_runtime(m)
    except RuntimeTooOldError:
        return f"needs runtime >= {m.min_runtime} (this runtime, {RUNTIME_VERSION}, is too old)"
    return f"needs runtime >= {m.min_runtime}"


def _summary(pkg: VerifiedPackage) -> str:
    m = pkg.manifest
    return (
        f"{m.app_id} {m.version} ({m.name}): {len(m.files)} files, {m.total_size} bytes; "
        f"{_runtime_note(m)}; signer {signer_key_id(pkg)}"
    )


def _trust_store(extra: list[Path]) -> TrustStore:
    """Keys trusted by settings and managed policy, plus the given public key files.

    A bad key here is a configuration error, reported as such (never as the package's).
    """
    from finclip_desktop.policy import PolicyError
    from finclip_desktop.settings import SettingsError, SettingsStore

    try:
        trusted = SettingsStore().effective.trusted_keys
        store = TrustStore(map(parse_public_key, trusted))
    except (PolicyError, SettingsError) as exc:
        raise CliError(str(exc)) from None
    except PackageError as exc:
        raise CliError(f"a trusted key in settings or policy is invalid: {exc}") from None
    for path in extra:
        try:
            store.add(load_public_key(path))
        except PackageError as exc:
            raise CliError(f"--trust {exc}") from None
    return store


def cmd_verify(args: argparse.Namespace) -> int:
    trust = _trust_store(args.trust)
    try:
        # Integrity and trust; the runtime it needs is shown, not enforced (verify may run
        # on a machine other than the one that will run the package).
        pkg = read_package(args.package, trust, runtime=None)
    except PackageError as exc:
        hint = " (pass --trust KEY.pub)" if exc.code == "unknown-signer" and not args.trust else ""
        raise CliError(f"{args.package}: REJECTED: {exc}{hint}") from None
    print(f"OK {_summary(pkg)}")
    return 0


def cmd_inspect(args: argparse.Namespace) -> int:
    try:
        pkg = inspect_package(args.package)
    except PackageError as exc:
        raise CliError(f"{args.package}: REJECTED: {exc}") from None
    m = pkg.manifest
    if args.json:
        print(json.dumps(m.to_dict(), indent=2, ensure_ascii=False))
        return 0
    print(f"app id:      {m.app_id}")
    print(f"name:        {m.name}")
    print(f"version:     {m.version} ({_runtime_note(m)})")
    if m.description:
        print(f"description: {m.description}")
    print(f"signer:      {signer_key_id(pkg)} (not checked against a trust store)")
    print(f"permissions: {', '.join(m.permissions) or '-'}")
    for kind in DOMAIN_KINDS:
        print(f"{kind + ' domains:':<24} {', '.join(m.domains.get(kind, ())) or '-'}")
    print(f"files ({len(m.files)}, {m.total_size} bytes):")
    for path, entry in sorted(m.files.items()):
        print(f"  {entry.size:>9}  {entry.sha256[:12]}  {path}")
    return 0
