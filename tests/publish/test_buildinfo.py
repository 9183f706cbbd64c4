"""Per-report provenance: the last commit that changed a report's sources, from a real git repository."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from quaestio.publish.buildinfo import BuildInfo, SourceHistory, load_source_history

PATHS = ("topics", "recommendations", "templates")
FALLBACK = BuildInfo("f" * 40, 1_000, {"quaestio": "test"})
ALPHA = ("topics/alpha.yaml", "recommendations/alpha", "templates")
BETA = ("topics/beta.yaml", "recommendations/beta", "templates")


class Repository:
    """A git repository in a temporary folder whose commits have fixed dates."""

    def __init__(self, top: Path, content: Path):
        self.top = top
        self.content = content
        self._git("init", "-q")

    def _git(self, *args: str, epoch: int = 0) -> str:
        stamp = f"@{epoch} +0000"
        environment = {**os.environ, "GIT_AUTHOR_DATE": stamp, "GIT_COMMITTER_DATE": stamp}
        completed = subprocess.run(
            ["git", "-C", str(self.top), "-c", "user.name=t", "-c", "user.email=t@example.org", *args],
            env=environment,
            capture_output=True,
            text=True,
            check=True,
        )
        return completed.stdout.strip()

    def write(self, relative: str, text: str) -> None:
        target = self.content / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")

    def commit(self, epoch: int, *files: str) -> str:
        """Write each file (its own name as its text, made new by the epoch) and commit them at epoch."""
        for relative in files:
            self.write(relative, f"{relative} {epoch}\n")
        self._git("add", "-A")
        self._git("commit", "-q", "-m", f"at {epoch}", epoch=epoch)
        return self._git("rev-parse", "HEAD")


@pytest.fixture
def repository(tmp_path: Path) -> Repository:
    return Repository(tmp_path, tmp_path)


@pytest.fixture
def history(repository: Repository) -> tuple[Repository, dict[str, str]]:
    """Four commits: everything, then beta's topic, then alpha's recommendations, then a topic 'alphabet'."""
    commits = {
        "first": repository.commit(
            1_400_000_000,
            "topics/alpha.yaml",
            "topics/beta.yaml",
            "recommendations/alpha/business.yaml",
            "recommendations/beta/public.yaml",
            "templates/branding.yaml",
        ),
        "beta": repository.commit(1_410_000_000, "topics/beta.yaml"),
        "alpha": repository.commit(1_420_000_000, "recommendations/alpha/business.yaml"),
        "alphabet": repository.commit(1_430_000_000, "topics/alphabet.yaml", "recommendations/alphabet/public.yaml"),
    }
    return repository, commits


def test_each_report_gets_the_last_commit_that_changed_its_own_sources(history):
    repository, commits = history
    found = load_source_history(repository.content, PATHS)
    assert found.latest(ALPHA, FALLBACK) == (commits["alpha"], 1_420_000_000)
    assert found.latest(BETA, FALLBACK) == (commits["beta"], 1_410_000_000)
    assert found.latest(("templates",), FALLBACK) == (commits["first"], 1_400_000_000)
    assert [epoch for _, epoch, _ in found.commits] == [1_430_000_000, 1_420_000_000, 1_410_000_000, 1_400_000_000]


def test_a_prefix_matches_whole_path_segments_only(history):
    """'recommendations/alpha' is not 'recommendations/alphabet', nor 'topics/alpha' 'topics/alpha.yaml'."""
    repository, commits = history
    found = load_source_history(repository.content, PATHS)
    assert found.latest(("recommendations/alpha",), FALLBACK) == (commits["alpha"], 1_420_000_000)
    assert found.latest(("topics/alpha",), FALLBACK) == (FALLBACK.revision, FALLBACK.source_date_epoch)


def test_a_report_whose_sources_changed_since_the_last_commit_says_modified(history):
    repository, commits = history
    repository.write("topics/alpha.yaml", "edited, not committed\n")
    repository.write("recommendations/beta/academic.yaml", "new, not yet added\n")
    found = load_source_history(repository.content, PATHS)
    assert found.modified == {"topics/alpha.yaml", "recommendations/beta/academic.yaml"}
    assert found.latest(ALPHA, FALLBACK) == (commits["alpha"] + "+modified", 1_420_000_000)
    assert found.latest(BETA, FALLBACK) == (commits["beta"] + "+modified", 1_410_000_000)
    assert found.latest(("templates",), FALLBACK) == (commits["first"], 1_400_000_000)


def test_source_date_epoch_fixes_every_reports_date_but_not_its_revision(history):
    repository, commits = history
    fixed = BuildInfo("f" * 40, 1_700_000_000, {}, epoch_from_environment=True)
    found = load_source_history(repository.content, PATHS)
    assert found.latest(ALPHA, fixed) == (commits["alpha"], 1_700_000_000)
    assert found.latest(BETA, fixed) == (commits["beta"], 1_700_000_000)


def test_content_in_a_subfolder_of_the_repository_has_paths_relative_to_it(tmp_path):
    repository = Repository(tmp_path, tmp_path / "content")
    first = repository.commit(1_400_000_000, "topics/alpha.yaml", "recommendations/alpha/business.yaml")
    repository.write("../README.md", "outside the content\n")
    second = repository.commit(1_410_000_000, "recommendations/alpha/business.yaml")
    found = load_source_history(repository.content, PATHS)
    assert {path for _, _, paths in found.commits for path in paths} == {
        "topics/alpha.yaml",
        "recommendations/alpha/business.yaml",
    }
    assert found.latest(("topics/alpha.yaml",), FALLBACK) == (first, 1_400_000_000)
    assert found.latest(ALPHA, FALLBACK) == (second, 1_410_000_000)


def test_outside_git_a_report_is_as_new_as_its_newest_source(tmp_path):
    for relative, epoch in (("topics/alpha.yaml", 1_400_000_000), ("topics/beta.yaml", 1_450_000_000)):
        target = tmp_path / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text("x\n", encoding="utf-8")
        os.utime(target, (epoch, epoch))
    found = load_source_history(tmp_path, PATHS)
    assert found == SourceHistory((), frozenset(), tmp_path)
    assert found.latest(("topics/alpha.yaml",), FALLBACK) == (FALLBACK.revision, 1_400_000_000)
    assert found.latest(("topics/beta.yaml",), FALLBACK) == (FALLBACK.revision, 1_450_000_000)
    assert found.latest(("topics",), FALLBACK) == (FALLBACK.revision, 1_450_000_000)
