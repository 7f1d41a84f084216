"""The package manifest ``finclip.json``: what the app is and the hash of every file."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from finclip_desktop.package.canonical import canonical_json, strict_loads
from finclip_desktop.package.errors import ManifestInvalidError

MANIFEST_NAME = "finclip.json"
SIGNATURE_NAME = "finclip.sig"
RESERVED_NAMES = frozenset({MANIFEST_NAME, SIGNATURE_NAME})
FORMAT_VERSION = 1
DOMAIN_KINDS = ("request", "socket", "uploadFile", "downloadFile")

_LABEL = r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?"
# Anchored with \A and \Z (never "$", which also matches before a final newline) and
# used with fullmatch, so a value with a trailing newline can never pass.
APP_ID_RE = re.compile(rf"\A{_LABEL}(?:\.{_LABEL})*\Z")
SEMVER_RE = re.compile(
    r"\A(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)"
    r"(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?"
    r"(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?\Z"
)
SCOPE_RE = re.compile(r"\Ascope\.[A-Za-z][A-Za-z0-9]{0,63}\Z")
HOST_RE = re.compile(rf"\A{_LABEL}(?:\.{_LABEL})*(?::(?:[1-9]\d{{0,4}}))?\Z")
SHA256_RE = re.compile(r"\A[0-9a-f]{64}\Z")
DEFAULT_MIN_RUNTIME = "1.0.0"
# Characters that would let a name or description rewrite what verify/inspect print:
# control characters (C0, DEL, C1), line/paragraph separators and bidi overrides.
_SPOOFING = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
_DOMAIN_PREFIXES = ("https://", "wss://")


def parse_semver(version: str) -> tuple[int, int, int, tuple[Any, ...]]:
    """Sort key for a semantic version; pre-releases sort before their release."""
    match = SEMVER_RE.fullmatch(version) if isinstance(version, str) else None
    if not match:
        raise ValueError(f"{version!r} is not a semantic version (like 1.2.3)")
    major, minor, patch, pre, _build = match.groups()
    if pre is None:
        pre_key: tuple[Any, ...] = (1,)
    else:
        pre_key = (0, *((0, int(p), "") if p.isdigit() else (1, 0, p) for p in pre.split(".")))
    return int(major), int(minor), int(patch), pre_key


def normalize_domain(entry: str) -> str:
    """Turn ``https://API.example.com/`` or ``api.example.com`` into ``api.example.com``."""
    text = entry.strip().lower()
    for prefix in _DOMAIN_PREFIXES:
        if text.startswith(prefix):
            text = text[len(prefix) :]
            break
    text = text.rstrip("/")
    if not HOST_RE.fullmatch(text):
        raise ValueError(f"{entry!r} is not a domain (like https://api.example.com)")
    return text


@dataclass(frozen=True)
class FileEntry:
    sha256: str
    size: int


