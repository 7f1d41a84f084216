"""`finclip server` as a real process, driven by `finclip publish/review/release/...`."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from finclip_desktop.cli import main
from finclip_desktop.package import (
    app_settings,
    build_archive,
    collect_files,
    generate_key,
    load_private_key,
    public_key_text,
    save_private_key,
)
from tests.server.conftest import make_package

APP = "com.example.demo"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def server_process(tmp_path):
    data = tmp_path / "data"
    port = free_port()
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "finclip_desktop",
            "server",
            "--data-dir",
            str(data),
            "--port",
            str(port),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=env,
    )
    token = None
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    lines = []
    while token is None:
        line = proc.stdout.readline()
        lines.append(line)
        assert line or proc.poll() is None, "".join(lines)
        if "admin API token" in line:
            token = line.rsplit(" ", 1)[1].strip()
        assert time.monotonic() < deadline, "".join(lines)
    while True:
        try:
            if httpx.get(url + "/healthz", timeout=1).status_code == 200:
                break
        except httpx.HTTPError:
            pass
        assert time.monotonic() < deadline and proc.poll() is None, "server did not start"
        time.sleep(0.1)
    yield url, token, data
    proc.terminate()
    proc.wait(10)


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_cli_drives_the_server(server_process, tmp_path, capsys, monkeypatch):
    url, token, data = server_process
    assert (data / "finclip.db").exists() and (data / "keys" / "online.pem").exists()
    monkeypatch.setenv("FINCLIP_TOKEN", token)
    monkeypatch.setenv("FINCLIP_SERVER", url)
    key = generate_key()
    save_private_key(key, tmp_path / "dev.pem")
    admin = httpx.Client(base_url=url, headers={"Authorization": f"Bearer {token}"})
    admin.post("/api/v1/orgs", json={"id": "acme"}).raise_for_status()
    admin.post(
        "/api/v1/orgs/acme/keys", json={"public_key": public_key_text(key)}
    ).raise_for_status()
    admin.post("/api/v1/apps", json={"app_id": APP, "org": "acme"}).raise_for_status()
    for version in ("1.0.0", "1.1.0"):
        (tmp_path / f"{version}.fcpkg").write_bytes(make_package(key, APP, version))

    code, out, err = run(
        capsys, "publish", str(tmp_path / "1.0.0.fcpkg"), "--changelog", "first", "--submit"
    )
    assert code == 0, err
    assert code == 0 and out.startswith(f"uploaded {APP} 1.0.0") and "submitted" in out
    assert run(capsys, "review", APP, "1.0.0", "--approve")[1].strip() == f"{APP} 1.0.0: approved"
    assert run(capsys, "release", APP, "1.0.0")[1].strip() == f"{APP}: released 1.0.0"
    run(capsys, "publish", str(tmp_path / "1.1.0.fcpkg"), "--submit")
    run(capsys, "review", APP, "1.1.0", "--approve")
    out = run(capsys, "release", APP, "1.1.0", "--gray-percent", "20", "--gray-org", "acme",
              "--gray-channel", "beta", "--gray-channel", "qa")[1]  # fmt: skip
    expected = f"{APP}: released 1.0.0, gray 1.1.0 to 20% + orgs acme + channels beta, qa"
    assert out.strip() == expected
    gray = admin.get("/api/v1/audit", params={"app_id": APP, "limit": 1}).json()[0]
    assert (gray["action"], gray["detail"]["channels"]) == ("version.gray", ["beta", "qa"])
    code, _, err = run(capsys, "release", APP, "1.1.0", "--gray-channel", "Beta")
    assert code == 1 and "'Beta' is not a channel name" in err
    code, _, err = run(capsys, "release", APP, "1.1.0", "--gray-device", "d-nope",
                       "--gray-org", "ghost")  # fmt: skip
    assert code == 1
    assert err.strip().endswith("gray release: unknown device ids: d-nope; unknown orgs: ghost")
    assert len(err.strip().splitlines()) == 1
    assert run(capsys, "promote", APP)[1].strip() == f"{APP}: released 1.1.0"
    out = run(capsys, "rollback", APP, "1.0.0", "--reason", "bug")[1]
    assert out.strip() == f"{APP}: released 1.0.0"
    assert "(taken down)" in run(capsys, "takedown", APP, "--reason", "legal")[1]
    run(capsys, "restore", APP, "--reason", "ok")
    code, out, _ = run(capsys, "apps", APP)
    assert out.splitlines()[0] == f"{APP}: released 1.0.0"
    assert [line.split()[:2] for line in out.splitlines()[1:]] == [
        ["1.1.0", "retired"],
        ["1.0.0", "released"],
    ]
    assert run(capsys, "apps")[1].strip() == f"{APP}: released 1.0.0"
    # Errors are one line from the server, no traceback.
    code, _, err = run(capsys, "publish", str(tmp_path / "1.0.0.fcpkg"))
    assert (
        code == 1
        and err.strip() == f"finclip: server said: version 1.0.0 of '{APP}' exists already"
    )
    code, _, err = run(capsys, "review", APP, "9.9.9", "--reject", "--reason", "x")
    assert err.strip() == f"finclip: server said: version '9.9.9' of app '{APP}' not found"
    monkeypatch.setenv("FINCLIP_TOKEN", "fct_wrong")
    assert run(capsys, "apps")[2].strip() == "finclip: server said: invalid API token"

    # A second start prints no new token; rotation works on the same data dir.
    again = subprocess.run(
        [sys.executable, "-m", "finclip_desktop", "server", "--data-dir", str(data), "--init-only"],
        capture_output=True,
        text=True,
    )
    assert again.returncode == 0 and "admin API token" not in again.stdout
    rotated = subprocess.run(
        [
            sys.executable,
            "-m",
            "finclip_desktop",
            "server",
            "--data-dir",
            str(data),
            "--rotate-root",
        ],
        capture_output=True,
        text=True,
    )
    assert rotated.stdout.strip() == "root metadata rotated to version 2"
    assert httpx.get(url + "/api/v1/metadata/root.json").json()["signed"]["version"] == 2


def test_cli_user_errors(capsys, monkeypatch, tmp_path):
    monkeypatch.delenv("FINCLIP_SERVER", raising=False)
    code, _, err = run(capsys, "apps")
    assert (
        code == 1 and err.strip() == "finclip: no server: pass --server URL or set FINCLIP_SERVER"
    )
    monkeypatch.setenv("FINCLIP_TOKEN", "x")
    code, _, err = run(capsys, "apps", "--server", f"http://127.0.0.1:{free_port()}")
    assert code == 1 and err.startswith("finclip: cannot reach http://127.0.0.1:")
    code, _, err = run(capsys, "publish", str(tmp_path / "nope.fcpkg"), "--server", "http://x")
    assert code == 1 and "cannot read" in err
    bad_db = "postgresql+psycopg://nobody:x@127.0.0.1:1/none"
    code, _, err = run(
        capsys, "server", "--data-dir", str(tmp_path / "d"), "--database-url", bad_db, "--init-only"
    )
    assert (
        code == 1 and err.startswith("finclip: database: ") and len(err.strip().splitlines()) == 1
    )


def test_pack_and_publish_the_hello_example(server_process, tmp_path, capsys, monkeypatch):
    """From a fresh server: keygen, pack an example, publish, approve, release."""
    url, token, _data = server_process
    monkeypatch.setenv("FINCLIP_TOKEN", token)
    monkeypatch.setenv("FINCLIP_SERVER", url)
    example = Path(__file__).parents[2] / "resources" / "examples" / "hello"
    key = tmp_path / "dev.pem"
    assert run(capsys, "keygen", "--out", str(key))[0] == 0
    pkg = tmp_path / "hello.fcpkg"
    # Packed with the package API (what `finclip pack` does, minus its compile step, so
    # this test does not depend on the runtime).
    files = collect_files(example)
    pkg.write_bytes(build_archive(files, app_settings(example), load_private_key(key))[1])
    code, out, _ = run(capsys, "admin", "org", "acme", "--name", "Acme")
    assert code == 0 and out.startswith("org acme created; device enrollment token")
    code, out, _ = run(capsys, "admin", "key", "acme", str(tmp_path / "dev.pem.pub"))
    assert code == 0 and out.strip().endswith("registered for org acme")
    code, out, _ = run(
        capsys,
        "admin",
        "app",
        "demo.hello",
        "--org",
        "acme",
        "--category",
        "demo",
        "--domain",
        "request=api.example.com",
    )
    assert code == 0 and "app secret" in out
    code, out, _ = run(capsys, "admin", "user", "rev", "--role", "reviewer")
    assert out.startswith("user rev (reviewer) created; API token (shown only now): fct_")
    code, _, err = run(capsys, "admin", "app", "x.y", "--org", "acme", "--domain", "nope")
    assert (
        code == 1
        and err.strip() == "finclip: --domain 'nope' must look like request=api.example.com"
    )
    code, out, err = run(capsys, "publish", str(pkg), "--submit")
    assert code == 0, err
    run(capsys, "review", "demo.hello", "1.0.0", "--approve")
    assert run(capsys, "release", "demo.hello", "1.0.0")[1].strip() == "demo.hello: released 1.0.0"
    reg = httpx.post(url + "/api/v1/devices/register", json={"name": "pc", "platform": "linux"})
    auth = {"Authorization": "Device {device_id}:{device_secret}".format(**reg.json())}
    catalog = httpx.get(url + "/api/v1/catalog", headers=auth).json()
    assert [(a["app_id"], a["name"], a["version"]) for a in catalog] == [
        ("demo.hello", "Hello FinClip", "1.0.0")
    ]
