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


def test_translations_come_from_translation_files_and_fall_back_to_english(translated):
    corpus = check(translated.root).corpus
    topic = corpus.topic_by_id["alpha"]
    second = topic.challenges[1]
    assert second.title.get("fr") == "Deuxième défi"
    assert second.title.language_of("fr") == "fr"
    assert second.title.get("de") == "Second challenge"
    assert second.title.language_of("de") == "en"
    assert str(topic.challenges[0].title) == "First challenge"
    # a text the French file leaves out falls back to English; German has no content
    assert corpus.recommendation_by_id["ALP-PUB-01"].rationale.get("fr") == "Because nobody else will."
    assert corpus.languages == ("en", "fr", "nl")


def test_stale_translations_are_kept_but_not_published(translated):
    translated.replace("recommendations/alpha/public.yaml", "Authorities should fund it.", "Authorities must fund it.")
    text = check(translated.root).corpus.recommendation_by_id["ALP-PUB-01"].text
    assert text.translation("fr").text == "Les autorités publiques devraient le financer."
    assert not text.translation("fr").current
    assert (text.get("fr"), text.language_of("fr")) == ("Authorities must fund it.", "en")


def test_inline_translations_are_not_published(repo):
    inline = "    title:\n      en: Second challenge\n      fr: Deuxième défi\n"
    repo.replace("topics/alpha.yaml", "    title: Second challenge\n", inline)
    result = check(repo.root)
    assert [(f.file, f.line, f.column, f.code) for f in result.findings] == [
        ("topics/alpha.yaml", 29, 7, "inline-translation")
    ]
    assert "translations/fr/topics/alpha.yaml" in result.findings[0].hint
    assert result.corpus.topic_by_id["alpha"].challenges[1].title.get("fr") == "Second challenge"


def test_withdrawn_recommendation_keeps_reason_successor_and_origin(repo):
    old = check(repo.root).corpus.recommendation_by_id["ALP-BUS-02"]
    assert old.status == "withdrawn"
    assert old.superseded_by == "ALP-BUS-01"
    assert str(old.withdrawal_reason) == "Replaced by ALP-BUS-01."
    assert (old.origin.file, old.origin.line) == (BUSINESS, 20)


def test_no_model_when_there_are_errors(repo):
    repo.replace(BUSINESS, "    priority: high", "    priority: urgent")
    assert check(repo.root).corpus is None
