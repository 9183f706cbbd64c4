"""`quaestio followup migrate`: the old `follow_up` lists become tracker histories, entry for entry, all files or none."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from ruamel.yaml.comments import CommentedMap, CommentedSeq

from quaestio.content.layout import Kind, discover
from quaestio.content.load import read_yaml
from quaestio.findings import Code, Finding, finding, has_errors
from quaestio.publish.branding import Branding
from quaestio.vocab import Acceptance, FollowUpState, Implementation
from quaestio.workflow.fmt import Schemas, canonical_text, dump, write_safely, yaml_round_trip

LEGACY_KEY = "follow_up"
NOT_RECORDED = "not recorded (migrated from the follow-up list)"
"""The assessor of a migrated entry: the old list did not say who assessed it."""

STATUS_OF = {
    FollowUpState.NOT_STARTED: Implementation.OPEN,
    FollowUpState.IN_PROGRESS: Implementation.IN_PROGRESS,
    FollowUpState.IMPLEMENTED: Implementation.IMPLEMENTED,
    FollowUpState.REJECTED: Implementation.NOT_IMPLEMENTED,
}
"""How each old state reads in the tracker; a rejection is also recorded as 'not accepted'."""


@dataclass(frozen=True)
class Migrated:
    """What the migration changed: per file, the recommendations migrated and the entries moved."""

    files: tuple[tuple[str, tuple[str, ...], int], ...]
    findings: tuple[Finding, ...]

    @property
    def entries(self) -> int:
        return sum(count for _, _, count in self.files)


def assessment(old: CommentedMap) -> CommentedMap:
    """One old follow-up entry as a tracker history entry: same date, note and source; state mapped."""
    state = FollowUpState(old["state"])
    entry = CommentedMap()
    entry["date"] = old["date"]
    if state is FollowUpState.REJECTED:
        entry["acceptance"] = Acceptance.NOT_ACCEPTED.value
    entry["status"] = STATUS_OF[state].value
    entry["note"] = old["note"]
    if old.get("source"):
        entry["source"] = old["source"]
    else:
        entry["document"] = "not recorded (the follow-up entry gave no source)"
    entry["assessor"] = NOT_RECORDED
    return entry


def _migrate_item(item: CommentedMap, addressee: str) -> int:
    old = item.pop(LEGACY_KEY)
    history = CommentedSeq(assessment(e) for e in sorted(old, key=lambda e: str(e["date"])))
    tracker = item.get("tracker")
    if tracker is None:
        tracker = item["tracker"] = CommentedSeq()
    match = next((a for a in tracker if a.get("addressee") == addressee), None)
    if match is None:
        match = CommentedMap()
        match["addressee"] = addressee
        match["history"] = CommentedSeq()
        tracker.insert(0, match)
    match["history"] = CommentedSeq(sorted([*match["history"], *history], key=lambda e: str(e["date"])))
    return len(old)


def _legacy_findings(path: str, document) -> list[Finding]:  # noqa: ANN001 - a YamlDocument
    """Findings that stop the migration of a file: old entries it cannot read faithfully."""
    findings = []
    for index, item in enumerate(document.data.get("recommendations") or []):
        entries = item.get(LEGACY_KEY) if isinstance(item, dict) else None
        if entries is None:
            continue
        where = ("recommendations", index, LEGACY_KEY)
        if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
            findings.append(
                finding(
                    path,
                    document.positions.of_value(where),
                    Code.WRONG_TYPE,
                    "'follow_up' should be a list of entries",
                    "fix it first",
                )
            )
            continue
        for number, entry in enumerate(entries):
            missing = [k for k in ("date", "state", "note") if not entry.get(k)]
            state = entry.get("state")
            if missing or state not in tuple(FollowUpState):
                findings.append(
                    finding(
                        path,
                        document.positions.of_value(where + (number,)),
                        Code.INVALID_VALUE,
                        "this follow-up entry cannot be migrated: "
                        + (f"it has no {', '.join(missing)}" if missing else f"'{state}' is not an old state"),
                        f"give it a date, a note and a state among {', '.join(FollowUpState)}",
                    )
                )
    return findings


def migrate_follow_up(root: Path, branding: Branding, schemas: Schemas, dry_run: bool = False) -> Migrated:
    """Move every `follow_up` list under `tracker`, addressed to the file's audience; write all files or none."""
    files, _ = discover(root)
    planned: list[tuple[str, str, tuple[str, ...], int]] = []
    findings: list[Finding] = []
    for content in files:
        if content.kind is not Kind.RECOMMENDATIONS:
            continue
        document, problems = read_yaml(content.file, content.path)
        if document is None or has_errors(problems):
            findings.extend(problems)
            continue
        if not any(isinstance(i, dict) and LEGACY_KEY in i for i in document.data.get("recommendations") or []):
            continue
        problems = _legacy_findings(content.path, document)
        if problems:
            findings.extend(problems)
            continue
        data = yaml_round_trip().load(content.file.read_bytes().decode("utf-8").removeprefix("\ufeff"))
        addressee = str(branding.audience(str(content.audience))["label"])
        ids, moved = [], 0
        for item in data["recommendations"]:
            if LEGACY_KEY in item:
                moved += _migrate_item(item, addressee)
                ids.append(str(item["id"]))
        text, problems = canonical_text(dump(yaml_round_trip(), data), content.path, Kind.RECOMMENDATIONS, schemas)
        if text is None:
            findings.extend(problems)
            continue
        planned.append((content.path, text, tuple(ids), moved))
    if findings:
        return Migrated((), tuple(findings))
    if not dry_run:
        for path, text, _, _ in planned:
            problem = write_safely(root / path, path, text)
            if problem is not None:
                return Migrated((), (problem,))
    return Migrated(tuple((path, ids, moved) for path, _, ids, moved in planned), ())


def migrated_ids(outcome: Migrated) -> Sequence[str]:
    """Every recommendation the migration touched, in file order."""
    return [i for _, ids, _ in outcome.files for i in ids]
