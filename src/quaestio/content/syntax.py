"""Explain a YAML syntax error in plain words, at the line and column where the person must type.

The parser stops where it notices a problem, often a line after the slip and in its own words. Each
explainer below recognises one common slip from the text itself (a tab or no-break space in the
indentation, `key:value`, a `: ` inside a value, an apostrophe that closes a quoted text, an
unclosed `[`, a line that does not line up with its neighbours...) and says what to type; the
first that recognises the slip wins, and a plain-words fallback covers the rest.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from quaestio.content.characters import CURLY_QUOTES, ODD_SPACES, ZERO_WIDTH, name
from quaestio.findings import Code, Finding, finding

_KEY_LINE = re.compile(r"^(?P<indent>[ ]*)(?P<dash>-[ ]+)?(?P<key>[A-Za-z_][\w-]*):(?P<rest>.*)$")
_NO_SPACE = re.compile(r"^(?P<lead>[ ]*(?:-[ ]+)?[A-Za-z_][\w-]*:)(?=[^\s/])")
_DASH_NO_SPACE = re.compile(r"^(?P<lead>[ ]*)-(?=[A-Za-z_][\w-]*:)")
_BLOCK_START = re.compile(r"^(?P<indent>[ ]*)(?:-[ ]+)?(?:[A-Za-z_][\w-]*:[ ]+)?[|>][-+0-9]*[ ]*(#.*)?$")


@dataclass(frozen=True)
class SyntaxSlip:
    """Where the parser stopped, with the text around it."""

    lines: Sequence[str]
    problem: str
    line: int  # 1-based line where the parser noticed the problem
    column: int
    context: str
    context_line: int  # 1-based, 0 when the parser gave none
    context_column: int

    def text(self, line: int) -> str:
        return self.lines[line - 1] if 1 <= line <= len(self.lines) else ""


Explainer = Callable[[SyntaxSlip, str], "Finding | None"]


def _tail_word(text: str) -> str:
    """The run of non-space characters at the end of text ('' if it ends in a space)."""
    return "" if not text or text[-1].isspace() else text.split()[-1]


def _head_word(text: str) -> str:
    """The run of non-space characters at the start of text."""
    return text.split(None, 1)[0] if text and not text[0].isspace() else ""


def _dash(text: str) -> str:
    """The list marker '- ' (with all its spaces) at the start of text, or ''."""
    found = re.match(r"-[ ]+", text)
    return found.group(0) if found else ""


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def _meaningful(line: str) -> bool:
    stripped = line.strip()
    return bool(stripped) and not stripped.startswith("#")


def _quoted(value: str) -> str:
    """A one-line value written in quotes, as the person should type it."""
    if '"' not in value and "\\" not in value:
        return f'"{value}"'
    return "'" + value.replace("'", "''") + "'"


def _tab(slip: SyntaxSlip, path: str) -> Finding | None:
    for number in range(1, min(slip.line, len(slip.lines)) + 1):
        line = slip.text(number)
        indent = line[: len(line) - len(line.lstrip(" \t"))]
        if "\t" in indent and line.strip():
            return finding(
                path,
                (number, indent.index("\t") + 1),
                Code.TAB_INDENT,
                "a tab (U+0009 TAB) is used for indentation; YAML indents with spaces only",
                "replace the tab with spaces (two spaces per level)",
            )
    return None


def _odd_space_at(line: str) -> int:
    """The index of a no-break or zero-width space in a line's structure (indentation, after 'key:'), or -1."""
    index = 0
    while index < len(line) and (line[index] in " -" or line[index] in ODD_SPACES or line[index] in ZERO_WIDTH):
        if line[index] in ODD_SPACES or line[index] in ZERO_WIDTH:
            return index
        index += 1
    key = re.match(r"[A-Za-z_][\w-]*:", line[index:])
    if key:
        after = index + key.end()
        if after < len(line) and (line[after] in ODD_SPACES or line[after] in ZERO_WIDTH):
            return after
    return -1


