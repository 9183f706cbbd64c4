"""Semantic diff of the recommendations between two git revisions, as Markdown or JSON."""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from quaestio.content.layout import CONTENT_PATHS, RECOMMENDATIONS_DIR, SUFFIX, TOPICS_DIR, discover
from quaestio.content.load import parse_yaml
from quaestio.content.words import word_diff
from quaestio.findings import Code, Finding, Severity, finding, ordered
from quaestio.git import content_at, history_text, resolve
from quaestio.vocab import Audience

TEXT_FIELDS = ("title", "text", "rationale", "withdrawal_reason")
LIST_FIELDS = ("addresses", "references", "related")
AUDIENCE_NAMES = {"academic": "academic world", "business": "business sector", "public": "public authorities"}
REUSE_SIMILARITY = 0.4  # below this for both title and text, an ID is taken to name something else
CONTEXT_WORDS = 8
_ID_PREFIX = re.compile(r"^([A-Z]{2,4}-(?:ACA|BUS|PUB)-)[0-9]{2,3}$")


@dataclass(frozen=True)
class Item:
    """One recommendation as written at one revision."""

    id: str
    topic: str
    audience: str
    data: dict
    file: str
    position: tuple[int, int]

    @property
    def title(self) -> str:
        return _english(self.data.get("title"))


@dataclass(frozen=True)
class Snapshot:
    """The recommendations and topic titles at one revision, and what could not be read."""

    revision: str
    commit: str
    items: dict[str, Item]
    topic_titles: dict[str, str]
    findings: tuple[Finding, ...]
    unreadable: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Change:
    """One changed field: old and new value, and for texts the word-level differences."""

    field: str
    old: object
    new: object
    words: tuple[tuple[str, str], ...] = ()

    def as_dict(self) -> dict[str, object]:
        result: dict[str, object] = {"field": self.field, "old": self.old, "new": self.new}
        if isinstance(self.old, list) or isinstance(self.new, list):
            old = self.old if isinstance(self.old, list) else []
            new = self.new if isinstance(self.new, list) else []
            result["added"] = [x for x in new if x not in old]
            result["removed"] = [x for x in old if x not in new]
        if self.words:
            result["words"] = [list(pair) for pair in self.words]
        return result


@dataclass(frozen=True)
class Entry:
    """A recommendation that was added, withdrawn or changed, with its changes."""

    id: str
    title: str
    status: str
    priority: str
    file: str
    changes: tuple[Change, ...] = ()

    def as_dict(self) -> dict[str, object]:
        return {
            "id": self.id,
            "title": self.title,
            "status": self.status,
            "priority": self.priority,
            "file": self.file,
            "changes": [c.as_dict() for c in self.changes],
        }


@dataclass
class Group:
    """The differences within one topic and audience."""

    topic: str
    audience: str
    topic_title: str
    added: list[Entry] = field(default_factory=list)
    withdrawn: list[Entry] = field(default_factory=list)
    changed: list[Entry] = field(default_factory=list)


@dataclass(frozen=True)
class Report:
    """The semantic diff between two revisions."""

    base: Snapshot
    head: Snapshot
    groups: tuple[Group, ...]
    findings: tuple[Finding, ...]


# -- reading a revision --------------------------------------------------------------------------


def _english(value: object) -> str:
    if isinstance(value, dict):
        value = value.get("en", "")
    return value if isinstance(value, str) else ""


def _place(path: str) -> tuple[str, str | None] | None:
    """(topic, audience) for a recommendations file, (topic, None) for a topic file, else None."""
    parts = path.split("/")
    if len(parts) == 2 and parts[0] == TOPICS_DIR and parts[1].endswith(SUFFIX):
        return parts[1][: -len(SUFFIX)], None
    if (
        len(parts) == 3
        and parts[0] == RECOMMENDATIONS_DIR
        and parts[2].endswith(SUFFIX)
        and parts[2][: -len(SUFFIX)] in tuple(Audience)
    ):
        return parts[1], parts[2][: -len(SUFFIX)]
    return None


WORK_TREE = "the work tree"


def snapshot(root: Path, revision: str | None) -> Snapshot:
    """Read the content of a revision (None: the work tree, with its uncommitted edits) with quaestio's own
    loader; GitError if the revision does not exist."""
    if revision is None:
        files, _ = discover(root)
        contents = {}
        for content_file in files:
            try:
                contents[content_file.path] = content_file.file.read_bytes()
            except OSError:
                continue
        return read_snapshot(WORK_TREE, "", contents)
    commit = resolve(root, revision)
    return read_snapshot(revision, commit, content_at(root, commit, CONTENT_PATHS))


