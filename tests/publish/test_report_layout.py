"""Every report of the repository's own content, read back as a reader and a screen reader meet it: word boxes
from poppler (layout) and the structure tree with pikepdf (tagging)."""

from __future__ import annotations

import itertools
import os
import statistics
import subprocess
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pikepdf
import pytest

from quaestio.pipeline import check
from quaestio.publish import pdf_tags
from support.paths import REPOSITORY
from support.pdf_layout import (
    body_fill,
    overlapping_words,
    read_pages,
    words_into_the_footer,
    words_past_the_margins,
)

pytestmark = pytest.mark.slow

# A page whose body spans less than this share of the printable height is near-empty; the last page of a
# report may be short, but not blank or a lone heading.
NEAR_EMPTY, LAST_PAGE_EMPTY = 0.12, 0.05
# The measure of body text, in characters a line (contents entries with dot leaders aside).
LONGEST_LINE, SHORTEST_MEDIAN = 92, 60
# French sets a narrow no-break space before ":" ";" "?" and "!", so the same column holds a few more characters.
LONGEST_LINE_FRENCH = 95


@pytest.fixture(scope="module")
def reports(repository_reports) -> dict[str, Path]:
    """Every PDF report of the repository's content (built in the background from the session's start, conftest.py)."""
    return {p.stem: p for p in sorted((repository_reports / "reports").glob("*.pdf"))}


@pytest.fixture(scope="module")
def pages(reports) -> dict[str, list]:
    """Every report's pages; poppler reads them in parallel (each pdftotext is a process of its own)."""
    with ThreadPoolExecutor(max_workers=os.cpu_count()) as pool:
        return dict(zip(reports, pool.map(read_pages, reports.values()), strict=True))


def _where(name: str, page) -> str:
    return f"{name}.pdf page {page.number}"


def test_every_report_is_checked(reports):
    assert {"compendium", "audience-academic", "audience-business", "audience-public"} <= set(reports)
    # Every language's reports go through the same checks: English and each translation.
    languages = {name.partition(".")[2] or "en" for name in reports}
    assert languages == {"en", "fr", "nl", "de"}
    assert sum(name.startswith("topic-") for name in reports) == 6 * len(languages)


def test_no_words_are_printed_on_top_of_each_other(pages):
    faults = [
        f"{_where(name, page)}: {a.text!r} over {b.text!r}"
        for name, report in pages.items()
        for page in report
        for a, b in overlapping_words(page)[:1]
    ]
    assert faults == []


def test_no_text_runs_past_the_margins_or_into_the_footer(pages):
    faults = []
    for name, report in pages.items():
        for page in report:
            faults += [f"{_where(name, page)}: {w.text!r} past the margin" for w in words_past_the_margins(page)[:1]]
            faults += [f"{_where(name, page)}: {w.text!r} in the footer" for w in words_into_the_footer(page)[:1]]
    assert faults == []


def test_every_page_after_the_cover_has_a_running_footer(pages):
    missing = [_where(name, page) for name, report in pages.items() for page in report[1:] if not page.footer]
    assert missing == []


def test_no_page_is_near_empty(pages):
    """No blank page, no page holding a lone heading, no chapter ending on a page of its own with a few lines."""
    faults = []
    for name, report in pages.items():
        for page in report[1:]:  # the cover is a picture
            least = LAST_PAGE_EMPTY if page is report[-1] else NEAR_EMPTY
            if body_fill(page) < least:
                faults.append(f"{_where(name, page)}: {[line.text for line in page.body]}")
    assert faults == []


def test_body_lines_keep_a_readable_measure(pages):
    for name, report in pages.items():
        lengths = [len(line.text) for page in report[2:] for line in page.body if ". ." not in line.text]
        assert max(lengths) <= (LONGEST_LINE_FRENCH if name.endswith(".fr") else LONGEST_LINE), name
        if not name.startswith("progress-"):  # the progress report is mostly tables and dated lists, not prose
            assert statistics.median(lengths) >= SHORTEST_MEDIAN, name


def test_the_glossary_breaks_across_pages_and_repeats_its_header(pages):
    report = pages["compendium"]
    # The last page naming it: the contents name it too, their leaders being drawn, not typed.
    start = max(p.number for p in report if any(line.text == "Glossary of abbreviations" for line in p.body))
    following = report[start:]  # the pages after the one the glossary starts on
    assert following, "the compendium's glossary should run over more than one page"
    for page in following:
        assert page.body[0].text.startswith("Abbreviation"), _where("compendium", page)


def test_the_cover_line_is_not_letter_spaced_and_shows_the_edition_not_the_build_date(reports):
    cover = subprocess.run(
        ["pdftotext", "-f", "1", "-l", "1", str(reports["compendium"]), "-"], capture_output=True, text=True
    ).stdout
    assert "CYBER SECURITY COALITION" in cover
    # The compendium of the current edition holds every topic in force: sessions of 2015 and of 2016.
    assert "Edition 2016" in cover and "Working sessions of May 2015 to November 2016" in cover
    assert "8 December 2015" not in cover  # the date the file was made belongs in the imprint
    imprint = subprocess.run(
        ["pdftotext", "-f", "2", "-l", "2", str(reports["compendium"]), "-"], capture_output=True, text=True
    ).stdout
    imprint = " ".join(imprint.split())
    assert "Dated 8 December 2015" in imprint
    assert "quaestio 9.9.9, pandoc 3.9, typst 0.15.2 (the Python package) and the Typst compiler 0." in imprint


