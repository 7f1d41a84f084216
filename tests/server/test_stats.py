"""Stats ingestion is idempotent by batch id; the summary and CSV export add up."""

from __future__ import annotations

import csv
import io
import json
import uuid
from datetime import UTC, datetime

import httpx

APP = "com.example.demo"


def events(day: str) -> list[dict]:
    ts = f"{day}T10:00:00Z"
    return [
        {"type": "launch", "app_id": APP, "ts": ts},
        {"type": "page_view", "app_id": APP, "ts": ts, "name": "pages/index/index"},
        {
            "type": "api_call",
            "app_id": APP,
            "ts": ts,
            "name": "request",
            "result": "ok",
            "duration_ms": 10,
        },
        {
            "type": "api_call",
            "app_id": APP,
            "ts": ts,
            "name": "request",
            "result": "fail",
            "duration_ms": 30,
        },
        {"type": "api_call", "app_id": APP, "ts": ts, "name": "getStorage", "result": "ok"},
        {"type": "error", "app_id": APP, "ts": ts, "message": "TypeError: x is undefined"},
    ]


def test_batches_are_idempotent(live_db):
    live = live_db
    device, _ = live.device()
    other, _ = live.device()
    batch = {"batch_id": str(uuid.uuid4()), "events": events("2026-03-01")}
    assert device.post("/api/v1/stats", json=batch) == {"accepted": 6, "duplicate": False}
    # A retry (say the reply was lost) stores nothing more.
    assert device.post("/api/v1/stats", json=batch) == {"accepted": 6, "duplicate": True}
    ms = int(datetime(2026, 3, 2, 9, tzinfo=UTC).timestamp() * 1000)
    second = {
        "batch_id": str(uuid.uuid4()),
        "events": [{"type": "launch", "app_id": APP, "ts": ms}],
    }
    assert other.post("/api/v1/stats", json=second)["accepted"] == 1
    summary = live.admin.get(
        "/api/v1/stats/summary", params={"from": "2026-03-01", "to": "2026-03-02"}
    )
    daily = summary["daily"]
    assert daily["launch"] == {"2026-03-01": 1, "2026-03-02": 1}
    assert daily["api_call"]["2026-03-01"] == 3 and daily["error"]["2026-03-01"] == 1
    assert daily["active_devices"] == {"2026-03-01": 1, "2026-03-02": 1}
    assert summary["apps"] == [
        {"app_id": APP, "launch": 2, "page_view": 1, "api_call": 3, "error": 1, "devices": 2}
    ]
    assert summary["apis"] == [
        {"app_id": APP, "api": "request", "calls": 2, "failures": 1, "avg_ms": 20.0},
        {"app_id": APP, "api": "getStorage", "calls": 1, "failures": 0, "avg_ms": None},
    ]
    text = live.admin.call(
        "GET",
        "/api/v1/stats/export.csv",
        params={"kind": "apis", "from": "2026-03-01", "to": "2026-03-02"},
    ).text
    assert list(csv.reader(io.StringIO(text))) == [
        ["app_id", "api", "calls", "failures", "avg_ms"],
        [APP, "request", "2", "1", "20.0"],
        [APP, "getStorage", "1", "0", ""],
    ]
    daily_csv = live.admin.call(
        "GET", "/api/v1/stats/export.csv", params={"from": "2026-03-01", "to": "2026-03-03"}
    ).text
    rows = list(csv.reader(io.StringIO(daily_csv)))
    assert rows[0] == ["day", "launch", "page_view", "api_call", "error", "active_devices"]
    assert rows[1:] == [
        ["2026-03-01", "1", "1", "3", "1", "1"],
        ["2026-03-02", "1", "0", "0", "0", "1"],
        ["2026-03-03", "0", "0", "0", "0", "0"],
    ]


