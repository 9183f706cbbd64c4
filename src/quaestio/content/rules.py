"""Cross-reference rules a schema cannot express: unique IDs, prefixes, paths and links that resolve.

Each rule is a small function over one `Index` of the repository, so that each can be tested alone;
`check_rules` runs them all. A file that could not be read stays in the index as unreadable: a rule
whose answer depends on such a file's content says nothing rather than guess, and `skipped_checks`
says which checks were left out and why.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote

from quaestio.content.catalogs import CATALOGS_DIR, Catalog
from quaestio.content.characters import CURLY_QUOTES, ODD_SPACES, ZERO_WIDTH, hidden_note, is_blank, name, strip_hidden
from quaestio.content.layout import ContentFile, Kind
from quaestio.content.load import JsonPath, Position, Source
from quaestio.findings import Code, Finding, did_you_mean, finding
from quaestio.vocab import LINK_SCHEMES, MARKDOWN_FIELDS, Audience, Language

_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*):")
_MARKDOWN_LINK = re.compile(r"\]\(\s*<?([^)\s>]*)|<([A-Za-z][A-Za-z0-9+.-]*:[^>\s]*)>")
_EMAIL = re.compile(r"^[^@\s/:]+@[^@\s/]+\.[A-Za-z]{2,}$")
_WEB_ADDRESS = re.compile(
    r"^(www\.|[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.(be|eu|com|org|net|int|gov|edu|io|fr|nl|de|uk)(/|$))"
)
_RECOMMENDATION_ID = re.compile(r"^([A-Z]{2,4})-(ACA|BUS|PUB)-([0-9]{2,3})$")
PLACEHOLDER = "TODO"  # what `new` writes where a person must still write the real text
_PLACEHOLDER = re.compile(r"\s*TODO\b")
ASSETS_DIR = "assets"
_UNSAFE = tuple(
    (re.compile(pattern, re.IGNORECASE), what)
    for pattern, what in (
        (r"<\s*/?\s*[a-z][a-z0-9-]*(\s[^<>]*)?/?>", "a raw HTML tag"),
        (r"\{\s*=\s*[a-z]+\s*\}", "a raw-format marker such as {=typst}"),
        (r"\{[^{}\n]*\btypst:[^{}\n]*\}", "a typst attribute"),
        (
            r"\\(input|include|write18|openin|openout|immediate|catcode|def|newcommand|usepackage|begin)\b",
            "a raw TeX command",
        ),
        (r"\{\{.*?\}\}|\{%.*?%\}", "a template expression"),
    )
)
_UNSAFE_ANY = re.compile("|".join(f"(?:{p.pattern})" for p, _ in _UNSAFE), re.IGNORECASE)


@dataclass(frozen=True)
class Occurrence:
    """One ID (or term) where it is defined: its file, its path in the document, its topic."""

    source: Source
    path: JsonPath
    value: str
    topic: str

    @property
    def file(self) -> str:
        return self.source.file.path

    @property
    def at(self) -> Position:
        return self.source.at(self.path)


@dataclass(frozen=True)
class Record:
    """One recommendation, in its file."""

    source: Source
    index: int
    item: dict

    @property
    def file(self) -> str:
        return self.source.file.path

    @property
    def id(self) -> object:
        return self.item.get("id")

    @property
    def status(self) -> object:
        return self.item.get("status")

    def at(self, *steps: str | int) -> Position:
        return self.source.at(("recommendations", self.index, *steps))


@dataclass(frozen=True)
class Index:
    """Everything the cross-file rules look up, built once from the readable files.

    Each ID maps to every place that defines it, in file order; the first one counts.
    """

    sources: tuple[Source, ...]
    topics: tuple[Source, ...]
    recommendation_files: tuple[Source, ...]
    codes: Mapping[str, str]  # topic id -> its code, from the first topic file that gives one
    challenges: Mapping[str, tuple[Occurrence, ...]]
    references: Mapping[str, Mapping[str, tuple[Occurrence, ...]]]  # topic id -> reference id -> places
    recommendations: Mapping[str, tuple[Occurrence, ...]]
    records: tuple[Record, ...]
    unreadable: tuple[ContentFile, ...] = field(default=())
    unprintable: re.Pattern[str] | None = None  # finds a character no report font has
    catalogs: Mapping[str, Catalog] = field(default_factory=dict)  # imported control catalogs by ID
    marks: Mapping[str, frozenset[str]] = field(default_factory=dict)  # file path -> quick tests its text passes

    def may_hold(self, source: Source, mark: str) -> bool:
        """Whether a file's text passes a quick test (`text_marker`): its strings may hold what a rule seeks."""
        marks = self.marks.get(source.file.path)
        if marks is None:
            marks = text_marker(self.unprintable)(source.document.text)
        return mark in marks

    @functools.cached_property
    def _walked(self) -> dict[int, list[tuple[JsonPath, str]]]:
        return {}

    def strings(self, source: Source) -> list[tuple[JsonPath, str]]:
        """Every string value of a file, with its path; walked once, for the rules whose quick test on the
        file's text says it may hold what they look for."""
        found = self._walked.get(id(source))
        if found is None:
            found = self._walked[id(source)] = _all_strings(source.document.data, ())
        return found

    def texts(self, source: Source) -> Iterator[tuple[JsonPath, str]]:
        """Every Markdown text (text, rationale, ...) of a file, with its path."""
        return _walk_texts(source.document.data, ())

    def prefix(self, file: ContentFile) -> str | None:
        """How the IDs of a recommendations file start ('GOV-BUS-'), or None when its topic code is unknown."""
        key = (file.topic, file.audience)
        if key not in self._prefixes:
            code = self.codes.get(file.topic)
            audience = file.audience if file.audience in tuple(Audience) else None
            self._prefixes[key] = f"{code}-{Audience(audience).code}-" if code and audience else None
        return self._prefixes[key]

    @functools.cached_property
    def _prefixes(self) -> dict[tuple[str, str | None], str | None]:
        return {}

    def topic_unreadable(self, topic: str) -> bool:
        """Whether the topic file of a topic exists but could not be read."""
        return any(u.kind is Kind.TOPIC and u.topic == topic for u in self.unreadable)

    def recommendations_unreadable(self) -> bool:
        return any(u.kind is Kind.RECOMMENDATIONS for u in self.unreadable)

    def could_define(self, recommendation_id: str) -> bool:
        """Whether a file that could not be read may be the one that defines a recommendation ID."""
        for file in self.unreadable:
            if file.kind is not Kind.RECOMMENDATIONS:
                continue
            code = self.codes.get(file.topic)
            if code is None:
                return True
            audience = f"{Audience(file.audience).code}-" if file.audience in tuple(Audience) else ""
            if recommendation_id.startswith(f"{code}-{audience}"):
                return True
        return False

    def challenge_unknowable(self, challenge_id: str) -> bool:
        """Whether a challenge ID may belong to a topic file that could not be read."""
        if not any(u.kind is Kind.TOPIC for u in self.unreadable):
            return False
        return challenge_id.split("-C", 1)[0] not in set(self.codes.values())

    def next_free(self, prefix: str) -> str:
        """The next recommendation number after the highest one the files use with a prefix."""
        numbers = [
            int(i[len(prefix) :]) for i in self.recommendations if i.startswith(prefix) and i[len(prefix) :].isdigit()
        ]
        return f"{prefix}{max(numbers, default=0) + 1:02d}"


