"""Writing outputs safely: files written atomically, directories swapped in only when complete."""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path


def write_atomically(target: Path, content: str | bytes | Iterable[bytes | memoryview]) -> None:
    """Write a file so that readers see the old or the new content, never half of it; content may come in
    chunks, so that a large file need not be whole in memory first."""
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as stream:
            if isinstance(content, str | bytes):
                stream.write(content.encode("utf-8") if isinstance(content, str) else content)
            else:
                stream.writelines(content)
        os.chmod(temporary, 0o644)  # mkstemp makes private files; outputs are for publishing
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


@contextmanager
def staged_directory(target: Path) -> Iterator[Path]:
    """Yield a fresh directory beside target; on success it replaces target, on failure it vanishes.

    A build that fails or is interrupted therefore leaves the previous target exactly as it was.
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    stage = Path(tempfile.mkdtemp(dir=target.parent, prefix=f".{target.name}-staging-"))
    try:
        yield stage
    except BaseException:
        shutil.rmtree(stage, ignore_errors=True)
        raise
    if target.exists():
        retired = Path(tempfile.mkdtemp(dir=target.parent, prefix=f".{target.name}-old-"))
        os.rename(target, retired / target.name)
        os.rename(stage, target)
        remove_tree(retired)
    else:
        os.rename(stage, target)


def remove_tree(tree: Path, threads: int = 8) -> None:
    """Delete a directory and everything in it, its files by several threads: deleting a file mostly waits on
    the file system (on a disk that discards the blocks it frees, a site's thousands of pages take seconds), and
    the waits overlap."""
    files = [os.path.join(folder, name) for folder, _, names in os.walk(tree) for name in names]
    batches = [files[start : start + _REMOVE_BATCH] for start in range(0, len(files), _REMOVE_BATCH)]
    if len(batches) > 1:
        with ThreadPoolExecutor(threads) as pool:
            for _ in pool.map(_remove_files, batches):
                pass
    shutil.rmtree(tree, ignore_errors=True)  # the rest: the files of a small tree, then every folder


_REMOVE_BATCH = 256


def _remove_files(paths: list[str]) -> None:
    for path in paths:
        with contextlib.suppress(OSError):  # gone already, or left to rmtree
            os.unlink(path)


def link_or_copy(source: str | Path, target: str | Path) -> None:
    """Put a file at target as a hard link to source (cheap, same bytes), or as a copy across devices."""
    Path(target).unlink(missing_ok=True)
    try:
        os.link(source, target)
    except OSError:
        shutil.copy2(source, target)
