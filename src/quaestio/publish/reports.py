"""Reports for policymakers: Markdown rendered per report, then pandoc and typst to PDF/UA-1, pandoc to DOCX."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import shutil
import subprocess
import tempfile
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from urllib.parse import urlsplit

import jinja2
import pypandoc
import typst
import yaml

from quaestio.content.layout import RECOMMENDATIONS_DIR, TOPICS_DIR
from quaestio.content.model import Corpus, GlossaryEntry, Recommendation, Reference, Topic
from quaestio.output import link_or_copy, write_atomically
from quaestio.publish import docx_layout, pdf_tags, render
from quaestio.publish.branding import Branding
from quaestio.publish.buildinfo import BuildInfo, SourceHistory
from quaestio.publish.render import environment, render_markdown
from quaestio.publish.site.figures import Figures, chart_layout, key_figures
from quaestio.publish.urls import absolute, audience_path, topic_path
from quaestio.vocab import Status

# Contributors' Markdown may not pass raw HTML, TeX or typst through, nor set metadata, math or citations.
READER = (
    "markdown-raw_html-raw_tex-raw_attribute-tex_math_dollars-tex_math_single_backslash"
    "-citations-yaml_metadata_block-implicit_figures"
)
REPORTS_TEMPLATES = "reports"
PDF_TEMPLATE, REFERENCE_DOCX, SETTINGS, CHART = "report.typ", "reference.docx", "reports.yaml", "chart.svg.j2"
CHART_FILE, CHART_PNG = "chart.svg", "chart.png"


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


@dataclass(frozen=True)
class ReportsOutcome:
    """The files written afresh and the files reused from the cache."""

    written: tuple[str, ...]
    unchanged: tuple[str, ...]


def _long_date(value: str | dt.date) -> str:
    day = dt.date.fromisoformat(value) if isinstance(value, str) else value
    return f"{day.day} {day:%B %Y}"


def plan_reports(corpus: Corpus, branding: Branding, settings: dict) -> list[ReportSpec]:
    """A report per topic, a digest per audience and one compendium."""
    edition = max((t.edition for t in corpus.topics), default=0)
    content = (TOPICS_DIR, RECOMMENDATIONS_DIR)
    specs = []
    for topic in corpus.topics:
        words = {"topic": topic.title.en, "topic_id": topic.id, "edition": topic.edition}
        conf = settings["topic"]
        specs.append(
            ReportSpec(
                name=conf["file"].format(**words),
                template="topic.md.j2",
                kind=conf["kind"],
                title=conf["title"].format(**words),
                subtitle=conf["subtitle"].format(**words),
                edition=topic.edition,
                topics=(topic,),
                url_path=topic_path(topic.id),
                sources=(f"{TOPICS_DIR}/{topic.id}.yaml", f"{RECOMMENDATIONS_DIR}/{topic.id}"),
            )
        )
    for key, audience in branding["audiences"].items():  # type: ignore[union-attr]
        words = {
            "audience": audience["label"],
            "audience_lower": audience["label"].lower(),
            "audience_key": key,
            "heading": audience["heading"],
            "edition": edition,
        }
        conf = settings["audience"]
        specs.append(
            ReportSpec(
                name=conf["file"].format(**words),
                template="audience.md.j2",
                kind=conf["kind"],
                title=conf["title"].format(**words),
                subtitle=conf["subtitle"].format(**words),
                edition=edition,
                topics=corpus.topics,
                audience_key=key,
                url_path=audience_path(key),
                sources=(TOPICS_DIR, *(f"{RECOMMENDATIONS_DIR}/{t.id}/{key}.yaml" for t in corpus.topics)),
            )
        )
    conf = settings["compendium"]
    specs.append(
        ReportSpec(
            name=conf["file"].format(edition=edition),
            template="compendium.md.j2",
            kind=conf["kind"],
            title=conf["title"].format(edition=edition),
            subtitle=conf["subtitle"].format(edition=edition),
            edition=edition,
            topics=corpus.topics,
            sources=content,
        )
    )
    return specs


def _reference_key(topic: Topic, reference: Reference) -> tuple:
    """What makes two references the same source: the same address and year, else the same author, title and year."""
    if reference.url:
        parts = urlsplit(reference.url)
        address = (parts.netloc.lower(), parts.path.rstrip("/"), parts.query)
        return ("address", address, reference.year)
    return ("text", reference.author.casefold(), " ".join(reference.title.en.split()).casefold(), reference.year)


def _cited(corpus: Corpus, spec: ReportSpec) -> tuple[list[tuple[str, Reference]], dict[tuple[str, str], str]]:
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
    entries: list[tuple[str, Reference]] = []
    first: dict[tuple, str] = {}
    anchors: dict[tuple[str, str], str] = {}
    for topic, reference in candidates:
        key = _reference_key(topic, reference)
        if key not in first:
            first[key] = render.anchor("ref", f"{topic.id}-{reference.id}")
            entries.append((first[key], reference))
        anchors[(topic.id, reference.id)] = first[key]
    return entries, anchors


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
    return f"{pandoc_version}|typst-py {typst.__version__}"


def _files_digest(paths: Iterable[Path]) -> str:
    digest = hashlib.sha256()
    for path in sorted(paths):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


# The modules whose code shapes the report files, beside the templates: a change to them remakes every report.
_SHAPING_MODULES = (render, pdf_tags, docx_layout)


@dataclass(frozen=True)
class Counts:
    """How many recommendations a report presents: current ones (not withdrawn), and withdrawn ones."""

    current: int
    withdrawn: int


def _counts(recommendations: Iterable[Recommendation]) -> Counts:
    statuses = [r.status for r in recommendations]
    withdrawn = sum(1 for status in statuses if status == Status.WITHDRAWN)
    return Counts(len(statuses) - withdrawn, withdrawn)


def counts_sentence(counts: Counts, branding: Branding) -> str:
    """What a count of recommendations includes, said the same way in the reports and on the website."""
    current = [branding.label("status", s).lower() for s in Status if s != Status.WITHDRAWN]
    sentence = f"{counts.current} current recommendation{'' if counts.current == 1 else 's'} ({', '.join(current[:-1])} or {current[-1]})"
    if counts.withdrawn:
        sentence += f" and {counts.withdrawn} withdrawn, which keep{'s' if counts.withdrawn == 1 else ''} {'its ID' if counts.withdrawn == 1 else 'their IDs'} and {'is' if counts.withdrawn == 1 else 'are'} listed apart"
    return sentence + "."


def _month_span(dates: list[dt.date]) -> str:
    first, last = min(dates), max(dates)
    if (first.year, first.month) == (last.year, last.month):
        return f"{last:%B %Y}"
    if first.year == last.year:
        return f"{first:%B} to {last:%B %Y}"
    return f"{first:%B %Y} to {last:%B %Y}"


def _publication(spec: ReportSpec, settings: Mapping[str, object]) -> tuple[str, str]:
    """The cover's date line and the imprint's sentence: the edition's publication day when reports.yaml
    names it, else the working sessions the report comes from. Never the day the file was made."""
    editions: Mapping[int, object] = settings.get("published") or {}  # type: ignore[assignment]
    published = editions.get(spec.edition)
    if published:
        day = _long_date(published if isinstance(published, dt.date) else str(published))
        return day, f"Published on {day}."
    sessions = [dt.date.fromisoformat(str(t.session.date)) for t in spec.topics]
    if len(sessions) == 1:
        when = f"working session of {_long_date(sessions[0])}"
    else:
        when = f"working sessions of {_month_span(sessions)}"
    return when[0].upper() + when[1:], f"Drawn up after the {when}."


def _tools(info: BuildInfo, names: tuple[str, ...]) -> list[str]:
    """The tools that made a file, with the versions the build's manifest names."""
    versions = info.tool_versions
    named = [f"{name} {versions[name]}" for name in names if name in versions]
    return [f"{n} (the Python package)" if n.startswith("typst ") else n for n in named]


