"""Translation files: their place, their schema, unknown and stale units (with the English word diff from git)."""

from __future__ import annotations

import subprocess

import pytest

from quaestio.cli import main

ACADEMIC = "recommendations/alpha/academic.yaml"
FR_ACADEMIC = f"translations/fr/{ACADEMIC}"
FR_TOPIC = "translations/fr/topics/alpha.yaml"


def _git(root, *args: str) -> None:
    subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.org", *args], cwd=root, check=True, capture_output=True
    )


def test_the_french_fixture_is_valid(translated):
    assert translated.findings() == ()


@pytest.mark.parametrize(
    ("path", "code", "hint"),
    [
        ("translations/es/topics/alpha.yaml", "unknown-language", "translations/fr/"),
        ("translations/fre/topics/alpha.yaml", "unknown-language", "did you mean 'fr'?"),
        ("translations/en/topics/alpha.yaml", "misplaced-file", "move the English into topics/alpha.yaml"),
        ("translations/alpha.yaml", "misplaced-file", "translations/fr/"),
        ("translations/fr/topics/alpha.yml", "misplaced-file", "translations/fr/topics/alpha.yaml"),
        ("translations/fr/topics/extra/alpha.yaml", "misplaced-file", "translations/fr/topics/<topic>.yaml"),
        ("translations/fr/recommendations/alpha/students.yaml", "misplaced-file", "<audience>.yaml"),
        ("translations/fr/topics/beta.yaml", "orphan-translation", "delete the translation"),
    ],
)
def test_a_misplaced_or_unknown_language_file_is_a_finding(repo, path, code, hint):
    repo.write(path, "language: fr\nunits: {}\n")
    ((file, line, column, found),) = repo.codes()
    assert (file, line, column, found) == (path, 1, 1, code)
    assert hint in repo.findings()[0].hint


def test_schema_violations_are_found_at_their_place(repo):
    repo.write(
        FR_ACADEMIC,
        "language: fr\n"
        "units:\n"
        "  recommendations/ALP-ACA-01/title:\n"
        "    source_hash: e7b4805\n"
        "    txt: Enseigner le premier défi\n",
    )
    # One slip, one finding: the misspelt 'txt' explains the missing 'text', which is not reported apart.
    assert repo.codes() == [
        (FR_ACADEMIC, 4, 18, "invalid-format"),
        (FR_ACADEMIC, 5, 5, "unknown-field"),
    ]
    assert "did you mean 'text'?" in repo.findings()[1].hint


def test_an_all_digit_hash_must_be_quoted(repo):
    repo.write(
        FR_ACADEMIC,
        "language: fr\nunits:\n  recommendations/ALP-ACA-01/title:\n    source_hash: 12345678\n    text: T\n",
    )
    assert repo.codes() == [(FR_ACADEMIC, 4, 18, "wrong-type")]
    assert "quotes" in repo.findings()[0].hint


def test_unknown_unit_suggests_the_nearest_key(translated):
    translated.replace(FR_ACADEMIC, "  recommendations/ALP-ACA-01/rationale:", "  recommendations/ALP-ACA-01/rational:")
    assert translated.codes() == [(FR_ACADEMIC, 10, 3, "unknown-unit")]
    assert translated.findings()[0].hint == "did you mean 'recommendations/ALP-ACA-01/rationale'?"


def test_language_must_match_the_folder(translated):
    translated.replace(FR_ACADEMIC, "language: fr", "language: nl")
    assert translated.codes() == [(FR_ACADEMIC, 2, 11, "language-mismatch")]
    assert "translations/nl/recommendations/alpha/academic.yaml" in translated.findings()[0].hint


def test_stale_translation_points_at_the_text_and_shows_the_english_word_diff(translated, capsys):
    _git(translated.root, "init", "-q")
    _git(translated.root, "add", "-A")
    _git(translated.root, "commit", "-qm", "French")
    translated.replace(
        ACADEMIC, "    text: Universities should teach it.", "    text: Universities should teach it twice."
    )
    _git(translated.root, "commit", "-qam", "English changed")
    ((file, line, column, code),) = translated.codes()
    assert (file, line, column, code) == (FR_ACADEMIC, 9, 11, "stale-translation")
    finding = translated.findings()[0]
    assert finding.severity == "warning"
    assert "Universities should teach it {+twice+}." in finding.hint
    assert "source_hash: 5477ee87" in finding.hint
    # a warning: validate passes, --strict fails, and the finding names file:line:column
    assert main(["--root", str(translated.root), "validate"]) == 0
    assert main(["--root", str(translated.root), "validate", "--strict"]) == 1
    assert f"{FR_ACADEMIC}:9:11: error[stale-translation]" in capsys.readouterr().out


