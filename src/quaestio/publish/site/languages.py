"""One site per language: English at the root, the others in /fr/, /nl/ and /de/, built in parallel and linked.

Each language is an ordinary mkdocs build (Material's `theme.language`, its search `lang` and
`extra.alternate`, all within what Zensical supports). What does not depend on the language is done
once: the downloads are hashed once and published once, by the English site, which the other sites
link to. The builds run in forked processes, one per language; as each page is written, its language links
(the switcher and the `hreflang` alternates of its head) are pointed at the same page in each language;
afterwards each sitemap lists, for every address, the same page in the other languages.
"""

from __future__ import annotations

import gzip
import re
import shutil
from collections.abc import Callable, Mapping, Sequence
from functools import partial
from pathlib import Path
from urllib.parse import urlsplit

from quaestio.content.model import Corpus
from quaestio.publish.branding import Branding
from quaestio.publish.buildinfo import BuildInfo
from quaestio.publish.site.engine import (
    PageFinish,
    build_with_mkdocs,
    compile_theme,
    read_mkdocs_config,
    settings,
    with_fragments,
)
from quaestio.publish.site.pages import SiteGenerator
from quaestio.publish.site.shards import run_beside, workers
from quaestio.vocab import SOURCE_LANGUAGE

SEARCH_PLUGIN = "search"
_ALTERNATE = re.compile(r'href="([^"]*)" hreflang="([a-z]{2})"')
_SITEMAP_URL = re.compile(r"(<url>\s*<loc>)([^<]*)(</loc>.*?)(\s*</url>)", re.DOTALL)
_URLSET = '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"'
XHTML = "http://www.w3.org/1999/xhtml"


def prefix(language: str) -> str:
    """Where a language's site lies within the whole site: '' for English, 'fr/' for French."""
    return "" if language == SOURCE_LANGUAGE else f"{language}/"


def base_path(site_url: str) -> str:
    """The path of the site's root on its host: '/' or, for a project site, '/project/'."""
    path = urlsplit(site_url).path or "/"
    return path if path.endswith("/") else path + "/"


def language_settings(
    config: Path, language: str, languages: Sequence[str], names: Mapping[str, str], site_url: str
) -> dict[str, object]:
    """What a language's build changes in mkdocs.yml: theme language, search language, alternates, address."""
    document = read_mkdocs_config(config)
    theme = {**document.get("theme", {}), "language": language}
    plugins = []
    for item in document.get("plugins", []):
        name = item if isinstance(item, str) else next(iter(item))
        if name == SEARCH_PLUGIN:
            options = {} if isinstance(item, str) else dict(item[name] or {})
            item = {name: {**options, "lang": [language]}}
        plugins.append(item)
    root = base_path(site_url)
    alternates = [{"name": names[other], "link": root + prefix(other), "lang": other} for other in languages]
    return {
        "theme": theme,
        "plugins": plugins,
        "extra": {**(document.get("extra") or {}), "alternate": alternates},
        "site_url": site_url.rstrip("/") + "/" + prefix(language),
    }


Job = tuple[SiteGenerator, dict[str, object], Path, Path]
"""A language's build: its generator, its settings, a scratch folder for its pages, and where its site goes."""


def _build(job: Job, config: Path, info: BuildInfo, finish: PageFinish | None) -> None:
    generator, extra, folder, site = job
    docs, fragments = folder / "docs", folder / "fragments.json"
    generator.write(docs, fragments)
    build_with_mkdocs(config, docs, site, with_fragments(config, extra, fragments), info, finish)


def build_languages(
    corpus: Corpus,
    info: BuildInfo,
    branding: Branding,
    config: Path,
    out: Path,
    downloads: Path,
    scratch: Path,
    finish: PageFinish | None = None,
) -> None:
    """Build the site of every language of the corpus into `out` (English) and `out/<language>`; `finish` is done
    to every page, after its language links (see build_with_mkdocs)."""
    languages = [language.value for language in corpus.languages]
    english = SiteGenerator(corpus, info, branding, downloads)
    generators = [english] + [
        SiteGenerator(corpus, info, branding, downloads, language, english.checksums) for language in languages[1:]
    ]
    names: Mapping[str, str] = english.wording["languages"]  # type: ignore[assignment]
    site_url = str(branding["site_url"])
    english.compile_templates(scratch)
    jobs: list[Job] = []
    for generator in generators:
        own = settings(branding.localised(generator.language), generator.wording, info, generator.nav)
        switcher = language_settings(config, generator.language, languages, names, site_url)
        extra = {**own, **switcher, "extra": {**own["extra"], **switcher["extra"]}}  # type: ignore[dict-item]
        folder = scratch / generator.language
        jobs.append((generator, extra, folder, out if generator is english else folder / "site"))
    compile_theme(config, jobs[0][1], scratch / "theme", languages)
    _run(jobs, config, info, linked_pages(languages, site_url, finish))
    for generator, _, _, site in jobs[1:]:
        shutil.move(str(site), str(out / generator.language))
    for language in languages:
        _sitemap(out / prefix(language), language, languages, site_url, info)


def _run(jobs: Sequence[Job], config: Path, info: BuildInfo, finish: PageFinish | None) -> None:
    """Build the first job here and the others in forked processes (in turn, where fork is missing)."""
    if workers() == 1:
        for job in jobs:
            _build(job, config, info, finish)
        return
    run_beside(
        lambda: _build(jobs[0], config, info, finish),
        [(f"{job[0].language}: ", partial(_build, job, config, info, finish)) for job in jobs[1:]],
    )


def linked_pages(languages: Sequence[str], site_url: str, finish: PageFinish | None) -> PageFinish:
    """A page's finishing: its language links (the switcher and the alternates of its head) pointed at the same
    page in each language, then `finish`."""
    root = base_path(site_url)
    roots = {root + prefix(language): language for language in languages}

    def linked(html: str, path: str) -> str:
        html = _ALTERNATE.sub(_same_page(path, roots), html)
        return finish(html, path) if finish is not None else html

    return linked


def _same_page(path: str, roots: Mapping[str, str]) -> Callable[[re.Match[str]], str]:
    """A replacement that points a language link at the same page (path) under that language's root."""

    def replace(match: re.Match[str]) -> str:
        root = match.group(1)
        return f'href="{root + path if root in roots else root}" hreflang="{match.group(2)}"'

    return replace


def _sitemap(site: Path, language: str, languages: Sequence[str], site_url: str, info: BuildInfo) -> None:
    sitemap = site / "sitemap.xml"
    if not sitemap.is_file():
        return
    base = site_url.rstrip("/") + "/"
    own = base + prefix(language)

    def alternates(match: re.Match[str]) -> str:
        path = match.group(2)[len(own) :] if match.group(2).startswith(own) else ""
        targets = [(other, f"{base}{prefix(other)}{path}") for other in languages] + [("x-default", base + path)]
        links = "".join(
            f'\n         <xhtml:link rel="alternate" hreflang="{other}" href="{href}"/>' for other, href in targets
        )
        return match.group(1) + match.group(2) + match.group(3) + links + match.group(4)

    text = sitemap.read_text(encoding="utf-8")
    text = _SITEMAP_URL.sub(alternates, text).replace(_URLSET, f'{_URLSET} xmlns:xhtml="{XHTML}"', 1)
    sitemap.write_text(text, encoding="utf-8")
    compressed = site / "sitemap.xml.gz"
    with (
        open(compressed, "wb") as stream,
        gzip.GzipFile(fileobj=stream, filename=str(compressed), mode="wb", mtime=info.source_date_epoch) as archive,
    ):
        archive.write(text.encode("utf-8"))
