"""Generate the website's Markdown pages from the corpus with the Jinja2 templates in templates/site/."""

from __future__ import annotations

import functools
import json
import re
import shutil
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property, partial
from html import escape as html_escape
from pathlib import Path
from types import SimpleNamespace

import jinja2
from markupsafe import Markup, escape

from quaestio.content.catalogs import Catalog, Control, ControlGroup
from quaestio.content.editions import current_edition
from quaestio.content.model import Corpus, Recommendation, Text, Topic, texts_in
from quaestio.content.tracker import RecommendationState, recommendation_state
from quaestio.publish.branding import Branding
from quaestio.publish.buildinfo import BuildInfo
from quaestio.publish.csl import csl_id, mark_title, topic_entries
from quaestio.publish.feed import atom_feed
from quaestio.publish.locale import ListStyle, listed, long_date, number, percent, plural
from quaestio.publish.site import compiled, content
from quaestio.publish.site.cycle import cycle_pages, edition_views
from quaestio.publish.site.downloads import DOWNLOADS_DIR, Download, collect_downloads, format_version, human_size
from quaestio.publish.site.figures import chart_layout, key_figures
from quaestio.publish.site.fragments import FragmentStore
from quaestio.publish.urls import (
    CHANGELOG_PATH,
    EDITIONS_PATH,
    FEED_FILE,
    FOLLOW_UP_PATH,
    TOPICS_PATH,
    absolute,
    audience_path,
    catalog_path,
    edition_path,
    edition_topic_path,
    recommendation_path,
    topic_path,
)
from quaestio.vocab import SOURCE_LANGUAGE, TRANSLATIONS, Audience, Language, Priority, Relation, Status

SITE_TEMPLATES = "site"
ASSETS_DIR = "assets/quaestio"
_RECOMMENDATION_ID = re.compile(r"^[A-Z]{2,4}-(ACA|BUS|PUB)-[0-9]{2,3}$")
_SLUG = re.compile(r"^[a-z0-9]+([.-][a-z0-9]+)*$")


def relative_url(here: str, target: str) -> str:
    """The link from the page at site path `here` ('topics/x/') to `target` ('recommendations/A-BUS-01/#x')."""
    path, _, fragment = target.partition("#")
    if path == here:
        link = "./"
    else:
        here_folders = [part for part in here.split("/") if part]
        *folders, leaf = path.split("/")
        common = 0
        while common < min(len(here_folders), len(folders)) and here_folders[common] == folders[common]:
            common += 1
        link = "../" * (len(here_folders) - common) + "".join(f"{f}/" for f in folders[common:]) + leaf or "./"
    return link + (f"#{fragment}" if fragment else "")


def page_file(path: str) -> str:
    """The Markdown file that becomes the page at a site path: '' -> index.md, 'topics/x/' -> topics/x.md."""
    return f"{path}index.md" if path == "" or path.count("/") == 1 else path.rstrip("/") + ".md"


def load_wording(branding: Branding, language: str = SOURCE_LANGUAGE) -> Mapping[str, object]:
    """templates/site/site.yaml with its translation (site.<language>.yaml) laid over it, {coalition} filled in."""
    wording = branding.localised(language).site_wording
    name = str(branding["coalition"]["name"])  # type: ignore[index]

    def fill(value: object) -> object:
        if isinstance(value, str):
            return value.replace("{coalition}", name)
        if isinstance(value, Mapping):
            return {k: fill(v) for k, v in value.items()}
        if isinstance(value, tuple):
            return [fill(v) for v in value]
        return value

    return fill(wording)  # type: ignore[return-value]


def front_matter(
    title: Text | str | None,
    search: bool = True,
    hide: Sequence[str] = (),
    description: Text | str | None = None,
    language: str = SOURCE_LANGUAGE,
    keywords: Sequence[str] = (),
) -> Markup:
    """YAML front matter; title and description are HTML-escaped because the theme inserts them as HTML.

    The description (the page's <meta name="description">) is one line, shortened at a word to about the
    length search engines show. keywords (a recommendation's ID) go into the search index as the page's
    tags, which Material's search weighs above everything else, so that searching an ID finds its page first.
    """
    lines = ["---"]
    if title is not None:
        shown = html_escape(content.attribute(title, language))
        lines.append(f"title: {json.dumps(shown, ensure_ascii=False)}")
    if description is not None:
        text = _shortened(content.attribute(description, language), DESCRIPTION_LENGTH)
        lines.append(f"description: {json.dumps(html_escape(text), ensure_ascii=False)}")
    if not search:
        lines += ["search:", "  exclude: true"]
    if hide:
        lines += ["hide:", *(f"  - {item}" for item in hide)]
    if keywords:
        lines += ["tags:", *(f"  - {json.dumps(html_escape(word), ensure_ascii=False)}" for word in keywords)]
    return Markup("\n".join([*lines, "---"]))


