"""The one place that orders the stages: load, validate, model, then render and write each target."""

from __future__ import annotations

import gc
import hashlib
import json
import os
import re
import shutil
import time
from collections.abc import Callable, Collection, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from quaestio.content.ahead import ReadAhead
from quaestio.content.cache import FileCache, salt
from quaestio.content.catalogs import catalog_data, load_catalogs
from quaestio.content.characters import fonts_directory, unprintable_pattern
from quaestio.content.layout import RECOMMENDATIONS_DIR, SCHEMAS_DIR, TOPICS_DIR, ContentFile, Kind, discover
from quaestio.content.load import Reader, load_content, read_content_file
from quaestio.content.reuse import Kept, Reading, modelled, recording
from quaestio.content.schema import SCHEMA_FILES, SchemaSet, load_schemas
from quaestio.content.translations import load_translations
from quaestio.content.validate import alone_checks, check_files, validate
from quaestio.errors import BuildError
from quaestio.findings import Finding, Severity, has_errors, ordered
from quaestio.output import link_or_copy, staged_directory, write_atomically
from quaestio.publish.branding import TEMPLATES_DIR, Branding, read_branding
from quaestio.resources import resource_directory

if TYPE_CHECKING:  # the model and the build's identity are imported where they are made: `validate` needs neither
    from quaestio.content.model import Corpus
    from quaestio.publish.buildinfo import BuildInfo


@dataclass(frozen=True)
class Checked:
    """The outcome of checking a repository: findings, and the model and configuration when there is no error."""

    findings: tuple[Finding, ...]
    files: int
    corpus: Corpus | None
    branding: Branding | None = None
    kept: Kept | None = field(default=None, repr=False, compare=False)
    """What `recheck` reuses of it: what each content file gave on its own (a recheck's result only)."""


def schemas_directory(root: Path) -> Path:
    """The repository's own schemas/ folder, else the copy that ships with quaestio."""
    return resource_directory(root, SCHEMAS_DIR, SCHEMA_FILES[Kind.TOPIC])


def check(root: Path, schemas: SchemaSet | None = None, *, cached: bool = False, model: bool = True) -> Checked:
    """Load and validate every content file, imported catalog and configuration file under root; build the
    model if nothing is wrong (and model is asked for).

    cached: keep what each content file gave in build/.cache/validation.bin and reuse it while the file's bytes
    (and quaestio and the schemas) stay the same; the findings are the same either way.
    """
    with collector_paused():
        return _check(root, schemas or load_schemas(schemas_directory(root)), cached, model)


def recheck(root: Path, previous: Checked | None, changed: Collection[str]) -> Checked:
    """What check(root, cached=True) gives, once the files at `changed` (paths relative to root, such as
    'recommendations/x/y.yaml') were edited, added or removed since `previous` (a recheck's result) was made.

    The content files outside `changed` are not read, checked alone or modelled again: what previous kept of
    them is reused. The rules across files still run over every file, so the findings and the model are those
    of a whole check. Without previous, or after a change outside topics/ and recommendations/, every file is
    read and checked (and what each gave kept for the next recheck).
    """
    kept = previous.kept if previous is not None else None
    if kept is not None and not kept.reusable_after(changed):
        kept = None
    with collector_paused():
        schemas = load_schemas(schemas_directory(root))
        return _check(root, schemas, True, True, _Reuse(kept or Kept.nothing(), frozenset(changed)))


@dataclass(frozen=True)
class _Reuse:
    """What a recheck may reuse, and the paths whose kept values it may not."""

    kept: Kept
    changed: frozenset[str]


