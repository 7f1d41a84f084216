"""Drive real containers in-process: for the shell's tests and other parts' tests.

    from finclip_desktop.shell.testing import ShellHarness
    with ShellHarness(answers={"scope.clipboardRead": "always"}) as h:
        app = h.open_files({"index.html": b"<h1>hi</h1>"}, app_id="demo")  # waits for paint
        assert app.eval("document.title") == ""
        result = app.call("getStorageInfo", {})          # through the real bridge
        value = app.eval_async("await fetch('x.json').then(r => r.status)")
        app.screenshot(Path("out.png"))

Everything runs in the one QApplication of the process (real QtWebEngine, offscreen in
tests). Waiting functions pump the Qt event loop until the condition holds or raise
:class:`TimeoutError`.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from PySide6.QtCore import QCoreApplication, QEventLoop

from finclip_desktop.shell.bundle import AppBundle, bundle_from_files, load_folder
from finclip_desktop.shell.container import Container
from finclip_desktop.shell.core import Shell

DEFAULT_TIMEOUT = 20.0
_CALL_JS = """
(function () {
  window.__fcTest = window.__fcTest || {replies: {}, events: [], listening: false};
  var t = window.__fcTest;
  if (!t.listening) {
    t.listening = true;
    window.addEventListener("message", function (e) {
      var d = e.data;
      if (d && d.__fcBridge === "reply") { t.replies[d.id] = d.result; }
      if (d && d.__fcBridge === "event") { t.events.push({name: d.name, payload: d.payload}); }
    });
  }
  window.postMessage({__fcBridge: "call", id: %(id)s, api: %(api)s, args: %(args)s}, "*");
  return true;
})()
"""


def process_events(seconds: float = 0.0) -> None:
    """Run the Qt event loop for ``seconds`` (at least one pass)."""
    end = time.monotonic() + seconds
    while True:
        QCoreApplication.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 20)
        if time.monotonic() >= end:
            return
        time.sleep(0.002)


def is_blank(image: Any, step: int = 8) -> bool:
    """Whether a QImage is one colour (sampled every ``step`` pixels)."""
    first = image.pixel(0, 0) if image.width() and image.height() else None
    return all(
        image.pixel(x, y) == first
        for x in range(0, image.width(), step)
        for y in range(0, image.height(), step)
    )


def wait_until(
    predicate: Callable[[], Any], timeout: float = DEFAULT_TIMEOUT, what: str = "condition"
) -> Any:
    """Pump events until ``predicate()`` is truthy; return its value."""
    end = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > end:
            raise TimeoutError(f"timed out after {timeout}s waiting for {what}")
        process_events(0.01)


class AppDriver:
    """One open app: run JS in its page, call the bridge, wait for paint, grab pixels."""

    def __init__(self, container: Container) -> None:
        self.container = container
        self._next_id = 0

    @property
    def page(self):
        return self.container.page

    @property
    def app_id(self) -> str:
        return self.container.app_id

    def wait_painted(self, timeout: float = DEFAULT_TIMEOUT) -> str:
        """Wait for the first ``finclip:painted`` (plain html apps: load + a frame)."""
        wait_until(
            lambda: self.container.first_painted is not None or self._failed(),
            timeout,
            f"{self.app_id} to paint",
        )
        if self.container.first_painted is None:
            raise RuntimeError(f"{self.app_id} failed to load")
        return self.container.first_painted

    def _failed(self) -> bool:
        return self.container.load_failed

    def eval(
        self, expression: str, timeout: float = DEFAULT_TIMEOUT, isolated: bool = False
    ) -> Any:
        """The JSON value of a JS expression in the page's main world (``isolated``: the
        bridge's world). Results cross as JSON text (``undefined`` becomes None)."""
        box: list[str] = []
        self.container.run_js(f"JSON.stringify([({expression})])", box.append, isolated)
        wait_until(lambda: box, timeout, f"JS result of {expression[:60]!r}")
        if not isinstance(box[0], str):
            raise RuntimeError(f"JS expression failed: {expression[:80]!r}")
        return json.loads(box[0])[0]

    def eval_async(self, body: str, timeout: float = DEFAULT_TIMEOUT) -> Any:
        """Run ``body`` as an async function body; return its JSON-able result.

        A thrown error comes back as ``{"error": "<message>"}``.
        """
        key = f"__fcAsync{self._new_id()}"
        self.eval(
            f"(async () => {{ {body} }})().then("
            f"v => {{ window.{key} = JSON.stringify({{value: v === undefined ? null : v}}); }},"
            f"e => {{ window.{key} = JSON.stringify({{error: String(e && e.message || e)}}); }})"
            ", 1"
        )
        text = wait_until(lambda: self.eval(f"window.{key} || ''"), timeout, "async JS")
        data = json.loads(text)
        return data["value"] if "value" in data else {"error": data["error"]}

    def _new_id(self) -> int:
        self._next_id += 1
        return self._next_id

    def post_call(self, api: str, args: Any = None) -> int:
        """Post a bridge call the way the runtime does; returns its id."""
        call_id = self._new_id()
        self.eval(
            _CALL_JS.strip()
            % {
                "id": call_id,
                "api": json.dumps(api),
                "args": json.dumps({} if args is None else args),
            }
        )
        return call_id

    def reply(self, call_id: int) -> Any:
        """The reply to ``call_id`` so far (None when not yet answered)."""
        return self.eval(f"(window.__fcTest && window.__fcTest.replies[{call_id}]) || null")

    def call(self, api: str, args: Any = None, timeout: float = DEFAULT_TIMEOUT) -> dict:
        """Call a capability through the real bridge and wait for its reply."""
        call_id = self.post_call(api, args)
        return wait_until(lambda: self.reply(call_id), timeout, f"reply to {api}")

    def events(self) -> list[dict[str, Any]]:
        return self.eval("(window.__fcTest || {}).events || []")

    def text(self) -> str:
        """The page's visible text."""
        return self.eval("document.body ? document.body.innerText : ''")

    def screenshot(self, path: Path, settle: float = 10.0) -> Path:
        """Save the window's pixels as PNG, once the engine's painted frame has reached the
        window (on a busy machine it arrives well after the page said it painted): waits up
        to ``settle`` seconds for the page area to show more than one colour (a page that
        really is one colour pays the whole wait)."""
        window = self.container.window
        if window is None:
            raise RuntimeError("the app has no window")
        end = time.monotonic() + settle
        process_events(0.05)
        while is_blank(window.view.grab().toImage()) and time.monotonic() < end:
            process_events(0.05)
        if not window.grab().save(str(path), "PNG"):
            raise OSError(f"cannot write {path}")
        return Path(path)

    def close(self) -> None:
        self.container.close()
        process_events(0.05)


