"""`maps_to`: validation knows the imported catalogs, suggests names, and warns about withdrawn controls."""

from __future__ import annotations

from quaestio.findings import Code
from quaestio.pipeline import check
from quaestio.workflow.catalog import import_catalog
from support.paths import FIXTURES

FILE = "recommendations/alpha/business.yaml"


def _map(repo, *entries: tuple[str, str, str]) -> None:
    lines = "".join(
        f"\n      - catalog: {catalog}\n        control: {control}\n        relation: {relation}"
        for catalog, control, relation in entries
    )
    repo.replace(
        FILE, "    addresses: [ALP-C2]\n    tracker:", f"    addresses: [ALP-C2]\n    maps_to:{lines}\n    tracker:"
    )


def _with_catalog(repo) -> None:
    done = import_catalog(repo.root, FIXTURES / "catalogs" / "small.json", "small-test")
    assert done.text


def test_a_mapping_by_label_or_id_is_valid_and_reaches_the_model(repo):
    _with_catalog(repo)
    _map(repo, ("small-test", "AB-1(1)", "subset"), ("small-test", "ab-2", "intersects"))
    result = check(repo.root)
    assert [f.code for f in result.findings] == []
    item = result.corpus.recommendation_by_id["ALP-BUS-01"]
    assert [(m.control, m.relation) for m in item.maps_to] == [("AB-1(1)", "subset"), ("ab-2", "intersects")]
    assert result.corpus.control_of(item.maps_to[0]).title == "Automated Support"
    assert sorted(result.corpus.mapped_to("small-test")) == ["ab-1.1", "ab-2"]


def test_an_unknown_catalog_is_an_error_with_a_suggestion(repo):
    _with_catalog(repo)
    _map(repo, ("small-tset", "AB-1", "related"))
    (problem,) = repo.findings()
    assert (problem.file, problem.line, problem.code) == (FILE, 13, Code.UNKNOWN_CATALOG)
    assert problem.message == "there is no catalog 'small-tset' in catalogs/"
    assert problem.hint.startswith("did you mean 'small-test'?")


def test_an_unknown_control_is_an_error_with_a_suggestion(repo):
    _with_catalog(repo)
    _map(repo, ("small-test", "AB-22", "related"))
    (problem,) = repo.findings()
    assert (problem.line, problem.column, problem.code) == (14, 18, Code.UNKNOWN_CONTROL)
    assert problem.hint == "did you mean 'AB-2'?"


def test_a_withdrawn_control_is_a_warning_naming_its_replacement(repo):
    _with_catalog(repo)
    _map(repo, ("small-test", "AB-3", "related"), ("small-test", "AB-1(2)", "related"))
    moved, incorporated = repo.findings()
    assert moved.code is Code.WITHDRAWN_CONTROL and moved.severity == "warning"
    assert moved.message == "AB-3 (Moved Away) is withdrawn from 'small-test'; it was moved to CD-1R"
    assert moved.hint == "map to CD-1R instead"
    assert "incorporated into AB-1" in incorporated.message


def test_an_unknown_relation_is_a_schema_error(repo):
    _with_catalog(repo)
    _map(repo, ("small-test", "AB-1", "equal"))
    (problem,) = repo.findings()
    assert problem.code is Code.INVALID_VALUE and "equivalent" in problem.hint


def test_a_damaged_catalog_file_is_reported_and_stops_the_build(repo):
    repo.write("catalogs/broken.yaml", "id: broken\ntitle: Broken\nversion: '1'\ngroups:\n  - id: x\n    controls: 3\n")
    repo.write("catalogs/Bad Name.yaml", "id: x\n")
    result = check(repo.root)
    assert [(f.file, f.line, f.code) for f in result.findings] == [
        ("catalogs/Bad Name.yaml", 1, Code.CATALOG_FILE),
        ("catalogs/broken.yaml", 5, Code.CATALOG_FILE),
    ]
    assert result.corpus is None
