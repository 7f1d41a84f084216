"""Manifest validation and app.json checks give clear, specific messages."""

from __future__ import annotations

import json

import pytest

from finclip_desktop.package import (
    AppError,
    FileEntry,
    Manifest,
    ManifestInvalidError,
    app_settings,
    normalize_domain,
    parse_semver,
    validate_app,
)
from finclip_desktop.package.manifest import APP_ID_RE, HOST_RE, SCOPE_RE, SEMVER_RE, SHA256_RE

FILES = {"app.js": FileEntry("0" * 64, 0)}


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"app_id": "Bad_ID"}, "app id"),
        ({"version": "1.0"}, "not a semantic version"),
        ({"name": ""}, "name must be"),
        ({"permissions": ("clipboard",)}, "not a scope name"),
        ({"domains": {"request": ("https://x.com",)}}, "not a lowercase host"),
        ({"icon": "missing.png"}, "icon"),
        # "$" would match before a final newline: every check must refuse one.
        ({"app_id": "demo.x\n"}, "app id"),
        ({"version": "1.0.0\n"}, "not a semantic version"),
        ({"min_runtime": "1.0.0\n"}, "min_runtime"),
        ({"permissions": ("scope.userLocation\n",)}, "not a scope name"),
        ({"domains": {"request": ("evil.com\n",)}}, "not a lowercase host"),
        ({"files": {"app.js": FileEntry("0" * 64 + "\n", 0)}}, "sha256 of 'app.js'"),
        # A name or description must not be able to rewrite what verify/inspect print.
        ({"name": "X\nOK other.app 9.9.9"}, "name .* control character"),
        ({"name": "X\x1b[2K"}, "name .* control character"),
        ({"name": "X\u202egnp.exe"}, "name .* control character"),
        ({"description": "one\nOK other.app 9.9.9"}, "description holds a control"),
    ],
)
def test_manifest_rejects_bad_fields(fields, message):
    base = {"app_id": "demo.x", "name": "X", "version": "1.0.0", "files": FILES}
    with pytest.raises(ManifestInvalidError, match=message):
        Manifest(**{**base, **fields})


def test_manifest_round_trip_is_canonical():
    m = Manifest(
        app_id="demo.x",
        name="名字",
        version="1.0.0-beta.1",
        files=FILES,
        permissions=("scope.userLocation",),
    )
    assert Manifest.from_bytes(m.canonical_bytes()) == m
    with pytest.raises(ManifestInvalidError, match="canonical"):
        Manifest.from_bytes(m.canonical_bytes().replace(b",", b", ", 1))


def test_semver_ordering():
    versions = ["1.0.0", "1.0.0-alpha", "1.0.0-alpha.1", "1.0.0-beta", "0.9.9", "1.10.0", "1.2.0"]
    assert sorted(versions, key=parse_semver) == [
        "0.9.9",
        "1.0.0-alpha",
        "1.0.0-alpha.1",
        "1.0.0-beta",
        "1.0.0",
        "1.2.0",
        "1.10.0",
    ]


def test_semver_refuses_a_trailing_newline():
    with pytest.raises(ValueError, match="not a semantic version"):
        parse_semver("1.0.0\n")


def test_only_control_characters_make_a_name_unprintable():
    base = {"app_id": "demo.x", "version": "1.0.0", "files": FILES}
    assert Manifest(name="名字 – café", description="Ça va? 好", **base).name == "名字 – café"
    for bad in ("名字\r", "café\x85", "a\u2028b"):
        with pytest.raises(ManifestInvalidError, match="control character"):
            Manifest(name=bad, **base)


def test_domain_normalisation():
    assert normalize_domain("https://API.Example.com/") == "api.example.com"
    assert normalize_domain("wss://ws.example.com:8443") == "ws.example.com:8443"
    with pytest.raises(ValueError):
        normalize_domain("https://exa mple.com")


