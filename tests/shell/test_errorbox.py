"""A desktop start's error: on stderr, and in a box when the desktop started FinClip and a
box can be seen (real widgets, offscreen)."""

from __future__ import annotations

import sys

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMessageBox

from finclip_desktop import cli
from finclip_desktop.shell import errorbox
from tests.packaging.test_packaging import bundle_main

pytestmark = pytest.mark.qt

LINE = "/home/a/x.fcpkg: package signature is not trusted"


def test_only_starts_by_the_desktop_report_in_a_box():
    started = bundle_main().started_by_desktop
    for argv in ([], ["/home/a/x.fcpkg"], ["file:///tmp/x.fcpkg"], ["finclip://com.corp.app/"]):
        assert started(argv), argv
    for argv in (["run", "x.fcpkg"], ["launcher"], ["--help"], ["doctor"], ["a.fcpkg", "b"]):
        assert not started(argv), argv


def test_the_cli_hands_a_user_error_to_the_reporter(capsys):
    seen: list[str] = []
    assert cli.main(["run", ""], report=seen.append) == 1
    assert seen == ["TARGET is empty: name a folder, a .fcpkg file or an installed app id"]
    assert capsys.readouterr().err == f"finclip: {seen[0]}\n"


@pytest.fixture
def screen(monkeypatch):
    """The environment as :func:`errorbox.can_show` reads it: Linux, nothing set."""
    monkeypatch.setattr(sys, "platform", "linux")
    for name in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM"):
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


def test_a_box_only_where_it_can_be_seen(screen):
    assert not errorbox.can_show()  # no display: Qt could not even start
    for name, value in (("DISPLAY", ":0"), ("WAYLAND_DISPLAY", "wayland-0")):
        screen.setenv(name, value)
        assert errorbox.can_show()
        for platform in ("offscreen", "minimal", "offscreen:size=640x480"):
            screen.setenv("QT_QPA_PLATFORM", platform)
            assert not errorbox.can_show(), platform
        screen.setenv("QT_QPA_PLATFORM", "xcb")
        assert errorbox.can_show()
        screen.delenv("QT_QPA_PLATFORM")
        screen.delenv(name)


def _closing_boxes() -> tuple[QTimer, list[tuple[QMessageBox.Icon, str]]]:
    """A timer that closes each error box as it appears, noting its icon and text."""
    shown: list[tuple[QMessageBox.Icon, str]] = []

    def close() -> None:
        for widget in QApplication.topLevelWidgets():
            if isinstance(widget, QMessageBox) and widget.isVisible():
                shown.append((widget.icon(), widget.text()))
                widget.done(0)

    timer = QTimer()
    timer.timeout.connect(close)
    timer.start(20)
    return timer, shown


def test_report_shows_the_line_until_the_box_is_closed(qapp, screen):
    timer, shown = _closing_boxes()
    try:
        errorbox.report(LINE)  # no display: nothing to show, returns at once
        assert shown == []
        screen.setenv("DISPLAY", ":0")
        errorbox.report(LINE)  # returns once the box is closed
    finally:
        timer.stop()
    assert shown == [(QMessageBox.Icon.Critical, LINE)]


def test_the_desktop_entry_shows_its_error_and_the_command_line_does_not(
    qapp, screen, tmp_path, capsys
):
    run = bundle_main().run
    missing = tmp_path / "missing.fcpkg"
    screen.setenv("DISPLAY", ":0")
    timer, shown = _closing_boxes()
    try:
        assert run(["run", str(missing)]) == 1  # typed in a terminal
        assert shown == []
        assert run([str(missing)]) == 1  # the package the user double-clicked
    finally:
        timer.stop()
    assert shown == [(QMessageBox.Icon.Critical, f"{missing}: no such file")]
    lines = capsys.readouterr().err.splitlines()  # (and the offscreen platform's notes)
    assert [line for line in lines if line.startswith("finclip:")] == [
        f"finclip: {missing}: no such file"
    ] * 2
