"""The open-session pack's content: follow-up figures, charts (SVG for the PDF, PNG for Word and the slides)
and each topic's key recommendations, for the progress report and the slide deck."""

from __future__ import annotations

import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import typst

from quaestio.content.editions import changelog, current_edition, editions
from quaestio.content.model import Corpus, Topic
from quaestio.content.tracker import RecommendationState, Tally, tallies, tally
from quaestio.publish.branding import Branding
from quaestio.publish.charts import ORDER, Style, bars_chart, series_chart
from quaestio.publish.followup_figures import FollowUpFigures
from quaestio.publish.locale import number
from quaestio.vocab import Audience, Priority

OPEN_SESSION_TEMPLATES = ("progress.md.j2", "open-session.md.j2")
KEY_RECOMMENDATIONS = 4  # per topic, on its page of the progress report and its slide
CHART_WIDTH = 720
SLIDE_WIDTH = 400  # narrower charts keep their text legible in half a slide
SLIDE_BARS_WIDTH = 320  # drawn narrower, a topic's bars are scaled up to half a slide and their text reads
# Charts drawn by one typst compilation: typst holds every page's pixels until it returns (686 charts at
# once took the build's process to 1 GB, 4 at a time to 260 MB and a tenth of the time of one at a time).
RASTER_BATCH = 4


@dataclass(frozen=True)
class Asset:
    """A file a report shows (a chart): its name, its bytes and the text that describes it to readers who
    cannot see it."""

    name: str
    data: bytes
    alt: str


@dataclass(frozen=True)
class TopicProgress:
    """One topic's recommendations in force, their tally by audience and the few to show first."""

    topic: Topic
    states: tuple[RecommendationState, ...]
    by_audience: tuple[tuple[str, Tally], ...]
    key: tuple[RecommendationState, ...]
    chart: str

    @property
    def total(self) -> Tally:
        return tally(self.topic.id, self.states)


def rasterise(svg: str, fonts: Path, width_pt: int = CHART_WIDTH, ppi: int = 200, fill: str = "white") -> bytes:
    """A PNG of an SVG chart, drawn by typst with the report fonts (no other program needed); fill "none"
    leaves the background transparent."""
    return rasterise_all([(svg, width_pt)], fonts, ppi, fill)[0]


def rasterise_all(charts: list[tuple[str, int]], fonts: Path, ppi: int = 200, fill: str = "white") -> list[bytes]:
    """PNGs of SVG charts (each with its width in points), drawn a batch at a time, a page per chart: the
    fonts are loaded once per batch, and a batch's pixels (a few MB a chart) stay within tens of MB."""
    return [
        png
        for start in range(0, len(charts), RASTER_BATCH)
        for png in _rasterise_batch(charts[start : start + RASTER_BATCH], fonts, ppi, fill)
    ]


def _rasterise_batch(charts: list[tuple[str, int]], fonts: Path, ppi: int, fill: str) -> list[bytes]:
    """PNGs of SVG charts drawn by one typst compilation."""
    with tempfile.TemporaryDirectory(prefix="quaestio-chart-") as scratch:
        folder = Path(scratch)
        pages = []
        for index, (svg, width_pt) in enumerate(charts):
            (folder / f"chart-{index}.svg").write_text(svg, encoding="utf-8")
            pages.append(f'#image("chart-{index}.svg", width: {width_pt}pt)')
        (folder / "charts.typ").write_text(
            f"#set page(width: auto, height: auto, margin: 0pt, fill: {fill})\n"
            + "\n#pagebreak()\n".join(pages)
            + "\n",
            encoding="utf-8",
        )
        # typst returns a list of PNGs for a document of several pages (its stubs say bytes).
        drawn: bytes | list[bytes] = typst.compile(
            str(folder / "charts.typ"),
            root=str(folder),
            format="png",
            ppi=ppi,
            font_paths=[str(fonts)],
            ignore_system_fonts=True,
        )
    return drawn if isinstance(drawn, list) else [drawn]


def _style(branding: Branding) -> Style:
    colours: Mapping[str, str] = branding.settings.get("status_colours", {})  # type: ignore[assignment]
    return Style(colours, lambda value: branding.label("implementation", value), str(branding["colours"]["primary"]))  # type: ignore[index]


def key_recommendations(states: tuple[RecommendationState, ...]) -> tuple[RecommendationState, ...]:
    """The recommendations to show first: priority recommendations, then high priority, then the others,
    those with progress to report before the rest."""
    rank = {Priority.HIGH: 0, Priority.MEDIUM: 1, Priority.LOW: 2}
    ordered = sorted(
        states,
        key=lambda s: (
            not s.recommendation.priority_flag,
            rank[s.recommendation.priority],
            s.updated is None,
            s.recommendation.id,
        ),
    )
    return tuple(ordered[:KEY_RECOMMENDATIONS])


