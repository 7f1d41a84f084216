"""Shared fixtures for developer-loop tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from finclip_desktop.package import generate_key, save_private_key

TEMPLATES = ("blank", "tabbed", "form", "dashboard")


@pytest.fixture(scope="session")
def signing_key(tmp_path_factory) -> tuple[Path, object]:
    """A key file for `finclip pack` and its key (for a trust store)."""
    key = generate_key()
    path = tmp_path_factory.mktemp("keys") / "dev.key"
    save_private_key(key, path)
    return path, key


@pytest.fixture(scope="session")
def qapp():
    """The process's one QApplication, made by the shell (finclip:// scheme registered)."""
    from finclip_desktop.shell.qtapp import application

    return application()


def wait_until(qapp, predicate, timeout: float = 15.0) -> bool:
    """Process Qt events until ``predicate()`` is true or ``timeout`` seconds pass."""
    import time

    end = time.monotonic() + timeout
    while time.monotonic() < end:
        qapp.processEvents()
        if predicate():
            return True
        time.sleep(0.01)
    return predicate()
