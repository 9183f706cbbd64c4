"""The implementation tracker: an addressee's state at a date, and every roll-up rule of the README, one test each."""

from __future__ import annotations

import dataclasses

import pytest

from quaestio.content.model import Addressee, Assessment, Text
from quaestio.content.tracker import (
    addressee_state,
    recommendation_state,
    rollup_acceptance,
    rollup_status,
    tallies,
    tally,
)
from quaestio.pipeline import check
from quaestio.vocab import Acceptance, Implementation
from support.paths import MINIMAL

A = Acceptance
I = Implementation  # noqa: E741 - short names keep the rules readable


def entry(date: str, **fields) -> Assessment:
    return Assessment(date, Text("Something happened."), "Test working group", source="https://example.org/", **fields)


@pytest.fixture(scope="module")
def recommendation():
    corpus = check(MINIMAL).corpus
    assert corpus is not None
    return corpus.recommendation_by_id["ALP-PUB-01"]


# -- one addressee -------------------------------------------------------------------------------


def test_an_addressee_without_history_is_open_with_no_response():
    state = addressee_state(Addressee("CCB"))
    assert (state.acceptance, state.status, state.target, state.updated) == (A.NO_RESPONSE, I.OPEN, None, None)


def test_each_entry_changes_only_what_it_sets():
    history = (
        entry("2016-01-10", acceptance=A.ACCEPTED, status=I.IN_PROGRESS, target="2017-06-30"),
        entry("2017-03-01", mandated_by=Text("Law of 7 April 2019")),
        entry("2018-02-01", status=I.IMPLEMENTED),
    )
    state = addressee_state(Addressee("CCB", history))
    assert state.acceptance is A.ACCEPTED
    assert state.status is I.IMPLEMENTED
    assert state.target == "2017-06-30"
    assert str(state.mandated_by) == "Law of 7 April 2019"
    assert state.updated == "2018-02-01"


def test_the_state_at_a_date_ignores_later_entries():
    history = (entry("2016-01-10", status=I.IN_PROGRESS), entry("2018-02-01", status=I.IMPLEMENTED))
    assert addressee_state(Addressee("CCB", history), "2017-12-31").status is I.IN_PROGRESS


def test_moved_target_dates_keep_their_reasons():
    history = (
        entry("2016-01-10", target="2017-06-30"),
        entry("2017-05-01", target="2018-06-30", target_reason=Text("The law was adopted late.")),
    )
    state = addressee_state(Addressee("CCB", history))
    assert [(t.target, str(t.reason) if t.reason else None) for t in state.targets] == [
        ("2017-06-30", None),
        ("2018-06-30", "The law was adopted late."),
    ]
    assert state.target == "2018-06-30"


def test_overdue_means_target_passed_and_matter_still_open():
    late = addressee_state(Addressee("CCB", (entry("2016-01-10", status=I.IN_PROGRESS, target="2017-06-30"),)))
    assert late.overdue("2017-07-01") and not late.overdue("2017-06-30")
    done = addressee_state(Addressee("CCB", (entry("2016-01-10", status=I.IMPLEMENTED, target="2017-06-30"),)))
    assert not done.overdue("2020-01-01")
    refused = addressee_state(Addressee("CCB", (entry("2016-01-10", status=I.NOT_IMPLEMENTED, target="2017-06-30"),)))
    assert not refused.overdue("2020-01-01")


def test_a_law_making_it_mandatory_is_not_implementation():
    state = addressee_state(Addressee("Companies", (entry("2019-04-07", mandated_by=Text("NIS law")),)))
    assert state.status is I.OPEN and state.mandated_by is not None


# -- roll-up of implementation status, rule by rule ------------------------------------------------


def test_status_rule_1_no_addressee_is_open():
    assert rollup_status([]) is I.OPEN


def test_status_rule_2_all_no_longer_relevant():
    assert rollup_status([I.NO_LONGER_RELEVANT, I.NO_LONGER_RELEVANT]) is I.NO_LONGER_RELEVANT


