"""The tracker as a table: follow-up.csv and follow-up.xlsx, one row per recommendation and addressee, plus
the history, in the columns that `quaestio followup import` reads back.

Every row says where an addressee stood after one dated assessment: its acceptance, status, target
date and legal obligation then, with that assessment's note, evidence and assessor. The current
sheet has the latest assessment of each addressee; the history sheet has every one. A returned
sheet with a row changed and dated later becomes a new assessment; an unchanged row changes nothing.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable, Sequence

from quaestio.content.model import Addressee, Corpus, Recommendation, Text
from quaestio.content.tracker import addressee_state, in_force, recommendation_state
from quaestio.publish.officefiles import reproducible_zip
from quaestio.publish.urls import absolute, recommendation_path

IMPORT_COLUMNS = (
    "id",
    "addressee",
    "date",
    "acceptance",
    "status",
    "target",
    "target_reason",
    "mandated_by",
    "note",
    "source",
    "document",
    "assessor",
)
"""The columns `followup import` reads: one dated assessment of one addressee."""

CONTEXT_COLUMNS = (
    "title",
    "topic",
    "audience",
    "edition",
    "priority",
    "priority_flag",
    "overall_status",
    "overdue",
    "url",
)
"""Columns for readers, which the import ignores (they come from the recommendation itself)."""

COLUMNS = (
    "id",
    "title",
    "topic",
    "audience",
    "edition",
    "priority",
    "priority_flag",
    "addressee",
    "date",
    "acceptance",
    "status",
    "target",
    "target_reason",
    "mandated_by",
    "note",
    "source",
    "document",
    "assessor",
    "overall_status",
    "overdue",
    "url",
)
CURRENT_SHEET, HISTORY_SHEET = "Follow-up", "History"
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _en(value: Text | None) -> str:
    return " ".join(value.en.split()) if value is not None else ""


def _context(r: Recommendation, site_url: str, today: str) -> dict[str, str]:
    state = recommendation_state(r)
    return {
        "id": r.id,
        "title": r.title.en,
        "topic": r.topic,
        "audience": r.audience,
        "edition": str(r.edition),
        "priority": r.priority,
        "priority_flag": "yes" if r.priority_flag else "",
        "overall_status": state.status,
        "overdue": "yes" if state.overdue(today) else "",
        "url": absolute(site_url, recommendation_path(r.id)),
    }


def _rows_of(r: Recommendation, addressee: Addressee, site_url: str, today: str, every: bool) -> list[dict[str, str]]:
    """The rows of one addressee: its latest assessment, or every one (the state after each)."""
    context = _context(r, site_url, today)
    count = len(addressee.history)
    positions = range(count) if every else range(count - 1, count) if count else range(0)
    rows = []
    for position in positions:
        entry = addressee.history[position]
        state = addressee_state(Addressee(addressee.name, addressee.history[: position + 1]))
        reason = state.targets[-1].reason if state.targets else None
        rows.append(
            {
                **context,
                "addressee": addressee.name,
                "date": entry.date,
                "acceptance": state.acceptance,
                "status": state.status,
                "target": state.target or "",
                "target_reason": _en(entry.target_reason if every else reason),
                "mandated_by": _en(state.mandated_by),
                "note": _en(entry.note),
                "source": entry.source or "",
                "document": entry.document or "",
                "assessor": entry.assessor,
            }
        )
    if not count and not every:
        state = addressee_state(addressee)
        rows.append({**context, "addressee": addressee.name, "acceptance": state.acceptance, "status": state.status})
    return rows


def tracked(corpus: Corpus) -> list[Recommendation]:
    """The recommendations the tables list: those in force, and any other with a tracker on record."""
    return [r for r in corpus.recommendations if in_force(r) or r.tracker]


def current_rows(corpus: Corpus, site_url: str, today: str) -> list[dict[str, str]]:
    """One row per recommendation and addressee (a recommendation without addressee gets one empty row)."""
    rows: list[dict[str, str]] = []
    for r in tracked(corpus):
        if not r.tracker:
            state = recommendation_state(r)
            rows.append({**_context(r, site_url, today), "acceptance": state.acceptance, "status": state.status})
        for addressee in r.tracker:
            rows += _rows_of(r, addressee, site_url, today, every=False)
    return rows


def history_rows(corpus: Corpus, site_url: str, today: str) -> list[dict[str, str]]:
    """One row per assessment, oldest first within each recommendation and addressee."""
    return [
        row
        for r in tracked(corpus)
        for addressee in r.tracker
        for row in _rows_of(r, addressee, site_url, today, every=True)
    ]


def _cell(value: str) -> str:
    """A CSV cell a spreadsheet shows as text: one starting like a formula gets an apostrophe in front."""
    return f"'{value}" if value.startswith(_FORMULA_START) else value


def as_csv(rows: Iterable[dict[str, str]]) -> str:
    """Rows as CSV text with a byte-order mark, in COLUMNS order."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for row in rows:
        writer.writerow([_cell(str(row.get(column, ""))) for column in COLUMNS])
    return "\ufeff" + buffer.getvalue()


def as_xlsx(sheets: Sequence[tuple[str, Sequence[dict[str, str]]]], epoch: int) -> bytes:
    """Rows as an XLSX workbook, one sheet per table, every cell text, the same bytes for the same rows."""
    import openpyxl
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    workbook = openpyxl.Workbook()
    for blank in list(workbook.worksheets):  # the default, empty sheet
        workbook.remove(blank)
    for title, rows in sheets:
        sheet = workbook.create_sheet(title)
        sheet.append(list(COLUMNS))
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for number, row in enumerate(rows, start=2):
            for column, name in enumerate(COLUMNS, start=1):
                value = str(row.get(name, ""))
                if value:
                    cell = sheet.cell(row=number, column=column, value=value)
                    cell.data_type = "s"  # text, even when it starts like a formula
        sheet.freeze_panes = "C2"
        sheet.auto_filter.ref = f"A1:{get_column_letter(len(COLUMNS))}{max(1, len(rows) + 1)}"
        for column, name in enumerate(COLUMNS, start=1):
            width = 60 if name in ("title", "note") else 40 if name in ("addressee", "url", "source") else 16
            sheet.column_dimensions[get_column_letter(column)].width = width
    moment = dt.datetime.fromtimestamp(epoch, tz=dt.UTC).replace(tzinfo=None)
    workbook.properties.created = moment
    buffer = io.BytesIO()
    workbook.save(buffer)
    return reproducible_zip(buffer.getvalue(), moment)