def _odd_space(slip: SyntaxSlip, path: str) -> Finding | None:
    """A no-break or zero-width space in the indentation, after a colon or after a list dash."""
    for number in range(min(slip.line, len(slip.lines)), max(0, slip.line - 4), -1):
        line = slip.text(number)
        index = _odd_space_at(line)
        if index < 0:
            continue
        before = line[:index].strip()
        where = f"after '{before}'" if before else "in the indentation"
        return finding(
            path,
            (number, index + 1),
            Code.INVISIBLE_CHARACTER,
            f"an invisible {name(line[index])} stands {where}, where YAML needs an ordinary space",
            "delete it and type an ordinary space (word processors and web pages insert such spaces)",
        )
    return None


def _dash_without_space(slip: SyntaxSlip, path: str) -> Finding | None:
    for number in (slip.line - 1, slip.line):
        match = _DASH_NO_SPACE.match(slip.text(number))
        if match:
            written = slip.text(number).strip()
            return finding(
                path,
                (number, len(match.group("lead")) + 2),
                Code.YAML_SYNTAX,
                "there is no space after the '-' that starts this list item",
                f"type a space after '-': {written[:1]} {written[1:]}",
            )
    return None


def _no_space_after_colon(slip: SyntaxSlip, path: str) -> Finding | None:
    if "could not find expected ':'" not in slip.problem and "expected key" not in slip.problem:
        return None
    for number in range(min(slip.line, len(slip.lines)), max(0, slip.line - 3), -1):
        line = slip.text(number)
        match = _NO_SPACE.match(line)
        if match:
            key = match.group("lead").strip().lstrip("- ")
            value = line[match.end() :].strip()
            return finding(
                path,
                (number, match.end() + 1),
                Code.YAML_SYNTAX,
                f"there is no space after '{key}', so YAML reads '{key}{value}' as one word, not as a field",
                f"type a space after the colon: '{key} {value}'",
            )
    return None


def _unclosed_flow(slip: SyntaxSlip, path: str) -> Finding | None:
    if "flow" not in slip.context or not slip.context_line:
        return None
    opener = slip.text(slip.context_line)[slip.context_column - 1 : slip.context_column]
    closer = {"[": "]", "{": "}"}.get(opener)
    if closer is None:
        return None
    line = slip.text(slip.context_line).rstrip()
    what = "list" if opener == "[" else "mapping"
    return finding(
        path,
        (slip.context_line, len(line) + 1),
        Code.YAML_SYNTAX,
        f"the {what} opened with '{opener}' at column {slip.context_column} is not closed",
        f"type '{closer}' at the end of line {slip.context_line}: {line.strip()}{closer}"
        + (" (and check that the items are separated by ', ')" if "','" in slip.problem else ""),
    )


def _unclosed_quote(slip: SyntaxSlip, path: str) -> Finding | None:
    if "end of stream" not in slip.problem or "quoted" not in slip.context or not slip.context_line:
        return None
    quote = slip.text(slip.context_line)[slip.context_column - 1 : slip.context_column] or "'"
    return finding(
        path,
        (slip.context_line, slip.context_column),
        Code.YAML_SYNTAX,
        f"the quote {quote} opened here is never closed, so the rest of the file is read as part of the text",
        f"type the closing {quote} at the end of the text",
    )


def _quote_closed_early(slip: SyntaxSlip, path: str) -> Finding | None:
    """An apostrophe inside a single-quoted text (or a " inside a double-quoted one) ends it too soon."""
    for number in (slip.line, slip.context_line):
        line = slip.text(number)
        match = _KEY_LINE.match(line)
        if not match:
            continue
        rest = match.group("rest")
        value = rest.lstrip(" ")
        if not value or value[0] not in "'\"":
            continue
        quote = value[0]
        start = len(line) - len(rest) + (len(rest) - len(value))
        end = _closing_quote(line, start, quote)
        if end is None or not line[end + 1 :].strip() or line[end + 1 :].lstrip().startswith("#"):
            continue
        word = _tail_word(line[:end]) + quote + _head_word(line[end + 1 :])
        inner = line[start + 1 :].rstrip()
        inner = inner[:-1] if inner.endswith(quote) else inner
        if quote == "'":
            hint = (
                f"write the apostrophe twice ({word.replace(quote, quote * 2)}), "
                f'or put the text in double quotes: "{inner}"'
            )
            what = f"the apostrophe in {word} ends the text that the ' at column {start + 1} started"
        else:
            hint = f"put the text in single quotes instead: '{inner}'"
            what = f'the " in {word} ends the text that the " at column {start + 1} started'
        return finding(path, (number, end + 1), Code.YAML_SYNTAX, what, hint)
    return None


