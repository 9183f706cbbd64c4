"""Build a large site on several cores: recommendation pages split between processes, outputs merged.

mkdocs builds one page at a time, and Material's page template alone costs a few milliseconds a page,
so 2,000 recommendations take about ten seconds in one process. Each extra process (forked, so it
shares the generator without pickling) writes and builds a share of the recommendation pages, with
stubs for the pages the menu names; the main process builds everything else. Their pages are moved
into the main output, and the search index and sitemap are merged in the order one mkdocs build
would have written them, so the result is the same, byte for byte, as a build in one process.
"""

from __future__ import annotations

import gzip
import json
import multiprocessing
import shutil
import xml.etree.ElementTree as ET
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from quaestio.content.model import Recommendation
from quaestio.processes import can_fork, cores
from quaestio.publish.buildinfo import BuildInfo
from quaestio.publish.render import template_fault
from quaestio.publish.site.engine import PageFinish, SiteBuildError, build_with_mkdocs, with_fragments
from quaestio.publish.site.pages import SiteGenerator, page_file
from quaestio.publish.urls import recommendation_path

PARALLEL_FROM = 300  # recommendations; below this, forking and merging cost more than they save
MAX_WORKERS = 4
# What the main process's other pages cost, in recommendation pages: the pages that list every
# recommendation (audiences, index, follow-up) about a quarter of one per recommendation, measured on the
# synthetic corpus of 2,000 recommendations; each other page (a topic's, an edition's) about 0.6 more,
# measured on the corpus at the real density (170 topics, 410 other pages).
OTHER_PAGES_WEIGHT = 0.25
OTHER_PAGE_WEIGHT = 0.6
SITEMAP_NAMESPACE = "http://www.sitemaps.org/schemas/sitemap/0.9"
_SITEMAP_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>\n'  # as mkdocs writes it


def workers() -> int:
    """How many processes a parallel build may use: the cores this process may run on, at most four."""
    return max(1, min(cores(), MAX_WORKERS)) if can_fork() else 1


