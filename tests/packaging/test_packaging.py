"""Packaging recipes: the policy examples validate, the scripts parse, and (slow, opt-in
with FINCLIP_TEST_BUNDLE=1) the Linux bundle and .deb build and pass their smoke test."""

from __future__ import annotations

import configparser
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from finclip_desktop import __version__
from finclip_desktop.policy import load_policy

ROOT = Path(__file__).resolve().parents[2]
PACKAGING = ROOT / "packaging"


@pytest.mark.parametrize("path", sorted((PACKAGING / "policy-examples").glob("*.json")))
def test_policy_examples_are_valid(path):
    policy = load_policy(path)
    assert policy.server_url and policy.trusted_keys


@pytest.mark.parametrize("script", ["linux/build.sh", "linux/smoke-test.sh"])
def test_scripts_parse(script):
    path = PACKAGING / script
    assert os.access(path, os.X_OK)
    subprocess.run(["bash", "-n", str(path)], check=True)


def test_spec_compiles():
    source = (PACKAGING / "pyinstaller" / "finclip.spec").read_text()
    compile(source, "finclip.spec", "exec")
    assert "QtWebEngineProcess" in source


def test_desktop_entry():
    entry = configparser.ConfigParser(interpolation=None)
    entry.optionxform = str
    entry.read(PACKAGING / "linux" / "finclip-desktop.desktop")
    section = entry["Desktop Entry"]
    assert section["Exec"] == "/opt/finclip-desktop/finclip %U"  # see gui_argv
    assert section["Icon"] == "finclip-desktop" and section["Type"] == "Application"
    assert (PACKAGING / "linux" / "finclip-desktop.png").stat().st_size > 1000
    mime = (PACKAGING / "linux" / "finclip-desktop-mime.xml").read_text()
    assert 'type="application/x-finclip-package"' in mime and 'pattern="*.fcpkg"' in mime
    assert "application/x-finclip-package" in section["MimeType"].split(";")


MAIN = PACKAGING / "pyinstaller" / "finclip_main.py"


def bundle_main():
    """The bundled executable's entry module (packaging/pyinstaller/finclip_main.py)."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("finclip_main", MAIN)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_gui_entry_arguments():
    gui_argv = bundle_main().gui_argv
    assert gui_argv([]) == ["launcher"]
    assert gui_argv(["file:///home/a/My%20App.fcpkg"]) == ["run", "/home/a/My App.fcpkg"]
    assert gui_argv(["file://localhost/tmp/x.fcpkg"]) == ["run", "/tmp/x.fcpkg"]
    assert gui_argv(["/tmp/x.fcpkg"]) == ["run", "/tmp/x.fcpkg"]
    assert gui_argv(["finclip://com.corp.app/pages/a/index?x=1"]) == ["run", "com.corp.app"]
    for unchanged in (["--help"], ["--version"], ["doctor"], ["run", "a.fcpkg"],
                      ["file://server/share/x.fcpkg"], ["finclip://"]):  # fmt: skip
        assert gui_argv(unchanged) == unchanged


def _main(*args, **kwargs):
    return subprocess.run([sys.executable, str(MAIN), *args], capture_output=True, text=True,
                          timeout=120, **kwargs)  # fmt: skip


@pytest.mark.qt
def test_gui_entry_opens_the_launcher_and_runs_what_it_is_given(tmp_path):
    """What the desktop does: `finclip` alone starts the launcher (a second start hands
    over to it); a finclip:// link or a file:// package runs that app, not a usage error."""
    import tempfile

    from finclip_desktop.settings import data_dir
    from finclip_desktop.shell.instance import server_name

    missing = _main(f"file://{tmp_path}/missing.fcpkg")
    assert missing.returncode == 1, missing.stderr
    assert f"finclip: {tmp_path}/missing.fcpkg: no such file" in missing.stderr
    assert "usage:" not in missing.stderr

    socket = Path(tempfile.gettempdir()) / server_name(str(data_dir()))
    launcher = subprocess.Popen([sys.executable, str(MAIN)], stdout=subprocess.DEVNULL,
                                stderr=(tmp_path / "launcher.log").open("w"))  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        while not socket.exists() and launcher.poll() is None and time.monotonic() < deadline:
            time.sleep(0.1)
        assert socket.exists(), (tmp_path / "launcher.log").read_text()[-2000:]
        again = _main()
        assert again.returncode == 0, again.stderr  # handed over to the running launcher
        link = _main("finclip://com.corp.notinstalled/pages/index/index")
        assert link.returncode == 1
        assert "finclip: com.corp.notinstalled: " in link.stderr, link.stderr
        assert launcher.poll() is None, "the launcher quit"
    finally:
        launcher.terminate()
        launcher.wait(timeout=30)


@pytest.mark.slow
@pytest.mark.skipif(
    os.environ.get("FINCLIP_TEST_BUNDLE") != "1",
    reason="builds the PyInstaller bundle and .deb (minutes); set FINCLIP_TEST_BUNDLE=1",
)
@pytest.mark.timeout(1800)
def test_linux_bundle_builds_and_passes_smoke_test(tmp_path):
    started = time.monotonic()
    env = {**os.environ, "VENV": str(ROOT / ".venv")}
    env.pop("FINCLIP_POLICY_FILE", None)
    proc = subprocess.run(
        [str(PACKAGING / "linux" / "build.sh")], cwd=ROOT, env=env, capture_output=True,
        text=True, timeout=1700,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    assert "smoke test passed" in proc.stdout
    deb = next((ROOT / "dist").glob(f"finclip-desktop_{__version__}_*.deb"))
    contents = subprocess.run(
        ["dpkg-deb", "--contents", str(deb)], capture_output=True, text=True, check=True
    ).stdout
    for needed in ("opt/finclip-desktop/finclip", "QtWebEngineProcess",
                   "qtwebengine_resources.pak", "resources/templates/tabbed/app.json",
                   "usr/share/applications/finclip-desktop.desktop",
                   "usr/share/mime/packages/finclip-desktop.xml"):  # fmt: skip
        assert needed in contents, needed
    from PySide6.QtGui import QImage

    screenshot = ROOT / "build" / "smoke" / "hello.png"
    assert "-- an example app, packed and signed, runs and paints" in proc.stdout
    image = QImage(str(screenshot))  # the bundled binary ran the example and painted it
    assert not image.isNull(), f"no PNG at {screenshot}"
    assert (image.width(), image.height()) == (375, 667)
    colours = {image.pixel(x, y) for x in range(0, image.width(), 7)
               for y in range(0, image.height(), 7)}  # fmt: skip
    assert len(colours) > 10, "the screenshot is blank"
    print(f"bundle + .deb + smoke test: {time.monotonic() - started:.0f} s")


def test_configuration_profile_example_is_a_valid_policy():
    import plistlib

    from finclip_desktop.policy import parse_policy

    profile = plistlib.loads((PACKAGING / "policy-examples" / "finclip-policy.mobileconfig")
                             .read_bytes())  # fmt: skip
    (payload,) = [p for p in profile["PayloadContent"] if p["PayloadType"] == "org.finclip.desktop"]
    policy = parse_policy({k: v for k, v in payload.items() if not k.startswith("Payload")})
    assert policy.developer_mode_allowed is False and policy.trusted_keys
