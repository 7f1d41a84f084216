"""In-page figures, measured in one shell process (real QtWebEngine, offscreen, in-process
``ShellHarness``). Prints one JSON object: figure name -> list of samples in ms (warm-up
samples already dropped), plus ``errors``: figure -> one-line reason for each figure it could
not measure.

What each figure spans (t0 is stamped in the logic layer, a Web Worker, with
``performance.timeOrigin + performance.now()``; the view records with the same clock, see
``recorder.js``):

- setdata:            ``this.setData({count, t0})`` -> the view's MutationObserver saw the
                      patch applied (``*_frame``: the next frame rendered as well);
- tap_to_logic:       a tap in the view (``click()``) -> the page's handler running in the
                      logic layer (also checks the two clocks agree: never negative);
- bridge:             ``wx.getSetting`` (a no-op native API) called -> its callback ran, both
                      in the logic layer (worker -> view -> isolated world -> QWebChannel ->
                      Python registry and back);
- navigate:           ``wx.navigateTo`` a small page -> its ``finclip:painted`` event (the
                      runtime's first requestAnimationFrame after rendering the page);
                      ``*_frame``: that frame rendered (layout and paint included);
- first_screen_200:   the same for a page of 200 element nodes from initial data;
- list1000_first:     the same for a page whose initial data is a 1,000-row ``wx:for`` list;
- list1000_update:    setData of new values for all 1,000 rows (same keys) -> DOM updated;
- list1000_fill:      setData of 1,000 rows into an emptied list -> DOM updated;
- warm_launch:        in a shell already running the bench app, another app (the tabbed
                      example under a fresh app id) is requested: files read + compiled
                      (``warm_resolve``) and a container opened -> the shell's ``painted``
                      signal received in Python (``warm_open`` is the part after compile).

Run by ``scripts/bench.py``; standalone (offscreen, fresh XDG folders advised):
``python scripts/bench/inpage.py --runs 3 --tabbed resources/examples/tabbed``.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
BENCH_APP = HERE / "apps" / "bench"
RECORDER = (HERE / "recorder.js").read_text(encoding="utf-8")
POLL_S = 0.02


def _env() -> None:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    os.environ.setdefault("QTWEBENGINE_DISABLE_SANDBOX", "1")


class Page:
    """The bench app's page, driven from Python through the main world."""

    def __init__(self, driver: Any) -> None:
        self.driver = driver
        box: list[Any] = []
        driver.container.run_js(RECORDER + "\n;true", box.append)
        self.wait(lambda: box, "recorder installed")

    def eval(self, expression: str) -> Any:
        return self.driver.eval(expression)

    def wait(self, predicate: Callable[[], Any], what: str, timeout: float = 20.0) -> Any:
        from finclip_desktop.shell.testing import process_events

        end = time.monotonic() + timeout
        while True:
            value = predicate()
            if value:
                return value
            if time.monotonic() > end:
                raise TimeoutError(f"timed out waiting for {what}")
            process_events(POLL_S)

    def tap(self, element_id: str) -> None:
        found = self.eval(
            f"(function(){{var e=document.getElementById({json.dumps(element_id)});"
            "if(!e)return false;window.__fcBench.tap=performance.timeOrigin+performance.now();"
            "e.click();return true;})()"
        )
        if not found:
            raise RuntimeError(f"no element #{element_id} in the bench app")

    def stamp_count(self) -> int:
        return self.eval("window.__fcBench.order.length")

    def next_stamp(self, kind: str, action: Callable[[], None]) -> dict[str, float]:
        """Run ``action``; wait for the next stamp of ``kind`` and its rendered frame."""
        seen = self.stamp_count()
        action()
        key = self.wait(
            lambda: self.eval(
                f"(function(){{var B=window.__fcBench;for(var i={seen};i<B.order.length;i++)"
                f"if(B.order[i].indexOf({json.dumps(kind + ':')})===0)return B.order[i];"
                "return '';})()"
            ),
            f"{kind} stamp",
        )
        return self.wait(
            lambda: self.eval(
                f"(function(){{var B=window.__fcBench,r=B.stamps[{json.dumps(key)}];"
                "return r.frame===null?null:Object.assign({tap:B.tap},r);})()"
            ),
            f"{kind} frame",
        )

    def painted_after(self, route: str, t0: float) -> dict[str, float]:
        return self.wait(
            lambda: self.eval(
                f"(function(){{var p=window.__fcBench.painted;for(var i=p.length-1;i>=0;i--)"
                f"if(p[i].route==={json.dumps(route)}&&p[i].t>={t0}&&p[i].frame!==null)"
                "return p[i];return null;})()"
            ),
            f"{route} painted",
        )

    def pages_open(self) -> int:
        return self.eval("document.querySelectorAll('wx-page').length")

    def back(self) -> None:
        depth = self.pages_open()
        self.eval("document.querySelector('.fc-nav-back').click()")
        self.wait(lambda: self.pages_open() < depth, "navigateBack")


