"""User settings, effective settings under policy, and what is managed."""

from __future__ import annotations

import json
import os

import pytest

from finclip_desktop.package import generate_key, key_id, public_key_text
from finclip_desktop.policy import POLICY_ENV, PolicyError, parse_policy
from finclip_desktop.settings import (
    MANAGED_NOTE,
    SettingsError,
    SettingsStore,
    UserSettings,
    config_dir,
    effective_settings,
    load_user_settings,
    settings_path,
)

KEY_A, KEY_B = (generate_key() for _ in range(2))
TEXT_A, TEXT_B = public_key_text(KEY_A), public_key_text(KEY_B)


def test_paths_follow_xdg(_isolated_dirs):
    assert config_dir() == _isolated_dirs / "config" / "finclip-desktop"
    assert settings_path().name == "settings.json"


def test_defaults_without_files():
    store = SettingsStore()
    eff = store.effective
    assert store.user == UserSettings()
    assert eff.server_url is None and eff.developer_mode is False
    assert eff.sideloading_allowed is True and eff.telemetry is False
    assert eff.update_channel == "stable" and eff.proxy == "system"
    assert eff.managed == frozenset() and eff.note("server_url") == ""
    assert len(eff.trust_store()) == 0


def test_update_persists_and_reloads():
    store = SettingsStore()
    store.update(server_url="https://apps.example.com", developer_mode=True)
    data = json.loads(settings_path().read_text())
    assert data["server_url"] == "https://apps.example.com" and data["developer_mode"] is True
    again = SettingsStore()
    assert again.effective.server_url == "https://apps.example.com"
    assert again.effective.developer_mode is True


def test_update_rejects_bad_values_and_unknown_keys():
    store = SettingsStore()
    with pytest.raises(SettingsError, match="developer_mode must be true or false"):
        store.update(developer_mode="yes")
    with pytest.raises(SettingsError, match="server_url must use https://"):
        store.update(server_url="http://apps.example.com")
    with pytest.raises(SettingsError, match="update_channel must be a channel name"):
        store.update(update_channel="beta\n")  # "$" would match before the newline
    with pytest.raises(SettingsError, match="'colour' is not a user setting"):
        store.update(colour="red")
    assert not settings_path().exists()  # nothing half-written


def test_unknown_keys_in_file_are_kept():
    settings_path().parent.mkdir(parents=True)
    settings_path().write_text(json.dumps({"telemetry": True, "future_key": [1]}))
    store = SettingsStore()
    assert store.effective.telemetry is True
    store.update(proxy="none")
    assert json.loads(settings_path().read_text())["future_key"] == [1]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{oops", "not valid JSON"),
        ("[]", "must be a JSON object"),
        ('{"developer_mode": 1}', "developer_mode must be true or false"),
        ('{"trusted_keys": ["nope!"]}', "trusted_keys[0]: public key is neither PEM nor base64"),
    ],
)
def test_corrupt_user_settings_are_one_line_errors(content, message):
    settings_path().parent.mkdir(parents=True)
    settings_path().write_text(content)
    with pytest.raises(SettingsError) as info:
        load_user_settings()
    assert message in str(info.value) and "\n" not in str(info.value)


def test_policy_overrides_and_marks_managed():
    user = UserSettings(
        server_url="https://mine.example.com",
        developer_mode=True,
        trusted_keys=(TEXT_A,),
        telemetry=True,
        update_channel="beta",
    )
    policy = parse_policy(
        {
            "server_url": "https://corp.example.com",
            "trusted_keys": [TEXT_B],
            "telemetry": False,
            "developer_mode_allowed": False,
            "sideloading_allowed": False,
        }
    )
    eff = effective_settings(user, policy)
    assert eff.server_url == "https://corp.example.com"
    assert eff.telemetry is False and eff.developer_mode is False
    assert eff.sideloading_allowed is False
    assert eff.trusted_keys == (TEXT_B,)  # policy keys replace the user's
    assert key_id(KEY_B) in eff.trust_store() and key_id(KEY_A) not in eff.trust_store()
    assert eff.update_channel == "beta" and not eff.is_managed("update_channel")
    assert eff.managed == {
        "server_url", "trusted_keys", "telemetry", "developer_mode", "sideloading_allowed"
    }  # fmt: skip
    assert eff.note("server_url") == MANAGED_NOTE == "managed by your organisation"


def test_developer_mode_allowed_leaves_choice_to_user():
    policy = parse_policy({"developer_mode_allowed": True})
    assert effective_settings(UserSettings(developer_mode=True), policy).developer_mode is True
    eff = effective_settings(UserSettings(developer_mode=False), policy)
    assert eff.developer_mode is False and not eff.is_managed("developer_mode")


def test_managed_setting_cannot_be_changed(tmp_path, monkeypatch):
    policy_file = tmp_path / "policy.json"
    policy_file.write_text(json.dumps({"server_url": "https://corp.example.com"}))
    monkeypatch.setenv(POLICY_ENV, str(policy_file))
    store = SettingsStore()  # reads the policy from the environment
    with pytest.raises(SettingsError, match="server_url is managed by your organisation"):
        store.update(server_url="https://mine.example.com")
    store.update(telemetry=True)
    assert store.effective.server_url == "https://corp.example.com"
    assert store.effective.telemetry is True


def test_invalid_policy_stops_the_store(tmp_path, monkeypatch):
    policy_file = tmp_path / "policy.json"
    policy_file.write_text('{"sideloading": false}')
    monkeypatch.setenv(POLICY_ENV, str(policy_file))
    with pytest.raises(PolicyError, match="unknown key 'sideloading'"):
        SettingsStore()


def test_app_lists_come_from_policy():
    eff = effective_settings(policy=parse_policy({"allowed_apps": ["gov.*"]}))
    assert eff.app_allowed("gov.tax") and not eff.app_allowed("com.game")
    assert eff.is_managed("allowed_apps")


def test_user_trusted_keys_add_remove():
    store = SettingsStore()
    kid = store.add_trusted_key(TEXT_A + "\n")
    assert store.add_trusted_key(TEXT_A) == kid  # no duplicate
    assert store.user.trusted_keys == (TEXT_A,)
    assert kid in SettingsStore().effective.trust_store()
    with pytest.raises(SettingsError, match="trusted key: public key is neither"):
        store.add_trusted_key("garbage!")
    assert store.remove_trusted_key(kid) is True
    assert store.remove_trusted_key(kid) is False
    assert SettingsStore().user.trusted_keys == ()


def test_settings_file_written_atomically():
    store = SettingsStore()
    store.update(telemetry=True)
    leftovers = [n for n in os.listdir(settings_path().parent) if n != "settings.json"]
    assert leftovers == []
