"""fmt: the canonical form, kept comments and list order, idempotence, --check, and safe writes."""

from __future__ import annotations

import os

import yaml as pyyaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from quaestio import output
from quaestio.cli import main
from quaestio.content.layout import Kind, discover
from quaestio.content.load import parse_yaml
from quaestio.workflow.fmt import WIDTH, canonical_text, read_schemas
from support.paths import REPOSITORY

SCHEMAS = read_schemas(REPOSITORY / "schemas")
BUSINESS = "recommendations/alpha/business.yaml"
PUBLIC = "recommendations/alpha/public.yaml"
TOPIC = "topics/alpha.yaml"
REC_LINE = "# yaml-language-server: $schema=../../schemas/recommendations.schema.json"
TOPIC_LINE = "# yaml-language-server: $schema=../schemas/topic.schema.json"


def fmt(text: str, kind: Kind = Kind.RECOMMENDATIONS) -> str:
    formatted, findings = canonical_text(text, "x.yaml", kind, SCHEMAS)
    assert findings == []
    assert formatted is not None
    return formatted


def data(text: str) -> dict:
    document, findings = parse_yaml(text, "x.yaml")
    assert findings == [], findings
    return document.data


def test_every_content_file_of_the_repository_is_canonical_byte_for_byte():
    files, misplaced = discover(REPOSITORY)
    assert misplaced == [] and len(files) >= 24
    for content in files:
        text = content.file.read_bytes().decode("utf-8")
        assert canonical_text(text, content.path, content.kind, SCHEMAS) == (text, []), content.path


def test_every_content_file_starts_with_its_schema_line():
    files, _ = discover(REPOSITORY)
    for content in files:
        first = content.file.read_text(encoding="utf-8").splitlines()[0]
        assert first == (TOPIC_LINE if content.kind is Kind.TOPIC else REC_LINE), content.path
        schema = first.split("$schema=", 1)[1]
        assert (content.file.parent / schema).resolve().is_file()


def test_keys_follow_the_schema_order_and_comments_travel_with_their_fields():
    text = (
        "# About this file.\n"
        "audience: business  # who it is for\n"
        "topic: alpha\n"
        "recommendations:\n"
        "  # The first one.\n"
        "  - status: adopted\n"
        "    title: Act  # keep it short\n"
        "    id: ALP-BUS-01\n"
        "    text: Do it.\n"
        "    rationale: Why.\n"
        "    priority: high\n"
        "    horizon: short\n"
        "    addresses: [ALP-C2, ALP-C1]\n"
        "    references: [b, a]\n"
        "  - id: ALP-BUS-03\n"
        "    title: {fr: Titre, en: Title}\n"
        "    text: x\n"
        "    rationale: y\n"
        "    priority: low\n"
        "    horizon: long\n"
        "    status: draft\n"
        "    addresses: []\n"
    )
    assert fmt(text) == (
        f"{REC_LINE}\n"
        "# About this file.\n"
        "topic: alpha\n"
        "audience: business  # who it is for\n"
        "recommendations:\n"
        "  # The first one.\n"
        "  - id: ALP-BUS-01\n"
        "    title: Act  # keep it short\n"
        "    text: Do it.\n"
        "    rationale: Why.\n"
        "    priority: high\n"
        "    horizon: short\n"
        "    status: adopted\n"
        "    addresses: [ALP-C2, ALP-C1]\n"
        "    references: [b, a]\n"
        "  - id: ALP-BUS-03\n"
        "    title: {en: Title, fr: Titre}\n"
        "    text: x\n"
        "    rationale: y\n"
        "    priority: low\n"
        "    horizon: long\n"
        "    status: draft\n"
        "    addresses: []\n"
    )


def test_long_text_is_folded_within_the_width_and_multi_line_text_becomes_a_literal_block():
    words = " ".join(f"word{i}" for i in range(40))
    text = (
        "topic: alpha\naudience: business\nrecommendations:\n"
        f'  - id: ALP-BUS-01\n    title: Short\n    text: "first line\\nsecond line\\n"\n'
        f"    rationale: '{words}'\n"
        "    priority: high\n    horizon: short\n    status: adopted\n    addresses: []\n"
    )
    formatted = fmt(text)
    lines = formatted.splitlines()
    assert lines[6:9] == ["    text: |", "      first line", "      second line"]
    assert lines[9] == "    rationale: >-"
    folded = lines[10 : lines.index("    priority: high")]
    assert len(folded) == 3 and all(line.startswith("      word") for line in folded)
    assert max(len(line) for line in lines) <= WIDTH
    assert data(formatted) == data(text)


def test_a_folded_paragraph_with_a_line_over_the_width_is_refolded_and_short_ones_are_kept():
    over = "x " * 60
    text = (
        "topic: alpha\naudience: business\nrecommendations:\n  - id: ALP-BUS-01\n    title: T\n"
        "    text: >-\n      short line\n      kept as written\n"
        f"    rationale: >-\n      {over.strip()}\n"
        "    priority: high\n    horizon: short\n    status: adopted\n    addresses: []\n"
    )
    lines = fmt(text).splitlines()
    assert lines[6:9] == ["    text: >-", "      short line", "      kept as written"]
    assert lines[9] == "    rationale: >-"
    assert len(lines[10]) <= WIDTH and len(lines[11]) <= WIDTH and lines[12] == "    priority: high"


