"""The Qt implementation of the host services, offscreen (real QClipboard, screens)."""

from __future__ import annotations

import pytest

from finclip_desktop.capabilities.host import Host

pytestmark = pytest.mark.qt


@pytest.fixture(scope="module")
def qapp():
    from finclip_desktop.shell.qtapp import application

    return application()


@pytest.fixture
def host(qapp):
    from PySide6.QtWidgets import QWidget

    from finclip_desktop.capabilities.qt_host import QtHost

    view = QWidget()
    view.resize(390, 700)
    yield QtHost(view, permission_settings=lambda app_id: {"scope.userLocation": False})
    view.deleteLater()


def wait(qapp, future, seconds=5.0):
    from PySide6.QtCore import QDeadlineTimer, QEventLoop

    deadline = QDeadlineTimer(int(seconds * 1000))
    while not future.done() and not deadline.hasExpired():
        qapp.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 50)
    return future


def test_is_a_host(host):
    assert isinstance(host, Host)


def test_clipboard_through_qclipboard(make_ctx, call, host, qapp):
    from PySide6.QtGui import QGuiApplication

    ctx = make_ctx(host=host, permissions=("scope.clipboardRead",))
    assert call(ctx, "setClipboardData", {"data": "from app"})["errMsg"] == "setClipboardData:ok"
    assert QGuiApplication.clipboard().text() == "from app"
    QGuiApplication.clipboard().setText("from user")
    assert call(ctx, "getClipboardData")["data"] == "from user"


def test_window_metrics_and_settings(make_ctx, call, host):
    ctx = make_ctx(host=host)
    info = call(ctx, "getSystemInfoSync")
    assert (info["windowWidth"], info["windowHeight"]) == (390, 700)
    assert info["screenWidth"] > 0 and info["pixelRatio"] >= 1
    assert info["theme"] in ("light", "dark") and info["language"]
    assert call(ctx, "getSetting")["authSetting"] == {"scope.userLocation": False}
    assert call(ctx, "getNetworkType")["networkType"] in (
        "wifi",
        "ethernet",
        "4g",
        "unknown",
        "none",
    )


def test_location_fails_cleanly_without_a_fix(make_ctx, registry, host, qapp, monkeypatch):
    from finclip_desktop.capabilities import qt_host

    monkeypatch.setattr(qt_host, "LOCATION_TIMEOUT_MS", 300)
    ctx = make_ctx(host=host, permissions=("scope.userLocation",))
    result = wait(qapp, registry.invoke(ctx, "getLocation", {})).result(timeout=1)
    assert result["errMsg"].startswith(
        "getLocation:fail location service is not available on this device"
    )


def test_pictures_dir(host, tmp_path):
    assert host.pictures_dir().name


def test_watch_forwards_theme_changes(host, qapp):
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QGuiApplication

    seen = []
    host.watch(lambda name, payload: seen.append((name, payload)))
    QGuiApplication.styleHints().colorSchemeChanged.emit(Qt.ColorScheme.Dark)
    assert seen and seen[-1][0] == "themeChange"
    assert seen[-1][1]["theme"] in ("light", "dark")


def test_closing_the_context_stops_watching(make_ctx, host, qapp):
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QGuiApplication

    seen = []
    ctx = make_ctx(host=host)
    host.watch(lambda name, payload: seen.append(name))
    ctx.close()
    QGuiApplication.styleHints().colorSchemeChanged.emit(Qt.ColorScheme.Light)
    assert seen == []


def test_choose_image_through_a_real_file_dialog(make_ctx, registry, host, qapp, tmp_path):
    from PySide6.QtWidgets import QFileDialog

    picked = tmp_path / "photo.png"
    picked.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\x0dIHDR" + b"\x00\x00\x00\x05" * 2)
    ctx = make_ctx(host=host)
    future = registry.invoke(ctx, "chooseImage", {"count": 1})
    dialog = next(d for d in host.view.findChildren(QFileDialog) if d.isVisible())
    dialog.setOption(QFileDialog.Option.DontUseNativeDialog, True)
    dialog.selectFile(str(picked))
    dialog.accept()
    result = wait(qapp, future).result(timeout=1)
    assert result["errMsg"] == "chooseImage:ok"
    (path,) = result["tempFilePaths"]
    assert (ctx.data_dir / "tmp" / path.removeprefix("wxfile://tmp/")).read_bytes() == (
        picked.read_bytes()
    )
    cancelled = registry.invoke(ctx, "chooseImage", {})
    next(d for d in host.view.findChildren(QFileDialog) if d.isVisible()).reject()
    assert wait(qapp, cancelled).result(timeout=1)["errMsg"] == "chooseImage:fail cancel"


def test_open_document_reaches_the_system_viewer_only_for_documents(
    make_ctx, call, host, system_viewer, tmp_path
):
    from finclip_desktop.capabilities.errors import CapabilityError

    ctx = make_ctx(host=host)
    (ctx.data_dir / "usr").mkdir(parents=True)
    (ctx.data_dir / "usr" / "r.pdf").write_bytes(b"%PDF-1.7\n%%EOF\n")
    got = call(ctx, "openDocument", {"filePath": "wxfile://usr/r.pdf"})
    assert got["errMsg"] == "openDocument:ok"
    assert system_viewer.opened == [(ctx.data_dir / "usr" / "r.pdf").resolve()]
    exe = tmp_path / "tool.exe"
    exe.write_bytes(b"MZ")
    with pytest.raises(CapabilityError, match="tool.exe is not a document the viewer may open"):
        host.open_document(exe)
    assert len(system_viewer.opened) == 1