@dataclass(frozen=True)
class Manifest:
    """Everything a package declares. ``canonical_bytes()`` is what gets signed."""

    app_id: str
    name: str
    version: str
    files: Mapping[str, FileEntry]
    min_runtime: str = DEFAULT_MIN_RUNTIME
    description: str = ""
    icon: str = ""
    permissions: tuple[str, ...] = ()
    domains: Mapping[str, tuple[str, ...]] = field(
        default_factory=lambda: {kind: () for kind in DOMAIN_KINDS}
    )

    def __post_init__(self) -> None:
        _check(self)

    def to_dict(self) -> dict[str, Any]:
        return {
            "format": FORMAT_VERSION,
            "app_id": self.app_id,
            "name": self.name,
            "version": self.version,
            "min_runtime": self.min_runtime,
            "description": self.description,
            "icon": self.icon,
            "permissions": list(self.permissions),
            "domains": {kind: list(self.domains.get(kind, ())) for kind in DOMAIN_KINDS},
            "files": {
                path: {"sha256": e.sha256, "size": e.size} for path, e in sorted(self.files.items())
            },
        }

    def canonical_bytes(self) -> bytes:
        return canonical_json(self.to_dict())

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.canonical_bytes()).hexdigest()

    @property
    def total_size(self) -> int:
        return sum(e.size for e in self.files.values())

    @classmethod
    def from_dict(cls, data: Any) -> Manifest:
        """Build from parsed JSON; raises ManifestInvalidError naming the bad field."""
        if not isinstance(data, dict):
            raise ManifestInvalidError("manifest must be a JSON object")
        allowed = {
            "format", "app_id", "name", "version", "min_runtime", "description", "icon",
            "permissions", "domains", "files",
        }  # fmt: skip
        unknown = sorted(set(data) - allowed)
        if unknown:
            raise ManifestInvalidError(f"manifest has unknown field {unknown[0]!r}")
        if data.get("format") != FORMAT_VERSION:
            raise ManifestInvalidError(
                f"manifest format {data.get('format')!r} is not supported "
                f"(expected {FORMAT_VERSION})"
            )
        files = data.get("files")
        if not isinstance(files, dict):
            raise ManifestInvalidError("manifest field 'files' must be an object")
        entries: dict[str, FileEntry] = {}
        for path, entry in files.items():
            if not isinstance(entry, dict) or set(entry) != {"sha256", "size"}:
                raise ManifestInvalidError(f"manifest entry for {path!r} needs sha256 and size")
            entries[path] = FileEntry(entry["sha256"], entry["size"])
        domains = data.get("domains", {})
        if not isinstance(domains, dict) or set(domains) - set(DOMAIN_KINDS):
            raise ManifestInvalidError(f"manifest field 'domains' may only hold {DOMAIN_KINDS}")
        if not all(isinstance(v, list) for v in domains.values()):
            raise ManifestInvalidError("each domain list in the manifest must be an array")
        permissions = data.get("permissions", [])
        if not isinstance(permissions, list):
            raise ManifestInvalidError("manifest field 'permissions' must be an array")
        try:
            return cls(
                app_id=data.get("app_id"),
                name=data.get("name"),
                version=data.get("version"),
                min_runtime=data.get("min_runtime", DEFAULT_MIN_RUNTIME),
                description=data.get("description", ""),
                icon=data.get("icon", ""),
                permissions=tuple(permissions),
                domains={kind: tuple(domains.get(kind, [])) for kind in DOMAIN_KINDS},
                files=entries,
            )
        except TypeError as exc:
            raise ManifestInvalidError(f"manifest is malformed: {exc}") from None

    @classmethod
    def from_bytes(cls, data: bytes) -> Manifest:
        """Parse stored manifest bytes, which must be in canonical form."""
        try:
            parsed = strict_loads(data)
        except ValueError as exc:
            raise ManifestInvalidError(f"{MANIFEST_NAME} is not valid JSON: {exc}") from None
        manifest = cls.from_dict(parsed)
        if manifest.canonical_bytes() != data:
            raise ManifestInvalidError(f"{MANIFEST_NAME} is not in canonical form")
        return manifest


def _check(m: Manifest) -> None:
    def bad(message: str) -> ManifestInvalidError:
        return ManifestInvalidError(f"manifest: {message}")

    if not isinstance(m.app_id, str) or len(m.app_id) > 64 or not APP_ID_RE.fullmatch(m.app_id):
        raise bad(
            f"app id {m.app_id!r} must be lowercase letters, digits, '-' and '.' (max 64 chars)"
        )
    if not isinstance(m.name, str) or not m.name.strip() or len(m.name) > 128:
        raise bad("name must be a non-empty string of at most 128 characters")
    if _SPOOFING.search(m.name):
        raise bad(f"name {m.name[:40]!r} holds a control character")
    for label, value in (("version", m.version), ("min_runtime", m.min_runtime)):
        if not isinstance(value, str) or not SEMVER_RE.fullmatch(value):
            raise bad(f"{label} {value!r} is not a semantic version (like 1.2.3)")
    if not isinstance(m.description, str) or len(m.description) > 2000:
        raise bad("description must be a string of at most 2000 characters")
    if _SPOOFING.search(m.description):
        raise bad("description holds a control character (it must be one line)")
    if not isinstance(m.icon, str) or (m.icon and m.icon not in m.files):
        raise bad(f"icon {m.icon!r} is not one of the package's files")
    for scope in m.permissions:
        if not isinstance(scope, str) or not SCOPE_RE.fullmatch(scope):
            raise bad(f"permission {scope!r} is not a scope name (like scope.clipboardRead)")
    if len(set(m.permissions)) != len(m.permissions):
        raise bad("permissions list a scope twice")
    for kind, hosts in m.domains.items():
        for host in hosts:
            if not isinstance(host, str) or not HOST_RE.fullmatch(host):
                raise bad(f"{kind} domain {host!r} is not a lowercase host[:port]")
    for path, entry in m.files.items():
        if not isinstance(entry.sha256, str) or not SHA256_RE.fullmatch(entry.sha256):
            raise bad(f"sha256 of {path!r} is not 64 lowercase hex digits")
        if not isinstance(entry.size, int) or isinstance(entry.size, bool) or entry.size < 0:
            raise bad(f"size of {path!r} is not a non-negative integer")
