"""Managed policy: the JSON file IT deploys to override user settings (no Qt).

The file lives in the OS system location (see :func:`policy_path`), or where the
``FINCLIP_POLICY_FILE`` environment variable points. A missing file means "no policy";
a file that exists but is invalid raises :class:`PolicyError` with one line naming the
key, and the shell refuses to start (fail closed: a broken policy must not silently
lift the organisation's restrictions). The schema is documented in ``docs/policy.md``.
"""

from __future__ import annotations

import fnmatch
import ipaddress
import os
import plistlib
import re
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from finclip_desktop.package.canonical import strict_loads

POLICY_ENV = "FINCLIP_POLICY_FILE"
# Where macOS puts the keys of a configuration profile's payload of type org.finclip.desktop.
MACOS_MANAGED_PREFERENCES = Path("/Library/Managed Preferences/org.finclip.desktop.plist")
MAX_POLICY_BYTES = 1024 * 1024

# Used with fullmatch and anchored \A...\Z ("$" also matches before a trailing newline).
_APP_PATTERN = re.compile(r"\A[a-z0-9*][a-z0-9.*-]{0,127}\Z")
_CHANNEL = re.compile(r"\A[a-z0-9][a-z0-9-]{0,31}\Z")
_PROXY_SCHEMES = ("http", "https", "socks5")
_HOST_LABEL = re.compile(r"\A(?!-)[a-z0-9_-]{1,63}(?<!-)\Z")


class PolicyError(ValueError):
    """An invalid policy file; ``str()`` is one line naming the file and the key."""


def policy_path() -> Path:
    """Where the managed policy is read from: ``$FINCLIP_POLICY_FILE`` or the OS location."""
    override = os.environ.get(POLICY_ENV)
    if override:
        return Path(override)
    if sys.platform == "win32":
        base = os.environ.get("ProgramData", r"C:\ProgramData")
        return Path(base) / "FinClip" / "policy.json"
    if sys.platform == "darwin":
        json_path = Path("/Library/Application Support/FinClip/policy.json")
        if not json_path.exists() and MACOS_MANAGED_PREFERENCES.exists():
            return MACOS_MANAGED_PREFERENCES  # deployed by a configuration profile
        return json_path
    return Path("/etc/finclip-desktop/policy.json")


def is_loopback_host(host: str) -> bool:
    """True for ``localhost`` and loopback IP addresses."""
    host = host.strip("[]").lower()
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def app_matches(app_id: str, patterns: tuple[str, ...]) -> bool:
    """Whether ``app_id`` matches one of the patterns (``*`` matches any run of characters)."""
    app_id = app_id.lower()
    return any(fnmatch.fnmatchcase(app_id, pattern) for pattern in patterns)


@dataclass(frozen=True)
class Policy:
    """A validated policy. ``None`` means the key is absent (the user's setting applies)."""

    server_url: str | None = None
    trusted_keys: tuple[str, ...] | None = None
    distribution_root: dict[str, Any] | None = None
    allowed_apps: tuple[str, ...] | None = None
    blocked_apps: tuple[str, ...] | None = None
    developer_mode_allowed: bool | None = None
    sideloading_allowed: bool | None = None
    allow_http_localhost: bool | None = None
    update_channel: str | None = None
    proxy: str | None = None
    telemetry: bool | None = None
    source: Path | None = field(default=None, compare=False)

    def keys(self) -> frozenset[str]:
        """The policy keys this file sets."""
        return frozenset(name for name in _VALIDATORS if getattr(self, name) is not None)

    def __bool__(self) -> bool:
        return bool(self.keys())

    def app_allowed(self, app_id: str) -> bool:
        """Blocked patterns win; when ``allowed_apps`` is set, only matching ids may run."""
        if self.blocked_apps and app_matches(app_id, self.blocked_apps):
            return False
        if self.allowed_apps is not None:
            return app_matches(app_id, self.allowed_apps)
        return True


# --- validators: each gets (value, key, policy file folder) and returns the stored value ---


