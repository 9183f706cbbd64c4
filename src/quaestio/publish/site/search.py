"""Material's search index, with each page's HTML read by one regular expression instead of html.parser.

Material's search plugin reads every page's HTML with Python's html.parser to cut it into sections,
which costs about a fifth of a site build. The pages quaestio generates are regular HTML: text, start
and end tags with quoted attributes. Those are split here with one regular expression and handed to
Material's own parser's handlers, with the arguments html.parser would give them (names in lower case,
entities resolved), so the index is the same, byte for byte. A page with anything else in its HTML (a
comment, a script, a stray '<', an unquoted attribute) is read by html.parser, as before.
"""

from __future__ import annotations

import re
from html import unescape
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
    class FastParser(material):
        """Material's parser; `feed` splits regular HTML itself, anything else goes to html.parser."""

        quaestio_fast = True

        def feed(self, data: str) -> None:
            tokens = _tokens(data)
            if tokens is None:
                super().feed(data)
                return
            for kind, first, second in tokens:
                if kind == "text":
                    self.handle_data(first)
                elif kind == "start":
                    self.handle_starttag(first, second)
                elif kind == "empty":  # <br/>: html.parser's handle_startendtag does both
                    self.handle_starttag(first, second)
                    self.handle_endtag(first)
                else:
                    self.handle_endtag(first)

    return FastParser


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
