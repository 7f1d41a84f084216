"""The device API (desktop installs): registration, metadata, catalogue, packages,
file-level delta, stats, login codes. See docs/architecture.md (store/ and server/)."""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

from fastapi import APIRouter, Body, Depends, Header, Request, Response
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from finclip_desktop.package import Manifest
from finclip_desktop.package.manifest import SHA256_RE
from finclip_desktop.package.zipformat import read_archive, write_archive
from finclip_desktop.server import stats
from finclip_desktop.server.core import Server
from finclip_desktop.server.deps import current_device, db, server
from finclip_desktop.server.distribution import MAX_SEEN_VERSION, device_versions, version_offset
from finclip_desktop.server.errors import ServiceError, bad_request, forbidden, not_found
from finclip_desktop.server.models import App, Device, LoginCode, Org, Version, utcnow
from finclip_desktop.server.registry import b64, get_app
from finclip_desktop.server.security import hash_secret, new_secret

router = APIRouter(prefix="/api/v1", tags=["device"])
_RANGE_RE = re.compile(r"\Abytes=([0-9]*)-([0-9]*)\Z")  # fullmatch; ASCII digits only
_CHUNK = 1024 * 1024
_MAX_HAVE = 50_000
JSON_META = "application/json"


class SeenIn(BaseModel):
    """Metadata versions a re-registering client already trusts (its old identity's)."""

    timestamp: int = Field(0, ge=0, le=MAX_SEEN_VERSION)
    snapshot: int = Field(0, ge=0, le=MAX_SEEN_VERSION)
    targets: int = Field(0, ge=0, le=MAX_SEEN_VERSION)


class RegisterIn(BaseModel):
    name: str = Field(max_length=200)
    platform: str = Field(max_length=64)
    org: str | None = None
    enrollment_token: str | None = None
    seen: SeenIn | None = None


class RegisterOut(BaseModel):
    device_id: str
    device_secret: str


@router.post(
    "/devices/register",
    response_model=RegisterOut,
    summary="Register a desktop install; keep the secret in the OS keyring",
)
def register_device(body: RegisterIn, request: Request, session: Session = Depends(db)) -> Any:
    """With ``org``, ``enrollment_token`` must be that org's enrollment token. ``seen``
    (a client registering again) starts the device's metadata versions above those."""
    settings = request.app.state.server.settings
    org_id = None
    if body.org:
        org = session.get(Org, body.org)
        token_ok = (
            org is not None
            and body.enrollment_token is not None
            and hmac.compare_digest(org.enrollment_hash, hash_secret(body.enrollment_token))
        )
        if not token_ok:
            raise forbidden(f"wrong enrollment token for org {body.org!r}")
        org_id = body.org
    elif settings.require_enrollment:
        raise forbidden("this server registers devices only with an org enrollment token")
    device_id, secret = secrets.token_hex(16), new_secret()
    session.add(
        Device(
            id=device_id,
            secret_hash=hash_secret(secret),
            name=body.name,
            platform=body.platform,
            org_id=org_id,
            channel_changes=version_offset(session, settings, body.seen.model_dump())
            if body.seen is not None
            else 0,
        )
    )
    session.commit()
    return {"device_id": device_id, "device_secret": secret}


def _json(body: bytes) -> Response:
    return Response(body, media_type=JSON_META, headers={"Cache-Control": "no-store"})


def metadata_etag(body: bytes) -> str:
    """The strong ETag of a metadata document: its quoted sha256 (a client computes it from
    the copy it holds, see store/trust.py)."""
    return f'"{hashlib.sha256(body).hexdigest()}"'


def _conditional_json(body: bytes, if_none_match: str | None) -> Response:
    """``body`` with its ETag, or an empty 304 when the client already holds these bytes."""
    etag = metadata_etag(body)
    headers = {"Cache-Control": "no-store", "ETag": etag}
    if if_none_match and etag in (tag.strip() for tag in if_none_match.split(",")):
        return Response(status_code=304, headers=headers)
    return Response(body, media_type=JSON_META, headers=headers)


@router.get("/metadata/root.json", summary="Current root metadata (signed)")
def root_json(session: Session = Depends(db), srv: Server = Depends(server)) -> Response:
    return _json(srv.dist.root(session))


@router.get("/metadata/{version}.root.json", summary="Root metadata version N (rotation walk)")
def root_version_json(
    version: int, session: Session = Depends(db), srv: Server = Depends(server)
) -> Response:
    try:
        return _json(srv.dist.root(session, version))
    except ServiceError as exc:
        if exc.status != 404:
            raise
        # Every refresh probes the next version: "none yet" is an empty 404.
        return Response(status_code=404, headers={"Cache-Control": "no-store"})


