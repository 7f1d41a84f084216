"""build_app: app.json checks with positions, npm lookup, the per-file cache, pack (no Qt)."""

# ruff: noqa: E501 - the mini-apps under test are inline sources

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from finclip_desktop.runtime import CompileError, build_app
from finclip_desktop.runtime.compiler.cache import CompileCache
from tests.runtime.apps import compile_error, make_app

ROOT = Path(__file__).resolve().parents[2]


def app_with(app_json: dict | str, extra: dict[str, str] | None = None) -> dict[str, bytes]:
    text = app_json if isinstance(app_json, str) else json.dumps(app_json, indent=2)
    files = make_app({"pages/a/a": {}}, extra=extra)
    return {**files, "app.json": text.encode()}


def error_of(files: dict[str, bytes]) -> str:
    return compile_error(build_app, files, cache=CompileCache())


# ------------------------------------------------------------------------ app.json
@pytest.mark.parametrize(
    ("app_json", "message"),
    [
        (
            {"pages": ["pages/a/a"], "subpackages": ["x"]},
            "app.json:6:5: subpackages[0] must be an object with 'root' and 'pages'",
        ),
        (
            {"pages": ["pages/a/a"], "subPackages": "sub"},
            "app.json:5:18: 'subPackages' must be a list of {root, pages} objects",
        ),
        (
            {"pages": ["pages/a/a"], "subpackages": [{"root": "s", "pages": "p"}]},
            "app.json:8:16: subpackages[0].pages must be a list of page paths",
        ),
        (
            {"pages": ["pages/a/a"], "subpackages": [{"pages": ["p"]}]},
            "app.json:6:5: subpackages[0] needs a 'root' folder",
        ),
        (
            {"pages": ["pages/a/a"], "subpackages": [{"root": "s", "pages": ["p"]}]},
            "app.json:9:9: page 's/p' has no s/p.wxml",
        ),
        ({"pages": ["pages/a/a", 7]}, "app.json:4:5: 'pages'[1] must be a page path"),
        ({"pages": []}, "app.json:2:12: 'pages' must list at least one page"),
        (
            {"pages": ["pages/a/a"], "entryPagePath": "pages/zz/zz"},
            "app.json:5:20: entryPagePath 'pages/zz/zz' is not one of the pages",
        ),
        (
            {"pages": ["pages/a/a"], "preloadRule": {"pages/a/a": {"packages": "s"}}},
            "app.json:6:18: preloadRule['pages/a/a'].packages must be a list of names",
        ),
        (
            {"pages": ["pages/a/a"], "usingComponents": {"x-y": 3}},
            "app.json:6:12: usingComponents['x-y'] must be a path",
        ),
        (
            {"pages": ["pages/a/a"], "usingComponents": {"x-y": "/nope"}},
            "app.json:6:12: component '/nope' not found",
        ),
    ],
)
def test_bad_app_json_names_the_key_line_and_column(app_json, message):
    assert error_of(app_with(app_json)) == message


def test_deeply_nested_json_is_a_clear_error():
    message = error_of(
        app_with('{"pages": ["pages/a/a"], "x": ' + "[" * 100000 + "]" * 100000 + "}")
    )
    assert message.startswith("app.json:1:1: invalid JSON")


# ------------------------------------------------------------------------ npm
NPM = {
    "miniprogram_npm/@vant/weapp/button/index.json": '{"component": true, "usingComponents": {"van-icon": "../icon/index"}}',
    "miniprogram_npm/@vant/weapp/button/index.wxml": "<button><van-icon/><slot/></button>",
    "miniprogram_npm/@vant/weapp/button/index.js": "Component({})",
    "miniprogram_npm/@vant/weapp/icon/index.json": '{"component": true}',
    "miniprogram_npm/@vant/weapp/icon/index.wxml": "<text>i</text>",
    "miniprogram_npm/@vant/weapp/icon/index.js": "Component({})",
    "miniprogram_npm/badge/index.wxml": "<text>b</text>",
    "miniprogram_npm/badge/index.js": "Component({})",
    "pages/a/miniprogram_npm/badge/index.wxml": "<text>near</text>",
    "pages/a/miniprogram_npm/badge/index.js": "Component({})",
}


def components_of(files: dict[str, bytes]) -> dict:
    out = build_app(files, cache=CompileCache())["__fc__/service.js"].decode()
    config = json.loads(out.split("\n__fc.config=", 1)[1].split(";\n", 1)[0])
    return config


def test_usingcomponents_find_npm_packages_in_miniprogram_npm():
    files = make_app(
        {
            "pages/a/a": {
                "json": {
                    "usingComponents": {
                        "van-button": "@vant/weapp/button/index",
                        "x-badge": "badge",
                    }
                }
            },
            "pages/b/b": {"json": {"usingComponents": {"x-badge": "badge"}}},
        },
        extra=NPM,
    )
    config = components_of(files)
    assert (
        config["pages"]["pages/a/a"]["using"]["van-button"]
        == "miniprogram_npm/@vant/weapp/button/index"
    )
    # the nearest miniprogram_npm wins (the page's own folder, then each parent)
    assert config["pages"]["pages/a/a"]["using"]["x-badge"] == "pages/a/miniprogram_npm/badge/index"
    assert config["pages"]["pages/b/b"]["using"]["x-badge"] == "miniprogram_npm/badge/index"
    # the package's own relative usingComponents resolve inside it
    assert (
        config["components"]["miniprogram_npm/@vant/weapp/button/index"]["using"]["van-icon"]
        == "miniprogram_npm/@vant/weapp/icon/index"
    )


