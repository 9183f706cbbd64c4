"""What git knows about the content: files at a revision, every text its history held, when each path changed."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from quaestio.layout import RECOMMENDATIONS_DIR, TOPICS_DIR

if TYPE_CHECKING:
    from quaestio.buildinfo import BuildInfo

CONTENT_PATHS = (TOPICS_DIR, RECOMMENDATIONS_DIR)


class GitError(Exception):
    """git is missing, the folder is not a git checkout, or a revision does not exist."""


def _git(root: Path, args: Sequence[str], stdin: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
    try:
        return subprocess.run(["git", "-C", str(root), *args], input=stdin, capture_output=True, check=False)
    except OSError as exc:  # git is not installed
        raise GitError(f"git cannot be run ({exc.strerror})") from exc


def is_checkout(root: Path) -> bool:
    """Whether root lies inside a git working tree that has at least one commit."""
    try:
        inside = _git(root, ["rev-parse", "--is-inside-work-tree"])
        return inside.returncode == 0 and _git(root, ["rev-parse", "--verify", "--quiet", "HEAD"]).returncode == 0
    except GitError:
        return False


def resolve(root: Path, revision: str) -> str:
    """The full commit name of a revision, or GitError saying why there is none."""
    if not is_checkout(root):
        raise GitError(f"{root} is not a git checkout with commits")
    if revision.startswith("-"):
        raise GitError(f"'{revision}' is not a revision")
    found = _git(root, ["rev-parse", "--verify", "--quiet", "--end-of-options", f"{revision}^{{commit}}"])
    if found.returncode != 0:
        raise GitError(f"'{revision}' is not a commit, branch or tag in this repository")
    return found.stdout.decode().strip()


def history_text(root: Path, needle: str, revisions: Sequence[str] = ("--all",)) -> str | None:
    """Every added or removed content line, in the history of revisions, of the commits whose changes
    mention needle (letters, digits and hyphens only); None when root is not a git checkout."""
    if not is_checkout(root):
        return None
    result = _git(root, ["log", *revisions, "-p", "--no-color", "--no-ext-diff", "--no-textconv", "--format=",
                         f"-G{needle}", "--", *CONTENT_PATHS])
    if result.returncode != 0:
        return None
    return result.stdout.decode("utf-8", errors="replace")


def content_at(root: Path, commit: str) -> dict[str, bytes]:
    """The content files (paths relative to root) and their bytes at a commit."""
    prefix = _git(root, ["rev-parse", "--show-prefix"]).stdout.decode().strip()
    listing = _git(root, ["ls-tree", "-r", "-z", "--name-only", "--full-name", commit, "--",
                          *(f"{prefix}{p}" for p in CONTENT_PATHS)])
    if listing.returncode != 0:
        raise GitError(listing.stderr.decode(errors="replace").strip() or f"cannot list {commit}")
    names = [n for n in listing.stdout.decode("utf-8", errors="surrogateescape").split("\0") if n]
    if not names:
        return {}
    request = "".join(f"{commit}:{name}\n" for name in names).encode("utf-8", errors="surrogateescape")
    batch = _git(root, ["cat-file", "--batch"], stdin=request)
    if batch.returncode != 0:
        raise GitError(batch.stderr.decode(errors="replace").strip() or f"cannot read {commit}")
    files: dict[str, bytes] = {}
    output = batch.stdout
    offset = 0
    for name in names:
        header_end = output.index(b"\n", offset)
        header = output[offset:header_end].split()
        offset = header_end + 1
        if len(header) < 3 or header[1] != b"blob":
            continue
        size = int(header[2])
        files[name[len(prefix):]] = output[offset:offset + size]
        offset += size + 1
    return files


def git_output(root: Path, *args: str) -> str | None:
    """git's standard output as text, or None when git fails, is missing or prints nothing."""
    try:
        completed = _git(root, args)
    except GitError:
        return None
    output = completed.stdout.decode("utf-8", errors="replace").strip()
    return output if completed.returncode == 0 and output else None


@dataclass(frozen=True)
class SourceHistory:
    """When each content or template path last changed in git, read once per build."""

    commits: tuple[tuple[str, int, frozenset[str]], ...]
    modified: frozenset[str]
    root: Path | None = None

    def latest(self, prefixes: tuple[str, ...], fallback: BuildInfo) -> tuple[str, int]:
        """The newest commit (hash, epoch) touching any path under prefixes; '+modified' if the tree differs."""
        def touches(paths: frozenset[str]) -> bool:
            return any(p == prefix or p.startswith(prefix.rstrip("/") + "/") for p in paths for prefix in prefixes)

        revision, epoch = fallback.revision, fallback.source_date_epoch
        if not self.commits and self.root is not None:
            # Outside git, a report is as new as its newest source, so that editing one topic
            # leaves the other reports' dates, and bytes, as they were.
            epoch = newest_mtime(self.root, prefixes)
        for commit, commit_epoch, paths in self.commits:
            if touches(paths):
                revision, epoch = commit, commit_epoch
                break
        if touches(self.modified):
            revision += "+modified"
        if os.environ.get("SOURCE_DATE_EPOCH"):
            epoch = fallback.source_date_epoch
        return revision, epoch


def load_source_history(root: Path, paths: tuple[str, ...]) -> SourceHistory:
    """The commits that touched paths, newest first, and the paths with uncommitted changes."""
    # Paths relative to root, also when the content lies in a subfolder of the git repository.
    log = git_output(root, "log", "--format=%x00%H %ct", "--name-only", "--relative", "--", *paths) or ""
    commits: list[tuple[str, int, frozenset[str]]] = []
    for block in log.split("\x00")[1:]:
        lines = [line for line in block.splitlines() if line.strip()]
        commit, epoch = lines[0].split()
        commits.append((commit, int(epoch), frozenset(lines[1:])))
    changed = git_output(root, "diff", "--name-only", "--relative", "HEAD", "--", *paths) or ""
    untracked = git_output(root, "ls-files", "--others", "--exclude-standard", "--", *paths) or ""
    modified = frozenset(line for line in (changed + "\n" + untracked).splitlines() if line.strip())
    return SourceHistory(tuple(commits), modified, root)


def newest_mtime(root: Path, prefixes: tuple[str, ...]) -> int:
    """The modification time of the newest file under any of the prefixes (files or folders)."""
    times = []
    for prefix in prefixes:
        target = root / prefix
        if target.is_file():
            times.append(target.stat().st_mtime)
        elif target.is_dir():
            times.extend(p.stat().st_mtime for p in target.rglob("*") if p.is_file())
    return int(max(times, default=0))
