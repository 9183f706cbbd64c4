"""GitHub workflows, pre-commit hooks and CONTRIBUTING.md: valid, wired to the real commands and codes."""

from __future__ import annotations

import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from support.paths import REPOSITORY

WORKFLOWS = sorted((REPOSITORY / ".github" / "workflows").glob("*.yml"))
CHECK_JSONSCHEMA = Path(sys.executable).parent / "check-jsonschema"


def check_workflow(path: Path) -> subprocess.CompletedProcess[str]:
    """check-jsonschema with its built-in copy of GitHub's workflow schema (no network needed)."""
    return subprocess.run(
        [str(CHECK_JSONSCHEMA), "--builtin-schema", "vendor.github-workflows", str(path)],
        capture_output=True,
        text=True,
        check=False,
    )


def workflow(name: str) -> dict:
    return yaml.safe_load((REPOSITORY / ".github" / "workflows" / name).read_text(encoding="utf-8"))


def runs(document: dict) -> str:
    return "\n".join(step.get("run", "") for job in document["jobs"].values() for step in job["steps"])


def uses(document: dict) -> dict[str, dict]:
    return {
        step["uses"].split("@")[0]: step.get("with", {})
        for job in document["jobs"].values()
        for step in job["steps"]
        if "uses" in step
    }


def triggers(document: dict) -> dict:
    return document.get("on", document.get(True))  # PyYAML (YAML 1.1) reads the key 'on' as true


