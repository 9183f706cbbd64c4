"""The follow-up figures the dashboard, the progress report and the open-session deck share.

Every figure counts the recommendations in force (adopted) by their rolled-up status, as the README's
roll-up rules say; the series counts, for each year, those in force that year by their status on 31
December (on the build's date for the current year).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property

from quaestio.content.editions import editions
from quaestio.content.model import Corpus, Recommendation, Text
from quaestio.content.tracker import RecommendationState, Tally, in_force, recommendation_state, tallies, tally
from quaestio.vocab import Acceptance, Audience, Implementation, Priority

RECENT = 12  # tracker entries listed as recent updates


@dataclass(frozen=True)
class Update:
    """One tracker entry as a recent update: when, which recommendation, which addressee, what it set."""

    date: str
    recommendation: Recommendation
    addressee: str
    status: Implementation | None
    note: Text  # in every language it is translated into
    source: str | None


@dataclass(frozen=True)
class FollowUpFigures:
    """Every follow-up figure of a corpus on a given day."""

    corpus: Corpus
    today: str

    @cached_property
    def states(self) -> tuple[RecommendationState, ...]:
        """The state of every recommendation in force, in corpus order."""
        return tuple(recommendation_state(r) for r in self.corpus.recommendations if in_force(r))

    @cached_property
    def total(self) -> Tally:
        return tally("all", self.states)

    @cached_property
    def by_audience(self) -> tuple[Tally, ...]:
        return tallies(self.states, lambda r: r.audience, tuple(Audience))

    @cached_property
    def by_priority(self) -> tuple[Tally, ...]:
        return tallies(self.states, lambda r: r.priority, tuple(Priority))

    @cached_property
    def by_topic(self) -> tuple[Tally, ...]:
        return tallies(self.states, lambda r: r.topic, [t.id for t in self.corpus.topics])

    @cached_property
    def by_edition(self) -> tuple[Tally, ...]:
        return tallies(self.states, lambda r: str(r.edition), [str(e) for e in editions(self.corpus)])

    @cached_property
    def flagged(self) -> Tally:
        return tally("priority recommendations", (s for s in self.states if s.recommendation.priority_flag))

    @cached_property
    def acceptance(self) -> tuple[tuple[Acceptance, int], ...]:
        answers = [s.acceptance for s in self.states]
        return tuple((a, answers.count(a)) for a in Acceptance)

    @cached_property
    def overdue(self) -> tuple[RecommendationState, ...]:
        """The recommendations in force with an addressee past its target date, the longest overdue first."""
        late = [s for s in self.states if s.overdue(self.today)]

        def since(state: RecommendationState) -> str:
            return min(a.target or "" for a in state.addressees if a.overdue(self.today))

        return tuple(sorted(late, key=lambda s: (since(s), s.recommendation.id)))

    @cached_property
    def mandated(self) -> tuple[RecommendationState, ...]:
        return tuple(s for s in self.states if s.mandated)

    @cached_property
    def untracked(self) -> int:
        """Recommendations in force with no addressee assessed yet."""
        return sum(1 for s in self.states if s.updated is None)

    @cached_property
    def years(self) -> tuple[int, ...]:
        """The years of the series: from the first edition to the build's year."""
        first = min(editions(self.corpus), default=int(self.today[:4]))
        return tuple(range(first, int(self.today[:4]) + 1))

    @cached_property
    def series(self) -> tuple[Tally, ...]:
        """For each year, the recommendations in force that year by their status at its end (or today)."""
        found = []
        for year in self.years:
            as_at = min(f"{year}-12-31", self.today)
            states = (recommendation_state(r, as_at) for r in self.corpus.recommendations if in_force(r, year))
            found.append(tally(str(year), states))
        return tuple(found)

    def recent(self, count: int = RECENT) -> tuple[Update, ...]:
        """The latest tracker entries, newest first."""
        updates = [
            Update(e.date, r, a.name, e.status, e.note, e.source)
            for r in self.corpus.recommendations
            for a in r.tracker
            for e in a.history
            if e.date <= self.today
        ]
        updates.sort(key=lambda u: (u.date, u.recommendation.id, u.addressee), reverse=True)
        return tuple(updates[:count])

    @cached_property
    def last_update(self) -> str | None:
        recent = self.recent(1)
        return recent[0].date if recent else None


def shares(
    tallied: Tally, statuses: Sequence[Implementation] = tuple(Implementation)
) -> list[tuple[Implementation, int, float]]:
    """Each status with its count and its share of the tally (0 when empty)."""
    total = tallied.total or 1
    return [(s, tallied.count(s), tallied.count(s) / total) for s in statuses]
