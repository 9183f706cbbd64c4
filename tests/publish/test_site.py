"""The website: page generation, escaping of hostile content, key figures, downloads and reproducible builds."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from quaestio.content.model import Corpus, Text
from quaestio.pipeline import check
from quaestio.publish.branding import load_branding
from quaestio.publish.buildinfo import BuildInfo
from quaestio.publish.site import build_site, content, render_site, render_site_with_zensical
from quaestio.publish.site.downloads import human_size, report_names
from quaestio.publish.site.figures import chart_layout, key_figures
from quaestio.publish.site.pages import load_wording, navigation, page_file, relative_url, write_docs
from support.hostile import hostile_corpus
from support.paths import MINIMAL

FIXTURE = MINIMAL
INFO = BuildInfo("0123456789abcdef0123456789abcdef01234567", 1449532800, {"quaestio": "test"})
IDS = ["ALP-ACA-01", "ALP-BUS-01", "ALP-BUS-02", "ALP-PUB-01"]


@pytest.fixture(scope="module")
def corpus() -> Corpus:
    result = check(FIXTURE)
    assert result.corpus is not None
    return result.corpus


@pytest.fixture(scope="module")
def branding():
    return load_branding(FIXTURE)


@pytest.fixture(scope="module")
def downloads(tmp_path_factory) -> Path:
    """A build directory with two reports of the topic, a compendium, the data files and things never published."""
    root = tmp_path_factory.mktemp("downloads")
    (root / "reports").mkdir()
    (root / "data").mkdir()
    (root / "reports" / "topic-alpha.pdf").write_bytes(b"%PDF-1.7 alpha" * 100)
    (root / "reports" / "topic-alpha.docx").write_bytes(b"PK docx")
    (root / "reports" / "audience-business.pdf").write_bytes(b"%PDF-1.7 business")
    (root / "reports" / "compendium.pdf").write_bytes(b"%PDF-1.7 compendium")
    (root / "reports" / "notes.txt").write_text("not a report")
    (root / "reports" / "leak.pdf").symlink_to("/etc/passwd")
    (root / "data" / "recommendations.json").write_text('{"format_version": "1.0"}\n')
    (root / "data" / "recommendations.csv").write_text("id\r\nALP-ACA-01\r\n")
    return root


@pytest.fixture(scope="module")
def site(tmp_path_factory, corpus, branding, downloads) -> Path:
    out = tmp_path_factory.mktemp("clean") / "site"
    build_site(FIXTURE, corpus, INFO, branding, out, downloads)
    return out


@pytest.fixture(scope="module")
def hostile_site(tmp_path_factory, corpus, branding) -> Path:
    out = tmp_path_factory.mktemp("hostile") / "site"
    build_site(FIXTURE, hostile_corpus(corpus), INFO, branding, out, tmp_path_factory.mktemp("empty"))
    return out


class Elements(HTMLParser):
    """Every element with its attributes, the text of each script, and all text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict[str, str | None]]] = []
        self.scripts: list[tuple[dict[str, str | None], str]] = []
        self.text: list[str] = []
        self._in_script: dict[str, str | None] | None = None
        self.title = ""
        self._in_title = False

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, dict(attrs)))
        if tag == "script":
            self._in_script = dict(attrs)
            self.scripts.append((self._in_script, ""))
        self._in_title = tag == "title" and not self.title  # the document's title, not an SVG's

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_script = None
        self._in_title = False

    def handle_data(self, data):
        if self._in_script is not None:
            attrs, text = self.scripts[-1]
            self.scripts[-1] = (attrs, text + data)
        else:
            self.text.append(data)
        if self._in_title:
            self.title += data


def parse(path: Path) -> Elements:
    parser = Elements()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser


def html_pages(site: Path) -> list[Path]:
    return sorted(site.rglob("*.html"))


# --- contributors' Markdown --------------------------------------------------------------------------


