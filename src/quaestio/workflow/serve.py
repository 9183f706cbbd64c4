"""Live preview: serve the website on 127.0.0.1, rebuild it when content changes, show findings on the page."""

from __future__ import annotations

import contextlib
import copy
import html
import http.server
import json
import logging
import os
import re
import shutil
import signal
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from stat import S_ISREG
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, unquote, urlsplit

from watchdog import events
from watchdog.events import FileSystemEvent, FileSystemEventHandler

from quaestio.findings import Code, Finding, Severity, finding, format_text
from quaestio.publish.buildinfo import BuildInfo
from quaestio.publish.site.compiled import CompiledTemplates

if TYPE_CHECKING:  # for the annotations only: the functions below import the pipeline where they use it
    from quaestio.pipeline import Checked

HOST = "127.0.0.1"
STATUS_PATH = "/__quaestio__/status"
WAIT_PATH = "/__quaestio__/wait"  # answers when a build newer than the page's is ready (long polling)
WAIT_SECONDS = 25.0
THEME_ASSETS = ("/assets/javascripts/", "/assets/stylesheets/")
WATCHED = ("topics", "recommendations", "translations", "catalogs", "schemas", "templates", "mkdocs.yml")
CONTENT_FOLDERS = ("topics/", "recommendations/")
SETTLE_SECONDS = 0.02  # after a file event, so that an editor's write is complete
# After a quick pass the browser loads the edited page first: bringing the other pages up to date (which takes
# Python's one lock for seconds) waits until the site was shown and no page or file was asked for this long.
QUIET_SECONDS = 0.5
HISTORY = 64  # builds remembered to tell an open page whether it changed

Builder = Callable[[Path, Path], tuple[Finding, ...]]
"""Builds the site of a repository into a fresh folder; returns the findings. Raises to report a failure."""


def build_preview(root: Path, out: Path) -> tuple[Finding, ...]:
    """Validate the repository and, when it has no error, build its whole website into out."""
    from quaestio.pipeline import BuildError, check
    from quaestio.publish.buildinfo import build_info
    from quaestio.publish.site import build_site

    result = check(root)
    if result.corpus is None or result.branding is None:
        return result.findings
    built = root / "build"
    with tempfile.TemporaryDirectory(prefix="quaestio-downloads-") as empty:
        downloads = built if built.is_dir() else Path(empty)
        try:
            build_site(root, result.corpus, build_info(root, os.environ), result.branding, out, downloads)
        except BuildError as failure:
            return (*result.findings, finding("website", (1, 1), Code.SITE_BUILD, str(failure)))
    return result.findings


