"""Word layout pandoc does not write: A4 pages with margins, a running header and a footer with page numbers, a
cover with the logo and an abstract, a contents page that shows its entries before Word updates it, Word captions
("Table 1") and the document's keywords."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from docx import Document
from docx.document import Document as WordDocument
from docx.enum.section import WD_ORIENT
from docx.enum.text import WD_TAB_ALIGNMENT
from docx.oxml import OxmlElement
from docx.oxml.ns import nsmap, qn
from docx.oxml.xmlchemy import BaseOxmlElement
from docx.shared import Cm, Pt, RGBColor
from docx.text.paragraph import Paragraph
from lxml import etree

PAGE_WIDTH, PAGE_HEIGHT = Cm(21.0), Cm(29.7)  # A4
MARGIN_X, MARGIN_TOP, MARGIN_BOTTOM = Cm(3.0), Cm(2.6), Cm(2.5)
# The fixed time every part of the DOCX archive carries, so that two builds give the same bytes.
ZIP_TIME = (1980, 1, 1, 0, 0, 0)
KEYWORDS_LIMIT = 255  # Word keeps at most this many characters of a property
_PARAGRAPHS_OF_STYLE = etree.XPath("w:p[w:pPr/w:pStyle/@w:val = $style]", namespaces={"w": nsmap["w"]})


@dataclass(frozen=True)
class ContentsEntry:
    """One line of the contents page: a heading's level, text and bookmark."""

    level: int
    text: str
    anchor: str


@dataclass(frozen=True)
class WordLayout:
    """What the Word layout needs to know about one report."""

    title: str
    kind_line: str
    abstract: str
    publisher: str
    running_head: str
    keywords: Sequence[str]
    subject: str
    logo_png: bytes
    logo_alt: str
    muted: str
    contents: Sequence[ContentsEntry]
    contents_depth: int
    language: str = "en-GB"  # the document's BCP 47 tag
    page_of: str = "Page {page} of {pages}"  # the footer's page number, in the report's language
    captions: Mapping[str, str] = field(default_factory=lambda: {"table": "Table", "figure": "Figure"})


def finish_docx(docx: bytes, layout: WordLayout) -> bytes:
    """Lay out pandoc's DOCX as the coalition sends it."""
    document = Document(io.BytesIO(docx))
    _page_setup(document, layout)
    _cover(document, layout)
    _fill_contents(document, layout)
    _captions(document, layout)
    _properties(document, layout)
    buffer = io.BytesIO()
    document.save(buffer)
    return _normalised_zip(buffer.getvalue())


def _run_field(paragraph: Paragraph, instruction: str, shown: str) -> None:
    """A Word field with the text shown until Word updates it."""
    for kind in ("begin", "instruction", "separate", "result", "end"):
        run = paragraph.add_run()
        if kind == "instruction":
            text = OxmlElement("w:instrText")
            text.set(qn("xml:space"), "preserve")
            text.text = f" {instruction} "
            run._r.append(text)
        elif kind == "result":
            run.text = shown
        else:
            char = OxmlElement("w:fldChar")
            char.set(qn("w:fldCharType"), kind)
            run._r.append(char)


def _page_setup(document: WordDocument, layout: WordLayout) -> None:
    """A4, margins, no header or footer on the cover, the title and page numbers on every other page."""
    section = document.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = PAGE_WIDTH, PAGE_HEIGHT
    section.left_margin = section.right_margin = MARGIN_X
    section.top_margin, section.bottom_margin = MARGIN_TOP, MARGIN_BOTTOM
    section.header_distance = section.footer_distance = Cm(1.2)
    section.different_first_page_header_footer = True
    text_width = PAGE_WIDTH - 2 * MARGIN_X
    muted = RGBColor.from_string(layout.muted.lstrip("#").upper())

    def running(paragraph: Paragraph, left: str) -> None:
        paragraph.paragraph_format.tab_stops.add_tab_stop(text_width, WD_TAB_ALIGNMENT.RIGHT)
        paragraph.add_run(left)
        paragraph.add_run("\t")

    header = section.header.paragraphs[0]
    running(header, layout.running_head)
    header.add_run(layout.kind_line.split(" · ")[0])
    footer = section.footer.paragraphs[0]
    running(footer, layout.publisher)
    before, _, rest = layout.page_of.partition("{page}")
    between, _, after = rest.partition("{pages}")
    for text, field_name in ((before, "PAGE"), (between, "NUMPAGES"), (after, None)):
        if text:
            footer.add_run(text)
        if field_name:
            _run_field(footer, field_name, "1")
    for paragraph in (header, footer):
        for run in paragraph.runs:
            run.font.size = Pt(8.5)
            run.font.color.rgb = muted


def _body_paragraphs(document: WordDocument, style: str) -> list[Paragraph]:
    """The body's paragraphs of a style, found by its ID in their XML by one XPath query: python-docx's
    `paragraph.style` looks the style part up through every relationship of the document (a digest has
    thousands of links), and its element properties take a search each."""
    if style not in document.styles:
        return []
    found = _PARAGRAPHS_OF_STYLE(document.element.body, style=document.styles[style].style_id)
    return [Paragraph(p, document._body) for p in found]


