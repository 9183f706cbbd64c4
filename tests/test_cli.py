"""The command line: output formats, exit statuses, --strict, and that validation never writes."""

from __future__ import annotations

import json
import re
import subprocess
import sys

import pytest

from quaestio import cli
from quaestio.cli import main
from support.paths import REPOSITORY

PUBLIC = "recommendations/alpha/public.yaml"
ACADEMIC = "recommendations/alpha/academic.yaml"


def break_two_things(repo):
    repo.replace(PUBLIC, "    priority: high", "    priorty: high")
    repo.replace(ACADEMIC, "    status: adopted", "    status: draft")  # leaves ALP-C1 unaddressed


def test_clean_repository_exits_zero(repo, capsys):
    assert main(["--root", str(repo.root), "validate"]) == 0
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "4 files checked: 0 errors, 0 warnings." in captured.err


def test_text_format_names_file_line_column_severity_code_and_hint(repo, capsys):
    break_two_things(repo)
    assert main(["--root", str(repo.root), "validate"]) == 1
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == (
        f"{PUBLIC}:8:5: error[unknown-field]: unknown field 'priorty' in the recommendation, "
        "and the required field 'priority' is missing"
    )
    assert lines[1] == "    hint: did you mean 'priority'?"
    assert lines[2].startswith("topics/alpha.yaml:21:9: warning[unaddressed-challenge]:")


def test_warnings_alone_exit_zero_but_strict_makes_them_errors(repo, capsys):
    repo.replace(ACADEMIC, "    status: adopted", "    status: draft")
    assert main(["--root", str(repo.root), "validate"]) == 0
    assert main(["--root", str(repo.root), "validate", "--strict"]) == 1
    out = capsys.readouterr().out
    assert "topics/alpha.yaml:21:9: error[unaddressed-challenge]" in out


def test_github_format_prints_annotations(repo, capsys):
    break_two_things(repo)
    assert main(["--root", str(repo.root), "validate", "--format", "github"]) == 1
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith(f"::error file={PUBLIC},line=8,col=5,title=quaestio unknown-field::")
    assert lines[0].endswith("%0Adid you mean 'priority'?")
    assert lines[1].startswith("::warning file=topics/alpha.yaml,line=21,col=9,")


def test_json_format_is_a_list_for_tools(repo, capsys):
    break_two_things(repo)
    assert main(["--root", str(repo.root), "validate", "--format", "json"]) == 1
    findings = json.loads(capsys.readouterr().out)
    assert [(f["file"], f["line"], f["column"], f["severity"], f["code"]) for f in findings] == [
        (PUBLIC, 8, 5, "error", "unknown-field"),
        ("topics/alpha.yaml", 21, 9, "warning", "unaddressed-challenge"),
    ]
    assert findings[0]["hint"] == "did you mean 'priority'?"


@pytest.mark.parametrize("argv", [["validate", "--format", "xml"], ["frobnicate"], ["validate", "--bogus"]])
def test_usage_errors_exit_two(repo, argv, capsys):
    with pytest.raises(SystemExit) as raised:
        code = main(["--root", str(repo.root), *argv])
        raise SystemExit(code)
    assert raised.value.code == 2


def test_missing_root_is_a_usage_error(tmp_path, capsys):
    assert main(["--root", str(tmp_path / "nowhere"), "validate"]) == 2
    assert "does not exist" in capsys.readouterr().err


def test_validation_never_modifies_a_file(repo):
    """Only its own cache, in build/.cache/, is written."""
    break_two_things(repo)
    repo.write("recommendations/alpha/bad.yaml", "a: &x 1\n")
    cache = repo.root / "build" / ".cache"

    def files() -> dict:
        return {
            p: (p.read_bytes(), p.stat().st_mtime_ns)
            for p in repo.root.rglob("*")
            if p.is_file() and cache not in p.parents
        }

    before = files()
    main(["--root", str(repo.root), "validate"])
    assert files() == before


def test_build_py_is_the_same_command_as_quaestio(repo):
    break_two_things(repo)
    run = subprocess.run(
        [sys.executable, str(REPOSITORY / "build.py"), "--root", str(repo.root), "validate", "--format", "json"],
        capture_output=True,
        text=True,
    )
    assert run.returncode == 1
    assert [f["code"] for f in json.loads(run.stdout)] == ["unknown-field", "unaddressed-challenge"]


