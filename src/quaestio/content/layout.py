"""Where content lives in a repository, and which files are topics and which recommendations."""

from __future__ import annotations

import enum
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from quaestio.findings import Code, Finding, did_you_mean, finding
from quaestio.vocab import Audience

TOPICS_DIR = "topics"
RECOMMENDATIONS_DIR = "recommendations"
SCHEMAS_DIR = "schemas"
SUFFIX = ".yaml"
CONTENT_PATHS = (TOPICS_DIR, RECOMMENDATIONS_DIR)


class Kind(str, enum.Enum):
    """The two kinds of content file."""

    TOPIC = "topic"
    RECOMMENDATIONS = "recommendations"


@dataclass(frozen=True)
class ContentFile:
    """A content file, with what its place in the repository says it holds."""

    file: Path
    path: str
    kind: Kind
    topic: str
    audience: str | None = None


def _misplaced(path: str, message: str, hint: str) -> Finding:
    return finding(path, (1, 1), Code.MISPLACED_FILE, message, hint)


def _scan(directory: Path, relative: str) -> Iterator[tuple[Path, str]]:
    """The .yaml and .yml files under a folder, in its subfolders too (not in linked ones), with their paths."""
    try:
        with os.scandir(directory) as listing:
            entries = list(listing)
    except (FileNotFoundError, NotADirectoryError, PermissionError):
        return
    for entry in entries:
        if entry.is_dir(follow_symlinks=False):
            yield from _scan(directory / entry.name, f"{relative}/{entry.name}")
        elif os.path.splitext(entry.name)[1] in (".yaml", ".yml") and entry.is_file():
            yield directory / entry.name, f"{relative}/{entry.name}"


def _yaml_files(root: Path, folder: str) -> list[tuple[Path, str]]:
    """Every .yaml or .yml file under root/folder with its path relative to root, in path order: what
    `sorted(rglob("*"))` and `is_file()` find, in a faster scan."""
    return sorted(_scan(root / folder, folder), key=lambda item: item[0])


def holds_content(root: Path) -> bool:
    """Whether root has a content file, in its place or not (what `discover` would list), found by its first."""
    return any(True for folder in CONTENT_PATHS for _ in _scan(root / folder, folder))


def _topic_files(root: Path) -> tuple[list[ContentFile], list[Finding]]:
    """The topic files directly in topics/, and findings for files in a subfolder or named .yml."""
    files: list[ContentFile] = []
    findings: list[Finding] = []
    topics = root / TOPICS_DIR
    if not topics.is_dir():
        return files, findings
    for entry, path in _yaml_files(root, TOPICS_DIR):
        if entry.parent != topics:
            findings.append(
                _misplaced(
                    path,
                    "topic files belong directly in topics/, not in a subfolder",
                    f"move it to topics/{entry.name}",
                )
            )
        elif entry.suffix != SUFFIX:
            findings.append(
                _misplaced(path, "content files end in .yaml, not .yml", f"rename it to topics/{entry.stem}.yaml")
            )
        else:
            files.append(ContentFile(entry, path, Kind.TOPIC, entry.stem))
    return files, findings


def discover(root: Path) -> tuple[list[ContentFile], list[Finding]]:
    """All content files under root, in a stable order, and findings for files in the wrong place."""
    files, findings = _topic_files(root)
    recommendations = root / RECOMMENDATIONS_DIR
    if recommendations.is_dir():
        for entry, path in _yaml_files(root, RECOMMENDATIONS_DIR):
            depth = path.count("/")
            if depth != 2:
                findings.append(
                    _misplaced(
                        path,
                        "recommendation files belong in recommendations/<topic>/<audience>.yaml",
                        f"move it to recommendations/<topic>/{entry.stem}.yaml, where <topic> is the topic's id",
                    )
                )
            elif entry.suffix != SUFFIX:
                findings.append(
                    _misplaced(
                        path,
                        "content files end in .yaml, not .yml",
                        f"rename it to {entry.parent.relative_to(root).as_posix()}/{entry.stem}.yaml",
                    )
                )
            elif entry.stem not in tuple(Audience):
                suggestion = did_you_mean(entry.name, [f"{a}{SUFFIX}" for a in tuple(Audience)])
                findings.append(
                    _misplaced(
                        path,
                        f"'{entry.name}' is not an audience file; the file name must be academic.yaml, "
                        "business.yaml or public.yaml",
                        suggestion or "rename it after the audience it addresses",
                    )
                )
            else:
                files.append(ContentFile(entry, path, Kind.RECOMMENDATIONS, entry.parent.name, entry.stem))
    return files, findings


def guess_place(root: Path, path: str) -> ContentFile:
    """What a misplaced file most likely holds, judged from its path (its audience None when unknown)."""
    parts = path.split("/")
    stem = parts[-1].rsplit(".", 1)[0]
    if parts[0] == TOPICS_DIR:
        return ContentFile(root / path, path, Kind.TOPIC, stem)
    topic = parts[1] if len(parts) >= 3 else ""
    audience = stem if stem in tuple(Audience) else None
    return ContentFile(root / path, path, Kind.RECOMMENDATIONS, topic, audience)
