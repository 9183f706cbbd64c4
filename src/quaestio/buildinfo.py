"""What identifies a build: the source revision, its date (SOURCE_DATE_EPOCH) and the tool versions."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

from quaestio import __version__

_TOOLS = ("PyYAML", "jsonschema-rs", "Jinja2", "pypandoc_binary", "typst", "mkdocs-material", "mkdocs")


@dataclass(frozen=True)
class BuildInfo:
    """The identity of one build, stamped on every output instead of the wall clock."""

    revision: str
    source_date_epoch: int
    tool_versions: Mapping[str, str]

    @property
    def timestamp(self) -> dt.datetime:
        return dt.datetime.fromtimestamp(self.source_date_epoch, tz=dt.timezone.utc)

    @property
    def date(self) -> dt.date:
        return self.timestamp.date()

    @property
    def short_revision(self) -> str:
        return self.revision[:12]


def _git(root: Path, *args: str) -> str | None:
    try:
        completed = subprocess.run(["git", "-C", str(root), *args], capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.SubprocessError):
        return None
    return completed.stdout.strip() if completed.returncode == 0 and completed.stdout.strip() else None


def tool_versions() -> dict[str, str]:
    """The versions of quaestio and of the tools that shape its outputs."""
    versions = {"quaestio": __version__}
    for name in _TOOLS:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
    try:
        import pypandoc

        versions["pandoc"] = pypandoc.get_pandoc_version()
    except (ImportError, OSError):
        pass
    return versions


def build_info(root: Path) -> BuildInfo:
    """The build's identity: SOURCE_DATE_EPOCH if set, else the last commit's date; HEAD's hash."""
    revision = _git(root, "rev-parse", "HEAD") or "unversioned"
    epoch_text = os.environ.get("SOURCE_DATE_EPOCH") or _git(root, "log", "-1", "--format=%ct") or ""
    try:
        epoch = int(epoch_text)
    except ValueError:
        epoch = _newest_content_mtime(root)
    return BuildInfo(revision, epoch, tool_versions())


def _newest_content_mtime(root: Path) -> int:
    """Outside git and without SOURCE_DATE_EPOCH: the time of the newest content or template file."""
    return _newest_mtime(root, ("topics", "recommendations", "templates"))


def _newest_mtime(root: Path, prefixes: tuple[str, ...]) -> int:
    times = []
    for prefix in prefixes:
        target = root / prefix
        if target.is_file():
            times.append(target.stat().st_mtime)
        elif target.is_dir():
            times.extend(p.stat().st_mtime for p in target.rglob("*") if p.is_file())
    return int(max(times, default=0))


@dataclass(frozen=True)
class History:
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
            epoch = _newest_mtime(self.root, prefixes)
        for commit, commit_epoch, paths in self.commits:
            if touches(paths):
                revision, epoch = commit, commit_epoch
                break
        if touches(self.modified):
            revision += "+modified"
        if os.environ.get("SOURCE_DATE_EPOCH"):
            epoch = fallback.source_date_epoch
        return revision, epoch


def load_history(root: Path, paths: tuple[str, ...]) -> History:
    """The commits that touched paths, newest first, and the paths with uncommitted changes."""
    log = _git(root, "log", "--format=%x00%H %ct", "--name-only", "--", *paths) or ""
    commits: list[tuple[str, int, frozenset[str]]] = []
    for block in log.split("\x00")[1:]:
        lines = [line for line in block.splitlines() if line.strip()]
        commit, epoch = lines[0].split()
        commits.append((commit, int(epoch), frozenset(lines[1:])))
    status = _git(root, "status", "--porcelain", "--untracked-files=all", "--", *paths) or ""
    modified = frozenset(line[3:].split(" -> ")[-1] for line in status.splitlines() if len(line) > 3)
    return History(tuple(commits), modified, root)
