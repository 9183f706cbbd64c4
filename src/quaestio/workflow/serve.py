"""Live preview: serve the website on 127.0.0.1, rebuild it when content changes, show findings on the page."""

from __future__ import annotations

import copy
import html
import http.server
import json
import logging
import os
import shutil
import signal
import sys
import tempfile
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from watchdog.events import FileSystemEvent, FileSystemEventHandler

from quaestio.findings import Code, Finding, Severity, finding, format_text
from quaestio.publish.buildinfo import BuildInfo
from quaestio.publish.site.compiled import CompiledTemplates

HOST = "127.0.0.1"
STATUS_PATH = "/__quaestio__/status"
WAIT_PATH = "/__quaestio__/wait"  # answers when a build newer than the page's is ready (long polling)
WAIT_SECONDS = 25.0
THEME_ASSETS = ("/assets/javascripts/", "/assets/stylesheets/")
WATCHED = ("topics", "recommendations", "schemas", "templates", "mkdocs.yml")
SETTLE_SECONDS = 0.02  # after a file event, so that an editor's write is complete

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
    """A Builder that rebuilds only what an edit affects.

    The generated pages live in a folder kept between builds, and a page is written again only when its
    text changed; mkdocs then renders only the pages newer than their HTML ('dirty' build) into a copy
    of the last good site. Compiled templates and the theme's file list are kept in memory. The menu
    of an unchanged page keeps its old wording until the next full build, which is what `quaestio
    site` always does.
    """

    def __init__(self, scratch: Path):
        self.pages = scratch / "pages"
        self.fragments = scratch / "fragments.json"
        self.last: Path | None = None
        self.info: BuildInfo | None = None
        self._theme: dict[str, object] = {}

    def __call__(self, root: Path, out: Path) -> tuple[Finding, ...]:
        from quaestio.pipeline import check
        from quaestio.publish.branding import load_branding
        from quaestio.publish.buildinfo import build_info
        from quaestio.publish.site.engine import config_path, settings, with_fragments
        from quaestio.publish.site.pages import SiteGenerator

        result = check(root)
        if result.corpus is None:
            return result.findings
        branding = load_branding(root)
        if self.info is None:
            self.info = build_info(root, os.environ)  # git is asked once per session, not on every edit
        info = self.info
        downloads = root / "build" if (root / "build").is_dir() else self.pages.parent / "no-downloads"
        generator = SiteGenerator(result.corpus, info, branding, downloads)
        made = generator.write(self.pages, self.fragments)  # a page whose text did not change keeps its time
        for stale in {f for f in self.pages.rglob("*") if f.is_file()} - made:
            stale.unlink()
        config = config_path(branding)
        extra = with_fragments(config, settings(branding, generator.wording, info, generator.nav), self.fragments)
        dirty = self.last is not None and (self.last / "index.html").is_file()
        if dirty:
            shutil.copytree(self.last, out, copy_function=_link_or_copy)  # type: ignore[arg-type]
        warnings = self._mkdocs(config, out, extra, info, dirty)
        if (out / "index.html").is_file():
            self.last = out
        return (*result.findings, *warnings)

    def _mkdocs(self, config: Path, out: Path, extra: dict, info: object, dirty: bool) -> tuple[Finding, ...]:
        from mkdocs.commands.build import build
        from mkdocs.config import load_config

        from quaestio.publish.site.engine import _build_environment, _environment

        collector = _Warnings()
        logger = logging.getLogger("mkdocs")
        logger.addHandler(collector)
        try:
            with _environment(_build_environment(info)):  # type: ignore[arg-type]
                loaded = load_config(
                    str(config), docs_dir=str(self.pages), site_dir=str(out), strict=False, **copy.deepcopy(extra)
                )
                self._keep_theme(loaded)
                build(loaded, dirty=dirty)
        except Exception as failure:  # noqa: BLE001 - mkdocs raises its own and its plugins' errors alike
            collector.messages.append(str(failure))
        finally:
            logger.removeHandler(collector)
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
    """Copy the pages mkdocs may write again; hard-link the theme's files, which it leaves alone."""
    if source.endswith((".html", ".json", ".xml", ".gz")):
        shutil.copy2(source, target)
    else:
        try:
            os.link(source, target)
        except OSError:
            shutil.copy2(source, target)


