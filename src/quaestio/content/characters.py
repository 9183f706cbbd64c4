"""Characters a person cannot see or tell apart, named by code point; and the characters the reports can print."""

from __future__ import annotations

import re
import unicodedata
from functools import cache
from pathlib import Path

from quaestio.resources import resource_directory

# Spaces that look like a space but are not the one YAML separates and indents with.
ODD_SPACES = frozenset(
    "\u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u202f\u205f\u3000"
)
# Characters that take no room at all.
ZERO_WIDTH = frozenset("\u200b\u200c\u200d\u2060\ufeff\u00ad")
# Quotes a word processor types instead of the straight ' and " YAML reads as quotes.
CURLY_QUOTES = frozenset("\u201c\u201d\u201e\u201f\u2018\u2019\u201a\u201b\u00ab\u00bb\u2032\u2033")
# Dashes and hyphens that look like the '-' of an ID.
LOOKALIKE_DASHES = frozenset("\u2010\u2011\u2012\u2013\u2014\u2212")
HIDDEN = ODD_SPACES | ZERO_WIDTH | frozenset("\t\r\x0b\x0c")
_CONTROL_NAMES = {"\t": "TAB", "\r": "CARRIAGE RETURN", "\n": "LINE FEED", "\x0b": "LINE TABULATION"}

COVERAGE_FILE = "coverage.txt"  # in templates/fonts/: the code points the report fonts can print
FONTS_DIR = "fonts"


def name(char: str) -> str:
    """A character as Unicode names it, with its code point: 'U+00A0 NO-BREAK SPACE'."""
    label = _CONTROL_NAMES.get(char) or unicodedata.name(char, "") or "CONTROL CHARACTER"
    return f"U+{ord(char):04X} {label}"


def shown(char: str) -> str:
    """A character as a message shows it: visible ones in quotes with their name, invisible ones by name only."""
    if char in HIDDEN or char in ZERO_WIDTH or not char.isprintable():
        return name(char)
    return f"'{char}' ({name(char)})"


def first_hidden(text: str, dashes: bool = False) -> int:
    """The index of the first invisible character or look-alike space (or dash, if asked) in text, or -1."""
    for index, char in enumerate(text):
        if char in HIDDEN or (not char.isprintable() and char != "\n") or (dashes and char in LOOKALIKE_DASHES):
            return index
    return -1


def hidden_note(value: object) -> str:
    """' (it contains U+200B ZERO WIDTH SPACE after 'medium')' for a text with an invisible character, else ''."""
    if not isinstance(value, str) or " " in value.strip():
        return ""  # a sentence, not a name or an ID
    index = first_hidden(value, dashes=True)
    if index < 0:
        return ""
    before = value[:index].strip()
    where = f"after '{before[-20:]}'" if before else "at its start"
    return f" (it contains {name(value[index])} {where})"


_PLAIN = str.maketrans(
    {**dict.fromkeys(ZERO_WIDTH), **dict.fromkeys(ODD_SPACES, " "), **dict.fromkeys(LOOKALIKE_DASHES, "-")}
)


def strip_hidden(value: str) -> str:
    """The text without zero-width characters, look-alike spaces and dashes made plain, trimmed."""
    return value.translate(_PLAIN).strip()


def is_blank(value: str) -> bool:
    """Whether a text holds nothing but spaces and invisible characters."""
    stripped = value.strip()
    return not stripped or (stripped[0] in ZERO_WIDTH and not strip_hidden(stripped))


def fonts_directory(root: Path | None) -> Path | None:
    """The report fonts: the repository's templates/fonts/ if it has templates, else quaestio's own."""
    try:
        return resource_directory(root, "templates", "branding.yaml") / FONTS_DIR
    except FileNotFoundError:
        return None


@cache
def unprintable_pattern(fonts: Path) -> re.Pattern[str] | None:
    """A pattern that finds characters outside the fonts' coverage (None when the fonts do not list it)."""
    listing = fonts / COVERAGE_FILE
    if not listing.is_file():
        return None
    ranges = []
    for line in listing.read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        first, _, last = line.partition("-")
        ranges.append(f"\\U{int(first, 16):08x}-\\U{int(last or first, 16):08x}")
    return re.compile(f"[^\\t\\n\\r{''.join(ranges)}]")
