"""Build small mini-apps in memory for runtime and conformance tests."""

from __future__ import annotations

import json
from typing import Any


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
