"""Contributors' text made safe for the website: their Markdown, parsed by quaestio.content.markdown, as HTML."""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Mapping, Sequence
from functools import lru_cache

from markdown_it.renderer import RendererHTML
from markdown_it.token import Token
from markdown_it.utils import EnvType, OptionsDict
from markupsafe import Markup, escape

from quaestio.content import markdown
from quaestio.content.markdown import safe_url as safe_url  # the one allow-list, used by the site's templates
from quaestio.content.model import GlossaryEntry, Text
from quaestio.vocab import SOURCE_LANGUAGE

# Characters with a meaning in Markdown or one of its extensions (attribute lists, tables, abbreviations,
# snippets, emphasis, links...), in HTML, or in a template language. In text interpolated into a
# generated Markdown page they are written as numeric character references, which Markdown leaves alone.
_MARKDOWN_ACTIVE = frozenset("\\`*_{}[]()<>#+-.!|&:~^=\"'$%@")


def clean(value: Text | str | None, language: str = SOURCE_LANGUAGE) -> str:
    """The text of a value in a language (English when it has no current translation), without control characters."""
    if value is None:
        return ""
    return markdown.without_controls(value.get(language) if isinstance(value, Text) else str(value))


def inline(value: Text | str | None, language: str = SOURCE_LANGUAGE) -> Markup:
    """A one-line text (a title, a name) for a generated Markdown page: shown exactly as written, never parsed."""
    text = " ".join(clean(value, language).split())
    return Markup("".join(f"&#{ord(c)};" if c in _MARKDOWN_ACTIVE else c for c in text))


def attribute(value: Text | str | None, language: str = SOURCE_LANGUAGE) -> str:
    """A one-line plain text, whitespace collapsed (for HTML attributes and search data; escape on output)."""
    return " ".join(clean(value, language).split())


class Glossary:
    """Abbreviations to mark up as <abbr title="..."> in contributors' text, longest term first."""

    def __init__(self, entries: Mapping[str, str]):
        self.entries = dict(entries)
        # Terms are matched in escaped text, so by their escaped form; the title is escaped once here.
        self._titles = {str(escape(term)): str(escape(expansion)) for term, expansion in self.entries.items()}
        terms = sorted(self._titles, key=lambda t: (-len(t), t))
        alternatives = "|".join(re.escape(term) for term in terms)
        self._pattern = re.compile(rf"(?<![\w&#-])({alternatives})(?![\w-])") if terms else None
        self._key = tuple(sorted(self.entries.items()))

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Glossary) and self._key == other._key

    def __hash__(self) -> int:  # by value, so that rendered texts can be reused from one build to the next
        return hash(self._key)

    @classmethod
    def of(cls, entries: Iterable[GlossaryEntry], language: str = SOURCE_LANGUAGE) -> Glossary:
        """A glossary from topic entries, expansions in a language; the first definition of a term wins."""
        found: dict[str, str] = {}
        for entry in entries:
            term = attribute(entry.term)
            if term and term not in found:
                found[term] = attribute(entry.expansion, language)
        return cls(found)

    def mark(self, escaped: str) -> str:
        """Wrap every known term in already-escaped text in an <abbr> element."""
        if self._pattern is None:
            return escaped
        return self._pattern.sub(lambda m: f'<abbr title="{self._titles[m.group(1)]}">{m.group(1)}</abbr>', escaped)


NO_GLOSSARY = Glossary({})


def _render_text(self: RendererHTML, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType) -> str:
    escaped = str(escape(tokens[idx].content))
    glossary: Glossary = env.get("glossary", NO_GLOSSARY)
    return escaped if tokens[idx].meta.get("in_link") else glossary.mark(escaped)


@lru_cache(maxsize=1)
def _renderer() -> RendererHTML:
    renderer = RendererHTML()
    renderer.rules["text"] = _render_text.__get__(renderer)
    return renderer


def _mark_links(tokens: list) -> None:
    for token in tokens:
        if token.type != "inline" or not token.children:
            continue
        depth = 0
        for child in token.children:
            if child.type == "link_open":
                depth += 1
            elif child.type == "link_close":
                depth -= 1
            elif child.type == "text" and depth:
                child.meta["in_link"] = True


def render(
    value: Text | str | None, glossary: Glossary = NO_GLOSSARY, heading_level: int = 3, language: str = SOURCE_LANGUAGE
) -> Markup:
    """Contributor Markdown as safe HTML.

    Raw HTML is escaped (it prints as text), links other than http, https and mailto stay text,
    images become links, headings are shifted so the highest is heading_level, and known
    abbreviations get a tooltip. Nothing in the text is ever evaluated as a template.
    """
    source = clean(value, language)
    if not source.strip():
        return Markup("")
    try:
        return _rendered(source, glossary, heading_level)
    except TypeError:  # a glossary that cannot be a cache key
        return _rendered.__wrapped__(source, glossary, heading_level)


@functools.lru_cache(maxsize=8192)
def _rendered(source: str, glossary: Glossary, heading_level: int) -> Markup:
    """render's work, kept per text: `serve` writes every page again on each edit, with mostly the same texts."""
    env = {"glossary": glossary}
    tokens = markdown.parse_tokens(source, heading_level, env)
    _mark_links(tokens)
    return Markup(_renderer().render(tokens, markdown.parser().options, env).strip())


def plain_text(value: Text | str | None, language: str = SOURCE_LANGUAGE) -> str:
    """Contributor Markdown as one line of plain text: the words, without markup (for meta descriptions)."""
    return markdown.plain_text(clean(value, language))
