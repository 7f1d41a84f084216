"""The floor: a bare PySide6 QWebEngineView process showing a tiny page.

Prints ``painted <time.time()>`` when the page's first requestAnimationFrame after ``load``
has run (the same moment the runtime's ``finclip:painted`` marks for a mini-app page), then
exits. The benchmark subtracts the moment it spawned this process. With ``--memory`` it
waits 1.5 s more and prints ``memory <rss MB> <pss MB or -> <processes>`` for this process
and its web engine children before exiting.
"""

import sys
import time

from PySide6.QtCore import QTimer, QUrl
from PySide6.QtWebEngineWidgets import QWebEngineView
from PySide6.QtWidgets import QApplication

PAGE = """<!doctype html><html><body><h1>Hello</h1><p>floor</p><script>
window.addEventListener('load', () => requestAnimationFrame(() => {
  document.title = 'painted';
}));
</script></body></html>"""
SETTLE_MS = 1500


def memory() -> str:
    import psutil

    me = psutil.Process()
    procs = [me, *me.children(recursive=True)]
    rss = sum(p.memory_info().rss for p in procs)
    try:
        pss = f"{sum(p.memory_full_info().pss for p in procs) / 2**20:.1f}"
    except (AttributeError, psutil.AccessDenied):
        pss = "-"
    return f"memory {rss / 2**20:.1f} {pss} {len(procs)}"


def main() -> None:
    want_memory = "--memory" in sys.argv
    app = QApplication(sys.argv[:1])
    view = QWebEngineView()
    view.resize(375, 667)

    def report_memory() -> None:
        print(memory(), flush=True)
        app.quit()

    def on_title(title: str) -> None:
        if title == "painted":
            print(f"painted {time.time():.6f}", flush=True)
            if want_memory:
                QTimer.singleShot(SETTLE_MS, report_memory)
            else:
                app.quit()

    view.titleChanged.connect(on_title)
    view.setHtml(PAGE, QUrl("https://floor.invalid/"))
    view.show()
    app.exec()
    del view


if __name__ == "__main__":
    main()
