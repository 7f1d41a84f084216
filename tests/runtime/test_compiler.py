"""Compiler unit tests: expressions, WXML constructs, WXSS, and error messages (no Qt)."""

# ruff: noqa: E501 - the mini-apps under test are inline WXML/JS source

from __future__ import annotations

import pytest

from finclip_desktop.runtime import CompileError, build_app
from finclip_desktop.runtime.compiler.expr import compile_expression
from finclip_desktop.runtime.compiler.wxml import FileCompiler, make_resolver
from finclip_desktop.runtime.compiler.wxss import Scope, compile_wxss
from finclip_desktop.runtime.errors import Source
from tests.runtime.apps import compile_error


def expr(text: str) -> str:
    return compile_expression(Source("t.wxml", text), 0, len(text))


def wxml(text: str, files: dict[str, str] | None = None, path: str = "p/a.wxml") -> str:
    names = set(files or {}) | {path}
    return FileCompiler(Source(path, text), make_resolver(names, path)).compile()


APP_SCOPE = Scope("app")


def css(text: str, scope: Scope = APP_SCOPE, extra: dict[str, str] | None = None) -> str:
    parts = compile_wxss("a.wxss", {"a.wxss": text, **(extra or {})}, scope)
    return "".join(f"<{p}rpx>" if isinstance(p, float) else p for p in parts)


# ------------------------------------------------------------------------ expressions
@pytest.mark.parametrize(
    ("source", "code"),
    [
        ("a", 's["a"]'),
        ("a.b", 'C.m(s["a"],"b")'),
        ("a[0]", 'C.m(s["a"],(0))'),
        ("a['x y']", 'C.m(s["a"],"x y")'),
        ("1 + 2 * 3", "((1)+((2)*(3)))"),
        ("(1 + 2) * 3", "(((1)+(2))*(3))"),
        ("a ? 'x' : 'y'", '(s["a"]?"x":"y")'),
        ("!a && b || c", '(((!s["a"])&&s["b"])||s["c"])'),
        ("a === 1", '(s["a"]===(1))'),
        ("a ?? 'd'", '(s["a"]??"d")'),
        ("typeof a", '(typeof s["a"])'),
        ("-a", '(-s["a"])'),
        ("true", "true"),
        ("null", "null"),
        ("undefined", "void 0"),
        ("[1, ...a]", '[(1),...s["a"]]'),
        ("{a: 1, b}", '({"a":(1),"b":s["b"]})'),
        ("{...a, 'k': 2}", '({...s["a"],"k":(2)})'),
        ("m.f(x, 2)", 'C.c(s["m"],"f",[s["x"],(2)])'),
        ("'\\u0041\\n'", '"A\\n"'),
        ("a: 1, b: 2", '({"a":(1),"b":(2)})'),
        ("...item, fmt", '({...s["item"],"fmt":s["fmt"]})'),
    ],
)
def test_expressions_compile_to_safe_js(source, code):
    assert expr(source) == code


def test_names_never_reach_globals():
    # identifiers always read the scope object, member access always goes through C.m
    assert expr("window") == 's["window"]'
    assert expr("a.constructor") == 'C.m(s["a"],"constructor")'


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("a +", "1:4: unexpected end of expression, expected a value"),
        ("a b", "1:3: unexpected 'b', expected end of expression"),
        ("'abc", "1:1: unterminated string literal"),
        ("a = 1", "1:3: unexpected character '=' in expression"),
        ("a ? b", "1:6: unexpected end of expression, expected ':'"),
        ("a.", "1:3: unexpected end of expression, expected a property name"),
        ("", "1:1: empty expression inside {{ }}"),
        ("f(1", "1:4: unexpected end of expression, expected ','"),
        ("a; b", "1:2: unexpected character ';' in expression"),
    ],
)
def test_expression_errors_name_line_and_column(source, message):
    assert compile_error(expr, source) == f"t.wxml:{message}"


# ------------------------------------------------------------------------ WXML
def test_text_and_attribute_bindings():
    code = wxml('<view class="a {{b}}" id="{{x}}">Hi {{name}}!</view>')
    assert 'C.e("view",{"class":("a "+C.s(s["b"])),"id":s["x"]},null,' in code
    assert 'C.t(("Hi "+C.s(s["name"])+"!"))' in code


def test_single_binding_keeps_its_type():
    assert '"count":s["n"]' in wxml('<comp count="{{n}}"/>')
    assert '"flag":true' in wxml("<comp flag/>")


