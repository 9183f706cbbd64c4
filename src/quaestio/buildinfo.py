"""What identifies a build: the source revision, its date (SOURCE_DATE_EPOCH) and the tool versions."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

from quaestio import __version__
from quaestio.history import git_output, newest_mtime

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
    revision = git_output(root, "rev-parse", "HEAD") or "unversioned"
    epoch_text = os.environ.get("SOURCE_DATE_EPOCH") or git_output(root, "log", "-1", "--format=%ct") or ""
    try:
        epoch = int(epoch_text)
    except ValueError:
        epoch = _newest_content_mtime(root)
    return BuildInfo(revision, epoch, tool_versions())


def _newest_content_mtime(root: Path) -> int:
    """Outside git and without SOURCE_DATE_EPOCH: the time of the newest content or template file."""
    return newest_mtime(root, ("topics", "recommendations", "templates"))
