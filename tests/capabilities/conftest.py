"""Fixtures for capability tests: a real registry, a headless host, per-app contexts."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Future
from pathlib import Path
from typing import Any

import pytest

from finclip_desktop.capabilities.host import BaseHost
from finclip_desktop.capabilities.registry import CallContext, Registry, builtin_capabilities
from finclip_desktop.package import Manifest


class Events:
    """Collects host events emitted by capabilities (thread-safe append)."""

    def __init__(self) -> None:
        self.items: list[tuple[str, dict[str, Any]]] = []

    def __call__(self, name: str, payload: dict[str, Any]) -> None:
        self.items.append((name, payload))

    def of(self, name: str) -> list[dict[str, Any]]:
        return [p for n, p in list(self.items) if n == name]


class Consent:
    """A user who answers every permission prompt with ``answer`` and remembers asks."""

    def __init__(self, answer: bool = True) -> None:
        self.answer = answer
        self.asked: list[str] = []

    def __call__(self, scope: str) -> Future[bool]:
        self.asked.append(scope)
        future: Future[bool] = Future()
        future.set_result(self.answer)
        return future


def make_manifest(
    app_id: str = "com.example.demo",
    permissions: tuple[str, ...] = (),
    domains: dict[str, tuple[str, ...]] | None = None,
) -> Manifest:
    kinds = {"request": (), "socket": (), "uploadFile": (), "downloadFile": ()}
    kinds.update(domains or {})
    return Manifest(
        app_id=app_id, name="Demo", version="1.2.3", files={},
        permissions=permissions, domains=kinds,
    )  # fmt: skip


@pytest.fixture
def registry() -> Registry:
    reg = Registry(max_workers=4)
    reg.register(builtin_capabilities())
    yield reg
    reg.shutdown()


@pytest.fixture
def make_ctx(tmp_path: Path) -> Callable[..., CallContext]:
    made: list[CallContext] = []

    def factory(
        app_id: str = "com.example.demo",
        permissions: tuple[str, ...] = (),
        domains: dict[str, tuple[str, ...]] | None = None,
        consent: bool = True,
        host: Any = None,
        **kwargs: Any,
    ) -> CallContext:
        ctx = CallContext(
            app_id=app_id,
            data_dir=tmp_path / "apps" / app_id,
            manifest=make_manifest(app_id, permissions, domains),
            ask_permission=kwargs.pop("ask_permission", Consent(consent)),
            emit=kwargs.pop("emit", Events()),
            host=host or BaseHost(),
            **kwargs,
        )
        made.append(ctx)
        return ctx

    yield factory
    for ctx in made:
        ctx.close()


@pytest.fixture
def ctx(make_ctx: Callable[..., CallContext]) -> CallContext:
    return make_ctx()


@pytest.fixture
def call(registry: Registry) -> Callable[..., dict[str, Any]]:
    """Invoke an API and wait for its result (10 s)."""

    def run(ctx: CallContext, api: str, args: Any = None) -> dict[str, Any]:
        return registry.invoke(ctx, api, args).result(timeout=10)

    return run


@pytest.fixture(scope="session")
def certs(tmp_path_factory):
    from tests.capabilities.servers import make_certs

    return make_certs(tmp_path_factory.mktemp("certs"))


@pytest.fixture(scope="session")
def https_server(certs):
    from tests.capabilities.servers import HttpsServer

    server = HttpsServer(certs)
    yield server
    server.close()


@pytest.fixture(scope="session")
def http_server():
    from tests.capabilities.servers import HttpsServer

    server = HttpsServer(None)
    yield server
    server.close()


@pytest.fixture(scope="session")
def wss_server(certs, https_server):
    from tests.capabilities.servers import WssServer

    server = WssServer(certs, https_server.port)
    yield server
    server.close()


@pytest.fixture
def net_ctx(make_ctx, certs, https_server) -> CallContext:
    """An app allowed to reach the loopback HTTPS server, trusting the test CA only here."""
    host = https_server.host
    return make_ctx(
        domains={"request": (host,), "downloadFile": (host,), "uploadFile": (host,)},
        settings={"sslContext": certs.client_context()},
    )


@pytest.fixture(scope="module")
def qapp():
    from finclip_desktop.shell.qtapp import application

    return application()


@pytest.fixture
def harness(qapp, tmp_path):
    """A real shell (offscreen) whose user grants clipboard reads."""
    from finclip_desktop.shell.testing import ShellHarness

    h = ShellHarness(answers={"scope.clipboardRead": "always"}, data_root=tmp_path / "data")
    yield h
    h.close()


@pytest.fixture
def system_viewer(qapp):
    from PySide6.QtGui import QDesktopServices

    from tests.capabilities.miniapp import SystemViewer

    viewer = SystemViewer()
    QDesktopServices.setUrlHandler("file", viewer.receiver, "open")
    yield viewer
    QDesktopServices.unsetUrlHandler("file")