def test_if_elif_else_chain():
    code = wxml('<view wx:if="{{a}}">A</view><view wx:elif="{{b}}">B</view><view wx:else>C</view>')
    assert code.count("?") == 2
    assert '(s["a"]?[' not in code  # each branch is one element, not a list
    assert 'C.t("C")' in code


def test_else_without_if_is_an_error():
    with pytest.raises(CompileError, match=r"p/a.wxml:1:1: wx:else without a preceding wx:if"):
        wxml("<view wx:else>x</view>")


def test_for_with_item_index_and_key():
    code = wxml(
        '<view wx:for="{{list}}" wx:for-item="row" wx:for-index="i" wx:key="id">'
        "{{i}}:{{row.name}}</view>"
    )
    assert 'C.l(s,s["list"],"id","row","i",function(s){' in code
    assert wxml('<view wx:for="{{l}}" wx:key="*this"/>').count('"*this"') == 1
    assert 'C.l(s,s["l"],null,"item","index"' in wxml('<view wx:for="{{l}}">{{item}}</view>')


def test_for_and_if_on_one_element_filters_items():
    code = wxml('<view wx:for="{{l}}" wx:if="{{item.on}}">x</view>')
    assert code.index("C.l(") < code.index('C.m(s["item"],"on")')


def test_block_renders_only_children():
    code = wxml("<block><view>a</view><text>b</text></block>")
    assert '"block"' not in code


def test_events_all_forms():
    code = wxml(
        '<view bindtap="a" catch:tap="b" capture-bind:tap="c" capture-catchtap="d" '
        'mut-bind:tap="e" bind:my-event="f" bindtouchstart="{{h}}"/>'
    )
    for part in (
        '["tap",0,"a"]',
        '["tap",1,"b"]',
        '["tap",2,"c"]',
        '["tap",3,"d"]',
        '["tap",4,"e"]',
        '["my-event",0,"f"]',
        '["touchstart",0,s["h"]]',
    ):
        assert part in code


def test_dataset_attributes_are_kept_for_the_runtime():
    assert '"data-user-id":s["u"]' in wxml('<view data-user-id="{{u}}"/>')


def test_model_binding():
    code = wxml('<input model:value="{{form.name}}"/>')
    assert '"value":C.m(s["form"],"name")' in code
    assert '["value",8,"form.name"]' in code
    with pytest.raises(CompileError, match="must bind a data path"):
        wxml('<input model:value="{{a + b}}"/>')


def test_templates_import_include():
    files = {"t/row.wxml": '<template name="row">{{x}}</template>', "t/inc.wxml": "<view/>"}
    code = wxml(
        '<import src="/t/row.wxml"/><include src="../t/inc"/>'
        '<template is="row" data="{{...item, x: 1}}"/>'
        '<template name="local"><text>{{y}}</text></template>',
        files,
    )
    assert '"i":' not in code and 'i:["t/row.wxml"]' in code
    assert 'C.inc("t/inc.wxml",s)' in code
    assert 'C.tpl(M,"row",({...s["item"],"x":(1)}))' in code
    assert 'M.t["local"]=function(s)' in code


def test_missing_import_is_an_error_at_the_attribute():
    assert (
        compile_error(wxml, '<view/>\n<import src="nope.wxml"/>')
        == "p/a.wxml:2:14: imported file 'nope.wxml' not found"
    )


def test_slots_default_and_named():
    code = wxml('<view><slot/><slot name="footer"></slot></view>')
    assert 'C.slot("")' in code and 'C.slot("footer")' in code


def test_wxs_inline_and_src():
    src = '<wxs module="m">module.exports = {f: function(x){return x*2}};</wxs>'
    compiler = FileCompiler(
        Source("p/a.wxml", src + '<wxs src="./u.wxs" module="u"/>{{m.f(1)}}'),
        make_resolver({"p/a.wxml", "p/u.wxs"}, "p/a.wxml"),
    )
    code = compiler.compile()
    assert '"m":C.req("p/a.wxml#m")' in code and '"u":C.req("p/u.wxs")' in code
    assert compiler.inline_wxs == [("p/a.wxml#m", "module.exports = {f: function(x){return x*2}};")]


def test_void_tags_and_comments():
    code = wxml('<!-- note --><view><input value="a"><image src="x"></image></view>')
    assert '"input"' in code and '"image"' in code and "note" not in code


