"""The fast YAML reader gives exactly the careful reader's data and positions, or leaves the file to it."""

from __future__ import annotations

import re

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from quaestio.content.characters import CURLY_QUOTES, ODD_SPACES, ZERO_WIDTH
from quaestio.content.load import Positions, _read_carefully, load_content, parse_yaml, read_plainly
from quaestio.content.rules import check_rules
from support.paths import FIXTURES, REPOSITORY


def _same_as_careful(text: str) -> bool:
    """Whether the fast reader took the file; if so, asserts that it agrees with the careful one."""
    fast = read_plainly(text)
    careful, findings = _read_carefully(text, "f.yaml")
    if fast is None:
        return False
    assert careful is not None and not findings
    data, starts = fast
    assert data == careful.data
    assert Positions.deferred(data, starts) == careful.positions
    _asks_the_same(Positions.deferred(data, starts), careful.positions)
    return True


def _asks_the_same(deferred: Positions, maps: Positions) -> None:
    """Each position found by counting nodes is the one the maps hold, for paths that exist and that do not."""
    for path in list(maps.values)[:300]:
        for asked in (path, path + ("missing",), path + (99,), path + (0, "deeper")):
            assert deferred.of_value(asked) == maps.of_value(asked), asked
            assert deferred.of_key(asked) == maps.of_key(asked), asked


def _content_files() -> list:
    folders = ("topics", "recommendations", "translations", "templates", "catalogs")
    found = [p for name in folders for p in sorted((REPOSITORY / name).rglob("*.yaml"))]
    return found + sorted(FIXTURES.rglob("*.yaml"))


@pytest.mark.parametrize("path", _content_files(), ids=lambda p: str(p.relative_to(REPOSITORY)))
def test_every_file_of_the_repository_reads_the_same_both_ways(path):
    text = path.read_text(encoding="utf-8")
    taken = _same_as_careful(text)
    if path.parent.name != "fonts" and " #" not in text and "catalogs" not in path.parts:
        assert taken, f"the fast reader left {path} to the careful one"


scalars = st.one_of(
    st.text(max_size=30),
    st.integers(),
    st.floats(allow_nan=False),
    st.booleans(),
    st.none(),
    st.sampled_from(["yes", "no", "~", "null", "1.0.2", "2015-03-12", "-", ".5", "+1", "a # b", "x\ty", "TRUE"]),
)
keys = st.text(min_size=1, max_size=12)
trees = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(keys, inner, max_size=4),
    max_leaves=20,
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.dictionaries(keys, trees, min_size=1, max_size=5), st.sampled_from([None, True, False]))
def test_any_document_reads_the_same_both_ways(data, flow):
    text = yaml.safe_dump(data, allow_unicode=True, sort_keys=False, default_flow_style=flow, width=40)
    _same_as_careful(text)


@pytest.mark.parametrize(
    "text",
    [
        "a: &x 1\nb: *x\n",  # an anchor and an alias
        "a: !!str 1\n",  # a tag
        "a: 1\n---\nb: 2\n",  # a second document
        "a: 1\na: 2\n",  # a repeated field
        "? [a]\n: 1\n",  # a list as a field name
        "a: Priority #1\n",  # a comment cutting a value short
        "a: one\ttwo\n",  # a tab in a value
        "- a\n- b\n",  # not a mapping
        "",  # empty
        "a: [1, 2\n",  # a syntax error
        "".join(f"{'  ' * depth}k:\n" for depth in range(20)),  # too deep
    ],
)
def test_what_needs_care_is_left_to_the_careful_reader(text):
    assert read_plainly(text) is None


def test_a_clean_document_keeps_its_positions_without_building_them_until_asked():
    document, findings = parse_yaml("a: 1\nlist:\n  - x\n  - b: 2\n", "f.yaml")
    assert document is not None and not findings
    assert document.positions.starts  # read fast: only the packed starts so far
    assert document.positions.of_value(("list", 1, "b")) == (4, 8)
    assert document.positions.of_key(("list", 1, "b")) == (4, 5)
    assert document.positions.of_key(("list",)) == (2, 1)


def test_the_shortcuts_for_plain_ascii_text_are_sound():
    """rules skips its curly-quote and odd-space scans on ASCII text: none of those characters is ASCII."""
    assert not any(c.isascii() for c in CURLY_QUOTES | ODD_SPACES | ZERO_WIDTH)


def test_an_ascii_character_the_fonts_lack_is_still_found(repo):
    """The printable check skips ASCII text only when the fonts have every ASCII character."""
    repo.replace("recommendations/alpha/public.yaml", "Fund the first challenge", "Fund the ~first challenge")
    content = load_content(repo.root)
    without_tilde = re.compile("[^\t\n\r -}\u00a0-\uffff]")
    found = check_rules(content.sources, unprintable=without_tilde)
    assert [(f.file, f.line, f.column, f.code) for f in found] == [
        ("recommendations/alpha/public.yaml", 5, 21, "unprintable-character")
    ]
    assert check_rules(content.sources, unprintable=re.compile("[^\t\n\r -~\u00a0-\uffff]")) == []


@pytest.mark.parametrize(
    "text",
    [
        "a: R&D and Q!\nb: [x, 'y', \"z\"]\n",  # '&' and '!' in values, not an anchor or a tag
        "a b\tc: 1\n",  # a tab in a field name: nothing to warn about
        "1: one\ntrue: yes\nnull: ~\n'2': [1, 2.5, -3, .5, +1, 1.0.2]\n",  # field names are kept as written
        "a:\n  - b: 1\n    c:\n      - [d, {e: f}]\n  - ''\n",
        "text: |\n  ### A heading\n  with # signs #1\n",  # ' #' in a block of text, not a comment
    ],
)
def test_the_fast_reader_takes_plain_files_and_agrees(text):
    assert _same_as_careful(text)
