"""The real `finclip` console script, run in a subprocess."""

from __future__ import annotations

import base64
import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.serialization import load_pem_public_key

from finclip_desktop import RUNTIME_VERSION
from finclip_desktop.package import key_id, load_public_key

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


def test_keygen_prints_key_id_and_public_key(tmp_path):
    result = run("keygen", "--out", str(tmp_path / "k"))
    assert result.returncode == 0, result.stderr
    public = load_pem_public_key((tmp_path / "k.pub").read_bytes())
    raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    assert f"key id:      {hashlib.sha256(raw).hexdigest()}\n" in result.stdout
    assert f"public key (base64): {base64.b64encode(raw).decode()}\n" in result.stdout


def test_keygen_leaves_no_half_pair(tmp_path):
    (tmp_path / "k.pub").mkdir()
    result = run("keygen", "--out", str(tmp_path / "k"))
    assert result.returncode == 1 and "k.pub already exists" in result.stderr
    assert "Traceback" not in result.stderr and not (tmp_path / "k").exists()


def test_verify_summary_shows_the_runtime_needed(signed, tmp_path):
    ok = run("verify", str(signed / "app.fcpkg"), "--trust", str(signed / "dev.key.pub"))
    assert f"needs runtime >= 1.0.0; signer {signer_of(signed)}" in ok.stdout
    app = tmp_path / "app"
    shutil.copytree(EXAMPLE, app)
    config = json.loads((app / "finclip.config.json").read_text())
    (app / "finclip.config.json").write_text(json.dumps({**config, "minRuntime": "99.0.0"}))
    out = tmp_path / "new.fcpkg"
    assert run("pack", str(app), "--key", str(signed / "dev.key"), "-o", str(out)).returncode == 0
    result = run("verify", str(out), "--trust", str(signed / "dev.key.pub"))
    assert result.returncode == 0, result.stderr
    assert f"needs runtime >= 99.0.0 (this runtime, {RUNTIME_VERSION}, is too old)" in (
        result.stdout
    )


def signer_of(signed: Path) -> str:
    return key_id(load_public_key(signed / "dev.key.pub"))


def test_bad_trust_key_is_not_blamed_on_the_package(signed, tmp_path):
    (tmp_path / "bad.pub").write_text("not a key")
    result = run("verify", str(signed / "app.fcpkg"), "--trust", str(tmp_path / "bad.pub"))
    assert result.returncode == 1
    assert result.stderr.startswith(f"finclip: --trust {tmp_path / 'bad.pub'}: public key")
    assert "REJECTED" not in result.stderr


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_fifos_are_refused_not_waited_on(signed, tmp_path):
    os.mkfifo(tmp_path / "pipe.fcpkg")
    result = run("verify", str(tmp_path / "pipe.fcpkg"))  # run() times out if it blocks
    assert result.returncode == 1 and "not a regular file" in result.stderr
    app = tmp_path / "app"
    shutil.copytree(EXAMPLE, app)
    os.mkfifo(app / "pages" / "pipe.js")
    result = run("pack", str(app), "--key", str(signed / "dev.key"), "-o", str(tmp_path / "o"))
    assert result.returncode == 1
    assert "pages/pipe.js is not a regular file (a pipe, socket or device)" in result.stderr


def pack_variant(signed: Path, tmp_path: Path, change) -> subprocess.CompletedProcess[str]:
    app = tmp_path / "app"
    shutil.copytree(EXAMPLE, app)
    change(app)
    out = tmp_path / "out.fcpkg"
    result = run("pack", str(app), "--key", str(signed / "dev.key"), "-o", str(out))
    assert result.returncode == 1 and not out.exists()
    assert "Traceback" not in result.stderr and len(result.stderr.splitlines()) == 1
    return result


def many_files(app: Path) -> None:
    """4,999 files: with finclip.json and finclip.sig, one entry over the 5,000 limit."""
    (app / "many").mkdir()
    for i in range(
        4999 - sum(p.is_file() for p in app.rglob("*") if p.name != "finclip.config.json")
    ):
        (app / "many" / f"{i}.txt").write_bytes(b"")


def sparse(app: Path) -> None:
    with open(app / "big.bin", "wb") as fh:
        fh.truncate(100 * 1024 * 1024 + 1)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda app: (app / "link.js").symlink_to(app / "app.js"), "link.js is a symbolic link"),
        (lambda app: (app / "linked").symlink_to(app / "pages"), "linked is a symbolic link"),
        (lambda app: (app / "a\\b.js").write_text(""), "unsafe path 'a\\\\b.js': backslash"),
        (lambda app: (app / "nul.txt").write_text(""), "reserved device name"),
        (lambda app: (app / "end.").write_text(""), "ends with a space or dot"),
        (lambda app: (app / "c:x.js").write_text(""), "drive letter"),
        (lambda app: (app / "APP.js").write_text(""), "'app.js' appears twice (as 'APP.js'"),
        (many_files, "has 5001 entries (its files plus finclip.json and finclip.sig), over"),
        (sparse, "big.bin is 104857601 bytes: the app's files exceed"),
    ],
)
def test_pack_refuses_what_verify_would(signed, tmp_path, change, message):
    assert message in pack_variant(signed, tmp_path, change).stderr


def test_pack_checks_the_folder_first_and_names_bad_flags(signed, tmp_path):
    key = str(signed / "dev.key")
    for target in (tmp_path / "nodir", signed / "dev.key"):
        result = run("pack", str(target), "--key", key)
        assert result.returncode == 1 and f"{target} is not a folder" in result.stderr
    result = run("pack", str(EXAMPLE), "--key", key, "--domain", "request=bad host")
    assert result.returncode == 1
    assert result.stderr.startswith("finclip: --domain 'request=bad host': 'bad host' is not")
    result = run("pack", str(EXAMPLE), "--key", key, "--app-id", "demo.x\n", cwd=tmp_path)
    assert result.returncode == 1 and "app id 'demo.x\\n' must be" in result.stderr
    assert list(tmp_path.iterdir()) == []
