"""Regenerate templates/reports/reference.docx (the Word styles of the DOCX reports) from branding.yaml.

Run after changing the colours: `.venv/bin/python tools/make_reference_docx.py`. Maintainers may also
edit reference.docx directly in Word or LibreOffice: pandoc uses only its styles.
"""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

import pypandoc
from docx import Document
from docx.enum.text import WD_LINE_SPACING
from docx.shared import Pt, RGBColor

from quaestio.publish.branding import load_branding

ROOT = Path(__file__).resolve().parents[1]
FONT = "Calibri"


def _rgb(hex_colour: str) -> RGBColor:
    return RGBColor.from_string(hex_colour.lstrip("#").upper())


def main() -> int:
    colours = load_branding(ROOT)["colours"]  # read and checked as every build reads it
    primary, muted = _rgb(colours["primary"]), _rgb(colours["muted"])  # type: ignore[index]
    default = subprocess.run(
        [pypandoc.get_pandoc_path(), "--print-default-data-file", "reference.docx"], capture_output=True, check=True
    ).stdout
    document = Document(io.BytesIO(default))
    styles = document.styles
    for name in ("Normal", "Body Text", "First Paragraph", "Compact", "Block Text"):
        if name in [s.name for s in styles]:
            style = styles[name]
            style.font.name = FONT
            style.font.size = Pt(11)
    body = styles["Body Text"].paragraph_format
    body.space_after = Pt(6)
    body.line_spacing_rule = WD_LINE_SPACING.MULTIPLE
    body.line_spacing = 1.15
    for level, size in ((1, 20), (2, 15), (3, 12.5), (4, 11.5), (5, 11)):
        style = styles[f"Heading {level}"]
        style.font.name = FONT
        style.font.size = Pt(size)
        style.font.bold = level <= 4
        style.font.color.rgb = primary
        style.paragraph_format.space_before = Pt(18 if level == 1 else 12)
        style.paragraph_format.space_after = Pt(6)
        style.paragraph_format.page_break_before = level == 1
    for name, size, colour in (
        ("Title", 26, primary),
        ("Subtitle", 14, primary),
        ("Date", 11, muted),
        ("Author", 11, muted),
    ):
        style = styles[name]
        style.font.name = FONT
        style.font.size = Pt(size)
        style.font.color.rgb = colour
    styles["Hyperlink"].font.color.rgb = primary
    target = ROOT / "templates" / "reports" / "reference.docx"
    document.save(str(target))
    print(f"wrote {target.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