class IncrementalSite:
    """A Builder that rebuilds only what an edit affects, in two passes.

    The generated pages live in a folder kept between builds, and a page is written again only when its
    text changed; mkdocs then renders only the pages newer than their HTML ('dirty' build) into a copy of
    the last good site, made of hard links. When an edit changes only recommendations (not their topics,
    their list, the menu or the templates), the quick pass renders just their pages and the browser reloads;
    `finish` then renders every page, as a full build does, and brings the others up to date. Compiled
    templates, the theme's file list and the formatted references are kept between builds.
    """

    def __init__(self, scratch: Path):
        self.pages = scratch / "pages"
        self.fragments = scratch / "fragments.json"
        # An empty build folder: no reports or data to publish; its .cache/csl keeps the formatted references.
        self.downloads = scratch / "no-downloads"
        self.last: Path | None = None
        self.info: BuildInfo | None = None
        self._theme: dict[str, object] = {}
        self._shown: _Shown | None = None  # what the last site was built from
        self.unfinished: _Shown | None = None  # a quick pass's inputs, while the other pages may be out of date
        self.changed: frozenset[str] | None = None  # the pages (HTML files) the last build wrote; None: any
        self._search: list[dict] | None = None  # the last site's search index entries, once read or merged
        self._generated: Any = None  # the SiteGenerator of the last complete pass (wording, references, downloads)
        self._rendered: _Rendered | None = None  # mkdocs' configuration, files and menu of the last complete pass
        self._layer: Path | None = None  # the quick passes' pages shown over the last complete site, if any
        self.base: Path | None = None  # the complete site under the folder the last build wrote; None: it is one
        self._checked: Checked | None = None  # the last check, for the next to reuse
        self._checked_files: tuple[tuple[str, int, int], ...] | None = None  # the watched files it saw
        self._seen: tuple[tuple[str, int, int], ...] | None = None  # the watched files as the next build sees them

    def sources_seen(self, fingerprint: tuple[tuple[str, int, int], ...]) -> None:
        """Note the watched files' fingerprint (see `_fingerprint`) taken just before the next build."""
        self._seen = fingerprint

    def __call__(self, root: Path, out: Path) -> tuple[Finding, ...]:
        from quaestio.pipeline import collector_paused
        from quaestio.publish.buildinfo import build_info

        self.changed, self.base = None, None
        # What serve keeps in memory (two models, mkdocs' pages) makes a full garbage collection take longer than
        # a quick pass: collections wait until the edit is shown (the quick pass makes little garbage).
        with collector_paused():
            result = self._check(root)
            if result.corpus is None or result.branding is None:
                return result.findings
            # The revision and date a fresh build would stamp: a commit while serving changes them, and outside
            # git so does an edit (the content's newest file dates it).
            self.info = build_info(root, os.environ, self.info)
            shown = _Shown(result.corpus, result.branding, _configuration(root), result.findings)
            edited = self._edited(shown)
            if edited is not None and self.last is not None and self._rendered is not None and self._generated:
                self.unfinished = shown
                return (*result.findings, *self._quick(shown, edited, out))
        warnings = self._complete(shown, out) or ()
        self.unfinished = None
        return (*result.findings, *warnings)

    def _check(self, root: Path) -> Checked:
        """Check the repository again, reusing what the last check found in the files that did not change."""
        from quaestio.pipeline import recheck

        seen, self._seen = self._seen or _fingerprint(root), None
        before = self._checked_files  # None exactly when there is no last check to reuse
        changed = () if before is None else {entry[0] for entry in set(seen).symmetric_difference(before)}
        self._checked = recheck(root, self._checked, changed)
        self._checked_files = seen
        return self._checked

    def finish(self, out: Path, stop: Callable[[], bool]) -> tuple[Finding, ...] | None:
        """Bring every page of the last quick pass's site up to date in out; None when stopped (by an edit)."""
        shown = self.unfinished
        if shown is None:
            return None
        warnings = self._complete(shown, out, stop)
        if warnings is None:
            return None
        self.unfinished = None
        return (*shown.findings, *warnings)

    def _edited(self, shown: _Shown) -> tuple[Any, ...] | None:
        """The recommendations an edit changed when nothing else did (a quick pass can show them), else None."""
        before = self.unfinished or self._shown
        if before is None or before.branding != shown.branding or before.configuration != shown.configuration:
            return None
        old, new = before.corpus, shown.corpus
        if (old.topics, old.catalogs, old.languages) != (new.topics, new.catalogs, new.languages):
            return None
        if [r.id for r in old.recommendations] != [r.id for r in new.recommendations]:
            return None
        if self._shown is None or self._settings(shown.branding, self._generated) != self._shown.settings:
            return None  # the quick pass renders with mkdocs' settings of the last complete pass (its footer...)
        return tuple(r for r, was in zip(new.recommendations, old.recommendations, strict=True) if r != was)

    def _settings(self, branding: Any, generator: Any) -> dict[str, object] | None:
        """What quaestio adds to mkdocs' configuration for a site of this branding and generator (None: none)."""
        from quaestio.publish.site.engine import settings

        if generator is None or self.info is None:
            return None
        return settings(branding, generator.wording, self.info, generator.nav)

    def _generator(self, shown: _Shown) -> Any:
        from quaestio.publish.site.pages import SiteGenerator

        root_downloads = shown.branding.templates.parent / "build"
        downloads = root_downloads if root_downloads.is_dir() else self.downloads
        self.downloads.mkdir(parents=True, exist_ok=True)
        return SiteGenerator(shown.corpus, self.info, shown.branding, downloads)  # type: ignore[arg-type]

    def _quick(self, shown: _Shown, edited: tuple[Any, ...], out: Path) -> tuple[Finding, ...]:
        """Render only the edited recommendations' pages, and have mkdocs build only them."""
        from quaestio.publish.site.pages import PageWriter, SiteContext
        from quaestio.publish.urls import recommendation_path

        assert self.info is not None, "the build's identity is read before the first build"
        last = self._generated.site  # what no recommendation changes (wording, references, downloads) is reused
        site = SiteContext(
            shown.corpus, self.info, last.branding, last.wording, last.downloads, last.references, last.language
        )
        writer = PageWriter(site, self._generated.templates, self.pages)
        for item in edited:
            writer.page(recommendation_path(item.id), "pages/recommendation.md.j2", r=item)
        writer.fragments.save(self.fragments)
        only = sorted(f.relative_to(self.pages).as_posix() for f in writer.files)
        return self._layered(out, only)

    def _layered(self, out: Path, only: list[str]) -> tuple[Finding, ...]:
        """Have mkdocs render the pages of `only` (paths in the pages folder) with the configuration, files and
        menu of the last complete pass, into out: a layer of those pages (and the earlier quick passes') that the
        server shows over the last complete site."""
        from mkdocs.commands.build import _build_page, _populate_page

        from quaestio.publish.site.engine import _build_environment, _environment

        rendered, info, last = self._rendered, self.info, self.last
        assert rendered is not None and info is not None and last is not None, "a complete pass came first"
        out.mkdir(parents=True)
        if self._layer is not None:
            shutil.copytree(self._layer, out, dirs_exist_ok=True, copy_function=_link_or_copy)
        collector = _Warnings()
        logger = logging.getLogger("mkdocs")
        logger.addHandler(collector)
        written: set[str] = set()
        try:
            with _environment(_build_environment(info)), _writes_into(out, Path(rendered.config.site_dir), written):
                for name in only:
                    file = rendered.files.get_file_from_path(name)
                    if file is None or file.page is None:
                        raise LookupError(f"{name} is not a page of the last complete build")
                    _populate_page(file.page, rendered.config, rendered.files)
                    _build_page(file.page, rendered.config, rendered.pages, rendered.nav, rendered.env)
        except Exception as failure:  # noqa: BLE001 - mkdocs raises its own and its plugins' errors alike
            collector.messages.append(str(failure))
        finally:
            logger.removeHandler(collector)
        if collector.messages:
            shutil.rmtree(out, ignore_errors=True)  # the last site stays shown, with the findings
        else:
            self._layer, self.base, self.changed = out, last, frozenset(written)
        return tuple(finding("website", (1, 1), Code.SITE_BUILD, message) for message in collector.messages)

    def _complete(self, shown: _Shown, out: Path, stop: Callable[[], bool] | None = None) -> tuple[Finding, ...] | None:
        """Render every page (writing those whose text changed) and have mkdocs build the changed ones; None
        when stop() became true while rendering (the pages written so far wait for the next pass)."""
        generator = self._generator(shown)
        stopped = threading.Event()
        everything = shown.corpus.recommendations
        recommendations = everything if stop is None else _Until(everything, stop, stopped)
        made = generator.write(self.pages, self.fragments, recommendations)
        if stopped.is_set():
            return None
        for stale in {f for f in self.pages.rglob("*") if f.is_file()} - made:
            stale.unlink()
        configured = self._settings(shown.branding, generator)
        # Pages mkdocs does not render again keep the menu and footer they were rendered with.
        kept = self._shown is not None and self._shown.settings == configured
        warnings = self._mkdocs(shown, configured, out, dirty=kept and self.last is not None)
        self._shown = replace(shown, settings=configured)
        self._generated, self.base = generator, None
        if self.last == out:  # the quick passes' pages are part of it
            self._layer = None
        return warnings

    def _mkdocs(self, shown: _Shown, configured: Any, out: Path, dirty: bool) -> tuple[Finding, ...]:
        """Build the site into out: all pages, or (dirty) those newer than their HTML in a copy of the last site.
        mkdocs' configuration, files and menu are kept for the quick passes."""
        from mkdocs.commands.build import build
        from mkdocs.config import load_config

        from quaestio.publish.site.engine import (
            _build_environment,
            _environment,
            config_path,
            with_fragments,
        )

        info = self.info
        assert info is not None, "the build's identity is read before the first build"
        config = config_path(shown.branding)
        extra: dict[str, Any] = with_fragments(config, configured, self.fragments)
        last = self.last if dirty and self.last is not None and (self.last / "index.html").is_file() else None
        if last is not None:
            shutil.copytree(last, out, copy_function=_link_or_copy)
        collector = _Warnings()
        logger = logging.getLogger("mkdocs")
        logger.addHandler(collector)
        written: set[str] = set()
        self._rendered = None
        try:
            with (
                _environment(_build_environment(info)),
                _writes_kept_apart(out, written),
                _kept_for_quick_passes() as rendered,
            ):
                loaded = load_config(
                    str(config), docs_dir=str(self.pages), site_dir=str(out), strict=False, **copy.deepcopy(extra)
                )
                self._keep_theme(loaded)
                build(loaded, dirty=last is not None)
            self._rendered = rendered.get("kept")
            if last is not None:
                self._search = _merge_search_index(self._search or _search_entries(last), out, written)
            else:
                self._search = None  # read from the site's file when a dirty build needs it
        except Exception as failure:  # noqa: BLE001 - mkdocs raises its own and its plugins' errors alike
            collector.messages.append(str(failure))
            self._search = None
        finally:
            logger.removeHandler(collector)
        if (out / "index.html").is_file():
            self.last = out
        if self._layer is not None:  # the quick passes' pages, rendered again: shown already if they are the same
            written -= {name for name in written if _same_file(out / name, self._layer / name)}
        self.changed = frozenset(written) if last is not None else None
        return tuple(finding("website", (1, 1), Code.SITE_BUILD, message) for message in collector.messages)

    def _keep_theme(self, loaded: Any) -> None:  # mkdocs' loaded configuration
        """Reuse one template environment, with its compiled templates and its file list, across builds."""
        theme = loaded.theme
        key = repr(theme.dirs)
        if self._theme.get("key") != key:
            environment = theme.get_env()
            environment.bytecode_cache = CompiledTemplates()
            listed = environment.list_templates
            known: list[list[str]] = []

            def list_templates(extensions: Any = None, filter_func: Any = None) -> list[str]:
                # The theme's thousands of files (icons) are listed once: they do not change while serving.
                if not known:
                    known.append(listed(extensions=extensions, filter_func=filter_func))
                return known[0]

            environment.list_templates = list_templates
            self._theme = {"key": key, "env": environment}
        theme.get_env = lambda: self._theme["env"]


