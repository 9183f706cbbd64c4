"""The content model: immutable topics, challenges, references and recommendations built from valid sources."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, fields, is_dataclass, replace
from functools import cached_property

from quaestio.content.catalogs import Catalog, Control
from quaestio.content.layout import Kind
from quaestio.content.load import JsonPath, Source
from quaestio.content.translations import Translation, Translations
from quaestio.vocab import (
    SOURCE_LANGUAGE,
    Acceptance,
    Audience,
    Horizon,
    Implementation,
    Language,
    Priority,
    ReferenceKind,
    Relation,
    Status,
)


@dataclass(frozen=True)
class Text:
    """A human-readable text in English, with its translations (current or stale).

    Only current translations are published: a stale one may say what the English no longer says,
    so readers get the English, marked as such, until the translation is updated.
    """

    en: str
    translations: tuple[Translation, ...] = ()

    def __str__(self) -> str:
        return self.en

    def translation(self, language: str) -> Translation | None:
        """The translation into a language, current or stale, if there is one."""
        return next((t for t in self.translations if t.language == language), None)

    def published(self, language: str) -> str | None:
        """The current translation into a language, else None (English is then shown)."""
        found = self.translation(language)
        return found.text if found is not None and found.current else None

    def language_of(self, language: str) -> Language:
        """The language a reader of `language` gets this text in: theirs, or English when it falls back."""
        return Language(language) if language == SOURCE_LANGUAGE or self.published(language) else SOURCE_LANGUAGE

    def language_shown(self, language: str, written_in: Language = SOURCE_LANGUAGE) -> Language:
        """The language a reader of `language` gets this text in, when its English source is written in
        `written_in` (a French title in an English file): theirs when translated, else the source's."""
        return Language(language) if language != SOURCE_LANGUAGE and self.published(language) else written_in

    def get(self, language: str) -> str:
        """The text in a language, falling back to English."""
        return self.published(language) or self.en

    @classmethod
    def of(cls, value: object, translations: tuple[Translation, ...] = ()) -> Text:
        """A text from a content file's value; an inline mapping gives its English (see inline-translation)."""
        if isinstance(value, dict):
            return cls(value[SOURCE_LANGUAGE.value], translations)
        return cls(str(value), translations)

    @classmethod
    def maybe(cls, value: object, translations: tuple[Translation, ...] = ()) -> Text | None:
        return None if value is None else cls.of(value, translations)


@dataclass(frozen=True)
class Origin:
    """Where a thing is written: repository-relative file and line."""

    file: str
    line: int


@dataclass(frozen=True)
class Chair:
    name: Text
    affiliation: Text | None


@dataclass(frozen=True)
class Session:
    number: int
    date: str
    venue: Text
    chairs: tuple[Chair, ...]
    organisations: tuple[Text, ...]


@dataclass(frozen=True)
class Challenge:
    id: str
    topic: str
    title: Text
    description: Text
    origin: Origin
    edition: int | None = None


@dataclass(frozen=True)
class Reference:
    id: str
    title: Text
    author: str
    year: int
    url: str | None
    kind: ReferenceKind
    language: Language = SOURCE_LANGUAGE  # the language the title is written in


@dataclass(frozen=True)
class GlossaryEntry:
    term: str
    expansion: Text
    definition: Text | None
    language: Language = SOURCE_LANGUAGE  # the language the expansion is written in


@dataclass(frozen=True)
class Assessment:
    """One dated entry of an addressee's tracker history: what changed, why, the evidence and the assessor."""

    date: str
    note: Text
    assessor: str
    source: str | None = None
    document: str | None = None
    acceptance: Acceptance | None = None
    status: Implementation | None = None
    target: str | None = None
    target_reason: Text | None = None
    mandated_by: Text | None = None


@dataclass(frozen=True)
class Addressee:
    """Who is expected to act on a recommendation, with the dated history of its answer and progress."""

    name: str
    history: tuple[Assessment, ...] = ()


