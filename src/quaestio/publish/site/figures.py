"""Key figures computed from the corpus, and the layout of the bar chart that draws them (website and reports)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from quaestio.content.model import Corpus
from quaestio.publish.branding import Branding
from quaestio.vocab import Audience, Priority, Status


@dataclass(frozen=True)
class Count:
    key: str
    label: str
    value: int


@dataclass(frozen=True)
class Group:
    """One breakdown of the recommendations, e.g. by audience."""

    key: str
    title: str
    counts: tuple[Count, ...]


@dataclass(frozen=True)
class Figures:
    """Counts of one set of recommendations. Current ones are those not withdrawn."""

    recommendations: int
    current: int
    withdrawn: int
    topics: int
    challenges: int
    groups: tuple[Group, ...]


def key_figures(corpus: Corpus, branding: Branding, titles: Mapping[str, str]) -> Figures:
    """Current recommendations per audience and priority, and all of them per status; every allowed
    value is listed, zeros included.

    titles names each breakdown to draw (keys audience, priority, status, in that order; a key left
    out is not drawn), from the site's or the reports' wording.
    """
    every = corpus.recommendations
    current = tuple(r for r in every if r.status != Status.WITHDRAWN)
    breakdowns = {
        "audience": (current, tuple(Audience), lambda v: str(branding.audience(v)["label"])),
        "priority": (current, tuple(Priority), lambda v: branding.label("priority", v)),
        "status": (every, tuple(Status), lambda v: branding.label("status", v)),
    }

    def group(key: str) -> Group:
        recs, values, label = breakdowns[key]
        return Group(
            key,
            str(titles[key]),
            tuple(Count(v, label(v), sum(1 for r in recs if getattr(r, key) == v)) for v in values),
        )

    return Figures(
        recommendations=len(every),
        current=len(current),
        withdrawn=len(every) - len(current),
        topics=len(corpus.topics),
        challenges=sum(len(t.challenges) for t in corpus.topics),
        groups=tuple(group(key) for key in breakdowns if key in titles),
    )


@dataclass(frozen=True)
class Bar:
    label: str
    value: int
    y: float
    width: float


@dataclass(frozen=True)
class Panel:
    title: str
    y: float
    bars: tuple[Bar, ...]


@dataclass(frozen=True)
class ChartLayout:
    """Positions for an SVG of horizontal bars, one panel per group, all on one scale."""

    width: int
    height: float
    label_width: int
    bar_area: int
    bar_height: int
    panels: tuple[Panel, ...]


def chart_layout(
    figures: Figures,
    width: int = 560,
    label_width: int = 170,
    bar_height: int = 18,
    gap: int = 8,
    title_height: int = 30,
) -> ChartLayout:
    """Lay out the chart; bars share one scale so that lengths compare across panels."""
    bar_area = width - label_width - 48
    largest = max((c.value for g in figures.groups for c in g.counts), default=0) or 1
    panels, y = [], 0.0
    for group in figures.groups:
        top = y
        y += title_height
        bars = []
        for count in group.counts:
            bars.append(Bar(count.label, count.value, y, round(bar_area * count.value / largest, 1)))
            y += bar_height + gap
        panels.append(Panel(group.title, top, tuple(bars)))
        y += gap
    return ChartLayout(width, y, label_width, bar_area, bar_height, tuple(panels))
