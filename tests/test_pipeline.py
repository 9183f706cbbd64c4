"""The build as a whole: all or nothing, a checksummed manifest, and the same bytes from the same commit."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import quaestio.publish.exports
from quaestio.cli import main
from support.paths import REPOSITORY

pytestmark = pytest.mark.slow


def _tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def _git(root: Path, *args: str) -> None:
    env = {
        **os.environ,
        "GIT_AUTHOR_DATE": "2015-12-08T10:00:00+01:00",
        "GIT_COMMITTER_DATE": "2015-12-08T10:00:00+01:00",
    }
    subprocess.run(["git", "-C", str(root), *args], check=True, capture_output=True, env=env)


def _commit(root: Path) -> None:
    _git(root, "init", "-q", "-b", "main")
    _git(root, "-c", "user.name=Test", "-c", "user.email=test@example.org", "add", "-A")
    _git(root, "-c", "user.name=Test", "-c", "user.email=test@example.org", "commit", "-q", "-m", "content")


def test_manifest_lists_every_artifact_with_its_checksum(built_repo):
    build = built_repo.root / "build"
    document = json.loads((build / "manifest.json").read_text())
    listed = {a["path"]: a for a in document["artifacts"]}
    on_disk = {k: v for k, v in _tree(build).items() if not k.startswith(".cache/") and k != "manifest.json"}
    assert set(listed) == set(on_disk)
    for path, data in on_disk.items():
        assert listed[path]["sha256"] == hashlib.sha256(data).hexdigest()
        assert listed[path]["bytes"] == len(data)
    assert "reports/topic-alpha.pdf" in listed and "data/recommendations.json" in listed
    assert document["tool_versions"]["typst"] and document["tool_versions"]["pandoc"]


def test_a_step_that_fails_leaves_the_previous_build_untouched(built_repo, monkeypatch, capsys):
    repo = built_repo
    before = _tree(repo.root / "build")
    repo.replace("recommendations/alpha/business.yaml", "Companies should act.", "Companies should act today.")

    def broken(*args, **kwargs):
        (args[3]).mkdir(parents=True, exist_ok=True)
        (args[3] / "half-written.json").write_text("{")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(quaestio.publish.exports, "write_data", broken)
    assert main(["--root", str(repo.root), "build"]) == 1
    assert "No space left on device" in capsys.readouterr().err
    assert _tree(repo.root / "build") == before
    assert [p.name for p in repo.root.iterdir() if p.name.startswith(".build")] == []


def test_an_interrupted_build_leaves_the_previous_build_untouched(built_repo, monkeypatch, capsys):
    repo = built_repo
    before = _tree(repo.root / "build")

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(quaestio.publish.exports, "write_data", interrupted)
    capsys.readouterr()
    assert main(["--root", str(repo.root), "build"]) == 130  # Ctrl-C: said in a word (see test_cli)
    assert capsys.readouterr().err.endswith("quaestio: stopped\n")
    assert _tree(repo.root / "build") == before
    assert [p.name for p in repo.root.iterdir() if p.name.startswith(".build")] == []


def test_same_commit_same_bytes_in_other_folders_and_at_other_times(repo, tmp_path):
    _commit(repo.root)
    builds, running = [], []
    env = {k: v for k, v in os.environ.items() if k != "SOURCE_DATE_EPOCH"}
    for index, clock in enumerate(("2031-03-01 12:00:00", "2033-07-15 08:30:00")):
        checkout = tmp_path / f"checkout-{index}" / "content"
        subprocess.run(["git", "clone", "-q", str(repo.root), str(checkout)], check=True)
        # Both builds at once: each is all or nothing in its own checkout, and the serial stages overlap.
        running.append(
            subprocess.Popen(
                ["faketime", clock, sys.executable, str(REPOSITORY / "build.py"), "--root", str(checkout), "build"],
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
                env=env,
            )
        )
        builds.append(checkout / "build")
    for process in running:
        _, stderr = process.communicate()
        assert process.returncode == 0, stderr
    first, second = (_tree(b) for b in builds)
    first = {k: v for k, v in first.items() if not k.startswith(".cache/")}
    second = {k: v for k, v in second.items() if not k.startswith(".cache/")}
    assert set(first) == set(second)
    different = [name for name in first if first[name] != second[name]]
    assert different == [], different
    manifest = json.loads(first["manifest.json"])
    assert manifest["date"] == "2015-12-08"
    assert not any(str(tmp_path) in data.decode("latin-1") for data in first.values())


def test_a_missing_tool_is_null_in_the_manifest_not_dropped(monkeypatch):
    """The manifest lists every tool that shapes the outputs; one that is not installed is null."""
    from importlib import metadata

    from quaestio.publish import buildinfo

    real = metadata.version

    def version(name: str) -> str:
        if name == "mkdocs-material":
            raise metadata.PackageNotFoundError(name)
        return real(name)

    monkeypatch.setattr(buildinfo.metadata, "version", version)
    versions = buildinfo.tool_versions()
    assert "mkdocs-material" in versions and versions["mkdocs-material"] is None
    assert versions["typst"]


def test_a_refused_text_in_a_tool_message_is_traced_back_to_its_file_line_and_column(repo):
    from quaestio.pipeline import where_in_content

    repo.replace("recommendations/alpha/public.yaml", "Fund the first challenge", "Fund the first \U0001f510 challenge")
    message = 'typst refused audience-public.pdf: PDF/UA-1 error: the text `"\U0001f510"` could not be displayed'
    assert where_in_content(repo.root, message) == "; that text is at recommendations/alpha/public.yaml:5:27"
    assert where_in_content(repo.root, "typst refused x.pdf: something else") == ""


def test_a_template_that_fails_is_named_with_its_line_and_the_build_is_untouched(built_repo, capsys):
    """Templates are data the coalition edits: one that names a value the site does not have stops the build
    with the template's file and line, not a traceback, and build/ stays as it was."""
    repo = built_repo
    shutil.copytree(REPOSITORY / "templates", repo.root / "templates")
    shutil.copy(REPOSITORY / "mkdocs.yml", repo.root / "mkdocs.yml")  # the configuration beside its templates
    fragment = repo.root / "templates" / "site" / "fragments" / "about.html.j2"
    lines = fragment.read_text(encoding="utf-8").splitlines(keepends=True)
    lines.insert(2, "<p>{{ site.helper_that_is_gone() }}</p>\n")
    fragment.write_text("".join(lines), encoding="utf-8")
    before = _tree(repo.root / "build")
    capsys.readouterr()
    assert main(["--root", str(repo.root), "site"]) == 1
    err = capsys.readouterr().err
    assert "the template templates/site/fragments/about.html.j2 failed at line 3: " in err
    assert "helper_that_is_gone" in err and "Traceback" not in err and "build/ was left as it was" in err
    assert _tree(repo.root / "build") == before
