"""The coalition's own content: clean under --strict, complete, sourced, and quoting no invented figures."""

from __future__ import annotations

import re

import pytest

from quaestio.pipeline import check
from support.paths import REPOSITORY

ROOT = REPOSITORY
FOUNDING_TOPICS = {"landscape", "governance", "risk-management", "threat-management"}
# The only figures the content may quote: those of the coalition's founding announcement.
ALLOWED_PERCENTAGES = {"80%", "1%", "66%", "75%"}


@pytest.fixture(scope="module")
def checked():
    return check(ROOT)


def _words(markdown: str) -> int:
    return len(re.findall(r"[A-Za-z0-9][\w'\u2019.-]*", markdown))


def test_content_has_no_findings_even_in_strict_mode(checked):
    assert [f"{f.file}:{f.line}:{f.column} {f.code} {f.message}" for f in checked.findings] == []


def test_the_founding_topics_and_two_more(checked):
    ids = {t.id for t in checked.corpus.topics}
    assert ids >= FOUNDING_TOPICS
    assert len(ids) >= 6


def test_each_topic_is_substantive(checked):
    corpus = checked.corpus
    for topic in corpus.topics:
        assert _words(topic.status_quaestionis.en) >= 400, topic.id
        assert 3 <= len(topic.challenges) <= 6, topic.id
        for audience in ("academic", "business", "public"):
            assert len(corpus.recommendations_for(topic.id, audience)) >= 3, (topic.id, audience)
        assert len(topic.references) >= 3, topic.id
        assert {r.kind for r in topic.references} & {"legislation", "standard"}, topic.id


def test_every_reference_has_a_web_address_and_every_recommendation_cites_or_addresses(checked):
    for topic in checked.corpus.topics:
        for reference in topic.references:
            assert reference.url and reference.url.startswith(("https://", "http://")), reference.id
    for recommendation in checked.corpus.recommendations:
        assert recommendation.addresses, recommendation.id


def _all_text(corpus):
    for topic in corpus.topics:
        yield topic.id, topic.status_quaestionis.en
        yield topic.id, topic.summary.en
        for challenge in topic.challenges:
            yield challenge.id, challenge.description.en
    for r in corpus.recommendations:
        yield r.id, f"{r.title.en}\n{r.text.en}\n{r.rationale.en}"


def test_no_statistics_beyond_the_founding_announcement(checked):
    for where, text in _all_text(checked.corpus):
        for percentage in re.findall(r"\d+(?:\.\d+)?\s?%", text):
            assert percentage.replace(" ", "") in ALLOWED_PERCENTAGES, f"{where}: {percentage}"
        for amount in re.findall(r"EUR\s?[\d.,]+\s?(?:billion|million)", text):
            assert amount == "EUR 3.5 billion", f"{where}: {amount}"


def test_every_content_file_names_its_schema_for_editors():
    for path in sorted((ROOT / "topics").glob("*.yaml")):
        assert path.read_text().startswith("# yaml-language-server: $schema=../schemas/topic.schema.json\n"), path
    for path in sorted((ROOT / "recommendations").glob("*/*.yaml")):
        first = path.read_text().splitlines()[0]
        assert first == "# yaml-language-server: $schema=../../schemas/recommendations.schema.json", path