DESCRIPTION_LENGTH = 200


def _shortened(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    return text[: limit - 1].rsplit(" ", 1)[0].rstrip(",;:") + "…"


@dataclass
class GlossaryTerm:
    term: str
    expansions: list[tuple[Text, Language]]  # (expansion, the language its source is written in)
    definitions: list[Text]
    topics: list[Topic]


class SiteContext:
    """What every template may use: the corpus, labels, links relative to the page, and safe content."""

    def __init__(
        self,
        corpus: Corpus,
        info: BuildInfo,
        branding: Branding,
        wording: Mapping[str, object],
        downloads: Sequence[Download],
        references: Mapping[str, str] | None = None,
        language: str = SOURCE_LANGUAGE,
    ):
        self.corpus = corpus
        self.references = dict(references or {})
        self.info = info
        self.branding = branding
        self.wording = wording
        self.downloads = tuple(downloads)
        self.language = Language(language)
        self.site_url = str(branding["site_url"])
        self._rendered: dict[tuple[Text, int, str], Markup] = {}
        self._glossaries: dict[tuple[str | None, str], content.Glossary] = {}
        self.fallbacks = 0  # texts of the page being rendered shown in English for want of a translation

    @cached_property
    def glossary_entries(self) -> tuple:
        return tuple(g for t in self.corpus.topics for g in t.glossary)

    def glossary_for(self, topic: str | None, language: str | None = None) -> content.Glossary:
        """The abbreviations to mark in a topic's texts: the topic's own glossary first, then every topic's."""
        key = (topic, language or self.language.value)
        if key not in self._glossaries:
            self._glossaries[key] = self._glossary(*key)
        return self._glossaries[key]

    def _glossary(self, topic_id: str | None, language: str) -> content.Glossary:
        if topic_id is None:
            return content.Glossary.of(self.glossary_entries, language)
        whole = self.glossary_for(None, language)
        topic = self.corpus.topic_by_id.get(topic_id)
        if topic is None:
            return whole
        own = content.Glossary.of(topic.glossary, language).entries
        if all(whole.entries.get(term) == expansion for term, expansion in own.items()):
            return whole  # the topic's terms mean what they mean site-wide: one glossary, however many topics
        return content.Glossary({**whole.entries, **own})

    def falls_back(self, value: object) -> bool:
        """Whether a text is shown in English on a page in another language (and count it for the page's notice)."""
        if not isinstance(value, Text) or value.language_of(self.language) == self.language:
            return False
        self.fallbacks += 1
        return True

    def _notice(self, value: Text) -> str:
        notices: Mapping[str, str] = self.wording["untranslated"]  # type: ignore[assignment]
        return notices["stale" if value.translation(self.language) else "missing"]

    def render(self, value: Text | str | None, topic: str | None = None, level: int = 3) -> Markup:
        """Contributor Markdown as safe HTML, abbreviations marked with the topic's glossary first.

        A text shown in English on a page in another language is marked lang="en" under a visible notice.
        """
        if not isinstance(value, Text):
            return content.render(value, self.glossary_for(topic), level, self.language)
        english = self.falls_back(value)
        key = (value, level, topic or "")  # texts are shown on several pages: render each once
        if key not in self._rendered:
            shown = SOURCE_LANGUAGE if english else self.language
            html = content.render(value, self.glossary_for(topic, shown), level, shown)
            if english:
                label = escape(self._notice(value))
                html = Markup(f'<p class="q-untranslated">{label}</p>\n<div lang="en">\n{html}\n</div>')
            self._rendered[key] = html
        return self._rendered[key]

    def t(self, value: Text | str | None) -> Markup:
        """A one-line text (a title, a name) in the page's language, in a lang="en" span when it falls back."""
        if isinstance(value, Text) and self.falls_back(value):
            return Markup('<span lang="en">{}</span>').format(content.attribute(value))
        return Markup.escape(content.attribute(value, self.language))

    def lang_of(self, language: str = SOURCE_LANGUAGE) -> Markup:
        """' lang="…"' for an element written in another language than the page's (an imported catalog's
        titles; the English words a revision changed), else ''. Not a missing translation: the page's notice
        ignores it."""
        return Markup("") if language == self.language else Markup(' lang="{}"').format(language)

    def t_in(self, value: Text, written_in: Language) -> Markup:
        """Like t, for a text whose English source is written in another language (a French name in an English
        file): marked with the language it is shown in whenever that is not the page's."""
        english = self.falls_back(value)
        shown = value.language_shown(self.language, written_in)
        text = content.attribute(value, SOURCE_LANGUAGE if english else self.language)
        if shown == self.language:
            return Markup.escape(text)
        return Markup('<span lang="{}">{}</span>').format(shown.value, text)

    def lang_attribute(self, value: Text | str | None) -> Markup:
        """' lang="en"' for the element of a text shown in English on a page in another language, else ''."""
        return Markup(' lang="en"') if self.falls_back(value) else Markup("")

    def size(self, size: int) -> str:
        """A file size as the language writes it: '1.2 MB', '1,2 Mo'."""
        units: Mapping[str, str] = self.wording["words"]["downloads"]["units"]  # type: ignore[index]
        return human_size(size, self.language, units)

    def text(self, value: Text | str | None) -> str:
        """A one-line text in the page's language as plain text (for attributes and truncation)."""
        return content.attribute(value, self.language)

    def say(self, wording: object, *positional: object, **values: object) -> Markup:
        """Trusted wording with its {placeholders} filled; values not built as Markup are escaped."""
        return Markup(str(wording)).format(*positional, **values)

    def count(self, forms: object, n: int) -> str:
        """The plural form of a count: count(words.recommendations, 3) -> '3 recommendations'."""
        return plural(forms, n, self.language)

    def counted(self, current: int, withdrawn: int = 0) -> str:
        """How many recommendations, said as the reports say it: current ones, and withdrawn ones apart."""
        words: Mapping[str, object] = self.wording["words"]  # type: ignore[assignment]
        text = self.count(words["counted"], current)
        return text + self.count(words["counted_withdrawn"], withdrawn) if withdrawn else text

    def date(self, iso: str) -> str:
        return long_date(iso, self.language)

    def percent(self, share: float) -> str:
        """A share as the page's language writes a percentage, to the unit: '30%', '30 %'."""
        return percent(share, self.language)

    def listing(self, items: Sequence[object], style: ListStyle = "standard") -> Markup:
        """Items as the page's language lists them: 'a, b and c', 'a, b et c' ('or' style: 'a, b or c');
        items not built as Markup are escaped."""
        return Markup(listed([str(escape(item)) for item in items], self.language, style))

    def number(self, value: int) -> str:
        return number(value, self.language)

    def label(self, group: str, value: str) -> str:
        return self.branding.label(group, value)

    @cached_property
    def today(self) -> str:
        """The build's date (from the content's revision, never the clock), against which targets fall due."""
        return self.info.date.isoformat()

    @cached_property
    def _states(self) -> dict[str, RecommendationState]:
        return {}  # filled as pages ask: a quick pass of the preview renders a few pages of thousands

    def state(self, recommendation: Recommendation) -> RecommendationState:
        """Where a recommendation's implementation stands, rolled up from its addressees."""
        found = self._states.get(recommendation.id)
        if found is None:
            found = recommendation_state(self.corpus.recommendation_by_id[recommendation.id])
            self._states[recommendation.id] = found
        return found

    def audience(self, key: str) -> Mapping[str, str]:
        return self.branding.audience(key)

    def topic(self, topic_id: str) -> Topic:
        return self.corpus.topic_by_id[topic_id]

    def recommendation(self, recommendation_id: str) -> Recommendation | None:
        return self.corpus.recommendation_by_id.get(recommendation_id)

    def references_of(self, recommendation: Recommendation) -> list:
        by_id = {r.id: r for r in self.topic(recommendation.topic).references}
        return [by_id[i] for i in recommendation.references if i in by_id]

    def reference_html(self, topic_id: str, reference_id: str) -> Markup:
        """A reference formatted by pandoc's citeproc with the branding's CSL style, as in the reports."""
        entry = self.references.get(csl_id(topic_id, reference_id))
        if entry is None:
            raise KeyError(f"no formatted entry for the reference {reference_id} of {topic_id}")
        reference = next(r for r in self.topic(topic_id).references if r.id == reference_id)
        shown = reference.title.language_shown(self.language, reference.language)
        if shown == self.language:
            return Markup(entry)  # pandoc's HTML writer escaped the reference's fields
        # A title shown in another language than the page's (a French law's title on an English page) is
        # marked as the work's name in that language, so that screen readers pronounce it right.
        title = reference.title.get(self.language)
        return Markup(mark_title(entry, title, lambda written: f'<cite lang="{shown.value}">{written}</cite>'))

    def mapped_controls(self, recommendation: Recommendation) -> list[tuple[Catalog, Control, str]]:
        """The catalog controls a recommendation maps to, with how it relates to each."""
        found = []
        for mapping in recommendation.maps_to:
            control = self.corpus.control_of(mapping)
            if control is not None:
                found.append((self.corpus.catalog_by_id[mapping.catalog], control, mapping.relation.value))
        return found

    def catalog_coverage(self, catalog: Catalog) -> dict[str, list[tuple[Recommendation, str]]]:
        """Control ID -> the recommendations mapped to it (with their relation)."""
        return {k: [(r, str(rel)) for r, rel in v] for k, v in self.corpus.mapped_to(catalog.id).items()}

    def group_controls(self, catalog: Catalog, group: ControlGroup) -> list[Control]:
        return [catalog.control_by_id[i] for i in group.controls]

    def recommendations_mapped_to(self, catalog: Catalog) -> list[Recommendation]:
        """The recommendations with at least one mapping to a control of this catalog, in corpus order."""
        return [
            r
            for r in self.corpus.recommendations
            if any(self.corpus.control_of(m) for m in r.maps_to if m.catalog == catalog.id)
        ]

    def by_audience(self, topic_id: str) -> list[tuple[str, tuple[Recommendation, ...]]]:
        """A topic's recommendations grouped by audience, leaving out audiences with none."""
        groups = [(a, self.corpus.recommendations_for(topic=topic_id, audience=a)) for a in tuple(Audience)]
        return [(a, items) for a, items in groups if items]

    def by_topic(self, audience: str) -> list[tuple[Topic, tuple[Recommendation, ...]]]:
        """The recommendations to an audience grouped by topic, leaving out topics with none."""
        groups = [(t, self.corpus.recommendations_for(topic=t.id, audience=audience)) for t in self.corpus.topics]
        return [(t, items) for t, items in groups if items]

    def glossary_terms(self) -> list[GlossaryTerm]:
        """Every abbreviation with its expansions and definitions (each once) and the topics using it, by term."""
        found: dict[str, GlossaryTerm] = {}
        seen: dict[str, set[str]] = {}
        for topic in self.corpus.topics:
            for entry in topic.glossary:
                term = found.setdefault(
                    content.attribute(entry.term), GlossaryTerm(content.attribute(entry.term), [], [], [])
                )
                expansion = content.attribute(entry.expansion, self.language)
                if expansion.casefold() not in seen.setdefault(term.term, set()):
                    seen[term.term].add(expansion.casefold())
                    term.expansions.append((entry.expansion, entry.language))
                if entry.definition is not None and content.attribute(
                    entry.definition, self.language
                ).casefold() not in (content.attribute(d, self.language).casefold() for d in term.definitions):
                    term.definitions.append(entry.definition)
                if all(t.id != topic.id for t in term.topics):  # by ID: comparing whole topics costs more
                    term.topics.append(topic)
        return sorted(found.values(), key=lambda t: (t.term.casefold(), t.term))

    def translation_status(self) -> list[tuple[Topic, dict[str, tuple[int, int, int]]]]:
        """Per topic (its own texts and its recommendations'), and per language other than English:
        how many texts have a current translation, a stale one, and none (as `translate status` counts)."""
        rows = []
        for topic in self.corpus.topics:
            texts = list(texts_in((topic, self.corpus.recommendations_for(topic=topic.id))))
            counts = {}
            for language in TRANSLATIONS:
                found = [t.translation(language) for t in texts]
                current = sum(1 for f in found if f is not None and f.current)
                stale = sum(1 for f in found if f is not None and not f.current)
                counts[language.value] = (current, stale, len(texts) - current - stale)
            rows.append((topic, counts))
        return rows

    def topic_downloads(self, topic_id: str) -> list[Download]:
        return [d for d in self.downloads if d.topic == topic_id]

    def audience_downloads(self, audience: str) -> list[Download]:
        return [d for d in self.downloads if d.audience == audience]

    def cite_url(self, path: str) -> str:
        """The permanent address of a page in the page's language."""
        own = "" if self.language == SOURCE_LANGUAGE else f"{self.language}/"
        return absolute(self.site_url, own + path)


class PageWriter:
    """Renders page templates into Markdown files; their HTML blocks go into a fragment store."""

    def __init__(self, site: SiteContext, templates: Path, docs: Path):
        self.site = site
        self.docs = docs
        self.fragments = FragmentStore()
        self.files: set[Path] = set()  # every file this writer wrote or found already up to date
        loader = jinja2.FileSystemLoader(str(templates))
        common = partial(
            jinja2.Environment,
            loader=loader,
            undefined=jinja2.StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=True,
            auto_reload=False,
        )
        # Markdown pages: every value is escaped into inert text unless quaestio built it as Markup.
        self.markdown = common(autoescape=False, finalize=self._markdown_value, bytecode_cache=compiled.PAGES)
        # HTML fragments (and the SVG chart in them): standard HTML autoescaping.
        self.html = common(autoescape=True, bytecode_cache=compiled.FRAGMENTS)
        helpers = {
            "site": site,
            "wording": site.wording,
            "branding": site.branding,
            "info": site.info,
            "corpus": site.corpus,
            "audiences": tuple(Audience),
            "url": self._url,
            "fragment": self._fragment,
            "front_matter": functools.partial(front_matter, language=site.language),
            "plain_text": functools.partial(content.plain_text, language=site.language),
            "inline": functools.partial(content.inline, language=site.language),
            "safe_url": content.safe_url,
            "date": site.date,
            "words": site.wording["words"],
            "language": site.language,
            "shared_url": self._shared_url,
            "priorities": tuple(Priority),
            "statuses": tuple(Status),
            "relations": tuple(Relation),
            "paths": SimpleNamespace(
                topic=topic_path,
                audience=audience_path,
                recommendation=recommendation_path,
                catalog=catalog_path,
                edition=edition_path,
                edition_topic=edition_topic_path,
                follow_up=FOLLOW_UP_PATH,
                changelog=CHANGELOG_PATH,
                editions=EDITIONS_PATH,
            ),
            "anchor_of": _anchor_of,
        }
        for env in (self.markdown, self.html):
            env.globals.update(helpers)

    def _markdown_value(self, value: object) -> object:
        """Jinja2 finalize for Markdown templates: everything not built as Markup by quaestio is escaped.

        A text that falls back to English is put in a lang="en" span (Markdown keeps inline HTML).
        """
        if isinstance(value, Markup):
            return value
        if value is None:
            return ""
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return str(value)
        if isinstance(value, Text) and self.site.falls_back(value):
            return Markup(f'<span lang="en">{content.inline(value)}</span>')
        return content.inline(value if isinstance(value, Text) else str(value), self.site.language)

    @jinja2.pass_context
    def _shared_url(self, context: jinja2.runtime.Context, target: str) -> Markup:
        """A link to a file the English site publishes for every language (reports, open data)."""
        if self.site.language == SOURCE_LANGUAGE:
            return self._url(context, target)
        link = relative_url(f"{self.site.language}/{context['here']}", target)
        if any(c in link for c in "<>\"'` ()[]{}\\\n"):
            raise ValueError(f"unexpected character in an internal link: {link!r}")
        return Markup(link)

    @staticmethod
    @jinja2.pass_context
    def _url(context: jinja2.runtime.Context, target: str) -> Markup:
        """A link from the page being rendered to a site path; safe because quaestio makes every path."""
        link = relative_url(context["here"], target)
        if any(c in link for c in "<>\"'` ()[]{}\\\n"):
            raise ValueError(f"unexpected character in an internal link: {link!r}")
        return Markup(link)

    @jinja2.pass_context
    def _fragment(self, context: jinja2.runtime.Context, name: str, **values: object) -> Markup:
        """An HTML template rendered, stored, and replaced in the Markdown page by its marker line."""
        html = self.html.get_template(name).render({**context.get_all(), **values}).strip()
        return Markup(self.fragments.marker(html))

    def page(self, path: str, template: str, **values: object) -> None:
        self.site.fallbacks = 0
        text = self.markdown.get_template(template).render(here=path, **values)
        if self.site.fallbacks:
            text = self._with_notice(text)
        self.files.add(_write_if_changed(self.docs / page_file(path), text.encode("utf-8")))

    def _with_notice(self, text: str) -> str:
        """The page with a notice, after its front matter, that parts of it are shown in English."""
        notice = self.html.from_string(
            '<div class="admonition info q-untranslated-page" role="note"><p>{{ text }}</p></div>'
        ).render(text=self.site.wording["untranslated"]["page"])  # type: ignore[index]
        end = text.find("\n---", 3) + len("\n---") if text.startswith("---") else 0
        return text[:end] + self.fragments.marker(notice) + text[end:]

    def stub(self, path: str, title: Text | str) -> None:
        """A placeholder for a page another shard of a parallel build writes (the menu needs it to exist)."""
        target = self.docs / page_file(path)
        target.parent.mkdir(parents=True, exist_ok=True)
        shown = content.inline(title, self.site.language)
        matter = front_matter(title, search=False, language=self.site.language)
        target.write_text(f"{matter}\n\n# {shown}\n", encoding="utf-8")

    def compile_templates(self) -> None:
        """Compile every page and fragment template now (before forking, so that the processes share them)."""
        for name in self.markdown.list_templates(extensions=["j2"]):
            environment = self.markdown if name.startswith("pages/") else self.html
            environment.get_template(name)

    def asset(self, name: str, data: str | bytes) -> None:
        data_bytes = data.encode("utf-8") if isinstance(data, str) else data
        self.files.add(_write_if_changed(self.docs / ASSETS_DIR / name, data_bytes))


def _write_if_changed(target: Path, data: bytes) -> Path:
    """Write a file unless it already holds data, so that an unchanged page keeps its time (serve rebuilds
    only the pages newer than their HTML); returns the file."""
    try:
        if target.stat().st_size == len(data) and target.read_bytes() == data:
            return target
    except FileNotFoundError:
        target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(data)
    return target


def _anchor_of(control: Control) -> str:
    """An HTML id for a control's row on its catalog's page, one per ID: 'ctl-ac-2.1', 'ctl-cd_20_1' for 'cd 1'."""
    return "ctl-" + re.sub(r"[^A-Za-z0-9._-]", lambda m: f"_{ord(m.group()):x}_", control.id)


def _check_identifiers(corpus: Corpus) -> None:
    """Paths on the site come from IDs; refuse any that validation should have caught."""
    for topic in corpus.topics:
        if not _SLUG.match(topic.id):
            raise ValueError(f"topic ID {topic.id!r} cannot be used in an address")
    for item in corpus.recommendations:
        if not _RECOMMENDATION_ID.match(item.id):
            raise ValueError(f"recommendation ID {item.id!r} cannot be used in an address")
    for catalog in corpus.catalogs:
        if not _SLUG.match(catalog.id):
            raise ValueError(f"catalog ID {catalog.id!r} cannot be used in an address")


def _assets(branding: Branding, templates: Path) -> dict[str, str | bytes]:
    """The site's own files from templates/site/assets; *.j2 files are filled with the branding colours."""
    # Each colour is #rrggbb: branding.schema.json requires it before anything is built.
    colours: Mapping[str, str] = branding["colours"]  # type: ignore[assignment]
    status_colours: Mapping[str, str] = branding.settings.get("status_colours", {})  # type: ignore[assignment]
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(templates / "assets")),
        autoescape=False,
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
    )
    files: dict[str, str | bytes] = {}
    for source in sorted((templates / "assets").iterdir()):
        if source.is_file() and source.suffix == ".j2":
            files[source.stem] = env.get_template(source.name).render(colours=colours, status_colours=status_colours)
        elif source.is_file():
            files[source.name] = source.read_bytes()
    return files


