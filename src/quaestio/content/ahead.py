"""Many files read ahead by the fast reader and checked alone, half in a forked process, for a cold validation."""

from __future__ import annotations

import gc
import marshal
import multiprocessing
import tempfile
from array import array
from collections.abc import Callable, Sequence
from typing import BinaryIO

from quaestio.content.layout import ContentFile
from quaestio.content.load import Positions, YamlDocument, decode, parse_yaml, read_bytes, read_plainly, read_yaml
from quaestio.findings import Finding
from quaestio.processes import may_fork_now

PARALLEL_BYTES = 256 * 1024
"""Below this many bytes in all, one process reads the files: a fork and the answer's transfer would cost more."""
_LENGTH_BYTES = 8

Reading = tuple[dict, "array[int]"]
"""What the fast reader makes of a plain, clean file: its data and the packed start of each node."""
Checked = tuple[tuple, tuple[str, ...]]
"""What a file gives on its own (see FileCache): its findings' rows and the quick tests it passes, as values
that pass between processes."""
Check = Callable[[ContentFile, YamlDocument], Checked]
Wanted = Callable[[str, bytes], bool]
Ready = tuple[bytes, str, Reading | None, Checked | None]
"""A file read ahead: its bytes and text, its fast reading (None when not wanted or left to the careful reader)
and its check (None when not asked for or when it could not be made ahead)."""


class ReadAhead:
    """A reader of content files that reads them all at once first (`read_ahead`, given to load_content): their
    bytes and text, the fast reader's reading of those `wanted` says need it, each then checked alone by `check`
    if one is given (see read_files). `read` then gives each file's document, or the careful reader's findings,
    as read_yaml does."""

    def __init__(self, wanted: Wanted = lambda path, raw: True) -> None:
        self.wanted = wanted
        self._ready: dict[str, Ready] = {}

    def read_ahead(self, files: Sequence[ContentFile], check: Check | None = None) -> None:
        """Read the files; a file that cannot be read or decoded is left to `read`, which says why."""
        for content_file, ready in zip(files, read_files(files, self.wanted, check), strict=True):
            if ready is not None:
                self._ready[content_file.path] = ready

    def ready(self, path: str) -> Ready | None:
        """What was read ahead of the file at path (None if it was not), once."""
        return self._ready.pop(path, None)

    def read(self, content_file: ContentFile) -> tuple[YamlDocument | None, list[Finding]]:
        """The file's document as read_yaml gives it, from what was read ahead."""
        ready = self.ready(content_file.path)
        if ready is None:
            return read_yaml(content_file.file, content_file.path)
        return document(content_file.path, ready[1], ready[2])


def document(path: str, text: str, reading: Reading | None) -> tuple[YamlDocument | None, list[Finding]]:
    """The document of a text the fast reader read ahead, or what parse_yaml makes of it."""
    if reading is None:
        return parse_yaml(text, path)
    data, starts = reading
    return YamlDocument(path, data, Positions.deferred(data, starts), text), []


def read_files(
    files: Sequence[ContentFile], wanted: Wanted = lambda path, raw: True, check: Check | None = None
) -> list[Ready | None]:
    """Each file read as `_read_file` reads it, in order (None for a file that cannot be read or decoded). With
    enough bytes, two cores and a process that may fork (fork available, one thread), the second half of the
    files is read in a forked process meanwhile."""
    sizes = [_size(content_file) for content_file in files]
    was_enabled = gc.isenabled()
    gc.disable()  # the reader makes many small objects and no cycles
    try:
        if sum(sizes) < PARALLEL_BYTES or not may_fork_now():
            return [_read_file(content_file, wanted, check) for content_file in files]
        return _in_two_processes(files, _middle(sizes), wanted, check)
    finally:
        if was_enabled:
            gc.enable()


def _size(content_file: ContentFile) -> int:
    try:
        return content_file.file.stat().st_size
    except OSError:  # read_bytes says why
        return 0


