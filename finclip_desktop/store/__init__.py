"""Client side of distribution: talk to the server, verify, cache, install, update, offline.

See docs/architecture.md (store section) for the API the shell and launcher use.
"""

from finclip_desktop.store.errors import (
    AppNotAllowedError,
    NotConfiguredError,
    NotInstalledError,
    OfflineError,
    ResponseTooLargeError,
    ServerError,
    StoreError,
    UnknownAppError,
    VerificationError,
)
from finclip_desktop.store.http import RetryPolicy
from finclip_desktop.store.store import CatalogEntry, Store, UpdateInfo

__all__ = [
    "AppNotAllowedError", "CatalogEntry", "NotConfiguredError", "NotInstalledError",
    "OfflineError", "ResponseTooLargeError", "RetryPolicy", "ServerError", "Store",
    "StoreError", "UnknownAppError", "UpdateInfo", "VerificationError",
]  # fmt: skip