@dataclass(frozen=True)
class _Shown:
    """What a site is built from: the model, the branding, the other watched files' state, and what quaestio
    added to mkdocs' configuration (menu, footer)."""

    corpus: Any  # quaestio.content.model.Corpus, imported when the first build needs it
    branding: Any
    configuration: tuple[tuple[str, int, int], ...]
    findings: tuple[Finding, ...]
    settings: dict[str, object] | None = None


def _build_failure(failure: Exception) -> Finding:
    """A failed build as a finding: at the template's line when a template of templates/ failed."""
    from quaestio.publish.render import template_fault

    fault = template_fault(failure)
    if fault is None:
        return finding("website", (1, 1), Code.SITE_BUILD, f"the website could not be built: {failure}")
    return finding(fault.file, (fault.line, 1), Code.SITE_BUILD, f"the template failed: {fault.reason}", fault.hint)


def _configuration(root: Path) -> tuple[tuple[str, int, int], ...]:
    """The state of the watched files that are not content (templates, schemas, mkdocs.yml)."""
    return _fingerprint(root, tuple(name for name in WATCHED if f"{name}/" not in CONTENT_FOLDERS))


class _Until:
    """The items of a sequence, until stop() says to end early (then `stopped` is set)."""

    def __init__(self, items: Any, stop: Callable[[], bool], stopped: threading.Event):
        self.items, self.stop, self.stopped = items, stop, stopped

    def __iter__(self) -> Iterator[Any]:
        for item in self.items:
            if self.stop():
                self.stopped.set()
                return
            yield item