def _bool(value: Any, key: str, _base: Path | None) -> bool:
    if not isinstance(value, bool):
        raise PolicyError(f"{key} must be true or false, not {_describe(value)}")
    return value


def _check_host_port(value: str, key: str) -> None:
    """A URL's host is a host name or an IP address, its port (if any) 1-65535, and the
    URL has no spaces or control characters."""
    if any(c.isspace() or ord(c) < 32 or ord(c) == 127 for c in value):
        raise PolicyError(f"{key} must not contain spaces or control characters, got {value!r}")
    parts = urlsplit(value)
    host = parts.hostname or ""
    try:
        ipaddress.ip_address(host)
    except ValueError:
        if not all(_HOST_LABEL.fullmatch(label) for label in host.removesuffix(".").split(".")):
            raise PolicyError(f"{key}: {host!r} is not a valid host name") from None
    try:
        port = parts.port
    except ValueError:
        port = 0
    if port == 0:
        raise PolicyError(f"{key}: invalid port in {value!r} (1-65535)")


def _server_url(value: Any, key: str, _base: Path | None) -> str:
    if not isinstance(value, str) or not value:
        raise PolicyError(f"{key} must be a URL string, not {_describe(value)}")
    parts = urlsplit(value)
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise PolicyError(f"{key} must be an https:// URL, got {value!r}")
    _check_host_port(value, key)
    if parts.scheme == "http" and not is_loopback_host(parts.hostname):
        raise PolicyError(f"{key} must use https:// (plain http is only accepted for localhost)")
    if parts.query or parts.fragment or parts.username or parts.password:
        raise PolicyError(f"{key} must not contain credentials, a query or a fragment")
    return value.rstrip("/")


def _string_list(value: Any, key: str) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise PolicyError(f"{key} must be a list of strings, not {_describe(value)}")
    return value


def _trusted_keys(value: Any, key: str, _base: Path | None) -> tuple[str, ...]:
    from finclip_desktop.package import PackageError, parse_public_key

    keys = _string_list(value, key)
    for index, text in enumerate(keys):
        try:
            parse_public_key(text)
        except PackageError as exc:
            raise PolicyError(f"{key}[{index}]: {exc}") from None
    return tuple(keys)


def _app_patterns(value: Any, key: str, _base: Path | None) -> tuple[str, ...]:
    patterns = _string_list(value, key)
    for index, pattern in enumerate(patterns):
        if not _APP_PATTERN.fullmatch(pattern):
            raise PolicyError(
                f"{key}[{index}] {pattern!r} is not an app id or pattern "
                "(lowercase letters, digits, '.', '-', '*')"
            )
    return tuple(patterns)


def _distribution_root(value: Any, key: str, base: Path | None) -> dict[str, Any]:
    if isinstance(value, str) and value:
        path = Path(value)
        if not path.is_absolute() and base is not None:
            path = base / path
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise PolicyError(f"{key}: cannot read {path}: {exc.strerror}") from None
        try:
            value = strict_loads(data)
        except ValueError as exc:
            raise PolicyError(f"{key}: {path} is not valid JSON ({exc})") from None
    elif not isinstance(value, dict):
        raise PolicyError(
            f"{key} must be a path to root metadata or the root metadata object, "
            f"not {_describe(value)}"
        )
    signed = value.get("signed") if isinstance(value, dict) else None
    if not isinstance(signed, dict) or not isinstance(value.get("signatures"), list):
        raise PolicyError(f"{key}: root metadata needs 'signed' and 'signatures'")
    if signed.get("_type", "root") != "root":
        raise PolicyError(f"{key}: metadata is of type {signed.get('_type')!r}, not 'root'")
    return value


def _update_channel(value: Any, key: str, _base: Path | None) -> str:
    if not isinstance(value, str) or not _CHANNEL.fullmatch(value):
        raise PolicyError(
            f"{key} must be a channel name like 'stable' or 'beta' "
            f"(lowercase letters, digits, '-'), got {_describe(value)}"
        )
    return value


