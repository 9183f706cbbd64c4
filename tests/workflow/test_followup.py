"""`quaestio followup import`: the exported follow-up sheet comes back as tracker entries; bad input writes nothing."""

from __future__ import annotations

import csv
import io
import shutil
from pathlib import Path

import openpyxl
import pytest
import yaml

from quaestio.cli import main
from quaestio.pipeline import check
from quaestio.publish.followup_table import COLUMNS
from support.paths import FIXTURES

EDITIONS = FIXTURES / "editions"
PUBLIC = "recommendations/alpha/public.yaml"


@pytest.fixture
def root(tmp_path) -> Path:
    target = tmp_path / "repo"
    shutil.copytree(EDITIONS, target)
    assert main(["--root", str(target), "data"]) == 0
    return target


def content(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*.yaml"))}


def rows(root: Path, name: str = "follow-up.csv") -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO((root / "build" / "data" / name).read_text(encoding="utf-8-sig"))))


def write_csv(path: Path, table: list[dict[str, str]], columns=COLUMNS) -> Path:
    with path.open("w", encoding="utf-8", newline="") as stream:
        writer = csv.DictWriter(stream, fieldnames=list(columns), extrasaction="ignore")
        writer.writeheader()
        writer.writerows(table)
    return path


def run(root: Path, *args: str) -> int:
    return main(["--root", str(root), "followup", "import", *args])


def finance(table: list[dict[str, str]]) -> dict[str, str]:
    return next(r for r in table if r["addressee"] == "Federal Public Service Finance")


def test_export_has_one_row_per_recommendation_and_addressee_and_the_history(root):
    current, history = rows(root), rows(root, "follow-up-history.csv")
    assert [(r["id"], r["addressee"]) for r in current if r["id"] == "ALP-PUB-01"] == [
        ("ALP-PUB-01", "Centre for Cyber Security Belgium (CCB)"),
        ("ALP-PUB-01", "Federal Public Service Finance"),
    ]
    assert ("ALP-BUS-02", "") in [(r["id"], r["addressee"]) for r in current]  # in force, nobody assessed yet
    ccb = [r for r in history if r["addressee"].startswith("Centre")]
    assert [(r["date"], r["status"], r["target"]) for r in ccb] == [
        ("2015-09-01", "in progress", "2016-06-30"),
        ("2016-05-01", "in progress", "2017-06-30"),
        ("2018-07-01", "implemented", "2017-06-30"),
    ]
    assert ccb[1]["target_reason"] == "The budget came a year late."
    workbook = openpyxl.load_workbook(root / "build" / "data" / "follow-up.xlsx")
    assert workbook.sheetnames == ["Follow-up", "History"]
    assert [c.value for c in workbook["History"][1]] == list(COLUMNS)
    assert workbook["History"].max_row == len(history) + 1


@pytest.mark.parametrize("name", ["follow-up.csv", "follow-up-history.csv", "follow-up.xlsx"])
def test_importing_an_exported_file_again_changes_nothing(root, name, capsys):
    before = content(root)
    assert run(root, str(root / "build" / "data" / name)) == 0
    assert content(root) == before
    assert "added 0 assessment(s)" in capsys.readouterr().err


def test_the_history_sheet_of_the_workbook_imports_as_well(root):
    before = content(root)
    assert run(root, str(root / "build" / "data" / "follow-up.xlsx"), "--sheet", "History") == 0
    assert content(root) == before


def test_an_updated_row_becomes_a_new_entry_with_only_what_changed(root, tmp_path, capsys):
    table = rows(root)
    row = finance(table)
    row.update(
        date="2017-03-01",
        status="Implemented",  # labels as people type them are accepted
        note="The budget was granted in full.",
        source="https://finance.belgium.be/en/budget-2017",
        assessor="Alpha working group",
    )
    update = write_csv(tmp_path / "update.csv", table)
    assert run(root, str(update)) == 0
    assert "added 1 assessment(s) to 1 file(s); 4 row(s) were already on record" in capsys.readouterr().err
    data = yaml.safe_load((root / PUBLIC).read_text(encoding="utf-8"))
    history = data["recommendations"][0]["tracker"][1]["history"]
    assert history[-1] == {
        "date": "2017-03-01",
        "status": "implemented",
        "note": "The budget was granted in full.",
        "source": "https://finance.belgium.be/en/budget-2017",
        "assessor": "Alpha working group",
    }
    result = check(root)
    assert result.findings == ()
    assert result.corpus.recommendation_by_id["ALP-PUB-01"].tracker[1].history[-1].date == "2017-03-01"
    after = content(root)
    assert run(root, str(update)) == 0  # the same file again: nothing new
    assert content(root) == after


def test_a_moved_target_date_needs_its_reason(root, tmp_path):
    table = rows(root)
    finance(table).update(date="2017-03-01", target="2017-12-31", note="Delayed.", target_reason="")
    before = content(root)
    assert run(root, str(write_csv(tmp_path / "t.csv", table))) == 1
    assert content(root) == before


