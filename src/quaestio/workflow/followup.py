"""`quaestio followup import FILE`: a returned follow-up sheet (CSV or XLSX) becomes new tracker entries, all or none.

A row says where an addressee stood after an assessment dated `date` (the columns of follow-up.csv).
A row that matches an entry already recorded changes nothing, so importing the same file twice is
harmless; a row dated after the addressee's latest entry becomes a new entry holding what changed.
Anything else (an unknown ID, addressee, status or date, a formula, a merged cell, a row that
contradicts the record or goes back in time) is a finding at its row and column, and nothing is written.
"""

from __future__ import annotations

import datetime as dt
import shutil
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from ruamel.yaml.comments import CommentedMap

from quaestio.content.layout import RECOMMENDATIONS_DIR, TOPICS_DIR, Kind
from quaestio.content.model import Addressee, Assessment, Corpus, Recommendation, Text
from quaestio.content.tracker import AddresseeState, addressee_state
from quaestio.findings import Code, Finding, Severity, did_you_mean, finding, has_errors
from quaestio.pipeline import check
from quaestio.publish.followup_table import COLUMNS, CURRENT_SHEET, IMPORT_COLUMNS
from quaestio.vocab import LINK_SCHEMES, Acceptance, Implementation
from quaestio.workflow.fmt import Schemas, canonical_text, dump, write_safely, yaml_round_trip
from quaestio.workflow.importer import SheetLayout, Table, header_columns, read_table

REQUIRED = ("id", "addressee", "date")
_FORMULA = ("=", "+", "-", "@")


@dataclass(frozen=True)
class Row:
    """One row of the sheet, with the cells it named."""

    number: int
    cells: dict[str, str]
    columns: dict[str, int]

    def at(self, name: str) -> tuple[int, int]:
        return (self.number, self.columns.get(name, 1))

    def get(self, name: str) -> str:
        return self.cells.get(name, "")


@dataclass
class _Pending:
    """The entries an addressee will gain, and its history as it will read, while the sheet is checked."""

    recommendation: Recommendation
    addressee: str
    history: list[Assessment]
    new: list[CommentedMap] = field(default_factory=list)


@dataclass(frozen=True)
class FollowupImported:
    """What an import did: the entries added per file, the rows already on record, and what stopped it."""

    added: tuple[tuple[str, str, str], ...]
    unchanged: int
    files: tuple[str, ...]
    findings: tuple[Finding, ...]


# -- reading -------------------------------------------------------------------------------------


def formula_findings(file: Path, source: str, sheet: str | None) -> list[Finding]:
    """A finding for every formula in the sheet to import: its result is not what the file says."""
    if file.suffix.lower() not in (".xlsx", ".xlsm"):
        return []
    import openpyxl

    try:
        workbook = openpyxl.load_workbook(file, data_only=False)
    except Exception:  # noqa: BLE001 - openpyxl raises many kinds of error; read_table reports the damaged file
        return []
    try:
        names = workbook.sheetnames
        chosen = sheet or (CURRENT_SHEET if CURRENT_SHEET in names else names[0] if len(names) == 1 else None)
        if chosen not in names:
            return []
        found = []
        for row in workbook[chosen].iter_rows():
            for cell in row:
                if cell.data_type == "f":
                    found.append(
                        finding(
                            source,
                            (cell.row or 1, cell.column or 1),
                            Code.FORMULA_CELL,
                            f"cell {cell.coordinate} of sheet '{chosen}' holds a formula ({str(cell.value)[:40]})",
                            "replace it by its value (copy the cells, then paste them as values only)",
                        )
                    )
        return found
    finally:
        workbook.close()


