"""Charts of the follow-up as standalone SVG, drawn at build time: the same file goes into the website, the
PDF (typst) and, rasterised, the DOCX and the slides. Every chart has a title and a description, writes
its numbers beside the marks and comes with a table of the same figures wherever it is shown."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from html import escape

from quaestio.content.tracker import Tally
from quaestio.vocab import Implementation

ORDER = (
    Implementation.IMPLEMENTED,
    Implementation.PARTIALLY_IMPLEMENTED,
    Implementation.IN_PROGRESS,
    Implementation.OPEN,
    Implementation.NOT_IMPLEMENTED,
    Implementation.NO_LONGER_RELEVANT,
)
"""Statuses in the order charts stack them: done first, then under way, then not started or closed."""

FONT = "'Source Sans 3', 'Source Sans Pro', Helvetica, Arial, sans-serif"
INK, MUTED, GRID = "#1d2330", "#5a6472", "#d5dbe3"


@dataclass(frozen=True)
class Style:
    """Colours and labels of a chart, from the branding."""

    colours: Mapping[str, str]
    label: Callable[[str], str]
    primary: str = "#0b3d6b"

    def colour(self, status: Implementation) -> str:
        return self.colours.get(status.value, "#9aa5b1")

    def text_on(self, status: Implementation) -> str:
        """White on the dark fills, ink on the light ones (contrast of at least 4.5:1)."""
        fill = self.colour(status).lstrip("#")
        r, g, b = (int(fill[i : i + 2], 16) / 255 for i in (0, 2, 4))
        luminance = 0.2126 * r**2.2 + 0.7152 * g**2.2 + 0.0722 * b**2.2
        return "#ffffff" if luminance < 0.22 else INK


def _text(x: float, y: float, content: object, size: float = 13, anchor: str = "start", **attributes: str) -> str:
    extra = "".join(f' {k.replace("_", "-")}="{escape(v)}"' for k, v in attributes.items())
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" font-family="{escape(FONT)}" font-size="{size}" text-anchor="{anchor}"'
        f"{extra}>{escape(str(content))}</text>"
    )


def _svg(width: float, height: float, title: str, description: str, body: list[str], ident: str) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width:.0f} {height:.0f}" width="{width:.0f}" '
        f'height="{height:.0f}" role="img" aria-labelledby="{ident}-title {ident}-desc">'
        f'<title id="{ident}-title">{escape(title)}</title><desc id="{ident}-desc">{escape(description)}</desc>'
        f'<rect width="{width:.0f}" height="{height:.0f}" fill="#ffffff"/>' + "".join(body) + "</svg>"
    )


def _legend(
    style: Style, x: float, y: float, width: float, statuses: Sequence[Implementation]
) -> tuple[list[str], float]:
    """A legend that wraps within width; returns its elements and its height."""
    body, cx, cy = [], x, y
    for status in statuses:
        label = style.label(status.value)
        needed = 22 + 7.2 * len(label) + 18
        if cx + needed > x + width and cx > x:
            cx, cy = x, cy + 22
        body.append(
            f'<rect x="{cx:.1f}" y="{cy - 11:.1f}" width="14" height="14" rx="2" fill="{style.colour(status)}"/>'
        )
        body.append(_text(cx + 20, cy, label, 13, fill=INK))
        cx += needed
    return body, cy - y + 14


def present(tallies: Sequence[Tally]) -> tuple[Implementation, ...]:
    """The statuses that occur in any of the tallies, in chart order."""
    return tuple(s for s in ORDER if any(t.count(s) for t in tallies))


def series_chart(series: Sequence[Tally], style: Style, title: str, width: int = 720, ident: str = "q-series") -> str:
    """Stacked columns: for each year, the recommendations in force by status, with the total on top."""
    statuses = present(series) or (Implementation.OPEN,)
    legend, legend_height = _legend(style, 48, 24, width - 60, statuses)
    top, plot_height, left = 40 + legend_height, 240, 48
    bottom = top + plot_height
    largest = max((t.total for t in series), default=0) or 1
    step = max(1, -(-largest // 5))
    scale = plot_height / (step * -(-largest // step))
    slot = (width - left - 12) / max(1, len(series))
    bar = min(44.0, slot * 0.66)
    body = list(legend)
    for tick in range(0, step * -(-largest // step) + 1, step):
        y = bottom - tick * scale
        body.append(f'<line x1="{left}" y1="{y:.1f}" x2="{width - 12}" y2="{y:.1f}" stroke="{GRID}" stroke-width="1"/>')
        body.append(_text(left - 8, y + 4, tick, 12, "end", fill=MUTED))
    for index, tallied in enumerate(series):
        x = left + slot * index + (slot - bar) / 2
        y = bottom
        for status in statuses:
            count = tallied.count(status)
            if not count:
                continue
            height = count * scale
            y -= height
            body.append(
                f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar:.1f}" height="{height:.1f}" fill="{style.colour(status)}"/>'
            )
            if height >= 16 and status is Implementation.IMPLEMENTED:
                body.append(_text(x + bar / 2, y + height / 2 + 4.5, count, 12, "middle", fill=style.text_on(status)))
        body.append(_text(x + bar / 2, y - 6, tallied.total, 12, "middle", fill=INK, font_weight="600"))
        body.append(_text(x + bar / 2, bottom + 18, tallied.key, 12, "middle", fill=INK))
    description = "; ".join(
        f"{t.key}: " + ", ".join(f"{t.count(s)} {style.label(s.value).lower()}" for s in statuses) for t in series
    )
    return _svg(width, bottom + 30, title, description, body, ident)


def _wrap(text: str, limit: int, lines: int = 2) -> list[str]:
    """Words of text on at most `lines` lines of about `limit` characters; the last one ends in '…' if cut."""
    found: list[str] = []
    for word in text.split():
        if found and len(found[-1]) + 1 + len(word) <= limit:
            found[-1] += " " + word
        else:
            found.append(word)
    if len(found) > lines:
        found = found[: lines - 1] + [" ".join(found[lines - 1 :])[: limit - 1].rstrip() + "…"]
    return found


def bars_chart(
    groups: Sequence[tuple[str, Tally]], style: Style, title: str, width: int = 720, ident: str = "q-bars"
) -> str:
    """One horizontal bar per group, split by status in proportion, with each group's counts written on it."""
    tallies_ = [t for _, t in groups]
    statuses = present(tallies_) or (Implementation.OPEN,)
    longest = max((len(name) for name, _ in groups), default=0)
    label_width = min(int(width * 0.36), 16 + 6.6 * longest)
    limit = int((label_width - 16) / 6.6)
    labels = [_wrap(name, limit) for name, _ in groups]
    legend, legend_height = _legend(style, 0, 16, width, statuses)
    top, bar = 30 + legend_height, 22
    area = width - label_width - 54
    body = list(legend)
    y = top
    for (_, tallied), lines in zip(groups, labels, strict=True):
        row = max(34, 16 * len(lines) + 10)
        for number, line in enumerate(lines):
            baseline = y + bar / 2 + 4.5 + (number - (len(lines) - 1) / 2) * 15
            body.append(_text(label_width - 10, baseline, line, 13, "end", fill=INK))
        x = label_width
        total = tallied.total
        if not total:
            body.append(f'<rect x="{x:.1f}" y="{y:.1f}" width="{area:.1f}" height="{bar}" fill="#f4f6f9"/>')
        for status in statuses:
            count = tallied.count(status)
            if not count:
                continue
            length = area * count / total
            body.append(
                f'<rect x="{x:.1f}" y="{y:.1f}" width="{length:.1f}" height="{bar}" fill="{style.colour(status)}"/>'
            )
            if length >= 18:
                body.append(_text(x + length / 2, y + bar / 2 + 4.5, count, 12, "middle", fill=style.text_on(status)))
            x += length
        body.append(_text(label_width + area + 8, y + bar / 2 + 4.5, total, 12, fill=MUTED))
        y += row
    description = "; ".join(
        f"{name}: " + ", ".join(f"{t.count(s)} {style.label(s.value).lower()}" for s in statuses) for name, t in groups
    )
    return _svg(width, y + 2, title, description, body, ident)