def plan(recommendations: Sequence[Recommendation], count: int, other_pages: int = 0) -> list[list[Recommendation]]:
    """Split the recommendation pages into `count` shards; the first, for the main process, which also builds
    the `other_pages` (every page that is not a recommendation's), is the lighter."""
    total = len(recommendations)
    others = total * OTHER_PAGES_WEIGHT + other_pages * OTHER_PAGE_WEIGHT
    main = max(0, min(total, round((total + others) / count - others)))
    shards = [list(recommendations[:main])]
    rest = recommendations[main:]
    for index in range(count - 1):
        shards.append(list(rest[index * len(rest) // (count - 1) : (index + 1) * len(rest) // (count - 1)]))
    return shards


@dataclass(frozen=True)
class Shard:
    folder: Path
    recommendations: list[Recommendation]

    @property
    def site(self) -> Path:
        return self.folder / "site"


def _build(
    generator: SiteGenerator,
    config: Path,
    extra: dict[str, object],
    info: BuildInfo,
    shard: Shard,
    main: bool,
    site: Path,
    finish: PageFinish | None,
) -> None:
    docs, fragments = shard.folder / "docs", shard.folder / "fragments.json"
    generator.write(docs, fragments, shard.recommendations, main=main)
    build_with_mkdocs(config, docs, site, with_fragments(config, extra, fragments), info, finish)


def run_beside(main: Callable[[], None], others: Sequence[tuple[str, Callable[[], None]]]) -> None:
    """Run each of `others` in a forked process (named by its label in what it reports) while this process runs
    `main`; SiteBuildError naming what failed in any of them. A failure of `main` stops the others."""
    context = multiprocessing.get_context("fork")
    children = []
    for label, work in others:
        receive, send = context.Pipe(duplex=False)
        process = context.Process(target=_report_outcome, args=(label, work, send), daemon=True)
        process.start()
        send.close()
        children.append((process, receive))
    try:
        main()
    except BaseException:
        for process, _ in children:
            process.terminate()
        raise
    finally:
        failures = collect_outcomes(children)
    if failures:
        raise SiteBuildError("; ".join(failures))


def _report_outcome(label: str, work: Callable[[], None], report: Connection) -> None:
    try:
        work()
    except BaseException as failure:  # noqa: BLE001 - every failure goes back to the parent
        fault = template_fault(failure)
        report.send(f"{label}{fault or f'{type(failure).__name__}: {failure}'}")
    else:
        report.send(None)
    finally:
        report.close()


def build_in_parallel(
    generator: SiteGenerator,
    config: Path,
    extra: dict[str, object],
    info: BuildInfo,
    scratch: Path,
    out: Path,
    count: int,
    finish: PageFinish | None = None,
) -> None:
    """Build the site into `out` with `count` processes (this one included); `finish`: see build_with_mkdocs."""
    split = plan(generator.site.corpus.recommendations, count, generator.other_pages)
    shards = [Shard(scratch / f"shard-{i}", recs) for i, recs in enumerate(split)]
    run_beside(
        lambda: _build(generator, config, extra, info, shards[0], True, out, finish),
        [
            ("", partial(_build, generator, config, extra, info, shard, False, shard.site, finish))
            for shard in shards[1:]
        ],
    )
    merge(out, shards[1:], info)


def collect_outcomes(children: Sequence[tuple[Any, Any]]) -> list[str]:
    """Wait for each child build process and return what went wrong in each (its message, or how it ended)."""
    failures = []
    for process, receive in children:
        try:
            message = receive.recv()
        except EOFError:
            message = f"a build process ended with status {process.exitcode}"
        process.join()
        if message:
            failures.append(message)
    return failures


def _walk_order(docs_path: str) -> tuple:
    """Where mkdocs puts a page among all pages: folder by folder, files first, index files first."""
    *folders, name = docs_path.split("/")
    stem = name.rsplit(".", 1)[0]
    return (*((1, folder) for folder in folders), (0, (stem not in ("index", "README"), name)))


def _page_of(url: str, site_url: str = "") -> str:
    """The Markdown file of a page address: 'recommendations/X/#why' -> 'recommendations/X.md'."""
    path = url[len(site_url) :] if site_url and url.startswith(site_url) else url
    return page_file(path.split("#", 1)[0])


def merge(out: Path, shards: Sequence[Shard], info: BuildInfo) -> None:
    """Move the shards' recommendation pages into `out` and merge their search index and sitemap entries."""
    pages: set[str] = set()
    for shard in shards:
        for item in shard.recommendations:
            path = recommendation_path(item.id)
            target = out / path
            if target.exists():
                raise SiteBuildError(f"two build processes wrote {path}")
            shutil.move(str(shard.site / path), str(target))
            pages.add(page_file(path))
    _merge_search_index(out, shards, pages)
    _merge_sitemap(out, shards, pages, info)


def _merge_search_index(out: Path, shards: Sequence[Shard], pages: set[str]) -> None:
    index_file = out / "search" / "search_index.json"
    if not index_file.is_file():
        return
    index = json.loads(index_file.read_text(encoding="utf-8"))
    entries = list(index["docs"])
    for shard in shards:
        other = json.loads((shard.site / "search" / "search_index.json").read_text(encoding="utf-8"))
        entries += [e for e in other["docs"] if _page_of(e["location"]) in pages]
    order = {id(e): i for i, e in enumerate(entries)}
    entries.sort(key=lambda e: (_walk_order(_page_of(e["location"])), order[id(e)]))
    index["docs"] = entries
    # Written as Material's search plugin writes it.
    index_file.write_bytes(json.dumps(index, separators=(",", ":"), default=str).encode("utf-8"))


def _sitemap(file: Path) -> tuple[ET.Element, list[tuple[str, ET.Element]]]:
    """A sitemap this build's mkdocs wrote (trusted input), and its entries with their addresses."""
    root = ET.parse(file).getroot()
    entries = []
    for url in root.findall(f"{{{SITEMAP_NAMESPACE}}}url"):
        loc = url.findtext(f"{{{SITEMAP_NAMESPACE}}}loc")
        if not loc:
            raise SiteBuildError(f"{file.name} has an entry without an address (<loc>), so it cannot be merged")
        entries.append((loc.strip(), url))
    return root, entries


def _merge_sitemap(out: Path, shards: Sequence[Shard], pages: set[str], info: BuildInfo) -> None:
    sitemap = out / "sitemap.xml"
    if not sitemap.is_file():
        return
    root, entries = _sitemap(sitemap)
    if not entries:
        return
    # Whitespace as mkdocs' template leaves it: an indent before each entry, a line break after the last.
    indent, last_tail = root.text, entries[-1][1].tail
    site_url = entries[0][0]  # the home page comes first
    for shard in shards:
        entries += [
            (loc, url) for loc, url in _sitemap(shard.site / "sitemap.xml")[1] if _page_of(loc, site_url) in pages
        ]
    entries.sort(key=lambda entry: _walk_order(_page_of(entry[0], site_url)))
    root[:] = [url for _, url in entries]
    for _, url in entries:
        url.tail = indent
    root[-1].tail = last_tail
    merged = _SITEMAP_DECLARATION + ET.tostring(root, encoding="unicode", default_namespace=SITEMAP_NAMESPACE)
    sitemap.write_text(merged, encoding="utf-8")
    # Compressed as mkdocs does it: the same name in the header and the build's date as its time.
    compressed = out / "sitemap.xml.gz"
    with (
        open(compressed, "wb") as stream,
        gzip.GzipFile(fileobj=stream, filename=str(compressed), mode="wb", mtime=info.source_date_epoch) as archive,
    ):
        archive.write(merged.encode("utf-8"))
