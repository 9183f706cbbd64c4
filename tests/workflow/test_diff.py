"""diff: the semantic differences between two commits of a temporary git repository."""

from __future__ import annotations

import json
import os
import subprocess

import pytest

from quaestio.cli import main
from quaestio.workflow.diff import word_diff

ACADEMIC = "recommendations/alpha/academic.yaml"
BUSINESS = "recommendations/alpha/business.yaml"
PUBLIC = "recommendations/alpha/public.yaml"
GIT_ENV = {
    "GIT_AUTHOR_NAME": "t",
    "GIT_AUTHOR_EMAIL": "t@example.org",
    "GIT_COMMITTER_NAME": "t",
    "GIT_COMMITTER_EMAIL": "t@example.org",
    "GIT_CONFIG_GLOBAL": os.devnull,
    "GIT_CONFIG_NOSYSTEM": "1",
}
NEW_PUBLIC = """  - id: ALP-PUB-02
    title: Publish a yearly report
    text: Authorities should publish <b>it</b>.
    rationale: Openness.
    priority: low
    horizon: long
    status: draft
    addresses: [ALP-C1]
"""


def git(root, *args: str) -> str:
    return subprocess.run(
        ["git", "-C", str(root), *args], capture_output=True, text=True, check=True, env={**os.environ, **GIT_ENV}
    ).stdout


def commit_all(root, message: str) -> None:
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", message)


@pytest.fixture
def history(repo):
    """The fixture repository as a git repository with one commit, tagged 'base'."""
    git(repo.root, "init", "-q", "-b", "main")
    commit_all(repo.root, "base")
    git(repo.root, "tag", "base")
    return repo


def diff_json(repo, *revisions: str) -> tuple[int, dict]:
    import io
    from contextlib import redirect_stdout

    stream = io.StringIO()
    with redirect_stdout(stream):
        status = main(["--root", str(repo.root), "diff", *revisions, "--format", "json"])
    return status, json.loads(stream.getvalue())


def group(report: dict, audience: str) -> dict:
    (found,) = [g for g in report["groups"] if g["audience"] == audience]
    return found


def test_added_withdrawn_and_changed_recommendations_per_topic_and_audience(history):
    repo = history
    repo.replace(BUSINESS, "    text: Companies should act.", "    text: Companies should act quickly.")
    repo.replace(BUSINESS, "    priority: high\n    horizon: short", "    priority: medium\n    horizon: short")
    repo.replace(BUSINESS, "    addresses: [ALP-C2]\n    tracker", "    addresses: [ALP-C2, ALP-C1]\n    tracker")
    repo.replace(PUBLIC, "    status: proposed", "    status: withdrawn\n    withdrawal_reason: Done elsewhere.")
    repo.write(PUBLIC, repo.read(PUBLIC) + NEW_PUBLIC)
    commit_all(repo.root, "head")
    status, report = diff_json(repo, "base")
    assert status == 0
    assert report["summary"] == {"added": 1, "withdrawn": 1, "changed": 1, "errors": 0}
    assert report["head"]["revision"] == "the work tree" and len(report["base"]["commit"]) == 40
    assert [(g["topic"], g["audience"]) for g in report["groups"]] == [("alpha", "business"), ("alpha", "public")]

    (changed,) = group(report, "business")["changed"]
    assert changed["id"] == "ALP-BUS-01"
    text, priority, addresses = changed["changes"]
    assert text == {
        "field": "text",
        "old": "Companies should act.",
        "new": "Companies should act quickly.",
        "words": [["equal", "Companies should act"], ["insert", " quickly"], ["equal", "."]],
    }
    assert (priority["field"], priority["old"], priority["new"]) == ("priority", "high", "medium")
    assert (addresses["added"], addresses["removed"]) == (["ALP-C1"], [])

    public = group(report, "public")
    assert [(e["id"], e["title"], e["status"]) for e in public["added"]] == [
        ("ALP-PUB-02", "Publish a yearly report", "draft")
    ]
    (withdrawn,) = public["withdrawn"]
    assert [(c["field"], c["old"], c["new"]) for c in withdrawn["changes"]] == [
        ("status", "proposed", "withdrawn"),
        ("withdrawal_reason", None, "Done elsewhere."),
    ]


