"""`quaestio followup migrate`: every old follow-up entry of 2015 reaches the tracker, and nothing else changes."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from quaestio.cli import main
from quaestio.content.layout import Kind
from quaestio.content.load import read_yaml
from quaestio.content.schema import check_document, load_schemas
from quaestio.publish.branding import load_branding
from quaestio.vocab import FollowUpState
from quaestio.workflow.fmt import read_schemas
from quaestio.workflow.migrate import NOT_RECORDED, STATUS_OF, migrate_follow_up
from support.paths import FIXTURES, MINIMAL, REPOSITORY

LEGACY = FIXTURES / "legacy-follow-up"


def _files(root: Path) -> dict[str, dict]:
    return {
        p.relative_to(root).as_posix(): yaml.safe_load(p.read_text(encoding="utf-8"))
        for p in sorted((root / "recommendations").rglob("*.yaml"))
    }


@pytest.fixture
def legacy(tmp_path) -> Path:
    root = tmp_path / "legacy"
    shutil.copytree(LEGACY, root)
    return root


def _migrate(root: Path, dry_run: bool = False):
    return migrate_follow_up(root, load_branding(REPOSITORY), read_schemas(REPOSITORY / "schemas"), dry_run)


def test_no_follow_up_entry_of_the_2015_content_is_lost(legacy):
    before = _files(legacy)
    old_entries = [
        (item["id"], e) for data in before.values() for item in data["recommendations"] for e in item["follow_up"]
    ]
    assert len(old_entries) == 38
    outcome = _migrate(legacy)
    assert outcome.findings == () and outcome.entries == 38
    after = _files(legacy)
    new_entries = {
        item["id"]: [e for a in item["tracker"] for e in a["history"]]
        for data in after.values()
        for item in data["recommendations"]
    }
    for rec_id, old in old_entries:
        matches = [
            e
            for e in new_entries[rec_id]
            if e["date"] == old["date"]
            and e["note"] == old["note"]
            and e.get("source") == old.get("source")
            and e["status"] == STATUS_OF[FollowUpState(old["state"])]
            and e["assessor"] == NOT_RECORDED
        ]
        assert len(matches) == 1, (rec_id, old["date"])
    assert sum(len(v) for v in new_entries.values()) == len(old_entries)
    # Nothing but the follow-up moved: every other field of every recommendation is as it was.
    for path, data in after.items():
        for old_item, new_item in zip(before[path]["recommendations"], data["recommendations"], strict=True):
            assert {k: v for k, v in old_item.items() if k != "follow_up"} == {
                k: v for k, v in new_item.items() if k != "tracker"
            }
            assert [a["addressee"] for a in new_item["tracker"]] == [
                load_branding(REPOSITORY).audience(data["audience"])["label"]
            ]


def test_migrated_files_are_valid_and_a_second_run_changes_nothing(legacy):
    _migrate(legacy)
    schemas = load_schemas(REPOSITORY / "schemas")
    for path in _files(legacy):
        document, problems = read_yaml(legacy / path, path)
        assert problems == [] and document is not None
        assert list(check_document(document, Kind.RECOMMENDATIONS, schemas)) == []
    again = _migrate(legacy)
    assert again.files == () and again.findings == ()


LEGACY_BUSINESS = """topic: alpha
audience: business
recommendations:
  - id: ALP-BUS-01
    title: Act on the second challenge
    text: Companies should act.
    rationale: Because it matters.
    priority: high
    horizon: short
    status: adopted
    addresses: [ALP-C2]
    follow_up:
      - date: 2016-07-06
        state: in progress
        note: Something happened.
      - date: 2015-12-01
        state: rejected
        note: Refused.
        source: https://example.org/refusal
"""


def test_rejected_entries_are_not_accepted_and_entries_without_source_say_so(repo):
    repo.write("recommendations/alpha/business.yaml", LEGACY_BUSINESS)
    assert [f.code for f in repo.findings()] == ["legacy-follow-up"]
    outcome = _migrate(repo.root)
    assert outcome.entries == 2
    data = yaml.safe_load(repo.read("recommendations/alpha/business.yaml"))
    history = data["recommendations"][0]["tracker"][0]["history"]
    assert [str(e["date"]) for e in history] == ["2015-12-01", "2016-07-06"]  # oldest first
    assert (history[0]["acceptance"], history[0]["status"]) == ("not accepted", "not implemented")
    assert history[1]["document"].startswith("not recorded")
    assert repo.codes() == []


def test_an_entry_that_cannot_be_read_stops_the_migration_of_every_file(legacy):
    before = {p: (legacy / p).read_bytes() for p in _files(legacy)}
    target = legacy / "recommendations/governance/public.yaml"
    target.write_text(target.read_text().replace("state: in progress", "state: underway", 1))
    before["recommendations/governance/public.yaml"] = target.read_bytes()
    outcome = _migrate(legacy)
    assert [f.code for f in outcome.findings] == ["invalid-value"]
    assert outcome.findings[0].file == "recommendations/governance/public.yaml"
    assert {p: (legacy / p).read_bytes() for p in before} == before


def test_the_command_reports_what_it_moved_and_a_dry_run_writes_nothing(legacy, capsys):
    before = {p: (legacy / p).read_bytes() for p in _files(legacy)}
    assert main(["--root", str(legacy), "followup", "migrate", "--dry-run"]) == 0
    assert {p: (legacy / p).read_bytes() for p in before} == before
    assert "would move 38 follow-up entries into the tracker" in capsys.readouterr().err
    assert main(["--root", str(legacy), "followup", "migrate"]) == 0
    assert "moved 38 follow-up entries" in capsys.readouterr().err


def test_minimal_fixture_has_no_old_form_left():
    assert all("follow_up" not in i for d in _files(MINIMAL).values() for i in d["recommendations"])


def test_translated_notes_follow_their_entries(legacy):
    translation = legacy / "translations" / "de" / "recommendations" / "governance" / "public.yaml"
    translation.parent.mkdir(parents=True)
    translation.write_text(
        "language: de\nunits:\n  recommendations/GOV-PUB-01/title:\n    source_hash: '00000000'\n    text: Titel\n"
        "  recommendations/GOV-PUB-01/follow_up/0/note:\n    source_hash: '11111111'\n    text: Notiz\n",
        encoding="utf-8",
    )
    _migrate(legacy)
    units = yaml.safe_load(translation.read_text(encoding="utf-8"))["units"]
    assert list(units) == ["recommendations/GOV-PUB-01/title", "recommendations/GOV-PUB-01/tracker/0/history/0/note"]
    assert units["recommendations/GOV-PUB-01/tracker/0/history/0/note"]["text"] == "Notiz"