@dataclass(frozen=True)
class _Rendered:
    """What mkdocs' build made before writing pages, kept to render a few pages again without it."""

    config: Any  # mkdocs.config.defaults.MkDocsConfig, after the plugins' changes
    files: Any  # mkdocs.structure.files.Files
    pages: Any  # the documentation pages' files, as the build passed them to each page
    nav: Any  # mkdocs.structure.nav.Navigation
    env: Any  # the theme's jinja2.Environment


@contextmanager
def _kept_for_quick_passes() -> Iterator[dict[str, _Rendered]]:
    """While mkdocs builds: note its configuration, files, menu and template environment as it renders its pages
    (under the key 'kept' of the dictionary given)."""
    from mkdocs.commands import build as module

    kept: dict[str, _Rendered] = {}
    get_navigation, build_page = module.get_navigation, module._build_page
    files: list[Any] = []

    def navigation(found: Any, config: Any) -> Any:
        files.append(found)
        return get_navigation(found, config)

    def page(page: Any, config: Any, doc_files: Any, nav: Any, env: Any, *args: Any, **kwargs: Any) -> None:
        if "kept" not in kept and files:
            kept["kept"] = _Rendered(config, files[-1], doc_files, nav, env)
        build_page(page, config, doc_files, nav, env, *args, **kwargs)

    module.get_navigation, module._build_page = navigation, page  # type: ignore[assignment]
    try:
        yield kept
    finally:
        module.get_navigation, module._build_page = get_navigation, build_page


@contextmanager
def _writes_into(layer: Path, site: Path, written: set[str]) -> Iterator[None]:
    """While mkdocs renders pages of the site in folder `site`: write them into the layer instead, noted in
    `written` (the site, still served, stays as it was)."""
    from mkdocs import utils

    write_file = utils.write_file

    def write(content: bytes, output_path: str) -> None:
        name = Path(output_path).relative_to(site).as_posix()
        written.add(name)
        with contextlib.suppress(FileNotFoundError):
            os.unlink(layer / name)  # a link to an earlier layer's file, still shown
        write_file(content, str(layer / name))

    utils.write_file = write
    try:
        yield
    finally:
        utils.write_file = write_file


def _same_file(one: Path, other: Path) -> bool:
    """Whether two files exist and hold the same bytes."""
    return one.is_file() and other.is_file() and one.read_bytes() == other.read_bytes()


