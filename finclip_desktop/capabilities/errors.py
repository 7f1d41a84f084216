"""The one exception a capability raises to fail a call with a reason."""

from __future__ import annotations


class CapabilityError(Exception):
    """Fails the current call: the caller receives ``{errMsg: "<api>:fail <reason>"}``."""

    def __init__(self, reason: str, **extra: object) -> None:
        super().__init__(reason)
        self.reason = reason
        self.extra = extra  # merged into the fail result (e.g. errno)
