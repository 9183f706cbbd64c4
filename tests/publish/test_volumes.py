"""A compendium past reports.yaml's volume_recommendations comes in volumes of whole topics, named alike by
the reports and the downloads page; the volumes' PDFs read back with pypdf."""

from __future__ import annotations

import dataclasses
import shutil
from functools import cache
from pathlib import Path

import pytest
from pypdf import PdfReader

from quaestio.content.model import Corpus
from quaestio.pipeline import check
from quaestio.publish.branding import load_branding
from quaestio.publish.buildinfo import BuildInfo
from quaestio.publish.reports import plan_reports, write_reports
from quaestio.publish.site.downloads import collect_downloads, report_names
from quaestio.publish.volumes import volumes_of
from support.paths import FIXTURES, REPOSITORY

EDITIONS = FIXTURES / "editions"
INFO = BuildInfo("0123456789abcdef0123456789abcdef01234567", 1577836800, {"quaestio": "test"})
SETTING = "  volume_recommendations: 500\n"


@cache
def _editions() -> Corpus:
    corpus = check(EDITIONS).corpus
    assert corpus is not None
    return corpus


def _sized(sizes: list[int]) -> Corpus:
    """Topics t00, t01... holding sizes[i] recommendations each (copies of a fixture's)."""
    base = _editions()
    topics = tuple(dataclasses.replace(base.topics[0], id=f"t{i:02}") for i in range(len(sizes)))
    recommendations = tuple(
        dataclasses.replace(base.recommendations[0], topic=f"t{i:02}", id=f"T{i:02}-ACA-{n + 1:02}")
        for i, size in enumerate(sizes)
        for n in range(size)
    )
    return Corpus(topics, recommendations)


def _ids(parts) -> list[list[str]]:
    return [[t.id for t in part] for part in parts]


def test_a_compendium_within_the_limit_or_without_one_is_one_volume():
    corpus = _sized([4, 4, 4, 4, 4])
    assert _ids(volumes_of(corpus, 20)) == [["t00", "t01", "t02", "t03", "t04"]]
    assert _ids(volumes_of(corpus, None)) == [["t00", "t01", "t02", "t03", "t04"]]


def test_a_larger_compendium_takes_the_fewest_volumes_filled_about_equally_in_topic_order():
    # 40 recommendations, at most 12 a volume: 4 volumes of about 10; a topic goes where its middle falls.
    parts = volumes_of(_sized([4] * 10), 12)
    assert _ids(parts) == [["t00", "t01"], ["t02", "t03", "t04"], ["t05", "t06"], ["t07", "t08", "t09"]]


def test_a_topic_is_never_cut_even_when_it_alone_passes_the_limit():
    parts = volumes_of(_sized([2, 30, 2]), 10)
    assert _ids(parts) == [["t00"], ["t01"], ["t02"]]


@pytest.fixture(scope="module")
def volumed(tmp_path_factory) -> Path:
    """The editions fixture with the repository's templates, volumes past 3 recommendations: its 2016
    compendium comes in two, beta's 1 recommendation (its session was in 2015) then alpha's 5."""
    root = tmp_path_factory.mktemp("volumes") / "repo"
    shutil.copytree(EDITIONS, root)
    shutil.copytree(REPOSITORY / "templates", root / "templates")
    settings = root / "templates" / "reports" / "reports.yaml"
    text = settings.read_text(encoding="utf-8")
    assert SETTING in text
    settings.write_text(text.replace(SETTING, "  volume_recommendations: 3\n"), encoding="utf-8")
    beta = root / "recommendations" / "beta" / "academic.yaml"
    beta.write_text(
        beta.read_text(encoding="utf-8").replace(
            "    addresses: [BET-C1]\n", "    addresses: [BET-C1]\n    related: [ALP-BUS-01]\n"
        ),
        encoding="utf-8",
    )
    return root


def test_the_reports_and_the_downloads_page_name_the_same_volumes(volumed):
    corpus = check(volumed).corpus
    assert corpus is not None
    branding = load_branding(volumed)
    planned = {spec.name: spec for spec in plan_reports(corpus, branding) if spec.template == "compendium.md.j2"}
    assert {"2016/compendium-1", "2016/compendium-2"} <= set(planned)
    assert "2016/compendium" not in planned
    first, second = planned["2016/compendium-1"], planned["2016/compendium-2"]
    assert [t.id for t in first.topics] == ["beta"] and [t.id for t in second.topics] == ["alpha"]
    assert first.title == "Cyber-security recommendations 2016, volume 1 of 2"
    assert (first.alias, second.alias) == ("compendium-1", "compendium-2")
    names = report_names(corpus, branding)
    assert names["compendium-2"].description == "Compendium: Cyber-security recommendations 2016, volume 2 of 2"
    assert "compendium" not in names
    assert names["compendium-1"].order < names["compendium-2"].order


@pytest.mark.slow
def test_each_volume_holds_its_own_topics_and_names_every_volume(volumed, tmp_path):
    corpus = check(volumed).corpus
    assert corpus is not None
    branding = load_branding(volumed)
    write_reports(corpus, INFO, branding, tmp_path / "reports", tmp_path / "cache")
    reports = tmp_path / "reports"
    alpha = [r.title.en for r in corpus.recommendations if r.topic == "alpha"]
    beta = [r.title.en for r in corpus.recommendations if r.topic == "beta"]
    texts = {}
    for number in (1, 2):
        path = reports / f"compendium-{number}.pdf"
        assert path.read_bytes() == (reports / "2016" / path.name).read_bytes()
        reader = PdfReader(path)
        assert reader.metadata is not None
        assert reader.metadata.title == f"Cyber-security recommendations 2016, volume {number} of 2"
        texts[number] = " ".join(" ".join(page.extract_text() or "" for page in reader.pages).split())
        assert (reports / f"compendium-{number}.docx").is_file()
        assert f"This is volume {number}" in texts[number]
        assert "volume 1: “Beta topic”" in texts[number] and "volume 2: “Alpha topic”" in texts[number]
    assert all(i in texts[1] for i in beta) and not any(i in texts[1] for i in alpha)
    assert all(i in texts[2] for i in alpha) and not any(i in texts[2] for i in beta)
    # What 2016 changed was in alpha: volume 2 tells it, volume 1 does not.
    assert "Fund the national CSIRT" in texts[2] and "Fund the national CSIRT" not in texts[1]
    assert "revisited none of this volume" in texts[1] and "revisited none of this volume" not in texts[2]
    # A relation across volumes is listed in both, and leads to the other's page on the website.
    assert "Related: ALP-BUS-01" in texts[1] and "Related: BET-ACA-01" in texts[2]
    links = [
        str(annotation.get("/A", {}).get("/URI", ""))
        for page in PdfReader(reports / "compendium-1.pdf").pages
        for annotation in (a.get_object() for a in page.get("/Annots", []))
    ]
    assert any(link.endswith("/recommendations/ALP-BUS-01/") for link in links)
    assert not (reports / "compendium.pdf").exists()
    listed = [d.name for _, d in collect_downloads(tmp_path, corpus, branding, {})]
    assert listed.index("compendium-1.pdf") < listed.index("compendium-2.pdf")
