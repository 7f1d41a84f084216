"""Build-time JS checks, the ESM -> CommonJS rewrite and WXS restrictions (no Qt)."""

# ruff: noqa: E501 - the sources under test are inline JavaScript

from __future__ import annotations

from pathlib import Path

import pytest

from finclip_desktop.runtime import CompileError
from finclip_desktop.runtime.compiler.cache import Files, digests
from finclip_desktop.runtime.compiler.esm import to_commonjs
from finclip_desktop.runtime.compiler.jscheck import check_js
from finclip_desktop.runtime.compiler.modules import js_module, wxs_module
from finclip_desktop.runtime.errors import Source
from tests.runtime.apps import compile_error

ROOT = Path(__file__).resolve().parents[2]

# valid ES2023 a syntax check must never refuse (each line checked by a real engine)
MODERN = r"""#!/usr/bin/env node
'use strict';
const a = { b: { c: [1, 2] } }, fn = null;
const v = a?.b?.c?.[0] ?? fn?.(1) ?? 0, cond = v ?.5 : 1;
let x = 1; x ??= 2; x ||= 3; x &&= 4; x **= 2;
const big = 10n ** 20n, sep = 1_000_000.5e-3, hex = 0xFF_FF, oct = 0o17, bin = 0b1010, dots = 1..toString();
class Counter extends Object {
  #count = 0
  static instances = 0
  static #secret = 'x'
  label = `n=${this.#count}`
  static { Counter.instances = 0 }
  get value() { return this.#count }
  set value(v) { this.#count = v }
  #bump() { this.#count++ }
  static async *stream() { yield* [1, 2] }
  has(o) { return #count in o }
}
async function load(list) {
  for await (const item of list) { await item }
  try { JSON.parse('{') } catch { return null } finally { x++ }
  const { p = 1, ...rest } = { p: 2, q: 3 };
  const [first, , third = 3, ...others] = [1, 2];
  return { ...rest, first, third, others, [`k${x}`]: 1, 'quoted': 2, 3: 'three', async m() {}, *g() {}, get get() { return 1 }, set: 5, async: 6, static: 7, of: 8 };
}
const re = /[/\]]+(?<year>\d{4})(?<=x)\p{L}/giu, re2 = /a.b/s, re3 = /=/g, re4 = /[(]/;
const division = x / 2 / 3, ratio = (x + 1) / 2, arr = [x][0] / 2;
const tag = String.raw`a\n${x}b${`nested ${`deep ${x}`}`}`;
const arrow = async (p) => { await p }, arrow2 = async p => p, arrow3 = () => ({ a: 1 });
label: for (let i = 0, n = 3; i < n; i++) { if (i) continue label; else break label }
for (const [k, val] of Object.entries(a)) {}
if (x) /re/.test('re'); else /x/.exec('x')
switch (x) { case 1: { break } default: }
do x--; while (x > 0)
const html = 1 <!-- an HTML-like comment
--> another one
const obj = { if: 1, for: 2, class: 3, new: 4, default: 5, return: 6 };
obj.for; Promise.resolve().catch(); a.if?.(x); obj.return / 2;
const ternary = x ? { a: 1 } : { b: 2 }, inc = x++ + ++x;
const gen = function* () { const y = yield; yield y }
void 0, typeof x === 'number', delete obj.if;
const ünïcödé = 1, $ = 2, _ = 3, \u0061bc = 4;
const str = 'it\'s', str2 = "say \"hi\"", str3 = 'line\
continued';
x = x
++x
;[1, 2].forEach(n => n)
;(function () {})()
const holes = [, , 1, ], fnDefault = function ({ a = 1, b: { c } = {} } = {}, ...args) { return args }
function trailing(a, b,) {} trailing(1, 2,);
function r() {
  return
  { x: 1 }
}
"""


def check(text: str, path: str = "p.js") -> None:
    check_js(Source(path, text))


def test_modern_javascript_is_accepted():
    check(MODERN)
    module = js_module("p.js", MODERN)
    assert module.startswith('__fc.define("p.js",function(require,module,exports){//')  # hashbang
    assert module.count("\n") == MODERN.count("\n") + 1


def test_the_framework_and_the_examples_pass_the_check():
    sources = [
        *(ROOT / "finclip_desktop/runtime/js").glob("*.js"),
        *(ROOT / "resources/examples").rglob("*.js"),
    ]
    assert len(sources) > 5
    for path in sources:
        check(path.read_text("utf-8"), str(path))


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("Page({", "1:6: '{' is never closed, expected '}'"),
        ("Page({\n  data: {}\n  onLoad() {}\n})", "3:3: unexpected 'onLoad', expected ',' or '}'"),
        ("Page({ data: { a: 1; } })", "1:20: unexpected ';' in an expression, expected ',' or '}'"),
        ("var s = 'abc\nvar t = 1", "1:9: unterminated string literal"),
        ("var t = `abc ${x}", "1:9: unterminated template literal, expected '`'"),
        ("var r = /abc\nfoo", "1:9: unterminated regular expression literal"),
        ("/* never closed", "1:1: unterminated comment, expected '*/'"),
        ("foo(]", "1:5: unexpected ']', expected ')' to close '(' at 1:4"),
        ("foo())", "1:6: unexpected ')', no bracket is open"),
        ("var a = 1 @ 2", "1:11: unexpected character '@'"),
        ("f(a,,b)", "1:5: unexpected ',': expected an expression"),
        ("var x = [1, 2\n 3]", "2:2: unexpected number 3, expected ',' or ']'"),
        ("if () {}", "1:5: empty condition, expected an expression before ')'"),
        ("var x = `${}`", "1:10: empty '${}' in a template literal, expected an expression"),
        ("var n = 3in [1]", "1:10: an identifier or number cannot follow a number directly"),
        ("f(a +)", "1:6: unexpected ')': expected an expression after '+'"),
        ("var o = { a: 1 'b': 2 }", "1:16: unexpected string 'b', expected ',' or '}'"),
        ("const r = /x/gg", "1:14: invalid regular expression flags 'gg'"),
        ("var e = \\u00zz", "1:9: invalid escape in an identifier, expected \\uXXXX"),
        (
            "Page({ onLoad() { this.setData({ a: 1 ) } })",
            "1:39: unexpected ')', expected '}' to close '{' at 1:32",
        ),
    ],
)
def test_common_mistakes_name_line_column_and_what_was_expected(source, message):
    assert compile_error(check, source) == f"p.js:{message}"


