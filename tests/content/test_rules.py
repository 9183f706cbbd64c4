"""Cross-reference rules: each one broken by a small change to the fixture repository."""

from __future__ import annotations

import pytest

from quaestio.findings import Severity

TOPIC = "topics/alpha.yaml"
ACADEMIC = "recommendations/alpha/academic.yaml"
BUSINESS = "recommendations/alpha/business.yaml"
PUBLIC = "recommendations/alpha/public.yaml"


def only(repo, code):
    return [f for f in repo.findings() if f.code == code]


def test_fixture_is_clean(repo):
    assert repo.codes() == []


def test_recommendation_id_reused_in_another_file(repo):
    repo.replace(PUBLIC, "  - id: ALP-PUB-01", "  - id: ALP-PUB-01\n    title: x\n  - id: ALP-PUB-01")
    (finding,) = only(repo, "duplicate-id")
    assert (finding.file, finding.line, finding.column) == (PUBLIC, 6, 9)
    assert f"{PUBLIC}:4:9" in finding.message


def test_recommendation_id_duplicated_across_files_of_the_repository(repo):
    repo.write(
        "topics/beta.yaml",
        repo.read(TOPIC).replace("id: alpha", "id: beta").replace("code: ALP", "code: BET").replace("ALP-C", "BET-C"),
    )
    repo.write(
        "recommendations/beta/public.yaml",
        repo.read(PUBLIC).replace("topic: alpha", "topic: beta").replace("ALP-C", "BET-C"),
    )
    # One slip, one finding: the copy whose prefix does not fit the beta topic is the one to change.
    assert only(repo, "duplicate-id") == []
    (finding,) = only(repo, "id-prefix")
    assert (finding.file, finding.line, finding.column) == ("recommendations/beta/public.yaml", 4, 9)
    assert f"also the ID of the recommendation at {PUBLIC}:4" in finding.message
    assert finding.hint == "give it the next free ID of this file, BET-PUB-01"


def test_duplicate_topic_code(repo):
    repo.write("topics/beta.yaml", repo.read(TOPIC).replace("id: alpha", "id: beta").replace("ALP-C", "BTA-C"))
    (finding,) = only(repo, "duplicate-id")
    assert (finding.file, finding.line, finding.column) == ("topics/beta.yaml", 3, 7)


def test_duplicate_challenge_id(repo):
    repo.replace(TOPIC, "  - id: ALP-C2", "  - id: ALP-C1")
    (finding,) = only(repo, "duplicate-id")
    assert (finding.file, finding.line, finding.column) == (TOPIC, 24, 9)


def test_duplicate_reference_id(repo):
    repo.replace(TOPIC, "  - id: dir-2013-40", "  - id: iso-27001-2013")
    (finding,) = only(repo, "duplicate-id")
    assert (finding.line, finding.column) == (36, 9)


def test_duplicate_glossary_term(repo):
    repo.write(TOPIC, repo.read(TOPIC) + "  - term: CCB\n    expansion: again\n")
    (finding,) = only(repo, "duplicate-id")
    assert (finding.line, finding.column) == (45, 11)


def test_recommendation_id_prefix_must_match_topic_and_audience(repo):
    repo.replace(PUBLIC, "  - id: ALP-PUB-01", "  - id: ALP-BUS-07")
    assert repo.codes() == [(PUBLIC, 4, 9, "id-prefix")]
    assert "ALP-PUB-" in repo.findings()[0].message


def test_challenge_id_prefix_must_match_topic_code(repo):
    repo.replace(TOPIC, "  - id: ALP-C2", "  - id: GOV-C2")
    repo.replace(PUBLIC, "ALP-C2]", "GOV-C2]")
    repo.replace(BUSINESS, "    addresses: [ALP-C2]\n    tracker", "    addresses: [GOV-C2]\n    tracker")
    assert (TOPIC, 24, 9, "id-prefix") in repo.codes()


def test_declared_topic_must_match_folder(repo):
    repo.replace(PUBLIC, "topic: alpha", "topic: alpah")
    assert repo.codes() == [(PUBLIC, 1, 8, "path-mismatch")]


