"""The dashboard in real headless Chromium (Playwright with Debian's chromium)."""

from __future__ import annotations

import csv
import io
import os
import shutil
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tests.server.conftest import Api

CHROMIUM = "/usr/bin/chromium"
APP = "com.example.demo"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not Path(CHROMIUM).exists(), reason=f"{CHROMIUM} is absent (apt-get install chromium)"
    ),
]


def seed(live) -> None:
    live.setup_app(APP)
    live.setup_app("com.example.notes")
    live.publish("1.0.0")
    live.publish("1.0.0", app_id="com.example.notes")
    live.upload("1.1.0")
    live.admin.post(f"/api/v1/apps/{APP}/versions/1.1.0/submit", json={})
    today = datetime.now(UTC).replace(hour=12, minute=0, second=0, microsecond=0)
    for n in range(3):
        device, _ = live.device(name=f"pc{n}")
        evs = []
        for back in range(7):
            ts = (today - timedelta(days=back)).isoformat()
            for app_id in (APP, "com.example.notes")[: 1 + (n + back) % 2]:
                evs += [{"type": "launch", "app_id": app_id, "ts": ts}]
                evs += [
                    {"type": "page_view", "app_id": app_id, "ts": ts, "name": "pages/index/index"}
                ] * 3
                evs += [
                    {
                        "type": "api_call",
                        "app_id": app_id,
                        "ts": ts,
                        "name": api,
                        "result": "ok",
                        "duration_ms": 5,
                    }
                    for api in ("request", "getStorageSync", "request")
                ][: 1 + back % 3]
            if back % 3 == 0:
                evs.append({"type": "error", "app_id": APP, "ts": ts, "message": f"TypeError #{n}"})
        device.post("/api/v1/stats", json={"batch_id": str(uuid.uuid4()), "events": evs})


@pytest.fixture
def browser():
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--headless", "--disable-gpu", "--disable-background-networking"],
        )
        yield browser
        browser.close()


def test_dashboard_in_chromium(live, browser, tmp_path):
    seed(live)
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, accept_downloads=True)
    page = context.new_page()
    page.goto(live.url + "/dashboard")
    assert page.url.endswith("/dashboard/login")
    page.fill("input[name=token]", "wrong")
    page.click("button[type=submit]")
    assert page.inner_text("#err") == "invalid API token"
    page.fill("input[name=token]", live.token)
    page.click("button[type=submit]")
    page.wait_for_url("**/dashboard")

    # Charts: inline SVG drawn by the server, with real numbers.
    assert page.locator("svg.chart").count() == 5
    assert page.locator("polyline[data-series='launches']").count() == 1
    labels = page.locator("svg.chart rect[data-label]").evaluate_all(
        "els => els.map(e => [e.dataset.label, Number(e.dataset.value)])"
    )
    per_app = dict(labels[:2])
    summary = live.admin.get("/api/v1/stats/summary")
    assert per_app == {a["app_id"]: a["api_call"] for a in summary["apps"]}
    box = page.locator("svg.chart").first.bounding_box()
    assert box["width"] > 300 and box["height"] > 150
    assert "TypeError #0" in page.inner_text("#errors")
    shot = tmp_path / "dashboard.png"
    page.screenshot(path=str(shot), full_page=True)
    if os.environ.get("FINCLIP_SCREENSHOT_DIR"):
        shutil.copy(shot, Path(os.environ["FINCLIP_SCREENSHOT_DIR"]) / "dashboard.png")

    # Date range and app filters.
    today = datetime.now(UTC).date()
    page.fill("input[name=from]", (today - timedelta(days=2)).isoformat())
    page.select_option("select[name=app_id]", APP)
    page.click("#filters button[type=submit]")
    page.wait_for_url(f"**app_id={APP}**")
    rows = page.locator("#per-app tr").all_inner_texts()
    assert len(rows) == 2 and rows[1].startswith(APP)
    points = page.locator("polyline[data-series='launches']").get_attribute("points")
    assert len(points.split()) == 3

    # CSV export for the chosen range.
    with page.expect_download() as info:
        page.click("#csv-daily")
    text = Path(info.value.path()).read_text()
    table = list(csv.reader(io.StringIO(text)))
    assert table[0][0] == "day" and len(table) == 4
    assert sum(int(r[1]) for r in table[1:]) > 0

    # Apps, review and release from the browser.
    page.click("header >> text=Apps")
    assert page.locator(f"#apps tr[data-app='{APP}']").inner_text().count("1.0.0") == 1
    page.click(f"text={APP}")
    row = page.locator("#versions tr[data-version='1.1.0']")
    assert row.locator(".state").inner_text() == "submitted"
    row.locator("button:text('Approve')").click()
    assert page.inner_text("#msg") == "approve 1.1.0: done"
    row = page.locator("#versions tr[data-version='1.1.0']")
    assert row.locator(".state").inner_text() == "approved"
    row.locator("input[name=percent]").fill("25")
    row.locator("input[name=channels]").fill("beta, qa")
    row.locator("button:text('Gray release')").click()
    assert page.inner_text("#gray") == "1.1.0"
    assert page.inner_text("#gray-channels") == "channels beta, qa"
    page.locator("button:text('Promote gray to everyone')").click()
    assert page.inner_text("#released") == "1.1.0"
    # A failing action shows the server's one-line reason.
    row = page.locator("#versions tr[data-version='1.0.0']")
    row.locator("input[name=reason]").fill("bad build")
    row.locator("button:text('Roll back to this')").click()
    assert page.inner_text("#released") == "1.0.0"
    assert live.admin.get(f"/api/v1/apps/{APP}")["release"]["version"] == "1.0.0"

    # Devices: the ones that sent stats are listed.
    page.click("header >> text=Devices")
    assert page.locator("#devices tr").count() == 1 + 3
    assert "pc2" in page.inner_text("#devices")

    # Audit log lists what the browser did, by whom and why.
    page.click("header >> text=Audit log")
    audit = page.inner_text("#audit")
    assert "version.rollback" in audit and "bad build" in audit and "version.gray" in audit
    context.close()


def test_dashboard_refuses_cross_origin_forms(live):
    live.setup_app(APP)
    live.upload("1.0.0")
    live.admin.post(f"/api/v1/apps/{APP}/versions/1.0.0/submit", json={})
    client = Api(live.url)
    client.http.cookies.set("finclip_token", live.token)
    resp = client.call(
        "POST",
        f"/dashboard/apps/{APP}/action",
        expect=403,
        data={"action": "approve", "version": "1.0.0"},
        headers={"Origin": "https://evil.example"},
    )
    assert resp.text == "cross-origin form refused"
    assert live.admin.get(f"/api/v1/apps/{APP}")["versions"][0]["state"] == "submitted"
    # Without the cookie the dashboard sends people to sign in.
    resp = Api(live.url).call("GET", "/dashboard/apps", expect=303, follow_redirects=False)
    assert resp.headers["location"] == "/dashboard/login"