def _strings(items: object) -> Iterator[tuple[int, str]]:
    if isinstance(items, list):
        for index, item in enumerate(items):
            if isinstance(item, str):
                yield index, item


def _mappings(items: object) -> Iterator[tuple[int, dict]]:
    if isinstance(items, list):
        for index, item in enumerate(items):
            if isinstance(item, dict):
                yield index, item


def _texts(value: object) -> Iterator[tuple[JsonPath, str]]:
    """Every string in a text value (plain, or a mapping of translations), with its relative path."""
    if isinstance(value, str):
        yield (), value
    elif isinstance(value, dict):
        for language, text in value.items():
            if isinstance(text, str):
                yield (language,), text


def _gather(into: dict[str, list[Occurrence]], occurrence: Occurrence) -> None:
    into.setdefault(occurrence.value, []).append(occurrence)


def _frozen(places: dict[str, list[Occurrence]]) -> dict[str, tuple[Occurrence, ...]]:
    return {key: tuple(found) for key, found in places.items()}


def build_index(
    sources: Sequence[Source],
    unreadable: Sequence[ContentFile] = (),
    unprintable: re.Pattern[str] | None = None,
    catalogs: Sequence[Catalog] = (),
    marks: Mapping[str, frozenset[str]] | None = None,
) -> Index:
    """One pass over the readable files: topic codes, challenges, references, recommendations, and the quick
    tests each file's text passes (those given in marks, the others worked out here)."""
    topics = tuple(s for s in sources if s.file.kind is Kind.TOPIC)
    recommendation_files = tuple(s for s in sources if s.file.kind is Kind.RECOMMENDATIONS)
    codes: dict[str, str] = {}
    challenges: dict[str, list[Occurrence]] = {}
    references: dict[str, dict[str, list[Occurrence]]] = {}
    for source in topics:
        topic = source.file.topic
        code = source.document.data.get("code")
        if isinstance(code, str):
            codes.setdefault(topic, code)
        for index, challenge in _mappings(source.document.data.get("challenges")):
            if isinstance(challenge.get("id"), str):
                _gather(challenges, Occurrence(source, ("challenges", index, "id"), challenge["id"], topic))
        own = references.setdefault(topic, {})
        for index, reference in _mappings(source.document.data.get("references")):
            if isinstance(reference.get("id"), str):
                _gather(own, Occurrence(source, ("references", index, "id"), reference["id"], topic))
    recommendations: dict[str, list[Occurrence]] = {}
    records = []
    for source in recommendation_files:
        for index, item in _mappings(source.document.data.get("recommendations")):
            records.append(Record(source, index, item))
            if isinstance(item.get("id"), str):
                path = ("recommendations", index, "id")
                _gather(recommendations, Occurrence(source, path, item["id"], source.file.topic))
    return Index(
        tuple(sources),
        topics,
        recommendation_files,
        codes,
        _frozen(challenges),
        {topic: _frozen(found) for topic, found in references.items()},
        _frozen(recommendations),
        tuple(records),
        tuple(unreadable),
        unprintable,
        {catalog.id: catalog for catalog in catalogs},
        _all_marks(sources, unprintable, marks or {}),
    )


