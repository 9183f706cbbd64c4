"""The Atom feed (/feed.xml): new, revised and withdrawn recommendations and every follow-up assessment.

Entries are dated from the content (the session that made or revised a recommendation, the date of an
assessment), never from the clock, and keep the same tag: URI from build to build (RFC 4151), so that
feed readers show each event once. Newest first.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit
from xml.sax.saxutils import escape, quoteattr

from quaestio.content.editions import changelog, session_date
from quaestio.content.model import Corpus, Recommendation
from quaestio.publish.branding import Branding
from quaestio.publish.urls import FEED_FILE, absolute, recommendation_path
from quaestio.vocab import EditionChange

_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_SLUG = re.compile(r"[^a-z0-9]+")
SUMMARY_LENGTH = 400
_KIND_ORDER = {"follow-up": 0, EditionChange.WITHDRAWN: 1, EditionChange.SUPERSEDED: 1, EditionChange.REVISED: 2}


@dataclass(frozen=True)
class Entry:
    """One event of the feed."""

    key: str
    kind: str
    date: str
    title: str
    summary: str
    recommendation: Recommendation


def _clean(text: str) -> str:
    return _NOT_XML.sub("", " ".join(text.split()))


def _short(text: str) -> str:
    text = _clean(text)
    return text if len(text) <= SUMMARY_LENGTH else text[: SUMMARY_LENGTH - 1].rsplit(" ", 1)[0] + "…"


def _slug(text: str) -> str:
    return _SLUG.sub("-", text.lower()).strip("-") or "addressee"


def entries(corpus: Corpus, branding: Branding) -> list[Entry]:
    """Every event of every edition, newest first."""
    found: list[Entry] = []
    label = branding.label
    for log in changelog(corpus):
        year = log.edition
        for r in log.added:
            date = session_date(corpus, r.topic, year)
            found.append(
                Entry(f"{r.id}/added", EditionChange.ADDED, date, f"New in {year}: {r.id} {r.title.en}", r.text.en, r)
            )
        for revised in log.revised:
            r = revised.recommendation
            found.append(
                Entry(
                    f"{r.id}/revised/{year}",
                    EditionChange.REVISED,
                    session_date(corpus, r.topic, year),
                    f"Revised in {year}: {r.id} {r.title.en}",
                    revised.revision.reason.en,
                    r,
                )
            )
        for r in log.withdrawn:
            kind = EditionChange.SUPERSEDED if r.superseded_by else EditionChange.WITHDRAWN
            verb = f"superseded by {r.superseded_by}" if r.superseded_by else "withdrawn"
            found.append(
                Entry(
                    f"{r.id}/withdrawn/{year}",
                    kind,
                    session_date(corpus, r.topic, year),
                    f"{r.id} {verb} in {year}: {r.title.en}",
                    r.withdrawal_reason.en if r.withdrawal_reason else "",
                    r,
                )
            )
    seen: dict[str, int] = {}
    for r in corpus.recommendations:
        for addressee in r.tracker:
            for entry in addressee.history:
                key = f"{r.id}/follow-up/{_slug(addressee.name)}/{entry.date}"
                seen[key] = seen.get(key, 0) + 1
                what = label("implementation", entry.status).lower() if entry.status else "assessed"
                found.append(
                    Entry(
                        key if seen[key] == 1 else f"{key}/{seen[key]}",
                        "follow-up",
                        entry.date,
                        f"Follow-up of {r.id}: {addressee.name}, {what}",
                        entry.note.en,
                        r,
                    )
                )
    found.sort(key=lambda e: (e.date, _KIND_ORDER.get(e.kind, 3), e.recommendation.id, e.key), reverse=True)
    return found


def atom_feed(corpus: Corpus, branding: Branding, wording: Mapping[str, object]) -> str:
    """The feed as Atom 1.0 XML text."""
    settings: Mapping[str, object] = wording["feed"]  # type: ignore[assignment]
    site_url = str(branding["site_url"])
    coalition: Mapping[str, object] = branding["coalition"]  # type: ignore[assignment]
    authority = f"tag:{urlsplit(site_url).hostname},{coalition['founded']}:"
    events = entries(corpus, branding)[: int(settings["entries"])]  # type: ignore[call-overload]
    updated = max((e.date for e in events), default=f"{coalition['founded']}-01-01")
    licence: Mapping[str, str] = branding["licence"]  # type: ignore[assignment]
    lines = [
        '<?xml version="1.0" encoding="utf-8"?>',
        '<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="en-GB">',
        f"  <id>{escape(authority)}feed</id>",
        f"  <title>{escape(_clean(str(settings['title'])))}</title>",
        f"  <subtitle>{escape(_clean(str(settings['subtitle'])))}</subtitle>",
        f"  <updated>{updated}T00:00:00Z</updated>",
        f'  <link rel="self" type="application/atom+xml" href={quoteattr(absolute(site_url, FEED_FILE))}/>',
        f'  <link rel="alternate" type="text/html" href={quoteattr(site_url)}/>',
        f"  <author><name>{escape(str(coalition['name']))}</name>"
        f"<uri>{escape(str(coalition['website']))}</uri></author>",
        f"  <rights>{escape(licence['name'])}</rights>",
    ]
    for event in events:
        url = absolute(site_url, recommendation_path(event.recommendation.id))
        term = event.kind if event.kind == "follow-up" else EditionChange(event.kind).value
        lines += [
            "  <entry>",
            f"    <id>{escape(authority)}recommendation/{escape(event.key)}</id>",
            f"    <title>{escape(_clean(event.title))}</title>",
            f"    <updated>{event.date}T00:00:00Z</updated>",
            f'    <link rel="alternate" type="text/html" href={quoteattr(url)}/>',
            f"    <category term={quoteattr(term)}/>",
            f'    <summary type="text">{escape(_short(event.summary))}</summary>',
            "  </entry>",
        ]
    lines.append("</feed>")
    return "\n".join(lines) + "\n"