def test_status_rule_3_implemented_only_when_every_relevant_addressee_implemented():
    assert rollup_status([I.IMPLEMENTED, I.IMPLEMENTED]) is I.IMPLEMENTED
    assert rollup_status([I.IMPLEMENTED, I.NO_LONGER_RELEVANT]) is I.IMPLEMENTED
    assert rollup_status([I.IMPLEMENTED, I.IN_PROGRESS]) is not I.IMPLEMENTED


def test_status_rule_4_some_implemented_is_partially_implemented():
    assert rollup_status([I.IMPLEMENTED, I.OPEN]) is I.PARTIALLY_IMPLEMENTED
    assert rollup_status([I.PARTIALLY_IMPLEMENTED, I.NOT_IMPLEMENTED]) is I.PARTIALLY_IMPLEMENTED
    assert rollup_status([I.PARTIALLY_IMPLEMENTED]) is I.PARTIALLY_IMPLEMENTED


def test_status_rule_5_every_addressee_not_implemented():
    assert rollup_status([I.NOT_IMPLEMENTED, I.NOT_IMPLEMENTED, I.NO_LONGER_RELEVANT]) is I.NOT_IMPLEMENTED


def test_status_rule_6_any_in_progress():
    assert rollup_status([I.IN_PROGRESS, I.NOT_IMPLEMENTED]) is I.IN_PROGRESS
    assert rollup_status([I.OPEN, I.IN_PROGRESS]) is I.IN_PROGRESS


def test_status_rule_7_otherwise_open():
    assert rollup_status([I.OPEN, I.NOT_IMPLEMENTED]) is I.OPEN


# -- roll-up of acceptance, rule by rule ------------------------------------------------------------


def test_acceptance_rule_1_nobody_answered():
    assert rollup_acceptance([]) is A.NO_RESPONSE
    assert rollup_acceptance([A.NO_RESPONSE, A.NO_RESPONSE]) is A.NO_RESPONSE


def test_acceptance_rule_2_every_addressee_accepted():
    assert rollup_acceptance([A.ACCEPTED, A.ACCEPTED]) is A.ACCEPTED


def test_acceptance_rule_3_every_answer_a_refusal():
    assert rollup_acceptance([A.NOT_ACCEPTED, A.NO_RESPONSE]) is A.NOT_ACCEPTED


def test_acceptance_rule_4_otherwise_partially_accepted():
    assert rollup_acceptance([A.ACCEPTED, A.NO_RESPONSE]) is A.PARTIALLY_ACCEPTED
    assert rollup_acceptance([A.ACCEPTED, A.NOT_ACCEPTED]) is A.PARTIALLY_ACCEPTED
    assert rollup_acceptance([A.PARTIALLY_ACCEPTED]) is A.PARTIALLY_ACCEPTED


# -- a recommendation, and groups of them -----------------------------------------------------------


def test_a_recommendation_rolls_up_its_addressees(recommendation):
    tracked = dataclasses.replace(
        recommendation,
        tracker=(
            Addressee("CCB", (entry("2017-01-01", acceptance=A.ACCEPTED, status=I.IMPLEMENTED),)),
            Addressee("BIPT", (entry("2017-12-14", acceptance=A.ACCEPTED, status=I.IN_PROGRESS, target="2018-06-30"),)),
        ),
    )
    state = recommendation_state(tracked)
    assert (state.status, state.acceptance, state.updated) == (I.PARTIALLY_IMPLEMENTED, A.ACCEPTED, "2017-12-14")
    assert state.overdue("2019-01-01") and not state.overdue("2018-01-01")
    assert recommendation_state(tracked, "2017-06-30").status is I.PARTIALLY_IMPLEMENTED
    assert recommendation_state(tracked, "2016-12-31").status is I.OPEN


def test_group_tallies_count_each_recommendation_once_in_its_group(recommendation):
    done = dataclasses.replace(
        recommendation, tracker=(Addressee("CCB", (entry("2017-01-01", status=I.IMPLEMENTED),)),)
    )
    states = [recommendation_state(done), recommendation_state(recommendation)]
    (group,) = tallies(states, lambda r: r.audience, ["public"])
    assert group.total == 2 and group.count(I.IMPLEMENTED) == 1 and group.count(I.OPEN) == 1
    assert group.implemented_share == 0.5
    assert [status for status, _ in tally("x", []).counts] == list(Implementation)
