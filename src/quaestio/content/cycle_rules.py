"""Rules of the yearly cycle a schema cannot express: the implementation tracker's histories."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from quaestio.content.layout import Kind
from quaestio.content.load import JsonPath, Source
from quaestio.findings import Code, Finding, finding


def _mappings(items: object) -> Iterator[tuple[int, dict]]:
    if isinstance(items, list):
        for index, item in enumerate(items):
            if isinstance(item, dict):
                yield index, item


def _recommendations(sources: Sequence[Source]) -> Iterator[tuple[Source, JsonPath, dict]]:
    for source in sources:
        if source.file.kind is Kind.RECOMMENDATIONS:
            for index, item in _mappings(source.document.data.get("recommendations")):
                yield source, ("recommendations", index), item


def check_cycle(sources: Sequence[Source]) -> list[Finding]:
    """Every finding about the tracker, over the whole repository."""
    findings: list[Finding] = []
    for source, base, item in _recommendations(sources):
        findings.extend(_tracker_findings(source, base, item))
    return findings


def _tracker_findings(source: Source, base: JsonPath, item: dict) -> list[Finding]:
    findings: list[Finding] = []
    own_id = item.get("id", "this recommendation")
    if "follow_up" in item:
        findings.append(
            finding(
                source.file.path,
                source.document.positions.of_key(base + ("follow_up",)),
                Code.LEGACY_FOLLOW_UP,
                f"{own_id} keeps its follow-up in the old 'follow_up' list",
                "run 'quaestio followup migrate', which moves every entry into 'tracker'",
            )
        )
    names: dict[str, JsonPath] = {}
    for index, addressee in _mappings(item.get("tracker")):
        path = base + ("tracker", index)
        name = addressee.get("addressee")
        if isinstance(name, str):
            key = " ".join(name.split()).casefold()
            if key in names:
                line, column = source.at(names[key])
                findings.append(
                    finding(
                        source.file.path,
                        source.at(path + ("addressee",)),
                        Code.DUPLICATE_ADDRESSEE,
                        f"'{name}' is already an addressee of {own_id} (line {line}, column {column})",
                        "keep one entry per addressee and put every assessment in its history",
                    )
                )
            else:
                names[key] = path + ("addressee",)
        findings.extend(_history_findings(source, path, addressee.get("history")))
    return findings


def _history_findings(source: Source, path: JsonPath, history: object) -> list[Finding]:
    findings: list[Finding] = []
    previous_date: str | None = None
    target: str | None = None
    for index, entry in _mappings(history):
        where = path + ("history", index)
        date = entry.get("date")
        if isinstance(date, str):
            if previous_date is not None and date < previous_date:
                findings.append(
                    finding(
                        source.file.path,
                        source.at(where + ("date",)),
                        Code.HISTORY_ORDER,
                        f"the entry of {date} comes after an entry of {previous_date}",
                        "keep each addressee's history oldest first: move this entry up",
                    )
                )
            previous_date = max(previous_date or date, date)
        if "source" not in entry and "document" not in entry:
            findings.append(
                finding(
                    source.file.path,
                    source.at(where),
                    Code.MISSING_EVIDENCE,
                    "the entry gives no evidence",
                    "add 'source:' with the address of a public page, or 'document:' naming the letter, "
                    "minutes or reply it rests on",
                )
            )
        findings.extend(_target_findings(source, where, entry, target))
        new_target = entry.get("target")
        if isinstance(new_target, str):
            target = new_target
    return findings


def _target_findings(source: Source, where: JsonPath, entry: dict, target: str | None) -> list[Finding]:
    new_target = entry.get("target")
    if "target_reason" in entry and not isinstance(new_target, str):
        return [
            finding(
                source.file.path,
                source.at(where + ("target_reason",)),
                Code.TARGET_REASON,
                "'target_reason' explains a moved target date, but this entry sets none",
                "add the new 'target:' date, or remove 'target_reason'",
            )
        ]
    if isinstance(new_target, str) and target is not None and new_target != target and "target_reason" not in entry:
        return [
            finding(
                source.file.path,
                source.at(where + ("target",)),
                Code.TARGET_REASON,
                f"the target date moves from {target} to {new_target} without a reason",
                "add 'target_reason:' saying why the date moved",
            )
        ]
    return []
