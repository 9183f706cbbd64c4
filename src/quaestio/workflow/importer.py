"""Import a session's spreadsheet (CSV or XLSX) as new recommendations, all rows or none."""

from __future__ import annotations

import csv
import datetime as dt
import difflib
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from quaestio.content.layout import Kind
from quaestio.findings import Code, Finding, did_you_mean, finding, has_errors
from quaestio.vocab import Audience, Horizon, Priority
from quaestio.workflow.fmt import Schemas
from quaestio.workflow.scaffold import (
    ScaffoldError,
    TopicFacts,
    load_recommendations,
    next_ids,
    recommendation_entry,
    recommendations_path,
    topic_facts,
    write_canonical,
)

COLUMNS = ("title", "text", "rationale", "priority", "horizon", "addresses", "references")
REQUIRED = ("title", "text", "rationale", "priority", "horizon", "addresses")
DELIMITERS = (",", ";", "\t")
_DELIMITER_NAMES = {",": "commas", ";": "semicolons", "\t": "tabs"}
_LIST_SEPARATORS = re.compile(r"[\s,;]+")
_UTF16_MARKS = (b"\xff\xfe", b"\xfe\xff")

if TYPE_CHECKING:
    from openpyxl.worksheet.worksheet import Worksheet


class ImporterError(Exception):
    """The import cannot start: a missing or unsupported file, an unknown topic (the message says which)."""


@dataclass(frozen=True)
class Table:
    """The cells of one sheet: rows of text (None when empty), each with its row number in the sheet."""

    source: str
    sheet: str | None
    rows: tuple[tuple[int, tuple[str | None, ...]], ...]

    def cell(self, row: int, column: int) -> str:
        """How a person finds a cell: 'cell C4 of sheet Session' or 'row 4, column 3'."""
        if self.sheet is None:
            return f"row {row}, column {column}"
        from openpyxl.utils.cell import get_column_letter  # loaded already: only workbooks have sheets

        return f"cell {get_column_letter(column)}{row} of sheet '{self.sheet}'"


@dataclass(frozen=True)
class Imported:
    """The outcome of an import: the IDs added, the target file's text before and after, and findings."""

    path: str
    ids: tuple[str, ...]
    before: str
    after: str | None
    findings: tuple[Finding, ...]

    def diff(self) -> str:
        """What the import adds to the target file, as a unified diff."""
        if self.after is None:
            return ""
        return "".join(
            difflib.unified_diff(
                self.before.splitlines(keepends=True),
                self.after.splitlines(keepends=True),
                f"a/{self.path}",
                f"b/{self.path}",
            )
        )


# -- reading CSV ---------------------------------------------------------------------------------


def _csv_text(raw: bytes, source: str) -> tuple[str | None, list[Finding]]:
    if raw.startswith(_UTF16_MARKS):
        return None, [
            finding(
                source,
                (1, 1),
                Code.NOT_UTF8,
                "the file is saved as UTF-16 ('Unicode text'), not UTF-8",
                "save it again as 'CSV UTF-8 (Comma delimited)' (Excel: File > Save As)",
            )
        ]
    raw = raw.removeprefix(b"\xef\xbb\xbf")
    try:
        return raw.decode("utf-8"), []
    except UnicodeDecodeError as exc:
        before = raw[: exc.start]
        line = before.count(b"\n") + 1
        column = exc.start - (before.rfind(b"\n") + 1) + 1
        return None, [
            finding(
                source,
                (line, column),
                Code.NOT_UTF8,
                f"the file is not UTF-8 text (byte 0x{raw[exc.start]:02x} on line {line} cannot be read)",
                "save it again as 'CSV UTF-8 (Comma delimited)' (Excel: File > Save As; LibreOffice: "
                "choose the character set 'Unicode (UTF-8)')",
            )
        ]


def _known(name: str | None, columns: Sequence[str] = COLUMNS) -> bool:
    return _normal_header(name) in columns


def _normal_header(name: str | None) -> str:
    return (name or "").strip().lower()


