"""File placement: every content file is where its kind belongs, named after its topic or audience."""

from __future__ import annotations

from quaestio.content.layout import discover

BUSINESS = "recommendations/alpha/business.yaml"


def test_misspelled_audience_file_name(repo):
    (repo.root / BUSINESS).rename(repo.root / "recommendations/alpha/bussiness.yaml")
    codes = repo.codes()
    assert ("recommendations/alpha/bussiness.yaml", 1, 1, "misplaced-file") in codes
    finding = next(f for f in repo.findings() if f.code == "misplaced-file")
    assert finding.hint == "did you mean 'business.yaml'?"


def test_recommendation_file_outside_a_topic_folder(repo):
    (repo.root / BUSINESS).rename(repo.root / "recommendations/business.yaml")
    assert ("recommendations/business.yaml", 1, 1, "misplaced-file") in repo.codes()


def test_yml_extension(repo):
    (repo.root / "topics/alpha.yaml").rename(repo.root / "topics/alpha.yml")
    codes = repo.codes()
    assert ("topics/alpha.yml", 1, 1, "misplaced-file") in codes
    assert "rename it to topics/alpha.yaml" in repo.findings()[0].hint or any(
        "topics/alpha.yaml" in f.hint for f in repo.findings() if f.code == "misplaced-file"
    )


def test_recommendations_file_in_the_topics_folder(repo):
    repo.write("topics/business.yaml", repo.read(BUSINESS))
    (repo.root / BUSINESS).unlink()
    findings = [f for f in repo.findings() if f.file == "topics/business.yaml"]
    assert [(f.line, f.column, f.code) for f in findings] == [(1, 1, "misplaced-file")]
    assert findings[0].hint == "move it to recommendations/alpha/business.yaml"


def test_topic_file_in_a_subfolder(repo):
    repo.write("topics/old/beta.yaml", "id: beta\n")
    assert ("topics/old/beta.yaml", 1, 1, "misplaced-file") in repo.codes()


def test_other_files_are_ignored(repo):
    repo.write("topics/README.md", "# Topics\n")
    repo.write("recommendations/alpha/notes.txt", "notes\n")
    assert repo.codes() == []


def test_discovery_reads_linked_files_but_not_linked_folders_and_keeps_path_order(repo):
    root = repo.root
    (root / "elsewhere").mkdir()
    (root / "elsewhere" / "public.yaml").write_text("topic: x\n", encoding="utf-8")
    (root / "recommendations" / "linked").symlink_to(root / "elsewhere")  # a linked folder: not followed
    (root / "recommendations" / "alpha" / "notes.yaml").mkdir()  # a folder named like a file: not a file
    (root / "topics" / ".yaml").write_text("", encoding="utf-8")  # no suffix, as pathlib sees it
    (root / "recommendations" / "beta").mkdir()
    (root / "recommendations" / "beta" / "public.yaml").symlink_to(root / "recommendations/alpha/public.yaml")
    files, misplaced = discover(root)
    assert [f.path for f in files] == [
        "topics/alpha.yaml",
        "recommendations/alpha/academic.yaml",
        "recommendations/alpha/business.yaml",
        "recommendations/alpha/public.yaml",
        "recommendations/beta/public.yaml",
    ]
    assert misplaced == []