def test_raw_html_is_escaped_and_never_becomes_an_element():
    html = content.render("Hi <script>alert(1)</script> <img src=x onerror=alert(2)> <b>bold</b>")
    assert "<script" not in html and "<img" not in html and "<b>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&lt;img src=x onerror=alert(2)&gt;" in html


@pytest.mark.parametrize(
    "link",
    [
        "[x](javascript:alert(1))",
        "[x](JaVaScRiPt:alert(1))",
        "[x](data:text/html;base64,PHNjcmlwdD4=)",
        "<javascript:alert(1)>",
        "[x](vbscript:msgbox(1))",
        "[x](file:///etc/passwd)",
        "[x](../relative/path)",
        "[x][ref]\n\n[ref]: javascript:alert(1)",
        "[x]( javascript:alert(1) )",
    ],
)
def test_only_http_https_and_mailto_links_survive(link):
    html = content.render(link)
    assert "<a " not in html, html


@pytest.mark.parametrize(
    "link, href",
    [
        ("[site](https://example.org/a?b=1&c=2)", 'href="https://example.org/a?b=1&amp;c=2"'),
        ("<http://example.org>", 'href="http://example.org"'),
        ("[mail](mailto:info@example.org)", 'href="mailto:info@example.org"'),
    ],
)
def test_web_links_are_kept(link, href):
    assert href in content.render(link)


def test_images_are_never_loaded_but_linked():
    html = content.render("![a chart](https://tracker.example/pixel.png) ![local](x.png)")
    assert "<img" not in html
    assert '<a href="https://tracker.example/pixel.png">a chart</a>' in html
    assert "local" in html


def test_content_is_never_a_template():
    html = content.render("{{ 7*7 }} {% if true %}yes{% endif %} ${x} <%= 1 %>")
    assert "{{ 7*7 }}" in html and "49" not in html
    assert "{% if true %}yes{% endif %}" in html


def test_headings_are_shifted_under_the_page_structure():
    html = content.render("# One\n\n## Two\n\n###### Six", heading_level=3)
    assert "<h3>One</h3>" in html and "<h4>Two</h4>" in html and "<h6>Six</h6>" in html
    assert "<h1>" not in html and "<h2>" not in html


def test_control_characters_are_removed():
    assert content.render("a\x02wzxhzdk:0\x03b\x00c") == "<p>awzxhzdk:0bc</p>"


def test_abbreviations_get_a_tooltip_outside_links_and_code():
    glossary = content.Glossary({"CCB": 'Centre "for" <Cyber> Security', "ISO/IEC": "ISO and IEC", "ISO": "ISO"})
    html = content.render("The CCB and ISO/IEC 27001, ISO 31000; CCBX no; `CCB`; [CCB](https://ccb.be).", glossary)
    assert '<abbr title="Centre &#34;for&#34; &lt;Cyber&gt; Security">CCB</abbr> and' in html
    assert '<abbr title="ISO and IEC">ISO/IEC</abbr> 27001' in html
    assert '<abbr title="ISO">ISO</abbr> 31000' in html
    assert "CCBX" in html and "<code>CCB</code>" in html and '<a href="https://ccb.be">CCB</a>' in html


def test_one_line_texts_are_inert_in_markdown():
    text = content.inline("A *b* [c](javascript:x) {: onclick=y } <i> | {{ 7*7 }} # - 1.")
    assert not re.search(r"[*\[\](){}<>|#`]", re.sub(r"&#\d+;", "", text))
    assert "&#123;&#123; 7&#42;7 &#125;&#125;" in text


def test_safe_url_accepts_only_web_addresses():
    assert content.safe_url("https://a.b/c") == "https://a.b/c"
    assert content.safe_url("MAILTO:a@b.c") == "MAILTO:a@b.c"
    for bad in ("javascript:alert(1)", " data:text/html,x", "//evil.example/x", "/etc/passwd", "", None):
        assert content.safe_url(bad) is None


