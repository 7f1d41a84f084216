"""WXSS -> CSS with rpx kept symbolic, so the view can size it to the window.

The result is a list alternating CSS text (str) and rpx values (float); the view turns
each rpx value into ``floor(v / 750 * windowWidth + 1e-4)`` px (non-zero never below 1px)
on load and on resize. Selectors are rewritten: built-in tags ``view`` -> ``wx-view``,
``page`` -> the page element; page styles are scoped to their page; component classes get
the component's prefix (style isolation).
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass

from finclip_desktop.runtime.errors import Source
from finclip_desktop.runtime.support import BUILTIN_TAGS

_COMMENT = re.compile(r"/\*.*?\*/", re.S)
_IMPORT = re.compile(r"""@import\s+(?:url\()?\s*["']([^"']+)["']\s*\)?\s*;""")
_RPX = re.compile(r"(-?(?:\d+\.?\d*|\.\d+))rpx\b")
_TAG = re.compile(r"(^|[\s>+~,(])([a-zA-Z][\w-]*)")
_CLASS = re.compile(r"\.(-?[_a-zA-Z][\w-]*)")
_VERBATIM_AT = ("@keyframes", "@-webkit-keyframes", "@font-face", "@page", "@charset")


@dataclass(frozen=True)
class Scope:
    """Where a stylesheet applies: the app, one page (route) or one component (prefix)."""

    kind: str  # "app" | "page" | "component"
    name: str = ""


def tag_name(tag: str) -> str:
    """The DOM tag for a WXML tag: built-ins and names without a hyphen get ``wx-``."""
    return tag if "-" in tag and tag not in BUILTIN_TAGS else "wx-" + tag


def _page_selector(scope: Scope) -> str:
    return f'wx-page[route="{scope.name}"]' if scope.kind == "page" else "wx-page"


def _rewrite_selector(sel: str, scope: Scope) -> str:
    def tag(m: re.Match) -> str:
        name = m.group(2)
        if name == "page":
            return m.group(1) + _page_selector(scope)
        return m.group(1) + tag_name(name.lower())

    out = _TAG.sub(tag, sel.strip())
    out = out.replace(":host", f".{scope.name}-host" if scope.kind == "component" else "")
    if scope.kind == "component":
        out = _CLASS.sub(lambda m: f".{scope.name}-{m.group(1)}", out)
        out = out.replace(f".{scope.name}-{scope.name}-host", f".{scope.name}-host")
    elif scope.kind == "page" and not out.startswith(_page_selector(scope)):
        out = f"{_page_selector(scope)} {out}"
    return out


def _inline_imports(src: Source, files: dict[str, str], seen: tuple[str, ...]) -> str:
    def repl(m: re.Match) -> str:
        target = m.group(1)
        base = (
            target.lstrip("/")
            if target.startswith("/")
            else posixpath.join(posixpath.dirname(src.path), target)
        )
        path = posixpath.normpath(base)
        if path not in files and path + ".wxss" in files:
            path += ".wxss"
        if path not in files:
            raise src.error(m.start(1), f"imported stylesheet {target!r} not found")
        if path in seen:
            raise src.error(m.start(1), f"@import cycle through {path!r}")
        inner = Source(path, _COMMENT.sub("", files[path]))
        return _inline_imports(inner, files, (*seen, path))

    return _IMPORT.sub(repl, src.text)


def _blocks(src: Source, text: str, scope: Scope) -> str:
    out = []
    pos = 0
    while pos < len(text):
        brace = text.find("{", pos)
        close_stray = text.find("}", pos)
        if brace < 0:
            if text[pos:].strip():
                if close_stray >= 0:
                    raise src.error(close_stray, "unexpected '}'")
                raise src.error(pos, "expected '{' after selector")
            break
        if 0 <= close_stray < brace:
            raise src.error(close_stray, "unexpected '}'")
        prelude = text[pos:brace].strip()
        depth, end = 1, brace + 1
        while depth and end < len(text):
            depth += {"{": 1, "}": -1}.get(text[end], 0)
            end += 1
        if depth:
            raise src.error(brace, "unclosed '{', expected '}'")
        body = text[brace + 1 : end - 1]
        if prelude.startswith(_VERBATIM_AT):
            out.append(f"{prelude}{{{body}}}")
        elif prelude.startswith("@"):
            out.append(f"{prelude}{{{_blocks(src, body, scope)}}}")
        else:
            # a ';' before the selector is a stray at-rule statement: keep it as is
            head, _, sel = prelude.rpartition(";")
            if head:
                out.append(head + ";")
            selectors = ",".join(_rewrite_selector(s, scope) for s in sel.split(",") if s.strip())
            out.append(f"{selectors}{{{body.strip()}}}")
        pos = end
    return "\n".join(out)


def compile_wxss(path: str, files: dict[str, str], scope: Scope) -> list[str | float]:
    """Compile ``files[path]`` (with its @imports) for ``scope``; raises CompileError."""
    src = Source(path, _COMMENT.sub(lambda m: " " * len(m.group()), files[path]))
    text = _inline_imports(src, files, (path,))
    css = _blocks(Source(path, text), text, scope)
    parts: list[str | float] = []
    pos = 0
    for m in _RPX.finditer(css):
        parts.append(css[pos : m.start()])
        parts.append(float(m.group(1)))
        pos = m.end()
    parts.append(css[pos:])
    return parts