@router.get("/metadata/{role}.json", summary="timestamp, snapshot or targets for this device")
def role_json(
    role: str,
    session: Session = Depends(db),
    srv: Server = Depends(server),
    device: Device = Depends(current_device),
    if_none_match: str | None = Header(default=None),
) -> Response:
    """The timestamp answers ``If-None-Match`` (an unchanged app costs an empty 304);
    snapshot and targets are fetched only when the timestamp names new ones."""
    if role not in ("timestamp", "snapshot", "targets"):
        raise not_found(f"metadata {role!r}")
    body = srv.dist.documents(session, device)[role]
    return _conditional_json(body, if_none_match) if role == "timestamp" else _json(body)


@router.get("/catalog", summary="Apps this device receives")
def catalog(session: Session = Depends(db), device: Device = Depends(current_device)) -> Any:
    return [
        {
            "app_id": app.id,
            "name": app.name,
            "description": app.description,
            "category": app.category,
            "icon_url": f"/api/v1/apps/{app.id}/icon" if version.icon_sha256 else "",
            "version": version.version,
        }
        for app, version, _mandatory in device_versions(session, device)
    ]


@router.get("/apps/{app_id}/icon", summary="Icon of the released version of an app")
def app_icon(
    app_id: str, session: Session = Depends(db), srv: Server = Depends(server)
) -> Response:
    app = get_app(session, app_id)
    version = session.get(Version, app.full_version_id) if app.full_version_id else None
    if app.taken_down or version is None or not version.icon_sha256:
        raise not_found(f"icon of app {app_id!r}")
    icon = Manifest.from_bytes(version.manifest).icon
    media = {
        "png": "image/png",
        "svg": "image/svg+xml",
        "jpg": "image/jpeg",
        "jpeg": "image/jpeg",
        "gif": "image/gif",
        "webp": "image/webp",
    }.get(icon.rsplit(".", 1)[-1].lower(), "application/octet-stream")
    return Response(
        srv.blobs.get(version.icon_sha256),
        media_type=media,
        headers={"ETag": f'"{version.icon_sha256}"', "Cache-Control": "max-age=3600"},
    )


def _package_for(session: Session, device: Device, sha256: str) -> Version:
    """The version with this package hash, if this device may download it."""
    if not SHA256_RE.fullmatch(sha256):
        raise bad_request("package name must be the sha256 of the .fcpkg")
    for _app, version, _m in device_versions(session, device):
        if version.sha256 == sha256:
            return version
    version = session.scalar(
        select(Version)
        .join(App, App.id == Version.app_id)
        .where(
            Version.sha256 == sha256,
            Version.state.in_(("released", "retired")),
            App.taken_down.is_(False),
        )
        .limit(1)
    )
    if version is None:
        raise not_found(f"package {sha256[:16]}…")
    return version


def _stream(srv: Server, sha256: str, start: int, end: int) -> Iterator[bytes]:
    pos = start
    while pos <= end:
        stop = min(pos + _CHUNK - 1, end)
        yield srv.blobs.get(sha256, pos, stop)
        pos = stop + 1


def _parse_range(header: str, size: int) -> tuple[int, int] | None:
    """Inclusive (start, end) of a single ``bytes=`` range; None when unsatisfiable."""
    match = _RANGE_RE.fullmatch(header.strip())
    if not match or match.groups() == ("", ""):
        return None
    first, last = match.groups()
    if first == "":
        length = int(last)
        if length == 0:
            return None
        return max(size - length, 0), size - 1
    start = int(first)
    end = min(int(last), size - 1) if last else size - 1
    if start >= size or end < start:
        return None
    return start, end


@router.get("/packages/{sha256}.fcpkg", summary="Download a package (ETag, If-None-Match, Range)")
def download_package(
    sha256: str,
    session: Session = Depends(db),
    srv: Server = Depends(server),
    device: Device = Depends(current_device),
    if_none_match: str | None = Header(None),
    range_: str | None = Header(None, alias="range"),
    if_range: str | None = Header(None),
) -> Response:
    version = _package_for(session, device, sha256)
    etag = f'"{sha256}"'
    headers = {
        "ETag": etag,
        "Accept-Ranges": "bytes",
        "Cache-Control": "private, max-age=31536000, immutable",
    }
    if if_none_match and (
        if_none_match.strip() == "*" or etag in [t.strip() for t in if_none_match.split(",")]
    ):
        return Response(status_code=304, headers=headers)
    size = version.size
    media = "application/octet-stream"
    # A Range we do not support (several ranges, other units) is ignored: 200, whole body.
    if (
        range_
        and _RANGE_RE.fullmatch(range_.strip())
        and (if_range is None or if_range.strip() == etag)
    ):
        span = _parse_range(range_, size)
        if span is None:
            return Response(
                status_code=416, headers={**headers, "Content-Range": f"bytes */{size}"}
            )
        start, end = span
        headers.update(
            {"Content-Range": f"bytes {start}-{end}/{size}", "Content-Length": str(end - start + 1)}
        )
        return StreamingResponse(_stream(srv, sha256, start, end), 206, headers, media_type=media)
    headers["Content-Length"] = str(size)
    return StreamingResponse(_stream(srv, sha256, 0, size - 1), 200, headers, media_type=media)


