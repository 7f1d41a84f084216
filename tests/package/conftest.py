"""Shared builders for package tests: a key, a trust store and a small signed app."""

from __future__ import annotations

import pytest

from finclip_desktop.package import TrustStore, build_archive, generate_key

APP_FILES: dict[str, bytes] = {
    "app.json": b'{"pages": ["pages/index/index"]}',
    "app.js": b"App({});",
    "app.wxss": b"page { color: #333; }",
    "pages/index/index.wxml": b"<view>{{msg}}</view>",
    "pages/index/index.js": b"Page({data: {msg: 'hi'}});",
    "images/logo.png": bytes(range(256)) * 4,
}
SETTINGS = {"app_id": "demo.test", "name": "Test App", "version": "1.0.0"}


@pytest.fixture(scope="session")
def key():
    return generate_key()


@pytest.fixture(scope="session")
def trust(key):
    return TrustStore([key.public_key()])


@pytest.fixture(scope="session")
def package_bytes(key) -> bytes:
    return build_archive(APP_FILES, SETTINGS, key)[1]