def test_declared_audience_must_match_file_name(repo):
    repo.replace(PUBLIC, "audience: public", "audience: business")
    assert (PUBLIC, 2, 11, "path-mismatch") in repo.codes()


def test_topic_id_must_match_file_name(repo):
    repo.replace(TOPIC, "id: alpha", "id: alfa")
    assert (TOPIC, 2, 5, "path-mismatch") in repo.codes()


def test_recommendation_folder_without_topic(repo):
    repo.write(
        "recommendations/alpah/public.yaml",
        repo.read(PUBLIC).replace("topic: alpha", "topic: alpah").replace("ALP-PUB-01", "ALP-PUB-02"),
    )
    findings = only(repo, "unknown-topic")
    assert [(f.file, f.line, f.column) for f in findings] == [("recommendations/alpah/public.yaml", 1, 8)]
    assert findings[0].hint == "did you mean 'alpha'?"


def test_unknown_challenge(repo):
    repo.replace(PUBLIC, "[ALP-C1, ALP-C2]", "[ALP-C1, ALP-C3]")
    assert repo.codes() == [(PUBLIC, 11, 25, "broken-reference")]
    assert "ALP-C1" in repo.findings()[0].hint


def test_unknown_reference(repo):
    repo.replace(PUBLIC, "[dir-2013-40]", "[dir-2013-041]")
    assert repo.codes() == [(PUBLIC, 12, 18, "broken-reference")]
    assert repo.findings()[0].hint == "did you mean 'dir-2013-40'?"


def test_reference_of_another_topic_does_not_resolve(repo):
    repo.replace(TOPIC, "  - id: dir-2013-40", "  - id: dir-2013-40-eu")
    assert (PUBLIC, 12, 18, "broken-reference") in repo.codes()


def test_unknown_related_recommendation(repo):
    repo.replace(ACADEMIC, "[ALP-BUS-01]", "[ALP-BUS-09]")
    assert repo.codes() == [(ACADEMIC, 13, 15, "broken-reference")]


def test_related_to_itself_is_a_warning(repo):
    repo.replace(ACADEMIC, "[ALP-BUS-01]", "[ALP-ACA-01]")
    (finding,) = repo.findings()
    assert (finding.line, finding.column, finding.code, finding.severity) == (
        13,
        15,
        "self-reference",
        Severity.WARNING,
    )


def test_unknown_successor(repo):
    repo.replace(BUSINESS, "    superseded_by: ALP-BUS-01", "    superseded_by: ALP-BUS-03")
    assert repo.codes() == [(BUSINESS, 28, 20, "broken-reference")]


def test_withdrawn_without_reason(repo):
    repo.replace(BUSINESS, "    withdrawal_reason: Replaced by ALP-BUS-01.\n", "")
    assert repo.codes() == [(BUSINESS, 26, 13, "withdrawn-without-reason")]


def test_successor_on_a_recommendation_that_is_not_withdrawn(repo):
    repo.replace(PUBLIC, "    status: proposed", "    status: proposed\n    superseded_by: ALP-BUS-01")
    (finding,) = repo.findings()
    assert (finding.line, finding.code, finding.severity) == (11, "superseded-not-withdrawn", Severity.WARNING)


def test_reference_url_scheme(repo):
    repo.replace(TOPIC, "url: https://www.iso.org/standard/54534.html", "url: javascript:alert(1)")
    assert repo.codes() == [(TOPIC, 34, 10, "url-scheme")]


def test_tracker_source_must_be_absolute(repo):
    repo.replace(BUSINESS, "source: https://eur-lex", "source: eur-lex")
    assert repo.codes() == [(BUSINESS, 18, 21, "url-scheme")]


def test_the_old_follow_up_list_asks_for_the_migration(repo):
    repo.replace(BUSINESS, "    tracker:", "    follow_up: []\n    tracker:")
    (finding,) = repo.findings()
    assert (finding.line, finding.column, finding.code) == (12, 5, "legacy-follow-up")
    assert "quaestio followup migrate" in finding.hint


def test_link_scheme_in_markdown_text(repo):
    repo.replace(PUBLIC, "text: Authorities should fund it.", "text: See [the plan](javascript:alert(1)).")
    assert repo.codes() == [(PUBLIC, 6, 26, "url-scheme")]


