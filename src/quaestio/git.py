"""What git knows: the checkout, revisions, files at a revision, the texts a history held.

Only git's own "not a git repository" means "outside git"; every other failure (git missing, a
repository git refuses to read, such as one with dubious ownership) is a GitError with git's reason.
"""

from __future__ import annotations

import subprocess
from collections.abc import Sequence
from pathlib import Path

from quaestio.errors import GitError

_OUTSIDE = b"not a git repository"


def _git(root: Path, args: Sequence[str], stdin: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
    try:
        return subprocess.run(["git", "-C", str(root), *args], input=stdin, capture_output=True, check=False)
    except OSError as exc:  # git is not installed
        raise GitError(f"git cannot be run ({exc.strerror})") from exc


def _reason(result: subprocess.CompletedProcess[bytes], doing: str) -> GitError:
    said = " ".join(line.strip() for line in result.stderr.decode("utf-8", errors="replace").splitlines())
    return GitError(f"git failed while {doing}: {said.strip() or f'exit status {result.returncode}'}")


def is_checkout(root: Path) -> bool:
    """Whether root lies inside a git working tree with at least one commit.

    False only when git says the folder is not a repository or the repository has no commit yet;
    any other failure raises GitError, so that nothing is decided on an answer git did not give.
    """
    inside = _git(root, ["rev-parse", "--is-inside-work-tree"])
    if inside.returncode != 0:
        if _OUTSIDE in inside.stderr:
            return False
        raise _reason(inside, f"opening the repository at {root}")
    if inside.stdout.strip() != b"true":
        return False
    head = _git(root, ["rev-parse", "--verify", "--quiet", "HEAD"])
    if head.returncode == 0:
        return True
    if head.returncode == 1 and not head.stderr.strip():  # a repository without commits
        return False
    raise _reason(head, "reading HEAD")


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


def history_text(root: Path, needle: str, paths: Sequence[str], revisions: Sequence[str] = ("--all",)) -> str | None:
    """Every added or removed line under paths, in the history of revisions, of the commits whose
    changes mention needle (letters, digits and hyphens only); None when root is outside git."""
    if not is_checkout(root):
        return None
    result = _git(
        root,
        [
            "log",
            *revisions,
            "-p",
            "--no-color",
            "--no-ext-diff",
            "--no-textconv",
            "--format=",
            f"-G{needle}",
            "--",
            *paths,
        ],
    )
    if result.returncode != 0:
        raise _reason(result, f"searching the history for {needle}")
    return result.stdout.decode("utf-8", errors="replace")


def content_at(root: Path, commit: str, paths: Sequence[str]) -> dict[str, bytes]:
    """The files under paths (relative to root) and their bytes at a commit."""
    shown = _git(root, ["rev-parse", "--show-prefix"])
    if shown.returncode != 0:
        raise _reason(shown, f"opening the repository at {root}")
    prefix = shown.stdout.decode().strip()
    listing = _git(
        root, ["ls-tree", "-r", "-z", "--name-only", "--full-name", commit, "--", *(f"{prefix}{p}" for p in paths)]
    )
    if listing.returncode != 0:
        raise _reason(listing, f"listing {commit}")
    names = [n for n in listing.stdout.decode("utf-8", errors="surrogateescape").split("\0") if n]
    if not names:
        return {}
    request = "".join(f"{commit}:{name}\n" for name in names).encode("utf-8", errors="surrogateescape")
    batch = _git(root, ["cat-file", "--batch"], stdin=request)
    if batch.returncode != 0:
        raise _reason(batch, f"reading {commit}")
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
        files[name[len(prefix) :]] = output[offset : offset + size]
        offset += size + 1
    return files


def git_output(root: Path, *args: str) -> str | None:
    """git's standard output as text; None outside a repository or when git answers nothing.

    A repository git refuses to read raises GitError with git's reason.
    """
    completed = _git(root, args)
    if completed.returncode != 0:
        if _OUTSIDE in completed.stderr:
            return None
        raise _reason(completed, f"running git {args[0]}")
    output = completed.stdout.decode("utf-8", errors="replace").strip()
    return output or None


def file_versions(root: Path, path: str, limit: int = 300) -> list[bytes]:
    """The distinct contents a file (relative to root) had in the history of HEAD, newest first.

    At most `limit` commits are read; outside git, or for a file git never saw, the list is empty.
    """
    if not is_checkout(root):
        return []
    shown = _git(root, ["rev-parse", "--show-prefix"])
    if shown.returncode != 0:
        raise _reason(shown, f"opening the repository at {root}")
    prefix = shown.stdout.decode().strip()
    log = _git(root, ["log", f"--max-count={limit}", "--format=%H", "--", path])
    if log.returncode != 0:
        raise _reason(log, f"reading the history of {path}")
    commits = log.stdout.decode().split()
    if not commits:
        return []
    request = "".join(f"{commit}:{prefix}{path}\n" for commit in commits).encode("utf-8", errors="surrogateescape")
    batch = _git(root, ["cat-file", "--batch"], stdin=request)
    if batch.returncode != 0:
        raise _reason(batch, f"reading the history of {path}")
    versions: dict[bytes, bytes] = {}
    output, offset = batch.stdout, 0
    while offset < len(output):
        header_end = output.index(b"\n", offset)
        header = output[offset:header_end].split()
        offset = header_end + 1
        if len(header) < 3 or header[1] != b"blob":
            continue  # '<name> missing': the file did not exist at that commit
        size = int(header[2])
        versions.setdefault(header[0], output[offset : offset + size])
        offset += size + 1
    return list(versions.values())
