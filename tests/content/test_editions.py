"""Editions: each edition's snapshot of the corpus, what each changed, and the rules that keep editions in order."""

from __future__ import annotations

import shutil

import pytest

from quaestio.cli import main
from quaestio.content.editions import changelog, current_edition, editions, snapshot, wording_as_of
from quaestio.content.tracker import in_force
from quaestio.pipeline import check
from support.paths import FIXTURES

EDITIONS = FIXTURES / "editions"
PUBLIC = "recommendations/alpha/public.yaml"
TOPIC = "topics/alpha.yaml"


@pytest.fixture(scope="module")
def corpus():
    result = check(EDITIONS)
    assert result.findings == () and result.corpus is not None
    return result.corpus


@pytest.fixture
def repo2(tmp_path):
    from conftest import Repo

    root = tmp_path / "repo"
    shutil.copytree(EDITIONS, root)
    return Repo(root)


def test_editions_are_the_years_of_the_sessions(corpus):
    assert editions(corpus) == (2015, 2016)
    assert current_edition(corpus) == 2016
    alpha = corpus.topic_by_id["alpha"]
    assert (alpha.editions, alpha.first_edition) == ((2015, 2016), 2015)


def test_recommendations_default_to_their_topics_first_edition(corpus):
    by_id = corpus.recommendation_by_id
    assert (by_id["ALP-PUB-01"].edition, by_id["ALP-PUB-03"].edition, by_id["BET-ACA-01"].edition) == (2015, 2016, 2015)
    assert by_id["ALP-PUB-02"].withdrawn_in == 2016


def test_the_2015_snapshot_shows_the_topics_and_wording_of_2015(corpus):
    old = snapshot(corpus, 2015)
    assert [t.id for t in old.topics] == ["alpha", "beta"]
    alpha = old.topic_by_id["alpha"]
    assert (alpha.edition, alpha.session.date) == (2015, "2015-03-12")
    assert "still a proposal" in alpha.status_quaestionis.en
    assert [c.id for c in alpha.challenges] == ["ALP-C1", "ALP-C2"]  # ALP-C3 came in 2016
    ids = [r.id for r in old.recommendations]
    assert ids == ["ALP-BUS-01", "ALP-PUB-01", "ALP-PUB-02", "BET-ACA-01"]
    funded = old.recommendation_by_id["ALP-PUB-01"]
    assert (funded.title.en, funded.priority, funded.revisions) == ("Fund the first challenge", "medium", ())
    register = old.recommendation_by_id["ALP-PUB-02"]
    assert (register.status, register.superseded_by, register.withdrawal_reason) == ("adopted", None, None)
    # A past edition records the tracker as it stood at the end of its year.
    assert [e.date for a in funded.tracker for e in a.history] == ["2015-09-01"]


def test_the_current_snapshot_has_only_the_current_topics_with_every_tracker_entry(corpus):
    new = snapshot(corpus, 2016)
    assert [t.id for t in new.topics] == ["alpha"]
    ids = [r.id for r in new.recommendations]
    assert ids == ["ALP-BUS-01", "ALP-BUS-02", "ALP-PUB-01", "ALP-PUB-02", "ALP-PUB-03"]
    assert new.recommendation_by_id["ALP-PUB-02"].status == "withdrawn"
    funded = new.recommendation_by_id["ALP-PUB-01"]
    assert funded.title.en.startswith("Fund the national CSIRT") and funded.priority == "high"
    assert [e.date for e in funded.tracker[0].history][-1] == "2018-07-01"


def test_earlier_wording_is_kept_and_restored_field_by_field(corpus):
    current = corpus.recommendation_by_id["ALP-PUB-01"]
    earlier = wording_as_of(current, 2015)
    assert earlier.text.en == "Authorities should fund the first challenge."
    assert earlier.rationale == current.rationale  # not revised
    assert wording_as_of(current, 2016) is current


