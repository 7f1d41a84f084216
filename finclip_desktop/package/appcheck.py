"""Structural checks of a mini-program (app.json and the files it names)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from finclip_desktop.package.canonical import strict_loads
from finclip_desktop.package.errors import AppError

APP_JSON = "app.json"
PLAIN_ENTRY = "index.html"


def _load_app_json(files: Mapping[str, bytes]) -> dict[str, Any]:
    try:
        data = strict_loads(files[APP_JSON])
    except ValueError as exc:
        raise AppError(f"{APP_JSON}: {exc}") from None
    if not isinstance(data, dict):
        raise AppError(f"{APP_JSON}: must be a JSON object")
    return data


def _page_list(value: Any, where: str) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(p, str) and p for p in value):
        raise AppError(f"{APP_JSON}: {where} must be a list of page paths")
    return value


def _require_page(files: Mapping[str, bytes], page: str, where: str) -> None:
    if page.startswith("/") or page.endswith((".wxml", ".js")):
        raise AppError(f"{APP_JSON}: {where} {page!r} must be a path like 'pages/index/index'")
    for ext in (".wxml", ".js"):
        if page + ext not in files:
            raise AppError(f"{APP_JSON}: {where} {page!r} has no {page}{ext}")


def validate_app(files: Mapping[str, bytes]) -> str:
    """Check a mini-program's structure; return its kind: ``"wechat"`` or ``"html"``.

    A WeChat-syntax app needs app.json (valid JSON, a non-empty ``pages`` list whose pages
    exist, tabBar pages among them, subpackage roots and pages present) and app.js.
    A folder without app.json is a plain web app and needs index.html.
    """
    if APP_JSON not in files:
        if PLAIN_ENTRY in files:
            return "html"
        raise AppError(f"no {APP_JSON} (nor {PLAIN_ENTRY}): this is not a mini-program")
    app = _load_app_json(files)
    if "app.js" not in files:
        raise AppError("app.js is missing: every mini-program needs one")
    pages = _page_list(app.get("pages"), "'pages'")
    if not pages:
        raise AppError(f"{APP_JSON}: 'pages' must list at least one page")
    for page in pages:
        _require_page(files, page, "page")
    all_pages = set(pages)
    subpackages = app.get("subpackages", app.get("subPackages", []))
    if not isinstance(subpackages, list):
        raise AppError(f"{APP_JSON}: 'subpackages' must be a list")
    for index, sub in enumerate(subpackages):
        if not isinstance(sub, dict) or not isinstance(sub.get("root"), str) or not sub["root"]:
            raise AppError(f"{APP_JSON}: subpackages[{index}] needs a 'root' folder")
        root = sub["root"].strip("/")
        if not any(path.startswith(root + "/") for path in files):
            raise AppError(f"{APP_JSON}: subpackage root {sub['root']!r} does not exist")
        for page in _page_list(sub.get("pages", []), f"subpackages[{index}].pages"):
            _require_page(files, f"{root}/{page}", "subpackage page")
            all_pages.add(f"{root}/{page}")
    tab_bar = app.get("tabBar")
    if tab_bar is not None:
        items = tab_bar.get("list") if isinstance(tab_bar, dict) else None
        if not isinstance(items, list) or not 2 <= len(items) <= 5:
            raise AppError(f"{APP_JSON}: tabBar.list must hold 2 to 5 items")
        for index, item in enumerate(items):
            path = item.get("pagePath") if isinstance(item, dict) else None
            if path not in pages:
                raise AppError(
                    f"{APP_JSON}: tabBar.list[{index}].pagePath {path!r} is not one of 'pages'"
                )
            for icon_key in ("iconPath", "selectedIconPath"):
                icon = item.get(icon_key)
                if icon is not None and not isinstance(icon, str):
                    raise AppError(
                        f"{APP_JSON}: tabBar.list[{index}].{icon_key} must be a file path"
                    )
                if icon and icon.lstrip("/") not in files:
                    raise AppError(
                        f"{APP_JSON}: tabBar.list[{index}].{icon_key} {icon!r} is missing"
                    )
    entry = app.get("entryPagePath")
    if entry is not None and not isinstance(entry, str):
        raise AppError(f"{APP_JSON}: entryPagePath must be a page path")
    if entry is not None and entry not in all_pages:
        raise AppError(f"{APP_JSON}: entryPagePath {entry!r} is not a page")
    return "wechat"
