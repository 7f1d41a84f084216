"""The admin API (Bearer API tokens): orgs, users, keys, apps, uploads, the review and
release lifecycle, audit log, devices and statistics."""

from __future__ import annotations

import csv
import io
from typing import Any

from fastapi import APIRouter, Depends, Header, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response
from pydantic import BaseModel, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from finclip_desktop.server import audit, lifecycle, registry, stats
from finclip_desktop.server.core import Server
from finclip_desktop.server.deps import current_user, db, server
from finclip_desktop.server.errors import bad_request, not_found
from finclip_desktop.server.models import App, Device, Org, SigningKey, User, Version
from finclip_desktop.server.security import (
    issue_token,
    parse_authorization,
    require,
    revoke_tokens,
)

router = APIRouter(prefix="/api/v1", tags=["admin"])


def user_dict(user: User) -> dict[str, Any]:
    return {"name": user.name, "role": user.role, "org": user.org_id}


def version_dict(v: Version) -> dict[str, Any]:
    return {
        "version": v.version,
        "state": v.state,
        "sha256": v.sha256,
        "manifest_sha256": v.manifest_sha256,
        "size": v.size,
        "signer": v.signer,
        "changelog": v.changelog,
        "permissions": v.permissions,
        "domains": v.domains,
        "uploaded_by": v.uploaded_by,
        "created_at": v.created_at.isoformat() + "Z",
    }


def app_dict(session: Session, app: App, with_versions: bool = False) -> dict[str, Any]:
    full = lifecycle.full_version(session, app)
    gray = lifecycle.gray_version(session, app)
    out: dict[str, Any] = {
        "app_id": app.id,
        "name": app.name,
        "org": app.org_id,
        "description": app.description,
        "category": app.category,
        "domains": app.domains,
        "scopes": app.scopes,
        "taken_down": app.taken_down,
        "release": {
            "version": full.version if full else None,
            "mandatory": app.mandatory,
            "gray": None
            if gray is None
            else {
                "version": gray.version,
                "percent": app.gray_percent,
                "devices": app.gray_devices,
                "orgs": app.gray_orgs,
                "channels": app.gray_channels,
                "mandatory": app.gray_mandatory,
            },
        },
    }
    if with_versions:
        out["versions"] = [version_dict(v) for v in registry.versions_of(session, app.id)]
    return out


@router.get("/me", summary="Who this token belongs to")
def me(user: User = Depends(current_user)) -> Any:
    return user_dict(user)


class OrgIn(BaseModel):
    id: str = Field(description="lowercase id, e.g. acme")
    name: str = ""


@router.post("/orgs", status_code=201, summary="Create an org (admin)")
def create_org(
    body: OrgIn, session: Session = Depends(db), user: User = Depends(current_user)
) -> Any:
    """Returns the org's device ``enrollment_token`` (shown only now)."""
    org, enrollment = registry.create_org(session, user, body.id, body.name)
    return {"id": org.id, "name": org.name, "enrollment_token": enrollment}


@router.get("/orgs", summary="List orgs")
def list_orgs(session: Session = Depends(db), user: User = Depends(current_user)) -> Any:
    require(user, "read")
    return [{"id": o.id, "name": o.name} for o in session.scalars(select(Org).order_by(Org.id))]


class UserIn(BaseModel):
    name: str
    role: str = Field(description="admin, developer, reviewer or operator")
    org: str | None = Field(None, description="restrict the user to one org's apps")


class ReasonIn(BaseModel):
    reason: str = ""


@router.post("/me/tokens", status_code=201, summary="Issue another API token for yourself")
def new_token(session: Session = Depends(db), user: User = Depends(current_user)) -> Any:
    token = issue_token(session, user)
    audit.record(session, user.name, "token.issue", user=user.name)
    session.commit()
    return {"token": token}


@router.post("/me/revoke", summary="Revoke the API token of this request")
def revoke_own_token(
    session: Session = Depends(db),
    user: User = Depends(current_user),
    authorization: str | None = Header(None),
) -> Any:
    revoke_tokens(session, user, parse_authorization(authorization, "Bearer"))
    audit.record(session, user.name, "token.revoke", user=user.name)
    session.commit()
    return {"revoked": 1}


