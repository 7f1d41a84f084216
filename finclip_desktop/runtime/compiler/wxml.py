"""WXML -> JS: each file becomes a module whose render functions build virtual nodes.

A compiled file registers ``__fc.wxml(path, function (C) {...})`` returning
``{t: templates, i: imported files, w: wxs modules, r: render}``; every render function
takes a scope ``s`` and returns a (possibly nested) array of vnodes made by ``C.e`` / ``C.t``.
"""

from __future__ import annotations

import html
import json
import posixpath
import re
from collections.abc import Callable, Container
from dataclasses import dataclass, field

from finclip_desktop.runtime.compiler.expr import compile_expression, compile_object_body
from finclip_desktop.runtime.errors import Source

_NAME = re.compile(r"[A-Za-z_][\w:.\-]*")
_EVENT = re.compile(r"^(capture-bind|capture-catch|mut-bind|bind|catch):?([A-Za-z_][\w\-]*)$")
_VOID = {"input", "image", "icon", "import", "include", "br", "img"}
_CATCH, _CAPTURE, _MUT = 1, 2, 4


@dataclass
class Attr:
    name: str
    value: str | None
    pos: int  # of the name
    vstart: int = 0  # of the value text
    vend: int = 0


@dataclass
class Element:
    tag: str
    pos: int
    attrs: list[Attr] = field(default_factory=list)
    children: list = field(default_factory=list)
    raw: tuple[int, int] | None = None  # body span of <wxs> inline code

    def attr(self, name: str) -> Attr | None:
        for a in self.attrs:
            if a.name == name:
                return a
        return None


@dataclass
class Text:
    start: int
    end: int


def parse(src: Source) -> list:
    """Parse WXML into a tree of Element/Text; errors carry line and column."""
    text = src.text
    root = Element("#root", 0)
    stack = [root]
    pos = 0
    n = len(text)
    while pos < n:
        if text.startswith("<!--", pos):
            end = text.find("-->", pos + 4)
            if end < 0:
                raise src.error(pos, "unterminated comment, expected '-->'")
            pos = end + 3
        elif text.startswith("</", pos):
            m = _NAME.match(text, pos + 2)
            if not m:
                raise src.error(pos + 2, "expected a tag name after '</'")
            tag = m.group()
            close = text.find(">", m.end())
            if close < 0 or text[m.end() : close].strip():
                raise src.error(m.end(), f"expected '>' to close </{tag}>")
            if tag in _VOID and stack[-1].tag != tag:
                pos = close + 1  # </input> after a void <input>: nothing to close
                continue
            if len(stack) == 1:
                raise src.error(pos, f"unexpected closing tag </{tag}>, no element is open")
            if stack[-1].tag != tag:
                raise src.error(pos, f"unexpected </{tag}>, expected </{stack[-1].tag}>")
            stack.pop()
            pos = close + 1
        elif text.startswith("<", pos) and pos + 1 < n and (text[pos + 1].isalpha()):
            el, pos, closed = _open_tag(src, pos)
            stack[-1].children.append(el)
            if el.tag == "wxs" and not closed:
                end = text.find("</wxs>", pos)
                if end < 0:
                    raise src.error(el.pos, "expected </wxs>")
                el.raw = (pos, end)
                pos = end + len("</wxs>")
            elif not closed:
                stack.append(el)
        else:
            end = _text_end(src, pos)
            if text[pos:end].strip():
                stack[-1].children.append(Text(pos, end))
            pos = end
    if len(stack) > 1:
        el = stack[-1]
        raise src.error(el.pos, f"<{el.tag}> is never closed, expected </{el.tag}>")
    return root.children


def _text_end(src: Source, pos: int) -> int:
    text = src.text
    while pos < len(text):
        if text.startswith("{{", pos):
            end = text.find("}}", pos + 2)
            if end < 0:
                raise src.error(pos, "unterminated '{{', expected '}}'")
            pos = end + 2
        elif text[pos] == "<" and (
            text.startswith("</", pos)
            or text.startswith("<!--", pos)
            or (pos + 1 < len(text) and text[pos + 1].isalpha())
        ):
            return pos
        else:
            pos += 1
    return pos


