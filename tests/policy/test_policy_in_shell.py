"""A policy file changes what the shell lets run, as docs/policy.md says (real files, the
shell's own rules in shell/targets.py)."""

from __future__ import annotations

import http.server
import json
import os
import threading

import pytest

from finclip_desktop.package import build_archive, generate_key, public_key_text
from finclip_desktop.policy import POLICY_ENV
from finclip_desktop.settings import SettingsStore

targets = pytest.importorskip("finclip_desktop.shell.targets")
BundleError = pytest.importorskip("finclip_desktop.shell.bundle").BundleError

KEY = generate_key()
HTML_APP = {"index.html": b"<!doctype html><p>hi</p>"}


@pytest.fixture
def policy(tmp_path, monkeypatch):
    def write(data: dict) -> None:
        path = tmp_path / "policy.json"
        path.write_text(json.dumps(data))
        monkeypatch.setenv(POLICY_ENV, str(path))

    return write


@pytest.fixture
def folder(tmp_path):
    root = tmp_path / "app"
    root.mkdir()
    (root / "index.html").write_bytes(HTML_APP["index.html"])
    return root


@pytest.fixture
def package(tmp_path):
    path = tmp_path / "corp.app.fcpkg"
    path.write_bytes(build_archive(HTML_APP, {"app_id": "corp.app", "name": "Corp",
                                              "version": "1.0.0"}, KEY)[1])  # fmt: skip
    return path


def settings():
    return SettingsStore().effective


def signed_root(version: int) -> bytes:
    """A real root metadata document: one root key, one online key for the other roles."""
    from datetime import UTC, datetime, timedelta

    from finclip_desktop.package.metadata import root_signed, sign

    root_key, online = generate_key(), generate_key()
    roles = {"root": ([root_key], 1), "targets": ([online], 1), "snapshot": ([online], 1),
             "timestamp": ([online], 1)}  # fmt: skip
    expires = datetime.now(UTC) + timedelta(days=365)
    return sign(root_signed(version, expires, roles), [root_key])


def test_developer_mode_forbidden(policy, folder):
    SettingsStore().update(developer_mode=True)
    assert targets.developer_mode(settings(), requested=False) is True
    policy({"developer_mode_allowed": False})
    with pytest.raises(BundleError, match="developer mode is turned off by your organisation"):
        targets.developer_mode(settings(), requested=True)
    assert targets.developer_mode(settings(), requested=False) is False
    with pytest.raises(BundleError, match="runs only in developer mode"):
        targets.resolve(str(folder), settings(), dev=False)


def test_trusted_keys_from_policy(policy, package):
    with pytest.raises(BundleError):
        targets.resolve(str(package), settings(), dev=False)  # nobody trusts the signer yet
    policy({"trusted_keys": [public_key_text(KEY)]})
    bundle = targets.resolve(str(package), settings(), dev=False)
    assert bundle.app_id == "corp.app" and bundle.signed


def test_sideloading_forbidden(policy, package):
    policy({"trusted_keys": [public_key_text(KEY)], "sideloading_allowed": False})
    with pytest.raises(BundleError, match="turned off by your organisation's policy"):
        targets.resolve(str(package), settings(), dev=False)


def test_sideloading_forbidden_refuses_folders_too(policy, folder, capsys):
    """docs/policy.md: with sideloading off "packages and folders opened from disk are
    refused", also in developer mode (`finclip run DIR --dev`)."""
    from finclip_desktop.cli import main

    assert targets.resolve(str(folder), settings(), dev=True).app_id == "dev.app"
    policy({"sideloading_allowed": False})
    with pytest.raises(BundleError) as info:
        targets.resolve(str(folder), settings(), dev=True)
    assert str(info.value) == (
        f"running app folders from disk ({folder}) is turned off by your organisation's policy"
    )  # fmt: skip
    shot = str(folder.parent / "x.png")
    assert main(["run", str(folder), "--dev", "--no-sandbox", "--screenshot", shot]) == 1
    assert "running app folders from disk" in capsys.readouterr().err


