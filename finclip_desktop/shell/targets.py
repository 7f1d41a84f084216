"""Turn what the user names (folder, .fcpkg, installed app id) into an AppBundle, applying
the rules of settings and policy before any byte of the app is used."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from finclip_desktop.package import PackageError, TrustStore, parse_public_key
from finclip_desktop.package.manifest import APP_ID_RE
from finclip_desktop.shell.bundle import (
    AppBundle,
    BundleError,
    bundle_from_package,
    load_folder,
    load_package_file,
)


def load_settings() -> Any:
    """Effective settings (user settings under policy); a bad policy stops the shell."""
    from finclip_desktop.policy import PolicyError
    from finclip_desktop.settings import SettingsError, SettingsStore

    try:
        return SettingsStore().effective
    except (PolicyError, SettingsError) as exc:
        raise BundleError(str(exc)) from None


def developer_mode(settings: Any, requested: bool) -> bool:
    """Developer mode in force: the setting, or ``--dev`` unless policy forbids it."""
    if requested and not settings.developer_mode and settings.is_managed("developer_mode"):
        raise BundleError("developer mode is turned off by your organisation's policy")
    return bool(requested or settings.developer_mode)


def require_sideloading(settings: Any, what: str) -> None:
    """Policy ``sideloading_allowed: false`` refuses every app opened from disk (folders and
    packages alike): only the server's apps run."""
    if not settings.sideloading_allowed:
        raise BundleError(f"{what} is turned off by your organisation's policy")


def trust_store(settings: Any, extra_keys: Iterable[str] = ()) -> TrustStore:
    """Keys from settings/policy plus ``--trust`` keys (key text or a key file)."""
    trust = settings.trust_store()
    for item in extra_keys:
        text = item
        path = Path(item)
        try:
            if path.is_file():
                text = path.read_text("utf-8")
            trust.add(parse_public_key(text))
        except (OSError, ValueError, PackageError) as exc:
            raise BundleError(f"--trust {item[:60]}: not a public key ({exc})") from None
    return trust


def resolve(target: str, settings: Any, dev: bool, extra_keys: Iterable[str] = ()) -> AppBundle:
    """The bundle for TARGET: a folder (developer mode), a .fcpkg (sideloading), else an
    installed app id (the store's verified cache)."""
    if not target.strip():
        raise BundleError("TARGET is empty: name a folder, a .fcpkg file or an installed app id")
    path = Path(target)
    if path.is_dir():
        require_sideloading(settings, f"running app folders from disk ({target})")
        if not dev:
            raise BundleError(
                f"{target} is an unsigned folder: it runs only in developer mode "
                "(pass --dev, or turn developer mode on in settings)"
            )
        bundle = load_folder(path)
    elif path.is_file() or target.endswith(".fcpkg"):
        if not path.is_file():
            raise BundleError(f"{target}: no such file")
        require_sideloading(settings, "installing packages from files")
        bundle = load_package_file(path, trust_store(settings, extra_keys))
    elif not APP_ID_RE.fullmatch(target):  # not an app id either: a mistyped path
        raise BundleError(f"{target}: no such folder or file")
    else:
        bundle = open_installed(target, settings)
    if not settings.app_allowed(bundle.app_id):
        raise BundleError(f"{bundle.app_id} is not allowed by your organisation's policy")
    return bundle


def open_installed(app_id: str, settings: Any) -> AppBundle:
    """An installed app from the store's verified cache; an app not installed yet is
    installed first when a server is configured."""
    from finclip_desktop.store.errors import NotInstalledError, StoreError
    from finclip_desktop.store.store import Store

    try:
        with Store(settings) as store:
            try:
                package = store.open(app_id)
            except NotInstalledError:
                if not settings.server_url:
                    raise
                package = store.install(app_id)
    except (StoreError, PackageError) as exc:
        raise BundleError(f"{app_id}: {exc}") from None
    return bundle_from_package(package, signed=True)
