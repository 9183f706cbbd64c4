"""Bibliographies formatted in batches: each group as pandoc's citeproc formats it alone, cached by content."""

from __future__ import annotations

import tempfile

import pytest

from quaestio.publish.branding import load_branding
from quaestio.publish.csl import citation_style, format_bibliographies, format_entries
from support.paths import REPOSITORY

pytestmark = pytest.mark.slow


def _report(key: str, title: str, year: int = 2013, author: str = "ENISA") -> dict:
    return {
        "id": key,
        "type": "report",
        "title": title,
        "author": [{"literal": author}],
        "issued": {"date-parts": [[year]]},
    }


TWINS = [_report("a-threats", "Threat Landscape"), _report("a-cloud", "Cloud Security Guide")]
ALONE = [_report("b-threats", "Threat Landscape")]


def test_each_group_is_disambiguated_on_its_own():
    style = citation_style(load_branding(REPOSITORY))
    twins, alone, empty = format_bibliographies([TWINS, ALONE, []], style)
    # Two ENISA reports of 2013 in one list are told apart (APA: 2013a, 2013b); the same report alone is not.
    assert "(2013a)" in twins["a-cloud"] and "(2013b)" in twins["a-threats"]
    assert "(2013)." in alone["b-threats"] and "2013a" not in alone["b-threats"]
    assert empty == {}
    assert list(twins) == ["a-cloud", "a-threats"]  # the style's order: by title within one author and year


def test_a_batch_gives_what_one_list_at_a_time_gives():
    style = citation_style(load_branding(REPOSITORY), "fr")
    # Enough groups for several pandoc processes, in an order the result must keep.
    groups = [[_report(f"g{n}-r", f"Rapport {n}", 2000 + n, f"Agence {n % 3}")] for n in range(17)]
    groups[7] = TWINS
    batch = format_bibliographies(groups, style, to="markdown")
    assert len(batch) == 17 and all(f"Rapport {n}" in batch[n][f"g{n}-r"] for n in range(17) if n != 7)
    assert [batch[n] for n in (0, 7, 16)] == [format_entries(groups[n], style, to="markdown") for n in (0, 7, 16)]


def test_formatted_groups_are_kept_and_reused(tmp_path):
    style = citation_style(load_branding(REPOSITORY))
    first = format_bibliographies([TWINS, ALONE], style, tmp_path)
    kept = sorted(tmp_path.glob("*.json"))
    assert len(kept) == 2
    kept[0].write_text('{"a-cloud": "as kept"}', encoding="utf-8")  # what the cache holds is what is returned
    again = format_bibliographies([TWINS, ALONE], style, tmp_path)
    assert {"a-cloud": "as kept"} in again and any(group == first[0] or group == first[1] for group in again)


def test_a_temporary_folder_whose_name_markdown_would_change_is_found(tmp_path, monkeypatch):
    # pandoc reads metadata as Markdown: '/_x_/' would become an emphasised 'x' and the files be lost.
    folder = tmp_path / "_emphasis_"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    style = citation_style(load_branding(REPOSITORY))
    assert "(2013)." in format_bibliographies([ALONE], style)[0]["b-threats"]
