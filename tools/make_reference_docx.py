"""Regenerate templates/reports/reference.docx (the Word styles of the DOCX reports) from branding.yaml.

Run after changing the colours: `.venv/bin/python tools/make_reference_docx.py`. Maintainers may also
edit reference.docx directly in Word or LibreOffice: pandoc uses its styles, page size and font table;
quaestio adds the cover, running header and footer, contents entries and captions to every report.

Fonts: the styles ask for the brand's Source Sans 3 (free, SIL Open Font License). Where it is not
installed, the font table tells Word and LibreOffice to take a plain sans serif of the same family
(Arial, which Windows, macOS and Office have; Liberation Sans, its metric twin, on Linux).
"""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path
from typing import Any

import pypandoc
from docx import Document
from docx.document import Document as WordDocument
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.oxml.xmlchemy import BaseOxmlElement
from docx.shared import Cm, Pt, RGBColor

from quaestio.publish.branding import load_branding

ROOT = Path(__file__).resolve().parents[1]
FONT = "Source Sans 3"
FALLBACK = "Arial"
# Source Sans 3's PANOSE classification: a sans serif (family 2, serif style 11) of normal proportions.
PANOSE = "020B0503030403020204"


def _rgb(hex_colour: str) -> RGBColor:
    return RGBColor.from_string(hex_colour.lstrip("#").upper())


def _only_named_fonts(styles_element: BaseOxmlElement) -> None:
    """Drop the theme-font attributes: in Word they win over a named font, and the theme names Aptos."""
    for fonts in styles_element.iter(qn("w:rFonts")):
        for name in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
            fonts.attrib.pop(qn(name), None)
        for name in ("w:ascii", "w:hAnsi", "w:cs"):
            fonts.set(qn(name), FONT)


def _shade(style: Any, fill: str) -> None:
    """A tinted paragraph with a little padding, for boxes such as the key messages."""
    properties = style.element.get_or_add_pPr()
    shading = OxmlElement("w:shd")
    shading.set(qn("w:val"), "clear")
    shading.set(qn("w:color"), "auto")
    shading.set(qn("w:fill"), fill.lstrip("#").upper())
    properties.append(shading)
    indent = OxmlElement("w:ind")
    indent.set(qn("w:left"), "170")
    indent.set(qn("w:right"), "170")
    properties.append(indent)


def _font_table_entry(document: WordDocument) -> None:
    """Declare Source Sans 3 in the font table with its family, so a reader without it gets a sans serif."""
    part = next(p for p in document.part.package.parts if p.partname.endswith("/fontTable.xml"))
    from lxml import etree

    table = etree.fromstring(part.blob)
    for existing in table.findall(qn("w:font")):
        if existing.get(qn("w:name")) == FONT:
            table.remove(existing)
    font = etree.SubElement(table, qn("w:font"))
    font.set(qn("w:name"), FONT)
    for tag, value in (
        ("w:altName", FALLBACK),
        ("w:panose1", PANOSE),
        ("w:charset", "00"),
        ("w:family", "swiss"),
        ("w:pitch", "variable"),
    ):
        child = etree.SubElement(font, qn(tag))
        child.set(qn("w:val"), value)
    part._blob = etree.tostring(table, xml_declaration=True, encoding="UTF-8", standalone=True)


def _report_styles(styles: Any, names: list[str], colours: Any, primary: RGBColor, muted: RGBColor) -> None:
    """The styles quaestio's reports name (key messages, session facts, recommendation lines, priorities, contents)."""
    for name, fill in (("Key Messages", colours["surface"]), ("Session Facts", colours["surface"])):
        style = styles.add_style(name, 1) if name not in names else styles[name]
        style.base_style = styles["Body Text"]
        _shade(style, fill)
    for name, size, colour in (("Recommendation Meta", 10, muted), ("Recommendation Links", 9.5, muted)):
        style = styles.add_style(name, 1) if name not in names else styles[name]
        style.base_style = styles["Body Text"]
        style.font.size = Pt(size)
        style.font.color.rgb = colour
    for name, colour in (("Priority", primary), ("High Priority", _rgb(colours["accent"]))):
        style = styles.add_style(name, 2) if name not in names else styles[name]  # a character style
        style.font.bold = True
        style.font.color.rgb = colour
    for level in range(1, 5):
        name = f"TOC {level}"
        style = styles.add_style(name, 1) if name not in names else styles[name]
        style.base_style = styles["Normal"]
        style.font.name = FONT
        style.font.size = Pt(11 if level == 1 else 10.5)
        style.font.bold = level == 1
        style.paragraph_format.left_indent = Cm(0.6 * (level - 1))
        style.paragraph_format.space_before = Pt(6 if level == 1 else 1)
        style.paragraph_format.space_after = Pt(1)


def main() -> int:
    colours = load_branding(ROOT)["colours"]  # read and checked as every build reads it
    primary, muted = _rgb(colours["primary"]), _rgb(colours["muted"])  # type: ignore[index]
    default = subprocess.run(
        [pypandoc.get_pandoc_path(), "--print-default-data-file", "reference.docx"], capture_output=True, check=True
    ).stdout
    document = Document(io.BytesIO(default))
    styles = document.styles
    names = [s.name for s in styles]
    for name in ("Normal", "Body Text", "First Paragraph", "Compact", "Block Text"):
        if name in names:
            style = styles[name]
            style.font.name = FONT
            style.font.size = Pt(11)
    body = styles["Body Text"].paragraph_format
    body.space_before = Pt(0)
    body.space_after = Pt(7)
    body.line_spacing_rule = WD_LINE_SPACING.MULTIPLE
    body.line_spacing = 1.2
    for level, size in ((1, 21), (2, 15), (3, 13), (4, 12), (5, 11)):
        style = styles[f"Heading {level}"]
        style.font.name = FONT
        style.font.size = Pt(size)
        style.font.bold = True
        style.font.italic = False
        style.font.color.rgb = primary
        style.paragraph_format.space_before = Pt(18 if level <= 2 else 14)
        style.paragraph_format.space_after = Pt(6)
        style.paragraph_format.page_break_before = level == 1
        style.paragraph_format.keep_with_next = True
    for name, size, colour in (
        ("Title", 30, primary),
        ("Subtitle", 15, primary),
        ("Date", 11, muted),
        ("Author", 12, primary),
        ("Abstract", 11, muted),
    ):
        style = styles[name]
        style.font.name = FONT
        style.font.size = Pt(size)
        style.font.color.rgb = colour
        style.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.LEFT
    styles["Title"].font.bold = True
    for spacing in styles["Subtitle"].element.iter(qn("w:spacing")):  # no letter-spacing: it reads as "S t a t u s"
        if spacing.getparent().tag == qn("w:rPr"):
            spacing.getparent().remove(spacing)
    styles["Author"].paragraph_format.space_before = Pt(36)
    styles["Abstract"].paragraph_format.space_before = Pt(28)
    caption = next(s for s in styles if s.style_id == "Caption")  # python-docx names it 'caption'
    caption.font.italic = False
    caption.font.size = Pt(9.5)
    caption.font.color.rgb = muted
    styles["Hyperlink"].font.color.rgb = primary
    _report_styles(styles, names, colours, primary, muted)
    _only_named_fonts(styles.element)
    _font_table_entry(document)
    section = document.sections[0]
    section.page_width, section.page_height = Cm(21.0), Cm(29.7)
    section.left_margin = section.right_margin = Cm(3.0)
    section.top_margin, section.bottom_margin = Cm(2.6), Cm(2.5)
    target = ROOT / "templates" / "reports" / "reference.docx"
    document.save(str(target))
    print(f"wrote {target.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
