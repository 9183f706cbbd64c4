"""Render the content model into pandoc Markdown with Jinja2 templates, treating all content as inert text."""

from __future__ import annotations

import re
import traceback
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import jinja2

from quaestio.content.model import Corpus, Recommendation, Text
from quaestio.publish import pandoc_markdown
from quaestio.publish.branding import Branding
from quaestio.vocab import SOURCE_LANGUAGE


@dataclass(frozen=True)
class TemplateFault:
    """Where a template of templates/ failed while it ran, and why: templates are data the coalition edits."""

    file: str  # from its templates/ folder: templates/site/fragments/x.html.j2
    line: int
    reason: str

    def __str__(self) -> str:
        return f"the template {self.file} failed at line {self.line}: {self.reason}"

    @property
    def hint(self) -> str:
        return f"correct that line (`git diff {self.file}` shows what changed in it)"


def template_fault(failure: BaseException) -> TemplateFault | None:
    """The template whose line raised failure (a value it names that does not exist, a syntax error, a filter
    given the wrong kind of value), or None when no template of a templates/ folder was running."""
    if isinstance(failure, jinja2.TemplateSyntaxError) and failure.filename:
        return TemplateFault(_from_templates(failure.filename), failure.lineno, failure.message or str(failure))
    frames = [
        frame
        for frame in traceback.extract_tb(failure.__traceback__)
        if frame.filename.endswith(".j2") or "templates/site/overrides/" in frame.filename
    ]
    if not frames:
        return None
    return TemplateFault(_from_templates(frames[-1].filename), frames[-1].lineno or 1, str(failure))


def _from_templates(filename: str) -> str:
    """A template's path from its templates/ folder on (the folder's place on disk says nothing to an editor)."""
    path = filename.replace("\\", "/")
    at = path.rfind("templates/")
    return path[at:] if at >= 0 else path


_CUTTING = jinja2.Environment(autoescape=False)  # Jinja's default truncation rules, for `plain`'s limit


def _in(value: Text | str | None, language: str) -> str:
    """A text in a language (its English where it has no current translation)."""
    if value is None:
        return ""
    return value.get(language) if isinstance(value, Text) else str(value)


def _falls_back(value: object, language: str) -> bool:
    return isinstance(value, Text) and language != SOURCE_LANGUAGE and value.language_of(language) != language


def content_markdown(
    value: Text | str | None, heading_level: int = 3, language: str = SOURCE_LANGUAGE, notice: str = ""
) -> str:
    """Contributor Markdown as pandoc Markdown blocks, written from the parse the website uses as well.

    Emphasis, lists, links (http, https, mailto), quotes, tables and code keep working; headings are
    shifted under heading_level; everything else, attributes, raw blocks, divs, spans, math, citations
    and images included, is written as literal text and prints as written. A text shown in English in a
    report in another language goes into a division marked lang="en", after `notice` in italics.
    """
    if value is None:
        return ""
    blocks = pandoc_markdown.blocks(_in(value, language), heading_level)
    if not _falls_back(value, language):
        return blocks
    heading = f"\n\n*{pandoc_markdown.literal(notice)}*\n" if notice else "\n"
    return f"{heading}\n::: {{lang=en}}\n{blocks}\n:::\n"


def content_inline(value: Text | str | None, language: str = SOURCE_LANGUAGE) -> str:
    """Contributor Markdown on one line (a list entry, a table cell), made safe the same way."""
    inline = pandoc_markdown.inline(_in(value, language))
    return f"[{inline}]{{lang=en}}" if _falls_back(value, language) else inline


def plain(value: Text | str | None, language: str = SOURCE_LANGUAGE, limit: int | None = None) -> str:
    """A one-line text (a title, a name) shown exactly as written, whatever characters it holds; cut at a word
    with '...' past `limit` characters, as Jinja's `truncate` cuts.

    In a report in another language, a text shown in English is a span marked lang="en".
    """
    text = " ".join(_in(value, language).split())
    if limit is not None:
        text = jinja2.filters.do_truncate(_CUTTING, text, limit)
    escaped = pandoc_markdown.literal(text)
    return f"[{escaped}]{{lang=en}}" if _falls_back(value, language) and escaped else escaped


def web_link(url: str | None, text: str | None = None) -> str:
    """A link to url, shown as text (else as the address itself), when url is http, https or mailto; else plain text."""
    return pandoc_markdown.link(" ".join((text if text is not None else url or "").split()), url)


def anchor(kind: str, identifier: str) -> str:
    """A stable in-document anchor, e.g. anchor('rec', 'GOV-BUS-01') -> 'rec-gov-bus-01'."""
    return f"{kind}-" + re.sub(r"[^a-z0-9]+", "-", identifier.lower()).strip("-")


def group_by(items: Iterable[object], attribute: str) -> dict[object, list[object]]:
    """Items grouped by the value of an attribute, each group in the items' order: one pass, where a
    `selectattr` per group would scan every item again."""
    groups: dict[object, list[object]] = {}
    for item in items:
        groups.setdefault(getattr(item, attribute), []).append(item)
    return groups


class _CompiledTemplates(jinja2.BytecodeCache):
    """Compiled templates kept in memory for the life of the process, shared by every environment: the reports'
    languages read the same template files, which Jinja would otherwise compile once per language. A template
    is reused only while its source is the same (Jinja checks its checksum)."""

    def __init__(self) -> None:
        self._compiled: dict[str, bytes] = {}

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        compiled = self._compiled.get(bucket.key)
        if compiled is not None:
            bucket.bytecode_from_string(compiled)

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        self._compiled[bucket.key] = bucket.bytecode_to_string()


_COMPILED = _CompiledTemplates()


def environment(templates: Path, language: str = SOURCE_LANGUAGE, notice: str = "") -> jinja2.Environment:
    """A Jinja2 environment for Markdown templates: content is passed in as data, never as template code.

    `md` and `plain` give each text in `language`; `notice` heads a block of text shown in English instead.
    """
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
        bytecode_cache=_COMPILED,
    )
    env.filters["md"] = lambda value, level=3: content_markdown(value, level, language, notice)
    env.filters["md_inline"] = lambda value: content_inline(value, language)
    env.filters["plain"] = lambda value, limit=None: plain(value, language, limit)
    env.filters["link"] = web_link
    env.filters["set"] = frozenset  # for membership tests (`r.id in present`) that do not scan a list
    env.globals["anchor"] = anchor
    env.globals["group_by"] = group_by
    return env


def high_priority(recommendations: Iterable[Recommendation]) -> list[Recommendation]:
    """The adopted or proposed high-priority recommendations, in order."""
    return [r for r in recommendations if r.priority == "high" and r.status in ("adopted", "proposed")]


def render_markdown(
    env: jinja2.Environment, template: str, corpus: Corpus, branding: Branding, **context: object
) -> str:
    """Render one report's Markdown."""
    return env.get_template(template).render(corpus=corpus, brand=branding, high_priority=high_priority, **context)