def read_sheet(file: Path, source: str, sheet: str | None) -> tuple[Table | None, list[Finding]]:
    """The sheet to import: --sheet, else 'Follow-up' when the workbook has it, else its only sheet."""
    if sheet is None and file.suffix.lower() in (".xlsx", ".xlsm"):
        import openpyxl

        try:
            workbook = openpyxl.load_workbook(file, read_only=True)
            names = workbook.sheetnames
            workbook.close()
        except Exception:  # noqa: BLE001 - the same file goes to read_table, which reports why it cannot be read
            names = []
        sheet = CURRENT_SHEET if CURRENT_SHEET in names else None
    formulas = formula_findings(file, source, sheet)
    table, findings = read_table(file, source, sheet, COLUMNS)
    if formulas:
        return None, formulas + findings
    return table, findings


FOLLOW_UP_SHEET = SheetLayout(
    COLUMNS,
    REQUIRED,
    empty_hint="export follow-up.csv",
    missing_question="; is this the follow-up sheet?",
    missing_hint="import the sheet exported as follow-up.csv; its columns are: {columns}",
)


def _rows(table: Table, columns: dict[str, int], header: int) -> list[Row]:
    rows = []
    for number, cells in table.rows:
        if number <= header or not any(cells):
            continue
        values = {}
        for name, index in columns.items():
            value = cells[index - 1] if index <= len(cells) else None
            if value is not None:
                # The export writes an apostrophe before text that starts like a formula; take it off.
                values[name] = value[1:] if value.startswith("'") and value[1:].startswith(_FORMULA) else value
        rows.append(Row(number, values, columns))
    return rows


# -- checking rows -------------------------------------------------------------------------------


def _date(row: Row, name: str, table: Table) -> tuple[str | None, list[Finding]]:
    value = row.get(name)
    if not value:
        return None, []
    text = value[:10] if len(value) > 10 and value[10:].strip("T0: ") == "" else value
    try:
        return dt.date.fromisoformat(text).isoformat(), []
    except ValueError:
        return None, [
            finding(
                table.source,
                row.at(name),
                Code.INVALID_FORMAT,
                f"'{value}' in {table.cell(*row.at(name))} is not a date",
                "write the date as YYYY-MM-DD, for example 2017-01-31",
            )
        ]


def _choice(row: Row, name: str, options: Sequence[str], table: Table) -> tuple[str | None, list[Finding]]:
    value = row.get(name)
    if not value:
        return None, []
    folded = " ".join(value.lower().replace("-", " ").replace("_", " ").split())
    if folded in options:
        return folded, []
    return None, [
        finding(
            table.source,
            row.at(name),
            Code.INVALID_VALUE,
            f"'{value}' in {table.cell(*row.at(name))} is not an allowed {name}; allowed: {', '.join(options)}",
            did_you_mean(folded, options) or f"use one of: {', '.join(options)}",
        )
    ]


def _same(a: object, b: object) -> bool:
    return " ".join(str(a or "").split()) == " ".join(str(b or "").split())


def _state_of(row: Row, values: dict[str, str | None]) -> tuple[object, ...]:
    return (values["acceptance"], values["status"], values["target"], " ".join(row.get("mandated_by").split()))


def _state_tuple(state: AddresseeState) -> tuple[object, ...]:
    mandated = " ".join(state.mandated_by.en.split()) if state.mandated_by else ""
    return (state.acceptance.value, state.status.value, state.target, mandated)


def _recorded(entry: Assessment, row: Row) -> bool:
    return (
        _same(entry.note.en, row.get("note"))
        and _same(entry.source, row.get("source"))
        and _same(entry.document, row.get("document"))
        and _same(entry.assessor, row.get("assessor"))
    )


