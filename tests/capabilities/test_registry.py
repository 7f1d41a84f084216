"""The registry contract: every failure is a fail result, never an exception."""

from __future__ import annotations

import time
from concurrent.futures import Future
from importlib.metadata import EntryPoint

import pytest

from finclip_desktop.capabilities import registry as registry_module
from finclip_desktop.capabilities.errors import CapabilityError
from finclip_desktop.capabilities.registry import (
    KINDS,
    Capability,
    Registry,
    describe,
    event_name,
)
from finclip_desktop.capabilities.schema import Arg

NOT_A_STRING = "echo:fail parameter error: value should be String instead of Number"


def refuse(ctx, args):
    raise CapabilityError("nope")


def echo(ctx, args):
    return {"echo": args.get("value")}


@pytest.fixture
def reg():
    r = Registry(max_workers=2)
    r.register(
        Capability("echo", echo, {"value": Arg("String", required=True, max_len=5)}),
        Capability("pick", echo, {"value": Arg("String", enum=("a", "b"))}),
        Capability("secret", echo, None, scope="scope.secret"),
        Capability("boom", lambda ctx, args: 1 / 0, None),
        Capability(
            "refuse", lambda ctx, args: (_ for _ in ()).throw(CapabilityError("nope")), None
        ),
        Capability("slow", lambda ctx, args: time.sleep(0.2) or {}, None, blocking=True),
        Capability("toast", kind="view"),
    )
    yield r
    r.shutdown()


def result(reg, ctx, api, args=None):
    return reg.invoke(ctx, api, args).result(timeout=5)


def test_success_adds_ok_errmsg(reg, ctx):
    assert result(reg, ctx, "echo", {"value": "hi"}) == {"errMsg": "echo:ok", "echo": "hi"}


@pytest.mark.parametrize(
    ("api", "args", "reason"),
    [
        ("nothing", {}, "nothing:fail not supported"),
        ("echo", {}, "echo:fail parameter error: value is required"),
        ("echo", {"value": 3}, NOT_A_STRING),
        ("echo", {"value": "toolong"}, "echo:fail parameter error: value is longer than 5"),
        ("echo", [1], "echo:fail parameter error: arguments should be Object instead of Array"),
        ("pick", {"value": "c"}, "pick:fail parameter error: value should be one of a, b"),
        ("boom", {}, "boom:fail internal error"),
        ("refuse", {}, "refuse:fail nope"),
        ("toast", {}, "toast:fail is a view API answered by the runtime, not the host"),
        (None, {}, "None:fail not supported"),
    ],
)
def test_failures_resolve_never_raise(reg, ctx, api, args, reason):
    assert result(reg, ctx, api, args)["errMsg"] == reason


def test_undeclared_scope_fails_without_asking(reg, make_ctx):
    ctx = make_ctx(permissions=())
    assert result(reg, ctx, "secret")["errMsg"] == (
        "secret:fail permission scope.secret is not declared by the app"
    )
    assert ctx.ask_permission.asked == []


def test_denied_consent_fails_and_granted_runs(reg, make_ctx):
    denied = make_ctx(permissions=("scope.secret",), consent=False)
    assert result(reg, denied, "secret")["errMsg"] == "secret:fail auth deny"
    granted = make_ctx(permissions=("scope.secret",), consent=True)
    assert result(reg, granted, "secret", {"value": "x"})["errMsg"] == "secret:ok"
    assert granted.ask_permission.asked == ["scope.secret"]


def test_consent_answered_later_holds_the_call(reg, make_ctx):
    pending: Future[bool] = Future()
    ctx = make_ctx(permissions=("scope.secret",), ask_permission=lambda scope: pending)
    future = reg.invoke(ctx, "secret", {})
    assert not future.done()
    pending.set_result(True)
    assert future.result(timeout=5)["errMsg"] == "secret:ok"


def test_handler_returning_a_future(ctx):
    later: Future = Future()
    reg = Registry()
    reg.register(Capability("later", lambda c, a: later, None))
    future = reg.invoke(ctx, "later", {})
    later.set_result({"n": 1})
    assert future.result(timeout=5) == {"errMsg": "later:ok", "n": 1}


def test_blocking_calls_run_off_thread_and_flood_is_bounded(reg, ctx, monkeypatch):
    monkeypatch.setattr(registry_module, "MAX_PENDING_PER_APP", 3)
    futures = [reg.invoke(ctx, "slow", {}) for _ in range(5)]
    results = [f.result(timeout=5)["errMsg"] for f in futures]
    assert results.count("slow:ok") == 3
    assert results.count("slow:fail too many pending calls") == 2
    assert reg.invoke(ctx, "slow", {}).result(timeout=5)["errMsg"] == "slow:ok"


