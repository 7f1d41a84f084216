"""Secrets: API tokens and device secrets are random and stored only as sha256 hashes."""

from __future__ import annotations

import hashlib
import hmac
import secrets

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from finclip_desktop.server.errors import ServiceError, forbidden
from finclip_desktop.server.models import ApiToken, Device, User, utcnow

TOKEN_PREFIX = "fct_"
ALL_ROLES = ("admin", "developer", "reviewer", "operator")
# Which roles may do what (admin may do everything).
CAN = {
    "manage_orgs": ("admin",),
    "manage_keys": ("admin", "developer"),
    "edit_apps": ("admin", "developer"),
    "upload": ("admin", "developer"),
    "review": ("admin", "reviewer"),
    "release": ("admin", "operator"),
    "read": ALL_ROLES,
}


def hash_secret(secret: str) -> str:
    """Tokens carry 192+ bits of randomness, so a plain sha256 is the right hash."""
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def new_token() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def new_secret() -> str:
    return secrets.token_urlsafe(32)


def issue_token(session: Session, user: User) -> str:
    token = new_token()
    session.add(ApiToken(user_id=user.id, token_hash=hash_secret(token)))
    return token


def user_for_token(session: Session, token: str) -> User:
    row = session.scalar(select(ApiToken).where(ApiToken.token_hash == hash_secret(token)))
    if row is None:
        raise ServiceError(401, "invalid API token")
    return row.user


def revoke_tokens(session: Session, user: User, token: str | None = None) -> int:
    """Delete one of ``user``'s tokens (``token``) or all of them; return how many."""
    query = delete(ApiToken).where(ApiToken.user_id == user.id)
    if token is not None:
        query = query.where(ApiToken.token_hash == hash_secret(token))
    count = session.execute(query).rowcount
    return int(count or 0)


def parse_authorization(header: str | None, scheme: str) -> str:
    if not header:
        raise ServiceError(401, f"missing 'Authorization: {scheme} ...' header")
    kind, _, value = header.partition(" ")
    if kind.lower() != scheme.lower() or not value.strip():
        raise ServiceError(401, f"expected 'Authorization: {scheme} ...'")
    return value.strip()


def device_for_credentials(session: Session, value: str) -> Device:
    device_id, sep, secret = value.partition(":")
    device = session.get(Device, device_id) if sep else None
    if device is None or not hmac.compare_digest(device.secret_hash, hash_secret(secret)):
        raise ServiceError(401, "invalid device credentials")
    now = utcnow()
    if (now - device.last_seen_at).total_seconds() > 300:
        device.last_seen_at = now
        session.commit()
    return device


def require(user: User, action: str, org_id: str | None = None) -> None:
    """Raise 403 unless ``user`` may do ``action`` (on something of ``org_id``)."""
    if user.role not in CAN[action]:
        raise forbidden(f"role {user.role!r} may not {action.replace('_', ' ')}")
    if org_id is not None and user.org_id is not None and user.org_id != org_id:
        raise forbidden(f"user {user.name!r} belongs to org {user.org_id!r}, not {org_id!r}")