def take(samples: int, warmup: int, one: Callable[[], Any]) -> list[Any]:
    values = [one() for _ in range(warmup + samples)]
    return values[warmup:]


def measure_setdata(page: Page, runs: int, warmup: int, micro: int) -> dict[str, list[float]]:
    def one() -> dict[str, float]:
        rec = page.next_stamp("set", lambda: page.tap("btn-setdata"))
        time.sleep(0.01)
        return rec

    recs = take(micro, warmup, one)
    return {
        "setdata": [r["dom"] - r["t0"] for r in recs],
        "setdata_frame": [r["frame"] - r["t0"] for r in recs],
        "tap_to_logic": [r["t0"] - r["tap"] for r in recs],
    }


def measure_bridge(page: Page, runs: int, warmup: int, micro: int) -> dict[str, list[float]]:
    calls = iter(range(1, 1_000_000))

    def one() -> float:
        prefix = f"{next(calls)}:"
        page.tap("btn-bridge")
        text = page.wait(
            lambda: page.eval(
                "(function(){var t=document.getElementById('bench-result').textContent;"
                f"return t.indexOf({json.dumps(prefix)})===0?t:'';}})()"
            ),
            "bridge reply",
        )
        status, _, value = text[len(prefix) :].partition(":")
        if status != "ok":
            raise RuntimeError(f"bridge call failed: {value}")
        return float(value)

    return {"bridge": take(micro, warmup, one)}


def measure_navigation(page: Page, runs: int, warmup: int, micro: int) -> dict[str, list[float]]:
    out: dict[str, list[float]] = {}
    for figure, button, route in (
        ("navigate", "btn-go-small", "pages/small/small"),
        ("first_screen_200", "btn-go-nodes200", "pages/nodes200/nodes200"),
        ("list1000_first", "btn-go-list1000", "pages/list1000/list1000"),
    ):

        def one(button: str = button, route: str = route) -> tuple[float, float]:
            rec = page.next_stamp("nav", lambda: page.tap(button))
            painted = page.painted_after(route, rec["t0"])
            page.back()
            return painted["t"] - rec["t0"], painted["frame"] - rec["t0"]

        pairs = take(runs, warmup, one)
        out[figure] = [p[0] for p in pairs]
        out[figure + "_frame"] = [p[1] for p in pairs]
    return out


def measure_list(page: Page, runs: int, warmup: int, micro: int) -> dict[str, list[float]]:
    out: dict[str, list[float]] = {}
    page.next_stamp("nav", lambda: page.tap("btn-go-list1000"))
    try:
        for figure, button, kind in (
            ("list1000_update", "btn-update", "upd"),
            ("list1000_fill", "btn-fill", "fill"),
        ):

            def one(button: str = button, kind: str = kind) -> dict[str, float]:
                if kind == "fill":
                    page.next_stamp("empty", lambda: page.tap("btn-empty"))
                return page.next_stamp(kind, lambda: page.tap(button))

            recs = take(runs, warmup, one)
            out[figure] = [r["dom"] - r["t0"] for r in recs]
            out[figure + "_frame"] = [r["frame"] - r["t0"] for r in recs]
    finally:
        page.back()
    return out


