"""The domain's words are defined once (quaestio.vocab, quaestio.findings.Code); schemas and README agree."""

from __future__ import annotations

import json

from quaestio.findings import Code, Severity, codes_table
from quaestio.vocab import (
    Acceptance,
    Audience,
    EditionChange,
    Horizon,
    Implementation,
    Language,
    Priority,
    ReferenceKind,
    Relation,
    Status,
)
from support.paths import REPOSITORY

ROOT = REPOSITORY
SCHEMAS = ROOT / "schemas"


def _schema(name: str) -> dict:
    return json.loads((SCHEMAS / name).read_text(encoding="utf-8"))


def _values(enum_class) -> list[str]:
    return [member.value for member in enum_class]


def test_recommendation_schema_enums_are_the_vocabulary():
    schema = _schema("recommendations.schema.json")
    item = schema["$defs"]["recommendation"]["properties"]
    assert schema["properties"]["audience"]["enum"] == _values(Audience)
    assert item["priority"]["enum"] == _values(Priority)
    assert item["horizon"]["enum"] == _values(Horizon)
    assert item["status"]["enum"] == _values(Status)
    assert item["maps_to"]["items"]["properties"]["relation"]["enum"] == _values(Relation)
    definitions = _schema("open-data.schema.json")["$defs"]
    assert definitions["acceptance"]["enum"] == _values(Acceptance)
    assert definitions["implementation"]["enum"] == _values(Implementation)


def test_tracker_schema_enums_are_the_vocabulary():
    assessment = _schema("recommendations.schema.json")["$defs"]["assessment"]["properties"]
    assert assessment["acceptance"]["enum"] == _values(Acceptance)
    assert assessment["status"]["enum"] == _values(Implementation)


def _properties(node: object, path: str = "") -> list[tuple[str, dict]]:
    """Every property schema in a schema document, with where it is."""
    found: list[tuple[str, dict]] = []
    if isinstance(node, dict):
        for name, value in node.get("properties", {}).items():
            found.append((f"{path}/{name}", value))
        for key, value in node.items():
            found += _properties(value, f"{path}/{key}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            found += _properties(value, f"{path}/{index}")
    return found


def test_every_content_schema_property_has_a_title_a_description_and_examples():
    for name in ("recommendations.schema.json", "topic.schema.json", "common.schema.json"):
        for where, prop in _properties(_schema(name)):
            missing = [k for k in ("title", "description", "examples") if k not in prop]
            assert not missing, f"{name}{where} lacks {', '.join(missing)}"


def test_topic_schema_reference_kinds_are_the_vocabulary():
    references = _schema("topic.schema.json")["properties"]["references"]["items"]["properties"]
    assert references["kind"]["enum"] == _values(ReferenceKind)


def test_translation_languages_are_the_vocabulary():
    translations = _schema("common.schema.json")["$defs"]["translations"]
    assert list(translations["properties"]) == _values(Language)


def test_translation_file_languages_are_the_vocabulary():
    from quaestio.vocab import TRANSLATIONS

    assert _schema("translation.schema.json")["properties"]["language"]["enum"] == [t.value for t in TRANSLATIONS]


def test_open_data_schema_enums_are_the_vocabulary():
    item = _schema("open-data.schema.json")["properties"]["recommendations"]["items"]["properties"]
    assert item["maps_to"]["items"]["properties"]["relation"]["enum"] == _values(Relation)
    assert item["audience"]["enum"] == _values(Audience)
    assert item["priority"]["enum"] == _values(Priority)
    assert item["status"]["enum"] == _values(Status)


def test_branding_labels_every_value_of_the_vocabulary():
    schema = _schema("branding.schema.json")["properties"]
    assert list(schema["audiences"]["properties"]) == _values(Audience)
    labels = schema["labels"]["properties"]
    for group, enum_class in (
        ("priority", Priority),
        ("horizon", Horizon),
        ("status", Status),
        ("acceptance", Acceptance),
        ("implementation", Implementation),
        ("edition_change", EditionChange),
        ("reference_kind", ReferenceKind),
    ):
        assert list(labels[group]["properties"]) == labels[group]["required"] == _values(enum_class), group


def test_site_language_is_the_vocabulary():
    assert _schema("site.schema.json")["properties"]["language"]["enum"] == _values(Language)


def test_audience_codes_and_language_tags():
    assert [a.code for a in Audience] == ["ACA", "BUS", "PUB"]
    assert [lang.tag for lang in Language] == ["en-GB", "fr-BE", "nl-BE", "de-BE"]


def test_every_code_has_a_severity_and_a_meaning():
    assert len({c.value for c in Code}) == len(Code)
    for code in Code:
        assert isinstance(code.severity, Severity) and code.meaning and code.value == code.value.lower()


def test_readme_table_of_codes_is_generated_from_the_enumeration():
    """The README's table lists every code with its severity and meaning; `schema` was once missing."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert codes_table() in readme, (
        "regenerate the README's table with quaestio.findings.codes_table():\n" + codes_table()
    )