def _closing_quote(line: str, start: int, quote: str) -> int | None:
    index = start + 1
    while index < len(line):
        char = line[index]
        if quote == '"' and char == "\\":
            index += 2
            continue
        if char == quote:
            if quote == "'" and line[index + 1 : index + 2] == "'":
                index += 2
                continue
            return index
        index += 1
    return None


def _colon_in_value(slip: SyntaxSlip, path: str) -> Finding | None:
    if "mapping values are not allowed" not in slip.problem:
        return None
    line = slip.text(slip.line)
    match = _KEY_LINE.match(line)
    if not match or not match.group("rest").startswith(" ") or slip.column - 1 <= match.end("key"):
        return None  # no value, or the colon at fault is the field's own: an indentation slip
    key = match.group("key")
    rest = match.group("rest")
    value = rest.strip()
    column = match.end("key") + 1 + (len(rest) - len(rest.lstrip())) + 1
    if value[:1] in CURLY_QUOTES:
        straight = value.strip("".join(CURLY_QUOTES))
        return finding(
            path,
            (slip.line, column),
            Code.INVISIBLE_CHARACTER,
            f"the value of '{key}' starts with the word-processor quote {name(value[0])}, which YAML does not "
            "read as a quote, so the ': ' inside it looks like the start of another field",
            f"type straight quotes instead: {key}: {_quoted(straight)}",
        )
    return finding(
        path,
        (slip.line, column),
        Code.YAML_SYNTAX,
        f"the value of '{key}' contains ': ' (at column {slip.column}), which YAML reads as the start of another field",
        f"put the whole value in quotes: {key}: {_quoted(value)}",
    )


def _block_underindented(slip: SyntaxSlip, path: str) -> Finding | None:
    """A line of a '|' or '>' text block indented less than the block's first line."""
    for start in range(min(slip.line, len(slip.lines)) - 1, 0, -1):
        header = slip.text(start)
        if not _BLOCK_START.match(header):
            continue
        owner = _indent(header)
        body = [n for n in range(start + 1, slip.line + 1) if slip.text(n).strip()]
        if not body:
            return None
        expected = _indent(slip.text(body[0]))
        if expected <= owner:
            if _KEY_LINE.match(slip.text(body[0])) or slip.text(body[0]).lstrip().startswith(("- ", "#")):
                return None  # an empty block followed by the next field
            return finding(
                path,
                (body[0], 1),
                Code.YAML_SYNTAX,
                f"the text of the block that starts with '|' or '>' on line {start} is indented by {expected} "
                f"spaces; it must be indented more than the field name ({owner})",
                f"indent every line of the text by {owner + 2} spaces",
            )
        for number in body[1:]:
            found = _indent(slip.text(number))
            if owner < found < expected:
                return finding(
                    path,
                    (number, 1),
                    Code.YAML_SYNTAX,
                    f"this line is indented by {found} spaces, less than the {expected} of the text block "
                    f"that starts on line {body[0]}",
                    f"indent it by {expected} spaces, like the block's first line",
                )
        return None
    return None


def _misaligned(slip: SyntaxSlip, path: str) -> Finding | None:
    """A line that starts in a column none of the fields or items above it use."""
    number = slip.line
    line = slip.text(number)
    if not _meaningful(line):
        return None
    open_levels: list[tuple[int, int]] = []  # (indentation, line) of the enclosing lines above
    for above in range(number - 1, 0, -1):
        text = slip.text(above)
        if not _meaningful(text):
            continue
        level = _indent(text)
        if not open_levels or level < open_levels[-1][0]:
            open_levels.append((level, above))
    found = _indent(line)
    levels = {level for level, _ in open_levels}
    item_levels = {
        _indent(slip.text(n)) + len(_dash(slip.text(n).lstrip(" ")))
        for _, n in open_levels
        if slip.text(n).lstrip(" ").startswith("- ")
    }
    if not open_levels or found in levels or found in item_levels:
        return None
    nearest_level, nearest_line = min(open_levels, key=lambda entry: (abs(entry[0] - found), -entry[1]))
    if line.lstrip().startswith("- ") and slip.text(nearest_line).lstrip().startswith("- "):
        what = "list items above it"
    else:
        what = "fields above it"
    return finding(
        path,
        (number, found + 1),
        Code.YAML_SYNTAX,
        f"this line is indented by {_spaces(found)}, but the {what} are indented by {nearest_level} "
        f"(line {nearest_line})",
        f"indent it by {_spaces(nearest_level)}, like line {nearest_line}",
    )