def test_the_old_english_is_found_across_reformatting_and_several_commits(translated):
    _git(translated.root, "init", "-q")
    _git(translated.root, "add", "-A")
    _git(translated.root, "commit", "-qm", "French")
    translated.replace(
        ACADEMIC, "    text: Universities should teach it.", "    text: >-\n      Universities\n      should teach it."
    )
    _git(translated.root, "commit", "-qam", "reflowed: the hash is the same")
    assert translated.findings() == ()
    translated.replace(ACADEMIC, "      should teach it.", "      must teach it.")
    _git(translated.root, "commit", "-qam", "changed")
    translated.replace(ACADEMIC, "      must teach it.", "      must teach it well.")  # not committed
    assert "Universities [-should-] {+must+} teach it {+well+}." in translated.findings()[0].hint


def test_without_history_the_hint_says_the_english_changed(translated):
    translated.replace(ACADEMIC, "    text: Universities should teach it.", "    text: Universities must teach it.")
    (finding,) = translated.findings()
    assert finding.code == "stale-translation"
    assert finding.hint.startswith("the English changed since this was translated; compare with the English")


def test_updating_the_hash_makes_the_translation_current(translated):
    translated.replace(ACADEMIC, "    text: Universities should teach it.", "    text: Universities must teach it.")
    assert [f.code for f in translated.findings()] == ["stale-translation"]
    new_hash = translated.findings()[0].hint.split("source_hash: ")[1][:8]
    translated.replace(FR_ACADEMIC, "    source_hash: 83ebf23d", f"    source_hash: {new_hash}")
    assert translated.findings() == ()


def test_a_placeholder_translation_warns_and_is_not_published(translated):
    from quaestio.pipeline import check

    translated.replace(FR_ACADEMIC, "    text: Les universités devraient l'enseigner.", "    text: TODO")
    assert translated.codes() == [(FR_ACADEMIC, 9, 11, "placeholder-text")]
    text = check(translated.root).corpus.recommendation_by_id["ALP-ACA-01"].text
    assert text.get("fr") == "Universities should teach it."


def test_links_and_markup_in_translations_are_checked_like_the_english(translated):
    translated.replace(
        FR_ACADEMIC,
        "    text: Les universités devraient l'enseigner.",
        "    text: Voir [ceci](javascript:alert(1)) et <script>x</script>.",
    )
    codes = {code for _, _, _, code in translated.codes()}
    assert codes == {"url-scheme", "unsafe-markup"}


def test_an_english_file_with_errors_stops_only_its_own_translation_checks(translated):
    translated.replace(ACADEMIC, "    priority: medium", "    priority: urgent")
    assert [code for _, _, _, code in translated.codes()] == ["invalid-value"]


@pytest.mark.parametrize(
    ("wrapped", "line", "marker"),
    [
        ("Les universités devraient l'enseigner depuis le\n      1. juillet 2011, chaque année.", 2, "1."),
        ("Les universités devraient l'enseigner, à tous\n      - étudiants et chercheurs.", 2, "-"),
    ],
)
def test_a_translated_line_that_would_start_a_list_is_a_warning_at_the_text(translated, wrapped, line, marker):
    """German and French dates ('1. Juli 2011'), or a dash, at the start of a wrapped line make Markdown show a
    list where the English has none."""
    translated.replace(
        FR_ACADEMIC, "    text: Les universités devraient l'enseigner.", f"    text: |-\n      {wrapped}"
    )
    (finding,) = translated.findings()
    assert (finding.file, finding.line, finding.column, finding.code) == (
        FR_ACADEMIC,
        9,
        11,
        "translation-list",
    )
    assert f"line {line} of this text begins with '{marker}'" in finding.message
    assert "join that line to the one before it" in finding.hint


def test_a_list_the_english_has_too_or_a_number_that_cannot_start_one_is_not_a_warning(translated):
    translated.replace(
        ACADEMIC, "    text: Universities should teach it.", "    text: |-\n      Universities:\n      - teach it."
    )
    new_hash = translated.findings()[0].hint.split("source_hash: ")[1][:8]
    translated.replace(FR_ACADEMIC, "    source_hash: 83ebf23d", f"    source_hash: {new_hash}")
    translated.replace(
        FR_ACADEMIC,
        "    text: Les universités devraient l'enseigner.",
        "    text: |-\n      Les universités, depuis le\n      15. mai 2009 :\n"
        "      - l'enseigner\n        et le publier\n      - le suivre.",
    )
    assert translated.findings() == ()