def test_a_long_flow_list_becomes_a_block_list_in_the_same_order():
    ids = [f"reference-number-{i:02d}" for i in range(8)]
    text = (
        "topic: alpha\naudience: business\nrecommendations:\n  - id: ALP-BUS-01\n    title: T\n    text: x\n"
        f"    rationale: y\n    priority: high\n    horizon: short\n    status: adopted\n    addresses: []\n"
        f"    references: [{', '.join(ids)}]\n"
    )
    lines = fmt(text).splitlines()
    start = lines.index("    references:")
    assert lines[start + 1 :] == [f"      - {i}" for i in ids]


def test_a_comment_on_a_long_line_keeps_that_line_as_it_is():
    long_title = "A title " * 14
    text = (
        "topic: alpha\naudience: business\nrecommendations:\n  - id: ALP-BUS-01\n"
        f"    title: {long_title.strip()}  # under discussion\n    text: x\n    rationale: y\n"
        "    priority: high\n    horizon: short\n    status: adopted\n    addresses: []\n"
    )
    assert f"    title: {long_title.strip()}  # under discussion" in fmt(text).splitlines()


def test_comment_lines_after_a_text_that_becomes_a_block_stay_comments():
    text = (
        "topic: alpha\naudience: business\nrecommendations:\n  - id: ALP-BUS-01\n    title: T\n"
        '    text: "two\\nlines"\n    # about the rationale\n\n'
        f"    rationale: {'because ' * 20}\n    # about the priority\n    priority: high\n"
        "    horizon: short\n    status: adopted\n    addresses: []\n"
    )
    formatted = fmt(text)
    assert "\n    # about the rationale\n\n    rationale: >-\n" in formatted
    assert "\n    # about the priority\n    priority: high\n" in formatted
    assert data(formatted) == data(text)


def test_the_schema_line_is_added_when_missing_and_corrected_when_wrong():
    body = (REPOSITORY / "tests/fixtures/minimal/topics/alpha.yaml").read_text(encoding="utf-8")
    assert fmt(body, Kind.TOPIC).splitlines()[:2] == [TOPIC_LINE, "# A small topic for tests."]
    wrong = "# yaml-language-server: $schema=elsewhere.json\n" + body
    assert fmt(wrong, Kind.TOPIC).splitlines()[:2] == [TOPIC_LINE, "# A small topic for tests."]


def test_fixture_files_are_formatted_once_and_then_left_alone(repo):
    for path, kind in ((TOPIC, Kind.TOPIC), (BUSINESS, Kind.RECOMMENDATIONS)):
        once = fmt(repo.read(path), kind)
        assert fmt(once, kind) == once
        assert data(once) == data(repo.read(path))


def test_check_lists_files_that_would_change_exits_one_and_writes_nothing(repo, capsys):
    before = repo.read(BUSINESS)
    assert main(["--root", str(repo.root), "fmt", "--check"]) == 1
    out = capsys.readouterr().out.splitlines()
    reason = "the first line must name the file's schema (# yaml-language-server: $schema=...)"
    assert [line for line in out if line.startswith("would reformat")] == [
        f"would reformat {p}: {reason}"
        for p in (TOPIC, "recommendations/alpha/academic.yaml", BUSINESS, "recommendations/alpha/public.yaml")
    ]
    # Each file's change follows as a unified diff, with the line numbers to look at.
    at = out.index(f"would reformat {BUSINESS}: {reason}")
    assert out[at + 1 : at + 5] == [f"--- {BUSINESS}", f"+++ {BUSINESS} (formatted)", "@@ -1,3 +1,4 @@", f"+{REC_LINE}"]
    assert repo.read(BUSINESS) == before
    assert main(["--root", str(repo.root), "fmt"]) == 0
    assert repo.read(BUSINESS) == f"{REC_LINE}\n{before}"
    assert main(["--root", str(repo.root), "fmt", "--check"]) == 0
    assert repo.findings() == ()


def test_fmt_of_given_paths_leaves_the_other_files_alone(repo, monkeypatch):
    monkeypatch.chdir(repo.root)
    topic_before = repo.read(TOPIC)
    assert main(["fmt", "recommendations/alpha/business.yaml"]) == 0
    assert repo.read(BUSINESS).startswith(REC_LINE)
    assert repo.read(TOPIC) == topic_before
    assert not repo.read("recommendations/alpha/public.yaml").startswith(REC_LINE)


def test_a_path_that_is_not_content_is_a_usage_error(repo, monkeypatch, capsys):
    monkeypatch.chdir(repo.root)
    repo.write("notes.yaml", "a: 1\n")
    assert main(["fmt", "notes.yaml"]) == 2
    assert main(["fmt", "missing.yaml"]) == 2
    err = capsys.readouterr().err
    assert "not content files" in err and "no such file or folder: missing.yaml" in err


