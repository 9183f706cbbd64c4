"""The configuration under templates/ is read like content and checked against its schemas before any build."""

from __future__ import annotations

import json
import re
import shutil

import pytest

from quaestio.cli import main
from quaestio.publish.branding import ConfigurationError, load_branding, read_branding
from quaestio.publish.site.pages import load_wording
from support.paths import REPOSITORY

BRANDING = "templates/branding.yaml"
REPORTS = "templates/reports/reports.yaml"
SITE = "templates/site/site.yaml"


@pytest.fixture
def configured(repo):
    """The fixture repository with its own copy of quaestio's templates (configuration included)."""
    shutil.copytree(REPOSITORY / "templates", repo.root / "templates")
    return repo


def _at(text: str, needle: str, after: str = "") -> tuple[int, int]:
    """The 1-based line and column of needle in text (searched from where after ends)."""
    start = text.index(after) + len(after) if after else 0
    offset = text.index(needle, start)
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1


# (file, text replaced, replacement, the code, where the finding points: (needle, searched after) in the new text)
BROKEN = {
    "branding: a three-digit colour": (
        BRANDING,
        'primary: "#0b3d6b"',
        'primary: "#fff"',
        "invalid-format",
        ('"#fff"', ""),
    ),
    "branding: a misspelt key": (BRANDING, "\nsite_url:", "\nsite_ulr:", "unknown-field", ("site_ulr", "")),
    "branding: a missing key": (
        BRANDING,
        "  logo_alt: Cyber Security Coalition logo\n",
        "",
        "missing-field",
        ("name:", "coalition:"),
    ),
    "branding: a wrong type": (BRANDING, "founded: 2015", 'founded: "2015"', "wrong-type", ('"2015"', "")),
    "reports: an unknown placeholder": (
        REPORTS,
        'file: "topic-{topic_id}"',
        'file: "topic-{topic}"',
        "invalid-format",
        ('"topic-{topic}"', ""),
    ),
    "reports: a misspelt key": (REPORTS, "  subtitle: Status", "  subtitel: Status", "unknown-field", ("subtitel", "")),
    "reports: a missing key": (REPORTS, "  kind: Compendium\n", "", "missing-field", ("file:", "compendium:")),
    "reports: a wrong type": (
        REPORTS,
        "keywords: [cyber security,",
        "keywords: cyber security\nold: [",
        "wrong-type",
        ("cyber security", "keywords: "),
    ),
    "site: a value not allowed": (
        SITE,
        "status: partially compliant",
        "status: partly",
        "invalid-value",
        ("partly", ""),
    ),
    "site: a misspelt key": (SITE, "\nsite_name:", "\nsitename:", "unknown-field", ("sitename", "")),
    "site: a missing key": (SITE, "  home: Home\n", "", "missing-field", ("topics:", "nav:")),
    "site: a wrong type": (SITE, "  contact_url:\n", "  contact_url: [a, b]\n", "wrong-type", ("[a, b]", "")),
}


@pytest.mark.parametrize("case", BROKEN, ids=list(BROKEN))
def test_a_broken_configuration_is_a_finding_at_its_line_and_column(configured, capsys, case):
    file, old, new, code, (needle, after) = BROKEN[case]
    configured.replace(file, old, new)
    line, column = _at(configured.read(file), needle, after)
    assert main(["--root", str(configured.root), "validate", "--format", "json"]) == 1
    findings = json.loads(capsys.readouterr().out)
    assert {"file": file, "line": line, "column": column, "code": code} in [
        {key: f[key] for key in ("file", "line", "column", "code")} for f in findings
    ], findings
    found = next(f for f in findings if f["code"] == code)
    assert found["severity"] == "error" and found["message"] and found["hint"]


@pytest.mark.parametrize("case", BROKEN, ids=list(BROKEN))
def test_a_broken_configuration_stops_the_build_and_leaves_build_untouched(configured, capsys, case):
    file, old, new, code, (needle, after) = BROKEN[case]
    previous = configured.write("build/manifest.json", "the previous build\n")
    configured.replace(file, old, new)
    line, column = _at(configured.read(file), needle, after)
    assert main(["--root", str(configured.root), "build"]) == 1
    captured = capsys.readouterr()
    assert f"{file}:{line}:{column}: error[{code}]" in captured.out
    assert "build stopped" in captured.err and "Traceback" not in captured.err
    assert sorted(p.name for p in (configured.root / "build").iterdir()) == ["manifest.json"]
    assert previous.read_text() == "the previous build\n"


def test_misspelt_key_says_what_was_meant(configured):
    configured.replace(BRANDING, "\nsite_url:", "\nsite_ulr:")
    findings = {f.code: f for f in configured.findings()}
    assert findings["unknown-field"].hint == "did you mean 'site_url'?"
    assert "missing-field" not in findings  # one slip, one finding: the misspelling explains the missing key


