"""`finclip run` as a user runs it: a real subprocess, real Qt offscreen."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from finclip_desktop.package import build_archive, generate_key, public_key_text

pytestmark = pytest.mark.qt

COUNTER_JS = (
    'document.addEventListener("DOMContentLoaded", () => {'
    ' const n = +(localStorage.getItem("n") || 0); localStorage.setItem("n", n + 1);'
    ' document.getElementById("c").textContent = "count " + n; });'
)
INDEX = (
    '<html><head><script src="app.js"></script><style>body{background:#1e90ff;color:#fff}'
    '</style></head><body><h1>Hello FinClip</h1><p id="c"></p></body></html>'
)


def _app(folder: Path, app_id: str = "demo.counter") -> Path:
    folder.mkdir()
    (folder / "index.html").write_text(INDEX)
    (folder / "app.js").write_text(COUNTER_JS)
    (folder / "finclip.config.json").write_text(
        f'{{"appId": "{app_id}", "name": "Counter", "version": "1.0.0"}}'
    )
    return folder


def finclip(*args: str, timeout: float = 60, env: dict | None = None):
    return subprocess.run(
        [sys.executable, "-m", "finclip_desktop", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env=env,
    )


def test_screenshot_and_dump_text_and_data_survive_restart(tmp_path):
    app = _app(tmp_path / "counter")
    shot, text = tmp_path / "shot.png", tmp_path / "text.txt"
    first = finclip(
        "run",
        str(app),
        "--dev",
        "--no-sandbox",
        "--screenshot",
        str(shot),
        "--dump-text",
        str(text),
    )
    assert first.returncode == 0, first.stderr
    assert text.read_text().split() == ["Hello", "FinClip", "count", "0"]
    from PySide6.QtGui import QImage

    image = QImage(str(shot))
    assert image.width() > 300 and image.height() > 500
    assert image.pixelColor(150, 400).name() == "#1e90ff"  # the page's own background
    second = finclip("run", str(app), "--dev", "--no-sandbox", "--dump-text", str(text))
    assert second.returncode == 0, second.stderr
    assert "count 1" in text.read_text()  # localStorage survived the restart


def test_unsigned_folder_needs_developer_mode(tmp_path):
    app = _app(tmp_path / "counter")
    result = finclip("run", str(app), "--no-sandbox", "--dump-text", str(tmp_path / "t"))
    assert result.returncode == 1
    assert result.stderr.strip().startswith("finclip: ") and "developer mode" in result.stderr
    assert "Traceback" not in result.stderr


def test_developer_mode_forbidden_by_policy(tmp_path):
    policy = Path(os.environ["FINCLIP_POLICY_FILE"])
    policy.write_text('{"developer_mode_allowed": false}')
    result = finclip("run", str(_app(tmp_path / "a")), "--dev", "--no-sandbox")
    assert result.returncode == 1 and "policy" in result.stderr


def test_signed_package_runs_with_trust_and_tampering_is_refused(tmp_path):
    key = generate_key()
    files = {"index.html": INDEX.encode(), "app.js": COUNTER_JS.encode()}
    _, archive = build_archive(
        files, {"app_id": "signed.app", "name": "Signed", "version": "1.2.3"}, key
    )
    package = tmp_path / "signed.fcpkg"
    package.write_bytes(archive)
    text = tmp_path / "t.txt"
    untrusted = finclip("run", str(package), "--no-sandbox", "--dump-text", str(text))
    assert untrusted.returncode == 1 and "Traceback" not in untrusted.stderr
    pub = public_key_text(key)
    ok = finclip("run", str(package), "--no-sandbox", "--trust", pub, "--dump-text", str(text))
    assert ok.returncode == 0, ok.stderr
    assert "Hello FinClip" in text.read_text()
    tampered = tmp_path / "tampered.fcpkg"
    tampered.write_bytes(archive.replace(b"Hello FinClip", b"Hacked FinClp"))
    bad = finclip("run", str(tampered), "--no-sandbox", "--trust", pub, "--dump-text", str(text))
    assert bad.returncode == 1 and "Traceback" not in bad.stderr


def test_root_without_no_sandbox_is_refused(tmp_path):
    if os.geteuid() != 0:
        pytest.skip("only meaningful as root")
    env = {k: v for k, v in os.environ.items() if k != "QTWEBENGINE_DISABLE_SANDBOX"}
    result = finclip("run", str(_app(tmp_path / "a")), "--dev", env=env)
    assert result.returncode == 1
    assert "refusing to run as root" in result.stderr and "--no-sandbox" in result.stderr


def test_second_run_hands_over_to_the_running_instance(tmp_path):
    from finclip_desktop.settings import data_dir

    first_app, second_app = _app(tmp_path / "a", "first.app"), _app(tmp_path / "b", "second.app")
    running = subprocess.Popen(
        [sys.executable, "-m", "finclip_desktop", "run", str(first_app), "--dev", "--no-sandbox"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        apps = data_dir() / "apps"
        deadline = time.monotonic() + 30
        while not (apps / "first.app" / "web").exists():
            assert running.poll() is None, running.stderr.read().decode()
            assert time.monotonic() < deadline
            time.sleep(0.1)
        time.sleep(0.5)
        started = time.monotonic()
        second = finclip("run", str(second_app), "--dev", "--no-sandbox", timeout=30)
        assert second.returncode == 0, second.stderr
        assert time.monotonic() - started < 15
        deadline = time.monotonic() + 20
        while not (apps / "second.app" / "web").exists():  # opened by the first process
            assert time.monotonic() < deadline
            time.sleep(0.1)
        assert running.poll() is None
        refused = finclip("run", str(tmp_path / "missing"), "--dev", "--no-sandbox")
        assert refused.returncode == 1
    finally:
        running.terminate()
        assert running.wait(15) == 0  # SIGTERM: orderly shutdown, exit code 0


def test_example_wechat_app_screenshot(tmp_path):
    example = Path(__file__).resolve().parents[2] / "resources" / "examples" / "hello"
    shot, text = tmp_path / "hello.png", tmp_path / "hello.txt"
    result = finclip(
        "run",
        str(example),
        "--dev",
        "--no-sandbox",
        "--screenshot",
        str(shot),
        "--dump-text",
        str(text),
        "--timeout",
        "30",
    )
    assert result.returncode == 0, result.stderr
    assert "Hello, FinClip!" in text.read_text()
    # The engine's start-up notes on a machine without GPU or D-Bus are not printed.
    noise = [line for line in result.stderr.splitlines() if "Sandboxing disabled" not in line]
    assert noise == [], noise
    from PySide6.QtGui import QImage

    image = QImage(str(shot))
    assert (image.width(), image.height()) == (375, 667)
    colors = {image.pixelColor(x, y).name() for x in range(0, 375, 25) for y in range(0, 667, 25)}
    assert len(colors) > 3  # something was drawn, not a blank window


def test_broken_app_is_a_one_line_error(tmp_path):
    app = tmp_path / "broken"
    app.mkdir()
    (app / "app.json").write_text('{"pages": ["pages/index/index"]}')
    (app / "app.js").write_text("App({})")
    result = finclip("run", str(app), "--dev", "--no-sandbox", "--dump-text", str(tmp_path / "t"))
    assert result.returncode == 1
    assert result.stderr.count("\n") == 1 and "pages/index/index" in result.stderr
    missing = finclip("run", "no.such.app", "--no-sandbox", "--dump-text", str(tmp_path / "t"))
    assert missing.returncode == 1 and "Traceback" not in missing.stderr


def test_installed_app_runs_by_id(tmp_path):
    from finclip_desktop.settings import SettingsStore
    from finclip_desktop.store.store import Store

    from .test_launcher import install

    key = generate_key()
    settings_store = SettingsStore()
    settings_store.add_trusted_key(public_key_text(key))
    with Store(settings_store.effective) as store:
        install(store.cache, key, "com.example.mail", "Mail")
    text = tmp_path / "t.txt"
    result = finclip("run", "com.example.mail", "--no-sandbox", "--dump-text", str(text))
    assert result.returncode == 0, result.stderr
    assert text.read_text().strip() == "Mail"


def _wait_listening(process) -> None:
    from PySide6.QtNetwork import QLocalSocket

    from finclip_desktop.settings import data_dir
    from finclip_desktop.shell.instance import server_name

    deadline = time.monotonic() + 30
    while True:
        assert process.poll() is None, process.stderr.read().decode()
        probe = QLocalSocket()
        probe.connectToServer(server_name(str(data_dir())))
        if probe.waitForConnected(200):
            probe.disconnectFromServer()
            return
        assert time.monotonic() < deadline
        time.sleep(0.1)


def test_launcher_process_hands_over_and_exits_cleanly(tmp_path):
    running = subprocess.Popen(
        [sys.executable, "-m", "finclip_desktop", "launcher", "--no-sandbox"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        _wait_listening(running)
        started = time.monotonic()
        again = finclip("launcher", "--no-sandbox", timeout=30)
        assert again.returncode == 0, again.stderr
        assert time.monotonic() - started < 15 and running.poll() is None
    finally:
        running.terminate()
        assert running.wait(15) == 0


def test_bad_run_arguments_are_one_line_errors(tmp_path):
    app = _app(tmp_path / "counter")
    newer = _app(tmp_path / "newer", "demo.newer")
    (newer / "finclip.config.json").write_text(
        '{"appId": "demo.newer", "name": "Newer", "version": "1.0.0", "minRuntime": "99.0.0"}'
    )
    text = str(tmp_path / "t.txt")
    cases = {
        ("run", str(newer), "--dev"): "demo.newer 1.0.0 needs FinClip runtime >= 99.0.0, this is",
        ("run", str(app), "--dev", "--timeout", "nan"): "--timeout must be a positive",
        ("run", str(app), "--dev", "--timeout", "inf"): "--timeout must be a positive",
        ("run", ""): "TARGET is empty",
        ("run", "./nope", "--dev"): "./nope: no such folder or file",
        ("run", str(app), "--dev", "--trust", "key"): "--trust applies to .fcpkg files only",
    }
    for args, message in cases.items():
        result = finclip(*args, "--no-sandbox", "--dump-text", text)
        assert result.returncode == 1, (args, result.stderr)
        assert result.stderr.count("\n") == 1 and message in result.stderr, (args, result.stderr)
    assert not Path(text).exists()


def test_without_a_display_only_headless_runs_start(tmp_path):
    """No DISPLAY/WAYLAND_DISPLAY and no QT_QPA_PLATFORM: an interactive run or the
    launcher is a one-line error (Qt would abort), a --dump-text run goes offscreen."""
    app = _app(tmp_path / "counter")
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")
    }
    for args in (("run", str(app), "--dev"), ("launcher",)):
        result = finclip(*args, "--no-sandbox", env=env)
        assert result.returncode == 1, (args, result.returncode, result.stderr)
        assert result.stderr.startswith("finclip: no display: "), result.stderr
        assert result.stderr.count("\n") == 1 and "QT_QPA_PLATFORM=offscreen" in result.stderr
    text = tmp_path / "t.txt"
    headless = finclip("run", str(app), "--dev", "--no-sandbox", "--dump-text", str(text), env=env)
    assert headless.returncode == 0, headless.stderr
    assert "count 0" in text.read_text()


SIGNAL_JS = (
    'document.addEventListener("DOMContentLoaded", () => {'
    ' const n = +(localStorage.getItem("n") || 0); localStorage.setItem("n", n + 1);'
    ' document.getElementById("c").textContent = "count " + n;'
    # tells the test the page ran: the bridge creates the app's storage database
    ' window.postMessage({__fcBridge: "call", id: 1, api: "setStorageSync",'
    ' args: {key: "ran", data: n}}, "*"); });'
)


def test_a_running_app_is_locked_and_sigterm_keeps_its_data(tmp_path):
    """The interactive shell owns its apps' data: an automated run of the same app is
    refused with a clear error (another app runs); SIGTERM flushes what the app stored."""
    from finclip_desktop.capabilities.storage import DB_NAME
    from finclip_desktop.settings import data_dir

    app = _app(tmp_path / "counter")
    (app / "app.js").write_text(SIGNAL_JS)
    other = _app(tmp_path / "other", "other.app")
    text = tmp_path / "t.txt"
    running = subprocess.Popen(
        [sys.executable, "-m", "finclip_desktop", "run", str(app), "--dev", "--no-sandbox"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        ran = data_dir() / "apps" / "demo.counter" / "data" / DB_NAME
        deadline = time.monotonic() + 30
        while not ran.exists():
            assert running.poll() is None, running.stderr.read().decode()
            assert time.monotonic() < deadline, "the page did not run"
            time.sleep(0.1)
        locked = finclip("run", str(app), "--dev", "--no-sandbox", "--dump-text", str(text))
        assert locked.returncode == 1 and locked.stderr.count("\n") == 1, locked.stderr
        assert "demo.counter is open in another FinClip (process" in locked.stderr
        assert not text.exists()
        beside = finclip("run", str(other), "--dev", "--no-sandbox", "--dump-text", str(text))
        assert beside.returncode == 0, beside.stderr
        assert "count 0" in text.read_text()
    finally:
        running.terminate()
        assert running.wait(15) == 0
    after = finclip("run", str(app), "--dev", "--no-sandbox", "--dump-text", str(text))
    assert after.returncode == 0, after.stderr
    assert "count 1" in text.read_text()  # the interactive run's write survived SIGTERM