def _delimiter(text: str, source: str, columns: Sequence[str] = COLUMNS) -> tuple[str | None, list[Finding]]:
    header = next((line for line in text.splitlines() if line.strip()), "")
    scores = []
    for delimiter in DELIMITERS:
        cells = next(csv.reader([header], delimiter=delimiter), [])
        scores.append((sum(_known(c, columns) for c in cells), delimiter))
    best, delimiter = max(scores, key=lambda s: s[0])
    if best >= 2:
        return delimiter, []
    seen = sorted({c for c in header if not c.isalnum() and c not in " _-\"'"})
    found = f" (the header row uses {', '.join(repr(c) for c in seen)})" if seen else ""
    return None, [
        finding(
            source,
            (1, 1),
            Code.CSV_DELIMITER,
            f"the header row cannot be split into the columns {', '.join(columns)}{found}",
            "separate the columns with commas (semicolons and tabs also work), and start the file with the header row",
        )
    ]


def read_csv(file: Path, source: str, columns: Sequence[str] = COLUMNS) -> tuple[Table | None, list[Finding]]:
    """A CSV file as a table; findings for a wrong encoding or delimiter (columns: the header's known names)."""
    try:
        raw = file.read_bytes()
    except OSError as exc:
        return None, [finding(source, (1, 1), Code.UNREADABLE, f"the file cannot be read: {exc.strerror}")]
    text, problems = _csv_text(raw, source)
    if text is None:
        return None, problems
    delimiter, problems = _delimiter(text, source, columns)
    if delimiter is None:
        return None, problems
    records: list[list[str]] = []
    try:
        for record in csv.reader(text.splitlines(keepends=True), delimiter=delimiter, strict=True):
            records.append(record)
    except csv.Error as exc:
        row = len(records) + 1
        return None, [
            finding(
                source,
                (row, 1),
                Code.CSV_FORMAT,
                f"row {row} of the CSV file cannot be read: {exc}",
                'check this row for a quote (") that is opened in a cell and never closed',
            )
        ]
    rows = tuple((number, tuple(_cell(value) for value in record)) for number, record in enumerate(records, start=1))
    return Table(source, None, rows), []


# -- reading XLSX --------------------------------------------------------------------------------


def read_xlsx(file: Path, source: str, sheet: str | None) -> tuple[Table | None, list[Finding]]:
    """One sheet of an XLSX workbook as a table; findings for extra sheets and merged cells."""
    import openpyxl

    try:
        workbook = openpyxl.load_workbook(file, data_only=True)
    except Exception as exc:  # noqa: BLE001 - openpyxl raises many kinds of error on a damaged or foreign file
        return None, [
            finding(
                source,
                (1, 1),
                Code.UNREADABLE,
                f"the file is not an Excel workbook that can be read ({exc})",
                "open it in Excel or LibreOffice and save it again as .xlsx",
            )
        ]
    try:
        names = [sheet.title for sheet in workbook.worksheets]  # chart sheets hold no cells
        if not names:
            return None, [
                finding(
                    source,
                    (1, 1),
                    Code.EMPTY_SHEET,
                    "the workbook has no sheet with cells",
                    "put the recommendations on a sheet, one per row",
                )
            ]
        if sheet is not None:
            if sheet not in names:
                return None, [
                    finding(
                        source,
                        (1, 1),
                        Code.EXTRA_SHEETS,
                        f"the workbook has no sheet '{sheet}'",
                        did_you_mean(sheet, names) or f"its sheets are: {', '.join(names)}",
                    )
                ]
            chosen = workbook[sheet]
        else:
            filled = [workbook[n] for n in names if _has_cells(workbook[n])]
            if len(filled) > 1:
                return None, [
                    finding(
                        source,
                        (1, 1),
                        Code.EXTRA_SHEETS,
                        f"the workbook has {len(filled)} sheets with content "
                        f"({', '.join(repr(s.title) for s in filled)}); import reads one sheet",
                        "delete the other sheets, or name the sheet to import with --sheet",
                    )
                ]
            chosen = filled[0] if filled else workbook[names[0]]
        findings = [
            finding(
                source,
                (merged.min_row, merged.min_col),
                Code.MERGED_CELLS,
                f"cells {merged.coord} of sheet '{chosen.title}' are merged",
                "unmerge them (Excel: Home > Merge & Center > Unmerge Cells) and write the value in "
                "every row that needs it",
            )
            for merged in sorted(chosen.merged_cells.ranges, key=lambda r: (r.min_row, r.min_col))
        ]
        if findings:
            return None, findings
        rows = tuple(
            (number, tuple(_cell(c) for c in values))
            for number, values in enumerate(chosen.iter_rows(min_row=1, min_col=1, values_only=True), start=1)
        )
        return Table(source, chosen.title, rows), []
    finally:
        workbook.close()


