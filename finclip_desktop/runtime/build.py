"""``build_app``: compile a mini-program's sources into the files the view serves."""

from __future__ import annotations

import hashlib
import json
import posixpath
from collections import OrderedDict
from collections.abc import Mapping
from importlib import resources
from typing import Any

from finclip_desktop.runtime.compiler.wxml import FileCompiler, make_resolver
from finclip_desktop.runtime.compiler.wxss import Scope, compile_wxss
from finclip_desktop.runtime.errors import CompileError, Source
from finclip_desktop.runtime.support import BUILTIN_TAGS

ENTRY = "__fc__/index.html"
VIEW_FILES = ("view.js", "view.css")
WORKER_FILES = ("service.js",)
_ALWAYS_VIEW_APIS = (
    "nextTick",
    "createSelectorQuery",
    "createIntersectionObserver",
    "canIUse",
    "getCurrentPages",
)

INDEX_HTML = """<!DOCTYPE html>
<html><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1">
<link rel="stylesheet" href="view.css">
<script src="app-view.js" defer></script>
<script src="view.js" defer></script>
</head><body></body></html>
"""


def framework_file(name: str) -> str:
    """The text of a framework JS/CSS file shipped in ``runtime/js``."""
    return resources.files("finclip_desktop.runtime").joinpath("js", name).read_text("utf-8")


def _text(files: Mapping[str, bytes], path: str) -> str:
    try:
        return files[path].decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise CompileError(path, 1, 1, f"not UTF-8 text ({exc.reason})") from None


def _json(files: Mapping[str, bytes], path: str, required: bool = False) -> dict[str, Any]:
    if path not in files:
        if required:
            raise CompileError(path, 1, 1, "file is missing")
        return {}
    text = _text(files, path)
    try:
        value = json.loads(text) if text.strip() else {}
    except json.JSONDecodeError as exc:
        raise CompileError(path, exc.lineno, exc.colno, f"invalid JSON: {exc.msg}") from None
    if not isinstance(value, dict):
        raise CompileError(path, 1, 1, "expected a JSON object")
    return value


def api_table(registry: Any) -> list[list[Any]]:
    """``[name, kind, positional arg names of a sync API]`` for every wx API of a
    capability ``Registry``, plus the runtime's own view APIs, sorted by name."""
    apis: dict[str, list[Any]] = {}
    for d in registry.describe():
        cap = registry.get(d["name"])
        args = list((cap.schema or {}).keys()) if cap is not None and d["kind"] == "sync" else []
        apis[d["name"]] = [d["name"], d["kind"], args]
    for name in _ALWAYS_VIEW_APIS:
        apis.setdefault(name, [name, "view", []])
    return [apis[name] for name in sorted(apis)]


def _api_list() -> list[list[Any]]:
    """The wx API table of this installation. Without capability plugins it is the
    generated table of the built-in families (``wx_table.py``): a launch neither imports
    every family nor builds the registry (that waits for the first bridge call)."""
    try:
        from finclip_desktop.capabilities import registry
    except ImportError:
        return [[name, "view", []] for name in _ALWAYS_VIEW_APIS]
    if not registry.entry_points(group=registry.ENTRY_POINT_GROUP):
        from finclip_desktop.runtime.wx_table import BUILTIN_APIS

        return [[name, kind, list(args)] for name, kind, args in BUILTIN_APIS]
    return api_table(registry.default_registry())


