"""Integration fixtures: the real server on loopback (in-process, or a child process that
can be stopped), an org with a developer key and a published demo app, and the shell's
settings pointing at it."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

os.environ["PYTHON_KEYRING_BACKEND"] = "keyrings.alt.file.PlaintextKeyring"

pytest.importorskip("fastapi", reason="integration tests run the real server ([server] extra)")

from finclip_desktop.package import public_key_text  # noqa: E402
from finclip_desktop.settings import Settings  # noqa: E402
from tests.store.conftest import APP_ID, Admin, ServerProcess  # noqa: E402

__all__ = ["APP_ID", "Served", "client_settings"]


@pytest.fixture(autouse=True)
def _keyring_in_test_dir(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyrings.alt.file.PlaintextKeyring")


@dataclass
class Served:
    url: str
    admin: Admin


def client_settings(served: Served, telemetry: bool = True) -> Settings:
    """Desktop settings: this server, its developer key trusted, telemetry on."""
    return Settings(
        server_url=served.url,
        trusted_keys=(public_key_text(served.admin.key),),
        telemetry=telemetry,
    )


@pytest.fixture(scope="session")
def qapp():
    from finclip_desktop.shell.qtapp import application

    return application()


@pytest.fixture
def served(tmp_path: Path) -> Iterator[Served]:
    """``finclip_desktop.server.embedded`` on loopback, org ``acme`` and the demo app set up."""
    from finclip_desktop.server.config import Settings as ServerSettings
    from finclip_desktop.server.embedded import start

    running = start(ServerSettings(data_dir=tmp_path / "server"))
    try:
        admin = Admin(running.url, running.admin_token or "")
        admin.setup()
        yield Served(running.url, admin)
    finally:
        running.stop()


@pytest.fixture
def server_process(tmp_path: Path) -> Iterator[ServerProcess]:
    """``finclip server`` as a child process (can be stopped), demo app set up."""
    proc = ServerProcess(tmp_path / "server")
    proc.start()
    try:
        yield proc
    finally:
        proc.stop()