@dataclass(frozen=True)
class Wording:
    """The fields of a recommendation a revision may change, as they read before it (None: unchanged)."""

    title: Text | None = None
    text: Text | None = None
    rationale: Text | None = None
    priority: Priority | None = None
    horizon: Horizon | None = None


@dataclass(frozen=True)
class Revision:
    """A later edition's revision of a recommendation: why, and the wording it replaced."""

    edition: int
    reason: Text
    earlier: Wording


@dataclass(frozen=True)
class ControlMapping:
    """A control of an imported catalog that a recommendation maps to, and how it relates to it."""

    catalog: str
    control: str
    relation: Relation


@dataclass(frozen=True)
class Recommendation:
    id: str
    topic: str
    audience: Audience
    title: Text
    text: Text
    rationale: Text
    priority: Priority
    horizon: Horizon
    status: Status
    addresses: tuple[str, ...]
    references: tuple[str, ...]
    related: tuple[str, ...]
    withdrawal_reason: Text | None
    superseded_by: str | None
    origin: Origin
    maps_to: tuple[ControlMapping, ...] = ()
    priority_flag: bool = False
    tracker: tuple[Addressee, ...] = ()
    edition: int = 0
    withdrawn_in: int | None = None
    revisions: tuple[Revision, ...] = ()

    @property
    def number(self) -> int:
        return int(self.id.rsplit("-", 1)[1])


@dataclass(frozen=True)
class TopicEdition:
    """A topic as an earlier edition's working session left it."""

    edition: int
    session: Session
    status_quaestionis: Text


@dataclass(frozen=True)
class Closure:
    """The edition that closed a topic, and why."""

    edition: int
    reason: Text


@dataclass(frozen=True)
class Topic:
    id: str
    code: str
    title: Text
    summary: Text
    edition: int
    session: Session
    status_quaestionis: Text
    challenges: tuple[Challenge, ...]
    references: tuple[Reference, ...]
    glossary: tuple[GlossaryEntry, ...]
    origin: Origin
    earlier: tuple[TopicEdition, ...] = ()
    closed: Closure | None = None

    @property
    def editions(self) -> tuple[int, ...]:
        """Every edition with a working session on the topic, oldest first."""
        return (*(e.edition for e in self.earlier), self.edition)

    @property
    def first_edition(self) -> int:
        return self.editions[0]


