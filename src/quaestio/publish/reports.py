"""Reports for policymakers: Markdown rendered per report, then pandoc and typst to PDF/UA-1, pandoc to DOCX."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from functools import cache, partial
from importlib import metadata
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import jinja2
import pypandoc
import typst
from babel.dates import format_date

from quaestio.content.editions import EditionLog, current_edition, edition_log, editions, snapshot, state_of
from quaestio.content.layout import RECOMMENDATIONS_DIR, TOPICS_DIR
from quaestio.content.markdown import plain_text, without_controls
from quaestio.content.model import Corpus, GlossaryEntry, Recommendation, Reference, Topic
from quaestio.content.tracker import addressee_state
from quaestio.output import link_or_copy, write_atomically
from quaestio.publish import (
    charts,
    compact,
    contents,
    deck,
    docx_layout,
    officefiles,
    pdf_tags,
    progress,
    render,
    typst_child,
)
from quaestio.publish.branding import Branding
from quaestio.publish.budget import (
    Job,
    docx_memory_mb,
    finish_memory_mb,
    pandoc_typst_memory_mb,
    pdf_memory_mb,
    release_freed_memory,
    run_within_budget,
    step,
    typst_memory_mb,
)
from quaestio.publish.buildinfo import BuildInfo, SourceHistory
from quaestio.publish.child import call_in_child
from quaestio.publish.csl import citation_style, csl_id, csl_item, format_bibliographies, mark_title
from quaestio.publish.deck import finish_deck, logo_png, reference_deck
from quaestio.publish.locale import ListStyle, listed, locale_name, long_date, number, percent, plural
from quaestio.publish.officefiles import reproducible_zip
from quaestio.publish.pandoc_markdown import link, literal
from quaestio.publish.pandoc_worker import (
    WORKER_FILES,
    Conversion,
    PandocFailed,
    PandocPool,
    Writing,
    convert_apart,
)
from quaestio.publish.progress import OPEN_SESSION_TEMPLATES, Asset, open_session_context
from quaestio.publish.render import environment, render_markdown
from quaestio.publish.site.figures import Figures, chart_layout, key_figures
from quaestio.publish.typst_child import (
    FinishingRefused,
    TypstJob,
    TypstPool,
    TypstRefused,
    compile_in_child,
    finish_in_child,
)
from quaestio.publish.urls import FOLLOW_UP_PATH, absolute, edition_path, edition_topic_path
from quaestio.publish.volumes import Volume, volume_corpus, volume_names, volumes_of
from quaestio.publish.workers import WorkerDied
from quaestio.vocab import SOURCE_LANGUAGE, Language, Status

# Contributors' Markdown may not pass raw HTML, TeX or typst through, nor set metadata, math or citations.
READER = (
    "markdown-raw_html-raw_tex-raw_attribute-tex_math_dollars-tex_math_single_backslash"
    "-citations-yaml_metadata_block-implicit_figures"
)
REPORTS_TEMPLATES = "reports"
PDF_TEMPLATE, REFERENCE_DOCX, CHART = "report.typ", "reference.docx", "chart.svg.j2"
CHART_FILE, CHART_PNG = "chart.svg", "chart.png"
# The pandoc filter that writes a Word document's headings for its contents page.
HEADINGS_FILTER = Path(__file__).with_name("headings.lua")
# Puts report.typ's anchor at the start of every entry of the references, which links lead to (see pdf_tags.py).
ANCHORS_FILTER = Path(__file__).with_name("anchors.lua")


Compiler = Callable[["ReportSource", Branding, "Workers | None"], bytes]
# A report whose Markdown is longer than this has its Word document finished by a process of its own (python-docx
# takes 220 MiB for the compendium of 2,000 recommendations) and its PDF finished apart from typst's process.
APART_CHARACTERS = 1024 * 1024
# The long-lived workers of pandoc (pandoc_worker.py) and typst (typst_child.py) take reports whose Markdown is
# no longer than this, every topic report (53 kB at 2,000 recommendations); a longer one has processes of its
# own, whose memory goes back to the system after them (a pandoc worker's heap does not shrink: a 250 kB text
# leaves 56 MiB, a 1 MB one 176 MiB; a typst worker keeps what it laid out, about 13 MiB a topic report).
WORKER_CHARACTERS = 256 * 1024


class ReportError(Exception):
    """A report could not be made; the message names the report and the tool that failed."""


@dataclass(frozen=True)
class ReportSpec:
    """One report to build: what it covers, what it is called and which sources it is made from."""

    name: str
    template: str
    kind: str
    title: str
    subtitle: str
    edition: int
    topics: tuple[Topic, ...]
    audience_key: str | None = None
    url_path: str = ""
    sources: tuple[str, ...] = ()
    language: str = SOURCE_LANGUAGE
    corpus: Corpus | None = field(default=None, compare=False, hash=False)
    formats: tuple[str, ...] = (".pdf", ".docx")
    alias: str | None = None
    volume: Volume | None = None
    """Where a compendium published in volumes stands among them (None: a compendium in one file)."""


@dataclass(frozen=True)
class WordFromPdf:
    """How a report's Word Markdown is made of its PDF's: the imprint before it, and the pictures the Word document
    shows for the PDF's drawings. pandoc then reads the Markdown once for both files (see compile_pdf_and_docx)."""

    imprint: str
    pictures: tuple[tuple[str, str], ...]  # (the PDF's drawing, the Word document's picture)

    def markdown(self, markdown_pdf: str) -> str:
        """The Word document's Markdown, as its own pandoc reading would take it."""
        body = markdown_pdf
        for drawing, picture in self.pictures:
            body = body.replace(f"]({drawing})", f"]({picture})")
        return "\n".join([self.imprint, body])


@dataclass(frozen=True)
class ReportSource:
    """A report fully rendered to text, with the hash of everything that shapes its files."""

    spec: ReportSpec
    markdown_pdf: str
    markdown_docx: str
    meta: dict = field(hash=False, compare=False)
    epoch: int = 0
    key: str = ""
    chart_svg: str = ""
    assets: tuple[Asset, ...] = ()
    word_from_pdf: WordFromPdf | None = None  # None: the Word document's Markdown is rendered apart


@dataclass(frozen=True)
class ReportsOutcome:
    """The files written afresh and the files reused from the cache."""

    written: tuple[str, ...]
    unchanged: tuple[str, ...]


def _one_line(text: str) -> str:
    """A text for a report's data (its metadata, the cover): on one line, control characters dropped."""
    return " ".join(without_controls(text).split())


def file_name(name: str, language: str) -> str:
    """A report's file name without suffix: English keeps its name, others add theirs: topic-x.fr."""
    return name if language == SOURCE_LANGUAGE else f"{name}.{language}"


