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


# Whether Material's search has shown its answer to a query: its count of matching documents, in the page's language.
SEARCH_ANSWERED = """() => {
  const meta = document.querySelector(".md-search-result__meta");
  const words = JSON.parse(document.querySelector("#__config").textContent).translations;
  const text = meta ? meta.textContent.trim() : "";
  const [before, after] = words["search.result.other"].split("#");
  const counted = text.startsWith(before) && text.endsWith(after)
    && /^[0-9]+$/.test(text.slice(before.length, text.length - after.length));
  return counted || text === words["search.result.none"] || text === words["search.result.one"];
}"""


def search_results(page: Any, query: str) -> list[str]:
    """Search the site as a reader does and return the result links, once the index has answered the query.

    Material searches the field's value whenever a key is released (and once its index has loaded): the query is
    put in whole, then one key released, so that the only search made is for the whole query and the first
    answer shown is its answer. The page must not have been searched before.
    """
    field = page.locator("input.md-search__input")
    field.click()
    assert field.input_value() == "", "search_results needs a page that has not been searched yet"
    field.fill(query)
    field.press("End")
    page.wait_for_function(SEARCH_ANSWERED, timeout=30_000)
    read = "links => links.map(link => link.href)"
    results, previous = page.eval_on_selector_all(".md-search-result__item > a", read), None
    while results != previous:  # the results are drawn after the count; wait until they are all there
        page.wait_for_timeout(200)
        previous, results = results, page.eval_on_selector_all(".md-search-result__item > a", read)
    return list(results)