def _new_entry(row: Row, values: dict[str, str | None], before: AddresseeState) -> tuple[CommentedMap, Assessment]:
    """The entry a row adds: its date, what differs from the addressee's state, its note, evidence and assessor."""
    entry = CommentedMap()
    entry["date"] = values["date"]
    kept: dict[str, object] = {}
    if values["acceptance"] and values["acceptance"] != before.acceptance:
        entry["acceptance"] = kept["acceptance"] = values["acceptance"]
    if values["status"] and values["status"] != before.status:
        entry["status"] = kept["status"] = values["status"]
    if values["target"] and values["target"] != before.target:
        entry["target"] = kept["target"] = values["target"]
        if before.target is not None and row.get("target_reason"):
            entry["target_reason"] = row.get("target_reason")
            kept["target_reason"] = Text(row.get("target_reason"))
    mandated = row.get("mandated_by")
    if mandated and not _same(mandated, before.mandated_by.en if before.mandated_by else ""):
        entry["mandated_by"] = mandated
        kept["mandated_by"] = Text(mandated)
    entry["note"] = row.get("note")
    for name in ("source", "document"):
        if row.get(name):
            entry[name] = kept[name] = row.get(name)
    entry["assessor"] = row.get("assessor")
    model = Assessment(
        values["date"] or "",
        Text(row.get("note")),
        row.get("assessor"),
        acceptance=Acceptance(str(kept["acceptance"])) if "acceptance" in kept else None,
        status=Implementation(str(kept["status"])) if "status" in kept else None,
        **{k: v for k, v in kept.items() if k not in ("acceptance", "status")},  # type: ignore[arg-type]
    )
    return entry, model


def _missing(row: Row, table: Table, before: AddresseeState) -> list[Finding]:
    found = []
    for name in ("note", "assessor"):
        if not row.get(name):
            found.append(
                finding(
                    table.source,
                    row.at(name),
                    Code.MISSING_FIELD,
                    f"row {row.number} is a new assessment but has no {name} ({table.cell(*row.at(name))})",
                    "say what happened in 'note' and who assessed it in 'assessor'",
                )
            )
    if not row.get("source") and not row.get("document"):
        found.append(
            finding(
                table.source,
                row.at("source"),
                Code.MISSING_EVIDENCE,
                f"row {row.number} is a new assessment but gives no evidence",
                "give the address of a public page in 'source', or name a letter or minutes in 'document'",
            )
        )
    source = row.get("source")
    if source and source.split(":", 1)[0].lower() not in LINK_SCHEMES:
        found.append(
            finding(
                table.source,
                row.at("source"),
                Code.URL_SCHEME,
                f"the source '{source[:60]}' in {table.cell(*row.at('source'))} is not a web address",
                "addresses must start with https://, http:// or mailto:",
            )
        )
    return found


def _row_values(row: Row, table: Table) -> tuple[dict[str, str | None], list[Finding]]:
    """The row's dates and choices, read and checked."""
    values: dict[str, str | None] = {}
    findings: list[Finding] = []
    for column in ("date", "target"):
        values[column], problems = _date(row, column, table)
        findings += problems
    values["acceptance"], problems = _choice(row, "acceptance", tuple(Acceptance), table)
    findings += problems
    values["status"], problems = _choice(row, "status", tuple(Implementation), table)
    return values, findings + problems


def _recommendation_of(row: Row, table: Table, corpus: Corpus) -> tuple[Recommendation | None, list[Finding]]:
    rec_id = row.get("id")
    if not rec_id:
        return None, [
            finding(table.source, row.at("id"), Code.MISSING_FIELD, f"row {row.number} has no ID", "write its ID")
        ]
    recommendation = corpus.recommendation_by_id.get(rec_id) or corpus.recommendation_by_id.get(rec_id.upper())
    if recommendation is not None:
        return recommendation, []
    return None, [
        finding(
            table.source,
            row.at("id"),
            Code.BROKEN_REFERENCE,
            f"there is no recommendation '{rec_id}' ({table.cell(*row.at('id'))})",
            did_you_mean(rec_id, corpus.recommendation_by_id) or "check the ID against follow-up.csv",
        )
    ]


