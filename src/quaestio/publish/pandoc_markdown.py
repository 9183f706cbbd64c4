"""Contributors' Markdown written as pandoc Markdown for the reports, from the same parse as the website.

Only the structure the parser found (paragraphs, headings, lists, quotes, code, tables, emphasis,
links with an allowed scheme) is written as Markdown syntax; every character of text is written as
a literal, with each ASCII punctuation mark backslash-escaped (pandoc reads any escaped punctuation
as itself). Nothing a contributor types can reach pandoc's attributes, divs, spans, raw blocks,
math, citations or images, and code prints exactly as typed.
"""

from __future__ import annotations

import re
from functools import lru_cache
from urllib.parse import quote

from markdown_it.tree import SyntaxTreeNode

from quaestio.content.markdown import parse, safe_url, without_controls

_PUNCTUATION = re.compile(r"[!-/:-@\[-`{-~]")  # every ASCII punctuation character
_BACKTICKS = re.compile(r"`+")
# What may stand unencoded in a link's address in pandoc Markdown; anything else is percent-encoded.
_URL_SAFE = "-._~:/?#[]@!$&*+,;=%"
_ALIGN = {"text-align:left": ":--", "text-align:right": "--:", "text-align:center": ":-:"}
INDENT = 4


def literal(text: str) -> str:
    """Text that pandoc prints exactly as written: every ASCII punctuation character escaped.

    Control characters are dropped (no font can print them, and typst refuses a PDF/UA file that holds them).
    """
    return _PUNCTUATION.sub(r"\\\g<0>", without_controls(text))


def link_markup(markup: str, url: str | None) -> str:
    """A link around already-written Markdown when url has an allowed scheme, else the Markdown alone."""
    target = safe_url(url)
    return f"[{markup}]({quote(target, safe=_URL_SAFE)})" if target else markup


def link(text: str, url: str | None) -> str:
    """A link when url has an allowed scheme, else the text alone; the text is printed as written."""
    return link_markup(literal(text), url)


def _code_span(code: str) -> str:
    fence = "`" * (max((len(run) for run in _BACKTICKS.findall(code)), default=0) + 1)
    pad = " " if code.startswith("`") or code.endswith("`") else ""
    return f"{fence}{pad}{code}{pad}{fence}"


def _inline(node: SyntaxTreeNode, breaks: bool = True) -> str:
    """Inline content (text, emphasis, code, links) as pandoc Markdown; line breaks kept, or spaces if not breaks."""
    kind = node.type
    inner = "".join(_inline(child, breaks) for child in node.children)
    if kind == "inline":
        return inner
    if kind == "text":
        return literal(node.content)
    if kind == "softbreak":
        return "\n" if breaks else " "
    if kind == "hardbreak":
        return "\\\n" if breaks else " "
    if kind == "code_inline":
        return _code_span(node.content)
    if kind == "em":
        return f"*{inner}*"
    if kind == "strong":
        return f"**{inner}**"
    if kind == "s":
        return f"~~{inner}~~"
    if kind == "link":
        return link_markup(inner, str(node.attrs.get("href", "")))
    return literal(node.content) + inner  # anything else the parser may add prints as text


def _code_block(code: str) -> list[str]:
    """A fenced code block, its fence longer than any run of backticks inside; no info string."""
    fence = "`" * max(3, max((len(run) for run in _BACKTICKS.findall(code)), default=0) + 1)
    return [fence, *code.rstrip("\n").split("\n"), fence]


def _indented(lines: list[str], first: str, rest: str) -> list[str]:
    return [(first if index == 0 else rest) + line if line else "" for index, line in enumerate(lines)]


def _list(node: SyntaxTreeNode) -> list[str]:
    ordered = node.type == "ordered_list"
    start = int(node.attrs.get("start", 1)) if ordered else 1
    tight = all(p.hidden for item in node.children for p in item.children if p.type == "paragraph")
    lines: list[str] = []
    for number, item in enumerate(node.children, start=start):
        marker = f"{number}." if ordered else "-"
        width = max(INDENT, len(marker) + 2)
        body = _blocks(item.children, tight)
        if lines and not tight:
            lines.append("")
        lines += _indented(body, marker.ljust(width), " " * width) if body else [marker]
    return lines


def _table(node: SyntaxTreeNode) -> list[str]:
    rows = [row for section in node.children for row in section.children]
    header, body = rows[0], rows[1:]

    def cells(row: SyntaxTreeNode) -> str:
        return (
            "| "
            + " | ".join(_inline(cell.children[0], breaks=False) if cell.children else "" for cell in row.children)
            + " |"
        )

    rule = "|" + "|".join(_ALIGN.get(str(cell.attrs.get("style", "")), "---") for cell in header.children) + "|"
    return [cells(header), rule, *(cells(row) for row in body)]


def _block(node: SyntaxTreeNode) -> list[str]:
    kind = node.type
    if kind == "paragraph":
        return _inline(node.children[0]).split("\n")
    if kind == "heading":
        return [f"{'#' * int(node.tag[1])} {_inline(node.children[0], breaks=False)}"]
    if kind in ("fence", "code_block"):
        return _code_block(node.content)
    if kind in ("bullet_list", "ordered_list"):
        return _list(node)
    if kind == "blockquote":
        return [f"> {line}" if line else ">" for line in _blocks(node.children)]
    if kind == "hr":
        return ["* * *"]
    if kind == "table":
        return _table(node)
    return [literal(line) for line in node.content.rstrip("\n").split("\n")]  # anything else prints as text


def _blocks(nodes: list[SyntaxTreeNode], tight: bool = False) -> list[str]:
    """Blocks one after the other, a blank line between them (none before a list inside a tight list)."""
    lines: list[str] = []
    for node in nodes:
        if lines and not (tight and node.type in ("bullet_list", "ordered_list")):
            lines.append("")
        lines += _block(node)
    return lines


@lru_cache(maxsize=8192)  # each text stands in several reports: the topic's, its audience's, the compendium
def blocks(text: str, heading_level: int = 3) -> str:
    """Contributor Markdown as pandoc Markdown blocks, headings shifted so the highest is heading_level."""
    return "\n".join(_blocks(parse(text, heading_level).children))


@lru_cache(maxsize=8192)
def inline(text: str) -> str:
    """Contributor Markdown as one line of pandoc Markdown (for a table cell or a list entry)."""
    parts = []
    for node in parse(text).walk():
        if node.type == "inline":
            parts.append(_inline(node, breaks=False))
        elif node.type in ("fence", "code_block"):
            parts.append(_code_span(" ".join(node.content.split())))
    return " ".join(part for part in parts if part)