def _cover(document: WordDocument, layout: WordLayout) -> None:
    """The logo above pandoc's title, the report's kind, edition and date, and the abstract."""
    titles = _body_paragraphs(document, "Title")
    if not titles:
        return
    title = titles[0]
    logo = title.insert_paragraph_before()
    logo.paragraph_format.space_after = Pt(60)
    picture = logo.add_run().add_picture(io.BytesIO(layout.logo_png), width=Cm(6.2))
    picture._inline.docPr.set("descr", layout.logo_alt)
    picture._inline.docPr.set("title", layout.logo_alt)
    for paragraph in _body_paragraphs(document, "Author"):
        paragraph.text = layout.publisher
    dates = _body_paragraphs(document, "Date")
    for paragraph in dates:
        paragraph.text = layout.kind_line
    last = dates[-1] if dates else title
    abstract = _paragraph_after(last, "Abstract")
    abstract.add_run(layout.abstract)


def _paragraph_after(paragraph: Paragraph, style: str) -> Paragraph:
    element = OxmlElement("w:p")
    paragraph._p.addnext(element)
    added = Paragraph(element, paragraph._parent)
    added.style = style
    return added


def _contents_paragraph(entry: ContentsEntry) -> BaseOxmlElement:
    """A contents line: the heading's text as a link to its bookmark, styled 'TOC n'."""
    paragraph = OxmlElement("w:p")
    properties = OxmlElement("w:pPr")
    style = OxmlElement("w:pStyle")
    style.set(qn("w:val"), f"TOC{entry.level}")
    properties.append(style)
    paragraph.append(properties)
    link = OxmlElement("w:hyperlink")
    link.set(qn("w:anchor"), entry.anchor)
    link.set(qn("w:history"), "1")
    run = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.set(qn("xml:space"), "preserve")
    text.text = entry.text
    run.append(text)
    link.append(run)
    paragraph.append(link)
    return paragraph


def _field_char(kind: str) -> BaseOxmlElement:
    run = OxmlElement("w:r")
    char = OxmlElement("w:fldChar")
    char.set(qn("w:fldCharType"), kind)
    run.append(char)
    return run


def _fill_contents(document: WordDocument, layout: WordLayout) -> None:
    """Write the contents entries into the result of pandoc's empty TOC field.

    Word, LibreOffice and Word Online then show the contents as soon as the file opens; Word can still
    update the field (to add page numbers) and keeps the same entries.
    """
    body = document.element.body
    for block in body.iter(qn("w:sdt")):
        gallery = block.find(f"{qn('w:sdtPr')}/{qn('w:docPartObj')}/{qn('w:docPartGallery')}")
        if gallery is None or gallery.get(qn("w:val")) != "Table of Contents":
            continue
        content = block.find(qn("w:sdtContent"))
        old = [p for p in content.findall(qn("w:p")) if p.find(f".//{qn('w:instrText')}") is not None]
        if not old or not layout.contents:
            return
        lines = [_contents_paragraph(entry) for entry in layout.contents]
        first, last = lines[0], lines[-1]
        instruction = OxmlElement("w:r")
        text = OxmlElement("w:instrText")
        text.set(qn("xml:space"), "preserve")
        text.text = f' TOC \\o "1-{layout.contents_depth}" \\h \\z \\u '
        instruction.append(text)
        properties = first.find(qn("w:pPr"))
        properties.addnext(_field_char("begin"))
        first[1].addnext(instruction)
        instruction.addnext(_field_char("separate"))
        last.append(_field_char("end"))
        old[0].addprevious(first)
        anchor = first
        for line in lines[1:]:
            anchor.addnext(line)
            anchor = line
        for paragraph in old:
            content.remove(paragraph)
        return


def _captions(document: WordDocument, layout: WordLayout) -> None:
    """Pandoc's table and image captions become Word captions: 'Table 1: …' with a SEQ field Word can list
    (the field's sequence keeps Word's English name; the label is in the report's language)."""
    for style, label in {"Table Caption": "Table", "Image Caption": "Figure"}.items():
        for number, paragraph in enumerate(_body_paragraphs(document, style), start=1):  # each kind numbered apart
            text = paragraph.text
            for run in list(paragraph.runs):
                run._r.getparent().remove(run._r)
            paragraph.add_run(f"{layout.captions[label.lower()]} ")
            _run_field(paragraph, f"SEQ {label} \\* ARABIC", str(number))
            paragraph.add_run(f": {text}")


def _properties(document: WordDocument, layout: WordLayout) -> None:
    properties = document.core_properties
    kept: list[str] = []
    for keyword in layout.keywords:
        if len(", ".join([*kept, keyword])) <= KEYWORDS_LIMIT:
            kept.append(keyword)
    properties.keywords = ", ".join(kept)
    properties.subject = layout.subject
    properties.comments = _shortened(layout.abstract, KEYWORDS_LIMIT)
    properties.category = layout.kind_line.split(" · ")[0]
    properties.language = layout.language


def _shortened(text: str, limit: int) -> str:
    """The text cut at a word to fit a document property, with an ellipsis when cut."""
    if len(text) <= limit:
        return text
    return text[: limit - 1].rsplit(" ", 1)[0] + "…"


def _normalised_zip(data: bytes) -> bytes:
    """The archive with every part dated alike, so that the same report always gives the same bytes."""
    source = zipfile.ZipFile(io.BytesIO(data))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            entry = zipfile.ZipInfo(info.filename, date_time=ZIP_TIME)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o644 << 16
            target.writestr(entry, source.read(info.filename))
    return buffer.getvalue()
