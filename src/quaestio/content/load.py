"""Read YAML content files into plain data that remembers the line and column of every value."""

from __future__ import annotations

import gc
import re
from array import array
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from yaml import events

from quaestio.content.layout import ContentFile, discover, guess_place
from quaestio.content.syntax import SyntaxSlip, explain
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


class Positions:
    """Where each value (and each mapping key) of a document stands, as 1-based (line, column).

    The fast reader keeps only where each node starts, in reading order (`deferred`): a position asked
    for is found by counting the nodes before it, and the two maps are built only if asked for whole.
    """

    __slots__ = ("_keys", "_packed", "_root", "_sizes", "_starts", "_values")

    def __init__(
        self, values: Mapping[JsonPath, Position] | None = None, keys: Mapping[JsonPath, Position] | None = None
    ):
        self._values = values if values is not None else {}
        self._keys = keys if keys is not None else {}
        self._root: object = None
        self._starts: Sequence[int] = ()
        self._packed = False  # True: the maps are still to be built from _starts
        self._sizes: dict[int, int] = {}  # id of a list or mapping -> how many nodes it holds, itself included

    @classmethod
    def deferred(cls, root: object, starts: Sequence[int]) -> Positions:
        """Positions of a document read by the fast reader: its data and the packed start of each node."""
        positions = cls(None, None)
        positions._root, positions._starts, positions._packed = root, starts, True
        return positions

    @property
    def starts(self) -> Sequence[int]:
        """The packed start of each node in reading order, as the fast reader kept them (else empty)."""
        return self._starts

    def _unpack(self) -> None:
        if self._packed:
            self._values, self._keys = _positions_of(self._root, self._starts)
            self._packed = False  # last, so that another thread sees both maps or builds them again

    @property
    def values(self) -> Mapping[JsonPath, Position]:
        self._unpack()
        return self._values

    @property
    def keys(self) -> Mapping[JsonPath, Position]:
        self._unpack()
        return self._keys

    def of_value(self, path: JsonPath) -> Position:
        """The position of the value at path, or of its nearest ancestor that has one."""
        if self._packed:
            return _unpacked(self._starts[self._node_index(path)[0]])
        values = self._values
        while path not in values and path:
            path = path[:-1]
        return values.get(path, (1, 1))

    def of_key(self, path: JsonPath) -> Position:
        """The position of the mapping key that holds the value at path (else of the value)."""
        if self._packed:
            value, key = self._node_index(path)
            return _unpacked(self._starts[key if key is not None else value])
        found = self._keys.get(path)
        return found if found is not None else self.of_value(path)

    def _node_index(self, path: JsonPath) -> tuple[int, int | None]:
        """In reading order, the index of the node at path (else of its nearest ancestor) and, when the whole
        path was found and ends in a field name, of that name's node."""
        node, index, key = self._root, 0, None
        for step in path:
            key = None
            if type(node) is dict and step in node:
                index += 1  # the mapping itself
                for name, value in node.items():
                    if name == step:
                        key, index, node = index, index + 1, value
                        break
                    index += 1 + self._size(value)
            elif type(node) is list and isinstance(step, int) and 0 <= step < len(node):
                index += 1 + sum(self._size(value) for value in node[:step])
                node = node[step]
            else:
                return index, None
        return index, key

    def _size(self, node: object) -> int:
        if type(node) is dict:
            found = self._sizes.get(id(node))
            if found is None:
                found = self._sizes[id(node)] = 1 + sum(1 + self._size(value) for value in node.values())
            return found
        if type(node) is list:
            found = self._sizes.get(id(node))
            if found is None:
                found = self._sizes[id(node)] = 1 + sum(self._size(value) for value in node)
            return found
        return 1

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Positions):
            return NotImplemented
        return self.values == other.values and self.keys == other.keys

    __hash__ = None  # type: ignore[assignment]  # mutable maps inside, as before

    def __repr__(self) -> str:
        return f"Positions(values={self.values!r}, keys={self.keys!r})"


_COLUMN_BITS = 20  # a content file holds at most 1 MiB, so a column fits in 20 bits
_COLUMN_MASK = (1 << _COLUMN_BITS) - 1


def _unpacked(packed: int) -> Position:
    return ((packed >> _COLUMN_BITS) + 1, (packed & _COLUMN_MASK) + 1)


