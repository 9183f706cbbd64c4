"""The French and Dutch sites in a real browser: lang, the language switcher, search, fallbacks, axe-core, phones."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from quaestio.pipeline import check
from quaestio.publish.branding import load_branding
from quaestio.publish.buildinfo import build_info
from quaestio.publish.exports import write_data
from quaestio.publish.site import build_site
from support.paths import FIXTURES
from support.static_host import search_results, serving

pytestmark = pytest.mark.slow

PAGES = {
    "home": "",
    "topic": "topics/alpha/",
    "audience": "audiences/business/",
    "recommendation": "recommendations/ALP-BUS-01/",
    "fallback": "recommendations/ALP-PUB-01/",
    "index": "recommendations/",
    "downloads": "downloads/",
    "glossary": "glossary/",
    "about": "about/",
    "accessibility": "accessibility/",
}


def _build(root: Path, build: Path) -> Path:
    corpus = check(root).corpus
    assert corpus is not None and corpus.languages == ("en", "fr", "nl")
    info, branding = build_info(root, os.environ), load_branding(root)
    write_data(corpus, info, branding, build / "data")
    build_site(root, corpus, info, branding, build / "site", build)
    return build / "site"


@pytest.fixture(scope="module")
def root(tmp_path_factory) -> Path:
    """The minimal repository with its French and Dutch translations."""
    root = tmp_path_factory.mktemp("repo")
    shutil.copytree(FIXTURES / "minimal", root, dirs_exist_ok=True)
    shutil.copytree(FIXTURES / "translated", root, dirs_exist_ok=True)
    return root


@pytest.fixture(scope="module")
def site(tmp_path_factory, root) -> Path:
    """The site of every language, built with its open data."""
    return _build(root, tmp_path_factory.mktemp("build"))


@pytest.fixture(scope="module")
def base_url(site) -> Iterator[str]:
    with serving(site) as url:
        yield url


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    yield context.new_page()
    context.close()


@pytest.mark.parametrize(
    ("language", "title"), [("fr", "Agir sur le deuxième défi"), ("nl", "Pak de tweede uitdaging aan")]
)
def test_each_language_has_its_lang_attribute_and_interface(page, base_url, language, title):
    page.goto(f"{base_url}{language}/recommendations/ALP-BUS-01/")
    assert page.evaluate("document.documentElement.lang") == language
    assert page.locator("h1").inner_text().endswith(title)
    assert page.title() == f"ALP-BUS-01: {title} - " + {"fr": "Recommandations", "nl": "Aanbevelingen"}[language] + (
        " de la Cyber Security Coalition" if language == "fr" else " van de Cyber Security Coalition"
    )
    heading = {"fr": "Ce qui devrait être fait", "nl": "Wat er moet gebeuren"}[language]
    assert page.locator("h2#what-should-be-done").inner_text() == heading
    assert page.locator("time").first.inner_text() == {"fr": "6 juillet 2016", "nl": "6 juli 2016"}[language]


def _switch(page, name: str) -> None:
    page.locator(".md-select").first.hover()
    with page.expect_navigation():
        page.get_by_role("link", name=name, exact=True).click()


def test_the_switcher_stays_on_the_same_recommendation(page, base_url):
    page.goto(f"{base_url}recommendations/ALP-BUS-01/")
    _switch(page, "Français")
    assert page.url == f"{base_url}fr/recommendations/ALP-BUS-01/"
    _switch(page, "Nederlands")
    assert page.url == f"{base_url}nl/recommendations/ALP-BUS-01/"
    assert page.evaluate("document.documentElement.lang") == "nl"
    _switch(page, "English")
    assert page.url == f"{base_url}recommendations/ALP-BUS-01/"


def test_head_alternates_name_the_same_page_in_every_language(page, base_url):
    page.goto(f"{base_url}fr/topics/alpha/")
    links = page.eval_on_selector_all(
        "link[rel=alternate][hreflang]", "els => els.map(e => [e.hreflang, e.getAttribute('href')])"
    )
    assert links == [["en", "/topics/alpha/"], ["fr", "/fr/topics/alpha/"], ["nl", "/nl/topics/alpha/"]]


def _search(page, query: str) -> list[str]:
    return search_results(page, query)


def test_a_french_word_finds_the_french_page(page, base_url):
    page.goto(f"{base_url}fr/")
    results = [url.split("?")[0] for url in _search(page, "financer")]
    assert f"{base_url}fr/recommendations/ALP-PUB-01/" in results
    assert all(url.startswith(f"{base_url}fr/") for url in results)
    page.goto(base_url)
    assert _search(page, "financer") == []  # the English site has its own index


def test_untranslated_text_falls_back_to_english_marked_and_announced(page, base_url):
    page.goto(f"{base_url}fr/recommendations/ALP-PUB-01/")
    assert page.locator(".q-untranslated-page").is_visible()
    fallback = page.locator(".q-rec-main div[lang=en]")
    assert fallback.inner_text().strip() == "Because nobody else will."
    assert page.locator(".q-untranslated").first.inner_text() == "Pas encore traduit"
    page.goto(f"{base_url}nl/recommendations/ALP-PUB-01/")
    assert page.locator("h1 [lang=en]").inner_text() == "Fund the first challenge"
    page.goto(f"{base_url}fr/recommendations/ALP-BUS-01/")
    assert page.locator(".q-untranslated-page").count() == 0
    assert page.locator("[lang=en]").count() == 0


def test_downloads_are_published_once_and_linked_from_every_language(page, base_url, site):
    page.goto(f"{base_url}fr/downloads/")
    hrefs = page.eval_on_selector_all(".q-files-table a", "els => els.map(e => e.href)")
    assert f"{base_url}downloads/data/recommendations.json" in hrefs
    assert not (site / "fr" / "downloads" / "data").exists()


@pytest.mark.parametrize("language", ["fr", "nl"])
@pytest.mark.parametrize("name", list(PAGES))
def test_axe_core_reports_no_violation(page, base_url, language, name):
    from axe_playwright_python.sync_playwright import Axe

    page.goto(f"{base_url}{language}/{PAGES[name]}", wait_until="networkidle")
    results = Axe().run(page)
    assert results.violations_count == 0, results.generate_report()


@pytest.mark.parametrize("language", ["fr", "nl"])
@pytest.mark.parametrize("name", list(PAGES))
def test_no_page_scrolls_sideways_on_a_phone(browser, base_url, language, name):
    context = browser.new_context(viewport={"width": 375, "height": 800})
    try:
        phone = context.new_page()
        phone.goto(f"{base_url}{language}/{PAGES[name]}")
        assert phone.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0
    finally:
        context.close()


def test_sitemaps_list_each_page_in_every_language(site):
    sitemap = (site / "nl" / "sitemap.xml").read_text(encoding="utf-8")
    url = "https://recommendations.cybersecuritycoalition.be/"
    assert f"<loc>{url}nl/recommendations/ALP-BUS-01/</loc>" in sitemap
    for hreflang, href in (("en", ""), ("fr", "fr/"), ("nl", "nl/"), ("x-default", "")):
        assert f'hreflang="{hreflang}" href="{url}{href}recommendations/ALP-BUS-01/"/>' in sitemap


def test_the_about_page_shows_how_far_each_language_is(page, base_url):
    page.goto(f"{base_url}fr/about/")
    cells = page.eval_on_selector_all("#translations ~ .q-scroll td", "els => els.map(e => e.innerText)")
    assert cells == ["26 sur 28", "10 sur 28", "0 sur 28"]


def test_two_builds_of_every_language_give_the_same_bytes(root, site, tmp_path):
    again = _build(root, tmp_path)

    def tree(folder: Path) -> dict[str, bytes]:
        return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}

    assert tree(again) == tree(site)


def test_every_page_of_every_language_carries_the_content_security_policy(site):
    """Every page of every language carries the policy, the translated sites' pages too."""
    pages = sorted(site.rglob("*.html"))
    assert any(p.relative_to(site).parts[0] == "fr" for p in pages)
    missing = [
        str(p.relative_to(site))
        for p in pages
        if 'http-equiv="Content-Security-Policy"' not in p.read_text(encoding="utf-8")
    ]
    assert missing == []
