"""Orgs, users, developer signing keys, apps and package uploads."""

from __future__ import annotations

import base64
import logging
import re
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from finclip_desktop.package import (
    DOMAIN_KINDS,
    PackageError,
    TrustStore,
    key_id,
    normalize_domain,
    parse_public_key,
    parse_semver,
    public_key_text,
    read_package,
    validate_app,
)
from finclip_desktop.package.manifest import APP_ID_RE, SCOPE_RE
from finclip_desktop.server import audit
from finclip_desktop.server.blobs import BlobStore
from finclip_desktop.server.distribution import bump_epoch
from finclip_desktop.server.errors import ServiceError, bad_request, conflict, not_found
from finclip_desktop.server.models import App, Org, SigningKey, User, Version, utcnow
from finclip_desktop.server.security import (
    ALL_ROLES,
    hash_secret,
    issue_token,
    new_secret,
    require,
)

log = logging.getLogger("finclip.server")
# \A...\Z with fullmatch: "$" would also match before a trailing newline.
_ORG_RE = re.compile(r"\A[a-z0-9][a-z0-9-]{0,62}\Z")
_NAME_RE = re.compile(r"\A[A-Za-z0-9][A-Za-z0-9_.@-]{0,99}\Z")


def create_org(session: Session, actor: User, org_id: str, name: str) -> tuple[Org, str]:
    """Create an org; return it and its device enrollment token (shown once)."""
    require(actor, "manage_orgs")
    if not isinstance(org_id, str) or not _ORG_RE.fullmatch(org_id):
        raise bad_request(f"org id {org_id!r} must be lowercase letters, digits and '-'")
    if session.get(Org, org_id):
        raise conflict(f"org {org_id!r} exists already")
    enrollment = new_secret()
    org = Org(id=org_id, name=name or org_id, enrollment_hash=hash_secret(enrollment))
    session.add(org)
    audit.record(session, actor.name, "org.create", org=org_id)
    session.commit()
    return org, enrollment


def get_org(session: Session, org_id: str) -> Org:
    org = session.get(Org, org_id)
    if org is None:
        raise not_found(f"org {org_id!r}")
    return org


def create_user(
    session: Session, actor: User | None, name: str, role: str, org_id: str | None = None
) -> tuple[User, str]:
    """Create a user and their first API token (``actor=None`` only for bootstrap)."""
    if actor is not None:
        require(actor, "manage_orgs")
    if not isinstance(name, str) or not _NAME_RE.fullmatch(name):
        raise bad_request(f"user name {name!r} must be letters, digits and . _ @ -")
    if role not in ALL_ROLES:
        raise bad_request(f"role {role!r} is not one of {', '.join(ALL_ROLES)}")
    if org_id is not None:
        get_org(session, org_id)
    if session.scalar(select(User).where(User.name == name)):
        raise conflict(f"user {name!r} exists already")
    user = User(name=name, role=role, org_id=org_id)
    session.add(user)
    session.flush()
    token = issue_token(session, user)
    audit.record(session, actor.name if actor else "system", "user.create", user=name, role=role)
    session.commit()
    return user, token


def add_signing_key(
    session: Session, actor: User, org_id: str, public_key: str, name: str
) -> SigningKey:
    get_org(session, org_id)
    require(actor, "manage_keys", org_id)
    try:
        key = parse_public_key(public_key)
    except PackageError as exc:
        raise bad_request(str(exc)) from None
    kid = key_id(key)
    if session.get(SigningKey, kid):
        raise conflict(f"key {kid[:16]}… is registered already")
    row = SigningKey(
        keyid=kid, org_id=org_id, name=name or kid[:16], public_key=public_key_text(key)
    )
    session.add(row)
    audit.record(session, actor.name, "key.add", reason=name, org=org_id, keyid=kid)
    session.commit()
    return row