@contextmanager
def _writes_kept_apart(site: Path, written: set[str]) -> Iterator[None]:
    """While mkdocs builds into a copy of the last site made of hard links: every file it writes replaces the link
    (the last site, still served, stays as it was) and is noted in `written`."""
    from mkdocs import utils

    write_file, copy_file = utils.write_file, utils.copy_file

    def unlinked(path: str) -> None:
        written.add(Path(path).relative_to(site).as_posix())
        with contextlib.suppress(FileNotFoundError):
            os.unlink(path)

    def write(content: bytes, output_path: str) -> None:
        unlinked(output_path)
        write_file(content, output_path)

    def copy_to(source_path: str, output_path: str) -> None:
        unlinked(output_path)
        copy_file(source_path, output_path)

    utils.write_file, utils.copy_file = write, copy_to
    try:
        yield
    finally:
        utils.write_file, utils.copy_file = write_file, copy_file


SEARCH_INDEX = "search/search_index.json"


def _search_entries(site: Path) -> list[dict] | None:
    """The entries of a site's search index; None when it has none."""
    index_file = site / SEARCH_INDEX
    return json.loads(index_file.read_text(encoding="utf-8"))["docs"] if index_file.is_file() else None


def _merge_search_index(previous: list[dict] | None, site: Path, written: set[str]) -> list[dict] | None:
    """The search index of a dirty build holds only the pages it built: add the other pages' entries from the
    last site's, in the order of the pages in the sitemap (the order a full build gives); returns the entries."""
    index_file = site / SEARCH_INDEX
    if not index_file.is_file() or previous is None:
        return None
    index = json.loads(index_file.read_text(encoding="utf-8"))
    built = {page.removesuffix("index.html") for page in written if page.endswith(".html")}
    entries = [e for e in previous if _page_address(e["location"]) not in built] + list(index["docs"])
    order = {page: i for i, page in enumerate(_sitemap_pages(site))}
    position = {id(e): i for i, e in enumerate(entries)}
    kept = [e for e in entries if _page_address(e["location"]) in order]
    kept.sort(key=lambda e: (order[_page_address(e["location"])], position[id(e)]))
    index["docs"] = kept
    # Written as Material's search plugin writes it.
    index_file.unlink()
    index_file.write_bytes(json.dumps(index, separators=(",", ":"), default=str).encode("utf-8"))
    return kept


def _page_address(location: str) -> str:
    """'recommendations/X/#why' -> 'recommendations/X/'."""
    return location.split("#", 1)[0]


def _sitemap_pages(site: Path) -> list[str]:
    """The addresses of the site's pages, relative to its root, in the order mkdocs lists them."""
    text = (site / "sitemap.xml").read_text(encoding="utf-8")
    locations = re.findall(r"<loc>([^<]*)</loc>", text)
    base = locations[0] if locations else ""  # the home page comes first
    return [html.unescape(loc)[len(base) :] for loc in locations]


