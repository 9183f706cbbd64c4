"""What a check keeps for the next one: each content file's reading, its checks alone and its model values."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import TYPE_CHECKING, TypeVar

from quaestio.content.catalogs import Catalog
from quaestio.content.layout import CONTENT_PATHS, ContentFile
from quaestio.content.load import JsonPath, Reader, Source, YamlDocument
from quaestio.content.validate import FileChecked
from quaestio.findings import Finding

if TYPE_CHECKING:  # the model is imported where it is made: a check with errors needs none of it
    from quaestio.content.model import FileModel
    from quaestio.content.translations import Translation, Translations

V = TypeVar("V")


@dataclass(frozen=True)
class Reading:
    """What reading one content file gave: its document (None when it could not be read) and the findings."""

    document: YamlDocument | None
    findings: tuple[Finding, ...]


@dataclass(frozen=True)
class Modelled:
    """A file's model values, and the document and translations they were made from."""

    document: YamlDocument
    translations: Mapping[JsonPath, tuple[Translation, ...]] | None
    model: FileModel


@dataclass(frozen=True)
class Kept:
    """What one check found file by file, for the next check to reuse for the files that did not change.

    Each value was worked out from one content file alone (or, for the catalogs, from the catalogs/ folder):
    the rules across files are never kept, as an edit anywhere may change what they find anywhere."""

    readings: Mapping[str, Reading]
    checked_files: Mapping[str, FileChecked]
    models: Mapping[str, Modelled]
    catalogs: tuple[Catalog, ...]
    catalog_findings: tuple[Finding, ...]

    @classmethod
    def nothing(cls) -> Kept:
        """Nothing kept: every file is read and checked."""
        return cls(MappingProxyType({}), MappingProxyType({}), MappingProxyType({}), (), ())

    @classmethod
    def of(
        cls,
        readings: Mapping[str, Reading],
        checked_files: Mapping[str, FileChecked],
        models: Mapping[str, Modelled],
        catalogs: Sequence[Catalog],
        catalog_findings: Sequence[Finding],
    ) -> Kept:
        """What a check found, kept in read-only copies."""
        return cls(frozen(readings), frozen(checked_files), frozen(models), tuple(catalogs), tuple(catalog_findings))

    def reusable_after(self, changed: Collection[str]) -> bool:
        """Whether edits to these paths (relative to the repository) leave the kept values of the other files
        valid: only content files changed (any other file, a schema or a template, may change them all)."""
        return all(path.split("/", 1)[0] in CONTENT_PATHS and "/" in path for path in changed)

    def reader(self, changed: Collection[str], read: Reader) -> Reader:
        """A reader that gives the kept reading of each file outside `changed`, and reads the others with `read`."""

        def reading(content_file: ContentFile) -> tuple[YamlDocument | None, list[Finding]]:
            kept = self.readings.get(content_file.path)
            if kept is None or content_file.path in changed:
                return read(content_file)
            return kept.document, list(kept.findings)

        return reading


def recording(read: Reader, into: dict[str, Reading]) -> Reader:
    """A reader that notes what `read` gives for each file in `into`, by path."""

    def reading(content_file: ContentFile) -> tuple[YamlDocument | None, list[Finding]]:
        document, findings = read(content_file)
        into[content_file.path] = Reading(document, tuple(findings))
        return document, findings

    return reading


def modelled(
    sources: Sequence[Source], translations: Translations, earlier: Mapping[str, Modelled] | None
) -> dict[str, Modelled]:
    """Each valid file's model values, by path: the earlier ones when its document and translations are the same
    (the very document read before, translations of equal value), else made afresh."""
    from quaestio.content.model import file_model

    models = {}
    for source in sources:
        path = source.file.path
        translated = translations.get(path)
        before = earlier.get(path) if earlier is not None else None
        if before is not None and before.document is source.document and before.translations == translated:
            models[path] = before
        else:
            models[path] = Modelled(source.document, translated, file_model(source, translations))
    return models


def frozen(values: Mapping[str, V]) -> Mapping[str, V]:
    """A read-only copy of a mapping."""
    return MappingProxyType(dict(values))
