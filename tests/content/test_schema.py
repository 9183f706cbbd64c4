"""Schema checks: every violation becomes a finding at the exact key or value, with a useful hint."""

from __future__ import annotations

import json

import pytest

from support.paths import SCHEMAS

PUBLIC = "recommendations/alpha/public.yaml"
TOPIC = "topics/alpha.yaml"


def test_a_misspelt_required_field_is_one_finding_at_the_misspelling(repo):
    repo.replace(PUBLIC, "    priority: high", "    priorty: high")
    assert repo.codes() == [(PUBLIC, 8, 5, "unknown-field")]
    (unknown,) = repo.findings()
    assert unknown.message.endswith("and the required field 'priority' is missing")
    assert unknown.hint == "did you mean 'priority'?"


def test_a_missing_field_is_reported_at_its_mapping(repo):
    repo.replace(PUBLIC, "    priority: high\n", "")
    assert repo.codes() == [(PUBLIC, 4, 5, "missing-field")]
    assert "'priority'" in repo.findings()[0].message


def test_unknown_field_without_close_match_lists_the_allowed_ones(repo):
    repo.replace(PUBLIC, "    priority: high", "    priority: high\n    colour: blue")
    (finding,) = repo.findings()
    assert (finding.line, finding.column, finding.code) == (9, 5, "unknown-field")
    assert "rationale" in finding.hint and "priority" in finding.hint


def test_missing_required_field_points_at_the_recommendation(repo):
    repo.replace(PUBLIC, "    rationale: Because nobody else will.\n", "")
    assert repo.codes() == [(PUBLIC, 4, 5, "missing-field")]
    assert "rationale" in repo.findings()[0].hint


def test_wrong_type(repo):
    repo.replace(TOPIC, "edition: 2015", "edition: twenty")
    assert repo.codes() == [(TOPIC, 6, 10, "wrong-type")]
    assert "whole number" in repo.findings()[0].message


def test_list_expected_but_text_given(repo):
    repo.replace(PUBLIC, "    addresses: [ALP-C1, ALP-C2]", "    addresses: ALP-C1")
    assert repo.codes() == [(PUBLIC, 11, 16, "wrong-type")]
    assert "list" in repo.findings()[0].hint


def test_misspelled_value_gets_did_you_mean(repo):
    repo.replace(PUBLIC, "    priority: high", "    priority: hgh")
    (finding,) = repo.findings()
    assert (finding.line, finding.column, finding.code) == (8, 15, "invalid-value")
    assert finding.hint == "did you mean 'high'?"


def test_misspelled_audience(repo):
    repo.replace(PUBLIC, "audience: public", "audience: publc")
    (finding,) = repo.findings()
    assert (finding.line, finding.column, finding.code) == (2, 11, "invalid-value")
    assert finding.hint == "did you mean 'public'?"


def test_empty_text_field(repo):
    repo.replace(PUBLIC, "    title: Fund the first challenge", "    title:")
    ((file, line, _, code),) = repo.codes()
    assert (file, line, code) == (PUBLIC, 5, "wrong-type")
    assert "empty" in repo.findings()[0].message


def test_number_where_text_is_expected(repo):
    repo.replace(PUBLIC, "    title: Fund the first challenge", "    title: 42")
    assert repo.codes() == [(PUBLIC, 5, 12, "wrong-type")]


INLINE = "    title:\n      en: Second challenge\n      fr: Deuxième défi\n"


def test_translation_without_english(repo):
    repo.replace(TOPIC, "    title: Second challenge\n", INLINE.replace("      en: Second challenge\n", ""))
    assert repo.codes() == [(TOPIC, 28, 7, "missing-field")]
    assert "'en'" in repo.findings()[0].message


def test_unknown_language(repo):
    repo.replace(
        TOPIC, "    title: Second challenge\n", INLINE.replace("      fr: Deuxième défi", "      es: Segundo reto")
    )
    assert repo.codes() == [(TOPIC, 29, 7, "unknown-language")]


def test_malformed_id(repo):
    repo.replace(PUBLIC, "  - id: ALP-PUB-01", "  - id: ALP-PUB-1")
    assert repo.codes() == [(PUBLIC, 4, 9, "invalid-format")]
    assert repo.findings()[0].hint == "write 'ALP-PUB-01'"


def test_impossible_date(repo):
    repo.replace(TOPIC, "  date: 2015-03-12", "  date: 2015-02-30")
    assert repo.codes() == [(TOPIC, 9, 9, "invalid-format")]


def test_every_finding_in_one_run_in_file_order(repo):
    repo.replace(TOPIC, "edition: 2015", "edition: twenty")
    repo.replace(PUBLIC, "    priority: high", "    priority: hgh")
    repo.replace(PUBLIC, "    horizon: medium", "    horizon: soon")
    assert repo.codes() == [
        (PUBLIC, 8, 15, "invalid-value"),
        (PUBLIC, 9, 14, "invalid-value"),
        (TOPIC, 6, 10, "wrong-type"),
    ]


def _properties(node, path=()):
    """Every property schema in a schema document, with where it is."""
    if isinstance(node, dict):
        for name, sub in node.get("properties", {}).items():
            yield path + (name,), sub
        for key, value in node.items():
            yield from _properties(value, path + (key,))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _properties(value, path + (index,))


@pytest.mark.parametrize(
    "name",
    [
        "common.schema.json",
        "topic.schema.json",
        "recommendations.schema.json",
        "branding.schema.json",
        "reports.schema.json",
        "site.schema.json",
        "translation.schema.json",
    ],
)
def test_every_property_documents_itself_for_editors(name):
    document = json.loads((SCHEMAS / name).read_text())
    assert document["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    properties = list(_properties(document))
    assert properties
    for where, schema in properties:
        for keyword in ("title", "description", "examples"):
            assert keyword in schema, f"{name}: {'/'.join(map(str, where))} has no {keyword}"
