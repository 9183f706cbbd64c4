"""A cache of what reading and schema-checking each content file found, keyed on the file's own bytes."""

from __future__ import annotations

import hashlib
import itertools
import json
import marshal
import re
import sys
from array import array
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from pathlib import Path

import jsonschema_rs
import yaml

from quaestio import __version__
from quaestio.content.ahead import ReadAhead
from quaestio.content.ahead import document as read_document
from quaestio.content.catalogs import catalog_data
from quaestio.content.layout import ContentFile
from quaestio.content.load import Positions, YamlDocument, decode, read_bytes
from quaestio.content.schema import SchemaSet
from quaestio.findings import Code, Finding, Severity
from quaestio.output import write_atomically

FORMAT = b"quaestio-validation-cache 2\n"
# Then one record per entry: its key (32 bytes), its length (4 bytes, little-endian) and its bytes.
_KEY_BYTES = 32
_LENGTH_BYTES = 4
# The modules whose code decides what a file's entry holds: a change to any of them empties the cache.
_SHAPING_MODULES = (
    "content/load.py",
    "content/syntax.py",
    "content/schema.py",
    "content/characters.py",
    "content/layout.py",
    "content/catalogs.py",
    "content/rules.py",
    "content/translations.py",
    "content/validate.py",
    "findings.py",
    "vocab.py",
)
_CHECKSUM_BYTES = 16

_CODES = {code.value: code for code in Code}
Entry = tuple[dict, "array[int]", tuple[Finding, ...], frozenset[str]]
Alone = Callable[[ContentFile, YamlDocument], tuple[Sequence[Finding], Iterable[str]]]
"""What a content file gives on its own: its schema findings and the quick tests its text passes."""


def _checksum(payload: bytes | memoryview) -> bytes:
    return hashlib.blake2b(payload, digest_size=_CHECKSUM_BYTES).digest()


def _installed_files(package_file: str) -> Iterable[bytes]:
    """Name, size and time of each file of an installed package: they change when its version does."""
    for path in sorted(Path(package_file).parent.iterdir()):
        stat = path.stat()
        yield f"{path.name}:{stat.st_size}:{stat.st_mtime_ns}".encode()


def salt(schemas: SchemaSet, unprintable: re.Pattern[str] | None) -> bytes:
    """What every entry's key depends on besides the file: quaestio's version and code, PyYAML and libyaml,
    the schema validator, the schemas' text, and the characters the report fonts lack."""
    digest = hashlib.sha256(FORMAT + __version__.encode())
    package = Path(__file__).resolve().parents[1]
    for name in _SHAPING_MODULES:
        digest.update(name.encode() + b"\0" + (package / name).read_bytes())
    digest.update(f"pyyaml {yaml.__version__} libyaml {yaml.__with_libyaml__} {sys.byteorder}".encode())
    for line in _installed_files(jsonschema_rs.__file__ or ""):
        digest.update(line)
    digest.update(json.dumps(schemas.documents, sort_keys=True).encode())
    digest.update(b"unprintable\0" + (unprintable.pattern.encode() if unprintable is not None else b"-"))
    return digest.digest()


def _finding_row(f: Finding) -> tuple[str, int, int, str, str, str, str]:
    return (f.file, f.line, f.column, f.severity.value, f.code.value, f.message, f.hint)


def _finding_of(row: tuple) -> Finding:
    file, line, column, severity, code, message, hint = row
    if not all(isinstance(v, str) for v in (file, message, hint)) or not (type(line) is type(column) is int):
        raise ValueError("a cached finding of the wrong shape")
    return Finding(file, line, column, Severity(severity), _CODES[code], message, hint)


def _records(raw: bytes) -> dict[bytes, memoryview] | None:
    """The entries of a cache file by key, as views into its bytes (no copies); None unless it reads back whole."""
    if not raw.startswith(FORMAT):
        return None
    view, at, entries = memoryview(raw), len(FORMAT), {}
    while at < len(raw):
        key = raw[at : at + _KEY_BYTES]
        length = int.from_bytes(raw[at + _KEY_BYTES : at + _KEY_BYTES + _LENGTH_BYTES], "little")
        at += _KEY_BYTES + _LENGTH_BYTES
        if len(key) != _KEY_BYTES or at + length > len(raw):
            return None
        entries[key] = view[at : at + length]
        at += length
    return entries


