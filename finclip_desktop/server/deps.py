"""FastAPI dependencies: the database session and the two kinds of caller."""

from __future__ import annotations

from collections.abc import Iterator

from fastapi import Depends, Header, Request
from sqlalchemy.orm import Session

from finclip_desktop.server.core import Server
from finclip_desktop.server.distribution import record_channel
from finclip_desktop.server.models import Device, User
from finclip_desktop.server.security import (
    device_for_credentials,
    parse_authorization,
    user_for_token,
)


def server(request: Request) -> Server:
    return request.app.state.server


def db(request: Request) -> Iterator[Session]:
    with request.app.state.server.session() as session:
        yield session


def current_user(
    session: Session = Depends(db),
    authorization: str | None = Header(None, description="Bearer <API token>"),
) -> User:
    return user_for_token(session, parse_authorization(authorization, "Bearer"))


def current_device(
    session: Session = Depends(db),
    authorization: str | None = Header(None, description="Device <device_id>:<device_secret>"),
    channel: str | None = Header(
        None,
        alias="X-Finclip-Channel",
        description="the update channel the device follows (e.g. stable, beta); "
        "recorded when it changes, absent: unchanged",
    ),
) -> Device:
    device = device_for_credentials(session, parse_authorization(authorization, "Device"))
    if channel is not None:
        record_channel(session, device, channel)
    return device