def _edition_specs(sessions: Corpus, whole: Corpus, branding: Branding, edition: int) -> list[ReportSpec]:
    """An edition's reports in the branding's language: one per topic it held a session on (`sessions`, its
    snapshot), and a digest per audience and the compendium of everything then in force (`whole`)."""
    language = branding.language
    settings: Any = branding.report_settings
    content = (TOPICS_DIR, RECOMMENDATIONS_DIR)
    specs = []
    for topic in sessions.topics:
        words = {"topic": _one_line(topic.title.get(language)), "topic_id": topic.id, "edition": topic.edition}
        conf = settings["topic"]
        specs.append(
            ReportSpec(
                name=file_name(conf["file"].format(**words), language),
                template="topic.md.j2",
                kind=conf["kind"],
                title=conf["title"].format(**words),
                subtitle=conf["subtitle"].format(**words),
                edition=topic.edition,
                topics=(topic,),
                url_path=edition_topic_path(edition, topic.id),
                sources=(f"{TOPICS_DIR}/{topic.id}.yaml", f"{RECOMMENDATIONS_DIR}/{topic.id}"),
                language=language,
                corpus=sessions,
            )
        )
    for key, audience in branding["audiences"].items():  # type: ignore[attr-defined]
        words = {
            "audience": audience["label"],
            "audience_lower": audience["label"].lower(),
            "audience_to": audience.get("to", f"to the {audience['label'].lower()}"),
            "audience_key": key,
            "heading": audience["heading"],
            "edition": edition,
        }
        conf = settings["audience"]
        specs.append(
            ReportSpec(
                name=file_name(conf["file"].format(**words), language),
                template="audience.md.j2",
                kind=conf["kind"],
                title=conf["title"].format(**words),
                subtitle=conf["subtitle"].format(**words),
                edition=edition,
                topics=whole.topics,
                audience_key=key,
                url_path=edition_path(edition),
                sources=(TOPICS_DIR, *(f"{RECOMMENDATIONS_DIR}/{t.id}/{key}.yaml" for t in whole.topics)),
                language=language,
                corpus=whole,
            )
        )
    conf = settings["compendium"]
    parts = volumes_of(whole, conf.get("volume_recommendations"))
    names = volume_names(conf, edition, len(parts))
    for place, (topics, (name, title)) in enumerate(zip(parts, names, strict=True), start=1):
        volume = Volume(place, parts, whole) if len(parts) > 1 else None
        specs.append(
            ReportSpec(
                name=file_name(name, language),
                template="compendium.md.j2",
                kind=conf["kind"],
                title=title,
                subtitle=conf["subtitle"].format(edition=edition),
                edition=edition,
                topics=topics,
                url_path=edition_path(edition),
                sources=content,
                language=language,
                corpus=volume_corpus(whole, topics) if volume else whole,
                volume=volume,
            )
        )
    return specs


def _open_session_specs(corpus: Corpus, branding: Branding, settings: Any, edition: int) -> list[ReportSpec]:
    """The progress report and the slide deck of the current edition's open session, over every edition, in the
    branding's language."""
    words = {"edition": edition, "first": min(editions(corpus)), "coalition": branding["coalition"]["name"]}  # type: ignore[index]
    specs = []
    for key, template, formats, path in (
        ("progress", "progress.md.j2", (".pdf", ".docx"), FOLLOW_UP_PATH),
        ("open_session", "open-session.md.j2", (".pptx",), FOLLOW_UP_PATH),
    ):
        conf = settings[key]
        name = file_name(conf["file"].format(**words), branding.language)
        specs.append(
            ReportSpec(
                name=f"{edition}/{name}",
                template=template,
                kind=conf["kind"],
                title=conf["title"].format(**words),
                subtitle=conf["subtitle"].format(**words),
                edition=edition,
                topics=tuple(t for t in corpus.topics if t.closed is None),
                url_path=path,
                sources=(TOPICS_DIR, RECOMMENDATIONS_DIR),
                corpus=corpus,
                formats=formats,
                alias=name,
                language=branding.language,
            )
        )
    return specs


def plan_reports(corpus: Corpus, branding: Branding) -> list[ReportSpec]:
    """Every edition's reports under <edition>/ (a report per topic of its sessions, a digest per audience and a
    compendium of everything then in force), in the branding's language, as templates/reports/reports.yaml
    (and its translation) names them; also the current edition's progress report and open-session deck. The
    current edition's reports are also published at the top level, and so is each other topic's latest."""
    latest = current_edition(corpus)
    specs: list[ReportSpec] = []
    aliased: set[str] = set()
    for year in reversed(editions(corpus)):
        for spec in _edition_specs(snapshot(corpus, year), state_of(corpus, year), branding, year):
            alias = (
                spec.name if (year == latest or spec.template == "topic.md.j2") and spec.name not in aliased else None
            )
            if alias:
                aliased.add(alias)
            specs.append(replace(spec, name=f"{year}/{spec.name}", alias=alias))
    if latest:
        specs += _open_session_specs(corpus, branding, branding.report_settings, latest)
    return specs


def _reference_key(topic: Topic, reference: Reference) -> tuple:
    """What makes two references the same source: the same address and year, else the same author, title and year."""
    if reference.url:
        parts = urlsplit(reference.url)
        address = (parts.netloc.lower(), parts.path.rstrip("/"), parts.query)
        return ("address", address, reference.year)
    return ("text", reference.author.casefold(), " ".join(reference.title.en.split()).casefold(), reference.year)


def _cited(corpus: Corpus, spec: ReportSpec) -> tuple[list[tuple[Topic, Reference]], dict[tuple[str, str], str]]:
    """The references a report lists, each source once, and the anchor every (topic, reference ID) links to.

    A topic report lists all of its topic's references; the others list those their recommendations
    cite (the compendium: every topic's). A source cited by several topics, under different IDs or
    titles, is listed once, as its first topic names it.
    """
    if spec.template == "topic.md.j2":
        candidates = [(spec.topics[0], r) for r in spec.topics[0].references]
    else:
        recs = corpus.recommendations_for(audience=spec.audience_key)
        wanted = {(r.topic, ref) for r in recs for ref in r.references}
        candidates = [
            (t, r) for t in spec.topics for r in t.references if (t.id, r.id) in wanted or spec.audience_key is None
        ]
    entries: list[tuple[Topic, Reference]] = []
    first: dict[tuple, str] = {}
    anchors: dict[tuple[str, str], str] = {}
    for topic, reference in candidates:
        key = _reference_key(topic, reference)
        if key not in first:
            first[key] = render.anchor("ref", csl_id(topic, reference))
            entries.append((topic, reference))
        anchors[(topic.id, reference.id)] = first[key]
    return entries, anchors


def _bibliographies(
    corpus: Corpus, specs: Sequence[ReportSpec], branding: Branding, cache_dir: Path | None
) -> list[list[tuple[str, str]]]:
    """Every report's references formatted by pandoc's citeproc (the branding's CSL style, the report language's
    locale), as (CSL ID, pandoc Markdown) in the style's order; each report's list on its own, all of a
    language's lists in one batch (see csl.format_bibliographies)."""
    cited = [_cited(spec.corpus or corpus, spec)[0] for spec in specs]
    by_language: dict[str, list[int]] = {}
    for index, spec in enumerate(specs):
        by_language.setdefault(spec.language, []).append(index)

    def formatted(language: str) -> list[dict[str, str]]:
        groups = [[csl_item(topic, ref, language) for topic, ref in cited[i]] for i in by_language[language]]
        return format_bibliographies(groups, citation_style(branding, language), cache_dir, "markdown")

    lists: list[list[tuple[str, str]]] = [[] for _ in specs]
    # Each language's pandoc runs beside the others' (most of its time is pandoc's, outside this process).
    with ThreadPoolExecutor(max_workers=len(by_language) or 1) as pool:
        for language, entries in zip(by_language, pool.map(formatted, by_language), strict=True):
            for index, report_entries in zip(by_language[language], entries, strict=True):
                by_id = {csl_id(topic, ref): ref for topic, ref in cited[index]}
                lists[index] = [
                    (key, _title_marked(text, by_id[key], language)) for key, text in report_entries.items()
                ]
    return lists


def _title_marked(entry: str, reference: Reference, language: str) -> str:
    """A formatted entry whose title, when it is shown in another language than the report's (a French law's
    title in an English report, an English title not yet translated), is marked with that language: pandoc
    writes `lang` into the DOCX, and the typst attributes give the PDF's text its language."""
    shown = reference.title.language_shown(language, reference.language)
    if shown == language:
        return entry
    code = shown.value
    return mark_title(
        entry,
        reference.title.get(language),
        lambda title: f'[{title}]{{lang={code} typst:text:lang="\\"{code}\\"" typst:text:region="none"}}',
    )