def _all_marks(
    sources: Sequence[Source], unprintable: re.Pattern[str] | None, known: Mapping[str, frozenset[str]]
) -> dict[str, frozenset[str]]:
    marker = text_marker(unprintable)
    marks = dict(known)
    for source in sources:
        if source.file.path not in marks:
            marks[source.file.path] = marker(source.document.text)
    return marks


def _duplicates(places: Mapping[str, tuple[Occurrence, ...]], what: str) -> Iterator[Finding]:
    for found in places.values():
        if len(found) < 2:
            continue  # a position is worked out only for a finding
        first = found[0]
        line, column = first.at
        for again in found[1:]:
            yield finding(
                again.file,
                again.at,
                Code.DUPLICATE_ID,
                f"the {what} ID '{again.value}' is already used at {first.file}:{line}:{column}",
                "IDs must be unique; give this one the next free number (never reuse an old one)",
            )


# -- topics ---------------------------------------------------------------------------------------


def topic_ids_match_file_names(index: Index) -> Iterator[Finding]:
    for source in index.topics:
        topic_id = source.document.data.get("id")
        if isinstance(topic_id, str) and topic_id != source.file.topic:
            yield finding(
                source.file.path,
                source.at(("id",)),
                Code.PATH_MISMATCH,
                f"the topic id '{topic_id}' does not match the file name '{source.file.file.name}'",
                f"change the id to '{source.file.topic}', or rename the file to {topic_id}.yaml",
            )


def topic_codes_are_unique(index: Index) -> Iterator[Finding]:
    seen: dict[str, Source] = {}
    for source in index.topics:
        code = source.document.data.get("code")
        if not isinstance(code, str):
            continue
        if code in seen:
            yield finding(
                source.file.path,
                source.at(("code",)),
                Code.DUPLICATE_ID,
                f"the topic code '{code}' is already used by {seen[code].file.path}",
                "give each topic its own code",
            )
        else:
            seen[code] = source


def challenge_ids_are_unique(index: Index) -> Iterator[Finding]:
    return _duplicates(index.challenges, "challenge")


def challenge_ids_start_with_the_topic_code(index: Index) -> Iterator[Finding]:
    for found in index.challenges.values():
        for occurrence in found:
            code = occurrence.source.document.data.get("code")
            if isinstance(code, str) and not occurrence.value.startswith(f"{code}-C"):
                yield finding(
                    occurrence.file,
                    occurrence.at,
                    Code.ID_PREFIX,
                    f"the challenge ID '{occurrence.value}' does not start with the topic code '{code}-C'",
                    f"number the topic's challenges {code}-C1, {code}-C2, ...",
                )


def reference_ids_are_unique(index: Index) -> Iterator[Finding]:
    for places in index.references.values():
        yield from _duplicates(places, "reference")


def glossary_terms_are_unique(index: Index) -> Iterator[Finding]:
    for source in index.topics:
        terms: dict[str, list[Occurrence]] = {}
        for position, entry in _mappings(source.document.data.get("glossary")):
            if isinstance(entry.get("term"), str):
                path = ("glossary", position, "term")
                _gather(terms, Occurrence(source, path, entry["term"], source.file.topic))
        yield from _duplicates(_frozen(terms), "glossary term")


def reference_addresses_are_web_addresses(index: Index) -> Iterator[Finding]:
    for source in index.topics:
        for position, reference in _mappings(source.document.data.get("references")):
            yield from _url_findings(source, ("references", position, "url"), reference.get("url"))


# -- recommendation files -------------------------------------------------------------------------


def declared_topic_matches_folder(index: Index) -> Iterator[Finding]:
    for source in index.recommendation_files:
        declared = source.document.data.get("topic")
        file = source.file
        if isinstance(declared, str) and declared != file.topic:
            yield finding(
                file.path,
                source.at(("topic",)),
                Code.PATH_MISMATCH,
                f"the file says topic '{declared}' but lies in the folder recommendations/{file.topic}/",
                f"change it to 'topic: {file.topic}', or move the file to recommendations/{declared}/",
            )


def declared_audience_matches_file_name(index: Index) -> Iterator[Finding]:
    for source in index.recommendation_files:
        declared = source.document.data.get("audience")
        file = source.file
        if isinstance(declared, str) and declared in tuple(Audience) and declared != file.audience:
            yield finding(
                file.path,
                source.at(("audience",)),
                Code.PATH_MISMATCH,
                f"the file says audience '{declared}' but is named {file.file.name}",
                f"change it to 'audience: {file.audience}', or rename the file to {declared}.yaml",
            )