def test_markdown_shows_word_level_changes_and_escapes_contributors_text(history, capsys):
    repo = history
    repo.replace(BUSINESS, "    text: Companies should act.", "    text: Companies must act.")
    repo.write(PUBLIC, repo.read(PUBLIC) + NEW_PUBLIC.replace("Publish a yearly report", "Publish *all* <i>now</i>"))
    commit_all(repo.root, "head")
    assert main(["--root", str(repo.root), "diff", "base", "HEAD"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("## Recommendations: `base` → `HEAD`\n\n1 added · 0 withdrawn · 1 changed\n")
    assert "### Alpha topic — business sector" in out
    assert "    > Companies <del>should</del> <ins>must</ins> act." in out
    assert r"- **ALP-PUB-02** Publish \*all\* &lt;i&gt;now&lt;/i&gt; *(draft, priority low)*" in out


def test_rewrapping_a_text_is_not_a_change(history, capsys):
    repo = history
    repo.replace(BUSINESS, "    text: Companies should act.", "    text: |\n      Companies should\n      act.")
    commit_all(repo.root, "rewrap")
    assert main(["--root", str(repo.root), "diff", "base"]) == 0
    assert "No recommendation was added, withdrawn or changed." in capsys.readouterr().out


def test_a_recommendation_deleted_instead_of_withdrawn_is_an_error_at_its_place_in_base(history, capsys):
    repo = history
    text = repo.read(BUSINESS)
    repo.write(BUSINESS, text[: text.index("  - id: ALP-BUS-02")])
    commit_all(repo.root, "delete ALP-BUS-02")
    status, report = diff_json(repo, "base", "main")
    assert status == 1
    ((finding),) = report["errors"]
    assert (finding["file"], finding["line"], finding["column"], finding["code"]) == (BUSINESS, 20, 9, "id-vanished")
    assert finding["message"] == (
        "ALP-BUS-02 ('An old idea') is in base but not in main: it was removed without being withdrawn"
    )
    assert "id-vanished" in capsys.readouterr().err


def test_an_id_given_to_another_recommendation_is_an_error(history):
    repo = history
    repo.replace(
        ACADEMIC,
        "    title: Teach the first challenge\n    text: Universities should teach it.",
        "    title: Build a bridge over the river\n    text: Engineers must pour concrete.",
    )
    commit_all(repo.root, "reuse ALP-ACA-01")
    status, report = diff_json(repo, "base")
    assert status == 1
    ((finding),) = report["errors"]
    assert (finding["file"], finding["line"], finding["column"], finding["code"]) == (ACADEMIC, 4, 9, "id-reused")
    assert "(it was 'Teach the first challenge')" in finding["message"]


def test_rewording_a_title_alone_is_a_change_not_a_reuse(history):
    repo = history
    repo.replace(ACADEMIC, "    title: Teach the first challenge", "    title: Research and teach the first challenge")
    commit_all(repo.root, "reword")
    status, report = diff_json(repo, "base")
    assert status == 0 and report["errors"] == []
    assert report["summary"]["changed"] == 1


def test_an_id_removed_earlier_and_added_again_is_an_error(history):
    repo = history
    repo.write(PUBLIC, repo.read(PUBLIC) + NEW_PUBLIC)
    commit_all(repo.root, "add ALP-PUB-02")
    repo.replace(PUBLIC, NEW_PUBLIC, "")
    commit_all(repo.root, "drop it")
    git(repo.root, "tag", "middle")
    repo.write(PUBLIC, repo.read(PUBLIC) + NEW_PUBLIC.replace("Publish a yearly report", "Something else"))
    commit_all(repo.root, "reuse ALP-PUB-02")
    status, report = diff_json(repo, "middle")
    assert status == 1
    assert [(e["file"], e["line"], e["column"], e["code"]) for e in report["errors"]] == [(PUBLIC, 13, 9, "id-reused")]
    assert report["errors"][0]["message"].startswith("ALP-PUB-02 was used before middle and removed")


def test_one_revision_is_compared_with_the_work_tree_and_its_uncommitted_edits(history):
    repo = history
    repo.replace(ACADEMIC, "    title: Teach the first challenge", "    title: Research and teach the first challenge")
    status, report = diff_json(repo, "HEAD")
    assert status == 0
    assert report["head"] == {"revision": "the work tree", "commit": ""}
    assert [e["id"] for e in group(report, "academic")["changed"]] == ["ALP-ACA-01"]


def test_a_committed_syntax_slip_is_not_reported_as_removed_recommendations(history, capsys):
    repo = history
    repo.replace(BUSINESS, "    title: Act on the second challenge", "    title: Act: on the second challenge")
    commit_all(repo.root, "a colon slips into a title")
    status, report = diff_json(repo, "base", "main")
    assert status == 1
    assert [(e["file"], e["line"], e["column"], e["code"]) for e in report["errors"]] == [
        (BUSINESS, 5, 12, "yaml-syntax")
    ]
    assert report["errors"][0]["message"].startswith("at main: the value of 'title' contains ': '")
    assert [(n["file"], n["code"]) for n in report["notes"]] == [(BUSINESS, "checks-skipped")]
    assert "not compared" in report["notes"][0]["message"]
    assert report["summary"] == {"added": 0, "withdrawn": 0, "changed": 0, "errors": 1}
    main(["--root", str(repo.root), "diff", "base", "main"])
    markdown = capsys.readouterr().out
    assert "id-vanished" not in markdown and "### Not compared" in markdown


@pytest.mark.parametrize(
    ("revisions", "named"),
    [(["nosuchbranch"], "nosuchbranch"), (["base", "nosuchbranch"], "nosuchbranch"), (["base..HEAD"], "base..HEAD")],
)
def test_a_revision_that_does_not_exist_is_a_usage_error(history, capsys, revisions, named):
    assert main(["--root", str(history.root), "diff", *revisions]) == 2
    captured = capsys.readouterr()
    assert captured.err == f"quaestio: error: '{named}' is not a commit, branch or tag in this repository\n"
    assert captured.out == ""


def test_outside_a_git_repository_diff_is_a_usage_error(repo, capsys):
    assert main(["--root", str(repo.root), "diff", "HEAD~1"]) == 2
    assert "is not a git checkout with commits" in capsys.readouterr().err


def test_joining_the_equal_and_inserted_words_gives_the_new_text():
    old = "The board should discuss cyber risk twice a year."
    new = "The board must discuss cyber risk, at least twice a year!"
    pairs = word_diff(old, new)
    assert "".join(text for op, text in pairs if op != "delete") == new
    assert "".join(text for op, text in pairs if op != "insert") == old
    assert ("delete", " should") in pairs and ("insert", " must") in pairs
