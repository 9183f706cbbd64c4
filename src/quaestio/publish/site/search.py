"""Material's search index, with each page's HTML read by one regular expression instead of html.parser.

Material's search plugin reads every page's HTML with Python's html.parser to cut it into sections,
which costs about a fifth of a site build. The pages quaestio generates are regular HTML: text, start
and end tags with quoted attributes. Those are split here with one regular expression, with what
html.parser would give Material's handlers (names in lower case, entities resolved), and cut into sections
by `_Sections`: Material's handlers' rules, with counts of the open tags where Material searches its list
of open elements at every step. The index is the same, byte for byte. A page with anything else in its
HTML (a comment, a script, a stray '<', an unquoted attribute) is read by html.parser, as before.
"""

from __future__ import annotations

import re
import sys
from html import escape, unescape
from typing import Any

_TEXT = r"(?P<text>[^<]+)"
_ATTRIBUTES = r"""(?P<attributes>(?:\s+[a-zA-Z_:][-a-zA-Z0-9_:.]*(?:\s*=\s*(?:"[^"]*"|'[^']*'))?)*)"""
_START = rf"<(?P<start>[a-zA-Z][a-zA-Z0-9]*){_ATTRIBUTES}\s*(?P<empty>/?)>"
_END = r"</(?P<end>[a-zA-Z][a-zA-Z0-9]*)\s*>"
_TOKEN = re.compile(f"{_TEXT}|{_START}|{_END}")
_ATTRIBUTE = re.compile(r"""([a-zA-Z_:][-a-zA-Z0-9_:.]*)(?:\s*=\s*("[^"]*"|'[^']*'))?""")
_RAW_TEXT = frozenset({"script", "style"})  # html.parser reads their content differently


def use_fast_parser() -> None:
    """Make Material's search plugin read pages with the regular-expression reader (idempotent)."""
    from material.plugins.search import plugin  # type: ignore[import-untyped]

    if not getattr(plugin.Parser, "quaestio_fast", False):
        plugin.Parser = _fast_parser(plugin.Parser)


def _fast_parser(material: type) -> type:
    plugin = sys.modules[material.__module__]  # Material's search plugin: its Element, Section and void tags

    class FastParser(material):
        """Material's parser; `feed` splits regular HTML itself, anything else goes to html.parser."""

        quaestio_fast = True

        def feed(self, data: str) -> None:
            tokens = _tokens(data)
            if tokens is None or self.context or self.data:  # a second feed: Material's handlers go on
                super().feed(data)
                return
            sections = _Sections(self, plugin.Element, plugin.Section, plugin.void)
            for kind, first, second in tokens:
                if kind == "text":
                    sections.text(first)
                elif kind == "start":
                    sections.start(first, second)
                elif kind == "empty":  # <br/>: html.parser's handle_startendtag does both
                    sections.start(first, second)
                    sections.end(first)
                else:
                    sections.end(first)

    return FastParser


_HEADINGS = frozenset(f"h{level}" for level in range(1, 7))
_ALWAYS_SKIPPED = ("script", "style", "object")