def _in_words(items: list[str]) -> str:
    return ", ".join(items[:-1]) + " and " + items[-1] if len(items) > 1 else "".join(items)


def _chart(
    corpus: Corpus, spec: ReportSpec, branding: Branding, settings: Mapping[str, object], templates: Path
) -> tuple[str, dict[str, str]]:
    """The executive summary's bar chart (the website's figures for this report's recommendations) as SVG,
    with its text alternative, which names every figure, and its caption."""
    recs = corpus.recommendations_for(audience=spec.audience_key)
    recs = tuple(r for r in recs if r.topic in {t.id for t in spec.topics})
    titles = dict(settings["figures"])  # type: ignore[call-overload]
    if spec.audience_key is not None:
        titles.pop("audience", None)
    figures: Figures = key_figures(Corpus(spec.topics, recs), branding, titles)
    layout = chart_layout(figures)
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(templates)), autoescape=True, undefined=jinja2.StrictUndefined
    )
    svg = env.get_template(CHART).render(chart=layout, colours=branding["colours"])
    panels = [f"{g.title}: " + ", ".join(f"{c.label} {c.value}" for c in g.counts) for g in figures.groups]
    alt = "Bar chart of the recommendations. " + ". ".join(panels) + "."
    caption = f"Recommendations of this report: {figures.current} current, {figures.withdrawn} withdrawn."
    return svg, {"alt": alt, "caption": caption, "file": CHART_FILE}


