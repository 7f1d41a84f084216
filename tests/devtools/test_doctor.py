"""`finclip doctor`: each check against the real environment, and the command's output."""

from __future__ import annotations

import json
import os
import socket
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from finclip_desktop.cli import main
from finclip_desktop.devtools import doctor
from finclip_desktop.policy import POLICY_ENV


@pytest.fixture
def http_server():
    """A real HTTP server on loopback: /healthz answers 200, anything else 404."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 - http.server API
            ok = self.path == "/healthz"
            body = b'{"status": "ok"}' if ok else b"{}"
            self.send_response(200 if ok else 404)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_policy_check(tmp_path, monkeypatch):
    assert doctor.check_policy().status == doctor.OK  # no policy file
    bad = tmp_path / "policy.json"
    bad.write_text('{"telemetry": "off"}')
    monkeypatch.setenv(POLICY_ENV, str(bad))
    check = doctor.check_policy()
    assert check.status == doctor.FAIL
    assert "telemetry must be true or false" in check.detail and "docs/policy.md" in check.fix
    bad.write_text('{"telemetry": false, "update_channel": "beta"}')
    check = doctor.check_policy()
    assert check.status == doctor.OK and "telemetry, update_channel" in check.detail


def test_settings_check(_isolated_dirs):
    assert doctor.check_settings().status == doctor.OK
    path = _isolated_dirs / "config" / "finclip-desktop" / "settings.json"
    path.parent.mkdir(parents=True)
    path.write_text("{broken")
    check = doctor.check_settings()
    assert check.status == doctor.FAIL and str(path) in check.fix


def test_dirs_writable_and_not(tmp_path, monkeypatch):
    assert all(c.status == doctor.OK for c in doctor.check_dirs())
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("XDG_DATA_HOME", str(blocker))
    checks = {c.name: c for c in doctor.check_dirs()}
    assert checks["data folder"].status == doctor.FAIL
    assert "is not writable" in checks["data folder"].detail
    assert checks["config folder"].status == doctor.OK
    assert not list((tmp_path).glob("**/.finclip-doctor-*"))


def test_root_check():
    check = doctor.check_root()
    assert check.status == (doctor.WARN if os.geteuid() == 0 else doctor.OK)


def test_sandbox_check(monkeypatch):
    monkeypatch.setenv("QTWEBENGINE_DISABLE_SANDBOX", "1")
    assert doctor.check_sandbox().status == doctor.WARN
    monkeypatch.delenv("QTWEBENGINE_DISABLE_SANDBOX")
    monkeypatch.setenv("QTWEBENGINE_CHROMIUM_FLAGS", "--disable-gpu --no-sandbox")
    assert doctor.check_sandbox().status == doctor.WARN
    monkeypatch.setenv("QTWEBENGINE_CHROMIUM_FLAGS", "--disable-gpu")
    assert doctor.check_sandbox(root=False).status in (doctor.OK, doctor.WARN, doctor.FAIL)
    assert "disabled (" not in doctor.check_sandbox(root=False).detail
    as_root = doctor.check_sandbox(root=True)  # the shell then must run with --no-sandbox
    assert as_root.status == doctor.WARN and "--no-sandbox" in as_root.detail
    if os.geteuid() == 0:
        assert doctor.check_sandbox() == as_root


def test_server_check(http_server):
    assert doctor.check_server(None).status == doctor.SKIP
    ok = doctor.check_server(http_server + "/", proxy="none")
    assert ok.status == doctor.OK and "answered /healthz" in ok.detail
    wrong = doctor.check_server(http_server + "/not-finclip", proxy="none")
    assert wrong.status == doctor.WARN and "HTTP 404" in wrong.detail
    down = doctor.check_server(f"http://127.0.0.1:{closed_port()}", proxy="none", timeout=2)
    assert down.status == doctor.FAIL and "not reachable" in down.detail


def test_keyring_check(monkeypatch):
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.null.Keyring")
    import keyring.core

    keyring.core._keyring_backend = None  # let keyring re-read the environment
    try:
        check = doctor.check_keyring()
    finally:
        keyring.core._keyring_backend = None
    assert check.status == doctor.WARN and "keyring.backends.null.Keyring" in check.detail


def test_keyring_check_warns_about_a_plaintext_file(monkeypatch):
    import keyring.core

    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyrings.alt.file.PlaintextKeyring")
    keyring.core._keyring_backend = None
    try:
        check = doctor.check_keyring()
    finally:
        keyring.core._keyring_backend = None
    assert check.status == doctor.WARN and "unencrypted" in check.detail, check
    assert "PlaintextKeyring" in check.detail and "PYTHON_KEYRING_BACKEND" in check.fix


def test_trust_check(monkeypatch, tmp_path):
    assert doctor.check_trust().status == doctor.WARN
    from finclip_desktop.package import generate_key, public_key_text

    policy = tmp_path / "policy.json"
    policy.write_text(json.dumps({"trusted_keys": [public_key_text(generate_key())]}))
    monkeypatch.setenv(POLICY_ENV, str(policy))
    check = doctor.check_trust()
    assert check.status == doctor.OK and "managed by your organisation" in check.detail


@pytest.mark.qt
def test_webengine_probe_in_subprocess():
    check = doctor.check_webengine()
    assert check.status == doctor.OK, check
    assert "rendered a page and ran JavaScript" in check.detail


def test_webengine_probe_failure_is_reported(monkeypatch):
    monkeypatch.setattr(
        doctor,
        "probe_command",
        lambda: [sys.executable, "-c", "import sys; sys.stderr.write('boom\\n'); sys.exit(3)"],
    )
    check = doctor.check_webengine()
    assert check.status == doctor.FAIL
    assert "exited with code 3: boom" in check.detail and "libnss3" in check.fix


def test_doctor_command(http_server, capsys, tmp_path, monkeypatch):
    code = main(["doctor", "--no-webengine", "--server", http_server])
    out = capsys.readouterr().out
    assert code == 0, out
    assert "[  OK] management server" in out and "problem(s)" in out
    bad = tmp_path / "policy.json"
    bad.write_text("[]")
    monkeypatch.setenv(POLICY_ENV, str(bad))
    assert main(["doctor", "--no-webengine", "--server", http_server]) == 1
    out = capsys.readouterr().out
    assert "[FAIL] managed policy" in out and "must be a JSON object" in out


def test_doctor_checks_a_policy_file_before_deployment(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv(POLICY_ENV, str(tmp_path / "none.json"))
    candidate = tmp_path / "candidate.json"
    candidate.write_text('{"developer_mode_allowed": "no"}')
    assert main(["doctor", "--no-webengine", "--policy", str(candidate)]) == 1
    out = capsys.readouterr().out
    assert f"[FAIL] managed policy: {candidate}: developer_mode_allowed must be true" in out
    assert main(["doctor", "--no-webengine", "--policy", str(tmp_path / "missing.json")]) == 1
    assert "no such file" in capsys.readouterr().err