def recommendation_folders_have_a_topic(index: Index) -> Iterator[Finding]:
    topics = {t.file.topic for t in index.topics}
    for source in index.recommendation_files:
        topic = source.file.topic
        if topic in topics or index.topic_unreadable(topic):
            continue
        yield finding(
            source.file.path,
            source.at(("topic",)),
            Code.UNKNOWN_TOPIC,
            f"there is no topic file topics/{topic}.yaml for this folder",
            did_you_mean(topic, sorted(topics)) or f"create topics/{topic}.yaml first",
        )


def _fits(index: Index, occurrence: Occurrence) -> bool:
    """Whether a recommendation ID starts as its file requires (True when that cannot be told)."""
    prefix = index.prefix(occurrence.source.file)
    return prefix is None or occurrence.value.startswith(prefix)


def recommendation_ids_are_unique(index: Index) -> Iterator[Finding]:
    """The place whose file the ID fits keeps it; a copy in a file it does not fit is already an id-prefix."""
    owners = {}
    for key, found in index.recommendations.items():
        fitting = sorted(found, key=lambda o: not _fits(index, o))
        owners[key] = tuple(o for o in fitting if o is fitting[0] or _fits(index, o))
    return _duplicates(owners, "recommendation")


def recommendation_ids_fit_their_file(index: Index) -> Iterator[Finding]:
    for record in index.records:
        file = record.source.file
        prefix = index.prefix(file)
        if prefix is None or not isinstance(record.id, str) or record.id.startswith(prefix):
            continue
        code = index.codes[file.topic]
        owner = next((o for o in index.recommendations.get(record.id, ()) if o.source is not record.source), None)
        also = f"; it is also the ID of the recommendation at {owner.file}:{owner.at[0]}" if owner else ""
        yield finding(
            file.path,
            record.at("id"),
            Code.ID_PREFIX,
            f"the ID '{record.id}' does not fit this file: recommendations of topic "
            f"'{file.topic}' to the {file.audience} audience start with '{prefix}'{also}",
            _misfiled_hint(index, record.id, file.topic, code, prefix),
        )


def _misfiled_hint(index: Index, recommendation_id: str, topic: str, code: str, prefix: str) -> str:
    """Move it to the audience file its ID names, or give it the next free ID of this file."""
    fresh = f"give it the next free ID of this file, {index.next_free(prefix)}"
    match = _RECOMMENDATION_ID.match(recommendation_id)
    if match and match.group(1) == code:
        audience = next(a for a in Audience if a.code == match.group(2))
        return (
            f"move it to recommendations/{topic}/{audience}.yaml, where its ID belongs; "
            f"or, if it is meant here, {fresh}"
        )
    return fresh


# -- what recommendations point to ----------------------------------------------------------------


def addressed_challenges_exist(index: Index) -> Iterator[Finding]:
    for record in index.records:
        topic = record.source.file.topic
        for position, challenge_id in _strings(record.item.get("addresses")):
            if challenge_id in index.challenges or index.challenge_unknowable(challenge_id):
                continue
            candidates = [c for c, found in index.challenges.items() if found[0].topic == topic] or list(
                index.challenges
            )
            listed = f"the challenges of this topic are {', '.join(sorted(candidates)) or 'none'}"
            suggestion = did_you_mean(strip_hidden(challenge_id), candidates)
            yield finding(
                record.file,
                record.at("addresses", position),
                Code.BROKEN_REFERENCE,
                f"there is no challenge '{challenge_id}'{hidden_note(challenge_id)}",
                f"{suggestion} ({listed})" if suggestion else listed,
            )


def cited_references_exist(index: Index) -> Iterator[Finding]:
    for record in index.records:
        topic = record.source.file.topic
        if index.topic_unreadable(topic):
            continue
        known = index.references.get(topic, {})
        for position, reference_id in _strings(record.item.get("references")):
            if reference_id in known:
                continue
            yield finding(
                record.file,
                record.at("references", position),
                Code.BROKEN_REFERENCE,
                f"there is no reference '{reference_id}' in topics/{topic}.yaml{hidden_note(reference_id)}",
                did_you_mean(strip_hidden(reference_id), known) or "add the source to the topic's references first",
            )


def _missing_recommendation_hint(index: Index, wanted: str) -> str:
    """What to do about an ID nobody defines: a misspelling's fix, else the two likely causes in one line."""
    cleaned = strip_hidden(wanted).upper().replace("_", "-").replace(" ", "-")
    fixed = _padded(cleaned)
    if fixed != wanted and fixed in index.recommendations:
        return f"write '{fixed}'"
    match = _RECOMMENDATION_ID.match(wanted)
    if match:
        prefix = f"{match.group(1)}-{match.group(2)}-"
        used = sorted(i for i in index.recommendations if i.startswith(prefix))
        return (
            f"if it was deleted, put it back with 'status: withdrawn' and a 'withdrawal_reason' (recommendations "
            f"are never deleted); if the number is wrong, the files define {', '.join(used) or f'no {prefix} ID'}"
        )
    return did_you_mean(wanted, index.recommendations) or "check the ID"