def test_app_lists(policy, package):
    policy({"trusted_keys": [public_key_text(KEY)], "blocked_apps": ["corp.*"]})
    with pytest.raises(BundleError, match="corp.app is not allowed by your organisation"):
        targets.resolve(str(package), settings(), dev=False)
    policy({"trusted_keys": [public_key_text(KEY)], "allowed_apps": ["other.app"]})
    with pytest.raises(BundleError, match="not allowed"):
        targets.resolve(str(package), settings(), dev=False)
    policy({"trusted_keys": [public_key_text(KEY)], "allowed_apps": ["corp.app"]})
    assert targets.resolve(str(package), settings(), dev=False).app_id == "corp.app"


class _RecordingProxy(http.server.BaseHTTPRequestHandler):
    """A forward proxy on loopback that records each request line and answers 404."""

    seen: list[str] = []

    def do_GET(self):  # noqa: N802 - http.server API
        self.seen.append(self.path)
        self.send_response(404)
        self.send_header("Content-Length", "0")
        self.end_headers()

    do_POST = do_GET  # noqa: N815

    def do_CONNECT(self):  # noqa: N802 - an https request: record the tunnel, refuse it
        self.seen.append(f"CONNECT {self.path}")
        self.send_response(502)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def proxy():
    _RecordingProxy.seen = []
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _RecordingProxy)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", _RecordingProxy.seen
    server.shutdown()
    server.server_close()


def test_server_url_and_proxy_from_policy(policy, proxy, tmp_path):
    """The store talks to the policy's server, through the policy's proxy, whatever the
    user chose."""
    from finclip_desktop.store.errors import StoreError
    from finclip_desktop.store.http import RetryPolicy
    from finclip_desktop.store.store import Store

    proxy_url, seen = proxy
    SettingsStore().update(server_url="https://user-choice.example", proxy="none")
    policy({"server_url": "http://127.0.0.1:9/", "proxy": proxy_url})
    eff = settings()
    assert (eff.server_url, eff.proxy) == ("http://127.0.0.1:9", proxy_url)
    with Store(eff, directory=tmp_path / "store", retry=RetryPolicy(attempts=1)) as store:
        with pytest.raises(StoreError):
            store.refresh()
    assert seen and all(s.startswith("http://127.0.0.1:9/") for s in seen), seen


@pytest.mark.qt
def test_web_engine_goes_through_the_policy_proxy(policy, proxy, qapp, tmp_path):
    """A <web-view>-style frame of an allowed https host leaves the engine through the
    policy's proxy (a CONNECT tunnel), not directly; "none" and "system" reach Qt too."""
    from PySide6.QtNetwork import QNetworkProxy, QNetworkProxyFactory

    from finclip_desktop.shell.testing import ShellHarness, wait_until

    proxy_url, seen = proxy
    SettingsStore().update(proxy="none")
    policy({"proxy": proxy_url})
    frame = b'<!doctype html><iframe src="https://webview.example/page"></iframe>'
    with ShellHarness(settings=settings(), data_root=tmp_path / "a") as h:
        h.open_files({"index.html": frame}, app_id="corp.web",
                     domains={"request": ("webview.example",)})  # fmt: skip
        assert wait_until(lambda: "CONNECT webview.example:443" in seen, 15), seen
    policy({"proxy": "socks5://127.0.0.1:1080"})
    with ShellHarness(settings=settings(), data_root=tmp_path / "b"):
        engine = QNetworkProxy.applicationProxy()
        assert (engine.type(), engine.hostName(), engine.port()) == (
            QNetworkProxy.ProxyType.Socks5Proxy, "127.0.0.1", 1080)  # fmt: skip
    policy({"proxy": "none"})
    with ShellHarness(settings=settings(), data_root=tmp_path / "c"):
        assert QNetworkProxy.applicationProxy().type() == QNetworkProxy.ProxyType.NoProxy
        assert not QNetworkProxyFactory.usesSystemConfiguration()
    policy({})
    SettingsStore().update(proxy="system")
    with ShellHarness(settings=settings(), data_root=tmp_path / "d"):
        assert QNetworkProxyFactory.usesSystemConfiguration()


