"""Reports read back for real: PDFs with pikepdf and pypdf, DOCX files with python-docx."""

from __future__ import annotations

import dataclasses
import re
import shutil
from html.parser import HTMLParser
from pathlib import Path

import pikepdf
import pytest
from docx import Document
from pypdf import PdfReader

from quaestio.content.model import Addressee, Assessment, Corpus, Text
from quaestio.pipeline import check
from quaestio.publish.branding import load_branding
from quaestio.publish.buildinfo import BuildInfo, load_source_history
from quaestio.publish.reports import write_reports
from quaestio.publish.site import content
from quaestio.vocab import Implementation
from support.hostile import HOSTILE_URL, hostile_corpus
from support.paths import FIXTURES, REPOSITORY

pytestmark = pytest.mark.slow

PUBLIC = "recommendations/alpha/public.yaml"
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
    """The PDF's text with whitespace folded, straight quotes, and line breaks after hyphens and inside tags
    rejoined."""
    pages = "\n".join(page.extract_text() or "" for page in PdfReader(path).pages)
    text = " ".join(re.sub(r"-[ \t]*\n", "-", pages).split())
    return text.replace("\u201c", '"').replace("\u201d", '"').replace("</ ", "</")


def _outline_titles(path: Path) -> list[str]:
    with pikepdf.open(path) as pdf, pdf.open_outline() as outline:
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
            for font in page.Resources.get("/Font", {}).values():
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
    _, reports, _, _ = built
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


def _all_outline_titles(path: Path) -> list[str]:
    with pikepdf.open(path) as pdf, pdf.open_outline() as outline:
        items, titles = list(outline.root), []
        while items:
            item = items.pop(0)
            titles.append(item.title)
            items[:0] = item.children
        return titles


def _word_contents(path: Path) -> list[str]:
    body = Document(path).element.body
    toc = next(s for s in body.iter(f"{W}sdt") if any(g.get(f"{W}val") == "Table of Contents" for g in s.iter()))
    return ["".join(t.text for t in link.iter(f"{W}t")) for link in toc.iter(f"{W}hyperlink")]


def test_a_compendium_with_more_headings_than_its_contents_may_list_lists_fewer_levels(built, tmp_path):
    """reports.yaml's contents_entries: past it, the contents page (PDF and Word) stops at a shallower level,
    here the topics' sections; the PDF's bookmarks still reach every recommendation."""
    root, _, corpus, _ = built
    repo = tmp_path / "repo"
    shutil.copytree(root, repo)
    shutil.copytree(REPOSITORY / "templates", repo / "templates")
    settings = repo / "templates" / "reports" / "reports.yaml"
    text = settings.read_text(encoding="utf-8")
    compendium = "  contents_depth: 4\n  contents_entries: 500\n"
    assert compendium in text
    # The fixture's compendium has 17 entries down to the recommendations, 15 down to the audiences, 8 above.
    settings.write_text(text.replace(compendium, "  contents_depth: 4\n  contents_entries: 10\n"), encoding="utf-8")
    _build(repo, tmp_path / "out")
    reports = tmp_path / "out" / "reports"
    pages = [page.extract_text() or "" for page in PdfReader(reports / "compendium.pdf").pages]
    contents_page = next(text for text in pages if "Contents" in text.splitlines()[:3])
    word_contents = _word_contents(reports / "compendium.docx")
    for listed in (contents_page, " | ".join(word_contents)):
        assert "Alpha topic" in listed and "Status quaestionis" in listed and "References" in listed
        assert "What the business sector should do" not in listed
        assert not any(r.id in listed for r in corpus.recommendations)
    bookmarks = _all_outline_titles(reports / "compendium.pdf")
    for r in corpus.recommendations:
        assert f"{r.id} · {r.title.en}" in bookmarks
    # The topic report, with its own (default) setting, still lists its recommendations.
    assert any(r.id in entry for r in corpus.recommendations for entry in _word_contents(reports / "topic-alpha.docx"))


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