def _padded(candidate: str) -> str:
    """GOV-BUS-5 as GOV-BUS-05: a one-digit number written with two digits."""
    match = re.match(r"^([A-Z]{2,4})-?(ACA|BUS|PUB)-?([0-9]{1,3})$", candidate)
    if not match:
        return candidate
    return f"{match.group(1)}-{match.group(2)}-{int(match.group(3)):02d}"


def related_recommendations_exist(index: Index) -> Iterator[Finding]:
    for record in index.records:
        for position, related_id in _strings(record.item.get("related")):
            if related_id == record.id:
                yield finding(
                    record.file,
                    record.at("related", position),
                    Code.SELF_REFERENCE,
                    f"'{related_id}' lists itself as related",
                    "remove it from 'related'",
                )
            elif related_id not in index.recommendations and not index.could_define(related_id):
                yield finding(
                    record.file,
                    record.at("related", position),
                    Code.BROKEN_REFERENCE,
                    f"there is no recommendation '{related_id}'{hidden_note(related_id)}",
                    _missing_recommendation_hint(index, related_id),
                )


def successors_exist(index: Index) -> Iterator[Finding]:
    for record in index.records:
        successor = record.item.get("superseded_by")
        if not isinstance(successor, str):
            continue
        if successor == record.id:
            yield finding(
                record.file,
                record.at("superseded_by"),
                Code.BROKEN_REFERENCE,
                f"'{successor}' cannot supersede itself",
                "name the recommendation that replaces it",
            )
        elif successor not in index.recommendations and not index.could_define(successor):
            yield finding(
                record.file,
                record.at("superseded_by"),
                Code.BROKEN_REFERENCE,
                f"there is no recommendation '{successor}' to supersede this one{hidden_note(successor)}",
                _missing_recommendation_hint(index, successor),
            )


def superseded_ones_are_withdrawn(index: Index) -> Iterator[Finding]:
    for record in index.records:
        status = record.status
        if isinstance(record.item.get("superseded_by"), str) and isinstance(status, str) and status != "withdrawn":
            yield finding(
                record.file,
                record.at("superseded_by"),
                Code.SUPERSEDED_NOT_WITHDRAWN,
                f"'{record.id}' names a successor but its status is '{status}'",
                "set 'status: withdrawn' and give a 'withdrawal_reason', or remove 'superseded_by'",
            )


def withdrawn_ones_say_why(index: Index) -> Iterator[Finding]:
    for record in index.records:
        reason = record.item.get("withdrawal_reason")
        if record.status == "withdrawn" and not (reason.strip() if isinstance(reason, str) else reason):
            yield finding(
                record.file,
                record.at("status"),
                Code.WITHDRAWN_WITHOUT_REASON,
                f"'{record.id}' is withdrawn but does not say why",
                "add 'withdrawal_reason:' explaining why it was withdrawn",
            )


def tracker_sources_are_web_addresses(index: Index) -> Iterator[Finding]:
    for record in index.records:
        for addressee, item in _mappings(record.item.get("tracker")):
            for position, entry in _mappings(item.get("history")):
                path = ("recommendations", record.index, "tracker", addressee, "history", position, "source")
                yield from _url_findings(record.source, path, entry.get("source"))


def challenges_are_addressed(index: Index) -> Iterator[Finding]:
    if index.recommendations_unreadable():
        return  # an unreadable file may hold the recommendation that addresses it
    adopted = {c for r in index.records if r.status == "adopted" for _, c in _strings(r.item.get("addresses"))}
    for challenge_id, found in index.challenges.items():
        if challenge_id in adopted:
            continue
        yield finding(
            found[0].file,
            found[0].at,
            Code.UNADDRESSED_CHALLENGE,
            f"no adopted recommendation addresses the challenge '{challenge_id}'",
            "add its ID to the 'addresses' of an adopted recommendation, or drop the challenge",
        )


# -- every text -----------------------------------------------------------------------------------


def _url_problem(url: str) -> str:
    match = _SCHEME.match(url)
    if match is None:
        return "is not an absolute address"
    scheme = match.group(1).lower()
    if scheme not in LINK_SCHEMES:
        return f"uses the scheme '{scheme}:'"
    if scheme in ("http", "https") and not url[len(scheme) + 1 :].startswith("//"):
        return "is missing '//' after the scheme"
    return ""


def _url_findings(source: Source, path: JsonPath, url: object) -> list[Finding]:
    if not isinstance(url, str) or not url:
        return []
    problem = _url_problem(url)
    if not problem:
        return []
    hint = "addresses must start with https://, http:// or mailto:"
    if _WEB_ADDRESS.match(url):
        hint = f"write https:// in front of it: https://{url}"
    return [finding(source.file.path, source.at(path), Code.URL_SCHEME, f"the address '{url}' {problem}", hint)]


def _walk_texts(node: object, path: JsonPath) -> Iterator[tuple[JsonPath, str]]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key in MARKDOWN_FIELDS:
                for sub, text in _texts(value):
                    yield path + (key,) + sub, text
            elif isinstance(value, (dict, list)):
                yield from _walk_texts(value, path + (key,))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _walk_texts(value, path + (index,))


