"""Standards interchange: the OSCAL catalog (checked by trestle and NIST's schema) and the CSL references."""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

import jsonschema_rs
import pytest
from trestle.oscal.catalog import Catalog as TrestleCatalog

from quaestio.content.model import Reference, Text, Translation
from quaestio.pipeline import check
from quaestio.publish.branding import load_branding
from quaestio.publish.buildinfo import BuildInfo
from quaestio.publish.csl import citation_style, csl_item, format_entries
from quaestio.publish.exports import write_data
from quaestio.publish.oscal import namespace, oscal_catalog
from quaestio.vocab import Language, ReferenceKind
from quaestio.workflow.catalog import import_catalog
from support.paths import FIXTURES, REPOSITORY

VENDORED = REPOSITORY / "tests" / "schemas"
CHECKSUMS = {
    "oscal_complete_schema.json": "384324105c7a817af0f65b120a963146caa0e0d55d969cf0daf60e063b87a206",
    "csl-data.json": "257f86d4c3f19e15c7208657512ad4c9559a3b0d83b03360ed006c5f02d2977c",
}
INFO = BuildInfo("0123456789abcdef0123", 1449532800, {"quaestio": "test"})


def _vendored(name: str) -> dict:
    data = (VENDORED / name).read_bytes()
    assert hashlib.sha256(data).hexdigest() == CHECKSUMS[name], f"{name} is not the vendored file"
    return json.loads(data)


def _schema_errors(schema_name: str, document: object) -> list[str]:
    validator = jsonschema_rs.validator_for(_vendored(schema_name))
    return [f"{'/'.join(map(str, e.instance_path))}: {e.message}" for e in validator.iter_errors(document)]


def _exported(root: Path, out: Path) -> tuple[Path, dict]:
    result = check(root)
    assert result.corpus is not None, result.findings
    write_data(result.corpus, INFO, load_branding(root), out)
    path = out / "oscal" / "catalog.json"
    return path, json.loads(path.read_text(encoding="utf-8"))


def _walk(node: object):
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from _walk(value)
    elif isinstance(node, list):
        for value in node:
            yield from _walk(value)


def _ids_and_links(document: dict) -> tuple[list[str], list[str], list[str]]:
    ids, uuids, links = [], [], []
    for node in _walk(document):
        if isinstance(node.get("id"), str) and ("title" in node or "name" in node):  # groups, controls, parts
            ids.append(node["id"])
        if isinstance(node.get("uuid"), str):
            uuids.append(node["uuid"])
        if isinstance(node.get("href"), str) and node["href"].startswith("#"):
            links.append(node["href"][1:])
    return ids, uuids, links


@pytest.fixture(scope="module")
def real_catalog(tmp_path_factory) -> tuple[Path, dict]:
    """The OSCAL catalog of this repository's own content (2015 recommendations, SP 800-53 mappings)."""
    return _exported(REPOSITORY, tmp_path_factory.mktemp("data"))


def test_the_catalog_is_valid_for_nists_oscal_schema(real_catalog):
    _, document = real_catalog
    assert _schema_errors("oscal_complete_schema.json", document) == []


def test_the_catalog_is_read_by_compliance_trestle(real_catalog):
    path, document = real_catalog
    catalog = TrestleCatalog.oscal_read(path)
    assert catalog is not None and catalog.metadata.oscal_version.model_dump() == "1.2.1"
    topics = [g.id for g in catalog.groups]
    # Topics in session order, editions oldest first: the 2015 sessions, then the topics revisited in 2016.
    assert topics[:2] == ["governance", "risk-management"] and topics[-2:] == ["landscape", "incident-response"]
    controls = [c for g in catalog.groups for sub in g.groups or [] for c in sub.controls or []]
    assert len(controls) == sum(1 for n in _walk(document) if n.get("class") == "recommendation")
    statement = next(p for p in controls[0].parts if p.name == "statement")
    assert statement.prose.strip()


def test_ids_are_unique_and_every_link_resolves(real_catalog):
    _, document = real_catalog
    ids, uuids, links = _ids_and_links(document)
    assert len(ids) == len(set(ids)) and len(uuids) == len(set(uuids))
    assert not set(links) - set(ids) - set(uuids)
    assert any(link in uuids for link in links) and any(link in ids for link in links)


def test_the_mappings_to_sp_800_53_are_carried(real_catalog):
    _, document = real_catalog
    mapped = [p for n in _walk(document) for p in n.get("props", []) if p.get("name") == "maps-to"]
    assert mapped and {p["group"] for p in mapped} == {"nist-sp-800-53-rev5"}
    assert {p["class"] for p in mapped} <= {"equivalent", "subset", "superset", "intersects", "related"}
    resources = {r["title"] for r in document["catalog"]["back-matter"]["resources"]}
    assert any(title.startswith("NIST Special Publication 800-53 Revision 5") for title in resources)


