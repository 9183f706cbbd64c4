"""import: spreadsheet rows become recommendations, all or none; bad input gets a finding at its cell."""

from __future__ import annotations

import openpyxl
import pytest

from quaestio.cli import main
from quaestio.content.load import parse_yaml

PUBLIC = "recommendations/alpha/public.yaml"
HEADER = "title,text,rationale,priority,horizon,addresses,references"
GOOD_ROWS = (
    'Fund the research,"Authorities should fund it.\nEvery year.",Nobody else will.,High,short term,'
    'alp-c1,"iso-27001-2013, dir-2013-40"\n'
    "Publish the figures,Authorities should publish them.,Transparency.,low,long,ALP-C1 ALP-C2,\n"
)


def run_import(repo, file, *extra: str) -> int:
    return main(["--root", str(repo.root), "import", str(file), "--topic", "alpha", "--audience", "public", *extra])


def recommendations(repo) -> list[dict]:
    document, findings = parse_yaml(repo.read(PUBLIC), PUBLIC)
    assert findings == []
    return document.data["recommendations"]


def codes(out: str) -> list[str]:
    """The 'file:line:column: severity[code]' part of each finding line."""
    return [line.split("]:")[0] + "]" for line in out.splitlines() if not line.startswith("    hint:")]


def workbook(path, rows, sheets=("Session",)):
    book = openpyxl.Workbook()
    book.active.title = sheets[0]
    for row in rows:
        book.active.append(row)
    for name in sheets[1:]:
        book.create_sheet(name)["A1"] = "notes"
    book.save(path)
    return book


def test_csv_rows_become_draft_recommendations_with_new_ids_and_the_file_keeps_its_comments(repo, tmp_path, capsys):
    repo.replace(PUBLIC, "  - id: ALP-PUB-01", "  # Proposed in 2015.\n  - id: ALP-PUB-01")
    sheet = tmp_path / "session.csv"
    sheet.write_text(f"{HEADER}\n{GOOD_ROWS}", encoding="utf-8")
    assert run_import(repo, sheet) == 0
    first, second, third = recommendations(repo)
    assert first["id"] == "ALP-PUB-01"
    assert second == {
        "id": "ALP-PUB-02",
        "title": "Fund the research",
        "text": "Authorities should fund it.\nEvery year.",
        "rationale": "Nobody else will.",
        "priority": "high",
        "horizon": "short",
        "status": "draft",
        "addresses": ["ALP-C1"],
        "references": ["iso-27001-2013", "dir-2013-40"],
    }
    assert third["id"] == "ALP-PUB-03" and third["addresses"] == ["ALP-C1", "ALP-C2"] and third["references"] == []
    assert "  # Proposed in 2015.\n  - id: ALP-PUB-01\n" in repo.read(PUBLIC)
    assert "    text: |-\n      Authorities should fund it.\n      Every year.\n" in repo.read(PUBLIC)
    assert repo.findings() == ()
    assert (
        "added 2 recommendation(s) to recommendations/alpha/public.yaml: ALP-PUB-02, ALP-PUB-03"
        in capsys.readouterr().err
    )


def test_bad_rows_are_reported_by_row_and_column_and_nothing_is_written(repo, tmp_path, capsys):
    before = repo.read(PUBLIC)
    sheet = tmp_path / "session.csv"
    sheet.write_text(
        f"{HEADER}\n"
        ",Do it.,Why.,high,short,ALP-C1,\n"
        "Act,Do it.,Why.,urgent,short,ALP-C1,\n"
        "Act again,Do it.,Why.,low,soon,ALP-C7,iso-9001\n",
        encoding="utf-8",
    )
    assert run_import(repo, sheet) == 1
    captured = capsys.readouterr()
    assert codes(captured.out) == [
        f"{sheet}:2:1: error[missing-field]",
        f"{sheet}:3:4: error[invalid-value]",
        f"{sheet}:4:5: error[invalid-value]",
        f"{sheet}:4:6: error[broken-reference]",
        f"{sheet}:4:7: error[broken-reference]",
    ]
    assert "hint: did you mean 'ALP-C2'? (the challenges of topic 'alpha' are ALP-C1, ALP-C2)" in captured.out
    assert "nothing was imported" in captured.err
    assert repo.read(PUBLIC) == before