# group -> (its figures, how to measure them)
GROUPS: dict[str, tuple[tuple[str, ...], Callable[..., dict[str, list[float]]]]] = {
    "setdata": (("setdata", "setdata_frame", "tap_to_logic"), measure_setdata),
    "bridge": (("bridge",), measure_bridge),
    "navigation": (
        (
            "navigate",
            "navigate_frame",
            "first_screen_200",
            "first_screen_200_frame",
            "list1000_first",
            "list1000_first_frame",
        ),
        measure_navigation,
    ),
    "list": (
        ("list1000_update", "list1000_update_frame", "list1000_fill", "list1000_fill_frame"),
        measure_list,
    ),
}
WARM_FIGURES = ("warm_launch", "warm_resolve", "warm_open")


def measure_warm(harness: Any, tabbed: Path, runs: int, warmup: int) -> dict[str, list[float]]:
    from PySide6.QtCore import QEventLoop, QTimer

    from finclip_desktop.package import collect_files
    from finclip_desktop.shell.bundle import bundle_from_files
    from finclip_desktop.shell.testing import process_events

    out: dict[str, list[float]] = {"warm_launch": [], "warm_resolve": [], "warm_open": []}
    for i in range(warmup + runs):
        start = time.perf_counter()
        bundle = bundle_from_files(collect_files(tabbed), app_id=f"bench.warm{i}", name="Tabbed")
        resolved = time.perf_counter()
        container = harness.shell.open(bundle)
        stamp: list[float] = []
        loop = QEventLoop()

        def painted(_route: str, stamp: list[float] = stamp, loop: QEventLoop = loop) -> None:
            if not stamp:
                stamp.append(time.perf_counter())
            loop.quit()

        container.painted.connect(painted)
        QTimer.singleShot(30_000, loop.quit)
        if container.first_painted is None:
            loop.exec()
        if not stamp:
            raise TimeoutError(f"bench.warm{i} did not paint within 30 s")
        if i >= warmup:
            out["warm_launch"].append((stamp[0] - start) * 1000)
            out["warm_resolve"].append((resolved - start) * 1000)
            out["warm_open"].append((stamp[0] - resolved) * 1000)
        harness.shell.close_app(bundle.app_id)
        process_events(0.3)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="in-page benchmark figures (JSON)")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--warmup", type=int, default=1)
    parser.add_argument("--micro", type=int, default=30, help="samples of setData/bridge")
    parser.add_argument("--tabbed", type=Path, required=True, help="the tabbed example app")
    args = parser.parse_args(argv)
    _env()
    from finclip_desktop.shell.testing import ShellHarness

    result: dict[str, Any] = {}
    errors: dict[str, str] = {}
    with ShellHarness() as harness:
        try:
            page = Page(harness.open_folder(BENCH_APP))
        except Exception as exc:  # noqa: BLE001 - reported as the reason of null figures
            page = None
            errors.update(
                dict.fromkeys(
                    (f for figures, _ in GROUPS.values() for f in figures), f"bench app: {exc}"
                )
            )
        for figures, measure in GROUPS.values() if page is not None else ():
            try:
                result.update(measure(page, args.runs, args.warmup, args.micro))
            except Exception as exc:  # noqa: BLE001
                errors.update(dict.fromkeys(figures, f"{type(exc).__name__}: {exc}"))
        try:
            result.update(measure_warm(harness, args.tabbed, args.runs, args.warmup))
        except Exception as exc:  # noqa: BLE001
            errors.update(dict.fromkeys(WARM_FIGURES, f"{type(exc).__name__}: {exc}"))
    result["errors"] = errors
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
