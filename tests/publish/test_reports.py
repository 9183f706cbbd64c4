"""Reports read back for real: PDFs with pikepdf and pypdf, DOCX files with python-docx."""

from __future__ import annotations

from support.paths import FIXTURES

import re
import shutil
from pathlib import Path

import pikepdf
import pytest
from docx import Document
from pypdf import PdfReader

from quaestio.pipeline import check
from quaestio.publish.branding import load_branding
from quaestio.publish.buildinfo import BuildInfo, load_source_history
from quaestio.publish.reports import write_reports

pytestmark = pytest.mark.slow

INFO = BuildInfo("0123456789abcdef0123456789abcdef01234567", 1449532800, {"quaestio": "test"})
SECTIONS = [
    "Executive summary",
    "Context and working session",
    "Status quaestionis",
    "Main challenges",
    "Recommendations",
    "Withdrawn recommendations",
    "References",
    "Glossary of abbreviations",
]


def _build(root: Path, out: Path):
    checked = check(root)
    assert checked.corpus is not None, checked.findings
    return checked.corpus, write_reports(
        checked.corpus,
        INFO,
        load_branding(root),
        out / "reports",
        out / "cache",
        history=load_source_history(root, ("topics", "recommendations", "templates")),
    )


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    root = tmp_path_factory.mktemp("content") / "repo"
    shutil.copytree(FIXTURES / "minimal", root)
    out = tmp_path_factory.mktemp("out")
    corpus, outcome = _build(root, out)
    return root, out / "reports", corpus, outcome


def _text(path: Path) -> str:
    """The PDF's text with whitespace folded, straight quotes, and line breaks inside tags rejoined."""
    text = " ".join(" ".join(page.extract_text() or "" for page in PdfReader(path).pages).split())
    return text.replace("\u201c", '"').replace("\u201d", '"').replace("</ ", "</")


def _outline_titles(path: Path) -> list[str]:
    with pikepdf.open(path) as pdf:
        with pdf.open_outline() as outline:
            return [item.title for item in outline.root]


NAMES = {"topic-alpha", "audience-academic", "audience-business", "audience-public", "compendium", "progress-2015"}
FILES = {f"{n}{s}" for n in NAMES for s in (".pdf", ".docx")} | {"open-session-2015.pptx"}


def test_every_report_is_written_as_pdf_and_docx_in_its_edition_and_at_the_top(built):
    _, reports, _, outcome = built
    assert {p.name for p in reports.iterdir() if p.is_file()} == FILES
    assert {p.name for p in (reports / "2015").iterdir()} == FILES
    for name in FILES:
        assert (reports / name).read_bytes() == (reports / "2015" / name).read_bytes()
    assert len(outcome.written) == 2 * len(FILES) and outcome.unchanged == ()


def test_topic_pdf_is_tagged_titled_in_english_and_pdf_ua(built):
    reports = built[1]
    with pikepdf.open(reports / "topic-alpha.pdf") as pdf:
        assert "/StructTreeRoot" in pdf.Root
        assert bool(pdf.Root.MarkInfo.Marked) is True
        assert str(pdf.Root.Lang) == "en-GB"
        assert str(pdf.docinfo["/Title"]) == "Alpha topic"
        assert str(pdf.docinfo["/Author"]) == "Cyber Security Coalition"
        assert "Status quaestionis report" in str(pdf.docinfo["/Subject"])
        assert "Cyber Security Coalition" in str(pdf.docinfo["/Keywords"])
        with pdf.open_metadata() as xmp:
            assert xmp["pdfuaid:part"] == "1"
            assert xmp["dc:title"] == "Alpha topic"
        box = [round(float(v)) for v in pdf.pages[0].MediaBox]
        assert box == [0, 0, 595, 842]  # A4


def test_every_font_is_embedded(built):
    with pikepdf.open(built[1] / "topic-alpha.pdf") as pdf:
        fonts = {}
        for page in pdf.pages:
            for name, font in page.Resources.get("/Font", {}).items():
                fonts[str(font.get("/BaseFont"))] = font
        assert fonts
        for base, font in fonts.items():
            descriptor = font.DescendantFonts[0].FontDescriptor if "/DescendantFonts" in font else font.FontDescriptor
            assert any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3")), base


