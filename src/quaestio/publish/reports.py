"""Reports for policymakers: Markdown rendered per report, then pandoc and typst to PDF/UA-1, pandoc to DOCX."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import shutil
import subprocess
import tempfile
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field, replace
from functools import cache
from importlib import metadata
from pathlib import Path
from typing import Any

import jinja2
import pypandoc
import typst

from quaestio.content.editions import EditionLog, current_edition, edition_log, editions, snapshot
from quaestio.content.layout import RECOMMENDATIONS_DIR, TOPICS_DIR
from quaestio.content.markdown import plain_text, without_controls
from quaestio.content.model import Corpus, GlossaryEntry, Reference, Topic
from quaestio.content.tracker import addressee_state
from quaestio.output import link_or_copy, write_atomically
from quaestio.publish.branding import Branding
from quaestio.publish.buildinfo import BuildInfo, SourceHistory
from quaestio.publish.csl import citation_style, csl_item, format_entries
from quaestio.publish.deck import finish_deck, logo_png, reference_deck
from quaestio.publish.locale import long_date, plural
from quaestio.publish.officefiles import reproducible_zip
from quaestio.publish.pandoc_markdown import link, literal
from quaestio.publish.progress import OPEN_SESSION_TEMPLATES, Asset, open_session_context
from quaestio.publish.render import environment, render_markdown
from quaestio.publish.urls import FOLLOW_UP_PATH, absolute, edition_path, edition_topic_path
from quaestio.vocab import SOURCE_LANGUAGE, Language

# Contributors' Markdown may not pass raw HTML, TeX or typst through, nor set metadata, math or citations.
READER = (
    "markdown-raw_html-raw_tex-raw_attribute-tex_math_dollars-tex_math_single_backslash"
    "-citations-yaml_metadata_block-implicit_figures"
)
REPORTS_TEMPLATES = "reports"
PDF_TEMPLATE, REFERENCE_DOCX = "report.typ", "reference.docx"


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


@dataclass(frozen=True)
class ReportSource:
    """A report fully rendered to text, with the hash of everything that shapes its files."""

    spec: ReportSpec
    markdown_pdf: str
    markdown_docx: str
    meta: dict = field(hash=False, compare=False)
    epoch: int = 0
    key: str = ""
    assets: tuple[Asset, ...] = ()


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


def _edition_specs(corpus: Corpus, branding: Branding, edition: int) -> list[ReportSpec]:
    """A report per topic, a digest per audience and one compendium of one edition's snapshot, in the
    branding's language."""
    language = branding.language
    settings: Any = branding.report_settings
    content = (TOPICS_DIR, RECOMMENDATIONS_DIR)
    specs = []
    for topic in corpus.topics:
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
                topics=corpus.topics,
                audience_key=key,
                url_path=edition_path(edition),
                sources=(TOPICS_DIR, *(f"{RECOMMENDATIONS_DIR}/{t.id}/{key}.yaml" for t in corpus.topics)),
                language=language,
            )
        )
    conf = settings["compendium"]
    specs.append(
        ReportSpec(
            name=file_name(conf["file"].format(edition=edition), language),
            template="compendium.md.j2",
            kind=conf["kind"],
            title=conf["title"].format(edition=edition),
            subtitle=conf["subtitle"].format(edition=edition),
            edition=edition,
            topics=corpus.topics,
            url_path=edition_path(edition),
            sources=content,
            language=language,
        )
    )
    return specs


def _open_session_specs(corpus: Corpus, branding: Branding, settings: Any, edition: int) -> list[ReportSpec]:
    """The progress report and the slide deck of the current edition's open session, over every edition."""
    words = {"edition": edition, "first": min(editions(corpus)), "coalition": branding["coalition"]["name"]}  # type: ignore[index]
    specs = []
    for key, template, formats, path in (
        ("progress", "progress.md.j2", (".pdf", ".docx"), FOLLOW_UP_PATH),
        ("open_session", "open-session.md.j2", (".pptx",), FOLLOW_UP_PATH),
    ):
        conf = settings[key]
        name = conf["file"].format(**words)
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
            )
        )
    return specs


def plan_reports(corpus: Corpus, branding: Branding) -> list[ReportSpec]:
    """Every edition's reports under <edition>/ (a report per topic, a digest per audience, a compendium), in the
    branding's language, as templates/reports/reports.yaml (and its translation) names them; in English, also
    the current edition's progress report and open-session deck. The current edition's reports are also
    published at the top level, and so is each other topic's latest."""
    latest = current_edition(corpus)
    specs: list[ReportSpec] = []
    aliased: set[str] = set()
    for year in reversed(editions(corpus)):
        past = snapshot(corpus, year)
        for spec in _edition_specs(past, branding, year):
            alias = (
                spec.name if (year == latest or spec.template == "topic.md.j2") and spec.name not in aliased else None
            )
            if alias:
                aliased.add(alias)
            specs.append(replace(spec, name=f"{year}/{spec.name}", corpus=past, alias=alias))
    if latest and branding.language == SOURCE_LANGUAGE:
        specs += _open_session_specs(corpus, branding, branding.report_settings, latest)
    return specs


