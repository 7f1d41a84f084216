"""A policy file changes what the shell lets run, as docs/policy.md says (real files, the
shell's own rules in shell/targets.py)."""

from __future__ import annotations

import json

import pytest

from finclip_desktop.package import build_archive, generate_key, public_key_text
from finclip_desktop.policy import POLICY_ENV
from finclip_desktop.settings import SettingsStore

targets = pytest.importorskip("finclip_desktop.shell.targets")
BundleError = pytest.importorskip("finclip_desktop.shell.bundle").BundleError

KEY = generate_key()
HTML_APP = {"index.html": b"<!doctype html><p>hi</p>"}


@pytest.fixture
def policy(tmp_path, monkeypatch):
    def write(data: dict) -> None:
        path = tmp_path / "policy.json"
        path.write_text(json.dumps(data))
        monkeypatch.setenv(POLICY_ENV, str(path))

    return write


@pytest.fixture
def folder(tmp_path):
    root = tmp_path / "app"
    root.mkdir()
    (root / "index.html").write_bytes(HTML_APP["index.html"])
    return root


@pytest.fixture
def package(tmp_path):
    path = tmp_path / "corp.app.fcpkg"
    path.write_bytes(build_archive(HTML_APP, {"app_id": "corp.app", "name": "Corp",
                                              "version": "1.0.0"}, KEY)[1])  # fmt: skip
    return path


def settings():
    return SettingsStore().effective


def test_developer_mode_forbidden(policy, folder):
    SettingsStore().update(developer_mode=True)
    assert targets.developer_mode(settings(), requested=False) is True
    policy({"developer_mode_allowed": False})
    with pytest.raises(BundleError, match="developer mode is turned off by your organisation"):
        targets.developer_mode(settings(), requested=True)
    assert targets.developer_mode(settings(), requested=False) is False
    with pytest.raises(BundleError, match="runs only in developer mode"):
        targets.resolve(str(folder), settings(), dev=False)


def test_trusted_keys_from_policy(policy, package):
    with pytest.raises(BundleError):
        targets.resolve(str(package), settings(), dev=False)  # nobody trusts the signer yet
    policy({"trusted_keys": [public_key_text(KEY)]})
    bundle = targets.resolve(str(package), settings(), dev=False)
    assert bundle.app_id == "corp.app" and bundle.signed


def test_sideloading_forbidden(policy, package):
    policy({"trusted_keys": [public_key_text(KEY)], "sideloading_allowed": False})
    with pytest.raises(BundleError, match="turned off by your organisation's policy"):
        targets.resolve(str(package), settings(), dev=False)


def test_app_lists(policy, package):
    policy({"trusted_keys": [public_key_text(KEY)], "blocked_apps": ["corp.*"]})
    with pytest.raises(BundleError, match="corp.app is not allowed by your organisation"):
        targets.resolve(str(package), settings(), dev=False)
    policy({"trusted_keys": [public_key_text(KEY)], "allowed_apps": ["other.app"]})
    with pytest.raises(BundleError, match="not allowed"):
        targets.resolve(str(package), settings(), dev=False)
    policy({"trusted_keys": [public_key_text(KEY)], "allowed_apps": ["corp.app"]})
    assert targets.resolve(str(package), settings(), dev=False).app_id == "corp.app"
