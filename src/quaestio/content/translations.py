"""Translation files: where they live, what they hold, whether each translation is current, and the model's view.

A translation of `topics/governance.yaml` into French is `translations/fr/topics/governance.yaml`; each
of its units names a text of the English file (see quaestio.content.units) and stores the hash of the
English it was made from. When the English changes, the hash no longer matches and the translation
is stale. To show translators what changed, the English the translation was made from is looked up
in git: the versions of the English file in the history of HEAD are read, newest first, until one
holds a text with that hash. Nothing but the hash is stored, so the mechanism survives `fmt` (the
hash ignores line breaks and spacing), merges and rebases (any version of the file with that text
will do, whatever commit it is in); without the history (a shallow clone) the hint says only that
the English changed.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Container, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from quaestio.content.layout import RECOMMENDATIONS_DIR, SUFFIX, TOPICS_DIR, ContentFile, Kind
from quaestio.content.load import JsonPath, Reader, Source, YamlDocument, parse_yaml, read_content_file
from quaestio.content.rules import PLACEHOLDER, text_findings
from quaestio.content.schema import SCHEMA_FILES, SchemaSet, check_translation_document
from quaestio.content.units import TRANSLATIONS_DIR, Unit, text_paths, units
from quaestio.content.words import word_diff_text
from quaestio.errors import GitError
from quaestio.findings import Code, Finding, did_you_mean, finding
from quaestio.git import file_versions
from quaestio.vocab import SOURCE_LANGUAGE, TRANSLATIONS, Audience, Language


@dataclass(frozen=True)
class Translation:
    """A text in another language, from translations/<language>/, and whether its English is still the same."""

    language: Language
    text: str
    current: bool = True


Translations = Mapping[str, Mapping[JsonPath, tuple[Translation, ...]]]
"""The translations of each English content file (by its path), keyed by the path of the text they translate."""


@dataclass(frozen=True)
class TranslationFile:
    """A translation file and what its place says: the language and the English file it translates."""

    file: Path
    path: str
    language: Language
    target: ContentFile


@dataclass(frozen=True)
class TranslationSource:
    """A parsed translation file."""

    file: TranslationFile
    document: YamlDocument


@dataclass(frozen=True)
class LoadedTranslations:
    """Every translation file read from a repository, and what stopped the others."""

    root: Path
    sources: tuple[TranslationSource, ...] = ()
    findings: tuple[Finding, ...] = ()
    files: int = 0


def translation_path(language: str, english_path: str) -> str:
    """Where the translation of an English content file into a language lives."""
    return f"{TRANSLATIONS_DIR}/{language}/{english_path}"


def _target(root: Path, relative: str) -> ContentFile | None:
    """The English content file a path under translations/<language>/ stands for, if it has the shape of one."""
    parts = relative.split("/")
    if len(parts) == 2 and parts[0] == TOPICS_DIR and parts[1].endswith(SUFFIX):
        return ContentFile(root / relative, relative, Kind.TOPIC, parts[1][: -len(SUFFIX)])
    if len(parts) == 3 and parts[0] == RECOMMENDATIONS_DIR and parts[2].endswith(SUFFIX):
        audience = parts[2][: -len(SUFFIX)]
        if audience in tuple(Audience):
            return ContentFile(root / relative, relative, Kind.RECOMMENDATIONS, parts[1], audience)
    return None


def _misplaced(path: str, message: str, hint: str) -> Finding:
    return finding(path, (1, 1), Code.MISPLACED_FILE, message, hint)


def _place(root: Path, entry: Path) -> tuple[TranslationFile | None, Finding | None]:
    """What a file under translations/ is, or the finding that says why it is not a translation file."""
    path = entry.relative_to(root).as_posix()
    parts = entry.relative_to(root / TRANSLATIONS_DIR).parts
    languages = [language.value for language in TRANSLATIONS]
    if len(parts) < 2:
        return None, _misplaced(
            path,
            "translation files belong in a language folder: translations/<language>/<path of the English file>",
            f"move it to translations/fr/..., translations/nl/... or translations/de/... ({', '.join(languages)})",
        )
    folder, rest = parts[0], "/".join(parts[1:])
    if folder == SOURCE_LANGUAGE.value:
        return None, _misplaced(
            path,
            "English is the source language: its texts live in topics/ and recommendations/, not in translations/",
            f"move the English into {rest}, or put the file in the folder of the language it is written in",
        )
    if folder not in languages:
        return None, finding(
            path,
            (1, 1),
            Code.UNKNOWN_LANGUAGE,
            f"'{folder}' is not a language quaestio publishes; translation folders are {', '.join(languages)}",
            did_you_mean(folder, languages) or f"move the file into translations/{languages[0]}/ or another of them",
        )
    if entry.suffix != SUFFIX:
        return None, _misplaced(
            path, "content files end in .yaml, not .yml", f"rename it to {path[: -len(entry.suffix)]}{SUFFIX}"
        )
    target = _target(root, rest)
    if target is None:
        return None, _misplaced(
            path,
            f"'{rest}' is not the path of a content file, so this file translates nothing",
            f"name it after the English file it translates: translations/{folder}/topics/<topic>.yaml or "
            f"translations/{folder}/recommendations/<topic>/<audience>.yaml",
        )
    return TranslationFile(entry, path, Language(folder), target), None


def _readable(placed: TranslationFile) -> ContentFile:
    """A translation file as the readers of content files take it (their path and file are what they read)."""
    target = placed.target
    return ContentFile(placed.file, placed.path, target.kind, target.topic, target.audience)


def load_translations(
    root: Path, read: Reader = read_content_file, ahead: Callable[[Sequence[ContentFile]], None] | None = None
) -> LoadedTranslations:
    """Find and read every file under translations/, with `read` (the validation cache's, say), after `ahead`
    has read them all at once (in two processes where they are many, see ahead.ReadAhead)."""
    folder = root / TRANSLATIONS_DIR
    if not folder.is_dir():
        return LoadedTranslations(root)
    found: list[TranslationFile | Finding] = []
    for entry in sorted(folder.rglob("*")):
        if entry.is_file() and entry.suffix in (".yaml", ".yml"):
            placed, problem = _place(root, entry)
            found.append(placed if placed is not None else problem)  # type: ignore[arg-type]
    if ahead is not None:
        ahead([_readable(item) for item in found if isinstance(item, TranslationFile)])
    findings: list[Finding] = []
    sources: list[TranslationSource] = []
    for item in found:  # in the files' order, as each is placed and read
        if not isinstance(item, TranslationFile):
            findings.append(item)
            continue
        document, problems = read(_readable(item))
        findings.extend(problems)
        if document is not None:
            sources.append(TranslationSource(item, document))
    return LoadedTranslations(root, tuple(sources), tuple(findings), len(found))


def _source_for_rules(source: TranslationSource) -> Source:
    """The translation file as a Source for the text rules (links, markup, placeholders)."""
    target = source.file.target
    content = ContentFile(source.file.file, source.file.path, target.kind, target.topic, target.audience)
    return Source(content, source.document)


@dataclass
class _History:
    """The English texts a content file held in git history, by hash; read lazily, newest version first."""

    root: Path
    paths: Mapping[Kind, tuple[tuple[str, ...], ...]]
    found: dict[str, dict[str, str]] = field(default_factory=dict)
    pending: dict[str, Iterator[bytes]] = field(default_factory=dict)
    unavailable: str = ""

    def english(self, target: ContentFile, wanted: str) -> str | None:
        """The English text whose hash is `wanted`, from any version of the file in history, or None."""
        known = self.found.setdefault(target.path, {})
        if wanted in known:
            return known[wanted]
        if target.path not in self.pending:
            try:
                self.pending[target.path] = iter(file_versions(self.root, target.path))
            except GitError as problem:
                self.unavailable = str(problem)
                self.pending[target.path] = iter(())
        for raw in self.pending[target.path]:
            document, _ = parse_yaml(raw.decode("utf-8", errors="replace"), target.path)
            if document is None:
                continue
            for unit in units(document.data, self.paths[target.kind]):
                known.setdefault(unit.source_hash, unit.english)
            if wanted in known:
                return known[wanted]
        return None


def _stale_hint(old: str | None, unit: Unit) -> str:
    then = f"set source_hash: {unit.source_hash} (or import the updated translation with 'quaestio translate import')"
    if old is None:
        return f"the English changed since this was translated; compare with the English, update the text, then {then}"
    change = word_diff_text(old, unit.english)
    return f"the English changed since this was translated: {change}; update the text, then {then}"


@dataclass(frozen=True)
class CheckedTranslations:
    """The findings about translation files, and the translations of each English file for the model."""

    findings: tuple[Finding, ...]
    translations: Translations


def _inline_findings(source: Source, english: Sequence[Unit]) -> list[Finding]:
    """Warnings for translations written inline ({en: ..., fr: ...}), which are not published."""
    findings = []
    for unit in english:
        value: object = source.document.data
        for step in unit.path:
            value = value[step]  # type: ignore[index]
        if not isinstance(value, dict):
            continue
        for language in value:
            if language == SOURCE_LANGUAGE.value or language not in tuple(Language):
                continue
            findings.append(
                finding(
                    source.file.path,
                    source.document.positions.of_key((*unit.path, language)),
                    Code.INLINE_TRANSLATION,
                    f"the '{language}' text beside the English of '{unit.key}' is not published",
                    f"move it to {translation_path(language, source.file.path)} under the unit '{unit.key}' "
                    f"(with source_hash: {unit.source_hash}), and keep only the English here",
                )
            )
    return findings


def _file_findings(
    source: TranslationSource, english: Mapping[str, Unit], history: _History, found: dict[JsonPath, list[Translation]]
) -> list[Finding]:
    """What is wrong in one translation file, and its translations added to `found`."""
    document, placed = source.document, source.file
    findings: list[Finding] = []
    declared = document.data.get("language")
    if isinstance(declared, str) and declared != placed.language and declared in tuple(Language):
        findings.append(
            finding(
                placed.path,
                document.positions.of_value(("language",)),
                Code.LANGUAGE_MISMATCH,
                f"the file says 'language: {declared}' but lies in the folder translations/{placed.language}/",
                f"write 'language: {placed.language}', or move the file to "
                f"{translation_path(declared, placed.target.path)}",
            )
        )
    entries = document.data.get("units")
    for key, entry in entries.items() if isinstance(entries, dict) else ():
        unit = english.get(key)
        if unit is None:
            findings.append(
                finding(
                    placed.path,
                    document.positions.of_key(("units", key)),
                    Code.UNKNOWN_UNIT,
                    f"'{key}' is not a text of {placed.target.path}",
                    did_you_mean(key, english)
                    or "units are named by the text's path in the English file, e.g. 'title' or "
                    "'recommendations/<ID>/text'; 'quaestio translate export' lists them",
                )
            )
            continue
        if not isinstance(entry, dict) or not isinstance(entry.get("text"), str):
            continue
        text, recorded = entry["text"], entry.get("source_hash")
        if not text.strip() or text.lstrip().startswith(PLACEHOLDER):
            continue  # the placeholder-text warning says it; the English is published meanwhile
        current = recorded == unit.source_hash
        if not current and isinstance(recorded, str):
            findings.append(
                finding(
                    placed.path,
                    document.positions.of_value(("units", key, "text")),
                    Code.STALE_TRANSLATION,
                    f"the English of '{key}' in {placed.target.path} changed since this translation was made",
                    _stale_hint(history.english(placed.target, recorded), unit),
                )
            )
        started = _list_starts(text)
        if started and len(started) > len(_list_starts(unit.english)):
            line = started[-1]
            findings.append(
                finding(
                    placed.path,
                    document.positions.of_value(("units", key, "text")),
                    Code.TRANSLATION_LIST,
                    f"line {line} of this text begins with '{text.splitlines()[line - 1].split()[0]}', so it would "
                    "be shown as a list item, and the English has no list there",
                    "join that line to the one before it (or move its first word there), so that no line of "
                    "the paragraph begins with a number and a full stop, or with '-', '+' or '*'",
                )
            )
        found.setdefault(unit.path, []).append(Translation(placed.language, text, current))
    return findings


# A line that opens a list inside a paragraph (CommonMark: a bullet, or an ordered list from 1); a number other
# than 1 cannot interrupt a paragraph, and a line after a blank one starts a list the writer meant.
_LIST_LINE = re.compile(r"[ \t]{0,3}(?:1[.)]|[-+*])[ \t]+\S")


def _list_starts(text: str) -> list[int]:
    """The 1-based numbers of the lines that open a list inside a paragraph: the line before is text, and no
    list item came since the last blank line or heading."""
    if "\n" not in text:
        return []
    starts, in_list, in_paragraph = [], False, False
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip() or _HEADING.match(line):
            in_list = in_paragraph = False
        elif _ITEM.match(line):
            if in_paragraph and not in_list and _LIST_LINE.match(line):
                starts.append(number)
            in_list = True
        else:
            in_paragraph = True
    return starts


_ITEM = re.compile(r"[ \t]*(?:\d+[.)]|[-+*])[ \t]")
_HEADING = re.compile(r"[ \t]{0,3}#{1,6}[ \t]")


# A field named after a translation language, as a block or flow key, plain or quoted: a file whose text holds
# none holds no inline translation ({en: ..., fr: ...}). Prose may hold one too ("fr: "); such a file is only
# looked at more closely. One pattern per language, each starting with its name, which the regular expression
# engine finds as fast as a plain search; its start is checked apart: a regular expression that looks behind
# at every character would take ten times longer, and one of alternatives (fr|nl|de) tries each at every one.
_LANGUAGE_KEYS = tuple(re.compile(rf"""{language.value}["']?[ \t]*:""") for language in TRANSLATIONS)
_BEFORE_KEY = frozenset(" \t\n{,\"'")


