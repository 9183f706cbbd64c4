"""`quaestio followup migrate`: old `follow_up` lists become tracker histories, entry for entry, all files or none.

Each recommendation's old entries go to one addressee named after the file's audience, oldest first, with
their date, note and source; the old state becomes an implementation status. Translations of the notes
(translations/<language>/…) follow them to their new keys, so that no translated note is lost either.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ruamel.yaml.comments import CommentedMap, CommentedSeq

from quaestio.content.layout import ContentFile, Kind, discover
from quaestio.content.load import YamlDocument, read_yaml
from quaestio.content.units import TRANSLATIONS_DIR
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


@dataclass
class _Plan:
    """The new texts of the files to write, what moved, and where each translated note's key goes."""

    texts: dict[str, str] = field(default_factory=dict)
    moved: list[tuple[str, tuple[str, ...], int]] = field(default_factory=list)
    keys: dict[str, dict[str, str]] = field(default_factory=dict)  # content path -> old key -> new key


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


def _migrate_item(item: CommentedMap, addressee: str) -> tuple[int, dict[str, str]]:
    """Move one recommendation's old entries; returns how many, and the old to new translation key suffixes."""
    old = item.pop(LEGACY_KEY)
    tracker = item.get("tracker")
    if tracker is None:
        tracker = item["tracker"] = CommentedSeq()
    index = next((i for i, a in enumerate(tracker) if a.get("addressee") == addressee), None)
    if index is None:  # appended, so that the other addressees keep their places (and translation keys)
        index = len(tracker)
        tracker.append(CommentedMap([("addressee", addressee), ("history", CommentedSeq())]))
    kept = [(f"tracker/{index}/history/{i}", e) for i, e in enumerate(tracker[index]["history"])]
    added = [(f"follow_up/{i}", assessment(e)) for i, e in enumerate(old)]
    merged = sorted([*kept, *added], key=lambda pair: str(pair[1]["date"]))  # stable: same-day order kept
    tracker[index]["history"] = CommentedSeq(entry for _, entry in merged)
    keys = {f"{before}/note": f"tracker/{index}/history/{after}/note" for after, (before, _) in enumerate(merged)}
    return len(old), {k: v for k, v in keys.items() if k != v}


def _legacy_findings(path: str, document: YamlDocument) -> list[Finding]:
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
                        document.positions.of_value((*where, number)),
                        Code.INVALID_VALUE,
                        "this follow-up entry cannot be migrated: "
                        + (f"it has no {', '.join(missing)}" if missing else f"'{state}' is not an old state"),
                        f"give it a date, a note and a state among {', '.join(FollowUpState)}",
                    )
                )
    return findings


def _has_legacy(document: YamlDocument) -> bool:
    return any(isinstance(i, dict) and LEGACY_KEY in i for i in document.data.get("recommendations") or [])


def _plan_file(content: ContentFile, branding: Branding, schemas: Schemas, plan: _Plan) -> list[Finding]:
    """Add one recommendations file's migration to the plan, or return why it cannot be migrated."""
    document, problems = read_yaml(content.file, content.path)
    if document is None or has_errors(problems):
        return problems
    if not _has_legacy(document):
        return []
    problems = _legacy_findings(content.path, document)
    if problems:
        return problems
    data = yaml_round_trip().load(content.file.read_bytes().decode("utf-8").removeprefix("\ufeff"))
    addressee = str(branding.audience(str(content.audience))["label"])
    ids, moved, keys = [], 0, {}
    for item in data["recommendations"]:
        if LEGACY_KEY in item:
            count, suffixes = _migrate_item(item, addressee)
            moved += count
            ids.append(str(item["id"]))
            prefix = f"recommendations/{item['id']}"
            keys.update({f"{prefix}/{a}": f"{prefix}/{b}" for a, b in suffixes.items()})
    text, problems = canonical_text(dump(yaml_round_trip(), data), content.path, Kind.RECOMMENDATIONS, schemas)
    if text is None:
        return problems
    plan.texts[content.path] = text
    plan.moved.append((content.path, tuple(ids), moved))
    plan.keys[content.path] = keys
    return []


def _plan_translations(root: Path, plan: _Plan) -> None:
    """Rename the migrated notes' keys in every translation of the migrated files."""
    folder = root / TRANSLATIONS_DIR
    if not folder.is_dir():
        return
    for language in sorted(p for p in folder.iterdir() if p.is_dir()):
        for path, keys in plan.keys.items():
            file = language / path
            if not keys or not file.is_file():
                continue
            yaml = yaml_round_trip()
            data = yaml.load(file.read_text(encoding="utf-8"))
            units = data.get("units") if isinstance(data, CommentedMap) else None
            if not isinstance(units, CommentedMap) or not any(k in units for k in keys):
                continue
            data["units"] = CommentedMap((keys.get(k, k), v) for k, v in units.items())
            plan.texts[file.relative_to(root).as_posix()] = dump(yaml, data)


def migrate_follow_up(root: Path, branding: Branding, schemas: Schemas, dry_run: bool = False) -> Migrated:
    """Move every `follow_up` list under `tracker`, addressed to the file's audience; write all files or none."""
    files, _ = discover(root)
    plan = _Plan()
    findings: list[Finding] = []
    for content in files:
        if content.kind is Kind.RECOMMENDATIONS:
            findings += _plan_file(content, branding, schemas, plan)
    if findings:
        return Migrated((), tuple(findings))
    _plan_translations(root, plan)
    if not dry_run:
        for path, text in plan.texts.items():
            problem = write_safely(root / path, path, text)
            if problem is not None:
                return Migrated((), (problem,))
    return Migrated(tuple(plan.moved), ())
