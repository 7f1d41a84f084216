"""Conformance fixtures: every feature app runs in the real shell (offscreen)."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from finclip_desktop.shell.qtapp import application
from tests.pages import page_certs, page_server  # noqa: F401 - fixtures (<web-view> sites)


class Driven:
    """An app open in the real shell, with DOM helpers scoped to the visible page."""

    PAGE = "document.querySelector('wx-page:not(.fc-hidden)')"

    def __init__(self, driver) -> None:
        self.d = driver

    def eval(self, expr: str):
        return self.d.eval(expr)

    def wait(self, expr: str, timeout: float = 10.0):
        from finclip_desktop.shell.testing import wait_until

        return wait_until(lambda: self.d.eval(f"!!({expr})"), timeout, expr)

    def q(self, sel: str) -> str:
        return f"{self.PAGE}.querySelector({json.dumps(sel)})"

    def text(self, sel: str | None = None) -> str:
        if sel is None:
            return self.eval(f"{self.PAGE}.innerText")
        return self.eval(f"({self.q(sel)} || {{textContent: null}}).textContent")

    def texts(self, sel: str) -> list[str]:
        return self.eval(
            f"[].map.call({self.PAGE}.querySelectorAll({json.dumps(sel)}), e => e.textContent)"
        )

    def tap(self, sel: str) -> None:
        assert self.eval(f"!!{self.q(sel)}"), f"nothing matches {sel}"
        self.eval(f"{self.q(sel)}.click()")

    def route(self) -> str:
        return self.eval(f"{self.PAGE}.getAttribute('route')")

    def wait_text(self, sel: str, expected: str) -> None:
        try:
            self.wait(f"({self.q(sel)} || {{}}).textContent === {json.dumps(expected)}")
        except TimeoutError:
            raise AssertionError(f"{sel}: {self.text(sel)!r} != {expected!r}") from None


@pytest.fixture(scope="session")
def qapp():
    return application()


@pytest.fixture
def open_app(qapp) -> Iterator:
    """``open_app(files, app_id=..., launch_options=None, invoke=None, **manifest)`` ->
    Driven; ``invoke`` (with the test's first app) replaces the shell's bridge call."""
    from finclip_desktop.shell.bundle import bundle_from_files
    from finclip_desktop.shell.testing import ShellHarness

    harnesses: list[ShellHarness] = []

    def start(
        files: dict[str, bytes],
        app_id: str = "conf.app",
        launch_options: dict | None = None,
        invoke=None,
        **manifest,
    ) -> Driven:
        if not harnesses or invoke is not None:
            assert not harnesses, "invoke= goes with the test's first app"
            harnesses.append(ShellHarness(invoke=invoke))
        bundle = bundle_from_files(files, app_id, **manifest)
        return Driven(harnesses[0].open(bundle, launch_options=launch_options))

    yield start
    for harness in harnesses:
        harness.close()
