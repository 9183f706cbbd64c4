"""The translators' commands: how far each language is, export to XLIFF 2.0 or PO, import back into translations/.

Each exported unit is named `<English file>#<unit key>@<source hash>` (the XLIFF unit's `name`, the
PO entry's `msgctxt`), so an import knows which text it translates and which English it was
translated from; a unit whose English changed since the export is refused.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from lxml import etree
from ruamel.yaml.comments import CommentedMap
from ruamel.yaml.error import YAMLError
from ruamel.yaml.scalarstring import DoubleQuotedScalarString
from translate.storage.po import pofile
from translate.storage.xliff2 import Xliff2File

from quaestio.content.layout import ContentFile, Kind
from quaestio.content.load import load_content, parse_yaml, resolve_plain
from quaestio.content.rules import PLACEHOLDER
from quaestio.content.schema import SCHEMA_FILES, TRANSLATION_FILE, SchemaSet
from quaestio.content.translations import TranslationSource, load_translations, translation_path
from quaestio.content.units import Unit, text_paths, units
from quaestio.errors import UsageError
from quaestio.findings import Code, Finding, did_you_mean, finding
from quaestio.output import write_atomically
from quaestio.vocab import SOURCE_LANGUAGE, TRANSLATIONS, Language
from quaestio.workflow.fmt import INDENT, MODELINE, canonical_scalar, dump, without_modeline, yaml_round_trip

XLIFF_SUFFIXES = (".xlf", ".xliff")
PO_SUFFIX = ".po"
MAX_EXCHANGE_BYTES = 20 * 1024 * 1024
XLIFF_NAMESPACE = "urn:oasis:names:tc:xliff:document:2.0"
_REFERENCE = re.compile(r"^(?P<path>[^#]+)#(?P<key>.+)@(?P<hash>[0-9a-f]{8})$")
_DECLARATION = re.compile(rb"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)
_GROUPS = ("recommendations", "challenges", "references", "glossary")


class State(enum.StrEnum):
    """How far one text is translated into one language."""

    MISSING = "missing"
    TRANSLATED = "translated"
    STALE = "stale"


@dataclass(frozen=True)
class Entry:
    """One English text and its translation into one language, if any."""

    english: ContentFile
    unit: Unit
    language: Language
    text: str | None = None
    recorded: str | None = None

    @property
    def state(self) -> State:
        if self.text is None:
            return State.MISSING
        return State.TRANSLATED if self.recorded == self.unit.source_hash else State.STALE

    @property
    def reference(self) -> str:
        """The exported unit's name: English file, unit key and the hash of its current English."""
        return f"{self.english.path}#{self.unit.key}@{self.unit.source_hash}"

    def notes(self, topic_title: str) -> list[str]:
        parts = self.unit.key.split("/")
        owner, field = (
            (parts[1], "/".join(parts[2:])) if parts[0] in _GROUPS and len(parts) > 2 else ("", self.unit.key)
        )
        about = f"ID: {owner} · " if owner else ""
        notes = [f"{about}field: {field} · topic: {self.english.topic} ({topic_title}) · file: {self.english.path}"]
        if self.state is State.STALE:
            notes.append("Needs review: the English changed since this translation was made.")
        return notes


@dataclass(frozen=True)
class Inventory:
    """Every English text of a repository with its translations, and the translation files as read."""

    entries: tuple[Entry, ...]
    files: dict[tuple[Language, str], TranslationSource]
    unreadable: dict[str, tuple[Finding, ...]]
    titles: dict[str, str]

    def of(self, language: Language) -> list[Entry]:
        return [e for e in self.entries if e.language == language]


def _translated(source: TranslationSource | None, key: str) -> tuple[str | None, str | None]:
    entries = source.document.data.get("units") if source else None
    entry = entries.get(key) if isinstance(entries, dict) else None
    if not isinstance(entry, dict) or not isinstance(entry.get("text"), str):
        return None, None
    text, recorded = entry["text"], entry.get("source_hash")
    if not text.strip() or text.lstrip().startswith(PLACEHOLDER):
        return None, None
    return text, recorded if isinstance(recorded, str) else None