# Structure


def _children(element) -> list:
    kids = element.get("/K")
    kids = list(kids) if isinstance(kids, pikepdf.Array) else [] if kids is None else [kids]
    return [k for k in kids if isinstance(k, pikepdf.Dictionary) and "/S" in k]


def _roles(document: pikepdf.Pdf) -> list[str]:
    return [str(e.S) for e in pdf_tags.structure_elements(document)]


@pytest.mark.parametrize("name", ["topic-risk-management", "audience-business", "compendium"])
def test_headings_nest_without_skipping_a_level_and_hold_no_paragraph(reports, name):
    with pikepdf.open(reports[name]) as document:
        levels = [int(role[2]) for role in _roles(document) if role in {f"/H{n}" for n in range(1, 7)}]
        assert levels[0] == 1
        assert all(b <= a + 1 for a, b in itertools.pairwise(levels)), levels
        for element in pdf_tags.structure_elements(document):
            if str(element.S) in {f"/H{n}" for n in range(1, 7)}:
                assert "/P" not in [str(k.S) for k in _children(element)], str(element.get("/T"))


@pytest.mark.parametrize("name", ["topic-governance", "compendium"])
def test_nothing_block_level_sits_loose_under_the_document(reports, name):
    """The session's facts were block-level Spans straight under Document; every child is now a real block."""
    with pikepdf.open(reports[name]) as document:
        root = _children(document.Root.StructTreeRoot)[0]
        assert str(root.S) == "/Document"
        assert "/Span" not in [str(k.S) for k in _children(root)]


def test_row_labels_are_row_headers(reports):
    with pikepdf.open(reports["topic-governance"]) as document:
        tables = [e for e in pdf_tags.structure_elements(document) if e.S == "/Table"]
        assert len(tables) == 2  # recommendations by audience and priority; the glossary
        for table in tables:
            rows = [r for part in _children(table) if part.S == "/TBody" for r in _children(part)]
            assert rows
            for row in rows:
                first, *rest = _children(row)
                assert first.S == "/TH"
                attributes = [a for a in first.A if isinstance(a, pikepdf.Dictionary) and a.get("/O") == "/Table"]
                assert attributes[0].Scope == "/Row"
                assert all(cell.S == "/TD" for cell in rest)


def test_french_titles_are_tagged_french_and_the_english_around_them_english(reports):
    with pikepdf.open(reports["topic-risk-management"]) as document:
        french = [e for e in pdf_tags.structure_elements(document) if str(e.get("/Lang", "")).startswith("fr")]
        # EBIOS and MEHARI in the references; ANSSI, CLUSIF, EBIOS and MEHARI expanded in the glossary
        assert len(french) >= 6
        default = str(document.Root.Lang)
        assert default == "en-GB"
        parents = pikepdf.NumberTree(document.Root.StructTreeRoot.ParentTree)
        for page in document.pages:
            marked = pdf_tags._marked_languages(page)
            for mcid, language in marked.items():
                parent = parents[int(page.obj.StructParents)][mcid]
                assert pdf_tags.effective_language(parent, default) == language


def test_internal_links_are_named_by_their_target(reports):
    with pikepdf.open(reports["topic-governance"]) as document:
        names = [
            str(annotation.Contents)
            for page in document.pages
            for annotation in page.get("/Annots", [])
            if annotation.get("/Subtype") == "/Link" and isinstance(annotation.get("/Dest"), pikepdf.String)
        ]
    assert names
    assert not [n for n in names if n.startswith("Section")]
    assert any(n.startswith("GOV-BUS-01 · Put cyber risk on the board agenda") for n in names)


def test_the_compendium_lists_each_source_once(reports):
    text = subprocess.run(["pdftotext", str(reports["compendium"]), "-"], capture_output=True, text=True).stdout
    references = " ".join(text[text.rindex("References") : text.rindex("Glossary of abbreviations")].split())
    assert references.count("Convention on Cybercrime") == 1
    assert references.count("Directive 2013/40/EU") == 1
    assert references.count("ISO/IEC 27005:2011") == 1


def test_french_titles_are_marked_french_in_word_too(reports):
    from docx import Document

    document = Document(reports["topic-risk-management"].with_suffix(".docx"))
    runs = [run for p in document.paragraphs for run in p.runs if "Expression des Besoins" in run.text]
    runs += [
        run
        for table in document.tables
        for row in table.rows
        for cell in row.cells
        for p in cell.paragraphs
        for run in p.runs
        if "Expression des Besoins" in run.text
    ]
    assert runs
    w = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
    for run in runs:
        assert [lang.get(f"{w}val") for lang in run._r.iter(f"{w}lang")] == ["fr"]


def test_counts_say_what_they_include(reports):
    corpus = check(REPOSITORY).corpus
    current = sum(1 for r in corpus.recommendations if r.status != "withdrawn")
    withdrawn = len(corpus.recommendations) - current
    text = " ".join(
        subprocess.run(["pdftotext", str(reports["compendium"]), "-"], capture_output=True, text=True).stdout.split()
    )
    assert f"{current} current recommendations in all; {withdrawn} more were withdrawn and are listed apart" in text
    assert (
        f"This report presents {current} current recommendations (draft, proposed or adopted) and {withdrawn}" in text
    )
