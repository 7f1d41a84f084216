"""A JavaScript tokenizer (ES2023 lexical grammar) that also pairs brackets.

It is the base of the build-time syntax check (``jscheck``) and of the ESM rewrite
(``esm``). Tokens carry their bracket context, so callers can tell a block from an object
literal and a top-level statement from a nested one. Regular expressions are told from
divisions by the previous token, as engines do; the rare ambiguous spots (a ``/`` after
``}`` or ``)``) fall back to division when no regex could end on the line, so valid code
is never refused because of them.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from finclip_desktop.runtime.errors import Source

_LINE_BREAKS = "\n\r\u2028\u2029"
_PUNCT = sorted(
    """>>>= ... === !== **= <<= >>= >>> &&= ||= ??= => == != <= >= && || ?? ?. ++ -- += -=
    *= /= %= &= |= ^= ** << >> { } ( ) [ ] ; , < > + - * / % & | ^ ! ~ ? : = .""".split(),
    key=len,
    reverse=True,
)
_PUNCT_RE = re.compile("|".join(re.escape(p) for p in _PUNCT))
_DIGITS = r"[0-9](?:_?[0-9])*"
_NUMBER = re.compile(
    r"0[xX][0-9a-fA-F](?:_?[0-9a-fA-F])*n?|0[oO][0-7](?:_?[0-7])*n?|0[bB][01](?:_?[01])*n?"
    rf"|(?:{_DIGITS}(?:\.(?:{_DIGITS})?)?|\.{_DIGITS})(?:[eE][+-]?{_DIGITS})?n?"
)
_STRING = {q: re.compile(rf"{q}(?:[^{q}\\\n\r]|\\(?:\r\n|[\s\S]))*{q}") for q in ("'", '"')}
_TEMPLATE_CHUNK = re.compile(r"(?:[^`\\$]|\\[\s\S]|\$(?!\{))*")
_REGEX = re.compile(
    r"/(?![*/])(?:[^/\\\[\n\r\u2028\u2029]|\\[^\n\r\u2028\u2029]"
    r"|\[(?:[^\]\\\n\r\u2028\u2029]|\\[^\n\r\u2028\u2029])*\])+/"
)
_REGEX_FLAGS = set("dgimsuyv")
_DECIMAL = frozenset("0123456789")
_ID_ESCAPE = re.compile(r"\\u(?:[0-9a-fA-F]{4}|\{[0-9a-fA-F]{1,6}\})")
_FAST_SKIP = re.compile(
    r"(?:[ \t\n\r\v\f\u00a0\ufeff\u2028\u2029]+|//[^\n\r\u2028\u2029]*|/\*(?:[^*]|\*(?!/))*\*/)*"
)
_BREAK = re.compile(r"[\n\r\u2028\u2029]")
_REST_OF_LINE = re.compile(r"[^\n\r\u2028\u2029]*")
_ASCII_NAME = re.compile(r"[\w$]*")
_SPACE = re.compile(r"[ \t\v\f\u00a0\ufeff\u1680\u2000-\u200a\u202f\u205f\u3000]+")

RESERVED = frozenset(
    """break case catch class const continue debugger default delete do else enum export
    extends false finally for function if import in instanceof new null return super switch
    this throw true try typeof var void while with""".split()
)
# after these keywords a '/' starts a regular expression and a '{' an object literal
EXPR_KEYWORDS = frozenset(
    "return typeof instanceof in new delete void throw case yield await".split()
)
_CONTROL = frozenset(("if", "while", "for", "with", "switch", "catch"))


@dataclass(slots=True)
class Tok:
    """One token: ``kind`` is name, private, num, str, regex, template (a whole literal or
    one of its parts: ``part`` is head/middle/tail), punct or end."""

    kind: str
    value: str
    start: int
    end: int
    nl: bool  # a line break comes before it
    ctx: str  # the innermost open bracket: top, block, object, paren, for, array, template
    depth: int  # open brackets around it
    part: str = ""
    opens: str = ""  # for an opening bracket: the kind of bracket it starts


@dataclass(slots=True)
class _Open:
    char: str
    pos: int
    kind: str


_CLOSE = {"(": ")", "[": "]", "{": "}", "${": "}"}


def _is_id_start(ch: str) -> bool:
    return ch in "$_\\" or ch.isidentifier()


def _is_id_part(ch: str) -> bool:
    return ch in "$_\\\u200c\u200d" or ("a" + ch).isidentifier()


class Lexer:
    """``Lexer(src).tokens()``: every token of ``src``; lexical and bracket errors raise
    ``CompileError`` naming the file, line and column."""

    def __init__(self, src: Source) -> None:
        self.src = src
        self.text = src.text
        self.out: list[Tok] = []
        self.stack: list[_Open] = []
        self.closed: _Open | None = None  # the bracket the last ')' / '}' closed

    def tokens(self) -> list[Tok]:
        text, n = self.text, len(self.text)
        pos, nl = 0, False
        if text.startswith("#!"):
            pos = self._line_end(0)
        while True:
            pos, nl = self._skip(pos, nl)
            if pos >= n:
                break
            pos = self._token(pos, nl)
            nl = False
        if self.stack:
            top = self.stack[-1]
            if top.kind == "template":
                raise self.src.error(top.pos, "'${' is never closed, expected '}'")
            raise self.src.error(
                top.pos, f"'{top.char}' is never closed, expected '{_CLOSE[top.char]}'"
            )
        self.out.append(Tok("end", "", n, n, nl, "top", 0))
        return self.out

    # -------------------------------------------------------------------- whitespace
    def _line_end(self, pos: int) -> int:
        m = _REST_OF_LINE.match(self.text, pos)
        assert m
        return m.end()

    def _skip(self, pos: int, nl: bool) -> tuple[int, bool]:
        text = self.text
        m = _FAST_SKIP.match(text, pos)  # plain spaces, line breaks and comments
        if m and m.end() > pos:
            nl = nl or _BREAK.search(text, pos, m.end()) is not None
            pos = m.end()
        while pos < len(text):
            ch = text[pos]
            if ch in _LINE_BREAKS:
                pos, nl = pos + 1, True
            elif m := _SPACE.match(text, pos):
                pos = m.end()
            elif text.startswith("//", pos) or text.startswith("<!--", pos):
                pos = self._line_end(pos)
            elif text.startswith("-->", pos) and (nl or not self.out):
                pos = self._line_end(pos)  # an HTML-like closing comment starts a line
            elif text.startswith("/*", pos):
                end = text.find("*/", pos + 2)
                if end < 0:
                    raise self.src.error(pos, "unterminated comment, expected '*/'")
                nl = nl or any(c in text[pos:end] for c in _LINE_BREAKS)
                pos = end + 2
            elif unicodedata.category(ch) == "Zs":
                pos += 1
            else:
                break
        return pos, nl

    # -------------------------------------------------------------------- tokens
    def _ctx(self) -> tuple[str, int]:
        return (self.stack[-1].kind if self.stack else "top"), len(self.stack)

    def _emit(self, kind: str, value: str, start: int, end: int, nl: bool, part: str = "") -> None:
        ctx, depth = self._ctx()
        self.out.append(Tok(kind, value, start, end, nl, ctx, depth, part))

    def _token(self, pos: int, nl: bool) -> int:
        text = self.text
        ch = text[pos]
        if ch in "'\"":
            m = _STRING[ch].match(text, pos)
            if not m:
                raise self.src.error(pos, "unterminated string literal")
            self._emit("str", m.group(), pos, m.end(), nl)
            return m.end()
        if ch == "`":
            return self._template(pos + 1, pos, nl, "head")
        if ch in _DECIMAL or (ch == "." and pos + 1 < len(text) and text[pos + 1] in _DECIMAL):
            return self._number(pos, nl)
        if _is_id_start(ch) or (ch == "#" and pos + 1 < len(text) and _is_id_start(text[pos + 1])):
            return self._name(pos, nl)
        if ch == "/" and self._regex_allowed():
            m = _REGEX.match(text, pos)
            if m:
                return self._regex(m, nl)
            if not self._ambiguous_slash():
                raise self.src.error(pos, "unterminated regular expression literal")
        if ch == "}" and self.stack and self.stack[-1].kind == "template":
            self.stack.pop()
            return self._template(pos + 1, pos, nl, "middle")
        m = _PUNCT_RE.match(text, pos)
        if not m:
            raise self.src.error(pos, f"unexpected character {ch!r}")
        value = m.group()
        if value == "?." and pos + 2 < len(text) and text[pos + 2] in _DECIMAL:
            value = "?"  # `a ?.5 : b` is a conditional
        end = pos + len(value)
        if value in "([{":
            self._emit("punct", value, pos, end, nl)
            kind = self._bracket_kind(value)
            self.out[-1].opens = kind
            self.stack.append(_Open(value, pos, kind))
        elif value in ")]}":
            self._close(value, pos)
            self._emit("punct", value, pos, end, nl)
        else:
            self._emit("punct", value, pos, end, nl)
        return end

    def _close(self, value: str, pos: int) -> None:
        if not self.stack:
            raise self.src.error(pos, f"unexpected '{value}', no bracket is open")
        top = self.stack[-1]
        if _CLOSE[top.char] != value:
            line, col = self.src.position(top.pos)
            raise self.src.error(
                pos,
                f"unexpected '{value}', expected '{_CLOSE[top.char]}' "
                f"to close '{top.char}' at {line}:{col}",
            )
        self.closed = self.stack.pop()

    def _number(self, pos: int, nl: bool) -> int:
        m = _NUMBER.match(self.text, pos)
        assert m
        end = m.end()
        if end < len(self.text) and (_is_id_start(self.text[end]) or self.text[end].isdigit()):
            raise self.src.error(end, "an identifier or number cannot follow a number directly")
        self._emit("num", m.group(), pos, end, nl)
        return end

    def _name(self, pos: int, nl: bool) -> int:
        text, end = self.text, pos + 1
        if text[pos] == "\\":
            end = self._escape(pos)
        elif m := _ASCII_NAME.match(text, end):
            end = m.end()
        while end < len(text) and _is_id_part(text[end]):
            end = self._escape(end) if text[end] == "\\" else end + 1
        kind = "private" if text[pos] == "#" else "name"
        self._emit(kind, text[pos:end], pos, end, nl)
        return end

    def _escape(self, pos: int) -> int:
        m = _ID_ESCAPE.match(self.text, pos)
        if not m:
            raise self.src.error(pos, "invalid escape in an identifier, expected \\uXXXX")
        return m.end()

    def _regex(self, m: re.Match[str], nl: bool) -> int:
        end = m.end()
        flags_end = end
        while flags_end < len(self.text) and _is_id_part(self.text[flags_end]):
            flags_end += 1
        flags = self.text[end:flags_end]
        if set(flags) - _REGEX_FLAGS or len(set(flags)) != len(flags) or {"u", "v"} <= set(flags):
            raise self.src.error(end, f"invalid regular expression flags '{flags}'")
        self._emit("regex", self.text[m.start() : flags_end], m.start(), flags_end, nl)
        return flags_end

    def _template(self, pos: int, start: int, nl: bool, part: str) -> int:
        text = self.text
        m = _TEMPLATE_CHUNK.match(text, pos)
        assert m
        end = m.end()
        if end >= len(text) or (text[end] != "`" and not text.startswith("${", end)):
            opener = start if part == "head" else self._template_start(start)
            raise self.src.error(opener, "unterminated template literal, expected '`'")
        if text[end] == "`":
            whole = "template" if part == "head" else "tail"
            self._emit("template", text[start : end + 1], start, end + 1, nl, whole)
            return end + 1
        # '${': a substitution opens
        self._emit("template", text[start : end + 2], start, end + 2, nl, part)
        self.out[-1].opens = "template"
        self.stack.append(_Open("${", end, "template"))
        return end + 2

    def _template_start(self, pos: int) -> int:
        for tok in reversed(self.out):
            if tok.kind == "template" and tok.part == "head":
                return tok.start
        return pos

    # -------------------------------------------------------------------- context
    def _prev(self, back: int = 1) -> Tok | None:
        return self.out[-back] if len(self.out) >= back else None

    def _regex_allowed(self) -> bool:
        prev = self._prev()
        if prev is None:
            return True
        if prev.kind == "name":
            return prev.value in EXPR_KEYWORDS and not self._property(2)
        if prev.kind != "punct":
            return prev.kind == "template" and prev.part in ("head", "middle")
        if prev.value == ")":
            return self.closed is not None and self.closed.kind in ("control", "for")
        if prev.value == "}":
            return self.closed is not None and self.closed.kind == "block"
        return prev.value not in ("]", "++", "--")

    def _property(self, back: int) -> bool:
        """Whether the token ``back`` places back follows a '.' (a property name)."""
        before = self._prev(back)
        return before is not None and before.kind == "punct" and before.value in (".", "?.")

    def _ambiguous_slash(self) -> bool:
        prev = self._prev()
        return prev is not None and prev.kind == "punct" and prev.value in (")", "}")

    def _bracket_kind(self, char: str) -> str:
        """What an opening bracket starts, judged by the token before it. When unsure a
        '{' counts as a block: blocks get fewer checks, so doubt never refuses valid code."""
        prev = self._prev(2)  # the opener itself is the last token
        if char == "[":
            return "array"
        if char == "(":
            if prev is not None and prev.kind == "name" and not self._property(3):
                if prev.value == "for" or (
                    prev.value == "await" and self._prev(3) and self._prev(3).value == "for"
                ):
                    return "for"
                if prev.value in _CONTROL:
                    return "control"
            return "paren"
        if prev is None:
            return "block"
        if prev.kind == "name":
            if self._property(3):
                return "block"
            if prev.value in ("return", "yield") and self.out[-1].nl:
                return "block"  # `return` ends at the line break (no object follows it)
            return "object" if prev.value in EXPR_KEYWORDS else "block"
        if prev.kind == "template":
            return "object" if prev.part in ("head", "middle") else "block"
        if prev.kind != "punct":
            return "block"
        if prev.value == ":":
            ctx = self.stack[-1].kind if self.stack else "top"
            return "object" if ctx in ("object", "paren", "array", "template") else "block"
        if prev.value in (")", "]", "}", ";", "{", "=>", "++", "--"):
            return "block"
        before = self._prev(4)
        if prev.value == "," and before is not None and before.value == "import":
            return "block"  # import d, { a as b } from 'm'"
        return "object"


def tokenize(src: Source) -> list[Tok]:
    """Tokens of ``src`` (ending with an ``end`` token); raises CompileError."""
    return Lexer(src).tokens()
