"""Binding expressions: a safe JS subset parsed here and emitted as JS, never eval'd.

Supported: literals, names, member/index access, calls (only functions reachable from the
data scope: WXS module exports and methods of primitives), unary ``! - + typeof``,
arithmetic, comparison, logic, ``??``, ternary, object/array literals with spread.
Emitted code reads names from the scope ``s`` and accesses members through ``C.m`` (which
refuses ``__proto__``/``constructor``/``prototype``), so a template can never reach globals.
"""

from __future__ import annotations

import json
import re

from finclip_desktop.runtime.errors import Source

_TOKEN = re.compile(
    r"""(?P<ws>\s+)
    |(?P<num>0[xX][0-9a-fA-F]+|(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)
    |(?P<str>'(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*")
    |(?P<name>[A-Za-z_$][\w$]*)
    |(?P<punct>\.\.\.|===|!==|\?\?|\?\.|==|!=|<=|>=|&&|\|\||[-+*/%<>!?:.,()\[\]{}])
    """,
    re.VERBOSE,
)
_BINARY = {  # operator -> precedence (higher binds tighter)
    "??": 1, "||": 2, "&&": 3,
    "==": 6, "!=": 6, "===": 6, "!==": 6,
    "<": 7, ">": 7, "<=": 7, ">=": 7,
    "+": 9, "-": 9, "*": 10, "/": 10, "%": 10,
}  # fmt: skip
_LITERALS = {"true": "true", "false": "false", "null": "null", "undefined": "void 0"}


class _Tok:
    __slots__ = ("kind", "value", "pos")

    def __init__(self, kind: str, value: str, pos: int) -> None:
        self.kind, self.value, self.pos = kind, value, pos


def _tokenize(src: Source, start: int, end: int) -> list[_Tok]:
    tokens = []
    pos = start
    while pos < end:
        m = _TOKEN.match(src.text, pos, end)
        if not m:
            ch = src.text[pos]
            if ch in "'\"":
                raise src.error(pos, "unterminated string literal")
            raise src.error(pos, f"unexpected character {ch!r} in expression")
        kind = m.lastgroup or ""
        if kind != "ws":
            tokens.append(_Tok(kind, m.group(), pos))
        pos = m.end()
    tokens.append(_Tok("end", "", end))
    return tokens


def _js_string(raw: str) -> str:
    """Turn a JS string literal token into a safe double-quoted JSON literal."""
    body = raw[1:-1]
    out = []
    i = 0
    escapes = {"n": "\n", "t": "\t", "r": "\r", "b": "\b", "f": "\f", "v": "\v", "0": "\0"}
    while i < len(body):
        ch = body[i]
        if ch == "\\" and i + 1 < len(body):
            nxt = body[i + 1]
            if nxt == "u" and re.match(r"[0-9a-fA-F]{4}", body[i + 2 : i + 6]):
                out.append(chr(int(body[i + 2 : i + 6], 16)))
                i += 6
                continue
            if nxt == "x" and re.match(r"[0-9a-fA-F]{2}", body[i + 2 : i + 4]):
                out.append(chr(int(body[i + 2 : i + 4], 16)))
                i += 4
                continue
            out.append(escapes.get(nxt, nxt))
            i += 2
            continue
        out.append(ch)
        i += 1
    return json.dumps("".join(out))