def _cited(corpus: Corpus, spec: ReportSpec) -> list[tuple[Topic, Reference]]:
    """The references a report lists: all of a topic's for a topic report, else those its recommendations cite."""
    if spec.template == "topic.md.j2":
        return [(spec.topics[0], r) for r in spec.topics[0].references]
    recs = corpus.recommendations_for(audience=spec.audience_key)
    wanted = {(r.topic, ref) for r in recs for ref in r.references}
    entries = [(t, r) for t in spec.topics for r in t.references if (t.id, r.id) in wanted or spec.audience_key is None]
    return entries


def _bibliography(entries: list[tuple[Topic, Reference]], branding: Branding, language: str) -> list[tuple[str, str]]:
    """A report's references formatted by pandoc's citeproc (the branding's CSL style, the report language's
    locale), as (CSL ID, pandoc Markdown) in the style's order."""
    items = [csl_item(topic, ref, language) for topic, ref in entries]
    formatted = format_entries(items, citation_style(branding, language), to="markdown") if items else {}
    return list(formatted.items())


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


@dataclass(frozen=True)
class _Language:
    """What a report in one language is rendered with: its branding, settings, words and templates."""

    branding: Branding
    settings: Any
    env: jinja2.Environment

    @property
    def words(self) -> dict:
        return self.settings["words"]


def _language(branding: Branding, language: str) -> _Language:
    localised = branding.localised(language)
    settings: Any = localised.report_settings
    words = settings["words"]
    env = environment(localised.templates / REPORTS_TEMPLATES, language, words["untranslated"])
    env.globals.update(
        long_date=lambda value: long_date(value, language),
        count=lambda forms, n: plural(forms, n, language),
        say=lambda wording, **values: str(wording).format(**values),
        words=words,
        addressee_state=addressee_state,
    )
    return _Language(localised, settings, env)


def _typst_words(words: dict, kind: str, edition: int, publisher: str, date: str) -> dict[str, str]:
    """The words report.typ prints, sentences already filled in (typst reads them as data)."""
    before, _, rest = words["source_text"].partition("{revision}")
    between, _, after = rest.partition("{address}")
    return {
        "edition": words["edition"],
        "contents": words["contents"],
        "licence": words["licence"],
        "how_to_cite": words["how_to_cite"],
        "source": words["source"],
        "published": words["published"].format(kind=kind, edition=edition, coalition=publisher, date=date),
        "source_before": " ".join(before.split()) + " ",
        "source_between": " " + " ".join(between.split()) + " ",
        "source_after": " ".join(after.split()),
    }


