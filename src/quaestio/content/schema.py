"""Check documents against the JSON Schemas in schemas/ and turn violations into findings."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jsonschema_rs

from quaestio.content.characters import hidden_note, strip_hidden
from quaestio.content.layout import SCHEMAS_DIR, Kind
from quaestio.content.load import JsonPath, YamlDocument
from quaestio.findings import Code, Finding, did_you_mean, finding
from quaestio.resources import resource_directory
from quaestio.vocab import Language

SCHEMA_FILES = {Kind.TOPIC: "topic.schema.json", Kind.RECOMMENDATIONS: "recommendations.schema.json"}
COMMON_FILE = "common.schema.json"
TRANSLATION_FILE = "translation.schema.json"
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


def _translation_schema(directory: Path) -> dict:
    """The translation schema of the repository's schemas/, else the one quaestio ships."""
    found = directory / TRANSLATION_FILE
    if not found.is_file():
        found = resource_directory(None, SCHEMAS_DIR, TRANSLATION_FILE) / TRANSLATION_FILE
    return json.loads(found.read_text(encoding="utf-8"))


class _Validators(Mapping[str, "jsonschema_rs.Validator"]):
    """Validators compiled on first use, so that a validation whose files all come from the cache compiles none."""

    def __init__(self, documents: Mapping[str, dict], names: tuple[str, ...]):
        self._documents = documents
        self._names = names
        self._compiled: dict[str, jsonschema_rs.Validator] = {}

    def __getitem__(self, name: str) -> jsonschema_rs.Validator:
        if name not in self._names:
            raise KeyError(name)
        compiled = self._compiled.get(name)
        if compiled is None:
            compiled = self._compiled[name] = self._compile(name)
        return compiled

    def __iter__(self) -> Iterator[str]:
        return iter(self._names)

    def __len__(self) -> int:
        return len(self._names)

    def _compile(self, name: str) -> jsonschema_rs.Validator:
        documents = self._documents

        def retrieve(uri: str) -> dict:
            wanted = uri.rsplit("/", 1)[-1]
            if wanted not in documents:
                raise ValueError(f"unknown schema {uri}")
            return documents[wanted]

        return jsonschema_rs.validator_for(
            documents[name], retriever=retrieve, base_uri=_BASE + name, validate_formats=True
        )


def load_schemas(directory: Path, names: Iterable[str] = tuple(SCHEMA_FILES.values())) -> SchemaSet:
    """Read the named schemas in a directory (by default the content files'), compiled on first use, with no
    network access."""
    names = tuple(names)
    documents = {
        name: json.loads((directory / name).read_text(encoding="utf-8"))
        for name in dict.fromkeys((COMMON_FILE, *names))
    }
    documents[TRANSLATION_FILE] = _translation_schema(directory)
    return SchemaSet(documents, _Validators(documents, (*names, TRANSLATION_FILE)))


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
    return _check(document, schemas.validators[name], name, schemas)


def check_translation_document(document: YamlDocument, schemas: SchemaSet) -> list[Finding]:
    """Every schema violation in one translation file, as findings at the value (or key) at fault."""
    return _check(document, schemas.validators[TRANSLATION_FILE], TRANSLATION_FILE, schemas)


def _check(document: YamlDocument, validator: jsonschema_rs.Validator, name: str, schemas: SchemaSet) -> list[Finding]:
    if validator.is_valid(document.data):
        return []
    failures = list(validator.iter_errors(document.data))
    misspelt = _misspelt_required(failures, name, schemas)
    findings = []
    for failure in failures:
        required = getattr(failure.kind, "property", None)  # present on 'required' failures only
        if failure.kind.name == "required" and (tuple(failure.instance_path), required) in misspelt:
            continue  # one slip, one finding: the misspelt field says that the required one is missing
        findings.extend(_translate(failure, document, name, schemas))
    return findings