W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def test_docx_pages_are_a4_with_margins_a_running_header_and_a_page_numbered_footer(built):
    document = Document(built[1] / "topic-alpha.docx")
    section = document.sections[0]
    assert (round(section.page_width.cm, 1), round(section.page_height.cm, 1)) == (21.0, 29.7)
    assert min(section.left_margin.cm, section.right_margin.cm, section.top_margin.cm, section.bottom_margin.cm) >= 2.4
    assert section.different_first_page_header_footer  # the cover has neither
    footer = section.footer._element
    instructions = [t.text.strip() for t in footer.iter(f"{W}instrText")]
    assert instructions == ["PAGE", "NUMPAGES"]
    assert "Cyber Security Coalition" in "".join(t.text or "" for t in footer.iter(f"{W}t"))
    assert "Alpha topic" in section.header.paragraphs[0].text


def test_docx_cover_has_the_logo_with_its_alternative_text_and_the_abstract(built):
    document = Document(built[1] / "topic-alpha.docx")
    paragraphs = document.paragraphs
    pictures = list(
        paragraphs[0]._p.iter("{http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing}docPr")
    )
    assert pictures and pictures[0].get("descr") == "Cyber Security Coalition logo"
    styles = [p.style.name for p in paragraphs[:7]]
    assert styles[1:3] == ["Title", "Subtitle"] and "Abstract" in styles
    cover = " ".join(p.text for p in paragraphs[:7])
    assert "Working session of 12 March 2015" in cover and "A topic used by the tests." in cover
    assert "2015-12-08" not in cover and "8 December 2015" not in cover  # the date the file was made


def test_docx_contents_shows_its_entries_before_word_updates_it(built):
    """The TOC field's result holds the entries, as links to the headings: nothing to update before reading."""
    _, reports, corpus, _ = built
    document = Document(reports / "topic-alpha.docx")
    toc = next(
        sdt
        for sdt in document.element.body.iter(f"{W}sdt")
        if any(g.get(f"{W}val") == "Table of Contents" for g in sdt.iter(f"{W}docPartGallery"))
    )
    content = toc.find(f"{W}sdtContent")
    entries = [
        ("".join(t.text for t in link.iter(f"{W}t")), link.get(f"{W}anchor")) for link in content.iter(f"{W}hyperlink")
    ]
    texts = [text for text, _ in entries]
    assert texts[:2] == ["About this report", "Executive summary"]
    for r in corpus.recommendations_for("alpha"):
        if r.status != "withdrawn":
            assert (f"{r.id} · {r.title.en}", f"rec-{r.id.lower()}") in entries
    bookmarks = {b.get(f"{W}name") for b in document.element.body.iter(f"{W}bookmarkStart")}
    assert {anchor for _, anchor in entries} <= bookmarks
    kinds = [c.get(f"{W}fldCharType") for c in content.iter(f"{W}fldChar")]
    assert kinds == ["begin", "separate", "end"]
    assert "Key messages" not in texts  # unlisted in the PDF's outline too


def test_docx_captions_are_word_captions_and_keywords_are_set(built):
    document = Document(built[1] / "topic-alpha.docx")
    captions = [p for p in document.paragraphs if p.style.name in ("Table Caption", "Image Caption")]
    assert [p.text.split(":")[0] for p in captions] == ["Figure 1", "Table 1", "Table 2"]
    for caption in captions:
        assert [t.text.split()[0:2] for t in caption._p.iter(f"{W}instrText")] in (
            [["SEQ", "Figure"]],
            [["SEQ", "Table"]],
        )
    assert "Cyber Security Coalition" in document.core_properties.keywords
    assert "Alpha topic" in document.core_properties.keywords


def test_docx_styles_ask_for_the_brand_font(built):
    document = Document(built[1] / "topic-alpha.docx")
    for name in ("Normal", "Body Text", "Heading 1", "Title"):
        assert document.styles[name].font.name == "Source Sans 3", name
    assert not [f for f in document.styles.element.iter(f"{W}rFonts") if f.get(f"{W}asciiTheme")]