# ------------------------------------------------------------------------ ESM
def commonjs(text: str) -> str | None:
    src = Source("m.js", text)
    return to_commonjs(src, check_js(src))


def test_commonjs_modules_are_left_alone():
    assert (
        commonjs(
            "const a = require('./a');\nmodule.exports = { a, import: 1, export: 2 };\nobj.import(x)"
        )
        is None
    )


def test_esm_rewrite_keeps_every_line_in_place():
    text = "import {\n  a,\n  b as c\n} from './m'\nexport const d = a + c\nexport default function () { return d }\nconsole.log(d)\n"
    out = commonjs(text)
    assert out is not None and out.count("\n") == text.count("\n")
    lines = out.split("\n")
    assert lines[1:4] == [" " * len(line) for line in text.split("\n")[1:4]]  # blanked
    assert lines[4] == "       const d = a + c" and lines[6] == "console.log(d)"
    assert lines[0].startswith("'use strict';Object.defineProperty(exports,'__esModule'")
    assert "function __fc_def () { return d }" in lines[5]


@pytest.mark.parametrize(
    ("source", "message"),
    [
        (
            "export const { a, b } = o",
            "m.js:1:14: destructuring in an export declaration is not supported; declare the names, then export { a, b }",
        ),
        (
            "import x from './m' with { type: 'json' }",
            "m.js:1:21: import attributes are not supported",
        ),
        ("console.log(import.meta.url)", "m.js:1:13: import.meta is not supported"),
        (
            "function f() { export const a = 1 }",
            "m.js:1:16: 'export' is only allowed at the top level of a module",
        ),
        ("import { a } from m", "m.js:1:19: expected the module path as a string"),
        ("export 42", "m.js:1:8: expected a declaration, '{', '*' or 'default' after 'export'"),
    ],
)
def test_unsupported_esm_forms_are_compile_errors(source, message):
    assert compile_error(commonjs, source) == message


# ------------------------------------------------------------------------ WXS
def wxs(code: str, files: dict[str, bytes] | None = None, path: str = "u/m.wxs") -> str:
    all_files = {path.split("#")[0]: code.encode(), **(files or {})}
    return wxs_module(path, code, Files(all_files, digests(all_files)))


def test_wxs_runs_in_the_restricted_environment():
    code = wxs("var b = require('./b.wxs');\nmodule.exports = { d: getDate() };", {"u/b.wxs": b""})
    start = code.index("return (function(require,")
    params = code[start : code.index(")", start)]
    for hidden in ("wx", "App", "getApp", "self", "globalThis", "fetch", "Date", "setTimeout"):
        assert f",{hidden}," in params + ","
    assert "WXS can only require .wxs modules" in code  # the runtime guard for require(x)


@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("var d = new Date();", "u/m.wxs:1:13: WXS has no Date, use getDate() instead"),
        (
            "var s = require('../utils/secret.js');",
            "u/m.wxs:1:17: WXS can only require .wxs modules, not '../utils/secret.js'",
        ),
        (
            "var s = require('/u/b.wxs');",
            "u/m.wxs:1:17: require '/u/b.wxs': WXS needs a relative path (./ or ../)",
        ),
        ("var s = require('./nope.wxs');", "u/m.wxs:1:17: WXS module './nope.wxs' not found"),
        (
            "export default 1",
            "u/m.wxs:1:1: WXS modules use module.exports and require(), not export",
        ),
        ("module.exports = {", "u/m.wxs:1:18: '{' is never closed, expected '}'"),
    ],
)
def test_wxs_restrictions_are_compile_errors(code, message):
    assert compile_error(wxs, code, {"u/b.wxs": b""}) == message


def test_inline_wxs_resolves_requires_from_its_page():
    code = wxs(
        "var b = require('./b.wxs'); module.exports = b;",
        {"p/b.wxs": b"", "p/a.wxml": b""},
        "p/a.wxml#m",
    )
    assert code.startswith('__fc.define("p/a.wxml#m"')
    with pytest.raises(CompileError, match=r"^p/a.wxml#m:1:17: WXS module './c.wxs' not found$"):
        wxs("var c = require('./c.wxs');", {"p/a.wxml": b""}, "p/a.wxml#m")
