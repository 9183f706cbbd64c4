"""Many files' YAML read ahead by the fast reader, half of them in a forked process: a cold validation on two cores."""

from __future__ import annotations

import gc
import marshal
import multiprocessing
from array import array
from collections.abc import Callable, Sequence
from multiprocessing.connection import Connection

from quaestio.content.layout import ContentFile
from quaestio.content.load import Positions, YamlDocument, decode, parse_yaml, read_bytes, read_plainly, read_yaml
from quaestio.findings import Finding
from quaestio.processes import may_fork_now

PARALLEL_CHARACTERS = 256 * 1024
"""Below this much text in all, one process reads it: a fork and the answer's transfer would cost more."""

Reading = tuple[dict, "array[int]"]
"""What the fast reader makes of a plain, clean file: its data and the packed start of each node."""


class ReadAhead:
    """A reader of content files that reads them all at once first (`read_ahead`, given to load_content): their
    bytes, and the text of those `wanted` says need parsing with the fast reader (see plain_readings). `read`
    then gives each file's document, or the careful reader's findings, as read_yaml does."""

    def __init__(self, wanted: Callable[[str, bytes], bool] = lambda path, raw: True) -> None:
        self.wanted = wanted
        self._ready: dict[str, tuple[bytes, str, Reading | None]] = {}  # path -> (bytes, text, reading)

    def read_ahead(self, files: Sequence[ContentFile]) -> None:
        """Read the files; a file that cannot be read or decoded is left to `read`, which says why."""
        known: list[tuple[str, bytes, str]] = []
        missing: list[tuple[str, bytes, str]] = []
        for content_file in files:
            raw, _ = read_bytes(content_file.file, content_file.path)
            text, problem = decode(raw, content_file.path) if raw is not None else (None, None)
            if raw is not None and text is not None and problem is None:
                (missing if self.wanted(content_file.path, raw) else known).append((content_file.path, raw, text))
        for path, raw, text in known:
            self._ready[path] = (raw, text, None)
        for (path, raw, text), reading in zip(missing, plain_readings([t for _, _, t in missing]), strict=True):
            self._ready[path] = (raw, text, reading)

    def ready(self, path: str) -> tuple[bytes, str, Reading | None] | None:
        """A file's bytes, text and fast reading (None when not read ahead or left to the careful reader), once."""
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


def plain_readings(texts: Sequence[str]) -> list[Reading | None]:
    """read_plainly of each text, in order: None where a text needs the careful reader (or its reading cannot
    be passed between processes), which its caller then runs. With enough text, two cores and a process that
    may fork (fork available, one thread), the second half is read in a forked process meanwhile."""
    was_enabled = gc.isenabled()
    gc.disable()  # the reader makes many small objects and no cycles
    try:
        if sum(map(len, texts)) < PARALLEL_CHARACTERS or not may_fork_now():
            return [_reading(text) for text in texts]
        return _in_two_processes(texts)
    finally:
        if was_enabled:
            gc.enable()


def _in_two_processes(texts: Sequence[str]) -> list[Reading | None]:
    middle = _middle(texts)
    context = multiprocessing.get_context("fork")
    receive, send = context.Pipe(duplex=False)
    child = context.Process(target=_read_and_send, args=(texts[middle:], send), daemon=True)
    child.start()
    send.close()
    try:
        first = [_reading(text) for text in texts[:middle]]
        try:
            second = [_unpacked(packed) for packed in marshal.loads(receive.recv_bytes())]
            if len(second) != len(texts) - middle:
                raise ValueError("an answer of the wrong length")
        except (EOFError, OSError, ValueError, TypeError):  # the child died or its answer is damaged
            second = [_reading(text) for text in texts[middle:]]
    finally:
        receive.close()
        child.join()
    return [*first, *second]


def _reading(text: str) -> Reading | None:
    """read_plainly, and None where it fails in a way it does not foresee: the careful reader says why."""
    try:
        return read_plainly(text)
    except Exception:  # noqa: BLE001 - the careful reader, run next on this text, reports what is wrong
        return None


def _middle(texts: Sequence[str]) -> int:
    """Where to split the texts so that each half holds about as many characters."""
    half, total = sum(map(len, texts)) / 2, 0
    for index, text in enumerate(texts):
        total += len(text)
        if total >= half:
            return index + 1
    return len(texts)


def _packed(reading: Reading | None) -> bytes:
    if reading is None:
        return b""
    try:
        return marshal.dumps((reading[0], reading[1].tobytes()))
    except ValueError:  # a value marshal cannot carry: the parent reads this text again
        return b""


def _unpacked(packed: bytes) -> Reading | None:
    if not packed:
        return None
    data, starts_bytes = marshal.loads(packed)
    starts = array("q")
    starts.frombytes(starts_bytes)
    return data, starts


def _read_and_send(texts: Sequence[str], send: Connection) -> None:
    """In the forked process: read the texts and send every reading back as one message."""
    try:
        send.send_bytes(marshal.dumps([_packed(_reading(text)) for text in texts]))
    except (KeyboardInterrupt, BrokenPipeError):  # the command was stopped: the parent says so, not this process
        pass
    finally:
        send.close()