def read_snapshot(revision: str, commit: str, contents: dict[str, bytes]) -> Snapshot:
    """The recommendations and topic titles in a set of content files, and the files that cannot be read."""
    items: dict[str, Item] = {}
    titles: dict[str, str] = {}
    findings: list[Finding] = []
    unreadable: set[str] = set()
    for path, raw in sorted(contents.items()):
        place = _place(path)
        if place is None:
            continue
        try:
            text = raw.removeprefix(b"\xef\xbb\xbf").decode("utf-8")
        except UnicodeDecodeError:
            findings.append(finding(path, (1, 1), Code.NOT_UTF8, f"at {revision} the file is not UTF-8 text"))
            unreadable.add(path)
            continue
        document, problems = parse_yaml(text, path)
        findings.extend(
            finding(p.file, (p.line, p.column), p.code, f"at {revision}: {p.message}", p.hint)
            for p in problems
            if p.severity is Severity.ERROR
        )
        if document is None:
            unreadable.add(path)
            continue
        topic, audience = place
        if audience is None:
            titles[topic] = _english(document.data.get("title")) or topic
            continue
        entries = document.data.get("recommendations")
        for index, entry in enumerate(entries if isinstance(entries, list) else []):
            if isinstance(entry, dict) and isinstance(entry.get("id"), str):
                position = document.positions.of_value(("recommendations", index, "id"))
                items.setdefault(entry["id"], Item(entry["id"], topic, audience, entry, path, position))
    return Snapshot(revision, commit, items, titles, tuple(findings), frozenset(unreadable))


# -- comparing -----------------------------------------------------------------------------------


def _similarity(old: str, new: str) -> float:
    return difflib.SequenceMatcher(None, old.lower().split(), new.lower().split(), autojunk=False).ratio()


def _texts(value: object) -> dict[str, str]:
    if isinstance(value, dict):
        return {k: v for k, v in value.items() if isinstance(v, str)}
    return {"en": value} if isinstance(value, str) else {}


def changes(old: dict, new: dict) -> tuple[Change, ...]:
    """Every field that differs between two versions of a recommendation, in the order of the new one.

    Texts count as changed when their words change: re-wrapping a paragraph is not a change.
    """
    found: list[Change] = []
    for name in dict.fromkeys([*new, *old]):
        before, after = old.get(name), new.get(name)
        if before == after or name == "id":
            continue
        if name in TEXT_FIELDS:
            a, b = _texts(before), _texts(after)
            for language in dict.fromkeys([*b, *a]):
                if (a.get(language) or "").split() != (b.get(language) or "").split():
                    label = name if language == "en" else f"{name} [{language}]"
                    found.append(
                        Change(
                            label,
                            a.get(language),
                            b.get(language),
                            word_diff(a.get(language) or "", b.get(language) or ""),
                        )
                    )
        else:
            found.append(Change(name, before, after))
    return tuple(found)


def _entry(item: Item, found: Sequence[Change] = ()) -> Entry:
    return Entry(
        item.id,
        item.title,
        str(item.data.get("status", "")),
        str(item.data.get("priority", "")),
        item.file,
        tuple(found),
    )


def _reused_in_history(root: Path, base: Snapshot, added: Iterable[Item]) -> list[Finding]:
    """IDs added in head that the history of base already held, and later lost."""
    by_prefix: dict[str, list[Item]] = {}
    for item in added:
        match = _ID_PREFIX.match(item.id)
        if match:
            by_prefix.setdefault(match.group(1), []).append(item)
    findings = []
    for prefix, items in by_prefix.items():
        history = history_text(root, prefix, CONTENT_PATHS, [base.commit]) or ""
        for item in items:
            if re.search(rf"(?<![A-Z0-9-]){re.escape(item.id)}(?![0-9])", history):
                findings.append(
                    finding(
                        item.file,
                        item.position,
                        Code.ID_REUSED,
                        f"{item.id} was used before {base.revision} and removed; "
                        "an ID is never given to another recommendation",
                        "give this recommendation the next free ID (python build.py new recommendation ...)",
                    )
                )
    return findings