def revoke_signing_key(session: Session, actor: User, org_id: str, kid: str, reason: str) -> None:
    row = session.get(SigningKey, kid)
    if row is None or row.org_id != org_id:
        raise not_found(f"key {kid[:16]} of org {org_id!r}")
    require(actor, "manage_keys", org_id)
    row.revoked_at = utcnow()
    audit.record(session, actor.name, "key.revoke", reason=reason, org=org_id, keyid=kid)
    session.commit()


def org_trust(session: Session, org_id: str) -> TrustStore:
    keys = session.scalars(
        select(SigningKey).where(SigningKey.org_id == org_id, SigningKey.revoked_at.is_(None))
    )
    return TrustStore.from_texts(k.public_key for k in keys)


def _clean_domains(value: Any) -> dict[str, list[str]]:
    if value is None:
        value = {}
    if not isinstance(value, dict) or set(value) - set(DOMAIN_KINDS):
        raise bad_request(f"domains may only have the keys {', '.join(DOMAIN_KINDS)}")
    try:
        return {k: sorted({normalize_domain(d) for d in value.get(k, [])}) for k in DOMAIN_KINDS}
    except (ValueError, AttributeError, TypeError) as exc:
        raise bad_request(str(exc)) from None


def _clean_scopes(value: Any) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list) or not all(
        isinstance(s, str) and SCOPE_RE.fullmatch(s) for s in value
    ):
        raise bad_request("scopes must be a list of scope names like scope.clipboardRead")
    return sorted(set(value))


def create_app(session: Session, actor: User, data: dict[str, Any]) -> tuple[App, str]:
    """Register an app; return it and its app secret (for login-code exchange, shown once)."""
    app_id, org_id = data.get("app_id") or "", data.get("org") or actor.org_id or ""
    if not isinstance(app_id, str) or len(app_id) > 64 or not APP_ID_RE.fullmatch(app_id):
        raise bad_request(f"app id {app_id!r} must be lowercase letters, digits, '-' and '.'")
    get_org(session, org_id)
    require(actor, "edit_apps", org_id)
    if session.get(App, app_id):
        raise conflict(f"app {app_id!r} exists already")
    secret = new_secret()
    app = App(
        id=app_id,
        org_id=org_id,
        name=str(data.get("name") or app_id)[:128],
        description=str(data.get("description") or ""),
        category=str(data.get("category") or ""),
        domains=_clean_domains(data.get("domains")),
        scopes=_clean_scopes(data.get("scopes")),
        secret_hash=hash_secret(secret),
    )
    session.add(app)
    audit.record(session, actor.name, "app.create", app_id=app_id, org=org_id)
    session.commit()
    return app, secret


def update_app(session: Session, actor: User, app_id: str, data: dict[str, Any]) -> App:
    app = get_app(session, app_id)
    require(actor, "edit_apps", app.org_id)
    changed = {}
    for field in ("name", "description", "category"):
        if field in data:
            setattr(app, field, str(data[field]))
            changed[field] = data[field]
    if "domains" in data:
        domains = _clean_domains(data["domains"])
        if domains != app.domains:
            bump_epoch(session)  # targets carry the domains in force: devices must see them
        app.domains = changed["domains"] = domains
    if "scopes" in data:
        app.scopes = changed["scopes"] = _clean_scopes(data["scopes"])
    audit.record(session, actor.name, "app.update", app_id=app_id, changes=changed)
    session.commit()
    return app


def get_app(session: Session, app_id: str) -> App:
    app = session.get(App, app_id)
    if app is None:
        raise not_found(f"app {app_id!r}")
    return app


def list_apps(session: Session, actor: User) -> list[App]:
    query = select(App).order_by(App.id)
    if actor.org_id is not None:
        query = query.where(App.org_id == actor.org_id)
    return list(session.scalars(query))


def versions_of(session: Session, app_id: str) -> list[Version]:
    rows = session.scalars(select(Version).where(Version.app_id == app_id))
    return sorted(rows, key=lambda v: parse_semver(v.version), reverse=True)


