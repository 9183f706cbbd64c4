"""Translation units: keys from the schema's text fields, stable hashes of the English."""

from __future__ import annotations

import hashlib
import json

from quaestio.content.units import source_hash, text_paths, units
from support.paths import SCHEMAS


def _paths(name: str) -> tuple[tuple[str, ...], ...]:
    return text_paths(json.loads((SCHEMAS / f"{name}.schema.json").read_text(encoding="utf-8")))


def test_text_fields_come_from_the_schema():
    assert ("recommendations", "*", "tracker", "*", "history", "*", "note") in _paths("recommendations")
    assert ("challenges", "*", "description") in _paths("topic")
    assert ("recommendations", "*", "priority") not in _paths("recommendations")


def test_keys_name_items_by_id_or_term_and_follow_document_order():
    data = {
        "topic": "governance",
        "recommendations": [
            {
                "id": "GOV-BUS-02",
                "title": "Second",
                "text": {"en": "Body", "fr": "Corps"},
                "tracker": [{"addressee": "CCB", "history": [{"note": "n"}]}],
            },
            {"id": "GOV-BUS-01", "title": "First"},
        ],
    }
    found = [(u.key, u.english) for u in units(data, _paths("recommendations"))]
    assert found == [
        ("recommendations/GOV-BUS-02/title", "Second"),
        ("recommendations/GOV-BUS-02/text", "Body"),
        ("recommendations/GOV-BUS-02/tracker/0/history/0/note", "n"),
        ("recommendations/GOV-BUS-01/title", "First"),
    ]
    glossary = units({"glossary": [{"term": "CCB", "expansion": "Centre"}]}, _paths("topic"))
    assert [u.key for u in glossary] == ["glossary/CCB/expansion"]


def test_hash_ignores_reflowing_but_not_words():
    assert source_hash("Put cyber risk\n  on the agenda ") == source_hash("Put cyber risk on the agenda")
    assert source_hash("Put cyber risk on the agenda") != source_hash("Put cyber risk on the board agenda")
    assert len(source_hash("x")) == 8
    # NFC: a precomposed and a decomposed é are the same text
    assert source_hash("caf\u00e9") == source_hash("cafe\u0301")


def test_hash_is_the_documented_one_whatever_the_white_space():
    """The hash is stored in translation files: a change to it would make every translation stale. It is the
    first 8 hex digits of the SHA-256 of the NFC text with every run of white space (tabs, line and paragraph
    separators, no-break and ideographic spaces) one space, none at the ends."""
    folded = "Put cyber risk on the agenda"
    expected = hashlib.sha256(folded.encode("utf-8")).hexdigest()[:8]
    odd = "\t Put\u00a0cyber\u2028risk \u3000on\r\n\x0bthe\u2029\u0085agenda\u202f "
    assert source_hash(odd) == expected
    assert source_hash("Put cyber-risk on the agenda") != expected  # a hyphen is not white space
    assert source_hash("Put cyber\u200brisk on the agenda") != expected  # nor is a zero-width space