class _Warnings(logging.Handler):
    """mkdocs' warnings during a preview build, but the one saying that the build is incremental."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        message = record.getMessage()
        if "'dirty' build" not in message:
            self.messages.append(message)


def _link_or_copy(source: str, target: str) -> None:
    """Hard-link the last site's files (mkdocs replaces those it writes); copy the compressed sitemap, which it
    rewrites in place."""
    if source.endswith(".gz"):
        shutil.copy2(source, target)
    else:
        try:
            os.link(source, target)
        except OSError:
            shutil.copy2(source, target)


def _fingerprint(root: Path, names: tuple[str, ...] = WATCHED) -> tuple[tuple[str, int, int], ...]:
    """Name, size and modification time of every watched file (of those named): any edit changes it."""
    entries = []
    for name in names:
        base = root / name
        if base.is_file():
            with contextlib.suppress(OSError):
                stat = base.stat()
                entries.append((name, stat.st_size, stat.st_mtime_ns))
        for folder, _, files in os.walk(base):
            prefix = Path(folder).relative_to(root).as_posix() + "/"
            for file in files:
                try:
                    stat = os.stat(os.path.join(folder, file))
                except OSError:
                    continue
                if S_ISREG(stat.st_mode):
                    entries.append((prefix + file, stat.st_size, stat.st_mtime_ns))
    return tuple(sorted(entries))


@dataclass(frozen=True)
class State:
    """What the preview shows: the folder of the last good site, the last findings, a build counter."""

    site: Path | None
    findings: tuple[Finding, ...]
    generation: int
    building: bool
    finishing: bool = False  # after a quick pass: the pages an edit did not touch directly are being brought up to date
    base: Path | None = None  # when `site` holds only a quick pass's pages: the complete site shown under them


class Preview:
    """The site being previewed: rebuilt into a fresh folder, swapped in only when complete."""

    def __init__(self, root: Path, builder: Builder = build_preview, say: Callable[[str], None] | None = None):
        self.root = root
        self.builder = builder
        self.say = say or (lambda message: print(message, file=sys.stderr, flush=True))
        self.scratch = Path(tempfile.mkdtemp(prefix="quaestio-preview-"))
        self._lock = threading.Condition()
        self._state = State(None, (), 0, False)
        self._seen: tuple = ()
        self._last_busy = 0.0  # time.monotonic() when a site was last shown or a page or file of it served
        # generation -> the site's files it changed (None: any) and its findings, to tell a page whether to reload
        self._changes: dict[int, tuple[frozenset[str] | None, tuple[Finding, ...]]] = {}

    @property
    def state(self) -> State:
        with self._lock:
            return self._state

    def _set(self, **changes: Any) -> None:
        with self._lock:
            self._state = replace(self._state, **changes)
            self._lock.notify_all()

    def wait_for_build(self, after: int, timeout: float = WAIT_SECONDS) -> State:
        """The state once a build newer than generation `after` is complete, or the current one after timeout."""
        with self._lock:
            self._lock.wait_for(lambda: self._state.generation != after and not self._state.building, timeout)
            return self._state

    def served(self) -> None:
        """Note that a page or file of the site is being served (finishing waits until none has been a while)."""
        self._last_busy = time.monotonic()

    def quiet(self) -> bool:
        """Whether the site was shown and no page or file of it served for QUIET_SECONDS."""
        return time.monotonic() - self._last_busy >= QUIET_SECONDS

    def reload_needed(self, generation: int, page: str) -> bool:
        """Whether a page shown at `generation` (its address) differs now: its file or the findings changed."""
        with self._lock:
            current = self._state.generation
            if generation not in self._changes or any(g not in self._changes for g in range(generation + 1, current)):
                return True
            file = _page_file(page)
            for later in range(generation + 1, current + 1):
                files = self._changes[later][0] if later in self._changes else None
                if files is None or file in files:
                    return True
            return self._changes[generation][1] != self._state.findings

    def _publish(self, target: Path, findings: tuple[Finding, ...], changed: frozenset[str] | None) -> bool:
        """Show the site built into target (when it is complete, or a layer over a complete one) and the findings;
        True when the site was shown."""
        old, old_base = self.state.site, self.state.base
        base = getattr(self.builder, "base", None)
        complete = (target / "index.html").is_file() or (base is not None and target.is_dir())
        good = target if complete else None
        generation = self.state.generation + 1
        with self._lock:
            self._changes[generation] = (changed if good is not None else frozenset(), findings)
            self._changes.pop(generation - HISTORY, None)
        # The browser may reload now; the old folders are removed after, off the edit's path.
        if good is None:
            self._set(findings=findings, generation=generation, building=False)
            shutil.rmtree(target.parent, ignore_errors=True)
            return False
        self._set(site=good, base=base, findings=findings, generation=generation, building=False)
        self.served()
        for folder in {old, old_base} - {None, good, base}:  # in the background: thousands of folders take a while
            threading.Thread(target=shutil.rmtree, args=(folder.parent, True), daemon=True).start()  # type: ignore[union-attr]
        return True

    def rebuild(self, seen: tuple | None = None) -> State:
        """Build until the sources stay still during a whole build; keep the last good site on failure. `seen`:
        the watched files' fingerprint, when the caller has just taken it."""
        self._set(building=True)
        try:
            while True:
                before = seen or _fingerprint(self.root)
                seen = None
                target = Path(tempfile.mkdtemp(prefix="site-", dir=self.scratch)) / "site"
                note = getattr(self.builder, "sources_seen", None)
                if note is not None:
                    note(before)
                try:
                    findings = tuple(self.builder(self.root, target))
                except Exception as failure:  # noqa: BLE001 - the preview must survive whatever a build does
                    findings = (_build_failure(failure),)
                after = _fingerprint(self.root)
                if after == before:
                    break
                self.say("quaestio serve: files changed during the build; building again")
                shutil.rmtree(target.parent, ignore_errors=True)
            self._seen = after
            built = self._publish(target, findings, getattr(self.builder, "changed", None))
            self._report(findings, built)
        finally:
            self._set(building=False, finishing=getattr(self.builder, "unfinished", None) is not None)
        return self.state

    def finish(self, stop: Callable[[], bool] = lambda: False) -> None:
        """After a quick pass, render every page as a full build does and show the pages that differ; given up
        when stop() becomes true (an edit came: it is built first, and this is done again after it)."""
        finish = getattr(self.builder, "finish", None)
        if finish is None or getattr(self.builder, "unfinished", None) is None:
            return
        self._set(finishing=True)
        try:
            target = Path(tempfile.mkdtemp(prefix="site-", dir=self.scratch)) / "site"
            try:
                findings = finish(target, stop)
            except Exception as failure:  # noqa: BLE001 - the preview must survive whatever a build does
                self.builder.unfinished = None  # type: ignore[attr-defined]
                findings = (*self.state.findings, _build_failure(failure))
            if findings is None or self.changed():
                shutil.rmtree(target.parent, ignore_errors=True)
                return
            changed = getattr(self.builder, "changed", None)
            if self._publish(target, findings, changed):
                pages = "every page" if changed is None else f"{sum(f.endswith('index.html') for f in changed)} page(s)"
                self.say(f"quaestio serve: the other pages brought up to date ({pages} rebuilt)")
        finally:
            self._set(finishing=getattr(self.builder, "unfinished", None) is not None)

    def _report(self, findings: tuple[Finding, ...], built: bool) -> None:
        if findings:
            self.say(format_text(findings))
        errors = sum(1 for f in findings if f.severity is Severity.ERROR)
        outcome = "site rebuilt" if built else "site NOT rebuilt; still showing the last good version"
        self.say(f"quaestio serve: {outcome} ({errors} error(s), {len(findings) - errors} warning(s))")

    def changed(self) -> bool:
        """Whether a watched file changed since the last build."""
        return _fingerprint(self.root) != self._seen

    def watch(self, stop: threading.Event, settle: float = SETTLE_SECONDS) -> None:
        """Rebuild whenever a watched file changes, told by the file system (watchdog), until stop is set."""
        from watchdog.observers import Observer

        edited = threading.Event()
        observer = Observer()
        for name in WATCHED:
            if (self.root / name).is_dir():
                observer.schedule(_Edits(edited), str(self.root / name), recursive=True, event_filter=_CHANGES)
        only = _Edits(edited, only=self.root / "mkdocs.yml")
        observer.schedule(only, str(self.root), recursive=False, event_filter=_CHANGES)
        observer.start()  # the watches are in place once this returns
        edited.set()  # so look once: an edit made since the last build, before they were, told none
        owed = False  # a quick pass left other pages to bring up to date
        try:
            while not stop.is_set():
                if edited.wait(0.2):
                    stop.wait(settle)
                    edited.clear()
                    now = _fingerprint(self.root)
                    if now != self._seen:  # reading files during a build makes events too
                        self.rebuild(now)
                        owed = True
                elif owed and self.quiet():
                    owed = False
                    self.finish(lambda: edited.is_set() or stop.is_set())
        finally:
            observer.stop()
            observer.join()

    def close(self) -> None:
        shutil.rmtree(self.scratch, ignore_errors=True)


