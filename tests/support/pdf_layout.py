"""A PDF's printed words and their boxes (poppler's `pdftotext -bbox-layout`), and the layout faults they show."""

from __future__ import annotations

import re
import subprocess
import xml.etree.ElementTree as ElementTree
from dataclasses import dataclass
from pathlib import Path

_XHTML = "{http://www.w3.org/1999/xhtml}"
_PAGE_NUMBER = re.compile(r"^\d+ / \d+$")
# Two words may touch (kerning, italic overhang) but not cover each other by more than this, in points.
OVERLAP_TOLERANCE = 1.0
# poppler's word boxes run from the font's ascender to its descender, so the boxes of tightly led lines
# overlap a little although their glyphs do not: words overprint when their boxes share more of their
# height than this.
OVERPRINT_SHARE = 0.5
# Text that comes closer to the paper's edge than this (15 mm) is past any sensible margin.
MIN_MARGIN = 42.5
# A running header lies above this line (in points from the top of the page).
HEADER_BAND = 60.0


@dataclass(frozen=True)
class Word:
    text: str
    x0: float
    y0: float
    x1: float
    y1: float

    def covers(self, other: Word) -> bool:
        """Whether the two words are printed on top of each other."""
        width = min(self.x1, other.x1) - max(self.x0, other.x0)
        height = min(self.y1, other.y1) - max(self.y0, other.y0)
        lower = min(self.y1 - self.y0, other.y1 - other.y0)
        return width > OVERLAP_TOLERANCE and height > OVERPRINT_SHARE * lower


@dataclass(frozen=True)
class Line:
    words: tuple[Word, ...]

    @property
    def text(self) -> str:
        return " ".join(w.text for w in self.words)

    @property
    def y0(self) -> float:
        return min(w.y0 for w in self.words)

    @property
    def y1(self) -> float:
        return max(w.y1 for w in self.words)


@dataclass(frozen=True)
class Page:
    number: int
    width: float
    height: float
    lines: tuple[Line, ...]

    @property
    def words(self) -> list[Word]:
        return [w for line in self.lines for w in line.words]

    @property
    def footer(self) -> list[Line]:
        """The running footer: the lines level with the page number ('4 / 16'), when the page has one."""
        numbers = [line for line in self.lines if _PAGE_NUMBER.match(" ".join(line.text.split()[-3:]))]
        if not numbers:
            return []
        number = max(numbers, key=lambda line: line.y1)
        return [line for line in self.lines if line.y0 > number.y0 - 3]

    @property
    def header(self) -> list[Line]:
        """The running header: the lines level with the highest one, when it lies in the top margin."""
        if not self.lines:
            return []
        highest = min(self.lines, key=lambda line: line.y0)
        if highest.y1 > HEADER_BAND:
            return []
        return [line for line in self.lines if line.y0 < highest.y1 - 3]

    @property
    def body(self) -> list[Line]:
        """Every line but the running header and footer."""
        running = [*self.header, *self.footer]
        return [line for line in self.lines if not any(line is other for other in running)]


def read_pages(pdf: Path) -> list[Page]:
    """Every page of a PDF with its lines of words, as poppler lays them out."""
    xhtml = subprocess.run(
        ["pdftotext", "-bbox-layout", str(pdf), "-"], capture_output=True, check=True, text=True
    ).stdout
    root = ElementTree.fromstring(xhtml)
    pages = []
    for number, page in enumerate(root.iter(f"{_XHTML}page"), start=1):
        lines = []
        for line in page.iter(f"{_XHTML}line"):
            words = tuple(
                Word(w.text or "", *(float(w.attrib[k]) for k in ("xMin", "yMin", "xMax", "yMax")))
                for w in line.iter(f"{_XHTML}word")
            )
            if words:
                lines.append(Line(words))
        pages.append(Page(number, float(page.attrib["width"]), float(page.attrib["height"]), tuple(lines)))
    return pages


def overlapping_words(page: Page) -> list[tuple[Word, Word]]:
    """Pairs of words printed on top of each other."""
    words = sorted(page.words, key=lambda w: w.y0)
    found = []
    for index, word in enumerate(words):
        for other in words[index + 1 :]:
            if other.y0 - word.y1 > OVERLAP_TOLERANCE:
                break
            if word.covers(other):
                found.append((word, other))
    return found


def words_past_the_margins(page: Page) -> list[Word]:
    """Words closer to the paper's edge than any margin allows."""
    return [
        w
        for w in page.words
        if w.x0 < MIN_MARGIN
        or w.y0 < MIN_MARGIN / 2
        or w.x1 > page.width - MIN_MARGIN
        or w.y1 > page.height - MIN_MARGIN / 2
    ]


def words_into_the_footer(page: Page) -> list[Word]:
    """Words of the body printed level with or below the top of the running footer."""
    if not page.footer:
        return []
    top = min(line.y0 for line in page.footer)
    return [w for line in page.body for w in line.words if w.y1 > top - OVERLAP_TOLERANCE]


def body_fill(page: Page) -> float:
    """How much of the page's printable height the body text spans, from 0 to 1."""
    body = page.body
    if not body:
        return 0.0
    top = max((line.y1 for line in page.header), default=0.0)
    bottom = min((line.y0 for line in page.footer), default=page.height)
    return sum(line.y1 - line.y0 for line in body) / max(bottom - top, 1.0)
