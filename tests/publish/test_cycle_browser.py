"""The yearly cycle's pages in a real browser: the follow-up dashboard's filter, its list complete without
JavaScript, axe-core on the dashboard, the changelog and the edition pages, and no sideways scrolling on a
phone."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from publish.test_site_browser import Visit
from quaestio.content.editions import current_edition, editions
from quaestio.publish.followup_figures import FollowUpFigures
from support.static_host import serving

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def corpus(repository_build):
    return repository_build.corpus


@pytest.fixture(scope="module")
def built(repository_build) -> tuple[Path, str]:
    """The site for the repository's own content, and the date its figures are as at (conftest.py builds it)."""
    return repository_build.site, repository_build.info.date.isoformat()


@pytest.fixture(scope="module")
def base_url(built) -> Iterator[str]:
    with serving(built[0]) as url:
        yield url


@pytest.fixture
def visit(browser, base_url):
    visits: list[Visit] = []

    def make(width: int = 1280, height: int = 900) -> Visit:
        visits.append(Visit(browser, base_url, width, height))
        return visits[-1]

    yield make
    for item in visits:
        item.close()
    assert [url for item in visits for url in item.outside] == []


def cycle_pages(corpus) -> dict[str, str]:
    """One page of each kind the yearly cycle adds."""
    first = min(editions(corpus))
    topic = next(t for t in corpus.topics if t.first_edition == first)
    return {
        "dashboard": "follow-up/",
        "changelog": "changelog/",
        "editions": "editions/",
        "edition": f"editions/{first}/",
        "edition-topic": f"editions/{first}/topics/{topic.id}/",
        "current-edition": f"editions/{current_edition(corpus)}/",
    }


PAGES = ["dashboard", "changelog", "editions", "edition", "edition-topic", "current-edition"]


def test_the_dashboard_filter_narrows_by_topic_and_status_and_back(visit, corpus, built):
    fig = FollowUpFigures(corpus, built[1])
    total = len(fig.states)
    page = visit().open("follow-up/")
    rows = page.locator("#q-tracker tbody tr")
    visible = page.locator("#q-tracker tbody tr:not([hidden])")
    assert page.locator("#q-tracker-filter").is_visible()
    assert rows.count() == total
    topic = corpus.topics[0].id
    in_topic = [s for s in fig.states if s.recommendation.topic == topic]
    page.select_option("#q-tracker-topic", topic)
    assert visible.count() == len(in_topic)
    page.select_option("#q-tracker-status", "implemented")
    expected = [s.recommendation.id for s in in_topic if s.status == "implemented"]
    assert visible.locator("td:first-child").all_inner_texts() == expected
    assert page.locator("#q-tracker-count").inner_text() == f"Showing {len(expected)} of {total} recommendations."
    page.click("#q-tracker-filter button[type=reset]")
    page.wait_for_function(f"document.querySelectorAll('#q-tracker tbody tr:not([hidden])').length === {total}")


def test_the_dashboard_list_is_complete_without_javascript(browser, base_url, corpus, built):
    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(base_url + "follow-up/")
        ids = page.locator("#q-tracker tbody tr td:first-child").all_inner_texts()
        assert ids == [s.recommendation.id for s in FollowUpFigures(corpus, built[1]).states]
        assert not page.locator("#q-tracker-filter").is_visible()
    finally:
        context.close()


@pytest.mark.parametrize("name", PAGES)
def test_axe_core_reports_no_violation(visit, corpus, name):
    from axe_playwright_python.sync_playwright import Axe

    page = visit().open(cycle_pages(corpus)[name])
    assert page.locator("h1").count() == 1
    results = Axe().run(page)
    assert results.violations_count == 0, results.generate_report()


@pytest.mark.parametrize("name", PAGES)
def test_no_cycle_page_scrolls_sideways_on_a_phone(visit, corpus, name):
    page = visit(375, 812).open(cycle_pages(corpus)[name])
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"{name} is {overflow}px wider than a 375px screen"