def _positions_of(root: object, starts: Sequence[int]) -> tuple[dict[JsonPath, Position], dict[JsonPath, Position]]:
    """The position maps of a document from the start of each node in reading order (as the events came:
    a mapping, then each key and its value; a list, then each item)."""
    values: dict[JsonPath, Position] = {}
    keys: dict[JsonPath, Position] = {}
    following = iter(starts).__next__

    def place() -> Position:
        return _unpacked(following())

    def visit(node: object, path: JsonPath) -> None:
        values[path] = place()
        if type(node) is dict:
            for key, value in node.items():
                child = path + (key,)
                keys[child] = place()
                visit(value, child)
        elif type(node) is list:
            for index, value in enumerate(node):
                visit(value, path + (index,))

    visit(root, ())
    return values, keys


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


_SPECIAL_PLAIN: dict[str, object] = {
    **dict.fromkeys(_NULLS, None),
    **dict.fromkeys(_TRUES, True),
    **dict.fromkeys(_FALSES, False),
}
_NUMBER_START = frozenset("+-.0123456789")


def resolve_plain(value: str) -> object:
    """The YAML 1.2 core-schema value of a plain (unquoted) scalar.

    Unlike YAML 1.1, 'yes', 'no', 'on' and 'off' stay strings and dates stay text.
    """
    if value[:1] not in _NUMBER_START:  # most values are words: neither a number nor null, true or false
        return _SPECIAL_PLAIN.get(value, value) if len(value) <= 5 else value
    if _INT.match(value):
        return int(value)
    if _FLOAT.match(value) and any(c.isdigit() for c in value):
        return float(value)
    return value


def _position(mark: Any) -> Position:  # a mark of PyYAML's or of libyaml's parser, or None
    """A parser mark as a 1-based (line, column); the file's start when the parser gave none."""
    return (mark.line + 1, mark.column + 1) if mark is not None else (1, 1)


def decode(raw: bytes, path: str) -> tuple[str | None, Finding | None]:
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    try:
        return raw.decode("utf-8"), None
    except UnicodeDecodeError as exc:
        before = raw[: exc.start]
        line = before.count(b"\n") + 1
        column = exc.start - (before.rfind(b"\n") + 1) + 1
        byte = raw[exc.start : exc.start + 1]
        guess = byte.decode("cp1252", errors="replace")
        likely = f", probably '{guess}' saved in another encoding such as Windows-1252" if guess.isprintable() else ""
        return None, finding(
            path,
            (line, column),
            Code.NOT_UTF8,
            f"the file is not UTF-8 text: byte 0x{byte[0]:02x} cannot be read{likely}",
            "save the file with the UTF-8 encoding (most editors offer it under 'Save with encoding'), "
            "then retype that character if it shows wrongly",
        )


def _syntax_finding(exc: yaml.MarkedYAMLError, text: str, path: str) -> Finding:
    problem, context = exc.problem_mark, exc.context_mark
    mark = problem or context
    slip = SyntaxSlip(
        lines=[line.rstrip("\r") for line in text.split("\n")],
        problem=exc.problem or "",
        line=mark.line + 1 if mark is not None else 1,
        column=mark.column + 1 if mark is not None else 1,
        context=exc.context or "",
        context_line=context.line + 1 if context is not None else 0,
        context_column=context.column + 1 if context is not None else 0,
    )
    return explain(slip, path)


class _Reject(Exception):  # noqa: N818 - a signal that stops the parser, caught in parse_yaml
    """Stops reading a file at the first construct quaestio refuses."""

    def __init__(self, finding: Finding):
        super().__init__(finding.message)
        self.finding = finding


def read_yaml(file: Path, path: str) -> tuple[YamlDocument | None, list[Finding]]:
    """Read one content file; returns its document (None if unusable) and what was wrong with it."""
    raw, problems = read_bytes(file, path)
    if raw is None:
        return None, problems
    text, problem = decode(raw, path)
    if problem is not None:
        return None, [problem]
    assert text is not None  # decode gives either the text or a problem
    return parse_yaml(text, path)


def read_bytes(file: Path, path: str) -> tuple[bytes | None, list[Finding]]:
    """The bytes of a content file, or None and why it cannot be read (too large, unreadable)."""
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
        return file.read_bytes(), []
    except OSError as exc:
        return None, [finding(path, (1, 1), Code.UNREADABLE, f"the file cannot be read: {exc.strerror}")]


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


_SCALAR = events.ScalarEvent
_MAPPING_START = events.MappingStartEvent
_SEQUENCE_START = events.SequenceStartEvent
_COLLECTION_END = (events.MappingEndEvent, events.SequenceEndEvent)


def _label(path: JsonPath) -> str:
    named = [step for step in path if isinstance(step, str)]
    return f"'{named[-1]}'" if named else "the file"