def _misspelt_required(failures: list, schema: str, schemas: SchemaSet) -> set[tuple[JsonPath, str]]:
    """(mapping path, field) of required fields that are missing only because they are misspelt ('Title')."""
    missing = {(tuple(f.instance_path), f.kind.property) for f in failures if f.kind.name == "required"}
    found = set()
    for failure in failures:
        if failure.kind.name != "additionalProperties":
            continue
        path = tuple(failure.instance_path)
        allowed = sorted(_subschema(schemas, schema, list(failure.schema_path)[:-1]).get("properties", {}))
        for name in failure.kind.unexpected:
            close = did_you_mean(strip_hidden(name), allowed)
            target = close[len("did you mean '") : -2] if close else ""
            if (path, target) in missing:
                found.add((path, target))
    return found


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
            hint = did_you_mean(strip_hidden(name), allowed) or f"the fields allowed here are: {', '.join(allowed)}"
            required = parent.get("required", [])
            missing = (
                hint.startswith("did you mean")
                and hint[14:-2] in required
                and not (isinstance(value, dict) and hint[14:-2] in value)
            )
            found.append(
                finding(
                    file,
                    document.positions.of_key(path + (name,)),
                    Code.UNKNOWN_FIELD,
                    f"unknown field '{name}' in the {_thing(parent)}{hidden_note(name)}"
                    + (f", and the required field '{hint[14:-2]}' is missing" if missing else ""),
                    hint,
                )
            )
        return found
    if keyword == "enum":
        options = [str(o) for o in failure.kind.options]
        cleaned = strip_hidden(value) if isinstance(value, str) else value
        hint = did_you_mean(cleaned, options) or f"use one of: {', '.join(options)}"
        if cleaned in options:
            hint = f"delete the invisible character: write '{cleaned}'"
        return [
            finding(
                file,
                where,
                Code.INVALID_VALUE,
                f"{describe(value)}{hidden_note(value)} is not an allowed value for {field}; "
                f"allowed: {', '.join(options)}",
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
                _type_hint(expected, value, field),
            )
        ]
    if keyword == "anyOf" and "translations" in json.dumps(parent.get("anyOf", [])):
        return [_text_finding(file, where, field, value, document, path)]
    if keyword in ("pattern", "format"):
        hint = parent.get("description", "")
        examples = parent.get("examples")
        if examples:
            hint = f"{hint} For example: {examples[0]}".strip()
        fixed = corrected(value, parent.get("pattern", r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"))
        if fixed is not None:
            hint = f"write '{fixed}'"
        what = parent.get("title", "value").lower()
        return [
            finding(
                file,
                where,
                Code.INVALID_FORMAT,
                f"{describe(value)}{hidden_note(value)} is not a valid {what} for {field}",
                hint,
            )
        ]
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


def _as_typed(value: object) -> str:
    """A number or true/false as it was written, so that a hint can show it in quotes."""
    return str(value).lower() if isinstance(value, bool) else str(value)


def _type_hint(expected: object, value: object, field: str) -> str:
    types = [expected] if isinstance(expected, str) else list(expected or [])  # type: ignore[call-overload]
    if "array" in types:
        if isinstance(value, str) and value.startswith("-"):
            return f"put a space after '-' to make a list item: - {value[1:].strip()}"
        return "write a list, one '- item' per line, or [A, B] on one line"
    if "integer" in types and isinstance(value, str):
        return "write the number without quotes"
    if "string" in types and isinstance(value, (int, float, bool)):
        return f'put the value in quotes to make it text: {field.strip(chr(39))}: "{_as_typed(value)}"'
    if "string" in types:
        return "write the text after the colon, in quotes if it contains ': '"
    if "object" in types:
        return "write the fields on the lines below, each indented as 'name: value'"
    return ""


_DAY_MONTH_YEAR = re.compile(r"^([0-9]{1,2})[./-]([0-9]{1,2})[./-]([0-9]{4})$")
_YEAR_MONTH_DAY = re.compile(r"^([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})$")
_LOOSE_ID = re.compile(r"^([A-Za-z]{2,4})[-_ ]?(ACA|BUS|PUB|aca|bus|pub|C|c)[-_ ]?([0-9]{1,3})$")


def corrected(value: object, pattern: str) -> str | None:
    """The value as it was most likely meant, when a common slip made it miss the pattern; else None.

    Slips: an invisible character, lower case, a missing or other separator, a one-digit number
    ('GOV-BUS-5' for 'GOV-BUS-05'), a date written day first or without leading zeros.
    """
    if not isinstance(value, str):
        return None
    text = strip_hidden(value)
    candidates = [text, text.upper().replace("_", "-").replace(" ", "-")]
    loose = _LOOSE_ID.match(text)
    if loose:
        middle = loose.group(2).upper()
        if middle == "C":
            candidates.append(f"{loose.group(1).upper()}-C{int(loose.group(3))}")
        else:
            candidates.append(f"{loose.group(1).upper()}-{middle}-{int(loose.group(3)):02d}")
    day_first = _DAY_MONTH_YEAR.match(text)
    if day_first:
        candidates.append(f"{day_first.group(3)}-{int(day_first.group(2)):02d}-{int(day_first.group(1)):02d}")
    year_first = _YEAR_MONTH_DAY.match(text)
    if year_first:
        candidates.append(f"{year_first.group(1)}-{int(year_first.group(2)):02d}-{int(year_first.group(3)):02d}")
    compiled = re.compile(pattern)
    return next((c for c in candidates if c != value and compiled.search(c)), None)


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
    hint = "write the text, or a mapping of languages such as 'en: ...' and 'fr: ...'"
    if isinstance(value, (int, float, bool)):
        hint = f'put it in quotes, so that it is read as text: {field.strip(chr(39))}: "{_as_typed(value)}"'
    return finding(file, where, Code.WRONG_TYPE, f"{field} should be text, not {describe(value)}", hint)
