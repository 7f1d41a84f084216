"""ES module syntax -> the CommonJS modules the runtime defines (as WeChat's toolchain does).

Supported top-level forms (``'m'`` is any ``require()`` path)::

    import 'm'                          import d from 'm'
    import * as ns from 'm'             import { a, b as c, default as d } from 'm'
    import d, { a } from 'm'            import d, * as ns from 'm'
    export var|let|const a = 1, b       export function f() {}  (also async, generators)
    export class C {}                   export default <expression>
    export default function () {}       export default class {}
    export { a, b as c, d as default }  export { a, default as b } from 'm'
    export * from 'm'                   export * as ns from 'm'
    import('m')                         (a promise of the module, as for ESM)

Exports are live (getters on ``exports``, plus ``__esModule``); a default import of a
CommonJS module is its ``module.exports``. Imported names are bound once, when the
module starts (ESM imports are hoisted; they are not live bindings). Everything the
rewrite adds goes on the module's first line and removed statements become blanks, so
every line keeps its number. Not supported: destructuring in ``export const``,
``import.meta`` and import attributes (``with {...}``); they are compile errors.
"""

from __future__ import annotations

import json

from finclip_desktop.runtime.compiler.jslex import Tok
from finclip_desktop.runtime.errors import Source

_HELPERS = {
    "e": "function __fc_e(n,g){Object.defineProperty(exports,n,{enumerable:true,get:g})}",
    "d": "function __fc_d(m){return m&&m.__esModule?m.default:m}",
    "s": "function __fc_s(m){Object.keys(m).forEach(function(k){if(k!=='default'&&!"
    "Object.prototype.hasOwnProperty.call(exports,k))__fc_e(k,function(){return m[k]})})}",
    "i": "function __fc_i(p){return Promise.resolve().then(function(){var m=require(p);"
    "return m&&m.__esModule?m:Object.assign({default:m},m)})}",
}


def _blank(text: str) -> str:
    """``text`` with everything but its line breaks turned into spaces."""
    return "".join(c if c in "\n\r\u2028\u2029" else " " for c in text)


