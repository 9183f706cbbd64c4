"""The website in a real browser (Debian's Chromium): titles, search, filter, privacy, axe-core and phone widths."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright import sync_api as playwright_api

from quaestio.content.model import texts_in
from quaestio.pipeline import check
from quaestio.publish.branding import load_branding
from quaestio.publish.buildinfo import build_info
from quaestio.publish.exports import write_data
from quaestio.publish.site import build_site
from support.paths import REPOSITORY
from support.static_host import CHROMIUM, CHROMIUM_ARGS, serving

pytestmark = pytest.mark.slow

SITE_NAME = "Cyber Security Coalition recommendations"
PAGE_WEIGHT_LIMIT = 500_000


@pytest.fixture(scope="module")
def corpus():
    result = check(REPOSITORY)
    assert result.corpus is not None
    return result.corpus


@pytest.fixture(scope="module")
def site(tmp_path_factory, corpus) -> Path:
    """The site for the repository's own content, with its open data."""
    build = tmp_path_factory.mktemp("build")
    info, branding = build_info(REPOSITORY, os.environ), load_branding(REPOSITORY)
    write_data(corpus, info, branding, build / "data")
    build_site(REPOSITORY, corpus, info, branding, build / "site", build)
    return build / "site"


@pytest.fixture(scope="module")
def base_url(site) -> Iterator[str]:
    with serving(site) as url:
        yield url


@pytest.fixture(scope="module")
def browser():
    assert Path(CHROMIUM).is_file(), f"the browser tests need Debian's Chromium at {CHROMIUM} (.ci/run installs it)"
    with playwright_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


class Visit:
    """A fresh browser context that records every request and refuses any to another host."""

    def __init__(self, browser, base_url: str, width: int = 1280, height: int = 900):
        self.base_url = base_url
        self.context = browser.new_context(viewport={"width": width, "height": height})
        self.requests: list[str] = []
        self.outside: list[str] = []
        self.transferred = 0
        self.context.route("**/*", self._route)
        self.context.on("request", lambda request: self.requests.append(request.url))
        self.context.on("requestfinished", self._count)
        self.page = self.context.new_page()

    def _route(self, route):
        host = urlsplit(route.request.url).hostname
        if host == "127.0.0.1":
            route.continue_()
        else:
            self.outside.append(route.request.url)
            route.abort()

    def _count(self, request):
        sizes = request.sizes()
        self.transferred += sizes["responseBodySize"] + sizes["responseHeadersSize"]

    def open(self, path: str):
        self.page.goto(self.base_url + path, wait_until="networkidle")
        return self.page

    def close(self) -> None:
        self.context.close()


@pytest.fixture
def visit(browser, base_url):
    visits: list[Visit] = []

    def make(width: int = 1280, height: int = 900) -> Visit:
        visits.append(Visit(browser, base_url, width, height))
        return visits[-1]

    yield make
    for item in visits:
        item.close()
    outside = [url for item in visits for url in item.outside]
    assert outside == [], f"requests to other hosts: {outside}"


def page_types(corpus) -> dict[str, tuple[str, str]]:
    """One page of each type: its path and its expected title."""
    topic = corpus.topics[0]
    rec = corpus.recommendations[0]
    return {
        "home": ("", SITE_NAME),
        "topic": (f"topics/{topic.id}/", f"{topic.title.en} - {SITE_NAME}"),
        "audience": ("audiences/business/", f"What the business sector should do - {SITE_NAME}"),
        "recommendation": (f"recommendations/{rec.id}/", f"{rec.id}: {rec.title.en} - {SITE_NAME}"),
        "index": ("recommendations/", f"All recommendations - {SITE_NAME}"),
        "downloads": ("downloads/", f"Downloads - {SITE_NAME}"),
        "glossary": ("glossary/", f"Glossary - {SITE_NAME}"),
        "about": ("about/", f"About this site - {SITE_NAME}"),
        "accessibility": ("accessibility/", f"Accessibility statement - {SITE_NAME}"),
    }


PAGE_TYPES = ["home", "topic", "audience", "recommendation", "index", "downloads", "glossary", "about", "accessibility"]


def test_each_page_type_has_its_title_and_language(visit, corpus):
    browsing = visit()
    for name, (path, title) in page_types(corpus).items():
        page = browsing.open(path)
        assert page.title() == title, name
        assert page.get_attribute("html", "lang") == "en", name
        assert page.locator("h1").count() == 1, name