def _glossary(topics: Iterable[Topic]) -> list[GlossaryEntry]:
    merged: dict[str, GlossaryEntry] = {}
    for topic in topics:
        for entry in topic.glossary:
            merged.setdefault(entry.term, entry)
    return sorted(merged.values(), key=lambda e: e.term.casefold())


@cache
def _pandoc() -> str:
    return pypandoc.get_pandoc_path()


@cache
def _tool_fingerprint() -> str:
    pandoc_version = subprocess.run([_pandoc(), "--version"], capture_output=True, text=True).stdout.split("\n")[0]
    return f"{pandoc_version}|typst-py {metadata.version('typst')}"


def _files_digest(paths: Iterable[Path]) -> str:
    digest = hashlib.sha256()
    for path in sorted(paths):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def _changes(corpus: Corpus, spec: ReportSpec) -> EditionLog | None:
    """What the edition changed, for its compendium."""
    if spec.template != "compendium.md.j2":
        return None
    years = editions(corpus)
    later = [y for y in years if y > spec.edition]
    return edition_log(corpus, spec.edition, later[0] if later else None)


def _volume_changes(log: EditionLog | None, volume: Volume | None) -> EditionLog | None:
    """What the edition changed in a volume's own topics; the last volume also tells what it changed in topics
    no volume holds (closed ones)."""
    if log is None or volume is None:
        return log
    own = {t.id for t in volume.topics}
    others = {t.id for part in volume.parts for t in part} - own

    def kept(topic: str) -> bool:
        return topic in own or (volume.last and topic not in others)

    return replace(
        log,
        topics=tuple(t for t in log.topics if kept(t.id)),
        added=tuple(r for r in log.added if kept(r.topic)),
        revised=tuple(item for item in log.revised if kept(item.recommendation.topic)),
        withdrawn=tuple(r for r in log.withdrawn if kept(r.topic)),
        carried_over=tuple(r for r in log.carried_over if kept(r.topic)),
        follow_up=tuple(u for u in log.follow_up if kept(u.recommendation.topic)),
    )


def _volume_context(spec: ReportSpec, changes: EditionLog | None) -> dict[str, object] | None:
    """What a volume says of the whole compendium (its counts, what the edition changed) and of every volume
    (None: a compendium in one file)."""
    volume = spec.volume
    if volume is None:
        return None
    whole = volume.compendium
    return {
        "number": volume.number,
        "count": volume.count,
        "counts": _counts(whole.recommendations),
        "topics": len(whole.topics),
        "held": sum(1 for t in whole.topics if t.edition == spec.edition),
        "changes": changes,
        "entries": [
            {"volume": place, "first": part[0], "last": part[-1], "topics": len(part)}
            for place, part in enumerate(volume.parts, start=1)
        ],
    }


@dataclass(frozen=True)
class _Language:
    """What a report in one language is rendered with: its branding, settings, words and templates."""

    language: str
    branding: Branding
    settings: Any
    env: jinja2.Environment

    @property
    def words(self) -> dict:
        return self.settings["words"]

    def count(self, forms: object, n: int) -> str:
        return plural(forms, n, self.language)

    def listed(self, items: list[str], style: ListStyle = "standard") -> str:
        """Items as the language lists them: 'a, b and c', 'a, b et c' ('or' style: 'a, b or c')."""
        return listed(items, self.language, style)


def _language(branding: Branding, language: str) -> _Language:
    localised = branding.localised(language)
    settings: Any = localised.report_settings
    words = settings["words"]
    env = environment(localised.templates / REPORTS_TEMPLATES, language, words["untranslated"])
    env.globals.update(
        # A date is text in the Markdown: German's '27. April 2016' at the start of a list item is no list.
        long_date=lambda value: literal(long_date(value, language)),
        count=lambda forms, n: plural(forms, n, language),
        say=lambda wording, **values: str(wording).format(**values),
        number=lambda value: number(value, language),
        percent=lambda share: percent(share, language),
        listed=lambda items, style="standard": listed([str(item) for item in items], language, style),
        words=words,
        language=language,
        addressee_state=addressee_state,
    )
    return _Language(language, localised, settings, env)


def _segments(text: str, slots: tuple[str, ...]) -> list[dict[str, str]]:
    """A sentence cut at its {slots} for typst, which prints each slot its own way (code, a link...):
    [{"text": ...}, {"slot": "revision"}, ...]; line breaks of the wording file become spaces."""
    pattern = "(" + "|".join(re.escape("{" + slot + "}") for slot in slots) + ")"
    parts = []
    for piece in re.split(pattern, " ".join(text.split())):
        if piece[1:-1] in slots and piece.startswith("{"):
            parts.append({"slot": piece[1:-1]})
        elif piece:
            parts.append({"text": piece})
    return parts


def _typst_words(words: dict, source_text: str) -> dict[str, object]:
    """The words report.typ prints, sentences already filled in (typst reads them as data)."""
    return {
        "edition": words["edition"],
        "contents": words["contents"],
        "licence": words["licence"],
        "how_to_cite": words["how_to_cite"],
        "source": words["source"],
        "counts": words["counts_label"],
        "page_of": words["page_of"],
        "link_page": words["link_page"],
        "table": words["table"],
        "figure": words["figure"],
        "source_text": _segments(source_text, ("revision", "address", "typst")),
    }


# The modules whose code shapes the report files, beside the templates: a change to them remakes every report.
_SHAPING_MODULES = (render, contents, pdf_tags, compact, typst_child, docx_layout, charts, progress, deck, officefiles)


@dataclass(frozen=True)
class Counts:
    """How many recommendations a report presents: current ones (not withdrawn), and withdrawn ones."""

    current: int
    withdrawn: int


def _counts(recommendations: Iterable[Recommendation]) -> Counts:
    statuses = [r.status for r in recommendations]
    withdrawn = sum(1 for status in statuses if status == Status.WITHDRAWN)
    return Counts(len(statuses) - withdrawn, withdrawn)


def counts_sentence(counts: Counts, local: _Language) -> str:
    """What a count of recommendations includes, said the same way in the reports and on the website."""
    words = local.words
    labels = [local.branding.label("status", s) for s in Status if s != Status.WITHDRAWN]
    current = [label.lower() for label in labels] if words["lowercase_states"] else labels
    sentence = local.count(words["counts_current"], counts.current).format(statuses=local.listed(current, "or"))
    if counts.withdrawn:
        sentence += local.count(words["counts_withdrawn"], counts.withdrawn)
    return sentence


def _month_span(dates: list[dt.date], local: _Language) -> str:
    first, last = min(dates), max(dates)
    locale = locale_name(local.language)
    month = partial(format_date, format="LLLL y", locale=locale)
    if (first.year, first.month) == (last.year, last.month):
        return month(last)
    start = format_date(first, format="LLLL", locale=locale) if first.year == last.year else month(first)
    return str(local.words["month_range"]).format(first=start, last=month(last))