class _Frame:
    """An open mapping or list: the container, its path, and a mapping's pending key and its position."""

    __slots__ = ("container", "key", "key_position", "path")

    def __init__(self, container: dict | list, path: JsonPath):
        self.container = container
        self.path = path
        self.key: str | None = None
        self.key_position: Position = (1, 1)


class _Tree:
    """Plain data built from parser events, with the position of every value and key.

    Refused constructs (anchors, aliases, tags, a second document, deep nesting, a repeated field)
    raise _Reject with their finding; text a comment cut short is noted as a warning.
    """

    def __init__(self, text: str, path: str):
        self.text = text
        self.path = path
        self.values: dict[JsonPath, Position] = {}
        self.keys: dict[JsonPath, Position] = {}
        self.stack: list[_Frame] = []
        self.root: object = None
        self.documents = 0
        self.warnings: list[Finding] = []
        self._lines = text.split("\n") if " #" in text else []
        # Lines where ' #' may cut a value short: only their plain values are looked at.
        self._hash_lines = {
            n for n, line in enumerate(self._lines) if " #" in line and not line.lstrip().startswith("#")
        }

    def feed(self, event: events.Event) -> None:
        kind = event.__class__
        if kind is _SCALAR or kind is _MAPPING_START or kind is _SEQUENCE_START:
            self._node(event, kind)
        elif kind in _COLLECTION_END:
            self.stack.pop()
        elif kind is events.AliasEvent:
            alias = getattr(event, "anchor", "")
            self._refuse(event, Code.YAML_ALIAS, f"YAML aliases (*{alias}) are not allowed in content files")
        elif kind is events.DocumentStartEvent:
            self.documents += 1
            if self.documents > 1:
                raise _Reject(
                    finding(
                        self.path,
                        _position(event.start_mark),
                        Code.MULTIPLE_DOCUMENTS,
                        "the file holds more than one YAML document ('---')",
                        "keep one document per file; remove the second '---' line",
                    )
                )

    def _refuse(self, event: events.Event, code: Code, message: str) -> None:
        hint = "write the value out in full where it is needed"
        if code is Code.YAML_TAG:
            hint = "remove the tag; write plain values, quoted if need be"
        raise _Reject(finding(self.path, _position(event.start_mark), code, message, hint))

    def _node(self, event: Any, kind: type) -> None:
        if event.anchor is not None:
            self._refuse(event, Code.YAML_ANCHOR, f"YAML anchors (&{event.anchor}) are not allowed in content files")
        if event.tag is not None and not (kind is _SCALAR and event.tag == "!"):
            tag = event.tag.replace("tag:yaml.org,2002:", "!!")
            self._refuse(event, Code.YAML_TAG, f"YAML tags ({tag}) are not allowed in content files")
        if kind is _SCALAR:
            value: object = resolve_plain(event.value) if event.implicit[0] else event.value
        else:
            value = {} if kind is _MAPPING_START else []
        mark = event.start_mark
        position = (mark.line + 1, mark.column + 1)
        stack = self.stack
        if not stack:
            self.root = value
            child_path: JsonPath = ()
        else:
            top = stack[-1]
            container = top.container
            if type(container) is dict:
                if top.key is None:  # this node is a field name
                    self._key(top, event, kind, value, position)
                    return
                child_path = top.path + (top.key,)
                container[top.key] = value
                self.keys[child_path] = top.key_position
                top.key = None
            else:
                child_path = top.path + (len(container),)
                container.append(value)  # type: ignore[union-attr]
        self.values[child_path] = position
        if kind is _SCALAR:
            if self._hash_lines and not event.style and event.end_mark.line in self._hash_lines:
                self._comment_cut(event, child_path)
            if not event.style and "\t" in event.value:
                self._tab_in_value(event, child_path)
        else:
            self._open(value, child_path, position)  # type: ignore[arg-type]

    def _key(self, top: _Frame, event: Any, kind: type, value: object, position: Position) -> None:
        if kind is not _SCALAR:
            raise _Reject(
                finding(
                    self.path,
                    position,
                    Code.YAML_SYNTAX,
                    "a list or mapping cannot be used as a field name",
                    "field names are single words such as 'title:'",
                )
            )
        key = value if isinstance(value, str) else event.value
        if key in top.container:
            raise _Reject(self._duplicate(top, key, position))
        top.key = key
        top.key_position = position

    def _duplicate(self, top: _Frame, key: str, position: Position) -> Finding:
        """A field given twice; when it is an entry's first field at its column, the entry lacks its '- '."""
        first_line, first_column = self.keys[top.path + (key,)]
        container = top.container
        in_list = len(self.stack) >= 2 and type(self.stack[-2].container) is list
        if in_list and next(iter(container)) == key and first_column == position[1] and position[1] > 2:
            owner = next((step for step in reversed(top.path) if isinstance(step, str)), "the list")
            return finding(
                self.path,
                (position[0], position[1] - 2),
                Code.DUPLICATE_KEY,
                f"line {position[0]} starts a new entry of '{owner}' without '- ', so its '{key}' reads as a "
                f"second '{key}' of the entry that starts on line {first_line}",
                f"type '- ' before '{key}:' on line {position[0]}, in line with the '- ' of line {first_line}",
            )
        return finding(
            self.path,
            position,
            Code.DUPLICATE_KEY,
            f"the field '{key}' appears twice in the same mapping (first at line {first_line})",
            "keep one of the two and delete the other",
        )

    def _open(self, value: dict | list, child_path: JsonPath, position: Position) -> None:
        if len(self.stack) >= MAX_DEPTH:
            raise _Reject(
                finding(
                    self.path,
                    position,
                    Code.TOO_DEEP,
                    f"the content is nested more than {MAX_DEPTH} levels deep",
                    "content files need only a few levels; check the indentation",
                )
            )
        self.stack.append(_Frame(value, child_path))

    def _comment_cut(self, event: Any, child_path: JsonPath) -> None:
        """A warning when ' #' right after a one-line plain value cuts the text short ('Priority #1')."""
        end = event.end_mark
        line = self._lines[end.line] if end.line < len(self._lines) else ""
        rest = line[end.column :]
        if not rest.startswith(" #") or rest[2:3] in ("", " ", "\t", "\r"):
            return
        if not child_path or not isinstance(child_path[-1], str) or event.start_mark.line != end.line:
            return
        key = child_path[-1]
        whole = f"{event.value}{rest.rstrip()}"
        quoted = f'"{whole}"' if '"' not in whole else "'" + whole.replace("'", "''") + "'"
        self.warnings.append(
            finding(
                self.path,
                (end.line + 1, end.column + 2),
                Code.COMMENT_CUT,
                f"' #' starts a comment in YAML, so '{key}' is only '{event.value}' and "
                f"'{rest[1:].rstrip()}' is left out",
                f"put the whole value in quotes: {key}: {quoted}",
            )
        )

    def _tab_in_value(self, event: Any, child_path: JsonPath) -> None:
        """A tab inside an unquoted value: invisible, printed as a gap, and unreadable for `fmt`'s parser."""
        start = event.start_mark.index + event.value.index("\t")
        at = self.text.find("\t", event.start_mark.index, event.end_mark.index)
        where = at if at >= 0 else start
        line = self.text.count("\n", 0, where) + 1
        column = where - (self.text.rfind("\n", 0, where) + 1) + 1
        self.warnings.append(
            finding(
                self.path,
                (line, column),
                Code.INVISIBLE_CHARACTER,
                f"a tab (U+0009 TAB) stands inside the value of {_label(child_path)}, where it prints as a gap "
                "of unknown width",
                "replace it with a space",
            )
        )

    def document(self) -> tuple[YamlDocument | None, list[Finding]]:
        if self.documents == 0 or self.root is None:
            return None, [
                finding(
                    self.path,
                    (1, 1),
                    Code.EMPTY_FILE,
                    "the file is empty",
                    "fill it in, or delete it if it is not needed",
                )
            ]
        if not isinstance(self.root, dict):
            what = "a list" if isinstance(self.root, list) else "a single value"
            return None, [
                finding(
                    self.path,
                    self.values[()],
                    Code.NOT_A_MAPPING,
                    f"the file holds {what}; a content file must be a mapping of fields such as 'id: ...'",
                    "start the file with the fields, each on its own line as 'name: value'",
                )
            ]
        return YamlDocument(self.path, self.root, Positions(self.values, self.keys), self.text), self.warnings


