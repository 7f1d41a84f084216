"""Declarative argument schemas for capabilities, with WeChat-style error messages.

A schema maps each argument name to an :class:`Arg`::

    {"key": Arg("String", required=True, max_len=1024), "data": Arg("Any")}

Types are WeChat's names: ``String``, ``Number``, ``Boolean``, ``Object``, ``Array``,
``ArrayBuffer`` (bytes carried as ``{"__fcBuffer": "<base64>"}``, see :mod:`.binary`) and
``Any``; ``"String|ArrayBuffer"`` accepts either. Arguments the schema does not name are
passed through untouched (WeChat ignores them too).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from finclip_desktop.capabilities.binary import buffer_size, is_buffer

TYPE_NAMES = ("String", "Number", "Boolean", "Object", "Array", "ArrayBuffer", "Any")


class SchemaError(ValueError):
    """Arguments that do not match a schema; ``str(e)`` is the reason after ``:fail``."""


def type_name(value: Any) -> str:
    """WeChat's name for the type of a JSON value."""
    if value is None:
        return "Null"
    if isinstance(value, bool):
        return "Boolean"
    if isinstance(value, int | float):
        return "Number"
    if isinstance(value, str):
        return "String"
    if is_buffer(value):
        return "ArrayBuffer"
    if isinstance(value, Mapping):
        return "Object"
    if isinstance(value, list | tuple):
        return "Array"
    return type(value).__name__


@dataclass(frozen=True)
class Arg:
    """One argument: its type(s), whether it is required, allowed values and size limits.

    ``max_len`` bounds the length of a String or Array; ``max_bytes`` bounds the size of
    the value in bytes (UTF-8 for strings, raw for ArrayBuffer, JSON for anything else).
    """

    type: str = "Any"
    required: bool = False
    enum: tuple[Any, ...] | None = None
    max_len: int | None = None
    max_bytes: int | None = None
    min: float | None = None
    max: float | None = None

    def __post_init__(self) -> None:
        for name in self.types:
            if name not in TYPE_NAMES:
                raise ValueError(f"unknown schema type {name!r}; use one of {TYPE_NAMES}")

    @property
    def types(self) -> tuple[str, ...]:
        return tuple(self.type.split("|"))

    def check(self, name: str, value: Any) -> None:
        """Raise :class:`SchemaError` if ``value`` does not fit this argument."""
        actual = type_name(value)
        if "Any" not in self.types and actual not in self.types:
            raise SchemaError(
                f"parameter error: {name} should be {' or '.join(self.types)} instead of {actual}"
            )
        if self.enum is not None and value not in self.enum:
            allowed = ", ".join(str(v) for v in self.enum)
            raise SchemaError(f"parameter error: {name} should be one of {allowed}")
        if actual == "Number":
            if self.min is not None and value < self.min:
                raise SchemaError(f"parameter error: {name} should be at least {self.min:g}")
            if self.max is not None and value > self.max:
                raise SchemaError(f"parameter error: {name} should be at most {self.max:g}")
        if self.max_len is not None and isinstance(value, str | list) and len(value) > self.max_len:
            raise SchemaError(f"parameter error: {name} is longer than {self.max_len}")
        if self.max_bytes is not None and value_size(value) > self.max_bytes:
            raise SchemaError(f"parameter error: {name} exceeds {self.max_bytes} bytes")


Schema = Mapping[str, Arg]


def value_size(value: Any) -> int:
    """Bytes a value occupies: UTF-8 for strings, raw for buffers, compact JSON otherwise."""
    if isinstance(value, str):
        return len(value.encode("utf-8", "surrogatepass"))
    if is_buffer(value):
        return buffer_size(value)
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return len(text.encode("utf-8", "surrogatepass"))


def json_text(value: Any) -> str:
    """Compact JSON of a bridge value, non-ASCII kept as is; a value holding a lone
    surrogate (a JS string may) is escaped instead, as ``JSON.stringify`` does."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return json.dumps(value, separators=(",", ":"))
    return text


def usv(text: str) -> str:
    """``text`` with lone surrogates replaced by U+FFFD: what a browser sends for a JS
    string (so it always encodes as UTF-8)."""
    return text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")


def validate(schema: Schema | None, args: Any) -> dict[str, Any]:
    """Check ``args`` against ``schema`` and return them as a fresh dict.

    ``None`` args count as ``{}``; a non-object is refused. Raises :class:`SchemaError`.
    """
    if args is None:
        args = {}
    if not isinstance(args, Mapping):
        actual = type_name(args)
        raise SchemaError(f"parameter error: arguments should be Object instead of {actual}")
    args = dict(args)
    for name, arg in (schema or {}).items():
        if name not in args or args[name] is None:
            if arg.required:
                raise SchemaError(f"parameter error: {name} is required")
            args.pop(name, None)
            continue
        arg.check(name, args[name])
    return args


SCOPE_ARG = Arg("String", required=True, max_len=70)