APP = {
    "app.json": b'{"pages": ["pages/a/a", "pages/b/b"], "tabBar": {"list": ['
    b'{"pagePath": "pages/a/a", "text": "A"}, {"pagePath": "pages/b/b", "text": "B"}]}}',
    "app.js": b"App({})",
    "pages/a/a.wxml": b"",
    "pages/a/a.js": b"",
    "pages/b/b.wxml": b"",
    "pages/b/b.js": b"",
}


def test_valid_app():
    assert validate_app(APP) == "wechat"
    assert validate_app({"index.html": b"<p>hi</p>"}) == "html"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"app.json": b"{"}, r"app.json: .*line 1"),
        ({"app.json": b'{"pages": []}'}, "at least one page"),
        ({"app.json": b'{"pages": ["pages/c/c"]}'}, "has no pages/c/c.wxml"),
        (
            {
                "app.json": b'{"pages": ["pages/a/a"], "tabBar": {"list": '
                b'[{"pagePath": "pages/a/a"},'
                b' {"pagePath": "pages/x/x"}]}}'
            },
            r"tabBar.list\[1\].pagePath",
        ),
        (
            {
                "app.json": b'{"pages": ["pages/a/a"], '
                b'"subpackages": [{"root": "pkgA", "pages": []}]}'
            },
            "subpackage root 'pkgA' does not exist",
        ),
        ({"app.js": None}, "app.js is missing"),
        ({"app.json": b'{"pages": ["pages/a/a"], "entryPagePath": ["x"]}'}, "entryPagePath must"),
        (
            {
                "app.json": b'{"pages": ["pages/a/a", "pages/b/b"], "tabBar": {"list": ['
                b'{"pagePath": "pages/a/a", "iconPath": 5}, {"pagePath": "pages/b/b"}]}}'
            },
            r"tabBar.list\[0\].iconPath must be a file path",
        ),
    ],
)
def test_invalid_apps_name_the_problem(change, message):
    files = {k: v for k, v in {**APP, **change}.items() if v is not None}
    with pytest.raises(AppError, match=message):
        validate_app(files)


def write_config(root, config: dict) -> None:
    (root / "finclip.config.json").write_text(json.dumps(config))


BASE_CONFIG = {"appId": "demo.x", "name": "X", "version": "1.0.0"}


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ({"permissions": [{"a": 1}]}, "finclip.config.json: 'permissions' must be an array"),
        ({"permissions": "scope.userLocation"}, "'permissions' must be an array"),
        ({"domains": {"request": "api.example.com"}}, "'domains.request' must be an array"),
        ({"domains": {"request": [5]}}, "'domains.request' must be an array"),
        ({"domains": {"request": ["bad host"]}}, "finclip.config.json: 'bad host' is not"),
        ({"domains": {"ftp": []}}, "'domains' may only have the keys"),
    ],
)
def test_app_settings_refuse_bad_types_with_a_clear_error(tmp_path, extra, message):
    write_config(tmp_path, {**BASE_CONFIG, **extra})
    with pytest.raises(AppError, match=message):
        app_settings(tmp_path)


def test_app_settings_need_a_folder(tmp_path):
    (tmp_path / "file").write_text("x")
    for path in (tmp_path / "nodir", tmp_path / "file"):
        with pytest.raises(AppError, match="is not a folder"):
            app_settings(path)


@pytest.mark.parametrize(
    ("pattern", "value"),
    [
        (APP_ID_RE, "demo.x"),
        (SEMVER_RE, "1.0.0"),
        (SCOPE_RE, "scope.userLocation"),
        (HOST_RE, "evil.com"),
        (SHA256_RE, "0" * 64),
    ],
)
def test_shared_patterns_refuse_a_trailing_newline_however_used(pattern, value):
    """The server and the scaffolder reuse these: even ``.match`` must not accept "x\\n"."""
    assert pattern.fullmatch(value) and pattern.match(value)
    for method in (pattern.match, pattern.fullmatch, pattern.search):
        assert method(value + "\n") is None
