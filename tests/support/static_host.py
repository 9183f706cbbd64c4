"""A static web host for a built site on 127.0.0.1, compressing text as production hosts do (tests, benchmarks)."""

from __future__ import annotations

import functools
import gzip
import http.server
import io
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from playwright import sync_api as playwright_api

COMPRESSIBLE = (".html", ".css", ".js", ".json", ".svg", ".xml", ".csv")
# Debian's Chromium, started the way this project's browser tests and benchmarks start it.
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


class StaticHandler(http.server.SimpleHTTPRequestHandler):
    """Serves files like a static host: text gzip-compressed when the browser accepts it."""

    def log_message(self, format, *args):  # noqa: A002 - the base class's signature
        pass

    def send_head(self):
        path = Path(self.translate_path(self.path))
        if path.is_dir():
            if not urlsplit(self.path).path.endswith("/"):
                return super().send_head()  # the redirect to the address with a slash
            path = path / "index.html"
        if (
            "gzip" not in self.headers.get("Accept-Encoding", "")
            or not path.is_file()
            or path.suffix not in COMPRESSIBLE
        ):
            return super().send_head()
        body = gzip.compress(path.read_bytes(), mtime=0)
        self.send_response(200)
        self.send_header("Content-Type", self.guess_type(str(path)))
        self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        return io.BytesIO(body)


@contextmanager
def serving(site: Path) -> Iterator[str]:
    """Serve a folder on a free port of 127.0.0.1 for the duration of the block; yields its base URL."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(StaticHandler, directory=str(site)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        thread.join()
        server.server_close()


def search_results(page: Any, query: str) -> list[str]:
    """Type a query into Material's search and return the result links, once the index has answered."""
    field = page.locator("input.md-search__input")
    field.click()
    for _ in range(10):  # the search index loads in a web worker; retype until it answers
        field.fill("")
        field.press_sequentially(query)
        try:
            page.wait_for_selector(".md-search-result__item", timeout=1000)
            break
        except playwright_api.TimeoutError:
            continue
    read = "links => links.map(link => link.href)"
    results, previous = page.eval_on_selector_all(".md-search-result__item > a", read), None
    while results != previous:  # each keystroke searched; wait for the answer to the whole query to settle
        page.wait_for_timeout(400)
        previous, results = results, page.eval_on_selector_all(".md-search-result__item > a", read)
    return list(results)
