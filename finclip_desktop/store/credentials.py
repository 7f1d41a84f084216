"""The device's id and secret, kept in the OS keyring (``keyring``).

One entry per server: service ``finclip-desktop-device``, user name the server URL, value
JSON ``{"device_id", "device_secret"}``. Tests and CI select a file backend with
``PYTHON_KEYRING_BACKEND=keyrings.alt.file.PlaintextKeyring``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import keyring
from keyring.errors import KeyringError

from finclip_desktop.store.errors import StoreError

SERVICE = "finclip-desktop-device"


@dataclass(frozen=True)
class DeviceCredentials:
    device_id: str
    device_secret: str

    def header(self) -> str:
        return f"Device {self.device_id}:{self.device_secret}"


def load(server_url: str) -> DeviceCredentials | None:
    try:
        text = keyring.get_password(SERVICE, server_url)
    except KeyringError as exc:
        raise StoreError(f"cannot read the device secret from the OS keyring: {exc}") from None
    if not text:
        return None
    try:
        data = json.loads(text)
        return DeviceCredentials(str(data["device_id"]), str(data["device_secret"]))
    except (ValueError, KeyError, TypeError):
        return None


def save(server_url: str, creds: DeviceCredentials) -> None:
    value = json.dumps({"device_id": creds.device_id, "device_secret": creds.device_secret})
    try:
        keyring.set_password(SERVICE, server_url, value)
    except KeyringError as exc:
        raise StoreError(f"cannot store the device secret in the OS keyring: {exc}") from None


def forget(server_url: str) -> None:
    try:
        keyring.delete_password(SERVICE, server_url)
    except KeyringError:
        pass