def test_a_file_with_a_syntax_error_is_reported_and_left_as_it_is(repo, capsys):
    repo.replace(BUSINESS, "    priority: low", "    priority: [low")
    broken = repo.read(BUSINESS)
    assert main(["--root", str(repo.root), "fmt"]) == 1
    out = capsys.readouterr().out
    assert out.startswith(f"{BUSINESS}:24:19: error[yaml-syntax]: the list opened with '[' at column 15 is not closed")
    assert repo.read(BUSINESS) == broken
    assert repo.read(TOPIC).startswith(TOPIC_LINE)  # the other files were still formatted


def test_a_failed_write_is_reported_and_leaves_the_original_file_and_no_temporary_file(repo, monkeypatch, capsys):
    before = repo.read(BUSINESS)

    def fail(source, target):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(output.os, "replace", fail)
    assert main(["--root", str(repo.root), "fmt", str(repo.root / BUSINESS)]) == 1
    assert capsys.readouterr().out.startswith(
        f"{BUSINESS}:1:1: error[write-failed]: the file cannot be written: No space left on device"
    )
    assert repo.read(BUSINESS) == before
    assert [name for name in os.listdir(repo.root / "recommendations/alpha") if name.endswith(".tmp")] == []


_TEXT = st.text(st.characters(codec="utf-8", categories=("L", "N", "P", "S", "Zs")), min_size=1, max_size=160)
_MULTILINE = st.lists(_TEXT, min_size=1, max_size=4).map("\n".join)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    title=_TEXT,
    text=st.one_of(_TEXT, _MULTILINE),
    rationale=_TEXT,
    style=st.sampled_from([None, '"', "'"]),
    width=st.integers(min_value=30, max_value=200),
)
def test_formatting_any_recommendation_keeps_its_data_and_is_idempotent(title, text, rationale, style, width):
    document = {
        "topic": "alpha",
        "audience": "business",
        "recommendations": [
            {
                "rationale": rationale,
                "id": "ALP-BUS-01",
                "title": title,
                "text": text,
                "priority": "high",
                "horizon": "short",
                "status": "adopted",
                "addresses": ["ALP-C1"],
            }
        ],
    }
    source = pyyaml.safe_dump(document, allow_unicode=True, width=width, default_style=style, sort_keys=False)
    formatted, findings = canonical_text(source, "x.yaml", Kind.RECOMMENDATIONS, SCHEMAS)
    assert findings == []
    assert data(formatted) == data(source)
    assert canonical_text(formatted, "x.yaml", Kind.RECOMMENDATIONS, SCHEMAS) == (formatted, [])


def test_check_says_why_each_file_would_change_with_its_lines(repo, capsys):
    main(["--root", str(repo.root), "fmt"])
    text = repo.read(BUSINESS).replace(
        "    priority: low\n    horizon: medium", "    horizon: medium\n    priority: low"
    )
    text = text.replace("    status: withdrawn", "    status: withdrawn   ").replace("\n", "\r\n")
    repo.write(BUSINESS, text.replace("    rationale: It seemed", "    rationale:\tIt seemed"))
    capsys.readouterr()
    assert main(["--root", str(repo.root), "fmt", "--check"]) == 1
    first = capsys.readouterr().out.splitlines()[0]
    assert first == (
        f"would reformat {BUSINESS}: Windows line ends (CRLF) become plain line ends (LF); "
        "trailing spaces are removed (line 27); tabs become spaces (line 24); "
        "fields are put in the schema's order (line 26)"
    )


def test_validate_and_fmt_agree_on_tabs(repo, capsys):
    repo.replace(PUBLIC, "    horizon: medium", "    horizon:\tmedium")
    assert repo.codes() == []  # a tab after the colon is a space to YAML...
    assert main(["--root", str(repo.root), "fmt", str(repo.root / PUBLIC)]) == 0  # ...and to fmt
    assert "    horizon: medium\n" in repo.read(PUBLIC)
    repo.replace(PUBLIC, "    title: Fund the first challenge", "    title: Fund the\tfirst challenge")
    assert repo.codes() == [(PUBLIC, 6, 20, "invisible-character")]  # a tab inside a value is refused by both
    capsys.readouterr()
    assert main(["--root", str(repo.root), "fmt", str(repo.root / PUBLIC)]) == 1
    assert capsys.readouterr().out.startswith(f"{PUBLIC}:6:20: error[invisible-character]: a tab (U+0009 TAB)")


def test_a_value_cut_short_by_a_hash_is_kept_as_written_for_its_author_to_quote(repo):
    main(["--root", str(repo.root), "fmt"])
    repo.replace(PUBLIC, "    title: Fund the first challenge", "    title: Priority #1 for SMEs")
    assert repo.codes() == [(PUBLIC, 6, 21, "comment-cut")]
    assert main(["--root", str(repo.root), "fmt", "--check"]) == 0
    assert main(["--root", str(repo.root), "fmt"]) == 0
    assert "    title: Priority #1 for SMEs\n" in repo.read(PUBLIC)
