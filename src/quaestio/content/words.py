"""Word-level differences between two texts: what a revision or a commit struck out and put in."""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence

_TOKEN = re.compile(r"\w+|[^\w\s]")


def _tokens(text: str) -> list[tuple[str, str]]:
    """Words and punctuation marks, each with the space before it ('' or ' ')."""
    return [(m.group(), " " if m.start() and text[m.start() - 1].isspace() else "") for m in _TOKEN.finditer(text)]


def word_diff(old: str, new: str) -> tuple[tuple[str, str], ...]:
    """The words of new compared with old, as ('equal' | 'delete' | 'insert', text) pairs.

    Punctuation counts as a word of its own; a text keeps the space before it, so joining the
    'equal' and 'insert' texts gives the new text (with its whitespace collapsed).
    """
    a, b = _tokens(old), _tokens(new)

    def join(tokens: Sequence[tuple[str, str]]) -> str:
        return "".join(space + token for token, space in tokens)

    pairs: list[tuple[str, str]] = []
    matcher = difflib.SequenceMatcher(None, [t for t, _ in a], [t for t, _ in b], autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            pairs.append(("equal", join(b[j1:j2])))
        if op in ("delete", "replace"):
            pairs.append(("delete", join(a[i1:i2])))
        if op in ("insert", "replace"):
            pairs.append(("insert", join(b[j1:j2])))
    return tuple(pairs)
