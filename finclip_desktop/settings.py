"""User settings, the user's folders, and the effective settings under managed policy (no Qt).

``effective settings = user settings, overridden by the managed policy``. Every effective
value says whether the organisation manages it (:meth:`Settings.is_managed`), so the
settings page shows it read-only with :data:`MANAGED_NOTE`, and :meth:`SettingsStore.update`
refuses to change it.

User settings live in ``settings.json`` in the platformdirs user config folder
(``~/.config/finclip-desktop`` on Linux). Keys this version does not know are kept as they
are (a newer version may have written them); a known key with a bad value is a
:class:`SettingsError` naming the key.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import platformdirs

from finclip_desktop.package import PackageError, TrustStore, key_id, parse_public_key
from finclip_desktop.package.builder import write_atomic
from finclip_desktop.package.canonical import strict_loads
from finclip_desktop.policy import Policy, PolicyError, check_value, load_policy

APP_DIR_NAME = "finclip-desktop"
SETTINGS_FILE = "settings.json"
MANAGED_NOTE = "managed by your organisation"


class SettingsError(ValueError):
    """A bad user setting or a change to a managed one; ``str()`` is one line."""


def config_dir() -> Path:
    """The user's configuration folder (settings.json)."""
    return platformdirs.user_config_path(APP_DIR_NAME, appauthor=False)


def data_dir() -> Path:
    """The user's data folder (per-app storage, web engine profiles, installed packages)."""
    return platformdirs.user_data_path(APP_DIR_NAME, appauthor=False)


def cache_dir() -> Path:
    """The user's cache folder (downloads, compiled views)."""
    return platformdirs.user_cache_path(APP_DIR_NAME, appauthor=False)


def settings_path() -> Path:
    return config_dir() / SETTINGS_FILE


@dataclass(frozen=True)
class UserSettings:
    """What the user chose; ``extra`` keeps keys this version does not know."""

    server_url: str | None = None
    developer_mode: bool = False
    trusted_keys: tuple[str, ...] = ()
    telemetry: bool = False
    update_channel: str = "stable"
    proxy: str = "system"
    allow_http_localhost: bool = False
    extra: Mapping[str, Any] = field(default_factory=dict, compare=False)

    def to_dict(self) -> dict[str, Any]:
        data = dict(self.extra)
        for f in dataclasses.fields(self):
            if f.name != "extra":
                value = getattr(self, f.name)
                data[f.name] = list(value) if isinstance(value, tuple) else value
        return data


_USER_KEYS = tuple(f.name for f in dataclasses.fields(UserSettings) if f.name != "extra")
_RULES = {"developer_mode": "telemetry"}  # user setting -> policy key with the same rule


def _check_user_value(key: str, value: Any) -> Any:
    if key == "server_url" and value is None:
        return None
    try:
        return check_value(key, value, _RULES.get(key))
    except PolicyError as exc:
        raise SettingsError(str(exc)) from None


def parse_user_settings(data: Mapping[str, Any], where: str = "settings") -> UserSettings:
    """Validate a user settings object (unknown keys are kept in ``extra``)."""
    values: dict[str, Any] = {}
    extra: dict[str, Any] = {}
    for key, value in data.items():
        if key in _USER_KEYS:
            try:
                values[key] = _check_user_value(key, value)
            except SettingsError as exc:
                raise SettingsError(f"{where}: {exc}") from None
        else:
            extra[key] = value
    return UserSettings(**values, extra=extra)


def load_user_settings(path: Path | None = None) -> UserSettings:
    """Read settings.json; a missing file gives the defaults."""
    path = Path(path) if path is not None else settings_path()
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return UserSettings()
    except OSError as exc:
        raise SettingsError(f"{path}: cannot read: {exc.strerror}") from None
    try:
        data = strict_loads(raw)
    except ValueError as exc:
        raise SettingsError(f"{path}: not valid JSON: {exc}") from None
    if not isinstance(data, dict):
        raise SettingsError(f"{path}: must be a JSON object")
    return parse_user_settings(data, where=str(path))


def save_user_settings(settings: UserSettings, path: Path | None = None) -> None:
    """Write settings.json atomically (readers see the old or the new file, never half)."""
    path = Path(path) if path is not None else settings_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(settings.to_dict(), indent=2, ensure_ascii=False, sort_keys=True)
    try:
        write_atomic(path, (text + "\n").encode("utf-8"))
    except OSError as exc:
        raise SettingsError(f"{path}: cannot write: {exc.strerror}") from None