def _fingerprint(root: Path) -> tuple[tuple[str, int, int], ...]:
    """Name, size and modification time of every watched file: any edit changes it."""
    entries = []
    for name in WATCHED:
        base = root / name
        files: Iterator[Path] = base.rglob("*") if base.is_dir() else iter([base] if base.is_file() else [])
        for file in files:
            try:
                stat = file.stat()
            except OSError:
                continue
            if file.is_file():
                entries.append((file.relative_to(root).as_posix(), stat.st_size, stat.st_mtime_ns))
    return tuple(sorted(entries))


@dataclass(frozen=True)
class State:
    """What the preview shows: the folder of the last good site, the last findings, a build counter."""

    site: Path | None
    findings: tuple[Finding, ...]
    generation: int
    building: bool


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

    def rebuild(self) -> State:
        """Build until the sources stay still during a whole build; keep the last good site on failure."""
        self._set(building=True)
        try:
            while True:
                before = _fingerprint(self.root)
                target = Path(tempfile.mkdtemp(prefix="site-", dir=self.scratch)) / "site"
                try:
                    findings = tuple(self.builder(self.root, target))
                except Exception as failure:  # noqa: BLE001 - the preview must survive whatever a build does
                    findings = (
                        finding("website", (1, 1), Code.SITE_BUILD, f"the website could not be built: {failure}"),
                    )
                after = _fingerprint(self.root)
                if after == before:
                    break
                self.say("quaestio serve: files changed during the build; building again")
                shutil.rmtree(target.parent, ignore_errors=True)
            self._seen = after
            old = self.state.site
            good = target if (target / "index.html").is_file() else None
            # The browser may reload now; the old folder is removed after, off the edit's path.
            self._set(site=good or old, findings=findings, generation=self.state.generation + 1, building=False)
            if good is not None and old is not None:
                shutil.rmtree(old.parent, ignore_errors=True)
            elif good is None:
                shutil.rmtree(target.parent, ignore_errors=True)
            self._report(findings, good is not None)
        finally:
            self._set(building=False)
        return self.state

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
                observer.schedule(_Edits(edited), str(self.root / name), recursive=True)
        observer.schedule(_Edits(edited, only=self.root / "mkdocs.yml"), str(self.root), recursive=False)
        observer.start()
        try:
            while not stop.is_set():
                if edited.wait(0.2):
                    stop.wait(settle)
                    edited.clear()
                    if self.changed():  # reading files during a build makes events too
                        self.rebuild()
        finally:
            observer.stop()
            observer.join()

    def close(self) -> None:
        shutil.rmtree(self.scratch, ignore_errors=True)


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
    script = (
        f"<script>(function(){{var g={state.generation};function w(){{"
        f"fetch('{WAIT_PATH}?generation='+g).then(function(r){{return r.json()}}).then(function(s){{"
        "if(s.generation!==g&&!s.building){location.reload()}else{w()}}).catch(function(){setTimeout(w,1000)})}"
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
        state = self.preview.state
        path = unquote(urlsplit(self.path).path)
        if path in (STATUS_PATH, WAIT_PATH):
            if path == WAIT_PATH:
                after = parse_qs(urlsplit(self.path).query).get("generation", [""])[0]
                state = self.preview.wait_for_build(int(after) if after.isdigit() else -1)
            body = json.dumps(
                {
                    "generation": state.generation,
                    "building": state.building,
                    "findings": [f.as_dict() for f in state.findings],
                }
            ).encode()
            return self._send(200, "application/json", body)
        if state.site is None:
            message = "<h1>No preview yet</h1><p>The content has errors; fix them and the page reloads.</p>"
            return self._send(503, "text/html; charset=utf-8", self._page(message, state))
        page = self._html_file(state.site, path)
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