def _slot_of(
    row: Row, table: Table, recommendation: Recommendation, pending: dict[tuple[str, str], _Pending]
) -> tuple[_Pending | None, list[Finding]]:
    """The addressee a row speaks of, with its history as the sheet has left it so far."""
    name = row.get("addressee")
    names = [a.name for a in recommendation.tracker]
    if not name:
        if not any(row.get(c) for c in ("date", "note", "source", "document", "assessor")):
            return None, []  # an exported row of a recommendation nobody has assessed yet
        return None, [
            finding(
                table.source,
                row.at("addressee"),
                Code.MISSING_FIELD,
                f"row {row.number} has an assessment but no addressee",
                f"name who acted; the addressees of {recommendation.id} are {', '.join(names) or 'none yet'}",
            )
        ]
    key = (recommendation.id, " ".join(name.split()).casefold())
    if key not in pending:
        known = {" ".join(a.name.split()).casefold(): a for a in recommendation.tracker}
        if key[1] not in known:
            return None, [
                finding(
                    table.source,
                    row.at("addressee"),
                    Code.BROKEN_REFERENCE,
                    f"{recommendation.id} has no addressee '{name}' ({table.cell(*row.at('addressee'))})",
                    (did_you_mean(name, names) or f"its addressees are: {', '.join(names) or 'none yet'}")
                    + "; add a new addressee to the recommendation's tracker in its YAML file first",
                )
            ]
        pending[key] = _Pending(recommendation, key[1], list(known[key[1]].history))
    return pending[key], []


def _undated(row: Row, table: Table, values: dict[str, str | None], current: AddresseeState) -> tuple[str, list]:
    """A row without a date: unchanged if it says what the record says, else a finding."""
    fields = ("acceptance", "status", "target")
    if all(values[c] in (None, v) for c, v in zip(fields, _state_tuple(current)[:3], strict=True)):
        return "unchanged", []
    return "skipped", [
        finding(
            table.source,
            row.at("date"),
            Code.MISSING_FIELD,
            f"row {row.number} changes the state of '{row.get('addressee')}' but has no date",
            "write the date of the assessment (YYYY-MM-DD) in the 'date' column",
        )
    ]


def _on_record(row: Row, table: Table, values: dict[str, str | None], slot: _Pending) -> tuple[str, list]:
    """A row dated like a recorded entry: unchanged if it agrees with it, else a conflict."""
    date = values["date"]
    then = addressee_state(Addressee(row.get("addressee"), tuple(slot.history)), date)
    pairs = zip(_state_of(row, values), _state_tuple(then), strict=True)
    if all(w in (None, "", a) for w, a in pairs) and any(_recorded(e, row) for e in slot.history if e.date == date):
        return "unchanged", []
    return "skipped", [
        finding(
            table.source,
            row.at("date"),
            Code.FOLLOWUP_CONFLICT,
            f"row {row.number} differs from the entry of {date} already recorded for '{row.get('addressee')}' "
            f"of {slot.recommendation.id}",
            "date a new assessment after the latest one; to correct a recorded entry, edit the YAML file",
        )
    ]


def _new_problems(row: Row, table: Table, values: dict[str, str | None], current: AddresseeState) -> list[Finding]:
    """What stops a row from becoming a new entry: the past, missing text or evidence, an unexplained move."""
    date = values["date"] or ""
    if current.updated is not None and date < current.updated:
        return [
            finding(
                table.source,
                row.at("date"),
                Code.HISTORY_ORDER,
                f"row {row.number} is dated {date}, before the latest entry ({current.updated}) "
                f"for '{row.get('addressee')}'",
                "new assessments must be dated after the latest one; to correct the past, edit the YAML file",
            )
        ]
    problems = _missing(row, table, current)
    moved = values["target"] and current.target and values["target"] != current.target
    if moved and not row.get("target_reason"):
        problems.append(
            finding(
                table.source,
                row.at("target"),
                Code.TARGET_REASON,
                f"row {row.number} moves the target date from {current.target} to {values['target']} without a reason",
                "say why in the 'target_reason' column",
            )
        )
    return problems


