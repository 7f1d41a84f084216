"""`finclip run TARGET ...` exactly as the CLI runs it, printing one line
``painted <time.time()>`` when the shell receives the first page's ``painted`` signal.

The stamp comes from a connection made when the shell opens the container (the only
addition to the real code path); the benchmark spawns this script and subtracts the moment
it spawned it. ``--phases`` also prints ``<phase> <time.time()>`` lines as the launch goes
(used by ``profile_cold.py``). The patches are applied when the CLI itself imports the
modules they patch: importing them here first would change the import order (and every
module imported after PySide6 costs more: PySide reads its source to look for
``__feature__`` use), so the launch would not be the CLI's own.

    python scripts/bench/cold_run.py [--phases] run resources/examples/tabbed --dev --no-sandbox
"""

from __future__ import annotations

import importlib.util
import sys
import time
from collections.abc import Callable
from importlib.abc import MetaPathFinder
from types import ModuleType


def stamp(name: str) -> None:
    print(f"{name} {time.time():.6f}", flush=True)


class _AfterImport(MetaPathFinder):
    """Calls ``patch(module)`` once the program itself has imported module ``name``."""

    def __init__(self, name: str, patch: Callable[[ModuleType], None]) -> None:
        self.name, self.patch = name, patch

    def find_spec(self, fullname, path, target=None):  # type: ignore[no-untyped-def]
        if fullname != self.name:
            return None
        sys.meta_path.remove(self)
        spec = importlib.util.find_spec(fullname)
        assert spec is not None and spec.loader is not None
        run = spec.loader.exec_module

        def exec_module(module: ModuleType) -> None:
            run(module)
            self.patch(module)

        spec.loader.exec_module = exec_module  # type: ignore[method-assign]
        return spec


def after_import(name: str, patch: Callable[[ModuleType], None]) -> None:
    sys.meta_path.insert(0, _AfterImport(name, patch))


def _stamp_qt_start(qtapp: ModuleType) -> None:
    """Stamp around the creation of the one QApplication."""
    make_app = qtapp.application

    def application():  # type: ignore[no-untyped-def]
        from PySide6.QtWidgets import QApplication

        fresh = QApplication.instance() is None
        if fresh:
            stamp("qt-start")
        app = make_app()
        if fresh:
            stamp("qapplication")
        return app

    qtapp.application = application


def _report_paint(core, phases: bool) -> None:  # type: ignore[no-untyped-def]
    original = core.Shell.open

    def open_and_report(self, bundle, *args, **kwargs):  # type: ignore[no-untyped-def]
        if phases:
            stamp("bundle-resolved")
        container = original(self, bundle, *args, **kwargs)
        if phases:
            stamp("container-created")
            container.page.loadStarted.connect(lambda: stamp("load-started"))
            container.page.loadFinished.connect(lambda ok: stamp("load-finished"))
        reported: list[bool] = []

        def painted(_route: str) -> None:
            if not reported:
                reported.append(True)
                stamp("painted")

        container.painted.connect(painted)
        return container

    core.Shell.open = open_and_report


def main() -> int:
    argv = sys.argv[1:]
    phases = "--phases" in argv
    if phases:
        argv.remove("--phases")
        stamp("interpreter")
        after_import("finclip_desktop.shell.qtapp", _stamp_qt_start)

    def patch_core(core: ModuleType) -> None:
        if phases:
            stamp("shell-imported")
        _report_paint(core, phases)

    after_import("finclip_desktop.shell.core", patch_core)
    from finclip_desktop import cli

    if phases:
        stamp("cli-imported")
    return cli.main(argv)


if __name__ == "__main__":
    sys.exit(main())