@dataclass(frozen=True)
class Settings:
    """The settings in force: user settings overridden by policy.

    ``developer_mode`` is the user's choice unless policy forbids it; ``sideloading_allowed``
    (launching packages or folders that did not come from the server), ``distribution_root``
    and the app lists come from policy only. When policy sets ``trusted_keys`` the list
    replaces the user's keys.
    """

    server_url: str | None = None
    developer_mode: bool = False
    sideloading_allowed: bool = True
    trusted_keys: tuple[str, ...] = ()
    distribution_root: dict[str, Any] | None = None
    allowed_apps: tuple[str, ...] | None = None
    blocked_apps: tuple[str, ...] = ()
    allow_http_localhost: bool = False
    update_channel: str = "stable"
    proxy: str = "system"
    telemetry: bool = False
    managed: frozenset[str] = frozenset()
    policy: Policy = field(default_factory=Policy, compare=False)

    def is_managed(self, name: str) -> bool:
        """Whether the organisation's policy fixes this setting (show it read-only)."""
        return name in self.managed

    def note(self, name: str) -> str:
        """:data:`MANAGED_NOTE` for a managed setting, else ``""``."""
        return MANAGED_NOTE if self.is_managed(name) else ""

    def app_allowed(self, app_id: str) -> bool:
        return self.policy.app_allowed(app_id)

    def trust_store(self) -> TrustStore:
        """The package signer keys accepted (already validated, so this cannot fail)."""
        return TrustStore.from_texts(self.trusted_keys)


SETTING_NAMES = tuple(f.name for f in dataclasses.fields(Settings) if f.name not in (
    "managed", "policy"))  # fmt: skip


def effective_settings(user: UserSettings | None = None, policy: Policy | None = None) -> Settings:
    """Combine user settings and policy; each value policy decides is marked managed."""
    user = user or UserSettings()
    policy = policy or Policy()
    values: dict[str, Any] = {
        name: getattr(user, name)
        for name in ("server_url", "trusted_keys", "telemetry", "update_channel", "proxy",
                     "allow_http_localhost", "developer_mode")
    }  # fmt: skip
    managed: set[str] = set()
    for name in ("server_url", "trusted_keys", "telemetry", "update_channel", "proxy",
                 "allow_http_localhost", "distribution_root", "allowed_apps",
                 "blocked_apps", "sideloading_allowed"):  # fmt: skip
        value = getattr(policy, name)
        if value is not None:
            values[name] = value
            managed.add(name)
    if policy.developer_mode_allowed is False:
        values["developer_mode"] = False
        managed.add("developer_mode")
    return Settings(**values, managed=frozenset(managed), policy=policy)


class SettingsStore:
    """The user's settings file plus the policy: read, change (unless managed), persist."""

    def __init__(self, path: Path | None = None, policy: Policy | None = None) -> None:
        self.path = Path(path) if path is not None else settings_path()
        self.policy = policy if policy is not None else load_policy()
        self.user = load_user_settings(self.path)

    @property
    def effective(self) -> Settings:
        return effective_settings(self.user, self.policy)

    def update(self, **changes: Any) -> Settings:
        """Change user settings and save them; a managed or unknown key is a SettingsError."""
        effective = self.effective
        values: dict[str, Any] = {}
        for key, value in changes.items():
            if key not in _USER_KEYS:
                raise SettingsError(f"{key!r} is not a user setting")
            if effective.is_managed(key):
                raise SettingsError(f"{key} is {MANAGED_NOTE} and cannot be changed here")
            values[key] = _check_user_value(key, value)
        if values:
            self.user = dataclasses.replace(self.user, **values)
            save_user_settings(self.user, self.path)
        return self.effective

    def add_trusted_key(self, text: str) -> str:
        """Trust a package signer key (PEM or base64); returns its key id."""
        try:
            kid = key_id(parse_public_key(text))
        except PackageError as exc:
            raise SettingsError(f"trusted key: {exc}") from None
        text = text.strip()
        if kid not in self._user_key_ids():
            self.update(trusted_keys=[*self.user.trusted_keys, text])
        return kid

    def remove_trusted_key(self, kid: str) -> bool:
        """Stop trusting a user-added key by key id; False if it was not there."""
        ids = self._user_key_ids()
        if kid not in ids:
            return False
        self.update(trusted_keys=[t for t, i in zip(self.user.trusted_keys, ids, strict=True)
                                  if i != kid])  # fmt: skip
        return True

    def _user_key_ids(self) -> list[str]:
        return [key_id(parse_public_key(t)) for t in self.user.trusted_keys]
