"""Render the content model into pandoc Markdown with Jinja2 templates, treating all content as inert text."""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

import jinja2

from quaestio.content.model import Corpus, Recommendation, Text
from quaestio.publish.branding import Branding
from quaestio.vocab import SOURCE_LANGUAGE

_FENCE = re.compile(r"^\s{0,3}(`{3,}|~{3,})")
_ATX = re.compile(r"^(\s{0,3})(#{1,6})(\s+|$)")
_SETEXT = re.compile(r"^\s{0,3}(=+|-+)\s*$")
_BACKTICKS = re.compile(r"(`+)(.+?)\1", re.DOTALL)
# Characters that would let content reach pandoc's attribute, div, span, image, math or citation syntax.
_INERT = {"{": r"\{", "}": r"\}", "$": r"\$", "@": r"\@"}
_PLAIN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!<>|$@^~&:;\"'])")


def _inert_inline(line: str) -> str:
    """Escape the syntax content may not use, leaving inline code spans untouched."""
    out, last = [], 0
    for span in _BACKTICKS.finditer(line):
        out.append(_escape_prose(line[last : span.start()]))
        out.append(span.group(0))
        last = span.end()
    out.append(_escape_prose(line[last:]))
    return "".join(out)


def _escape_prose(text: str) -> str:
    text = "".join(_INERT.get(c, c) for c in text)
    text = text.replace("![", r"\![")  # no images from content
    if text.lstrip().startswith(":::"):
        text = text.replace(":::", r"\:::", 1)
    return text


def _falls_back(value: object, language: str) -> bool:
    return isinstance(value, Text) and language != SOURCE_LANGUAGE and value.language_of(language) != language


def content_markdown(
    value: Text | str | None, heading_level: int = 3, language: str = SOURCE_LANGUAGE, notice: str = ""
) -> str:
    """Contributor Markdown made safe to embed: headings shifted under heading_level, extensions inert.

    Emphasis, lists, links, quotes and code keep working; attributes, raw blocks, divs, spans, math,
    citations and images are escaped so they print as text. Raw HTML and TeX are disabled by the
    pandoc reader as well. A text shown in English in a report in another language goes into a
    division marked lang="en", after `notice` in italics.
    """
    if value is None:
        return ""
    if _falls_back(value, language):
        english = content_markdown(value, heading_level)
        heading = f"\n\n*{plain(notice)}*\n" if notice else "\n"
        return f"{heading}\n::: {{lang=en}}\n{english}\n:::\n"
    text = value.get(language) if isinstance(value, Text) else str(value)
    lines = text.replace("\r\n", "\n").replace("\r", "\n").strip("\n").split("\n")
    # Setext headings become ATX headings first, so that every heading can be shifted alike.
    for index in range(1, len(lines)):
        if _SETEXT.match(lines[index]) and lines[index - 1].strip() and not _ATX.match(lines[index - 1]):
            marker = "#" if lines[index].strip().startswith("=") else "##"
            lines[index - 1], lines[index] = f"{marker} {lines[index - 1].strip()}", ""
    levels = [len(m.group(2)) for line in lines if (m := _ATX.match(line))]
    shift = heading_level - min(levels) if levels else 0
    out, fence = [], None
    for line in lines:
        opening = _FENCE.match(line)
        if fence is not None:
            out.append(line)
            if opening and opening.group(1)[0] == fence[0] and len(opening.group(1)) >= len(fence):
                fence = None
            continue
        if opening:
            fence = opening.group(1)
            # A fence's info string could name a raw format ({=typst}); keep only the fence itself.
            out.append(line[: opening.end()])
            continue
        heading = _ATX.match(line)
        if heading:
            level = min(6, len(heading.group(2)) + shift)
            line = f"{heading.group(1)}{'#' * level} {_inert_inline(line[heading.end() :]).rstrip('# ')}"
            out.append(line)
            continue
        out.append(_inert_inline(line))
    return "\n".join(out)


def plain(value: Text | str | None, language: str = SOURCE_LANGUAGE) -> str:
    """A one-line text (a title, a name) shown exactly as written, whatever characters it holds.

    In a report in another language, a text shown in English is a span marked lang="en".
    """
    if value is None:
        return ""
    text = value.get(language) if isinstance(value, Text) else str(value)
    escaped = _PLAIN_SPECIAL.sub(r"\\\1", " ".join(text.split()))
    return f"[{escaped}]{{lang=en}}" if _falls_back(value, language) else escaped


def anchor(kind: str, identifier: str) -> str:
    """A stable in-document anchor, e.g. anchor('rec', 'GOV-BUS-01') -> 'rec-gov-bus-01'."""
    return f"{kind}-" + re.sub(r"[^a-z0-9]+", "-", identifier.lower()).strip("-")


def environment(templates: Path, language: str = SOURCE_LANGUAGE, notice: str = "") -> jinja2.Environment:
    """A Jinja2 environment for Markdown templates: content is passed in as data, never as template code.

    `md` and `plain` give each text in `language`; `notice` heads a block of text shown in English instead.
    """
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(templates)),
        autoescape=False,  # the output is Markdown; content is escaped by the md and plain filters
        undefined=jinja2.StrictUndefined,
        extensions=["jinja2.ext.do"],
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        # Pandoc's attributes use {#id}, so template comments are written <# ... #> instead.
        comment_start_string="<#",
        comment_end_string="#>",
    )
    env.filters["md"] = lambda value, level=3: content_markdown(value, level, language, notice)
    env.filters["plain"] = lambda value: plain(value, language)
    env.globals["anchor"] = anchor
    return env


def high_priority(recommendations: Iterable[Recommendation]) -> list[Recommendation]:
    """The adopted or proposed high-priority recommendations, in order."""
    return [r for r in recommendations if r.priority == "high" and r.status in ("adopted", "proposed")]


def render_markdown(
    env: jinja2.Environment, template: str, corpus: Corpus, branding: Branding, **context: object
) -> str:
    """Render one report's Markdown."""
    return env.get_template(template).render(corpus=corpus, brand=branding, high_priority=high_priority, **context)
