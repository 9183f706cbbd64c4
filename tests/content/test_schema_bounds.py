"""The rarer schema findings: numbers out of range, empty lists and empty text, each in plain words at the value."""

from __future__ import annotations

import json

from quaestio.content.schema import COMMON_FILE, SCHEMA_FILES
from support.paths import SCHEMAS

TOPIC = "topics/alpha.yaml"

# Keywords that only describe or structure a schema, and those _translate words itself.
ANNOTATIONS = {
    "$schema",
    "$id",
    "$ref",
    "$defs",
    "title",
    "description",
    "examples",
    "properties",
    "items",
    "deprecated",
}
WORDED = {"required", "additionalProperties", "enum", "type", "anyOf", "pattern", "format"}
WORDED |= {"minimum", "maximum", "minItems", "minLength", "minProperties"}


def test_a_number_below_its_minimum(repo):
    repo.replace(TOPIC, "  number: 1", "  number: 0")
    (finding,) = repo.findings()
    assert (finding.file, finding.line, finding.column, finding.code) == (TOPIC, 8, 11, "invalid-value")
    assert "'number'" in finding.message and finding.message.endswith("must be at least 1, not 0")


def test_an_edition_before_the_first(repo):
    repo.replace(TOPIC, "edition: 2015", "edition: 2014")
    (finding,) = repo.findings()
    assert (finding.line, finding.column, finding.code) == (6, 10, "invalid-value")
    assert "'edition'" in finding.message and finding.message.endswith("must be at least 2015, not 2014")


def test_a_number_above_its_maximum(repo):
    repo.replace(TOPIC, "    year: 2013\n    url: https://www.iso.org", "    year: 2101\n    url: https://www.iso.org")
    (finding,) = repo.findings()
    assert (finding.line, finding.column, finding.code) == (33, 11, "invalid-value")
    assert "'year'" in finding.message and finding.message.endswith("must be at most 2100, not 2101")


def test_an_empty_list_that_needs_an_item(repo):
    repo.replace(TOPIC, "  organisations:\n    - Centre for Cyber Security Belgium (CCB)", "  organisations: []")
    (finding,) = repo.findings()
    assert (finding.line, finding.column, finding.code) == (14, 18, "invalid-value")
    assert "'organisations'" in finding.message and "at least 1 item" in finding.message
    assert finding.hint == "add an entry to the list"


def test_an_empty_text_where_one_is_required(repo):
    repo.replace(TOPIC, "    author: ISO/IEC", '    author: ""')
    (finding,) = repo.findings()
    assert (finding.line, finding.column, finding.code) == (32, 13, "wrong-type")
    assert "'author'" in finding.message and finding.message.endswith("is empty")
    assert finding.hint == "write the text after the colon"


def _keywords(node: object) -> set[str]:
    if isinstance(node, list):
        return set().union(*(_keywords(item) for item in node))
    if not isinstance(node, dict):
        return set()
    found = set(node)
    for key, value in node.items():
        if key in ("properties", "$defs"):
            found |= set().union(*(_keywords(item) for item in value.values()))
        elif key != "examples":
            found |= _keywords(value)
    return found


def test_every_keyword_of_the_content_schemas_has_a_finding_in_plain_words():
    """A keyword without one falls back to the `schema` code in the validator's own words: word it first."""
    for name in (COMMON_FILE, *SCHEMA_FILES.values()):
        used = _keywords(json.loads((SCHEMAS / name).read_text(encoding="utf-8")))
        assert used - ANNOTATIONS <= WORDED, (name, sorted(used - ANNOTATIONS - WORDED))
