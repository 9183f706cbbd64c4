"""The website's pages of the yearly cycle: dashboard figures checked against the open data, permanent
addresses of every edition, the menu, and the Atom feed."""

from __future__ import annotations

import json
import re
import shutil
from collections import Counter
from html.parser import HTMLParser
from pathlib import Path

import feedparser
import pytest

from quaestio.content.editions import editions, snapshot
from quaestio.pipeline import check
from quaestio.publish.branding import load_branding
from quaestio.publish.buildinfo import BuildInfo
from quaestio.publish.exports import write_data
from quaestio.publish.site import build_site
from quaestio.publish.site.pages import load_wording, navigation
from support.paths import FIXTURES, REPOSITORY

pytestmark = pytest.mark.slow

EDITIONS = FIXTURES / "editions"
TODAY = "2020-01-01"
INFO = BuildInfo("0123456789abcdef0123456789abcdef01234567", 1577836800, {"quaestio": "test"})  # 2020-01-01


@pytest.fixture(scope="module")
def corpus():
    result = check(EDITIONS)
    assert result.findings == () and result.corpus is not None
    return result.corpus


@pytest.fixture(scope="module")
def build(tmp_path_factory, corpus) -> Path:
    out = tmp_path_factory.mktemp("build")
    branding = load_branding(EDITIONS)
    write_data(corpus, INFO, branding, out / "data")
    build_site(EDITIONS, corpus, INFO, branding, out / "site", out)
    return out


def page(build: Path, path: str) -> str:
    return (build / "site" / path / "index.html").read_text(encoding="utf-8")


