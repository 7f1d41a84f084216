"""wx storage: per app, persisted in SQLite, quota enforced, crash-safe."""

from __future__ import annotations

import subprocess
import sys
import textwrap

from finclip_desktop.capabilities import storage


def test_set_get_remove_clear_info(ctx, call):
    assert call(ctx, "setStorage", {"key": "a", "data": {"n": [1, "二"]}}) == {
        "errMsg": "setStorage:ok"
    }
    assert call(ctx, "setStorageSync", {"key": "b", "data": 3.5})["errMsg"] == "setStorageSync:ok"
    assert call(ctx, "getStorage", {"key": "a"}) == {
        "errMsg": "getStorage:ok",
        "data": {"n": [1, "二"]},
    }
    assert call(ctx, "getStorageSync", {"key": "b"})["data"] == 3.5
    info = call(ctx, "getStorageInfoSync")
    assert info["keys"] == ["a", "b"] and info["limitSize"] == 10240 and info["currentSize"] >= 1
    call(ctx, "removeStorage", {"key": "a"})
    assert call(ctx, "getStorage", {"key": "a"})["errMsg"] == "getStorage:fail data not found"
    assert call(ctx, "getStorageSync", {"key": "a"}) == {"errMsg": "getStorageSync:ok", "data": ""}
    call(ctx, "clearStorageSync")
    assert call(ctx, "getStorageInfo")["keys"] == []


def test_null_and_overwrite(ctx, call):
    call(ctx, "setStorage", {"key": "k", "data": None})
    assert call(ctx, "getStorage", {"key": "k"})["data"] is None
    call(ctx, "setStorage", {"key": "k", "data": "v2"})
    assert call(ctx, "getStorageSync", {"key": "k"})["data"] == "v2"
    assert call(ctx, "getStorageInfoSync")["keys"] == ["k"]


def test_batch(ctx, call):
    kv = [{"key": "x", "value": 1}, {"key": "y", "value": [2]}]
    assert call(ctx, "batchSetStorageSync", {"kvList": kv})["errMsg"] == "batchSetStorageSync:ok"
    got = call(ctx, "batchGetStorage", {"keyList": ["y", "x", "z"]})
    assert got["dataList"] == [[2], 1, ""]
    assert call(ctx, "batchGetStorageSync", {"keyList": ["x"]})["data"] == [1]
    bad = call(ctx, "batchSetStorage", {"kvList": [{"value": 1}]})
    assert bad["errMsg"] == "batchSetStorage:fail parameter error: kvList[0].key should be String"


def test_bad_arguments(ctx, call):
    assert call(ctx, "setStorage", {"key": 1, "data": 2})["errMsg"] == (
        "setStorage:fail parameter error: key should be String instead of Number"
    )
    assert call(ctx, "getStorageSync", {})["errMsg"] == (
        "getStorageSync:fail parameter error: key is required"
    )


def test_quota_is_enforced_and_leaves_data_intact(ctx, call):
    chunk = "x" * (1024 * 1024 - 100)
    for i in range(10):
        result = call(ctx, "setStorage", {"key": f"k{i}", "data": chunk})
        assert result["errMsg"] == "setStorage:ok", i
    over = call(ctx, "setStorage", {"key": "k10", "data": chunk})
    assert over["errMsg"] == "setStorage:fail exceed storage max size 10Mb"
    assert call(ctx, "getStorageSync", {"key": "k10"})["data"] == ""
    # Overwriting an existing key with a same-size value still fits.
    assert (
        call(ctx, "setStorageSync", {"key": "k0", "data": chunk})["errMsg"] == "setStorageSync:ok"
    )
    too_big = call(ctx, "setStorage", {"key": "big", "data": "y" * (1024 * 1024 + 1)})
    assert too_big["errMsg"] == "setStorage:fail exceed storage item max size 1Mb"
    kv = [{"key": "k1", "value": 1}, {"key": "n", "value": chunk}, {"key": "m", "value": chunk}]
    batch = call(ctx, "batchSetStorage", {"kvList": kv})
    assert batch["errMsg"].startswith("batchSetStorage:fail exceed storage max size")
    assert call(ctx, "getStorageSync", {"key": "k1"})["data"] == chunk  # whole batch rolled back


def test_apps_are_isolated(make_ctx, call):
    a, b = make_ctx("com.example.a"), make_ctx("com.example.b")
    call(a, "setStorage", {"key": "secret", "data": "a's"})
    assert call(b, "getStorage", {"key": "secret"})["errMsg"] == "getStorage:fail data not found"
    assert call(b, "getStorageInfoSync")["keys"] == []


def test_survives_restart(make_ctx, call):
    first = make_ctx()
    call(first, "setStorage", {"key": "kept", "data": [1, 2]})
    first.close()
    again = make_ctx()
    assert call(again, "getStorageSync", {"key": "kept"})["data"] == [1, 2]


def test_survives_a_killed_process(tmp_path, make_ctx, call):
    """A process that dies right after setStorage returned ok has still stored the value."""
    db = tmp_path / "apps" / "com.example.demo" / storage.DB_NAME
    script = textwrap.dedent(
        f"""
        import os
        from pathlib import Path
        from finclip_desktop.capabilities.storage import KeyValueStore
        store = KeyValueStore(Path({str(db)!r}))
        store.set_many([("crash", "survived")])
        os._exit(9)
        """
    )
    proc = subprocess.run([sys.executable, "-c", script], timeout=60)
    assert proc.returncode == 9
    ctx = make_ctx()
    assert call(ctx, "getStorageSync", {"key": "crash"})["data"] == "survived"


def test_lone_surrogates(ctx, call, caplog):
    """A JS string may hold a lone surrogate: values keep it, keys are refused clearly."""
    value = {"text": "a\ud800b", "list": ["\udfff"]}
    assert call(ctx, "setStorage", {"key": "k", "data": value})["errMsg"] == "setStorage:ok"
    assert call(ctx, "getStorageSync", {"key": "k"})["data"] == value
    bad_key = "parameter error: key is not valid text (a lone surrogate)"
    for api, args in (
        ("setStorageSync", {"key": "\ud800", "data": 1}),
        ("getStorage", {"key": "x\udc00"}),
        ("removeStorage", {"key": "\ud800"}),
    ):
        assert call(ctx, api, args) == {"errMsg": f"{api}:fail {bad_key}"}
    batch = call(ctx, "batchSetStorage", {"kvList": [{"key": "ok", "value": 1},
                                                      {"key": "\ud800", "value": 2}]})  # fmt: skip
    assert batch == {"errMsg": f"batchSetStorage:fail {bad_key}"}
    assert call(ctx, "getStorageInfoSync")["keys"] == ["k"]  # all or nothing
    assert "Traceback" not in caplog.text and "internal error" not in caplog.text
