"""References as CSL JSON, and their formatting by pandoc's citeproc with the branding's CSL style and locale."""

from __future__ import annotations

import hashlib
import html
import json
import re
import subprocess
import tempfile
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from subprocess import Popen
from urllib.parse import urlsplit

import pypandoc

from quaestio.content.markdown import safe_url
from quaestio.content.model import Corpus, Reference, Topic
from quaestio.output import write_atomically
from quaestio.processes import cores
from quaestio.publish.branding import Branding
from quaestio.vocab import Language, ReferenceKind

CSL_TYPES = {
    ReferenceKind.LEGISLATION: "legislation",
    ReferenceKind.STANDARD: "standard",
    ReferenceKind.REPORT: "report",
    ReferenceKind.ARTICLE: "article-journal",
    ReferenceKind.WEBSITE: "webpage",
}
"""The CSL item type of each kind of reference."""

_ENTRY = {
    "html": re.compile(r'<div id="ref-([^"]+)" class="csl-entry"[^>]*>\s*(.*?)\s*</div>', re.DOTALL),
    "markdown": re.compile(r"^::: \{#ref-(\S+) \.csl-entry\}\n(.*?)\n:::$", re.DOTALL | re.MULTILINE),
}


class CitationError(Exception):
    """pandoc could not format the references; the message says why."""


def csl_id(topic: Topic | str, reference: Reference | str) -> str:
    """The CSL ID of a topic's reference: 'landscape-dir-2013-40' (reference IDs are unique per topic only)."""
    topic_id = topic if isinstance(topic, str) else topic.id
    reference_id = reference if isinstance(reference, str) else reference.id
    return f"{topic_id}-{reference_id}"


def eli(url: str | None) -> str | None:
    """The European Legislation Identifier a legislation address is built on, if it is one (…/eli/…)."""
    if not url:
        return None
    parts = urlsplit(url)
    return url if "/eli/" in f"{parts.path}/" and parts.scheme in ("http", "https") else None


def csl_item(topic: Topic | str, reference: Reference, language: Language | str = Language.EN) -> dict:
    """One reference as a CSL JSON item; corporate authors go in whole, as a literal name."""
    item: dict = {
        "id": csl_id(topic, reference),
        "type": CSL_TYPES[reference.kind],
        "title": reference.title.get(str(language)),
        "author": [{"literal": reference.author}],
        "issued": {"date-parts": [[reference.year]]},
    }
    address = safe_url(reference.url)  # the one allow-list of link schemes; validation refuses the others
    if address:
        item["URL"] = address
    identifier = eli(reference.url) if reference.kind is ReferenceKind.LEGISLATION else None
    if identifier:
        item["custom"] = {"eli": identifier}
    return item


def corpus_items(corpus: Corpus, language: Language | str = Language.EN) -> list[dict]:
    """Every topic's references as CSL JSON items, in topic and reference order."""
    return [csl_item(t, r, language) for t in corpus.topics for r in t.references]


@dataclass(frozen=True)
class CitationStyle:
    """The branding's CSL style with one language's CSL locale inside it, so citeproc uses the files we ship."""

    language: str
    lang: str  # the locale's own BCP 47 tag, given to pandoc: en-GB, fr-FR, nl-NL, de-DE
    text: str

    @property
    def digest(self) -> str:
        return hashlib.sha256(self.text.encode("utf-8")).hexdigest()


def citation_style(branding: Branding, language: Language | str = Language.EN) -> CitationStyle:
    """The CSL style named in branding.yaml, with that language's CSL locale (templates/csl/) embedded.

    pandoc's citeproc has locales of its own; a <locale> inside the style overrides them, so the
    terms, quotation marks and date forms come from the locale files stored with the templates.
    """
    settings: Mapping[str, object] = branding["citations"]  # type: ignore[assignment]
    locales: Mapping[str, str] = settings["locales"]  # type: ignore[assignment]
    style = (branding.templates / str(settings["style"])).read_text(encoding="utf-8")
    code = str(language)
    locale = (branding.templates / locales.get(code, locales["en"])).read_text(encoding="utf-8")
    opening = re.search(r"<locale\b[^>]*>", locale)
    tag = re.search(r'xml:lang="([^"]+)"', opening.group(0)) if opening else None
    if opening is None or tag is None or "</info>" not in style:
        raise CitationError("the CSL style or locale file in templates/ is not a CSL file")
    body = re.sub(r"<info>.*?</info>", "", locale[opening.end() : locale.rindex("</locale>")], flags=re.DOTALL)
    marker = style.index("</info>") + len("</info>")
    text = f'{style[:marker]}\n  <locale xml:lang="{tag.group(1)}">{body}</locale>{style[marker:]}'
    return CitationStyle(code, tag.group(1), text)


@cache
def _pandoc() -> str:
    return pypandoc.get_pandoc_path()


_GROUPS_FILTER = Path(__file__).with_name("bibliographies.lua")
_SEPARATOR = "quaestio-bibliography-"  # a paragraph of its own before each group's entries in pandoc's output