@router.get("/packages/{sha256}/parts", summary="Signed manifest and signature of a package")
def package_parts(
    sha256: str, session: Session = Depends(db), device: Device = Depends(current_device)
) -> Any:
    version = _package_for(session, device, sha256)
    return {"manifest": b64(version.manifest), "signature": b64(version.signature)}


class DeltaIn(BaseModel):
    have: list[str] = Field(default_factory=list, description="sha256 of files the client has")


@router.post(
    "/packages/{sha256}/delta",
    summary="Only the files the client is missing",
    response_class=Response,
    responses={
        200: {
            "content": {"application/zip": {}},
            "description": "stored zip; each missing file named by its sha256",
        }
    },
)
def package_delta(
    sha256: str,
    body: DeltaIn,
    session: Session = Depends(db),
    srv: Server = Depends(server),
    device: Device = Depends(current_device),
) -> Response:
    version = _package_for(session, device, sha256)
    if len(body.have) > _MAX_HAVE:
        raise bad_request(f"'have' lists more than {_MAX_HAVE} hashes")
    have = set(body.have)
    manifest = Manifest.from_bytes(version.manifest)
    wanted = {e.sha256 for e in manifest.files.values()} - have
    entries: dict[str, bytes] = {}
    if wanted:
        files = read_archive(srv.blobs.get(sha256))
        for path, entry in manifest.files.items():
            if entry.sha256 in wanted and entry.sha256 not in entries:
                content = files[path]
                if hashlib.sha256(content).hexdigest() != entry.sha256:
                    raise ServiceError(500, f"stored package {sha256[:16]}… is corrupt")
                entries[entry.sha256] = content
    archive = write_archive(sorted(entries.items()))
    return Response(
        archive,
        media_type="application/zip",
        headers={"X-Delta-Files": str(len(entries)), "Cache-Control": "no-store"},
    )


@router.post("/stats", summary="Ingest a batch of usage events (idempotent by batch_id)")
def post_stats(
    body: dict[str, Any] = Body(
        ...,
        examples=[
            {
                "batch_id": "8b0c…",
                "events": [
                    {
                        "type": "api_call",
                        "app_id": "com.example.demo",
                        "ts": 1764000000000,
                        "name": "request",
                        "result": "ok",
                        "duration_ms": 12,
                    }
                ],
            }
        ],
    ),
    session: Session = Depends(db),
    device: Device = Depends(current_device),
) -> Any:
    """Events: ``type`` launch|page_view|api_call|error, ``app_id``, ``ts`` (unix s or ms, or
    ISO 8601), optional ``name`` (page or API), ``result`` (ok|fail), ``duration_ms``,
    ``message``. A repeated batch_id returns ``duplicate: true`` and stores nothing."""
    return stats.ingest(session, device, body)


class LoginCodeIn(BaseModel):
    app_id: str


@router.post("/login/code", summary="A wx.login code for this device and app")
def login_code(
    body: LoginCodeIn,
    session: Session = Depends(db),
    srv: Server = Depends(server),
    device: Device = Depends(current_device),
) -> Any:
    app = get_app(session, body.app_id)
    if app.taken_down:
        raise not_found(f"app {body.app_id!r}")
    lifetime = srv.settings.login_code_lifetime
    code = secrets.token_urlsafe(24)
    session.add(
        LoginCode(
            code=code,
            device_id=device.id,
            app_id=app.id,
            expires_at=utcnow() + timedelta(seconds=lifetime),
        )
    )
    session.commit()
    return {"code": code, "expires_in": lifetime}


class SessionIn(BaseModel):
    app_id: str
    app_secret: str
    code: str


@router.post(
    "/login/session",
    tags=["app backend"],
    summary="Exchange a wx.login code for the device's openid (code2Session)",
)
def login_session(body: SessionIn, session: Session = Depends(db)) -> Any:
    """Called by the mini-app's own backend with the app secret shown at app creation.
    ``openid`` is stable per (app, device) and differs between apps. Codes work once."""
    app = session.get(App, body.app_id)
    if app is None or not hmac.compare_digest(app.secret_hash, hash_secret(body.app_secret)):
        raise ServiceError(401, "wrong app id or app secret")
    row = session.get(LoginCode, body.code)
    if row is None or row.app_id != app.id or row.used or row.expires_at < utcnow():
        raise bad_request("invalid or expired login code")
    row.used = True
    session.commit()
    openid = hmac.new(app.secret_hash.encode(), row.device_id.encode(), hashlib.sha256).hexdigest()
    return {"openid": openid[:32]}
