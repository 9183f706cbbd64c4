"""Slips a working-group member makes in GitHub's web editor: each gives one finding, at the place to type,
with the real cause in plain words and a hint that is the fix."""

from __future__ import annotations

import pytest

from quaestio.findings import Severity
from support.paths import FIXTURES

TOPIC = "topics/alpha.yaml"
ACADEMIC = "recommendations/alpha/academic.yaml"
BUSINESS = "recommendations/alpha/business.yaml"
PUBLIC = "recommendations/alpha/public.yaml"

# name: (file, text to replace, replacement, (line, column, code), words the message and hint must hold)
SLIPS = {
    "a colon inside a title": (
        TOPIC,
        "title: Alpha topic",
        "title: Alpha: the topic",
        (4, 8, "yaml-syntax"),
        ["contains ': '", 'put the whole value in quotes: title: "Alpha: the topic"'],
    ),
    "a missing '- ' before a new recommendation": (
        BUSINESS,
        "  - id: ALP-BUS-02",
        "    id: ALP-BUS-02",
        (20, 3, "duplicate-key"),
        ["without '- '", "type '- ' before 'id:' on line 20"],
    ),
    "an apostrophe inside a single-quoted title": (
        PUBLIC,
        "    title: Fund the first challenge",
        "    title: 'Fund the state's first challenge'",
        (5, 27, "yaml-syntax"),
        ["apostrophe in state's", "state''s", '"Fund the state\'s first challenge"'],
    ),
    "a double quote inside a double-quoted title": (
        PUBLIC,
        "    title: Fund the first challenge",
        '    title: "Fund the "first" challenge"',
        (5, 22, "yaml-syntax"),
        ["ends the text", "single quotes instead: 'Fund the \"first\" challenge'"],
    ),
    "a no-break space as indentation": (
        PUBLIC,
        "    horizon: medium",
        "\u00a0   horizon: medium",
        (9, 1, "invisible-character"),
        ["U+00A0 NO-BREAK SPACE", "in the indentation", "ordinary space"],
    ),
    "a no-break space after a colon": (
        PUBLIC,
        "    horizon: medium",
        "    horizon:\u00a0medium",
        (9, 13, "invisible-character"),
        ["U+00A0 NO-BREAK SPACE", "after 'horizon:'", "ordinary space"],
    ),
    "a zero-width space in the indentation": (
        PUBLIC,
        "    horizon: medium",
        "\u200b    horizon: medium",
        (9, 1, "invisible-character"),
        ["U+200B ZERO WIDTH SPACE"],
    ),
    "key:value without a space": (
        PUBLIC,
        "    horizon: medium",
        "    horizon:medium",
        (9, 13, "yaml-syntax"),
        ["no space after 'horizon:'", "type a space after the colon: 'horizon: medium'"],
    ),
    "an unclosed [": (
        PUBLIC,
        "    addresses: [ALP-C1, ALP-C2]",
        "    addresses: [ALP-C1, ALP-C2",
        (11, 31, "yaml-syntax"),
        ["opened with '[' at column 16 is not closed", "type ']' at the end of line 11"],
    ),
    "an unclosed quote": (
        PUBLIC,
        "    text: Authorities should fund it.",
        "    text: 'Authorities should fund it.",
        (6, 11, "yaml-syntax"),
        ["never closed", "closing '"],
    ),
    "an under-indented line in a text block": (
        PUBLIC,
        "    text: Authorities should fund it.",
        "    text: |\n      Authorities should fund it.\n     And more.",
        (8, 1, "yaml-syntax"),
        ["indented by 5 spaces, less than the 6", "indent it by 6 spaces"],
    ),
    "a text block not indented under its field": (
        PUBLIC,
        "    text: Authorities should fund it.",
        "    text: |\n  Authorities should fund it.",
        (7, 1, "yaml-syntax"),
        ["indented by 2 spaces", "by 6 spaces"],
    ),
    "a field indented one space too little": (
        PUBLIC,
        "    rationale:",
        "   rationale:",
        (7, 4, "yaml-syntax"),
        ["indented by 3 spaces", "indent it by 4 spaces, like line 6"],
    ),
    "a field indented one space too much": (
        PUBLIC,
        "    rationale:",
        "     rationale:",
        (7, 6, "yaml-syntax"),
        ["indented by 5 spaces", "indent it by 4 spaces"],
    ),
    "a list item out of line": (
        BUSINESS,
        "  - id: ALP-BUS-02",
        " - id: ALP-BUS-02",
        (20, 2, "yaml-syntax"),
        ["indented by 1 space,", "list items above it", "indent it by 2 spaces"],
    ),
    "a tab as indentation": (
        PUBLIC,
        "    horizon: medium",
        "\thorizon: medium",
        (9, 1, "tab-indent"),
        ["U+0009 TAB", "spaces"],
    ),
    "a dash without its space": (
        PUBLIC,
        "  - id: ALP-PUB-01",
        "  -id: ALP-PUB-01",
        (4, 4, "yaml-syntax"),
        ["no space after the '-'", "- id: ALP-PUB-01"],
    ),
    "Markdown bullets instead of dashes": (
        PUBLIC,
        "    addresses: [ALP-C1, ALP-C2]",
        "    addresses:\n      * ALP-C1",
        (12, 7, "yaml-syntax"),
        ["not with '*'", "- ALP-C1"],
    ),
    "a value starting with @": (
        PUBLIC,
        "    text: Authorities should fund it.",
        "    text: @team should fund it.",
        (6, 11, "yaml-syntax"),
        ["cannot start with '@'", 'text: "@team should fund it."'],
    ),
    "a Windows path in double quotes": (
        PUBLIC,
        "    text: Authorities should fund it.",
        '    text: "C:\\Users\\x"',
        (6, 14, "yaml-syntax"),
        ["backslash", "single quotes"],
    ),
    "text on the line of |": (
        PUBLIC,
        "    text: Authorities should fund it.",
        "    text: | Authorities should fund it.",
        (6, 13, "yaml-syntax"),
        ["next line"],
    ),
    "word-processor quotes around a value with a colon": (
        PUBLIC,
        "    title: Fund the first challenge",
        "    title: \u201cFund: the first challenge\u201d",
        (5, 12, "invisible-character"),
        ["U+201C LEFT DOUBLE QUOTATION MARK", 'straight quotes instead: title: "Fund: the first challenge"'],
    ),
    "a # that cuts a title short": (
        PUBLIC,
        "    title: Fund the first challenge",
        "    title: Priority #1 for SMEs",
        (5, 21, "comment-cut"),
        ["'title' is only 'Priority'", 'title: "Priority #1 for SMEs"'],
    ),
    "word-processor quotes around a title": (
        PUBLIC,
        "    title: Fund the first challenge",
        "    title: \u201cFund the first challenge\u201d",
        (5, 12, "typographic-quotes"),
        ["U+201C", "delete them: title: Fund the first challenge"],
    ),
    "a one-digit recommendation number": (
        PUBLIC,
        "  - id: ALP-PUB-01",
        "  - id: ALP-PUB-1",
        (4, 9, "invalid-format"),
        ["write 'ALP-PUB-01'"],
    ),
    "a related ID in lower case": (
        ACADEMIC,
        "related: [ALP-BUS-01]",
        "related: [alp-bus-01]",
        (13, 15, "invalid-format"),
        ["write 'ALP-BUS-01'"],
    ),
    "an en dash in an ID": (
        ACADEMIC,
        "related: [ALP-BUS-01]",
        "related: [ALP\u2013BUS\u201301]",
        (13, 15, "invalid-format"),
        ["U+2013 EN DASH after 'ALP'", "write 'ALP-BUS-01'"],
    ),
    "a zero-width space after a value": (
        PUBLIC,
        "    horizon: medium",
        "    horizon: medium\u200b",
        (9, 14, "invalid-value"),
        ["U+200B ZERO WIDTH SPACE after 'medium'", "write 'medium'"],
    ),
    "a date written day first": (
        TOPIC,
        "  date: 2015-03-12",
        "  date: 12/03/2015",
        (9, 9, "invalid-format"),
        ["write '2015-03-12'"],
    ),
    "a year as a title": (
        PUBLIC,
        "    title: Fund the first challenge",
        "    title: 2015",
        (5, 12, "wrong-type"),
        ["not the number 2015", 'title: "2015"'],
    ),
    "a capital in a value": (
        PUBLIC,
        "    priority: high",
        "    priority: High",
        (8, 15, "invalid-value"),
        ["did you mean 'high'?"],
    ),
    "a capital in a field name": (
        PUBLIC,
        "    title: Fund",
        "    Title: Fund",
        (5, 5, "unknown-field"),
        ["required field 'title' is missing", "did you mean 'title'?"],
    ),
    "one challenge where a list belongs": (
        PUBLIC,
        "    addresses: [ALP-C1, ALP-C2]",
        "    addresses: ALP-C1",
        (11, 16, "wrong-type"),
        ["should be a list", "'- item'"],
    ),
    "a list item without its space": (
        PUBLIC,
        "    addresses: [ALP-C1, ALP-C2]",
        "    addresses:\n      -ALP-C1",
        (12, 7, "wrong-type"),
        ["put a space after '-'", "- ALP-C1"],
    ),
    "a text of spaces": (
        PUBLIC,
        "    text: Authorities should fund it.",
        '    text: "   "',
        (6, 11, "wrong-type"),
        ["only spaces", "write the text"],
    ),
    "a web address without https://": (
        PUBLIC,
        "    text: Authorities should fund it.",
        "    text: Authorities should fund [the CCB](www.ccb.belgium.be).",
        (6, 45, "url-scheme"),
        ["without https://", "(https://www.ccb.belgium.be)"],
    ),
    "an e-mail address without mailto:": (
        PUBLIC,
        "    text: Authorities should fund it.",
        "    text: Write to [us](info@ccb.belgium.be).",
        (6, 25, "url-scheme"),
        ["without mailto:", "(mailto:info@ccb.belgium.be)"],
    ),
    "a source address without https://": (
        BUSINESS,
        "source: https://eur-lex.europa.eu/eli/dir/2016/1148/oj",
        "source: eur-lex.europa.eu/eli/dir/2016/1148/oj",
        (18, 21, "url-scheme"),
        ["https://eur-lex.europa.eu/eli/dir/2016/1148/oj"],
    ),
    "a recommendation in the wrong audience file": (
        BUSINESS,
        "  - id: ALP-BUS-02",
        "  - id: ALP-PUB-01",
        (20, 9, "id-prefix"),
        ["also the ID of the recommendation at recommendations/alpha/public.yaml:4", "move it to " + PUBLIC],
    ),
    "a recommendation deleted but still cited": (
        BUSINESS,
        "  - id: ALP-BUS-01",
        "  - id: ALP-BUS-03",
        (13, 15, "broken-reference"),
        ["no recommendation 'ALP-BUS-01'", "if it was deleted, put it back with 'status: withdrawn'"],
    ),
    "an emoji in a title": (
        PUBLIC,
        "    title: Fund the first challenge",
        "    title: Fund the first challenge \U0001f510",
        (5, 37, "unprintable-character"),
        ["U+1F510 CLOSED LOCK WITH KEY", "cannot be printed in the PDF reports", "remove it"],
    ),
    "Chinese characters in a title": (
        PUBLIC,
        "    title: Fund the first challenge",
        "    title: Fund the first challenge \u7f51\u7edc\u5b89\u5168\u6cd5",
        (5, 37, "unprintable-character"),
        ["U+7F51 CJK UNIFIED IDEOGRAPH-7F51", "cannot be printed"],
    ),
}