def inventory(root: Path, schemas: SchemaSet) -> Inventory:
    """Read the English content and every translation file (without validating them)."""
    content = load_content(root)
    loaded = load_translations(root)
    paths = {kind: text_paths(schemas.documents[name]) for kind, name in SCHEMA_FILES.items()}
    files = {(s.file.language, s.file.target.path): s for s in loaded.sources}
    unreadable: dict[str, list[Finding]] = {}
    for problem in loaded.findings:
        unreadable.setdefault(problem.file, []).append(problem)
    entries = []
    titles = {}
    for source in sorted(content.sources, key=lambda s: s.file.path):
        if source.file.kind is Kind.TOPIC and isinstance(source.document.data.get("title"), str):
            titles[source.file.topic] = source.document.data["title"]
        found = units(source.document.data, paths[source.file.kind])
        for language in TRANSLATIONS:
            translation = files.get((language, source.file.path))
            for unit in found:
                text, recorded = _translated(translation, unit.key)
                entries.append(Entry(source.file, unit, language, text, recorded))
    return Inventory(tuple(entries), files, {k: tuple(v) for k, v in unreadable.items()}, titles)


# -- status ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Count:
    """How many texts of a topic are translated, stale and missing in a language."""

    language: Language
    topic: str
    translated: int
    stale: int
    missing: int

    @property
    def total(self) -> int:
        return self.translated + self.stale + self.missing


def status(found: Inventory, languages: Sequence[Language] = TRANSLATIONS) -> list[Count]:
    """Per language and topic (then all topics), the texts translated, stale and missing."""
    counts = []
    for language in languages:
        entries = found.of(language)
        topics = sorted({e.english.topic for e in entries})
        for topic in [*topics, ""]:
            mine = [e for e in entries if e.english.topic == topic or not topic]
            states = [e.state for e in mine]
            counts.append(
                Count(
                    language,
                    topic,
                    states.count(State.TRANSLATED),
                    states.count(State.STALE),
                    states.count(State.MISSING),
                )
            )
    return counts


