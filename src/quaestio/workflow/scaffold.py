"""Scaffold new content: a topic file, or a recommendation with the next never-used ID, ready to fill in."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from ruamel.yaml.comments import CommentedMap, CommentedSeq

from quaestio.content.layout import CONTENT_PATHS, RECOMMENDATIONS_DIR, SUFFIX, TOPICS_DIR, Kind
from quaestio.content.load import read_yaml
from quaestio.content.rules import PLACEHOLDER
from quaestio.findings import Code, Finding, did_you_mean, finding, has_errors
from quaestio.git import history_text, is_checkout
from quaestio.vocab import Audience
from quaestio.workflow.fmt import Schemas, canonical_text, dump, write_safely, yaml_round_trip

MAX_NUMBER = 999
_TOPIC_ID = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$")
_TOPIC_CODE = re.compile(r"^[A-Z]{2,4}$")
_COMMENT_COLUMN = 24


class ScaffoldError(Exception):
    """The command cannot be carried out as asked (the message says why and what to do)."""


@dataclass(frozen=True)
class Scaffolded:
    """What a scaffolding command wrote, or the findings that stopped it."""

    path: str
    ids: tuple[str, ...]
    findings: tuple[Finding, ...]
    history_checked: bool


# -- IDs that were ever used ---------------------------------------------------------------------


def _working_tree_texts(root: Path) -> Iterable[str]:
    for folder in (TOPICS_DIR, RECOMMENDATIONS_DIR):
        if (root / folder).is_dir():
            for file in sorted((root / folder).rglob("*")):
                if file.is_file() and file.suffix in (".yaml", ".yml"):
                    yield file.read_bytes().decode("utf-8", errors="replace")


def used_numbers(root: Path, prefix: str) -> tuple[set[int], bool]:
    """The numbers ever used after an ID prefix such as 'GOV-BUS-': in any content file now, or in any
    commit of any branch when root is a git checkout; and whether the history could be read."""
    pattern = re.compile(rf"(?<![A-Z0-9-]){re.escape(prefix)}([0-9]{{2,3}})(?![0-9])")
    texts = list(_working_tree_texts(root))
    history = history_text(root, prefix, CONTENT_PATHS)
    if history is not None:
        texts.append(history)
    return {int(n) for text in texts for n in pattern.findall(text)}, history is not None


def next_ids(root: Path, prefix: str, count: int = 1) -> tuple[list[str], bool]:
    """The next count IDs after every number ever used with prefix, and whether git history was read."""
    used, history = used_numbers(root, prefix)
    first = max(used, default=0) + 1
    if first + count - 1 > MAX_NUMBER:
        raise ScaffoldError(f"no free IDs are left after {prefix}{max(used):02d}")
    return [f"{prefix}{n:02d}" for n in range(first, first + count)], history


# -- reading the topic ---------------------------------------------------------------------------


@dataclass(frozen=True)
class TopicFacts:
    """What scaffolding needs to know about an existing topic."""

    id: str
    code: str
    challenges: tuple[str, ...]
    references: tuple[str, ...]
    edition: int | None = None
    first_edition: int | None = None


def topic_facts(root: Path, topic: str) -> TopicFacts:
    """The code, challenge and reference IDs of topics/<topic>.yaml, or ScaffoldError."""
    file = root / TOPICS_DIR / f"{topic}{SUFFIX}"
    if not file.is_file():
        known = sorted(p.stem for p in (root / TOPICS_DIR).glob(f"*{SUFFIX}")) if (root / TOPICS_DIR).is_dir() else []
        listed = f"the topics are: {', '.join(known)}" if known else "create the topic first"
        hint = did_you_mean(topic, known) or listed
        raise ScaffoldError(f"there is no topic '{topic}' (no file {TOPICS_DIR}/{topic}{SUFFIX}); {hint}")
    document, problems = read_yaml(file, f"{TOPICS_DIR}/{topic}{SUFFIX}")
    code = document.data.get("code") if document is not None else None
    if document is None or has_errors(problems) or not isinstance(code, str) or not _TOPIC_CODE.match(code):
        raise ScaffoldError(
            f"{TOPICS_DIR}/{topic}{SUFFIX} has no valid topic code; run 'python build.py validate' and fix it first"
        )

    def ids(entries: object) -> tuple[str, ...]:
        entries = entries if isinstance(entries, list) else []
        return tuple(e["id"] for e in entries if isinstance(e, dict) and isinstance(e.get("id"), str))

    edition = document.data.get("edition")
    earlier = [e.get("edition") for e in document.data.get("earlier_editions") or [] if isinstance(e, dict)]
    years = [y for y in (*earlier, edition) if isinstance(y, int)]
    return TopicFacts(
        topic,
        code,
        ids(document.data.get("challenges")),
        ids(document.data.get("references")),
        edition if isinstance(edition, int) else None,
        min(years) if years else None,
    )


# -- writing -------------------------------------------------------------------------------------


def _comment(mapping: CommentedMap, key: str, text: str, column: int) -> None:
    mapping.yaml_add_eol_comment(text, key, column=column)


def _above(mapping: CommentedMap, key: str, text: str, indent: int) -> None:
    mapping.yaml_set_comment_before_after_key(key, before=text, indent=indent)


def _flow(items: Sequence[str] = ()) -> CommentedSeq:
    seq = CommentedSeq(items)
    seq.fa.set_flow_style()
    return seq


def recommendation_entry(
    new_id: str, facts: TopicFacts, title: str | None, fields: dict | None = None, comments: bool = True
) -> CommentedMap:
    """One new recommendation as round-trip data: given fields, else placeholders, with explaining comments."""
    given = fields or {}
    entry = CommentedMap()
    entry["id"] = new_id
    entry["title"] = title or given.get("title") or PLACEHOLDER
    entry["text"] = given.get("text") or PLACEHOLDER
    entry["rationale"] = given.get("rationale") or PLACEHOLDER
    entry["priority"] = given.get("priority") or "medium"
    entry["horizon"] = given.get("horizon") or "medium"
    entry["status"] = "draft"
    if facts.edition is not None and facts.edition != facts.first_edition:
        entry["edition"] = facts.edition  # made in a later edition of its topic than the first
    entry["addresses"] = _flow(given.get("addresses", ()))
    entry["references"] = _flow(given.get("references", ()))
    if not comments:
        return entry
    column = 4 + _COMMENT_COLUMN
    _comment(entry, "id", "permanent: never change it, never reuse it", column)
    if entry["title"] == PLACEHOLDER:
        _above(
            entry,
            "title",
            "The recommendation in one imperative line, for example\n"
            "'Put cyber risk on the board agenda at least twice a year'.",
            4,
        )
    _above(
        entry,
        "text",
        "What exactly should be done, and by whom (Markdown). For several paragraphs write\n"
        "'text: |' and the paragraphs below it, indented by two more spaces.",
        4,
    )
    _above(entry, "rationale", "Why it matters, tied to the challenges it addresses and to the sources.", 4)
    _comment(entry, "priority", "how urgent: high, medium or low", column)
    _comment(entry, "horizon", "within which term: short, medium or long", column)
    _comment(entry, "status", "draft, proposed, adopted (by the working group) or withdrawn", column)
    if "edition" in entry:
        _comment(entry, "edition", "the edition that makes it: the topic's current one", column)
    challenges = ", ".join(facts.challenges) or f"none yet in topics/{facts.id}.yaml"
    _comment(entry, "addresses", f"the challenges it responds to: {challenges}", column)
    _comment(entry, "references", f"the sources that support it, by ID, from topics/{facts.id}.yaml", column)
    return entry


def recommendations_path(topic: str, audience: str) -> str:
    return f"{RECOMMENDATIONS_DIR}/{topic}/{audience}{SUFFIX}"


def load_recommendations(root: Path, topic: str, audience: str) -> tuple[CommentedMap | None, list[Finding]]:
    """The round-trip data of recommendations/<topic>/<audience>.yaml (a fresh one if the file does not exist),
    or None and findings when the file cannot be safely rewritten."""
    path = recommendations_path(topic, audience)
    file = root / path
    if not file.exists():
        data = CommentedMap()
        data["topic"] = topic
        data["audience"] = audience
        data["recommendations"] = CommentedSeq()
        return data, []
    document, problems = read_yaml(file, path)
    if document is None or has_errors(problems):
        return None, problems
    if not isinstance(document.data.get("recommendations"), list):
        return None, [
            finding(
                path,
                document.positions.of_key(("recommendations",)),
                Code.WRONG_TYPE,
                "'recommendations' should be a list of recommendations",
                "fix the file first: run 'python build.py validate'",
            )
        ]
    data = yaml_round_trip().load(file.read_bytes().decode("utf-8").removeprefix("\ufeff"))
    data["recommendations"].fa.set_block_style()  # 'recommendations: []' grows into a list of blocks
    return data, []


def write_canonical(
    root: Path, path: str, kind: Kind, data: CommentedMap, schemas: Schemas, dry_run: bool = False
) -> tuple[str | None, list[Finding]]:
    """Format round-trip data canonically and write it atomically (unless dry_run); returns the text."""
    text, findings = canonical_text(dump(yaml_round_trip(), data), path, kind, schemas)
    if text is not None and not dry_run:
        problem = write_safely(root / path, path, text)
        if problem is not None:
            return None, [problem]
    return text, findings


def new_recommendation(root: Path, topic: str, audience: str, title: str | None, schemas: Schemas) -> Scaffolded:
    """Append a recommendation with the next never-used ID to recommendations/<topic>/<audience>.yaml."""
    if audience not in tuple(Audience):
        raise ScaffoldError(f"'{audience}' is not an audience; use one of {', '.join(tuple(Audience))}")
    facts = topic_facts(root, topic)
    path = recommendations_path(topic, audience)
    data, findings = load_recommendations(root, topic, audience)
    if data is None:
        return Scaffolded(path, (), tuple(findings), False)
    (new_id,), history = next_ids(root, f"{facts.code}-{Audience(audience).code}-")
    data["recommendations"].append(recommendation_entry(new_id, facts, title))
    text, findings = write_canonical(root, path, Kind.RECOMMENDATIONS, data, schemas)
    return Scaffolded(path, (new_id,) if text is not None else (), tuple(findings), history)


def _taken_topic(root: Path, topic: str, code: str) -> str:
    """Why a topic id or code cannot be used, or '' when both are new."""
    if (root / TOPICS_DIR / f"{topic}{SUFFIX}").exists() or (root / RECOMMENDATIONS_DIR / topic).exists():
        return f"the topic '{topic}' already exists"
    code_use = re.compile(rf"(?m)^[+\- ]?code:\s*['\"]?{code}['\"]?\s*$|(?<![A-Z0-9-]){code}-(C[0-9]|ACA-|BUS-|PUB-)")
    for text in _working_tree_texts(root):
        if code_use.search(text):
            return f"the topic code '{code}' is already used"
    history = history_text(root, code, CONTENT_PATHS) or ""
    if code_use.search(history):
        return f"the topic code '{code}' was used before (see 'git log --all -G {code}'); codes are never reused"
    topic_file = re.compile(rf"(?m)^[+\-]id:\s*{re.escape(topic)}\s*$")
    if topic_file.search(history_text(root, topic, CONTENT_PATHS) or ""):
        return f"the topic id '{topic}' was used before; choose another"
    return ""


def _next_session(root: Path, edition: int) -> int:
    numbers = [0]
    for file in sorted((root / TOPICS_DIR).glob(f"*{SUFFIX}")) if (root / TOPICS_DIR).is_dir() else []:
        document, _ = read_yaml(file, file.name)
        if document is None or document.data.get("edition") != edition:
            continue
        session = document.data.get("session")
        if isinstance(session, dict) and isinstance(session.get("number"), int):
            numbers.append(session["number"])
    return max(numbers) + 1


def topic_data(topic: str, code: str, title: str | None, date: dt.date, edition: int, session: int) -> CommentedMap:
    """A new topic as round-trip data, with a placeholder where a person must write and a comment on each field."""
    column = _COMMENT_COLUMN
    data = CommentedMap()
    data["id"] = topic
    data["code"] = code
    data["title"] = title or PLACEHOLDER
    data["summary"] = PLACEHOLDER
    data["edition"] = edition
    meeting = CommentedMap()
    meeting["number"] = session
    meeting["date"] = date  # a date object, which ruamel.yaml writes without quotes
    meeting["venue"] = PLACEHOLDER
    chair = CommentedMap()
    chair["name"] = PLACEHOLDER
    chair["affiliation"] = PLACEHOLDER
    meeting["chairs"] = CommentedSeq([chair])
    meeting["organisations"] = CommentedSeq([PLACEHOLDER])
    data["session"] = meeting
    data["status_quaestionis"] = PLACEHOLDER
    challenge = CommentedMap()
    challenge["id"] = f"{code}-C1"
    challenge["title"] = PLACEHOLDER
    challenge["description"] = PLACEHOLDER
    data["challenges"] = CommentedSeq([challenge])
    data["references"] = _flow()
    data["glossary"] = _flow()

    _comment(data, "id", "the topic's short name: the file name, and its folder in recommendations/", column)
    _comment(data, "code", "2 to 4 capitals that start every challenge and recommendation ID; never reused", column)
    if data["title"] == PLACEHOLDER:
        _comment(data, "title", "the title printed on the reports and the website", column)
    _comment(data, "summary", "one to three plain sentences saying what the topic covers", column)
    _comment(data, "edition", "the year of the report's edition", column)
    _comment(data, "session", "the working session that produced the report", column)
    _comment(meeting, "number", "the session's place in the year's series, from 1", column)
    _comment(meeting, "date", "the day of the session, YYYY-MM-DD", column)
    _comment(meeting, "venue", "where the session took place", column)
    _comment(meeting, "chairs", "who chaired the session: one entry per chair", column)
    _comment(chair, "name", "the chair's name or role", column)
    _comment(chair, "affiliation", "the organisation or sector the chair represents (optional)", column)
    _comment(meeting, "organisations", "the organisations, or kinds of organisations, that took part", column)
    _above(
        data,
        "status_quaestionis",
        "The state of the question, in Markdown: what is known, what exists, what is\n"
        "missing. Write 'status_quaestionis: |' and the text below it, indented.",
        0,
    )
    _comment(data, "challenges", "the main challenges, which recommendations address", column)
    _comment(challenge, "id", f"{code}-C1, {code}-C2 and so on", column)
    _comment(challenge, "title", "the challenge in one line", column)
    _comment(challenge, "description", "what the challenge is and why it matters", column)
    _above(
        data,
        "references",
        "The public sources the topic cites, each with id, title, author, year, url and kind\n"
        "(legislation, standard, report, article or website). See schemas/topic.schema.json.",
        0,
    )
    _above(data, "glossary", "Abbreviations used in the topic, each with term and expansion.", 0)
    return data


def new_topic(
    root: Path, topic: str, code: str, title: str | None, date: dt.date | None, edition: int | None, schemas: Schemas
) -> Scaffolded:
    """Create topics/<topic>.yaml with a topic code never used before."""
    if not _TOPIC_ID.match(topic):
        raise ScaffoldError(
            f"'{topic}' is not a valid topic id: use lower-case words joined by hyphens, such as 'cloud-security'"
        )
    if not _TOPIC_CODE.match(code):
        raise ScaffoldError(f"'{code}' is not a valid topic code: use 2 to 4 capital letters, such as 'CLD'")
    taken = _taken_topic(root, topic, code)
    if taken:
        raise ScaffoldError(taken)
    day = date or dt.date.today()
    year = edition or day.year
    data = topic_data(topic, code, title, day, year, _next_session(root, year))
    path = f"{TOPICS_DIR}/{topic}{SUFFIX}"
    text, findings = write_canonical(root, path, Kind.TOPIC, data, schemas)
    return Scaffolded(path, (topic,) if text is not None else (), tuple(findings), is_checkout(root))
