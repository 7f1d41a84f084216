"""Typed store errors; ``str(error)`` is always one human-readable line."""

from __future__ import annotations


class StoreError(Exception):
    """Base of every store failure."""

    code = "store-error"

    def __init__(self, message: str) -> None:
        super().__init__(" ".join(str(message).split()))


class NotConfiguredError(StoreError):
    """No server URL, or no trusted root to pin the server's metadata."""

    code = "not-configured"


class OfflineError(StoreError):
    """The server cannot be reached (after retries)."""

    code = "offline"


class ServerError(StoreError):
    """The server answered with an error status."""

    code = "server-error"

    def __init__(self, message: str, status: int = 0) -> None:
        super().__init__(message)
        self.status = status


class ResponseTooLargeError(StoreError):
    """A response exceeded its size cap (endless data)."""

    code = "too-large"


class VerificationError(StoreError):
    """Metadata or a package failed verification; nothing was installed."""

    code = "verification-failed"

    def __init__(self, message: str, reason: str = "") -> None:
        super().__init__(message)
        self.reason = reason


class RuntimeTooOldError(StoreError):
    """The server's version of an app needs a newer FinClip runtime than this one; none of
    its files were downloaded."""

    code = "runtime-too-old"


class NotInstalledError(StoreError):
    code = "not-installed"


class UnknownAppError(StoreError):
    """The server does not offer this app to this device."""

    code = "unknown-app"


class AppNotAllowedError(StoreError):
    """Policy forbids this app."""

    code = "app-not-allowed"


class WithdrawnError(StoreError):
    """The server withdrew an installed app from this device (taken down, audience)."""

    code = "withdrawn"