def _spaces(count: int) -> str:
    return f"{count} space{'' if count == 1 else 's'}"


def _star_bullet(slip: SyntaxSlip, path: str) -> Finding | None:
    """A Markdown habit: list items written '* item' or '• item' instead of '- item'."""
    for number in (slip.line, slip.line - 1):
        line = slip.text(number)
        stripped = line.lstrip(" ")
        if stripped[:2] in ("* ", "• ", "+ "):
            column = len(line) - len(stripped) + 1
            return finding(
                path,
                (number, column),
                Code.YAML_SYNTAX,
                f"list items start with '- ' in YAML, not with '{stripped[0]}'",
                f"replace '{stripped[0]}' with '-': - {stripped[2:].strip()}",
            )
    return None


def _special_start(slip: SyntaxSlip, path: str) -> Finding | None:
    if "cannot start any token" not in slip.problem:
        return None
    line = slip.text(slip.line)
    char = line[slip.column - 1 : slip.column]
    match = _KEY_LINE.match(line)
    hint = "put the value in quotes"
    if match:
        hint = f"put the value in quotes: {match.group('key')}: {_quoted(match.group('rest').strip())}"
    return finding(
        path,
        (slip.line, slip.column),
        Code.YAML_SYNTAX,
        f"a value cannot start with '{char}' unless it is in quotes",
        hint,
    )


def _bad_escape(slip: SyntaxSlip, path: str) -> Finding | None:
    if "escape" not in slip.problem and "hexdecimal" not in slip.problem:
        return None
    line = slip.text(slip.line)
    backslash = line.rfind("\\", 0, slip.column)
    column = backslash + 1 if backslash >= 0 else slip.column
    return finding(
        path,
        (slip.line, column),
        Code.YAML_SYNTAX,
        "inside double quotes a backslash starts an escape such as \\n, and this one is not an escape YAML knows",
        "put the text in single quotes instead, or write each backslash twice (\\\\)",
    )


def _text_after_block_marker(slip: SyntaxSlip, path: str) -> Finding | None:
    if "block scalar" not in slip.context:
        return None
    return finding(
        path,
        (slip.line, slip.column),
        Code.YAML_SYNTAX,
        "after '|' or '>' the text must start on the next line",
        "move the text to the next line, indented two spaces more than the field name",
    )


_PLAIN_WORDS = (
    ("mapping values are not allowed", "this line holds a ': ' where YAML does not expect a new field"),
    ("could not find expected ':'", "this line is neither 'name: value' nor part of the value above it"),
    ("did not find expected key", "this line does not line up with the fields around it"),
    ("did not find expected '-' indicator", "this line does not line up with the list items above it"),
    ("end of stream", "the file ends inside a quoted text or an open bracket"),
    ("found undefined alias", "a value starts with '*', which YAML reads as an alias"),
)
_SEVERAL_CAUSES = (
    "usually a missing space after ':', a ': ' inside a value that needs quotes, or an indentation that "
    "differs from the lines around it; check this line and the one before"
)


def _plain_words(slip: SyntaxSlip, path: str) -> Finding:
    said = next((words for key, words in _PLAIN_WORDS if key in slip.problem), "YAML cannot read this line")
    return finding(path, (slip.line, slip.column), Code.YAML_SYNTAX, said, _SEVERAL_CAUSES)


EXPLAINERS: tuple[Explainer, ...] = (
    _tab,
    _odd_space,
    _unclosed_quote,
    _quote_closed_early,
    _unclosed_flow,
    _dash_without_space,
    _no_space_after_colon,
    _colon_in_value,
    _special_start,
    _bad_escape,
    _text_after_block_marker,
    _block_underindented,
    _star_bullet,
    _misaligned,
)


def explain(slip: SyntaxSlip, path: str) -> Finding:
    """The finding for a syntax error: the first explainer that recognises the slip, else plain words."""
    for explainer in EXPLAINERS:
        found = explainer(slip, path)
        if found is not None:
            return found
    return _plain_words(slip, path)