def test_entities_are_decoded_in_text():
    assert 'C.t("a < b & c")' in wxml("<view>a &lt; b &amp; c</view>")


def test_quotes_inside_bindings_do_not_end_attributes():
    assert '"x y"' in wxml('<view class="{{a ? \'x y\' : "z"}}"/>')


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("<view>", "1:1: <view> is never closed, expected </view>"),
        ("<view></text>", "1:7: unexpected </text>, expected </view>"),
        ("</view>", "1:1: unexpected closing tag </view>, no element is open"),
        ("<view>{{a</view>", "1:7: unterminated '{{', expected '}}'"),
        ('<view a="1" a="2"/>', "1:13: duplicate attribute 'a' on <view>"),
        ('<view wx:fro="{{a}}"/>', "1:7: unknown directive 'wx:fro'"),
        ("<view>\n  {{ a + }}</view>", "2:10: unexpected end of expression, expected a value"),
        ('<view class="{{a.}}"/>', "1:18: unexpected end of expression, expected a property name"),
        ("<!-- x", "1:1: unterminated comment, expected '-->'"),
        ("<template/>", "1:1: <template> needs a name or an is attribute"),
        ("<wxs>x</wxs>", "1:1: <wxs> needs a module attribute"),
    ],
)
def test_wxml_errors_name_file_line_and_column(source, message):
    assert compile_error(wxml, source) == f"p/a.wxml:{message}"


# ------------------------------------------------------------------------ WXSS
def test_rpx_is_kept_symbolic():
    assert (
        css(".a{width:750rpx;margin:-10.5rpx 2px}") == ".a{width:<750.0rpx>;margin:<-10.5rpx> 2px}"
    )


def test_tags_and_page_selector():
    assert css("view .x, page{color:red}") == "wx-view .x,wx-page{color:red}"
    assert css("text>button{} scroll-view{}") == "wx-text>wx-button{}\nwx-scroll-view{}"


def test_page_styles_are_scoped_to_their_page():
    out = css(".row{a:b} page{c:d}", Scope("page", "pages/list/list"))
    assert 'wx-page[route="pages/list/list"] .row{a:b}' in out
    assert 'wx-page[route="pages/list/list"]{c:d}' in out


def test_component_classes_are_prefixed():
    out = css(".card .title:hover, :host{x:y}", Scope("component", "c3"))
    assert out == ".c3-card .c3-title:hover,.c3-host{x:y}"


@pytest.mark.parametrize(
    ("source", "compiled"),
    [
        ("view:nth-child(odd){}", "wx-view:nth-child(odd){}"),
        (
            "li:nth-of-type(even), :nth-last-child(2n + 1){}",
            "wx-li:nth-of-type(even),:nth-last-child(2n + 1){}",
        ),
        (":lang(en) text:dir(rtl){}", ":lang(en) wx-text:dir(rtl){}"),
        ("view:not(.a, text){}", "wx-view:not(.a,wx-text){}"),
        (
            ":is(.x, view) > .y::after, :where(button){}",
            ":is(.x,wx-view) > .y::after,:where(wx-button){}",
        ),
        (".a:nth-child(2n+1 of .b, view){}", ".a:nth-child(2n+1 of .b,wx-view){}"),
        (
            '[title="a view, b"] .z, view[type=radio]{}',
            '[title="a view, b"] .z,wx-view[type=radio]{}',
        ),
    ],
)
def test_pseudo_class_arguments_are_rewritten_only_where_they_are_selectors(source, compiled):
    assert css(source) == compiled


def test_component_styles_touch_only_the_components_nodes():
    out = css(
        "view .x, text:first-child, *, :hover, #id, [data-a], .ok #id, .q{}",
        Scope("component", "c3"),
    )
    assert (
        out
        == 'wx-view[fc-c="c3"] .c3-x,wx-text[fc-c="c3"]:first-child,[fc-c="c3"],[fc-c="c3"]:hover,.c3-q{}'
    )
    assert (
        css("#only{}", Scope("component", "c3")) == ""
    )  # WeChat: id selectors have no effect there
    assert css(":not(.a){}", Scope("component", "c3")) == '[fc-c="c3"]:not(.c3-a){}'


def test_shared_component_styles_are_global():
    assert css("view .x, #i{}", Scope("component", "c3", shared=True)) == "wx-view .x,#i{}"


