"""The website's side of the crosswalks and references: mapped controls, catalog pages, CSL-formatted references."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from quaestio.pipeline import check
from quaestio.publish.branding import load_branding
from quaestio.publish.buildinfo import BuildInfo
from quaestio.publish.site import build_site
from quaestio.publish.site.pages import load_wording, navigation
from quaestio.workflow.catalog import import_catalog
from support.paths import FIXTURES

INFO = BuildInfo("0123456789abcdef0123456789abcdef01234567", 1449532800, {"quaestio": "test"})


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("repo")
    import shutil

    shutil.copytree(FIXTURES / "minimal", root, dirs_exist_ok=True)
    import_catalog(root, FIXTURES / "catalogs" / "small.xml", "small")
    path = root / "recommendations" / "alpha" / "business.yaml"
    text = path.read_text(encoding="utf-8").replace(
        "    addresses: [ALP-C2]\n    tracker:",
        "    addresses: [ALP-C2]\n    maps_to:\n      - {catalog: small, control: AB-1(1), relation: subset}\n"
        "      - {catalog: small, control: CD-1R, relation: related}\n    tracker:",
        1,
    )
    path.write_text(text, encoding="utf-8")
    result = check(root)
    assert result.corpus is not None, result.findings
    out = tmp_path_factory.mktemp("site") / "site"
    build_site(root, result.corpus, INFO, load_branding(root), out, tmp_path_factory.mktemp("downloads"))
    return out


@pytest.mark.slow
def test_a_recommendation_page_lists_its_mapped_controls_with_titles(site):
    page = (site / "recommendations" / "ALP-BUS-01" / "index.html").read_text(encoding="utf-8")
    section = page[page.index('id="controls"') :]
    assert 'AB-1(1)</span> <a href="../../catalogs/small/#ctl-ab-1.1">Automated Support</a>' in section
    assert "(part of the control; Small Test Catalog)" in section
    assert "CD-1R</span>" in section and "(related to the control;" in section


@pytest.mark.slow
def test_a_catalog_page_shows_which_controls_are_addressed_and_which_not(site):
    page = (site / "catalogs" / "small" / "index.html").read_text(encoding="utf-8")
    assert "2 of its 6 controls and enhancements in force are addressed by 1 of the coalition" in page
    rows = dict(re.findall(r'<tr id="(ctl-[^"]+)" class="([^"]+)">', page))
    assert rows["ctl-ab-1.1"] == "q-addressed q-enhancement" and rows["ctl-ab-2"] == "q-open"
    assert rows["ctl-ab-1.2"] == "q-withdrawn-row q-enhancement" and len(rows) == 8 and rows["ctl-cd_20_1"] == "q-open"
    addressed = page[page.index('id="ctl-ab-1.1"') :].split("</tr>")[0]
    assert 'href="../../recommendations/ALP-BUS-01/">ALP-BUS-01</a>' in addressed and "(part of)" in addressed
    assert "(withdrawn; moved to CD-1R)" in page and "(withdrawn; incorporated into AB-1)" in page
    assert "<h2" in page and "Alpha Beta (AB)" in page and "Charlie Delta (CD)" in page
    assert "<script>" not in page.split("</article>")[0].split('class="md-content"')[-1]


@pytest.mark.slow
def test_references_on_the_site_are_formatted_by_citeproc(site):
    page = (site / "topics" / "alpha" / "index.html").read_text(encoding="utf-8")
    references = page[page.index('class="q-references"') :].split("</ol>")[0]
    # APA 7th, as the reports format them: author. (year). title in italics. address.
    assert re.search(r"\(20\d\d\)\. <em>[^<]+</em>\. <a href=\"https://", references)


def test_the_menu_lists_catalogs_only_when_there_are_some(repo):
    branding = load_branding(repo.root)
    wording = load_wording(branding)
    plain = navigation(check(repo.root).corpus, branding, wording)
    assert not any("Control catalogs" in entry for entry in plain)
    import_catalog(repo.root, FIXTURES / "catalogs" / "small.json", "small")
    menu = navigation(check(repo.root).corpus, branding, wording)
    assert {"Control catalogs": [{"Small Test Catalog": "catalogs/small.md"}]} in menu
