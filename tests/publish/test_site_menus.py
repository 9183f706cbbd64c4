"""Which pages share their menu's rendering: those the menu does not list, by folder."""

from __future__ import annotations

from types import SimpleNamespace

import jinja2

from quaestio.publish.site.menus import _folder, share_menus


def _nav(*urls: str) -> SimpleNamespace:
    pages = [SimpleNamespace(url=url, children=None) for url in urls]
    return SimpleNamespace(items=[SimpleNamespace(url=None, children=pages)], pages=pages)


NAV = _nav("", "topics/access/", "editions/2025/changes/", "https://example.org/")


def _context(url: str | None) -> dict[str, object]:
    return {"page": None if url is None else SimpleNamespace(url=url), "nav": NAV}


def test_pages_outside_the_menu_share_by_folder() -> None:
    listed: dict[int, frozenset[str]] = {}
    assert _folder(_context("recommendations/ABC-01/"), listed) == "recommendations/"
    assert _folder(_context("recommendations/ABC-02/"), listed) == "recommendations/"
    assert _folder(_context("editions/2024/"), listed) == "editions/"


def test_pages_in_the_menu_or_above_its_links_render_their_own() -> None:
    listed: dict[int, frozenset[str]] = {}
    for url in ("", "topics/access/", "topics/", "editions/2025/", "editions/", None):
        assert _folder(_context(url), listed) is None, url


def test_a_shared_menu_is_rendered_once_per_folder() -> None:
    calls: list[str] = []
    environment = jinja2.Environment(
        loader=jinja2.DictLoader({"partials/nav.html": "{{ record(page.url) }}{{ page.url.split('/')[0] }}"})
    )
    environment.globals["record"] = lambda url: calls.append(url) or ""
    share_menus(environment)
    template = environment.get_template("partials/nav.html")
    pages = ["recommendations/A/", "recommendations/B/", "topics/access/", "topics/access/"]
    shown = [template.render(page=SimpleNamespace(url=url), nav=NAV) for url in pages]
    assert shown == ["recommendations", "recommendations", "topics", "topics"]
    assert calls == ["recommendations/A/", "topics/access/", "topics/access/"]
