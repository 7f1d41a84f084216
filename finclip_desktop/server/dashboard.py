"""The operations dashboard: server-rendered pages, inline SVG charts, plain HTML forms.

Sign-in stores the API token in an HttpOnly, SameSite=Strict cookie scoped to
/dashboard; state-changing forms also must come from this origin (Origin check).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from sqlalchemy import select
from sqlalchemy.orm import Session

from finclip_desktop.server import audit, charts, lifecycle, registry, stats
from finclip_desktop.server.admin_api import app_dict, csv_export
from finclip_desktop.server.deps import db
from finclip_desktop.server.errors import ServiceError
from finclip_desktop.server.models import Device, User
from finclip_desktop.server.security import CAN, require, user_for_token

router = APIRouter(prefix="/dashboard", include_in_schema=False)
templates = Jinja2Templates(directory=str(Path(__file__).with_name("templates")))
COOKIE = "finclip_token"
SERIES_LABELS = {
    "launch": "launches",
    "page_view": "page views",
    "api_call": "API calls",
    "error": "errors",
    "active_devices": "active devices",
}


class _NeedLogin(Exception):
    pass


def _user(request: Request, session: Session) -> User | None:
    token = request.cookies.get(COOKIE)
    if not token:
        return None
    try:
        return user_for_token(session, token)
    except ServiceError:
        return None


def _page(request: Request, name: str, user: User, **context: Any) -> HTMLResponse:
    can = {action: user.role in roles for action, roles in CAN.items()}
    return templates.TemplateResponse(
        request,
        name,
        {
            "user": user,
            "can": can,
            "msg": request.query_params.get("msg", ""),
            "err": request.query_params.get("err", ""),
            **context,
        },
    )


def _login_redirect() -> RedirectResponse:
    return RedirectResponse("/dashboard/login", status_code=303)


def _same_origin(request: Request) -> bool:
    origin = request.headers.get("origin") or request.headers.get("referer")
    if not origin:
        return True
    return urlsplit(origin).netloc == request.headers.get("host")


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request) -> HTMLResponse:
    return templates.TemplateResponse(
        request, "login.html", {"err": request.query_params.get("err", ""), "user": None}
    )


@router.post("/login")
def login(request: Request, token: str = Form(...), session: Session = Depends(db)) -> Response:
    try:
        user_for_token(session, token.strip())
    except ServiceError:
        return RedirectResponse("/dashboard/login?err=" + quote("invalid API token"), 303)
    resp = RedirectResponse("/dashboard", status_code=303)
    resp.set_cookie(
        COOKIE,
        token.strip(),
        httponly=True,
        samesite="strict",
        path="/dashboard",
        secure=request.url.scheme == "https",
    )
    return resp


@router.post("/logout")
def logout() -> Response:
    resp = _login_redirect()
    resp.delete_cookie(COOKIE, path="/dashboard")
    return resp


@router.get("", response_class=HTMLResponse)
def overview(request: Request, session: Session = Depends(db)) -> Response:
    user = _user(request, session)
    if user is None:
        return _login_redirect()
    q = request.query_params
    try:
        rng = stats.Range.parse(q.get("from"), q.get("to"), q.get("app_id"))
    except ServiceError as exc:
        rng = stats.Range.parse(None, None, q.get("app_id"))
        request.scope["query_string"] = b"err=" + quote(exc.message).encode()
    daily = stats.daily(session, rng)
    days = rng.days()
    usage = charts.line_chart(
        "Launches, page views and errors per day",
        days,
        {SERIES_LABELS[k]: [daily[k][d] for d in days] for k in ("launch", "page_view", "error")},
    )
    devices = charts.line_chart(
        "Active devices per day",
        days,
        {"active devices": [daily["active_devices"][d] for d in days]},
        legend_total="max",
    )
    api_daily = charts.line_chart(
        "API calls per day", days, {"API calls": [daily["api_call"][d] for d in days]}
    )
    apps = stats.per_app(session, rng)
    apis = stats.per_api(session, rng)
    per_app_chart = charts.bar_chart(
        "API calls per app", [(a["app_id"], a["api_call"]) for a in apps]
    )
    per_api_chart = charts.bar_chart(
        "API calls per API", [(f"{a['app_id']} · {a['api']}", a["calls"]) for a in apis]
    )
    query = f"from={rng.start}&to={rng.end}" + (
        f"&app_id={quote(rng.app_id)}" if rng.app_id else ""
    )
    return _page(
        request,
        "overview.html",
        user,
        rng=rng,
        apps=apps,
        apis=apis,
        events=stats.per_event(session, rng),
        query=query,
        charts=[usage, devices, api_daily, per_app_chart, per_api_chart],
        app_ids=[a.id for a in registry.list_apps(session, user)],
        errors=stats.recent_errors(session, rng, 20),
    )


@router.get("/export.csv")
def export(request: Request, session: Session = Depends(db)) -> Response:
    user = _user(request, session)
    if user is None:
        return _login_redirect()
    q = request.query_params
    kind = q.get("kind", "daily")
    try:
        body = csv_export(
            session, kind, stats.Range.parse(q.get("from"), q.get("to"), q.get("app_id"))
        )
    except ServiceError as exc:
        return Response(exc.message, status_code=exc.status, media_type="text/plain")
    return Response(
        body,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="finclip-{kind}.csv"'},
    )


@router.get("/apps", response_class=HTMLResponse)
def apps_page(request: Request, session: Session = Depends(db)) -> Response:
    user = _user(request, session)
    if user is None:
        return _login_redirect()
    apps = [app_dict(session, a) for a in registry.list_apps(session, user)]
    return _page(request, "apps.html", user, apps=apps)


@router.get("/apps/{app_id}", response_class=HTMLResponse)
def app_page(app_id: str, request: Request, session: Session = Depends(db)) -> Response:
    user = _user(request, session)
    if user is None:
        return _login_redirect()
    try:
        app = registry.get_app(session, app_id)
        require(user, "read", app.org_id)
    except ServiceError as exc:
        return Response(exc.message, status_code=exc.status, media_type="text/plain")
    return _page(
        request,
        "app.html",
        user,
        app=app_dict(session, app, with_versions=True),
        audit=[audit.as_dict(e) for e in audit.entries(session, app_id, 50)],
    )


def _form_list(text: str) -> list[str]:
    return [part.strip() for part in text.replace(",", " ").split() if part.strip()]


ACTIONS: dict[str, Callable[..., Any]] = {
    "submit": lambda s, u, a, f: lifecycle.submit(s, u, a, f["version"], f["reason"]),
    "approve": lambda s, u, a, f: lifecycle.approve(s, u, a, f["version"], f["reason"]),
    "reject": lambda s, u, a, f: lifecycle.reject(s, u, a, f["version"], f["reason"]),
    "release": lambda s, u, a, f: lifecycle.release(
        s, u, a, f["version"], f["reason"], f["mandatory"]
    ),
    "gray": lambda s, u, a, f: lifecycle.release_gray(
        s,
        u,
        a,
        f["version"],
        f["percent"],
        _form_list(f["devices"]),
        _form_list(f["orgs"]),
        f["reason"],
        f["mandatory"],
        _form_list(f["channels"]),
    ),
    "promote": lambda s, u, a, f: lifecycle.promote(s, u, a, f["reason"]),
    "cancel_gray": lambda s, u, a, f: lifecycle.cancel_gray(s, u, a, f["reason"]),
    "rollback": lambda s, u, a, f: lifecycle.rollback(s, u, a, f["version"], f["reason"]),
    "takedown": lambda s, u, a, f: lifecycle.take_down(s, u, a, f["reason"]),
    "restore": lambda s, u, a, f: lifecycle.restore(s, u, a, f["reason"]),
}


@router.post("/apps/{app_id}/action")
def app_action(
    app_id: str,
    request: Request,
    action: str = Form(...),
    version: str = Form(""),
    reason: str = Form(""),
    percent: int = Form(0),
    devices: str = Form(""),
    orgs: str = Form(""),
    channels: str = Form(""),
    mandatory: bool = Form(False),
    session: Session = Depends(db),
) -> Response:
    user = _user(request, session)
    if user is None:
        return _login_redirect()
    back = f"/dashboard/apps/{quote(app_id)}"
    if not _same_origin(request):
        return Response("cross-origin form refused", status_code=403, media_type="text/plain")
    handler = ACTIONS.get(action)
    if handler is None:
        return RedirectResponse(f"{back}?err={quote('unknown action')}", 303)
    form = {
        "version": version,
        "reason": reason,
        "percent": percent,
        "devices": devices,
        "orgs": orgs,
        "channels": channels,
        "mandatory": mandatory,
    }
    try:
        handler(session, user, app_id, form)
    except ServiceError as exc:
        session.rollback()
        return RedirectResponse(f"{back}?err={quote(exc.message)}", 303)
    done = f"{action.replace('_', ' ')} {version}".strip()
    return RedirectResponse(f"{back}?msg={quote(done + ': done')}", 303)


@router.get("/audit", response_class=HTMLResponse)
def audit_page(request: Request, session: Session = Depends(db)) -> Response:
    user = _user(request, session)
    if user is None:
        return _login_redirect()
    app_id = request.query_params.get("app_id") or None
    rows = [audit.as_dict(e) for e in audit.entries(session, app_id, 500)]
    return _page(request, "audit.html", user, rows=rows, app_id=app_id or "")


@router.get("/devices", response_class=HTMLResponse)
def devices_page(request: Request, session: Session = Depends(db)) -> Response:
    user = _user(request, session)
    if user is None:
        return _login_redirect()
    query = select(Device).order_by(Device.last_seen_at.desc()).limit(1000)
    if user.org_id is not None:
        query = query.where(Device.org_id == user.org_id)
    return _page(request, "devices.html", user, devices=list(session.scalars(query)))
