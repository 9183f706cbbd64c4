"""Findings: what a check says about the content, each pinned to a file, line and column."""

from __future__ import annotations

import difflib
import enum
import functools
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass


class Severity(enum.StrEnum):
    """How serious a finding is."""

    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


class Code(enum.StrEnum):
    """Every finding code: its stable name, its severity and what it means, in one place.

    The README's table of codes is generated from this enumeration (a test keeps them equal).
    """

    severity: Severity
    meaning: str

    def __new__(cls, value: str, severity: Severity, meaning: str) -> Code:
        member = str.__new__(cls, value)
        member._value_ = value
        member.severity = severity
        member.meaning = meaning
        return member

    YAML_SYNTAX = ("yaml-syntax", Severity.ERROR, "the YAML cannot be read (the hint says what usually causes it)")
    TAB_INDENT = ("tab-indent", Severity.ERROR, "a tab is used for indentation")
    INVISIBLE_CHARACTER = (
        "invisible-character",
        Severity.ERROR,
        "an invisible or look-alike character (no-break space, zero-width space, word-processor quote) "
        "stands where YAML needs a plain space or a straight quote",
    )
    DUPLICATE_KEY = ("duplicate-key", Severity.ERROR, "a field appears twice in one mapping")
    NOT_UTF8 = ("not-utf8", Severity.ERROR, "the file is not UTF-8 text")
    YAML_ANCHOR = ("yaml-anchor", Severity.ERROR, "an anchor (`&x`) is refused before anything is expanded")
    YAML_ALIAS = ("yaml-alias", Severity.ERROR, "an alias (`*x`) is refused before it is expanded")
    YAML_TAG = ("yaml-tag", Severity.ERROR, "an explicit tag such as `!!python/object` is refused")
    MULTIPLE_DOCUMENTS = ("multiple-documents", Severity.ERROR, "more than one `---` document in a file")
    NOT_A_MAPPING = ("not-a-mapping", Severity.ERROR, "the file holds a list or a single value instead of fields")
    EMPTY_FILE = ("empty-file", Severity.ERROR, "the file holds nothing")
    FILE_TOO_LARGE = ("file-too-large", Severity.ERROR, "the file is over 1 MiB")
    TOO_DEEP = ("too-deep", Severity.ERROR, "nesting deeper than 16 levels")
    UNREADABLE = ("unreadable", Severity.ERROR, "the file cannot be read")
    MISPLACED_FILE = (
        "misplaced-file",
        Severity.ERROR,
        "the file is in the wrong folder, has the wrong name or the `.yml` extension",
    )
    UNKNOWN_FIELD = ("unknown-field", Severity.ERROR, "a field the schema does not know (with a did-you-mean)")
    MISSING_FIELD = ("missing-field", Severity.ERROR, "a required field is missing")
    WRONG_TYPE = (
        "wrong-type",
        Severity.ERROR,
        "a value of the wrong kind (text for a number, a single value for a list, an empty field)",
    )
    INVALID_VALUE = (
        "invalid-value",
        Severity.ERROR,
        "a value outside the allowed ones (with a did-you-mean) or out of range",
    )
    INVALID_FORMAT = (
        "invalid-format",
        Severity.ERROR,
        "a malformed ID, date, colour, web address or report file name",
    )
    UNKNOWN_LANGUAGE = ("unknown-language", Severity.ERROR, "a translation in a language other than en, fr, nl, de")
    SCHEMA = ("schema", Severity.ERROR, "any other schema violation, in the schema's own words")
    DUPLICATE_ID = (
        "duplicate-id",
        Severity.ERROR,
        "an ID (recommendation, challenge, topic code, reference, glossary term) used twice",
    )
    ID_PREFIX = ("id-prefix", Severity.ERROR, "an ID that does not start with its topic's code (and audience code)")
    PATH_MISMATCH = ("path-mismatch", Severity.ERROR, "the topic or audience a file declares differs from its path")
    UNKNOWN_TOPIC = ("unknown-topic", Severity.ERROR, "a recommendations folder with no topic file")
    BROKEN_REFERENCE = (
        "broken-reference",
        Severity.ERROR,
        "`addresses`, `references`, `related` or `superseded_by` names something that does not exist",
    )
    WITHDRAWN_WITHOUT_REASON = (
        "withdrawn-without-reason",
        Severity.ERROR,
        "a withdrawn recommendation does not say why",
    )
    UNKNOWN_EDITION = (
        "unknown-edition",
        Severity.ERROR,
        "an edition year in which the topic had no session (or, for a withdrawal, no topic had one)",
    )
    EDITION_ORDER = (
        "edition-order",
        Severity.ERROR,
        "editions out of order: earlier editions, revisions, a withdrawal or a closure before what they follow",
    )
    WITHDRAWN_IN = (
        "withdrawn-in",
        Severity.ERROR,
        "a `withdrawn_in` edition on a recommendation that is not withdrawn",
    )
    DUPLICATE_ADDRESSEE = (
        "duplicate-addressee",
        Severity.ERROR,
        "an addressee named twice in one recommendation's tracker",
    )
    HISTORY_ORDER = ("history-order", Severity.ERROR, "a tracker entry dated before the entry above it")
    MISSING_EVIDENCE = (
        "missing-evidence",
        Severity.ERROR,
        "a tracker entry with neither a `source` address nor a `document`",
    )
    TARGET_REASON = (
        "target-reason",
        Severity.ERROR,
        "a target date moved without `target_reason`, or a `target_reason` without a new target date",
    )
    LEGACY_FOLLOW_UP = (
        "legacy-follow-up",
        Severity.ERROR,
        "a recommendation still has the old `follow_up` list; `quaestio followup migrate` moves it into `tracker`",
    )
    URL_SCHEME = ("url-scheme", Severity.ERROR, "an address or Markdown link that is not http, https or mailto")
    ASSET_PATH = (
        "asset-path",
        Severity.ERROR,
        "a path in a text that is absolute, climbs out with `..`, is outside `assets/`, leaves it through a symbolic "
        "link, or names no file; a logo that names no file",
    )
    UNKNOWN_CATALOG = (
        "unknown-catalog",
        Severity.ERROR,
        "a `maps_to` entry names a catalog that is not in `catalogs/` (with a did-you-mean)",
    )
    UNKNOWN_CONTROL = (
        "unknown-control",
        Severity.ERROR,
        "a `maps_to` entry names a control its catalog does not have (with a did-you-mean)",
    )
    CATALOG_FILE = ("catalog-file", Severity.ERROR, "a file in `catalogs/` cannot be read as an imported catalog")
    UNPRINTABLE_CHARACTER = (
        "unprintable-character",
        Severity.ERROR,
        "a character that no report font can print (an emoji, a script the reports do not support)",
    )
    UNADDRESSED_CHALLENGE = (
        "unaddressed-challenge",
        Severity.WARNING,
        "no adopted recommendation addresses a challenge",
    )
    SELF_REFERENCE = ("self-reference", Severity.WARNING, "a recommendation lists itself as related")
    SUPERSEDED_NOT_WITHDRAWN = (
        "superseded-not-withdrawn",
        Severity.WARNING,
        "a successor is named but the recommendation is not withdrawn",
    )
    PLACEHOLDER_TEXT = (
        "placeholder-text",
        Severity.WARNING,
        "a text still starts with the `TODO` placeholder that `new` wrote",
    )
    COMMENT_CUT = (
        "comment-cut",
        Severity.WARNING,
        "a ` #` inside a one-line value starts a comment, so the rest of the line is not part of the value",
    )
    TYPOGRAPHIC_QUOTES = (
        "typographic-quotes",
        Severity.WARNING,
        "a text wrapped in word-processor quotes (“…”), which would be published as part of it",
    )
    UNSAFE_MARKUP = (
        "unsafe-markup",
        Severity.WARNING,
        "a text holds raw HTML, a raw-format marker, a typst attribute, a TeX command or a template expression; "
        "it is shown as plain text, never run, and the warning puts it in front of reviewers",
    )
    WITHDRAWN_CONTROL = (
        "withdrawn-control",
        Severity.WARNING,
        "a `maps_to` entry names a withdrawn control; the hint names the control that replaced it",
    )
    INLINE_TRANSLATION = (
        "inline-translation",
        Severity.WARNING,
        "a translation written beside the English (`fr:` in the content file) is not published; translations live "
        "in `translations/<language>/`",
    )
    UNKNOWN_UNIT = (
        "unknown-unit",
        Severity.ERROR,
        "a translation names a text the English file does not have (with a did-you-mean)",
    )
    STALE_TRANSLATION = (
        "stale-translation",
        Severity.WARNING,
        "the English changed since the text was translated (the hint shows how); it is published in English "
        "until updated",
    )
    TRANSLATION_LIST = (
        "translation-list",
        Severity.WARNING,
        "a line of a translation begins as a list item ('1. Juli 2011', '- ...') where the English has none: "
        "Markdown would show a list",
    )
    ORPHAN_TRANSLATION = (
        "orphan-translation",
        Severity.ERROR,
        "a translation file whose English content file does not exist",
    )
    LANGUAGE_MISMATCH = (
        "language-mismatch",
        Severity.ERROR,
        "the `language:` of a translation file differs from its folder",
    )
    SOURCE_CHANGED = (
        "source-changed",
        Severity.ERROR,
        "`translate import`: the English of a unit changed since it was exported",
    )
    EXCHANGE_FORMAT = (
        "exchange-format",
        Severity.ERROR,
        "`translate import`: the XLIFF or PO file is malformed, declares a DTD or entities, or names no language",
    )
    FMT_UNSAFE = ("fmt-unsafe", Severity.ERROR, "`fmt` would change what a file says, so it writes nothing")
    FMT_UNSTABLE = ("fmt-unstable", Severity.ERROR, "`fmt` would not settle on one form, so it writes nothing")
    WRITE_FAILED = ("write-failed", Severity.ERROR, "a file could not be written (the previous one is kept)")
    CSV_DELIMITER = ("csv-delimiter", Severity.ERROR, "`import`: the CSV file's separator cannot be recognised")
    CSV_FORMAT = (
        "csv-format",
        Severity.ERROR,
        "`import`: the CSV file is malformed (an unclosed quote, a stray character)",
    )
    UNKNOWN_COLUMN = ("unknown-column", Severity.ERROR, "`import`: a column the spreadsheet format does not know")
    DUPLICATE_COLUMN = ("duplicate-column", Severity.ERROR, "`import`: a column appears twice")
    MISSING_COLUMN = ("missing-column", Severity.ERROR, "`import`: a required column is missing")
    EMPTY_SHEET = ("empty-sheet", Severity.ERROR, "`import`: the sheet has no rows")
    MERGED_CELLS = ("merged-cells", Severity.ERROR, "`import`: merged cells, whose value would be lost")
    EXTRA_SHEETS = (
        "extra-sheets",
        Severity.ERROR,
        "`import`: the workbook has several sheets and none was chosen with `--sheet`",
    )
    ALREADY_IMPORTED = (
        "already-imported",
        Severity.ERROR,
        "`import`: a row's title is already a recommendation of the file",
    )
    FORMULA_CELL = (
        "formula-cell",
        Severity.ERROR,
        "`followup import`: a cell holds a formula, whose shown value the file does not keep",
    )
    FOLLOWUP_CONFLICT = (
        "followup-conflict",
        Severity.ERROR,
        "`followup import`: a row differs from the tracker entry already recorded for its date",
    )
    NOT_A_CATALOG = (
        "not-a-catalog",
        Severity.ERROR,
        "`catalog import`: the file cannot be parsed, is too large, or is not an OSCAL catalog",
    )
    UNSAFE_XML = (
        "unsafe-xml",
        Severity.ERROR,
        "`catalog import`: the XML declares a DTD or entities, which are refused before anything is expanded",
    )
    CATALOG_DEVIATION = (
        "catalog-deviation",
        Severity.WARNING,
        "`catalog import`: the catalog departs from OSCAL (an ID that is not a token, a link without `#`); what can "
        "be understood is imported",
    )
    ID_VANISHED = ("id-vanished", Severity.ERROR, "`diff`: an ID disappeared without being withdrawn")
    ID_REUSED = ("id-reused", Severity.ERROR, "`diff`: an ID now names something else")
    SITE_BUILD = ("site-build", Severity.ERROR, "`serve`: the site could not be rebuilt (the last good one stays up)")
    CHECKS_SKIPPED = (
        "checks-skipped",
        Severity.INFO,
        "a file cannot be read, so the checks across files that need its content were skipped (the note names them)",
    )


