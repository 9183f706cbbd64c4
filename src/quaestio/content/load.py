"""Read YAML content files into plain data that remembers the line and column of every value."""

from __future__ import annotations

import gc
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from yaml import events

from quaestio.content.layout import ContentFile, discover
from quaestio.findings import Code, Finding, finding

MAX_FILE_BYTES = 1024 * 1024
MAX_DEPTH = 16

try:
    _PARSER: type[yaml.CSafeLoader | yaml.SafeLoader] = yaml.CSafeLoader  # libyaml: ten times faster than pure Python
except AttributeError:  # pragma: no cover - PyYAML built without libyaml
    _PARSER = yaml.SafeLoader

JsonPath = tuple[str | int, ...]
Position = tuple[int, int]

_INT = re.compile(r"[-+]?[0-9]+\Z")
_FLOAT = re.compile(r"[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?\Z")
_NULLS = frozenset({"", "~", "null", "Null", "NULL"})
_TRUES = frozenset({"true", "True", "TRUE"})
_FALSES = frozenset({"false", "False", "FALSE"})


@dataclass(frozen=True)
class Positions:
    """Where each value (and each mapping key) of a document stands, as 1-based (line, column)."""

    values: Mapping[JsonPath, Position] = field(default_factory=dict)
    keys: Mapping[JsonPath, Position] = field(default_factory=dict)

    def of_value(self, path: JsonPath) -> Position:
        """The position of the value at path, or of its nearest ancestor that has one."""
        while path not in self.values and path:
            path = path[:-1]
        return self.values.get(path, (1, 1))

    def of_key(self, path: JsonPath) -> Position:
        """The position of the mapping key that holds the value at path (else of the value)."""
        found = self.keys.get(path)
        return found if found is not None else self.of_value(path)


@dataclass(frozen=True)
class YamlDocument:
    """One parsed file: its data (a mapping) and where every value came from."""

    path: str
    data: dict
    positions: Positions
    text: str = ""

    def locate(self, path: JsonPath, snippet: str) -> Position:
        """Where a piece of a text value stands in the file: its line and column, else the value's start."""
        start_line, start_column = self.positions.of_value(path)
        needle = snippet.strip().splitlines()[0][:40] if snippet.strip() else ""
        if needle and self.text:
            lines = self.text.splitlines()
            for number in range(start_line, min(len(lines), start_line + 2000) + 1):
                line = lines[number - 1]
                found = line.find(needle, start_column - 1 if number == start_line else 0)
                if found >= 0:
                    return (number, found + 1)
        return (start_line, start_column)


def resolve_plain(value: str) -> object:
    """The YAML 1.2 core-schema value of a plain (unquoted) scalar.

    Unlike YAML 1.1, 'yes', 'no', 'on' and 'off' stay strings and dates stay text.
    """
    if value in _NULLS:
        return None
    if value in _TRUES:
        return True
    if value in _FALSES:
        return False
    if _INT.match(value):
        return int(value)
    if _FLOAT.match(value) and any(c.isdigit() for c in value):
        return float(value)
    return value


def _position(mark: yaml.Mark) -> Position:
    return (mark.line + 1, mark.column + 1)


def _decode(raw: bytes, path: str) -> tuple[str | None, Finding | None]:
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    try:
        return raw.decode("utf-8"), None
    except UnicodeDecodeError as exc:
        before = raw[: exc.start]
        line = before.count(b"\n") + 1
        column = exc.start - (before.rfind(b"\n") + 1) + 1
        return None, finding(
            path,
            (line, column),
            Code.NOT_UTF8,
            f"the file is not UTF-8 text (byte 0x{raw[exc.start]:02x} cannot be read)",
            "save the file with the UTF-8 encoding (most editors offer it under 'Save with encoding')",
        )


def _tab_finding(text: str, path: str, upto_line: int) -> Finding | None:
    for number, line in enumerate(text.splitlines()[:upto_line], start=1):
        indent = line[: len(line) - len(line.lstrip(" \t"))]
        if "\t" in indent and line.strip():
            return finding(
                path,
                (number, indent.index("\t") + 1),
                Code.TAB_INDENT,
                "a tab character is used for indentation; YAML allows only spaces",
                "replace the tab with spaces (two spaces per level)",
            )
    return None


