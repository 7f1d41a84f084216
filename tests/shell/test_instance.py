"""Single instance in-process: a live instance keeps its socket, a stale one is replaced;
hand-overs are answered at once and opened afterwards."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from finclip_desktop.shell.testing import wait_until

pytestmark = pytest.mark.qt


def _hand_over(name: str, request: dict) -> dict | None:
    """``hand_over`` from another process (as a second ``finclip run`` does), while this
    one runs the event loop (a thread would block it: Qt's waits keep the GIL)."""
    code = (
        "import json, sys; from finclip_desktop.shell.instance import hand_over; "
        "print(json.dumps(hand_over(sys.argv[1], json.loads(sys.argv[2]))))"
    )
    client = subprocess.Popen(
        [sys.executable, "-c", code, name, json.dumps(request)],
        stdout=subprocess.PIPE,
        text=True,
    )
    wait_until(lambda: client.poll() is not None, 30, "the hand-over")
    return json.loads(client.stdout.read())


def test_a_live_instance_keeps_its_socket(qapp, tmp_path):
    from finclip_desktop.shell.instance import InstanceRunning, InstanceServer, server_name

    name = server_name(str(tmp_path))
    requests: list = []
    first = InstanceServer(name, lambda request: requests.append(request))
    try:
        with pytest.raises(InstanceRunning):
            InstanceServer(name, lambda request: "stolen")
        assert _hand_over(name, {"launcher": True}) == {"ok": True}
        assert requests == [{"launcher": True}]  # still the first instance's
    finally:
        first.close()


def test_a_stale_socket_of_a_crashed_instance_is_replaced(qapp, tmp_path):
    from PySide6.QtNetwork import QLocalServer

    from finclip_desktop.shell.instance import InstanceServer, server_name

    name = server_name(str(tmp_path))
    probe = QLocalServer()
    assert probe.listen(name)
    path = probe.fullServerName()
    probe.close()
    stale = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    stale.bind(path)  # what a crashed instance leaves: a socket file nobody listens on
    stale.close()
    assert Path(path).exists()
    server = InstanceServer(name, lambda request: None)
    try:
        assert _hand_over(name, {"launcher": True}) == {"ok": True}
    finally:
        server.close()


def _folder(path: Path, app_id: str) -> Path:
    path.mkdir()
    (path / "index.html").write_text(f"<h1>{app_id}</h1>")
    (path / "finclip.config.json").write_text(
        f'{{"appId": "{app_id}", "name": "Handed", "version": "1.0.0"}}'
    )
    return path


def test_hand_over_is_answered_at_once_and_opened_afterwards(harness, tmp_path):
    from finclip_desktop.settings import Settings
    from finclip_desktop.shell.app import ShellApp

    shell_app = ShellApp(Settings(developer_mode=True))
    shell_app.shell = harness.shell
    folder = _folder(tmp_path / "app", "handed.app")
    assert shell_app.handle({"target": str(folder), "dev": True, "trust": []}) is None
    assert "handed.app" not in harness.shell.containers  # accepted; resolved afterwards
    wait_until(lambda: "handed.app" in harness.shell.containers, what="the app to open")
    for bad in ({"target": 5}, {"target": ""}, {"target": "x", "trust": "key"}):
        assert shell_app.handle(bad) == "bad request"
    missing = tmp_path / "missing"
    assert shell_app.handle({"target": str(missing), "dev": True, "trust": []}) is None
    wait_until(lambda: shell_app.errors, what="the error")
    assert shell_app.errors == [f"{missing}: no such folder or file"]  # shown in the instance
    (notice,) = shell_app.notices
    assert notice.isVisible() and notice.text() == shell_app.errors[0]
    notice.close()
    wait_until(lambda: not shell_app.notices, what="the notice to close")


def test_policy_refusals_are_answered_at_once(harness, tmp_path):
    from finclip_desktop.settings import Settings
    from finclip_desktop.shell.app import ShellApp

    managed = Settings(developer_mode=False, managed=frozenset({"developer_mode"}))
    shell_app = ShellApp(managed)
    shell_app.shell = harness.shell
    folder = _folder(tmp_path / "app", "refused.app")
    answer = shell_app.handle({"target": str(folder), "dev": True, "trust": []})
    assert answer == "developer mode is turned off by your organisation's policy"
