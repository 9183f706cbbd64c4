"""Contributors' Markdown parsed once, safely: raw HTML off, only vocab.LINK_SCHEMES links, images as links.

The website (HTML) and the reports (pandoc Markdown) are both written from the tree this module
returns, so a text reads the same in both and one allow-list decides what may be a link.
"""

from __future__ import annotations

import re
from functools import lru_cache

from markdown_it import MarkdownIt
from markdown_it.token import Token
from markdown_it.tree import SyntaxTreeNode

from quaestio.vocab import LINK_SCHEMES

_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*):")
# Control characters have no place in text; Python-Markdown also uses \x02 and \x03 as its own markers.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
MAX_HEADING = 6


def without_controls(text: str) -> str:
    """The text without control characters (tabs and line breaks are kept)."""
    return _CONTROL.sub("", text)


def safe_url(url: str | None) -> str | None:
    """The address if its scheme is one of vocab.LINK_SCHEMES (http, https, mailto), else None."""
    if not url:
        return None
    url = without_controls(url).strip()
    scheme = _SCHEME.match(url)
    return url if scheme and scheme.group(1).lower() in LINK_SCHEMES else None


def _validate_link(url: str) -> bool:
    return safe_url(url) is not None


@lru_cache(maxsize=1)
def parser() -> MarkdownIt:
    """CommonMark with tables and strikethrough; raw HTML is text; links and images need an allowed scheme."""
    md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
    md.enable(["table", "strikethrough"])
    md.validateLink = _validate_link  # type: ignore[method-assign]  # another scheme: not a link, it stays text
    return md


def _images_as_links(tokens: list[Token]) -> None:
    """Images from content are never loaded: each becomes a link to the image, named by its description."""
    for token in tokens:
        if token.type != "inline" or not token.children:
            continue
        children: list[Token] = []
        in_link = 0
        for child in token.children:
            in_link += {"link_open": 1, "link_close": -1}.get(child.type, 0)
            if child.type != "image":
                children.append(child)
                continue
            source = safe_url(str(child.attrGet("src") or ""))  # always set: the parser refuses other images
            description = Token("text", "", 0, content=child.content or "image")
            if source is None or in_link:  # inside a link, the description alone: links do not nest
                children.append(description)
            else:
                children += [Token("link_open", "a", 1, attrs={"href": source}), description]
                children.append(Token("link_close", "a", -1))
        token.children = children


def _shift_headings(tokens: list[Token], base: int) -> None:
    """Headings moved so that the highest is at level base (at most 6), keeping their relative levels."""
    levels = [int(t.tag[1]) for t in tokens if t.type == "heading_open"]
    if not levels:
        return
    shift = base - min(levels)
    for token in tokens:
        if token.type in ("heading_open", "heading_close"):
            token.tag = f"h{min(MAX_HEADING, int(token.tag[1]) + shift)}"


def parse_tokens(text: str, heading_level: int = 3, env: dict | None = None) -> list[Token]:
    """The token stream of contributor Markdown, made safe: see the module's description."""
    tokens = parser().parse(without_controls(text), {} if env is None else env)
    _images_as_links(tokens)
    _shift_headings(tokens, heading_level)
    return tokens


def parse(text: str, heading_level: int = 3) -> SyntaxTreeNode:
    """Contributor Markdown as a tree of blocks and inlines, made safe: see the module's description."""
    return SyntaxTreeNode(parse_tokens(text, heading_level))


def plain_text(text: str) -> str:
    """What a reader sees of contributor Markdown, without its markup, on one line (for document properties)."""
    parts = []
    for node in parse(text).walk():
        if node.type in ("text", "code_inline", "fence", "code_block"):
            parts.append(node.content)
        elif node.type in ("softbreak", "hardbreak", "paragraph", "heading", "list_item", "th", "td"):
            parts.append(" ")
    return " ".join("".join(parts).split())
