"""The open-session pack read back for real: the progress report (PDF/UA-1 and DOCX), the slide deck (python-pptx
and LibreOffice Impress), and every edition's reports at stable names."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pikepdf
import pytest
from docx import Document
from pptx import Presentation
from pypdf import PdfReader

from quaestio.pipeline import check
from quaestio.publish.branding import load_branding
from quaestio.publish.buildinfo import BuildInfo
from quaestio.publish.reports import write_reports
from support.paths import FIXTURES

pytestmark = pytest.mark.slow
LOGO_ALT = "Cyber Security Coalition logo"  # the cover's picture, besides the charts

EDITIONS = FIXTURES / "editions"
INFO = BuildInfo("0123456789abcdef0123456789abcdef01234567", 1577836800, {"quaestio": "test"})  # 1 January 2020


def _build(out: Path):
    corpus = check(EDITIONS).corpus
    assert corpus is not None
    write_reports(corpus, INFO, load_branding(EDITIONS), out / "reports", out / "cache")
    return corpus


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    out = tmp_path_factory.mktemp("pack")
    corpus = _build(out)
    return corpus, out / "reports"


def _text(path: Path) -> str:
    return " ".join(" ".join(page.extract_text() or "" for page in PdfReader(path).pages).split())


def _figure_alts(pdf: pikepdf.Pdf) -> list[str]:
    alts: list[str] = []

    def walk(node):
        if isinstance(node, pikepdf.Dictionary):
            if node.get("/S") == "/Figure":
                alts.append(str(node.get("/Alt", "")))
            kids = node.get("/K")
            for kid in kids if isinstance(kids, pikepdf.Array) else [kids]:
                walk(kid)

    walk(pdf.Root.StructTreeRoot)
    return alts


def test_every_edition_has_its_reports_and_the_current_one_is_at_the_top(built):
    _, reports = built
    assert {p.name for p in (reports / "2015").iterdir()} >= {"topic-alpha.pdf", "topic-beta.pdf", "compendium.pdf"}
    assert {p.name for p in (reports / "2016").iterdir()} >= {
        "topic-alpha.pdf",
        "compendium.pdf",
        "progress-2016.pdf",
        "progress-2016.docx",
        "open-session-2016.pptx",
    }
    assert "topic-beta.pdf" not in {p.name for p in (reports / "2016").iterdir()}
    assert (reports / "compendium.pdf").read_bytes() == (reports / "2016" / "compendium.pdf").read_bytes()
    # A topic not revisited keeps its latest edition's report at the top level.
    assert (reports / "topic-beta.pdf").read_bytes() == (reports / "2015" / "topic-beta.pdf").read_bytes()
    assert "Fund the first challenge" in _text(reports / "2015" / "topic-alpha.pdf")
    assert "Fund the national CSIRT" in _text(reports / "2016" / "topic-alpha.pdf")


def test_the_compendium_says_what_the_edition_changed(built):
    _, reports = built
    text = _text(reports / "2016" / "compendium.pdf")
    section = text[text.index("What changed in this edition", text.index("ALP-PUB-03")) :]
    assert "The NIS Directive now requires a national CSIRT." in section
    assert "ALP-PUB-02 Keep a register of incidents, superseded by ALP-PUB-03" in section
    docx = Document(reports / "2016" / "compendium.docx")
    runs = [r for p in docx.paragraphs for r in p.runs]
    assert any(r.font.strike and "first challenge" in r.text for r in runs)
    assert any(r.font.underline and "national CSIRT" in r.text for r in runs)
    first = _text(reports / "2015" / "compendium.pdf")
    assert "first edition: its 4 recommendations are all new" in first


def test_progress_report_is_pdf_ua_with_every_topic_on_its_own_page_and_charts_described(built):
    corpus, reports = built
    path = reports / "progress-2016.pdf"
    with pikepdf.open(path) as pdf:
        with pdf.open_metadata() as xmp:
            assert xmp["pdfuaid:part"] == "1"
        assert str(pdf.Root.Lang) == "en-GB" and bool(pdf.Root.MarkInfo.Marked)
        with pdf.open_outline() as outline:
            titles = [item.title for item in outline.root]
        alts = [a for a in _figure_alts(pdf) if a != LOGO_ALT]
    assert titles[:4] == ["Summary", "What the coalition recommended", "What was done since", "What is overdue"]
    assert titles[4:] == [t.title.en for t in corpus.topics]
    assert len(alts) == 2 + len(corpus.topics) and all(len(a) > 40 for a in alts)
    pages = PdfReader(path).pages
    for topic in corpus.topics:
        starts = [i for i, page in enumerate(pages) if (page.extract_text() or "").split("\n")[1:2] == [topic.title.en]]
        assert starts, topic.id  # the topic's heading opens a page (after the running header)
    text = _text(path)
    assert "ALP-PUB-01" in text and "Federal Public Service Finance" in text and "31 December 2016" in text


def test_progress_report_docx_has_a_heading_and_a_described_chart_per_topic(built):
    corpus, reports = built
    document = Document(reports / "progress-2016.docx")
    level_one = [p.text for p in document.paragraphs if p.style.name == "Heading 1"]
    assert level_one[-len(corpus.topics) :] == [t.title.en for t in corpus.topics]
    pictures = [p for p in document.element.body.xpath(".//wp:docPr") if p.get("descr") != LOGO_ALT]
    assert len(pictures) == 2 + len(corpus.topics)
    assert all(len(p.get("descr", "")) > 40 for p in pictures)


def test_the_deck_has_a_title_slide_key_figures_a_slide_per_topic_and_notes(built):
    corpus, reports = built
    deck = Presentation(str(reports / "open-session-2016.pptx"))
    slides = list(deck.slides)
    titles = [s.shapes.title.text if s.shapes.title is not None else "" for s in slides]
    assert slides[0].slide_layout.name == "Title Slide" and titles[0] == "Open session 2016"
    assert titles[1] == "Key figures"
    for topic in corpus.topics:
        assert titles.count(topic.title.en) == 1, topic.id
    for slide, title in zip(slides[1:], titles[1:], strict=True):
        assert slide.has_notes_slide and slide.notes_slide.notes_text_frame.text.strip(), title
    pictures = [sh for s in slides for sh in s.shapes if sh.shape_type == 13]
    assert pictures and all(not p._element.xpath(".//p:cNvPr")[0].get("descr").endswith(".png") for p in pictures)
    assert deck.slide_width == 9144000 and deck.slide_height == 5143500  # 16:9


def test_the_deck_opens_in_libreoffice_impress_with_every_slide(built, tmp_path):
    _, reports = built
    deck = reports / "open-session-2016.pptx"
    completed = subprocess.run(
        [
            "soffice",
            f"-env:UserInstallation=file://{tmp_path / 'profile'}",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(tmp_path),
            str(deck),
        ],
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert completed.returncode == 0, completed.stderr
    converted = tmp_path / "open-session-2016.pdf"
    assert len(PdfReader(converted).pages) == len(Presentation(str(deck)).slides)
    text = _text(converted)
    assert "Open session 2016" in text and "Alpha topic" in text and "Key figures" in text


def test_the_pack_is_the_same_bytes_when_built_again(built, tmp_path):
    _, reports = built
    _build(tmp_path)
    for name in ("progress-2016.pdf", "progress-2016.docx", "open-session-2016.pptx"):
        assert (tmp_path / "reports" / name).read_bytes() == (reports / name).read_bytes(), name


def test_closed_topics_leave_the_pack(built, tmp_path):
    shutil.copytree(built[1].parent / "cache", tmp_path / "cache")  # what the closure does not touch is reused
    root = tmp_path / "repo"
    shutil.copytree(EDITIONS, root)
    topic = root / "topics" / "beta.yaml"
    topic.write_text(
        topic.read_text().replace("edition: 2015\n", "edition: 2015\nclosed:\n  edition: 2016\n  reason: Merged.\n")
    )
    corpus = check(root).corpus
    assert corpus is not None and corpus.topic_by_id["beta"].closed is not None
    write_reports(corpus, INFO, load_branding(root), tmp_path / "reports", tmp_path / "cache")
    deck = Presentation(str(tmp_path / "reports" / "open-session-2016.pptx"))
    titles = [s.shapes.title.text for s in deck.slides if s.shapes.title is not None]
    assert "Beta topic" not in titles and "Alpha topic" in titles