def test_import_media_and_keyframes():
    out = css(
        '@import "b.wxss";\n@media (min-width: 100px){view{a:b}}\n@keyframes k{from{x:1}}',
        extra={"b.wxss": ".b{width:10rpx}"},
    )
    assert ".b{width:<10.0rpx>}" in out
    assert "@media (min-width: 100px){wx-view{a:b}}" in out
    assert "@keyframes k{from{x:1}}" in out


@pytest.mark.parametrize(
    ("source", "message"),
    [
        (".a{color:red", "a.wxss:1:3: unclosed '{', expected '}'"),
        (".a{}\n}", "a.wxss:2:1: unexpected '}'"),
        ('@import "missing.wxss";', "a.wxss:1:10: imported stylesheet 'missing.wxss' not found"),
    ],
)
def test_wxss_errors(source, message):
    assert compile_error(css, source) == message


# ------------------------------------------------------------------------ build_app
APP = {
    "app.json": b'{"pages": ["pages/a/a"], "usingComponents": {"x-c": "/comp/c"}}',
    "app.js": b"App({})",
    "pages/a/a.wxml": b"<x-c>hi</x-c>",
    "pages/a/a.js": b"Page({})",
    "pages/a/a.wxss": b".a{width:10rpx}",
    "comp/c.json": b'{"component": true}',
    "comp/c.wxml": b"<view><slot/></view>",
    "comp/c.js": b"Component({})",
}


def test_build_app_outputs_only_under_fc():
    out = build_app(APP)
    assert set(out) == {
        "__fc__/index.html",
        "__fc__/view.js",
        "__fc__/view.css",
        "__fc__/region.json",
        "__fc__/caniuse.js",
        "__fc__/app-view.js",
        "__fc__/service.js",
        "__fc__/isolated.js",
        *(f"__fc__/mod/{n}.js" for n in range(5)),  # app.js, 2 templates, 2 js modules
    }
    html = out["__fc__/index.html"].decode()
    assert "<script>" not in html and 'src="view.js"' in html
    service = out["__fc__/service.js"].decode()
    assert '__fc.define("pages/a/a.js"' in service and '__fc.wxml("comp/c.wxml"' in service


def test_framework_uses_no_eval():
    out = build_app(APP)
    for name in ("__fc__/view.js", "__fc__/service.js"):
        text = out[name].decode()
        assert "eval(" not in text and "new Function" not in text


def test_build_errors_are_compile_errors():
    with pytest.raises(CompileError, match=r"^app.json:1:1: file is missing$"):
        build_app({})
    with pytest.raises(CompileError, match=r"^app.json:1:2: invalid JSON"):
        build_app({**APP, "app.json": b"{,}"})
    with pytest.raises(CompileError, match=r"^pages/a/a.wxml:1:1: <x-c> is never closed"):
        build_app({**APP, "pages/a/a.wxml": b"<x-c>"})
    with pytest.raises(CompileError, match=r"^app.json:1:\d+: component '/nope' not found$"):
        build_app(
            {**APP, "app.json": b'{"pages": ["pages/a/a"], "usingComponents": {"n": "/nope"}}'}
        )
    with pytest.raises(CompileError, match="page 'pages/b/b' has no pages/b/b.wxml"):
        build_app({**APP, "app.json": b'{"pages": ["pages/b/b"]}'})
    with pytest.raises(CompileError, match=r"^pages/a/a.wxml:1:1: not UTF-8"):
        build_app({**APP, "pages/a/a.wxml": b"\xff\xfe<"})


def test_compile_error_has_fields():
    err = CompileError("a.wxml", 3, 7, "boom")
    assert (err.file, err.line, err.column, err.message) == ("a.wxml", 3, 7, "boom")
    assert str(err) == "a.wxml:3:7: boom"


def test_build_is_cached_by_content():
    first = build_app(APP)
    assert build_app(dict(APP)) == first
    changed = build_app({**APP, "pages/a/a.wxml": b"<x-c>changed</x-c>"})
    assert changed["__fc__/service.js"] != first["__fc__/service.js"]


def test_wxs_cannot_see_logic_layer_globals():
    service = build_app({**APP, "u.wxs": b"module.exports = 1;"})["__fc__/service.js"].decode()
    start = service.index('__fc.define("u.wxs"')
    assert "return (function(require,wx,App,Page,Component," in service[start : start + 300]
