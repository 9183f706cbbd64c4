"""Which headings a report's contents page lists: down to a depth, within ranges, and no more than it may hold."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping, Sequence

Heading = tuple[int, str, Sequence[str]]
"""A heading as the contents page sees it: its level, its identifier ('' for none) and its classes."""

# An ATX heading as the report templates write it: '## Title {#identifier .class}'.
_ATX = re.compile(r"^(#{1,6})[ \t]+(.*?)[ \t]*$", re.MULTILINE)
_ATTRIBUTES = re.compile(r"\{([^{}]*)\}$")


def listed(headings: Iterable[Heading], ranges: Mapping[str, str], depth: int) -> Iterator[int]:
    """The positions of the headings the contents page lists: down to `depth`, not those of class 'unlisted',
    and below level 2 only between the start and end identifiers of one of `ranges` (start -> end), when it
    names any. The same rule as report.typ's outline."""
    open_until = None
    for position, (level, identifier, classes) in enumerate(headings):
        if identifier and identifier == open_until:
            open_until = None
        if identifier in ranges:
            open_until = ranges[identifier]
        deep_allowed = not ranges or open_until is not None
        if level <= depth and "unlisted" not in classes and (level <= 2 or deep_allowed):
            yield position


def markdown_headings(markdown: str) -> list[Heading]:
    """The ATX headings of a report's Markdown, with the identifier and classes of their attributes. Enough to
    count a contents page's entries: the templates write every heading this way, and escape a '#' that
    starts a line of text."""
    headings: list[Heading] = []
    for match in _ATX.finditer(markdown):
        attributes = _ATTRIBUTES.search(match.group(2))
        words = attributes.group(1).split() if attributes else []
        identifier = next((word[1:] for word in words if word.startswith("#")), "")
        classes = [word[1:] for word in words if word.startswith(".")]
        headings.append((len(match.group(1)), identifier, classes))
    return headings


def fitting_depth(headings: Sequence[Heading], ranges: Mapping[str, str], deepest: int, most: int | None) -> int:
    """The deepest level, down to `deepest`, at which the contents page lists at most `most` entries (no limit
    when None); level 1 when even that lists more. Deeper headings stay in the PDF's bookmarks."""
    if most is None:
        return deepest
    for depth in range(deepest, 1, -1):
        if sum(1 for _ in listed(headings, ranges, depth)) <= most:
            return depth
    return 1
