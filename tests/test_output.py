"""Atomic writes: readers see the old file or the new one, never a part; a retired tree is removed whole."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from quaestio.output import remove_tree, write_atomically


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


def test_a_tree_is_removed_whole_and_no_link_is_followed(tmp_path):
    """Enough files for several threads, in nested folders, with links to a folder and a file outside it."""
    outside = tmp_path / "outside"
    (outside / "kept").mkdir(parents=True)
    (outside / "kept" / "page.html").write_text("kept")
    (outside / "file.txt").write_text("kept too")
    tree = tmp_path / ".build-old" / "build"
    for number in range(700):
        folder = tree / "site" / f"part-{number % 7}" / f"page-{number}"
        folder.mkdir(parents=True)
        (folder / "index.html").write_text(str(number))
    (tree / "site" / "linked-folder").symlink_to(outside / "kept", target_is_directory=True)
    (tree / "linked-file.txt").symlink_to(outside / "file.txt")
    remove_tree(tmp_path / ".build-old")
    assert not (tmp_path / ".build-old").exists()
    assert (outside / "kept" / "page.html").read_text() == "kept"
    assert (outside / "file.txt").read_text() == "kept too"
