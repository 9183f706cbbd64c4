"""Word-level comparison of two texts: what `diff` shows reviewers, stale translations show translators and
the changelog shows readers of a revised recommendation."""

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


def word_diff_text(old: str, new: str, context: int = 4) -> str:
    """A one-line word diff as git prints it with --word-diff: [-removed-] and {+added+}.

    Unchanged runs longer than twice `context` words keep only their ends around an ellipsis.
    """
    parts: list[str] = []
    pairs = word_diff(old, new)
    for index, (op, words) in enumerate(pairs):
        space = " " if words.startswith(" ") or (index and op != "equal" and pairs[index - 1][0] != "equal") else ""
        body = words.strip()
        if op == "delete":
            parts.append(f"{space}[-{body}-]")
        elif op == "insert":
            parts.append(f"{space}{{+{body}+}}")
        else:
            tokens = body.split()
            if len(tokens) > 2 * context:
                head = [] if index == 0 else tokens[:context]
                tail = [] if index == len(pairs) - 1 else tokens[-context:]
                body = " ".join([*head, "…", *tail])
            parts.append(f"{space}{body}")
    return "".join(parts).strip()