def _check_row(
    row: Row, table: Table, corpus: Corpus, pending: dict[tuple[str, str], _Pending]
) -> tuple[str, list[Finding]]:
    """'unchanged', 'added' or 'skipped' for a row, with findings when it cannot be applied."""
    recommendation, findings = _recommendation_of(row, table, corpus)
    if recommendation is None:
        return "skipped", findings
    values, findings = _row_values(row, table)
    slot, problems = _slot_of(row, table, recommendation, pending)
    if slot is None or findings or problems:
        return "skipped", findings + problems
    current = addressee_state(Addressee(row.get("addressee"), tuple(slot.history)))
    if values["date"] is None:
        return _undated(row, table, values, current)
    if any(e.date == values["date"] for e in slot.history):
        return _on_record(row, table, values, slot)
    problems = _new_problems(row, table, values, current)
    if problems:
        return "skipped", problems
    entry, model = _new_entry(row, values, current)
    slot.new.append(entry)
    slot.history.append(model)
    return "added", []


# -- writing -------------------------------------------------------------------------------------


def _file_of(recommendation: Recommendation) -> str:
    return recommendation.origin.file


def _apply(
    root: Path, pending: dict[tuple[str, str], _Pending], schemas: Schemas
) -> tuple[dict[str, str], list[Finding]]:
    """The new text of every file that gains entries (nothing is written here)."""
    by_file: dict[str, list[_Pending]] = {}
    for slot in pending.values():
        if slot.new:
            by_file.setdefault(_file_of(slot.recommendation), []).append(slot)
    texts: dict[str, str] = {}
    findings: list[Finding] = []
    for path, slots in by_file.items():
        data = yaml_round_trip().load((root / path).read_bytes().decode("utf-8").removeprefix("\ufeff"))
        items = {str(item["id"]): item for item in data["recommendations"]}
        for slot in slots:
            for addressee in items[slot.recommendation.id]["tracker"]:
                if " ".join(str(addressee["addressee"]).split()).casefold() == slot.addressee:
                    addressee["history"].extend(slot.new)
        text, problems = canonical_text(dump(yaml_round_trip(), data), path, Kind.RECOMMENDATIONS, schemas)
        if text is None:
            findings.extend(problems)
        else:
            texts[path] = text
    return texts, findings


def _revalidate(root: Path, texts: dict[str, str]) -> list[Finding]:
    """The errors the content would have with the new texts, checked in a scratch copy of the content."""
    with tempfile.TemporaryDirectory(prefix="quaestio-followup-") as scratch:
        copy = Path(scratch)
        for folder in (TOPICS_DIR, RECOMMENDATIONS_DIR):
            if (root / folder).is_dir():
                shutil.copytree(root / folder, copy / folder)
        for path, text in texts.items():
            (copy / path).write_text(text, encoding="utf-8")
        return [f for f in check(copy).findings if f.severity is Severity.ERROR]


def import_followup(
    root: Path, table: Table, corpus: Corpus, schemas: Schemas, dry_run: bool = False
) -> FollowupImported:
    """Apply a follow-up sheet to the tracker: every row checked first, then all files written, or none."""
    columns, header, findings = header_columns(table, FOLLOW_UP_SHEET)
    if has_errors(findings):
        return FollowupImported((), 0, (), tuple(findings))
    pending: dict[tuple[str, str], _Pending] = {}
    added: list[tuple[str, str, str]] = []
    unchanged = 0
    rows = sorted(_rows(table, columns, header), key=lambda r: (r.get("date"), r.number))
    for row in rows:
        outcome, problems = _check_row(row, table, corpus, pending)
        findings.extend(problems)
        if outcome == "added":
            added.append((row.get("id"), row.get("addressee"), row.get("date")))
        elif outcome == "unchanged":
            unchanged += 1
    if has_errors(findings):
        return FollowupImported((), 0, (), tuple(sorted(findings, key=lambda f: (f.line, f.column))))
    texts, problems = _apply(root, pending, schemas)
    problems += _revalidate(root, texts) if texts else []
    if problems:
        return FollowupImported((), 0, (), tuple(problems))
    if not dry_run:
        for path, text in texts.items():
            problem = write_safely(root / path, path, text)
            if problem is not None:
                return FollowupImported((), 0, (), (problem,))
    return FollowupImported(tuple(added), unchanged, tuple(sorted(texts)), ())


__all__ = ["IMPORT_COLUMNS", "FollowupImported", "import_followup", "read_sheet"]
