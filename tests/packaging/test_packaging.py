"""Packaging recipes: the policy examples validate, the scripts parse, and (slow, opt-in
with FINCLIP_TEST_BUNDLE=1) the Linux bundle and .deb build and pass their smoke test."""

from __future__ import annotations

import configparser
import os
import subprocess
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
    assert section["Exec"].split()[0] == "/opt/finclip-desktop/finclip"
    assert section["Icon"] == "finclip-desktop" and section["Type"] == "Application"
    assert (PACKAGING / "linux" / "finclip-desktop.png").stat().st_size > 1000


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
                   "usr/share/applications/finclip-desktop.desktop"):  # fmt: skip
        assert needed in contents, needed
    screenshot = ROOT / "build" / "smoke" / "hello.png"
    if screenshot.exists():
        from PySide6.QtGui import QImage

        image = QImage(str(screenshot))
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
