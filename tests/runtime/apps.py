"""Shared helpers of the runtime and conformance tests: small mini-apps built in memory,
and the message of a compile error."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from finclip_desktop.runtime.errors import CompileError


def make_app(
    pages: dict[str, dict[str, Any]],
    *,
    app_js: str = "App({})",
    app_json: dict[str, Any] | None = None,
    extra: dict[str, str] | None = None,
    app_wxss: str = "",
) -> dict[str, bytes]:
    """``pages``: route -> {wxml, js, json, wxss}; the first route is the entry page."""
    files: dict[str, str] = {"app.js": app_js}
    config = {"pages": list(pages), **(app_json or {})}
    files["app.json"] = json.dumps(config)
    if app_wxss:
        files["app.wxss"] = app_wxss
    for route, spec in pages.items():
        files[f"{route}.wxml"] = spec.get("wxml", "<view/>")
        files[f"{route}.js"] = spec.get("js", "Page({})")
        if "json" in spec:
            files[f"{route}.json"] = json.dumps(spec["json"])
        if "wxss" in spec:
            files[f"{route}.wxss"] = spec["wxss"]
    files.update(extra or {})
    return {k: v.encode() for k, v in files.items()}


def one_page(
    wxml: str, js: str = "Page({})", using: dict[str, str] | None = None, **app: Any
) -> dict[str, bytes]:
    """An app of one page, ``pages/p/p`` (``using``: its usingComponents); ``app`` are
    :func:`make_app`'s keywords."""
    page: dict[str, Any] = {"wxml": wxml, "js": js}
    if using:
        page["json"] = {"usingComponents": using}
    return make_app({"pages/p/p": page}, **app)


def compile_error(compile_: Callable[..., Any], *args: Any, **kw: Any) -> str:
    """The message of the CompileError ``compile_(*args, **kw)`` raises."""
    with pytest.raises(CompileError) as err:
        compile_(*args, **kw)
    return str(err.value)