def test_dry_run_shows_the_additions_and_writes_nothing(repo, tmp_path, capsys):
    before = repo.read(PUBLIC)
    sheet = tmp_path / "session.csv"
    sheet.write_text(f"{HEADER}\n{GOOD_ROWS}", encoding="utf-8")
    assert run_import(repo, sheet, "--dry-run") == 0
    captured = capsys.readouterr()
    assert "+  - id: ALP-PUB-02\n+    title: Fund the research\n" in captured.out
    assert "would add 2 recommendation(s)" in captured.err
    assert repo.read(PUBLIC) == before


def test_importing_the_same_rows_twice_is_refused(repo, tmp_path, capsys):
    sheet = tmp_path / "session.csv"
    sheet.write_text(f"{HEADER}\n{GOOD_ROWS}", encoding="utf-8")
    assert run_import(repo, sheet) == 0
    after_first = repo.read(PUBLIC)
    assert run_import(repo, sheet) == 1
    assert codes(capsys.readouterr().out) == [
        f"{sheet}:2:1: error[already-imported]",
        f"{sheet}:3:1: error[already-imported]",
    ]
    assert repo.read(PUBLIC) == after_first


def test_semicolons_and_a_byte_order_mark_are_accepted(repo, tmp_path):
    sheet = tmp_path / "excel.csv"
    sheet.write_bytes(
        b"\xef\xbb\xbf"
        + "title;text;rationale;priority;horizon;addresses\n"
        "Étudier;Les universités étudient.;Parce que.;medium;medium;ALP-C2\n".encode()
    )
    assert run_import(repo, sheet) == 0
    assert recommendations(repo)[-1]["title"] == "Étudier"


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (f"{HEADER}\nCaf\xe9,x,y,low,long,,\n".encode("latin-1"), "2:4: error[not-utf8]"),
        (f"{HEADER}\n".encode("utf-16"), "1:1: error[not-utf8]"),
        (b"title|text|rationale|priority|horizon|addresses\nA|b|c|low|long|\n", "1:1: error[csv-delimiter]"),
        (b"title,txt,rationale,priority,horizon,addresses\n", "1:2: error[unknown-column]"),
        (b"title,text,rationale,priority,addresses\nA,b,c,low,\n", "1:1: error[missing-column]"),
        (f"{HEADER}\n".encode(), "2:1: error[empty-sheet]"),
        (f"{HEADER}\nA,b,c,low,long,,,stray\n".encode(), "2:8: error[unknown-column]"),
        (f'{HEADER}\n"A,b,c,low,long,,\n'.encode(), "2:1: error[csv-format]"),
    ],
)
def test_bad_csv_files_get_one_clear_finding_and_nothing_is_written(repo, tmp_path, capsys, content, expected):
    before = repo.read(PUBLIC)
    sheet = tmp_path / "bad.csv"
    sheet.write_bytes(content)
    assert run_import(repo, sheet) == 1
    out = capsys.readouterr().out
    assert codes(out)[0] == f"{sheet}:{expected}"
    assert "Traceback" not in out
    assert repo.read(PUBLIC) == before


def test_the_encoding_message_says_how_to_save_the_file(repo, tmp_path, capsys):
    sheet = tmp_path / "latin.csv"
    sheet.write_bytes(f"{HEADER}\nCaf\xe9,x,y,low,long,,\n".encode("latin-1"))
    run_import(repo, sheet)
    out = capsys.readouterr().out.splitlines()
    assert out[0] == f"{sheet}:2:4: error[not-utf8]: the file is not UTF-8 text (byte 0xe9 on line 2 cannot be read)"
    assert out[1].startswith("    hint: save it again as 'CSV UTF-8 (Comma delimited)'")