def _publication(spec: ReportSpec, local: _Language, publisher: str) -> tuple[str, str]:
    """The cover's date line and the imprint's sentence: the edition's publication day when reports.yaml
    names it, else the working sessions the report comes from. Never the day the file was made."""
    words = local.words
    editions: Mapping[int, object] = local.settings.get("published") or {}
    published = editions.get(spec.edition)
    if published:
        day = long_date(published if isinstance(published, dt.date) else str(published), local.language)
        return day, str(words["published_on"]).format(date=day, coalition=publisher)
    sessions = [dt.date.fromisoformat(str(t.session.date)) for t in spec.topics]
    if len(sessions) == 1:
        when = str(words["session_of"]).format(date=long_date(sessions[0], local.language))
    else:
        when = str(words["sessions_of"]).format(months=_month_span(sessions, local))
    drawn_up = local.count(words["drawn_up"], len(sessions)).format(sessions=when, coalition=publisher)
    return when[0].upper() + when[1:], drawn_up


def _tools(info: BuildInfo, names: tuple[str, ...], local: _Language) -> list[str]:
    """The tools that made a file, with the versions the build's manifest names."""
    versions = info.tool_versions
    named = [f"{name} {versions[name]}" for name in names if name in versions]
    return [str(local.words["python_package"]).format(name=n) if n.startswith("typst ") else n for n in named]


def _chart(corpus: Corpus, spec: ReportSpec, local: _Language, templates: Path) -> tuple[str, dict[str, str]]:
    """The executive summary's bar chart (the website's figures for this report's recommendations) as SVG,
    with its text alternative, which names every figure, and its caption."""
    recs = corpus.recommendations_for(audience=spec.audience_key)
    recs = tuple(r for r in recs if r.topic in {t.id for t in spec.topics})
    titles = dict(local.settings["figures"])
    if spec.audience_key is not None:
        titles.pop("audience", None)
    figures: Figures = key_figures(Corpus(spec.topics, recs), local.branding, titles)
    layout = chart_layout(figures)
    svg = _chart_environment(templates).get_template(CHART).render(chart=layout, colours=local.branding["colours"])
    shown = partial(number, language=local.language)
    panels = [f"{g.title}: " + ", ".join(f"{c.label} {shown(c.value)}" for c in g.counts) for g in figures.groups]
    words = local.words
    alt = str(words["chart_alt"]).format(panels=". ".join(panels))
    caption = str(words["chart_caption"]).format(current=shown(figures.current), withdrawn=shown(figures.withdrawn))
    return svg, {"alt": alt, "caption": caption, "file": CHART_FILE}


@cache
def _chart_environment(templates: Path) -> jinja2.Environment:
    """The environment of the chart's SVG template: one per templates folder, so that the template is compiled
    once, not once per report (Jinja compiles it again when its file changes)."""
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(templates)), autoescape=True, undefined=jinja2.StrictUndefined
    )


def render_sources(
    corpus: Corpus,
    info: BuildInfo,
    branding: Branding,
    history: SourceHistory | None,
    specs: Sequence[ReportSpec],
    bibliography_cache: Path | None = None,
) -> Iterator[ReportSource]:
    """Render every planned report to Markdown and metadata, one after another, and key each by what shapes
    its output.

    bibliography_cache: a folder keeping formatted bibliographies between builds (see csl.format_entries)."""
    templates = branding.templates / REPORTS_TEMPLATES
    fixed = "|".join(
        [
            _tool_fingerprint(),
            _files_digest(p for p in templates.iterdir() if p.is_file()),
            _files_digest(p for p in (branding.templates / "fonts").iterdir() if p.suffix in (".otf", ".ttf")),
            _files_digest([branding.templates / str(branding["coalition"]["logo"])]),  # type: ignore[index]
            _files_digest(
                [
                    Path(__file__),  # this module: how a report's Markdown becomes PDF, DOCX and PPTX
                    *(Path(str(module.__file__)) for module in _SHAPING_MODULES),
                    HEADINGS_FILTER,
                    ANCHORS_FILTER,
                    *WORKER_FILES,
                ]
            ),
        ]
    )
    publisher = str(branding["coalition"]["name"])  # type: ignore[index]
    languages: dict[str, _Language] = {}
    # The progress report and the deck show the same figures and charts: drawn once for both.
    open_sessions: dict[tuple[int, str, str], tuple[dict[str, object], tuple[Asset, ...]]] = {}
    bibliographies = _bibliographies(corpus, specs, branding, bibliography_cache)
    for spec, bibliography in zip(specs, bibliographies, strict=True):
        own = spec.corpus or corpus  # an earlier edition's report shows that edition's snapshot
        local = languages.get(spec.language) or languages.setdefault(spec.language, _language(branding, spec.language))
        words, brand = local.words, local.branding
        site_url = absolute(str(branding["site_url"]), "" if spec.language == SOURCE_LANGUAGE else f"{spec.language}/")
        revision, epoch = (
            history.latest(spec.sources + ("templates",), info) if history else (info.revision, info.source_date_epoch)
        )
        date = long_date(dt.datetime.fromtimestamp(epoch, tz=dt.UTC).date(), spec.language)
        published, published_sentence = _publication(spec, local, publisher)
        url = absolute(site_url, spec.url_path)
        citation_before = f"{publisher} ({spec.edition}). "
        citation_after = words["citation_after"].format(kind=spec.kind, edition=spec.edition, revision=revision[:12])
        covered = {t.id for t in spec.topics}
        mine = [r for r in own.recommendations_for(audience=spec.audience_key) if r.topic in covered]
        counts = _counts(mine)
        chart_svg, chart = _chart(own, spec, local, templates)
        _, reference_anchors = _cited(own, spec)
        # The PDF's imprint adds the Typst compiler's own version, which only typst itself can tell.
        pdf_tools = local.listed([*_tools(info, ("quaestio", "pandoc", "typst"), local), words["typst_compiler"]])
        docx_tools = local.listed(_tools(info, ("quaestio", "pandoc"), local))
        pdf_source_text = str(words["source_text"]).replace("{date}", date).replace("{tools}", pdf_tools)
        report = {
            "kind": spec.kind,
            "edition": spec.edition,
            "date": date,
            "published_sentence": published_sentence,
            "revision": revision,
            "site_url": site_url,
            "tools": docx_tools,
            "counts": str(words["counts_report"]).format(counts=counts_sentence(counts, local)),
            "citation_markdown": f"{literal(citation_before)}*{literal(spec.title)}*{literal(citation_after)} "
            + link(url, url),
        }
        changes = _changes(corpus, spec)
        context = dict(
            report=report,
            topics=spec.topics,
            topic=spec.topics[0] if len(spec.topics) == 1 and spec.template == "topic.md.j2" else None,
            audience_key=spec.audience_key,
            edition=spec.edition,
            audience=brand.audience(spec.audience_key) if spec.audience_key else None,
            counts=counts,
            chart=chart,
            references_by_id={(t.id, r.id): r for t in own.topics for r in t.references},
            reference_entries=bibliography,
            reference_anchors=reference_anchors,
            glossary_entries=_glossary(spec.topics),
            site_url=site_url,
            changes=_volume_changes(changes, spec.volume),
            volume=_volume_context(spec, changes),
            # A volume lists a recommendation's relations in every volume (the site's page links the others).
            related_to=(spec.volume.compendium if spec.volume else own).related_to,
        )
        assets: tuple[Asset, ...] = ()
        if spec.template in OPEN_SESSION_TEMPLATES:
            today = dt.datetime.fromtimestamp(epoch, tz=dt.UTC).date().isoformat()
            shared = (id(own), spec.language, today)
            if shared not in open_sessions:
                open_sessions[shared] = open_session_context(own, brand, today, words)
            extra, assets = open_sessions[shared]
            context.update(extra)  # type: ignore[arg-type]
        markdown_pdf = render_markdown(local.env, spec.template, own, brand, **context)
        # The PDF template prints the imprint from meta.json; a Word document carries it as its first section,
        # and shows the chart as a picture (typst draws it from the SVG). Content cannot write `](chart.svg)`
        # (its brackets are escaped and its links only http, https or mailto), so only the chart's is replaced;
        # the progress report lays out its Word document its own way and is rendered again for it.
        imprint = render_markdown(local.env, "imprint.md.j2", own, brand, **context)
        word_from_pdf = None
        if spec.template in OPEN_SESSION_TEMPLATES:
            body = render_markdown(
                local.env, spec.template, own, brand, **{**context, "chart": {**chart, "file": CHART_PNG}}
            )
            markdown_docx = "\n".join([imprint, body])
            for asset in assets:  # Word and the slides show the open-session charts as PNG images
                if asset.name.endswith(".svg"):
                    markdown_docx = markdown_docx.replace(f"]({asset.name})", f"]({asset.name[:-4]}.png)")
        else:
            word_from_pdf = WordFromPdf(imprint, ((CHART_FILE, CHART_PNG),))
            markdown_docx = word_from_pdf.markdown(markdown_pdf)
        tag = Language(spec.language).tag
        meta = {
            "title": spec.title,
            "subtitle": spec.subtitle,
            "kind": spec.kind,
            "edition": str(spec.edition),
            "summary": plain_text(spec.topics[0].summary.get(spec.language)) if len(spec.topics) == 1 else "",
            "abstract": (
                plain_text(spec.topics[0].summary.get(spec.language))
                if len(spec.topics) == 1
                else f"{spec.subtitle}. {report['counts']}"
            ),
            "date": date,
            "published": published,
            "published_sentence": report["published_sentence"],
            "revision": revision,
            "tools": pdf_tools,
            "counts": report["counts"],
            "chart": chart,
            "contents": _contents(spec, local.settings, markdown_pdf),
            "publisher": publisher,
            "subject": f"{spec.kind}: {spec.title}. {spec.subtitle}.",
            "keywords": [*local.settings["keywords"], *(_one_line(t.title.get(spec.language)) for t in spec.topics)][
                :12
            ],
            "lang": tag.split("-")[0],
            "region": tag.split("-")[1],
            "tag": tag,
            "url": url,
            "site_url": site_url,
            "about": str(brand["coalition"]["description"]),  # type: ignore[index]
            "licence": dict(brand["licence"]),  # type: ignore[call-overload]
            "citation_before": citation_before,
            "citation_after": citation_after,
            "colours": dict(branding["colours"]),  # type: ignore[call-overload]
            "logo_alt": str(brand["coalition"]["logo_alt"]),  # type: ignore[index]
            "words": _typst_words(words, pdf_source_text),
            "kind_edition": words["kind_edition"].format(kind=spec.kind, edition=spec.edition),
        }
        if spec.template == "open-session.md.j2":  # the title slide's date line
            meta["as_at"] = str(words["slides"]["as_at"]).format(date=date)
        parts = [fixed, markdown_pdf, markdown_docx, json.dumps(meta, sort_keys=True), chart_svg, str(epoch)]
        digest = hashlib.sha256("\x1f".join([*parts, *spec.formats]).encode())
        for asset in assets:
            digest.update(asset.name.encode() + asset.data + asset.alt.encode())
        yield ReportSource(
            spec, markdown_pdf, markdown_docx, meta, epoch, digest.hexdigest(), chart_svg, assets, word_from_pdf
        )