def test_colour_hint_shows_the_form_to_type(configured):
    configured.replace(BRANDING, 'accent: "#c8102e"', "accent: red")
    (found,) = configured.findings()
    assert "'red'" in found.message and "#rrggbb" in found.hint and "#c8102e" in found.hint


def test_on_and_no_stay_text_in_configuration(configured):
    """quaestio reads configuration as YAML 1.2, like content: 'on' and 'no' are words, not booleans."""
    configured.replace(BRANDING, "  country: Belgium", "  country: no")
    configured.replace(REPORTS, "keywords: [cyber security,", "keywords: [on, no, off, yes, cyber security,")
    configured.replace(SITE, "  about: About\n", "  about: on\n")
    assert configured.findings() == ()
    branding = load_branding(configured.root)
    assert branding["coalition"]["country"] == "no"  # type: ignore[index]
    assert list(branding.report_settings["keywords"])[:4] == ["on", "no", "off", "yes"]  # type: ignore[call-overload]
    assert load_wording(branding)["nav"]["about"] == "on"  # type: ignore[index]


def test_a_logo_that_names_no_file_is_a_finding(configured):
    configured.replace(BRANDING, "logo: assets/logo.svg", "logo: assets/missing.svg")
    (found,) = configured.findings()
    assert (found.file, found.code) == (BRANDING, "asset-path")
    assert (found.line, found.column) == _at(configured.read(BRANDING), "assets/missing.svg")


def test_a_missing_configuration_file_is_a_finding(configured):
    (configured.root / REPORTS).unlink()
    (found,) = configured.findings()
    assert (found.file, found.line, found.column, found.code) == (REPORTS, 1, 1, "unreadable")


def test_yaml_anchors_are_refused_in_configuration_as_in_content(configured):
    configured.replace(SITE, "  home: Home", "  home: &name Home\n  other: *name")
    (found,) = configured.findings()
    assert (found.file, found.code) == (SITE, "yaml-anchor")


def test_load_branding_raises_with_the_findings_never_a_traceback_from_inside(configured):
    configured.replace(BRANDING, 'primary: "#0b3d6b"', 'primary: "#fff"')
    with pytest.raises(ConfigurationError) as raised:
        load_branding(configured.root)
    assert f"{BRANDING}:" in str(raised.value) and "invalid-format" in str(raised.value)


def test_shipped_configuration_is_valid_and_counted_only_when_it_is_the_repository_s(configured):
    shipped = read_branding(REPOSITORY)
    assert shipped.findings == () and shipped.branding is not None and shipped.files == 3
    assert read_branding(configured.root).files == 3
    configured_elsewhere = read_branding(configured.root / "topics")
    assert configured_elsewhere.files == 0 and configured_elsewhere.branding is not None


# -- the website's wording in every language ---------------------------------------------------------------

PLURAL_CATEGORIES = {"zero", "one", "two", "few", "many", "other"}


def _wordings(value: object, path: str = "") -> dict[str, str]:
    """Every text of a wording tree by its dotted key; a count's forms are one text per category."""
    if isinstance(value, dict):
        return {k: v for key, item in value.items() for k, v in _wordings(item, f"{path}{key}.").items()}
    if isinstance(value, list):
        return {f"{path}{i}": str(item) for i, item in enumerate(value)}
    return {path.rstrip("."): str(value)}


@pytest.mark.parametrize("language", ["fr", "nl", "de"])
def test_every_word_of_the_website_is_translated_with_the_same_placeholders(language):
    """A key site.<language>.yaml lacks shows English on that language's pages, unmarked: the interface's
    wording (menu, titles, page descriptions, open data files, words) is translated in full, and each text
    keeps the English one's {placeholders}."""
    import yaml

    folder = REPOSITORY / "templates" / "site"
    english = yaml.safe_load((folder / "site.yaml").read_text(encoding="utf-8"))
    translated = yaml.safe_load((folder / f"site.{language}.yaml").read_text(encoding="utf-8"))
    for group in ("nav", "titles", "descriptions", "data_files", "untranslated", "words"):
        source, target = _wordings(english[group], f"{group}."), _wordings(translated[group], f"{group}.")

        def forms(keys):  # a count may have other categories in another language ('few' in no language here)
            return {k.rsplit(".", 1)[0] if k.rsplit(".", 1)[-1] in PLURAL_CATEGORIES else k for k in keys}

        assert sorted(forms(source) - forms(target)) == [], f"site.{language}.yaml lacks these keys"
        assert sorted(forms(target) - forms(source)) == [], f"site.{language}.yaml has keys site.yaml does not"
        for key, text in target.items():
            base = key if key in source else f"{key.rsplit('.', 1)[0]}.other"
            assert set(re.findall(r"\{\w+\}", text)) == set(re.findall(r"\{\w+\}", source[base])), key