def render_sources(
    corpus: Corpus, info: BuildInfo, branding: Branding, history: SourceHistory | None, specs: Iterable[ReportSpec]
) -> list[ReportSource]:
    """Render every planned report to Markdown and metadata, and key each by what shapes its output."""
    templates = branding.templates / REPORTS_TEMPLATES
    env = environment(templates)
    env.globals["long_date"] = _long_date
    settings = yaml.safe_load((templates / SETTINGS).read_text(encoding="utf-8"))
    fixed = "|".join(
        [
            _tool_fingerprint(),
            _files_digest(p for p in templates.iterdir() if p.is_file()),
            _files_digest((branding.templates / "fonts").glob("*.otf")),
            _files_digest([branding.templates / str(branding["coalition"]["logo"])]),  # type: ignore[index]
            _files_digest(Path(str(module.__file__)) for module in _SHAPING_MODULES),
        ]
    )
    site_url = str(branding["site_url"])
    publisher = str(branding["coalition"]["name"])  # type: ignore[index]
    # The PDF's imprint adds the Typst compiler's own version, which only typst itself can tell.
    pdf_tools = ", ".join(_tools(info, ("quaestio", "pandoc", "typst")))
    docx_tools = _in_words(_tools(info, ("quaestio", "pandoc")))
    rendered = []
    for spec in specs:
        revision, epoch = (
            history.latest(spec.sources + ("templates",), info) if history else (info.revision, info.source_date_epoch)
        )
        date = _long_date(dt.datetime.fromtimestamp(epoch, tz=dt.timezone.utc).date())
        published, published_sentence = _publication(spec, settings)
        url = absolute(site_url, spec.url_path)
        citation_before = f"{publisher} ({spec.edition}). "
        citation_after = f". {spec.kind}, edition {spec.edition}, revision {revision[:12]}."
        mine = [
            r for r in corpus.recommendations_for(audience=spec.audience_key) if r.topic in {t.id for t in spec.topics}
        ]
        counts = _counts(mine)
        chart_svg, chart = _chart(corpus, spec, branding, settings, templates)
        reference_entries, reference_anchors = _cited(corpus, spec)
        report = {
            "kind": spec.kind,
            "edition": spec.edition,
            "date": date,
            "published_sentence": f"{published_sentence[:-1]}, by the {publisher}.",
            "revision": revision,
            "tools": docx_tools,
            "counts": "This report presents " + counts_sentence(counts, branding),
            "citation_markdown": f"{citation_before}*{spec.title}*{citation_after} <{url}>",
        }
        context = dict(
            report=report,
            topics=spec.topics,
            topic=spec.topics[0] if len(spec.topics) == 1 else None,
            audience_key=spec.audience_key,
            edition=spec.edition,
            audience=branding.audience(spec.audience_key) if spec.audience_key else None,
            counts=counts,
            chart=chart,
            references_by_id={(t.id, r.id): r for t in corpus.topics for r in t.references},
            reference_entries=reference_entries,
            reference_anchors=reference_anchors,
            glossary_entries=_glossary(spec.topics),
        )
        markdown_pdf = render_markdown(env, spec.template, corpus, branding, **context)
        # The PDF template prints the imprint from meta.json; a Word document carries it as its first section,
        # and shows the chart as a picture (typst draws it from the SVG).
        docx_context = {**context, "chart": {**chart, "file": CHART_PNG}}
        markdown_docx = "\n".join(
            render_markdown(env, name, corpus, branding, **docx_context) for name in ("imprint.md.j2", spec.template)
        )
        meta = {
            "title": spec.title,
            "subtitle": spec.subtitle,
            "kind": spec.kind,
            "edition": str(spec.edition),
            "summary": " ".join(spec.topics[0].summary.en.split()) if len(spec.topics) == 1 else "",
            "abstract": (
                " ".join(spec.topics[0].summary.en.split())
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
            "contents": _contents(spec, settings),
            "publisher": publisher,
            "subject": f"{spec.kind}: {spec.title}. {spec.subtitle}.",
            "keywords": [*settings["keywords"], *(t.title.en for t in spec.topics)][:12],
            "lang": "en",
            "region": "GB",
            "url": url,
            "site_url": site_url,
            "about": str(branding["coalition"]["description"]),  # type: ignore[index]
            "licence": dict(branding["licence"]),  # type: ignore[arg-type]
            "citation_before": citation_before,
            "citation_after": citation_after,
            "colours": dict(branding["colours"]),  # type: ignore[arg-type]
            "logo_alt": str(branding["coalition"]["logo_alt"]),  # type: ignore[index]
        }
        digest = hashlib.sha256(
            "\x1f".join(
                [fixed, markdown_pdf, markdown_docx, json.dumps(meta, sort_keys=True), chart_svg, str(epoch)]
            ).encode()
        ).hexdigest()
        rendered.append(ReportSource(spec, markdown_pdf, markdown_docx, meta, epoch, digest, chart_svg))
    return rendered


def _contents(spec: ReportSpec, settings: Mapping[str, object]) -> dict[str, object]:
    """How deep the contents page goes and, for the compendium, where: below its sections it lists only
    the audiences and recommendations of each topic (between the labels of each range), not the
    subheadings of its status quaestionis."""
    depth = int(settings[_setting_key(spec)]["contents_depth"])  # type: ignore[index]
    ranges: list[tuple[str, str]] = []
    if spec.template == "compendium.md.j2":
        ends = [render.anchor("topic", t.id) for t in spec.topics[1:]] + ["references"]
        ranges = [(render.anchor("recommendations", t.id), end) for t, end in zip(spec.topics, ends)]
    return {"depth": depth, "ranges": ranges}


def _setting_key(spec: ReportSpec) -> str:
    """The section of reports.yaml that configures a report."""
    return {"topic.md.j2": "topic", "audience.md.j2": "audience"}.get(spec.template, "compendium")


def _run_pandoc(markdown: str, args: list[str], epoch: int) -> bytes:
    env = {**os.environ, "SOURCE_DATE_EPOCH": str(epoch)}
    completed = subprocess.run(
        [_pandoc(), "--from", READER, *args], input=markdown.encode("utf-8"), capture_output=True, env=env
    )
    if completed.returncode != 0:
        raise ReportError(f"pandoc failed: {completed.stderr.decode('utf-8', 'replace').strip()}")
    return completed.stdout


def compile_pdf(source: ReportSource, branding: Branding) -> bytes:
    """pandoc (Markdown to typst with the coalition's template), then typst to a tagged PDF/UA-1 file."""
    templates = branding.templates / REPORTS_TEMPLATES
    typst_source = _run_pandoc(
        source.markdown_pdf,
        ["--to", "typst", "--wrap=preserve", "--template", str(templates / PDF_TEMPLATE)],
        source.epoch,
    )
    # typst sees only this folder: the document, its data, the logo and the chart. No packages, no system fonts.
    with tempfile.TemporaryDirectory(prefix="quaestio-typst-") as scratch:
        folder = Path(scratch)
        (folder / "report.typ").write_bytes(typst_source)
        (folder / "meta.json").write_text(json.dumps(source.meta, ensure_ascii=False), encoding="utf-8")
        (folder / CHART_FILE).write_text(source.chart_svg, encoding="utf-8")
        shutil.copyfile(branding.templates / str(branding["coalition"]["logo"]), folder / "logo.svg")  # type: ignore[index]
        try:
            pdf = typst.compile(
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
    return pdf_tags.finish_tags(pdf)


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


def contents_entries(markdown: str, contents: Mapping[str, object], epoch: int) -> list[docx_layout.ContentsEntry]:
    """The headings a report's contents page lists, as the PDF's outline lists them: down to the configured
    depth, not those marked unlisted, and below level 2 only within the ranges the report names."""
    document = json.loads(_run_pandoc(markdown, ["--to", "json"], epoch))
    depth = int(contents["depth"])  # type: ignore[call-overload]
    ranges = {start: end for start, end in contents["ranges"]}  # type: ignore[attr-defined]
    entries, open_until = [], None
    for block in _headers(document["blocks"]):
        level, (identifier, classes, _), inlines = block["c"]
        if identifier == open_until:
            open_until = None
        if identifier in ranges:
            open_until = ranges[identifier]
        deep_allowed = not ranges or open_until is not None or identifier in ranges
        if level > depth or "unlisted" in classes or (level > 2 and not deep_allowed):
            continue
        entries.append(docx_layout.ContentsEntry(level, _plain_text(inlines), identifier))
    return entries


def compile_docx(source: ReportSource, branding: Branding) -> bytes:
    """pandoc Markdown to DOCX with the coalition's reference document (styles), then the Word layout pandoc
    does not write (page, cover, contents entries, captions, keywords)."""
    templates = branding.templates / REPORTS_TEMPLATES
    fonts = branding.templates / "fonts"
    meta = source.meta
    kind_line = f"{meta['kind']} · Edition {meta['edition']} · {meta['published']}"
    with tempfile.TemporaryDirectory(prefix="quaestio-docx-") as scratch:
        folder = Path(scratch)
        target = folder / "report.docx"
        (folder / CHART_PNG).write_bytes(_png(source.chart_svg, "16cm", fonts))
        _run_pandoc(
            source.markdown_docx,
            [
                "--to",
                "docx",
                "--output",
                str(target),
                "--resource-path",
                str(folder),
                "--reference-doc",
                str(templates / REFERENCE_DOCX),
                "--toc",
                f"--toc-depth={meta['contents']['depth']}",
                "--metadata",
                f"title={meta['title']}",
                "--metadata",
                f"subtitle={meta['subtitle']}",
                "--metadata",
                f"date={kind_line}",
                "--metadata",
                f"author={meta['publisher']}",
                "--metadata",
                "lang=en-GB",
                "--metadata",
                f"description={meta['subject']}",
                "--metadata",
                "toc-title=Contents",
            ],
            source.epoch,
        )
        logo = (branding.templates / str(branding["coalition"]["logo"])).read_text(encoding="utf-8")  # type: ignore[index]
        layout = docx_layout.WordLayout(
            title=meta["title"],
            kind_line=kind_line,
            abstract=meta["abstract"],
            publisher=meta["publisher"],
            running_head=meta["title"],
            keywords=meta["keywords"],
            subject=meta["subject"],
            logo_png=_png(logo, "6.2cm", fonts),
            logo_alt=meta["logo_alt"],
            muted=meta["colours"]["muted"],
            contents=contents_entries(source.markdown_docx, meta["contents"], source.epoch),
            contents_depth=int(meta["contents"]["depth"]),
        )
        return docx_layout.finish_docx(target.read_bytes(), layout)


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
    settings = yaml.safe_load((branding.templates / REPORTS_TEMPLATES / SETTINGS).read_text(encoding="utf-8"))
    sources = render_sources(corpus, info, branding, history, plan_reports(corpus, branding, settings))
    out.mkdir(parents=True, exist_ok=True)
    cache_dir.mkdir(parents=True, exist_ok=True)
    jobs = []
    unchanged = []
    for source in sources:
        for suffix, compiler in ((".pdf", compile_pdf), (".docx", compile_docx)):
            cached = cache_dir / f"{source.key}{suffix}"
            if cached.is_file():
                link_or_copy(cached, out / f"{source.spec.name}{suffix}")
                unchanged.append(f"{source.spec.name}{suffix}")
            else:
                jobs.append((source, suffix, compiler, cached))
    # Longest first, so that the big compendium does not start last on an otherwise idle machine.
    jobs.sort(key=lambda job: len(job[0].markdown_pdf), reverse=True)
    written = []
    if jobs:
        with ThreadPoolExecutor(max_workers=max(1, os.cpu_count() or 1)) as pool:
            futures = {
                pool.submit(compiler, source, branding): (source, suffix, cached)
                for source, suffix, compiler, cached in jobs
            }
            for done, future in enumerate(as_completed(futures), start=1):
                source, suffix, cached = futures[future]
                write_atomically(cached, future.result())
                link_or_copy(cached, out / f"{source.spec.name}{suffix}")
                written.append(f"{source.spec.name}{suffix}")
                say(f"[{done}/{len(jobs)}] {source.spec.name}{suffix} ({len(jobs) - done} left)")
    keep = {f"{s.key}{suffix}" for s in sources for suffix in (".pdf", ".docx")}
    for stale in cache_dir.iterdir():
        if stale.name not in keep:
            stale.unlink()
    return ReportsOutcome(tuple(sorted(written)), tuple(sorted(unchanged)))