def status_table(counts: Iterable[Count]) -> str:
    """The status as a plain-text table; 'all' rows sum each language."""
    rows = [("language", "topic", "translated", "stale", "missing", "done")]
    for count in counts:
        done = f"{100 * count.translated // count.total}%" if count.total else "-"
        rows.append(
            (
                count.language.value,
                count.topic or "all",
                str(count.translated),
                str(count.stale),
                str(count.missing),
                done,
            )
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = []
    for row in rows:
        cells = [
            cell.ljust(width) if i < 2 else cell.rjust(width)
            for i, (cell, width) in enumerate(zip(row, widths, strict=True))
        ]
        lines.append("  ".join(cells).rstrip())
    return "\n".join(lines)


# -- export ---------------------------------------------------------------------------------------


def exchange_format(file: Path) -> str:
    """'xliff' or 'po', from the file name; a UsageError for any other."""
    suffix = file.suffix.lower()
    if suffix in XLIFF_SUFFIXES:
        return "xliff"
    if suffix == PO_SUFFIX:
        return "po"
    raise UsageError(f"{file}: the file must end in .xlf (XLIFF 2.0) or .po (gettext PO)")


def selected(found: Inventory, language: Language, only: str | None) -> list[Entry]:
    """The entries to export: every text, or only the missing or the stale ones."""
    return [e for e in found.of(language) if only is None or e.state == only]


def export_xliff(entries: Sequence[Entry], language: Language, titles: dict[str, str]) -> bytes:
    """XLIFF 2.0: one unit per text, its English source, the translation as target, notes on the unit."""
    store = Xliff2File(sourcelanguage=SOURCE_LANGUAGE.value, targetlanguage=language.value)
    for number, entry in enumerate(entries, start=1):
        unit = store.addsourceunit(entry.unit.english)
        unit.setid(f"u{number}")
        element = unit.getunitelement()
        element.set("name", entry.reference)
        if entry.text is not None:
            unit.target = entry.text
            if entry.state is State.TRANSLATED:
                unit.marktranslated()
            else:
                unit.markfuzzy()  # state="initial" with a target: needs review
        # XLIFF 2.0 puts notes on the unit, before its segments.
        notes = etree.Element(f"{{{XLIFF_NAMESPACE}}}notes")
        for text in entry.notes(titles.get(entry.english.topic, entry.english.topic)):
            etree.SubElement(notes, f"{{{XLIFF_NAMESPACE}}}note", category="location").text = text
        element.insert(0, notes)
    return bytes(store)


def export_po(entries: Sequence[Entry], language: Language, titles: dict[str, str]) -> bytes:
    """gettext PO: msgctxt names the unit, msgid is the English, a fuzzy flag marks what needs review."""
    store = pofile()
    store.updateheader(
        add=True,
        Project_Id_Version="quaestio",
        Language=language.value,
        Content_Type="text/plain; charset=UTF-8",
        Content_Transfer_Encoding="8bit",
        X_Generator="quaestio",
    )
    for entry in entries:
        unit = store.addsourceunit(entry.unit.english)
        unit.setcontext(entry.reference)
        for note in entry.notes(titles.get(entry.english.topic, entry.english.topic)):
            unit.addnote(note, origin="developer")
        if entry.text is not None:
            unit.target = entry.text
            if entry.state is State.STALE:
                unit.markfuzzy()
    return bytes(store)


def export(found: Inventory, language: Language, only: str | None, file: Path) -> tuple[bytes, int]:
    """The exchange file's bytes for a language (format by the file's suffix) and how many units it holds."""
    chosen = selected(found, language, only)
    writer = export_xliff if exchange_format(file) == "xliff" else export_po
    return writer(chosen, language, found.titles), len(chosen)


# -- import ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Imported:
    """One unit of an exchange file: its name, translation, whether it is ready, and where it is."""

    reference: str
    target: str
    ready: bool
    line: int


class _RefusedError(Exception):
    def __init__(self, problem: Finding):
        super().__init__(problem.message)
        self.finding = problem


def _malformed(path: str, line: int, message: str, hint: str = "") -> _RefusedError:
    return _RefusedError(finding(path, (max(line, 1), 1), Code.EXCHANGE_FORMAT, message, hint))


def _language(path: str, declared: str | None) -> Language:
    languages = [language.value for language in TRANSLATIONS]
    code = (declared or "").split("-")[0].split("_")[0].lower()
    if code not in languages:
        raise _malformed(
            path,
            1,
            f"the file names the target language '{declared or ''}'; quaestio takes {', '.join(languages)}",
            "export the file again with 'quaestio translate export --lang <language>'",
        )
    return Language(code)


def _xml_text(element: etree._Element | None) -> str:
    return "" if element is None else "".join(element.itertext())


def read_xliff(raw: bytes, path: str) -> tuple[Language, list[Imported]]:
    """The units of an XLIFF 2.0 file; a DTD or entity declaration is refused before parsing."""
    declared = _DECLARATION.search(raw)
    if declared:
        line = raw[: declared.start()].count(b"\n") + 1
        raise _malformed(
            path,
            line,
            "the file declares a DTD or entities, which quaestio never reads (they can expand or fetch files)",
            "export the file from the translation tool again, without a DOCTYPE",
        )
    try:
        store = Xliff2File.parsestring(raw)
    except etree.XMLSyntaxError as problem:
        raise _malformed(path, problem.lineno or 1, f"the XML cannot be read: {problem.msg}") from None
    except (ValueError, AssertionError) as problem:
        raise _malformed(
            path, 1, f"this is not an XLIFF 2.0 file: {str(problem) or 'unexpected root element'}"
        ) from None
    root = store.document.getroot()
    language = _language(path, root.get("trgLang"))
    found = []
    for unit in root.iter(f"{{{XLIFF_NAMESPACE}}}unit"):
        segments = unit.findall(f"{{{XLIFF_NAMESPACE}}}segment")
        parts = [c for c in unit if c.tag in (f"{{{XLIFF_NAMESPACE}}}segment", f"{{{XLIFF_NAMESPACE}}}ignorable")]
        target = "".join(_xml_text(p.find(f"{{{XLIFF_NAMESPACE}}}target")) for p in parts)
        ready = bool(segments) and all(
            s.find(f"{{{XLIFF_NAMESPACE}}}target") is not None and s.get("state", "translated") != "initial"
            for s in segments
        )
        found.append(
            Imported(unit.get("name") or unit.get("id") or "", target, ready and bool(target), unit.sourceline)
        )
    return language, found


def _context_lines(text: str) -> dict[str, int]:
    """The line of each msgctxt in a PO file, its value joined over continuation lines."""
    lines: dict[str, int] = {}
    context: list[str] | None = None
    start = 0
    for number, line in enumerate([*text.splitlines(), ""], start=1):
        if context is not None and line.startswith('"'):
            context.append(line.strip()[1:-1])
            continue
        if context is not None:
            lines.setdefault("".join(context).replace('\\"', '"'), start)
            context = None
        if line.startswith("msgctxt "):
            context, start = [line[len("msgctxt ") :].strip()[1:-1]], number
    return lines


def read_po(raw: bytes, path: str) -> tuple[Language, list[Imported]]:
    """The entries of a PO file, each with the line of its msgctxt."""
    try:
        store = pofile.parsestring(raw)
    except (ValueError, UnicodeDecodeError) as problem:
        raise _malformed(path, 1, f"the PO file cannot be read: {problem}") from None
    language = _language(path, store.gettargetlanguage())
    lines = _context_lines(raw.decode("utf-8", errors="replace"))
    found = []
    for unit in store.units:
        if unit.isheader():
            continue
        reference = unit.getcontext()
        target = unit.target or ""
        found.append(Imported(reference, target, unit.istranslated() and bool(target), lines.get(reference, 1)))
    return language, found


@dataclass(frozen=True)
class ImportOutcome:
    """What an import changed: the files written (or refused), with every finding."""

    language: Language | None
    written: tuple[str, ...]
    updated: int
    findings: tuple[Finding, ...]


def _plan(
    found: Inventory, path: str, language: Language, imported: Sequence[Imported]
) -> tuple[dict[str, dict[str, tuple[str, str]]], list[Finding]]:
    """The translations to write, by English file and unit key, and the findings that refuse units."""
    entries = {(e.english.path, e.unit.key): e for e in found.of(language)}
    keys_of: dict[str, list[str]] = {}
    for english_path, key in entries:
        keys_of.setdefault(english_path, []).append(key)
    plan: dict[str, dict[str, tuple[str, str]]] = {}
    findings = []
    for item in imported:
        match = _REFERENCE.match(item.reference)
        entry = entries.get((match["path"], match["key"])) if match else None
        if match is None or entry is None:
            known = keys_of.get(match["path"], []) if match else []
            findings.append(
                finding(
                    path,
                    (item.line, 1),
                    Code.UNKNOWN_UNIT,
                    f"the unit '{item.reference}' names no text of this repository",
                    (did_you_mean(match["key"], known) if match else "")
                    or "units are named '<English file>#<text>@<hash>' by 'quaestio translate export'; "
                    "export again and translate that file",
                )
            )
            continue
        if not item.ready or (item.target, match["hash"]) == (entry.text, entry.recorded):
            continue  # untranslated, still marked as needing review, or as it already is
        if match["hash"] != entry.unit.source_hash:
            findings.append(
                finding(
                    path,
                    (item.line, 1),
                    Code.SOURCE_CHANGED,
                    f"the English of '{entry.unit.key}' in {entry.english.path} changed since this file was exported",
                    f"export {language.value} again ('quaestio translate export --lang {language.value} --only stale') "
                    "and translate the new English",
                )
            )
            continue
        if (item.target, entry.unit.source_hash) != (entry.text, entry.recorded):
            plan.setdefault(entry.english.path, {})[entry.unit.key] = (item.target, entry.unit.source_hash)
    return plan, findings


def _plain_safe(value: str) -> object:
    """A string ruamel may write plainly only if quaestio's loader reads it back as the same string."""
    return value if resolve_plain(value) == value else DoubleQuotedScalarString(value)


def _schema_line(path: str) -> str:
    return f"{MODELINE}{'../' * path.count('/')}schemas/{TRANSLATION_FILE}"


def translation_text(  # noqa: C901 - one branch per state of a unit: kept, updated, added, dropped
    existing: str | None, language: Language, order: Sequence[str], changes: dict[str, tuple[str, str]], path: str
) -> str:
    """A translation file's text with the changes applied, in canonical form, comments kept."""
    yaml = yaml_round_trip()
    data = yaml.load(without_modeline(existing)) if existing else None
    if not isinstance(data, CommentedMap):
        data = CommentedMap()
    data["language"] = language.value
    if not isinstance(data.get("units"), CommentedMap):
        data["units"] = CommentedMap()
    for key in ("language", "units"):
        data.move_to_end(key)
    entries: CommentedMap = data["units"]
    for key, (text, source_hash) in changes.items():
        entry = entries.get(key)
        if not isinstance(entry, CommentedMap):
            entry = CommentedMap()
            entries[key] = entry
        entry["source_hash"] = _plain_safe(source_hash)
        entry["text"] = text
    rank = {key: index for index, key in enumerate(order)}
    for key in sorted(entries, key=lambda k: rank.get(k, len(rank))):
        entries.move_to_end(key)
        entry = entries[key]
        if isinstance(entry, CommentedMap):
            for field in ("source_hash", "text"):
                if field in entry:
                    entry.move_to_end(field)
            if isinstance(entry.get("text"), str):
                styled = canonical_scalar(entry["text"], 3 * INDENT, 2 * INDENT + len("text: "))
                entry["text"] = _plain_safe(styled) if type(styled) is str else styled
    return f"{_schema_line(path)}\n{dump(yaml, data)}"


def _written_findings(path: str, text: str, language: Language, changes: dict[str, tuple[str, str]]) -> list[Finding]:
    """Read the new text back with quaestio's own loader: the changes must be there exactly."""
    document, problems = parse_yaml(text, path)
    units_read = document.data.get("units", {}) if document else {}
    if (
        document is None
        or document.data.get("language") != language.value
        or any(
            units_read.get(key) != {"source_hash": source_hash, "text": value}
            for key, (value, source_hash) in changes.items()
        )
    ):
        return problems or [
            finding(
                path,
                (1, 1),
                Code.FMT_UNSAFE,
                "writing the translations would not give back the imported texts",
                "report this file to the maintainers; nothing was written",
            )
        ]
    return []


def import_file(root: Path, file: Path, schemas: SchemaSet, shown: str) -> ImportOutcome:
    """Write the ready units of an XLIFF or PO file into translations/; on any finding, write nothing."""
    kind = exchange_format(file)
    try:
        size = file.stat().st_size
        if size > MAX_EXCHANGE_BYTES:
            raise _malformed(shown, 1, f"the file is {size / 1048576:.1f} MiB; exchange files may be at most 20 MiB")
        raw = file.read_bytes()
        language, imported = read_xliff(raw, shown) if kind == "xliff" else read_po(raw, shown)
    except _RefusedError as refused:
        return ImportOutcome(None, (), 0, (refused.finding,))
    found = inventory(root, schemas)
    plan, findings = _plan(found, shown, language, imported)
    order: dict[str, list[str]] = {}
    for entry in found.of(language):
        order.setdefault(entry.english.path, []).append(entry.unit.key)
    texts: dict[Path, tuple[str, str | None]] = {}
    for english_path, changes in plan.items():
        path = translation_path(language.value, english_path)
        if path in found.unreadable:
            findings.extend(found.unreadable[path])
            continue
        target = root / path
        existing = target.read_text(encoding="utf-8") if target.is_file() else None
        try:
            text = translation_text(existing, language, order[english_path], changes, path)
        except YAMLError as problem:
            findings.append(finding(path, (1, 1), Code.YAML_SYNTAX, f"ruamel.yaml cannot read this file: {problem}"))
            continue
        findings.extend(_written_findings(path, text, language, changes))
        texts[target] = (text, existing)
    if findings:
        return ImportOutcome(language, (), 0, tuple(findings))
    return ImportOutcome(language, _write_all(root, texts), sum(len(c) for c in plan.values()), ())


def _write_all(root: Path, texts: dict[Path, tuple[str, str | None]]) -> tuple[str, ...]:
    """Write every file, or, if one write fails, put back the ones already written and raise."""
    done: list[tuple[Path, str | None]] = []
    try:
        for target, (text, existing) in sorted(texts.items()):
            target.parent.mkdir(parents=True, exist_ok=True)
            write_atomically(target, text)
            done.append((target, existing))
    except BaseException:
        for target, existing in done:
            if existing is None:
                target.unlink(missing_ok=True)
            else:
                write_atomically(target, existing)
        raise
    return tuple(target.relative_to(root).as_posix() for target, _ in done)