def test_mailto_and_https_links_are_fine(repo):
    repo.replace(
        PUBLIC,
        "text: Authorities should fund it.",
        "text: See [the plan](https://ccb.belgium.be) or <mailto:info@example.org>.",
    )
    assert repo.codes() == []


def test_challenge_no_adopted_recommendation_addresses(repo):
    # ALP-C1 is addressed by the adopted ALP-ACA-01 and the proposed ALP-PUB-01; make the first a draft.
    repo.replace(ACADEMIC, "    status: adopted", "    status: draft")
    (finding,) = repo.findings()
    assert (finding.file, finding.line, finding.column) == (TOPIC, 21, 9)
    assert (finding.code, finding.severity) == ("unaddressed-challenge", Severity.WARNING)


# Columns count from the start of the line `    text: "...` (the text itself starts at column 12).
HOSTILE_TEXTS = [
    ("Click <script>alert(1)</script> here.", 18, "a raw HTML tag"),
    ('An <img src="x" onerror="alert(1)"> image.', 15, "a raw HTML tag"),
    ("Some `x`{=typst} code.", 20, "{=typst}"),
    ('A [span]{typst:text:fill="red"} here.', 20, "a typst attribute"),
    ("Then \\input{/etc/passwd} is read.", 17, "a raw TeX command"),
    ("And {{ 7*7 }} is computed.", 16, "a template expression"),
]


@pytest.mark.parametrize("text, column, what", HOSTILE_TEXTS)
def test_markup_that_tries_to_escape_markdown_is_flagged_at_its_column(repo, text, column, what):
    quote = "'" if '"' in text or "\\" in text else '"'
    repo.replace(PUBLIC, "    text: Authorities should fund it.", f"    text: {quote}{text}{quote}")
    (finding,) = [f for f in repo.findings() if f.code == "unsafe-markup"]
    assert (finding.file, finding.line, finding.column, finding.severity) == (PUBLIC, 6, column, Severity.WARNING)
    assert what in finding.message


def test_markup_inside_a_block_is_flagged_at_its_own_line(repo):
    repo.replace(
        PUBLIC,
        "    text: Authorities should fund it.",
        "    text: |\n      Authorities should fund it.\n\n      Then <iframe src=x></iframe> follows.",
    )
    (finding,) = [f for f in repo.findings() if f.code == "unsafe-markup"]
    assert (finding.line, finding.column) == (9, 12)


def test_autolinks_and_plain_angle_brackets_are_not_flagged(repo):
    repo.replace(
        PUBLIC, "    text: Authorities should fund it.", "    text: See <https://ccb.belgium.be> when 3 < 4 and 5 > 2."
    )
    assert repo.codes() == []


@pytest.mark.parametrize(
    "target, problem",
    [
        ("/etc/passwd", "is absolute"),
        ("assets/../topics/alpha.yaml", "climbs out"),
        ("topics/alpha.yaml", "not inside the assets/ folder"),
        ("assets/missing.png", "does not exist"),
    ],
)
def test_paths_in_content_must_stay_inside_assets(repo, target, problem):
    repo.replace(PUBLIC, "    text: Authorities should fund it.", f"    text: See ![a chart]({target}).")
    (finding,) = repo.findings()
    assert (finding.line, finding.column, finding.code) == (6, 26, "asset-path")
    assert problem in finding.message


def test_a_symbolic_link_out_of_assets_is_refused(repo, tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("secret")
    (repo.root / "assets").mkdir()
    (repo.root / "assets" / "chart.png").symlink_to(secret)
    repo.replace(PUBLIC, "    text: Authorities should fund it.", "    text: See ![a chart](assets/chart.png).")
    (finding,) = repo.findings()
    assert finding.code == "asset-path" and "symbolic link" in finding.message


def test_a_file_inside_assets_is_fine(repo):
    (repo.root / "assets").mkdir()
    (repo.root / "assets" / "chart.png").write_bytes(b"\x89PNG")
    repo.replace(PUBLIC, "    text: Authorities should fund it.", "    text: See ![a chart](assets/chart.png).")
    assert repo.codes() == []
