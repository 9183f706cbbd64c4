"""Files read ahead in two processes give what one process reads, and a cold validation the same findings."""

from __future__ import annotations

import os
import shutil
import threading
from pathlib import Path

import pytest

from quaestio.content import ahead
from quaestio.content.load import read_plainly
from quaestio.pipeline import check
from support.paths import REPOSITORY

# A file the fast reader leaves to the careful one (an anchor), and one the careful reader refuses (a tab).
ANCHORED = "id: GOV-ACA-09\ntitle: &t A title\nsummary: *t\n"
BROKEN = "id: GOV-ACA-09\ntitle: [an open list\n"


def _repository_texts() -> list[str]:
    files = sorted([*REPOSITORY.glob("recommendations/*/*.yaml"), *REPOSITORY.glob("topics/*.yaml")])
    return [file.read_text(encoding="utf-8") for file in files]


@pytest.fixture
def texts() -> list[str]:
    """More text than one process reads alone, with the two files the fast reader does not vouch for."""
    texts = _repository_texts() * 2
    texts[3:3] = [ANCHORED]
    texts.append(BROKEN)
    assert sum(map(len, texts)) >= ahead.PARALLEL_CHARACTERS
    return texts


def _record_readers(monkeypatch, folder: Path) -> None:
    """Record which process reads each text (a file per process id, so that a forked child's count too)."""

    def recording(text: str):
        (folder / str(os.getpid())).touch()
        return read_plainly(text)

    monkeypatch.setattr(ahead, "read_plainly", recording)


def test_two_processes_read_what_one_reads(texts, monkeypatch, tmp_path):
    alone = [read_plainly(text) for text in texts]
    _record_readers(monkeypatch, tmp_path)
    together = ahead.plain_readings(texts)
    assert len(list(tmp_path.iterdir())) == 2  # this process and a forked one
    assert together == alone
    assert together[3] is None and together[-1] is None  # left to the careful reader, which says why


def test_a_child_that_dies_leaves_its_texts_to_this_process(texts, monkeypatch):
    monkeypatch.setattr(ahead, "_read_and_send", lambda texts, send: os._exit(9))
    assert ahead.plain_readings(texts) == [read_plainly(text) for text in texts]


def test_a_process_running_threads_does_not_fork(texts, monkeypatch, tmp_path):
    _record_readers(monkeypatch, tmp_path)
    stop = threading.Event()
    thread = threading.Thread(target=stop.wait)
    thread.start()
    try:
        ahead.plain_readings(texts)
    finally:
        stop.set()
        thread.join()
    assert [path.name for path in tmp_path.iterdir()] == [str(os.getpid())]


def test_little_text_is_read_in_this_process(monkeypatch, tmp_path):
    _record_readers(monkeypatch, tmp_path)
    ahead.plain_readings(_repository_texts()[:5])
    assert [path.name for path in tmp_path.iterdir()] == [str(os.getpid())]


def test_a_cold_validation_read_ahead_finds_what_one_file_after_another_finds(tmp_path, monkeypatch):
    """The repository's content with errors in three files (an unknown value, an anchor, a syntax error),
    validated cold: read ahead in two processes, then one file after another."""
    root = tmp_path / "repo"
    shutil.copytree(REPOSITORY / "recommendations", root / "recommendations")
    shutil.copytree(REPOSITORY / "topics", root / "topics")
    first = sorted(root.glob("recommendations/*/*.yaml"))
    first[0].write_text(first[0].read_text(encoding="utf-8").replace("priority: ", "priority: urgent-", 1))
    first[1].write_text(ANCHORED + first[1].read_text(encoding="utf-8"), encoding="utf-8")
    first[2].write_text(BROKEN, encoding="utf-8")
    monkeypatch.setattr(ahead, "PARALLEL_CHARACTERS", 1000)  # this content is under the real threshold
    readers = tmp_path / "readers"
    readers.mkdir()
    _record_readers(monkeypatch, readers)
    together = check(root)
    assert len(list(readers.iterdir())) == 2
    monkeypatch.setattr(ahead, "PARALLEL_CHARACTERS", 10**9)
    alone = check(root)
    assert together.findings == alone.findings
    assert {f.file for f in together.findings} >= {first[i].relative_to(root).as_posix() for i in range(3)}
