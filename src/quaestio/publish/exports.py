"""Open data: every topic and recommendation as JSON (with its published schema) and as CSV."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import orjson

from quaestio.content.layout import SCHEMAS_DIR
from quaestio.content.model import Addressee, Assessment, ControlMapping, Corpus, Recommendation, Text, Topic
from quaestio.content.tracker import addressee_state, recommendation_state
from quaestio.output import write_atomically
from quaestio.publish import followup_table
from quaestio.publish.branding import Branding
from quaestio.publish.buildinfo import BuildInfo
from quaestio.publish.csl import corpus_items
from quaestio.publish.oscal import oscal_catalog
from quaestio.publish.urls import absolute, recommendation_path, topic_path
from quaestio.resources import resource_directory
from quaestio.vocab import SOURCE_LANGUAGE

FORMAT_VERSION = "2.0"  # 2.0: the tracker replaces follow_up; 1.1: 'languages', texts in every language
SCHEMA_FILE = "open-data.schema.json"
JSON_NAME, CSV_NAME, SCHEMA_NAME = "recommendations.json", "recommendations.csv", "recommendations.schema.json"
FOLLOW_UP_CSV, HISTORY_CSV, FOLLOW_UP_XLSX = "follow-up.csv", "follow-up-history.csv", "follow-up.xlsx"
REFERENCES_NAME, OSCAL_NAME = "references.json", "oscal/catalog.json"
CSV_COLUMNS = (
    "id",
    "topic",
    "topic_title",
    "audience",
    "title",
    "text",
    "rationale",
    "priority",
    "horizon",
    "status",
    "addresses",
    "references",
    "related",
    "superseded_by",
    "maps_to",
    "withdrawal_reason",
    "implementation_status",
    "acceptance",
    "last_assessed",
    "url",
)


def _text(value: Text | None) -> dict[str, str] | None:
    if value is None:
        return None
    return {"en": value.en, **{t.language.value: t.text for t in value.translations if t.current}}


def _topic(topic: Topic, site_url: str) -> dict:
    session = topic.session
    return {
        "id": topic.id,
        "code": topic.code,
        "title": _text(topic.title),
        "summary": _text(topic.summary),
        "edition": topic.edition,
        "session": {
            "number": session.number,
            "date": session.date,
            "venue": _text(session.venue),
            "chairs": [{"name": _text(c.name), "affiliation": _text(c.affiliation)} for c in session.chairs],
            "organisations": [_text(o) for o in session.organisations],
        },
        "status_quaestionis": _text(topic.status_quaestionis),
        "challenges": [
            {"id": c.id, "title": _text(c.title), "description": _text(c.description)} for c in topic.challenges
        ],
        "references": [
            {"id": r.id, "title": _text(r.title), "author": r.author, "year": r.year, "url": r.url, "kind": r.kind}
            for r in topic.references
        ],
        "glossary": [
            {"term": g.term, "expansion": _text(g.expansion), "definition": _text(g.definition)} for g in topic.glossary
        ],
        "url": absolute(site_url, topic_path(topic.id)),
    }


def _assessment(entry: Assessment) -> dict:
    record: dict = {"date": entry.date}
    for name in ("acceptance", "status", "target"):
        if getattr(entry, name) is not None:
            record[name] = getattr(entry, name)
    for name in ("target_reason", "mandated_by"):
        if getattr(entry, name) is not None:
            record[name] = _text(getattr(entry, name))
    record["note"] = _text(entry.note)
    for name in ("source", "document"):
        if getattr(entry, name) is not None:
            record[name] = getattr(entry, name)
    record["assessor"] = entry.assessor
    return record


def _addressee(addressee: Addressee, today: str) -> dict:
    state = addressee_state(addressee)
    return {
        "addressee": addressee.name,
        "acceptance": state.acceptance,
        "status": state.status,
        "target": state.target,
        "mandated_by": _text(state.mandated_by),
        "overdue": state.overdue(today),
        "history": [_assessment(e) for e in addressee.history],
    }


def _implementation(item: Recommendation, today: str) -> dict:
    state = recommendation_state(item)
    return {
        "status": state.status,
        "acceptance": state.acceptance,
        "overdue": state.overdue(today),
        "mandated": state.mandated,
        "last_assessed": state.updated,
    }


def _mapping(corpus: Corpus, mapping: ControlMapping) -> dict:
    control = corpus.control_of(mapping)
    return {
        "catalog": mapping.catalog,
        "control": control.id if control else mapping.control,
        "label": control.name if control else mapping.control,
        "title": control.title if control else None,
        "relation": mapping.relation.value,
    }


def _mapping_cell(corpus: Corpus, mapping: ControlMapping) -> str:
    control = corpus.control_of(mapping)
    return f"{mapping.catalog}:{control.name if control else mapping.control} ({mapping.relation})"


def _recommendation(corpus: Corpus, item: Recommendation, site_url: str, today: str) -> dict:
    record = {
        "id": item.id,
        "topic": item.topic,
        "audience": item.audience,
        "title": _text(item.title),
        "text": _text(item.text),
        "rationale": _text(item.rationale),
        "priority": item.priority,
        "horizon": item.horizon,
        "status": item.status,
        "addresses": list(item.addresses),
        "references": list(item.references),
        "related": [r.id for r in corpus.related_to(item.id)],
        "priority_flag": item.priority_flag,
        "implementation": _implementation(item, today),
        "tracker": [_addressee(a, today) for a in item.tracker],
        "maps_to": [_mapping(corpus, m) for m in item.maps_to],
        "url": absolute(site_url, recommendation_path(item.id)),
    }
    if item.withdrawal_reason is not None:
        record["withdrawal_reason"] = _text(item.withdrawal_reason)
    if item.superseded_by:
        record["superseded_by"] = item.superseded_by
    return record


def open_data(corpus: Corpus, info: BuildInfo, branding: Branding) -> dict:
    """The whole corpus as one JSON-ready document."""
    site_url = str(branding["site_url"])
    licence = branding["licence"]
    return {
        "format_version": FORMAT_VERSION,
        "publisher": branding["coalition"]["name"],  # type: ignore[index]
        "licence": {"name": licence["name"], "url": licence["url"]},  # type: ignore[index]
        "revision": info.revision,
        "date": info.date.isoformat(),
        "languages": [language.value for language in corpus.languages],
        "topics": [_topic(t, site_url) for t in corpus.topics],
        "recommendations": [
            _recommendation(corpus, r, site_url, info.date.isoformat()) for r in corpus.recommendations
        ],
    }


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: str) -> str:
    """A cell a spreadsheet shows as text: one starting like a formula is prefixed with an apostrophe."""
    return f"'{value}" if value.startswith(_FORMULA_START) else value


def csv_name(language: str) -> str:
    """recommendations.csv in English, recommendations.fr.csv in French, and so on."""
    return CSV_NAME if language == SOURCE_LANGUAGE else CSV_NAME.replace(".csv", f".{language}.csv")


def recommendations_csv(corpus: Corpus, branding: Branding, language: str = SOURCE_LANGUAGE) -> str:
    """One row per recommendation, texts in a language, lists joined with '; ', no cell read as a formula.

    In another language than English, a text without a current translation is given in English, and
    the last column, `untranslated`, names those fields.
    """
    site_url = str(branding["site_url"])
    own = "" if language == SOURCE_LANGUAGE else f"{language}/"
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS if not own else (*CSV_COLUMNS, "untranslated"))
    for r in corpus.recommendations:
        state = recommendation_state(r)
        texts = {"title": r.title, "text": r.text, "rationale": r.rationale, "withdrawal_reason": r.withdrawal_reason}
        english = [name for name, text in texts.items() if text is not None and text.language_of(language) != language]
        writer.writerow(
            [
                _cell(value)
                for value in (
                    r.id,
                    r.topic,
                    corpus.topic_by_id[r.topic].title.get(language),
                    r.audience,
                    r.title.get(language),
                    r.text.get(language).strip(),
                    r.rationale.get(language).strip(),
                    r.priority,
                    r.horizon,
                    r.status,
                    "; ".join(r.addresses),
                    "; ".join(r.references),
                    "; ".join(x.id for x in corpus.related_to(r.id)),
                    r.superseded_by or "",
                    "; ".join(_mapping_cell(corpus, m) for m in r.maps_to),
                    r.withdrawal_reason.get(language).strip() if r.withdrawal_reason else "",
                    state.status,
                    state.acceptance,
                    state.updated or "",
                    absolute(site_url, own + recommendation_path(r.id)),
                    *(["; ".join(english)] if own else []),
                )
            ]
        )
    return buffer.getvalue()


def _open_data_schema() -> Path:
    """quaestio's own schema of the open data (shipped in the wheel, or in the source tree)."""
    return resource_directory(None, SCHEMAS_DIR, SCHEMA_FILE) / SCHEMA_FILE


