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
# console errors "[finclip] <Error>: <message>\n    at ..."; they stop the app's code like
# uncaught ones, so they get the overlay. The view relays every logic-layer error again as
# "[finclip logic] <stack>" or, for an uncaught one, "[finclip logic] <file>:<line>: <message>".
CAUGHT_PREFIX = "[finclip] "
RELAY_PREFIX = "[finclip logic] "
# "    at f (pages/a/index.js:3:9)", "    at pages/a/index.wxml#m:1:20": file, line, column
_FRAME = re.compile(r"\(?([^\s()]+):(\d+):(\d+)\)?\s*$")
_APP_FILE = re.compile(r"[\w./@$-]+\.(?:js|wxs|wxml)(?:#[\w$.-]+)?")
_RELAYED_AT = re.compile(r"^([\w./@$#-]+):(\d+): (.*)$", re.S)


def app_frame(frame: str) -> tuple[str, int, int] | None:
    """``(file, line, column)`` of a stack frame in the app's own code (inline WXS modules
    are ``page.wxml#name``); None for the framework's (``__fc__/``) and URLs not mapped
    to an app file."""
    found = _FRAME.search(frame)
    if not found or "://" in found[1] or "__fc__/" in found[1]:
        return None
    if not _APP_FILE.fullmatch(found[1]):
        return None
    return found[1], int(found[2]), int(found[3])


@dataclass(frozen=True)
class ConsoleMessage:
    level: str  # log | warn | error
    message: str
    line: int
    source: str  # the file relative to the app's origin, or the URL as given
    relayed: bool = False  # the view's copy of a logic-layer error

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
        """The overlay error for an uncaught (or runtime-caught) exception, else None (also
        for the shell's own scripts in the page, ``userscript:...``: not the app's code)."""
        if self.level != "error" or self.source.startswith("userscript:"):
            return None
        if self.message.startswith(CAUGHT_PREFIX):
            first, _, stack = self.message[len(CAUGHT_PREFIX) :].partition("\n")
            for frame in stack.splitlines():
                found = app_frame(frame)
                if found is not None:
                    return DevError("runtime", first, *found)
            return DevError("runtime", first, self.source, self.line)
        match = _UNCAUGHT.match(self.message)
        if not match:
            return None
        return DevError("runtime", match.group(1).strip(), self.source, self.line)

    def error_key(self) -> str:
        """What stays the same across the copies of one error: its first line without the
        runtime's prefixes and Chromium's "Uncaught"."""
        text = self.message.removeprefix(CAUGHT_PREFIX)
        match = _UNCAUGHT.match(text)
        return (match.group(1) if match else text).partition("\n")[0].strip()

    def origin(self) -> str:
        """relay | caught (by the runtime) | uncaught (logged by Chromium) | other."""
        if self.relayed:
            return "relay"
        if self.message.startswith(CAUGHT_PREFIX):
            return "caught"
        return "uncaught" if _UNCAUGHT.match(self.message) else "other"


class Duplicates:
    """Recognises the copies of one logic-layer error, so it prints once: the runtime's own
    report (``[finclip] ...``) and the view's relay (today two messages an error), plus, as
    tolerated extras from other start-up paths, Chromium's "Uncaught ..." and a second
    relay, in any order. A copy beyond those is a new occurrence (the same handler failing
    again)."""

    COPIES = {"relay": 2, "caught": 1, "uncaught": 2, "other": 0}

    def __init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        """Forget the last error (a new build is running)."""
        self._key: str | None = None
        self._counts: dict[str, int] = {}

    def seen(self, message: ConsoleMessage) -> bool:
        """Whether ``message`` is another copy of the last error printed."""
        if message.level != "error":
            return False
        key, origin = message.error_key(), message.origin()
        count = self._counts.get(origin, 0)
        if key == self._key and count < self.COPIES[origin]:
            self._counts[origin] = count + 1
            return True
        self._key, self._counts = key, {origin: 1}
        return False


def relative_source(source: str, app_id: str) -> str:
    """``finclip://<app>/pages/a.js`` -> ``pages/a.js``; a worker blob URL -> ``worker``."""
    origin = f"finclip://{app_id}/"
    if source.startswith("blob:"):
        return "worker"
    return source[len(origin) :] if source.startswith(origin) else source


SERVICE_JS = "__fc__/service.js"
_DEFINE = re.compile(r'^__fc\.define\(("(?:[^"\\]|\\.)*")')
_WRAPPER_END = "function(require,module,exports){"
_WXS_WRAPPER = "return (function("
_WXS_START = "{'use strict';"


class ModuleLines:
    """Maps a line of the runtime's bundled logic file back to the app's own file.

    The runtime concatenates every module into ``__fc__/service.js``, each starting a line
    with ``__fc.define("<path>",function(require,module,exports){<code>`` (WXS modules add
    ``return (function(<hidden globals>){'use strict';``); so line ``n`` of the bundle is
    line ``n - start + 1`` of the last module starting at or before it, and on a module's
    first line the columns of that wrapper come off.
    """

    def __init__(self, service_js: bytes | None) -> None:
        self.starts: list[tuple[int, str]] = []
        self.wrapper: dict[str, int] = {}  # path -> columns of the wrapper on its first line
        if not service_js:
            return
        for number, line in enumerate(service_js.decode("utf-8", "replace").split("\n"), 1):
            match = _DEFINE.match(line)
            if match:
                path = json.loads(match.group(1))
                self.starts.append((number, path))
                code = line.find(_WRAPPER_END) + len(_WRAPPER_END)
                if line.startswith(_WXS_WRAPPER, code):
                    code = line.find(_WXS_START, code) + len(_WXS_START)
                self.wrapper[path] = code

    def rewrite(self, text: str, app_id: str) -> str:
        """Replace ``finclip://<app>/__fc__/service.js:L:C`` in a stack with ``file:l:c``."""
        url = re.escape(f"finclip://{app_id}/{SERVICE_JS}")

        def mapped(match: re.Match[str]) -> str:
            found = self.locate(int(match[1]))
            if not found:
                return match[0]
            column = int(match[2])
            if found[1] == 1:
                column = max(1, column - self.wrapper.get(found[0], 0))
            return f"{found[0]}:{found[1]}:{column}"

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
    if not message.startswith(RELAY_PREFIX):
        return ConsoleMessage(name, message, line, source)
    relayed = message[len(RELAY_PREFIX) :]
    at = _RELAYED_AT.match(relayed)
    if at:  # an uncaught error, located by the view: "<file>:<line>: <message>"
        file = SERVICE_JS if at[1] == "service.js" else at[1]
        return ConsoleMessage(name, at[3], int(at[2]), file, relayed=True)
    return ConsoleMessage(name, CAUGHT_PREFIX + relayed, line, source, relayed=True)


class ConsolePrinter:
    """Writes console messages to a stream (stderr by default), coloured on a terminal."""

    def __init__(self, app_id: str, stream: TextIO | None = None) -> None:
        self.app_id = app_id
        self.stream = stream or sys.stderr
        self.colour = hasattr(self.stream, "isatty") and self.stream.isatty()

    def __call__(self, message: ConsoleMessage) -> None:
        print(message.format(self.app_id, self.colour), file=self.stream, flush=True)