@router.post("/users/{name}/revoke", summary="Revoke all API tokens of a user (admin)")
def revoke_user_tokens(
    name: str, body: ReasonIn, session: Session = Depends(db), user: User = Depends(current_user)
) -> Any:
    require(user, "manage_orgs")
    target = session.scalar(select(User).where(User.name == name))
    if target is None:
        raise not_found(f"user {name!r}")
    count = revoke_tokens(session, target)
    audit.record(session, user.name, "token.revoke_all", reason=body.reason, user=name)
    session.commit()
    return {"revoked": count}


@router.post("/users", status_code=201, summary="Create a user and their API token (admin)")
def create_user(
    body: UserIn, session: Session = Depends(db), user: User = Depends(current_user)
) -> Any:
    created, token = registry.create_user(session, user, body.name, body.role, body.org)
    return {**user_dict(created), "token": token}


class KeyIn(BaseModel):
    public_key: str = Field(description="base64 raw Ed25519 public key, or PEM")
    name: str = ""


@router.post("/orgs/{org_id}/keys", status_code=201, summary="Register a developer signing key")
def add_key(
    org_id: str, body: KeyIn, session: Session = Depends(db), user: User = Depends(current_user)
) -> Any:
    row = registry.add_signing_key(session, user, org_id, body.public_key, body.name)
    return {"keyid": row.keyid, "name": row.name, "org": row.org_id}


@router.get("/orgs/{org_id}/keys", summary="An org's developer signing keys")
def list_keys(
    org_id: str, session: Session = Depends(db), user: User = Depends(current_user)
) -> Any:
    require(user, "read", org_id)
    rows = session.scalars(select(SigningKey).where(SigningKey.org_id == org_id))
    return [
        {
            "keyid": k.keyid,
            "name": k.name,
            "public_key": k.public_key,
            "revoked": k.revoked_at is not None,
        }
        for k in rows
    ]


@router.post("/orgs/{org_id}/keys/{keyid}/revoke", summary="Revoke a signing key")
def revoke_key(
    org_id: str,
    keyid: str,
    body: ReasonIn,
    session: Session = Depends(db),
    user: User = Depends(current_user),
) -> Any:
    registry.revoke_signing_key(session, user, org_id, keyid, body.reason)
    return {"keyid": keyid, "revoked": True}


class AppIn(BaseModel):
    app_id: str
    name: str = ""
    org: str | None = None
    description: str = ""
    category: str = ""
    domains: dict[str, list[str]] = Field(
        default_factory=dict, description="request/socket/uploadFile/downloadFile hosts"
    )
    scopes: list[str] = Field(default_factory=list, description="permission scopes allowed")


@router.post("/apps", status_code=201, summary="Register an app")
def create_app(
    body: AppIn, session: Session = Depends(db), user: User = Depends(current_user)
) -> Any:
    """Returns ``app_secret`` (shown only now) for the app backend's login-code exchange."""
    app, secret = registry.create_app(session, user, body.model_dump())
    return {**app_dict(session, app), "app_secret": secret}


class AppPatch(BaseModel):
    name: str | None = None
    description: str | None = None
    category: str | None = None
    domains: dict[str, list[str]] | None = None
    scopes: list[str] | None = None


@router.patch("/apps/{app_id}", summary="Edit an app's listing, domains and allowed scopes")
def update_app(
    app_id: str, body: AppPatch, session: Session = Depends(db), user: User = Depends(current_user)
) -> Any:
    app = registry.update_app(session, user, app_id, body.model_dump(exclude_none=True))
    return app_dict(session, app)


@router.get("/apps", summary="Apps with their release state")
def list_apps(session: Session = Depends(db), user: User = Depends(current_user)) -> Any:
    return [app_dict(session, a) for a in registry.list_apps(session, user)]


@router.get("/apps/{app_id}", summary="An app with all its versions")
def get_app(app_id: str, session: Session = Depends(db), user: User = Depends(current_user)) -> Any:
    app = registry.get_app(session, app_id)
    require(user, "read", app.org_id)
    return app_dict(session, app, with_versions=True)