def codes_table() -> str:
    """The README's table of finding codes, one row per code."""
    rows = ["| code | severity | meaning |", "|---|---|---|"]
    rows += [f"| `{code.value}` | {code.severity.value} | {code.meaning} |" for code in Code]
    return "\n".join(rows)


@dataclass(frozen=True)
class Finding:
    """One thing wrong (or suspicious) in one place of one file."""

    file: str
    line: int
    column: int
    severity: Severity
    code: Code
    message: str
    hint: str = ""

    @property
    def sort_key(self) -> tuple[str, int, int, str]:
        return (self.file, self.line, self.column, self.code)

    def as_dict(self) -> dict[str, object]:
        return {
            "file": self.file,
            "line": self.line,
            "column": self.column,
            "severity": self.severity.value,
            "code": self.code,
            "message": self.message,
            "hint": self.hint,
        }


def finding(file: str, position: tuple[int, int], code: Code, message: str, hint: str = "") -> Finding:
    """A finding at a (line, column) position, with the severity its code carries."""
    return Finding(file, position[0], position[1], code.severity, code, message, hint)


def did_you_mean(value: object, candidates: Iterable[str]) -> str:
    """A "did you mean 'x'?" hint for a misspelled value, or '' when nothing is close."""
    if not isinstance(value, str):
        return ""
    return _closest(value, tuple(candidates))