def _open_tag(src: Source, pos: int) -> tuple[Element, int, bool]:
    text = src.text
    m = _NAME.match(text, pos + 1)
    assert m
    el = Element(m.group(), pos)
    i = m.end()
    while True:
        while i < len(text) and text[i].isspace():
            i += 1
        if i >= len(text):
            raise src.error(pos, f"<{el.tag}> is not terminated, expected '>'")
        if text.startswith("/>", i):
            return el, i + 2, True
        if text[i] == ">":
            return el, i + 1, el.tag in _VOID
        am = re.compile(r"[^\s=/>\"']+").match(text, i)
        if not am:
            raise src.error(i, f"unexpected {text[i]!r} in <{el.tag}>, expected an attribute")
        attr = Attr(am.group(), None, i)
        i = am.end()
        j = i
        while j < len(text) and text[j].isspace():
            j += 1
        if j < len(text) and text[j] == "=":
            j += 1
            while j < len(text) and text[j].isspace():
                j += 1
            if j < len(text) and text[j] in "\"'":
                quote = text[j]
                end = j + 1
                while True:
                    end = text.find(quote, end)
                    if end < 0:
                        raise src.error(j, f"unterminated value of attribute '{attr.name}'")
                    # a quote inside {{ }} does not end the value
                    opened = text.count("{{", j + 1, end) - text.count("}}", j + 1, end)
                    if opened <= 0:
                        break
                    end += 1
                attr.vstart, attr.vend = j + 1, end
                i = end + 1
            else:
                vm = re.compile(r"[^\s>]+").match(text, j)
                if not vm:
                    raise src.error(j, f"expected a value for attribute '{attr.name}'")
                attr.vstart, attr.vend = vm.start(), vm.end()
                i = vm.end()
            attr.value = text[attr.vstart : attr.vend]
        if el.attr(attr.name):
            raise src.error(attr.pos, f"duplicate attribute '{attr.name}' on <{el.tag}>")
        el.attrs.append(attr)


# ----------------------------------------------------------------------------------- codegen


def _segments(src: Source, start: int, end: int) -> list[tuple[str, int, int]]:
    """Split ``text[start:end]`` into ('s', a, b) static and ('e', a, b) ``{{ }}`` parts."""
    out = []
    text = src.text
    pos = start
    while pos < end:
        open_ = text.find("{{", pos, end)
        if open_ < 0:
            out.append(("s", pos, end))
            break
        if open_ > pos:
            out.append(("s", pos, open_))
        close = text.find("}}", open_ + 2, end)
        if close < 0:
            raise src.error(open_, "unterminated '{{', expected '}}'")
        # allow '}}}' ending an object literal: take the last '}}' of a run of braces
        while close + 2 < end and text[close + 2] == "}":
            close += 1
        out.append(("e", open_ + 2, close))
        pos = close + 2
    return out


def compile_value(src: Source, start: int, end: int, decode: bool = True) -> str:
    """A text/attribute value: a single ``{{x}}`` keeps x's type, otherwise a string."""
    segs = _segments(src, start, end)
    if len(segs) == 1 and segs[0][0] == "e":
        return compile_expression(src, segs[0][1], segs[0][2])
    if not segs:
        return '""'
    parts = []
    for kind, a, b in segs:
        if kind == "s":
            raw = src.text[a:b]
            parts.append(json.dumps(html.unescape(raw) if decode else raw))
        else:
            parts.append(f"C.s({compile_expression(src, a, b)})")
    return "(" + "+".join(parts) + ")" if len(parts) > 1 else parts[0]


def _static(el: Element, name: str) -> str | None:
    a = el.attr(name)
    return a.value if a else None