@pytest.mark.parametrize("slip", SLIPS)
def test_each_slip_gives_one_finding_at_the_place_to_type(repo, slip):
    file, old, new, (line, column, code), words = SLIPS[slip]
    repo.replace(file, old, new)
    findings = [f for f in repo.findings() if f.severity is not Severity.INFO]
    cited = file if code != "broken-reference" else ACADEMIC
    assert [(f.file, f.line, f.column, f.code) for f in findings][:1] == [(cited, line, column, code)]
    said = f"{findings[0].message}\n{findings[0].hint}"
    for word in words:
        assert word in said, said
    assert len({(f.file, f.line, f.column) for f in findings}) == len(findings), "two findings at one spot"


def test_the_parser_never_speaks_for_itself(repo):
    for slip, (file, old, new, _, _) in SLIPS.items():
        repo.write(file, (FIXTURES / "minimal" / file).read_text(encoding="utf-8").replace(old, new, 1))
        for f in repo.findings():
            said = f"{f.message} {f.hint}"
            for words in ("did not find expected", "while parsing", "while scanning", "<unicode string>", "token"):
                assert words not in said, (slip, said)
        repo.write(file, (FIXTURES / "minimal" / file).read_text(encoding="utf-8"))


def test_a_committed_file_of_a_deleted_recommendation_cites_both_causes_and_nothing_else(repo):
    repo.replace(BUSINESS, "  - id: ALP-BUS-01", "  - id: ALP-BUS-03")
    assert [(f.file, f.line, f.code) for f in repo.findings()] == [
        (ACADEMIC, 13, "broken-reference"),
        (BUSINESS, 28, "broken-reference"),
    ]
    assert "the files define ALP-BUS-02, ALP-BUS-03" in repo.findings()[0].hint


