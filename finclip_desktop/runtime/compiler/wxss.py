"""WXSS -> CSS with rpx kept symbolic, so the view can size it to the window.

The result is a list alternating CSS text (str) and rpx values (float); the view turns
each rpx value into ``floor(v / 750 * windowWidth + 1e-4)`` px (non-zero never below 1px)
on load and on resize. Selectors are rewritten: built-in tags ``view`` -> ``wx-view``,
``page`` -> the page element; page styles are scoped to their page. A component's styles
(``styleIsolation`` isolated or apply-shared, the default) touch only its own nodes:
classes get the component's prefix, every other compound (tags, ``*``, bare pseudo-classes)
is limited to nodes carrying ``fc-c="<prefix>"``, and id and attribute selectors are
dropped (WeChat: not effective in components). A ``shared`` component's styles are global.
Pseudo-class arguments are left alone except where they are selectors (``:not()``,
``:is()``, ``:where()``, ``:has()``, the ``of S`` part of ``:nth-child()``).
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass, field
from typing import Protocol

from finclip_desktop.runtime.errors import Source
from finclip_desktop.runtime.support import BUILTIN_TAGS

_COMMENT = re.compile(r"/\*.*?\*/", re.S)
_IMPORT = re.compile(r"""@import\s+(?:url\()?\s*["']([^"']+)["']\s*\)?\s*;""")
_RPX = re.compile(r"(-?(?:\d+\.?\d*|\.\d+))rpx\b")
_IDENT = re.compile(r"-?(?:[_a-zA-Z]|[^\x00-\x7f]|\\.)(?:[\w-]|[^\x00-\x7f]|\\.)*")
_SELECTOR_ARGS = frozenset(("not", "is", "where", "has", "matches", "-webkit-any", "-moz-any"))
_NTH_OF = frozenset(("nth-child", "nth-last-child"))
_VERBATIM_AT = ("@keyframes", "@-webkit-keyframes", "@font-face", "@page", "@charset")
MARK = "fc-c"  # the attribute the runtime puts on every node a component renders


class TextFiles(Protocol):
    """The app's stylesheets by path (a dict, or the build's recording view)."""

    def __contains__(self, path: object) -> bool: ...
    def __getitem__(self, path: str) -> str: ...


@dataclass(frozen=True)
class Scope:
    """Where a stylesheet applies: the app, one page (route) or one component (prefix);
    a ``shared`` component's styles apply like the app's."""

    kind: str  # "app" | "page" | "component"
    name: str = ""
    shared: bool = False

    @property
    def isolated(self) -> bool:
        return self.kind == "component" and not self.shared


def tag_name(tag: str) -> str:
    """The DOM tag for a WXML tag: built-ins and names without a hyphen get ``wx-``."""
    return tag if "-" in tag and tag not in BUILTIN_TAGS else "wx-" + tag


def _page_selector(scope: Scope) -> str:
    return f'wx-page[route="{scope.name}"]' if scope.kind == "page" else "wx-page"


class _Dropped(Exception):
    """A selector that has no effect in this scope (id/attribute in a component)."""


def _split_top(text: str) -> list[str]:
    """Split a selector list at the commas outside brackets and strings."""
    parts, depth, quote, start = [], 0, "", 0
    for i, ch in enumerate(text):
        if quote:
            quote = "" if ch == quote and text[i - 1] != "\\" else quote
        elif ch in "\"'":
            quote = ch
        elif ch in "([":
            depth += 1
        elif ch in ")]":
            depth -= 1
        elif ch == "," and depth == 0:
            parts.append(text[start:i])
            start = i + 1
    parts.append(text[start:])
    return [p.strip() for p in parts if p.strip()]


def _closing(text: str, i: int, open_: str, close: str) -> int:
    """Index of the bracket closing the one at ``i`` (quotes respected), or len(text)."""
    depth, quote = 0, ""
    for j in range(i, len(text)):
        ch = text[j]
        if quote:
            quote = "" if ch == quote and text[j - 1] != "\\" else quote
        elif ch in "\"'":
            quote = ch
        elif ch == open_:
            depth += 1
        elif ch == close:
            depth -= 1
            if depth == 0:
                return j
    return len(text)


@dataclass
class _Compound:
    type_: str = ""  # the type or universal selector
    rest: list[str] = field(default_factory=list)
    scoped: bool = False  # a prefixed class or :host already limits it to the component

    def text(self, scope: Scope, nested: bool) -> str:
        if not (self.type_ or self.rest):
            return ""
        mark = ""
        if scope.isolated and not nested and not self.scoped:
            mark = f'[{MARK}="{scope.name}"]'
        return (self.type_ if self.type_ != "*" or not mark else "") + mark + "".join(self.rest)


def _rewrite(sel: str, scope: Scope, nested: bool = False) -> str:
    """One complex selector for ``scope``; raises _Dropped when it cannot apply."""
    out: list[str] = []
    comp = _Compound()
    i, n = 0, len(sel)
    while i < n:
        ch = sel[i]
        if ch in " \t\n\r\f>+~":
            out.append(comp.text(scope, nested))
            comp = _Compound()
            out.append(ch if ch not in "\t\n\r\f" else " ")
            i += 1
        elif ch == "." and (m := _IDENT.match(sel, i + 1)):
            name = m.group()
            comp.rest.append(f".{scope.name}-{name}" if scope.isolated else f".{name}")
            comp.scoped = comp.scoped or scope.isolated
            i = m.end()
        elif ch in "#[":
            if scope.isolated:
                raise _Dropped
            if ch == "[":
                end = _closing(sel, i, "[", "]") + 1
            else:
                m = _IDENT.match(sel, i + 1)
                end = m.end() if m else i + 1
            comp.rest.append(sel[i:end])
            i = end
        elif ch == ":":
            i = _pseudo(sel, i, scope, comp)
        elif ch == "*":
            comp.type_ = "*"
            i += 1
        elif m := _IDENT.match(sel, i):
            name = m.group()
            comp.type_ = _page_selector(scope) if name == "page" else tag_name(name.lower())
            i = m.end()
        else:
            comp.rest.append(ch)
            i += 1
    out.append(comp.text(scope, nested))
    return "".join(out).strip()


def _pseudo(sel: str, i: int, scope: Scope, comp: _Compound) -> int:
    colons = 2 if sel.startswith("::", i) else 1
    m = _IDENT.match(sel, i + colons)
    if not m:
        comp.rest.append(sel[i : i + colons])
        return i + colons
    name, end = m.group(), m.end()
    args = None
    if end < len(sel) and sel[end] == "(":
        close = _closing(sel, end, "(", ")")
        args, end = sel[end + 1 : close], close + 1
    lower = name.lower()
    if colons == 1 and lower == "host":
        if scope.kind == "component":
            comp.rest.append(f".{scope.name}-host" + (f":is({args})" if args else ""))
            comp.scoped = True
        else:
            comp.type_ = comp.type_ or _page_selector(scope)
        return end
    if args is not None:
        if lower in _SELECTOR_ARGS:
            args = ",".join(_rewrite(a, scope, nested=True) for a in _split_top(args))
        elif lower in _NTH_OF and " of " in args:
            nth, _, of = args.partition(" of ")
            args = nth + " of " + ",".join(_rewrite(a, scope, nested=True) for a in _split_top(of))
        comp.rest.append(f"{sel[i : i + colons]}{name}({args})")
    else:
        comp.rest.append(sel[i:end])
    return end


def _rewrite_selector(sel: str, scope: Scope) -> str | None:
    """``sel`` for ``scope``, or None when it has no effect there."""
    try:
        out = _rewrite(sel.strip(), scope)
    except _Dropped:
        return None
    if scope.kind == "page" and not out.startswith(_page_selector(scope)):
        out = f"{_page_selector(scope)} {out}"
    return out


def _inline_imports(src: Source, files: TextFiles, seen: tuple[str, ...]) -> str:
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
            kept = [_rewrite_selector(one, scope) for one in _split_top(sel)]
            selectors = ",".join(k for k in kept if k is not None)
            if selectors:
                out.append(f"{selectors}{{{body.strip()}}}")
        pos = end
    return "\n".join(out)


def compile_wxss(path: str, files: TextFiles, scope: Scope) -> list[str | float]:
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