@functools.lru_cache(maxsize=4096)  # the same slip is often made in many places, and asked about twice
def _closest(value: str, choices: tuple[str, ...]) -> str:
    close = difflib.get_close_matches(value, choices, n=1, cutoff=0.6)
    if not close:
        folded = {c.lower(): c for c in choices}
        if value.lower() in folded:
            close = [folded[value.lower()]]
    return f"did you mean '{close[0]}'?" if close else ""


def ordered(findings: Iterable[Finding]) -> list[Finding]:
    """Findings ordered by file, line and column, without repeats."""
    return sorted(set(findings), key=lambda f: f.sort_key)


def promote_warnings(findings: Sequence[Finding]) -> list[Finding]:
    """The findings with every warning turned into an error (--strict)."""
    return [
        Finding(f.file, f.line, f.column, Severity.ERROR, f.code, f.message, f.hint)
        if f.severity is Severity.WARNING
        else f
        for f in findings
    ]


def has_errors(findings: Iterable[Finding]) -> bool:
    """Whether any finding is an error."""
    return any(f.severity is Severity.ERROR for f in findings)


def format_text(findings: Sequence[Finding], colour: bool = False) -> str:
    """Findings as `path:line:column: severity[code]: message`, each with its hint below."""
    styles = {Severity.ERROR: "\033[1;31m", Severity.WARNING: "\033[1;33m", Severity.INFO: "\033[1;36m"}
    lines = []
    for f in findings:
        severity = f.severity.value
        if colour:
            severity = f"{styles[f.severity]}{severity}\033[0m"
        lines.append(f"{f.file}:{f.line}:{f.column}: {severity}[{f.code}]: {f.message}")
        if f.hint:
            lines.append(f"    hint: {f.hint}")
    return "\n".join(lines)


