"""JS and WXS modules: checked, ESM rewritten, wrapped as ``__fc.define`` functions.

Each module's code starts on its define line, so line numbers in the bundle map back to
the app's files (docs/architecture.md). WXS gets WeChat's restricted environment: no
logic-layer globals, no ``Date`` (``getDate()``), and ``require`` of ``.wxs`` files only.
"""

from __future__ import annotations

import json
import posixpath

from finclip_desktop.runtime.compiler.cache import Files
from finclip_desktop.runtime.compiler.esm import to_commonjs
from finclip_desktop.runtime.compiler.jscheck import check_js
from finclip_desktop.runtime.compiler.jslex import Tok
from finclip_desktop.runtime.errors import Source

# WXS sees none of the logic layer's globals (WeChat's restricted WXS environment)
WXS_HIDDEN = ("wx", "App", "Page", "Component", "Behavior", "getApp", "getCurrentPages",
              "self", "globalThis", "postMessage", "importScripts", "XMLHttpRequest",
              "fetch", "WebSocket", "Worker", "setTimeout", "setInterval", "Date",
              "__fc")  # fmt: skip
_WXS_REQUIRE = (
    "function(p){if(!/\\.wxs$/.test(p))throw new Error('WXS can only require .wxs modules, "
    "not '+JSON.stringify(p));return require(p)}"
)


def _define(path: str, code: str) -> str:
    return f"__fc.define({json.dumps(path)},function(require,module,exports){{{code}\n}});"


def _source(path: str, text: str) -> Source:
    # a hashbang only means something on a file's first line; here it would be an error
    return Source(path, "//" + text[2:] if text.startswith("#!") else text)


def js_module(path: str, text: str) -> str:
    """An app JS module: syntax-checked, ESM rewritten to CommonJS, wrapped."""
    src = _source(path, text)
    tokens = check_js(src)
    return _define(path, to_commonjs(src, tokens) or src.text)


def wxs_module(path: str, text: str, files: Files) -> str:
    """A WXS module (a .wxs file or ``page.wxml#name`` inline code), checked and wrapped
    in WeChat's restricted environment."""
    src = _source(path, text)
    tokens = check_js(src)
    _check_wxs(src, tokens, files)
    hidden = ",".join(WXS_HIDDEN)
    body = f"return (function(require,{hidden}){{'use strict';{src.text}\n}})({_WXS_REQUIRE});"
    return _define(path, body)


def _check_wxs(src: Source, tokens: list[Tok], files: Files) -> None:
    base = posixpath.dirname(src.path.split("#", 1)[0])
    for i, tok in enumerate(tokens):
        if tok.kind != "name" or (i and tokens[i - 1].value in (".", "?.")):
            continue
        if tok.value == "Date" and tokens[i + 1].value != ":":
            raise src.error(tok.start, "WXS has no Date, use getDate() instead")
        if tok.value in ("import", "export"):
            raise src.error(
                tok.start, f"WXS modules use module.exports and require(), not {tok.value}"
            )
        if tok.value == "require" and tokens[i + 1].value == "(" and tokens[i + 2].kind == "str":
            arg = tokens[i + 2]
            target = json.loads(arg.value) if arg.value.startswith('"') else arg.value[1:-1]
            if not target.endswith(".wxs"):
                raise src.error(arg.start, f"WXS can only require .wxs modules, not {target!r}")
            if target.startswith("/") or not target.startswith("."):
                raise src.error(
                    arg.start, f"require {target!r}: WXS needs a relative path (./ or ../)"
                )
            resolved = posixpath.normpath(posixpath.join(base, target))
            if resolved not in files:
                raise src.error(arg.start, f"WXS module {target!r} not found")