class Tables(HTMLParser):
    """Every table of a page with an id: its body rows as lists of cell texts."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: dict[str, list[list[str]]] = {}
        self._table: str | None = None
        self._row: list[str] | None = None
        self._cell: list[str] | None = None
        self._body = False

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "table" and attributes.get("id"):
            self._table = attributes["id"]
            self.tables[self._table] = []
        elif tag == "tbody":
            self._body = True
        elif tag == "tr" and self._table and self._body:
            self._row = []
        elif tag in ("td", "th") and self._row is not None:
            self._cell = []

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None and self._row is not None:
            self._row.append(" ".join("".join(self._cell).split()))
            self._cell = None
        elif tag == "tr" and self._row is not None and self._table:
            self.tables[self._table].append(self._row)
            self._row = None
        elif tag == "tbody":
            self._body = False
        elif tag == "table":
            self._table = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)


def tables(html: str) -> dict[str, list[list[str]]]:
    parser = Tables()
    parser.feed(html)
    return parser.tables


# -- the dashboard against an independent reading of the open data ------------------------------------

ORDER = ["implemented", "partially implemented", "in progress", "open", "not implemented", "no longer relevant"]


def status_from_open_data(record: dict) -> str:
    """The README's roll-up rules, written again from the JSON's raw histories (not quaestio's code)."""
    statuses = []
    for addressee in record["tracker"]:
        status = "open"
        for entry in addressee["history"]:
            if entry["date"] <= TODAY:
                status = entry.get("status", status)
        statuses.append(status)
    relevant = [s for s in statuses if s != "no longer relevant"]
    if not statuses:
        return "open"
    if not relevant:
        return "no longer relevant"
    if all(s == "implemented" for s in relevant):
        return "implemented"
    if any(s in ("implemented", "partially implemented") for s in relevant):
        return "partially implemented"
    if all(s == "not implemented" for s in relevant):
        return "not implemented"
    if "in progress" in relevant:
        return "in progress"
    return "open"


def test_dashboard_figures_equal_those_computed_from_the_open_data(build):
    data = json.loads((build / "data" / "recommendations.json").read_text(encoding="utf-8"))
    in_force = [r for r in data["recommendations"] if r["status"] == "adopted"]
    topics = {t["id"]: t["title"]["en"] for t in data["topics"]}
    labels = {"academic": "Academic world", "business": "Business sector", "public": "Public authorities"}
    expected = {
        "q-table-audience": Counter((labels[r["audience"]], status_from_open_data(r)) for r in in_force),
        "q-table-topic": Counter((topics[r["topic"]], status_from_open_data(r)) for r in in_force),
        "q-table-priority": Counter(
            (f"{r['priority'].capitalize()} priority", status_from_open_data(r)) for r in in_force
        ),
    }
    found = tables(page(build, "follow-up"))
    for table, counts in expected.items():
        for row in found[table]:
            group, cells = row[0], row[1:]
            assert [int(c) for c in cells[: len(ORDER)]] == [counts[(group, s)] for s in ORDER], (table, group)
            assert int(cells[len(ORDER)]) == sum(counts[(group, s)] for s in ORDER)
        assert sum(int(row[len(ORDER) + 1]) for row in found[table]) == len(in_force)
    listed = {row[0]: row[5] for row in found["q-tracker"]}
    assert set(listed) == {r["id"] for r in in_force}
    for r in in_force:
        assert listed[r["id"]].lower().startswith(status_from_open_data(r)), r["id"]


def test_dashboard_figures_equal_the_follow_up_csv(build):
    import csv

    rows = list(csv.DictReader((build / "data" / "follow-up.csv").read_text(encoding="utf-8-sig").splitlines()))
    overall = {r["id"]: r["overall_status"] for r in rows}
    overdue = sorted({r["id"] for r in rows if r["overdue"] == "yes"})
    listed = tables(page(build, "follow-up"))
    assert sorted({row[0].split()[0] for row in listed["q-overdue"]}) == overdue == ["ALP-PUB-01"]
    for row in listed["q-tracker"]:
        assert row[5].lower().startswith(overall[row[0]])


def test_the_series_counts_what_was_in_force_each_year(build):
    series = {row[0]: [int(c) for c in row[1:-1]] for row in tables(page(build, "follow-up"))["q-series-table"]}
    assert list(series) == [str(y) for y in range(2015, 2021)]
    # 2015: four in force (ALP-PUB-02 was withdrawn only in 2016); 2016 on: five.
    assert series["2015"][len(ORDER)] == 4 and series["2016"][len(ORDER)] == 5
    assert series["2019"][0] == 1  # ALP-PUB-03 implemented by the NIS law of 2019


# -- permanent addresses ------------------------------------------------------------------------


def test_every_edition_and_its_topics_resolve_at_permanent_addresses(build, corpus):
    site = build / "site"
    for year in editions(corpus):
        assert (site / "editions" / str(year) / "index.html").is_file()
        past = snapshot(corpus, year)
        for topic in past.topics:
            html = page(build, f"editions/{year}/topics/{topic.id}")
            for r in past.recommendations_for(topic.id):
                assert f'id="{r.id.lower()}"' in html, (year, r.id)
                assert f'<h4 class="q-card__title"><span class="q-id">{r.id}</span> {r.title.en}</h4>' in html
    for r in corpus.recommendations:
        assert (site / "recommendations" / r.id / "index.html").is_file()


def test_the_permanent_page_shows_the_current_wording_and_links_to_earlier_ones(build):
    html = page(build, "recommendations/ALP-PUB-01")
    assert "Fund the national CSIRT for round-the-clock service" in html
    links = re.findall(r'href="([^"]*editions/[^"]*)"', html)
    assert "../../editions/2015/topics/alpha/#alp-pub-01" in links
    assert "../../editions/2016/topics/alpha/#alp-pub-01" in links
    earlier = page(build, "editions/2015/topics/alpha")
    assert "Fund the first challenge" in earlier and "Fund the national CSIRT" not in earlier
    assert "still a proposal" in earlier and "ALP-C3" not in earlier


def test_the_menu_lists_only_the_current_editions_topics(corpus):
    branding = load_branding(EDITIONS)
    menu = navigation(corpus, branding, load_wording(branding))
    topics = next(item for item in menu if "Topics" in item)["Topics"]
    assert topics == [{"Alpha topic": "topics/alpha.md"}, {"Earlier editions": "editions/index.md"}]


def test_changelog_and_archive_pages(build):
    changes = page(build, "changelog")
    assert changes.index("Edition 2016") < changes.index("Edition 2015")
    assert '<del class="q-diff">' in changes and '<ins class="q-diff">' in changes
    archive = page(build, "editions")
    assert "editions/2015/topics/beta/" in archive.replace("../", "") or "2015/topics/beta/" in archive


# -- the feed ------------------------------------------------------------------------------------


def test_the_feed_is_valid_atom_newest_first_with_stable_ids(build, corpus, tmp_path):
    feed = feedparser.parse((build / "site" / "feed.xml").read_bytes())
    assert feed.bozo == 0, feed.get("bozo_exception")
    assert feed.version == "atom10"
    dates = [e.updated for e in feed.entries]
    assert dates == sorted(dates, reverse=True)
    ids = [e.id for e in feed.entries]
    assert len(ids) == len(set(ids)) and all(
        i.startswith("tag:recommendations.cybersecuritycoalition.be,2015:") for i in ids
    )
    kinds = Counter(e.tags[0].term for e in feed.entries)
    assert kinds == {"follow-up": 7, "added": 6, "revised": 1, "superseded": 1}
    revised = next(e for e in feed.entries if e.tags[0].term == "revised")
    assert (revised.updated[:10], revised.link) == (
        "2016-10-20",
        "https://recommendations.cybersecuritycoalition.be/recommendations/ALP-PUB-01/",
    )
    assert feed.feed.updated.startswith("2019-04-07")  # dated from the content, not the clock
    other = tmp_path / "other"
    later = BuildInfo(INFO.revision, INFO.source_date_epoch + 86400 * 400, INFO.tool_versions)
    build_site(EDITIONS, corpus, later, load_branding(EDITIONS), other, build)
    assert (other / "feed.xml").read_bytes() == (build / "site" / "feed.xml").read_bytes()


# -- the pages of the yearly cycle in another language ---------------------------------------------------


@pytest.fixture(scope="module")
def french_build(tmp_path_factory) -> Path:
    """The editions fixture with a French translation of one topic's title: a French site beside the English."""
    from quaestio.content.units import source_hash

    root = tmp_path_factory.mktemp("editions-fr")
    shutil.copytree(EDITIONS, root, dirs_exist_ok=True)
    translation = root / "translations" / "fr" / "topics" / "alpha.yaml"
    translation.parent.mkdir(parents=True)
    translation.write_text(
        f'language: fr\nunits:\n  title:\n    source_hash: "{source_hash("Alpha topic")}"\n    text: Thème alpha\n',
        encoding="utf-8",
    )
    result = check(root)
    assert result.findings == () and result.corpus is not None and "fr" in result.corpus.languages
    out = tmp_path_factory.mktemp("build-fr")
    branding = load_branding(root)
    write_data(result.corpus, INFO, branding, out / "data")
    build_site(root, result.corpus, INFO, branding, out / "site", out)
    return out


def _texts(html: str) -> str:
    """A page's text, tags removed and whitespace collapsed."""
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


@pytest.mark.parametrize("path", ["follow-up", "changelog", "editions", "editions/2016", "editions/2016/topics/alpha"])
def test_the_yearly_cycle_pages_speak_the_language_of_the_site(french_build, path):
    """The dashboard, the changelog and the archive are worded in French on the French site: no sentence of
    their English wording is left, a topic's French title is shown, and they carry no notice of English parts
    (the content's English fallbacks are marked where they stand, see the languages' tests)."""
    import yaml

    folder = REPOSITORY / "templates" / "site"
    english = yaml.safe_load((folder / "site.yaml").read_text(encoding="utf-8"))["words"]["cycle"]
    french = yaml.safe_load((folder / "site.fr.yaml").read_text(encoding="utf-8"))["words"]["cycle"]
    html = (french_build / "site" / "fr" / path / "index.html").read_text(encoding="utf-8")
    assert '<html lang="fr"' in html
    text = _texts(html)
    sentences = [
        piece.strip()
        for group in ("dashboard", "changelog", "archive")
        for value in _strings(english[group])
        for piece in re.split(r"\{\w+\}", value)
        if len(piece.strip()) > 12
    ]
    assert sentences and [s for s in sentences if s in text] == []
    shown_in_french = [piece for value in _strings(french) for piece in re.split(r"\{\w+\}", value) if len(piece) > 12]
    assert any(piece.strip() in text for piece in shown_in_french)
    assert "Thème alpha" in text and "Alpha topic" not in text


def _strings(value: object) -> list[str]:
    if isinstance(value, dict):
        return [s for item in value.values() for s in _strings(item)]
    return [str(value)]
