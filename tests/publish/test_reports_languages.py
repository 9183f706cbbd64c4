"""Reports in every language with content: names, /Lang, the DOCX language, translated interface words, cache."""

from __future__ import annotations

import re
import shutil
import zipfile
from pathlib import Path

import pikepdf
import pytest
from docx import Document
from pypdf import PdfReader

from quaestio.pipeline import check
from quaestio.publish.branding import load_branding
from quaestio.publish.buildinfo import BuildInfo
from quaestio.publish.reports import write_reports
from support.paths import FIXTURES

pytestmark = pytest.mark.slow

INFO = BuildInfo("0123456789abcdef0123456789abcdef01234567", 1449532800, {"quaestio": "test"})
NAMES = ("topic-alpha", "audience-academic", "audience-business", "audience-public", "compendium")


def _build(root: Path, out: Path):
    corpus = check(root).corpus
    assert corpus is not None
    return write_reports(corpus, INFO, load_branding(root), out / "reports", out / "cache")


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    root = tmp_path_factory.mktemp("content") / "repo"
    shutil.copytree(FIXTURES / "minimal", root)
    shutil.copytree(FIXTURES / "translated", root, dirs_exist_ok=True)
    out = tmp_path_factory.mktemp("out")
    return root, out, _build(root, out)


def _text(path: Path) -> str:
    return " ".join(" ".join(page.extract_text() or "" for page in PdfReader(path).pages).split())


def test_english_keeps_its_names_and_the_others_add_their_language(built):
    _, _, outcome = built
    expected = {
        f"{folder}{name}{language}{suffix}"
        for folder in ("", "2015/")  # the edition's own folder, and the top level for the current edition
        for name in NAMES
        for language in ("", ".fr", ".nl")
        for suffix in (".pdf", ".docx")
    }
    pack = {  # the open-session pack, in every language too
        f"{folder}{name}{language}{suffix}"
        for folder in ("", "2015/")
        for name, suffixes in (("progress-2015", (".pdf", ".docx")), ("open-session-2015", (".pptx",)))
        for language in ("", ".fr", ".nl")
        for suffix in suffixes
    }
    assert set(outcome.written) == expected | pack
    assert not any(".de." in name for name in outcome.written)  # German has no translated content


@pytest.mark.parametrize(("language", "tag"), [("", "en-GB"), (".fr", "fr-BE"), (".nl", "nl-BE")])
def test_each_pdf_declares_its_language(built, language, tag):
    _, out, _ = built
    for name in NAMES:
        with pikepdf.open(out / "reports" / f"{name}{language}.pdf") as pdf:
            assert str(pdf.Root.Lang) == tag
            assert "pdfuaid:part" in pdf.open_metadata().__str__() or pdf.Root.get("/MarkInfo") is not None


@pytest.mark.parametrize(("language", "tag"), [("", "en-GB"), (".fr", "fr-BE"), (".nl", "nl-BE")])
def test_each_docx_sets_its_language(built, language, tag):
    _, out, _ = built
    with zipfile.ZipFile(out / "reports" / f"topic-alpha{language}.docx") as archive:
        styles = archive.read("word/styles.xml").decode("utf-8")
    assert f'w:val="{tag}"' in styles


def test_interface_words_and_dates_come_from_the_translated_wording(built):
    _, out, _ = built
    french = _text(out / "reports" / "topic-alpha.fr.pdf")
    for words in (
        "Table des matières",
        "Synthèse",
        "Principaux défis",
        "Justification.",
        "Priorité élevée",
        "12 mars 2015",
    ):
        assert words in french, words
    assert "Executive summary" not in french and "Rationale." not in french
    dutch = Document(out / "reports" / "topic-alpha.nl.docx")
    headings = [p.text for p in dutch.paragraphs if p.style.name == "Heading 1"]
    assert headings[:3] == ["Over dit rapport", "Samenvatting", "Context en werksessie"]
    assert "6 juli 2016" in _text(out / "reports" / "topic-alpha.nl.pdf")


def test_untranslated_text_is_english_marked_and_announced(built):
    _, out, _ = built
    french = _text(out / "reports" / "topic-alpha.fr.pdf")
    assert "Pas encore traduit : texte affiché en anglais. Because nobody else will." in french
    with zipfile.ZipFile(out / "reports" / "topic-alpha.fr.docx") as archive:
        body = archive.read("word/document.xml").decode("utf-8")
    # pandoc writes `<w:lang w:val="en" />`; the Word layout, saved by python-docx, `<w:lang w:val="en"/>`.
    assert re.search(r'<w:lang w:val="en" ?/>', body)


def test_reports_are_cached_per_language(built, tmp_path):
    root, out, _ = built
    repo = tmp_path / "repo"
    shutil.copytree(root, repo)
    shutil.copytree(out / "cache", tmp_path / "out" / "cache")
    again = _build(repo, tmp_path / "out")
    # 30 reports and the open-session pack in three languages (9 files), each at its edition's name and at the top
    # level.
    assert again.written == () and len(again.unchanged) == 78
    french = repo / "translations" / "fr" / "recommendations" / "alpha" / "business.yaml"
    french.write_text(french.read_text().replace("Les entreprises devraient agir.", "Les entreprises doivent agir."))
    changed = _build(repo, tmp_path / "out")
    assert set(changed.written) == {
        f"{folder}{n}.fr{s}"
        for folder in ("", "2015/")
        for n in ("topic-alpha", "audience-business", "compendium")
        for s in (".pdf", ".docx")
    }