class _Rewriter:
    def __init__(self, src: Source, tokens: list[Tok]) -> None:
        self.src = src
        self.toks = tokens
        self.edits: list[tuple[int, int, str]] = []  # (start, end, replacement)
        self.exports: list[tuple[str, str]] = []  # (exported name, JS expression)
        self.imports: list[str] = []  # declarations for the prologue
        self.helpers: set[str] = set()
        self.esm = False
        self.count = 0

    # -------------------------------------------------------------------- helpers
    def tok(self, i: int) -> Tok:
        return self.toks[min(i, len(self.toks) - 1)]

    def is_(self, i: int, *values: str) -> bool:
        t = self.tok(i)
        return t.kind in ("name", "punct") and t.value in values

    def fail(self, i: int, message: str) -> Exception:
        return self.src.error(self.tok(i).start, message)

    def expect_name(self, i: int, what: str) -> str:
        t = self.tok(i)
        if t.kind != "name":
            raise self.fail(i, f"expected {what}")
        return t.value

    def module_path(self, i: int) -> str:
        t = self.tok(i)
        if t.kind != "str":
            raise self.fail(i, "expected the module path as a string")
        return t.value

    def temp(self, path_literal: str) -> str:
        name = f"__fc_m{self.count}"
        self.count += 1
        self.imports.append(f"{name}=require({path_literal})")
        return name

    def statement_end(self, i: int) -> int:
        """Index after ``i`` (the module path), taking a ';' and refusing attributes."""
        if self.is_(i + 1, "with", "assert") and not self.tok(i + 1).nl:
            raise self.fail(i + 1, "import attributes are not supported")
        return i + 2 if self.is_(i + 1, ";") else i + 1

    def blank(self, first: int, after: int) -> None:
        start, end = self.tok(first).start, self.tok(after - 1).end
        self.edits.append((start, end, _blank(self.src.text[start:end])))

    # -------------------------------------------------------------------- walk
    def run(self) -> str | None:
        i = 0
        while i < len(self.toks) - 1:
            t = self.toks[i]
            if (
                t.kind == "name"
                and t.value in ("import", "export")
                and not self.is_(i - 1, ".", "?.")
            ):
                i = self.statement(i)
            else:
                i += 1
        if not self.esm and "i" not in self.helpers:
            return None
        return self.output()

    def statement(self, i: int) -> int:
        t = self.toks[i]
        if t.value == "import" and self.is_(i + 1, "("):
            self.helpers.add("i")
            self.edits.append((t.start, t.end, "__fc_i"))
            return i + 1
        if t.value == "import" and self.is_(i + 1, "."):
            raise self.fail(i, "import.meta is not supported")
        if self.is_(i + 1, ":", "(") or (t.value == "export" and self.is_(i + 1, ".")):
            return i + 1  # a property or method named import/export
        if t.depth:
            raise self.fail(i, f"'{t.value}' is only allowed at the top level of a module")
        self.esm = True
        return self.import_(i) if t.value == "import" else self.export(i)

    def import_(self, i: int) -> int:
        j = i + 1
        if self.tok(j).kind == "str":
            self.temp(self.module_path(j))
            end = self.statement_end(j)
            self.blank(i, end)
            return end
        bindings: list[tuple[str, str]] = []  # (local name, imported name or '*')
        default = None
        if self.tok(j).kind == "name" and self.tok(j).value != "from":
            default = self.expect_name(j, "a name")
            j += 1
            if self.is_(j, ","):
                j += 1
        if self.is_(j, "*"):
            if not self.is_(j + 1, "as"):
                raise self.fail(j + 1, "expected 'as' after 'import *'")
            bindings.append((self.expect_name(j + 2, "a name after 'as'"), "*"))
            j += 3
        elif self.is_(j, "{"):
            j = self.specifiers(j, bindings, local_first=False)
        if not self.is_(j, "from"):
            raise self.fail(j, "expected 'from' and the module path")
        path = self.module_path(j + 1)
        mod = self.temp(path)
        if default:
            self.helpers.add("d")
            self.imports.append(f"{default}=__fc_d({mod})")
        for local, imported in bindings:
            if imported == "*":
                self.imports.append(f"{local}={mod}")
            elif imported == "default":
                self.helpers.add("d")
                self.imports.append(f"{local}=__fc_d({mod})")
            else:
                self.imports.append(f"{local}={mod}[{json.dumps(imported)}]")
        end = self.statement_end(j + 1)
        self.blank(i, end)
        return end

    def specifiers(self, j: int, out: list[tuple[str, str]], local_first: bool) -> int:
        """Parse ``{ a, b as c }`` at ``j``; ``out`` gets (local, imported) pairs for
        imports, (local, exported) pairs for exports (``local_first``)."""
        j += 1
        while not self.is_(j, "}"):
            t = self.tok(j)
            if t.kind == "str":
                first = json.loads(t.value) if t.value.startswith('"') else t.value[1:-1]
            else:
                first = self.expect_name(j, "a name or '}'")
            second = first
            if self.is_(j + 1, "as"):
                second = self.expect_name(j + 2, "a name after 'as'")
                j += 2
            out.append((first, second) if local_first else (second, first))
            j += 1
            if self.is_(j, ","):
                j += 1
            elif not self.is_(j, "}"):
                raise self.fail(j, "expected ',' or '}'")
        return j + 1

    def export(self, i: int) -> int:
        j = i + 1
        t = self.tok(j)
        if self.is_(j, "default"):
            return self.export_default(i, j + 1)
        if self.is_(j, "*"):
            k = j + 1
            name = None
            if self.is_(k, "as"):
                name = self.expect_name(k + 1, "a name after 'as'")
                k += 2
            if not self.is_(k, "from"):
                raise self.fail(k, "expected 'from' and the module path")
            mod = self.temp(self.module_path(k + 1))
            if name:
                self.exports.append((name, mod))
            else:
                self.helpers.add("s")
                self.imports.append(f"{mod}_={mod}&&__fc_s({mod})")
            end = self.statement_end(k + 1)
            self.blank(i, end)
            return end
        if self.is_(j, "{"):
            pairs: list[tuple[str, str]] = []
            k = self.specifiers(j, pairs, local_first=True)
            if self.is_(k, "from"):
                mod = self.temp(self.module_path(k + 1))
                for imported, exported in pairs:
                    if imported == "default":
                        self.helpers.add("d")
                        self.exports.append((exported, f"__fc_d({mod})"))
                    else:
                        self.exports.append((exported, f"{mod}[{json.dumps(imported)}]"))
                end = self.statement_end(k + 1)
            else:
                self.exports.extend((exported, local) for local, exported in pairs)
                end = k + 1 if self.is_(k, ";") else k
            self.blank(i, end)
            return end
        if t.kind == "name" and t.value in ("var", "let", "const"):
            self.blank(i, i + 1)
            return self.declarators(j + 1)
        k = j + 1 if self.is_(j, "async") else j
        if self.is_(k, "function", "class"):
            n = k + 2 if self.is_(k + 1, "*") else k + 1
            name = self.expect_name(n, f"a name for the exported {self.tok(k).value}")
            self.exports.append((name, name))
            self.blank(i, i + 1)
            return n + 1
        raise self.fail(j, "expected a declaration, '{', '*' or 'default' after 'export'")

    def declarators(self, j: int) -> int:
        """Collect the names of ``a = 1, b`` (a declaration list after var/let/const)."""
        if self.is_(j, "{", "["):
            raise self.fail(j, "destructuring in an export declaration is not supported; "
                            "declare the names, then export { a, b }")  # fmt: skip
        name = self.expect_name(j, "a name")
        self.exports.append((name, name))
        k = j + 1
        while k < len(self.toks) - 1:
            t, prev = self.toks[k], self.toks[k - 1]
            if t.depth == 0 and t.kind == "punct" and t.value == ";":
                return k + 1
            if t.depth == 0 and t.nl and _value_end(prev) and _new_statement(t):
                return k
            if t.depth == 0 and t.kind == "punct" and t.value == ",":
                return self.declarators(k + 1)
            k += 1
        return k

    def export_default(self, i: int, j: int) -> int:
        k = j + 1 if self.is_(j, "async") and self.is_(j + 1, "function") else j
        if self.is_(k, "function", "class"):
            n = k + 2 if self.is_(k + 1, "*") else k + 1
            named = self.tok(n).kind == "name" and self.tok(n).value != "extends"
            if named:
                self.exports.append(("default", self.tok(n).value))
                self.blank(i, j)
            else:  # anonymous: give the declaration a name (it stays hoisted)
                start, end = self.tok(i).start, self.tok(n - 1).end
                keyword = self.src.text[self.tok(j).start : end]
                self.edits.append((start, end, f"{keyword} __fc_def"))
                self.exports.append(("default", "__fc_def"))
            return n
        start, end = self.tok(i).start, self.tok(j - 1).end
        self.edits.append((start, end, "var __fc_def=".ljust(end - start)))
        self.exports.append(("default", "__fc_def"))
        return j

    # -------------------------------------------------------------------- output
    def output(self) -> str:
        head: list[str] = []
        if self.esm:
            head.append("'use strict';Object.defineProperty(exports,'__esModule',{value:true});")
            self.helpers.add("e")
        head.extend(_HELPERS[h] + ";" for h in "edsi" if h in self.helpers)
        for name, expr in self.exports:
            head.append(f"__fc_e({json.dumps(name)},function(){{return {expr}}});")
        if self.imports:
            head.append("var " + ",".join(self.imports) + ";")
        text = self.src.text
        out, pos = [], 0
        for start, end, replacement in sorted(self.edits):
            out.append(text[pos:start])
            out.append(replacement)
            pos = end
        out.append(text[pos:])
        return "".join(head) + "".join(out)


def _value_end(tok: Tok) -> bool:
    if tok.kind in ("num", "str", "regex", "name", "private"):
        return True
    if tok.kind == "template":
        return tok.part in ("template", "tail")
    return tok.kind == "punct" and tok.value in (")", "]", "}")


def _new_statement(tok: Tok) -> bool:
    """After a line break, a value (not an infix word) starts the next statement."""
    if tok.kind in ("num", "str"):
        return True
    return tok.kind == "name" and tok.value not in ("in", "of", "instanceof")


def to_commonjs(src: Source, tokens: list[Tok]) -> str | None:
    """The CommonJS form of a module using import/export (None when it uses neither)."""
    return _Rewriter(src, tokens).run()
