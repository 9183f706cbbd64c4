"""Check documents against the JSON Schemas in schemas/ and turn violations into findings."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jsonschema_rs

from quaestio.content.layout import Kind
from quaestio.content.load import JsonPath, YamlDocument
from quaestio.findings import Code, Finding, did_you_mean, finding
from quaestio.vocab import Language

SCHEMA_FILES = {Kind.TOPIC: "topic.schema.json", Kind.RECOMMENDATIONS: "recommendations.schema.json"}
COMMON_FILE = "common.schema.json"
_BASE = "file:///quaestio/schemas/"

_TYPE_WORDS = {
    "string": "text",
    "integer": "a whole number",
    "number": "a number",
    "array": "a list",
    "object": "a mapping of fields",
    "boolean": "true or false",
    "null": "nothing",
}


def describe(value: object) -> str:
    """A short, plain description of a value for a message."""
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return f"'{str(value).lower()}' (true/false)"
    if isinstance(value, (int, float)):
        return f"the number {value}"
    if isinstance(value, str):
        shown = value if len(value) <= 40 else value[:37] + "..."
        return f"the text '{shown}'"
    if isinstance(value, list):
        return "a list"
    return "a mapping of fields"


@dataclass(frozen=True)
class SchemaSet:
    """Compiled validators by schema file name, and the schema documents behind them."""

    documents: Mapping[str, dict]
    validators: Mapping[str, jsonschema_rs.Validator]


def load_schemas(directory: Path, names: Iterable[str] = tuple(SCHEMA_FILES.values())) -> SchemaSet:
    """Read and compile the named schemas in a directory (by default the content files'), with no network access."""
    names = tuple(names)
    documents = {
        name: json.loads((directory / name).read_text(encoding="utf-8"))
        for name in dict.fromkeys((COMMON_FILE, *names))
    }

    def retrieve(uri: str) -> dict:
        name = uri.rsplit("/", 1)[-1]
        if name not in documents:
            raise ValueError(f"unknown schema {uri}")
        return documents[name]

    validators = {
        name: jsonschema_rs.validator_for(
            documents[name],
            retriever=retrieve,
            base_uri=_BASE + name,
            validate_formats=True,
        )
        for name in names
    }
    return SchemaSet(documents, validators)


def _subschema(schemas: SchemaSet, schema: str, schema_path: list) -> dict:
    """The schema object a schema path (as reported by the validator) points into."""
    for name in (schema, COMMON_FILE):
        node: object = schemas.documents[name]
        for step in schema_path:
            if (isinstance(node, dict) and step in node) or (
                isinstance(node, list) and isinstance(step, int) and step < len(node)
            ):
                node = node[step]
            else:
                break
        else:
            if isinstance(node, dict):
                return node
    return {}


def _value_at(data: object, path: JsonPath) -> object:
    for step in path:
        data = data[step]  # type: ignore[index]
    return data


def _field_label(path: JsonPath) -> str:
    named = [step for step in path if isinstance(step, str)]
    return f"'{named[-1]}'" if named else "the file"


def _thing(schema: dict) -> str:
    title = schema.get("title", "")
    return title[0].lower() + title[1:] if title else "entry"


def check_document(document: YamlDocument, schema: Kind | str, schemas: SchemaSet) -> list[Finding]:
    """Every schema violation in one document, as findings at the value (or key) at fault.

    schema is a kind of content file, or the file name of a schema in the set (a configuration file's).
    """
    name = SCHEMA_FILES[schema] if isinstance(schema, Kind) else schema
    validator = schemas.validators[name]
    if validator.is_valid(document.data):
        return []
    findings = []
    for failure in validator.iter_errors(document.data):
        findings.extend(_translate(failure, document, name, schemas))
    return findings


def _translate(failure: Any, document: YamlDocument, schema: str, schemas: SchemaSet) -> list[Finding]:  # noqa: C901 - one branch per JSON Schema keyword
    path: JsonPath = tuple(failure.instance_path)
    schema_path = list(failure.schema_path)
    keyword = failure.kind.name
    parent = _subschema(schemas, schema, schema_path[:-1])
    value = _value_at(document.data, path)
    where = document.positions.of_value(path)
    file = document.path
    field = _field_label(path)

    if keyword == "required":
        name = failure.kind.property
        prop = parent.get("properties", {}).get(name, {})
        about = prop.get("description", "")
        return [
            finding(
                file,
                where,
                Code.MISSING_FIELD,
                f"the {_thing(parent)} has no '{name}' field, which is required",
                f"add '{name}:'" + (f" ({about})" if about else ""),
            )
        ]
    if keyword == "additionalProperties":
        allowed = sorted(parent.get("properties", {}))
        found = []
        for name in failure.kind.unexpected:
            hint = did_you_mean(name, allowed) or f"the fields allowed here are: {', '.join(allowed)}"
            found.append(
                finding(
                    file,
                    document.positions.of_key(path + (name,)),
                    Code.UNKNOWN_FIELD,
                    f"unknown field '{name}' in the {_thing(parent)}",
                    hint,
                )
            )
        return found
    if keyword == "enum":
        options = [str(o) for o in failure.kind.options]
        hint = did_you_mean(value, options) or f"use one of: {', '.join(options)}"
        return [
            finding(
                file,
                where,
                Code.INVALID_VALUE,
                f"{describe(value)} is not an allowed value for {field}; allowed: {', '.join(options)}",
                hint,
            )
        ]
    if keyword == "type":
        expected = parent.get("type")
        words = " or ".join(
            _TYPE_WORDS.get(t, t) for t in ([expected] if isinstance(expected, str) else expected or [])
        )
        if value is None:
            return [finding(file, where, Code.WRONG_TYPE, f"{field} is empty", f"write {words} after the colon")]
        return [
            finding(
                file,
                where,
                Code.WRONG_TYPE,
                f"{field} should be {words}, not {describe(value)}",
                _type_hint(expected, value),
            )
        ]
    if keyword == "anyOf" and "translations" in json.dumps(parent.get("anyOf", [])):
        return [_text_finding(file, where, field, value, document, path)]
    if keyword in ("pattern", "format"):
        hint = parent.get("description", "")
        examples = parent.get("examples")
        if examples:
            hint = f"{hint} For example: {examples[0]}".strip()
        what = parent.get("title", "value").lower()
        return [finding(file, where, Code.INVALID_FORMAT, f"{describe(value)} is not a valid {what} for {field}", hint)]
    if keyword in ("minimum", "maximum"):
        bound = parent.get(keyword)
        word = "at least" if keyword == "minimum" else "at most"
        return [finding(file, where, Code.INVALID_VALUE, f"{field} must be {word} {bound}, not {value}")]
    if keyword == "minItems":
        return [
            finding(
                file,
                where,
                Code.INVALID_VALUE,
                f"{field} needs at least {parent.get('minItems')} item(s)",
                "add an entry to the list",
            )
        ]
    if keyword == "minLength":
        return [finding(file, where, Code.WRONG_TYPE, f"{field} is empty", "write the text after the colon")]
    if keyword == "minProperties":
        return [
            finding(
                file,
                where,
                Code.INVALID_VALUE,
                f"{field} needs at least {parent.get('minProperties')} field(s)",
                "write the fields it should hold, or remove it",
            )
        ]
    return [finding(file, where, Code.SCHEMA, f"{field}: {failure.message}")]


def _type_hint(expected: object, value: object) -> str:
    types = [expected] if isinstance(expected, str) else list(expected or [])  # type: ignore[call-overload]
    if "array" in types:
        return "write a list, one '- item' per line, or [A, B] on one line"
    if "integer" in types and isinstance(value, str):
        return "write the number without quotes"
    if "string" in types and isinstance(value, (int, float, bool)):
        return "put the value in quotes to make it text"
    if "string" in types:
        return "write the text after the colon, in quotes if it contains ': '"
    if "object" in types:
        return "write the fields on the lines below, each indented as 'name: value'"
    return ""


def _text_finding(
    file: str, where: tuple[int, int], field: str, value: object, document: YamlDocument, path: JsonPath
) -> Finding:
    languages = tuple(Language)
    if value is None or value == "":
        return finding(file, where, Code.WRONG_TYPE, f"{field} is empty", "write the text after the colon")
    if isinstance(value, dict):
        unknown = [k for k in value if k not in languages]
        if unknown:
            key_position = document.positions.of_key(path + (unknown[0],))
            return finding(
                file,
                key_position,
                Code.UNKNOWN_LANGUAGE,
                f"'{unknown[0]}' is not a supported language in {field}",
                did_you_mean(unknown[0], languages) or "use " + ", ".join(languages[:-1]) + " or " + languages[-1],
            )
        if "en" not in value:
            return finding(
                file,
                where,
                Code.MISSING_FIELD,
                f"{field} has translations but no English ('en') text",
                "add 'en:' with the English text; English is required",
            )
        bad = next(k for k in value if not isinstance(value[k], str) or not value[k])
        return finding(
            file,
            document.positions.of_value(path + (bad,)),
            Code.WRONG_TYPE,
            f"the '{bad}' text of {field} should be text, not {describe(value[bad])}",
            "put the text after the colon, in quotes if it contains ': '",
        )
    return finding(
        file,
        where,
        Code.WRONG_TYPE,
        f"{field} should be text, not {describe(value)}",
        "write the text, or a mapping of languages such as 'en: ...' and 'fr: ...'",
    )
