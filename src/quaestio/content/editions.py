"""Editions: the corpus as each year's edition published it, and what each edition changed.

An edition is a year of working sessions. A topic belongs to every edition in which it had a session
(its `edition` and its `earlier_editions`); a recommendation is made in one edition, may be revised in
later editions of its topic (the earlier wording kept) and withdrawn in any later one. `snapshot`
rebuilds the corpus as an edition published it, so that the same report and page templates serve
every edition; `changelog` lists what each edition added, revised, withdrew, superseded and carried
over, and which tracker entries it brought.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from quaestio.content.model import Assessment, Corpus, Recommendation, Revision, Text, Topic
from quaestio.content.words import word_diff
from quaestio.vocab import Audience, Status

WORDING_FIELDS = ("title", "text", "rationale", "priority", "horizon")


def editions(corpus: Corpus) -> tuple[int, ...]:
    """Every edition of the corpus, oldest first."""
    return tuple(sorted({e for t in corpus.topics for e in t.editions}))


def current_edition(corpus: Corpus) -> int:
    """The latest edition: the one the website presents at the top level."""
    return max(editions(corpus), default=0)


def closing_date(corpus: Corpus, edition: int) -> str | None:
    """The last day an edition's snapshot records tracker entries for; None for the current edition, which
    keeps every entry."""
    return None if edition >= current_edition(corpus) else f"{edition}-12-31"


def topic_as_of(topic: Topic, edition: int) -> Topic | None:
    """The topic as its session of that edition left it, or None when it had no session in that edition."""
    challenges = tuple(c for c in topic.challenges if (c.edition or topic.first_edition) <= edition)
    if edition == topic.edition:
        return topic if len(challenges) == len(topic.challenges) else replace(topic, challenges=challenges)
    earlier = next((e for e in topic.earlier if e.edition == edition), None)
    if earlier is None:
        return None
    return replace(
        topic,
        edition=edition,
        session=earlier.session,
        status_quaestionis=earlier.status_quaestionis,
        challenges=challenges,
        earlier=tuple(e for e in topic.earlier if e.edition < edition),
        closed=None,
    )


def wording_as_of(recommendation: Recommendation, edition: int) -> Recommendation:
    """The recommendation worded as it stood in an edition: revisions made after it are undone."""
    worded = recommendation
    for revision in reversed(recommendation.revisions):
        if revision.edition <= edition:
            break
        earlier = {name: getattr(revision.earlier, name) for name in WORDING_FIELDS}
        worded = replace(worded, **{k: v for k, v in earlier.items() if v is not None})
    kept = tuple(r for r in recommendation.revisions if r.edition <= edition)
    return worded if kept == recommendation.revisions else replace(worded, revisions=kept)


def in_edition(recommendation: Recommendation, edition: int) -> bool:
    """Whether an edition's report lists the recommendation: made by then, and not withdrawn before it
    (one withdrawn in that very edition is listed as withdrawn)."""
    if recommendation.edition > edition:
        return False
    return recommendation.withdrawn_in is None or recommendation.withdrawn_in >= edition


def recommendation_as_of(recommendation: Recommendation, edition: int, until: str | None) -> Recommendation:
    """The recommendation as an edition published it: its wording then, adopted if withdrawn only later,
    and its tracker entries up to `until` (all when None)."""
    worded = wording_as_of(recommendation, edition)
    if recommendation.withdrawn_in is not None and recommendation.withdrawn_in > edition:
        worded = replace(worded, status=Status.ADOPTED, withdrawal_reason=None, superseded_by=None, withdrawn_in=None)
    if until is not None and any(e.date > until for a in worded.tracker for e in a.history):
        worded = replace(
            worded,
            tracker=tuple(replace(a, history=tuple(e for e in a.history if e.date <= until)) for a in worded.tracker),
        )
    return worded


def snapshot(corpus: Corpus, edition: int) -> Corpus:
    """The corpus as an edition published it: its topics as their sessions that year left them, and the
    recommendations of those topics as they then stood."""
    topics = topics_in(corpus, edition)
    order = {t.id: i for i, t in enumerate(topics)}
    until = closing_date(corpus, edition)
    recommendations = sorted(
        (recommendation_as_of(r, edition, until) for r in corpus.recommendations if r.topic in order),
        key=lambda r: (order[r.topic], list(Audience).index(r.audience), r.number),
    )
    return Corpus(topics, tuple(r for r in recommendations if in_edition(r, edition)), corpus.catalogs)


def state_of(corpus: Corpus, edition: int) -> Corpus:
    """Everything in force at an edition, as its compendium presents it: every topic opened by then and not
    closed, each as its latest session up to that edition left it, and every recommendation made by then as
    it then stood (withdrawn ones too: reports list them apart)."""
    topics = []
    for topic in corpus.topics:
        held = [e for e in topic.editions if e <= edition]
        if held and not (topic.closed is not None and topic.closed.edition <= edition):
            shown = topic_as_of(topic, max(held))
            if shown is not None:
                topics.append(shown)
    topics.sort(key=lambda t: (t.edition, t.session.number, t.id))
    order = {t.id: i for i, t in enumerate(topics)}
    until = closing_date(corpus, edition)
    recommendations = sorted(
        (
            recommendation_as_of(r, edition, until)
            for r in corpus.recommendations
            if r.topic in order and r.edition <= edition
        ),
        key=lambda r: (order[r.topic], list(Audience).index(r.audience), r.number),
    )
    return Corpus(tuple(topics), tuple(recommendations), corpus.catalogs, corpus.languages)


def topics_in(corpus: Corpus, edition: int) -> tuple[Topic, ...]:
    """The topics with a session in an edition, as that session left them, in the order of the sessions."""
    found = (t for t in (topic_as_of(t, edition) for t in corpus.topics) if t is not None)
    return tuple(sorted(found, key=lambda t: (t.session.number, t.id)))


# -- the changelog -------------------------------------------------------------------------------


@dataclass(frozen=True)
class FieldChange:
    """One field a revision changed: before, after, and for texts the word-level difference."""

    field: str
    before: str
    after: str
    words: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Revised:
    """A recommendation an edition revised, worded as that edition left it."""

    recommendation: Recommendation
    revision: Revision
    changes: tuple[FieldChange, ...]


@dataclass(frozen=True)
class TrackerUpdate:
    """One tracker entry, with the recommendation and addressee it belongs to."""

    recommendation: Recommendation
    addressee: str
    entry: Assessment


@dataclass(frozen=True)
class EditionLog:
    """What one edition changed."""

    edition: int
    date: str
    topics: tuple[Topic, ...]
    added: tuple[Recommendation, ...]
    revised: tuple[Revised, ...]
    withdrawn: tuple[Recommendation, ...]
    carried_over: tuple[Recommendation, ...]
    follow_up: tuple[TrackerUpdate, ...]

    @property
    def superseded(self) -> tuple[Recommendation, ...]:
        return tuple(r for r in self.withdrawn if r.superseded_by)


def _plain(value: object) -> str:
    return value.en if isinstance(value, Text) else str(value)


def field_changes(before: Recommendation, after: Recommendation) -> tuple[FieldChange, ...]:
    """The wording fields that differ between two versions of a recommendation (texts by their words)."""
    found = []
    for name in WORDING_FIELDS:
        old, new = _plain(getattr(before, name)), _plain(getattr(after, name))
        if old.split() == new.split():
            continue
        words = word_diff(old, new) if name in ("title", "text", "rationale") else ()
        found.append(FieldChange(name, old, new, words))
    return tuple(found)


def session_date(corpus: Corpus, topic_id: str, edition: int) -> str:
    """The date of a topic's session in an edition, else the date of that edition's last session."""
    topic = corpus.topic_by_id.get(topic_id)
    seen = topic_as_of(topic, edition) if topic is not None else None
    if seen is not None:
        return seen.session.date
    return edition_date(corpus, edition)


def edition_date(corpus: Corpus, edition: int) -> str:
    """The date of an edition's last working session (its publication, for the feed)."""
    dates = [t.session.date for t in (topic_as_of(t, edition) for t in corpus.topics) if t is not None]
    return max(dates, default=f"{edition}-12-31")


