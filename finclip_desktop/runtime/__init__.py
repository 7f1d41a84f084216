"""The WeChat-compatible runtime: build-time compilers plus the framework JS they ship.

``build_app(files)`` turns an app's sources into the ``__fc__/`` files the view serves;
the entry document is ``ENTRY``. Compile failures raise ``CompileError``. The compiler is
imported on first use of ``build_app`` (a launch served from the compiled-view cache never
loads it).
"""

from typing import Any

from finclip_desktop.runtime.errors import CompileError

ENTRY = "__fc__/index.html"

__all__ = ["ENTRY", "CompileError", "build_app", "framework_file"]


def __getattr__(name: str) -> Any:
    if name in ("build_app", "framework_file"):
        from finclip_desktop.runtime import build

        return getattr(build, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