class FileCompiler:
    """Compiles one WXML file; ``resolve`` maps a src attribute to a package path or None."""

    def __init__(self, src: Source, resolve: Callable[[str, str], str | None]) -> None:
        self.src = src
        self.resolve = resolve
        self.templates: list[str] = []
        self.imports: list[str] = []
        self.wxs: dict[str, str] = {}  # module name -> JS expression loading it
        self.inline_wxs: list[tuple[str, str]] = []  # (module path, code)
        self.dependencies: list[str] = []
        self.loops = 0
        self.in_text = False  # text inside <text> stays raw: the runtime decodes it (decode)

    def compile(self) -> str:
        tree = parse(self.src)
        body = self.children(tree)
        wxs = ",".join(f"{json.dumps(k)}:{v}" for k, v in self.wxs.items())
        out = [
            f"__fc.wxml({json.dumps(self.src.path)},function(C){{",
            f"var M={{t:{{}},i:{json.dumps(self.imports)},w:{{{wxs}}}}};",
            *self.templates,
            f"M.r=function(s){{return {body}}};return M}});",
        ]
        return "\n".join(out)

    def _src_path(self, el: Element, kind: str, ext: str) -> str:
        a = el.attr("src")
        if a is None or not a.value:
            raise self.src.error(el.pos, f"<{el.tag}> needs a src attribute")
        path = self.resolve(a.value, ext)
        if path is None:
            raise self.src.error(a.vstart, f"{kind} {a.value!r} not found")
        return path

    def children(self, nodes: list) -> str:
        items: list[str] = []
        i = 0
        while i < len(nodes):
            node = nodes[i]
            if isinstance(node, Element) and node.attr("wx:if") and not node.attr("wx:for"):
                chain = [node]
                while (
                    i + 1 < len(nodes)
                    and isinstance(nodes[i + 1], Element)
                    and (nodes[i + 1].attr("wx:elif") or nodes[i + 1].attr("wx:else"))
                ):
                    i += 1
                    chain.append(nodes[i])
                    if nodes[i].attr("wx:else"):
                        break
                items.append(self.if_chain(chain))
            elif isinstance(node, Element) and (node.attr("wx:elif") or node.attr("wx:else")):
                which = "wx:elif" if node.attr("wx:elif") else "wx:else"
                raise self.src.error(node.pos, f"{which} without a preceding wx:if")
            else:
                code = self.node(node)
                if code:
                    items.append(code)
            i += 1
        return "[" + ",".join(items) + "]"

    def cond(self, el: Element, name: str) -> str:
        a = el.attr(name)
        assert a is not None
        if a.value is None:
            raise self.src.error(a.pos, f"{name} needs a value")
        return compile_value(self.src, a.vstart, a.vend)

    def if_chain(self, chain: list[Element]) -> str:
        code = "null"
        for el in reversed(chain):
            body = self.node(el, skip_if=True) or "null"
            if el.attr("wx:else"):
                code = body
            else:
                name = "wx:if" if el.attr("wx:if") else "wx:elif"
                code = f"({self.cond(el, name)}?{body}:{code})"
        return code

    def node(self, node, skip_if: bool = False) -> str | None:
        if isinstance(node, Text):
            return f"C.t({compile_value(self.src, node.start, node.end, not self.in_text)})"
        el: Element = node
        if el.attr("wx:for") or el.attr("wx:for-items"):
            return self.for_loop(el)
        if el.attr("wx:if") and not skip_if:
            return self.if_chain([el])
        return self.element(el)

    def for_loop(self, el: Element) -> str:
        a = el.attr("wx:for") or el.attr("wx:for-items")
        assert a is not None
        if not a.value:
            raise self.src.error(a.pos, 'wx:for needs a list, e.g. wx:for="{{items}}"')
        items = compile_value(self.src, a.vstart, a.vend)
        item = _static(el, "wx:for-item") or "item"
        index = _static(el, "wx:for-index") or "index"
        key = _static(el, "wx:key")
        if key and "{{" in key:
            key = key.strip()[2:-2].strip()
        body = self.element(el) or "null"
        if el.attr("wx:if"):
            body = f"({self.cond(el, 'wx:if')}?{body}:null)"
        # a loop at the root scope whose names did not change reuses its last nodes
        memo = "null"
        if not re.search(r"C\.(tpl|inc|slot)\(", body):
            names = sorted(set(re.findall(r's\["([^"\\]+)"\]', items + body)))
            self.loops += 1
            memo = json.dumps([f"{self.src.path}#{self.loops}", *names])
        return (
            f"C.l(s,{items},{json.dumps(key)},{json.dumps(item)},{json.dumps(index)},"
            f"function(s){{return {body}}},{memo})"
        )

    def element(self, el: Element) -> str | None:
        tag = el.tag
        if tag == "block":
            return self.children(el.children)
        if tag == "import":
            self.imports.append(self._src_path(el, "imported file", ".wxml"))
            self.dependencies.append(self.imports[-1])
            return None
        if tag == "include":
            path = self._src_path(el, "included file", ".wxml")
            self.dependencies.append(path)
            return f"C.inc({json.dumps(path)},s)"
        if tag == "wxs":
            self.wxs_module(el)
            return None
        if tag == "template":
            return self.template(el)
        if tag == "slot":
            name = el.attr("name")
            name_code = compile_value(self.src, name.vstart, name.vend) if name else '""'
            return f"C.slot({name_code})"
        attrs, events = self.attributes(el)
        outer, self.in_text = self.in_text, self.in_text or tag == "text"
        children = self.children(el.children)
        self.in_text = outer
        return f"C.e({json.dumps(tag)},{attrs},{events},{children})"

    def attributes(self, el: Element) -> tuple[str, str]:
        attrs = []
        events = []
        for a in el.attrs:
            name = a.name
            if name.startswith("wx:"):
                if name not in (
                    "wx:if",
                    "wx:elif",
                    "wx:else",
                    "wx:for",
                    "wx:for-items",
                    "wx:for-item",
                    "wx:for-index",
                    "wx:key",
                ):
                    raise self.src.error(a.pos, f"unknown directive '{name}'")
                continue
            m = _EVENT.match(name)
            if m:
                flags = {
                    "bind": 0,
                    "catch": _CATCH,
                    "capture-bind": _CAPTURE,
                    "capture-catch": _CAPTURE | _CATCH,
                    "mut-bind": _MUT,
                }[m.group(1)]
                if a.value is None or not a.value.strip():
                    handler = '""'
                else:
                    handler = compile_value(self.src, a.vstart, a.vend)
                events.append(f"[{json.dumps(m.group(2))},{flags},{handler}]")
                continue
            if name.startswith("model:"):
                prop = name[6:]
                v = (a.value or "").strip()
                if not (v.startswith("{{") and v.endswith("}}")):
                    raise self.src.error(a.pos, f"{name} needs a {{{{path}}}} binding")
                path = v[2:-2].strip()
                if not re.fullmatch(r"[A-Za-z_$][\w$]*(\.[A-Za-z_$][\w$]*)*", path):
                    raise self.src.error(a.vstart, f"{name} must bind a data path, not {path!r}")
                attrs.append(f"{json.dumps(prop)}:{compile_value(self.src, a.vstart, a.vend)}")
                events.append(f"[{json.dumps(prop)},8,{json.dumps(path)}]")
                continue
            if a.value is None:
                value = "true"
            else:
                value = compile_value(self.src, a.vstart, a.vend)
            attrs.append(f"{json.dumps(name)}:{value}")
        ev = "[" + ",".join(events) + "]" if events else "null"
        return "{" + ",".join(attrs) + "}", ev

    def template(self, el: Element) -> str | None:
        name = el.attr("name")
        is_ = el.attr("is")
        if name is not None:
            if not name.value:
                raise self.src.error(name.pos, "<template name> needs a value")
            body = self.children(el.children)
            self.templates.append(f"M.t[{json.dumps(name.value)}]=function(s){{return {body}}};")
            return None
        if is_ is None or not is_.value:
            raise self.src.error(el.pos, "<template> needs a name or an is attribute")
        is_code = compile_value(self.src, is_.vstart, is_.vend)
        data = el.attr("data")
        if data is not None and data.value:
            v = data.value.strip()
            if not (v.startswith("{{") and v.endswith("}}")):
                raise self.src.error(data.vstart, "template data must be a {{ }} binding")
            off = data.vstart + data.value.index("{{") + 2
            end = data.vstart + data.value.rindex("}}")
            data_code = compile_object_body(self.src, off, end)
        else:
            data_code = "{}"
        return f"C.tpl(M,{is_code},{data_code})"

    def wxs_module(self, el: Element) -> None:
        module = el.attr("module")
        if module is None or not module.value:
            raise self.src.error(el.pos, "<wxs> needs a module attribute")
        if not re.fullmatch(r"[A-Za-z_$][\w$]*", module.value):
            raise self.src.error(module.vstart, f"invalid wxs module name {module.value!r}")
        if module.value in self.wxs:
            raise self.src.error(module.pos, f"wxs module {module.value!r} is defined twice")
        if el.attr("src"):
            path = self._src_path(el, "wxs file", ".wxs")
            self.dependencies.append(path)
        else:
            path = f"{self.src.path}#{module.value}"
            a, b = el.raw or (0, 0)
            self.inline_wxs.append((path, self.src.text[a:b]))
        self.wxs[module.value] = f"C.req({json.dumps(path)})"


def make_resolver(files: Container[str], current: str) -> Callable[[str, str], str | None]:
    """Resolve ``src`` (relative or absolute, extension optional) against ``current``."""

    def resolve(src: str, ext: str) -> str | None:
        base = (
            src.lstrip("/")
            if src.startswith("/")
            else posixpath.join(posixpath.dirname(current), src)
        )
        path = posixpath.normpath(base)
        if path.startswith("../"):
            return None
        for candidate in (path, path + ext):
            if candidate in files:
                return candidate
        return None

    return resolve