@contextmanager
def collector_paused() -> Iterator[None]:
    """Python's garbage collector off for a while (and as it was after). Checking makes millions of small
    objects that live until it ends and form no cycles: the collector's passes over them would take a third
    of the time."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _check(root: Path, schemas: SchemaSet, cached: bool, model: bool, reuse: _Reuse | None = None) -> Checked:
    fonts = fonts_directory(root)
    unprintable = unprintable_pattern(fonts) if fonts else None
    cache_file = root / BUILD_DIR / CACHE_DIR / VALIDATION_CACHE
    fresh = reuse is None or not reuse.kept.readings  # a recheck with nothing kept reads as a cached check does
    # The cache has each content file it does not hold checked alone as it is read ahead (see FileCache.read_ahead).
    checks = alone_checks(schemas, unprintable) if cached and fresh else None
    cache = FileCache.open(cache_file, salt(schemas, unprintable), checks) if checks is not None else None
    read: Reader = cache.read if cache is not None else read_content_file
    ahead: Callable[[Sequence[ContentFile]], None] | None = None
    ahead_translations: Callable[[Sequence[ContentFile]], None] | None = None
    # Translations are read as content is, except in serve's re-reading: every one again, as each is checked
    # against the English anew; the cache keeps their readings, not their findings (see read_unchecked).
    read_translation: Reader = cache.read_unchecked if cache is not None else read_content_file
    readings: dict[str, Reading] = {}
    if reuse is not None:  # serve's re-reading: only the changed files are read again
        read = recording(reuse.kept.reader(reuse.changed, read), readings)
    elif cache is not None:  # a first reading: every file at once, each content file checked alone as it is read
        ahead, ahead_translations = cache.read_ahead, cache.read_ahead_unchecked
    else:
        reader = ReadAhead()
        read, ahead, read_translation = reader.read, reader.read_ahead, reader.read
        ahead_translations = ahead
    content = load_content(root, read, ahead)
    if reuse is not None and not fresh:
        catalogs, catalog_findings = reuse.kept.catalogs, list(reuse.kept.catalog_findings)
    else:
        catalogs, catalog_findings = load_catalogs(root, cache.catalog_data if cache is not None else catalog_data)
    translations = load_translations(root, read_translation, ahead_translations)
    alone = check_files(content, schemas, unprintable, cache, reuse.kept.checked_files if reuse is not None else None)
    sources, content_findings, translated = validate(
        content, schemas, translations, unprintable, catalogs, cache, alone
    )
    if cache is not None:
        cache.save()
    configuration = read_branding(root)
    # The content's findings keep their reading order (what stopped a file first); the rest follow by place.
    findings = (*content_findings, *ordered((*catalog_findings, *configuration.findings)))
    files = content.files + translations.files + len(catalogs) + len(catalog_findings) + configuration.files
    if has_errors(findings) or not model:
        kept = None if reuse is None else Kept.of(readings, alone, reuse.kept.models, catalogs, catalog_findings)
        return Checked(findings, files, None, kept=kept)
    from quaestio.content.model import build_corpus, corpus_of

    if reuse is None:
        return Checked(findings, files, build_corpus(sources, catalogs, translated), configuration.branding)
    models = modelled(sources, translated, reuse.kept.models)
    corpus = corpus_of([m.model for m in models.values()], catalogs)
    kept = Kept.of(readings, alone, models, catalogs, catalog_findings)
    return Checked(findings, files, corpus, configuration.branding, kept)


@dataclass(frozen=True)
class Built:
    """What a build wrote, and what it reused because its inputs had not changed."""

    written: tuple[str, ...]
    unchanged: tuple[str, ...]


Progress = Callable[[str], None]
StageDone = Callable[[str, float], None]  # a stage's name and its duration in seconds
ALL_TARGETS = ("data", "reports", "site")
BUILD_DIR = "build"
CACHE_DIR = ".cache"
OUTPUT_DIRS = ("data", "reports", "site")
MANIFEST = "manifest.json"
VALIDATION_CACHE = "validation.bin"


def _validation_report(result: Checked) -> str:
    document = {
        "files": result.files,
        "errors": sum(1 for f in result.findings if f.severity is Severity.ERROR),
        "warnings": sum(1 for f in result.findings if f.severity is Severity.WARNING),
        "findings": [f.as_dict() for f in result.findings],
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def _carry_over(previous: Path, stage: Path, names: Sequence[str]) -> None:
    """Hard-link the parts of the previous build that this build does not remake into the stage."""
    for name in names:
        source = previous / name
        if source.is_dir():
            shutil.copytree(source, stage / name, copy_function=link_or_copy)
        elif source.is_file():
            link_or_copy(source, stage / name)


@contextmanager
def _stage(name: str, done: StageDone | None) -> Iterator[None]:
    """Time a stage; a template of templates/ that fails in it is a BuildError naming its file and line."""
    started = time.monotonic()
    try:
        yield
    except Exception as failure:
        from quaestio.publish.render import template_fault

        fault = template_fault(failure)
        if fault is None:
            raise
        raise BuildError(f"{fault}; {fault.hint}") from None
    if done is not None:
        done(name, time.monotonic() - started)


def run_build(
    root: Path,
    result: Checked,
    targets: Sequence[str] = ALL_TARGETS,
    progress: Progress | None = None,
    stage_done: StageDone | None = None,
) -> Built:
    """Build the requested targets into root/build, all or nothing.

    Everything is written into a fresh directory beside build/ that replaces it only when every
    step has succeeded, so a failed or interrupted build leaves the previous build/ as it was.
    """
    if result.corpus is None or result.branding is None:
        raise ValueError("cannot build content or configuration that has errors")
    from quaestio.publish.buildinfo import build_info, load_source_history

    corpus, branding = result.corpus, result.branding
    info = build_info(root, os.environ)
    say = progress or (lambda message: None)
    written: list[str] = []
    unchanged: list[str] = []
    with staged_directory(root / BUILD_DIR) as stage:
        keep = [CACHE_DIR, *(t for t in OUTPUT_DIRS if t not in targets)]
        _carry_over(root / BUILD_DIR, stage, keep)
        write_atomically(stage / "validation.json", _validation_report(result))
        written.append("validation.json")
        if "data" in targets:
            from quaestio.publish.exports import write_data

            say("writing the open data")
            with _stage("open data", stage_done):
                written += [p.relative_to(stage).as_posix() for p in write_data(corpus, info, branding, stage / "data")]
        if "reports" in targets:
            from quaestio.publish.reports import ReportError, write_reports

            history = load_source_history(root, (TOPICS_DIR, RECOMMENDATIONS_DIR, TEMPLATES_DIR))
            try:
                with _stage("reports", stage_done):
                    outcome = write_reports(
                        corpus, info, branding, stage / "reports", stage / CACHE_DIR / "reports", say, history
                    )
            except ReportError as failure:
                raise BuildError(f"{failure}{where_in_content(root, str(failure))}") from None
            written += [f"reports/{name}" for name in outcome.written]
            unchanged += [f"reports/{name}" for name in outcome.unchanged]
        if "site" in targets:
            from quaestio.publish.site import build_site

            say("building the website")
            with _stage("website", stage_done):
                build_site(root, corpus, info, branding, stage / "site", downloads=stage)
            written.append("site/")
        write_atomically(stage / MANIFEST, manifest(stage, info))
        written.append(MANIFEST)
    return Built(tuple(written), tuple(unchanged))


_REFUSED_TEXT = re.compile(r'the text `?"(.+?)"`? could not be displayed')


def where_in_content(root: Path, message: str) -> str:
    """'; it is at recommendations/x/y.yaml:5:37' for the text a tool refused, when a content file holds it."""
    refused = _REFUSED_TEXT.search(message)
    if refused is None:
        return ""
    text = refused.group(1)
    files, _ = discover(root)
    for content_file in files:
        try:
            lines = content_file.file.read_text(encoding="utf-8").splitlines()
        except (OSError, UnicodeDecodeError):
            continue
        for number, line in enumerate(lines, start=1):
            column = line.find(text)
            if column >= 0:
                return f"; that text is at {content_file.path}:{number}:{column + 1}"
    return ""


def manifest(build: Path, info: BuildInfo) -> str:
    """Every artifact of a build with its SHA-256 and size, the source revision and the tool versions."""
    artifacts = []
    for path in sorted(p for p in build.rglob("*") if p.is_file()):
        relative = path.relative_to(build)
        if relative.parts[0] == CACHE_DIR or relative.as_posix() == MANIFEST:
            continue
        data = path.read_bytes()
        artifacts.append({"path": relative.as_posix(), "sha256": hashlib.sha256(data).hexdigest(), "bytes": len(data)})
    document = {
        "revision": info.revision,
        "source_date_epoch": info.source_date_epoch,
        "date": info.date.isoformat(),
        "tool_versions": dict(info.tool_versions),
        "artifacts": artifacts,
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"