def test_bad_batches_are_refused_whole(live):
    device, _ = live.device()
    bad = [
        ({"events": []}, "batch_id must be a uuid"),
        ({"batch_id": str(uuid.uuid4()) + "\n", "events": []}, "batch_id must be a uuid"),
        (
            {"batch_id": str(uuid.uuid4()), "events": [{"type": "x", "app_id": APP, "ts": 1}]},
            "events[0].type must be one of launch, page_view, api_call, error, custom",
        ),
        (
            {
                "batch_id": str(uuid.uuid4()),
                "events": [{"type": "launch", "app_id": APP, "ts": "y"}],
            },
            "events[0].ts must be unix seconds/milliseconds or ISO 8601",
        ),
        (
            {"batch_id": str(uuid.uuid4()), "events": [{"type": "launch", "ts": 1}]},
            "events[0].app_id must be an app id",
        ),
    ]
    for body, message in bad:
        assert device.call("POST", "/api/v1/stats", json=body, expect=400).json() == {
            "error": message
        }
    # Out-of-range numbers (JSON as Python writes it: NaN and Infinity are tokens) name
    # their field; nothing reaches int() or the database.
    for duration in (float("nan"), float("inf"), -float("inf"), 1e300, -1, 2**31):
        event = {"type": "api_call", "app_id": APP, "ts": 1_700_000_000, "duration_ms": duration}
        text = json.dumps({"batch_id": str(uuid.uuid4()), "events": [{"type": "launch",
                           "app_id": APP, "ts": 1_700_000_000}, event]})  # fmt: skip
        answer = device.call("POST", "/api/v1/stats", content=text, expect=400,
                             headers={"Content-Type": "application/json"}).json()  # fmt: skip
        assert answer == {
            "error": f"events[1].duration_ms must be a number from 0 to {2**31 - 1}"
        }, duration
    for ts in (float("nan"), float("inf"), 1e300, -5):
        text = json.dumps({"batch_id": str(uuid.uuid4()),
                           "events": [{"type": "launch", "app_id": APP, "ts": ts}]})  # fmt: skip
        answer = device.call("POST", "/api/v1/stats", content=text, expect=400,
                             headers={"Content-Type": "application/json"}).json()  # fmt: skip
        assert answer == {"error": "events[0].ts must be unix seconds/milliseconds or ISO 8601"}
    summary = live.admin.get(
        "/api/v1/stats/summary", params={"from": "1970-01-01", "to": "1970-01-02"}
    )
    assert summary["apps"] == []
    live.admin.call("GET", "/api/v1/stats/summary", params={"from": "2026-02-30"}, expect=400)


def test_login_codes(live):
    live.setup_app(APP)
    body = live.admin.post("/api/v1/apps", json={"app_id": "com.example.two", "org": live.org})
    secret = body["app_secret"]
    device, _ = live.device()
    code = device.post("/api/v1/login/code", json={"app_id": "com.example.two"})
    assert code["expires_in"] == 300 and len(code["code"]) >= 20
    anon = live.api("x")
    exchange = {"app_id": "com.example.two", "app_secret": secret, "code": code["code"]}
    anon.call("POST", "/api/v1/login/session", json={**exchange, "app_secret": "no"}, expect=401)
    openid = anon.post("/api/v1/login/session", json=exchange)["openid"]
    assert len(openid) == 32
    # Codes work once; the openid is stable per device and app.
    anon.call("POST", "/api/v1/login/session", json=exchange, expect=400)
    code2 = device.post("/api/v1/login/code", json={"app_id": "com.example.two"})["code"]
    assert anon.post("/api/v1/login/session", json={**exchange, "code": code2})["openid"] == openid
    device.call("POST", "/api/v1/login/code", json={"app_id": "com.nope"}, expect=404)


def test_concurrent_retries_store_a_batch_once(live_db):
    from concurrent.futures import ThreadPoolExecutor

    live = live_db
    device, _ = live.device()
    batch = {"batch_id": str(uuid.uuid4()), "events": events("2026-04-01")}
    headers = dict(device.http.headers)

    def send(_: int) -> dict:
        import httpx

        return httpx.post(
            live.url + "/api/v1/stats", json=batch, headers=headers, timeout=30
        ).json()

    with ThreadPoolExecutor(6) as pool:
        answers = list(pool.map(send, range(6)))
    assert sorted(a["duplicate"] for a in answers) == [False] + [True] * 5
    assert all(a["accepted"] == 6 for a in answers)
    summary = live.admin.get(
        "/api/v1/stats/summary", params={"from": "2026-04-01", "to": "2026-04-01"}
    )
    assert summary["apps"][0]["launch"] == 1 and summary["apps"][0]["api_call"] == 3


