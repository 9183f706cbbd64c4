"""The files a build publishes on the downloads page: reports and open data, with sizes and checksums."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from quaestio.content.editions import current_edition, state_of
from quaestio.content.model import Corpus, Topic
from quaestio.publish.branding import Branding
from quaestio.publish.locale import number
from quaestio.publish.volumes import volume_names, volumes_of
from quaestio.vocab import SOURCE_LANGUAGE, Audience, Language

DOWNLOADS_DIR = "downloads"
REPORT_SUFFIXES = {".pdf": "PDF", ".docx": "DOCX", ".pptx": "PPTX"}
DATA_SUFFIXES = {".json": "JSON", ".csv": "CSV", ".xlsx": "XLSX"}


@dataclass(frozen=True)
class Download:
    """A published file: where it is on the site, how big, its checksum and what it holds."""

    section: str
    path: str
    name: str
    kind: str
    size: int
    sha256: str
    description: str
    topic: str | None = None
    audience: str | None = None
    language: str = SOURCE_LANGUAGE


def report_language(stem: str) -> tuple[str, str]:
    """A report's name without its language, and the language: 'topic-x.fr' -> ('topic-x', 'fr')."""
    base, dot, suffix = stem.rpartition(".")
    if dot and suffix in tuple(Language) and suffix != SOURCE_LANGUAGE:
        return base, suffix
    return stem, SOURCE_LANGUAGE.value


UNITS = {"bytes": "bytes", "kB": "kB", "MB": "MB", "GB": "GB"}


def human_size(size: int, language: str = SOURCE_LANGUAGE, units: Mapping[str, str] = UNITS) -> str:
    """1234567 -> '1.2 MB', '1,2 Mo' (decimal units, as file managers show them; `units` names them)."""
    if size < 1000:
        return f"{number(size, language)} {units['bytes']}"
    value = size / 1000
    for unit in ("kB", "MB"):
        if value < 1000:
            return f"{number(round(value, 1), language, '0.0')} {units[unit]}"
        value /= 1000
    return f"{number(round(value, 1), language, '0.0')} {units['GB']}"


@dataclass(frozen=True)
class ReportName:
    """What a report file holds, known from its name."""

    description: str
    order: int
    topic: str | None = None
    audience: str | None = None


def report_names(corpus: Corpus, branding: Branding) -> dict[str, ReportName]:
    """Report file names (without suffix or language) as templates/reports/reports.yaml makes them, and what
    each holds, described in the branding's language."""
    settings: Any = branding.report_settings
    edition = current_edition(corpus)
    colon = str(settings["words"].get("colon", ": "))  # French sets a no-break space before it
    names: dict[str, ReportName] = {}
    for topic in corpus.topics:
        title = topic.title.get(branding.language)
        words = {"topic": title, "topic_id": topic.id, "edition": topic.edition}
        names[settings["topic"]["file"].format(**words)] = ReportName(
            f"{settings['topic']['kind']}{colon}{title}", len(names), topic=topic.id
        )
    for key in tuple(Audience):
        audience = branding.audience(key)
        words = {
            "audience": audience["label"],
            "audience_lower": str(audience["label"]).lower(),
            "audience_to": audience.get("to", ""),
            "audience_key": key,
            "heading": audience["heading"],
            "edition": edition,
        }
        names[settings["audience"]["file"].format(**words)] = ReportName(
            f"{settings['audience']['kind']}{colon}{audience['heading']}", len(names), audience=key
        )
    compendium = settings["compendium"]
    parts = volumes_of(state_of(corpus, edition), compendium.get("volume_recommendations")) if edition else ((),)
    for name, title in volume_names(compendium, edition, len(parts)):
        names[name] = ReportName(f"{compendium['kind']}{colon}{title}", len(names))
    for pack in ("progress", "open_session"):
        if pack in settings:
            words = {"edition": edition, "first": edition, "coalition": branding["coalition"]["name"]}  # type: ignore[index]
            names[settings[pack]["file"].format(**words)] = ReportName(
                f"{settings[pack]['kind']}{colon}{settings[pack]['title'].format(**words)}", len(names)
            )
    return names