def test_register_refuses_duplicates_and_bad_kinds(reg):
    with pytest.raises(ValueError, match="already registered"):
        reg.register(Capability("echo", echo, None))
    with pytest.raises(ValueError, match="kind"):
        Capability("x", echo, None, kind="weird")
    with pytest.raises(ValueError, match="no handler"):
        Capability("x", kind="async")


def test_plugins_from_entry_points(monkeypatch, ctx):
    def plugin_register(registry):
        return [Capability("pluginB", echo, None)]

    module = type("M", (), {})()
    module.cap = Capability("pluginA", echo, None)
    module.register = plugin_register
    module.broken = lambda registry: 1 / 0
    monkeypatch.setitem(__import__("sys").modules, "fake_plugin_mod", module)
    eps = [
        EntryPoint("a", "fake_plugin_mod:cap", registry_module.ENTRY_POINT_GROUP),
        EntryPoint("b", "fake_plugin_mod:register", registry_module.ENTRY_POINT_GROUP),
        EntryPoint("c", "fake_plugin_mod:broken", registry_module.ENTRY_POINT_GROUP),
    ]
    monkeypatch.setattr(registry_module, "entry_points", lambda group: eps)
    reg = Registry()
    assert reg.load_plugins() == ["a", "b"]
    assert reg.invoke(ctx, "pluginB", {"value": "v"}).result()["echo"] == "v"
    assert "pluginA" in reg


def test_installed_plugins_are_found_without_a_full_metadata_scan(monkeypatch, tmp_path):
    """A distribution on sys.path that declares the group is found (through
    importlib.metadata, as installed); with none declaring it the answer is empty."""
    group = registry_module.ENTRY_POINT_GROUP
    monkeypatch.syspath_prepend(str(tmp_path))
    assert not registry_module.group_declared(group)
    assert list(registry_module.entry_points(group)) == []
    dist = tmp_path / "finclip_demo_plugin-1.0.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: finclip-demo-plugin\n")
    (dist / "entry_points.txt").write_text(f"[{group}]\ndemo = finclip_demo_plugin:cap\n")
    assert registry_module.group_declared(group)
    assert [(ep.name, ep.value) for ep in registry_module.entry_points(group)] == [
        ("demo", "finclip_demo_plugin:cap")
    ]


def test_default_registry_describes_every_family():
    described = describe()
    names = [d["name"] for d in described]
    assert names == sorted(names) and len(names) == len(set(names))
    assert {d["kind"] for d in described} <= set(KINDS)
    expected = ["setStorage", "getStorageSync", "request", "getSystemInfoSync", "showToast",
                "getClipboardData", "FileSystemManager.readFile", "getLocation",
                "login"]  # fmt: skip
    for api in expected:
        assert api in names, api
    by_name = {d["name"]: d for d in described}
    assert by_name["getClipboardData"]["scope"] == "scope.clipboardRead"
    assert by_name["showToast"]["kind"] == "view"
    assert by_name["getStorageSync"]["kind"] == "sync"


def test_event_names():
    assert event_name("onNetworkStatusChange") == "networkStatusChange"
    assert event_name("onAppShow") == "appShow"
    assert event_name("offAppShow") == "appShow"


def test_event_listeners_come_with_their_off_twin(registry):
    kinds = {d["name"]: d["kind"] for d in registry.describe()}
    for name in ("NetworkStatusChange", "AppShow", "AppHide", "ThemeChange"):
        assert kinds["on" + name] == kinds["off" + name] == "event"


def test_observers_see_every_call(reg, ctx):
    seen = []
    reg.add_observer(lambda app_id, api, ok, ms: seen.append((app_id, api, ok, ms >= 0)))
    reg.add_observer(lambda *a: 1 / 0)  # a broken observer changes nothing
    assert result(reg, ctx, "echo", {"value": "x"})["errMsg"] == "echo:ok"
    result(reg, ctx, "nothing")
    result(reg, ctx, "slow")
    assert seen == [
        ("com.example.demo", "echo", True, True),
        ("com.example.demo", "nothing", False, True),
        ("com.example.demo", "slow", True, True),
    ]


def test_one_apps_slow_calls_do_not_hold_another_app(reg, make_ctx):
    busy, other = make_ctx("com.example.busy"), make_ctx("com.example.other")
    flood = [reg.invoke(busy, "slow", {}) for _ in range(6)]  # 3 rounds on 2 workers
    started = time.monotonic()
    assert reg.invoke(other, "slow", {}).result(timeout=5)["errMsg"] == "slow:ok"
    assert time.monotonic() - started < 0.4
    assert all(f.result(timeout=5)["errMsg"] == "slow:ok" for f in flood)
