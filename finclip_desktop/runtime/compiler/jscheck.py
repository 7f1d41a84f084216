"""Build-time JavaScript syntax check: the common mistakes, never a false alarm.

On top of the lexer's checks (unterminated strings, templates, regexes and comments,
stray characters, unbalanced or mismatched brackets) it looks for what can only be an
error inside expressions, where JavaScript never inserts semicolons: two values side by
side (``{a: 1 b: 2}``, the missing comma), ``;`` inside ``( )``, ``[ ]`` or an object
literal, an operator right before a closing bracket, empty arguments (``f(a,,b)``),
empty ``${}`` and empty ``if ()`` conditions. It is no full parser: what it cannot judge
for sure it accepts, and the engine reports the rest when the module loads.
"""

from __future__ import annotations

from finclip_desktop.runtime.compiler.jslex import RESERVED, Tok, tokenize
from finclip_desktop.runtime.errors import CompileError, Source

_EXPRESSION = frozenset(("object", "paren", "control", "for", "array", "template"))
_VALUE_KEYWORDS = frozenset(("this", "super", "null", "true", "false"))
# names that may legally precede another value: `async x =>`, `get x() {}`, `for (let x of`
_PREFIX_WORDS = frozenset(("async", "get", "set", "static", "of", "let", "yield", "await"))
_START_KEYWORDS = _VALUE_KEYWORDS | {"function", "class", "new", "typeof", "void", "delete"}
_INFIX_WORDS = frozenset(("in", "instanceof", "of"))
_NOT_OPERATORS = frozenset((",", ";", ":", "++", "--", "(", "[", "{", ")", "]", "}"))
_CLOSES = {"object": "'}'", "paren": "')'", "control": "')'", "for": "')'", "array": "']'"}


def _ends_value(tok: Tok) -> bool:
    if tok.kind in ("num", "str", "regex", "private"):
        return True
    if tok.kind == "template":
        return tok.part in ("template", "tail")
    if tok.kind == "punct":
        return tok.value in (")", "]", "}")
    if tok.kind == "name":
        if tok.value in _PREFIX_WORDS:
            return False
        return tok.value not in RESERVED or tok.value in _VALUE_KEYWORDS
    return False


def _starts_value(tok: Tok) -> bool:
    if tok.kind in ("num", "str"):
        return True
    if tok.kind == "name":
        if tok.value in _INFIX_WORDS:
            return False
        return tok.value not in RESERVED or tok.value in _START_KEYWORDS
    return False


def _closes(tok: Tok) -> bool:
    """A closing bracket, or the ``}`` that ends a template substitution."""
    if tok.kind == "punct":
        return tok.value in (")", "]", "}")
    return tok.kind == "template" and tok.part in ("middle", "tail")


def _expected(ctx: str) -> str:
    return f"',' or {_CLOSES[ctx]}" if ctx in _CLOSES else "an operator or '}'"


def _describe(tok: Tok) -> str:
    if tok.kind == "name":
        return f"'{tok.value}'"
    if tok.kind in ("num", "str"):
        text = tok.value if len(tok.value) <= 20 else tok.value[:17] + "..."
        return f"{'number' if tok.kind == 'num' else 'string'} {text}"
    if tok.kind == "template":
        return "'}'" if tok.part in ("middle", "tail") else "'`'"
    return f"'{tok.value}'"


def check_tokens(src: Source, tokens: list[Tok]) -> None:
    """Raise CompileError at the first certain syntax error in ``tokens``."""
    for prev, tok in zip(tokens, tokens[1:], strict=False):
        ctx = tok.ctx
        if ctx in _EXPRESSION and _ends_value(prev) and _starts_value(tok):
            raise src.error(tok.start, f"unexpected {_describe(tok)}, expected {_expected(ctx)}")
        if tok.kind == "punct" and tok.value == ";" and ctx in _EXPRESSION and ctx != "for":
            raise src.error(
                tok.start, f"unexpected ';' in an expression, expected {_expected(ctx)}"
            )
        if _closes(tok) and prev.kind == "punct" and prev.value not in _NOT_OPERATORS:
            raise src.error(
                tok.start,
                f"unexpected {_describe(tok)}: expected an expression after '{prev.value}'",
            )
        if tok.kind == "punct" and tok.value == "," and ctx != "array":
            if prev.kind == "punct" and prev.value in (",", "(", "{"):
                raise src.error(tok.start, "unexpected ',': expected an expression")
            if prev.kind == "template" and prev.part in ("head", "middle"):
                raise src.error(tok.start, "unexpected ',': expected an expression")
        if (
            tok.kind == "template"
            and tok.part in ("middle", "tail")
            and prev.kind == "template"
            and prev.part in ("head", "middle")
        ):
            raise src.error(
                prev.end - 2, "empty '${}' in a template literal, expected an expression"
            )
        if tok.kind == "punct" and tok.value == ")" and prev.opens in ("control", "for"):
            raise src.error(tok.start, "empty condition, expected an expression before ')'")


def check_js(src: Source) -> list[Tok]:
    """Check ``src`` and return its tokens; raises CompileError naming line and column."""
    tokens = tokenize(src)
    check_tokens(src, tokens)
    return tokens


__all__ = ["CompileError", "check_js", "check_tokens"]
