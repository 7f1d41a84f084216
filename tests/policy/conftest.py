"""Shared fixtures for policy tests."""

from __future__ import annotations

import pytest


@pytest.fixture(scope="session")
def qapp():
    """The process's one QApplication, made by the shell."""
    from finclip_desktop.shell.qtapp import application

    return application()