def _build(text: str, path: str) -> tuple[YamlDocument | None, list[Finding]]:
    read = read_plainly(text)
    if read is not None:
        root, starts = read
        return YamlDocument(path, root, Positions.deferred(root, starts), text), []
    return _read_carefully(text, path)


def _read_carefully(text: str, path: str) -> tuple[YamlDocument | None, list[Finding]]:
    """Every event through `_Tree`: the findings of a file the fast reader would not vouch for."""
    tree = _Tree(text, path)
    node, stack, feed = tree._node, tree.stack, tree.feed
    for event in yaml.parse(text, Loader=_PARSER):
        kind = event.__class__
        if kind is _SCALAR or kind is _MAPPING_START or kind is _SEQUENCE_START:  # the common case, inline
            node(event, kind)
        elif kind in _COLLECTION_END:
            stack.pop()
        else:
            feed(event)
    return tree.document()


_MAPPING_END = events.MappingEndEvent
_SEQUENCE_END = events.SequenceEndEvent
_STREAM_END = events.StreamEndEvent


def read_plainly(text: str) -> tuple[dict, array[int]] | None:
    """The data of a plain, clean file and the packed start of each node, in one loop over the parser's
    events; None as soon as anything needs `_Tree`'s care (an error, an anchor, an alias, a tag, a second
    document, deep nesting, a repeated or complex field name, a value a comment may cut, a tab in a value,
    a file that is not a mapping), so that the careful reader gives exactly its findings."""
    hashes = " #" in text  # a plain value right before ' #' may be cut short by a comment (see `_comment_cut`)
    tabs = "\t" in text
    marked = "&" in text or "!" in text  # without them, no anchor and no tag
    loader = _PARSER(text)
    get = loader.get_event
    starts: list[int] = []
    start = starts.append
    stack: list[dict | list] = []
    top: Any = []  # the innermost open mapping (dict) or list
    in_mapping = False
    root: object = None
    key: str | None = None
    documents = 0
    try:
        while True:
            event: Any = get()
            kind = event.__class__
            if kind is _SCALAR:
                if marked and (event.anchor is not None or (event.tag is not None and event.tag != "!")):
                    return None
                mark = event.start_mark
                start(mark.line << _COLUMN_BITS | mark.column)
                raw = event.value
                if in_mapping and key is None:  # a field name: kept as written, as `_Tree` keeps it
                    if raw in top:
                        return None
                    key = raw
                    continue
                if not event.style and (
                    (tabs and "\t" in raw) or (hashes and text.startswith(" #", event.end_mark.index))
                ):
                    return None
                if not event.implicit[0]:
                    value: object = raw
                elif raw[:1] not in _NUMBER_START:  # resolve_plain's common case, inline
                    value = _SPECIAL_PLAIN.get(raw, raw) if len(raw) <= 5 else raw
                else:
                    value = resolve_plain(raw)
                if in_mapping:
                    top[key] = value
                    key = None
                elif stack:
                    top.append(value)
                else:
                    root = value
            elif kind is _MAPPING_START or kind is _SEQUENCE_START:
                if (marked and (event.anchor is not None or event.tag is not None)) or len(stack) >= MAX_DEPTH:
                    return None
                if in_mapping and key is None:  # a list or mapping as a field name
                    return None
                mark = event.start_mark
                start(mark.line << _COLUMN_BITS | mark.column)
                container: dict | list = {} if kind is _MAPPING_START else []
                if in_mapping:
                    top[key] = container
                    key = None
                elif stack:
                    top.append(container)
                else:
                    root = container
                stack.append(container)
                top, in_mapping = container, kind is _MAPPING_START
            elif kind is _MAPPING_END or kind is _SEQUENCE_END:
                stack.pop()
                if stack:
                    top = stack[-1]
                    in_mapping = type(top) is dict
                else:
                    in_mapping = False
            elif kind is _STREAM_END:
                break
            elif kind is events.DocumentStartEvent and documents == 0:
                documents = 1
            elif kind is not events.StreamStartEvent and kind is not events.DocumentEndEvent:
                return None  # an alias or a second document
    except yaml.YAMLError:
        return None
    finally:
        loader.dispose()
    if type(root) is not dict:
        return None
    return root, array("q", starts)  # 8 bytes a node rather than an int object's 36


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
    unreadable: tuple[ContentFile, ...] = ()


Reader = Callable[[ContentFile], tuple[YamlDocument | None, list[Finding]]]


def read_content_file(content_file: ContentFile) -> tuple[YamlDocument | None, list[Finding]]:
    """Read one discovered content file (the default reader of `load_content`)."""
    return read_yaml(content_file.file, content_file.path)


def load_content(
    root: Path, read: Reader = read_content_file, ahead: Callable[[Sequence[ContentFile]], None] | None = None
) -> LoadedContent:
    """Discover and read every content file under root; misplaced and unreadable files are listed as unreadable.

    read reads one file (a cache may stand in for the plain reader); ahead, given every file first, may read
    them all at once for read to find (see FileCache.read_ahead)."""
    files, misplaced = discover(root)
    if ahead is not None:
        ahead(files)
    findings = list(misplaced)
    unreadable = [guess_place(root, f.file) for f in misplaced]
    sources = []
    for content_file in files:
        document, problems = read(content_file)
        findings.extend(problems)
        if document is not None:
            sources.append(Source(content_file, document))
        else:
            unreadable.append(content_file)
    return LoadedContent(tuple(sources), tuple(findings), len(files) + len(misplaced), tuple(unreadable))
