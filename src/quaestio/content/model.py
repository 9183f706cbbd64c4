"""The content model: immutable topics, challenges, references and recommendations built from valid sources."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from functools import cached_property

from quaestio.content.catalogs import Catalog, Control
from quaestio.content.layout import Kind
from quaestio.content.load import Source
from quaestio.vocab import (
    TRANSLATIONS,
    Acceptance,
    Audience,
    Horizon,
    Implementation,
    Priority,
    ReferenceKind,
    Relation,
    Status,
)


@dataclass(frozen=True)
class Text:
    """A human-readable text in English, with any translations."""

    en: str
    translations: tuple[tuple[str, str], ...] = ()

    def __str__(self) -> str:
        return self.en

    def get(self, language: str) -> str:
        """The text in a language, falling back to English."""
        return dict(self.translations).get(language, self.en)

    @classmethod
    def of(cls, value: object) -> Text:
        if isinstance(value, dict):
            others = tuple((k.value, value[k]) for k in TRANSLATIONS if k in value)
            return cls(value["en"], others)
        return cls(str(value))

    @classmethod
    def maybe(cls, value: object) -> Text | None:
        return None if value is None else cls.of(value)


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


@dataclass(frozen=True)
class GlossaryEntry:
    term: str
    expansion: Text
    definition: Text | None


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

    def recommendations_for(self, topic: str | None = None, audience: str | None = None) -> tuple[Recommendation, ...]:
        """The recommendations of a topic and/or to an audience, in topic, audience and number order."""
        return tuple(
            r
            for r in self.recommendations
            if (topic is None or r.topic == topic) and (audience is None or r.audience == audience)
        )

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

    def addressing(self, challenge_id: str) -> tuple[Recommendation, ...]:
        """Recommendations that address a challenge."""
        return tuple(r for r in self.recommendations if challenge_id in r.addresses)


def _line(source: Source, path: tuple) -> Origin:
    return Origin(source.file.path, source.at(path)[0])


def _session(session: dict) -> Session:
    return Session(
        number=session["number"],
        date=session["date"],
        venue=Text.of(session["venue"]),
        chairs=tuple(Chair(Text.of(c["name"]), Text.maybe(c.get("affiliation"))) for c in session["chairs"]),
        organisations=tuple(Text.of(o) for o in session["organisations"]),
    )


def _topic(source: Source) -> Topic:
    data = source.document.data
    closed = data.get("closed")
    return Topic(
        id=data["id"],
        code=data["code"],
        title=Text.of(data["title"]),
        summary=Text.of(data["summary"]),
        edition=data["edition"],
        session=_session(data["session"]),
        status_quaestionis=Text.of(data["status_quaestionis"]),
        challenges=tuple(
            Challenge(
                c["id"],
                data["id"],
                Text.of(c["title"]),
                Text.of(c["description"]),
                _line(source, ("challenges", i)),
                c.get("edition"),
            )
            for i, c in enumerate(data["challenges"])
        ),
        references=tuple(
            Reference(r["id"], Text.of(r["title"]), r["author"], r["year"], r.get("url"), ReferenceKind(r["kind"]))
            for r in data["references"]
        ),
        glossary=tuple(
            GlossaryEntry(g["term"], Text.of(g["expansion"]), Text.maybe(g.get("definition")))
            for g in data.get("glossary", [])
        ),
        origin=_line(source, ()),
        earlier=tuple(
            TopicEdition(e["edition"], _session(e["session"]), Text.of(e["status_quaestionis"]))
            for e in data.get("earlier_editions", [])
        ),
        closed=Closure(closed["edition"], Text.of(closed["reason"])) if closed else None,
    )


def _wording(earlier: dict) -> Wording:
    return Wording(
        title=Text.maybe(earlier.get("title")),
        text=Text.maybe(earlier.get("text")),
        rationale=Text.maybe(earlier.get("rationale")),
        priority=Priority(earlier["priority"]) if "priority" in earlier else None,
        horizon=Horizon(earlier["horizon"]) if "horizon" in earlier else None,
    )


def _assessment(entry: dict) -> Assessment:
    return Assessment(
        date=entry["date"],
        note=Text.of(entry["note"]),
        assessor=entry["assessor"],
        source=entry.get("source"),
        document=entry.get("document"),
        acceptance=Acceptance(entry["acceptance"]) if "acceptance" in entry else None,
        status=Implementation(entry["status"]) if "status" in entry else None,
        target=entry.get("target"),
        target_reason=Text.maybe(entry.get("target_reason")),
        mandated_by=Text.maybe(entry.get("mandated_by")),
    )


def _addressee(item: dict) -> Addressee:
    return Addressee(item["addressee"], tuple(_assessment(e) for e in item["history"]))


def _recommendations(source: Source) -> list[Recommendation]:
    data = source.document.data
    return [
        Recommendation(
            id=r["id"],
            topic=data["topic"],
            audience=Audience(data["audience"]),
            title=Text.of(r["title"]),
            text=Text.of(r["text"]),
            rationale=Text.of(r["rationale"]),
            priority=Priority(r["priority"]),
            horizon=Horizon(r["horizon"]),
            status=Status(r["status"]),
            addresses=tuple(r["addresses"]),
            references=tuple(r.get("references", [])),
            related=tuple(r.get("related", [])),
            withdrawal_reason=Text.maybe(r.get("withdrawal_reason")),
            superseded_by=r.get("superseded_by"),
            origin=_line(source, ("recommendations", i)),
            maps_to=tuple(
                ControlMapping(m["catalog"], m["control"], Relation(m["relation"])) for m in r.get("maps_to", [])
            ),
            priority_flag=bool(r.get("priority_flag", False)),
            tracker=tuple(_addressee(a) for a in r.get("tracker", [])),
            edition=r.get("edition", 0),
            withdrawn_in=r.get("withdrawn_in"),
            revisions=tuple(
                Revision(v["edition"], Text.of(v["reason"]), _wording(v["earlier"])) for v in r.get("revisions", [])
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


def build_corpus(sources: Sequence[Source], catalogs: Sequence[Catalog] = ()) -> Corpus:
    """The model of valid content: topics in session order, recommendations by topic, audience and number."""
    topics = sorted(
        (_topic(s) for s in sources if s.file.kind is Kind.TOPIC), key=lambda t: (t.edition, t.session.number, t.id)
    )
    topic_order = {t.id: i for i, t in enumerate(topics)}
    first = {t.id: t.first_edition for t in topics}
    recommendations = [
        _with_editions(r, first.get(r.topic, 0))
        for s in sources
        if s.file.kind is Kind.RECOMMENDATIONS
        for r in _recommendations(s)
    ]
    recommendations.sort(
        key=lambda r: (topic_order.get(r.topic, len(topics)), list(Audience).index(r.audience), r.number)
    )
    return Corpus(tuple(topics), tuple(recommendations), tuple(catalogs))