def _read_file(content_file: ContentFile, wanted: Wanted, check: Check | None) -> Ready | None:
    """The file's bytes and text; if `wanted`, read_plainly of the text and, if read and a check is given, the
    check of its document. A reading or check that fails in a way it does not foresee is left out (None): the
    careful reader then says why, or the check is made again where its findings are wanted."""
    path = content_file.path
    raw, _ = read_bytes(content_file.file, path)
    text, problem = decode(raw, path) if raw is not None else (None, None)
    if raw is None or text is None or problem is not None:
        return None
    if not wanted(path, raw):
        return raw, text, None, None
    try:
        reading = read_plainly(text)
    except Exception:  # noqa: BLE001 - the careful reader, run next on this text, reports what is wrong
        return raw, text, None, None
    if reading is None or check is None:
        return raw, text, reading, None
    data, starts = reading
    try:
        return raw, text, reading, check(content_file, YamlDocument(path, data, Positions.deferred(data, starts), text))
    except Exception:  # noqa: BLE001 - checked again, in this process, by its caller
        return raw, text, reading, None


def _middle(sizes: Sequence[int]) -> int:
    """Where to split the files so that each half holds about as many bytes."""
    half, total = sum(sizes) / 2, 0
    for index, size in enumerate(sizes):
        total += size
        if total >= half:
            return index + 1
    return len(sizes)


def _in_two_processes(
    files: Sequence[ContentFile], middle: int, wanted: Wanted, check: Check | None
) -> list[Ready | None]:
    """The second half read by a forked process, which writes each file's outcome to a temporary file as it goes
    (neither process holds its half's answer whole); this process reads them back once its own half is read."""
    context = multiprocessing.get_context("fork")
    with tempfile.TemporaryFile(prefix="quaestio-ahead-") as answer:
        child = context.Process(target=_read_and_write, args=(files[middle:], wanted, check, answer), daemon=True)
        child.start()
        try:
            first = [_read_file(content_file, wanted, check) for content_file in files[:middle]]
        finally:
            child.join()
        try:
            if child.exitcode != 0:
                raise ValueError(f"the reading process ended with status {child.exitcode}")
            answer.seek(0)
            second = [_unpacked(_record(answer), content_file) for content_file in files[middle:]]
        except (EOFError, OSError, ValueError, TypeError):  # the child died or its answer is damaged
            second = [_read_file(content_file, wanted, check) for content_file in files[middle:]]
    return [*first, *second]


def _record(answer: BinaryIO) -> bytes:
    """The next outcome the child wrote: its length (8 bytes, little-endian), then its bytes."""
    length = answer.read(_LENGTH_BYTES)
    size = int.from_bytes(length, "little")
    packed = answer.read(size)
    if len(length) != _LENGTH_BYTES or len(packed) != size:
        raise ValueError("an answer cut short")
    return packed


def _packed(ready: Ready | None) -> bytes:
    """What the child writes of a file read: its bytes, reading and check (the parent decodes the text again)."""
    if ready is None:
        return b""
    raw, _, reading, checked = ready
    try:
        return marshal.dumps((raw, None if reading is None else (reading[0], reading[1].tobytes()), checked))
    except ValueError:  # a value marshal cannot carry: the parent reads this file again
        return b""


def _unpacked(packed: bytes, content_file: ContentFile) -> Ready | None:
    if not packed:
        return None
    raw, reading, checked = marshal.loads(packed)
    text, problem = decode(raw, content_file.path)
    if text is None or problem is not None:
        raise ValueError("bytes that decoded in the child do not decode here")
    if reading is None:
        return raw, text, None, checked
    data, starts_bytes = reading
    starts = array("q")
    starts.frombytes(starts_bytes)
    return raw, text, (data, starts), checked


def _read_and_write(files: Sequence[ContentFile], wanted: Wanted, check: Check | None, answer: BinaryIO) -> None:
    """In the forked process: read (and check) the files, each outcome written to `answer` as it is made."""
    try:
        for content_file in files:
            packed = _packed(_read_file(content_file, wanted, check))
            answer.write(len(packed).to_bytes(_LENGTH_BYTES, "little"))
            answer.write(packed)
        answer.flush()  # a forked process ends without flushing its buffers
    except KeyboardInterrupt:  # the command was stopped: the parent says so, not this process
        pass
    except OSError:  # the temporary file could not be written (a full disk): the parent finds the answer cut short
        pass
