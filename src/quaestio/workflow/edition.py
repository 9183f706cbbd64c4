"""`quaestio edition new YEAR`: start the next edition by moving each revisited topic's session and status
quaestionis into its `earlier_editions`, all files or none. Their translations are copied to the same
place (`earlier_editions/<n>/...`), where they stay current: the English they were made from is kept there."""

from __future__ import annotations

import copy
import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from ruamel.yaml.comments import CommentedMap, CommentedSeq

from quaestio.content.layout import TOPICS_DIR, Kind, discover
from quaestio.content.load import read_yaml
from quaestio.content.rules import PLACEHOLDER
from quaestio.content.schema import SCHEMA_FILES
from quaestio.content.translations import translation_path
from quaestio.content.units import text_paths, units
from quaestio.findings import Finding, did_you_mean, has_errors
from quaestio.vocab import TRANSLATIONS
from quaestio.workflow.fmt import Schemas, canonical_text, dump, write_safely, yaml_round_trip
from quaestio.workflow.scaffold import ScaffoldError
from quaestio.workflow.translate import translation_text

_ARCHIVED_UNITS = ("status_quaestionis", "session/")


@dataclass(frozen=True)
class Started:
    """What `edition new` did: the edition, the topics it opened in it, and what stopped it."""

    edition: int
    topics: tuple[str, ...]
    findings: tuple[Finding, ...]


def _editions(data: dict) -> list[int]:
    earlier = [e.get("edition") for e in data.get("earlier_editions") or [] if isinstance(e, dict)]
    return [y for y in (*earlier, data.get("edition")) if isinstance(y, int)]


def _load_topics(root: Path) -> tuple[dict[str, tuple[str, dict]], list[Finding]]:
    """Every topic file's plain data, by topic id, with its path; findings if one cannot be read."""
    found: dict[str, tuple[str, dict]] = {}
    problems: list[Finding] = []
    files, _ = discover(root)
    for content in files:
        if content.kind is not Kind.TOPIC:
            continue
        document, findings = read_yaml(content.file, content.path)
        if document is None or has_errors(findings):
            problems.extend(findings)
            continue
        found[content.topic] = (content.path, document.data)
    return found, problems


def _choose(topics: dict[str, tuple[str, dict]], named: Sequence[str], current: int) -> list[str]:
    if not named:
        return [t for t, (_, d) in topics.items() if d.get("edition") == current and not d.get("closed")]
    chosen = []
    for topic in named:
        if topic not in topics:
            hint = did_you_mean(topic, topics) or f"the topics are: {', '.join(topics)}"
            raise ScaffoldError(f"there is no topic '{topic}'; {hint}")
        if topics[topic][1].get("closed"):
            raise ScaffoldError(f"the topic '{topic}' is closed; a closed topic has no further edition")
        chosen.append(topic)
    return chosen


def _advance(data: CommentedMap, year: int, number: int) -> None:
    """Archive the topic's current session and status quaestionis, and open its session of `year`."""
    archived = CommentedMap()
    archived["edition"] = data["edition"]
    archived["session"] = copy.deepcopy(data["session"])
    archived["status_quaestionis"] = copy.deepcopy(data["status_quaestionis"])
    if "earlier_editions" not in data:
        data["earlier_editions"] = CommentedSeq()
    data["earlier_editions"].append(archived)
    data["edition"] = year
    session = data["session"]
    session["number"] = number
    session["date"] = dt.date(year, 1, 1)
    session["venue"] = f"{PLACEHOLDER}: where the {year} session took place (and set its date above)"
    data.yaml_set_comment_before_after_key(
        "status_quaestionis",
        before=f"Edition {year}: bring the status quaestionis, the challenges and the session up to date.\n"
        f"The {archived['edition']} text stays on record in earlier_editions below.",
        indent=0,
    )


def _plan(root: Path, year: int, named: Sequence[str]) -> tuple[dict[str, tuple[str, dict]], list[str], list[Finding]]:
    """The topic files, the topics to carry into `year`, and what stops reading them (ScaffoldError: misuse)."""
    topics, problems = _load_topics(root)
    if problems:
        return topics, [], problems
    if not topics:
        raise ScaffoldError(
            f"there is no topic in {TOPICS_DIR}/; create one with 'quaestio new topic --edition {year}'"
        )
    current = max(y for _, d in topics.values() for y in _editions(d))
    if year <= current:
        raise ScaffoldError(f"edition {year} is not after the current edition {current}; choose {current + 1} or later")
    chosen = _choose(topics, named, current)
    if not chosen:
        raise ScaffoldError(f"no open topic of edition {current} to carry into {year}; name topics with --topic")
    return topics, chosen, []


def _carried_translations(root: Path, path: str, data: CommentedMap, schemas: Schemas) -> list[tuple[str, str]]:
    """Each translation of a topic file with the texts just archived copied to their earlier_editions keys."""
    index = len(data["earlier_editions"]) - 1
    order = [u.key for u in units(data, text_paths(schemas[SCHEMA_FILES[Kind.TOPIC]]))]
    planned = []
    for language in TRANSLATIONS:
        target = translation_path(language.value, path)
        if not (root / target).is_file():
            continue
        existing = (root / target).read_bytes().decode("utf-8").removeprefix("\ufeff")
        document, problems = read_yaml(root / target, target)
        if document is None or has_errors(problems) or not isinstance(document.data.get("units"), dict):
            continue  # validate reports the broken translation file; the edition does not depend on it
        changes = {
            f"earlier_editions/{index}/{key}": (str(unit["text"]), str(unit["source_hash"]))
            for key, unit in document.data["units"].items()
            if key.startswith(_ARCHIVED_UNITS) and isinstance(unit, dict) and "text" in unit and "source_hash" in unit
        }
        if changes:
            planned.append((target, translation_text(existing, language, order, changes, target)))
    return planned


def start_edition(root: Path, year: int, named: Sequence[str], schemas: Schemas, dry_run: bool = False) -> Started:
    """Open edition `year` for the named topics (default: every open topic of the current edition)."""
    topics, chosen, findings = _plan(root, year, named)
    if findings:
        return Started(year, (), tuple(findings))
    planned: list[tuple[str, str]] = []
    for number, topic in enumerate(chosen, start=1):
        path = topics[topic][0]
        data = yaml_round_trip().load((root / path).read_bytes().decode("utf-8").removeprefix("\ufeff"))
        _advance(data, year, number)
        text, problems = canonical_text(dump(yaml_round_trip(), data), path, Kind.TOPIC, schemas)
        if text is None:
            findings.extend(problems)
        else:
            planned.append((path, text))
            planned += _carried_translations(root, path, data, schemas)
    if findings:
        return Started(year, (), tuple(findings))
    if not dry_run:
        for path, text in planned:
            problem = write_safely(root / path, path, text)
            if problem is not None:
                return Started(year, (), (problem,))
    return Started(year, tuple(chosen), ())
