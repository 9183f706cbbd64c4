"""Atomic writes: readers see the old file or the new one, never a part, whether content comes whole or in chunks."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from quaestio.output import write_atomically


def test_content_in_chunks_is_written_whole(tmp_path):
    target = tmp_path / "deep" / "cache.bin"
    write_atomically(target, (bytes([n]) * 1000 for n in range(256)))
    data = target.read_bytes()
    assert len(data) == 256_000 and data[:1000] == bytes(1000) and data[-1] == 255
    assert oct(target.stat().st_mode & 0o777) == "0o644"


def test_a_failure_while_writing_leaves_the_old_file_and_no_trace(tmp_path):
    target = tmp_path / "cache.bin"
    write_atomically(target, "the previous content")

    def chunks() -> Iterator[bytes]:
        yield b"half of the new "
        raise OSError("disk full")

    with pytest.raises(OSError, match="disk full"):
        write_atomically(target, chunks())
    assert target.read_text() == "the previous content"
    assert [p.name for p in tmp_path.iterdir()] == ["cache.bin"]