class ShellHarness:
    """A :class:`Shell` for tests: developer mode on, permission answers from a mapping.

    ``answers`` maps scope -> "once" | "always" | "deny" (or is a callable
    ``(app_id, scope) -> answer``); a scope without an answer is denied. ``asked`` records
    every prompt as ``(app_id, scope)``.
    """

    def __init__(
        self,
        answers: Mapping[str, str] | Callable[[str, str], str] | None = None,
        settings: Any = None,
        data_root: Path | None = None,
        dev_mode: bool = True,
        invoke: Callable[..., Any] | None = None,
    ) -> None:
        self.answers = answers or {}
        self.asked: list[tuple[str, str]] = []
        self.shell = Shell(
            settings=settings,
            data_root=data_root,
            prompter=self._prompt,
            invoke=invoke,
            dev_mode=dev_mode,
        )

    def _prompt(self, app_name: str, app_id: str, scope: str, answer: Callable[[str], None]):
        self.asked.append((app_id, scope))
        if callable(self.answers):
            answer(self.answers(app_id, scope))
        else:
            answer(self.answers.get(scope, "deny"))

    def open(
        self, bundle: AppBundle, wait: bool = True, launch_options: dict[str, Any] | None = None
    ) -> AppDriver:
        driver = AppDriver(self.shell.open(bundle, launch_options))
        if wait:
            driver.wait_painted()
        return driver

    def open_files(
        self,
        files: Mapping[str, bytes | str],
        app_id: str = "test.app",
        wait: bool = True,
        **manifest: Any,
    ) -> AppDriver:
        """Open an in-memory app (manifest fields such as ``permissions``, ``domains``)."""
        data = {k: v.encode() if isinstance(v, str) else v for k, v in files.items()}
        return self.open(bundle_from_files(data, app_id, **manifest), wait)

    def open_folder(self, folder: Path, wait: bool = True) -> AppDriver:
        return self.open(load_folder(folder), wait)

    def close(self) -> None:
        self.shell.close_all()
        process_events(0.05)

    def __enter__(self) -> ShellHarness:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