# --- page generation ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "here, target, expected",
    [
        ("", "topics/alpha/", "topics/alpha/"),
        ("topics/alpha/", "", "../../"),
        ("topics/alpha/", "recommendations/ALP-BUS-01/", "../../recommendations/ALP-BUS-01/"),
        ("recommendations/ALP-BUS-01/", "topics/alpha/#alp-c1", "../../topics/alpha/#alp-c1"),
        ("recommendations/", "recommendations/ALP-BUS-01/", "ALP-BUS-01/"),
        ("downloads/", "downloads/reports/a.pdf", "reports/a.pdf"),
        ("topics/alpha/", "topics/alpha/", "./"),
    ],
)
def test_links_are_relative_so_the_site_works_under_any_path(here, target, expected):
    assert relative_url(here, target) == expected


def test_page_files_give_the_permanent_addresses():
    assert page_file("") == "index.md"
    assert page_file("recommendations/") == "recommendations/index.md"
    assert page_file("recommendations/GOV-BUS-03/") == "recommendations/GOV-BUS-03.md"
    assert page_file("topics/governance/") == "topics/governance.md"


def test_every_page_is_generated_and_the_menu_never_lists_recommendations(tmp_path, corpus, branding):
    write_docs(corpus, INFO, branding, tmp_path / "none", tmp_path / "docs")
    pages = sorted(p.relative_to(tmp_path / "docs").as_posix() for p in (tmp_path / "docs").rglob("*.md"))
    assert pages == sorted(
        [
            "index.md",
            "topics/index.md",
            "topics/alpha.md",
            "audiences/academic.md",
            "audiences/business.md",
            "audiences/public.md",
            *(f"recommendations/{i}.md" for i in IDS),
            "recommendations/index.md",
            "downloads/index.md",
            "glossary/index.md",
            "about/index.md",
            "accessibility/index.md",
            "follow-up/index.md",
            "changelog/index.md",
            "editions/index.md",
            "editions/2015.md",
            "editions/2015/topics/alpha.md",
        ]
    )
    menu = json.dumps(navigation(corpus, branding, load_wording(branding)))
    assert "recommendations/index.md" in menu
    assert not any(i in menu for i in IDS)


def test_the_menu_names_topics_up_to_its_limit_and_beyond_it_leads_to_the_page_of_every_topic(
    tmp_path, corpus, branding
):
    alpha = corpus.topics[0]
    many = dataclasses.replace(
        corpus,
        topics=(
            alpha,
            *(dataclasses.replace(alpha, id=f"alpha-{n}", title=Text(f"Topic {chr(ord('z') - n)}")) for n in range(12)),
        ),
    )
    wording = load_wording(branding)
    assert wording["menu_topics"] == 12
    few = json.dumps(navigation(corpus, branding, wording))
    assert "topics/alpha.md" in few and "topics/index.md" not in few
    menu = json.dumps(navigation(many, branding, wording))
    assert "topics/index.md" in menu and "All topics" in menu
    assert "topics/alpha-" not in menu
    write_docs(many, INFO, branding, tmp_path / "none", tmp_path / "docs")
    blocks = json.loads((tmp_path / "fragments.json").read_text(encoding="utf-8"))  # the pages' HTML blocks
    (listed,) = [html for html in _values(blocks) if 'class="q-topic-list"' in html]
    shown = re.findall(r"Topic ([a-z])</a>", listed)
    assert shown == sorted(shown) and len(shown) == 12  # by title
    assert listed.count('href="alpha') == 13  # every topic


def _values(blocks: object) -> list[str]:
    if isinstance(blocks, dict):
        return [v for value in blocks.values() for v in _values(value)]
    if isinstance(blocks, list):
        return [v for value in blocks for v in _values(value)]
    return [blocks] if isinstance(blocks, str) else []


