"""The developer error overlay: a panel over the app for compile errors and uncaught
exceptions (``file:line:column`` and message), removed when the problem is fixed.

It is injected with ``runJavaScript`` into a world of its own, so the app's scripts cannot
see or call it (they share only the DOM), and the page's CSP (no inline script) does not
apply. It lives in a closed shadow root so the app's styles cannot restyle it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from PySide6.QtWebEngineCore import QWebEnginePage

OVERLAY_WORLD = 7  # a user world of its own (the bridge uses ApplicationWorld)
ELEMENT_ID = "__finclip_dev_overlay__"

_SHOW = """
(function (err) {
  var old = document.getElementById(%(id)s);
  if (old) old.remove();
  var host = document.createElement('div');
  host.id = %(id)s;
  host.setAttribute('data-kind', err.kind);
  host.setAttribute('data-location', err.location);
  host.style.cssText = 'position:fixed;inset:0;z-index:2147483647;';
  var root = host.attachShadow({mode: 'closed'});
  var panel = document.createElement('div');
  panel.style.cssText = 'position:absolute;inset:0;overflow:auto;padding:20px;' +
    'background:rgba(24,24,27,.94);color:#fafafa;font:13px/1.5 ui-monospace,Menlo,' +
    'Consolas,monospace;white-space:pre-wrap;word-break:break-word;box-sizing:border-box';
  var title = document.createElement('div');
  title.textContent = err.title;
  title.style.cssText = 'color:#f87171;font-weight:bold;font-size:15px;margin-bottom:8px';
  var where = document.createElement('div');
  where.textContent = err.location;
  where.style.cssText = 'color:#93c5fd;margin-bottom:12px';
  var text = document.createElement('div');
  text.textContent = err.message;
  var hint = document.createElement('div');
  hint.textContent = err.hint;
  hint.style.cssText = 'color:#a1a1aa;margin-top:16px';
  panel.append(title, where, text, hint);
  root.append(panel);
  (document.body || document.documentElement).append(host);
  return true;
})(%(err)s)
"""
_CLEAR = """
(function () {
  var old = document.getElementById(%(id)s);
  if (old) { old.remove(); return true; }
  return false;
})()
"""
_READ = """
(function () {
  var el = document.getElementById(%(id)s);
  return JSON.stringify(el ? {kind: el.getAttribute('data-kind'),
                             location: el.getAttribute('data-location')} : null);
})()
"""


_TITLES = {"compile": "Compile error", "runtime": "Uncaught exception",
           "refused": "Cannot run the app"}  # fmt: skip


@dataclass(frozen=True)
class DevError:
    """What the overlay shows. ``kind`` is ``compile``, ``runtime`` or ``refused`` (the
    shell will not run the app as it is now, e.g. its app id is blocked by policy)."""

    kind: str
    message: str
    file: str = ""
    line: int = 0
    column: int = 0

    @property
    def location(self) -> str:
        if not self.file:
            return ""
        return ":".join(str(p) for p in (self.file, self.line, self.column) if p)

    @property
    def title(self) -> str:
        return _TITLES.get(self.kind, "Error")

    def one_line(self) -> str:
        where = f"{self.location}: " if self.location else ""
        return f"{self.title.lower()}: {where}{self.message}"


def show(page: QWebEnginePage, error: DevError) -> None:
    hint = (
        "Save a file to reload, or see the inspector (F12) for the stack."
        if error.kind == "runtime"
        else "Fix the file and save: the app reloads by itself."
    )
    payload = {"kind": error.kind, "title": error.title, "location": error.location,
               "message": error.message, "hint": hint}  # fmt: skip
    script = _SHOW % {"id": json.dumps(ELEMENT_ID), "err": json.dumps(payload)}
    page.runJavaScript(script, OVERLAY_WORLD)


def clear(page: QWebEnginePage) -> None:
    page.runJavaScript(_CLEAR % {"id": json.dumps(ELEMENT_ID)}, OVERLAY_WORLD)


def read(page: QWebEnginePage, callback) -> None:
    """Calls ``callback({kind, location} | None)`` with what the overlay shows (tests)."""
    page.runJavaScript(
        _READ % {"id": json.dumps(ELEMENT_ID)},
        OVERLAY_WORLD,
        lambda text: callback(json.loads(text) if isinstance(text, str) and text else None),
    )
