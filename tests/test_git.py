"""git failures: only 'not a git repository' means outside git; any other refusal stops with git's reason."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from quaestio.cli import main
from quaestio.errors import GitError
from quaestio.git import git_output, history_text, is_checkout
from support.paths import MINIMAL


def _git(root: Path, *args: str) -> None:
    subprocess.run(["git", "-C", str(root), *args], check=True, capture_output=True)


@pytest.fixture
def checkout(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    shutil.copytree(MINIMAL, root)
    _git(root, "init", "-q")
    _git(root, "add", "-A")
    _git(root, "-c", "user.name=t", "-c", "user.email=t@example.org", "commit", "-q", "-m", "content")
    return root


@pytest.fixture
def refusing_git(monkeypatch, tmp_path: Path) -> None:
    """A git that reads a broken global configuration refuses every command, as a locked-down CI would."""
    broken = tmp_path / "broken.gitconfig"
    broken.write_text("[core\n  this is not a configuration\n", encoding="utf-8")
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(broken))


def test_outside_git_is_not_a_checkout(tmp_path: Path):
    assert is_checkout(tmp_path) is False
    assert git_output(tmp_path, "rev-parse", "HEAD") is None


def test_a_repository_git_refuses_is_an_error_not_outside_git(checkout: Path, refusing_git):
    with pytest.raises(GitError, match="bad config"):
        is_checkout(checkout)
    with pytest.raises(GitError):
        history_text(checkout, "ALP-BUS", ("recommendations",))


def test_new_recommendation_never_hands_out_an_id_when_git_refuses(checkout: Path, refusing_git, capsys):
    """Before, a refused git was taken as 'not a checkout' and an ID from the history could be reused."""
    target = checkout / "recommendations" / "alpha" / "business.yaml"
    before = target.read_bytes()
    code = main(["--root", str(checkout), "new", "recommendation", "--topic", "alpha", "--audience", "business"])
    err = capsys.readouterr().err
    assert code == 2
    assert "git failed" in err and "bad config" in err
    assert "not a git checkout" not in err
    assert target.read_bytes() == before


@pytest.mark.skipif(os.geteuid() != 0, reason="needs root to give the repository to another owner")
def test_dubious_ownership_is_reported_with_gits_reason(checkout: Path, capsys):
    """As root, a repository owned by someone else is 'dubious' to git: the case that reused an ID in CI."""
    for path in [checkout, *checkout.rglob("*")]:
        os.lchown(path, 65534, 65534)
    code = main(["--root", str(checkout), "new", "recommendation", "--topic", "alpha", "--audience", "business"])
    assert code == 2
    assert "dubious ownership" in capsys.readouterr().err