def test_generated_pages_escape_titles_for_the_theme(tmp_path, corpus, branding):
    write_docs(hostile_corpus(corpus), INFO, branding, tmp_path / "none", tmp_path / "docs")
    page = (tmp_path / "docs" / "recommendations" / "ALP-BUS-01.md").read_text(encoding="utf-8")
    _, front, body = page.split("---", 2)
    assert "<" not in front and "&lt;/title&gt;&lt;script&gt;" in front  # the theme inserts it as HTML
    # In the body, content is either inert text in Markdown or escaped HTML in a raw block: no tag, no snippet.
    assert "<script" not in body and "<img" not in body and "--8<--" not in body


def test_key_figures_count_every_value(corpus, branding):
    figures = key_figures(corpus, branding, load_wording(branding)["figures"])
    counts = {g.key: {c.key: c.value for c in g.counts} for g in figures.groups}
    assert (figures.recommendations, figures.current, figures.withdrawn) == (4, 3, 1)
    assert (figures.topics, figures.challenges) == (1, 2)
    # Audience and priority count the current recommendations, as the reports do; status counts them all.
    assert counts["audience"] == {"academic": 1, "business": 1, "public": 1}
    assert counts["priority"] == {"high": 2, "medium": 1, "low": 0}
    assert counts["status"] == {"draft": 0, "proposed": 1, "adopted": 2, "withdrawn": 1}
    layout = chart_layout(figures)
    bars = [bar for panel in layout.panels for bar in panel.bars]
    assert max(bar.width for bar in bars) == layout.bar_area
    assert [bar.width for bar in bars if bar.value == 0] == [0, 0]


def test_human_sizes():
    assert [human_size(n) for n in (0, 999, 1000, 123456, 4_500_000)] == [
        "0 bytes",
        "999 bytes",
        "1.0 kB",
        "123.5 kB",
        "4.5 MB",
    ]


# --- the built site ------------------------------------------------------------------------------------


@pytest.mark.slow
def test_every_page_is_built_with_its_title_and_language(site):
    expected = {
        "index.html": "Cyber Security Coalition recommendations",
        "topics/alpha/index.html": "Alpha topic - Cyber Security Coalition recommendations",
        "audiences/business/index.html": (
            "What the business sector should do - Cyber Security Coalition recommendations"
        ),
        "recommendations/ALP-BUS-01/index.html": (
            "ALP-BUS-01: Act on the second challenge - Cyber Security Coalition recommendations"
        ),
        "recommendations/index.html": "All recommendations - Cyber Security Coalition recommendations",
        "downloads/index.html": "Downloads - Cyber Security Coalition recommendations",
        "glossary/index.html": "Glossary - Cyber Security Coalition recommendations",
        "about/index.html": "About this site - Cyber Security Coalition recommendations",
        "accessibility/index.html": "Accessibility statement - Cyber Security Coalition recommendations",
    }
    for page, title in expected.items():
        html = (site / page).read_text(encoding="utf-8")
        assert parse(site / page).title.strip() == title
        assert '<html lang="en"' in html
    for rid in IDS:
        assert rid in (site / "recommendations" / rid / "index.html").read_text(encoding="utf-8")


@pytest.mark.slow
def test_home_shows_key_figures_as_a_chart_and_as_a_table(site):
    html = (site / "index.html").read_text(encoding="utf-8")
    assert re.search(r'<svg[^>]*role="img"[^>]*aria-labelledby="q-chart-title"', html)
    table = html[html.index('<table class="q-figures__table">') :]
    table = table[: table.index("</table>")]
    rows = re.findall(r'<th scope="row">([^<]+)</th><td class="q-num">(\d+)</td>', table)
    assert ("Business sector", "1") in rows and ("High priority", "2") in rows and ("Withdrawn", "1") in rows
    assert len(rows) == 10


