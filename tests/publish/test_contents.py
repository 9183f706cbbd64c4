"""A contents page's entries: the headings it lists, and the depth at which it holds no more than it may."""

from __future__ import annotations

from quaestio.publish.contents import fitting_depth, listed, markdown_headings

COMPENDIUM = """\
# Executive summary {#summary}

## Key messages {.unlisted}

# Alpha topic {#topic-alpha}

## Status quaestionis {#sq-alpha}

### A subheading of the status

\\# not a heading: an escaped hash that starts a line of text

## Recommendations {#recommendations-alpha}

### What the academic world should do {#audience-alpha-academic}

#### ALP-ACA-01 · Teach it {#rec-alp-aca-01}

#### ALP-ACA-02 · Study it {#rec-alp-aca-02}

# Beta topic {#topic-beta}

## Recommendations {#recommendations-beta}

### What public authorities should do {#audience-beta-public}

#### BET-PUB-01 · Fund it {#rec-bet-pub-01}

# References {#references}
"""

RANGES = {"recommendations-alpha": "topic-beta", "recommendations-beta": "references"}


def _titles(depth: int) -> list[str]:
    headings = markdown_headings(COMPENDIUM)
    identifiers = [identifier for _, identifier, _ in headings]
    return [identifiers[i] for i in listed(headings, RANGES, depth)]


def test_headings_are_read_with_their_level_identifier_and_classes():
    headings = markdown_headings(COMPENDIUM)
    assert headings[:3] == [(1, "summary", []), (2, "", ["unlisted"]), (1, "topic-alpha", [])]
    assert (3, "", []) in headings  # the status's subheading, which has no attributes
    assert len(headings) == 14  # the escaped '#' starts no heading


def test_the_contents_lists_deep_headings_only_within_the_ranges_and_never_unlisted_ones():
    assert _titles(4) == [
        "summary",
        "topic-alpha",
        "sq-alpha",
        "recommendations-alpha",
        "audience-alpha-academic",
        "rec-alp-aca-01",
        "rec-alp-aca-02",
        "topic-beta",
        "recommendations-beta",
        "audience-beta-public",
        "rec-bet-pub-01",
        "references",
    ]
    assert _titles(2) == ["summary", "topic-alpha", "sq-alpha", "recommendations-alpha", "topic-beta"] + [
        "recommendations-beta",
        "references",
    ]
    assert _titles(1) == ["summary", "topic-alpha", "topic-beta", "references"]


def test_without_ranges_every_level_down_to_the_depth_is_listed():
    headings = markdown_headings(COMPENDIUM)
    assert len(list(listed(headings, {}, 3))) == 10  # the status's subheading among them


def test_the_depth_is_the_deepest_whose_entries_fit():
    headings = markdown_headings(COMPENDIUM)
    assert fitting_depth(headings, RANGES, 4, None) == 4
    assert fitting_depth(headings, RANGES, 4, 12) == 4
    assert fitting_depth(headings, RANGES, 4, 11) == 3  # 9 entries at depth 3
    assert fitting_depth(headings, RANGES, 4, 8) == 2  # 7 at depth 2
    assert fitting_depth(headings, RANGES, 4, 2) == 1  # the chapters, even when they are more