# The events that tell of a change: the file system is not asked for those of files opened and closed unwritten,
# which reading the sources during a build makes by the thousand.
_CHANGES = [
    events.FileCreatedEvent,
    events.FileModifiedEvent,
    events.FileDeletedEvent,
    events.FileMovedEvent,
    events.FileClosedEvent,
    events.DirCreatedEvent,
    events.DirModifiedEvent,
    events.DirDeletedEvent,
    events.DirMovedEvent,
]


class _Edits(FileSystemEventHandler):
    """A watchdog handler that flags any change to the files it watches (one file, when `only` is given)."""

    def __init__(self, edited: threading.Event, only: Path | None = None):
        super().__init__()
        self.edited = edited
        self.only = str(only) if only else None

    def dispatch(self, event: FileSystemEvent) -> None:
        if event.event_type in ("opened", "closed_no_write"):
            return
        if self.only is None or self.only in (str(event.src_path), str(getattr(event, "dest_path", ""))):
            self.edited.set()


def _page_file(address: str) -> str:
    """The file of the site a page's address is served from: '/topics/x/' -> 'topics/x/index.html'."""
    path = unquote(address).lstrip("/")
    return path + "index.html" if path == "" or path.endswith("/") else path


def _folder_of(state: State, address: str) -> Path:
    """The folder a file of the site is served from: the quick passes' layer when it has the file, else the
    complete site under it."""
    assert state.site is not None
    if state.base is None or (state.site / _page_file(address)).is_file():
        return state.site
    return state.base


def _overlay(state: State) -> str:
    """The panel and script added to every page: findings, and a reload when a new build is ready."""
    items = "".join(
        f'<li class="q-{f.severity.value}"><code>{html.escape(f"{f.file}:{f.line}:{f.column}")}</code> '
        f"{f.severity.value}[{html.escape(f.code)}]: {html.escape(f.message)}"
        + (f"<br><small>hint: {html.escape(f.hint)}</small>" if f.hint else "")
        + "</li>"
        for f in state.findings
    )
    panel = (
        '<div id="quaestio-findings" role="status" style="position:fixed;bottom:0;left:0;right:0;max-height:40vh;'
        "overflow:auto;z-index:10000;background:#fff8e1;color:#222;border-top:3px solid #c62828;"
        'font:14px/1.4 sans-serif;padding:.5em 1em"><strong>quaestio: '
        f"{len(state.findings)} finding(s)</strong><ul>{items}</ul></div>"
        if state.findings
        else ""
    )
    # It reloads the page when a build changed it (or the findings); after other builds it waits on.
    script = (
        f"<script>(function(){{var g={state.generation};function w(){{"
        f"fetch('{WAIT_PATH}?generation='+g+'&page='+encodeURIComponent(location.pathname))"
        ".then(function(r){return r.json()}).then(function(s){"
        "if(s.generation!==g&&!s.building){if(s.reload){location.reload()}else{g=s.generation;w()}}else{w()}})"
        ".catch(function(){setTimeout(w,1000)})}"
        "w()})();</script>"
    )
    return panel + script


