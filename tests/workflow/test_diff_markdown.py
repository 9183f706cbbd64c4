"""The diff's Markdown for the changes a word diff does not show: lists, tracker entries, withdrawals."""

from __future__ import annotations

from quaestio.workflow.diff import Entry, Group, Report, Snapshot, as_markdown, changes

FILE = "recommendations/alpha/business.yaml"
BEFORE = {
    "id": "ALP-BUS-01",
    "title": "Act on the second challenge",
    "status": "adopted",
    "priority": "high",
    "addresses": ["ALP-C1", "ALP-C2"],
    "related": ["ALP-PUB-01", "ALP-ACA-01"],
    "tracker": [{"addressee": "Companies", "history": [{"date": "2016-07-06", "note": "Something happened."}]}],
}
LATER = {"date": "2017-01-01", "status": "implemented", "note": "It was done."}


def _with(*entries: dict) -> list[dict]:
    return [{"addressee": "Companies", "history": list(entries)}]


def _markdown(new: dict, old: dict = BEFORE) -> list[str]:
    """The Markdown lines for one changed recommendation, from its two versions."""
    entry = Entry(new["id"], new["title"], new["status"], new["priority"], FILE, changes(old, new))
    withdrawn = new["status"] == "withdrawn"
    group = Group(
        "alpha", "business", "Alpha topic", withdrawn=[entry] if withdrawn else [], changed=[] if withdrawn else [entry]
    )
    base = Snapshot("main", "a" * 40, {}, {}, ())
    head = Snapshot("HEAD", "b" * 40, {}, {}, ())
    return as_markdown(Report(base, head, (group,), ())).splitlines()


def _changes(lines: list[str]) -> list[str]:
    return [line for line in lines if line.startswith("  - ")]


def test_a_list_says_which_ids_were_added_and_removed():
    lines = _markdown({**BEFORE, "addresses": ["ALP-C2", "ALP-C3"]})
    assert "- **ALP-BUS-01** Act on the second challenge" in lines
    assert _changes(lines) == ["  - addresses: added ALP-C3; removed ALP-C1"]


def test_a_list_in_another_order_says_reordered():
    assert _changes(_markdown({**BEFORE, "related": ["ALP-ACA-01", "ALP-PUB-01"]})) == ["  - related: reordered"]


def test_a_list_that_appears_or_disappears_lists_its_items_escaped():
    added = _markdown({**BEFORE, "references": ["iso_27001", "dir-2013-40"]})
    assert _changes(added) == ["  - references: added iso\\_27001, dir-2013-40"]
    removed = _markdown({key: value for key, value in BEFORE.items() if key != "addresses"})
    assert _changes(removed) == ["  - addresses: removed ALP-C1, ALP-C2"]


def test_tracker_entries_are_counted_and_edits_are_named():
    first = BEFORE["tracker"][0]["history"][0]
    assert _changes(_markdown({**BEFORE, "tracker": _with(first, LATER)})) == [
        "  - tracker: 1 → 1 addressees, 1 → 2 entries"
    ]
    edited = _changes(_markdown({**BEFORE, "tracker": _with(LATER)}))
    assert edited == ["  - tracker: 1 → 1 addressees, 1 → 1 entries (entries edited)"]
    dropped = _changes(_markdown({key: value for key, value in BEFORE.items() if key != "tracker"}))
    assert dropped == ["  - tracker: 1 → 0 addressees, 1 → 0 entries"]


def test_a_withdrawal_shows_the_status_and_the_reason_under_withdrawn():
    lines = _markdown({**BEFORE, "status": "withdrawn", "withdrawal_reason": "Replaced by ALP-BUS-03."})
    assert "0 added · 1 withdrawn · 0 changed" in lines
    assert lines.index("**Withdrawn**") < lines.index("- **ALP-BUS-01** Act on the second challenge")
    assert "**Changed**" not in lines
    assert _changes(lines) == [
        "  - status: `adopted` → `withdrawn`",
        "  - withdrawal_reason:",
    ]
    assert "    > <ins>Replaced by ALP-BUS-03.</ins>" in lines


def test_a_value_that_is_removed_says_so():
    lines = _markdown(BEFORE, {**BEFORE, "horizon": "short"})
    assert _changes(lines) == ["  - horizon: `short` removed"]