def _record(key: bytes, stored: bytes | memoryview) -> Iterator[bytes | memoryview]:
    yield key
    yield len(stored).to_bytes(_LENGTH_BYTES, "little")
    yield stored


def _decoded(stored: bytes | memoryview) -> Entry:
    """An entry as it was stored; ValueError (or TypeError, EOFError, KeyError) when it does not read back whole."""
    checksum, payload = stored[:_CHECKSUM_BYTES], stored[_CHECKSUM_BYTES:]
    if _checksum(payload) != checksum:
        raise ValueError("the entry's checksum does not match")
    data, packed, rows, marks = marshal.loads(payload)
    if type(data) is not dict or type(packed) is not bytes or type(rows) is not tuple or type(marks) is not tuple:
        raise ValueError("an entry of the wrong shape")
    if not all(type(mark) is str for mark in marks):
        raise ValueError("a quick test of the wrong shape")
    starts = array("q")
    starts.frombytes(packed)  # ValueError unless whole
    return data, starts, tuple(_finding_of(row) for row in rows), frozenset(marks)


class FileCache:
    """Per content file: its data, where each of its nodes starts, its schema findings, and the quick tests
    its text passes (which of the rules over every text need to look at its strings).

    An entry's key is the SHA-256 of the salt, the file's path and its bytes, so an edit, a renamed file,
    another quaestio or other schemas all miss. The cross-file rules are never cached: they run on every
    validation. An entry that does not read back whole (a bad checksum, a wrong shape) is ignored and the
    file read afresh, so the cache can make validation faster, never different.
    """

    def __init__(
        self,
        file: Path,
        salt: bytes,
        stored: Mapping[bytes, bytes | memoryview] | None = None,
        alone: Alone | None = None,
    ):
        self.file = file
        self.salt = salt
        self.alone = alone
        self._stored = dict(stored or {})
        self._kept: dict[bytes, bytes | memoryview] = {}  # the entries this run used or made: what save() writes
        # path -> schema findings and quick tests passed (see rules.text_marker), for files found in the cache
        self._known: dict[str, tuple[tuple[Finding, ...], frozenset[str]]] = {}
        self._pending: dict[str, tuple[bytes, dict, Sequence[int]]] = {}  # path -> (key, data, starts)
        self._keys: dict[str, bytes] = {}  # path -> key, of the files read ahead in this process
        self._ahead = ReadAhead(self._not_stored)

    @classmethod
    def open(cls, file: Path, salt: bytes, alone: Alone | None = None) -> FileCache:
        """The cache stored in file; empty when there is none or it cannot be read back. alone: what a content
        file gives on its own, for the files read ahead that the cache does not hold (see read_ahead)."""
        try:
            raw = file.read_bytes()
        except OSError:  # no cache yet, or one that cannot be read: every file is read afresh
            return cls(file, salt, alone=alone)
        return cls(file, salt, _records(raw), alone)

    def _key(self, path: str, raw: bytes) -> bytes:
        return hashlib.sha256(self.salt + path.encode() + b"\0" + raw).digest()

    def _not_stored(self, path: str, raw: bytes) -> bool:
        key = self._keys[path] = self._key(path, raw)
        return key not in self._stored

    def read_ahead(self, files: Sequence[ContentFile]) -> None:
        """Read every content file's bytes, and with the fast reader those this cache does not hold, each then
        checked alone (`alone`, as `settle` would be told), in two processes where they are many (see
        ahead.ReadAhead), so that read() finds them read and `known` their findings."""
        self._ahead.read_ahead(files, self._alone_rows if self.alone is not None else None)

    def read_ahead_unchecked(self, files: Sequence[ContentFile]) -> None:
        """read_ahead for files checked elsewhere (translations, see read_unchecked): read, not checked."""
        self._ahead.read_ahead(files)

    def _alone_rows(self, content_file: ContentFile, document: YamlDocument) -> tuple[tuple, tuple[str, ...]]:
        """`alone` as values that pass between processes: its findings' rows and its quick tests, sorted."""
        assert self.alone is not None  # read_ahead asks only then
        findings, marks = self.alone(content_file, document)
        return tuple(_finding_row(f) for f in findings), tuple(sorted(marks))

    def read(self, content_file: ContentFile) -> tuple[YamlDocument | None, list[Finding]]:
        """Read a content file as `read_yaml` does, from the cache when its bytes have been seen before."""
        path = content_file.path
        ready = self._ahead.ready(path)
        alone: tuple[tuple, tuple[str, ...]] | None = None
        if ready is not None:
            raw, text, reading, alone = ready
            key = self._keys.pop(path, None) or self._key(path, raw)  # none kept for a file read in a forked process
        else:
            read, problems = read_bytes(content_file.file, path)
            if read is None:
                return None, problems
            decoded, problem = decode(read, path)
            if decoded is None or problem is not None:
                return None, [problem] if problem is not None else []
            raw, text, reading = read, decoded, None
            key = self._key(path, raw)
        entry = self._entry(key)
        if entry is not None:
            data, starts, findings, marks = entry
            self._known[path] = (findings, marks)
            return YamlDocument(path, data, Positions.deferred(data, starts), text), []
        document, problems = read_document(path, text, reading)
        if document is not None and not problems and document.positions.starts:
            if alone is not None:  # checked as it was read ahead: settled already
                rows, passed = alone
                self._known[path] = (tuple(_finding_of(row) for row in rows), frozenset(passed))
                self._keep(key, document.data, document.positions.starts, rows, passed)
            else:
                self._pending[path] = (key, document.data, document.positions.starts)
        return document, problems

    def read_unchecked(self, content_file: ContentFile) -> tuple[YamlDocument | None, list[Finding]]:
        """Read a file as `read` does and keep its reading, for a file whose checks are not cached: a
        translation, whose findings depend on the English it translates, is checked on every validation."""
        document, problems = self.read(content_file)
        self.settle(content_file.path, (), ())
        return document, problems

    def catalog_data(self, text: str) -> object:
        """The data of a catalog file's text, as `catalogs.catalog_data` reads it, from the cache when the text
        was read before (a catalog holds a thousand controls: reading one takes longer than the cache)."""
        key = hashlib.sha256(self.salt + b"catalog\0" + text.encode("utf-8")).digest()
        stored = self._stored.get(key)
        if stored is not None and _checksum(stored[_CHECKSUM_BYTES:]) == stored[:_CHECKSUM_BYTES]:
            try:
                data = marshal.loads(stored[_CHECKSUM_BYTES:])
            except (ValueError, TypeError, EOFError):  # a damaged entry: read the text afresh instead
                pass
            else:
                self._kept[key] = stored
                return data
        data = catalog_data(text)  # a YAML error goes to the caller, which makes it a finding
        try:
            payload = marshal.dumps(data)  # type: ignore[arg-type]  # whatever YAML gave: ValueError if not kept
        except ValueError:  # a value marshal cannot keep (a date): this catalog is read afresh each time
            return data
        self._kept[key] = _checksum(payload) + payload
        return data

    def _entry(self, key: bytes) -> Entry | None:
        stored = self._stored.get(key)
        if stored is None:
            return None
        try:
            entry = _decoded(stored)
        except (ValueError, TypeError, EOFError, KeyError):  # a damaged entry: read the file afresh instead
            return None
        self._kept[key] = stored
        return entry

    def known(self, path: str) -> tuple[tuple[Finding, ...], frozenset[str]] | None:
        """The schema findings of a file read from the cache and the quick tests its text passes; None when
        they must be worked out."""
        return self._known.get(path)

    def settle(self, path: str, findings: Iterable[Finding], marks: Iterable[str]) -> None:
        """Complete the entry of a file read afresh with its schema findings and the quick tests it passes."""
        pending = self._pending.pop(path, None)
        if pending is None:
            return
        key, data, starts = pending
        self._keep(key, data, starts, tuple(_finding_row(f) for f in findings), tuple(sorted(marks)))

    def _keep(self, key: bytes, data: dict, starts: Sequence[int], rows: tuple, marks: tuple[str, ...]) -> None:
        payload = marshal.dumps((data, array("q", starts).tobytes(), rows, marks))
        self._kept[key] = _checksum(payload) + payload

    def save(self) -> None:
        """Write the entries this run used or made, dropping the others; a cache that cannot be written is
        left out (validation does not depend on it)."""
        if self._kept.keys() == self._stored.keys():
            return
        records = (chunk for key, stored in self._kept.items() for chunk in _record(key, stored))
        try:  # record by record: the entries are not copied into one whole file's bytes first
            write_atomically(self.file, itertools.chain([FORMAT], records))
        except OSError:  # a read-only checkout: the next run reads every file afresh, with the same result
            return