def test_logo_has_alternative_text(built):
    with pikepdf.open(built[1] / "topic-alpha.pdf") as pdf:
        alts = []

        def walk(node):
            if isinstance(node, pikepdf.Dictionary):
                if node.get("/S") == "/Figure":
                    alts.append(str(node.get("/Alt", "")))
                kids = node.get("/K")
                if isinstance(kids, pikepdf.Array):
                    for kid in kids:
                        walk(kid)
                elif isinstance(kids, pikepdf.Dictionary):
                    walk(kids)

        walk(pdf.Root.StructTreeRoot)
        assert alts and all(alts), alts
        assert "Cyber Security Coalition logo" in alts


def test_outline_has_an_entry_for_each_top_level_section(built):
    assert _outline_titles(built[1] / "topic-alpha.pdf") == SECTIONS


def test_topic_pdf_holds_every_recommendation_id_and_title(built):
    _, reports, corpus, _ = built
    text = _text(reports / "topic-alpha.pdf")
    for r in corpus.recommendations_for("alpha"):
        assert r.id in text
        assert r.title.en in text
    # cover, imprint, running header and page numbers
    assert "Edition 2015" in text
    assert "How to cite." in text and "revision 0123456789ab" in text
    pages = PdfReader(reports / "topic-alpha.pdf").pages
    fourth = pages[3].extract_text()
    assert "Alpha topic" in fourth and f"4 / {len(pages)}" in fourth


def test_audience_digest_holds_only_its_audience(built):
    _, reports, corpus, _ = built
    text = _text(reports / "audience-business.pdf")
    assert "ALP-BUS-01" in text and "Act on the second challenge" in text
    # Other audiences' recommendations may be cross-referenced, but are not presented.
    assert "ALP-PUB-01 · Fund the first challenge" not in text
    assert "ALP-BUS-01 · Act on the second challenge" in text
    assert "Withdrawn" in text and "ALP-BUS-02" in text


def test_compendium_holds_every_recommendation(built):
    _, reports, corpus, _ = built
    text = _text(reports / "compendium.pdf")
    for r in corpus.recommendations:
        assert r.id in text and r.title.en in text


def test_docx_uses_word_headings_a_toc_field_and_numbered_references(built):
    _, reports, corpus, _ = built
    document = Document(reports / "topic-alpha.docx")
    headings = [(p.style.name, p.text) for p in document.paragraphs if p.style.name.startswith("Heading")]
    level_one = [text for style, text in headings if style == "Heading 1"]
    assert level_one == ["About this report", *SECTIONS]
    level_three = [text for style, text in headings if style == "Heading 3"]
    for r in corpus.recommendations_for("alpha"):
        if r.status != "withdrawn":
            assert f"{r.id} · {r.title.en}" in level_three
    body = document.element.body.xml
    assert "TOC \\o" in body  # a table-of-contents field Word fills in
    assert "<w:numPr>" in body  # numbered and bulleted lists are real Word lists
    assert document.core_properties.title == "Alpha topic"


def test_unchanged_reports_are_reused_and_a_change_rebuilds_only_what_depends_on_it(built, tmp_path):
    root, _, _, _ = built
    repo = tmp_path / "repo"
    shutil.copytree(root, repo)
    out = tmp_path / "out"
    _build(repo, out)
    _, again = _build(repo, out)
    assert again.written == () and len(again.unchanged) == 2 * len(FILES)
    business = repo / "recommendations" / "alpha" / "business.yaml"
    business.write_text(business.read_text().replace("Companies should act.", "Companies should act now."))
    _, changed = _build(repo, out)
    # The business text appears in the topic report, the business digest and the compendium; the open-session
    # pack follows the whole content (its date is that of the latest change).
    assert set(changed.written) == {
        f"{folder}{n}{s}"
        for folder in ("", "2015/")
        for n in ("topic-alpha", "audience-business", "compendium", "progress-2015")
        for s in (".pdf", ".docx")
    } | {"open-session-2015.pptx", "2015/open-session-2015.pptx"}
    assert "Companies should act now." in _text(out / "reports" / "topic-alpha.pdf")


