"""`catalog import`: OSCAL catalogs in JSON, YAML and XML become the same compact catalogs/<id>.yaml."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from quaestio.cli import main
from quaestio.content.catalogs import load_catalogs
from quaestio.findings import Code
from quaestio.workflow.catalog import import_catalog, is_token
from support.paths import FIXTURES

CATALOGS = FIXTURES / "catalogs"
FORMATS = ("small.json", "small.yaml", "small.xml")


def _body(text: str) -> str:
    """The compact catalog without the lines that name the source file (its name and checksum differ)."""
    return "\n".join(line for line in text.splitlines() if "small." not in line and not line.startswith("source_"))


@pytest.mark.parametrize("name", FORMATS)
def test_each_format_imports_groups_enhancements_withdrawals_and_parameters(tmp_path: Path, name: str):
    done = import_catalog(tmp_path, CATALOGS / name, "small")
    assert done.path == "catalogs/small.yaml" and (tmp_path / done.path).is_file()
    assert (done.controls, done.withdrawn, done.groups, done.language) == (8, 2, 2, "en")
    (catalog,), problems = load_catalogs(tmp_path)
    assert problems == []
    by_id = catalog.control_by_id
    assert [g.id for g in catalog.groups] == ["ab", "cd"]
    assert catalog.groups[1].controls == ("cd-1", "cd 1")  # the nested sub-group's control counts in its family
    assert by_id["ab-1.1"].parent == "ab-1" and by_id["ab-1.1.1"].parent == "ab-1.1"
    assert by_id["ab-1.1.1"].label == "AB-1(1)(1)" and by_id["ab-1.1.1"].family == "ab"
    assert by_id["ab-1.2"].withdrawn and by_id["ab-1.2"].incorporated_into == ("ab-1",)
    assert by_id["ab-3"].withdrawn and by_id["ab-3"].moved_to == ("cd-1",)
    assert not by_id["ab-2"].withdrawn
    assert by_id["ab-1"].statement == (
        "a. Disseminate to [Assignment: organization-defined personnel] a [Selection (one or more): "
        "Organization-level; System-level with [Assignment: organization-defined scope]] policy; and\n"
        "  1. Review it annually.\n"
        "b. Apply AB-2 always."
    )
    assert "{{" not in (tmp_path / done.path).read_text(encoding="utf-8")
    assert catalog.find("AB-1(1)") is by_id["ab-1.1"] and catalog.find("ab-2") is by_id["ab-2"]
    assert (catalog.version, catalog.oscal_version, catalog.last_modified) == ("1.2", "1.1.2", "2024-05-01T12:00:00Z")


def test_the_three_formats_give_the_same_catalog(tmp_path: Path):
    texts = []
    for name in FORMATS:
        root = tmp_path / name
        import_catalog(root, CATALOGS / name, "small")
        texts.append(_body((root / "catalogs" / "small.yaml").read_text(encoding="utf-8")))
    assert texts[0] == texts[1] == texts[2]


@pytest.mark.parametrize(("name", "href_line", "id_line"), [("small.json", 79, 93), ("small.xml", 64, 71)])
def test_deviations_are_warnings_at_their_place(tmp_path: Path, name: str, href_line: int, id_line: int):
    done = import_catalog(tmp_path, CATALOGS / name, "small")
    deviations = [(f.line, f.message) for f in done.findings if f.code is Code.CATALOG_DEVIATION]
    assert [line for line, _ in deviations] == [href_line, id_line]
    assert "without the '#'" in deviations[0][1] and "'cd 1' is not an OSCAL token" in deviations[1][1]
    assert (tmp_path / "catalogs" / "small.yaml").is_file()  # warnings do not stop the import


def test_texts_keep_their_language(tmp_path: Path):
    done = import_catalog(tmp_path, CATALOGS / "german.xml", "grundschutz-test")
    assert done.language == "de" and done.findings == ()
    (catalog,), _ = load_catalogs(tmp_path)
    assert catalog.language == "de" and catalog.title == "Kleiner Prüfkatalog"
    assert catalog.language_of(catalog.control_by_id["org-1"]) == "de"
    assert catalog.language_of(catalog.control_by_id["org-2"]) == "en"
    assert catalog.find("ORG.1").statement == "Die Leitung MUSS eine Sicherheitsleitlinie verabschieden."


def test_a_catalog_that_does_not_say_its_language_is_marked_with_lang(tmp_path: Path):
    source = tmp_path / "plain.json"
    document = json.loads((CATALOGS / "small.json").read_text(encoding="utf-8"))
    del document["catalog"]["metadata"]["props"]
    source.write_text(json.dumps(document), encoding="utf-8")
    warned = import_catalog(tmp_path / "a", source, "plain")
    assert any("does not say which language" in f.message for f in warned.findings)
    chosen = import_catalog(tmp_path / "b", source, "plain", language="fr")
    assert chosen.language == "fr" and not any("language" in f.message for f in chosen.findings)


HOSTILE = {
    "billion-laughs.xml": (
        '<?xml version="1.0"?>\n<!DOCTYPE catalog [\n <!ENTITY a "ha">\n <!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">\n'
        ' <!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;">\n]>\n<catalog><metadata><title>&c;</title></metadata></catalog>\n'
    ),
    "external-entity.xml": (
        '<?xml version="1.0"?>\n<!DOCTYPE catalog [<!ENTITY secret SYSTEM "file:///etc/passwd">]>\n'
        '<catalog xmlns="http://csrc.nist.gov/ns/oscal/1.0"><metadata><title>&secret;</title></metadata></catalog>\n'
    ),
    "external-dtd.xml": '<?xml version="1.0"?>\n<!DOCTYPE catalog SYSTEM "http://127.0.0.1:9/x.dtd">\n<catalog/>\n',
}


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_xml_is_refused_and_nothing_is_written(tmp_path: Path, name: str):
    source = tmp_path / name
    source.write_text(HOSTILE[name], encoding="utf-8")
    done = import_catalog(tmp_path / "repo", source, "hostile")
    assert [f.code for f in done.findings] == [Code.UNSAFE_XML]
    assert done.findings[0].line == 2 and "refuses it before expanding anything" in done.findings[0].message
    assert not (tmp_path / "repo" / "catalogs").exists()


@pytest.mark.parametrize(
    ("name", "text", "words"),
    [
        ("profile.json", '{"profile": {"uuid": "x", "imports": []}}', "an OSCAL profile"),
        ("broken.json", '{"catalog": {\n  "metadata": }', "the JSON cannot be read"),
        ("list.yaml", "- just\n- a list\n", "no OSCAL catalog"),
        ("alias.yaml", "catalog: &c\n  metadata: {title: x}\nagain: *c\n", "anchor or alias"),
        ("ssp.xml", '<?xml version="1.0"?>\n<system-security-plan/>\n', "not an OSCAL <catalog>"),
        ("truncated.xml", '<?xml version="1.0"?>\n<catalog>\n  <metadata>\n', "the XML cannot be read"),
        ("notes.txt", "a catalog?", "not a .json, .yaml or .xml file"),
        ("empty.json", '{"catalog": {"metadata": {"title": "Empty"}}}', "no groups or controls"),
    ],
)
def test_what_is_not_a_catalog_gives_a_finding_and_leaves_the_old_file(
    tmp_path: Path, name: str, text: str, words: str
):
    root = tmp_path / "repo"
    (root / "catalogs").mkdir(parents=True)
    (root / "catalogs" / "kept.yaml").write_text("previous\n", encoding="utf-8")
    source = tmp_path / name
    source.write_text(text, encoding="utf-8")
    done = import_catalog(root, source, "kept")
    assert [f.code for f in done.findings] == [Code.NOT_A_CATALOG] and words in done.findings[0].message
    assert (root / "catalogs" / "kept.yaml").read_text(encoding="utf-8") == "previous\n"
    assert sorted(p.name for p in (root / "catalogs").iterdir()) == ["kept.yaml"]


def test_the_json_error_names_its_line(tmp_path: Path):
    source = tmp_path / "broken.json"
    source.write_text('{"catalog": {\n  "metadata": }', encoding="utf-8")
    assert import_catalog(tmp_path, source, "broken").findings[0].line == 2


def _synthetic(families: int, per_family: int) -> dict:
    prose = "Carry out the assigned activity with {{ insert: param, %s }} and document the outcome in full. " * 6
    groups = []
    for f in range(families):
        controls = []
        for c in range(per_family):
            cid = f"f{f}-{c + 1}"
            controls.append(
                {
                    "id": cid,
                    "title": f"Control {cid}",
                    "params": [{"id": f"{cid}_prm_1", "label": "organization-defined frequency"}],
                    "props": [{"name": "label", "value": cid.upper()}],
                    "parts": [
                        {"id": f"{cid}_smt", "name": "statement", "prose": prose % ((f"{cid}_prm_1",) * 6)},
                        {"id": f"{cid}_gdn", "name": "guidance", "prose": "Guidance text. " * 250},
                    ],
                }
            )
        groups.append({"id": f"f{f}", "title": f"Family {f}", "controls": controls})
    return {"catalog": {"uuid": "u", "metadata": {"title": "Synthetic", "version": "1"}, "groups": groups}}


def test_a_4_mb_catalog_of_900_controls_imports_in_a_few_seconds(tmp_path: Path):
    source = tmp_path / "big.json"
    source.write_text(json.dumps(_synthetic(18, 50)), encoding="utf-8")
    assert source.stat().st_size > 4_000_000
    started = time.perf_counter()
    done = import_catalog(tmp_path, source, "big", language="en")
    elapsed = time.perf_counter() - started
    assert done.controls == 900 and done.findings == ()
    assert elapsed < 5, f"took {elapsed:.1f} s"


def test_the_command_imports_and_says_what_it_did(tmp_path: Path, capsys):
    assert main(["--root", str(tmp_path), "catalog", "import", str(CATALOGS / "small.xml"), "--id", "small"]) == 0
    err = capsys.readouterr().err
    assert "imported Small Test Catalog (version 1.2, en): 8 controls (2 withdrawn) in 2 groups" in err
    bad = tmp_path / "bad.json"
    bad.write_text("{", encoding="utf-8")
    assert main(["--root", str(tmp_path), "catalog", "import", str(bad), "--id", "bad"]) == 1
    assert "nothing was imported" in capsys.readouterr().err
    assert main(["--root", str(tmp_path), "catalog", "import", str(bad), "--id", "Not An Id"]) == 1


def test_oscal_tokens():
    assert is_token("ac-2.1") and is_token("_x") and is_token("Ä1") and is_token("ac_2")
    assert not is_token("cd 1") and not is_token("1ac") and not is_token("") and not is_token("a/b")
