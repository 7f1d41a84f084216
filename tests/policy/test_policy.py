"""Managed policy: location, schema validation, one-line errors, app lists."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from finclip_desktop.package import generate_key, public_key_text, save_private_key
from finclip_desktop.policy import (
    POLICY_ENV,
    POLICY_KEYS,
    Policy,
    PolicyError,
    load_policy,
    parse_policy,
    policy_path,
)

KEY = public_key_text(generate_key())
ROOT = {"signed": {"_type": "root", "version": 1, "keys": {}, "roles": {}}, "signatures": []}

FULL = {
    "server_url": "https://apps.example.com/",
    "trusted_keys": [KEY],
    "distribution_root": ROOT,
    "allowed_apps": ["com.example.*", "gov.forms"],
    "blocked_apps": ["com.example.beta"],
    "developer_mode_allowed": False,
    "sideloading_allowed": False,
    "allow_http_localhost": True,
    "update_channel": "beta",
    "proxy": "http://proxy.corp:3128",
    "telemetry": False,
}


def write(tmp_path: Path, data: object) -> Path:
    path = tmp_path / "policy.json"
    path.write_text(data if isinstance(data, str) else json.dumps(data))
    return path


def test_env_var_picks_the_file(tmp_path, monkeypatch):
    path = write(tmp_path, {"telemetry": False})
    monkeypatch.setenv(POLICY_ENV, str(path))
    assert policy_path() == path
    assert load_policy().telemetry is False


def test_os_location_without_env(monkeypatch):
    monkeypatch.delenv(POLICY_ENV)
    expected = {
        "linux": "/etc/finclip-desktop/policy.json",
        "darwin": "/Library/Application Support/FinClip/policy.json",
    }.get(sys.platform)
    if expected:
        assert str(policy_path()) == expected
    else:
        assert policy_path().parts[-2:] == ("FinClip", "policy.json")


def test_missing_file_is_no_policy():
    policy = load_policy()  # conftest points FINCLIP_POLICY_FILE at a missing file
    assert policy == Policy() and not policy and policy.keys() == frozenset()


def test_full_policy_parses(tmp_path):
    policy = load_policy(write(tmp_path, FULL))
    assert policy.keys() == frozenset(POLICY_KEYS)
    assert policy.server_url == "https://apps.example.com"
    assert policy.trusted_keys == (KEY,)
    assert policy.distribution_root == ROOT
    assert policy.developer_mode_allowed is False and policy.allow_http_localhost is True
    assert policy.update_channel == "beta" and policy.proxy == "http://proxy.corp:3128"
    assert policy.source == tmp_path / "policy.json"


def test_pem_key_accepted(tmp_path):
    key = generate_key()
    pub = save_private_key(key, tmp_path / "k")
    assert parse_policy({"trusted_keys": [pub.read_text()]}).trusted_keys


def test_distribution_root_from_relative_path(tmp_path):
    (tmp_path / "root.json").write_text(json.dumps(ROOT))
    policy = load_policy(write(tmp_path, {"distribution_root": "root.json"}))
    assert policy.distribution_root == ROOT


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"colour": "red"}, "unknown key 'colour'"),
        ({"server_url": "ftp://x"}, "server_url must be an https:// URL"),
        ({"server_url": "http://apps.example.com"}, "server_url must use https://"),
        ({"server_url": 5}, "server_url must be a URL string, not a number"),
        ({"server_url": "https://u:p@x.com"}, "server_url must not contain credentials"),
        ({"server_url": "https://a.example:99999"}, "server_url: invalid port in"),
        ({"server_url": "https://a.example:0"}, "server_url: invalid port in"),
        ({"server_url": "https://a.example:http"}, "server_url: invalid port in"),
        ({"server_url": "https://a b.example"}, "server_url must not contain spaces"),
        ({"server_url": "https://apps.example.com/x y"}, "server_url must not contain spaces"),
        ({"server_url": "https://a.example\n"}, "server_url must not contain spaces"),
        ({"server_url": "https://a..example"}, "server_url: 'a..example' is not a valid host"),
        ({"server_url": "https://-a.example"}, "server_url: '-a.example' is not a valid host"),
        ({"trusted_keys": "abc"}, "trusted_keys must be a list of strings"),
        ({"trusted_keys": [KEY, "bm90IGEga2V5"]}, "trusted_keys[1]: raw Ed25519 public key"),
        ({"trusted_keys": ["%%%"]}, "trusted_keys[0]: public key is neither PEM nor base64"),
        ({"allowed_apps": ["Com/Evil"]}, "allowed_apps[0] 'Com/Evil' is not an app id"),
        ({"allowed_apps": ["com.example.*\n"]}, "allowed_apps[0] 'com.example.*\\n' is not"),
        ({"blocked_apps": ["com.evil\n"]}, "blocked_apps[0] 'com.evil\\n' is not an app id"),
        ({"blocked_apps": [1]}, "blocked_apps must be a list of strings"),
        ({"developer_mode_allowed": "no"}, "developer_mode_allowed must be true or false"),
        ({"sideloading_allowed": 0}, "sideloading_allowed must be true or false, not a number"),
        ({"telemetry": None}, "telemetry must be true or false, not null"),
        ({"update_channel": "Beta!"}, "update_channel must be a channel name"),
        ({"update_channel": "beta\n"}, "update_channel must be a channel name"),
        ({"proxy": "ftp://p:1"}, "proxy must be 'system', 'none' or a proxy URL"),
        ({"proxy": "http://p:99999"}, "proxy: invalid port"),
        ({"proxy": "http://proxy host:3128"}, "proxy must not contain spaces"),
        ({"proxy": "socks5://a$b:1080"}, "proxy: 'a$b' is not a valid host name"),
        ({"distribution_root": 3}, "distribution_root must be a path to root metadata"),
        ({"distribution_root": {"signed": {}}}, "needs 'signed' and 'signatures'"),
        ({"distribution_root": "/nonexistent/root.json"}, "distribution_root: cannot read"),
        (
            {"distribution_root": {"signed": {"_type": "targets"}, "signatures": []}},
            "not 'root'",
        ),
        ([1, 2], "must be a JSON object, not a list"),
        ('{"telemetry": true, "telemetry": false}', "duplicate key"),
        ("{not json", "not valid JSON"),
    ],
)
def test_invalid_policy_one_line_error(tmp_path, data, message):
    path = write(tmp_path, data)
    with pytest.raises(PolicyError) as info:
        load_policy(path)
    text = str(info.value)
    assert message in text
    assert text.startswith(str(path)) and "\n" not in text


def test_unreadable_policy_fails_closed(tmp_path):
    (tmp_path / "policy.json").mkdir()  # exists but cannot be read as a file
    with pytest.raises(PolicyError, match="cannot read the policy file"):
        load_policy(tmp_path / "policy.json")


def test_oversized_policy_rejected(tmp_path):
    path = write(tmp_path, {"allowed_apps": ["a"] * 300_000})
    with pytest.raises(PolicyError, match="larger than"):
        load_policy(path)


def test_http_server_url_allowed_for_loopback():
    assert parse_policy({"server_url": "http://127.0.0.1:8080"}).server_url
    assert parse_policy({"server_url": "http://localhost:8080/"}).server_url
    assert parse_policy({"server_url": "http://[::1]:8080"}).server_url


def test_app_lists():
    policy = parse_policy(FULL)
    assert policy.app_allowed("com.example.mail")
    assert policy.app_allowed("gov.forms")
    assert not policy.app_allowed("com.example.beta")  # blocked wins over allowed
    assert not policy.app_allowed("org.other")  # not in allowed_apps
    only_blocked = parse_policy({"blocked_apps": ["games.*"]})
    assert only_blocked.app_allowed("org.other")
    assert not only_blocked.app_allowed("games.chess")
    assert Policy().app_allowed("anything")
    assert not parse_policy({"allowed_apps": []}).app_allowed("x")  # empty list: nothing


def test_macos_managed_preferences_plist(tmp_path, monkeypatch):
    import plistlib

    path = tmp_path / "org.finclip.desktop.plist"
    path.write_bytes(
        plistlib.dumps(
            {
                "PayloadUUID": "6C8C5E9E-3A4B-4D1B-9B0E-2E8A1F2C7D11",  # MDM bookkeeping
                "server_url": "https://apps.example.com",
                "allowed_apps": ["com.example.*"],
                "developer_mode_allowed": False,
            }
        )
    )
    monkeypatch.setenv(POLICY_ENV, str(path))
    policy = load_policy()
    assert policy.keys() == {"server_url", "allowed_apps", "developer_mode_allowed"}
    assert policy.developer_mode_allowed is False
    path.write_bytes(plistlib.dumps({"telemetry": "yes"}))
    with pytest.raises(PolicyError, match="telemetry must be true or false"):
        load_policy()
    path.write_bytes(b"not a plist")
    with pytest.raises(PolicyError, match="not a valid property list"):
        load_policy()