def test_the_changelog_lists_added_revised_withdrawn_superseded_carried_over_and_follow_up(corpus):
    new, old = changelog(corpus)
    assert (new.edition, old.edition) == (2016, 2015)
    assert [r.id for r in new.added] == ["ALP-BUS-02", "ALP-PUB-03"]
    assert [r.recommendation.id for r in new.revised] == ["ALP-PUB-01"]
    changes = {c.field: c for c in new.revised[0].changes}
    assert set(changes) == {"title", "text", "priority"}
    assert ("delete", " first challenge") in changes["text"].words
    assert (changes["priority"].before, changes["priority"].after) == ("medium", "high")
    assert [r.id for r in new.withdrawn] == ["ALP-PUB-02"] and [r.id for r in new.superseded] == ["ALP-PUB-02"]
    assert [r.id for r in new.carried_over] == ["ALP-BUS-01"]
    assert [u.entry.date for u in new.follow_up] == [
        "2016-02-01",
        "2016-05-01",
        "2017-09-01",
        "2018-07-01",
        "2019-04-07",
        "2019-04-07",
    ]
    assert [r.id for r in old.added] == ["ALP-BUS-01", "ALP-PUB-01", "ALP-PUB-02", "BET-ACA-01"]
    assert [u.entry.date for u in old.follow_up] == ["2015-09-01"]
    assert new.date == "2016-10-20"


def test_a_recommendation_counts_in_the_years_it_was_in_force(corpus):
    by_id = corpus.recommendation_by_id
    assert in_force(by_id["ALP-PUB-02"], 2015) and not in_force(by_id["ALP-PUB-02"], 2016)
    assert not in_force(by_id["ALP-PUB-03"], 2015) and in_force(by_id["ALP-PUB-03"], 2016)
    assert not in_force(by_id["ALP-PUB-02"])


# -- rules -----------------------------------------------------------------------------------------


def test_the_editions_fixture_is_clean(repo2):
    assert repo2.codes() == []


def test_a_recommendation_dated_in_an_edition_its_topic_had_no_session_in(repo2):
    repo2.replace(PUBLIC, "    edition: 2016\n", "    edition: 2017\n")
    (finding,) = repo2.findings()
    assert (finding.code, finding.hint) == ("unknown-edition", "use one of 2015, 2016")


def test_a_revision_must_follow_the_edition_that_made_it(repo2):
    repo2.replace(PUBLIC, "      - edition: 2016\n        reason:", "      - edition: 2015\n        reason:")
    assert [f.code for f in repo2.findings()] == ["edition-order"]


def test_withdrawn_in_needs_a_withdrawal_and_a_known_edition(repo2):
    repo2.replace(
        PUBLIC, "    status: withdrawn\n    withdrawn_in: 2016", "    status: withdrawn\n    withdrawn_in: 2019"
    )
    assert [f.code for f in repo2.findings()] == ["unknown-edition"]
    repo2.replace(
        PUBLIC, "    status: withdrawn\n    withdrawn_in: 2019", "    status: adopted\n    withdrawn_in: 2016"
    )
    assert "withdrawn-in" in [f.code for f in repo2.findings()]


def test_earlier_editions_come_before_the_current_one_and_closure_after(repo2):
    repo2.replace(TOPIC, "  - edition: 2015\n    session:", "  - edition: 2016\n    session:")
    assert "edition-order" in [f.code for f in repo2.findings()]


def test_a_closure_before_the_last_session(repo2):
    repo2.replace(
        TOPIC, "edition: 2016\nsession:", "edition: 2016\nclosed:\n  edition: 2015\n  reason: Merged.\nsession:"
    )
    assert [(f.code, f.line) for f in repo2.findings()] == [("edition-order", 8)]


def test_a_challenge_dated_in_an_edition_without_session(repo2):
    repo2.replace(TOPIC, "    edition: 2016\n    title: A challenge", "    edition: 2018\n    title: A challenge")
    assert [f.code for f in repo2.findings()] == ["unknown-edition"]


