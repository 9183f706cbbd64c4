"""The website in a real browser (Debian's Chromium): titles, search, filter, privacy, axe-core and phone widths."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright import sync_api as playwright_api

from quaestio.content.model import texts_in
from support.static_host import search_results, serving

pytestmark = pytest.mark.slow

SITE_NAME = "Cyber Security Coalition recommendations"
PAGE_WEIGHT_LIMIT = 500_000


@pytest.fixture(scope="module")
def corpus(repository_build):
    return repository_build.corpus


@pytest.fixture(scope="module")
def site(repository_build) -> Path:
    """The site for the repository's own content, with its open data (built once a session, conftest.py)."""
    return repository_build.site


@pytest.fixture(scope="module")
def base_url(site) -> Iterator[str]:
    with serving(site) as url:
        yield url


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
    return [urlsplit(href).path for href in search_results(page, query)]


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
    # expect() polls without eval(), which the pages' Content-Security-Policy forbids.
    playwright_api.expect(page.locator("#q-index tbody tr:not([hidden])")).to_have_count(total)
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
def test_first_load_transfers_under_500_kb(visit, corpus, name):
    browsing = visit()
    browsing.open(page_types(corpus)[name][0])
    for _ in range(50):  # the search worker fetches its index after the page has loaded: up to 5 s when busy
        if any(url.endswith("search_index.json") for url in browsing.requests):
            break
        browsing.page.wait_for_timeout(100)
    assert any(url.endswith("search_index.json") for url in browsing.requests)
    assert browsing.transferred < PAGE_WEIGHT_LIMIT, f"{name}: {browsing.transferred} bytes"


# Keyboard, focus, skip links, Content-Security-Policy and reflow.

ALL_PAGES = [*PAGE_TYPES, "404"]
WALK_LIMIT = 400  # Tab presses before a walk gives up looking for its way back to the start
FOCUS_CONTRAST = 3.0  # WCAG 1.4.11: a focus indicator contrasts at least 3:1 with what surrounds it
SETTLE_TRIES = 10  # looks again at a stop that fails, after its transitions end: up to about 2 s on a busy machine
# Resolves when the focused element's running transitions (its focus ring fading in) have finished, or after 1 s.
SETTLED = """() => Promise.race([new Promise(done => setTimeout(done, 1000)),
  Promise.all((document.activeElement || document.body).getAnimations({subtree: true})
    .map(animation => animation.finished.catch(() => null)))])"""

FOCUS_PROBE = """() => {
  const element = document.activeElement;
  if (!element || element === document.body) return null;
  // A tab of a tab set is a hidden radio button: its label shows it, and shows its focus.
  const shown = element.matches(".tabbed-set > input")
    ? document.querySelector(`label[for="${element.id}"]`) || element : element;
  const box = shown.getBoundingClientRect();
  const style = getComputedStyle(shown);
  const ring = style.outlineStyle !== "none" && parseFloat(style.outlineWidth) >= 2;
  const shadow = style.boxShadow !== "none";
  // The ring's contrast with what it is drawn on: the first ancestor with a background colour.
  const rgb = text => (text.match(/[\\d.]+/g) || []).map(Number);
  const luminance = ([r, g, b]) => [r, g, b].map(v => v / 255)
    .map(v => v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4)
    .reduce((sum, v, i) => sum + v * [0.2126, 0.7152, 0.0722][i], 0);
  let ground = shown.parentElement, paint = [255, 255, 255];
  while (ground) {
    const colour = rgb(getComputedStyle(ground).backgroundColor);
    if (colour.length >= 3 && (colour.length === 3 || colour[3] > 0)) { paint = colour.slice(0, 3); break; }
    ground = ground.parentElement;
  }
  const [light, dark] = [luminance(rgb(style.outlineColor)), luminance(paint)].sort((a, b) => b - a);
  const contrast = (light + 0.05) / (dark + 0.05);
  return {
    element: element.tagName.toLowerCase() + (element.className && typeof element.className === "string"
      ? "." + element.className.trim().split(/\\s+/).filter(c => c !== "focus-visible").join(".") : ""),
    name: (element.getAttribute("aria-label") || element.textContent || element.value || "").trim().slice(0, 50),
    visible: box.width > 0 && box.height > 0 && box.bottom > 0 && box.right > 0
      && box.top < innerHeight && box.left < innerWidth && style.visibility !== "hidden",
    focusStyle: ring || shadow,
    contrast: Math.round(contrast * 10) / 10,
    key: element.outerHTML.slice(0, 200) + "@" + Math.round(box.x) + "," + Math.round(box.y + scrollY),
  };
}"""