class _Parser:
    def __init__(self, src: Source, start: int, end: int) -> None:
        self.src = src
        self.toks = _tokenize(src, start, end)
        self.i = 0

    @property
    def tok(self) -> _Tok:
        return self.toks[self.i]

    def take(self) -> _Tok:
        tok = self.toks[self.i]
        self.i += 1
        return tok

    def at(self, value: str) -> bool:
        return self.tok.kind == "punct" and self.tok.value == value

    def expect(self, value: str) -> None:
        if not self.at(value):
            raise self.unexpected(f"expected '{value}'")
        self.i += 1

    def unexpected(self, expected: str) -> Exception:
        tok = self.tok
        found = "end of expression" if tok.kind == "end" else f"'{tok.value}'"
        return self.src.error(tok.pos, f"unexpected {found}, {expected}")

    def done(self) -> None:
        if self.tok.kind != "end":
            raise self.unexpected("expected end of expression")

    # expression grammar -------------------------------------------------------------
    def expression(self) -> str:
        cond = self.binary(0)
        if self.at("?"):
            self.take()
            yes = self.expression()
            self.expect(":")
            no = self.expression()
            return f"({cond}?{yes}:{no})"
        return cond

    def binary(self, min_prec: int) -> str:
        left = self.unary()
        while self.tok.kind == "punct" and _BINARY.get(self.tok.value, -1) > min_prec:
            op = self.take().value
            right = self.binary(_BINARY[op])
            left = f"({left}{op}{right})"
        return left

    def unary(self) -> str:
        if self.at("!") or self.at("-") or self.at("+"):
            op = self.take().value
            return f"({op}{self.unary()})"
        if self.tok.kind == "name" and self.tok.value == "typeof":
            self.take()
            return f"(typeof {self.unary()})"
        return self.postfix()

    def postfix(self) -> str:
        expr = self.primary()
        while True:
            if self.at(".") or self.at("?."):
                self.take()
                if self.tok.kind != "name":
                    raise self.unexpected("expected a property name")
                key = json.dumps(self.take().value)
                if self.at("("):
                    expr = f"C.c({expr},{key},{self.arguments()})"
                else:
                    expr = f"C.m({expr},{key})"
            elif self.at("["):
                self.take()
                key = self.expression()
                self.expect("]")
                if self.at("("):
                    expr = f"C.c({expr},{key},{self.arguments()})"
                else:
                    expr = f"C.m({expr},{key})"
            elif self.at("("):
                expr = f"C.f({expr},{self.arguments()})"
            else:
                return expr

    def arguments(self) -> str:
        self.expect("(")
        args = []
        while not self.at(")"):
            args.append(self.spread_or_expression())
            if not self.at(")"):
                self.expect(",")
        self.take()
        return "[" + ",".join(args) + "]"

    def spread_or_expression(self) -> str:
        if self.at("..."):
            self.take()
            return "..." + self.expression()
        return self.expression()

    def primary(self) -> str:
        tok = self.tok
        if tok.kind == "num":
            self.take()
            return f"({tok.value})"
        if tok.kind == "str":
            self.take()
            return _js_string(tok.value)
        if tok.kind == "name":
            self.take()
            if tok.value in _LITERALS:
                return _LITERALS[tok.value]
            return f"s[{json.dumps(tok.value)}]"
        if self.at("("):
            self.take()
            inner = self.expression()
            self.expect(")")
            return inner
        if self.at("["):
            self.take()
            items = []
            while not self.at("]"):
                items.append(self.spread_or_expression())
                if not self.at("]"):
                    self.expect(",")
            self.take()
            return "[" + ",".join(items) + "]"
        if self.at("{"):
            self.take()
            body = self.object_body("}")
            self.expect("}")
            return body
        raise self.unexpected("expected a value")

    def object_body(self, close: str) -> str:
        parts = []
        while not (self.at(close) if close else self.tok.kind == "end"):
            if self.at("..."):
                self.take()
                parts.append("..." + self.expression())
            else:
                tok = self.tok
                if tok.kind == "name":
                    key = json.dumps(tok.value)
                elif tok.kind == "str":
                    key = _js_string(tok.value)
                elif tok.kind == "num":
                    key = json.dumps(tok.value)
                else:
                    raise self.unexpected("expected a property name")
                self.take()
                if self.at(":"):
                    self.take()
                    parts.append(f"{key}:{self.expression()}")
                elif tok.kind == "name":
                    parts.append(f"{key}:s[{key}]")
                else:
                    raise self.unexpected("expected ':'")
            if not (self.at(close) if close else self.tok.kind == "end"):
                self.expect(",")
        return "({" + ",".join(parts) + "})"


def compile_expression(src: Source, start: int, end: int) -> str:
    """Compile the expression in ``src.text[start:end]`` to JS reading scope ``s``."""
    parser = _Parser(src, start, end)
    if parser.tok.kind == "end":
        raise src.error(start, "empty expression inside {{ }}")
    if parser.at("..."):
        return compile_object_body(src, start, end)
    code = parser.expression()
    if parser.at(",") or parser.at(":"):
        # ``{{a: 1, b}}``: WeChat's brace-less object literal.
        return compile_object_body(src, start, end)
    parser.done()
    return code


def compile_object_body(src: Source, start: int, end: int) -> str:
    """Compile a brace-less object literal (template ``data``: ``{{...item, fmt}}``)."""
    parser = _Parser(src, start, end)
    code = parser.object_body("")
    parser.done()
    return code
