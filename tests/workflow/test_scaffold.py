"""new: scaffolded topics and recommendations, never-used IDs (git history included), placeholders."""

from __future__ import annotations

import os
import subprocess

import pytest

from quaestio.cli import main
from quaestio.content.load import parse_yaml
from quaestio.findings import Severity
from quaestio.workflow.scaffold import used_numbers

TOPIC = "topics/alpha.yaml"
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


def git(root, *args: str) -> str:
    done = subprocess.run(
        ["git", "-C", str(root), *args], capture_output=True, text=True, check=True, env={**os.environ, **GIT_ENV}
    )
    return done.stdout


def commit_all(root, message: str) -> None:
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", message)


def new_recommendation(repo, audience="business", *extra: str) -> int:
    return main(["--root", str(repo.root), "new", "recommendation", "--topic", "alpha", "--audience", audience, *extra])


def recommendations(repo, path: str) -> list[dict]:
    document, findings = parse_yaml(repo.read(path), path)
    assert findings == []
    return document.data["recommendations"]


def test_new_recommendation_takes_the_number_after_the_withdrawn_one_and_validates_with_placeholder_warnings(
    repo, capsys
):
    assert new_recommendation(repo) == 0
    added = recommendations(repo, BUSINESS)[-1]
    assert added == {
        "id": "ALP-BUS-03",
        "title": "TODO",
        "text": "TODO",
        "rationale": "TODO",
        "priority": "medium",
        "horizon": "medium",
        "status": "draft",
        "addresses": [],
        "references": [],
    }
    lines = repo.read(BUSINESS).splitlines()
    start = lines.index("  - id: ALP-BUS-03          # permanent: never change it, never reuse it")
    assert lines[0] == "# yaml-language-server: $schema=../../schemas/recommendations.schema.json"
    assert lines[start + 1].startswith("    # The recommendation in one imperative line")
    assert "    addresses: []           # the challenges it responds to: ALP-C1, ALP-C2" in lines
    findings = repo.findings()
    assert [(f.file, f.line, f.column, f.severity, f.code) for f in findings] == [
        (BUSINESS, start + 4, 12, Severity.WARNING, "placeholder-text"),
        (BUSINESS, start + 7, 11, Severity.WARNING, "placeholder-text"),
        (BUSINESS, start + 9, 16, Severity.WARNING, "placeholder-text"),
    ]
    assert findings[0].message == "'title' still holds the placeholder text 'TODO'"
    err = capsys.readouterr().err
    assert "added ALP-BUS-03 to recommendations/alpha/business.yaml" in err
    assert "not a git checkout" in err


def test_filling_in_the_placeholders_clears_the_warnings(repo):
    assert new_recommendation(repo, "business", "--title", "Train the board") == 0
    text = repo.read(BUSINESS)
    assert "title: Train the board" in text and "The recommendation in one imperative line" not in text
    repo.replace(BUSINESS, "    text: TODO", "    text: Boards should train.")
    repo.replace(BUSINESS, "    rationale: TODO", "    rationale: Because they decide.")
    assert repo.findings() == ()


def test_placeholder_inside_a_translation_is_found_at_its_value(repo):
    translation = f"translations/fr/{ACADEMIC}"
    repo.write(
        translation,
        "language: fr\nunits:\n  recommendations/ALP-ACA-01/title:\n"
        "    source_hash: e7b48055\n    text: TODO traduire\n",
    )
    ((file, line, column, code),) = repo.codes()
    assert (file, line, column, code) == (translation, 5, 11, "placeholder-text")


def test_ids_mentioned_anywhere_count_as_used(repo):
    repo.replace(ACADEMIC, "    related: [ALP-BUS-01]", "    related: [ALP-BUS-01]\n    # once numbered ALP-PUB-07")
    assert used_numbers(repo.root, "ALP-PUB-")[0] == {1, 7}
    assert new_recommendation(repo, "public") == 0
    assert recommendations(repo, PUBLIC)[-1]["id"] == "ALP-PUB-08"
    assert "    # once numbered ALP-PUB-07" in repo.read(ACADEMIC)


def extra_recommendation(number: int, title: str) -> str:
    return (
        f"    references: [dir-2013-40]\n  - id: ALP-PUB-{number:02d}\n    title: {title}\n    text: x\n"
        "    rationale: y\n    priority: low\n    horizon: long\n    status: draft\n    addresses: []"
    )


def test_ids_that_exist_only_in_git_history_or_another_branch_are_never_reused(repo):
    git(repo.root, "init", "-q", "-b", "main")
    commit_all(repo.root, "start")
    original = repo.read(PUBLIC)
    repo.replace(PUBLIC, "    references: [dir-2013-40]", extra_recommendation(2, "Deleted later"))
    commit_all(repo.root, "add ALP-PUB-02")
    repo.write(PUBLIC, original)
    commit_all(repo.root, "delete ALP-PUB-02 (which should have been withdrawn)")
    git(repo.root, "checkout", "-q", "-b", "elsewhere")
    repo.replace(PUBLIC, "    references: [dir-2013-40]", extra_recommendation(4, "On another branch"))
    commit_all(repo.root, "add ALP-PUB-04 on a branch")
    git(repo.root, "checkout", "-q", "main")
    assert repo.read(PUBLIC) == original  # neither ID is in the working tree
    numbers, history = used_numbers(repo.root, "ALP-PUB-")
    assert history and numbers == {1, 2, 4}
    assert new_recommendation(repo, "public") == 0
    assert recommendations(repo, PUBLIC)[-1]["id"] == "ALP-PUB-05"