def compare(root: Path, base: Snapshot, head: Snapshot) -> Report:
    """The differences between two snapshots, grouped by topic and audience, with the errors among them."""
    groups: dict[tuple[str, str], Group] = {}
    findings: list[Finding] = [*base.findings, *head.findings]

    def group(item: Item) -> Group:
        key = (item.topic, item.audience)
        if key not in groups:
            title = head.topic_titles.get(item.topic) or base.topic_titles.get(item.topic) or item.topic
            groups[key] = Group(item.topic, item.audience, title)
        return groups[key]

    findings.extend(_not_compared(base, head))
    added = [item for key, item in head.items.items() if key not in base.items and item.file not in base.unreadable]
    for item in added:
        group(item).added.append(_entry(item))
    findings.extend(_reused_in_history(root, base, added))

    for key, old in base.items.items():
        new = head.items.get(key)
        if new is None and old.file in head.unreadable:
            continue  # the file cannot be read at head: its recommendations are not missing, only unread
        problem = _identity_problem(key, old, new, base, head)
        if problem is not None:
            findings.append(problem)
        if new is None or (old.topic, old.audience) != (new.topic, new.audience):
            continue  # vanished or moved: nothing to compare word by word
        found = changes(old.data, new.data)
        if not found:
            continue
        if new.data.get("status") == "withdrawn" and old.data.get("status") != "withdrawn":
            group(new).withdrawn.append(_entry(new, found))
        else:
            group(new).changed.append(_entry(new, found))

    topic_order = sorted({t for t, _ in groups})
    ordered_groups = sorted(
        groups.values(), key=lambda g: (topic_order.index(g.topic), tuple(Audience).index(g.audience))
    )
    errors_first = sorted(ordered(findings), key=lambda f: f.severity is Severity.INFO)
    return Report(base, head, tuple(ordered_groups), tuple(errors_first))


def _identity_problem(key: str, old: Item, new: Item | None, base: Snapshot, head: Snapshot) -> Finding | None:
    """Whether an ID vanished, moved to another file, or now names another recommendation."""
    if new is None:
        return finding(
            old.file,
            old.position,
            Code.ID_VANISHED,
            f"{key} ('{old.title}') is in {base.revision} but not in {head.revision}: "
            "it was removed without being withdrawn",
            "put it back with 'status: withdrawn' and a 'withdrawal_reason'; IDs are never deleted",
        )
    if (old.topic, old.audience) != (new.topic, new.audience):
        return finding(
            new.file,
            new.position,
            Code.ID_REUSED,
            f"{key} moved from {old.file} to {new.file}; an ID belongs to one topic and audience",
            "give it a new ID in this file, and restore the old one",
        )
    old_text, new_text = _english(old.data.get("text")), _english(new.data.get("text"))
    if _similarity(old.title, new.title) < REUSE_SIMILARITY and _similarity(old_text, new_text) < REUSE_SIMILARITY:
        return finding(
            new.file,
            new.position,
            Code.ID_REUSED,
            f"{key} now names another recommendation: its title and text were both replaced (it was '{old.title}')",
            "restore the old recommendation (withdrawn if need be) and give the new one the next free ID",
        )
    return None


def _not_compared(base: Snapshot, head: Snapshot) -> list[Finding]:
    """A note for each file that cannot be read at one of the revisions: its recommendations are not compared."""
    return [
        finding(
            path,
            (1, 1),
            Code.CHECKS_SKIPPED,
            f"at {snap.revision} this file cannot be read, so its recommendations were not compared "
            "(none is reported as added or removed)",
            "fix the error reported for this file, then compare again",
        )
        for snap in (base, head)
        for path in sorted(snap.unreadable)
    ]


def semantic_diff(root: Path, base: str, head: str | None = None) -> Report:
    """Compare two revisions of the git repository at root, or a revision with the work tree when head is None
    (as `git diff BASE` does); GitError for a bad revision."""
    return compare(root, snapshot(root, base), snapshot(root, head))


# -- output --------------------------------------------------------------------------------------


def as_json(report: Report) -> str:
    """The report as JSON for tools."""
    document = {
        "base": {"revision": report.base.revision, "commit": report.base.commit},
        "head": {"revision": report.head.revision, "commit": report.head.commit},
        "summary": _counts(report),
        "groups": [
            {
                "topic": g.topic,
                "audience": g.audience,
                "topic_title": g.topic_title,
                "added": [e.as_dict() for e in g.added],
                "withdrawn": [e.as_dict() for e in g.withdrawn],
                "changed": [e.as_dict() for e in g.changed],
            }
            for g in report.groups
        ],
        "errors": [f.as_dict() for f in report.findings if f.severity is not Severity.INFO],
        "notes": [f.as_dict() for f in report.findings if f.severity is Severity.INFO],
    }
    return json.dumps(document, indent=2, ensure_ascii=False, default=str)


def _counts(report: Report) -> dict[str, int]:
    return {
        "added": sum(len(g.added) for g in report.groups),
        "withdrawn": sum(len(g.withdrawn) for g in report.groups),
        "changed": sum(len(g.changed) for g in report.groups),
        "errors": sum(1 for f in report.findings if f.severity is not Severity.INFO),
    }


_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]~|#])")


def _escape(text: object) -> str:
    plain = str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _MARKDOWN_SPECIAL.sub(r"\\\1", " ".join(plain.split()))


