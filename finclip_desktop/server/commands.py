"""`finclip server | admin | publish | review | release | promote | rollback | takedown |
restore | apps | login`: run the management server and drive it from the command line.

Client commands find the server in ``--server`` or ``FINCLIP_SERVER`` and the API token in
``FINCLIP_TOKEN`` or the OS keyring (saved there by ``finclip login``).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import Any

from finclip_desktop.cli import CliError

KEYRING_SERVICE = "finclip-server-token"


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "server",
        help="run the management server",
        description="Run the FinClip management server. On first start it creates "
        "the data dir (SQLite database, package blobs, metadata keys) and prints "
        "an admin API token.",
    )
    p.add_argument(
        "--data-dir",
        type=Path,
        default=None,
        help="data folder (default: $FINCLIP_SERVER_DATA or ./finclip-server-data)",
    )
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8700)
    p.add_argument(
        "--database-url",
        default=None,
        help="SQLAlchemy URL, e.g. postgresql+psycopg://user:pw@host/db "
        "(default: $FINCLIP_DATABASE_URL or SQLite in the data dir)",
    )
    p.add_argument(
        "--s3-endpoint",
        default=None,
        help="S3-compatible endpoint for package blobs "
        "(also $FINCLIP_S3_ENDPOINT; keys from $FINCLIP_S3_ACCESS_KEY/SECRET_KEY)",
    )
    p.add_argument("--s3-bucket", default=None)
    p.add_argument(
        "--timestamp-lifetime",
        type=int,
        default=None,
        metavar="SECONDS",
        help="validity of timestamp metadata (default 86400)",
    )
    p.add_argument(
        "--require-enrollment",
        action="store_true",
        help="register devices only with an org enrollment token",
    )
    p.add_argument("--root-keys", type=int, default=1, help="root keys to create on first start")
    p.add_argument(
        "--root-threshold",
        type=int,
        default=1,
        help="root signatures required (first start and rotation)",
    )
    p.add_argument("--init-only", action="store_true", help="initialise the data dir and exit")
    p.add_argument(
        "--rotate-root",
        action="store_true",
        help="sign a new root with fresh root keys (old and new keys sign it), exit",
    )
    p.add_argument(
        "--rotate-online-key",
        action="store_true",
        help="with --rotate-root: also replace the online key",
    )
    p.set_defaults(func=cmd_server)

    def client(name: str, help_text: str) -> argparse.ArgumentParser:
        cp = sub.add_parser(name, help=help_text, description=help_text)
        cp.add_argument(
            "--server",
            default=os.environ.get("FINCLIP_SERVER"),
            help="server URL (default $FINCLIP_SERVER)",
        )
        cp.add_argument("--json", action="store_true", help="print the server's JSON answer")
        return cp

    p = client("publish", "upload a signed .fcpkg to the server")
    p.add_argument("package", type=Path)
    p.add_argument("--changelog", default="")
    p.add_argument("--submit", action="store_true", help="also submit it for review")
    p.set_defaults(func=cmd_publish)

    p = client("review", "approve or reject a submitted version")
    p.add_argument("app_id")
    p.add_argument("version")
    g = p.add_mutually_exclusive_group(required=True)
    g.add_argument("--approve", action="store_true")
    g.add_argument("--reject", action="store_true")
    p.add_argument("--reason", default="")
    p.set_defaults(func=cmd_review)

    p = client("release", "release an approved version to all devices or a gray audience")
    p.add_argument("app_id")
    p.add_argument("version")
    p.add_argument("--gray-percent", type=int, default=None, metavar="N")
    p.add_argument("--gray-device", action="append", default=[], metavar="DEVICE_ID")
    p.add_argument("--gray-org", action="append", default=[], metavar="ORG")
    p.add_argument(
        "--gray-channel",
        action="append",
        default=[],
        metavar="NAME",
        help="devices following this update channel (e.g. beta); repeatable",
    )
    p.add_argument("--mandatory", action="store_true", help="clients apply it at once")
    p.add_argument("--reason", default="")
    p.set_defaults(func=cmd_release)

    p = client("promote", "promote an app's gray release to all devices")
    p.add_argument("app_id")
    p.add_argument("--reason", default="")
    p.set_defaults(func=lambda a: _post_app(a, "promote", {"reason": a.reason}))

    p = client("rollback", "make an earlier version of an app the release again")
    p.add_argument("app_id")
    p.add_argument("version")
    p.add_argument("--reason", required=True)
    p.set_defaults(
        func=lambda a: _post_app(a, "rollback", {"version": a.version, "reason": a.reason})
    )

    for name, text in (
        ("takedown", "withdraw an app from every device"),
        ("restore", "undo a takedown"),
    ):
        p = client(name, text)
        p.add_argument("app_id")
        p.add_argument("--reason", required=True)
        p.set_defaults(func=lambda a, n=name: _post_app(a, n, {"reason": a.reason}))

    p = client("apps", "list the server's apps and their releases")
    p.add_argument("app_id", nargs="?", help="show one app with all its versions")
    p.set_defaults(func=cmd_apps)

    p = client("admin", "create orgs, users, developer keys and apps on the server")
    admin = p.add_subparsers(dest="admin_command", metavar="WHAT", required=True)
    a = admin.add_parser("org", help="create an org (prints its device enrollment token)")
    a.add_argument("org_id")
    a.add_argument("--name", default="")
    a.set_defaults(func=cmd_admin_org)
    a = admin.add_parser("user", help="create a user (prints their API token)")
    a.add_argument("name")
    a.add_argument("--role", required=True, choices=("admin", "developer", "reviewer", "operator"))
    a.add_argument("--org", default=None, help="limit the user to this org's apps")
    a.set_defaults(func=cmd_admin_user)
    a = admin.add_parser("key", help="register a developer's public key (KEY.pub from keygen)")
    a.add_argument("org_id")
    a.add_argument("public_key", type=Path)
    a.add_argument("--name", default="")
    a.set_defaults(func=cmd_admin_key)
    a = admin.add_parser("app", help="register an app (prints its app secret)")
    a.add_argument("app_id")
    a.add_argument("--org", required=True)
    a.add_argument("--name", default="")
    a.add_argument("--description", default="")
    a.add_argument("--category", default="")
    a.add_argument("--scope", action="append", default=[], help="allowed permission scope")
    a.add_argument(
        "--domain",
        action="append",
        default=[],
        metavar="KIND=HOST",
        help="allowed domain, KIND one of request, socket, uploadFile, downloadFile",
    )
    a.set_defaults(func=cmd_admin_app)
    for a in admin.choices.values():
        a.add_argument("--server", default=argparse.SUPPRESS, help="server URL")
        a.add_argument("--json", action="store_true", default=argparse.SUPPRESS)

    p = client("login", "save an API token for a server in the OS keyring")
    p.add_argument("--token", default=None, help="API token (default: read from stdin)")
    p.set_defaults(func=cmd_login)


# -- the server ---------------------------------------------------------------------------
def cmd_server(args: argparse.Namespace) -> int:
    try:
        from finclip_desktop.server.config import S3Settings, Settings
        from finclip_desktop.server.core import Server
    except ImportError as exc:
        raise CliError(
            f"the server needs the [server] extra ({exc.name} is missing): "
            "pip install 'finclip-desktop[server]'"
        ) from None
    overrides: dict[str, Any] = {
        "database_url": args.database_url,
        "timestamp_lifetime": args.timestamp_lifetime,
        "require_enrollment": args.require_enrollment or None,
    }
    if args.s3_endpoint:
        overrides["s3"] = S3Settings(
            endpoint=args.s3_endpoint,
            bucket=args.s3_bucket or "finclip",
            access_key=os.environ.get("FINCLIP_S3_ACCESS_KEY", ""),
            secret_key=os.environ.get("FINCLIP_S3_SECRET_KEY", ""),
            region=os.environ.get("FINCLIP_S3_REGION", "us-east-1"),
        )
    settings = Settings.from_env(args.data_dir, **overrides)
    from finclip_desktop.server.errors import ServiceError
    from finclip_desktop.server.s3 import S3Error

    try:
        server = Server(settings)
        token = server.bootstrap(args.root_keys, args.root_threshold)
        if args.rotate_root:
            with server.session() as session:
                version = server.dist.rotate_root(
                    session, args.root_keys, args.root_threshold, args.rotate_online_key
                )
            print(f"root metadata rotated to version {version}")
            return 0
    except (ServiceError, S3Error, OSError) as exc:
        raise CliError(str(exc)) from None
    except Exception as exc:  # database unreachable and the like: one line, no traceback
        if type(exc).__module__.startswith(("sqlalchemy", "psycopg", "alembic")):
            raise CliError(f"database: {str(exc).splitlines()[0]}") from None
        raise
    print(f"data dir: {settings.data_dir.resolve()}")
    if token:
        print(f"admin API token (shown only now): {token}", flush=True)
    if args.init_only:
        return 0
    import uvicorn

    from finclip_desktop.server.app import create_app

    print(f"dashboard: http://{args.host}:{args.port}/dashboard  API docs: /docs", flush=True)
    uvicorn.run(create_app(server), host=args.host, port=args.port, log_level="info")
    return 0


# -- the client side ----------------------------------------------------------------------
def _token(server: str) -> str:
    token = os.environ.get("FINCLIP_TOKEN")
    if token:
        return token
    try:
        import keyring

        token = keyring.get_password(KEYRING_SERVICE, server.rstrip("/"))
    except Exception:  # no keyring backend on this machine
        token = None
    if not token:
        raise CliError("no API token: set FINCLIP_TOKEN or run `finclip login --server URL`")
    return token


def _server(args: argparse.Namespace) -> str:
    if not args.server:
        raise CliError("no server: pass --server URL or set FINCLIP_SERVER")
    return args.server.rstrip("/")


def _call(args: argparse.Namespace, method: str, path: str, **kwargs: Any) -> Any:
    import httpx

    server = _server(args)
    headers = {"Authorization": f"Bearer {_token(server)}"}
    try:
        resp = httpx.request(method, server + path, headers=headers, timeout=120, **kwargs)
    except httpx.HTTPError as exc:
        raise CliError(f"cannot reach {server}: {exc}") from None
    try:
        data = resp.json()
    except ValueError:
        data = None
    if resp.status_code >= 400:
        message = data.get("error") if isinstance(data, dict) else None
        raise CliError(f"server said: {message or f'HTTP {resp.status_code}'}")
    return data


def _print(args: argparse.Namespace, data: Any, text: str) -> int:
    print(json.dumps(data, indent=2) if args.json else text)
    return 0


def _release_text(app: dict[str, Any]) -> str:
    rel = app["release"]
    text = f"{app['app_id']}: released {rel['version'] or '-'}"
    if rel["gray"]:
        g = rel["gray"]
        text += f", gray {g['version']} to {g['percent']}%"
        if g["devices"]:
            text += f" + {len(g['devices'])} devices"
        if g["orgs"]:
            text += f" + orgs {', '.join(g['orgs'])}"
        if g.get("channels"):
            text += f" + channels {', '.join(g['channels'])}"
    if app["taken_down"]:
        text += " (taken down)"
    return text


def cmd_publish(args: argparse.Namespace) -> int:
    try:
        data = args.package.read_bytes()
    except OSError as exc:
        raise CliError(f"cannot read {args.package}: {exc.strerror}") from None
    from finclip_desktop.package import PackageError, inspect_package

    try:
        app_id = inspect_package(data).manifest.app_id
    except PackageError as exc:
        raise CliError(f"{args.package}: {exc}") from None
    version = _call(
        args,
        "POST",
        f"/api/v1/apps/{app_id}/versions",
        params={"changelog": args.changelog},
        content=data,
    )
    text = f"uploaded {app_id} {version['version']} (sha256 {version['sha256'][:16]}…)"
    if args.submit:
        version = _call(
            args,
            "POST",
            f"/api/v1/apps/{app_id}/versions/{version['version']}/submit",
            json={"reason": args.changelog},
        )
        text += ", submitted for review"
    return _print(args, version, text)


def cmd_review(args: argparse.Namespace) -> int:
    verb = "approve" if args.approve else "reject"
    data = _call(
        args,
        "POST",
        f"/api/v1/apps/{args.app_id}/versions/{args.version}/{verb}",
        json={"reason": args.reason},
    )
    return _print(args, data, f"{args.app_id} {args.version}: {data['state']}")


def cmd_release(args: argparse.Namespace) -> int:
    body: dict[str, Any] = {
        "version": args.version,
        "mandatory": args.mandatory,
        "reason": args.reason,
    }
    if args.gray_percent is not None or args.gray_device or args.gray_org or args.gray_channel:
        body["gray"] = {
            "percent": args.gray_percent or 0,
            "devices": args.gray_device,
            "orgs": args.gray_org,
            "channels": args.gray_channel,
        }
    data = _call(args, "POST", f"/api/v1/apps/{args.app_id}/release", json=body)
    return _print(args, data, _release_text(data))


def _post_app(args: argparse.Namespace, action: str, body: dict[str, Any]) -> int:
    data = _call(args, "POST", f"/api/v1/apps/{args.app_id}/{action}", json=body)
    return _print(args, data, _release_text(data))


def cmd_apps(args: argparse.Namespace) -> int:
    if args.app_id:
        app = _call(args, "GET", f"/api/v1/apps/{args.app_id}")
        lines = [_release_text(app)] + [
            f"  {v['version']:<12} {v['state']:<10} {v['created_at'][:16]} {v['changelog']}"
            for v in app["versions"]
        ]
        return _print(args, app, "\n".join(lines))
    apps = _call(args, "GET", "/api/v1/apps")
    return _print(args, apps, "\n".join(_release_text(a) for a in apps) or "no apps")


def cmd_admin_org(args: argparse.Namespace) -> int:
    data = _call(args, "POST", "/api/v1/orgs", json={"id": args.org_id, "name": args.name})
    return _print(
        args,
        data,
        f"org {data['id']} created; device enrollment token "
        f"(shown only now): {data['enrollment_token']}",
    )


def cmd_admin_user(args: argparse.Namespace) -> int:
    body = {"name": args.name, "role": args.role, "org": args.org}
    data = _call(args, "POST", "/api/v1/users", json=body)
    return _print(
        args,
        data,
        f"user {data['name']} ({data['role']}) created; API token "
        f"(shown only now): {data['token']}",
    )


def cmd_admin_key(args: argparse.Namespace) -> int:
    try:
        text = args.public_key.read_text()
    except (OSError, UnicodeDecodeError) as exc:
        raise CliError(f"cannot read {args.public_key}: {exc}") from None
    body = {"public_key": text, "name": args.name or args.public_key.name}
    data = _call(args, "POST", f"/api/v1/orgs/{args.org_id}/keys", json=body)
    return _print(args, data, f"key {data['keyid'][:16]}… registered for org {data['org']}")


def cmd_admin_app(args: argparse.Namespace) -> int:
    domains: dict[str, list[str]] = {}
    for item in args.domain:
        kind, sep, host = item.partition("=")
        if not sep or not host:
            raise CliError(f"--domain {item!r} must look like request=api.example.com")
        domains.setdefault(kind, []).append(host)
    body = {
        "app_id": args.app_id,
        "org": args.org,
        "name": args.name,
        "description": args.description,
        "category": args.category,
        "scopes": args.scope,
        "domains": domains,
    }
    data = _call(args, "POST", "/api/v1/apps", json=body)
    return _print(
        args,
        data,
        f"app {data['app_id']} registered in org {data['org']}; app "
        f"secret for login-code exchange (shown only now): {data['app_secret']}",
    )


def cmd_login(args: argparse.Namespace) -> int:
    server = _server(args)
    token = args.token or sys.stdin.readline().strip()
    if not token:
        raise CliError("no token given")
    try:
        import keyring

        keyring.set_password(KEYRING_SERVICE, server, token)
    except Exception as exc:
        raise CliError(
            f"cannot save the token in the OS keyring ({exc}); set FINCLIP_TOKEN instead"
        ) from None
    print(f"token saved for {server}")
    return 0