def render_sources(
    corpus: Corpus, info: BuildInfo, branding: Branding, history: SourceHistory | None, specs: Iterable[ReportSpec]
) -> list[ReportSource]:
    """Render every planned report to Markdown and metadata, and key each by what shapes its output."""
    templates = branding.templates / REPORTS_TEMPLATES
    fixed = "|".join(
        [
            _tool_fingerprint(),
            _files_digest(Path(__file__).parent.glob("*.py")),  # the code that draws charts, decks and layouts
            _files_digest(p for p in templates.iterdir() if p.is_file()),
            _files_digest(p for p in (branding.templates / "fonts").iterdir() if p.suffix in (".otf", ".ttf")),
            _files_digest([branding.templates / str(branding["coalition"]["logo"])]),  # type: ignore[index]
        ]
    )
    publisher = str(branding["coalition"]["name"])  # type: ignore[index]
    languages: dict[str, _Language] = {}
    rendered = []
    for spec in specs:
        own = spec.corpus or corpus
        local = languages.get(spec.language) or languages.setdefault(spec.language, _language(branding, spec.language))
        words, brand = local.words, local.branding
        site_url = absolute(str(branding["site_url"]), "" if spec.language == SOURCE_LANGUAGE else f"{spec.language}/")
        revision, epoch = (
            history.latest(spec.sources + ("templates",), info) if history else (info.revision, info.source_date_epoch)
        )
        date = long_date(dt.datetime.fromtimestamp(epoch, tz=dt.UTC).date(), spec.language)
        url = absolute(site_url, spec.url_path)
        citation_before = f"{publisher} ({spec.edition}). "
        citation_after = words["citation_after"].format(kind=spec.kind, edition=spec.edition, revision=revision[:12])
        report = {
            "kind": spec.kind,
            "edition": spec.edition,
            "date": date,
            "revision": revision,
            "site_url": site_url,
            "citation_markdown": f"{literal(citation_before)}*{literal(spec.title)}*{literal(citation_after)} "
            + link(url, url),
        }
        context = dict(
            report=report,
            topics=spec.topics,
            topic=spec.topics[0] if len(spec.topics) == 1 and spec.template == "topic.md.j2" else None,
            audience_key=spec.audience_key,
            edition=spec.edition,
            audience=brand.audience(spec.audience_key) if spec.audience_key else None,
            references_by_id={(t.id, r.id): r for t in own.topics for r in t.references},
            reference_entries=_bibliography(_cited(own, spec), branding, spec.language),
            glossary_entries=_glossary(spec.topics),
            site_url=site_url,
            changes=_changes(corpus, spec),
        )
        assets: tuple[Asset, ...] = ()
        if spec.template in OPEN_SESSION_TEMPLATES:
            today = dt.datetime.fromtimestamp(epoch, tz=dt.UTC).date().isoformat()
            extra, assets = open_session_context(own, brand, today)
            context.update(extra)  # type: ignore[arg-type]
        markdown_pdf = render_markdown(local.env, spec.template, own, brand, **context)
        # The PDF template prints the imprint from meta.json; a Word document carries it as its first section.
        imprint = render_markdown(local.env, "imprint.md.j2", own, brand, **context)
        markdown_docx = imprint + "\n" + markdown_pdf
        for asset in assets:  # Word and the slides show the charts as PNG images
            if asset.name.endswith(".svg"):
                markdown_docx = markdown_docx.replace(f"]({asset.name})", f"]({asset.name[:-4]}.png)")
        tag = Language(spec.language).tag
        meta = {
            "title": spec.title,
            "subtitle": spec.subtitle,
            "kind": spec.kind,
            "edition": str(spec.edition),
            "summary": plain_text(spec.topics[0].summary.get(spec.language)) if len(spec.topics) == 1 else "",
            "date": date,
            "revision": revision,
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
            "words": _typst_words(words, spec.kind, spec.edition, publisher, date),
            "kind_edition": words["kind_edition"].format(kind=spec.kind, edition=spec.edition),
        }
        parts = [fixed, markdown_pdf, markdown_docx, json.dumps(meta, sort_keys=True), str(epoch), *spec.formats]
        digest = hashlib.sha256("\x1f".join(parts).encode())
        for asset in assets:
            digest.update(asset.name.encode() + asset.data + asset.alt.encode())
        rendered.append(ReportSource(spec, markdown_pdf, markdown_docx, meta, epoch, digest.hexdigest(), assets))
    return rendered


def _run_pandoc(markdown: str, args: list[str], epoch: int) -> bytes:
    env = {**os.environ, "SOURCE_DATE_EPOCH": str(epoch)}
    completed = subprocess.run(
        [_pandoc(), "--from", READER, *args], input=markdown.encode("utf-8"), capture_output=True, env=env
    )
    if completed.returncode != 0:
        raise ReportError(f"pandoc failed: {completed.stderr.decode('utf-8', 'replace').strip()}")
    return completed.stdout


def _with_alt(typst_source: bytes, asset: Asset) -> bytes:
    """The typst source with the asset's description as the alt text of its image (PDF/UA requires one; pandoc's
    typst writer does not pass it). Only the report templates insert images: content cannot."""
    alt = asset.alt.replace("\\", "\\\\").replace('"', '\\"')
    call = f'image("{asset.name}"'.encode()
    return typst_source.replace(call, call + f', alt: "{alt}"'.encode())


def compile_pdf(source: ReportSource, branding: Branding) -> bytes:
    """pandoc (Markdown to typst with the coalition's template), then typst to a tagged PDF/UA-1 file."""
    templates = branding.templates / REPORTS_TEMPLATES
    typst_source = _run_pandoc(
        source.markdown_pdf,
        ["--to", "typst", "--wrap=preserve", "--template", str(templates / PDF_TEMPLATE)],
        source.epoch,
    )
    # typst sees only this folder: the document, its data and the logo. No packages, no system fonts.
    with tempfile.TemporaryDirectory(prefix="quaestio-typst-") as scratch:
        folder = Path(scratch)
        (folder / "meta.json").write_text(json.dumps(source.meta, ensure_ascii=False), encoding="utf-8")
        shutil.copyfile(branding.templates / str(branding["coalition"]["logo"]), folder / "logo.svg")  # type: ignore[index]
        for asset in source.assets:
            if asset.name.endswith(".svg"):
                (folder / asset.name).write_bytes(asset.data)
                typst_source = _with_alt(typst_source, asset)
        (folder / "report.typ").write_bytes(typst_source)
        try:
            return typst.compile(
                str(folder / "report.typ"),
                root=str(folder),
                font_paths=[str(branding.templates / "fonts")],
                ignore_system_fonts=True,
                pdf_standards=["ua-1"],
                timestamp=source.epoch,
                package_path=str(folder / "no-packages"),
                package_cache_path=str(folder / "no-packages"),
            )
        except typst.TypstError as failure:
            raise ReportError(f"typst refused {source.spec.name}.pdf: {failure}") from None