def test_there_are_three_workflows():
    assert [p.name for p in WORKFLOWS] == ["pages.yml", "pull-request.yml", "release.yml"]


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_each_workflow_passes_githubs_workflow_schema(path):
    result = check_workflow(path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "ok -- validation done" in result.stdout


def test_the_schema_check_catches_a_broken_workflow(tmp_path):
    broken = tmp_path / "broken.yml"
    broken.write_text(
        (REPOSITORY / ".github/workflows/release.yml").read_text(encoding="utf-8").replace("runs-on:", "runs_on:"),
        encoding="utf-8",
    )
    result = check_workflow(broken)
    assert result.returncode == 1
    assert "'runs-on' is a required property" in result.stdout


def test_pull_requests_are_validated_formatted_tested_built_and_diffed():
    document = workflow("pull-request.yml")
    assert list(triggers(document)) == ["pull_request"]
    commands = runs(document)
    for command in (
        "quaestio validate --format github",
        "quaestio fmt --check",
        "make test",
        "quaestio build",
        'quaestio diff "origin/$BASE_REF" HEAD --format markdown >> "$GITHUB_STEP_SUMMARY"',
    ):
        assert command in commands
    actions = uses(document)
    assert actions["actions/checkout"]["fetch-depth"] == 0
    assert actions["actions/upload-artifact"]["path"].split() == ["build/", "!build/.cache/"]
    assert "${{" not in commands  # values from the event reach the shell through env, never spliced in


def test_pushes_to_main_deploy_the_site_to_github_pages():
    document = workflow("pages.yml")
    assert triggers(document)["push"] == {"branches": ["main"]}
    assert document["permissions"] == {"contents": "read", "pages": "write", "id-token": "write"}
    actions = uses(document)
    assert actions["actions/upload-pages-artifact"] == {"path": "build/site"}
    assert "actions/deploy-pages" in actions
    assert document["jobs"]["deploy"]["needs"] == "build"
    assert "make build" in runs(document)


def test_tags_publish_a_release_with_the_reports():
    document = workflow("release.yml")
    assert triggers(document)["push"] == {"tags": ["v*"]}
    assert document["permissions"] == {"contents": "write"}
    commands = runs(document)
    assert 'gh release create "$TAG" build/reports/*.pdf build/reports/*.docx' in commands


def test_pre_commit_hooks_for_this_repository_run_validate_and_fmt_check():
    config = yaml.safe_load((REPOSITORY / ".pre-commit-config.yaml").read_text(encoding="utf-8"))
    (local,) = config["repos"]
    assert local["repo"] == "local"
    hooks = {hook["id"]: hook for hook in local["hooks"]}
    assert hooks["quaestio-validate"]["entry"] == ".venv/bin/quaestio validate"
    assert hooks["quaestio-validate"]["pass_filenames"] is False
    assert hooks["quaestio-fmt-check"]["entry"] == ".venv/bin/quaestio fmt --check"
    pattern = re.compile(hooks["quaestio-fmt-check"]["files"])
    assert pattern.search("recommendations/governance/business.yaml")
    assert pattern.search("topics/governance.yaml")
    assert not pattern.search("schemas/topic.schema.json") and not pattern.search("topics/old/x.yaml")


def test_the_hooks_offered_to_other_repositories_use_the_installed_command():
    hooks = {
        hook["id"]: hook for hook in yaml.safe_load((REPOSITORY / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    }
    assert set(hooks) == {"quaestio-validate", "quaestio-fmt-check", "quaestio-fmt"}
    assert all(hook["language"] == "python" for hook in hooks.values())
    assert hooks["quaestio-validate"]["entry"] == "quaestio validate"
    assert hooks["quaestio-fmt-check"]["entry"] == "quaestio fmt --check"


def test_pre_commit_hooks_for_this_repository_run_the_linters_as_make_lint_does():
    config = yaml.safe_load((REPOSITORY / ".pre-commit-config.yaml").read_text(encoding="utf-8"))
    hooks = {hook["id"]: hook for hook in config["repos"][0]["hooks"]}
    assert hooks["ruff-check"]["entry"].startswith(".venv/bin/ruff check")
    assert hooks["ruff-format-check"]["entry"].startswith(".venv/bin/ruff format --check")
    assert hooks["mypy"]["entry"] == ".venv/bin/mypy" and hooks["mypy"]["pass_filenames"] is False
    assert all(hooks[name]["types"] == ["python"] for name in ("ruff-check", "ruff-format-check", "mypy"))


def test_the_fmt_check_hook_passes_on_canonical_files_and_fails_on_others(repo):
    config = yaml.safe_load((REPOSITORY / ".pre-commit-config.yaml").read_text(encoding="utf-8"))
    hook = next(h for h in config["repos"][0]["hooks"] if h["id"] == "quaestio-fmt-check")
    program, *arguments = shlex.split(hook["entry"])
    assert Path(program).name == "quaestio"
    quaestio = [sys.executable, "-m", "quaestio"]  # the hook's program, in whatever environment runs the tests
    command = [*quaestio, *arguments]
    files = ["topics/alpha.yaml", "recommendations/alpha/business.yaml"]
    first = subprocess.run([*command, *files], cwd=repo.root, capture_output=True, text=True, check=False)
    assert first.returncode == 1
    changed = [line.split(":")[0] for line in first.stdout.splitlines() if line.startswith("would reformat")]
    assert changed == [f"would reformat {f}" for f in files]
    subprocess.run([*quaestio, "fmt", *files], cwd=repo.root, check=True, capture_output=True)
    second = subprocess.run([*command, *files], cwd=repo.root, capture_output=True, text=True, check=False)
    assert second.returncode == 0, second.stdout + second.stderr


def test_contributing_cites_only_finding_codes_that_quaestio_emits():
    guide = (REPOSITORY / "CONTRIBUTING.md").read_text(encoding="utf-8")
    guide = guide[guide.index("## How to read a validation message") : guide.index("## Working on your own computer")]
    cited = set(re.findall(r"^\| `([a-z0-9-]+)`(?: \(warning\))? \|", guide, flags=re.MULTILINE))
    cited |= set(re.findall(r"(?:error|warning)\[([a-z0-9-]+)\]", guide))
    assert {"unknown-field", "missing-field", "broken-reference", "placeholder-text"} <= cited
    sources = "\n".join(p.read_text(encoding="utf-8") for p in (REPOSITORY / "src" / "quaestio").rglob("*.py"))
    readme = (REPOSITORY / "README.md").read_text(encoding="utf-8")
    for code in cited:
        assert f'"{code}"' in sources, code
        assert f"`{code}`" in readme, code


def test_the_pull_request_offers_the_formatted_files_and_the_steps_to_apply_them(repo, tmp_path):
    steps = {step.get("id"): step for step in workflow("pull-request.yml")["jobs"]["check"]["steps"]}
    assert steps["offer"]["if"] == "${{ !cancelled() && steps.fmt.outcome == 'failure' }}"
    upload = next(
        s
        for s in workflow("pull-request.yml")["jobs"]["check"]["steps"]
        if s.get("with", {}).get("name") == "formatted-files"
    )
    assert upload["with"]["path"] == "formatted/"
    subprocess.run(["git", "init", "-q"], cwd=repo.root, check=True)
    subprocess.run(["git", "add", "-A"], cwd=repo.root, check=True)
    identity = ["-c", "user.name=t", "-c", "user.email=t@example.org"]
    subprocess.run(["git", *identity, "commit", "-qm", "content"], cwd=repo.root, check=True)
    summary = tmp_path / "summary.md"
    script = steps["offer"]["run"].replace(".venv/bin/quaestio", str(Path(sys.executable).parent / "quaestio"))
    subprocess.run(
        ["bash", "-e", "-c", script],
        cwd=repo.root,
        env={"GITHUB_STEP_SUMMARY": str(summary), "PATH": "/usr/bin:/bin"},
        check=True,
    )
    offered = repo.root / "formatted"
    assert (offered / "FILES.txt").read_text().splitlines() == [
        "recommendations/alpha/academic.yaml",
        "recommendations/alpha/business.yaml",
        "recommendations/alpha/public.yaml",
        "topics/alpha.yaml",
    ]
    assert (offered / "topics/alpha.yaml").read_text().startswith("# yaml-language-server: $schema=")
    text = summary.read_text()
    assert "download **formatted-files**" in text and "+# yaml-language-server" in text
    assert (offered / "README.md").read_text() == text
    # The work tree is left as the pull request has it.
    assert not (repo.root / "topics/alpha.yaml").read_text().startswith("# yaml-language-server")