def _all_strings(node: object, path: JsonPath) -> list[tuple[JsonPath, str]]:
    """Every string value under node, with its path."""
    found: list[tuple[JsonPath, str]] = []
    pending: list[tuple[object, JsonPath]] = [(node, path)]
    while pending:
        current, where = pending.pop()
        items = current.items() if isinstance(current, dict) else enumerate(current)  # type: ignore[arg-type]
        for key, value in items:
            if type(value) is str:
                found.append((where + (key,), value))
            elif isinstance(value, (dict, list)):
                pending.append((value, where + (key,)))
    return found


def markdown_links_resolve(index: Index) -> Iterator[Finding]:
    for source in index.sources:
        if not index.may_hold(source, "links"):
            continue
        for path, text in index.texts(source):
            for match in _MARKDOWN_LINK.finditer(text):
                yield from _link_findings(source, path, match)


def _link_findings(source: Source, path: JsonPath, match: re.Match[str]) -> Iterator[Finding]:
    target = match.group(1) or match.group(2) or ""
    scheme = _SCHEME.match(target)
    where = source.document.locate(path, target or match.group(0))
    if scheme and scheme.group(1).lower() not in LINK_SCHEMES:
        yield finding(
            source.file.path,
            where,
            Code.URL_SCHEME,
            f"a link in the text uses the scheme '{scheme.group(1)}:'",
            "links must start with https://, http:// or mailto:",
        )
    elif target and not scheme and _EMAIL.match(target):
        yield finding(
            source.file.path,
            where,
            Code.URL_SCHEME,
            f"the link '{target}' is an e-mail address without mailto:, so it would be read as a file name",
            f"write mailto: in front of it: (mailto:{target})",
        )
    elif target and not scheme and not target.startswith("#") and _WEB_ADDRESS.match(target):
        yield finding(
            source.file.path,
            where,
            Code.URL_SCHEME,
            f"the link '{target}' is a web address without https://, so it would be read as a file name",
            f"write https:// in front of it: (https://{target})",
        )
    elif target and not scheme and not target.startswith("#"):
        problem = _asset_problem(source, target)
        if problem:
            yield finding(
                source.file.path,
                where,
                Code.ASSET_PATH,
                f"the path '{target}' {problem}",
                f"put the file in {ASSETS_DIR}/ and write its path as {ASSETS_DIR}/<name>, or link to a web address",
            )


def _repository_root(source: Source) -> Path:
    return Path(str(source.file.file)[: -len(source.file.path)] or ".")


def _asset_problem(source: Source, target: str) -> str:
    """Why a path in content is not acceptable, or '' when it names a file inside assets/."""
    clean = unquote(target.split("#", 1)[0].split("?", 1)[0])
    if not clean:
        return ""
    if clean.startswith(("/", "\\")) or re.match(r"^[A-Za-z]:[\\/]", clean):
        return "is absolute; paths in content are relative to the repository"
    if ".." in re.split(r"[\\/]", clean):
        return "climbs out of its folder with '..'"
    root = _repository_root(source).resolve()
    assets = root / ASSETS_DIR
    candidate = root / clean
    if not clean.startswith(f"{ASSETS_DIR}/"):
        return f"is not inside the {ASSETS_DIR}/ folder"
    resolved = candidate.resolve()
    if resolved != assets and assets not in resolved.parents:
        return f"leads outside the {ASSETS_DIR}/ folder (through a symbolic link)"
    if not resolved.is_file():
        return "names a file that does not exist"
    return ""


def markup_is_plain(index: Index) -> Iterator[Finding]:
    """Warnings for text that tries to reach past Markdown: raw HTML, TeX or typst, templates, scripts."""
    for source in index.sources:
        if not index.may_hold(source, "markup"):  # one scan of the file for the common, clean case
            continue
        for path, text in index.texts(source):
            for pattern, what in _UNSAFE:
                match = pattern.search(text)
                if match:
                    yield finding(
                        source.file.path,
                        source.document.locate(path, match.group(0)),
                        Code.UNSAFE_MARKUP,
                        f"the text contains {what}: '{match.group(0)[:40]}'",
                        "it will be shown as plain text, never run; write plain Markdown instead",
                    )


def _field_name(path: JsonPath) -> str:
    named = [step for step in path if isinstance(step, str) and step not in tuple(Language)]
    return f"'{named[-1]}'" if named else "the value"


# '', '  ', "" or "  ": a pattern for each quote, each found as fast as a plain search (one of alternatives
# would try both at every character).
_QUOTED_BLANKS = (re.compile(r"'[ \t]*'"), re.compile(r'"[ \t]*"'))
_BEYOND_ASCII = re.compile(r"[^\x00-\x7f]")
_ODD = ODD_SPACES | ZERO_WIDTH


def _maybe_blank(text: str, beyond_ascii: frozenset[str]) -> bool:
    """Whether a file may hold a text of spaces only: quoted ('  '), or of spaces YAML does not strip (the
    odd spaces all lie outside ASCII)."""
    return any(quoted.search(text) for quoted in _QUOTED_BLANKS) or not beyond_ascii.isdisjoint(_ODD)