@dataclass(frozen=True)
class Corpus:
    """All topics and recommendations of a repository, in a stable order."""

    topics: tuple[Topic, ...]
    recommendations: tuple[Recommendation, ...]
    catalogs: tuple[Catalog, ...] = ()
    languages: tuple[Language, ...] = (SOURCE_LANGUAGE,)
    """English, then every language with at least one current translation, in vocab order."""

    @cached_property
    def catalog_by_id(self) -> dict[str, Catalog]:
        return {c.id: c for c in self.catalogs}

    def control_of(self, mapping: ControlMapping) -> Control | None:
        """The catalog control a mapping names (by ID or label), if its catalog is imported."""
        catalog = self.catalog_by_id.get(mapping.catalog)
        return catalog.find(mapping.control) if catalog else None

    def mapped_to(self, catalog_id: str) -> dict[str, list[tuple[Recommendation, Relation]]]:
        """For one catalog: control ID -> the recommendations mapped to it, with their relation, in corpus order."""
        found: dict[str, list[tuple[Recommendation, Relation]]] = {}
        catalog = self.catalog_by_id.get(catalog_id)
        if catalog is None:
            return {}
        for item in self.recommendations:
            for mapping in item.maps_to:
                control = catalog.find(mapping.control) if mapping.catalog == catalog_id else None
                if control is not None:
                    found.setdefault(control.id, []).append((item, mapping.relation))
        return found

    @cached_property
    def recommendation_by_id(self) -> dict[str, Recommendation]:
        return {r.id: r for r in self.recommendations}

    @cached_property
    def challenge_by_id(self) -> dict[str, Challenge]:
        return {c.id: c for t in self.topics for c in t.challenges}

    @cached_property
    def topic_by_id(self) -> dict[str, Topic]:
        return {t.id: t for t in self.topics}

    @cached_property
    def _groups(self) -> dict[tuple[str | None, str | None], tuple[Recommendation, ...]]:
        """(topic or None, audience or None) -> its recommendations in corpus order, grouped in one pass."""
        groups: dict[tuple[str | None, str | None], list[Recommendation]] = {}
        for r in self.recommendations:
            for key in ((None, None), (r.topic, None), (None, r.audience), (r.topic, r.audience)):
                groups.setdefault(key, []).append(r)
        return {key: tuple(items) for key, items in groups.items()}

    def recommendations_for(self, topic: str | None = None, audience: str | None = None) -> tuple[Recommendation, ...]:
        """The recommendations of a topic and/or to an audience, in topic, audience and number order."""
        return self._groups.get((topic, audience), ())

    @cached_property
    def _related_both_ways(self) -> dict[str, tuple[str, ...]]:
        links: dict[str, set[str]] = {r.id: set(r.related) for r in self.recommendations}
        for r in self.recommendations:
            for other in r.related:
                links.setdefault(other, set()).add(r.id)
        order = {r.id: i for i, r in enumerate(self.recommendations)}
        return {k: tuple(sorted(v - {k}, key=lambda x: order.get(x, 0))) for k, v in links.items()}

    def related_to(self, recommendation_id: str) -> tuple[Recommendation, ...]:
        """Recommendations linked to this one in either direction."""
        return tuple(
            self.recommendation_by_id[i]
            for i in self._related_both_ways.get(recommendation_id, ())
            if i in self.recommendation_by_id
        )

    @cached_property
    def _addressing(self) -> dict[str, tuple[Recommendation, ...]]:
        found: dict[str, list[Recommendation]] = {}
        for r in self.recommendations:
            for challenge_id in dict.fromkeys(r.addresses):
                found.setdefault(challenge_id, []).append(r)
        return {key: tuple(items) for key, items in found.items()}

    def addressing(self, challenge_id: str) -> tuple[Recommendation, ...]:
        """Recommendations that address a challenge."""
        return self._addressing.get(challenge_id, ())


_FIELD_NAMES: dict[type, tuple[str, ...]] = {}  # a model class's fields, in order; () for any other class


def _field_names(kind: type) -> tuple[str, ...]:
    names = _FIELD_NAMES.get(kind)
    if names is None:
        names = _FIELD_NAMES[kind] = tuple(f.name for f in fields(kind)) if is_dataclass(kind) else ()
    return names


def texts_in(value: object) -> Iterator[Text]:
    """Every Text inside a model value (a topic, a recommendation, a tuple of them), in field order."""
    pending = [value]  # a stack, not recursion: the model of a large repository holds a quarter of a million values
    while pending:
        item = pending.pop()
        if isinstance(item, Text):
            yield item
        elif isinstance(item, tuple):
            pending.extend(reversed(item))
        elif not isinstance(item, type):
            pending.extend(getattr(item, name) for name in reversed(_field_names(type(item))))


def _line(source: Source, path: tuple) -> Origin:
    return Origin(source.file.path, source.at(path)[0])


class _Texts:
    """Texts of one source, each with the translations of its path."""

    def __init__(self, source: Source, translations: Translations):
        self.data = source.document.data
        self.found = translations.get(source.file.path, {})

    def __call__(self, *path: str | int) -> Text:
        return Text.of(self._value(path), self.found.get(path, ()))

    def maybe(self, *path: str | int) -> Text | None:
        value = self._value(path)
        return None if value is None else Text.of(value, self.found.get(path, ()))

    def value(self, *path: str | int) -> object:
        """The value at a path of the file, whatever it is."""
        return self._value(path)

    def _value(self, path: tuple[str | int, ...]) -> object:
        node: object = self.data
        for step in path:
            if isinstance(node, dict):
                node = node.get(step)
            elif isinstance(node, list) and isinstance(step, int) and step < len(node):
                node = node[step]
            else:
                return None
        return node


