"""The validation stage: schema checks per file, then cross-reference rules over the whole repository."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from quaestio.content.cache import Alone, FileCache
from quaestio.content.catalogs import Catalog
from quaestio.content.cycle_rules import check_cycle
from quaestio.content.layout import ContentFile, Kind
from quaestio.content.load import LoadedContent, Source, YamlDocument
from quaestio.content.rules import check_rules, text_marker
from quaestio.content.schema import SchemaSet, check_document
from quaestio.content.translations import LoadedTranslations, Translations, check_translations, may_translate_inline
from quaestio.findings import Code, Finding, Severity, finding

_SIGNATURES = {
    Kind.TOPIC: {"code", "status_quaestionis", "challenges", "session"},
    Kind.RECOMMENDATIONS: {"audience", "recommendations"},
}


def _wrong_kind(source: Source) -> Finding | None:
    """A finding when a file's fields say it is the other kind of file than its folder says."""
    keys = set(source.document.data)
    expected = source.file.kind
    other = Kind.RECOMMENDATIONS if expected is Kind.TOPIC else Kind.TOPIC
    if len(keys & _SIGNATURES[other]) >= 2 and not keys & _SIGNATURES[expected]:
        if other is Kind.RECOMMENDATIONS:
            topic = source.document.data.get("topic", "<topic>")
            audience = source.document.data.get("audience", "<audience>")
            hint = f"move it to recommendations/{topic}/{audience}.yaml"
        else:
            hint = f"move it to topics/{source.document.data.get('id', '<id>')}.yaml"
        return finding(
            source.file.path,
            (1, 1),
            Code.MISPLACED_FILE,
            f"this is a {other.value} file, but it lies in the {expected.value} folder",
            hint,
        )
    return None


def reading_order(findings: Iterable[Finding], unread: Iterable[str] = ()) -> list[Finding]:
    """Findings without repeats: first what stopped a file from being read, then the notes on the checks
    this skipped, then the rest by file, line and column (GitHub shows only the first ten annotations)."""
    stopped = set(unread)

    def key(f: Finding) -> tuple[int, str, int, int, str]:
        group = 0 if f.file in stopped and f.severity is Severity.ERROR else 1 if f.code is Code.CHECKS_SKIPPED else 2
        return (group, *f.sort_key)

    return sorted(set(findings), key=key)


@dataclass(frozen=True)
class FileChecked:
    """What checking one content file alone gave: the finding that it lies in the wrong folder (then nothing
    else), or its schema findings, the quick tests its text passes (see alone_checks) and whether it may
    hold a translation written inline."""

    source: Source
    misplaced: Finding | None
    findings: tuple[Finding, ...] = ()
    marks: frozenset[str] = frozenset()
    inline: bool = False


def check_files(
    content: LoadedContent,
    schemas: SchemaSet,
    unprintable: re.Pattern[str] | None = None,
    cache: FileCache | None = None,
    known: Mapping[str, FileChecked] | None = None,
) -> dict[str, FileChecked]:
    """What each loaded file gives on its own, by path. known: earlier outcomes, reused for the files whose
    document is the very one they were worked out from (see pipeline.recheck); cache: as in `validate`."""
    alone = alone_checks(schemas, unprintable)
    outcomes = {}
    for source in content.sources:
        earlier = known.get(source.file.path) if known is not None else None
        if earlier is not None and earlier.source.document is source.document and earlier.source.file == source.file:
            outcomes[source.file.path] = earlier
            continue
        wrong = _wrong_kind(source)
        if wrong is not None:
            outcomes[source.file.path] = FileChecked(source, wrong)
        else:
            found, marks = _file_checks(source, cache, alone)
            passed = frozenset(marks)
            outcomes[source.file.path] = FileChecked(source, None, tuple(found), passed, INLINE_TRANSLATION in passed)
    return outcomes


def validate(
    content: LoadedContent,
    schemas: SchemaSet,
    translations: LoadedTranslations | None = None,
    unprintable: re.Pattern[str] | None = None,
    catalogs: tuple[Catalog, ...] = (),
    cache: FileCache | None = None,
    checked_files: Mapping[str, FileChecked] | None = None,
) -> tuple[tuple[Source, ...], tuple[Finding, ...], Translations]:
    """Check loaded content and its translations against the schemas and the imported catalogs.

    Returns the sources fit for the model, every finding (the real errors first), and the translations of
    each file.

    unprintable finds the characters the report fonts lack (None: no such check). cache, when the content
    was read through it, gives the schema findings of the files it knew and keeps those of the others.
    checked_files: what `check_files` gave for this content, when it was asked first.
    """
    checked_alone = checked_files if checked_files is not None else check_files(content, schemas, unprintable, cache)
    findings = list(content.findings)
    unreadable = list(content.unreadable)
    checked = []
    marks: dict[str, frozenset[str]] = {}
    for source in content.sources:
        alone = checked_alone[source.file.path]
        if alone.misplaced is not None:
            findings.append(alone.misplaced)
            unreadable.append(source.file)
            continue
        findings.extend(alone.findings)
        marks[source.file.path] = alone.marks
        checked.append(source)
    findings.extend(check_rules(checked, unreadable, unprintable, catalogs, marks))
    findings.extend(check_cycle(checked))
    translated: Translations = {}
    if translations is not None:
        inline = {path for path, alone in checked_alone.items() if alone.inline}
        outcome = check_translations(translations, checked, schemas, inline)
        findings.extend(outcome.findings)
        translated = outcome.translations
    ordered = reading_order(one_per_spot(findings), (u.path for u in unreadable))
    return tuple(checked), tuple(ordered), translated


INLINE_TRANSLATION = "may-translate-inline"
"""The quick test a file's text passes when it may hold a translation written inline (see may_translate_inline)."""


def alone_checks(schemas: SchemaSet, unprintable: re.Pattern[str] | None) -> Alone:
    """What one content file gives on its own: its schema findings and the quick tests its text passes (the
    rules' and INLINE_TRANSLATION)."""
    marker = text_marker(unprintable)

    def alone(content_file: ContentFile, document: YamlDocument) -> tuple[tuple[Finding, ...], frozenset[str]]:
        passed = marker(document.text)
        if may_translate_inline(document.text):
            passed |= {INLINE_TRANSLATION}
        return tuple(check_document(document, content_file.kind, schemas)), passed

    return alone


def _file_checks(source: Source, cache: FileCache | None, alone: Alone) -> tuple[Sequence[Finding], Iterable[str]]:
    """What one file gives on its own (from the cache when the file is unchanged or was checked as it was read)."""
    known = cache.known(source.file.path) if cache is not None else None
    if known is not None:
        return known
    found, marks = alone(source.file, source.document)
    if cache is not None:
        cache.settle(source.file.path, found, marks)
    return found, marks


_SECOND_OPINIONS = frozenset({Code.BROKEN_REFERENCE, Code.ID_PREFIX, Code.DUPLICATE_ID})


def one_per_spot(findings: Iterable[Finding]) -> list[Finding]:
    """One slip, one finding: where the schema already says a value is malformed, the rules that could
    not resolve that same value keep quiet."""
    findings = list(findings)
    malformed = {
        (f.file, f.line, f.column)
        for f in findings
        if f.code in (Code.INVALID_FORMAT, Code.INVALID_VALUE, Code.WRONG_TYPE)
    }
    return [f for f in findings if not (f.code in _SECOND_OPINIONS and (f.file, f.line, f.column) in malformed)]