def _may_hold_markup(text: str) -> bool:
    """Whether a text may hold what `markup_is_plain` refuses: every such pattern starts with <, { or \\."""
    return ("<" in text or "{" in text or "\\" in text) and _UNSAFE_ANY.search(text) is not None


def _strings_where(index: Index, mark: str) -> Iterator[tuple[Source, JsonPath, str]]:
    """The string values of the files whose text passes a quick test (see `text_marker`)."""
    for source in index.sources:
        if index.may_hold(source, mark):
            for path, text in index.strings(source):
                yield source, path, text


# The ASCII characters a YAML file may hold (the parser refuses the other control characters).
_YAML_ASCII = "\t\n\r" + "".join(chr(code) for code in range(0x20, 0x7F))


def text_marker(unprintable: re.Pattern[str] | None) -> Callable[[str], frozenset[str]]:
    """The quick tests on a file's whole text: the names of those it passes, each saying that the file's
    strings may hold what a rule looks for, so that the rule walks only those files' strings. The answers
    depend on the text and the report fonts alone, so the validation cache keeps them with the file."""
    ascii_printable = unprintable is not None and unprintable.search(_YAML_ASCII) is None

    def may_be_unprintable(text: str, beyond_ascii: frozenset[str]) -> bool:
        if unprintable is None:
            return False
        # ASCII text holds only what YAML admits: all printable, if the fonts have every such character
        return unprintable.search("".join(beyond_ascii) if ascii_printable else text) is not None

    tests: dict[str, Callable[[str, frozenset[str]], bool]] = {
        "links": lambda text, _: "](" in text or "<" in text,
        "markup": lambda text, _: _may_hold_markup(text),
        "placeholder": lambda text, _: PLACEHOLDER in text,
        "blank": _maybe_blank,
        "quotes": lambda _, beyond_ascii: not beyond_ascii.isdisjoint(CURLY_QUOTES),  # all outside ASCII
        "unprintable": may_be_unprintable,
    }

    def marks(text: str) -> frozenset[str]:
        # The characters beyond ASCII, found in one pass: most files hold none, the others a few dozen.
        beyond_ascii = frozenset() if text.isascii() else frozenset(_BEYOND_ASCII.findall(text))
        return frozenset(name for name, test in tests.items() if test(text, beyond_ascii))

    return marks


def placeholders_are_replaced(index: Index) -> Iterator[Finding]:
    for source, path, text in _strings_where(index, "placeholder"):
        if _PLACEHOLDER.match(text):
            yield finding(
                source.file.path,
                source.at(path),
                Code.PLACEHOLDER_TEXT,
                f"{_field_name(path)} still holds the placeholder text '{text.strip()[:40]}'",
                f"write the real text in place of '{PLACEHOLDER}'; "
                "the comment beside or above it says what belongs there",
            )


def texts_are_not_blank(index: Index) -> Iterator[Finding]:
    """A text of spaces only (`text: "   "`) says nothing: it is as empty as no text."""
    for source, path, text in _strings_where(index, "blank"):
        if text and is_blank(text):
            yield finding(
                source.file.path,
                source.at(path),
                Code.WRONG_TYPE,
                f"{_field_name(path)} holds only spaces or invisible characters",
                "write the text after the colon",
            )


def texts_are_not_in_typographic_quotes(index: Index) -> Iterator[Finding]:
    """A title pasted with its word-processor quotes (“…”) would be published with them."""
    for source, path, text in _strings_where(index, "quotes"):
        stripped = text.strip()
        if len(stripped) < 2 or stripped[0] not in CURLY_QUOTES or stripped[-1] not in CURLY_QUOTES:
            continue
        yield finding(
            source.file.path,
            source.at(path),
            Code.TYPOGRAPHIC_QUOTES,
            f"{_field_name(path)} is wrapped in the word-processor quotes {stripped[0]}…{stripped[-1]} "
            f"({name(stripped[0])}), which would be published as part of it",
            f"delete them: {_field_name(path).strip(chr(39))}: {stripped[1:-1].strip()}",
        )


def characters_are_printable(index: Index) -> Iterator[Finding]:
    """A character no report font has stops the PDF build: refuse it here, at its line and column."""
    pattern = index.unprintable
    if pattern is None:
        return
    for source, path, text in _strings_where(index, "unprintable"):
        match = pattern.search(text)
        if match is None:
            continue
        char = match.group(0)
        yield finding(
            source.file.path,
            source.document.locate(path, text[match.start() : match.start() + 8] or char),
            Code.UNPRINTABLE_CHARACTER,
            f"the {name(char)} character ('{char}') cannot be printed in the PDF reports: no report font has it",
            "remove it or say it in words; the reports print Latin, Greek and Cyrillic letters and "
            "common symbols, not emoji or other scripts",
        )