@router.post(
    "/apps/{app_id}/versions",
    status_code=201,
    summary="Upload a signed .fcpkg (request body: the package bytes)",
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "application/octet-stream": {"schema": {"type": "string", "format": "binary"}}
            },
        }
    },
)
async def upload(
    app_id: str,
    request: Request,
    changelog: str = Query("", max_length=5000),
    srv: Server = Depends(server),
    user: User = Depends(current_user),
) -> Any:
    """Verified against the org's registered developer keys, app.json checks, allowed
    scopes and domains. Rejections: 422 with ``code`` (bad-signature, unknown-signer,
    invalid-app, wrong-app, scope-not-allowed, domain-not-allowed, ...), 409 exists."""
    limit = srv.settings.max_upload_bytes
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise registry.UploadRejected(413, f"package is over {limit} bytes", "too-large")
        chunks.append(chunk)
    data = b"".join(chunks)

    def store() -> dict[str, Any]:
        with srv.session() as session:
            return version_dict(
                registry.upload_version(session, srv.blobs, user, app_id, data, changelog, limit)
            )

    return await run_in_threadpool(store)


class NoteIn(BaseModel):
    reason: str = Field("", description="why (required for reject, rollback, takedown, restore)")


def _vdict(v: Version) -> dict[str, Any]:
    return {"app_id": v.app_id, **version_dict(v)}


@router.post("/apps/{app_id}/versions/{version}/submit", summary="Submit for review")
def submit(
    app_id: str,
    version: str,
    body: NoteIn,
    session: Session = Depends(db),
    user: User = Depends(current_user),
) -> Any:
    return _vdict(lifecycle.submit(session, user, app_id, version, body.reason))


@router.post("/apps/{app_id}/versions/{version}/approve", summary="Approve (reviewer)")
def approve(
    app_id: str,
    version: str,
    body: NoteIn,
    session: Session = Depends(db),
    user: User = Depends(current_user),
) -> Any:
    return _vdict(lifecycle.approve(session, user, app_id, version, body.reason))


@router.post("/apps/{app_id}/versions/{version}/reject", summary="Reject with a reason (reviewer)")
def reject(
    app_id: str,
    version: str,
    body: NoteIn,
    session: Session = Depends(db),
    user: User = Depends(current_user),
) -> Any:
    return _vdict(lifecycle.reject(session, user, app_id, version, body.reason))


class GrayIn(BaseModel):
    percent: int = Field(0, ge=0, le=100, description="share of devices, by stable hash")
    devices: list[str] = Field(default_factory=list, description="device ids")
    orgs: list[str] = Field(default_factory=list, description="org ids")
    channels: list[str] = Field(
        default_factory=list,
        description="update channels (e.g. beta): devices that follow one of them",
    )


class ReleaseIn(BaseModel):
    version: str
    mandatory: bool = False
    reason: str = ""
    gray: GrayIn | None = Field(None, description="omit for a full release")


@router.post("/apps/{app_id}/release", summary="Release a version to all or (gray) some devices")
def release(
    app_id: str, body: ReleaseIn, session: Session = Depends(db), user: User = Depends(current_user)
) -> Any:
    if body.gray is None:
        lifecycle.release(session, user, app_id, body.version, body.reason, body.mandatory)
    else:
        lifecycle.release_gray(
            session,
            user,
            app_id,
            body.version,
            body.gray.percent,
            body.gray.devices,
            body.gray.orgs,
            body.reason,
            body.mandatory,
            body.gray.channels,
        )
    return app_dict(session, registry.get_app(session, app_id))


@router.post("/apps/{app_id}/promote", summary="Promote the gray release to everyone")
def promote(
    app_id: str, body: NoteIn, session: Session = Depends(db), user: User = Depends(current_user)
) -> Any:
    lifecycle.promote(session, user, app_id, body.reason)
    return app_dict(session, registry.get_app(session, app_id))


@router.post("/apps/{app_id}/gray/cancel", summary="End the gray release")
def cancel_gray(
    app_id: str, body: NoteIn, session: Session = Depends(db), user: User = Depends(current_user)
) -> Any:
    lifecycle.cancel_gray(session, user, app_id, body.reason)
    return app_dict(session, registry.get_app(session, app_id))


class RollbackIn(BaseModel):
    version: str
    reason: str


@router.post("/apps/{app_id}/rollback", summary="Make an earlier version the release again")
def rollback(
    app_id: str,
    body: RollbackIn,
    session: Session = Depends(db),
    user: User = Depends(current_user),
) -> Any:
    lifecycle.rollback(session, user, app_id, body.version, body.reason)
    return app_dict(session, registry.get_app(session, app_id))