def test_unchanged_reports_are_reused_and_a_change_rebuilds_only_what_depends_on_it(built, tmp_path):
    root, reports, _, _ = built
    repo = tmp_path / "repo"
    shutil.copytree(root, repo)
    out = tmp_path / "out"
    shutil.copytree(reports.parent / "cache", out / "cache")  # the module's build of the same content
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


def _assert_same_files(reports: Path, other: Path) -> None:
    for path in sorted(p for p in reports.rglob("*") if p.is_file()):
        name = path.relative_to(reports)
        assert (other / name).read_bytes() == path.read_bytes(), name


def test_two_builds_give_byte_identical_files(built, tmp_path):
    root, reports, _, _ = built
    _build(root, tmp_path)
    _assert_same_files(reports, tmp_path / "reports")


def test_reports_finished_in_processes_of_their_own_are_the_same_bytes(built, tmp_path, monkeypatch):
    """Large reports are finished apart (a PDF's tags and packing, a Word document's layout): the same files."""
    import quaestio.publish.reports as reports_module

    root, reports, _, _ = built
    monkeypatch.setattr(reports_module, "APART_CHARACTERS", 0)
    _build(root, tmp_path)
    _assert_same_files(reports, tmp_path / "reports")


@pytest.mark.parametrize("how", ["each file from its own Markdown", "every conversion by a pandoc of its own"])
def test_a_pdf_and_its_word_document_from_one_reading_are_the_same_bytes(built, tmp_path, monkeypatch, how):
    """A report's PDF and Word document are made by one job from one pandoc reading of the PDF's Markdown, the
    imprint put before the Word document's (compile_pdf_and_docx): the files each makes from its own Markdown,
    also when every conversion has a pandoc of its own (large reports)."""
    import quaestio.publish.reports as reports_module

    root, reports, _, _ = built
    if how == "each file from its own Markdown":
        monkeypatch.setattr(reports_module, "_jobs_of", lambda source, suffixes: [(s,) for s in suffixes])
    else:
        monkeypatch.setattr(reports_module, "WORKER_CHARACTERS", 0)
    _build(root, tmp_path)
    _assert_same_files(reports, tmp_path / "reports")


def test_a_report_whose_finishing_fails_in_its_process_is_named_in_the_error(built, tmp_path, monkeypatch):
    import quaestio.publish.reports as reports_module
    from quaestio.publish.reports import ReportError
    from support.failing import broken_layout

    root, _, _, _ = built
    monkeypatch.setattr(reports_module, "APART_CHARACTERS", 0)
    monkeypatch.setattr(reports_module, "finish_word", broken_layout)  # the child imports it from tests/support
    monkeypatch.setenv("PYTHONPATH", str(Path(__file__).parents[1]))
    with pytest.raises(ReportError, match=r"\.docx could not be made: broken_layout failed .*the layout broke"):
        _build(root, tmp_path)


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


# One text with everything a contributor may write that pandoc could misread; it must read the same
# on the website and in both report formats.
SAME_EVERYWHERE = """Set the option as below.

    config = {debug: $HOME, to: @team}

Inline `cost = $5 @home {x} \\n` stays code, as does `a\\b`.

- first *point*
- second **point**

1. step one
2. step two

Read [the guidance](https://example.org/guide) or [this](javascript:alert(1)).
"""
READ_THE_SAME = [
    "Set the option as below.",
    "config = {debug: $HOME, to: @team}",
    "Inline cost = $5 @home {x} \\n stays code, as does a\\b.",
    "first point",
    "second point",
    "step one",
    "step two",
    "Read the guidance or [this](javascript:alert(1)).",
]
NOTE = "Partly *done*: see `art. 5 {b}` and [the law](https://example.org/law)."
REFUSED_URL = "javascript:alert(3)"


