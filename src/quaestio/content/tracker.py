"""The implementation tracker: each addressee's state at a date, and the roll-up rules to a recommendation and a group.

An addressee's state is the sum of its history entries up to a date: the latest acceptance, status,
target date and legal obligation each entry set. The roll-up rules, written in the README and tested
one by one, then give a recommendation one status and one acceptance from its addressees', and count
recommendations per audience, topic, priority and edition.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from quaestio.content.model import Addressee, Recommendation, Text
from quaestio.vocab import Acceptance, Implementation, Status


@dataclass(frozen=True)
class TargetChange:
    """A target date as an entry set it, with why it replaced the previous one (None for the first)."""

    date: str
    target: str
    reason: Text | None


@dataclass(frozen=True)
class AddresseeState:
    """Where one addressee stands at a date."""

    name: str
    acceptance: Acceptance
    status: Implementation
    target: str | None
    targets: tuple[TargetChange, ...]
    mandated_by: Text | None
    updated: str | None

    def overdue(self, today: str) -> bool:
        """Whether the target date has passed and nothing closed the matter (implemented, not implemented,
        no longer relevant)."""
        return self.target is not None and self.target < today and not self.status.closed


def addressee_state(addressee: Addressee, as_at: str | None = None) -> AddresseeState:
    """The addressee's state after every history entry dated on or before as_at (all entries when None)."""
    acceptance, status = Acceptance.NO_RESPONSE, Implementation.OPEN
    target: str | None = None
    targets: list[TargetChange] = []
    mandated: Text | None = None
    updated: str | None = None
    for entry in addressee.history:
        if as_at is not None and entry.date > as_at:
            break
        acceptance = entry.acceptance or acceptance
        status = entry.status or status
        if entry.target is not None and entry.target != target:
            targets.append(TargetChange(entry.date, entry.target, entry.target_reason if targets else None))
            target = entry.target
        mandated = entry.mandated_by or mandated
        updated = entry.date
    return AddresseeState(addressee.name, acceptance, status, target, tuple(targets), mandated, updated)


# -- roll-up: from addressees to a recommendation ------------------------------------------------


def rollup_status(statuses: Sequence[Implementation]) -> Implementation:
    """One implementation status for a recommendation from its addressees' statuses (README, roll-up rules).

    1. No addressee: open.
    2. Every addressee no longer relevant: no longer relevant.
    3. Addressees no longer relevant are then left out, and every other one implemented: implemented.
    4. At least one implemented or partially implemented (and not all implemented): partially implemented.
    5. Every one not implemented: not implemented.
    6. At least one in progress: in progress.
    7. Otherwise: open.
    """
    if not statuses:
        return Implementation.OPEN
    relevant = [s for s in statuses if s is not Implementation.NO_LONGER_RELEVANT]
    if not relevant:
        return Implementation.NO_LONGER_RELEVANT
    if all(s is Implementation.IMPLEMENTED for s in relevant):
        return Implementation.IMPLEMENTED
    if any(s in (Implementation.IMPLEMENTED, Implementation.PARTIALLY_IMPLEMENTED) for s in relevant):
        return Implementation.PARTIALLY_IMPLEMENTED
    if all(s is Implementation.NOT_IMPLEMENTED for s in relevant):
        return Implementation.NOT_IMPLEMENTED
    if any(s is Implementation.IN_PROGRESS for s in relevant):
        return Implementation.IN_PROGRESS
    return Implementation.OPEN


def rollup_acceptance(answers: Sequence[Acceptance]) -> Acceptance:
    """One acceptance for a recommendation from its addressees' answers (README, roll-up rules).

    1. No addressee, or none has answered: no response.
    2. Every addressee accepted: accepted.
    3. Every addressee that answered did not accept: not accepted.
    4. Otherwise (a mix, or some accepted and some silent): partially accepted.
    """
    answered = [a for a in answers if a is not Acceptance.NO_RESPONSE]
    if not answered:
        return Acceptance.NO_RESPONSE
    if len(answered) == len(answers) and all(a is Acceptance.ACCEPTED for a in answered):
        return Acceptance.ACCEPTED
    if all(a is Acceptance.NOT_ACCEPTED for a in answered):
        return Acceptance.NOT_ACCEPTED
    return Acceptance.PARTIALLY_ACCEPTED


@dataclass(frozen=True)
class RecommendationState:
    """Where a recommendation stands at a date: its addressees' states and their roll-up."""

    recommendation: Recommendation
    addressees: tuple[AddresseeState, ...]
    status: Implementation
    acceptance: Acceptance
    as_at: str | None

    @property
    def mandated(self) -> bool:
        """Whether a law has made it mandatory for entities in its scope (recorded apart from its status)."""
        return any(a.mandated_by is not None for a in self.addressees)

    @property
    def updated(self) -> str | None:
        """The date of its latest assessment, if any."""
        return max((a.updated for a in self.addressees if a.updated), default=None)

    def overdue(self, today: str) -> bool:
        """Whether any addressee is past its target date with the matter still open."""
        return any(a.overdue(today) for a in self.addressees)


def recommendation_state(recommendation: Recommendation, as_at: str | None = None) -> RecommendationState:
    """The recommendation's state at a date (all entries when None), rolled up from its addressees."""
    states = tuple(addressee_state(a, as_at) for a in recommendation.tracker)
    return RecommendationState(
        recommendation,
        states,
        rollup_status([s.status for s in states]),
        rollup_acceptance([s.acceptance for s in states]),
        as_at,
    )


# -- roll-up: from recommendations to groups ---------------------------------------------------


def in_force(recommendation: Recommendation, year: int | None = None) -> bool:
    """Whether the tracker counts a recommendation: it is adopted (draft, proposed and withdrawn ones are
    not the coalition's advice). In a given year: made by then, and adopted now or withdrawn only later."""
    if year is None:
        return recommendation.status is Status.ADOPTED
    if recommendation.edition > year:
        return False
    if recommendation.status is Status.ADOPTED:
        return True
    withdrawn = recommendation.withdrawn_in
    return (
        recommendation.status is Status.WITHDRAWN
        and withdrawn is not None
        and recommendation.edition < withdrawn
        and year < withdrawn
    )


@dataclass(frozen=True)
class Tally:
    """How many recommendations of a group stand at each implementation status."""

    key: str
    counts: tuple[tuple[Implementation, int], ...]

    @property
    def total(self) -> int:
        return sum(n for _, n in self.counts)

    def count(self, status: Implementation) -> int:
        return dict(self.counts)[status]

    @property
    def implemented_share(self) -> float:
        """The share implemented among those still relevant (0 when none is)."""
        relevant = self.total - self.count(Implementation.NO_LONGER_RELEVANT)
        return self.count(Implementation.IMPLEMENTED) / relevant if relevant else 0.0


def tally(key: str, states: Iterable[RecommendationState]) -> Tally:
    """Count states by implementation status; every status is listed, zeros included."""
    statuses = [s.status for s in states]
    return Tally(key, tuple((status, statuses.count(status)) for status in Implementation))


def tallies(
    states: Sequence[RecommendationState], group: Callable[[Recommendation], str], keys: Sequence[str]
) -> tuple[Tally, ...]:
    """One tally per group key, in the order of keys (each recommendation counted once, in its group)."""
    return tuple(tally(key, (s for s in states if group(s.recommendation) == key)) for key in keys)