_SYNTAX_HINTS = (
    (
        "mapping values are not allowed",
        "a value that contains ': ' must be put in quotes, or written as a block with '>-'",
    ),
    (
        "could not find expected ':'",
        "every line of a mapping needs 'name: value'; check this line and the indentation of the line before",
    ),
    ("did not find expected key", "check the indentation: items of one list or mapping must start in the same column"),
    ("did not find expected '-' indicator", "check the indentation: items of one list must start in the same column"),
    ("found unexpected end of stream", "a quote or bracket opened here is never closed"),
    ("found undefined alias", "aliases (*name) are not allowed; write the value out in full"),
    ("found character that cannot start any token", "a value starting with '@', '`' or '%' must be put in quotes"),
)


def _syntax_finding(exc: yaml.MarkedYAMLError, text: str, path: str) -> Finding:
    mark = exc.problem_mark or exc.context_mark
    if exc.context_mark is not None and "end of stream" in (exc.problem or ""):
        mark = exc.context_mark  # point at the quote or bracket that was never closed
    position = _position(mark) if mark is not None else (1, 1)
    tab = _tab_finding(text, path, position[0])
    if tab is not None:
        return tab
    problem = exc.problem or "the YAML cannot be read"
    hint = next((h for key, h in _SYNTAX_HINTS if key in problem), "")
    if exc.context and exc.context_mark is not None and exc.problem_mark is not None:
        problem = f"{problem} ({exc.context} at line {exc.context_mark.line + 1})"
    return finding(path, position, Code.YAML_SYNTAX, f"YAML syntax error: {problem}", hint)


class _Reject(Exception):  # noqa: N818 - a signal that stops the parser, caught in parse_yaml
    """Stops reading a file at the first construct quaestio refuses."""

    def __init__(self, finding: Finding):
        super().__init__(finding.message)
        self.finding = finding


def read_yaml(file: Path, path: str) -> tuple[YamlDocument | None, list[Finding]]:
    """Read one content file; returns its document (None if unusable) and what was wrong with it."""
    try:
        size = file.stat().st_size
        if size > MAX_FILE_BYTES:
            return None, [
                finding(
                    path,
                    (1, 1),
                    Code.FILE_TOO_LARGE,
                    f"the file is {size / 1048576:.1f} MiB; content files may be at most 1 MiB",
                    "split the recommendations over several topics, or move long texts out of the file",
                )
            ]
        raw = file.read_bytes()
    except OSError as exc:
        return None, [finding(path, (1, 1), Code.UNREADABLE, f"the file cannot be read: {exc.strerror}")]
    text, problem = _decode(raw, path)
    if problem is not None:
        return None, [problem]
    assert text is not None  # _decode gives either the text or a problem
    return parse_yaml(text, path)


def parse_yaml(text: str, path: str) -> tuple[YamlDocument | None, list[Finding]]:
    """Parse YAML text into a document, refusing anchors, aliases, tags and deep nesting."""
    gc_was_enabled = gc.isenabled()
    gc.disable()  # the parser makes many small objects and no cycles
    try:
        return _build(text, path)
    except _Reject as rejected:
        return None, [rejected.finding]
    except yaml.MarkedYAMLError as exc:
        return None, [_syntax_finding(exc, text, path)]
    except yaml.YAMLError as exc:  # pragma: no cover - libyaml reports all syntax errors with marks
        return None, [finding(path, (1, 1), Code.YAML_SYNTAX, f"YAML syntax error: {exc}")]
    finally:
        if gc_was_enabled:
            gc.enable()