def _has_cells(worksheet: Worksheet) -> bool:
    return any(
        value is not None and str(value).strip() for row in worksheet.iter_rows(values_only=True) for value in row
    )


def _cell(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, dt.datetime):
        value = value.date() if value.time() == dt.time() else value
    if isinstance(value, (dt.date, dt.datetime)):
        value = value.isoformat()
    text = "\n".join(line.rstrip() for line in str(value).replace("\r\n", "\n").replace("\r", "\n").split("\n"))
    text = text.strip()
    return text or None


def read_table(
    file: Path, source: str, sheet: str | None = None, columns: Sequence[str] = COLUMNS
) -> tuple[Table | None, list[Finding]]:
    """A spreadsheet file as a table, by its extension (.csv or .xlsx); columns are the names its header may use."""
    suffix = file.suffix.lower()
    if suffix == ".csv":
        if sheet is not None:
            raise ImporterError("--sheet applies to .xlsx workbooks only")
        return read_csv(file, source, columns)
    if suffix in (".xlsx", ".xlsm"):
        return read_xlsx(file, source, sheet)
    if suffix == ".xls":
        raise ImporterError(f"{source} is in the old Excel format (.xls); save it as .xlsx or as CSV UTF-8")
    raise ImporterError(f"{source} is neither a .csv nor an .xlsx file")


# -- rows to recommendations ---------------------------------------------------------------------


@dataclass(frozen=True)
class SheetLayout:
    """The columns a kind of spreadsheet has, and what to tell someone whose header row does not fit it."""

    columns: Sequence[str]
    required: Sequence[str]
    empty_hint: str
    missing_question: str = ""  # after "the header row has no 'x' column", when a wrong sheet is likely
    missing_hint: str = "add a column named '{name}'; the columns are: {columns}"


RECOMMENDATION_SHEET = SheetLayout(COLUMNS, REQUIRED, f"the first row names the columns: {', '.join(COLUMNS)}")


def header_columns(table: Table, layout: SheetLayout) -> tuple[dict[str, int], int, list[Finding]]:
    """The position of each known column, the header's row number, and findings about the header."""
    header_row = next(((n, cells) for n, cells in table.rows if any(cells)), None)
    if header_row is None:
        return {}, 0, [finding(table.source, (1, 1), Code.EMPTY_SHEET, "the sheet is empty", layout.empty_hint)]
    number, cells = header_row
    listed = ", ".join(layout.columns)
    columns: dict[str, int] = {}
    findings = []
    for index, name in enumerate(cells, start=1):
        if name is None:
            continue
        key = _normal_header(name)
        if key in columns:
            findings.append(
                finding(
                    table.source,
                    (number, index),
                    Code.DUPLICATE_COLUMN,
                    f"the column '{key}' appears twice ({table.cell(number, columns[key])} and "
                    f"{table.cell(number, index)})",
                    "keep one of them",
                )
            )
        elif key not in layout.columns:
            findings.append(
                finding(
                    table.source,
                    (number, index),
                    Code.UNKNOWN_COLUMN,
                    f"unknown column '{name}' at {table.cell(number, index)}",
                    did_you_mean(key, layout.columns) or f"the columns are: {listed}",
                )
            )
        else:
            columns[key] = index
    for name in layout.required:
        if name not in columns:
            findings.append(
                finding(
                    table.source,
                    (number, 1),
                    Code.MISSING_COLUMN,
                    f"the header row has no '{name}' column{layout.missing_question}",
                    layout.missing_hint.format(name=name, columns=listed),
                )
            )
    return columns, number, findings