def _words_markdown(pairs: Sequence[tuple[str, str]]) -> str:
    """A word diff in Markdown: deletions struck through, insertions underlined, long unchanged runs cut."""
    parts = []
    for index, (op, words) in enumerate(pairs):
        after_deletion = op == "insert" and index > 0 and pairs[index - 1][0] == "delete"
        space = " " if index and (words.startswith(" ") or after_deletion) else ""
        if op == "delete":
            parts.append(f"{space}<del>{_escape(words)}</del>")
        elif op == "insert":
            parts.append(f"{space}<ins>{_escape(words)}</ins>")
        else:
            tokens = words.split()
            first, last = index == 0, index == len(pairs) - 1
            if len(tokens) > (1 if first or last else 2) * CONTEXT_WORDS:
                if first:
                    tokens = ["…", *tokens[-CONTEXT_WORDS:]]
                elif last:
                    tokens = [*tokens[:CONTEXT_WORDS], "…"]
                else:
                    tokens = [*tokens[:CONTEXT_WORDS], "…", *tokens[-CONTEXT_WORDS:]]
            parts.append(f"{space}{_escape(' '.join(tokens))}")
    return "".join(parts)


def _value(value: object) -> str:
    if value is None:
        return "*(none)*"
    if isinstance(value, (dict, list)):
        return f"`{json.dumps(value, ensure_ascii=False, default=str)}`" if len(str(value)) < 80 else "*(see JSON)*"
    return f"`{value}`"


def _change_markdown(change: Change) -> list[str]:
    if change.words:
        return [f"  - {change.field}:", f"    > {_words_markdown(change.words)}"]
    if isinstance(change.old, list) or isinstance(change.new, list):
        old = change.old if isinstance(change.old, list) else []
        new = change.new if isinstance(change.new, list) else []
        if change.field == "tracker":
            entries = (sum(len(a.get("history") or []) for a in x if isinstance(a, dict)) for x in (old, new))
            before, after = entries
            return [
                f"  - tracker: {len(old)} → {len(new)} addressees, {before} → {after} entries"
                + (" (entries edited)" if (len(old), before) == (len(new), after) else "")
            ]
        moves = [
            f"added {', '.join(map(str, (x for x in new if x not in old)))}" if any(x not in old for x in new) else "",
            f"removed {', '.join(map(str, (x for x in old if x not in new)))}"
            if any(x not in new for x in old)
            else "",
        ]
        said = "; ".join(m for m in moves if m) or "reordered"
        return [f"  - {change.field}: {_escape(said)}"]
    if change.new is None:
        return [f"  - {change.field}: {_value(change.old)} removed"]
    return [f"  - {change.field}: {_value(change.old)} → {_value(change.new)}"]


def _entry_markdown(entry: Entry, details: bool) -> list[str]:
    facts = f" *({entry.status}, priority {entry.priority})*" if not details else ""
    lines = [f"- **{entry.id}** {_escape(entry.title)}{facts}"]
    if details:
        for change in entry.changes:
            lines.extend(_change_markdown(change))
    return lines


def as_markdown(report: Report) -> str:
    """The report as Markdown for a pull-request comment or a job summary."""
    counts = _counts(report)
    lines = [f"## Recommendations: `{report.base.revision}` → `{report.head.revision}`", ""]
    lines.append(
        f"{counts['added']} added · {counts['withdrawn']} withdrawn · {counts['changed']} changed"
        + (f" · **{counts['errors']} error{'s' if counts['errors'] != 1 else ''}**" if counts["errors"] else "")
    )
    lines.append("")
    for heading, wanted in (("Errors", False), ("Not compared", True)):
        listed = [f for f in report.findings if (f.severity is Severity.INFO) is wanted]
        if listed:
            lines += [f"### {heading}", ""]
            lines += [
                f"- `{f.file}:{f.line}:{f.column}` **{f.code}**: {_escape(f.message)}"
                + (f" — {_escape(f.hint)}" if f.hint else "")
                for f in listed
            ]
            lines.append("")
    if not report.groups:
        lines += ["No recommendation was added, withdrawn or changed.", ""]
    for g in report.groups:
        lines += [f"### {_escape(g.topic_title)} — {AUDIENCE_NAMES.get(g.audience, g.audience)}", ""]
        for label, entries, details in (
            ("Added", g.added, False),
            ("Withdrawn", g.withdrawn, True),
            ("Changed", g.changed, True),
        ):
            if entries:
                lines += [f"**{label}**", ""]
                for entry in entries:
                    lines.extend(_entry_markdown(entry, details))
                lines.append("")
    return "\n".join(lines)
