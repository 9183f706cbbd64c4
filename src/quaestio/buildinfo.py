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

_TOOLS = ("PyYAML", "jsonschema-rs", "Jinja2", "pypandoc_binary", "typst", "mkdocs-material")


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
    return versions


def build_info(root: Path) -> BuildInfo:
    """The build's identity: SOURCE_DATE_EPOCH if set, else the last commit's date; HEAD's hash."""
    revision = _git(root, "rev-parse", "HEAD") or "unversioned"
    epoch_text = os.environ.get("SOURCE_DATE_EPOCH") or _git(root, "log", "-1", "--format=%ct") or "0"
    try:
        epoch = int(epoch_text)
    except ValueError:
        epoch = 0
    return BuildInfo(revision, epoch, tool_versions())