def _github_escape(text: str, property_value: bool = False) -> str:
    text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    if property_value:
        text = text.replace(":", "%3A").replace(",", "%2C")
    return text


def format_github(findings: Sequence[Finding]) -> str:
    """Findings as GitHub Actions workflow commands, which annotate the pull request."""
    lines = []
    for f in findings:
        level = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}[f.severity]
        message = f"{f.message}" + (f"\n{f.hint}" if f.hint else "")
        title = _github_escape(f"quaestio {f.code}", property_value=True)
        lines.append(
            f"::{level} file={_github_escape(f.file, True)},line={f.line},col={f.column},"
            f"title={title}::{_github_escape(message)}"
        )
    return "\n".join(lines)


def format_json(findings: Sequence[Finding]) -> str:
    """Findings as a JSON list of objects, for tools."""
    return json.dumps([f.as_dict() for f in findings], indent=2, ensure_ascii=False)


def summary(findings: Sequence[Finding], files: int) -> str:
    """One line counting errors and warnings."""
    errors = sum(1 for f in findings if f.severity is Severity.ERROR)
    warnings = sum(1 for f in findings if f.severity is Severity.WARNING)
    notes = len(findings) - errors - warnings

    def plural(n: int, word: str) -> str:
        return f"{n} {word}{'' if n == 1 else 's'}"

    counted = f"{plural(files, 'file')} checked: {plural(errors, 'error')}, {plural(warnings, 'warning')}"
    return counted + (f", {plural(notes, 'note')}." if notes else ".")