def test_withdrawn_and_superseded_recommendations_use_oscal_conventions(repo, tmp_path):
    _, document = _exported(repo.root, tmp_path / "data")
    controls = {n["id"]: n for n in _walk(document) if n.get("class") == "recommendation"}
    old = controls["ALP-BUS-02"]
    assert {"name": "status", "value": "withdrawn"} in old["props"]
    assert {"href": "#ALP-BUS-01", "rel": "incorporated-into"} in old["links"]
    assert [p["name"] for p in old["parts"]] == ["statement", "guidance", "withdrawal-reason"]
    current = controls["ALP-BUS-01"]
    assert not any(p["name"] == "status" and "ns" not in p for p in current["props"])
    ours = {p["name"]: p["value"] for p in current["props"] if p.get("ns")}
    assert (
        ours["priority"] == "high" and ours["audience"] == "business" and ours["implementation-status"] == "in progress"
    )
    assert all(p["ns"] == namespace(load_branding(repo.root)) for p in current["props"] if p.get("ns"))
    assert document["catalog"]["metadata"]["revisions"] == [
        {"title": "Edition 2015", "published": "2015-03-12T00:00:00Z", "version": "2015"}
    ]
    assert _schema_errors("oscal_complete_schema.json", document) == []


def test_the_same_content_gives_the_same_catalog_and_uuids(repo, tmp_path):
    corpus, branding = check(repo.root).corpus, load_branding(repo.root)
    first, second = oscal_catalog(corpus, INFO, branding), oscal_catalog(corpus, INFO, branding)
    assert json.dumps(first) == json.dumps(second)
    repo.replace("recommendations/alpha/business.yaml", "Companies should act.", "Companies should act now.")
    changed = oscal_catalog(check(repo.root).corpus, INFO, branding)
    assert changed["catalog"]["uuid"] != first["catalog"]["uuid"]


def test_a_recommendation_mapped_to_an_imported_catalog_names_the_control(repo, tmp_path):
    import_catalog(repo.root, FIXTURES / "catalogs" / "small.xml", "small")
    repo.replace(
        "recommendations/alpha/business.yaml",
        "    addresses: [ALP-C2]\n    tracker:",
        "    addresses: [ALP-C2]\n    maps_to:\n      - {catalog: small, control: AB-1(1), relation: subset}\n"
        "    tracker:",
    )
    out = tmp_path / "data"
    _, document = _exported(repo.root, out)
    control = next(n for n in _walk(document) if n.get("id") == "ALP-BUS-01")
    assert {
        "name": "maps-to",
        "value": "ab-1.1",
        "ns": namespace(load_branding(repo.root)),
        "class": "subset",
        "group": "small",
    } in control["props"]
    record = next(
        r for r in json.loads((out / "recommendations.json").read_text())["recommendations"] if r["id"] == "ALP-BUS-01"
    )
    assert record["maps_to"] == [
        {
            "catalog": "small",
            "control": "ab-1.1",
            "label": "AB-1(1)",
            "title": "Automated Support",
            "relation": "subset",
        }
    ]
    assert "small:AB-1(1) (subset)" in (out / "recommendations.csv").read_text(encoding="utf-8-sig")


def _reference(kind: ReferenceKind, url: str | None) -> Reference:
    return Reference(
        f"ref-{kind}",
        Text(f"A {kind} title", (Translation(Language.FR, f"Un titre ({kind})"),)),
        "Some Body",
        2015,
        url,
        kind,
    )


URLS = {
    ReferenceKind.LEGISLATION: "https://eur-lex.europa.eu/eli/dir/2016/1148/oj",
    ReferenceKind.STANDARD: "https://www.iso.org/standard/54534.html",
    ReferenceKind.REPORT: None,
    ReferenceKind.ARTICLE: "https://doi.org/10.1000/182",
    ReferenceKind.WEBSITE: "https://www.safeonweb.be",
}


def test_every_kind_of_reference_is_valid_csl_json():
    items = [csl_item("topic", _reference(kind, URLS[kind])) for kind in ReferenceKind]
    assert _schema_errors("csl-data.json", items) == []
    by_type = {item["type"]: item for item in items}
    assert sorted(by_type) == ["article-journal", "legislation", "report", "standard", "webpage"]
    assert by_type["legislation"]["custom"] == {"eli": URLS[ReferenceKind.LEGISLATION]}
    assert by_type["standard"]["author"] == [{"literal": "Some Body"}] and "custom" not in by_type["standard"]
    assert csl_item("topic", _reference(ReferenceKind.REPORT, None), "fr")["title"] == "Un titre (report)"


def test_the_exported_references_are_valid_csl_json(real_catalog):
    path, _ = real_catalog
    items = json.loads((path.parent.parent / "references.json").read_text(encoding="utf-8"))
    assert _schema_errors("csl-data.json", items) == []
    assert len({item["id"] for item in items}) == len(items)
    assert {item["type"] for item in items} >= {"legislation", "standard", "report"}
    assert any(
        item.get("custom", {}).get("eli", "").startswith("https://www.ejustice.just.fgov.be/eli/") for item in items
    )


@pytest.mark.slow
def test_a_french_bibliography_follows_french_conventions():
    branding = load_branding(REPOSITORY)
    page = {
        "id": "safeonweb",
        "type": "webpage",
        "title": "Safeonweb",
        "author": [{"literal": "Centre pour la Cybersécurité Belgique"}, {"literal": "Febelfin"}],
        "accessed": {"date-parts": [[2015, 5, 21]]},
        "URL": "https://www.safeonweb.be",
    }
    french = format_entries([page], citation_style(branding, "fr"))["safeonweb"]
    english = format_entries([page], citation_style(branding, "en"))["safeonweb"]
    assert "(s.\xa0d.)" in french and "Consulté 21 mai 2015, à l’adresse" in french
    assert "(n.d.)" in english and "Retrieved 21 May 2015, from" in english
    assert re.search(r"Abgerufen 21\. Mai 2015", format_entries([page], citation_style(branding, "de"))["safeonweb"])
