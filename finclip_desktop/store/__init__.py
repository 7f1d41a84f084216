"""Client side of distribution: talk to the server, verify, cache, install, update, offline.

See docs/architecture.md (store section) for the API the shell and launcher use.

The names below are loaded on first use (PEP 562): importing a submodule such as
``finclip_desktop.store.commands`` (every ``finclip`` command line does) must not import
httpx and keyring.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from finclip_desktop.store.errors import (
        AppNotAllowedError,
        NotConfiguredError,
        NotInstalledError,
        OfflineError,
        ResponseTooLargeError,
        RuntimeTooOldError,
        ServerError,
        StoreError,
        UnknownAppError,
        VerificationError,
        WithdrawnError,
    )
    from finclip_desktop.store.http import RetryPolicy
    from finclip_desktop.store.store import CatalogEntry, Store, UpdateInfo

_MODULE_OF = {
    **dict.fromkeys(
        (
            "AppNotAllowedError", "NotConfiguredError", "NotInstalledError", "OfflineError",
            "ResponseTooLargeError", "RuntimeTooOldError", "ServerError", "StoreError",
            "UnknownAppError", "VerificationError", "WithdrawnError",
        ),
        "errors",
    ),
    "RetryPolicy": "http",
    **dict.fromkeys(("CatalogEntry", "Store", "UpdateInfo"), "store"),
}  # fmt: skip

__all__ = [
    "AppNotAllowedError", "CatalogEntry", "NotConfiguredError", "NotInstalledError",
    "OfflineError", "ResponseTooLargeError", "RetryPolicy", "RuntimeTooOldError",
    "ServerError", "Store", "StoreError", "UnknownAppError", "UpdateInfo",
    "VerificationError", "WithdrawnError",
]  # fmt: skip


def __getattr__(name: str) -> Any:
    module = _MODULE_OF.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *__all__])