def _page_path(corpus, name: str) -> str:
    return "404.html" if name == "404" else page_types(corpus)[name][0]


def _walk(page) -> list[dict]:
    """Tab from the top of the page until the focus comes back to where it started; every stop on the way."""
    stops: list[dict] = []
    for _ in range(WALK_LIMIT):
        page.keyboard.press("Tab")
        stop = page.evaluate(FOCUS_PROBE)
        for _ in range(SETTLE_TRIES):
            if stop is None or (stop["visible"] and stop["focusStyle"] and stop["contrast"] >= FOCUS_CONTRAST):
                break
            # The browser may still be scrolling the focused element into view, or the theme's transition
            # still fading its focus ring in (slow on a busy machine): judge the state it settles in.
            page.evaluate(SETTLED)
            page.wait_for_timeout(200)
            stop = page.evaluate(FOCUS_PROBE)
        if stop is None:
            break  # past the last element, into the browser's own controls
        if stops and stop["key"] == stops[0]["key"]:
            break
        stops.append(stop)
    return stops


@pytest.mark.parametrize("width", [1000, 1280])
def test_every_element_tab_reaches_is_in_view_and_shows_its_focus(visit, corpus, width):
    """At 1000 px the theme shows its menu as a drawer; at 1280 px the tabs. Either way the keyboard never
    lands on something hidden, and always shows where it is (WCAG 2.4.7, 2.4.11)."""
    browsing = visit(width, 800)
    report, faults = [], []
    for name in ALL_PAGES:
        page = browsing.open(_page_path(corpus, name))
        stops = _walk(page)
        assert stops, name
        faults += [f"{name}: {s['element']} {s['name']!r} not in view" for s in stops if not s["visible"]]
        faults += [f"{name}: {s['element']} {s['name']!r} shows no focus" for s in stops if not s["focusStyle"]]
        faults += [
            f"{name}: {s['element']} {s['name']!r} focus ring contrast {s['contrast']}:1"
            for s in stops
            if s["contrast"] < FOCUS_CONTRAST
        ]
        assert stops[0]["element"].startswith("a.md-skip"), (name, stops[0])
        report.append(f"{width} px {name}: {len(stops)} stops, first {[s['name'] for s in stops[:4]]}")
    print("\n".join(report))
    assert faults == []


def test_the_menu_button_is_named_reachable_and_the_closed_menu_is_out_of_the_tab_order(visit, corpus):
    page = visit(1000, 800).open("")
    stops = _walk(page)
    buttons = [s for s in stops if s["element"].startswith("button.md-header__button")]
    # The menu button, then the language switcher's (the site is built in every language of the content).
    assert [s["name"] for s in buttons] == ["Navigation", "Select language"]
    assert not [s for s in stops if ".md-nav__link" in s["element"]], "the closed menu's links take focus"
    button = page.locator("button.q-menu-button")
    assert button.get_attribute("aria-expanded") == "false"
    button.focus()
    page.keyboard.press("Enter")
    assert button.get_attribute("aria-expanded") == "true"
    assert page.evaluate("document.activeElement.closest('.md-sidebar--primary') !== null")
    assert page.locator(".md-sidebar--primary a.md-nav__link").first.is_visible()
    page.keyboard.press("Escape")
    assert button.get_attribute("aria-expanded") == "false"
    assert page.evaluate("document.activeElement.classList.contains('q-menu-button')")
    assert page.evaluate("document.querySelector('.md-sidebar--primary').inert")


def test_the_menu_is_not_inert_where_it_is_the_side_navigation(visit, corpus):
    page = visit(1400, 800).open(page_types(corpus)["topic"][0])
    assert page.evaluate("document.querySelector('.md-sidebar--primary').inert") is False
    assert not page.locator("button.q-menu-button").is_visible()


@pytest.mark.parametrize("name", ALL_PAGES)
def test_every_page_has_a_skip_link_to_its_content(visit, corpus, name):
    page = visit().open(_page_path(corpus, name))
    page.keyboard.press("Tab")
    skip = page.evaluate("[document.activeElement.className, document.activeElement.getAttribute('href')]")
    assert "md-skip" in skip[0], name
    assert page.locator(skip[1]).count() == 1, f"{name}: the skip link's target {skip[1]} is missing"