def _proxy(value: Any, key: str, _base: Path | None) -> str:
    if not isinstance(value, str):
        raise PolicyError(f"{key} must be a string, not {_describe(value)}")
    if value in ("system", "none"):
        return value
    parts = urlsplit(value)
    if parts.scheme not in _PROXY_SCHEMES or not parts.hostname:
        raise PolicyError(
            f"{key} must be 'system', 'none' or a proxy URL "
            f"({', '.join(s + '://HOST:PORT' for s in _PROXY_SCHEMES)}), got {value!r}"
        )
    _check_host_port(value, key)
    return value


_VALIDATORS: dict[str, Callable[[Any, str, Path | None], Any]] = {
    "server_url": _server_url,
    "trusted_keys": _trusted_keys,
    "distribution_root": _distribution_root,
    "allowed_apps": _app_patterns,
    "blocked_apps": _app_patterns,
    "developer_mode_allowed": _bool,
    "sideloading_allowed": _bool,
    "allow_http_localhost": _bool,
    "update_channel": _update_channel,
    "proxy": _proxy,
    "telemetry": _bool,
}
POLICY_KEYS = tuple(_VALIDATORS)


def _describe(value: Any) -> str:
    names = {bool: "a boolean", int: "a number", float: "a number", str: "a string",
             list: "a list", dict: "an object", type(None): "null"}  # fmt: skip
    return names.get(type(value), type(value).__name__)


def check_value(key: str, value: Any, rule: str | None = None) -> Any:
    """Validate one value under the rule of policy key ``rule`` (default ``key``); errors
    name ``key``. User settings share these rules."""
    validator = _VALIDATORS.get(rule or key)
    if validator is None:
        raise PolicyError(f"unknown key {key!r} (known keys: {', '.join(POLICY_KEYS)})")
    return validator(value, key, None)


def parse_policy(data: bytes | str | Mapping[str, Any], source: Path | None = None) -> Policy:
    """Validate policy JSON (or an already parsed object) into a :class:`Policy`."""
    where = str(source) if source else "policy"
    if isinstance(data, bytes | str):
        try:
            data = strict_loads(data.encode() if isinstance(data, str) else data)
        except ValueError as exc:
            raise PolicyError(f"{where}: not valid JSON: {exc}") from None
    if not isinstance(data, Mapping):
        raise PolicyError(f"{where}: must be a JSON object, not {_describe(data)}")
    base = source.parent if source else None
    values: dict[str, Any] = {}
    for key, value in data.items():
        validator = _VALIDATORS.get(key)
        if validator is None:
            raise PolicyError(
                f"{where}: unknown key {key!r} (known keys: {', '.join(POLICY_KEYS)})"
            )
        try:
            values[key] = validator(value, key, base)
        except PolicyError as exc:
            raise PolicyError(f"{where}: {exc}") from None
    return Policy(source=source, **values)


def load_policy(path: Path | None = None) -> Policy:
    """Read the managed policy; an absent file is an empty policy, a bad one a PolicyError."""
    path = Path(path) if path is not None else policy_path()
    try:
        with open(path, "rb") as fh:
            data = fh.read(MAX_POLICY_BYTES + 1)
    except FileNotFoundError:
        return Policy()
    except OSError as exc:
        raise PolicyError(f"{path}: cannot read the policy file: {exc.strerror}") from None
    if len(data) > MAX_POLICY_BYTES:
        raise PolicyError(f"{path}: larger than {MAX_POLICY_BYTES} bytes")
    if path.suffix == ".plist":
        return parse_policy(_plist_keys(data, path), source=path)
    return parse_policy(data, source=path)


def _plist_keys(data: bytes, path: Path) -> dict[str, Any]:
    """A managed-preferences property list as policy keys (the profile's Payload* keys,
    which some MDMs copy in, are not policy)."""
    try:
        value = plistlib.loads(data)
    except (plistlib.InvalidFileException, ValueError, TypeError, KeyError) as exc:
        raise PolicyError(f"{path}: not a valid property list ({exc})") from None
    if not isinstance(value, dict):
        raise PolicyError(f"{path}: must be a dictionary, not {_describe(value)}")
    return {k: v for k, v in value.items() if not k.startswith("Payload")}