@pytest.mark.slow
def test_topic_page_groups_recommendations_in_tabs_and_links_its_reports(site):
    html = (site / "topics" / "alpha" / "index.html").read_text(encoding="utf-8")
    labels = re.findall(r'<label for="__tabbed_1_\d">([^<]+)</label>', html)
    assert labels == ["Academic world (1)", "Business sector (2)", "Public authorities (1)"]
    assert 'href="../../downloads/reports/topic-alpha.pdf"' in html
    assert 'href="../../downloads/reports/topic-alpha.docx"' in html
    assert 'href="../../recommendations/ALP-BUS-02/"' in html


@pytest.mark.slow
def test_recommendation_page_links_related_both_ways_challenges_and_successor(site):
    aca = (site / "recommendations" / "ALP-ACA-01" / "index.html").read_text(encoding="utf-8")
    bus = (site / "recommendations" / "ALP-BUS-01" / "index.html").read_text(encoding="utf-8")
    old = (site / "recommendations" / "ALP-BUS-02" / "index.html").read_text(encoding="utf-8")
    assert 'href="../ALP-BUS-01/"' in aca and 'href="../ALP-ACA-01/"' in bus  # ALP-BUS-01 does not list ALP-ACA-01
    assert 'href="../../topics/alpha/#alp-c1"' in aca
    assert "This recommendation was withdrawn" in old and 'href="../ALP-BUS-01/"' in old
    assert "https://recommendations.cybersecuritycoalition.be/recommendations/ALP-BUS-01/" in bus


@pytest.mark.slow
def test_index_is_a_complete_table_without_javascript(site):
    html = (site / "recommendations" / "index.html").read_text(encoding="utf-8")
    rows = re.findall(r'<tr data-topic="alpha" data-audience="(\w+)" data-priority="(\w+)" data-status="(\w+)">', html)
    assert len(rows) == len(IDS)
    assert '<form class="q-filter" id="q-filter"' in html and " hidden>" in html  # shown by the script only


@pytest.mark.slow
def test_downloads_show_sizes_and_checksums_and_publish_only_regular_report_and_data_files(site, downloads):
    html = (site / "downloads" / "index.html").read_text(encoding="utf-8")
    published = sorted(
        p.relative_to(site / "downloads").as_posix()
        for p in (site / "downloads").rglob("*.*")
        if p.name != "index.html"
    )
    assert published == [
        "data/recommendations.csv",
        "data/recommendations.json",
        "reports/audience-business.pdf",
        "reports/compendium.pdf",
        "reports/topic-alpha.docx",
        "reports/topic-alpha.pdf",
    ]
    for name in published:
        data = (downloads / name).read_bytes()
        assert (site / "downloads" / name).read_bytes() == data
        assert hashlib.sha256(data).hexdigest() in html
    assert "1.4 kB" in html and "Format version 1.0" in html
    # in the reports' order (topics, audiences, compendium), PDF before DOCX, described from their names
    order = [
        html.index(name) for name in ("topic-alpha.pdf", "topic-alpha.docx", "audience-business.pdf", "compendium.pdf")
    ]
    assert order == sorted(order)
    assert "Status quaestionis report: Alpha topic" in html
    assert "Recommendations digest: What the business sector should do" in html
    audience = (site / "audiences" / "business" / "index.html").read_text(encoding="utf-8")
    assert 'href="../../downloads/reports/audience-business.pdf"' in audience


@pytest.mark.slow
def test_a_report_is_described_in_the_page_language_with_its_punctuation(corpus, branding):
    """'Recueil : …' on the French downloads page: French sets a no-break space before a colon."""
    edition = max(t.edition for t in corpus.topics)
    french = report_names(corpus, branding.localised("fr"))
    assert french["compendium"].description == f"Recueil\u00a0: Recommandations en matière de cybersécurité {edition}"
    assert french["topic-alpha"].description.startswith("Rapport status quaestionis\u00a0: ")
    assert (
        report_names(corpus, branding)["compendium"].description
        == f"Compendium: Cyber-security recommendations {edition}"
    )


