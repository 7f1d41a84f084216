"""`finclip new`: copy an app template and give it its own name and app id."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

from finclip_desktop.devtools.resources import resources_dir
from finclip_desktop.package.manifest import APP_ID_RE

TEMPLATE_DESCRIPTIONS = {
    "blank": "one page with a counter",
    "tabbed": "three tabs (home, explore, me) and a detail page",
    "form": "government-style service: requirements, a validated form, a receipt",
    "dashboard": "finance-style dashboard: totals, a filterable list, a detail page",
}
DEFAULT_TEMPLATE = "blank"


class ScaffoldError(ValueError):
    """A template or target problem; ``str()`` is one line."""


def templates_dir() -> Path:
    return resources_dir() / "templates"


def available_templates() -> list[str]:
    root = templates_dir()
    if not root.is_dir():
        return []
    return sorted(p.name for p in root.iterdir() if (p / "app.json").is_file())


def default_app_id(name: str) -> str:
    """``dev.<name>`` with the name lowercased and reduced to letters, digits and '-'."""
    slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:50] or "app"
    return f"dev.{slug}"


def _rewrite_json(path: Path, update: dict[str, object], section: str | None = None) -> None:
    data = json.loads(path.read_text(encoding="utf-8"))
    (data.setdefault(section, {}) if section else data).update(update)
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def create_app(
    target: Path, template: str = DEFAULT_TEMPLATE, app_id: str | None = None,
    name: str | None = None,
) -> tuple[str, str]:  # fmt: skip
    """Create ``target`` from ``template``; returns (app id, display name)."""
    source = templates_dir() / template
    if template not in available_templates():
        choices = ", ".join(available_templates()) or "none found in " + str(templates_dir())
        raise ScaffoldError(f"unknown template {template!r} (choose from: {choices})")
    target = Path(target)
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise ScaffoldError(f"{target} already exists and is not an empty folder")
    name = name or target.resolve().name
    app_id = (app_id or default_app_id(name)).lower()
    if len(app_id) > 64 or not APP_ID_RE.fullmatch(app_id):
        raise ScaffoldError(
            f"app id {app_id!r} must be lowercase letters, digits, '-' and '.' (max 64 chars)"
        )
    try:
        shutil.copytree(source, target, dirs_exist_ok=True)
        _rewrite_json(target / "project.config.json", {"appid": app_id, "projectname": name})
        _rewrite_json(target / "app.json", {"navigationBarTitleText": name}, section="window")
    except OSError as exc:
        raise ScaffoldError(f"cannot create {target}: {exc.strerror or exc}") from None
    return app_id, name