def _contents(spec: ReportSpec, settings: Mapping[str, object], markdown: str) -> dict[str, object]:
    """How deep the contents page goes and, for the compendium, where: below its sections it lists only
    the audiences and recommendations of each topic (between the labels of each range), not the
    subheadings of its status quaestionis. It goes down to the configured depth, less deep where its entries
    would be more than reports.yaml's contents_entries (the compendium of thousands of recommendations)."""
    section: Mapping[str, object] = settings[_setting_key(spec)]  # type: ignore[assignment]
    ranges: list[tuple[str, str]] = []
    if spec.template == "compendium.md.j2":
        ends = [render.anchor("topic", t.id) for t in spec.topics[1:]] + ["references"]
        ranges = [(render.anchor("recommendations", t.id), end) for t, end in zip(spec.topics, ends, strict=True)]
    most = section.get("contents_entries")
    depth = contents.fitting_depth(
        contents.markdown_headings(markdown),
        dict(ranges),
        int(section["contents_depth"]),  # type: ignore[call-overload]
        None if most is None else int(most),  # type: ignore[call-overload]
    )
    return {"depth": depth, "ranges": ranges}


def _setting_key(spec: ReportSpec) -> str:
    """The section of reports.yaml that configures a report."""
    return {"topic.md.j2": "topic", "audience.md.j2": "audience"}.get(spec.template, "compendium")


def _run_pandoc(markdown: str, args: list[str], epoch: int, extra_env: Mapping[str, str] | None = None) -> bytes:
    """What the pandoc command writes to stdout with these arguments, the Markdown on its stdin."""
    env = {**os.environ, "SOURCE_DATE_EPOCH": str(epoch), **(extra_env or {})}
    completed = subprocess.run([_pandoc(), *args], input=markdown.encode("utf-8"), capture_output=True, env=env)
    if completed.returncode != 0:
        raise ReportError(f"pandoc failed: {completed.stderr.decode('utf-8', 'replace').strip()}")
    return completed.stdout


@dataclass(frozen=True)
class Workers:
    """The long-lived workers a build's report jobs share for their small reports: pandoc's and typst's."""

    pandoc: PandocPool
    typst: TypstPool

    def close_idle(self) -> None:
        """Close the idle workers of both, so that a large step that follows has their memory."""
        self.pandoc.close_idle()
        self.typst.close_idle()


def _step(need_mb: float, size: int, workers: Workers | None) -> None:
    """The next step of a report's job (see budget.step); a report too large for the workers has the memory of
    the idle ones too: they are closed once the step may start."""
    step(need_mb)
    if workers is not None and size > WORKER_CHARACTERS:
        workers.close_idle()


def _convert(markdown: str, conversion: Conversion, workers: Workers | None) -> None:
    """The conversion, by one of pandoc's workers for a short Markdown text, else by a worker of its own (the idle
    ones closed first, so that the large step that follows has their memory)."""
    try:
        if workers is None or len(markdown) > WORKER_CHARACTERS:
            if workers is not None:
                workers.close_idle()
            convert_apart(_pandoc(), markdown, conversion)
        else:
            workers.pandoc.convert(markdown, conversion)
    except (PandocFailed, WorkerDied) as failure:
        raise ReportError(f"pandoc failed: {failure}") from None


def _typeset(job: TypstJob, size: int, workers: Workers | None) -> bytes:
    """The job's PDF: by one of typst's workers for a short report, else by a typst process of its own, and
    then, unless the job had it finished there, finished by another (see typst_child)."""
    pdf = compile_in_child(job) if workers is None or size > WORKER_CHARACTERS else workers.typst.compile(job)
    if not job.finish:
        _step(finish_memory_mb(size), size, workers)
        pdf = finish_in_child(job)
    return pdf


# A list item whose text begins with a number and a full stop ('- 27. April 2016, ...'): pandoc's typst writer
# escapes such a number at the start of any other line, not right after a list marker, where typst reads it as
# a numbered list inside the item. Code blocks are left as they are.
_ITEM_NUMBER = re.compile(rb"^([ \t]*(?:[-+]|\d+\.)[ \t]+)(\d+\.(?:[ \t]|$))", re.M)
_FENCE = re.compile(rb"^[ \t]*```", re.M)