def _choice(value: str, options: Sequence[str]) -> str:
    folded = value.lower().replace("-", " ").removesuffix(" term").strip()
    return folded if folded in options else value


def _ids(value: str | None, known: Sequence[str]) -> list[str]:
    by_case = {k.lower(): k for k in known}
    return [by_case.get(item.lower(), item) for item in _LIST_SEPARATORS.split(value or "") if item]


@dataclass(frozen=True)
class _Row:
    """One row of recommendations: where each documented column's cell is, and what it holds."""

    table: Table
    number: int
    cells: Sequence[str | None]
    columns: Mapping[str, int]

    def at(self, name: str) -> tuple[int, int]:
        return (self.number, self.columns.get(name, 1))

    def cell(self, name: str) -> str:
        return self.table.cell(*self.at(name))

    def value(self, name: str) -> str | None:
        index = self.columns.get(name)
        return self.cells[index - 1] if index is not None and index <= len(self.cells) else None


def _texts(row: _Row, existing_titles: Mapping[str, str]) -> tuple[dict, list[Finding]]:
    """Title, text and rationale; each is required, and the title must be new to the file."""
    findings: list[Finding] = []
    fields: dict = {}
    for name in ("title", "text", "rationale"):
        text = row.value(name)
        if text is None:
            findings.append(
                finding(
                    row.table.source,
                    row.at(name),
                    Code.MISSING_FIELD,
                    f"the recommendation in row {row.number} has no {name} ({row.cell(name)})",
                    f"write its {name} in the '{name}' column",
                )
            )
        fields[name] = text
    title = fields.get("title")
    if title and title.casefold() in existing_titles:
        findings.append(
            finding(
                row.table.source,
                row.at("title"),
                Code.ALREADY_IMPORTED,
                f"row {row.number} has the same title as {existing_titles[title.casefold()]}",
                "remove the row if it was imported before; otherwise reword the title",
            )
        )
    return fields, findings


def _choices(row: _Row) -> tuple[dict, list[Finding]]:
    """Priority and horizon, each one of its allowed values ('Short term' is read as 'short')."""
    findings: list[Finding] = []
    fields: dict = {}
    for name, options in (("priority", tuple(Priority)), ("horizon", tuple(Horizon))):
        raw = row.value(name)
        if raw is None:
            findings.append(
                finding(
                    row.table.source,
                    row.at(name),
                    Code.MISSING_FIELD,
                    f"row {row.number} has no {name} ({row.cell(name)})",
                    f"write one of: {', '.join(options)}",
                )
            )
            continue
        chosen = _choice(raw, options)
        if chosen not in options:
            findings.append(
                finding(
                    row.table.source,
                    row.at(name),
                    Code.INVALID_VALUE,
                    f"'{raw}' is not an allowed {name} ({row.cell(name)}); allowed: {', '.join(options)}",
                    did_you_mean(raw.lower(), options) or f"use one of: {', '.join(options)}",
                )
            )
        fields[name] = chosen
    return fields, findings


def _id_lists(row: _Row, facts: TopicFacts) -> tuple[dict, list[Finding]]:
    """The challenges a row addresses and the references it cites, each an ID of its topic."""
    findings: list[Finding] = []
    fields: dict = {}
    for name, known, what in (
        ("addresses", facts.challenges, "challenge"),
        ("references", facts.references, "reference"),
    ):
        items = _ids(row.value(name), known)
        for item in items:
            if item not in known:
                listed = f"the {what}s of topic '{facts.id}' are {', '.join(known) or 'none'}"
                suggestion = did_you_mean(item, known)
                findings.append(
                    finding(
                        row.table.source,
                        row.at(name),
                        Code.BROKEN_REFERENCE,
                        f"there is no {what} '{item}' in topics/{facts.id}.yaml ({row.cell(name)})",
                        f"{suggestion} ({listed})" if suggestion else listed,
                    )
                )
        fields[name] = list(dict.fromkeys(items))
    return fields, findings


