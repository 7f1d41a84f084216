"""The real `finclip` console script, run in a subprocess."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

FINCLIP = Path(sys.executable).with_name("finclip")
EXAMPLE = Path(__file__).resolve().parents[2] / "resources" / "examples" / "tabbed"


def run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(FINCLIP), *args], capture_output=True, text=True, cwd=cwd, timeout=120
    )


@pytest.fixture(scope="module")
def signed(tmp_path_factory):
    work = tmp_path_factory.mktemp("cli")
    result = run("keygen", "--out", str(work / "dev.key"))
    assert result.returncode == 0, result.stderr
    result = run(
        "pack", str(EXAMPLE), "--key", str(work / "dev.key"), "-o", str(work / "app.fcpkg")
    )
    assert result.returncode == 0, result.stderr
    assert "packed demo.tabbed 1.0.0" in result.stdout
    return work


def test_keygen_output_and_mode(signed):
    assert (signed / "dev.key").stat().st_mode & 0o777 == 0o600
    assert (signed / "dev.key.pub").read_text().startswith("-----BEGIN PUBLIC KEY-----")


def test_verify_ok_and_untrusted(signed):
    ok = run("verify", str(signed / "app.fcpkg"), "--trust", str(signed / "dev.key.pub"))
    assert ok.returncode == 0, ok.stderr
    assert ok.stdout.startswith("OK demo.tabbed 1.0.0")
    untrusted = run("verify", str(signed / "app.fcpkg"))
    assert untrusted.returncode == 1
    assert "REJECTED: signed by unknown key" in untrusted.stderr
    assert "Traceback" not in untrusted.stderr


def test_verify_rejects_tampered_with_one_line(signed):
    data = bytearray((signed / "app.fcpkg").read_bytes())
    data[len(data) // 2] ^= 0x20
    (signed / "bad.fcpkg").write_bytes(bytes(data))
    result = run("verify", str(signed / "bad.fcpkg"), "--trust", str(signed / "dev.key.pub"))
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "REJECTED" in lines[0]


def test_inspect_lists_manifest_files_and_signer(signed):
    result = run("inspect", str(signed / "app.fcpkg"))
    assert result.returncode == 0, result.stderr
    assert "app id:      demo.tabbed" in result.stdout
    assert "pages/list/list.wxml" in result.stdout
    assert "scope.clipboardRead" in result.stdout
    as_json = json.loads(run("inspect", str(signed / "app.fcpkg"), "--json").stdout)
    assert as_json["domains"]["request"] == ["api.example.com"]


def test_pack_refuses_invalid_app(tmp_path, signed):
    app = tmp_path / "app"
    shutil.copytree(EXAMPLE, app)
    (app / "pages/mine/mine.wxml").unlink()
    result = run(
        "pack", str(app), "--key", str(signed / "dev.key"), "-o", str(tmp_path / "x.fcpkg")
    )
    assert result.returncode == 1
    assert "app.json: page 'pages/mine/mine' has no pages/mine/mine.wxml" in result.stderr
    assert not (tmp_path / "x.fcpkg").exists()


def test_pack_flags_override_config(tmp_path, signed):
    out = tmp_path / "o.fcpkg"
    result = run(
        "pack",
        str(EXAMPLE),
        "--key",
        str(signed / "dev.key"),
        "-o",
        str(out),
        "--version",
        "2.1.0",
        "--domain",
        "socket=wss://ws.example.com",
    )
    assert result.returncode == 0, result.stderr
    manifest = json.loads(run("inspect", str(out), "--json").stdout)
    assert manifest["version"] == "2.1.0"
    assert manifest["domains"]["socket"] == ["ws.example.com"]
    bad = run("pack", str(EXAMPLE), "--key", str(signed / "dev.key"), "--version", "v2")
    assert bad.returncode == 1 and "not a semantic version" in bad.stderr


def test_missing_files_give_clear_errors(tmp_path):
    result = run("verify", str(tmp_path / "none.fcpkg"))
    assert result.returncode == 1 and "No such file" in result.stderr
    result = run("pack", str(EXAMPLE), "--key", str(tmp_path / "none.key"))
    assert result.returncode == 1 and "cannot read key file" in result.stderr


@pytest.mark.parametrize("command", ["keygen", "pack", "verify", "inspect"])
def test_every_command_has_help(command):
    result = run(command, "--help")
    assert result.returncode == 0
    assert "usage: finclip " + command in result.stdout


def test_verify_uses_keys_trusted_by_managed_policy(signed, tmp_path, monkeypatch):
    from finclip_desktop.package import load_public_key, public_key_text

    policy = tmp_path / "policy.json"
    key_text = public_key_text(load_public_key(signed / "dev.key.pub"))
    policy.write_text(json.dumps({"trusted_keys": [key_text]}))
    monkeypatch.setenv("FINCLIP_POLICY_FILE", str(policy))
    result = run("verify", str(signed / "app.fcpkg"))
    assert result.returncode == 0, result.stderr
    policy.write_text('{"trusted_keys": "not a list"}')
    result = run("verify", str(signed / "app.fcpkg"))
    assert result.returncode == 1 and "trusted_keys" in result.stderr