def test_a_recommendations_permanent_url_shows_it(visit, corpus):
    rec = corpus.recommendations[len(corpus.recommendations) // 2]
    page = visit().open(f"recommendations/{rec.id}/")
    heading = page.locator("h1").inner_text()
    assert rec.id in heading and rec.title.en in " ".join(heading.split())
    assert page.locator(".q-cite a").inner_text().endswith(f"/recommendations/{rec.id}/")


def _search(page, query: str) -> list[str]:
    """Type a query into Material's search and return the result links, once the index has answered."""
    field = page.locator("input.md-search__input")
    field.click()
    for _ in range(10):  # the search index loads in a web worker; retype until it answers
        field.fill("")
        field.press_sequentially(query)
        try:
            page.wait_for_selector(".md-search-result__item", timeout=1000)
            break
        except playwright_api.TimeoutError:
            continue
    read = "links => links.map(link => link.href)"
    results, previous = page.eval_on_selector_all(".md-search-result__item > a", read), None
    while results != previous:  # each keystroke searched; wait for the answer to the whole query to settle
        page.wait_for_timeout(400)
        previous, results = results, page.eval_on_selector_all(".md-search-result__item > a", read)
    return [urlsplit(href).path for href in results]


def _rare_word(corpus, rec) -> str:
    """A word of the recommendation's text that appears in as few other recommendations as possible."""

    def words(text: str) -> set[str]:
        return {w.lower() for w in re.findall(r"[A-Za-z]{7,}", text)}

    # Counted over every text the site shows (topics too), so that the word's pages are few.
    texts = [text.en for text in texts_in((corpus.topics, corpus.recommendations))]
    counts = {w: sum(1 for text in texts if w in words(text)) for w in words(rec.text.en)}
    return min(sorted(counts), key=lambda w: counts[w])


def test_search_finds_a_recommendation_by_its_id_and_by_a_word_of_its_text(visit, corpus):
    rec = corpus.recommendations[3]
    page = visit().open("")
    results = _search(page, rec.id)
    assert results and results[0].endswith(f"/recommendations/{rec.id}/"), results[:5]
    page = visit().open("")
    word = _rare_word(corpus, rec)
    results = _search(page, word)
    assert any(r.endswith(f"/recommendations/{rec.id}/") for r in results), (word, results[:10])


def test_the_index_filter_narrows_to_one_audience_and_back(visit, corpus):
    page = visit().open("recommendations/")
    rows = page.locator("#q-index tbody tr")
    total = len(corpus.recommendations)
    business = sum(1 for r in corpus.recommendations if r.audience == "business")
    assert page.locator("#q-filter").is_visible()
    assert rows.count() == total
    page.select_option("#q-filter-audience", "business")
    visible = page.locator("#q-index tbody tr:not([hidden])")
    assert visible.count() == business
    assert set(visible.evaluate_all("rows => rows.map(row => row.dataset.audience)")) == {"business"}
    assert page.locator("#q-filter-count").inner_text() == f"Showing {business} of {total} recommendations."
    assert "audience=business" in page.url
    rec = corpus.recommendations_for(audience="business")[0]
    page.fill("#q-filter-text", rec.id)
    assert visible.count() == 1
    page.click("#q-filter button[type=reset]")
    page.wait_for_function(f"document.querySelectorAll('#q-index tbody tr:not([hidden])').length === {total}")
    assert page.locator("#q-filter-count").inner_text() == f"Showing all {total} recommendations."


def test_the_index_is_complete_without_javascript(browser, base_url, corpus):
    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(base_url + "recommendations/")
        assert page.locator("#q-index tbody tr").count() == len(corpus.recommendations)
        assert not page.locator("#q-filter").is_visible()
    finally:
        context.close()


def test_no_request_leaves_127_0_0_1(visit, corpus):
    browsing = visit()
    for path, _ in page_types(corpus).values():
        browsing.open(path)
    _search(browsing.page, corpus.recommendations[0].id)
    hosts = {urlsplit(url).hostname for url in browsing.requests}
    assert hosts == {"127.0.0.1"}, browsing.requests
    assert any(url.endswith("search_index.json") for url in browsing.requests)  # the search worker ran


@pytest.mark.parametrize("name", PAGE_TYPES)
def test_axe_core_reports_no_violation(visit, corpus, name):
    from axe_playwright_python.sync_playwright import Axe

    page = visit().open(page_types(corpus)[name][0])
    results = Axe().run(page)
    assert results.violations_count == 0, results.generate_report()


@pytest.mark.parametrize("name", PAGE_TYPES)
def test_no_page_scrolls_sideways_on_a_phone(visit, corpus, name):
    page = visit(375, 812).open(page_types(corpus)[name][0])
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"{name} is {overflow}px wider than a 375px screen"


@pytest.mark.parametrize("name", PAGE_TYPES)
def test_first_load_transfers_under_500_kb(visit, corpus, name):
    browsing = visit()
    browsing.open(page_types(corpus)[name][0])
    browsing.page.wait_for_timeout(300)  # the search worker fetches its index after the page has loaded
    assert any(url.endswith("search_index.json") for url in browsing.requests)
    assert browsing.transferred < PAGE_WEIGHT_LIMIT, f"{name}: {browsing.transferred} bytes"
