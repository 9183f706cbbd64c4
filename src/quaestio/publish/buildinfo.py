"""What identifies a build: the source revision, its date (SOURCE_DATE_EPOCH), the tool versions, and
when each report's sources last changed."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

from quaestio import __version__
from quaestio.errors import UsageError
from quaestio.git import git_output, is_checkout

_TOOLS = ("PyYAML", "jsonschema-rs", "Jinja2", "pypandoc_binary", "typst", "mkdocs-material", "mkdocs")
SOURCE_DATE_EPOCH = "SOURCE_DATE_EPOCH"


@dataclass(frozen=True)
class BuildInfo:
    """The identity of one build, stamped on every output instead of the wall clock."""

    revision: str
    source_date_epoch: int
    tool_versions: Mapping[str, str | None]
    epoch_from_environment: bool = False

    @property
    def timestamp(self) -> dt.datetime:
        return dt.datetime.fromtimestamp(self.source_date_epoch, tz=dt.UTC)

    @property
    def date(self) -> dt.date:
        return self.timestamp.date()

    @property
    def short_revision(self) -> str:
        return self.revision[:12]


def parse_source_date_epoch(environ: Mapping[str, str]) -> int | None:
    """SOURCE_DATE_EPOCH as whole seconds since 1970, None when unset; UsageError when it is not that."""
    text = environ.get(SOURCE_DATE_EPOCH)
    if text is None or text == "":
        return None
    if not text.isascii() or not text.isdigit():
        raise UsageError(
            f"{SOURCE_DATE_EPOCH}={text!r} is not a number of seconds since 1970-01-01 "
            "(for example 1449532800); set it to a whole number or unset it"
        )
    return int(text)


def tool_versions() -> dict[str, str | None]:
    """The versions of quaestio and of the tools that shape its outputs; None for a tool that is missing,
    so the manifest says so instead of leaving it out."""
    versions: dict[str, str | None] = {"quaestio": __version__}
    for name in _TOOLS:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = None
    try:
        import pypandoc

        versions["pandoc"] = pypandoc.get_pandoc_version()
    except (ImportError, OSError):
        versions["pandoc"] = None
    return versions


def build_info(root: Path, environ: Mapping[str, str], earlier: BuildInfo | None = None) -> BuildInfo:
    """The build's identity: SOURCE_DATE_EPOCH if set, else the last commit's date (outside git, the
    newest content or template file's time); HEAD's hash, or 'unversioned' outside git.

    `earlier`, an identity this process read before, lends its tool versions: they do not change while it runs.
    """
    fixed = parse_source_date_epoch(environ)
    checkout = is_checkout(root)
    revision = (git_output(root, "rev-parse", "HEAD") if checkout else None) or "unversioned"
    if fixed is not None:
        epoch = fixed
    elif checkout:
        epoch = int(git_output(root, "log", "-1", "--format=%ct") or 0)
    else:
        epoch = newest_mtime(root, ("topics", "recommendations", "templates"))
    versions = earlier.tool_versions if earlier is not None else tool_versions()
    return BuildInfo(revision, epoch, versions, fixed is not None)


@dataclass(frozen=True)
class SourceHistory:
    """When each content or template path last changed in git, read once per build by the pipeline."""

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
        if fallback.epoch_from_environment:
            epoch = fallback.source_date_epoch
        return revision, epoch


def load_source_history(root: Path, paths: tuple[str, ...]) -> SourceHistory:
    """The commits that touched paths, newest first, and the paths with uncommitted changes."""
    if not is_checkout(root):
        return SourceHistory((), frozenset(), root)
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