# -- bad input: a finding at its row and column, and nothing written ---------------------------------------


def _bad_csv(root: Path, tmp_path: Path, change) -> Path:
    table = rows(root)
    change(finance(table))
    return write_csv(tmp_path / "bad.csv", table)


BAD_ROWS = {
    "unknown ID": (lambda r: r.update(id="ALP-PUB-09"), "broken-reference", "id"),
    "unknown status": (lambda r: r.update(date="2017-03-01", status="finished", note="x"), "invalid-value", "status"),
    "bad date": (lambda r: r.update(date="31/02/2017"), "invalid-format", "date"),
    "unknown addressee": (lambda r: r.update(addressee="FPS Financ"), "broken-reference", "addressee"),
    "conflicting record": (lambda r: r.update(note="Something else happened."), "followup-conflict", "date"),
    "back in time": (lambda r: r.update(date="2015-01-01", note="Older."), "history-order", "date"),
    "no evidence": (
        lambda r: r.update(date="2017-03-01", status="implemented", note="Done.", source="", document=""),
        "missing-evidence",
        "source",
    ),
}


@pytest.mark.parametrize("case", list(BAD_ROWS))
def test_a_bad_row_gives_a_finding_at_its_cell_and_writes_nothing(root, tmp_path, capsys, case):
    change, code, column = BAD_ROWS[case]
    bad = _bad_csv(root, tmp_path, change)
    before = content(root)
    assert run(root, str(bad)) == 1
    out = capsys.readouterr()
    line = next(x for x in out.out.splitlines() if f"error[{code}]" in x)
    row = 1 + [r["addressee"] for r in rows(root)].index("Federal Public Service Finance") + 1
    assert line.startswith(f"{bad}:{row}:{COLUMNS.index(column) + 1}: ")
    assert "nothing was imported" in out.err
    assert content(root) == before


def _workbook(root: Path, tmp_path: Path, change) -> Path:
    workbook = openpyxl.load_workbook(root / "build" / "data" / "follow-up.xlsx")
    change(workbook)
    target = tmp_path / "bad.xlsx"
    workbook.save(target)
    return target


def test_merged_cells_give_a_finding_and_write_nothing(root, tmp_path, capsys):
    bad = _workbook(root, tmp_path, lambda wb: wb["Follow-up"].merge_cells("H3:H4"))
    before = content(root)
    assert run(root, str(bad)) == 1
    assert f"{bad}:3:8: error[merged-cells]" in capsys.readouterr().out
    assert content(root) == before


def test_formula_cells_give_a_finding_and_write_nothing(root, tmp_path, capsys):
    def formula(workbook):
        workbook["Follow-up"]["K3"] = '=IF(1,"implemented","open")'

    bad = _workbook(root, tmp_path, formula)
    before = content(root)
    assert run(root, str(bad)) == 1
    out = capsys.readouterr().out
    assert f"{bad}:3:11: error[formula-cell]: cell K3 of sheet 'Follow-up' holds a formula" in out
    assert content(root) == before


def test_the_wrong_sheet_gives_a_finding_and_writes_nothing(root, tmp_path, capsys):
    before = content(root)
    workbook = root / "build" / "data" / "follow-up.xlsx"
    assert run(root, str(workbook), "--sheet", "Sheet1") == 1
    assert "error[extra-sheets]: the workbook has no sheet 'Sheet1'" in capsys.readouterr().out

    def rename(wb):
        wb["Follow-up"].title = "Updates"
        wb["History"].title = "Old"

    assert run(root, str(_workbook(root, tmp_path, rename))) == 1
    assert "error[extra-sheets]" in capsys.readouterr().out

    def recommendations_sheet(wb):
        for name in list(wb.sheetnames):
            wb.remove(wb[name])
        sheet = wb.create_sheet("Follow-up")
        sheet.append(["title", "text", "rationale", "priority", "horizon", "addresses"])
        sheet.append(["A recommendation", "Text", "Why", "high", "short", "ALP-C1"])

    assert run(root, str(_workbook(root, tmp_path, recommendations_sheet))) == 1
    out = capsys.readouterr().out
    assert "error[missing-column]: the header row has no 'id' column; is this the follow-up sheet?" in out
    assert content(root) == before


def test_csv_cells_the_export_protected_from_formulas_come_back_as_written(root, tmp_path):
    table = rows(root)
    finance(table).update(
        date="2017-03-01", status="implemented", note="-10% on the budget line.", source="https://finance.belgium.be/"
    )
    protected = tmp_path / "protected.csv"
    write_csv(protected, table)
    text = protected.read_text(encoding="utf-8").replace(",-10% on", ",'-10% on")
    protected.write_text(text, encoding="utf-8")
    assert run(root, str(protected)) == 0
    data = yaml.safe_load((root / PUBLIC).read_text(encoding="utf-8"))
    assert data["recommendations"][0]["tracker"][1]["history"][-1]["note"] == "-10% on the budget line."