def _pieces(value: object) -> list[str]:
    """The fixed pieces of a wording tree's texts (between placeholders and Markdown marks), long enough to
    be told apart."""
    if isinstance(value, dict):
        return [piece for item in value.values() for piece in _pieces(item)]
    parts = re.split(r"\{\w+\}|\*\*", " ".join(str(value).split()))
    return [p.strip(" .,:;()") for p in parts if len(p.strip(" .,:;()")) >= 16]


@pytest.mark.parametrize("language", ["fr", "nl"])
def test_the_open_session_pack_is_in_each_language(built, language):
    """The progress report and the slides in the language of their name: its /Lang, its words from
    reports.<language>.yaml, and none of the English pack's sentences."""
    import yaml
    from pptx import Presentation

    from support.paths import REPOSITORY

    _, out, _ = built
    folder = REPOSITORY / "templates" / "reports"
    english = yaml.safe_load((folder / "reports.yaml").read_text(encoding="utf-8"))["words"]
    own = yaml.safe_load((folder / f"reports.{language}.yaml").read_text(encoding="utf-8"))["words"]
    with pikepdf.open(out / "reports" / f"progress-2015.{language}.pdf") as pdf:
        assert str(pdf.Root.Lang) == {"fr": "fr-BE", "nl": "nl-BE"}[language]
    report = _text(out / "reports" / f"progress-2015.{language}.pdf")
    deck = Presentation(str(out / "reports" / f"open-session-2015.{language}.pptx"))
    slides = " ".join(
        " ".join(
            [shape.text_frame.text for shape in slide.shapes if shape.has_text_frame]
            + ([slide.notes_slide.notes_text_frame.text] if slide.has_notes_slide else [])
        )
        for slide in deck.slides
    )
    slides = " ".join(slides.split())
    for text, group in ((report, "progress"), (slides, "slides")):
        assert [p for p in _pieces(english[group]) if p in text] == [], group
    for heading in (own["progress"]["summary"], own["progress"]["recommended"], own["progress"]["done"]):
        assert heading in report
    assert own["slides"]["key_figures"] in slides and own["slides"]["follow"] in slides
    assert own["slides"]["as_at"].split("{date}")[0].strip() in slides and "Follow-up as at" not in slides
    # Every text of the deck is in its language, so that a screen reader reads it with the right voice.
    tag = {"fr": "fr-BE", "nl": "nl-BE"}[language]
    title = yaml.safe_load((folder / f"reports.{language}.yaml").read_text(encoding="utf-8"))["open_session"]["title"]
    assert deck.core_properties.language == tag and deck.core_properties.title == title.format(edition=2015)
    # Its author is the publisher, as the Word document's (pandoc's writer leaves the deck's empty).
    word = Document(out / "reports" / f"progress-2015.{language}.docx")
    assert deck.core_properties.author == word.core_properties.author != ""
    runs = [
        run
        for slide in deck.slides
        for frame in [shape.text_frame for shape in slide.shapes if shape.has_text_frame]
        + ([slide.notes_slide.notes_text_frame] if slide.has_notes_slide else [])
        for paragraph in frame.paragraphs
        for run in paragraph.runs
    ]
    assert len(runs) > 20 and {run._r.rPr.get("lang") for run in runs} == {tag}
    defaults = deck.part._element.xpath(".//p:defaultTextStyle//a:defRPr/@lang")
    assert defaults and set(defaults) == {tag}


def test_a_german_date_that_begins_a_list_item_is_text_not_a_numbered_list():
    """'- 27. April 2016, …' (the progress report's assessments): a date the templates write is literal Markdown,
    so pandoc does not read '27.' as a numbered list inside the bullet."""
    import json

    import pypandoc

    from quaestio.publish.reports import _language

    long_date = _language(load_branding(FIXTURES / "minimal"), "de").env.globals["long_date"]
    markdown = f"- {long_date('2016-04-27')}, **ALP-ACA-01**: bewertet.\n"
    document = json.loads(pypandoc.convert_text(markdown, "json", format="markdown"))
    assert "OrderedList" not in json.dumps(document)
    assert (
        pypandoc.convert_text(markdown, "plain", format="markdown").strip().startswith("- 27. April 2016, ALP-ACA-01")
    )


def test_a_date_that_begins_a_list_item_stays_text_in_the_pdf(tmp_path):
    """pandoc's typst writer leaves '27.' unescaped right after a list marker, where typst reads a numbered list;
    the reports escape it, and leave code blocks alone."""
    import pypandoc
    import typst

    from quaestio.publish.reports import _item_numbers_escaped

    markdown = "- 27\\. April 2016, **ALP-ACA-01**: bewertet.\n\n```\n- 1. code\n```\n"
    written = pypandoc.convert_text(markdown, "typst", format="markdown").encode()
    source = tmp_path / "item.typ"
    source.write_bytes(written)
    assert '"enum"' in typst.query(str(source), "enum")  # what pandoc alone gives typst: a numbered list
    source.write_bytes(_item_numbers_escaped(written))
    assert typst.query(str(source), "enum").strip() == "[]"
    assert b"- 1. code" in source.read_bytes()
