"""app.json, page and component JSON: loading with positions, the checks the build relies
on, and component path resolution (relative, absolute and ``miniprogram_npm``)."""

from __future__ import annotations

import json
import posixpath
import re
from collections.abc import Mapping
from typing import Any

from finclip_desktop.runtime.errors import CompileError, Source

Key = tuple[str | int, ...]
_WS = re.compile(r"[ \t\n\r]*")
_STRING = re.compile(r'"(?:[^"\\]|\\.)*"')
_SCALAR = re.compile(r"[^,\]}\s]+")
NPM_DIR = "miniprogram_npm"


def text_of(files: Mapping[str, bytes], path: str) -> str:
    """A source file as text; raises CompileError when it is not UTF-8."""
    try:
        return files[path].decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise CompileError(path, 1, 1, f"not UTF-8 text ({exc.reason})") from None


class JsonDoc:
    """A parsed JSON object file; ``error(key, msg)`` points at the value under ``key``."""

    def __init__(self, path: str, text: str, value: dict[str, Any]) -> None:
        self.path = path
        self.text = text
        self.value = value
        self._positions: dict[Key, int] | None = None

    def get(self, name: str, default: Any = None) -> Any:
        return self.value.get(name, default)

    def error(self, key: Key, message: str) -> CompileError:
        if self._positions is None:
            try:
                self._positions = {}
                _scan(self.text, _WS.match(self.text).end(), (), self._positions)  # type: ignore[union-attr]
            except (RecursionError, IndexError, ValueError):
                pass  # positions are a courtesy: the file parsed, the message stands
        while key and key not in self._positions:
            key = key[:-1]
        offset = self._positions.get(key, 0)
        line, col = Source(self.path, self.text).position(offset)
        return CompileError(self.path, line, col, message)


def _scan(text: str, i: int, key: Key, out: dict[Key, int]) -> int:
    """Record the offset of every value of the JSON text at ``i``; returns its end."""
    out[key] = i
    ch = text[i]
    if ch in "{[":
        close, index = ("}" if ch == "{" else "]"), 0
        i = _WS.match(text, i + 1).end()  # type: ignore[union-attr]
        while text[i] != close:
            sub: str | int = index
            if ch == "{":
                m = _STRING.match(text, i)
                if not m:
                    raise ValueError("key expected")
                sub = json.loads(m.group())
                i = _WS.match(text, m.end()).end() + 1  # type: ignore[union-attr]
                i = _WS.match(text, i).end()  # type: ignore[union-attr]
            i = _scan(text, i, (*key, sub), out)
            i = _WS.match(text, i).end()  # type: ignore[union-attr]
            if text[i] == ",":
                i = _WS.match(text, i + 1).end()  # type: ignore[union-attr]
            index += 1
        return i + 1
    m = _STRING.match(text, i) if ch == '"' else _SCALAR.match(text, i)
    if not m:
        raise ValueError("value expected")
    return m.end()


def load_json(files: Mapping[str, bytes], path: str, required: bool = False) -> JsonDoc:
    """Parse a JSON object file (an empty or missing optional file is ``{}``)."""
    if path not in files:
        if required:
            raise CompileError(path, 1, 1, "file is missing")
        return JsonDoc(path, "", {})
    text = text_of(files, path)
    try:
        value = json.loads(text) if text.strip() else {}
    except json.JSONDecodeError as exc:
        raise CompileError(path, exc.lineno, exc.colno, f"invalid JSON: {exc.msg}") from None
    except RecursionError:
        raise CompileError(path, 1, 1, "invalid JSON: nested too deeply") from None
    if not isinstance(value, dict):
        raise CompileError(path, 1, 1, "expected a JSON object")
    return JsonDoc(path, text, value)


def _page_list(doc: JsonDoc, value: Any, key: Key, where: str) -> list[str]:
    if not isinstance(value, list):
        raise doc.error(key, f"{where} must be a list of page paths")
    for index, page in enumerate(value):
        if not isinstance(page, str) or not page.strip("/"):
            raise doc.error((*key, index), f"{where}[{index}] must be a page path")
    return [page.strip("/") for page in value]