@pytest.fixture(scope="module")
def markdown_built(built, tmp_path_factory):
    """Reports of the fixture corpus with SAME_EVERYWHERE as a recommendation's text, NOTE as its follow-up
    note and addresses with refused schemes, built directly so that validation cannot stop them."""
    root, _, corpus, _ = built
    recommendations = tuple(
        dataclasses.replace(
            r,
            text=Text(SAME_EVERYWHERE),
            tracker=(
                Addressee(
                    "Companies",
                    (
                        Assessment(
                            "2016-07-06",
                            Text(NOTE),
                            "Alpha working group",
                            source="javascript:alert(2)",
                            status=Implementation.IN_PROGRESS,
                        ),
                    ),
                ),
            ),
        )
        if r.id == "ALP-BUS-01"
        else r
        for r in corpus.recommendations
    )
    topics = tuple(
        dataclasses.replace(t, references=tuple(dataclasses.replace(ref, url=REFUSED_URL) for ref in t.references))
        for t in corpus.topics
    )
    out = tmp_path_factory.mktemp("markdown-out")
    write_reports(Corpus(topics, recommendations), INFO, load_branding(root), out / "reports", out / "cache")
    return out / "reports"


class _HtmlText(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_data(self, data):
        self.parts.append(data)


def _site_text(markdown: str) -> str:
    """What the website shows of a text (rendered as on its pages), whitespace folded."""
    reader = _HtmlText()
    reader.feed(str(content.render(markdown)))
    return " ".join("".join(reader.parts).split())


def _pdf_links(path: Path) -> list[str]:
    links = []
    for page in PdfReader(path).pages:
        for annotation in page.get("/Annots") or []:
            action = annotation.get_object().get("/A")
            if action is not None and "/URI" in action:
                links.append(str(action["/URI"]))
    return links


def _docx_links(path: Path) -> list[str]:
    document = Document(path)
    return [rel.target_ref for rel in document.part.rels.values() if rel.reltype.endswith("/hyperlink")]


def test_a_text_reads_the_same_on_the_site_and_in_the_pdf_and_docx(markdown_built):
    site = _site_text(SAME_EVERYWHERE)
    pdf = _text(markdown_built / "topic-alpha.pdf")
    docx = " ".join(" ".join(p.text for p in Document(markdown_built / "topic-alpha.docx").paragraphs).split())
    for passage in READ_THE_SAME:
        assert passage in site, passage
        assert passage in pdf, passage
        assert passage in docx, passage
    for output in (site, pdf, docx):
        assert "\\{" not in output and "\\$" not in output and "\\@" not in output


def test_only_allowed_links_are_links_in_the_pdf_and_docx(markdown_built):
    html = str(content.render(SAME_EVERYWHERE))
    assert '<a href="https://example.org/guide">the guidance</a>' in html and 'href="javascript' not in html
    for links in (_pdf_links(markdown_built / "topic-alpha.pdf"), _docx_links(markdown_built / "topic-alpha.docx")):
        assert "https://example.org/guide" in links and "https://example.org/law" in links
        assert not [link for link in links if not link.startswith(("https:", "http:", "mailto:"))], links


def test_code_lists_and_emphasis_keep_their_form_in_the_docx(markdown_built):
    paragraphs = Document(markdown_built / "topic-alpha.docx").paragraphs
    code = next(p for p in paragraphs if p.text == "config = {debug: $HOME, to: @team}")
    assert code.style.name == "Source Code"
    items = [p for p in paragraphs if p.text in ("first point", "second point", "step one", "step two")]
    assert len(items) == 4 and all(p._p.pPr is not None and p._p.pPr.numPr is not None for p in items)
    first = next(p for p in items if p.text == "first point")
    assert [run.text for run in first.runs if run.italic] == ["point"]
    inline = next(p for p in paragraphs if p.text.startswith("Inline "))
    assert [run.text for run in inline.runs if run.style.name == "Verbatim Char"] == ["cost = $5 @home {x} \\n", "a\\b"]


def test_a_follow_up_note_is_markdown_in_the_reports_as_on_the_site(markdown_built):
    assert "Partly done: see art. 5 {b} and the law." in _site_text(NOTE)
    assert "Partly done: see art. 5 {b} and the law." in _text(markdown_built / "topic-alpha.pdf")


def test_an_address_with_a_refused_scheme_is_never_linked_nor_printed_as_an_address(markdown_built):
    """Validation refuses such an address; should one reach the reports, the reference prints without it."""
    text = _text(markdown_built / "topic-alpha.pdf")
    assert REFUSED_URL not in text
    assert not [link for link in _pdf_links(markdown_built / "topic-alpha.pdf") if "javascript" in link]


@pytest.fixture(scope="module")
def hostile_reports(built, tmp_path_factory):
    """Reports of the site's hostile corpus: hostile text in every field, built without validation."""
    root, _, corpus, _ = built
    out = tmp_path_factory.mktemp("hostile-out")
    write_reports(hostile_corpus(corpus), INFO, load_branding(root), out / "reports", out / "cache")
    return out / "reports"


@pytest.mark.parametrize("name", ["topic-alpha", "audience-business", "compendium"])
def test_hostile_text_in_every_field_is_printed_and_only_web_links_are_links(hostile_reports, name):
    pdf = _text(hostile_reports / f"{name}.pdf")
    docx = " ".join(" ".join(p.text for p in Document(hostile_reports / f"{name}.docx").paragraphs).split())
    for shown in (pdf, docx):
        assert "<script>alert(10)</script> {{ 7*7 }} [x](javascript:alert(11)) {: onclick=alert(12) }" in shown
        assert "[js](javascript:alert(4))" in shown and "{% if true %}jinja{% endif %}" in shown
    assert HOSTILE_URL in pdf  # a follow-up's or reference's address with another scheme is printed, not linked
    for links in (_pdf_links(hostile_reports / f"{name}.pdf"), _docx_links(hostile_reports / f"{name}.docx")):
        assert "https://example.org/ok" in links
        assert not [link for link in links if not link.startswith(("https://", "http://", "mailto:"))], links


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
    reader = PdfReader(converted)
    assert [round(float(v)) for v in reader.pages[0].mediabox] == [0, 0, 595, 842]  # A4, not US Letter
    # The contents page lists the recommendations as LibreOffice opens the file, without updating fields.
    contents = " ".join(reader.pages[1].extract_text().split())
    assert contents.startswith("Alpha topic") or "Contents" in contents
    assert "ALP-BUS-01 · Act on the second challenge" in contents
    assert "Page 2 of" in contents


def _printable_characters() -> str:
    listing = load_branding(REPOSITORY).templates / "fonts" / "coverage.txt"
    points = []
    for line in listing.read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            first, _, last = line.partition("-")
            points += range(int(first, 16), int(last or first, 16) + 1)
    return "".join(chr(p) for p in points)


def test_every_character_validate_accepts_is_printed_in_the_pdf_and_one_it_refuses_is_not(repo, tmp_path):
    characters = _printable_characters()
    words = " ".join(characters[i : i + 40] for i in range(0, len(characters), 40))
    escaped = "".join(c if " " <= c <= "~" and c not in '"\\' else f"\\U{ord(c):08x}" for c in words)
    text = f'"{escaped}"'
    repo.replace(PUBLIC, "    text: Authorities should fund it.", f"    text: {text}")
    assert [f for f in check(repo.root).findings if f.code == "unprintable-character"] == []
    _, outcome = _build(repo.root, tmp_path / "reports")
    assert "topic-alpha.pdf" in outcome.written
    # One step outside the list: validate refuses it where it stands, before typst would.
    repo.replace(PUBLIC, "    title: Fund the first challenge", "    title: Fund \U0001f510")
    refused = [f for f in check(repo.root).findings if f.code == "unprintable-character"]
    assert [(f.file, f.line, f.column) for f in refused] == [(PUBLIC, 5, 17)]
