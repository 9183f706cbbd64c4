"""Rules of the yearly cycle a schema cannot express: editions in order and known, and the tracker's histories."""

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


def _year(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _topic_editions(source: Source) -> tuple[int, ...]:
    data = source.document.data
    earlier = [_year(e.get("edition")) for _, e in _mappings(data.get("earlier_editions"))]
    return tuple(e for e in (*earlier, _year(data.get("edition"))) if e is not None)


def check_cycle(sources: Sequence[Source]) -> list[Finding]:
    """Every finding about editions and the tracker, over the whole repository."""
    findings: list[Finding] = []
    topic_editions: dict[str, tuple[int, ...]] = {}
    for source in sources:
        if source.file.kind is Kind.TOPIC:
            topic_editions[source.file.topic] = _topic_editions(source)
            findings.extend(_topic_findings(source))
    every = sorted({e for years in topic_editions.values() for e in years})
    for source, base, item in _recommendations(sources):
        years = topic_editions.get(source.file.topic)
        if years:
            findings.extend(_edition_findings(source, base, item, years, every))
        findings.extend(_tracker_findings(source, base, item))
    return findings


def _order(source: Source, path: JsonPath, message: str, hint: str) -> Finding:
    return finding(source.file.path, source.at(path), Code.EDITION_ORDER, message, hint)


def _unknown(source: Source, path: JsonPath, message: str, known: Sequence[int]) -> Finding:
    return finding(
        source.file.path, source.at(path), Code.UNKNOWN_EDITION, message, f"use one of {', '.join(map(str, known))}"
    )


def _topic_findings(source: Source) -> list[Finding]:
    data = source.document.data
    findings: list[Finding] = []
    edition = _year(data.get("edition"))
    previous: int | None = None
    for index, earlier in _mappings(data.get("earlier_editions")):
        year = _year(earlier.get("edition"))
        if year is None:
            continue
        path = ("earlier_editions", index, "edition")
        if (previous is not None and year <= previous) or (edition is not None and year >= edition):
            findings.append(
                _order(
                    source,
                    path,
                    f"the earlier edition {year} is not between the one above it and the current edition {edition}",
                    "list earlier editions oldest first, each before the topic's 'edition'",
                )
            )
        previous = year
    closed = data.get("closed")
    year = _year(closed.get("edition")) if isinstance(closed, dict) else None
    if year is not None and edition is not None and year < edition:
        findings.append(
            _order(
                source,
                ("closed", "edition"),
                f"the topic is closed in {year}, before its last session in {edition}",
                f"close it in {edition} or later",
            )
        )
    known = _topic_editions(source)
    for index, challenge in _mappings(data.get("challenges")):
        year = _year(challenge.get("edition"))
        if year is not None and year not in known:
            path = ("challenges", index, "edition")
            message = f"the challenge is dated {year}, but the topic had no session that year"
            findings.append(_unknown(source, path, message, known))
    return findings


def _edition_findings(
    source: Source, base: JsonPath, item: dict, years: tuple[int, ...], every: Sequence[int]
) -> list[Finding]:
    findings: list[Finding] = []
    made = _year(item.get("edition"))
    if made is not None and made not in years:
        message = f"the recommendation is dated {made}, but its topic had no session that year"
        findings.append(_unknown(source, base + ("edition",), message, years))
    made = made if made in years else years[0]
    previous = made
    for index, revision in _mappings(item.get("revisions")):
        year = _year(revision.get("edition"))
        path = base + ("revisions", index, "edition")
        if year is None:
            continue
        if year not in years:
            message = f"it is revised in {year}, but its topic had no session that year"
            findings.append(_unknown(source, path, message, years))
        elif year <= previous:
            findings.append(
                _order(
                    source,
                    path,
                    f"a revision in {year} does not come after {previous}",
                    f"revisions follow the edition that made it ({made}), oldest first",
                )
            )
        previous = max(previous, year)
    withdrawn = _year(item.get("withdrawn_in"))
    if withdrawn is None:
        return findings
    path = base + ("withdrawn_in",)
    if item.get("status") != "withdrawn":
        findings.append(
            finding(
                source.file.path,
                source.at(path),
                Code.WITHDRAWN_IN,
                f"'withdrawn_in: {withdrawn}' on a recommendation whose status is '{item.get('status')}'",
                "set 'status: withdrawn' with a 'withdrawal_reason', or remove 'withdrawn_in'",
            )
        )
    elif withdrawn not in every:
        message = f"it is withdrawn in {withdrawn}, but no topic had a session that year"
        findings.append(_unknown(source, path, message, every))
    elif withdrawn < previous:
        findings.append(
            _order(
                source,
                path,
                f"it is withdrawn in {withdrawn}, before it was made or last revised ({previous})",
                f"withdraw it in {previous} or later",
            )
        )
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