def indented_json(document: object) -> bytes:
    """A document as UTF-8 JSON indented by two spaces and ending in a line break: the bytes of
    `json.dumps(document, indent=2, ensure_ascii=False) + "\\n"`, written by orjson in a tenth of the time
    (the standard library's C encoder does not indent)."""
    return orjson.dumps(document, option=orjson.OPT_INDENT_2 | orjson.OPT_APPEND_NEWLINE)


def write_data(corpus: Corpus, info: BuildInfo, branding: Branding, out: Path) -> list[Path]:
    """Write recommendations.json (every language), its schema, one CSV file per language, the references as
    CSL JSON, the OSCAL catalog and the tracker's tables into out/."""
    out.mkdir(parents=True, exist_ok=True)
    written = [out / JSON_NAME, out / SCHEMA_NAME]
    write_atomically(written[0], indented_json(open_data(corpus, info, branding)))
    write_atomically(written[1], _open_data_schema().read_bytes())
    for language in corpus.languages:
        written.append(out / csv_name(language))
        # A byte-order mark lets spreadsheet programs recognise UTF-8 (accents in names and titles).
        write_atomically(written[-1], "\ufeff" + recommendations_csv(corpus, branding, language))
    written += [out / REFERENCES_NAME, out / OSCAL_NAME]
    write_atomically(written[-2], indented_json(corpus_items(corpus)))
    write_atomically(written[-1], indented_json(oscal_catalog(corpus, info, branding)))
    return written + write_follow_up(corpus, info, branding, out)


def write_follow_up(corpus: Corpus, info: BuildInfo, branding: Branding, out: Path) -> list[Path]:
    """follow-up.csv (the latest assessment of each addressee), follow-up-history.csv (every assessment) and
    follow-up.xlsx (both, as two sheets), in the columns `quaestio followup import` reads back."""
    site_url, today = str(branding["site_url"]), info.date.isoformat()
    current = followup_table.current_rows(corpus, site_url, today)
    history = followup_table.history_rows(corpus, site_url, today)
    written = [out / FOLLOW_UP_CSV, out / HISTORY_CSV, out / FOLLOW_UP_XLSX]
    write_atomically(written[0], followup_table.as_csv(current))
    write_atomically(written[1], followup_table.as_csv(history))
    sheets = ((followup_table.CURRENT_SHEET, current), (followup_table.HISTORY_SHEET, history))
    write_atomically(written[2], followup_table.as_xlsx(sheets, info.source_date_epoch))
    return written