def get_version(session: Session, app_id: str, version: str) -> Version:
    row = session.scalar(
        select(Version).where(Version.app_id == app_id, Version.version == version)
    )
    if row is None:
        raise not_found(f"version {version!r} of app {app_id!r}")
    return row


def _compile_check(files: dict[str, bytes]) -> None:
    """Compile the app with the runtime; a compile error rejects it.

    Any other failure is the runtime's, not the app's: it is logged, not held against the
    upload."""
    from finclip_desktop.runtime import CompileError, build_app

    try:
        build_app(files)
    except CompileError as exc:
        raise UploadRejected(422, f"the app does not compile: {exc}", "compile-error") from None
    except Exception:
        log.exception("the runtime failed while compiling an upload; check skipped")


class UploadRejected(ServiceError):
    """A package refused at upload; ``code`` names the reason (PackageError codes)."""

    def __init__(self, status: int, message: str, code: str) -> None:
        super().__init__(status, message)
        self.code = code


def upload_version(
    session: Session,
    blobs: BlobStore,
    actor: User,
    app_id: str,
    data: bytes,
    changelog: str = "",
    max_bytes: int = 100 * 1024 * 1024,
) -> Version:
    """Verify a .fcpkg against the app's org keys and rules, store it, record it."""
    app = get_app(session, app_id)
    require(actor, "upload", app.org_id)
    if len(data) > max_bytes:
        raise UploadRejected(413, f"package is {len(data)} bytes, over {max_bytes}", "too-large")
    try:
        package = read_package(data, org_trust(session, app.org_id))
        kind = validate_app(package.files)
    except PackageError as exc:
        raise UploadRejected(422, str(exc), exc.code) from None
    manifest = package.manifest
    if manifest.app_id != app_id:
        raise UploadRejected(
            422, f"package is for app {manifest.app_id!r}, not {app_id!r}", "wrong-app"
        )
    if kind == "wechat":
        _compile_check(dict(package.files))
    extra_scopes = sorted(set(manifest.permissions) - set(app.scopes))
    if extra_scopes:
        raise UploadRejected(
            422,
            f"permission {extra_scopes[0]} is not allowed for app {app_id!r}",
            "scope-not-allowed",
        )
    for kind_name, hosts in manifest.domains.items():
        allowed = set(app.domains.get(kind_name, []))
        extra = sorted(set(hosts) - allowed)
        if extra:
            raise UploadRejected(
                422,
                f"{kind_name} domain {extra[0]} is not allowed for app {app_id!r}",
                "domain-not-allowed",
            )
    if session.scalar(
        select(Version.id).where(Version.app_id == app_id, Version.version == manifest.version)
    ):
        raise UploadRejected(
            409, f"version {manifest.version} of {app_id!r} exists already", "exists"
        )
    sha = blobs.put(data)
    icon_sha = ""
    if manifest.icon:
        icon_sha = blobs.put(package.read(manifest.icon))
    version = Version(
        app_id=app_id,
        version=manifest.version,
        state="uploaded",
        sha256=sha,
        manifest_sha256=package.manifest_sha256,
        size=len(data),
        signer=package.signer or "",
        changelog=changelog,
        manifest=package.manifest_bytes,
        signature=package.signature,
        permissions=list(manifest.permissions),
        domains={k: list(v) for k, v in manifest.domains.items()},
        icon_sha256=icon_sha,
        uploaded_by=actor.name,
    )
    session.add(version)
    if app.name == app.id:  # registered without a name: take the package's
        app.name = manifest.name
    if not app.description:
        app.description = manifest.description
    audit.record(
        session,
        actor.name,
        "version.upload",
        app_id=app_id,
        version=manifest.version,
        reason=changelog,
        sha256=sha,
        signer=package.signer,
        size=len(data),
    )
    try:
        session.commit()
    except IntegrityError:
        session.rollback()
        raise UploadRejected(409, f"version {manifest.version} exists already", "exists") from None
    return version


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")
