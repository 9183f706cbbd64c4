"""The content model built from valid sources: order, translations and links both ways."""

from __future__ import annotations

from quaestio.pipeline import check

BUSINESS = "recommendations/alpha/business.yaml"


def test_corpus_orders_recommendations_by_topic_audience_and_number(repo):
    corpus = check(repo.root).corpus
    assert [r.id for r in corpus.recommendations] == ["ALP-ACA-01", "ALP-BUS-01", "ALP-BUS-02", "ALP-PUB-01"]
    assert [r.id for r in corpus.recommendations_for(audience="business")] == ["ALP-BUS-01", "ALP-BUS-02"]


def test_related_links_go_both_ways(repo):
    corpus = check(repo.root).corpus
    assert [r.id for r in corpus.related_to("ALP-BUS-01")] == ["ALP-ACA-01"]
    assert [r.id for r in corpus.related_to("ALP-ACA-01")] == ["ALP-BUS-01"]


def test_translations_fall_back_to_english(repo):
    topic = check(repo.root).corpus.topic_by_id["alpha"]
    second = topic.challenges[1]
    assert second.title.get("fr") == "Deuxième défi"
    assert second.title.get("nl") == "Second challenge"
    assert str(topic.challenges[0].title) == "First challenge"


def test_withdrawn_recommendation_keeps_reason_successor_and_origin(repo):
    old = check(repo.root).corpus.recommendation_by_id["ALP-BUS-02"]
    assert old.status == "withdrawn"
    assert old.superseded_by == "ALP-BUS-01"
    assert str(old.withdrawal_reason) == "Replaced by ALP-BUS-01."
    assert (old.origin.file, old.origin.line) == (BUSINESS, 20)


def test_no_model_when_there_are_errors(repo):
    repo.replace(BUSINESS, "    priority: high", "    priority: urgent")
    assert check(repo.root).corpus is None