def _updates(corpus: Corpus, start: str, end: str | None) -> tuple[TrackerUpdate, ...]:
    found = [
        TrackerUpdate(r, a.name, e)
        for r in corpus.recommendations
        for a in r.tracker
        for e in a.history
        if e.date >= start and (end is None or e.date < end)
    ]
    return tuple(sorted(found, key=lambda u: (u.entry.date, u.recommendation.id, u.addressee)))


def edition_log(corpus: Corpus, edition: int, following: int | None) -> EditionLog:
    """What an edition changed; `following` is the next edition (None for the current one)."""
    topics = topics_in(corpus, edition)
    revisited = {t.id for t in topics}
    added, revised, withdrawn, carried = [], [], [], []
    order = {t.id: i for i, t in enumerate(topics)}
    ranked = sorted(
        corpus.recommendations,
        key=lambda r: (order.get(r.topic, len(order)), list(Audience).index(r.audience), r.number),
    )
    for r in ranked:
        if r.edition == edition and (r.withdrawn_in is None or r.withdrawn_in > edition):
            added.append(wording_as_of(r, edition))
        elif r.withdrawn_in == edition and r.edition < edition:
            withdrawn.append(r)
        elif r.edition < edition and in_edition(r, edition) and r.topic in revisited:
            revision = next((v for v in r.revisions if v.edition == edition), None)
            if revision is None:
                carried.append(wording_as_of(r, edition))
            else:
                before = wording_as_of(r, edition - 1)
                after = wording_as_of(r, edition)
                revised.append(Revised(after, revision, field_changes(before, after)))
    end = f"{following}-01-01" if following is not None else None
    return EditionLog(
        edition,
        edition_date(corpus, edition),
        topics,
        tuple(added),
        tuple(revised),
        tuple(withdrawn),
        tuple(carried),
        _updates(corpus, f"{edition}-01-01", end),
    )


def changelog(corpus: Corpus) -> tuple[EditionLog, ...]:
    """What every edition changed, newest first."""
    years: Sequence[int] = editions(corpus)
    logs = [edition_log(corpus, year, years[i + 1] if i + 1 < len(years) else None) for i, year in enumerate(years)]
    return tuple(reversed(logs))
