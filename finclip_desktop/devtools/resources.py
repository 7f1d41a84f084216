"""Where the project's ``resources/`` folder is: a checkout, an install or a bundle."""

from __future__ import annotations

import os
import sys
from pathlib import Path

RESOURCES_ENV = "FINCLIP_RESOURCES"


def resources_dir() -> Path:
    """``$FINCLIP_RESOURCES``, the PyInstaller bundle's ``resources/``, or the checkout's."""
    override = os.environ.get(RESOURCES_ENV)
    if override:
        return Path(override)
    bundle = getattr(sys, "_MEIPASS", None)
    if bundle:
        return Path(bundle) / "resources"
    return Path(__file__).resolve().parents[2] / "resources"
