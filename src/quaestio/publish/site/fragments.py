"""A Python-Markdown extension that puts quaestio's ready, escaped HTML into pages without parsing it again, and
names the headings' permalinks.

Generated pages keep Markdown for their structure (headings, hence the table of contents) and hold a
marker line where a block of HTML built by quaestio goes. The blocks are stored in one JSON file per
build; the extension swaps each marker for its block, as Python-Markdown does with raw HTML, but
without re-parsing it. Contributors' text can never produce a marker: in a generated page its "<" is
always written as a character reference.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from pathlib import Path
from xml.etree.ElementTree import Element

from markdown import Markdown
from markdown.extensions import Extension
from markdown.preprocessors import Preprocessor
from markdown.treeprocessors import Treeprocessor

_MARKER = re.compile(r"^<!-- quaestio-fragment ([0-9a-f]{24}) -->$")
# Block-level elements, so that Python-Markdown puts the HTML in place of its paragraph.
BLOCK_START = re.compile(r"^<(article|div|dl|figure|form|header|ol|p|section|table|ul)[\s>]")


class FragmentStore:
    """The HTML blocks of one build, addressed by a hash of their text."""

    def __init__(self) -> None:
        self.blocks: dict[str, str] = {}

    def marker(self, html: str) -> str:
        """Store a block and return the marker line that stands for it, with blank lines around."""
        if not BLOCK_START.match(html):
            raise ValueError(f"an HTML fragment must start with a block element: {html[:60]!r}")
        key = hashlib.sha256(html.encode("utf-8")).hexdigest()[:24]
        self.blocks[key] = html
        return f"\n\n<!-- quaestio-fragment {key} -->\n\n"

    def save(self, path: Path) -> None:
        path.write_text(json.dumps(self.blocks, ensure_ascii=False, sort_keys=True), encoding="utf-8")


_loaded: tuple[tuple[str, int, int], dict[str, str]] | None = None


def _blocks(path: str) -> dict[str, str]:
    """The blocks of a store file, read once per process (the extension is created again for every page)."""
    global _loaded
    status = os.stat(path)
    key = (path, status.st_mtime_ns, status.st_size)
    if _loaded is None or _loaded[0] != key:
        with open(path, encoding="utf-8") as stream:
            _loaded = (key, json.load(stream))
    return _loaded[1]


class _FragmentPreprocessor(Preprocessor):
    def __init__(self, md: Markdown, path: str):
        super().__init__(md)
        self.path = path

    def run(self, lines: list[str]) -> list[str]:
        blocks = _blocks(self.path) if self.path else {}
        out: list[str] = []
        for line in lines:
            match = _MARKER.match(line)
            if match is None:
                out.append(line)
                continue
            if match.group(1) not in blocks:
                raise KeyError(f"no HTML fragment {match.group(1)} in {self.path or 'the (unset) fragment file'}")
            out += ["", self.md.htmlStash.store(blocks[match.group(1)]), ""]
        return out


class _NamedPermalinks(Treeprocessor):
    """The table-of-contents extension's "¶" links get a name that says where they lead.

    Their text is the pilcrow and their title a description, so a screen reader would announce "¶".
    """

    def run(self, root: Element) -> None:
        toc = self.md.treeprocessors["toc"] if "toc" in self.md.treeprocessors else None  # noqa: SIM401 - no get()
        title = getattr(toc, "permalink_title", "") or "Permanent link"
        for heading in root.iter():
            if heading.tag not in ("h1", "h2", "h3", "h4", "h5", "h6"):
                continue
            for link in heading.iter("a"):
                if "headerlink" in (link.get("class") or "").split():
                    words = "".join(t for child in heading if child is not link for t in child.itertext())
                    name = " ".join(((heading.text or "") + words).split())
                    link.set("aria-label", f"{title}: {name}" if name else title)


class FragmentExtension(Extension):
    """Configured with `file`: the JSON store of the build's HTML blocks."""

    def __init__(self, **kwargs: object) -> None:
        self.config = {"file": ["", "the JSON file that holds the build's HTML fragments"]}
        super().__init__(**kwargs)

    def extendMarkdown(self, md: Markdown) -> None:  # noqa: N802 - Python-Markdown's name
        # Before Python-Markdown's own raw-HTML preprocessor (priority 20), which would take the comment.
        md.preprocessors.register(_FragmentPreprocessor(md, str(self.getConfig("file"))), "quaestio_fragments", 25)
        # After the table-of-contents extension (priority 5), which adds the links.
        md.treeprocessors.register(_NamedPermalinks(md), "quaestio_permalinks", 4)


def makeExtension(**kwargs: object) -> FragmentExtension:  # noqa: N802 - Python-Markdown's entry point
    return FragmentExtension(**kwargs)