# -- quaestio edition new ------------------------------------------------------------------------------


def test_edition_new_archives_the_revisited_topics_and_validates(repo2, capsys):
    before = repo2.read("topics/beta.yaml")
    assert main(["--root", str(repo2.root), "edition", "new", "2017", "--topic", "alpha"]) == 0
    assert "opened edition 2017 for: alpha" in capsys.readouterr().err
    assert repo2.read("topics/beta.yaml") == before
    result = check(repo2.root)
    assert [f.code for f in result.findings] == ["placeholder-text"]
    alpha = result.corpus.topic_by_id["alpha"]
    assert alpha.editions == (2015, 2016, 2017)
    assert snapshot(result.corpus, 2016).topic_by_id["alpha"].session.date == "2016-10-20"
    assert "NIS Directive was adopted" in alpha.earlier[-1].status_quaestionis.en


def test_edition_new_refuses_a_year_that_is_not_later(repo2, capsys):
    before = {p: p.read_bytes() for p in repo2.root.rglob("*.yaml")}
    assert main(["--root", str(repo2.root), "edition", "new", "2016"]) == 2
    assert "not after the current edition 2016" in capsys.readouterr().err
    assert main(["--root", str(repo2.root), "edition", "new", "2017", "--topic", "gamma"]) == 2
    assert {p: p.read_bytes() for p in repo2.root.rglob("*.yaml")} == before


def test_edition_new_by_default_revisits_every_open_topic_of_the_current_edition(repo2):
    assert main(["--root", str(repo2.root), "edition", "new", "2017"]) == 0
    result = check(repo2.root)
    assert result.corpus.topic_by_id["alpha"].edition == 2017
    assert result.corpus.topic_by_id["beta"].edition == 2015


def test_a_new_recommendation_in_a_revisited_topic_is_dated_in_the_current_edition(repo2):
    assert main(["--root", str(repo2.root), "new", "recommendation", "--topic", "alpha", "--audience", "academic"]) == 0
    assert main(["--root", str(repo2.root), "new", "recommendation", "--topic", "beta", "--audience", "academic"]) == 0
    corpus = check(repo2.root).corpus
    assert corpus.recommendation_by_id["ALP-ACA-01"].edition == 2016
    assert "edition:" not in repo2.read("recommendations/beta/academic.yaml")


def test_a_revision_must_keep_some_earlier_wording(repo2):
    earlier = (
        "        earlier:\n          title: Fund the first challenge\n"
        "          text: Authorities should fund the first challenge.\n          priority: medium\n"
    )
    repo2.replace(PUBLIC, earlier, "        earlier: {}\n")
    (finding,) = repo2.findings()
    assert finding.code == "invalid-value" and "needs at least 1 field(s)" in finding.message


def test_edition_new_keeps_the_translations_of_what_it_archives(translated):
    french = "translations/fr/topics/alpha.yaml"
    before = translated.read(french)
    assert main(["--root", str(translated.root), "edition", "new", "2016", "--topic", "alpha"]) == 0
    after = translated.read(french)
    added = [line for line in after.splitlines() if line not in before.splitlines()]
    assert "  earlier_editions/0/status_quaestionis:" in added and "  earlier_editions/0/session/venue:" in added
    assert all(line in after.splitlines() for line in before.splitlines())  # nothing of the file is lost
    result = check(translated.root)
    alpha = result.corpus.topic_by_id["alpha"]
    earlier = alpha.earlier[0]
    assert earlier.status_quaestionis.published("fr") == alpha.status_quaestionis.translation("fr").text
    assert earlier.session.venue.published("fr") is not None
    # The new session's venue is a placeholder: its old translation is stale until the translator updates it.
    assert alpha.session.venue.published("fr") is None
    assert {f.code for f in result.findings} == {"placeholder-text", "stale-translation"}