def compile_docx(source: ReportSource, branding: Branding) -> bytes:
    """pandoc Markdown to DOCX with the coalition's reference document (styles) and a table of contents."""
    templates = branding.templates / REPORTS_TEMPLATES
    meta = source.meta
    with tempfile.TemporaryDirectory(prefix="quaestio-docx-") as scratch:
        target = Path(scratch) / "report.docx"
        for asset in source.assets:
            (Path(scratch) / asset.name).write_bytes(asset.data)
        _run_pandoc(
            source.markdown_docx,
            [
                "--resource-path",
                scratch,
                "--to",
                "docx",
                "--output",
                str(target),
                "--reference-doc",
                str(templates / REFERENCE_DOCX),
                "--toc",
                "--toc-depth=2",
                "--metadata",
                f"title={meta['title']}",
                "--metadata",
                f"subtitle={meta['subtitle']}",
                "--metadata",
                f"date={meta['kind_edition']}, {meta['date']}",
                "--metadata",
                f"author={meta['publisher']}",
                "--metadata",
                f"lang={meta['tag']}",
                "--metadata",
                f"description={meta['subject']}",
                "--metadata",
                f"toc-title={meta['words']['contents']}",
            ],
            source.epoch,
        )
        return target.read_bytes()


def compile_pptx(source: ReportSource, branding: Branding) -> bytes:
    """pandoc Markdown to PPTX with the reference deck drawn from the branding; charts as PNG, speaker notes
    from `::: notes` blocks, one slide per top-level heading."""
    meta = source.meta
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
                f"date=Follow-up as at {meta['date']}",
                "--metadata",
                "lang=en-GB",
            ],
            source.epoch,
        )
        deck = finish_deck(target.read_bytes(), logo_png(branding), {a.name: a.alt for a in source.assets})
        return reproducible_zip(deck, dt.datetime.fromtimestamp(source.epoch, tz=dt.UTC).replace(tzinfo=None))


def _compilers() -> dict[str, Callable[[ReportSource, Branding], bytes]]:
    return {".pdf": compile_pdf, ".docx": compile_docx, ".pptx": compile_pptx}


def _place(cached: Path, out: Path, spec: ReportSpec, suffix: str) -> list[str]:
    """Put a compiled file at its edition's name, and at its top-level name when it has one."""
    names = [f"{spec.name}{suffix}", *([f"{spec.alias}{suffix}"] if spec.alias else [])]
    for name in names:
        (out / name).parent.mkdir(parents=True, exist_ok=True)
        link_or_copy(cached, out / name)
    return names


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
    sources = render_sources(corpus, info, branding, history, specs)
    out.mkdir(parents=True, exist_ok=True)
    cache_dir.mkdir(parents=True, exist_ok=True)
    compilers = _compilers()
    jobs = []
    unchanged: list[str] = []
    for source in sources:
        for suffix in source.spec.formats:
            cached = cache_dir / f"{source.key}{suffix}"
            if cached.is_file():
                unchanged += _place(cached, out, source.spec, suffix)
            else:
                jobs.append((source, suffix, compilers[suffix], cached))
    # Longest first, so that the big compendium does not start last on an otherwise idle machine.
    jobs.sort(key=lambda job: len(job[0].markdown_pdf), reverse=True)
    written: list[str] = []
    if jobs:
        with ThreadPoolExecutor(max_workers=max(1, os.cpu_count() or 1)) as pool:
            futures = {
                pool.submit(compiler, source, branding): (source, suffix, cached)
                for source, suffix, compiler, cached in jobs
            }
            for done, future in enumerate(as_completed(futures), start=1):
                source, suffix, cached = futures[future]
                write_atomically(cached, future.result())
                written += _place(cached, out, source.spec, suffix)
                say(f"[{done}/{len(jobs)}] {source.spec.name}{suffix} ({len(jobs) - done} left)")
    keep = {f"{s.key}{suffix}" for s in sources for suffix in s.spec.formats}
    for stale in cache_dir.iterdir():
        if stale.name not in keep:
            stale.unlink()
    return ReportsOutcome(tuple(sorted(written)), tuple(sorted(unchanged)))