class _Sections:
    """Material's Parser.handle_starttag, handle_endtag and handle_data, on the parser's own sections.

    Material compares its elements by tag name alone, so its set of skipped elements is a set of tag names,
    and "an element of this tag is open" is all its searches of the open elements ask: here, counts of the
    open tags answer it, and of the open permalinks (a.headerlink) inside a heading."""

    def __init__(self, parser: Any, element: type, section: type, void: frozenset[str] | set[str]) -> None:
        self.parser, self.element, self.section_class, self.void = parser, element, section, void
        self.context: list[Any] = parser.context  # the open elements, as Material keeps them
        self.skip = {e if isinstance(e, str) else e.tag for e in parser.skip}
        self.open: dict[str, int] = {}
        self.permalinks = 0
        self.blocked = 0  # open elements whose tag is skipped

    def _count_blocked(self) -> None:
        self.blocked = sum(self.open.get(tag, 0) for tag in self.skip)

    def _within_title(self, section: Any) -> bool:
        return self.open.get(section.el.tag, 0) > 0

    def _section(self) -> Any:
        parser = self.parser
        if not parser.section:  # the preface: a top-level section
            parser.section = self.section_class(self.element("hx"))
            parser.data.append(parser.section)
        return parser.section

    def start(self, tag: str, attributes: list[tuple[str, str | None]]) -> None:
        attrs = dict(attributes)
        if tag in self.void:
            return
        element = self.element(tag, attrs)
        self.context.append(element)
        self.open[tag] = self.open.get(tag, 0) + 1
        if tag in self.skip:
            self.blocked += 1
        if tag == "a" and attrs.get("class") == "headerlink":
            self.permalinks += 1
        parser = self.parser
        if tag in _HEADINGS and "id" in attrs:
            depth = len(self.context)
            if tag != "h1" and not parser.data:
                parser.section = self.section_class(self.element("hx"), depth)
                parser.data.append(parser.section)
            parser.section = self.section_class(element, depth)
            if parser.data:
                parser.section.id = attrs["id"]
            parser.data.append(parser.section)
        section = self._section()
        if "data-search-exclude" in attrs or attrs.get("class") == "linenodiv":
            self.skip.add(tag)
            self._count_blocked()
            return
        if not self.blocked and tag in parser.keep:
            (section.title if self._within_title(section) else section.text).append(f"<{tag}>")

    def end(self, tag: str) -> None:
        context, parser = self.context, self.parser
        if not context or context[-1].tag != tag:
            return
        if parser.section.depth > len(context):  # leaving the element a heading was nested in
            for section in reversed(parser.data):
                if section.depth <= len(context):
                    parser.section.depth = float("inf")
                    parser.section = section
                    break
        element = context.pop()
        self.open[tag] -= 1
        if tag in self.skip:
            self.blocked -= 1
        if tag == "a" and element.attrs.get("class") == "headerlink":
            self.permalinks -= 1
        if tag in self.skip:
            if tag not in _ALWAYS_SKIPPED:
                self.skip.remove(tag)
                self._count_blocked()
            return
        if not self.blocked and tag in parser.keep:
            section = parser.section
            _close(section.title if self._within_title(section) else section.text, tag)

    def text(self, data: str) -> None:
        if self.blocked:
            return
        in_pre = self.open.get("pre", 0) > 0
        if not in_pre:
            data = data.replace("\n", " ") if not data.isspace() else " "
        section = self._section()
        if self._within_title(section):
            if not self.permalinks:
                section.title.append(escape(data, quote=False))
        elif data.isspace():
            if not section.text or not section.text[-1].isspace() or in_pre:
                section.text.append(data)
        else:
            section.text.append(escape(data, quote=False))


def _tokens(html: str) -> list[tuple[str, str, Any]] | None:
    """The handler calls html.parser would make for `html`, or None if it is not plain text and tags."""
    tokens: list[tuple[str, str, Any]] = []
    position, end = 0, len(html)
    match = _TOKEN.match
    while position < end:
        found = match(html, position)
        if found is None:
            return None
        position = found.end()
        text = found.group("text")
        if text is not None:
            tokens.append(("text", unescape(text), None))
            continue
        name = found.group("start")
        if name is not None:
            name = name.lower()
            if name in _RAW_TEXT:
                return None
            attributes = [
                (key.lower(), unescape(value[1:-1]) if value else None)  # no value: None; a quoted one: "" or more
                for key, value in _ATTRIBUTE.findall(found.group("attributes"))
            ]
            tokens.append(("empty" if found.group("empty") else "start", name, attributes))
        else:
            tokens.append(("end", found.group("end").lower(), None))
    return tokens


def _close(data: list[str], tag: str) -> None:
    """A kept element's end: its closing tag after what it holds, or nothing of it when it holds only spaces."""
    index = data.index(f"<{tag}>")
    if any(not part.isspace() for part in data[index + 1 :]):
        data.append(f"</{tag}>")
    else:
        del data[index:]
