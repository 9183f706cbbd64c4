"""The search index's fast HTML reader makes the same sections as Material's parser on html.parser."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from material.plugins.search import plugin

from quaestio.publish.site.search import _fast_parser, _tokens

FastParser = _fast_parser(plugin.Parser)

PAGES = [
    '<h1 id="a">Title<a class="headerlink" href="#a" title="Link">&para;</a></h1><p>One &amp; two</p>',
    "<p>Text <code>x &lt; y</code></p>\n<ul>\n<li>a</li>\n<li> </li>\n</ul>\n"
    '<h2 id="b">B</h2><pre><code>a\n  b\n</code></pre>',
    '<div data-search-exclude><p>hidden</p></div><p>shown<br/>after<br />break<img alt="x" src="y"></p>',
    '<H2 ID="c" Class=\'k\'>Mixed case</H2><p hidden title="">empty value</p><sup>1</sup>',
    '<section><h3 id="n">Nested</h3><p>in</p></section><p>out &#39;quoted&#x27; &copy</p>',
    "plain text only, no tags &amp; an entity at the end &amp",
]
FALLBACK = [
    "<p>a < b</p>",
    "<!-- comment --><p>x</p>",
    "<script>var a = '<p>';</script><p>x</p>",
    "<p class=unquoted>x</p>",
    "<p>x</p><",
]


def _sections(parser_class: type, html: str) -> list[tuple[str, str | None, list[str], list[str], bool]] | str:
    """The sections a parser cuts the HTML into, or the error it stops with (Material's may)."""
    parser = parser_class()
    try:
        parser.feed(html)
        parser.close()
    except ValueError as error:
        return f"ValueError: {error}"
    return [(s.el.tag, s.id, s.title, s.text, s.is_excluded()) for s in parser.data]


# Pieces of regular HTML, in any order and nesting, closed or not: what the sections depend on (headings with
# and without identifiers, nested headings, kept and skipped tags, excluded blocks, permalinks, void and
# self-closed tags, white space in and out of <pre>, entities).
PIECES = [
    *(f'<h{n} id="h{n}">' for n in (1, 2, 3)),
    "<h2>",
    *(f"</h{n}>" for n in (1, 2, 3)),
    *(f"<{tag}>" for tag in ("p", "code", "pre", "li", "ul", "sup", "section", "span", "object", "div")),
    *(f"</{tag}>" for tag in ("p", "code", "pre", "li", "ul", "sup", "section", "span", "object", "div", "a")),
    "<div data-search-exclude>",
    '<div class="linenodiv">',
    '<a class="headerlink" href="#x" title="Link">',
    '<a href="https://example.org/">',
    "<br/>",
    '<img alt="x" src="y">',
    "<div/>",
    "word",
    "two words",
    " ",
    "\n",
    " \n  ",
    "a &amp; b &lt;c&gt;",
    "&para;",
]


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(PIECES), max_size=30))
def test_any_mix_of_regular_html_gives_material_s_sections(pieces: list[str]) -> None:
    html = "".join(pieces)
    assert _tokens(html) is not None  # read by the fast reader, not handed to html.parser
    assert _sections(FastParser, html) == _sections(plugin.Parser, html)


@pytest.mark.parametrize("html", PAGES + FALLBACK)
def test_same_sections_as_material(html: str) -> None:
    assert _sections(FastParser, html) == _sections(plugin.Parser, html)


@pytest.mark.parametrize("html", PAGES)
def test_regular_html_is_read_without_html_parser(html: str) -> None:
    assert _tokens(html) is not None


@pytest.mark.parametrize("html", FALLBACK)
def test_anything_else_goes_to_html_parser(html: str) -> None:
    assert _tokens(html) is None
