"""Render the content model into pandoc Markdown with Jinja2 templates, treating all content as inert text."""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

import jinja2

from quaestio.content.model import Corpus, Recommendation, Text
from quaestio.publish import pandoc_markdown
from quaestio.publish.branding import Branding


def _english(value: Text | str | None) -> str:
    if value is None:
        return ""
    return value.en if isinstance(value, Text) else str(value)


def content_markdown(value: Text | str | None, heading_level: int = 3) -> str:
    """Contributor Markdown as pandoc Markdown blocks, written from the parse the website uses as well.

    Emphasis, lists, links (http, https, mailto), quotes, tables and code keep working; headings are
    shifted under heading_level; everything else, attributes, raw blocks, divs, spans, math, citations
    and images included, is written as literal text and prints as written.
    """
    return pandoc_markdown.blocks(_english(value), heading_level)


def content_inline(value: Text | str | None) -> str:
    """Contributor Markdown on one line (a list entry, a table cell), made safe the same way."""
    return pandoc_markdown.inline(_english(value))


def plain(value: Text | str | None) -> str:
    """A one-line text (a title, a name) shown exactly as written, whatever characters it holds."""
    return pandoc_markdown.literal(" ".join(_english(value).split()))


def web_link(url: str | None, text: str | None = None) -> str:
    """A link to url, shown as text (else as the address itself), when url is http, https or mailto; else plain text."""
    return pandoc_markdown.link(" ".join((text if text is not None else url or "").split()), url)


def anchor(kind: str, identifier: str) -> str:
    """A stable in-document anchor, e.g. anchor('rec', 'GOV-BUS-01') -> 'rec-gov-bus-01'."""
    return f"{kind}-" + re.sub(r"[^a-z0-9]+", "-", identifier.lower()).strip("-")


def environment(templates: Path) -> jinja2.Environment:
    """A Jinja2 environment for Markdown templates: content is passed in as data, never as template code."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(templates)),
        autoescape=False,  # the output is Markdown; content goes through the md, md_inline, plain and link filters
        undefined=jinja2.StrictUndefined,
        extensions=["jinja2.ext.do"],
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        # Pandoc's attributes use {#id}, so template comments are written <# ... #> instead.
        comment_start_string="<#",
        comment_end_string="#>",
    )
    env.filters["md"] = content_markdown
    env.filters["md_inline"] = content_inline
    env.filters["plain"] = plain
    env.filters["link"] = web_link
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