def _row_fields(row: _Row, facts: TopicFacts, existing_titles: Mapping[str, str]) -> tuple[dict, list[Finding]]:
    """A row's recommendation fields, and findings for every cell that is missing or wrong."""
    fields: dict = {}
    findings: list[Finding] = []
    for part, problems in (_texts(row, existing_titles), _choices(row), _id_lists(row, facts)):
        fields.update(part)
        findings.extend(problems)
    return fields, findings


def _stray_cells(table: Table, columns: dict[str, int], header: int) -> list[Finding]:
    named = set(columns.values())
    findings = []
    for number, cells in table.rows:
        if number <= header:
            continue
        for index, content in enumerate(cells, start=1):
            if content is not None and index not in named:
                findings.append(
                    finding(
                        table.source,
                        (number, index),
                        Code.UNKNOWN_COLUMN,
                        f"{table.cell(number, index)} holds a value but its column has no known name",
                        f"name the column in the header row ({', '.join(COLUMNS)}) or clear the cell",
                    )
                )
                break
    return findings


def _existing_titles(data: Mapping) -> dict[str, str]:
    """The file's recommendations by title (case-folded): the rows must not repeat them."""
    return {
        str(r.get("title")).casefold(): str(r.get("id"))
        for r in data["recommendations"]
        if hasattr(r, "get") and isinstance(r.get("title"), str)
    }


def _rows(
    table: Table, columns: dict[str, int], header: int, facts: TopicFacts, existing: dict[str, str]
) -> tuple[list[dict], list[Finding]]:
    """The fields of each row below the header, and findings for rows and cells that are wrong."""
    rows = []
    findings = _stray_cells(table, columns, header)
    for number, cells in table.rows:
        if number <= header or not any(cells):
            continue
        fields, problems = _row_fields(_Row(table, number, cells, columns), facts, existing)
        findings.extend(problems)
        rows.append(fields)
        if fields.get("title"):
            existing.setdefault(fields["title"].casefold(), f"row {number}")
    if not rows and not findings:
        findings.append(
            finding(
                table.source,
                (header + 1, 1),
                Code.EMPTY_SHEET,
                "there are no recommendations below the header row",
                "write one per row",
            )
        )
    return rows, findings


def import_table(root: Path, table: Table, topic: str, audience: str, schemas: Schemas, dry_run: bool) -> Imported:
    """Turn a table's rows into new recommendations in recommendations/<topic>/<audience>.yaml: all or none."""
    if audience not in tuple(Audience):
        raise ImporterError(f"'{audience}' is not an audience; use one of {', '.join(tuple(Audience))}")
    try:
        facts = topic_facts(root, topic)
    except ScaffoldError as problem:
        raise ImporterError(str(problem)) from None
    path = recommendations_path(topic, audience)
    target = root / path
    before = target.read_bytes().decode("utf-8", errors="replace") if target.is_file() else ""
    data, findings = load_recommendations(root, topic, audience)
    if data is None:
        return Imported(path, (), before, None, tuple(findings))

    columns, header, findings = header_columns(table, RECOMMENDATION_SHEET)
    if has_errors(findings):
        return Imported(path, (), before, None, tuple(findings))
    rows, problems = _rows(table, columns, header, facts, _existing_titles(data))
    findings.extend(problems)
    if has_errors(findings):
        return Imported(path, (), before, None, tuple(findings))

    try:
        ids, _ = next_ids(root, f"{facts.code}-{Audience(audience).code}-", len(rows))
    except ScaffoldError as problem:
        raise ImporterError(str(problem)) from None
    for new_id, fields in zip(ids, rows, strict=True):
        data["recommendations"].append(recommendation_entry(new_id, facts, None, fields, comments=False))
    after, findings = write_canonical(root, path, Kind.RECOMMENDATIONS, data, schemas, dry_run=dry_run)
    return Imported(path, tuple(ids) if after is not None else (), before, after, tuple(findings))
