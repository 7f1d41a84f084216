"""Manifest validation and app.json checks give clear, specific messages."""

from __future__ import annotations

import pytest

from finclip_desktop.package import (
    AppError,
    FileEntry,
    Manifest,
    ManifestInvalidError,
    normalize_domain,
    parse_semver,
    validate_app,
)

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
    ],
)
def test_invalid_apps_name_the_problem(change, message):
    files = {k: v for k, v in {**APP, **change}.items() if v is not None}
    with pytest.raises(AppError, match=message):
        validate_app(files)