@router.post("/apps/{app_id}/takedown", summary="Withdraw an app from every device")
def takedown(
    app_id: str, body: NoteIn, session: Session = Depends(db), user: User = Depends(current_user)
) -> Any:
    lifecycle.take_down(session, user, app_id, body.reason)
    return app_dict(session, registry.get_app(session, app_id))


@router.post("/apps/{app_id}/restore", summary="Undo a take down")
def restore(
    app_id: str, body: NoteIn, session: Session = Depends(db), user: User = Depends(current_user)
) -> Any:
    lifecycle.restore(session, user, app_id, body.reason)
    return app_dict(session, registry.get_app(session, app_id))


@router.get("/audit", summary="Audit log, newest first")
def audit_log(
    app_id: str | None = None,
    limit: int = Query(200, ge=1, le=5000),
    session: Session = Depends(db),
    user: User = Depends(current_user),
) -> Any:
    require(user, "read")
    return [audit.as_dict(e) for e in audit.entries(session, app_id, limit)]


@router.get("/devices", summary="Registered devices (admin, operator)")
def devices(session: Session = Depends(db), user: User = Depends(current_user)) -> Any:
    require(user, "release")
    rows = session.scalars(select(Device).order_by(Device.created_at))
    return [
        {
            "device_id": d.id,
            "name": d.name,
            "platform": d.platform,
            "org": d.org_id,
            "channel": d.channel,
            "last_seen_at": d.last_seen_at.isoformat() + "Z",
        }
        for d in rows
    ]


@router.get("/stats/summary", summary="Daily series, per-app, per-API and custom event totals")
def stats_summary(
    start: str | None = Query(None, alias="from", description="YYYY-MM-DD"),
    end: str | None = Query(None, alias="to", description="YYYY-MM-DD"),
    app_id: str | None = None,
    session: Session = Depends(db),
    user: User = Depends(current_user),
) -> Any:
    require(user, "read")
    rng = stats.Range.parse(start, end, app_id)
    return {
        "from": rng.start.isoformat(),
        "to": rng.end.isoformat(),
        "daily": stats.daily(session, rng),
        "apps": stats.per_app(session, rng),
        "apis": stats.per_api(session, rng),
        "events": stats.per_event(session, rng),
    }


def csv_export(session: Session, kind: str, rng: stats.Range) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    if kind == "daily":
        series = stats.daily(session, rng)
        names = [*stats.SERIES, "active_devices"]
        writer.writerow(["day", *names])
        for day in rng.days():
            writer.writerow([day, *(series[n][day] for n in names)])
    elif kind == "apps":
        writer.writerow(
            ["app_id", "launches", "page_views", "api_calls", "errors", "active_devices"]
        )
        for r in stats.per_app(session, rng):
            writer.writerow(
                [r["app_id"], r["launch"], r["page_view"], r["api_call"], r["error"], r["devices"]]
            )
    elif kind == "apis":
        writer.writerow(["app_id", "api", "calls", "failures", "avg_ms"])
        for r in stats.per_api(session, rng):
            writer.writerow([r["app_id"], r["api"], r["calls"], r["failures"], r["avg_ms"]])
    elif kind == "events":
        writer.writerow(["app_id", "event", "count", "devices"])
        for r in stats.per_event(session, rng):
            writer.writerow([r["app_id"], r["event"], r["count"], r["devices"]])
    else:
        raise bad_request("kind must be daily, apps, apis or events")
    return out.getvalue()


@router.get(
    "/stats/export.csv",
    summary="CSV export (kind: daily, apps, apis or events)",
    response_class=Response,
    responses={200: {"content": {"text/csv": {}}}},
)
def stats_csv(
    kind: str = "daily",
    start: str | None = Query(None, alias="from"),
    end: str | None = Query(None, alias="to"),
    app_id: str | None = None,
    session: Session = Depends(db),
    user: User = Depends(current_user),
) -> Response:
    require(user, "read")
    body = csv_export(session, kind, stats.Range.parse(start, end, app_id))
    return Response(
        body,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="finclip-{kind}.csv"'},
    )