def mappings_name_imported_controls(index: Index) -> Iterator[Finding]:
    """`maps_to` entries whose catalog or control does not exist, or whose control was withdrawn."""
    catalogs = index.catalogs
    for record in index.records:
        source, position_in_file, item = record.source, record.index, record.item
        for position, mapping in _mappings(item.get("maps_to")):
            catalog_id, control_id = mapping.get("catalog"), mapping.get("control")
            if not isinstance(catalog_id, str) or not isinstance(control_id, str):
                continue
            base: JsonPath = ("recommendations", position_in_file, "maps_to", position)
            catalog = catalogs.get(catalog_id)
            if catalog is None:
                known = ", ".join(sorted(catalogs)) or "none yet"
                suggestion = did_you_mean(catalog_id, catalogs)
                yield (
                    finding(
                        source.file.path,
                        source.at(base + ("catalog",)),
                        Code.UNKNOWN_CATALOG,
                        f"there is no catalog '{catalog_id}' in {CATALOGS_DIR}/",
                        f"{suggestion} (imported: {known})"
                        if suggestion
                        else f"imported catalogs: {known}; "
                        f"add one with `quaestio catalog import FILE --id {catalog_id}`",
                    )
                )
                continue
            control = catalog.find(control_id)
            if control is not None and not control.withdrawn:
                continue
            where = source.at(base + ("control",))
            if control is None:
                names = [c.label for c in catalog.controls if c.label] or [c.id for c in catalog.controls]
                yield (
                    finding(
                        source.file.path,
                        where,
                        Code.UNKNOWN_CONTROL,
                        f"the catalog '{catalog_id}' has no control '{control_id}'",
                        did_you_mean(control_id, names)
                        or f"write the control's label as the catalog does, e.g. {names[0]}",
                    )
                )
            else:
                successors = [catalog.control_by_id[r].name for r in control.replacements if r in catalog.control_by_id]
                how = "moved to" if control.moved_to else "incorporated into"
                yield (
                    finding(
                        source.file.path,
                        where,
                        Code.WITHDRAWN_CONTROL,
                        f"{control.name} ({control.title}) is withdrawn from '{catalog_id}'"
                        + (f"; it was {how} {', '.join(successors)}" if successors else ""),
                        f"map to {' or '.join(successors)} instead" if successors else "remove the mapping",
                    )
                )


Rule = Callable[[Index], Iterable[Finding]]

RULES: tuple[Rule, ...] = (
    topic_ids_match_file_names,
    topic_codes_are_unique,
    challenge_ids_are_unique,
    challenge_ids_start_with_the_topic_code,
    reference_ids_are_unique,
    glossary_terms_are_unique,
    reference_addresses_are_web_addresses,
    declared_topic_matches_folder,
    declared_audience_matches_file_name,
    recommendation_folders_have_a_topic,
    recommendation_ids_are_unique,
    recommendation_ids_fit_their_file,
    addressed_challenges_exist,
    cited_references_exist,
    related_recommendations_exist,
    successors_exist,
    superseded_ones_are_withdrawn,
    withdrawn_ones_say_why,
    tracker_sources_are_web_addresses,
    challenges_are_addressed,
    markdown_links_resolve,
    markup_is_plain,
    placeholders_are_replaced,
    texts_are_not_blank,
    texts_are_not_in_typographic_quotes,
    characters_are_printable,
    mappings_name_imported_controls,
)


def check_rules(
    sources: Sequence[Source],
    unreadable: Sequence[ContentFile] = (),
    unprintable: re.Pattern[str] | None = None,
    catalogs: Sequence[Catalog] = (),
    marks: Mapping[str, frozenset[str]] | None = None,
) -> list[Finding]:
    """Every cross-reference finding over the whole repository (and its imported catalogs), and a note for each
    unreadable file. marks: the quick tests some files' texts are known to pass (see `text_marker`)."""
    index = build_index(sources, unreadable, unprintable, catalogs, marks)
    findings = [found for rule in RULES for found in rule(index)]
    return findings + skipped_checks(index)


_SKIPPED = {
    Kind.TOPIC: "the challenges and references its topic's recommendations cite, their ID prefixes, "
    "and whether their folder has a topic file",
    Kind.RECOMMENDATIONS: "'related' and 'superseded_by' that may name its recommendations, "
    "and challenges no adopted recommendation addresses",
}


def skipped_checks(index: Index) -> list[Finding]:
    """One note per unread file that other files depend on, naming the checks across files left out."""
    notes = []
    for file in index.unreadable:
        if file.kind is Kind.TOPIC and not any(r.file.topic == file.topic for r in index.recommendation_files):
            continue  # no file depends on this topic
        if file.kind is Kind.RECOMMENDATIONS and not (index.records or index.challenges):
            continue
        notes.append(
            finding(
                file.path,
                (1, 1),
                Code.CHECKS_SKIPPED,
                f"this file could not be read, so these checks were skipped: {_SKIPPED[file.kind]}",
                "fix the error reported for this file; the skipped checks run again once it can be read",
            )
        )
    return notes


def text_findings(source: Source) -> list[Finding]:
    """The checks on the texts of one file alone: links, raw markup and placeholders (used for translations too)."""
    index = build_index([source])
    return [*markdown_links_resolve(index), *markup_is_plain(index), *placeholders_are_replaced(index)]