def test_downloads_page_says_when_nothing_is_published(hostile_site):
    html = (hostile_site / "downloads" / "index.html").read_text(encoding="utf-8")
    assert "The reports of this edition are not published yet." in html
    assert "The open data files are not published yet." in html


@pytest.mark.slow
def test_glossary_lists_each_term_with_its_expansion_and_topics(site):
    glossary = (site / "glossary" / "index.html").read_text(encoding="utf-8")
    assert re.search(
        r'<dt id="term-1">CCB</dt>\s*<dd>\s*<p class="q-terms__expansion">Centre for Cyber Security '
        r"Belgium</p>",
        glossary,
    )
    assert 'Used in: <a href="../topics/alpha/">Alpha topic</a>' in glossary


@pytest.mark.slow
def test_abbreviations_in_hostile_text_keep_their_expansion_as_plain_text(hostile_site):
    parsed = parse(hostile_site / "recommendations" / "ALP-BUS-01" / "index.html")
    titles = [attrs.get("title") for tag, attrs in parsed.elements if tag == "abbr"]
    assert '"><script>alert(14)</script>' in titles


@pytest.mark.slow
def test_every_internal_link_and_asset_exists(site):
    for page in html_pages(site):
        for tag, attrs in parse(page).elements:
            for name in ("href", "src"):
                value = attrs.get(name)
                if not value or re.match(r"^[a-z]+:|^#|^//", value):
                    continue
                path = value.split("#")[0].split("?")[0]
                # 404.html links from the site root, as it is served at any missing address
                target = (site / path.lstrip("/")) if path.startswith("/") else (page.parent / path).resolve()
                if value.split("#")[0].endswith("/") or target.is_dir():
                    target = target / "index.html"
                assert target.is_file(), f"{page.relative_to(site)}: {tag} {name}={value}"


@pytest.mark.slow
def test_no_page_requests_anything_from_another_host(site):
    for page in html_pages(site):
        for tag, attrs in parse(page).elements:
            loads = {
                "script": "src",
                "img": "src",
                "iframe": "src",
                "source": "src",
                "video": "src",
                "audio": "src",
                "embed": "src",
                "object": "data",
            }
            if tag in loads and attrs.get(loads[tag]):
                assert not re.match(r"^(https?:)?//", attrs[loads[tag]]), f"{page}: {tag} {attrs}"
            if tag == "link" and (attrs.get("rel") or "") in (
                "stylesheet",
                "icon",
                "preload",
                "prefetch",
                "modulepreload",
            ):
                assert not re.match(r"^(https?:)?//", attrs.get("href") or ""), f"{page}: {attrs}"
    for css in site.rglob("*.css"):
        assert not re.search(r"url\(\s*['\"]?(https?:)?//", css.read_text(encoding="utf-8")), css
        assert "@import" not in css.read_text(encoding="utf-8"), css


# --- hostile content -----------------------------------------------------------------------------------


@pytest.mark.slow
def test_hostile_content_puts_no_script_handler_or_dangerous_url_on_any_page(hostile_site):
    theme_scripts = re.compile(
        r"^(/|(\.\./)*)assets/(javascripts/bundle\.[0-9a-f]+\.min\.js|quaestio/(quaestio|cycle)\.js)$"
    )
    for page in html_pages(hostile_site):
        parsed = parse(page)
        for attrs, text in parsed.scripts:
            if attrs.get("src"):
                assert theme_scripts.match(attrs["src"]), f"{page}: script {attrs}"
            else:
                assert "alert" not in text, f"{page}: inline script {text[:80]}"
        for tag, attrs in parsed.elements:
            assert not [a for a in attrs if a.lower().startswith("on")], f"{page}: {tag} {attrs}"
            for name in ("href", "src", "action", "formaction", "data", "xlink:href"):
                value = (attrs.get(name) or "").strip().lower()
                assert not value.startswith(("javascript:", "data:", "vbscript:", "file:")), f"{page}: {tag} {attrs}"
            assert tag not in ("iframe", "object", "embed", "b"), f"{page}: {tag}"
            if tag == "img":
                assert not re.match(r"^(https?:)?//", attrs.get("src") or ""), f"{page}: {attrs}"


