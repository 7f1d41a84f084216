"""Mini-apps whose page runs test code in the real shell (offscreen), for the e2e tests.

A page runs ``async function run(r)`` (the test's ``body``) in onLoad and renders
``JSON.stringify(r)``; :func:`page_result` waits for it. Fixtures ``qapp``, ``harness``
and ``system_viewer`` live in conftest.py.

Native dialogs in headless runs: :func:`answer_file_dialog` answers the shell's real (Qt
widget) file dialog the way a user does, and :class:`SystemViewer` (a Qt URL handler for
``file:``) receives what the shell hands to the system's viewer, so no program starts.
"""

from __future__ import annotations

import json
from pathlib import Path

PAGE_JS = """
async function run(r) {
%s
}
Page({
  data: {out: 'pending'},
  onLoad() {
    const r = {};
    run(r).catch((e) => { r.uncaught = String(e && (e.errMsg || e.message) || e); })
      .then(() => this.setData({out: JSON.stringify(r)}));
  }
});
"""


def open_page(harness, body: str, app_id: str = "e2e.mini", settings=None, extra=None, **manifest):
    """Open an app whose page runs ``body`` (the inside of ``async function run(r)``)."""
    files = {
        "app.json": json.dumps({"pages": ["pages/index/index"], "networkTimeout": {}}),
        "app.js": "App({})",
        "pages/index/index.wxml": "<view id='out'>{{out}}</view>",
        "pages/index/index.js": PAGE_JS % body,
        **(extra or {}),
    }
    app = harness.open_files(files, app_id=app_id, wait=False, **manifest)
    if settings:
        ctx = app.container.context
        ctx.settings = {**ctx.settings, **settings}
    return app


def page_result(app) -> dict:
    """Wait for the page's ``r`` (rendered as JSON once ``run`` settled)."""
    from finclip_desktop.shell.testing import wait_until

    text = wait_until(
        lambda: (
            (t := app.eval("(document.getElementById('out') || {}).textContent || ''"))
            and t != "pending"
            and t
        ),
        30,
        "the page's result",
    )
    result = json.loads(text)
    assert "uncaught" not in result, result["uncaught"]
    return result


def run_page(harness, body: str, **kwargs) -> dict:
    """Run ``body`` in a page of a fresh app (see :func:`open_page`); return its ``r``."""
    return page_result(open_page(harness, body, **kwargs))


def overlay(app, selector: str) -> None:
    """Wait until the view shows ``selector`` (a toast, modal or action sheet element)."""
    from finclip_desktop.shell.testing import wait_until

    wait_until(lambda: app.eval(f"!!document.querySelector({json.dumps(selector)})"), 10, selector)


def tap(app, selector: str) -> None:
    """Tap an element of the view the way a user does (a click in the page)."""
    overlay(app, selector)
    app.eval(f"document.querySelector({json.dumps(selector)}).click()")


def texts(app, selector: str) -> list[str]:
    return app.eval(
        f"Array.from(document.querySelectorAll({json.dumps(selector)}), e => e.textContent)"
    )


def answer_file_dialog(app, paths: list[Path] | None) -> None:
    """Wait for the app's file dialog and choose ``paths`` (None: cancel it)."""
    from PySide6.QtWidgets import QFileDialog, QLineEdit

    from finclip_desktop.shell.testing import wait_until

    view = app.container.window.view
    dialog = wait_until(
        lambda: next((d for d in view.findChildren(QFileDialog) if d.isVisible()), None),
        20,
        "the app's file dialog",
    )
    if not paths:
        dialog.reject()
        return
    dialog.setOption(QFileDialog.Option.DontUseNativeDialog, True)
    dialog.setDirectory(str(paths[0].parent))
    # type the names, as a user does (selectFile leaves a focused name field alone)
    dialog.findChild(QLineEdit, "fileNameEdit").setText(" ".join(f'"{p.name}"' for p in paths))
    dialog.accept()


class SystemViewer:
    """Receives the files the shell asks the system to open (a Qt handler for file URLs)."""

    def __init__(self) -> None:
        from PySide6.QtCore import QObject, Slot

        opened: list[Path] = []

        class Receiver(QObject):
            @Slot("QUrl")
            def open(self, url) -> None:  # noqa: A003 - the slot Qt calls
                opened.append(Path(url.toLocalFile()))

        self.opened = opened
        self.receiver = Receiver()
