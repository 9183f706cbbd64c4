"""translate status, export (XLIFF 2.0, PO) and import: round trips, stale texts, and refusals that write nothing."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from lxml import etree
from translate.storage.po import pofile
from translate.storage.xliff2 import Xliff2File

from quaestio.cli import main
from quaestio.content.schema import load_schemas
from quaestio.workflow.translate import State, inventory, status
from support.paths import SCHEMAS

ACADEMIC = "recommendations/alpha/academic.yaml"
PUBLIC = "recommendations/alpha/public.yaml"
FR_ACADEMIC = f"translations/fr/{ACADEMIC}"
FR_PUBLIC = f"translations/fr/{PUBLIC}"
FR_TOPIC = "translations/fr/topics/alpha.yaml"
XLIFF = "{urn:oasis:names:tc:xliff:document:2.0}"


def _tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def _export(repo, tmp_path: Path, name: str, *options: str) -> Path:
    out = tmp_path / name
    assert main(["--root", str(repo.root), "translate", "export", "--lang", "fr", *options, "-o", str(out)]) == 0
    return out


def _import(repo, file: Path) -> int:
    return main(["--root", str(repo.root), "translate", "import", str(file)])


def _units(file: Path) -> dict[str, etree._Element]:
    root = etree.parse(str(file)).getroot()
    return {u.get("name").split("#")[1].split("@")[0]: u for u in root.iter(f"{XLIFF}unit")}


def test_status_counts_translated_stale_and_missing_per_language_and_topic(translated, capsys):
    translated.replace(ACADEMIC, "Universities should teach it.", "Universities must teach it.")
    counts = {(c.language, c.topic): c for c in status(inventory(translated.root, load_schemas(SCHEMAS)))}
    fr = counts[("fr", "alpha")]
    assert (fr.translated, fr.stale, fr.missing) == (25, 1, 2)
    assert (counts[("nl", "")].translated, counts[("nl", "")].missing) == (10, 18)
    assert (counts[("de", "")].translated, counts[("de", "")].missing) == (0, 28)
    assert main(["--root", str(translated.root), "translate", "status", "--lang", "fr"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == ["language", "topic", "translated", "stale", "missing", "done"]
    assert lines[1].split() == ["fr", "alpha", "25", "1", "2", "89%"]
    assert all(not line.startswith("nl") for line in lines)


def test_xliff_export_carries_source_target_state_and_notes(translated, tmp_path):
    translated.replace(ACADEMIC, "Universities should teach it.", "Universities must teach it.")
    units = _units(_export(translated, tmp_path, "fr.xlf"))
    assert len(units) == 28
    current = units["recommendations/ALP-ACA-01/title"]
    assert current.get("name") == f"{ACADEMIC}#recommendations/ALP-ACA-01/title@e7b48055"
    segment = current.find(f"{XLIFF}segment")
    assert (segment.get("state"), segment.findtext(f"{XLIFF}source"), segment.findtext(f"{XLIFF}target")) == (
        "translated",
        "Teach the first challenge",
        "Enseigner le premier défi",
    )
    notes = [n.text for n in current.find(f"{XLIFF}notes")]
    assert notes == [f"ID: ALP-ACA-01 · field: title · topic: alpha (Alpha topic) · file: {ACADEMIC}"]
    stale = units["recommendations/ALP-ACA-01/text"].find(f"{XLIFF}segment")
    assert (stale.get("state"), stale.findtext(f"{XLIFF}target")) == (
        "initial",
        "Les universités devraient l'enseigner.",
    )
    new = units["recommendations/ALP-PUB-01/rationale"].find(f"{XLIFF}segment")
    assert new.find(f"{XLIFF}target") is None
    # translate-toolkit reads it back as XLIFF 2.0
    assert len(Xliff2File.parsefile(str(tmp_path / "fr.xlf")).units) == 28


def test_po_export_marks_stale_texts_fuzzy_and_only_selects(translated, tmp_path):
    translated.replace(ACADEMIC, "Universities should teach it.", "Universities must teach it.")
    store = pofile.parsefile(str(_export(translated, tmp_path, "stale.po", "--only", "stale")))
    (unit,) = [u for u in store.units if not u.isheader()]
    assert unit.getcontext().startswith(f"{ACADEMIC}#recommendations/ALP-ACA-01/text@")
    assert (unit.source, unit.target, unit.isfuzzy()) == (
        "Universities must teach it.",
        "Les universités devraient l'enseigner.",
        True,
    )
    assert "ID: ALP-ACA-01" in unit.getnotes()
    missing = pofile.parsefile(str(_export(translated, tmp_path, "missing.po", "--only", "missing")))
    assert len([u for u in missing.units if not u.isheader()]) == 2
    assert store.gettargetlanguage() == "fr"


@pytest.mark.parametrize("name", ["fr.xlf", "fr.po"])
def test_export_then_import_without_changes_gives_byte_identical_files(translated, tmp_path, name):
    translated.replace(ACADEMIC, "Universities should teach it.", "Universities must teach it.")
    before = _tree(translated.root)
    assert _import(translated, _export(translated, tmp_path, name)) == 0
    assert _tree(translated.root) == before


def test_import_writes_new_and_updated_units_in_canonical_form_keeping_comments(translated, tmp_path):
    exported = _export(translated, tmp_path, "fr.xlf")
    tree = etree.parse(str(exported))
    units = {u.get("name").split("#")[1].split("@")[0]: u for u in tree.getroot().iter(f"{XLIFF}unit")}
    segment = units["recommendations/ALP-PUB-01/rationale"].find(f"{XLIFF}segment")
    etree.SubElement(segment, f"{XLIFF}target").text = "Parce que personne d'autre ne le fera."
    segment.set("state", "translated")
    challenge = units["challenges/ALP-C2/title"].find(f"{XLIFF}segment")
    challenge.find(f"{XLIFF}target").text = "Le deuxième défi"
    tree.write(str(exported), xml_declaration=True, encoding="UTF-8")
    assert _import(translated, exported) == 0
    public = translated.read(FR_PUBLIC)
    assert public.endswith(
        "  recommendations/ALP-PUB-01/text:\n"
        "    source_hash: d7cafd1a\n"
        "    text: Les autorités publiques devraient le financer.\n"
        "  recommendations/ALP-PUB-01/rationale:\n"
        "    source_hash: fcb11208\n"
        "    text: Parce que personne d'autre ne le fera.\n"
    )
    topic = translated.read(FR_TOPIC)
    assert "  # Migrated from the inline form" in topic
    assert "    text: Le deuxième défi\n" in topic
    assert translated.findings() == ()


def test_import_creates_a_translation_file_with_its_schema_line_and_quotes_digit_hashes(translated, tmp_path):
    (translated.root / FR_TOPIC).unlink()
    exported = _export(translated, tmp_path, "fr.po")
    store = pofile.parsefile(str(exported))
    for unit in store.units:
        if unit.getcontext().startswith("topics/alpha.yaml#session/"):
            unit.target = {"Brussels": "Bruxelles", "Belgian university": "Université belge"}.get(
                unit.source, "Coprésident pour le monde académique"
            )
    exported.write_bytes(bytes(store))
    assert _import(translated, exported) == 0
    text = translated.read(FR_TOPIC)
    assert text.startswith(
        "# yaml-language-server: $schema=../../../schemas/translation.schema.json\nlanguage: fr\nunits:\n"
    )
    assert '    source_hash: "29734308"\n' in text
    assert translated.findings() == ()


def _git(root: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.org", *args], cwd=root, check=True, capture_output=True
    )


def test_change_the_english_then_import_the_translation_and_the_stale_finding_is_gone(translated, tmp_path):
    _git(translated.root, "init", "-q")
    _git(translated.root, "add", "-A")
    _git(translated.root, "commit", "-qm", "French")
    translated.replace(ACADEMIC, "Universities should teach it.", "Universities should teach it every year.")
    (stale,) = translated.findings()
    assert (stale.file, stale.line, stale.code) == (FR_ACADEMIC, 9, "stale-translation")
    assert "Universities should teach it {+every year+}." in stale.hint
    exported = _export(translated, tmp_path, "stale.xlf", "--only", "stale")
    tree = etree.parse(str(exported))
    (segment,) = tree.getroot().iter(f"{XLIFF}segment")
    segment.find(f"{XLIFF}target").text = "Les universités devraient l'enseigner chaque année."
    segment.set("state", "final")
    tree.write(str(exported), xml_declaration=True, encoding="UTF-8")
    assert _import(translated, exported) == 0
    assert translated.findings() == ()
    assert "    text: Les universités devraient l'enseigner chaque année.\n" in translated.read(FR_ACADEMIC)


def test_an_unreviewed_stale_unit_is_not_marked_current(translated, tmp_path):
    translated.replace(ACADEMIC, "Universities should teach it.", "Universities must teach it.")
    exported = _export(translated, tmp_path, "stale.po", "--only", "stale")
    before = _tree(translated.root)
    assert _import(translated, exported) == 0  # still fuzzy: nothing to write
    assert _tree(translated.root) == before


BAD_INPUTS = {
    "xxe": (
        "fr.xlf",
        '<?xml version="1.0"?>\n<!DOCTYPE xliff [<!ENTITY secret SYSTEM "file:///etc/passwd">]>\n'
        '<xliff xmlns="urn:oasis:names:tc:xliff:document:2.0" version="2.0" srcLang="en" trgLang="fr">'
        '<file id="f1"><unit id="u1" name="{ref}"><segment state="translated"><source>x</source>'
        "<target>&secret;</target></segment></unit></file></xliff>\n",
        (2, "exchange-format"),
    ),
    "billion-laughs": (
        "fr.xlf",
        '<?xml version="1.0"?>\n<!DOCTYPE lolz [\n <!ENTITY lol "lol">\n'
        + "".join(f' <!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">\n' for i in range(1, 10))
        + ']>\n<xliff xmlns="urn:oasis:names:tc:xliff:document:2.0" version="2.0" srcLang="en" trgLang="fr">'
        '<file id="f1"><unit id="u1" name="{ref}"><segment state="translated"><source>x</source>'
        "<target>&lol9;</target></segment></unit></file></xliff>\n",
        (2, "exchange-format"),
    ),
    "malformed-xml": (
        "fr.xlf",
        '<?xml version="1.0"?>\n<xliff xmlns="urn:oasis:names:tc:xliff:document:2.0" version="2.0" trgLang="fr">\n'
        '<file id="f1"><unit id="u1" name="{ref}"><segment><source>x</source>\n'
        "<target>y</segment></unit></file></xliff>",
        (4, "exchange-format"),
    ),
    "xliff-1.2": (
        "fr.xlf",
        '<?xml version="1.0"?>\n<xliff xmlns="urn:oasis:names:tc:xliff:document:1.2" version="1.2">'
        '<file original="x" source-language="en" target-language="fr" datatype="plaintext"><body/></file></xliff>',
        (1, "exchange-format"),
    ),
    "unknown-language": (
        "fr.po",
        'msgid ""\nmsgstr ""\n"Language: es\\n"\n"Content-Type: text/plain; charset=UTF-8\\n"\n\n'
        'msgctxt "{ref}"\nmsgid "x"\nmsgstr "y"\n',
        (1, "exchange-format"),
    ),
    "unknown-unit": (
        "fr.po",
        'msgid ""\nmsgstr ""\n"Language: fr\\n"\n"Content-Type: text/plain; charset=UTF-8\\n"\n\n'
        'msgctxt "recommendations/alpha/academic.yaml#recommendations/ALP-ACA-01/titel@e7b48055"\n'
        'msgid "x"\nmsgstr "y"\n\nmsgctxt "{ref}"\nmsgid "x"\nmsgstr "Autre titre"\n',
        (6, "unknown-unit"),
    ),
}


@pytest.mark.parametrize("case", list(BAD_INPUTS))
def test_bad_input_gives_findings_at_their_line_and_writes_nothing(translated, tmp_path, capsys, case):
    name, text, (line, code) = BAD_INPUTS[case]
    ref = f"{ACADEMIC}#recommendations/ALP-ACA-01/title@e7b48055"
    file = tmp_path / name
    file.write_text(text.replace("{ref}", ref), encoding="utf-8")
    before = _tree(translated.root)
    assert _import(translated, file) == 1
    out = capsys.readouterr()
    assert f"{file}:{line}:1: error[{code}]" in out.out
    assert "nothing was imported" in out.err
    assert "root:" not in out.out  # no file content leaked through an entity
    assert _tree(translated.root) == before


def test_a_unit_whose_english_changed_since_the_export_is_refused(translated, tmp_path):
    exported = _export(translated, tmp_path, "fr.xlf")
    tree = etree.parse(str(exported))
    for segment in tree.getroot().iter(f"{XLIFF}segment"):
        if segment.findtext(f"{XLIFF}source") == "Because nobody else will.":
            etree.SubElement(segment, f"{XLIFF}target").text = "Parce que personne d'autre ne le fera."
            segment.set("state", "translated")
            line = segment.getparent().sourceline
    tree.write(str(exported), xml_declaration=True, encoding="UTF-8")
    translated.replace(ACADEMIC, "Universities should teach it.", "Universities must teach it.")
    translated.replace(PUBLIC, "Because nobody else will.", "Because nobody else can.")
    before = _tree(translated.root)
    outcome_status = _import(translated, exported)
    assert outcome_status == 1
    assert _tree(translated.root) == before
    from quaestio.workflow.translate import import_file

    findings = import_file(translated.root, exported, load_schemas(SCHEMAS), "fr.xlf").findings
    assert [(f.code, f.line) for f in findings] == [("source-changed", line)]


def test_stale_and_missing_states_come_from_the_files(translated):
    translated.replace(ACADEMIC, "Universities should teach it.", "Universities must teach it.")
    found = inventory(translated.root, load_schemas(SCHEMAS))
    states = {(e.unit.key): e.state for e in found.of("fr")}
    assert states["recommendations/ALP-ACA-01/text"] is State.STALE
    assert states["recommendations/ALP-PUB-01/rationale"] is State.MISSING
    assert states["title"] is State.TRANSLATED


def test_export_refuses_other_suffixes(translated, tmp_path, capsys):
    out = tmp_path / "fr.csv"
    assert main(["--root", str(translated.root), "translate", "export", "--lang", "fr", "-o", str(out)]) == 2
    assert ".xlf" in capsys.readouterr().err and not out.exists()