CSP_RECORDER = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", event => {
  window.__violations.push(event.violatedDirective + " " + (event.blockedURI || "inline"));
});
"""


def test_no_page_breaks_its_content_security_policy_while_search_and_filter_work(visit, corpus):
    browsing = visit()
    browsing.context.add_init_script(CSP_RECORDER)
    logged: list[str] = []
    browsing.page.on("console", lambda m: logged.append(m.text) if "Content Security Policy" in m.text else None)
    for name in ALL_PAGES:
        page = browsing.open(_page_path(corpus, name))
        policy = page.locator('meta[http-equiv="Content-Security-Policy"]').get_attribute("content")
        assert "default-src 'none'" in policy and "'unsafe-inline'" not in policy, name
        assert page.evaluate("window.__violations") == [], name
    page = browsing.open("")
    rec = corpus.recommendations[3]
    assert _search(page, rec.id)[0].endswith(f"/recommendations/{rec.id}/")
    assert page.evaluate("window.__violations") == []
    page = browsing.open("recommendations/")
    page.select_option("#q-filter-audience", "public")
    assert page.locator("#q-index tbody tr:not([hidden])").count() == len(corpus.recommendations_for(audience="public"))
    assert page.evaluate("window.__violations") == []
    assert logged == []


def test_the_filter_count_is_announced_when_typing_pauses(visit, corpus):
    page = visit().open("recommendations/")
    count = page.locator("#q-filter-count")
    assert count.get_attribute("aria-live") == "polite"
    total = len(corpus.recommendations)
    assert count.inner_text() == f"Showing all {total} recommendations."
    rec = corpus.recommendations[0]
    page.locator("#q-filter-text").press_sequentially(rec.id, delay=30)
    assert page.locator("#q-index tbody tr:not([hidden])").count() == 1  # the table follows every key
    assert count.inner_text() == f"Showing all {total} recommendations."  # the announcement waits
    playwright_api.expect(count).to_have_text(f"Showing 1 of {total} recommendations.")


def test_the_filter_form_does_not_push_the_table_down(visit, corpus):
    browsing = visit(375, 812)
    browsing.context.add_init_script(
        "window.__shifts = 0; new PerformanceObserver(list => { for (const entry of list.getEntries())"
        " { if (!entry.hadRecentInput) window.__shifts += entry.value; } })"
        ".observe({type: 'layout-shift', buffered: true});"
    )
    page = browsing.open("recommendations/")
    page.wait_for_timeout(300)
    assert page.locator("#q-filter").is_visible()
    assert page.evaluate("window.__shifts") < 0.05


@pytest.mark.parametrize("name", ALL_PAGES)
def test_no_page_scrolls_sideways_at_320_css_pixels(visit, corpus, name):
    """WCAG 1.4.10 Reflow: content fits 320 CSS pixels (1280 px at 400 % zoom) without scrolling sideways."""
    page = visit(320, 640).open(_page_path(corpus, name))
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"{name} is {overflow}px wider than a 320px screen"


def test_the_404_page_has_its_own_title_and_passes_axe(visit, corpus):
    from axe_playwright_python.sync_playwright import Axe

    page = visit().open("404.html")
    assert page.title() == f"Page not found - {SITE_NAME}"
    assert page.locator("h1").inner_text() == "Page not found"
    results = Axe().run(page)
    assert results.violations_count == 0, results.generate_report()


def test_french_titles_and_expansions_are_marked_french(site):
    topic = (site / "topics" / "risk-management" / "index.html").read_text(encoding="utf-8")
    assert re.search(r'<cite lang="fr">EBIOS', topic) and re.search(r'<cite lang="fr">MEHARI', topic)
    glossary = (site / "glossary" / "index.html").read_text(encoding="utf-8")
    assert re.search(r'lang="fr">Expression des Besoins', glossary)
    assert not re.search(r'lang="fr">Centre for Cyber Security Belgium', glossary)


def test_the_site_and_the_reports_count_the_same_recommendations(site, corpus):
    """The site once said 69 where the compendium said 65: both now count current ones and withdrawn ones apart."""
    current = sum(1 for r in corpus.recommendations if r.status != "withdrawn")
    withdrawn = len(corpus.recommendations) - current
    home = " ".join((site / "index.html").read_text(encoding="utf-8").split())
    assert f"{current} current recommendations and {withdrawn} withdrawn" in home
    governance = corpus.recommendations_for("governance")
    gov_current = sum(1 for r in governance if r.status != "withdrawn")
    assert f"{gov_current} current recommendations and {len(governance) - gov_current} withdrawn" in home