def _session(text: _Texts, *at: str | int) -> Session:
    session = text.value(*at)
    assert isinstance(session, dict)
    return Session(
        number=session["number"],
        date=session["date"],
        venue=text(*at, "venue"),
        chairs=tuple(
            Chair(text(*at, "chairs", i, "name"), text.maybe(*at, "chairs", i, "affiliation"))
            for i in range(len(session["chairs"]))
        ),
        organisations=tuple(text(*at, "organisations", i) for i in range(len(session["organisations"]))),
    )


def _topic(source: Source, translations: Translations) -> Topic:
    data = source.document.data
    text = _Texts(source, translations)
    closed = data.get("closed")
    return Topic(
        id=data["id"],
        code=data["code"],
        title=text("title"),
        summary=text("summary"),
        edition=data["edition"],
        session=_session(text, "session"),
        status_quaestionis=text("status_quaestionis"),
        challenges=tuple(
            Challenge(
                c["id"],
                data["id"],
                text("challenges", i, "title"),
                text("challenges", i, "description"),
                _line(source, ("challenges", i)),
                c.get("edition"),
            )
            for i, c in enumerate(data["challenges"])
        ),
        references=tuple(
            Reference(
                r["id"],
                text("references", i, "title"),
                r["author"],
                r["year"],
                r.get("url"),
                ReferenceKind(r["kind"]),
                Language(r.get("language", SOURCE_LANGUAGE)),
            )
            for i, r in enumerate(data["references"])
        ),
        glossary=tuple(
            GlossaryEntry(
                g["term"],
                text("glossary", i, "expansion"),
                text.maybe("glossary", i, "definition"),
                Language(g.get("language", SOURCE_LANGUAGE)),
            )
            for i, g in enumerate(data.get("glossary", []))
        ),
        origin=_line(source, ()),
        earlier=tuple(
            TopicEdition(
                e["edition"],
                _session(text, "earlier_editions", i, "session"),
                text("earlier_editions", i, "status_quaestionis"),
            )
            for i, e in enumerate(data.get("earlier_editions", []))
        ),
        closed=Closure(closed["edition"], text("closed", "reason")) if closed else None,
    )


def _wording(text: _Texts, *at: str | int) -> Wording:
    earlier = text.value(*at)
    assert isinstance(earlier, dict)
    return Wording(
        title=text.maybe(*at, "title"),
        text=text.maybe(*at, "text"),
        rationale=text.maybe(*at, "rationale"),
        priority=Priority(earlier["priority"]) if "priority" in earlier else None,
        horizon=Horizon(earlier["horizon"]) if "horizon" in earlier else None,
    )


def _assessment(text: _Texts, *at: str | int) -> Assessment:
    entry = text.value(*at)
    assert isinstance(entry, dict)
    return Assessment(
        date=entry["date"],
        note=text(*at, "note"),
        assessor=entry["assessor"],
        source=entry.get("source"),
        document=entry.get("document"),
        acceptance=Acceptance(entry["acceptance"]) if "acceptance" in entry else None,
        status=Implementation(entry["status"]) if "status" in entry else None,
        target=entry.get("target"),
        target_reason=text.maybe(*at, "target_reason"),
        mandated_by=text.maybe(*at, "mandated_by"),
    )


def _tracker(text: _Texts, i: int, entries: list[dict]) -> tuple[Addressee, ...]:
    """A recommendation's addressees, each with its history, translated notes included."""
    return tuple(
        Addressee(
            item["addressee"],
            tuple(
                _assessment(text, "recommendations", i, "tracker", k, "history", j) for j in range(len(item["history"]))
            ),
        )
        for k, item in enumerate(entries)
    )