class _Handler(http.server.SimpleHTTPRequestHandler):
    preview: Preview

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, directory=str(self.preview.state.site or self.preview.scratch), **kwargs)

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - the base class's name
        pass  # the terminal shows findings and rebuilds, not every request

    def end_headers(self) -> None:
        if self.path.startswith(THEME_ASSETS):  # the theme's files carry their version in their names
            self.send_header("Cache-Control", "max-age=86400, immutable")
        super().end_headers()

    def do_GET(self) -> None:
        path = unquote(urlsplit(self.path).path)
        if path in (STATUS_PATH, WAIT_PATH):
            return self._answer(path)
        self.preview.served()
        try:
            self._serve(path)
        finally:
            self.preview.served()

    def _answer(self, path: str) -> None:
        """The preview's state as JSON; for the wait path, once a build newer than the page's is ready."""
        state = self.preview.state
        answer: dict[str, object] = {}
        if path == WAIT_PATH:
            query = parse_qs(urlsplit(self.path).query)
            after = query.get("generation", [""])[0]
            shown = int(after) if after.isdigit() else -1
            state = self.preview.wait_for_build(shown)
            answer["reload"] = self.preview.reload_needed(shown, query.get("page", ["/"])[0])
        body = json.dumps(
            {
                "generation": state.generation,
                "building": state.building,
                "finishing": state.finishing,
                "findings": [f.as_dict() for f in state.findings],
                **answer,
            }
        ).encode()
        return self._send(200, "application/json", body)

    def _serve(self, path: str) -> None:
        """A page (with the findings panel and the reload script) or a file of the site shown."""
        state = self.preview.state
        if state.site is None:
            message = "<h1>No preview yet</h1><p>The content has errors; fix them and the page reloads.</p>"
            return self._send(503, "text/html; charset=utf-8", self._page(message, state))
        self.directory = str(_folder_of(state, path))
        page = self._html_file(Path(self.directory), path)
        if page is None:
            return super().do_GET()
        return self._send(
            200, "text/html; charset=utf-8", self._page(page.read_bytes().decode("utf-8", errors="replace"), state)
        )

    def _html_file(self, site: Path, path: str) -> Path | None:
        candidate = (site / path.lstrip("/")).resolve()
        if site.resolve() not in (candidate, *candidate.parents):
            return None
        if candidate.is_dir():
            if not path.endswith("/"):
                return None  # the base class redirects to the folder with a slash
            candidate = candidate / "index.html"
        return candidate if candidate.suffix == ".html" and candidate.is_file() else None

    @staticmethod
    def _page(text: str, state: State) -> bytes:
        overlay = _overlay(state)
        if "</body>" in text:
            head, _, tail = text.rpartition("</body>")
            return f"{head}{overlay}</body>{tail}".encode()
        return f"<!doctype html><html><body>{text}{overlay}</body></html>".encode()

    def _send(self, status: int, content_type: str, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(body)


class _Server(http.server.ThreadingHTTPServer):
    def handle_error(self, request: object, client_address: object) -> None:
        if not isinstance(sys.exc_info()[1], ConnectionError):  # a page left while it waited for a build
            super().handle_error(request, client_address)  # type: ignore[arg-type]


def make_server(preview: Preview, port: int) -> http.server.ThreadingHTTPServer:
    """An HTTP server on 127.0.0.1 that serves the preview's current site (port 0: any free port)."""
    handler = type("PreviewHandler", (_Handler,), {"preview": preview})
    server = _Server((HOST, port), handler)
    server.daemon_threads = True
    return server


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def serve(root: Path, port: int, say: Callable[[str], None] | None = None) -> None:
    """Build, serve and watch until interrupted (Ctrl-C or SIGTERM); OSError when the port cannot be opened."""
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, _interrupt)
    preview = Preview(root, say=say)
    preview.builder = IncrementalSite(preview.scratch)
    stop = threading.Event()
    try:
        server = make_server(preview, port)
        preview.say(f"quaestio serve: building the preview of {root.resolve()} ...")
        preview.rebuild()
        watcher = threading.Thread(target=preview.watch, args=(stop,), daemon=True)
        watcher.start()
        preview.say(f"quaestio serve: http://{HOST}:{server.server_address[1]}/ (Ctrl-C to stop)")
        try:
            server.serve_forever(poll_interval=0.25)
        except KeyboardInterrupt:
            preview.say("quaestio serve: stopped")
        finally:
            stop.set()
            server.server_close()
    finally:
        preview.close()