def test_a_missing_npm_component_is_a_compile_error():
    files = make_app(
        {"pages/a/a": {"json": {"usingComponents": {"x": "@vant/weapp/nope/index"}}}}, extra=NPM
    )
    assert error_of(files) == "pages/a/a.json:1:27: component '@vant/weapp/nope/index' not found"


def test_relative_paths_do_not_fall_back_to_npm():
    files = make_app({"pages/a/a": {"json": {"usingComponents": {"x": "./badge"}}}}, extra=NPM)
    assert error_of(files) == "pages/a/a.json:1:27: component './badge' not found"


# ------------------------------------------------------------------------ cache
def test_rebuilds_compile_only_the_changed_files():
    files = make_app(
        {
            "pages/a/a": {
                "wxml": '<import src="/t/row.wxml"/><view>a</view>',
                "wxss": '@import "/s/base.wxss"; .a{}',
            },
            "pages/b/b": {"wxml": "<view>b</view>", "wxss": ".b{}"},
        },
        extra={
            "t/row.wxml": '<template name="row">r</template>',
            "s/base.wxss": ".base{}",
            "u/m.wxs": "module.exports = 1;",
        },
    )
    cache = CompileCache()
    first = build_app(files, cache=cache)
    # app.js, 2 page js, 3 wxml, 2 page wxss, the wxs module
    assert cache.compiles == 9
    assert build_app(dict(files), cache=cache) == first and cache.compiles == 9
    build_app({**files, "pages/b/b.wxml": b"<view>b2</view>"}, cache=cache)
    assert cache.compiles == 10
    # a stylesheet imported by a page's: only that page's sheet is compiled again
    out = build_app(
        {**files, "pages/b/b.wxml": b"<view>b2</view>", "s/base.wxss": b".base{color:red}"},
        cache=cache,
    )
    assert cache.compiles == 11 and "color:red" in out["__fc__/app-view.js"].decode()
    # a template a page imports disappears: the page is compiled again (and fails)
    del files["t/row.wxml"]
    with pytest.raises(
        CompileError, match=r"^pages/a/a.wxml:1:14: imported file '/t/row.wxml' not found$"
    ):
        build_app(files, cache=cache)


# ------------------------------------------------------------------------ output
def test_every_module_also_gets_a_file_for_the_isolated_start():
    files = make_app({"pages/a/a": {}}, app_json={"subpackages": [{"root": "sub", "pages": ["p"]}]},
                     extra={"sub/p.wxml": "<view/>", "sub/p.js": "Page({})"})  # fmt: skip
    out = build_app(files, cache=CompileCache())
    config = json.loads(
        out["__fc__/service.js"].decode().split("\n__fc.config=", 1)[1].split(";\n", 1)[0]
    )
    mods = config["mods"]
    assert ["sub/p.js", 0] in mods and ["pages/a/a.js", -1] in mods
    for n, (path, _) in enumerate(mods):
        assert (
            out[f"__fc__/mod/{n}.js"]
            .decode()
            .split("\n", 1)[0]
            .startswith(f"__fc.{'wxml' if path.endswith('.wxml') else 'define'}({json.dumps(path)}")
        )
    assert (
        b'__fc.define("sub/p.js"' in out["__fc__/sub/0.js"]
        and b'"sub/p.js",function' not in out["__fc__/service.js"]
    )
    assert out["__fc__/isolated.js"].decode().endswith("__fc.isolate();__fc.start();")
    assert b'__fc.define("pages/a/a.js"' not in out["__fc__/isolated.js"]
    assert config["entry"] == "pages/a/a"


def test_entry_page_path_is_the_entry():
    files = make_app({"pages/a/a": {}, "pages/b/b": {}}, app_json={"entryPagePath": "pages/b/b"})
    assert components_of(files)["entry"] == "pages/b/b"


def test_component_style_isolation_from_json():
    files = make_app(
        {"pages/a/a": {"json": {"usingComponents": {"x-i": "/c/i", "x-s": "/c/s"}}}},
        extra={"c/i.wxml": "<view/>", "c/i.js": "Component({})", "c/i.wxss": "view{color:red} .t{color:blue}",
               "c/s.wxml": "<view/>", "c/s.js": "Component({})", "c/s.json": '{"styleIsolation": "shared"}', "c/s.wxss": "view{color:green} .t{color:teal}"},
    )  # fmt: skip
    css = build_app(files, cache=CompileCache())["__fc__/app-view.js"].decode()
    assert 'wx-view[fc-c=\\"c0\\"]{color:red}' in css and ".c0-t{color:blue}" in css
    assert "wx-view{color:green}" in css and ".t{color:teal}" in css  # shared: global


# ------------------------------------------------------------------------ pack
FINCLIP = Path(sys.executable).with_name("finclip")


def test_pack_refuses_a_js_syntax_error_in_a_non_entry_page(tmp_path):
    app = tmp_path / "app"
    shutil.copytree(ROOT / "resources/examples/tabbed", app)
    (app / "pages/detail/detail.js").write_text("Page({\n  data: {}\n", "utf-8")
    key = tmp_path / "dev.key"
    assert (
        subprocess.run(
            [str(FINCLIP), "keygen", "--out", str(key)], capture_output=True, timeout=120
        ).returncode
        == 0
    )
    result = subprocess.run([str(FINCLIP), "pack", str(app), "--key", str(key), "-o", str(tmp_path / "a.fcpkg")],
                            capture_output=True, text=True, timeout=120)  # fmt: skip
    assert result.returncode != 0
    assert "pages/detail/detail.js:1:6: '{' is never closed, expected '}'" in result.stderr
    assert "Traceback" not in result.stderr and not (tmp_path / "a.fcpkg").exists()
