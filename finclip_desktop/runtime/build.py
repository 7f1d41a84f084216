"""``build_app``: compile a mini-program's sources into the files the view serves."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from importlib import resources
from typing import Any

from finclip_desktop.runtime import ENTRY, caniuse
from finclip_desktop.runtime.caniuse import Params, params
from finclip_desktop.runtime.compiler import appjson
from finclip_desktop.runtime.compiler.appjson import JsonDoc, load_json
from finclip_desktop.runtime.compiler.cache import DEFAULT_CACHE, CompileCache, Files, digests
from finclip_desktop.runtime.compiler.modules import js_module, wxs_module
from finclip_desktop.runtime.compiler.wxml import FileCompiler, make_resolver
from finclip_desktop.runtime.compiler.wxss import Scope, compile_wxss
from finclip_desktop.runtime.errors import Source
from finclip_desktop.runtime.support import BUILTIN_TAGS, wire_schemas

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


ApiRow = tuple[str, str, Params, tuple[str, ...]]


def api_table(registry: Any) -> list[ApiRow]:
    """``(name, kind, params, returns)`` for every wx API of a capability ``Registry``
    (``params``: ``(argument, allowed values or None)`` in schema order, the positional
    arguments of a sync API; ``returns``: its declared result fields), plus the runtime's
    own view APIs, sorted by name."""
    apis: dict[str, ApiRow] = {}
    for d in registry.describe():
        cap = registry.get(d["name"])
        schema, returns = (cap.schema, cap.returns) if cap is not None else (None, ())
        apis[d["name"]] = (d["name"], d["kind"], params(schema), tuple(returns))
    for name in _ALWAYS_VIEW_APIS:
        apis.setdefault(name, (name, "view", (), ()))
    return [apis[name] for name in sorted(apis)]


def _api_list() -> Sequence[ApiRow]:
    """The wx API table of this installation. Without capability plugins it is the
    generated table of the built-in families (``wx_table.py``): a launch neither imports
    every family nor builds the registry (that waits for the first bridge call)."""
    try:
        from finclip_desktop.capabilities import registry
    except ImportError:
        return [(name, "view", (), ()) for name in _ALWAYS_VIEW_APIS]
    if not registry.entry_points(group=registry.ENTRY_POINT_GROUP):
        from finclip_desktop.runtime.wx_table import BUILTIN_APIS

        return BUILTIN_APIS
    return api_table(registry.default_registry())


class _AppBuilder:
    def __init__(self, files: Mapping[str, bytes], cache: CompileCache) -> None:
        self.files = files
        self.cache = cache
        self.digests = digests(files)
        self.view = Files(files, self.digests)
        self.names = set(files)
        self.app = load_json(files, "app.json", required=True)
        self.components: dict[str, dict[str, Any]] = {}
        self.pages: dict[str, dict[str, Any]] = {}

    def using(self, doc: JsonDoc) -> dict[str, str]:
        """Resolve the usingComponents of ``doc`` to component base paths."""
        out = {}
        for tag, target in appjson.using_components(doc).items():
            base = appjson.resolve_component(self.names, doc.path, target)
            if base is None:
                raise doc.error(("usingComponents", tag), f"component {target!r} not found")
            out[tag] = base
            self.component(base)
        return out

    def component(self, base: str) -> None:
        if base in self.components:
            return
        entry: dict[str, Any] = {"prefix": f"c{len(self.components)}"}
        self.components[base] = entry
        doc = load_json(self.files, base + ".json")
        entry["styleIsolation"] = doc.value.get("styleIsolation")
        entry["using"] = self.using(doc)

    def compiled(self, kind: str, path: str, compile_: Any, *options: Any) -> Any:
        key = (kind, path, self.digests[path], *options)
        return self.cache.get(key, self.view, compile_)

    def modules(self) -> list[tuple[str, str]]:
        """(path, define code) of every WXS, WXML and JS module, in a stable order."""
        out: list[tuple[str, str]] = []
        for path in sorted(p for p in self.names if p.endswith(".wxs")):
            out.append((path, self.compiled("wxs", path, lambda f, p=path: wxs_module(p, f[p], f))))
        for path in sorted(p for p in self.names if p.endswith(".wxml")):
            out.extend(self.compiled("wxml", path, lambda f, p=path: _wxml(p, f)))
        for path in sorted(p for p in self.names if p.endswith(".js")):
            if not path.startswith("__fc__/"):
                out.append((path, self.compiled("js", path, lambda f, p=path: js_module(p, f[p]))))
        return out

    def styles(self, routes: list[str]) -> list[Any]:
        sheets = [("app.wxss", Scope("app"))]
        sheets += [(route + ".wxss", Scope("page", route)) for route in routes]
        for base, entry in self.components.items():
            shared = entry["styleIsolation"] == "shared"
            sheets.append((base + ".wxss", Scope("component", entry["prefix"], shared)))
        css: list[Any] = []
        for path, scope in sheets:
            if path in self.names:
                css += self.compiled(
                    "wxss", path, lambda f, p=path, s=scope: compile_wxss(p, f, s), scope
                )
        return css

    def build(self) -> dict[str, bytes]:
        routes, roots = appjson.routes(self.app, self.names)
        entry = appjson.entry_page(self.app, routes)
        appjson.check_preload_rule(self.app)
        global_using = self.using(self.app)
        for route in routes:
            doc = load_json(self.files, route + ".json")
            self.pages[route] = {"json": doc.value, "using": self.using(doc)}
        for item in (*self.pages.values(), *self.components.values()):
            item["using"] = {**global_using, **item["using"]}
        modules = self.modules()
        apis = _api_list()
        owner = [_package_of(path, roots) for path, _ in modules]
        config = {
            "app": self.app.value,
            "routes": routes,
            "entry": entry,
            "pages": {r: {"using": p["using"]} for r, p in self.pages.items()},
            "components": self.components,
            "apis": [
                [n, kind, [p for p, _ in args] if kind == "sync" else []]
                for n, kind, args, _ in apis
            ],
            "builtins": sorted(BUILTIN_TAGS),
            "viewSchemas": wire_schemas(),
            "subpackages": roots,
            "mods": [[path, sub] for (path, _), sub in zip(modules, owner, strict=True)],
        }
        view_config = {
            "app": self.app.value,
            "routes": routes,
            "pages": {r: p["json"] for r, p in self.pages.items()},
            "css": self.styles(routes),
        }
        framework = framework_file("service.js") + "\n"
        framework += f"__fc.config={json.dumps(config, ensure_ascii=False)};\n"
        main = [m for m, sub in zip(modules, owner, strict=True) if sub < 0]
        service = "\n".join([framework.rstrip("\n"), *(text for _, text in main), "__fc.start();"])
        out = {
            ENTRY: INDEX_HTML,
            "__fc__/view.js": framework_file("view.js"),
            "__fc__/view.css": framework_file("view.css"),
            "__fc__/region.json": framework_file("region.json"),  # picker region
            caniuse.FILE: caniuse.script(apis),  # loaded on the first wx.canIUse call
            "__fc__/app-view.js": f"self.__fcApp={json.dumps(view_config)};",
            "__fc__/service.js": service,
            # the worker the view starts when service.js does not parse: every module is
            # loaded from its own file, so one broken module cannot stop the others
            "__fc__/isolated.js": framework + "__fc.isolate();__fc.start();",
        }
        for index in range(len(roots)):  # subpackages: loaded on first use (importScripts)
            out[f"__fc__/sub/{index}.js"] = "\n".join(
                text for (_, text), sub in zip(modules, owner, strict=True) if sub == index
            )
        out.update({f"__fc__/mod/{n}.js": text for n, (_, text) in enumerate(modules)})
        return {path: text.encode() for path, text in out.items()}


def _package_of(path: str, roots: list[str]) -> int:
    """The index of the subpackage holding ``path``, -1 for the main package."""
    return next((i for i, root in enumerate(roots) if path.startswith(root + "/")), -1)


def _wxml(path: str, files: Files) -> list[tuple[str, str]]:
    """The compiled module of a WXML file, then its inline WXS modules."""
    compiler = FileCompiler(Source(path, files[path]), make_resolver(files, path))
    out = [(path, compiler.compile())]
    out += [(mod, wxs_module(mod, code, files)) for mod, code in compiler.inline_wxs]
    return out


def build_app(files: Mapping[str, bytes], cache: CompileCache | None = None) -> dict[str, bytes]:
    """Compile a WeChat-syntax app; every output path is under ``__fc__/``.

    Each file's compiled form is cached by content hash (``cache``, by default one per
    process), so a rebuild after an edit compiles only the changed files.
    """
    return _AppBuilder(files, DEFAULT_CACHE if cache is None else cache).build()
