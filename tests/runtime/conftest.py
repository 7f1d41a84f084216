"""Qt fixtures for runtime tests: the process's one QApplication (finclip:// registered)."""

from __future__ import annotations

import pytest

from tests.runtime.harness import AppHost


@pytest.fixture(scope="session")
def qapp():
    from finclip_desktop.shell.qtapp import application

    return application()


@pytest.fixture
def run_app(qapp):
    """``run_app(files, **kw)`` -> AppHost; closed after the test."""
    hosts: list[AppHost] = []

    def start(files, **kw) -> AppHost:
        host = AppHost(files, **kw)
        hosts.append(host)
        return host

    yield start
    for host in hosts:
        host.close()
