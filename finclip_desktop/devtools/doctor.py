"""`finclip doctor`: check the environment and say what to fix.

Every check returns a :class:`Check`; a ``fail`` makes the command exit 1. The web engine
is started in a subprocess (``finclip doctor --probe-webengine``) so that a crash or a
hang in Chromium cannot take the doctor down with it.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

OK, WARN, FAIL, SKIP = "ok", "warn", "fail", "skip"
PROBE_TIMEOUT_S = 60.0


@dataclass(frozen=True)
class Check:
    name: str
    status: str  # ok | warn | fail | skip
    detail: str
    fix: str = ""

    def lines(self) -> list[str]:
        out = [f"[{self.status.upper():>4}] {self.name}: {self.detail}"]
        if self.fix and self.status in (WARN, FAIL):
            out.append(f"       fix: {self.fix}")
        return out


# --- policy and settings ---------------------------------------------------------------


def check_policy() -> Check:
    from finclip_desktop.policy import PolicyError, load_policy, policy_path

    path = policy_path()
    try:
        policy = load_policy(path)
    except PolicyError as exc:
        return Check(
            "managed policy", FAIL, str(exc), "correct the file (see docs/policy.md); "
            "FinClip refuses to start while the policy is invalid"
        )  # fmt: skip
    if not policy:
        return Check("managed policy", OK, f"none ({path} does not exist)")
    return Check("managed policy", OK, f"{path} sets {', '.join(sorted(policy.keys()))}")


def check_settings() -> Check:
    from finclip_desktop.settings import SettingsError, load_user_settings, settings_path

    try:
        load_user_settings()
    except SettingsError as exc:
        return Check("user settings", FAIL, str(exc), f"fix or delete {settings_path()}")
    return Check("user settings", OK, str(settings_path()))


# --- folders -----------------------------------------------------------------------------


def check_dir_writable(label: str, path: Path) -> Check:
    probe = path / f".finclip-doctor-{os.getpid()}"
    try:
        path.mkdir(parents=True, exist_ok=True)
        probe.write_bytes(b"ok")
        probe.unlink()
    except OSError as exc:
        return Check(
            f"{label} folder", FAIL, f"{path} is not writable ({exc.strerror or exc})",
            f"make {path} writable by {_user()}, or point XDG_* / the home folder elsewhere",
        )  # fmt: skip
    return Check(f"{label} folder", OK, f"{path} is writable")


def _user() -> str:
    try:
        import getpass

        return getpass.getuser()
    except (OSError, KeyError):
        return "the current user"


def check_dirs() -> Iterator[Check]:
    from finclip_desktop.settings import cache_dir, config_dir, data_dir

    yield check_dir_writable("config", config_dir())
    yield check_dir_writable("data", data_dir())
    yield check_dir_writable("cache", cache_dir())


# --- process privileges and the sandbox --------------------------------------------------


def check_root() -> Check:
    if not hasattr(os, "geteuid"):
        return Check("user", SKIP, "not a POSIX system")
    if os.geteuid() == 0:
        return Check(
            "user", WARN, "running as root: the web engine's sandbox cannot run as root",
            "run FinClip as a normal user (the shell refuses root unless given --no-sandbox)",
        )  # fmt: skip
    return Check("user", OK, f"running as {_user()}, not root")


def _read_int(path: str) -> int | None:
    try:
        return int(Path(path).read_text().strip())
    except (OSError, ValueError):
        return None


def check_sandbox(root: bool | None = None) -> Check:
    """``root``: whether this process runs as root (default: ask the OS)."""
    flags = os.environ.get("QTWEBENGINE_CHROMIUM_FLAGS", "")
    if os.environ.get("QTWEBENGINE_DISABLE_SANDBOX") or "--no-sandbox" in flags:
        return Check(
            "web engine sandbox", WARN,
            "disabled (QTWEBENGINE_DISABLE_SANDBOX or --no-sandbox is set): mini-apps run "
            "without the OS sandbox",
            "unset QTWEBENGINE_DISABLE_SANDBOX and remove --no-sandbox outside of tests",
        )  # fmt: skip
    if root if root is not None else (hasattr(os, "geteuid") and os.geteuid() == 0):
        return Check(
            "web engine sandbox", WARN,
            "not available to root: FinClip starts as root only with --no-sandbox, and "
            "mini-apps then run without the OS sandbox",
            "run FinClip as a normal user",
        )  # fmt: skip
    if not sys.platform.startswith("linux"):
        return Check("web engine sandbox", OK, "enabled")
    if _read_int("/proc/sys/kernel/unprivileged_userns_clone") == 0 or (
        _read_int("/proc/sys/user/max_user_namespaces") == 0
    ):
        return Check(
            "web engine sandbox", FAIL,
            "user namespaces are disabled, so the Chromium sandbox cannot start",
            "sysctl -w kernel.unprivileged_userns_clone=1 user.max_user_namespaces=15000 "
            "(and persist it in /etc/sysctl.d/)",
        )  # fmt: skip
    if _read_int("/proc/sys/kernel/apparmor_restrict_unprivileged_userns") == 1:
        return Check(
            "web engine sandbox", WARN,
            "AppArmor restricts unprivileged user namespaces (Ubuntu 23.10+)",
            "install the AppArmor profile shipped in packaging/linux/ for the finclip binary",
        )  # fmt: skip
    return Check("web engine sandbox", OK, "enabled; user namespaces available")


# --- the web engine, in a subprocess ----------------------------------------------------


def probe_command() -> list[str]:
    """How to start ``finclip doctor --probe-webengine`` from this process."""
    if getattr(sys, "frozen", False):  # PyInstaller bundle: the executable is finclip
        return [sys.executable, "doctor", "--probe-webengine"]
    return [sys.executable, "-m", "finclip_desktop", "doctor", "--probe-webengine"]


def _headless(env: dict[str, str]) -> bool:
    """No display on Linux: Qt must run offscreen."""
    return sys.platform.startswith("linux") and not (
        env.get("DISPLAY") or env.get("WAYLAND_DISPLAY")
    )


def run_probe() -> int:
    """In the child: start Qt WebEngine, render a page, run JS; print one JSON line."""
    started = time.monotonic()
    if _headless(dict(os.environ)):
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        os.environ["QTWEBENGINE_DISABLE_SANDBOX"] = "1"  # root cannot sandbox (see `user`)
    import shiboken6
    from PySide6.QtCore import QTimer, qVersion
    from PySide6.QtWebEngineCore import QWebEnginePage, QWebEngineProfile
    from PySide6.QtWidgets import QApplication

    try:
        from PySide6.QtWebEngineCore import qWebEngineChromiumVersion

        chromium = qWebEngineChromiumVersion()
    except ImportError:
        chromium = "?"
    app = QApplication.instance() or QApplication(["finclip-doctor"])
    result: dict[str, object] = {"ok": False, "qt": qVersion(), "chromium": chromium}
    profile = QWebEngineProfile()  # off the record: the probe leaves nothing on disk
    page = QWebEnginePage(profile)

    def done(value: object) -> None:
        result["ok"] = value == 42
        result["ms"] = round((time.monotonic() - started) * 1000)
        app.quit()

    def loaded(ok: bool) -> None:
        if not ok:
            result["error"] = "the test page did not load"
            app.quit()
            return
        page.runJavaScript("6 * 7", 0, done)

    page.loadFinished.connect(loaded)
    QTimer.singleShot(int(PROBE_TIMEOUT_S * 1000) - 5000, app.quit)
    page.setHtml("<!doctype html><title>probe</title><p>ok</p>")
    app.exec()
    shiboken6.delete(page)  # pages go before their profile
    shiboken6.delete(profile)
    print(json.dumps(result), flush=True)
    return 0 if result["ok"] else 1


def check_webengine(
    runner: Callable[..., subprocess.CompletedProcess[str]] = subprocess.run,
) -> Check:
    env = dict(os.environ)
    headless = _headless(env)
    if headless:
        env.setdefault("QT_QPA_PLATFORM", "offscreen")
    try:
        proc = runner(
            probe_command(), env=env, capture_output=True, text=True, timeout=PROBE_TIMEOUT_S
        )
    except subprocess.TimeoutExpired:
        return Check(
            "Qt WebEngine", FAIL, f"did not start within {PROBE_TIMEOUT_S:.0f} s",
            "run `finclip doctor --probe-webengine` to see its output",
        )  # fmt: skip
    lines = [line for line in proc.stdout.splitlines() if line.startswith("{")]
    try:
        result = json.loads(lines[-1]) if lines else {}
    except ValueError:
        result = {}
    if proc.returncode == 0 and result.get("ok"):
        where = " (offscreen: no display)" if headless else ""
        return Check(
            "Qt WebEngine", OK,
            f"Qt {result['qt']}, Chromium {result['chromium']}: rendered a page and ran "
            f"JavaScript in {result['ms']} ms{where}",
        )  # fmt: skip
    tail = (proc.stderr.strip().splitlines() or ["no output"])[-1][:300]
    return Check(
        "Qt WebEngine", FAIL,
        result.get("error") or f"the probe exited with code {proc.returncode}: {tail}",
        "on Linux install the libraries Chromium needs (libnss3 libxkbfile1 libxcomposite1 "
        "libxdamage1 libxrandr2 libxtst6 libasound2 libgbm1 libegl1); run `finclip doctor "
        "--probe-webengine` to see the full error",
    )  # fmt: skip


# --- network and secrets -----------------------------------------------------------------


def check_server(server_url: str | None, proxy: str = "system", timeout: float = 5.0) -> Check:
    if not server_url:
        return Check(
            "management server", SKIP, "no server configured",
            "set one in Settings, with --server URL, or via policy server_url",
        )  # fmt: skip
    import httpx

    url = server_url.rstrip("/") + "/healthz"
    kwargs: dict[str, object] = {"timeout": timeout, "follow_redirects": False}
    if proxy == "none":
        kwargs["trust_env"] = False
    elif proxy != "system":
        kwargs["proxy"] = proxy
    try:
        with httpx.Client(**kwargs) as client:  # type: ignore[arg-type]
            response = client.get(url)
    except httpx.HTTPError as exc:
        return Check(
            "management server", FAIL,
            f"{server_url} is not reachable: {exc or type(exc).__name__}",
            "check the URL, the network, the proxy setting and the server's TLS certificate",
        )  # fmt: skip
    if response.status_code == 200:
        return Check("management server", OK, f"{server_url} answered /healthz")
    return Check(
        "management server", WARN,
        f"{server_url} is reachable but /healthz answered HTTP {response.status_code}",
        "is this the FinClip management server's base URL?",
    )  # fmt: skip


def check_keyring() -> Check:
    try:
        import keyring
    except ImportError:
        return Check("keyring", FAIL, "the keyring module is not installed", "pip install keyring")
    backend = keyring.get_keyring()
    name = f"{type(backend).__module__}.{type(backend).__name__}"
    fix = ("Linux: install and unlock a Secret Service (gnome-keyring or KWallet); "
           "Windows and macOS have one built in")  # fmt: skip
    if type(backend).__module__.startswith(("keyring.backends.fail", "keyring.backends.null")):
        return Check(
            "keyring", WARN, f"no usable backend ({name}): sign-in tokens cannot be stored "
            "securely, so you will be asked to sign in at every start", fix,
        )  # fmt: skip
    if _unencrypted(backend):
        return Check(
            "keyring", WARN, f"{name} keeps the device secret and sign-in tokens in a file, "
            "unencrypted (fine for tests and CI, not for users)",
            fix + "; and unset PYTHON_KEYRING_BACKEND",
        )  # fmt: skip
    return Check("keyring", OK, name)


def _unencrypted(backend: object) -> bool:
    """A plain-file backend (keyrings.alt's PlaintextKeyring and friends), alone or first
    in a chain."""
    chain = getattr(backend, "backends", None)
    if chain:
        return _unencrypted(chain[0])
    kind = type(backend)
    return kind.__module__.startswith("keyrings.alt") and "Encrypted" not in kind.__name__


def check_trust() -> Check:
    from finclip_desktop.policy import PolicyError
    from finclip_desktop.settings import SettingsError, SettingsStore

    try:
        settings = SettingsStore().effective
    except (PolicyError, SettingsError):
        return Check("trusted keys", SKIP, "see the policy / settings problem above")
    count = len(settings.trusted_keys)
    managed = " (managed by your organisation)" if settings.is_managed("trusted_keys") else ""
    if count == 0:
        return Check(
            "trusted keys", WARN, "no package signer is trusted: only developer mode can run apps",
            "add your organisation's key in Settings or via policy trusted_keys",
        )  # fmt: skip
    return Check("trusted keys", OK, f"{count} signer key(s){managed}")


def run_checks(server_url: str | None = None, webengine: bool = True) -> list[Check]:
    from finclip_desktop.policy import PolicyError
    from finclip_desktop.settings import SettingsError, SettingsStore

    checks = [check_policy(), check_settings(), *check_dirs(), check_root(), check_sandbox()]
    if webengine:
        checks.append(check_webengine())
    proxy = "system"
    try:
        effective = SettingsStore().effective
        server_url = server_url or effective.server_url
        proxy = effective.proxy
    except (PolicyError, SettingsError):
        pass
    checks += [check_server(server_url, proxy), check_keyring(), check_trust()]
    return checks
