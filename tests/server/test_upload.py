"""Uploads are verified against the org's developer keys and the app's rules."""

from __future__ import annotations

from dataclasses import replace

import pytest

from finclip_desktop.package import build_archive, generate_key, public_key_text
from finclip_desktop.package.zipformat import read_archive, write_archive
from tests.server.conftest import app_files, make_package

APP = "com.example.demo"


def post(live, data: bytes, app_id: str = APP, expect: int = 422) -> dict:
    return live.admin.call(
        "POST", f"/api/v1/apps/{app_id}/versions", content=data, expect=expect
    ).json()


@pytest.fixture
def app(live):
    live.setup_app(APP, scopes=["scope.clipboardRead"], domains={"request": ["api.example.com"]})
    return live


def test_tampered_package_bad_signature(app):
    entries = read_archive(make_package(app.key, APP, "1.0.0"))
    other = make_package(app.key, APP, "1.0.1")
    entries["finclip.sig"] = read_archive(other)["finclip.sig"]  # a valid sig, other manifest
    err = post(app, write_archive(sorted(entries.items(), key=lambda kv: kv[0])))
    assert err["code"] == "bad-signature" and "does not match" in err["error"]


def test_tampered_file_content(app):
    entries = read_archive(make_package(app.key, APP, "1.0.0"))
    entries["app.js"] = b"App({evil: 1})"
    err = post(app, write_archive(entries.items()))
    assert err["code"] in ("size-mismatch", "hash-mismatch")


def test_unknown_and_revoked_keys(app):
    stranger = generate_key()
    assert post(app, make_package(stranger, APP, "1.0.0"))["code"] == "unknown-signer"
    # A key of another org does not count for this org's apps.
    app.admin.post("/api/v1/orgs", json={"id": "other"})
    app.admin.post("/api/v1/orgs/other/keys", json={"public_key": public_key_text(stranger)})
    assert post(app, make_package(stranger, APP, "1.0.0"))["code"] == "unknown-signer"
    # Revoking the org's key stops its uploads.
    keys = app.admin.get(f"/api/v1/orgs/{app.org}/keys")
    app.admin.post(
        f"/api/v1/orgs/{app.org}/keys/{keys[0]['keyid']}/revoke", json={"reason": "laptop lost"}
    )
    assert post(app, make_package(app.key, APP, "1.0.0"))["code"] == "unknown-signer"


def test_invalid_app_rejected(app):
    files = app_files()
    del files["app.js"]
    err = post(app, make_package(app.key, APP, "1.0.0", files=files))
    assert err == {
        "error": "app.js is missing: every mini-program needs one",
        "code": "invalid-app",
    }
    files = app_files()
    files["app.json"] = b'{"pages": ["pages/missing/index"]}'
    assert post(app, make_package(app.key, APP, "1.0.0", files=files))["code"] == "invalid-app"


def test_rules_of_the_app(app):
    err = post(app, make_package(app.key, "com.example.other", "1.0.0"))
    assert err["code"] == "wrong-app"
    err = post(app, make_package(app.key, APP, "1.0.0", permissions=("scope.camera",)))
    assert err == {
        "error": "permission scope.camera is not allowed for app 'com.example.demo'",
        "code": "scope-not-allowed",
    }
    domains = {"request": ("evil.example.com",), "socket": (), "uploadFile": (), "downloadFile": ()}
    assert post(app, make_package(app.key, APP, "1.0.0", domains=domains))["code"] == (
        "domain-not-allowed"
    )
    ok = {"request": ("api.example.com",), "socket": (), "uploadFile": (), "downloadFile": ()}
    pkg = make_package(app.key, APP, "1.0.0", domains=ok, permissions=("scope.clipboardRead",))
    assert post(app, pkg, expect=201)["permissions"] == ["scope.clipboardRead"]
    assert post(app, pkg, expect=409)["code"] == "exists"


def test_garbage_and_oversized(app, tmp_path):
    assert post(app, b"not a zip")["code"] == "corrupt-archive"
    post(app, make_package(app.key, APP, "1.0.0"), app_id="com.example.nope", expect=404)
    app.server.settings = replace(app.server.settings, max_upload_bytes=1000)
    assert post(app, b"x" * 2000, expect=413)["code"] == "too-large"


def test_unsigned_key_formats(app):
    bad = app.admin.call(
        "POST", f"/api/v1/orgs/{app.org}/keys", json={"public_key": "abc"}, expect=400
    ).json()
    assert "base64" in bad["error"]
    _m, data = build_archive(app_files(), {"app_id": APP, "name": "D", "version": "1.0.0"}, app.key)
    assert post(app, data, expect=201)["version"] == "1.0.0"


def test_compile_errors_are_rejected(app):
    runtime = pytest.importorskip("finclip_desktop.runtime", reason="no runtime")
    try:
        runtime.build_app(app_files())
    except Exception as exc:  # the runtime is not usable here: nothing to check against
        pytest.skip(f"the runtime cannot build a valid app yet: {exc}")
    files = app_files()
    files["pages/index/index.wxml"] = b"<view>{{ unclosed </view"
    try:
        runtime.build_app(files)
    except runtime.CompileError:
        pass
    else:
        pytest.skip("the runtime accepts this template")
    err = post(app, make_package(app.key, APP, "1.0.0", files=files))
    assert err["code"] == "compile-error" and err["error"].startswith("the app does not compile")
