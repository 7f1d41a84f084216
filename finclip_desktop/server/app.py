"""The ASGI application: device API, admin API (OpenAPI at /docs), dashboard."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse
from starlette.exceptions import HTTPException

from finclip_desktop import __version__
from finclip_desktop.server import admin_api, dashboard, device_api
from finclip_desktop.server.core import Server
from finclip_desktop.server.errors import ServiceError
from finclip_desktop.server.limits import BodyLimit

log = logging.getLogger("finclip.server")

DESCRIPTION = """\
FinClip management server. All JSON; errors are `{"error": "<one line>"}` with a 4xx/5xx
status (upload rejections add `"code"`, e.g. `bad-signature`, `unknown-signer`,
`invalid-app`, `wrong-app`, `scope-not-allowed`, `domain-not-allowed`, `exists`).

**Auth.** Devices: `Authorization: Device <device_id>:<device_secret>` (from
`POST /api/v1/devices/register`; joining an org needs its enrollment token). People and
tools: `Authorization: Bearer <API token>`; roles admin (everything), developer (keys,
apps, upload, submit), reviewer (approve/reject), operator (release, gray, promote,
rollback, take down/restore); a user with an org acts on that org's apps only.

**Lifecycle.** upload -> submit -> approve / reject (reason) -> release to everyone or a
gray audience (percentage of devices by stable hash of app and device id, device ids,
org ids) -> promote -> rollback (reason; sent as mandatory) -> take down / restore
(reason). Every transition is in the audit log (who, when, why).

**Metadata** (TUF-shaped, canonical JSON `{"signed", "signatures"}`): root (offline root
keys, threshold, expiry; `GET /api/v1/metadata/{N}.root.json` walks rotations, each new
root signed by the old and the new root keys), and for each device targets (entries
`<app_id>/<version>.fcpkg` -> app_id, version, length, sha256, manifest_sha256,
permissions, domains, mandatory), snapshot and a short-lived timestamp, signed by the
online key. Versions never decrease; documents are identical between requests until
something changes.

**Packages.** `ETag`/`If-None-Match` (304), one `Range` (206/416, `If-Range`); `parts`
gives the signed manifest and signature; `delta` returns a stored zip of only the files
whose sha256 the client does not list in `have`, each named by its sha256.

**Stats.** Batches are idempotent by `batch_id`; `ts` is unix seconds, milliseconds or
ISO 8601; a batch is stored whole or refused whole.
"""


def create_app(server: Server) -> FastAPI:
    app = FastAPI(title="FinClip server", version=__version__, description=DESCRIPTION)
    app.state.server = server

    @app.exception_handler(ServiceError)
    async def _service_error(_request: Request, exc: ServiceError) -> JSONResponse:
        body = {"error": exc.message}
        code = getattr(exc, "code", None)
        if code:
            body["code"] = code
        headers = {"WWW-Authenticate": "Bearer"} if exc.status == 401 else None
        return JSONResponse(body, exc.status, headers=headers)

    @app.exception_handler(HTTPException)
    async def _http_error(_request: Request, exc: HTTPException) -> JSONResponse:
        return JSONResponse({"error": str(exc.detail)}, exc.status_code, headers=exc.headers)

    @app.exception_handler(RequestValidationError)
    async def _invalid(_request: Request, exc: RequestValidationError) -> JSONResponse:
        first = exc.errors()[0] if exc.errors() else {"loc": (), "msg": "invalid request"}
        where = ".".join(str(p) for p in first.get("loc", ()) if p != "body")
        return JSONResponse(
            {"error": f"{where}: {first.get('msg')}" if where else first["msg"]}, 422
        )

    @app.exception_handler(Exception)
    async def _unexpected(_request: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error", exc_info=exc)
        return JSONResponse({"error": f"internal server error ({type(exc).__name__})"}, 500)

    app.add_middleware(BodyLimit, max_bytes=server.settings.max_body_bytes)
    app.include_router(device_api.router)
    app.include_router(admin_api.router)
    app.include_router(dashboard.router)

    @app.get("/", include_in_schema=False)
    def _home() -> RedirectResponse:
        return RedirectResponse("/dashboard")

    @app.get("/healthz", include_in_schema=False)
    def _health() -> dict[str, str]:
        return {"status": "ok"}

    return app
