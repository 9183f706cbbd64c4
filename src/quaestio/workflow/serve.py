"""Live preview: serve the website on 127.0.0.1, rebuild it when content changes, show findings on the page."""

from __future__ import annotations

import html
import http.server
import json
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
from urllib.parse import unquote, urlsplit

from quaestio.findings import Code, Finding, Severity, finding, format_text

HOST = "127.0.0.1"
STATUS_PATH = "/__quaestio__/status"
WATCHED = ("topics", "recommendations", "schemas", "templates", "mkdocs.yml")
POLL_SECONDS = 0.5

Builder = Callable[[Path, Path], tuple[Finding, ...]]
"""Builds the site of a repository into a fresh folder; returns the findings. Raises to report a failure."""


def build_preview(root: Path, out: Path) -> tuple[Finding, ...]:
    """Validate the repository and, when it has no error, build its website into out."""
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
        self._lock = threading.Lock()
        self._state = State(None, (), 0, False)
        self._seen: tuple = ()

    @property
    def state(self) -> State:
        with self._lock:
            return self._state

    def _set(self, **changes: Any) -> None:
        with self._lock:
            self._state = replace(self._state, **changes)

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
            self._set(site=good or old, findings=findings, generation=self.state.generation + 1)
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

    def watch(self, stop: threading.Event, interval: float = POLL_SECONDS) -> None:
        """Rebuild whenever a watched file changes, until stop is set."""
        while not stop.wait(interval):
            if self.changed():
                self.rebuild()

    def close(self) -> None:
        shutil.rmtree(self.scratch, ignore_errors=True)


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
        f"<script>(function(){{var g={state.generation};setInterval(function(){{"
        f"fetch('{STATUS_PATH}').then(function(r){{return r.json()}}).then(function(s){{"
        "if(s.generation!==g&&!s.building){location.reload()}}).catch(function(){})},1000)})();</script>"
    )
    return panel + script


class _Handler(http.server.SimpleHTTPRequestHandler):
    preview: Preview

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, directory=str(self.preview.state.site or self.preview.scratch), **kwargs)

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - the base class's name
        pass  # the terminal shows findings and rebuilds, not every request

    def do_GET(self) -> None:
        state = self.preview.state
        path = unquote(urlsplit(self.path).path)
        if path == STATUS_PATH:
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


def make_server(preview: Preview, port: int) -> http.server.ThreadingHTTPServer:
    """An HTTP server on 127.0.0.1 that serves the preview's current site (port 0: any free port)."""
    handler = type("PreviewHandler", (_Handler,), {"preview": preview})
    server = http.server.ThreadingHTTPServer((HOST, port), handler)
    server.daemon_threads = True
    return server


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def serve(root: Path, port: int, say: Callable[[str], None] | None = None) -> None:
    """Build, serve and watch until interrupted (Ctrl-C or SIGTERM); OSError when the port cannot be opened."""
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, _interrupt)
    preview = Preview(root, say=say)
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
