"""The one error type the server's services raise; the API turns it into ``{"error"}``."""

from __future__ import annotations


class ServiceError(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(" ".join(message.split()))
        self.status = status
        self.message = str(self)


def not_found(what: str) -> ServiceError:
    return ServiceError(404, f"{what} not found")


def conflict(message: str) -> ServiceError:
    return ServiceError(409, message)


def bad_request(message: str) -> ServiceError:
    return ServiceError(400, message)


def forbidden(message: str) -> ServiceError:
    return ServiceError(403, message)