def test_https_proxy_is_chromiums_switch(monkeypatch, qapp):
    """Qt cannot describe a TLS proxy to the engine: an https:// proxy becomes Chromium's
    --proxy-server switch (read when the engine starts), replacing an older one."""
    from PySide6.QtNetwork import QNetworkProxy

    from finclip_desktop.shell.engine_proxy import FLAGS_ENV, apply_engine_proxy

    monkeypatch.setenv(FLAGS_ENV, "--disable-gpu --proxy-server=http://old:1")
    apply_engine_proxy("https://proxy.example:8443")
    assert os.environ[FLAGS_ENV] == "--disable-gpu --proxy-server=https://proxy.example:8443"
    assert QNetworkProxy.applicationProxy().type() == QNetworkProxy.ProxyType.NoProxy
    apply_engine_proxy("system")


def test_telemetry_from_policy(policy, qapp, tmp_path):
    """Usage statistics are recorded by the shell only when the policy (or, unmanaged,
    the user) turns telemetry on; a managed value cannot be changed by the user."""
    from finclip_desktop.settings import SettingsError
    from finclip_desktop.shell.core import Shell

    SettingsStore().update(telemetry=True)
    policy({"server_url": "https://apps.example.com", "telemetry": False})
    shell = Shell(settings=settings(), data_root=tmp_path / "a")
    assert shell.usage is None
    shell.close_all()
    with pytest.raises(SettingsError, match="managed by your organisation"):
        SettingsStore().update(telemetry=True)
    policy({"server_url": "https://apps.example.com", "telemetry": True})
    shell = Shell(settings=settings(), data_root=tmp_path / "b")
    assert shell.usage is not None
    shell.close_all()


def test_update_channel_from_policy(policy):
    """The policy's channel wins and is read-only (docs/policy.md: the store does not
    follow channels yet)."""
    from finclip_desktop.settings import SettingsError

    SettingsStore().update(update_channel="beta")
    assert settings().update_channel == "beta"
    policy({"update_channel": "stable"})
    assert settings().update_channel == "stable" and settings().is_managed("update_channel")
    with pytest.raises(SettingsError):
        SettingsStore().update(update_channel="beta")


@pytest.mark.qt
def test_settings_page_shows_managed_values_read_only(policy, qapp):
    from finclip_desktop.shell.launcher import SettingsPage

    SettingsStore().update(server_url="https://mine.example", developer_mode=True)
    page = SettingsPage(SettingsStore())
    assert page.server.isEnabled() and page.developer.isEnabled()
    page.deleteLater()

    policy({"server_url": "https://apps.example.com", "developer_mode_allowed": False})
    store = SettingsStore()
    page = SettingsPage(store)
    assert page.server.text() == "https://apps.example.com" and not page.server.isEnabled()
    assert not page.developer.isChecked() and not page.developer.isEnabled()
    for widget in (page.server, page.developer):
        assert widget.toolTip() == "managed by your organisation"
    page.server.setText("https://elsewhere.example")
    assert page.save()
    assert store.effective.server_url == "https://apps.example.com"
    page.deleteLater()


@pytest.mark.qt
def test_settings_page_edits_user_values_and_lists_the_other_rules(policy, qapp):
    from PySide6.QtWidgets import QLabel

    from finclip_desktop.shell.launcher import SettingsPage

    policy({"telemetry": True, "blocked_apps": ["com.bad.app"], "sideloading_allowed": False,
            "distribution_root": json.loads(signed_root(version=3))})  # fmt: skip
    store = SettingsStore()
    page = SettingsPage(store)
    assert not page.telemetry.isEnabled() and page.telemetry.isChecked()
    texts = [label.text() for label in page.findChildren(QLabel)]
    assert "Blocked apps: com.bad.app" in texts
    assert "Server's root of trust: pinned (root version 3, 2 key(s))" in texts
    assert any("folders" in t and "not allowed" in t for t in texts)
    assert sum("managed by your organisation" in t for t in texts) == 2  # field + rules
    page.channel.setText("Beta!")
    assert not page.save() and "update_channel" in page.status.text()
    assert store.effective.update_channel == "stable"
    page.channel.setText("beta")
    page.proxy.setText("http://proxy.example:3128")
    page.telemetry.setChecked(False)  # managed: ignored
    assert page.save() and page.status.text() == "Saved"
    assert store.effective.update_channel == "beta"
    assert store.effective.proxy == "http://proxy.example:3128"
    assert store.effective.telemetry is True
    page.deleteLater()
