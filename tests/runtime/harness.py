"""A tiny offscreen host for runtime tests: serves ``build_app`` output from memory.

It answers requests for
``finclip://<appId>/...`` from the built files plus the app's own files, applies the
shell's CSP as a <meta> tag, records ``finclip:painted`` events and console messages.
"""

from __future__ import annotations

import json
import time
from collections.abc import Mapping
from pathlib import Path

from PySide6.QtCore import QBuffer, QByteArray, QEventLoop, QIODevice, QTimer, QUrl
from PySide6.QtWebEngineCore import (
    QWebEnginePage,
    QWebEngineProfile,
    QWebEngineScript,
    QWebEngineUrlRequestJob,
    QWebEngineUrlSchemeHandler,
)

from finclip_desktop.runtime import ENTRY, build_app

CSP = (
    "default-src 'self'; script-src 'self'; worker-src 'self'; style-src 'self' "
    "'unsafe-inline'; img-src 'self' data: blob: https:; connect-src 'self'"
)
_TYPES = {
    ".html": "text/html",
    ".js": "text/javascript",
    ".css": "text/css",
    ".png": "image/png",
    ".json": "application/json",
    ".svg": "image/svg+xml",
}


def load_folder(path: str | Path) -> dict[str, bytes]:
    root = Path(path)
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}


class _Handler(QWebEngineUrlSchemeHandler):
    def __init__(self, files: Mapping[str, bytes]) -> None:
        super().__init__()
        self.files = files
        self._buffers: list[QBuffer] = []

    def requestStarted(self, job: QWebEngineUrlRequestJob) -> None:  # noqa: N802 - Qt API
        path = job.requestUrl().path().lstrip("/")
        data = self.files.get(path)
        if data is None:
            job.fail(QWebEngineUrlRequestJob.Error.UrlNotFound)
            return
        if path == ENTRY:
            meta = f'<head><meta http-equiv="Content-Security-Policy" content="{CSP}">'
            data = data.replace(b"<head>", meta.encode(), 1)
        buf = QBuffer(parent=job)
        buf.setData(QByteArray(data))
        buf.open(QIODevice.OpenModeFlag.ReadOnly)
        ext = "." + path.rsplit(".", 1)[-1] if "." in path else ""
        job.reply(_TYPES.get(ext, "application/octet-stream").encode(), buf)


class _Page(QWebEnginePage):
    def __init__(self, profile: QWebEngineProfile, log: list[str]) -> None:
        super().__init__(profile)
        self.log = log

    def javaScriptConsoleMessage(self, level, message, line, source):  # noqa: N802 - Qt API
        self.log.append(f"{level.name}: {message} ({source}:{line})")


_RECORDER = """
window.__fcPainted = [];
window.addEventListener('finclip:painted',
  function (e) { window.__fcPainted.push(e.detail.route); });
"""


class AppHost:
    """Runs one app in an offscreen QWebEngineView; ``js()`` evaluates in the main world."""

    def __init__(
        self,
        files: Mapping[str, bytes],
        app_id: str = "test.app",
        width: int = 375,
        height: int = 667,
        path: str = "",
    ) -> None:
        from PySide6.QtWebEngineWidgets import QWebEngineView

        self.files = {**files, **build_app(files)}
        self.log: list[str] = []
        self.profile = QWebEngineProfile()
        self.handler = _Handler(self.files)
        self.profile.installUrlSchemeHandler(b"finclip", self.handler)
        self.page = _Page(self.profile, self.log)
        script = QWebEngineScript()
        script.setSourceCode(_RECORDER)
        script.setInjectionPoint(QWebEngineScript.InjectionPoint.DocumentCreation)
        script.setWorldId(QWebEngineScript.ScriptWorldId.MainWorld)
        self.page.scripts().insert(script)
        self.view = QWebEngineView()
        self.view.setPage(self.page)
        self.view.resize(width, height)
        self.view.show()
        query = f"?path={path}" if path else ""
        self.view.load(QUrl(f"finclip://{app_id}/{ENTRY}{query}"))

    def js(self, code: str, timeout: float = 5.0):
        result: list = []
        loop = QEventLoop()
        self.page.runJavaScript(
            f"JSON.stringify((function(){{{code}}})())",
            0,
            lambda r: (result.append(r), loop.quit()),
        )
        QTimer.singleShot(int(timeout * 1000), loop.quit)
        loop.exec()
        if not result:
            raise TimeoutError(f"no answer to {code!r}")
        return json.loads(result[0]) if result[0] not in (None, "", "undefined") else None

    def wait(self, code: str, timeout: float = 10.0):
        """Poll ``code`` (a JS expression) until truthy; returns its value."""
        deadline = time.monotonic() + timeout
        while True:
            value = self.js(f"return !!({code});")
            if value:
                return value
            if time.monotonic() > deadline:
                raise TimeoutError(f"timed out waiting for {code!r}; console: {self.log[-10:]}")
            self.pump(0.03)

    def pump(self, seconds: float) -> None:
        loop = QEventLoop()
        QTimer.singleShot(int(seconds * 1000), loop.quit)
        loop.exec()

    def wait_painted(self, route: str, count: int = 1) -> None:
        self.wait(
            f"(window.__fcPainted||[]).filter(function(r){{return r==={json.dumps(route)}}})"
            f".length >= {count}"
        )

    def text(self) -> str:
        """Visible text of the current page."""
        return self.js(
            "var p=document.querySelector('wx-page:not(.fc-hidden)');return p ? p.innerText : '';"
        )

    def tap(self, selector: str) -> None:
        """Click the first element matching ``selector`` in the visible page."""
        ok = self.js(
            "var p=document.querySelector('wx-page:not(.fc-hidden)');"
            f"var e=p&&p.querySelector({json.dumps(selector)});"
            "if(!e) return false; e.click(); return true;"
        )
        if not ok:
            raise AssertionError(f"nothing matches {selector!r}")

    def screenshot(self, path: str | Path) -> None:
        self.pump(0.2)
        self.view.grab().save(str(path))

    def errors(self) -> list[str]:
        return [m for m in self.log if m.startswith("Error") or "[finclip" in m]

    def close(self) -> None:
        self.view.close()
        self.view.setPage(None)
        self.page.deleteLater()
        self.view.deleteLater()
        self.pump(0.05)
        self.profile.deleteLater()
        self.pump(0.01)