@pytest.mark.slow
def test_build_writes_the_validation_report(built_repo):
    report = json.loads((built_repo.root / "build" / "validation.json").read_text())
    assert (report["files"], report["errors"]) == (4, 0)


@pytest.mark.slow
def test_failed_build_leaves_previous_output(built_repo, capsys):
    repo = built_repo
    before = (repo.root / "build" / "validation.json").read_bytes()
    break_two_things(repo)
    assert main(["--root", str(repo.root), "build"]) == 1
    assert (repo.root / "build" / "validation.json").read_bytes() == before
    assert "left as it was" in capsys.readouterr().err


def test_readme_documents_exactly_the_commands_the_cli_has():
    import argparse
    import re

    from quaestio.cli import _parser

    readme = (REPOSITORY / "README.md").read_text(encoding="utf-8")
    documented = set()
    for line in re.findall(r"^quaestio \[--root DIR\] (.+)$", readme, flags=re.MULTILINE):
        documented.update(part.split()[0] for part in line.split(" | "))
    actions = [a for a in _parser()._actions if isinstance(a, argparse._SubParsersAction)]
    assert documented == set(actions[0].choices)
    for command in documented:
        assert f"| `{command}" in readme, command


@pytest.mark.slow
def test_no_command_builds_everything(repo, capsys):
    """`python build.py` with no command is `build`: validation, data, reports and site land in build/."""
    assert main(["--root", str(repo.root)]) == 0
    for made in ("validation.json", "data/recommendations.json", "reports/compendium.pdf", "site/index.html"):
        assert (repo.root / "build" / made).is_file(), made


def test_invalid_source_date_epoch_is_a_usage_error(repo, capsys, monkeypatch):
    """SOURCE_DATE_EPOCH=abc stops the build with exit 2 and says what to type, instead of using file times."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "abc")
    assert main(["--root", str(repo.root), "data"]) == 2
    err = capsys.readouterr().err
    assert "SOURCE_DATE_EPOCH='abc'" in err and "whole number" in err
    assert not (repo.root / "build").exists()


def _commands(parser, prefix=()):
    import argparse

    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, command in action.choices.items():
                yield (*prefix, name), command
                yield from _commands(command, (*prefix, name))


def test_every_command_help_says_what_it_does(capsys):
    """`quaestio X --help` starts with a sentence about X, not only the usage line."""
    from quaestio.cli import _parser

    commands = list(_commands(_parser()))
    assert len(commands) >= 10
    for words, _ in commands:
        with pytest.raises(SystemExit):
            main([*words, "--help"])
        lines = capsys.readouterr().out.split("\n\n")
        assert len(lines) > 2 and lines[1].strip() and not lines[1].startswith(("options", "positional")), words


@pytest.mark.parametrize("command", [["validate"], ["build"], ["reports"], []])
def test_a_folder_without_content_is_a_usage_error_that_names_it(tmp_path, capsys, command):
    (tmp_path / "notes").mkdir()
    assert main(["--root", str(tmp_path), *command]) == 2
    err = capsys.readouterr().err
    assert f"no content in {tmp_path.resolve()}" in err
    assert "topics/<topic>.yaml and recommendations/<topic>/<audience>.yaml" in err
    assert not (tmp_path / "build").exists()


def test_outside_a_terminal_each_stage_prints_one_line_with_its_time(repo, capsys):
    assert main(["--root", str(repo.root), "data"]) == 0
    stages = [line for line in capsys.readouterr().err.splitlines() if line.startswith("quaestio: ")]
    assert [line.split(" done in ")[0] for line in stages] == ["quaestio: validation", "quaestio: open data"]
    assert all(re.fullmatch(r"quaestio: .+ done in \d+\.\d s", line) for line in stages)


def test_a_command_stopped_with_ctrl_c_says_so_without_a_traceback(repo, capsys, monkeypatch):
    def interrupted(root, args):
        raise KeyboardInterrupt  # what Python raises on SIGINT, wherever the command is

    monkeypatch.setitem(cli.HANDLERS, "validate", interrupted)
    assert main(["--root", str(repo.root), "validate"]) == 130
    err = capsys.readouterr().err
    assert err == "quaestio: stopped\n"
