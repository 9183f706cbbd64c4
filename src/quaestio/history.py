"""What git knows about the content: the files at a revision, and every text its history has held."""

from __future__ import annotations

import subprocess
from collections.abc import Sequence
from pathlib import Path

from quaestio.layout import RECOMMENDATIONS_DIR, TOPICS_DIR

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