def _item_numbers_escaped(typst_source: bytes) -> bytes:
    """pandoc's typst output with a number that begins a list item's text escaped ('- \\27. April')."""
    parts = _FENCE.split(typst_source)  # even parts are markup, odd ones code between two fences
    fences = _FENCE.findall(typst_source)
    out = [_ITEM_NUMBER.sub(rb"\1\\\2", parts[0])]
    for index, (fence, part) in enumerate(zip(fences, parts[1:], strict=True), start=1):
        out += [fence, part if index % 2 else _ITEM_NUMBER.sub(rb"\1\\\2", part)]
    return b"".join(out)


def _with_alt(typst_source: bytes, asset: Asset) -> bytes:
    """The typst source with the asset's description as the alt text of its image (PDF/UA requires one; pandoc's
    typst writer does not pass it). Only the report templates insert images: content cannot."""
    alt = asset.alt.replace("\\", "\\\\").replace('"', '\\"')
    call = f'image("{asset.name}"'.encode()
    return typst_source.replace(call, call + f', alt: "{alt}"'.encode())


def _typst_writing(folder: Path, branding: Branding) -> Writing:
    """pandoc's typst source of a PDF, with the coalition's template, written into folder as pandoc.typ."""
    template = branding.templates / REPORTS_TEMPLATES / PDF_TEMPLATE
    return Writing("typst", folder / "pandoc.typ", template=template, wrap="preserve", filters=(ANCHORS_FILTER,))


def compile_pdf(source: ReportSource, branding: Branding, workers: Workers | None = None) -> bytes:
    """pandoc (Markdown to typst with the coalition's template), then typst to a tagged PDF/UA-1 file (see _pdf).
    A short report's pandoc and typst are the workers'."""
    with tempfile.TemporaryDirectory(prefix="quaestio-typst-") as scratch:
        folder = Path(scratch)
        conversion = Conversion(READER, (_typst_writing(folder, branding),), source.epoch, folder)
        _convert(source.markdown_pdf, conversion, workers)
        return _pdf(source, branding, folder, workers)


def _pdf(source: ReportSource, branding: Branding, folder: Path, workers: Workers | None) -> bytes:
    """The PDF made from pandoc's typst source in folder: typst to a tagged PDF/UA-1 file, finished
    (pdf_tags.finish_pdf) in typst's process or, for a large report, in one of its own; each step holds its own
    memory (see budget.step)."""
    size = len(source.markdown_pdf)
    # typst sees only this folder: the document, its data, the logo and the chart. No packages, no system fonts.
    pandoc_source = folder / "pandoc.typ"
    typst_source = _item_numbers_escaped(pandoc_source.read_bytes())
    pandoc_source.unlink()
    (folder / "meta.json").write_text(json.dumps(source.meta, ensure_ascii=False), encoding="utf-8")
    (folder / CHART_FILE).write_text(source.chart_svg, encoding="utf-8")
    shutil.copyfile(branding.templates / str(branding["coalition"]["logo"]), folder / "logo.svg")  # type: ignore[index]
    for asset in source.assets:
        if asset.name.endswith(".svg"):
            (folder / asset.name).write_bytes(asset.data)
            typst_source = _with_alt(typst_source, asset)
    (folder / "report.typ").write_bytes(typst_source)
    job = TypstJob(
        source=str(folder / "report.typ"),
        root=str(folder),
        font_paths=(str(branding.templates / "fonts"),),
        package_path=str(folder / "no-packages"),
        timestamp=source.epoch,
        output=str(folder / "report.pdf"),
        finish=size <= APART_CHARACTERS,  # a large report's PDF is finished apart
        titles=heading_titles(typst_source.decode("utf-8")),
        link_page=str(source.meta["words"]["link_page"]),
    )
    _step(typst_memory_mb(size), size, workers)
    try:
        return _typeset(job, size, workers)
    except TypstRefused as failure:
        raise ReportError(f"typst refused {source.spec.name}.pdf: {failure}") from None
    except (RuntimeError, WorkerDied) as failure:
        raise ReportError(f"{source.spec.name}.pdf could not be made: {failure}") from None
    except FinishingRefused as failure:
        raise ReportError(f"{source.spec.name}.pdf: {failure}") from None


# pandoc's typst for a labelled heading: "== Title" or "#heading(level: 3, outlined: false)[Title]", and its
# label on the next line.
_LABELLED_HEADING = re.compile(r"^(?:=+ (.*)|#heading\([^)\n]*\)\[(.*)\])\n<([^>\s]+)>$", re.MULTILINE)
# typst's shorthands pandoc writes in plain text, and what typst reads them as.
_SHORTHANDS = {"---": "\u2014", "--": "\u2013", "...": "\u2026", "~": "\u00a0", "-?": "\u00ad"}
_MARKUP = re.compile(r"\\(.)|---|--|\.\.\.|~|-\?")


def heading_titles(typst_source: str) -> dict[str, str]:
    """The title of every labelled heading of pandoc's typst, by label, as typst's plain text has it: what
    typst's own link to the heading was described by (its supplement, the title, see report.typ)."""
    return {
        match[3]: _MARKUP.sub(lambda m: m[1] or _SHORTHANDS[m[0]], match[1] or match[2])
        for match in _LABELLED_HEADING.finditer(typst_source)
    }


def _png(svg: str, width: str, fonts: Path) -> bytes:
    """An SVG drawn as a PNG by typst (for Word, which needs a bitmap beside SVG), in the report fonts."""
    with tempfile.TemporaryDirectory(prefix="quaestio-png-") as scratch:
        folder = Path(scratch)
        (folder / "picture.svg").write_text(svg, encoding="utf-8")
        (folder / "picture.typ").write_text(
            '#set page(width: auto, height: auto, margin: 4pt, fill: none)\n#image("picture.svg", width: '
            + width
            + ")\n",
            encoding="utf-8",
        )
        try:
            return typst.compile(
                str(folder / "picture.typ"),
                root=str(folder),
                format="png",
                ppi=220,
                font_paths=[str(fonts)],
                ignore_system_fonts=True,
            )
        except typst.TypstError as failure:
            raise ReportError(f"typst could not draw a picture for a Word report: {failure}") from None


@cache
def _logo_png(logo_svg: str, fonts: Path) -> bytes:
    """The coalition's logo as the PNG every Word report shows: drawn once for the same picture, not once a
    report (keyed on the SVG's text, so that a changed logo is drawn again in a long-lived `serve`)."""
    return _png(logo_svg, "6.2cm", fonts)


def _plain_text(inlines: list) -> str:
    """The text of pandoc AST inlines."""
    out = []
    for node in inlines:
        kind, content = node.get("t"), node.get("c")
        if kind == "Str":
            out.append(content)
        elif kind in ("Space", "SoftBreak", "LineBreak"):
            out.append(" ")
        elif kind in ("Code", "Math"):
            out.append(content[1])
        elif kind in ("Span", "Link", "Quoted"):
            out.append(_plain_text(content[1]))
        elif kind in ("Emph", "Strong", "Underline", "Strikeout", "Superscript", "Subscript", "SmallCaps"):
            out.append(_plain_text(content))
    return "".join(out)


def _headers(blocks: list) -> list:
    """The Header blocks of a pandoc AST in reading order, also those inside divisions (a recommendation's)."""
    found = []
    for block in blocks:
        if block["t"] == "Header":
            found.append(block)
        elif block["t"] == "Div":
            found += _headers(block["c"][1])
    return found


