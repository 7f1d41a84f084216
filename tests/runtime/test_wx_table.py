"""The generated wx API table (runtime/wx_table.py) is what the capability registry
describes, and build_app ships the registry's table when plugins add APIs."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

from finclip_desktop.capabilities import registry as registry_module
from finclip_desktop.capabilities.registry import (
    CallContext,
    Capability,
    Registry,
    builtin_capabilities,
)
from finclip_desktop.runtime import build, build_app, wx_table
from finclip_desktop.runtime.build import api_table

ROOT = Path(__file__).resolve().parents[2]


def generator():
    spec = importlib.util.spec_from_file_location("gen_wx_table", ROOT / "scripts/gen_wx_table.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_generated_table_is_current():
    gen = generator()
    table = gen.builtin_table()
    assert list(wx_table.BUILTIN_APIS) == table, (
        "runtime/wx_table.py is stale: run python scripts/gen_wx_table.py"
    )
    assert gen.TARGET.read_text(encoding="utf-8") == gen.render(table)


def test_rows_carry_arguments_in_schema_order_and_result_fields():
    rows = {name: tuple(row) for name, *row in wx_table.BUILTIN_APIS}
    assert rows["getStorageSync"] == ("sync", (("key", None),), ())
    assert rows["canIUse"] == ("view", (), ())
    assert rows["request"][1][-1] == ("responseType", ("text", "arraybuffer"))
    assert "safeArea.left" in rows["getSystemInfoSync"][2]


def test_sync_apis_get_their_positional_arguments_in_the_worker_config():
    built = build_app({"app.json": b'{"pages": ["p"]}', "p.wxml": b"<view/>", "p.js": b"Page({})"})
    config = built["__fc__/service.js"].decode().split("\n__fc.config=", 1)[1].split(";\n", 1)[0]
    apis = {name: (kind, args) for name, kind, args in json.loads(config)["apis"]}
    assert apis["setStorageSync"] == ("sync", ["key", "data"])
    assert apis["setStorage"] == ("async", [])


def test_without_plugins_the_app_gets_the_static_table(monkeypatch):
    monkeypatch.setattr(registry_module, "entry_points", lambda group: [])
    assert build._api_list() is wx_table.BUILTIN_APIS


def test_with_a_plugin_the_app_gets_the_registrys_table(monkeypatch):
    plugged = Registry()
    plugged.register(registry_module.builtin_capabilities())
    plugged.register(Capability("myPluginApi", handler=lambda ctx, args: {}))
    monkeypatch.setattr(registry_module, "entry_points", lambda group: ["a plugin"])
    monkeypatch.setattr(registry_module, "default_registry", lambda: plugged)
    apis = build._api_list()
    assert ("myPluginApi", "async", (), ()) in apis
    assert apis == api_table(plugged)


def leaves(value, prefix=""):
    """Dotted paths of a result's fields (an empty object counts as a field)."""
    if isinstance(value, dict) and value:
        return [path for k, v in value.items() for path in leaves(v, f"{prefix}{k}.")]
    return [prefix[:-1]]


def test_declared_result_fields_are_what_the_handlers_answer(tmp_path):
    registry = Registry()
    registry.register(builtin_capabilities())
    ctx = CallContext("t.app", tmp_path)
    declared = [cap for cap in map(registry.get, registry.names()) if cap.returns]
    assert {"getSystemInfoSync", "getWindowInfo", "getNetworkType"} <= {c.name for c in declared}
    for cap in declared:
        result = registry.invoke(ctx, cap.name, {}).result(timeout=5)
        assert result.pop("errMsg") == f"{cap.name}:ok"
        assert sorted(leaves(result)) == sorted(cap.returns), cap.name