def test_batches_survive_a_server_restart(tmp_path):
    from finclip_desktop.server import embedded
    from finclip_desktop.server.config import Settings
    from tests.server.conftest import Api

    settings = Settings(data_dir=tmp_path / "s")
    first = embedded.start(settings)
    reg = Api(first.url).post("/api/v1/devices/register", json={"name": "pc", "platform": "linux"})
    auth = f"Device {reg['device_id']}:{reg['device_secret']}"
    batch = {"batch_id": str(uuid.uuid4()), "events": events("2026-05-01")}
    assert Api(first.url, auth).post("/api/v1/stats", json=batch)["duplicate"] is False
    first.stop()
    second = embedded.start(settings)
    try:
        # The client never saw the reply and retries after the restart: nothing doubles.
        assert Api(second.url, auth).post("/api/v1/stats", json=batch) == {
            "accepted": 6,
            "duplicate": True,
        }
        with second.server.session() as session:
            from sqlalchemy import func, select

            from finclip_desktop.server.models import Event

            assert session.scalar(select(func.count()).select_from(Event)) == 6
    finally:
        second.stop()


def test_request_bodies_are_capped(tmp_path):
    from finclip_desktop.server.config import Settings
    from tests.server.conftest import make_live

    for live in make_live(Settings(data_dir=tmp_path / "s", max_body_bytes=10_000)):
        device, _ = live.device()
        big = {"batch_id": str(uuid.uuid4()), "events": events("2026-03-01") * 100}
        resp = device.call("POST", "/api/v1/stats", json=big, expect=413)
        assert resp.json() == {"error": "request body is over 10000 bytes"}

        def chunks():
            yield b'{"batch_id": "x",'
            yield b'"events": []}'

        resp = device.call("POST", "/api/v1/stats", content=chunks(), expect=411)
        assert resp.json() == {"error": "a request body needs a Content-Length"}
        small = {"batch_id": str(uuid.uuid4()), "events": events("2026-03-01")}
        assert device.post("/api/v1/stats", json=small)["accepted"] == 6


def test_custom_events_are_counted_by_name(live):
    """``wx.reportEvent`` arrives as ``custom`` events: totals per (app, event name) in the
    summary and the CSV export, apart from the launch/page/API series."""
    one, _ = live.device()
    two, _ = live.device()
    ts = "2026-06-01T08:00:00Z"

    def custom(name: str, data: str) -> dict:
        return {"type": "custom", "app_id": APP, "ts": ts, "name": name, "message": data}

    batch = [custom("purchase", '{"sku":"a"}'), custom("purchase", '{"sku":"b"}'),
             custom("share", "{}"), {"type": "launch", "app_id": APP, "ts": ts}]  # fmt: skip
    one.post("/api/v1/stats", json={"batch_id": str(uuid.uuid4()), "events": batch})
    two.post("/api/v1/stats", json={"batch_id": str(uuid.uuid4()),
                                    "events": [custom("purchase", "{}")]})  # fmt: skip
    params = {"from": "2026-06-01", "to": "2026-06-01"}
    summary = live.admin.get("/api/v1/stats/summary", params=params)
    assert summary["events"] == [
        {"app_id": APP, "event": "purchase", "count": 3, "devices": 2},
        {"app_id": APP, "event": "share", "count": 1, "devices": 1},
    ]
    assert summary["apps"] == [
        {"app_id": APP, "launch": 1, "page_view": 0, "api_call": 0, "error": 0, "devices": 2}
    ]
    assert summary["daily"]["launch"] == {"2026-06-01": 1}
    text = live.admin.call(
        "GET", "/api/v1/stats/export.csv", params={**params, "kind": "events"}
    ).text
    assert list(csv.reader(io.StringIO(text))) == [
        ["app_id", "event", "count", "devices"],
        [APP, "purchase", "3", "2"],
        [APP, "share", "1", "1"],
    ]
    with httpx.Client(base_url=live.url, timeout=30) as web:  # and on the dashboard
        web.post("/dashboard/login", data={"token": live.token})
        html = web.get("/dashboard", params=params).text
    assert f"<td>{APP}</td><td><code>purchase</code></td><td>3</td><td>2</td>" in html