def _format(groups: Sequence[Sequence[dict]], style: CitationStyle, to: str) -> list[dict[str, str]]:
    """Each group of items formatted as a bibliography of its own, by a few pandoc processes side by side.

    A Lua filter calls citeproc once per group, so that each process reads the CSL style only once;
    reading it is most of citeproc's time (about a tenth of a second for APA), so the groups are shared
    between as many processes as there are cores.
    """
    with tempfile.TemporaryDirectory(prefix="quaestio-csl-") as scratch:
        folder = Path(scratch)
        (folder / "style.csl").write_text(style.text, encoding="utf-8")
        count = max(1, min(cores(), len(groups) // _GROUPS_PER_PROCESS))
        shares = [list(range(len(groups)))[n::count] for n in range(count)]
        running = [_start(folder, n, [groups[i] for i in share], style, to) for n, share in enumerate(shares)]
        formatted: dict[int, dict[str, str]] = {}
        for share, process in zip(shares, running, strict=True):
            formatted.update(zip(share, _finish(process, len(share), to), strict=True))
    return [formatted[i] for i in range(len(groups))]


_GROUPS_PER_PROCESS = 8  # fewer groups than this twice over: one process is quicker than starting two


def _start(folder: Path, number: int, groups: Sequence[Sequence[dict]], style: CitationStyle, to: str) -> Popen:
    names = []
    for index, items in enumerate(groups):
        names.append(f"references-{number}-{index}.json")
        (folder / names[-1]).write_text(json.dumps(list(items), ensure_ascii=False), encoding="utf-8")
    # Every item, with no text around them. pandoc reads metadata values as Markdown, so they hold only these
    # plain names, found in the folder pandoc runs in: a path ('/tmp/_x_/...') would lose its underscores.
    metadata = {"nocite": "@*", "quaestio-separator": _SEPARATOR, "quaestio-groups": names}
    document = f"bibliographies-{number}.md"
    (folder / document).write_text(f"---\n{json.dumps(metadata)}\n---\n", encoding="utf-8")
    return subprocess.Popen(
        [
            _pandoc(),
            *("--from", "markdown", "--to", to, "--lua-filter", str(_GROUPS_FILTER)),
            *("--csl", "style.csl", "--metadata", f"lang={style.lang}", "--wrap=none", document),
        ],
        cwd=folder,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


def _finish(process: Popen, groups: int, to: str) -> list[dict[str, str]]:
    stdout, stderr = process.communicate()
    if process.returncode != 0:
        raise CitationError(f"pandoc could not format the references: {stderr.decode('utf-8', 'replace')}")
    parts = re.split(rf"^(?:<p>)?{_SEPARATOR}(?:\d+|end)(?:</p>)?$", stdout.decode("utf-8"), flags=re.MULTILINE)
    if len(parts) != groups + 2:
        raise CitationError(f"pandoc gave {len(parts) - 2} bibliographies for {groups}")
    return [{m.group(1): m.group(2).strip() for m in _ENTRY[to].finditer(part)} for part in parts[1:-1]]


def mark_title(entry: str, title: str, mark: Callable[[str], str]) -> str:
    """A formatted entry with its title (as citeproc wrote it) replaced by mark(title); unchanged when the
    title cannot be found as written (a style that rewrites titles)."""
    typographic = title.replace("'", "\u2019")  # pandoc's `smart` extension curls apostrophes
    candidates = (
        title,
        _markdown_escaped(title),
        html.escape(title, quote=False),
        html.escape(typographic, quote=False),
    )
    for written in dict.fromkeys(candidates):
        if written and written in entry:
            return entry.replace(written, mark(written), 1)
    return entry


def _markdown_escaped(text: str) -> str:
    """Text as pandoc's Markdown writer writes it: the characters it escapes, and dashes and ellipses spelt
    as its `smart` extension reads them back."""
    escaped = re.sub(r"([\\`*_\[\]<>#$@~^|])", r"\\\1", text)
    return escaped.replace("\u2014", "---").replace("\u2013", "--").replace("\u2026", "...")


def format_entries(
    items: Sequence[dict], style: CitationStyle, cache_dir: Path | None = None, to: str = "html"
) -> dict[str, str]:
    """Formatted bibliography entries (HTML, or pandoc Markdown for the reports), by CSL ID, in the style's
    order, cached by the hash of the items and the style.

    Entries are formatted together, so a style that tells apart two works of one author and year
    (2015a, 2015b) does so here as in a report that lists the same references.
    """
    return format_bibliographies([items], style, cache_dir, to)[0]


def format_bibliographies(
    groups: Sequence[Sequence[dict]], style: CitationStyle, cache_dir: Path | None = None, to: str = "html"
) -> list[dict[str, str]]:
    """format_entries for many bibliographies at once: each group formatted on its own (as one topic's or one
    report's list), the groups not in the cache by a single pandoc process."""
    keys = [
        hashlib.sha256(
            (to + style.digest + json.dumps(list(items), sort_keys=True, ensure_ascii=False)).encode("utf-8")
        ).hexdigest()
        for items in groups
    ]
    found: dict[str, dict[str, str]] = {}
    for key in keys:
        cached = cache_dir / f"{key}.json" if cache_dir else None
        if cached is not None and cached.is_file():
            found[key] = json.loads(cached.read_text(encoding="utf-8"))
    missing = {key: items for key, items in zip(keys, groups, strict=True) if key not in found and items}
    formatted = _format(list(missing.values()), style, to) if missing else []
    for key, entries in zip(missing, formatted, strict=True):
        found[key] = entries
        if cache_dir is not None:
            write_atomically(cache_dir / f"{key}.json", json.dumps(entries, ensure_ascii=False, sort_keys=True))
    return [found.get(key, {}) for key in keys]


def topic_entries(
    corpus: Corpus,
    branding: Branding,
    cache_dir: Path | None = None,
    topics: Iterable[Topic] | None = None,
    language: Language | str = Language.EN,
) -> dict[str, str]:
    """The formatted entry of every topic's references in a language (its CSL locale, its titles), each topic
    formatted as its topic report lists them."""
    groups = [[csl_item(t, r, language) for r in t.references] for t in (corpus.topics if topics is None else topics)]
    entries: dict[str, str] = {}
    for formatted in format_bibliographies(groups, citation_style(branding, language), cache_dir):
        entries.update(formatted)
    return entries