def menu_topics(corpus: Corpus) -> list[Topic]:
    """The topics the menu leads to: the current edition's, closed ones left out."""
    current = current_edition(corpus)
    return [t for t in corpus.topics if t.edition == current and t.closed is None]


def alphabetical(topics: Sequence[Topic], language: str) -> list[Topic]:
    """Topics by their title in a language, accents and case aside ('Économie' among the E's)."""

    def key(topic: Topic) -> str:
        title = unicodedata.normalize("NFKD", content.attribute(topic.title, language))
        return "".join(c for c in title if not unicodedata.combining(c)).casefold()

    return sorted(topics, key=lambda t: (key(t), t.id))


def navigation(
    corpus: Corpus, branding: Branding, wording: Mapping[str, object], language: str = SOURCE_LANGUAGE
) -> list:
    """The menu: a fixed set of pages plus one entry per topic of the current edition (up to site.yaml's
    menu_topics; beyond, one entry to the page of every topic) and per audience, never one per recommendation;
    older editions are on the archive page. So the menu, drawn on every page, does not grow with the content.

    Titles are HTML-escaped: the theme inserts them into every page as HTML.
    """
    labels: Mapping[str, str] = wording["nav"]  # type: ignore[assignment]

    def entry(title: Text | str, path: str) -> dict[str, str]:
        return {html_escape(content.attribute(title, language)): page_file(path)}

    def section(title: str, entries: list) -> dict[str, list]:
        return {html_escape(content.attribute(title, language)): entries}

    topics = menu_topics(corpus)
    if len(topics) <= int(wording["menu_topics"]):  # type: ignore[call-overload]
        named = [entry(t.title, topic_path(t.id)) for t in topics]
    else:
        named = [entry(labels["all_topics"], TOPICS_PATH)]
    return [
        entry(labels["home"], ""),
        section(labels["topics"], [*named, entry(labels["archive"], EDITIONS_PATH)]),
        section(labels["audiences"], [entry(branding.audience(a)["label"], audience_path(a)) for a in tuple(Audience)]),
        entry(labels["recommendations"], "recommendations/"),
        entry(labels["follow_up"], FOLLOW_UP_PATH),
        entry(labels["changelog"], CHANGELOG_PATH),
        entry(labels["downloads"], f"{DOWNLOADS_DIR}/"),
        entry(labels["glossary"], "glossary/"),
        *(
            [section(labels["catalogs"], [entry(c.short_title, catalog_path(c.id)) for c in corpus.catalogs])]
            if corpus.catalogs
            else []
        ),
        section(labels["about"], [entry(labels["about"], "about/"), entry(labels["accessibility"], "accessibility/")]),
    ]


