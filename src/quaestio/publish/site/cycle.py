"""The website's pages of the yearly cycle: the follow-up dashboard, the changelog, the archive of editions
and each edition's pages at permanent addresses, and the published files of every edition."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from markupsafe import Markup

from quaestio.content.editions import changelog, current_edition, editions, snapshot
from quaestio.content.model import Corpus, Recommendation, Topic
from quaestio.content.tracker import Tally
from quaestio.publish.branding import Branding
from quaestio.publish.charts import ORDER, Style, bars_chart, series_chart
from quaestio.publish.followup_figures import FollowUpFigures
from quaestio.publish.site.downloads import DOWNLOADS_DIR, REPORT_SUFFIXES, Download
from quaestio.publish.urls import CHANGELOG_PATH, EDITIONS_PATH, FOLLOW_UP_PATH, edition_path, edition_topic_path
from quaestio.vocab import Audience, Priority

Page = tuple[str, str, str, dict[str, object]]


def chart_style(branding: Branding) -> Style:
    """The charts' colours and labels, from the branding."""
    colours: Mapping[str, str] = branding.settings.get("status_colours", {})  # type: ignore[assignment]
    primary = str(branding["colours"]["primary"])  # type: ignore[index]
    return Style(colours, lambda value: branding.label("implementation", value), primary)


@dataclass(frozen=True)
class Breakdown:
    """One way of grouping the recommendations on the dashboard, with its chart."""

    key: str
    title: str
    rows: tuple[tuple[str, Tally], ...]
    chart: Markup


def breakdowns(
    figures: FollowUpFigures, branding: Branding, corpus: Corpus, words: Mapping[str, str]
) -> tuple[Breakdown, ...]:
    """Status by audience, topic, priority and edition, each as labelled tallies and a chart."""
    style = chart_style(branding)
    topics = corpus.topic_by_id
    language = branding.language
    groups = (
        ("audience", words["by_audience"], [(str(branding.audience(t.key)["label"]), t) for t in figures.by_audience]),
        ("topic", words["by_topic"], [(topics[t.key].title.get(language), t) for t in figures.by_topic if t.total]),
        ("priority", words["by_priority"], [(branding.label("priority", t.key), t) for t in figures.by_priority]),
        (
            "edition",
            words["by_edition"],
            [(words["edition"].format(edition=t.key), t) for t in figures.by_edition if t.total],
        ),
    )
    return tuple(
        Breakdown(key, title, tuple(rows), Markup(bars_chart(rows, style, title, ident=f"q-chart-{key}")))
        for key, title, rows in groups
    )


def dashboard_values(corpus: Corpus, branding: Branding, today: str, words: Mapping[str, str]) -> dict[str, object]:
    figures = FollowUpFigures(corpus, today)
    style = chart_style(branding)
    title = words["series_title"]
    return {
        "fig": figures,
        "series_chart": Markup(series_chart(figures.series, style, title, ident="q-chart-series")),
        "breakdowns": breakdowns(figures, branding, corpus, words),
        "series_rows": [(t.key, t) for t in figures.series],
        "statuses": ORDER,
        "audiences": tuple(Audience),
        "priorities": tuple(Priority),
    }


@dataclass(frozen=True)
class EditionView:
    """An edition as its pages show it: its snapshot, its changelog and its published reports."""

    edition: int
    current: bool
    corpus: Corpus
    log: object
    reports: tuple[Download, ...]

    def recommendations_of(self, topic: Topic) -> list[tuple[str, tuple[Recommendation, ...]]]:
        groups = [(a, self.corpus.recommendations_for(topic=topic.id, audience=a)) for a in tuple(Audience)]
        return [(a, items) for a, items in groups if items]


def edition_downloads(downloads: Path, edition: int) -> list[tuple[Path, Download]]:
    """The report files of one edition (build/reports/<edition>/), with the site path each is published at."""
    folder = downloads / "reports" / str(edition)
    if not folder.is_dir() or folder.is_symlink():
        return []
    found = []
    for source in sorted(folder.iterdir(), key=lambda p: p.name):
        kind = REPORT_SUFFIXES.get(source.suffix.lower()) or {".pptx": "PPTX"}.get(source.suffix.lower())
        if kind is None or not source.is_file() or source.is_symlink():
            continue
        digest = hashlib.sha256(source.read_bytes()).hexdigest()
        found.append(
            (
                source,
                Download(
                    "reports",
                    f"{DOWNLOADS_DIR}/reports/{edition}/{source.name}",
                    source.name,
                    kind,
                    source.stat().st_size,
                    digest,
                    source.stem.replace("-", " ").capitalize(),
                ),
            )
        )
    return found


def edition_views(corpus: Corpus, downloads: Path) -> tuple[tuple[EditionView, ...], list[tuple[Path, Download]]]:
    """Every edition, newest first, and the report files they publish."""
    logs = {log.edition: log for log in changelog(corpus)}
    latest = current_edition(corpus)
    views, files = [], []
    for year in reversed(editions(corpus)):
        published = edition_downloads(downloads, year)
        files += published
        views.append(
            EditionView(year, year == latest, snapshot(corpus, year), logs[year], tuple(d for _, d in published))
        )
    return tuple(views), files


def cycle_pages(
    corpus: Corpus, branding: Branding, wording: Mapping[str, object], today: str, views: Sequence[EditionView]
) -> list[Page]:
    """(path, title, template, values) of the dashboard, the changelog, the archive and every edition page."""
    titles: Mapping[str, str] = wording["titles"]  # type: ignore[assignment]
    words: Mapping[str, str] = wording["words"]["cycle"]  # type: ignore[index]
    dashboard = dashboard_values(corpus, branding, today, words)
    pages: list[Page] = [
        (FOLLOW_UP_PATH, titles["follow_up"], "pages/follow-up.md.j2", dashboard),
        (CHANGELOG_PATH, titles["changelog"], "pages/changelog.md.j2", {"views": views}),
        (EDITIONS_PATH, titles["editions"], "pages/editions.md.j2", {"views": views}),
    ]
    for view in views:
        title = words["edition"].format(edition=view.edition)
        pages.append((edition_path(view.edition), title, "pages/edition.md.j2", {"view": view}))
        for topic in view.corpus.topics:
            pages.append(
                (
                    edition_topic_path(view.edition, topic.id),
                    words["edition_topic"].format(topic=topic.title.get(branding.language), edition=view.edition),
                    "pages/edition-topic.md.j2",
                    {"view": view, "topic": topic},
                )
            )
    return pages