def contents_entries(headings: bytes, contents_page: Mapping[str, object]) -> list[docx_layout.ContentsEntry]:
    """The headings a report's contents page lists, as the PDF's outline lists them (see contents.listed).
    `headings` is what headings.lua wrote while pandoc made the Word document (its headings as pandoc JSON)."""
    blocks = _headers(json.loads(headings)["blocks"])
    levels: list[contents.Heading] = []
    for block in blocks:
        level, (identifier, classes, _), _ = block["c"]
        levels.append((level, identifier, classes))
    ranges = dict(contents_page["ranges"])  # type: ignore[call-overload]
    depth = int(contents_page["depth"])  # type: ignore[call-overload]
    return [
        docx_layout.ContentsEntry(levels[i][0], _plain_text(blocks[i]["c"][2]), levels[i][1])
        for i in contents.listed(levels, ranges, depth)
    ]


def _kind_line(meta: Mapping[str, Any]) -> str:
    """The cover's line under a Word document's title: the report's kind, edition and publication date."""
    return f"{meta['kind']} · {meta['words']['edition']} {meta['edition']} · {meta['published']}"


def _word_writing(folder: Path, source: ReportSource, branding: Branding) -> Writing:
    """pandoc's Word document, with the coalition's reference document (styles), written into folder as
    report.docx; the pictures it shows (its chart, the open session's) are put there first."""
    meta = source.meta
    (folder / CHART_PNG).write_bytes(_png(source.chart_svg, "16cm", branding.templates / "fonts"))
    for asset in source.assets:
        (folder / asset.name).write_bytes(asset.data)
    return Writing(
        "docx",
        folder / "report.docx",
        reference_doc=branding.templates / REPORTS_TEMPLATES / REFERENCE_DOCX,
        toc_depth=int(meta["contents"]["depth"]),
        metadata={
            "title": meta["title"],
            "subtitle": meta["subtitle"],
            "date": _kind_line(meta),
            "author": meta["publisher"],
            "lang": meta["tag"],
            "description": meta["subject"],
            "toc-title": meta["words"]["contents"],
        },
        filters=(HEADINGS_FILTER,),
    )


def _headings_file(folder: Path) -> dict[str, str]:
    """Where headings.lua writes a Word document's headings: the variable it reads, for the conversion."""
    return {"QUAESTIO_HEADINGS": str(folder / "headings.json")}


def compile_docx(source: ReportSource, branding: Branding, workers: Workers | None = None) -> bytes:
    """pandoc Markdown to DOCX (by one of pandoc's workers for a short text), then the Word layout (see _word)."""
    with tempfile.TemporaryDirectory(prefix="quaestio-docx-") as scratch:
        folder = Path(scratch)
        writing = _word_writing(folder, source, branding)
        conversion = Conversion(READER, (writing,), source.epoch, folder, _headings_file(folder))
        _convert(source.markdown_docx, conversion, workers)
        return _word(source, branding, folder, len(source.markdown_docx))


def compile_pdf_and_docx(
    source: ReportSource, branding: Branding, workers: Workers | None = None
) -> tuple[bytes, bytes]:
    """A report's PDF and Word document from one pandoc reading of the PDF's Markdown: the Word document's
    writing puts the imprint before it and shows its pictures for the PDF's drawings (see WordFromPdf), the
    same document as pandoc reads from the Word Markdown. Reading takes pandoc as long as writing both files.
    Then the Word layout, and the PDF's typst steps as compile_pdf's."""
    if source.word_from_pdf is None:
        raise ValueError(f"{source.spec.name}: its Word document has Markdown of its own")
    with tempfile.TemporaryDirectory(prefix="quaestio-report-") as scratch:
        pdf_folder, word_folder = Path(scratch, "typst"), Path(scratch, "word")
        pdf_folder.mkdir()
        word_folder.mkdir()
        word_writing = replace(
            _word_writing(word_folder, source, branding),
            before=source.word_from_pdf.imprint,
            pictures=dict(source.word_from_pdf.pictures),
        )
        writings = (_typst_writing(pdf_folder, branding), word_writing)
        conversion = Conversion(READER, writings, source.epoch, word_folder, _headings_file(word_folder))
        _convert(source.markdown_pdf, conversion, workers)
        docx = _word(source, branding, word_folder, len(source.markdown_pdf))
        return _pdf(source, branding, pdf_folder, workers), docx


def _word(source: ReportSource, branding: Branding, folder: Path, size: int) -> bytes:
    """pandoc's Word document in folder laid out as the coalition sends it (page, cover, contents entries,
    captions, keywords): in this process, or for a report whose Markdown is longer (size) in one of its own."""
    meta = source.meta
    fonts = branding.templates / "fonts"
    logo = (branding.templates / str(branding["coalition"]["logo"])).read_text(encoding="utf-8")  # type: ignore[index]
    layout = docx_layout.WordLayout(
        title=meta["title"],
        kind_line=_kind_line(meta),
        abstract=meta["abstract"],
        publisher=meta["publisher"],
        running_head=meta["title"],
        keywords=meta["keywords"],
        subject=meta["subject"],
        logo_png=_logo_png(logo, fonts),
        logo_alt=meta["logo_alt"],
        muted=meta["colours"]["muted"],
        contents=[],
        contents_depth=int(meta["contents"]["depth"]),
        language=meta["tag"],
        page_of=meta["words"]["page_of"],
        captions={"table": meta["words"]["table"], "figure": meta["words"]["figure"]},
    )
    docx, headings = (folder / "report.docx").read_bytes(), (folder / "headings.json").read_bytes()
    finishing = (docx, headings, meta["contents"], layout)
    if size <= APART_CHARACTERS:
        return finish_word(*finishing)
    try:
        return call_in_child(finish_word, *finishing)
    except RuntimeError as failure:
        raise ReportError(f"{source.spec.name}.docx could not be made: {failure}") from None


def finish_word(docx: bytes, headings: bytes, contents: Mapping[str, object], layout: docx_layout.WordLayout) -> bytes:
    """pandoc's Word document laid out (docx_layout), its contents page listing the headings headings.lua found."""
    return docx_layout.finish_docx(docx, replace(layout, contents=contents_entries(headings, contents)))


def compile_pptx(source: ReportSource, branding: Branding, workers: Workers | None = None) -> bytes:
    """pandoc Markdown to PPTX with the reference deck drawn from the branding; charts as PNG, speaker notes
    from `::: notes` blocks, one slide per top-level heading."""
    meta = source.meta
    branding = branding.localised(source.spec.language)  # the logo's text alternative in the deck's language
    markdown = source.markdown_pdf
    for asset in source.assets:
        if asset.name.endswith(".svg"):
            markdown = markdown.replace(f"]({asset.name})", f"]({asset.name[:-4]}.png)")
    with tempfile.TemporaryDirectory(prefix="quaestio-pptx-") as scratch:
        folder = Path(scratch)
        footer = f"{meta['publisher']} · {meta['title']}"
        (folder / "reference.pptx").write_bytes(reference_deck(branding, footer, logo_png(branding)))
        for asset in source.assets:
            (folder / asset.name).write_bytes(asset.data)
        target = folder / "deck.pptx"
        _run_pandoc(
            markdown,
            [
                "--from",
                READER,
                "--resource-path",
                scratch,
                "--to",
                "pptx",
                "--slide-level",
                "1",
                "--output",
                str(target),
                "--reference-doc",
                str(folder / "reference.pptx"),
                "--metadata",
                f"title={meta['title']}",
                "--metadata",
                f"subtitle={meta['subtitle']}",
                "--metadata",
                f"date={meta['as_at']}",
                "--metadata",
                f"lang={meta['tag']}",
            ],
            source.epoch,
        )
        alts = {a.name: a.alt for a in source.assets}
        title, tag, author = str(meta["title"]), str(meta["tag"]), str(meta["publisher"])
        deck = finish_deck(target.read_bytes(), logo_png(branding), alts, title, tag, author)
        return reproducible_zip(deck, dt.datetime.fromtimestamp(source.epoch, tz=dt.UTC).replace(tzinfo=None))