def test_two_builds_give_byte_identical_files(built, tmp_path):
    root, reports, _, _ = built
    _build(root, tmp_path)
    for path in sorted(p for p in reports.rglob("*") if p.is_file()):
        name = path.relative_to(reports)
        assert (tmp_path / "reports" / name).read_bytes() == path.read_bytes(), name


HOSTILE = """Before the attack.

```{=typst}
#text(fill: red)[TYPST-EXECUTED]
```

`#panic("inline")`{=typst} and \\textbf{LATEX-EXECUTED} and <b>HTML-EXECUTED</b> <script>alert(1)</script>
and {{ 7*7 }} and {% raw %}x{% endraw %} and [styled]{typst:text:fill="red"} and $x^2$ money.

::: {typst:fill="red"}
Div body
:::
"""


def test_hostile_markdown_is_printed_never_executed(built, tmp_path):
    root, _, _, _ = built
    repo = tmp_path / "repo"
    shutil.copytree(root, repo)
    business = repo / "recommendations" / "alpha" / "business.yaml"
    indented = "\n".join("      " + line if line else "" for line in HOSTILE.splitlines())
    business.write_text(
        business.read_text().replace("    text: Companies should act.\n", "    text: |\n" + indented + "\n", 1)
    )
    _build(repo, tmp_path / "out")
    text = _text(tmp_path / "out" / "reports" / "topic-alpha.pdf")
    assert "TYPST-EXECUTED" in text and "#text(fill: red)" in text  # the raw block is shown as code
    assert '#panic("inline")' in text
    assert "\\textbf{LATEX-EXECUTED}" in text
    assert "<b>HTML-EXECUTED</b>" in text and "<script>alert(1)</script>" in text
    assert "{{ 7*7 }}" in text and "49" not in re.sub(r"\d{3,}", "", text)
    assert "{% raw %}x{% endraw %}" in text
    assert '[styled]{typst:text:fill="red"}' in text
    assert "$x^2$" in text
    assert '::: {typst:fill="red"}' in text
    docx = "\n".join(p.text for p in Document(tmp_path / "out" / "reports" / "topic-alpha.docx").paragraphs)
    assert "{{ 7*7 }}" in docx and "<script>alert(1)</script>" in docx and "\\textbf{LATEX-EXECUTED}" in docx


def test_reports_command_summarises_what_it_wrote_and_skipped(built, tmp_path, capsys):
    from quaestio.cli import main

    root, _, _, _ = built
    repo = tmp_path / "repo"
    shutil.copytree(root, repo)
    assert main(["--root", str(repo), "reports"]) == 0
    first = capsys.readouterr().err
    assert "wrote build/reports/topic-alpha.pdf" in " ".join(first.split())
    assert main(["--root", str(repo), "reports"]) == 0
    second = capsys.readouterr().err
    assert f"{2 * len(FILES)} unchanged and skipped" in second
    assert "unchanged build/reports/compendium.docx" in " ".join(second.split())
    assert "unchanged build/reports/2015/compendium.docx" in " ".join(second.split())
    assert sorted(p.name for p in (repo / "build" / "reports").iterdir())[:2] == ["2015", "audience-academic.docx"]


def test_docx_opens_in_libreoffice_without_repair(built, tmp_path):
    """LibreOffice converts the DOCX headlessly; a file it had to repair would fail to convert or lose pages."""
    import subprocess

    _, reports, corpus, _ = built
    profile = tmp_path / "profile"
    completed = subprocess.run(
        [
            "soffice",
            f"-env:UserInstallation=file://{profile}",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(tmp_path),
            str(reports / "topic-alpha.docx"),
        ],
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert completed.returncode == 0, completed.stderr
    converted = tmp_path / "topic-alpha.pdf"
    text = _text(converted)
    assert "About this report" in text
    for r in corpus.recommendations_for("alpha"):
        assert r.id in text
