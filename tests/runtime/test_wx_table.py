"""The generated wx API table (runtime/wx_table.py) is what the capability registry
describes, and build_app ships the registry's table when plugins add APIs."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

from finclip_desktop.capabilities import registry as registry_module
from finclip_desktop.capabilities.registry import Capability, Registry
from finclip_desktop.runtime import build, wx_table
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
    assert [list(row[:2]) + [list(row[2])] for row in wx_table.BUILTIN_APIS] == table, (
        "runtime/wx_table.py is stale: run python scripts/gen_wx_table.py"
    )
    assert gen.TARGET.read_text(encoding="utf-8") == gen.render(table)


def test_sync_apis_carry_their_positional_arguments():
    rows = {name: (kind, args) for name, kind, args in wx_table.BUILTIN_APIS}
    assert rows["getStorageSync"] == ("sync", ("key",))
    assert rows["canIUse"] == ("view", ())


def test_without_plugins_the_app_gets_the_static_table(monkeypatch):
    monkeypatch.setattr(registry_module, "entry_points", lambda group: [])
    assert build._api_list() == json.loads(json.dumps(wx_table.BUILTIN_APIS))


def test_with_a_plugin_the_app_gets_the_registrys_table(monkeypatch):
    plugged = Registry()
    plugged.register(registry_module.builtin_capabilities())
    plugged.register(Capability("myPluginApi", handler=lambda ctx, args: {}))
    monkeypatch.setattr(registry_module, "entry_points", lambda group: ["a plugin"])
    monkeypatch.setattr(registry_module, "default_registry", lambda: plugged)
    apis = build._api_list()
    assert ["myPluginApi", "async", []] in apis
    assert apis == api_table(plugged)