def may_translate_inline(text: str) -> bool:
    """Whether a file's text may hold a translation written inline (False: it holds none)."""
    return any(
        m.start() == 0 or text[m.start() - 1] in _BEFORE_KEY for key in _LANGUAGE_KEYS for m in key.finditer(text)
    )


def check_translations(
    loaded: LoadedTranslations, english: Sequence[Source], schemas: SchemaSet, inline: Container[str] | None = None
) -> CheckedTranslations:
    """Check every translation file against its schema and its English file, and collect the translations.

    inline: the paths of the English files whose text may hold an inline translation (`may_translate_inline`),
    when that is known already."""
    paths = {kind: text_paths(schemas.documents[name]) for kind, name in SCHEMA_FILES.items()}
    by_path = {source.file.path: source for source in english}
    # The units of the English files a translation names or that may hold an inline one, not of every file.
    translated = {translation.file.target.path for translation in loaded.sources}
    english_units = {
        s.file.path: units(s.document.data, paths[s.file.kind])
        for s in english
        if s.file.path in translated
        or (s.file.path in inline if inline is not None else may_translate_inline(s.document.text))
    }
    history = _History(loaded.root, paths)
    findings = list(loaded.findings)
    for source in english:
        if source.file.path in english_units:
            findings.extend(_inline_findings(source, english_units[source.file.path]))
    collected: dict[str, dict[JsonPath, list[Translation]]] = {}
    for translation in loaded.sources:
        placed = translation.file
        findings.extend(check_translation_document(translation.document, schemas))
        findings.extend(text_findings(_source_for_rules(translation)))
        if placed.target.path not in by_path:
            if not placed.target.file.is_file():
                findings.append(
                    finding(
                        placed.path,
                        (1, 1),
                        Code.ORPHAN_TRANSLATION,
                        f"this translates {placed.target.path}, which does not exist",
                        "delete the translation, or move it to the path of the English file it translates",
                    )
                )
            continue  # an English file with errors: its own findings come first
        keyed = {unit.key: unit for unit in english_units[placed.target.path]}
        findings.extend(_file_findings(translation, keyed, history, collected.setdefault(placed.target.path, {})))
    translations = {
        path: {text_path: tuple(found) for text_path, found in texts.items()} for path, texts in collected.items()
    }
    return CheckedTranslations(tuple(findings), translations)
