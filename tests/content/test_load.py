"""Reading YAML: positions of values, YAML 1.2 scalars, and every class of bad input."""

from __future__ import annotations

from quaestio.content.load import parse_yaml, resolve_plain

PUBLIC = "recommendations/alpha/public.yaml"


def test_positions_are_one_based_for_values_and_keys():
    document, findings = parse_yaml("a: 1\nlist:\n  - x\n  - {b: 'y'}\n", "f.yaml")
    assert findings == []
    assert document.data == {"a": 1, "list": ["x", {"b": "y"}]}
    assert document.positions.of_value(("a",)) == (1, 4)
    assert document.positions.of_key(("list",)) == (2, 1)
    assert document.positions.of_value(("list", 0)) == (3, 5)
    assert document.positions.of_value(("list", 1, "b")) == (4, 9)
    # A path that does not exist falls back to its nearest ancestor.
    assert document.positions.of_value(("list", 1, "missing")) == (4, 5)


def test_plain_scalars_follow_yaml_1_2_not_1_1():
    assert resolve_plain("no") == "no"
    assert resolve_plain("yes") == "yes"
    assert resolve_plain("2015-03-12") == "2015-03-12"
    assert resolve_plain("2015") == 2015
    assert resolve_plain("1.5") == 1.5
    assert resolve_plain("true") is True
    assert resolve_plain("~") is None
    assert resolve_plain("1.0.2") == "1.0.2"


def test_quoted_numbers_stay_text():
    document, _ = parse_yaml("a: '2015'\nb: \"true\"\n", "f.yaml")
    assert document.data == {"a": "2015", "b": "true"}


def test_a_colon_in_a_value_points_where_the_opening_quote_goes(repo):
    repo.replace(PUBLIC, "    title: Fund the first challenge", "    title: Fund: the first challenge")
    assert repo.codes() == [(PUBLIC, 5, 12, "yaml-syntax")]
    finding = repo.findings()[0]
    assert "': ' (at column 16)" in finding.message
    assert finding.hint == 'put the whole value in quotes: title: "Fund: the first challenge"'


def test_bad_indentation_is_a_syntax_error_at_the_line(repo):
    repo.replace(PUBLIC, "    rationale:", "   rationale:")
    assert repo.codes() == [(PUBLIC, 7, 4, "yaml-syntax")]


def test_unclosed_quote_points_at_the_opening_quote(repo):
    repo.replace(PUBLIC, "    text: Authorities should fund it.", "    text: 'Authorities should fund it.")
    assert repo.codes()[0] == (PUBLIC, 6, 11, "yaml-syntax")


def test_duplicate_key_points_at_the_second_occurrence(repo):
    repo.replace(PUBLIC, "    status: proposed\n", "    status: proposed\n    priority: low\n")
    assert repo.codes() == [(PUBLIC, 11, 5, "duplicate-key")]
    assert "line 8" in repo.findings()[0].message


def test_tab_indentation(repo):
    repo.replace(PUBLIC, "    horizon: medium", "\thorizon: medium")
    assert repo.codes() == [(PUBLIC, 9, 1, "tab-indent")]


def test_file_that_is_not_utf8(repo):
    raw = (repo.root / PUBLIC).read_bytes().replace(b"Fund the first", "Fund the f\u00e9rst".encode("latin-1"))
    repo.write(PUBLIC, raw)
    assert repo.codes() == [(PUBLIC, 5, 22, "not-utf8")]


def test_byte_order_mark_is_accepted(repo):
    repo.write(PUBLIC, b"\xef\xbb\xbf" + (repo.root / PUBLIC).read_bytes())
    assert repo.codes() == []


def test_anchor_is_rejected_before_expansion(repo):
    repo.replace(PUBLIC, "    priority: high", "    priority: &p high")
    assert repo.codes() == [(PUBLIC, 8, 15, "yaml-anchor")]


def test_alias_is_rejected(repo):
    repo.replace(PUBLIC, "    horizon: medium", "    horizon: *p")
    assert repo.codes() == [(PUBLIC, 9, 14, "yaml-alias")]


def test_alias_bomb_is_rejected_quickly(repo):
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]" for i in range(1, 10)]
    repo.write(PUBLIC, "\n".join(lines) + "\n")
    assert repo.codes() == [(PUBLIC, 1, 5, "yaml-anchor")]


def test_explicit_tags_are_rejected(repo):
    repo.replace(PUBLIC, "    priority: high", "    priority: !!python/object:os.system high")
    assert repo.codes() == [(PUBLIC, 8, 15, "yaml-tag")]


def test_top_level_list(repo):
    repo.write(PUBLIC, "# comment\n- id: ALP-PUB-01\n")
    assert repo.codes() == [(PUBLIC, 2, 1, "not-a-mapping")]


def test_top_level_scalar(repo):
    repo.write(PUBLIC, "just some words\n")
    assert repo.codes() == [(PUBLIC, 1, 1, "not-a-mapping")]


def test_empty_file(repo):
    repo.write(PUBLIC, "# nothing here yet\n\n")
    assert repo.codes() == [(PUBLIC, 1, 1, "empty-file")]


def test_file_over_one_mebibyte(repo):
    repo.write(PUBLIC, "topic: alpha\n" + "# padding\n" * 110_000)
    assert repo.codes() == [(PUBLIC, 1, 1, "file-too-large")]


def test_two_documents_in_one_file(repo):
    repo.write(PUBLIC, repo.read(PUBLIC) + "---\ntopic: alpha\n")
    assert repo.codes() == [(PUBLIC, 13, 1, "multiple-documents")]


def test_deep_nesting_is_rejected(repo):
    repo.write(PUBLIC, "topic: " + "[" * 40 + "]" * 40 + "\n")
    ((file, line, _, code),) = repo.codes()
    assert (file, line, code) == (PUBLIC, 1, "too-deep")