def _build(text: str, path: str) -> tuple[YamlDocument | None, list[Finding]]:
    values: dict[JsonPath, Position] = {}
    keys: dict[JsonPath, Position] = {}
    # Each open collection: [container, its path, pending key, pending key position]
    stack: list[list] = []
    root: object = None
    documents = 0
    scalar_event = events.ScalarEvent
    mapping_start = events.MappingStartEvent
    sequence_start = events.SequenceStartEvent
    collection_end = (events.MappingEndEvent, events.SequenceEndEvent)

    event: Any  # told apart by class identity below (fast), which mypy cannot narrow
    for event in yaml.parse(text, Loader=_PARSER):
        kind = event.__class__
        if kind is scalar_event or kind is mapping_start or kind is sequence_start:
            if event.anchor is not None:
                raise _Reject(
                    finding(
                        path,
                        _position(event.start_mark),
                        Code.YAML_ANCHOR,
                        f"YAML anchors (&{event.anchor}) are not allowed in content files",
                        "write the value out in full where it is needed",
                    )
                )
            if event.tag is not None and not (kind is scalar_event and event.tag == "!"):
                raise _Reject(
                    finding(
                        path,
                        _position(event.start_mark),
                        Code.YAML_TAG,
                        f"YAML tags ({event.tag.replace('tag:yaml.org,2002:', '!!')}) are not allowed in content files",
                        "remove the tag; write plain values, quoted if need be",
                    )
                )
            if kind is scalar_event:
                value: object = event.value
                if event.implicit[0]:  # plain (unquoted) and untagged
                    value = resolve_plain(event.value)
            else:
                value = {} if kind is mapping_start else []
            position = _position(event.start_mark)
            if stack:
                top = stack[-1]
                container = top[0]
                if type(container) is dict:
                    if top[2] is None:
                        if kind is not scalar_event:
                            raise _Reject(
                                finding(
                                    path,
                                    position,
                                    Code.YAML_SYNTAX,
                                    "a list or mapping cannot be used as a field name",
                                    "field names are single words such as 'title:'",
                                )
                            )
                        key = value if isinstance(value, str) else event.value
                        if key in container:
                            raise _Reject(
                                finding(
                                    path,
                                    position,
                                    Code.DUPLICATE_KEY,
                                    f"the field '{key}' appears twice in the same mapping "
                                    f"(first at line {keys[top[1] + (key,)][0]})",
                                    "keep one of the two and delete the other",
                                )
                            )
                        top[2] = key
                        top[3] = position
                        continue
                    child_path = top[1] + (top[2],)
                    container[top[2]] = value
                    keys[child_path] = top[3]
                    top[2] = None
                else:
                    child_path = top[1] + (len(container),)
                    container.append(value)
            else:
                root = value
                child_path = ()
            values[child_path] = position
            if kind is not scalar_event:
                if len(stack) >= MAX_DEPTH:
                    raise _Reject(
                        finding(
                            path,
                            position,
                            Code.TOO_DEEP,
                            f"the content is nested more than {MAX_DEPTH} levels deep",
                            "content files need only a few levels; check the indentation",
                        )
                    )
                stack.append([value, child_path, None, None])
        elif kind in collection_end:
            stack.pop()
        elif kind is events.AliasEvent:
            raise _Reject(
                finding(
                    path,
                    _position(event.start_mark),
                    Code.YAML_ALIAS,
                    f"YAML aliases (*{event.anchor}) are not allowed in content files",
                    "write the value out in full where it is needed",
                )
            )
        elif kind is events.DocumentStartEvent:
            documents += 1
            if documents > 1:
                raise _Reject(
                    finding(
                        path,
                        _position(event.start_mark),
                        Code.MULTIPLE_DOCUMENTS,
                        "the file holds more than one YAML document ('---')",
                        "keep one document per file; remove the second '---' line",
                    )
                )

    if documents == 0 or root is None:
        return None, [
            finding(path, (1, 1), Code.EMPTY_FILE, "the file is empty", "fill it in, or delete it if it is not needed")
        ]
    if not isinstance(root, dict):
        what = "a list" if isinstance(root, list) else "a single value"
        return None, [
            finding(
                path,
                values[()],
                Code.NOT_A_MAPPING,
                f"the file holds {what}; a content file must be a mapping of fields such as 'id: ...'",
                "start the file with the fields, each on its own line as 'name: value'",
            )
        ]
    return YamlDocument(path, root, Positions(values, keys), text), []


@dataclass(frozen=True)
class Source:
    """A parsed content file together with what its place in the repository says it holds."""

    file: ContentFile
    document: YamlDocument

    def at(self, path: JsonPath) -> Position:
        """The 1-based (line, column) of the value at path."""
        return self.document.positions.of_value(path)


@dataclass(frozen=True)
class LoadedContent:
    """Everything read from a repository: the usable documents and what stopped the others."""

    sources: tuple[Source, ...]
    findings: tuple[Finding, ...]
    files: int


def load_content(root: Path) -> LoadedContent:
    """Discover and read every content file under root."""
    files, misplaced = discover(root)
    findings = list(misplaced)
    sources = []
    for content_file in files:
        document, problems = read_yaml(content_file.file, content_file.path)
        findings.extend(problems)
        if document is not None:
            sources.append(Source(content_file, document))
    return LoadedContent(tuple(sources), tuple(findings), len(files) + len(misplaced))
