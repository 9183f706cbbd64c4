"""Rules of the yearly cycle: each one broken by a small change to the fixture repository."""

from __future__ import annotations

PUBLIC = "recommendations/alpha/public.yaml"

TRACKER = """    tracker:
      - addressee: Centre for Cyber Security Belgium (CCB)
        history:
          - date: 2016-01-10
            acceptance: accepted
            status: in progress
            target: 2017-06-30
            note: The CCB accepted the recommendation.
            source: https://ccb.belgium.be/en
            assessor: Alpha working group
          - date: 2017-05-01
            target: 2018-06-30
            target_reason: The law it waited for was adopted late.
            note: The CCB moved its target date.
            document: Letter of the CCB to the coalition, 1 May 2017
            assessor: Alpha working group
      - addressee: BIPT
        history: []
"""


def tracked(repo):
    repo.replace(PUBLIC, "    references: [dir-2013-40]\n", "    references: [dir-2013-40]\n" + TRACKER)
    return repo


def test_a_tracker_with_addressees_and_dated_evidence_is_clean(repo):
    assert tracked(repo).codes() == []


def test_an_addressee_named_twice(repo):
    tracked(repo).replace(PUBLIC, "- addressee: BIPT", "- addressee: centre for cyber security belgium (CCB)")
    assert repo.codes() == [(PUBLIC, 29, 20, "duplicate-addressee")]


def test_history_must_be_oldest_first(repo):
    tracked(repo).replace(PUBLIC, "date: 2017-05-01", "date: 2015-05-01")
    assert repo.codes() == [(PUBLIC, 23, 19, "history-order")]


def test_every_entry_needs_evidence(repo):
    tracked(repo).replace(PUBLIC, "            document: Letter of the CCB to the coalition, 1 May 2017\n", "")
    assert repo.codes() == [(PUBLIC, 23, 13, "missing-evidence")]


def test_a_moved_target_date_needs_a_reason(repo):
    tracked(repo).replace(PUBLIC, "            target_reason: The law it waited for was adopted late.\n", "")
    (finding,) = repo.findings()
    assert (finding.line, finding.code) == (24, "target-reason")
    assert "2017-06-30 to 2018-06-30" in finding.message


def test_a_reason_without_a_new_target_date(repo):
    tracked(repo).replace(PUBLIC, "            target: 2018-06-30\n", "")
    assert repo.codes() == [(PUBLIC, 24, 28, "target-reason")]


def test_tracker_source_must_be_a_web_address(repo):
    tracked(repo).replace(PUBLIC, "source: https://ccb.belgium.be/en", "source: javascript:alert(1)")
    assert repo.codes() == [(PUBLIC, 21, 21, "url-scheme")]


def test_unknown_status_is_refused_with_a_suggestion(repo):
    tracked(repo).replace(PUBLIC, "status: in progress\n            target", "status: in-progress\n            target")
    (finding,) = repo.findings()
    assert finding.code == "invalid-value" and "in progress" in finding.hint
