"""The links within a report, which pdf_tags points at typst's named destinations, read back as a reader follows
them: each leads to the page, and the place on it, where its target's text starts, and says so."""

from __future__ import annotations

import re
from pathlib import Path

import pikepdf
import pytest

from quaestio.publish import pdf_tags
from support.pdf_layout import Line, Page, Word, read_pages

pytestmark = pytest.mark.slow

# How typst describes a link to a place, and how pdf_tags does: "Title, page 9", "“Title” page 9" (the contents),
# "page 9" (an entry of the references), in the report's language.
_DESCRIPTION = re.compile(r"^(?:(.+?),? )?(page|Seite|pagina) (\d+)$")
# How far below a destination its target's text is read, in points: typst places a heading's destination at
# the last line before it when they share a page (a line and the heading's space above it), at most.
_BELOW = 90.0
_QUOTES = "\u201c\u201d\u201e\u00ab\u00bb\u2018\u2019\u00a0\u202f "


@pytest.fixture(scope="module")
def reports(repository_reports) -> dict[str, Path]:
    return {p.stem: p for p in sorted((repository_reports / "reports").glob("*.pdf"))}


def _squeezed(words: list[Word]) -> str:
    """Words run together: a title or a name breaks over lines at its own places."""
    return "".join(w.text for w in words)


def _top(line: Line) -> float:
    return line.y0


def _text_below(page: Page, top: float) -> str:
    """The page's text from a height down (in points from the top), its first lines run together."""
    lines = sorted((line for line in page.body if top <= (line.y0 + line.y1) / 2 <= top + _BELOW), key=_top)
    return "".join(_squeezed(list(line.words)) for line in lines)


def _shown(page: Page, link: pikepdf.Object, height: float) -> str:
    """The words a link annotation covers (its QuadPoints: one box a line it runs over; else its rectangle)."""
    if "/QuadPoints" in link:
        corners = [float(value) for value in link.QuadPoints]
    else:
        left, bottom, right, top = (float(value) for value in link.Rect)
        corners = [left, bottom, right, bottom, right, top, left, top]
    words = []
    for box in (corners[i : i + 8] for i in range(0, len(corners), 8)):
        left, right = min(box[::2]), max(box[::2])
        top, bottom = height - max(box[1::2]), height - min(box[1::2])
        words += [w for w in page.words if left <= (w.x0 + w.x1) / 2 <= right and top <= (w.y0 + w.y1) / 2 <= bottom]
    return _squeezed(words)


def _internal_links(pdf: Path) -> list[tuple[str, str, int, str, str]]:
    """Every link within the document, in order: its label, description, the page it leads to, the text
    that starts there, and the text it shows."""
    pages = read_pages(pdf)
    found = []
    with pikepdf.open(pdf) as document:
        numbers = {page.objgen: number for number, page in enumerate(document.pages, start=1)}
        names = dict(pikepdf.NameTree(document.Root.Names.Dests).items())
        for number, page in enumerate(document.pages, start=1):
            height = float(page.mediabox[3])
            for link in page.obj.get("/Annots", []):
                if "/A" in link:
                    assert str(link.A.URI).startswith(("https:", "http:", "mailto:")), link.A.URI
                    continue
                assert isinstance(link.Dest, pikepdf.String), "a link within the document leads to a named place"
                label, destination = str(link.Dest), names[str(link.Dest)]
                target = numbers[destination[0].objgen]
                starts = _text_below(pages[target - 1], height - float(destination[3]))
                found.append((label, str(link.Contents), target, starts, _shown(pages[number - 1], link, height)))
    return found


def _joined(links: list[tuple[str, str, int, str, str]]) -> list[tuple[str, str, int, str, str]]:
    """The links, a link broken over two pages (two annotations, the first showing no year) made one."""
    joined: list[tuple[str, str, int, str, str]] = []
    for link in links:
        if joined and joined[-1][0] == link[0] and link[0].startswith("ref-") and ")" not in joined[-1][4]:
            joined[-1] = (*joined[-1][:4], joined[-1][4] + link[4])
        else:
            joined.append(link)
    return joined


@pytest.mark.parametrize("name", ["compendium", "compendium.de", "topic-governance", "audience-business.fr"])
def test_every_link_within_a_report_leads_to_where_its_target_starts(reports, name):
    links = _joined(_internal_links(reports[name]))
    assert sum(label.startswith("ref-") for label, *_ in links) > 5 or not name.startswith("compendium")
    assert sum(label.startswith("rec-") for label, *_ in links) > 5
    for label, description, target, starts, shown in links:
        match = _DESCRIPTION.match(description)
        assert match, (label, description)
        assert int(match[3]) == target, (label, description)  # the page it names is the page it leads to
        if label.startswith("ref-"):  # shown as "ISO/IEC JTC 1/SC 27 (2013)": an entry of that year starts there,
            assert match[1] is None, description  # with that author, unless it is named by its title (a law)
            author, _, year = shown.rpartition("(")
            first_year = re.search(r"\((\d{4})", starts)
            assert first_year and year.startswith(first_year[1]), (label, shown, starts[:80])
            assert starts.startswith(author) or author not in starts[: first_year.start()], (label, shown, starts[:80])
        else:  # a heading: its title starts there, or on the next line (see _BELOW)
            title = "".join(match[1].strip(_QUOTES).split())
            assert title and title[:40] in starts[:120], (label, description, starts[:120])


def test_links_are_described_in_the_reports_language(reports):
    descriptions = [description for _, description, *_ in _internal_links(reports["compendium.de"])]
    assert all(" Seite " in f" {d}" for d in descriptions)
    assert "GOV-BUS-01 · " in " ".join(descriptions)


def test_the_languages_of_marked_content_read_from_the_bytes_are_those_parsing_finds(reports):
    """pdf_tags reads the languages typst gave marked content with a regular expression; parsing every operator
    of the page finds the same ones."""
    compared = 0
    for name in ("compendium", "compendium.fr", "audience-public.nl"):
        with pikepdf.open(reports[name]) as document:
            for page in document.pages:
                found = pdf_tags._marked_languages(page)
                assert found == pdf_tags._parsed_languages(page)
                compared += len(found)
    assert compared > 10


def _holds_text(element: pikepdf.Object) -> bool:
    """Whether a structure element holds marked content, itself or in an element within it (a Span)."""
    kids = list(element.K) if isinstance(element.K, pikepdf.Array) else [element.K]
    return any(
        isinstance(k, int) or (isinstance(k, pikepdf.Dictionary) and ("/MCID" in k or ("/S" in k and _holds_text(k))))
        for k in kids
    )


def test_every_link_within_a_report_is_tagged_with_its_annotation_and_its_text(reports):
    """PDF/UA-1: a link annotation has a description and belongs to a Link structure element that holds it
    (an object reference) and the text it shows (marked content)."""
    checked = 0
    with pikepdf.open(reports["compendium"]) as document:
        parents = pikepdf.NumberTree(document.Root.StructTreeRoot.ParentTree)
        for page in document.pages:
            for link in page.obj.get("/Annots", []):
                if "/Dest" not in link:
                    continue
                element = parents[int(link.StructParent)]
                kids = list(element.K) if isinstance(element.K, pikepdf.Array) else [element.K]
                assert element.S == "/Link" and str(link.Contents).strip()
                assert any(isinstance(k, pikepdf.Dictionary) and k.get("/Obj") == link for k in kids)
                assert _holds_text(element), link.Contents
                checked += 1
    assert checked > 100