def _recommendations(source: Source, translations: Translations) -> list[Recommendation]:
    data = source.document.data
    text = _Texts(source, translations)
    return [
        Recommendation(
            id=r["id"],
            topic=data["topic"],
            audience=Audience(data["audience"]),
            title=text("recommendations", i, "title"),
            text=text("recommendations", i, "text"),
            rationale=text("recommendations", i, "rationale"),
            priority=Priority(r["priority"]),
            horizon=Horizon(r["horizon"]),
            status=Status(r["status"]),
            addresses=tuple(r["addresses"]),
            references=tuple(r.get("references", [])),
            related=tuple(r.get("related", [])),
            withdrawal_reason=text.maybe("recommendations", i, "withdrawal_reason"),
            superseded_by=r.get("superseded_by"),
            origin=_line(source, ("recommendations", i)),
            maps_to=tuple(
                ControlMapping(m["catalog"], m["control"], Relation(m["relation"])) for m in r.get("maps_to", [])
            ),
            priority_flag=bool(r.get("priority_flag", False)),
            tracker=_tracker(text, i, r.get("tracker", [])),
            edition=r.get("edition", 0),
            withdrawn_in=r.get("withdrawn_in"),
            revisions=tuple(
                Revision(
                    v["edition"],
                    text("recommendations", i, "revisions", n, "reason"),
                    _wording(text, "recommendations", i, "revisions", n, "earlier"),
                )
                for n, v in enumerate(r.get("revisions", []))
            ),
        )
        for i, r in enumerate(data["recommendations"])
    ]


def _with_editions(recommendation: Recommendation, first_edition: int) -> Recommendation:
    """The recommendation with its defaults filled in: made in its topic's first edition, and if withdrawn,
    withdrawn in the edition that made it."""
    edition = recommendation.edition or first_edition
    withdrawn_in = recommendation.withdrawn_in
    if recommendation.status is Status.WITHDRAWN and withdrawn_in is None:
        withdrawn_in = edition
    if (edition, withdrawn_in) == (recommendation.edition, recommendation.withdrawn_in):
        return recommendation
    return replace(recommendation, edition=edition, withdrawn_in=withdrawn_in)


def build_corpus(
    sources: Sequence[Source], catalogs: Sequence[Catalog] = (), translations: Translations | None = None
) -> Corpus:
    """The model of valid content: topics in session order, recommendations by topic, audience and number.

    `catalogs` are the imported control catalogs; `translations` gives each text its translations (see
    quaestio.content.translations).
    """
    found = translations or {}
    return corpus_of([file_model(s, found) for s in sources], catalogs)


@dataclass(frozen=True)
class FileModel:
    """The model values one valid content file gives on its own: its topic or its recommendations (before the
    defaults that depend on their topic), and the languages of their current translations."""

    topic: Topic | None
    recommendations: tuple[Recommendation, ...]
    languages: frozenset[Language]


def file_model(source: Source, translations: Translations) -> FileModel:
    """What one valid content file gives the model, its translations (by file, see `Translations`) included."""
    if source.file.kind is Kind.TOPIC:
        topic = _topic(source, translations)
        return FileModel(topic, (), _current_languages(topic, translations.get(source.file.path)))
    recommendations = tuple(_recommendations(source, translations))
    return FileModel(None, recommendations, _current_languages(recommendations, translations.get(source.file.path)))


def _current_languages(
    value: object, translated: Mapping[JsonPath, tuple[Translation, ...]] | None
) -> frozenset[Language]:
    if not translated:  # no text of the file has a translation
        return frozenset()
    return frozenset(t.language for text in texts_in(value) for t in text.translations if t.current)


def corpus_of(models: Sequence[FileModel], catalogs: Sequence[Catalog] = ()) -> Corpus:
    """The corpus of the files' model values (in the order the files were found), as `build_corpus` makes it."""
    topics = sorted(
        (m.topic for m in models if m.topic is not None),
        key=lambda t: (t.edition, t.session.number, t.id),
    )
    topic_order = {t.id: i for i, t in enumerate(topics)}
    first = {t.id: t.first_edition for t in topics}
    recommendations = [_with_editions(r, first.get(r.topic, 0)) for m in models for r in m.recommendations]
    recommendations.sort(
        key=lambda r: (topic_order.get(r.topic, len(topics)), list(Audience).index(r.audience), r.number)
    )
    found = frozenset().union(*(m.languages for m in models))
    languages = (SOURCE_LANGUAGE, *(language for language in Language if language in found))
    return Corpus(tuple(topics), tuple(recommendations), tuple(catalogs), languages)
