"""The WeChat-compatible runtime: build-time compilers plus the framework JS they ship.

``build_app(files)`` turns an app's sources into the ``__fc__/`` files the view serves;
the entry document is ``ENTRY``. Compile failures raise ``CompileError``.
"""

from finclip_desktop.runtime.build import ENTRY, build_app, framework_file
from finclip_desktop.runtime.errors import CompileError

__all__ = ["ENTRY", "CompileError", "build_app", "framework_file"]