def test_a_new_audience_file_is_created_with_its_schema_line(repo):
    (repo.root / PUBLIC).unlink()  # without git history, ALP-PUB-01 is now free
    assert new_recommendation(repo, "public") == 0
    text = repo.read(PUBLIC)
    assert text.startswith(
        "# yaml-language-server: $schema=../../schemas/recommendations.schema.json\n"
        "topic: alpha\naudience: public\nrecommendations:\n  - id: ALP-PUB-01"
    )
    assert {f.code for f in repo.findings()} == {"placeholder-text"}


def test_comments_of_the_target_file_are_kept(repo):
    repo.replace(BUSINESS, "  - id: ALP-BUS-02", "  # Withdrawn in 2016.\n  - id: ALP-BUS-02")
    repo.replace(BUSINESS, "    priority: low", "    priority: low  # agreed in session 3")
    assert new_recommendation(repo) == 0
    text = repo.read(BUSINESS)
    assert "  # Withdrawn in 2016.\n  - id: ALP-BUS-02\n" in text
    assert "    priority: low  # agreed in session 3\n" in text


def test_an_unknown_topic_is_a_usage_error_with_a_suggestion(repo, capsys):
    before = repo.read(BUSINESS)
    assert main(["--root", str(repo.root), "new", "recommendation", "--topic", "alpa", "--audience", "business"]) == 2
    assert (
        "quaestio: error: there is no topic 'alpa' (no file topics/alpa.yaml); did you mean 'alpha'?"
        in capsys.readouterr().err
    )
    assert repo.read(BUSINESS) == before


def test_a_broken_target_file_is_reported_and_left_as_it_is(repo, capsys):
    repo.replace(BUSINESS, "    horizon: medium", "\thorizon: medium")
    before = repo.read(BUSINESS)
    assert new_recommendation(repo) == 1
    captured = capsys.readouterr()
    assert captured.out.startswith(f"{BUSINESS}:25:1: error[tab-indent]:")
    assert "nothing was written to recommendations/alpha/business.yaml" in captured.err
    assert repo.read(BUSINESS) == before


def test_new_topic_validates_apart_from_placeholders_and_its_unaddressed_challenge(repo, capsys):
    assert (
        main(
            [
                "--root",
                str(repo.root),
                "new",
                "topic",
                "--id",
                "cloud-security",
                "--code",
                "CLD",
                "--date",
                "2015-09-17",
            ]
        )
        == 0
    )
    text = repo.read("topics/cloud-security.yaml")
    assert text.splitlines()[:3] == [
        "# yaml-language-server: $schema=../schemas/topic.schema.json",
        "id: cloud-security      # the topic's short name: the file name, and its folder in recommendations/",
        "code: CLD               # 2 to 4 capitals that start every challenge and recommendation ID; never reused",
    ]
    assert "  number: 2             # the session's place in the year's series, from 1" in text
    assert "  date: 2015-09-17      # the day of the session, YYYY-MM-DD" in text
    findings = [f for f in repo.findings() if f.file == "topics/cloud-security.yaml"]
    assert {f.code for f in findings} == {"placeholder-text", "unaddressed-challenge"}
    assert all(f.severity is Severity.WARNING for f in findings)
    assert len([f for f in findings if f.code == "placeholder-text"]) == 9
    assert (
        main(["--root", str(repo.root), "new", "recommendation", "--topic", "cloud-security", "--audience", "academic"])
        == 0
    )
    assert "  - id: CLD-ACA-01" in repo.read("recommendations/cloud-security/academic.yaml")
    assert "created topics/cloud-security.yaml" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("topic", "code", "message"),
    [
        ("alpha", "NEW", "the topic 'alpha' already exists"),
        ("beta", "ALP", "the topic code 'ALP' is already used"),
        ("Beta", "BET", "'Beta' is not a valid topic id"),
        ("beta", "BE1", "'BE1' is not a valid topic code"),
    ],
)
def test_new_topic_refuses_taken_or_malformed_names(repo, capsys, topic, code, message):
    assert main(["--root", str(repo.root), "new", "topic", "--id", topic, "--code", code]) == 2
    assert message in capsys.readouterr().err
    assert not (repo.root / "topics/beta.yaml").exists()


def test_new_topic_refuses_a_code_that_only_git_history_remembers(repo, capsys):
    git(repo.root, "init", "-q", "-b", "main")
    repo.write(
        "topics/old.yaml",
        repo.read(TOPIC).replace("id: alpha", "id: old").replace("code: ALP", "code: OLD").replace("ALP-C", "OLD-C"),
    )
    commit_all(repo.root, "an old topic")
    (repo.root / "topics/old.yaml").unlink()
    commit_all(repo.root, "drop it")
    assert main(["--root", str(repo.root), "new", "topic", "--id", "fresh", "--code", "OLD"]) == 2
    assert "the topic code 'OLD' was used before" in capsys.readouterr().err
    assert main(["--root", str(repo.root), "new", "topic", "--id", "old", "--code", "NEW"]) == 2
    assert "the topic id 'old' was used before" in capsys.readouterr().err