def _compilers() -> dict[str, Compiler]:
    return {".pdf": compile_pdf, ".docx": compile_docx, ".pptx": compile_pptx}


def _place(cached: Path, out: Path, spec: ReportSpec, suffix: str) -> list[str]:
    """Put a compiled file at its edition's name, and at its top-level name when it has one."""
    names = [f"{spec.name}{suffix}", *([f"{spec.alias}{suffix}"] if spec.alias else [])]
    for name in names:
        (out / name).parent.mkdir(parents=True, exist_ok=True)
        link_or_copy(cached, out / name)
    return names


# A report's PDF and Word document, made by one job from one pandoc reading when both are to be made.
_PDF_AND_WORD = (".pdf", ".docx")


@dataclass(frozen=True)
class _ReportJob:
    """Report files to make from one Markdown text: one file, or a PDF and its Word document (see
    compile_pdf_and_docx). Its source (without the Markdown), the file the Markdown waits in until the job
    starts, and that Markdown's length."""

    source: ReportSource
    suffixes: tuple[str, ...]
    markdown_file: Path
    size: int

    def budgeted(self) -> Job[_ReportJob]:
        """The job with the memory it needs at its peak and at its first step (pandoc's, for a PDF). pandoc
        writing a Word document beside the typst source, from the same reading, takes little more: 401 MiB against
        399 MiB for a 1.7 MB compendium volume, 155 against 154 MiB for the repository's compendium."""
        if ".pdf" in self.suffixes:
            return Job(self, pdf_memory_mb(self.size), pandoc_typst_memory_mb(self.size))
        return Job(self, docx_memory_mb(self.size))  # a Word document, or a deck made by pandoc alone

    def run(self, branding: Branding, workers: Workers) -> tuple[bytes, ...]:
        """The files, made from the source with its Markdown read back from where _set_aside wrote it."""
        markdown = self.markdown_file.read_bytes().decode("utf-8")
        if self.suffixes == _PDF_AND_WORD:
            return compile_pdf_and_docx(replace(self.source, markdown_pdf=markdown), branding, workers)
        (suffix,) = self.suffixes
        docx = suffix == ".docx"
        source = replace(self.source, markdown_docx=markdown) if docx else replace(self.source, markdown_pdf=markdown)
        return (_compilers()[suffix](source, branding, workers),)


def _jobs_of(source: ReportSource, suffixes: Sequence[str]) -> list[tuple[str, ...]]:
    """The files of a report to make, by job: its PDF and Word document together when both are to be made and
    the Word document's Markdown is made of the PDF's, every other file on its own."""
    if source.word_from_pdf is not None and all(suffix in suffixes for suffix in _PDF_AND_WORD):
        return [_PDF_AND_WORD, *((suffix,) for suffix in suffixes if suffix not in _PDF_AND_WORD)]
    return [(suffix,) for suffix in suffixes]


_LARGEST_TEMPLATES = ("compendium.md.j2", "audience.md.j2", "topic.md.j2")  # by how much each report holds


def _largest_first(specs: Sequence[ReportSpec]) -> list[ReportSpec]:
    """The specs in the order of their reports' expected size, largest first: the compendiums, the audience
    digests, the topic reports (the more topics, the larger), then the rest."""

    def rank(spec: ReportSpec) -> tuple[int, int]:
        kind = _LARGEST_TEMPLATES.index(spec.template) if spec.template in _LARGEST_TEMPLATES else 3
        return kind, -len(spec.topics)

    return sorted(specs, key=rank)


def _markdown_of(source: ReportSource, suffixes: tuple[str, ...]) -> str:
    """The Markdown a job's files are made from: a Word document's own, or the PDF's (also the deck's, and the
    Word document's made with the PDF)."""
    return source.markdown_docx if suffixes == (".docx",) else source.markdown_pdf


def _set_aside(source: ReportSource, suffixes: tuple[str, ...], folder: Path) -> tuple[Path, int]:
    """Write the Markdown a job needs to folder, where it waits until the job starts; its file and length."""
    markdown = _markdown_of(source, suffixes)
    path = folder / f"{source.key}{''.join(suffixes)}.md"
    path.write_bytes(markdown.encode("utf-8"))
    return path, len(markdown)


def _forget_all_but(cache_dir: Path, keep: set[str]) -> None:
    """Remove from the cache every file this build did not make or reuse."""
    for stale in cache_dir.iterdir():
        if stale.name not in keep:
            stale.unlink()


def write_reports(
    corpus: Corpus,
    info: BuildInfo,
    branding: Branding,
    out: Path,
    cache_dir: Path,
    progress: Callable[[str], None] | None = None,
    history: SourceHistory | None = None,
) -> ReportsOutcome:
    """Build every report into out/, in parallel, reusing files whose inputs are unchanged since the last build."""
    say = progress or (lambda message: None)
    specs = [spec for language in corpus.languages for spec in plan_reports(corpus, branding.localised(language))]
    out.mkdir(parents=True, exist_ok=True)
    cache_dir.mkdir(parents=True, exist_ok=True)
    keep: set[str] = set()
    unchanged: list[str] = []
    written: list[str] = []
    made = 0
    to_make = sum(len(spec.formats) for spec in specs)  # the files not in the cache, as far as known yet

    def reused(source: ReportSource, suffix: str) -> bool:
        """Whether the file is in the cache: then it is placed in out/ as it is."""
        nonlocal to_make
        keep.add(f"{source.key}{suffix}")
        cached = cache_dir / f"{source.key}{suffix}"
        if not cached.is_file():
            return False
        unchanged.extend(_place(cached, out, source.spec, suffix))
        to_make -= 1
        return True

    def jobs(waiting: Path) -> Iterator[Job[_ReportJob]]:
        """The jobs of the files not in the cache, as their report's source is rendered: the largest reports
        first, so that they start while the others are rendered. Their Markdown waits on disk, not in memory."""
        for source in render_sources(corpus, info, branding, history, _largest_first(specs), cache_dir.parent / "csl"):
            missing = [suffix for suffix in source.spec.formats if not reused(source, suffix)]
            light = replace(source, markdown_pdf="", markdown_docx="")
            for suffixes in _jobs_of(source, missing):
                path, size = _set_aside(source, suffixes, waiting)
                yield _ReportJob(light, suffixes, path, size).budgeted()
        release_freed_memory()

    def finished(job: _ReportJob, contents: tuple[bytes, ...]) -> None:
        nonlocal made
        for suffix, content in zip(job.suffixes, contents, strict=True):
            cached = cache_dir / f"{job.source.key}{suffix}"
            write_atomically(cached, content)
            written.extend(_place(cached, out, job.source.spec, suffix))
            made += 1
            say(f"[{made}/{to_make}] {job.source.spec.name}{suffix} ({to_make - made} left)")
        if job.size > APART_CHARACTERS:
            release_freed_memory()

    # As many at once as the cores and the memory allow, step by step (see budget.py); pandoc's workers end with
    # the jobs, also when one fails.
    with (
        tempfile.TemporaryDirectory(prefix="report-sources-", dir=cache_dir.parent) as waiting,
        PandocPool(_pandoc()) as pandoc_workers,
        TypstPool() as typst_workers,
    ):
        workers = Workers(pandoc_workers, typst_workers)
        run_within_budget(jobs(Path(waiting)), lambda job: job.run(branding, workers), finished)
    _forget_all_but(cache_dir, keep)
    return ReportsOutcome(tuple(sorted(written)), tuple(sorted(unchanged)))
