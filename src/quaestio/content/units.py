"""Translation units: every translatable text of a content file, with a stable key and a hash of its English.

A text is translatable where the file's JSON Schema uses the shared `text` definition (so a new text
field becomes translatable by its schema alone). A unit's key is its path in the file, joined by "/",
with each list item named by its `id` or `term` when it has one and by its index otherwise:
`title`, `challenges/GOV-C1/description`, `glossary/CCB/expansion`, `recommendations/GOV-BUS-01/text`,
`recommendations/GOV-PUB-01/tracker/0/history/0/note`. Translations of the file `topics/governance.yaml` into
French live in `translations/fr/topics/governance.yaml` (the same relative path under the language).

A translation stores the hash of the English it was made from (`source_hash`): the first 8 hex digits
of the SHA-256 of the English with Unicode NFC normalisation and every run of white space folded into
one space. Reflowing a paragraph (as `fmt` does) keeps the hash; changing a word changes it, and the
translation is then stale.
"""

from __future__ import annotations

import hashlib
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property

from quaestio.content.load import JsonPath
from quaestio.vocab import SOURCE_LANGUAGE

TRANSLATIONS_DIR = "translations"
TEXT_DEFINITION = "common.schema.json#/$defs/text"
_NAMING_KEYS = ("id", "term")


def source_hash(english: str) -> str:
    """The short hash that ties a translation to the English it was made from. str.split() splits at the
    characters a regular expression's \\s matches (both ask Py_UNICODE_ISSPACE), three times as fast."""
    folded = " ".join(unicodedata.normalize("NFC", english).split())
    return hashlib.sha256(folded.encode("utf-8")).hexdigest()[:8]


@dataclass(frozen=True)
class Unit:
    """One translatable text of a content file."""

    key: str
    path: JsonPath
    english: str

    @cached_property
    def source_hash(self) -> str:
        """The English's hash, worked out once for all the languages that translate it."""
        return source_hash(self.english)


def _pointer(schema: Mapping[str, object], reference: str) -> object:
    """The part of a schema a local reference ('#/$defs/x', '#/properties/session') points at, if any."""
    node: object = schema
    for step in reference[2:].split("/"):
        node = node.get(step.replace("~1", "/").replace("~0", "~")) if isinstance(node, Mapping) else None
    return node


def text_paths(schema: Mapping[str, object]) -> tuple[tuple[str, ...], ...]:
    """The paths of a schema whose values are translatable texts; '*' stands for any list item."""
    found: list[tuple[str, ...]] = []

    def walk(node: object, path: tuple[str, ...], seen: frozenset[str]) -> None:
        if not isinstance(node, Mapping):
            return
        reference = node.get("$ref")
        if isinstance(reference, str):
            if reference.endswith(TEXT_DEFINITION.split("#", 1)[1]) and reference.startswith("common"):
                found.append(path)
                return
            if reference.startswith("#/") and reference not in seen:  # a definition, or another property's schema
                walk(_pointer(schema, reference), path, seen | {reference})
        for name, child in node.get("properties", {}).items():
            walk(child, (*path, name), seen)
        if "items" in node:
            walk(node["items"], (*path, "*"), seen)
        for combinator in ("allOf", "anyOf", "oneOf"):
            for branch in node.get(combinator, ()):
                walk(branch, path, seen)

    walk(schema, (), frozenset())
    return tuple(dict.fromkeys(found))


def _english(value: object) -> str | None:
    if isinstance(value, str):
        return value
    if isinstance(value, Mapping) and isinstance(value.get(SOURCE_LANGUAGE.value), str):
        return str(value[SOURCE_LANGUAGE.value])
    return None


def _item_name(item: object, index: int) -> str:
    if isinstance(item, Mapping):
        for key in _NAMING_KEYS:
            if isinstance(item.get(key), str):
                return str(item[key])
    return str(index)


def units(data: Mapping[str, object], paths: tuple[tuple[str, ...], ...]) -> list[Unit]:
    """Every translatable text present in a file's data, in the order the file holds them."""
    found: list[tuple[tuple[int, ...], Unit]] = []

    def follow(
        node: object, pattern: tuple[str, ...], key: tuple[str, ...], path: JsonPath, order: tuple[int, ...]
    ) -> None:
        if not pattern:
            english = _english(node)
            if english is not None:
                found.append((order, Unit("/".join(key), path, english)))
            return
        step, rest = pattern[0], pattern[1:]
        if step == "*":
            if isinstance(node, list):
                for index, item in enumerate(node):
                    follow(item, rest, (*key, _item_name(item, index)), (*path, index), (*order, index))
        elif isinstance(node, Mapping) and step in node:
            follow(node[step], rest, (*key, step), (*path, step), (*order, list(node).index(step)))

    for pattern in paths:
        follow(data, pattern, (), (), ())
    return [unit for _, unit in sorted(found, key=lambda pair: pair[0])]