def subpackages(doc: JsonDoc) -> tuple[str, list[dict[str, Any]]]:
    """The key (``subpackages`` or ``subPackages``) and its list of objects with a root."""
    name = "subpackages" if "subpackages" in doc.value else "subPackages"
    subs = doc.get(name) or []
    if not isinstance(subs, list):
        raise doc.error((name,), f"'{name}' must be a list of {{root, pages}} objects")
    for index, sub in enumerate(subs):
        if not isinstance(sub, dict):
            raise doc.error(
                (name, index), f"{name}[{index}] must be an object with 'root' and 'pages'"
            )
        root = sub.get("root")
        if not isinstance(root, str) or not root.strip("/"):
            raise doc.error((name, index), f"{name}[{index}] needs a 'root' folder")
    return name, subs


def routes(doc: JsonDoc, names: set[str]) -> tuple[list[str], list[str]]:
    """The page routes of app.json (main package first) and the subpackage roots; every
    page needs its .wxml."""
    out = _page_list(doc, doc.get("pages"), ("pages",), "'pages'")
    if not out:
        raise doc.error(("pages",), "'pages' must list at least one page")
    keys: list[Key] = [("pages", i) for i in range(len(out))]
    name, subs = subpackages(doc)
    roots = []
    for index, sub in enumerate(subs):
        root = sub["root"].strip("/")
        roots.append(root)
        pages = _page_list(
            doc, sub.get("pages", []), (name, index, "pages"), f"{name}[{index}].pages"
        )
        out += [f"{root}/{page}" for page in pages]
        keys += [(name, index, "pages", i) for i in range(len(pages))]
    for route, key in zip(out, keys, strict=True):
        if route + ".wxml" not in names:
            raise doc.error(key, f"page {route!r} has no {route}.wxml")
    return out, roots


def entry_page(doc: JsonDoc, all_routes: list[str]) -> str:
    """``entryPagePath`` when set (it must be a page), else the first page."""
    entry = doc.get("entryPagePath")
    if entry is None:
        return all_routes[0]
    if not isinstance(entry, str) or entry.strip("/") not in all_routes:
        raise doc.error(("entryPagePath",), f"entryPagePath {entry!r} is not one of the pages")
    return entry.strip("/")


def check_preload_rule(doc: JsonDoc) -> None:
    rules = doc.get("preloadRule")
    if rules is None:
        return
    if not isinstance(rules, dict):
        raise doc.error(("preloadRule",), "'preloadRule' must map page paths to {packages}")
    for page, rule in rules.items():
        packages = rule.get("packages") if isinstance(rule, dict) else None
        if not isinstance(packages, list) or not all(isinstance(p, str) for p in packages):
            raise doc.error(
                ("preloadRule", page), f"preloadRule[{page!r}].packages must be a list of names"
            )


def using_components(doc: JsonDoc) -> dict[str, str]:
    """The ``usingComponents`` map of a JSON file (tag -> path), checked."""
    using = doc.get("usingComponents") or {}
    if not isinstance(using, dict):
        raise doc.error(("usingComponents",), "'usingComponents' must be an object")
    for tag, target in using.items():
        if not isinstance(target, str) or not target:
            raise doc.error(("usingComponents", tag), f"usingComponents[{tag!r}] must be a path")
    return using


def npm_candidates(owner: str, target: str) -> list[str]:
    """Where a package path (``pkg/sub``) is looked up: ``miniprogram_npm`` in the owner's
    folder, then in each parent folder up to the root (WeChat's npm lookup)."""
    out = []
    folder = posixpath.dirname(owner)
    while True:
        out.append(posixpath.normpath(posixpath.join(folder, NPM_DIR, target)))
        if not folder:
            return out
        folder = posixpath.dirname(folder)


def resolve_component(names: set[str], owner: str, target: str) -> str | None:
    """The component base path (without extension) ``target`` names from ``owner``:
    absolute (``/c/x``), relative, or an npm package path (``@vant/weapp/button/index``,
    ``pkg`` = ``pkg/index``) found in a ``miniprogram_npm`` folder."""
    if target.startswith("/"):
        bases = [posixpath.normpath(target.lstrip("/"))]
    else:
        bases = [posixpath.normpath(posixpath.join(posixpath.dirname(owner), target))]
        if not target.startswith("."):
            bases += npm_candidates(owner, target)
    for base in bases:
        if base.startswith("../"):
            continue
        for candidate in (base, base + "/index"):
            if candidate + ".wxml" in names:
                return candidate
    return None