@pytest.mark.slow
def test_hostile_text_is_shown_literally_and_never_evaluated(hostile_site):
    page = hostile_site / "recommendations" / "ALP-BUS-01" / "index.html"
    parsed = parse(page)
    text = "".join(parsed.text)
    assert "{{ 7*7 }}" in text and "{% if true %}jinja{% endif %}" in text
    assert "<script>alert(1)</script>" in text  # shown as text
    assert "</title><script>alert(10)</script>" in parsed.title  # the title element holds it as text only
    raw = page.read_text(encoding="utf-8")
    assert "<script>alert" not in raw and "</title><script>" not in raw
    assert "root:x:0:0" not in raw  # the snippet line did not include a file of the build machine


@pytest.mark.slow
def test_hostile_text_reaches_the_search_index_escaped(hostile_site):
    index = json.loads((hostile_site / "search" / "search_index.json").read_text(encoding="utf-8"))
    for doc in index["docs"]:
        for field in ("title", "text"):
            assert "<script" not in doc[field] and "<img" not in doc[field] and "<b>" not in doc[field], doc


@pytest.mark.slow
def test_no_file_of_the_build_machine_or_absolute_path_leaks(hostile_site, site):
    for root in (hostile_site, site):
        for file in root.rglob("*"):
            if file.is_file() and file.suffix in (".html", ".json", ".xml", ".css", ".js", ".svg"):
                data = file.read_text(encoding="utf-8", errors="replace")
                assert "root:x:0:0" not in data
                assert str(root.parent) not in data and "/tmp/" not in data, file


# --- reproducibility -----------------------------------------------------------------------------------


def _tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.mark.slow
def test_two_builds_in_different_folders_and_clocks_are_byte_identical(
    tmp_path, corpus, branding, downloads, site, monkeypatch
):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")  # the build's own date wins over the environment
    other = tmp_path / "elsewhere" / "out"
    build_site(FIXTURE, corpus, INFO, branding, other, downloads)
    first, second = _tree(site), _tree(other)
    assert sorted(first) == sorted(second)
    assert [name for name in first if first[name] != second[name]] == []
    assert os.environ["SOURCE_DATE_EPOCH"] == "1700000000"
    assert "<lastmod>2015-12-08</lastmod>" in first["sitemap.xml"].decode()


@pytest.mark.slow
@pytest.mark.parametrize("processes", [2, 3])
def test_a_parallel_build_is_byte_identical_to_a_build_in_one_process(
    tmp_path, corpus, branding, downloads, site, processes
):
    out = tmp_path / "parallel"
    render_site(corpus, INFO, branding, out, downloads, processes=processes)
    first, second = _tree(site), _tree(out)
    assert sorted(second) == sorted(first)
    assert [name for name in first if first[name] != second[name]] == []


def test_parallel_plan_gives_the_main_process_fewer_recommendation_pages(corpus):
    from quaestio.publish.site.shards import plan

    many = list(corpus.recommendations) * 500
    shards = plan(many, 2)
    assert [len(s) for s in shards] == [750, 1250]
    assert sum(len(s) for s in plan(many, 4)) == len(many)
    assert len(plan(many, 2, other_pages=400)[0]) < 750  # topics' and editions' pages weigh on the main process
    assert sum(len(s) for s in plan(many, 2, other_pages=400)) == len(many)
    assert plan(corpus.recommendations, 1) == [list(corpus.recommendations)]


# --- the same configuration with Zensical ---------------------------------------------------------------


