"""The theme's menus rendered once per folder for the pages outside the menu, instead of once per page.

Material writes the whole menu (every topic and audience) and the tabs into every page, which costs more
than the page's own content. On a page the menu does not list (a recommendation, an edition), nothing in
them is marked as the current page, and their links, relative to the page, are the same for every page
in the same folder: the HTML of the first is the HTML of all. Pages the menu lists, or under whose folder
it links, are rendered as usual.
"""

from __future__ import annotations

import posixpath
from collections.abc import Callable, Iterator
from typing import Any

import jinja2

MENU_TEMPLATES = ("partials/nav.html", "partials/tabs.html")


def share_menus(environment: jinja2.Environment) -> None:
    """Make the menu templates of this (one build's) environment render once per folder for unlisted pages."""
    for name in MENU_TEMPLATES:
        try:
            template = environment.get_template(name)
        except jinja2.TemplateNotFound:
            continue
        template.root_render_func = _once_per_folder(template.root_render_func)


def _once_per_folder(render: Callable[[Any], Iterator[str]]) -> Callable[[Any], Iterator[str]]:
    rendered: dict[str, str] = {}
    listed: dict[int, frozenset[str]] = {}

    def render_shared(context: Any) -> Iterator[str]:  # jinja2's Context
        folder = _folder(context, listed)
        if folder is None:
            yield from render(context)
            return
        if folder not in rendered:
            rendered[folder] = "".join(render(context))
        yield rendered[folder]

    return render_shared


def _folder(context: Any, listed: dict[int, frozenset[str]]) -> str | None:
    """The folder of a page outside the menu, which names its rendering; None for a page to render as usual."""
    page, nav = context.get("page"), context.get("nav")
    if page is None or nav is None or not page.url or page.url.startswith(("/", ".")) or "//" in page.url:
        return None
    if id(nav) not in listed:
        listed[id(nav)] = _listed(nav)
    if page.url in listed[id(nav)]:
        return None
    return posixpath.dirname(page.url.rstrip("/")) + "/"


def _listed(nav: Any) -> frozenset[str]:  # mkdocs' Navigation
    """The addresses of the pages the menu lists and every folder above the things it links to."""
    found = set(_urls(nav.items))
    for url in list(found):
        parts = url.rstrip("/").split("/")
        found.update("/".join(parts[:depth]) + "/" for depth in range(1, len(parts)))
    return frozenset(found)


def _urls(items: Any) -> Iterator[str]:
    for item in items:
        if getattr(item, "url", None) is not None:
            yield str(item.url)
        yield from _urls(getattr(item, "children", None) or ())
