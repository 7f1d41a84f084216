"""The installed apps the launcher shows, read from the store's verified cache."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from finclip_desktop.shell.bundle import AppBundle, BundleError, bundle_from_package


@dataclass(frozen=True)
class InstalledApp:
    app_id: str
    name: str
    version: str
    description: str = ""
    icon: bytes = b""


class InstalledCatalog:
    """List, open and uninstall the apps of the store's cache (every read verified)."""

    def __init__(self, settings: Any, directory: Any = None) -> None:
        self.settings = settings
        self.directory = directory

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
                try:
                    package = store.open(app_id)
                except StoreError:
                    continue  # damaged beyond its previous version: not offered
                m = package.manifest
                icon = package.files.get(m.icon, b"") if m.icon else b""
                found.append(InstalledApp(app_id, m.name, m.version, m.description, icon))
        return sorted(found, key=lambda a: a.name.lower())

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