@pytest.mark.slow
def test_zensical_builds_every_page_from_the_same_configuration(tmp_path, corpus, branding, downloads, site):
    built = render_site_with_zensical(corpus, INFO, branding, downloads, tmp_path / "project")
    mkdocs_pages = sorted(p.relative_to(site).as_posix() for p in html_pages(site))
    zensical_pages = sorted(p.relative_to(built).as_posix() for p in html_pages(built))
    assert zensical_pages == mkdocs_pages
    for rid in IDS:
        html = (built / "recommendations" / rid / "index.html").read_text(encoding="utf-8")
        assert rid in html and '<html lang="en"' in html
    report = "reports/topic-alpha.pdf"
    assert (built / "downloads" / report).read_bytes() == (downloads / report).read_bytes()
    for page in html_pages(built):
        for tag, attrs in parse(page).elements:
            if tag in ("script", "img") and attrs.get("src"):
                assert not re.match(r"^(https?:)?//", attrs["src"]), f"{page}: {tag} {attrs}"
            if tag == "link" and attrs.get("rel") in ("stylesheet", "icon", "preload"):
                assert not re.match(r"^(https?:)?//", attrs.get("href") or ""), f"{page}: {attrs}"


# Accessibility of the built pages, read from their HTML.

PAGES = [
    "index.html",
    "topics/alpha/index.html",
    "audiences/business/index.html",
    "recommendations/ALP-BUS-01/index.html",
    "recommendations/index.html",
    "downloads/index.html",
    "glossary/index.html",
    "about/index.html",
    "accessibility/index.html",
    "404.html",
]


def test_every_page_has_its_own_meta_description(site):
    found = {}
    for page in PAGES[:-1]:
        descriptions = re.findall(r'<meta name="description" content="([^"]*)"', (site / page).read_text("utf-8"))
        assert len(descriptions) == 1, page
        found[page] = descriptions[0]
    assert len(set(found.values())) == len(found), found
    assert "Act on the second challenge" in found["recommendations/ALP-BUS-01/index.html"]
    assert found["topics/alpha/index.html"].startswith("A topic used by the tests")


def test_every_page_carries_a_content_security_policy_with_its_own_script_hashes(site):
    from quaestio.publish.site.csp import inline_script_hashes

    pages = sorted(site.rglob("*.html"))  # every page mkdocs wrote, the 404 page too
    assert {"404.html", *PAGES} <= {p.relative_to(site).as_posix() for p in pages}
    for page in pages:
        html = page.read_text(encoding="utf-8")
        head = html[html.index("<head>") : html.index("</head>")]
        policies = re.findall(r'<meta http-equiv="Content-Security-Policy" content="([^"]*)">', head)
        assert len(policies) == 1, page
        policy = policies[0]
        assert head.index("Content-Security-Policy") < head.index("<script"), f"{page}: a script runs before it"
        assert "default-src 'none'" in policy and "unsafe" not in policy, page
        hashes = inline_script_hashes(html)
        assert hashes and all(h in policy for h in hashes), page


def test_the_404_page_has_its_own_title_and_a_way_back(site):
    html = (site / "404.html").read_text(encoding="utf-8")
    assert "<title>Page not found - Cyber Security Coalition recommendations</title>" in html
    assert 'href="#q-content" class="md-skip"' in html and 'id="q-content"' in html


def test_no_article_is_nested_in_another(site):
    for page in PAGES:
        html = (site / page).read_text(encoding="utf-8")
        assert html.count("<article") == 1, page


def test_headings_permalinks_are_named_and_the_logo_is_decorative_in_its_named_link(site):
    html = (site / "topics/alpha/index.html").read_text(encoding="utf-8")
    links = re.findall(r'<a aria-label="([^"]*)" class="headerlink"', html)
    assert "Link to this section: Working session" in links
    assert len(links) == html.count('class="headerlink"')
    assert re.search(r'aria-label="Cyber Security Coalition recommendations"[^>]*>\s*<img src="[^"]*" alt="">', html)


def test_the_topic_tabs_section_is_labelled(site):
    html = (site / "topics/alpha/index.html").read_text(encoding="utf-8")
    assert re.search(r'<section class="q-recommendations" aria-label="[^"]+"', html)