def _chart(name: str, svg: str, alt: str) -> Asset:
    return Asset(f"{name}.svg", svg.encode("utf-8"), alt)


def _with_pngs(charts: list[Asset], fonts: Path) -> list[Asset]:
    """Each SVG chart followed by its PNG (for Word and the slides), all drawn by one typst compilation."""
    widths = [int(c.data.decode("utf-8").split('width="', 1)[1].split('"', 1)[0]) for c in charts]
    pngs = rasterise_all([(c.data.decode("utf-8"), w) for c, w in zip(charts, widths, strict=True)], fonts)
    return [a for c, png in zip(charts, pngs, strict=True) for a in (c, Asset(f"{c.name[:-4]}.png", png, c.alt))]


def _by_year(fig: FollowUpFigures) -> tuple[tuple[str, tuple], ...]:
    """Every assessment up to the figures' date, newest year first, oldest first within a year."""
    updates = sorted(fig.recent(count=10**9), key=lambda u: (u.date, u.recommendation.id, u.addressee))
    years: dict[str, list] = {}
    for update in updates:
        years.setdefault(update.date[:4], []).append(update)
    return tuple((year, tuple(items)) for year, items in sorted(years.items(), reverse=True))


def open_session_context(
    corpus: Corpus, branding: Branding, today: str, words: Mapping[str, object]
) -> tuple[dict[str, object], tuple[Asset, ...]]:
    """What the progress report and the deck show, and the charts they show it with, in the language of the
    branding and of `words` (reports.yaml's words, translated)."""
    fig = FollowUpFigures(corpus, today)
    style = _style(branding)
    fonts = branding.templates / "fonts"
    language = branding.language
    said: Mapping[str, str] = words["progress"]  # type: ignore[assignment]
    charts: list[Asset] = []
    series_title = said["series_caption"]
    series = series_chart(fig.series, style, series_title, CHART_WIDTH, "series")
    last = fig.series[-1] if fig.series else None
    alt = series_title + (
        said["series_alt"].format(
            year=last.key, implemented=number(last.count(ORDER[0]), language), total=number(last.total, language)
        )
        if last
        else "."
    )
    charts.append(_chart("chart-series", series, alt))
    charts.append(_chart("slide-series", series_chart(fig.series, style, series_title, SLIDE_WIDTH, "s"), alt))
    audiences = [(str(branding.audience(t.key)["label"]), t) for t in fig.by_audience]
    chart = bars_chart(audiences, style, said["audience_chart"], CHART_WIDTH, "audience")
    charts.append(_chart("chart-audience", chart, said["audience_alt"]))
    topics = []
    for topic in (t for t in corpus.topics if t.closed is None):
        states = tuple(s for s in fig.states if s.recommendation.topic == topic.id)
        if not states:
            continue
        groups = tallies(states, lambda r: r.audience, tuple(Audience))
        rows = tuple((str(branding.audience(t.key)["label"]), t) for t in groups if t.total)
        name = f"chart-topic-{topic.id}"
        title = " ".join(topic.title.get(language).split())
        svg = bars_chart(rows, style, title, CHART_WIDTH, name)
        shares = [
            said["topic_alt_group"].format(
                audience=label, implemented=number(t.count(ORDER[0]), language), total=number(t.total, language)
            )
            for label, t in rows
        ]
        topic_alt = said["topic_alt"].format(topic=title, groups="; ".join(shares))
        charts.append(_chart(name, svg, topic_alt))
        slide = bars_chart(rows, style, title, SLIDE_BARS_WIDTH, f"s-{topic.id}")
        charts.append(_chart(f"slide-topic-{topic.id}", slide, topic_alt))
        topics.append(TopicProgress(topic, states, rows, key_recommendations(states), name))
    assets = _with_pngs(charts, fonts)
    logs = changelog(corpus)
    context = {
        "fig": fig,
        "today": today,
        "statuses": ORDER,
        "topic_progress": tuple(topics),
        "audience_rows": tuple(audiences),
        "series_rows": tuple((t.key, t) for t in fig.series),
        "current_log": logs[0] if logs else None,
        "first_edition": min(editions(corpus), default=0),
        "current": current_edition(corpus),
        "flagged_states": tuple(s for s in fig.states if s.recommendation.priority_flag),
        "alts": {a.name: a.alt for a in assets if a.name.endswith(".svg")},
        "assessments_by_year": _by_year(fig),
    }
    return context, tuple(assets)
