"""What the launcher shows and does through the store: installed apps (the verified cache,
works offline), the server's catalogue, install, update checks. Server calls block: the
launcher runs them off the UI thread."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from finclip_desktop.shell.bundle import AppBundle, BundleError, bundle_from_package, precompile


@dataclass(frozen=True)
class InstalledApp:
    app_id: str
    name: str
    version: str
    description: str = ""
    icon: bytes = b""
    update_ready: bool = False  # a verified update is staged: it applies on next launch
    withdrawn: bool = False  # the server withdrew it: it no longer opens (data is kept)

    @property
    def note(self) -> str:
        """What the launcher shows under the version ("" for nothing)."""
        if self.withdrawn:
            return "withdrawn by the server"
        return "update ready" if self.update_ready else ""


@dataclass(frozen=True)
class AvailableApp:
    """An app the server offers this device that is not installed here."""

    app_id: str
    name: str
    version: str
    description: str = ""
    icon: bytes = b""


Progress = Callable[[int, int], None]
MAX_ICON_BYTES = 256 * 1024
API_PREFIX = "/api/v1"


def _icon(store: Any, icon_url: str) -> bytes:
    """The catalogue icon (server-relative URL) or b"" when absent or unavailable."""
    from finclip_desktop.store.errors import StoreError

    if not icon_url.startswith(API_PREFIX + "/") or store.client is None:
        return b""
    try:
        return store.client.get_bytes(icon_url[len(API_PREFIX) :], MAX_ICON_BYTES, device=False)
    except StoreError:
        return b""


class InstalledCatalog:
    """List, open and uninstall the apps of the store's cache (every read verified)."""

    def __init__(self, settings: Any, directory: Any = None) -> None:
        self.settings = settings
        self.directory = directory
        self.bytes_received = 0  # from the server, by every operation of this catalog
        self._lock = threading.Lock()

    def _store(self) -> Any:
        from finclip_desktop.store.store import Store

        return Store(self.settings, directory=self.directory)

    def apps(self) -> list[InstalledApp]:
        from finclip_desktop.store.errors import StoreError

        found = []
        with self._store() as store:
            for app_id in store.installed():
                if not self.settings.app_allowed(app_id):
                    continue
                pointer = store.cache.pointer(app_id)
                try:  # listing never promotes a staged update (that is the next launch's)
                    package = store.cache.load(pointer.current, self.settings.trust_store())
                except StoreError:
                    try:
                        package = store.open(app_id)
                    except StoreError:
                        continue  # damaged beyond its previous version: not offered
                m = package.manifest
                icon = package.files.get(m.icon, b"") if m.icon else b""
                found.append(
                    InstalledApp(
                        app_id, m.name, m.version, m.description, icon, bool(pointer.pending),
                        store.withdrawn(app_id),
                    )
                )  # fmt: skip
        return sorted(found, key=lambda a: a.name.lower())

    @property
    def has_server(self) -> bool:
        return bool(getattr(self.settings, "server_url", None))

    @contextmanager
    def _session(self) -> Iterator[Any]:
        """A store for one operation; its network traffic is added to ``bytes_received``."""
        store = self._store()
        try:
            yield store
        finally:
            with self._lock:
                self.bytes_received += store.bytes_received()
            store.close()

    def available(self) -> tuple[list[AvailableApp], bool | None]:
        """The server's apps not installed here, and whether the server answered
        (``([], False)`` when it cannot be reached; ``([], None)`` without a server).
        Blocks on the network."""
        if not self.has_server:
            return [], None
        with self._session() as store:
            entries = store.catalog()
            if not store.online:
                return [], False
            return [
                AvailableApp(e.app_id, e.name, e.version, e.description, _icon(store, e.icon_url))
                for e in entries
                if e.installed_version is None
            ], True

    def install(self, app_id: str, progress: Progress | None = None) -> str:
        """Install or update ``app_id`` to the server's version; returns that version.
        ``progress(done_bytes, total_bytes)`` is called from this thread. Blocks."""
        with self._session() as store:
            package = store.install(app_id, progress=progress)
        precompile(package)
        return package.manifest.version

    def check_updates(self, progress: Progress | None = None) -> list[Any]:
        """Stage (download and verify) updates of every installed app; mandatory ones
        become current at once. Returns the store's ``UpdateInfo`` list (failed ones have
        ``error``). ``progress(done_bytes, total_bytes)`` per download, from this thread.
        Blocks."""
        if not self.has_server:
            return []
        with self._session() as store:
            updates = store.check_updates(progress)
            for update in updates:
                if update.staged and update.mandatory:
                    store.apply_update(update.app_id)
            return updates

    def open(self, app_id: str) -> AppBundle:
        from finclip_desktop.store.errors import StoreError

        try:
            with self._store() as store:
                return bundle_from_package(store.open(app_id), signed=True)
        except StoreError as exc:
            raise BundleError(f"{app_id}: {exc}") from None

    def uninstall(self, app_id: str) -> None:
        """Forget the app's installed versions and collect their files."""
        from finclip_desktop.store.cache import Pointer

        with self._store() as store:
            store.cache.set_pointer(app_id, Pointer())
            (store.cache.apps / f"{app_id}.json").unlink(missing_ok=True)
            store.gc()
