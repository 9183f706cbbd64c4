"""Contributors' text made safe for the website: Markdown to HTML with no raw HTML and only web links."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from functools import lru_cache

from markdown_it import MarkdownIt
from markupsafe import Markup, escape

from quaestio.content.model import GlossaryEntry, Text
from quaestio.vocab import LINK_SCHEMES

_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*):")
# Control characters have no place in text; Python-Markdown also uses \x02 and \x03 as its own markers.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# Characters with a meaning in Markdown or one of its extensions (attribute lists, tables, abbreviations,
# snippets, emphasis, links...), in HTML, or in a template language. In text interpolated into a
# generated Markdown page they are written as numeric character references, which Markdown leaves alone.
_MARKDOWN_ACTIVE = frozenset("\\`*_{}[]()<>#+-.!|&:~^=\"'$%@")


def clean(value: Text | str | None) -> str:
    """The English text of a value, without control characters."""
    if value is None:
        return ""
    return _CONTROL.sub("", value.en if isinstance(value, Text) else str(value))


def inline(value: Text | str | None) -> Markup:
    """A one-line text (a title, a name) for a generated Markdown page: shown exactly as written, never parsed."""
    text = " ".join(clean(value).split())
    return Markup("".join(f"&#{ord(c)};" if c in _MARKDOWN_ACTIVE else c for c in text))


def attribute(value: Text | str | None) -> str:
    """A one-line plain text, whitespace collapsed (for HTML attributes and search data; escape on output)."""
    return " ".join(clean(value).split())


def safe_url(url: str | None) -> str | None:
    """The address if it is an http, https or mailto URL, else None."""
    if not url:
        return None
    url = clean(url).strip()
    scheme = _SCHEME.match(url)
    return url if scheme and scheme.group(1).lower() in LINK_SCHEMES else None


class Glossary:
    """Abbreviations to mark up as <abbr title="..."> in contributors' text, longest term first."""

    def __init__(self, entries: Mapping[str, str]):
        self.entries = dict(entries)
        # Terms are matched in escaped text, so by their escaped form; the title is escaped once here.
        self._titles = {str(escape(term)): str(escape(expansion)) for term, expansion in self.entries.items()}
        terms = sorted(self._titles, key=lambda t: (-len(t), t))
        alternatives = "|".join(re.escape(term) for term in terms)
        self._pattern = re.compile(rf"(?<![\w&#-])({alternatives})(?![\w-])") if terms else None

    @classmethod
    def of(cls, entries: Iterable[GlossaryEntry]) -> Glossary:
        """A glossary from topic entries; the first definition of a term wins."""
        found: dict[str, str] = {}
        for entry in entries:
            term = attribute(entry.term)
            if term and term not in found:
                found[term] = attribute(entry.expansion)
        return cls(found)

    def mark(self, escaped: str) -> str:
        """Wrap every known term in already-escaped text in an <abbr> element."""
        if self._pattern is None:
            return escaped
        return self._pattern.sub(lambda m: f'<abbr title="{self._titles[m.group(1)]}">{m.group(1)}</abbr>', escaped)


NO_GLOSSARY = Glossary({})


def _validate_link(url: str) -> bool:
    return safe_url(url) is not None


def _render_text(self, tokens, idx, options, env) -> str:  # noqa: ANN001 - markdown-it's renderer signature
    escaped = str(escape(tokens[idx].content))
    glossary: Glossary = env.get("glossary", NO_GLOSSARY)
    return escaped if tokens[idx].meta.get("in_link") else glossary.mark(escaped)


def _render_image(self, tokens, idx, options, env) -> str:  # noqa: ANN001
    """Images from content are never loaded: they become a link to the image (or just their description)."""
    token = tokens[idx]
    description = escape(token.content or "image")
    source = safe_url(token.attrGet("src"))
    return f'<a href="{escape(source)}">{description}</a>' if source else str(description)


@lru_cache(maxsize=1)
def _parser() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
    md.enable(["table", "strikethrough"])
    md.validateLink = _validate_link  # only http, https and mailto links survive; others stay text
    md.add_render_rule("text", _render_text)
    md.add_render_rule("image", _render_image)
    return md


def _shift_headings(tokens: list, base: int) -> None:
    levels = [int(t.tag[1]) for t in tokens if t.type == "heading_open"]
    if not levels:
        return
    shift = base - min(levels)
    for token in tokens:
        if token.type in ("heading_open", "heading_close"):
            token.tag = f"h{min(6, int(token.tag[1]) + shift)}"


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


def render(value: Text | str | None, glossary: Glossary = NO_GLOSSARY, heading_level: int = 3) -> Markup:
    """Contributor Markdown as safe HTML.

    Raw HTML is escaped (it prints as text), links other than http, https and mailto stay text,
    images become links, headings are shifted so the highest is heading_level, and known
    abbreviations get a tooltip. Nothing in the text is ever evaluated as a template.
    """
    source = clean(value)
    if not source.strip():
        return Markup("")
    md = _parser()
    env = {"glossary": glossary}
    tokens = md.parse(source, env)
    _shift_headings(tokens, heading_level)
    _mark_links(tokens)
    return Markup(md.renderer.render(tokens, md.options, env).strip())


def plain_text(value: Text | str | None) -> str:
    """Contributor Markdown as one line of plain text: the words, without markup (for meta descriptions)."""
    words = []
    for token in _parser().parse(clean(value)):
        if token.type == "inline" and token.children:
            words += [child.content for child in token.children if child.type in ("text", "code_inline")]
            words.append(" ")
    return " ".join("".join(words).split())