class SiteGenerator:
    """Everything needed to write the site's pages; a parallel build shares it between processes."""

    def __init__(
        self,
        corpus: Corpus,
        info: BuildInfo,
        branding: Branding,
        downloads: Path,
        language: str = SOURCE_LANGUAGE,
        checksums: Mapping[Path, str] | None = None,
    ):
        """`checksums` passes on the downloads another language's generator hashed (the files are shared)."""
        _check_identifiers(corpus)
        self.language = Language(language)
        branding = branding.localised(language)
        self.templates = branding.templates / SITE_TEMPLATES
        self.wording = load_wording(branding, language)
        self.published = collect_downloads(downloads, corpus, branding, self.wording, checksums)
        self.format_version = format_version(downloads)
        references = topic_entries(
            corpus, branding, downloads / ".cache" / "csl" if downloads.is_dir() else None, language=language
        )
        downloads_list = [d for _, d in self.published]
        self.site = SiteContext(corpus, info, branding, self.wording, downloads_list, references, language)
        self.nav = navigation(corpus, branding, self.wording, language)
        self.editions, self.edition_files = edition_views(corpus, downloads)

    def compile_templates(self, scratch: Path) -> None:
        """Compile the site's templates once for every language (they are shared in memory)."""
        PageWriter(self.site, self.templates, scratch).compile_templates()

    @property
    def checksums(self) -> dict[Path, str]:
        return {source: item.sha256 for source, item in self.published}

    @property
    def other_pages(self) -> int:
        """How many pages are not a recommendation's."""
        return len(self._other_pages())

    def _other_pages(self) -> list[tuple[str, Text | str, str, Mapping[str, object]]]:
        """(path, title, template, values) of every page that is not a recommendation's."""
        corpus, branding, wording = self.site.corpus, self.site.branding, self.wording
        titles: Mapping[str, str] = wording["titles"]  # type: ignore[assignment]
        figures = key_figures(corpus, branding, wording["figures"])  # type: ignore[arg-type]
        latest = max((t.edition for t in corpus.topics), default=self.site.info.date.year)
        home = {
            "figures": figures,
            "chart": chart_layout(figures),
            "latest_edition": latest,
            "latest_topics": [t for t in corpus.topics if t.edition == latest],
            "older_topics": sorted((t for t in corpus.topics if t.edition != latest), key=lambda t: -t.edition),
        }
        pages: list[tuple[str, Text | str, str, Mapping[str, object]]] = [
            ("", str(wording["site_name"]), "pages/home.md.j2", home)
        ]
        listed = {"topics": alphabetical(menu_topics(corpus), self.language), "edition": current_edition(corpus)}
        pages.append((TOPICS_PATH, titles["topics"], "pages/topics.md.j2", listed))
        pages += [(topic_path(t.id), t.title, "pages/topic.md.j2", {"topic": t}) for t in corpus.topics]
        pages += [
            (audience_path(a), str(branding.audience(a)["heading"]), "pages/audience.md.j2", {"audience": a})
            for a in tuple(Audience)
        ]
        pages += [
            ("recommendations/", titles["recommendations"], "pages/recommendations.md.j2", {}),
            (
                f"{DOWNLOADS_DIR}/",
                titles["downloads"],
                "pages/downloads.md.j2",
                {"format_version": self.format_version},
            ),
            ("glossary/", titles["glossary"], "pages/glossary.md.j2", {}),
            *((catalog_path(c.id), c.title, "pages/catalog.md.j2", {"catalog": c}) for c in corpus.catalogs),
            ("about/", titles["about"], "pages/about.md.j2", {}),
            ("accessibility/", titles["accessibility"], "pages/accessibility.md.j2", {}),
        ]
        pages += cycle_pages(corpus, branding, wording, self.site.today, self.editions)
        return pages

    def write(
        self,
        docs: Path,
        fragments_file: Path,
        recommendations: Sequence[Recommendation] | None = None,
        main: bool = True,
    ) -> frozenset[Path]:
        """Write pages into docs and their HTML blocks into fragments_file; returns every file of docs it made.

        The main writer writes every page but the recommendations left out of `recommendations`
        (None: all), the published files and the assets. Another shard writes its recommendations
        and stubs for the pages the menu names (no other: their links are in HTML, which mkdocs does not check).
        """
        writer = PageWriter(self.site, self.templates, docs)
        named = set(_menu_files(self.nav))
        for path, title, template, values in self._other_pages():
            if main:
                writer.page(path, template, **values)
            elif page_file(path) in named:
                writer.stub(path, title)
        for item in self.site.corpus.recommendations if recommendations is None else recommendations:
            writer.page(recommendation_path(item.id), "pages/recommendation.md.j2", r=item)
        if main and self.language == SOURCE_LANGUAGE:  # the other languages link to the English site's copies
            for source, download in (*self.published, *self.edition_files):
                target = docs / download.path
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(source, target)
                writer.files.add(target)
            feed = atom_feed(self.site.corpus, self.site.branding, self.wording).encode("utf-8")
            writer.files.add(_write_if_changed(docs / FEED_FILE, feed))
        if main:
            for name, data in _assets(self.site.branding, self.templates).items():
                writer.asset(name, data)
        writer.fragments.save(fragments_file)
        return frozenset(writer.files)


def _menu_files(entries: object) -> list[str]:
    """The Markdown files a menu (navigation()'s nested lists of {title: file or entries}) leads to."""
    if isinstance(entries, str):
        return [entries]
    if isinstance(entries, Mapping):
        return [file for value in entries.values() for file in _menu_files(value)]
    if isinstance(entries, list):
        return [file for entry in entries for file in _menu_files(entry)]
    return []


def write_docs(
    corpus: Corpus, info: BuildInfo, branding: Branding, downloads: Path, docs: Path, fragments_file: Path | None = None
) -> SiteGenerator:
    """Write every page, the published files and the site's own assets into the docs folder."""
    generator = SiteGenerator(corpus, info, branding, downloads)
    generator.write(docs, fragments_file or docs.parent / "fragments.json")
    return generator