class _AppBuilder:
    def __init__(self, files: Mapping[str, bytes]) -> None:
        self.files = files
        self.names = set(files)
        self.app = _json(files, "app.json", required=True)
        self.components: dict[str, dict[str, Any]] = {}
        self.pages: dict[str, dict[str, Any]] = {}

    def page_routes(self) -> list[str]:
        pages = self.app.get("pages")
        if not isinstance(pages, list) or not pages or not all(isinstance(p, str) for p in pages):
            raise CompileError("app.json", 1, 1, "'pages' must be a non-empty list of paths")
        routes = [p.strip("/") for p in pages]
        for sub in self.app.get("subpackages", self.app.get("subPackages", [])) or []:
            root = str(sub.get("root", "")).strip("/")
            routes += [f"{root}/{p.strip('/')}" for p in sub.get("pages", [])]
        for route in routes:
            if route + ".wxml" not in self.names:
                raise CompileError("app.json", 1, 1, f"page {route!r} has no {route}.wxml")
        return routes

    def subpackage_roots(self) -> list[str]:
        subs = self.app.get("subpackages", self.app.get("subPackages", [])) or []
        return [str(sub.get("root", "")).strip("/") for sub in subs if sub.get("root")]

    def using(self, owner_json: str, config: dict[str, Any]) -> dict[str, str]:
        """Resolve a usingComponents map of ``owner_json`` to component base paths."""
        using = config.get("usingComponents") or {}
        if not isinstance(using, dict):
            raise CompileError(owner_json, 1, 1, "'usingComponents' must be an object")
        out = {}
        for tag, target in using.items():
            if not isinstance(target, str):
                raise CompileError(owner_json, 1, 1, f"usingComponents.{tag} must be a path")
            base = (
                target.lstrip("/")
                if target.startswith("/")
                else posixpath.join(posixpath.dirname(owner_json), target)
            )
            base = posixpath.normpath(base)
            for candidate in (base, base + "/index"):
                if candidate + ".wxml" in self.names:
                    out[tag] = candidate
                    self.component(candidate)
                    break
            else:
                text = _text(self.files, owner_json) if owner_json in self.files else ""
                offset = max(text.find(json.dumps(target)), 0)
                line, col = Source(owner_json, text).position(offset)
                raise CompileError(owner_json, line, col, f"component {target!r} not found")
        return out

    def component(self, base: str) -> None:
        if base in self.components:
            return
        entry: dict[str, Any] = {"prefix": f"c{len(self.components)}"}
        self.components[base] = entry
        config = _json(self.files, base + ".json")
        entry["json"] = config
        entry["using"] = self.using(base + ".json", config)

    def build(self) -> dict[str, bytes]:
        routes = self.page_routes()
        global_using = self.using("app.json", self.app)
        for route in routes:
            config = _json(self.files, route + ".json")
            self.pages[route] = {"json": config, "using": self.using(route + ".json", config)}
        for entry in (*self.pages.values(), *self.components.values()):
            entry["using"] = {**global_using, **entry["using"]}

        texts = {p: _text(self.files, p) for p in self.names if p.endswith((".wxml", ".wxss"))}
        modules: list[tuple[str, str]] = []
        for path in sorted(p for p in self.names if p.endswith(".wxs")):
            modules.append((path, _module(path, _text(self.files, path))))
        for path in sorted(p for p in self.names if p.endswith(".wxml")):
            compiler = FileCompiler(Source(path, texts[path]), make_resolver(self.names, path))
            modules.append((path, compiler.compile()))
            for mod_path, code in compiler.inline_wxs:
                modules.append((mod_path, _module(mod_path, code)))
        for path in sorted(p for p in self.names if p.endswith(".js")):
            if not path.startswith("__fc__/"):
                modules.append((path, _module(path, _text(self.files, path))))

        css: list[Any] = []
        if "app.wxss" in texts:
            css += compile_wxss("app.wxss", texts, Scope("app"))
        for route in routes:
            if route + ".wxss" in texts:
                css += compile_wxss(route + ".wxss", texts, Scope("page", route))
        for base, entry in self.components.items():
            if base + ".wxss" in texts:
                css += compile_wxss(base + ".wxss", texts, Scope("component", entry["prefix"]))

        config = {
            "app": self.app,
            "routes": routes,
            "pages": self.pages,
            "components": self.components,
            "apis": _api_list(),
            "builtins": sorted(BUILTIN_TAGS),
        }
        view_config = {
            "app": self.app,
            "routes": routes,
            "pages": {r: p["json"] for r, p in self.pages.items()},
            "css": css,
        }
        # subpackage modules go to their own file, loaded on first use (importScripts)
        roots = self.subpackage_roots()
        config["subpackages"] = roots
        sub_files: dict[str, list[str]] = {root: [] for root in roots}
        main: list[tuple[str, str]] = []
        for path, text in modules:
            root = next((r for r in roots if path.startswith(r + "/")), None)
            if root is None:
                main.append((path, text))
            else:
                sub_files[root].append(text)
        parts = [("", framework_file("service.js")),
                 ("", f"__fc.config={json.dumps(config, ensure_ascii=False)};"),
                 *main, ("", "__fc.start();")]  # fmt: skip
        lines, line = [], 1
        for path, text in parts:
            lines.append([line, path])
            line += text.count("\n") + 1
        view_config["lines"] = lines  # service.js line -> source file, for error reports
        service = "\n".join(text for _, text in parts)
        subs = {f"__fc__/sub/{i}.js": "\n".join(sub_files[r]).encode() for i, r in enumerate(roots)}
        return {
            **subs,
            ENTRY: INDEX_HTML.encode(),
            "__fc__/view.js": framework_file("view.js").encode(),
            "__fc__/view.css": framework_file("view.css").encode(),
            "__fc__/app-view.js": f"self.__fcApp={json.dumps(view_config)};".encode(),
            "__fc__/service.js": service.encode(),
        }


# WXS sees none of the logic layer's globals (WeChat's restricted WXS environment)
_WXS_HIDDEN = ("wx", "App", "Page", "Component", "Behavior", "getApp", "getCurrentPages",
               "self", "globalThis", "postMessage", "importScripts", "XMLHttpRequest",
               "fetch", "WebSocket", "Worker", "setTimeout", "setInterval", "__fc")  # fmt: skip


def _module(path: str, code: str) -> str:
    if path.endswith(".wxs") or ".wxml#" in path:
        hidden = ",".join(_WXS_HIDDEN)
        code = f"return (function({hidden}){{'use strict';{code}\n}})();"
    return f"__fc.define({json.dumps(path)},function(require,module,exports){{{code}\n}});"


_cache: OrderedDict[str, dict[str, bytes]] = OrderedDict()
_CACHE_SIZE = 8


def build_app(files: Mapping[str, bytes]) -> dict[str, bytes]:
    """Compile a WeChat-syntax app; every output path is under ``__fc__/``.

    Results are cached by content hash (a dev-mode relaunch of an unchanged app is free).
    """
    digest = hashlib.sha256()
    for path in sorted(files):
        digest.update(path.encode() + b"\0" + hashlib.sha256(files[path]).digest())
    key = digest.hexdigest()
    if key in _cache:
        _cache.move_to_end(key)
        return dict(_cache[key])
    out = _AppBuilder(files).build()
    _cache[key] = out
    if len(_cache) > _CACHE_SIZE:
        _cache.popitem(last=False)
    return dict(out)
