"""Files read ahead and checked in two processes give what one process gives; a cold validation, the same findings."""

from __future__ import annotations

import os
import re
import shutil
import threading
from pathlib import Path

import pytest

from quaestio.content import ahead
from quaestio.content.cache import FileCache
from quaestio.content.layout import ContentFile, discover
from quaestio.content.load import YamlDocument, read_plainly
from quaestio.pipeline import BUILD_DIR, CACHE_DIR, VALIDATION_CACHE, check
from support.paths import REPOSITORY

# A file the fast reader leaves to the careful one (an anchor), and one the careful reader refuses (a tab).
ANCHORED = "id: GOV-ACA-09\ntitle: &t A title\nsummary: *t\n"
BROKEN = "id: GOV-ACA-09\ntitle: [an open list\n"


def _content_copy(root: Path) -> Path:
    shutil.copytree(REPOSITORY / "recommendations", root / "recommendations")
    shutil.copytree(REPOSITORY / "topics", root / "topics")
    return root


@pytest.fixture
def files(tmp_path) -> list[ContentFile]:
    """The repository's content twice over (more bytes than one process reads alone), with a file the fast
    reader does not vouch for, one that does not parse, one that is not UTF-8 and one that has gone."""
    found: list[ContentFile] = []
    for copy in ("one", "two"):
        found += discover(_content_copy(tmp_path / copy))[0]
    odd = {"anchored": ANCHORED.encode(), "broken": BROKEN.encode(), "latin": "title: caf\u00e9\n".encode("cp1252")}
    for position, (name, raw) in zip((3, len(found) // 2 + 1, len(found)), odd.items(), strict=True):
        file = tmp_path / f"{name}.yaml"
        file.write_bytes(raw)
        found.insert(position, ContentFile(file, f"recommendations/odd/{name}.yaml", found[0].kind, "odd"))
    found.insert(5, ContentFile(tmp_path / "gone.yaml", "recommendations/odd/gone.yaml", found[0].kind, "odd"))
    assert sum(ahead._size(f) for f in found) >= ahead.PARALLEL_BYTES
    return found


def _fields_and_length(content_file: ContentFile, document: YamlDocument) -> ahead.Checked:
    """A check as the validation cache gives one: rows of findings and the names of quick tests passed."""
    return ((content_file.path, len(document.text)),), tuple(sorted(document.data))


def _record_readers(monkeypatch, folder: Path) -> None:
    """Record which process reads each text (a file per process id, so that a forked child's count too)."""

    def recording(text: str):
        (folder / str(os.getpid())).touch()
        return read_plainly(text)

    monkeypatch.setattr(ahead, "read_plainly", recording)


def _alone(files: list[ContentFile], check: ahead.Check | None = None) -> list[ahead.Ready | None]:
    return [ahead._read_file(content_file, lambda path, raw: True, check) for content_file in files]


def test_two_processes_read_and_check_what_one_does(files, monkeypatch, tmp_path):
    alone = _alone(files, _fields_and_length)
    readers = tmp_path / "readers"
    readers.mkdir()
    _record_readers(monkeypatch, readers)
    together = ahead.read_files(files, check=_fields_and_length)
    assert len(list(readers.iterdir())) == 2  # this process and a forked one
    assert together == alone
    by_name = {f.file.name: ready for f, ready in zip(files, together, strict=True)}
    assert by_name["gone.yaml"] is None and by_name["latin.yaml"] is None  # left to `read`, which says why
    assert by_name["anchored.yaml"] is not None and by_name["anchored.yaml"][2:] == (None, None)  # the careful reader's
    assert by_name["broken.yaml"] is not None and by_name["broken.yaml"][2:] == (None, None)
    checked = {f.file: ready[3] for f, ready in zip(files, together, strict=True) if ready and ready[3]}
    assert len(checked) == len(files) - 4  # all but the four above
    topic = files[0]
    text = topic.file.read_text(encoding="utf-8")
    fields = tuple(sorted(re.findall(r"^([a-z_]+):", text, re.MULTILINE)))  # the top-level fields, as written
    assert checked[topic.file] == (((topic.path, len(text)),), fields)


def test_files_not_wanted_are_read_but_not_parsed(files, monkeypatch, tmp_path):
    readers = tmp_path / "readers"
    readers.mkdir()
    _record_readers(monkeypatch, readers)
    together = ahead.read_files(files, lambda path, raw: False, _fields_and_length)
    assert not list(readers.iterdir())
    assert [ready[2:] for ready in together if ready is not None] == [(None, None)] * (len(files) - 2)


def test_a_check_that_fails_is_left_to_the_caller(files):
    def failing(content_file: ContentFile, document: YamlDocument) -> ahead.Checked:
        raise RuntimeError("a bug in a check")

    together = ahead.read_files(files, check=failing)
    assert together == _alone(files)  # read, and not checked: the caller checks again, where the bug shows


def test_a_child_that_dies_leaves_its_files_to_this_process(files, monkeypatch):
    monkeypatch.setattr(ahead, "_read_and_write", lambda *arguments: os._exit(9))
    assert ahead.read_files(files, check=_fields_and_length) == _alone(files, _fields_and_length)


def test_an_answer_cut_short_leaves_the_files_to_this_process(files, monkeypatch):
    def cut_short(files, wanted, check, answer) -> None:
        answer.write((1000).to_bytes(8, "little") + b"less than a thousand bytes")
        answer.flush()

    monkeypatch.setattr(ahead, "_read_and_write", cut_short)
    assert ahead.read_files(files, check=_fields_and_length) == _alone(files, _fields_and_length)


def test_a_full_disk_leaves_the_files_to_this_process_without_a_traceback(files, monkeypatch, capfd):
    class FullDisk:
        def write(self, data: bytes) -> int:
            raise OSError(28, "No space left on device")

        def flush(self) -> None:
            pass

    original = ahead._read_and_write
    monkeypatch.setattr(
        ahead, "_read_and_write", lambda files, wanted, check, answer: original(files, wanted, check, FullDisk())
    )
    assert ahead.read_files(files, check=_fields_and_length) == _alone(files, _fields_and_length)
    assert "Traceback" not in capfd.readouterr().err


def test_a_process_running_threads_does_not_fork(files, monkeypatch, tmp_path):
    readers = tmp_path / "readers"
    readers.mkdir()
    _record_readers(monkeypatch, readers)
    stop = threading.Event()
    thread = threading.Thread(target=stop.wait)
    thread.start()
    try:
        ahead.read_files(files)
    finally:
        stop.set()
        thread.join()
    assert [path.name for path in readers.iterdir()] == [str(os.getpid())]


def test_few_bytes_are_read_in_this_process(files, monkeypatch, tmp_path):
    readers = tmp_path / "readers"
    readers.mkdir()
    _record_readers(monkeypatch, readers)
    ahead.read_files(files[:5])
    assert [path.name for path in readers.iterdir()] == [str(os.getpid())]


def _broken_copy(root: Path) -> tuple[Path, list[str]]:
    """The repository's content with errors in three files: an unknown value, an anchor, a syntax error."""
    _content_copy(root)
    first = sorted(root.glob("recommendations/*/*.yaml"))
    first[0].write_text(first[0].read_text(encoding="utf-8").replace("priority: ", "priority: urgent-", 1))
    first[1].write_text(ANCHORED + first[1].read_text(encoding="utf-8"), encoding="utf-8")
    first[2].write_text(BROKEN, encoding="utf-8")
    return root, [first[i].relative_to(root).as_posix() for i in range(3)]


@pytest.mark.parametrize("cached", [False, True], ids=["read ahead", "read and checked ahead, for the cache"])
def test_a_cold_validation_in_two_processes_finds_what_one_file_after_another_finds(tmp_path, monkeypatch, cached):
    root, broken = _broken_copy(tmp_path / "repo")
    monkeypatch.setattr(ahead, "PARALLEL_BYTES", 1000)  # this content is under the real threshold
    readers = tmp_path / "readers"
    readers.mkdir()
    _record_readers(monkeypatch, readers)
    together = check(root, cached=cached)
    assert len(list(readers.iterdir())) == 2
    cache_file = root / BUILD_DIR / CACHE_DIR / VALIDATION_CACHE
    kept = cache_file.read_bytes() if cached else b""
    cache_file.unlink(missing_ok=True)
    monkeypatch.setattr(ahead, "PARALLEL_BYTES", 10**9)
    alone = check(root, cached=cached)
    assert together.findings == alone.findings
    assert {f.file for f in together.findings} >= set(broken)
    if cached:  # the same entries, whichever process made them or if made after reading; read back, the same findings
        assert cache_file.read_bytes() == kept
        cache_file.unlink()
        monkeypatch.setattr(FileCache, "read_ahead", FileCache.read_ahead_unchecked)  # checked by check_files
        assert check(root, cached=True).findings == alone.findings
        assert cache_file.read_bytes() == kept
        assert check(root, cached=True).findings == alone.findings
