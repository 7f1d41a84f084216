"""Console forwarding: the app's ``console.*`` (view and logic worker) to the terminal,
with the source location, and uncaught exceptions recognised for the error overlay."""

from __future__ import annotations

import json
import re
import sys
from dataclasses import dataclass
from typing import TextIO

from PySide6.QtWebEngineCore import QWebEnginePage

from finclip_desktop.devtools.overlay import DevError

Level = QWebEnginePage.JavaScriptConsoleMessageLevel
LEVEL_NAMES = {Level.InfoMessageLevel: "log", Level.WarningMessageLevel: "warn",
               Level.ErrorMessageLevel: "error"}  # fmt: skip
_COLOURS = {"warn": "\033[33m", "error": "\033[31m"}
_UNCAUGHT = re.compile(r"^Uncaught (?:\(in promise\) )?(.*)$", re.S)
# The runtime reports exceptions it caught in app code (lifecycle, event handlers) as
# console errors "[finclip] <Error>: <message>\n    at ..." (the view relays them again as
# "[finclip logic] ..."); they stop the app's code like uncaught ones, so they get the overlay.
CAUGHT_PREFIX = "[finclip] "
RELAY_PREFIX = "[finclip logic] "
_FRAME = re.compile(r"\(?([\w./@-]+\.(?:js|wxs)):(\d+):(\d+)\)?\s*$")


@dataclass(frozen=True)
class ConsoleMessage:
    level: str  # log | warn | error
    message: str
    line: int
    source: str  # the file relative to the app's origin, or the URL as given

    @property
    def location(self) -> str:
        if not self.source:
            return ""
        return f"{self.source}:{self.line}" if self.line else self.source

    def format(self, app_id: str, colour: bool = False) -> str:
        where = f" {self.location}" if self.location else ""
        text = f"[{app_id}] {self.level}{where}: {self.message}"
        start = _COLOURS.get(self.level, "") if colour else ""
        return f"{start}{text}\033[0m" if start else text

    def uncaught(self) -> DevError | None:
        """The overlay error for an uncaught (or runtime-caught) exception, else None."""
        if self.level != "error":
            return None
        if self.message.startswith(CAUGHT_PREFIX):
            first, _, stack = self.message[len(CAUGHT_PREFIX) :].partition("\n")
            for frame in stack.splitlines():
                found = _FRAME.search(frame)
                if found and not found[1].startswith("__fc__/"):
                    return DevError("runtime", first, found[1], int(found[2]), int(found[3]))
            return DevError("runtime", first, self.source, self.line)
        match = _UNCAUGHT.match(self.message)
        if not match:
            return None
        return DevError("runtime", match.group(1).strip(), self.source, self.line)


def relative_source(source: str, app_id: str) -> str:
    """``finclip://<app>/pages/a.js`` -> ``pages/a.js``; a worker blob URL -> ``worker``."""
    origin = f"finclip://{app_id}/"
    if source.startswith("blob:"):
        return "worker"
    return source[len(origin) :] if source.startswith(origin) else source


SERVICE_JS = "__fc__/service.js"
_DEFINE = re.compile(r'^__fc\.define\(("(?:[^"\\]|\\.)*")')


class ModuleLines:
    """Maps a line of the runtime's bundled logic file back to the app's own file.

    The runtime concatenates every module into ``__fc__/service.js``, each starting a line
    with ``__fc.define("<path>",function(require,module,exports){<code>``; so line ``n`` of
    the bundle is line ``n - start + 1`` of the last module starting at or before it.
    """

    def __init__(self, service_js: bytes | None) -> None:
        self.starts: list[tuple[int, str]] = []
        if not service_js:
            return
        for number, line in enumerate(service_js.decode("utf-8", "replace").split("\n"), 1):
            match = _DEFINE.match(line)
            if match:
                self.starts.append((number, json.loads(match.group(1))))

    def rewrite(self, text: str, app_id: str) -> str:
        """Replace ``finclip://<app>/__fc__/service.js:L:C`` in a stack with ``file:l:C``."""
        url = re.escape(f"finclip://{app_id}/{SERVICE_JS}")

        def mapped(match: re.Match[str]) -> str:
            found = self.locate(int(match[1]))
            return f"{found[0]}:{found[1]}:{match[2]}" if found else match[0]

        return re.sub(url + r":(\d+):(\d+)", mapped, text)

    def locate(self, line: int) -> tuple[str, int] | None:
        found = None
        for start, path in self.starts:
            if start > line:
                break
            found = (path, line - start + 1)
        return found


def message_from_qt(
    level: object,
    message: str,
    line: int,
    source: str,
    app_id: str,
    modules: ModuleLines | None = None,
) -> ConsoleMessage:
    """A ConsoleMessage; lines of the runtime's logic bundle map back to the app's files."""
    name = LEVEL_NAMES.get(level, "log")  # type: ignore[call-overload]
    source = relative_source(source, app_id)
    line = int(line)
    if modules is not None:
        message = modules.rewrite(message, app_id)
        located = modules.locate(line) if source == SERVICE_JS else None
        if located is not None:
            source, line = located
    return ConsoleMessage(name, message, line, source)


class ConsolePrinter:
    """Writes console messages to a stream (stderr by default), coloured on a terminal."""

    def __init__(self, app_id: str, stream: TextIO | None = None) -> None:
        self.app_id = app_id
        self.stream = stream or sys.stderr
        self.colour = hasattr(self.stream, "isatty") and self.stream.isatty()

    def __call__(self, message: ConsoleMessage) -> None:
        print(message.format(self.app_id, self.colour), file=self.stream, flush=True)