def test_an_xlsx_sheet_is_imported(repo, tmp_path):
    sheet = tmp_path / "session.xlsx"
    workbook(sheet, [HEADER.split(","), ["Fund it", "Authorities should.", "Because.", "HIGH", "Long", "ALP-C1", None]])
    assert run_import(repo, sheet) == 0
    added = recommendations(repo)[-1]
    assert (added["id"], added["priority"], added["horizon"], added["references"]) == ("ALP-PUB-02", "high", "long", [])


def test_xlsx_findings_name_the_cell(repo, tmp_path, capsys):
    sheet = tmp_path / "session.xlsx"
    workbook(sheet, [HEADER.split(","), ["Fund it", "Authorities should.", "Because.", "asap", "long", "ALP-C1"]])
    assert run_import(repo, sheet) == 1
    line = capsys.readouterr().out.splitlines()[0]
    assert line == (
        f"{sheet}:2:4: error[invalid-value]: 'asap' is not an allowed priority "
        "(cell D2 of sheet 'Session'); allowed: high, medium, low"
    )


def test_merged_cells_are_refused_at_their_first_cell(repo, tmp_path, capsys):
    sheet = tmp_path / "merged.xlsx"
    book = workbook(
        sheet, [HEADER.split(","), ["A", "b", "c", "low", "long", "ALP-C1"], ["B", "b", "c", "low", "long", "ALP-C1"]]
    )
    book.active.merge_cells("C2:C3")
    book.save(sheet)
    before = repo.read(PUBLIC)
    assert run_import(repo, sheet) == 1
    out = capsys.readouterr().out
    assert codes(out) == [f"{sheet}:2:3: error[merged-cells]"]
    assert "cells C2:C3 of sheet 'Session' are merged" in out
    assert repo.read(PUBLIC) == before


def test_extra_sheets_are_refused_unless_one_is_chosen(repo, tmp_path, capsys):
    sheet = tmp_path / "two.xlsx"
    workbook(sheet, [HEADER.split(","), ["A", "b", "c", "low", "long", "ALP-C1"]], sheets=("Session", "Notes"))
    assert run_import(repo, sheet) == 1
    out = capsys.readouterr().out
    assert codes(out) == [f"{sheet}:1:1: error[extra-sheets]"]
    assert "the workbook has 2 sheets with content ('Session', 'Notes')" in out
    assert "--sheet" in out
    assert run_import(repo, sheet, "--sheet", "Session") == 0
    assert recommendations(repo)[-1]["title"] == "A"


def test_a_file_that_is_not_a_workbook_is_reported(repo, tmp_path, capsys):
    sheet = tmp_path / "fake.xlsx"
    sheet.write_text("title,text\n", encoding="utf-8")
    assert run_import(repo, sheet) == 1
    assert codes(capsys.readouterr().out) == [f"{sheet}:1:1: error[unreadable]"]


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("old.xls", "is in the old Excel format (.xls); save it as .xlsx or as CSV UTF-8"),
        ("notes.txt", "is neither a .csv nor an .xlsx file"),
        ("missing.csv", "no such file"),
    ],
)
def test_unsupported_or_missing_files_are_usage_errors(repo, tmp_path, capsys, name, message):
    if name != "missing.csv":
        (tmp_path / name).write_bytes(b"x")
    assert run_import(repo, tmp_path / name) == 2
    assert message in capsys.readouterr().err


def test_an_unknown_topic_is_a_usage_error(repo, tmp_path, capsys):
    sheet = tmp_path / "session.csv"
    sheet.write_text(f"{HEADER}\n{GOOD_ROWS}", encoding="utf-8")
    assert main(["--root", str(repo.root), "import", str(sheet), "--topic", "alfa", "--audience", "public"]) == 2
    assert "did you mean 'alpha'?" in capsys.readouterr().err


def test_the_command_line_help_names_the_documented_columns():
    from quaestio import cli
    from quaestio.workflow import importer

    assert ", ".join(importer.COLUMNS) == cli.IMPORT_COLUMNS
