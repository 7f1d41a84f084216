"""What the client remembers about one server's metadata besides the documents themselves.

``state.json`` in the metadata folder (replaced atomically) holds:

- ``origin``: the sha256 of the pinned root the trusted state started from ("tofu" when
  the first root was trusted on first use);
- ``floors``: the highest version seen of each role, kept when the documents are dropped
  (a new device identity), so older signed metadata is never accepted again;
- ``guard``: app versions installed when trust was reset (a new identity or another pinned
  root): a target naming an older version of such an app is refused until the server
  names that version or a newer one again;
- ``apps``: ``offered`` or ``withdrawn`` for each app this server's verified targets have
  named: an app they no longer name is withdrawn (taken down) on this device.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from finclip_desktop.package import PackageError, parse_semver
from finclip_desktop.package.builder import write_atomic
from finclip_desktop.package.canonical import canonical_json, strict_loads

STATE_FILE = "state.json"
TOFU = "tofu"
OFFERED, WITHDRAWN = "offered", "withdrawn"


def semver_key(version: str) -> tuple:
    """Sort key of a version; versions that are not semver sort below every semver."""
    try:
        return (1, parse_semver(version))
    except (PackageError, ValueError, TypeError):
        return (0, str(version))


class TrustState:
    """The persisted ``state.json`` of one metadata folder."""

    def __init__(self, state_dir: Path) -> None:
        self.path = state_dir / STATE_FILE
        self.origin: str | None = None
        self.floors: dict[str, int] = {}
        self.guard: dict[str, str] = {}
        self.apps: dict[str, str] = {}
        self.load()

    def load(self) -> None:
        try:
            data = strict_loads(self.path.read_bytes())
        except (OSError, ValueError):
            data = {}
        if not isinstance(data, dict):
            data = {}
        origin = data.get("origin")
        self.origin = origin if isinstance(origin, str) else None
        self.floors = _typed(data.get("floors"), int)
        self.guard = _typed(data.get("guard"), str)
        self.apps = {k: v for k, v in _typed(data.get("apps"), str).items()
                     if v in (OFFERED, WITHDRAWN)}  # fmt: skip

    def save(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        body = {"origin": self.origin, "floors": self.floors, "guard": self.guard,
                "apps": self.apps}  # fmt: skip
        write_atomic(self.path, canonical_json(body))

    # -- floors ---------------------------------------------------------------------------
    def raise_floor(self, role: str, version: int) -> None:
        if version > self.floors.get(role, 0):
            self.floors[role] = version

    # -- guard ----------------------------------------------------------------------------
    def add_guard(self, installed: Mapping[str, str]) -> None:
        """Remember ``{app_id: version}`` (keeping the higher of two versions of an app)."""
        for app_id, version in installed.items():
            held = self.guard.get(app_id)
            if held is None or semver_key(version) > semver_key(held):
                self.guard[app_id] = version

    def guarded_floor(self, app_id: str, version: str) -> str | None:
        """The guarded version ``version`` falls below, or None when it may be used."""
        floor = self.guard.get(app_id)
        if floor is not None and semver_key(version) < semver_key(floor):
            return floor
        return None

    # -- what verified targets name -------------------------------------------------------
    def saw_targets(self, entries: Mapping[str, Mapping[str, Any]]) -> None:
        """Verified, fresh targets: lift the guard of apps named at their guarded version
        or newer, mark named apps offered and apps named before but not now withdrawn."""
        named: dict[str, list[str]] = {}
        for entry in entries.values():
            named.setdefault(entry["app_id"], []).append(entry["version"])
        for app_id, versions in named.items():
            if app_id in self.guard and not all(self.guarded_floor(app_id, v) for v in versions):
                del self.guard[app_id]
            self.apps[app_id] = OFFERED
        for app_id in self.apps:
            if app_id not in named:
                self.apps[app_id] = WITHDRAWN

    def withdrawn(self, app_id: str) -> bool:
        return self.apps.get(app_id) == WITHDRAWN


def _typed(value: Any, kind: type) -> dict[str, Any]:
    if not isinstance(value, dict):
        return {}
    return {k: v for k, v in value.items()
            if isinstance(k, str) and isinstance(v, kind) and not isinstance(v, bool)}  # fmt: skip