CONTENT_FILES = sorted(p.relative_to(FIXTURES / "minimal").as_posix() for p in (FIXTURES / "minimal").rglob("*.yaml"))


@pytest.mark.parametrize("file", CONTENT_FILES)
def test_a_syntax_slip_in_any_file_is_reported_in_that_file_only_and_first(repo, file):
    text = repo.read(file)
    first_value = next(line for line in text.splitlines() if line.startswith(("title:", "topic:")))
    repo.replace(file, first_value, first_value + ": oops")
    findings = repo.findings()
    assert {f.file for f in findings} == {file}
    assert findings[0].code == "yaml-syntax" and findings[0].severity is Severity.ERROR
    notes = [f for f in findings if f.severity is Severity.INFO]
    assert [(f.code, f.file) for f in notes] == [("checks-skipped", file)]
    assert "these checks were skipped" in notes[0].message


def test_an_unreadable_topic_leaves_its_recommendations_without_false_errors(repo):
    repo.replace(TOPIC, "title: Alpha topic", "title: Alpha: the topic")
    findings = repo.findings()
    assert [(f.file, f.code) for f in findings] == [(TOPIC, "yaml-syntax"), (TOPIC, "checks-skipped")]
    assert "whether their folder has a topic file" in findings[1].message


def test_a_misplaced_recommendations_file_does_not_break_the_references_to_it(repo):
    (repo.root / BUSINESS).rename(repo.root / "recommendations/alpha/businesses.yaml")
    assert [(f.file, f.code) for f in repo.findings()] == [
        ("recommendations/alpha/businesses.yaml", "misplaced-file"),
        ("recommendations/alpha/businesses.yaml", "checks-skipped"),
    ]