def _guess_report(stem: str, topics: Sequence[Topic], order: int) -> ReportName:
    """Without the reports' settings: a name equal to a topic ID, or starting or ending with it, is that topic's."""
    matches = [t for t in topics if stem == t.id or stem.endswith(f"-{t.id}") or stem.startswith(f"{t.id}-")]
    if matches:
        topic = max(matches, key=lambda t: len(t.id))
        return ReportName(topic.title.en, order, topic=topic.id)
    return ReportName(stem.replace("-", " ").capitalize(), order)


def _sha256(path: Path) -> str:
    with path.open("rb") as stream:
        return hashlib.file_digest(stream, "sha256").hexdigest()


def _published_files(folder: Path, suffixes: Mapping[str, str]) -> list[Path]:
    """Regular files (no symbolic links) with a published suffix, sorted by name."""
    if not folder.is_dir() or folder.is_symlink():
        return []
    return sorted(
        (p for p in folder.iterdir() if p.suffix.lower() in suffixes and p.is_file() and not p.is_symlink()),
        key=lambda p: p.name,
    )


def _data_name(folder: Path, path: Path) -> str:
    """A data file's name under data/: 'references.json', 'oscal/catalog.json'."""
    return path.relative_to(folder).as_posix()


def collect_downloads(
    downloads: Path,
    corpus: Corpus,
    branding: Branding,
    wording: Mapping[str, object],
    checksums: Mapping[Path, str] | None = None,
) -> list[tuple[Path, Download]]:
    """The reports and data files of a build, with the site path each is published at.

    Reports come in the order of the reports' settings (topics, audiences, compendium), each in the
    page's language first, then the others, PDF before DOCX; data files in the order of the wording's
    data_files. `checksums` gives files already hashed (by another language's page), so each is read once.
    """
    found: list[tuple[Path, Download]] = []
    names = report_names(corpus, branding)
    kinds = list(REPORT_SUFFIXES)
    order = [branding.language, *(language for language in Language if language != branding.language)]
    reports = []
    for source in _published_files(downloads / "reports", REPORT_SUFFIXES):
        stem, language = report_language(source.stem)
        reports.append((source, names.get(stem) or _guess_report(stem, corpus.topics, len(names)), language))
    reports.sort(
        key=lambda item: (item[1].order, order.index(item[2]), item[0].stem, kinds.index(item[0].suffix.lower()))
    )
    known = checksums or {}
    for source, name, language in reports:
        found.append(
            (
                source,
                Download(
                    "reports",
                    f"{DOWNLOADS_DIR}/reports/{source.name}",
                    source.name,
                    REPORT_SUFFIXES[source.suffix.lower()],
                    source.stat().st_size,
                    known.get(source) or _sha256(source),
                    name.description,
                    name.topic,
                    name.audience,
                    language,
                ),
            )
        )
    data_descriptions: Mapping[str, str] = wording.get("data_files", {})  # type: ignore[assignment]
    listed = list(data_descriptions)
    folder = downloads / "data"
    data = sorted(
        [*_published_files(folder, DATA_SUFFIXES), *_published_files(folder / "oscal", DATA_SUFFIXES)],
        key=lambda p: (
            listed.index(_data_name(folder, p)) if _data_name(folder, p) in listed else len(listed),
            p.name,
        ),
    )
    for source in data:
        data_name = _data_name(folder, source)
        kind = "JSON Schema" if source.name.endswith(".schema.json") else DATA_SUFFIXES[source.suffix.lower()]
        _, language = report_language(source.name[: -len(source.suffix)])
        found.append(
            (
                source,
                Download(
                    "data",
                    f"{DOWNLOADS_DIR}/data/{data_name}",
                    data_name,
                    kind,
                    source.stat().st_size,
                    known.get(source) or _sha256(source),
                    str(data_descriptions.get(data_name, "")),
                    language=language if source.suffix.lower() == ".csv" else "",
                ),
            )
        )
    return found


def format_version(downloads: Path) -> str | None:
    """The format version written in the open data's JSON file, if there is one."""
    try:
        document = json.loads((downloads / "data" / "recommendations.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    version = document.get("format_version") if isinstance(document, dict) else None
    return str(version) if version is not None else None
