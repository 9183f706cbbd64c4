"""The maintainers' configuration under templates/ (branding, reports, site wording), read and checked like content."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path, PurePosixPath
from types import MappingProxyType

from quaestio.content.layout import SCHEMAS_DIR
from quaestio.content.load import YamlDocument, read_yaml
from quaestio.content.schema import check_document, load_schemas
from quaestio.errors import BuildError
from quaestio.findings import Code, Finding, finding, format_text, has_errors, ordered
from quaestio.publish.locale import localised_file, merged
from quaestio.resources import resource_directory
from quaestio.vocab import SOURCE_LANGUAGE

TEMPLATES_DIR = "templates"
BRANDING_FILE = "branding.yaml"
REPORTS_FILE = "reports/reports.yaml"
SITE_FILE = "site/site.yaml"
CONFIGURATION_SCHEMAS = {
    BRANDING_FILE: "branding.schema.json",
    REPORTS_FILE: "reports.schema.json",
    SITE_FILE: "site.schema.json",
}
"""Each configuration file under templates/ and the schema in schemas/ that it must satisfy."""


def _frozen(value: object) -> object:
    if isinstance(value, dict):
        return MappingProxyType({k: _frozen(v) for k, v in value.items()})
    if isinstance(value, list):
        return tuple(_frozen(v) for v in value)
    return value


@dataclass(frozen=True)
class Branding:
    """Names, colours, labels and licence, with the reports' settings and the website's wording.

    Everything the coalition may restyle or reword without code; checked against its schemas when read.
    """

    templates: Path
    settings: Mapping[str, object]
    report_settings: Mapping[str, object]
    site_wording: Mapping[str, object]
    language: str = SOURCE_LANGUAGE

    def __getitem__(self, key: str) -> object:
        return self.settings[key]

    def label(self, group: str, value: str) -> str:
        """The display label of a value, e.g. label('priority', 'high') -> 'High priority'."""
        return self.settings["labels"][group].get(value, value)  # type: ignore[index]

    def audience(self, key: str) -> Mapping[str, str]:
        return self.settings["audiences"][key]  # type: ignore[index]

    @property
    def asset_dir(self) -> Path:
        return self.templates / "assets"

    def localised(self, language: str) -> Branding:
        """The configuration with its wording in a language: each file's translation (branding.fr.yaml,
        reports/reports.fr.yaml, site/site.fr.yaml) laid over it; what a translation lacks stays English."""
        if language == self.language:
            return self
        return replace(
            self,
            settings=_overlaid(self.settings, self.templates / BRANDING_FILE, language),
            report_settings=_overlaid(self.report_settings, self.templates / REPORTS_FILE, language),
            site_wording=_overlaid(self.site_wording, self.templates / SITE_FILE, language),
            language=language,
        )


def _overlaid(base: Mapping[str, object], file: Path, language: str) -> Mapping[str, object]:
    """base with the translation of a wording file laid over it (read with quaestio's loader, trusted)."""
    overlay = localised_file(file, language)
    if not overlay.is_file():
        return base
    document, problems = read_yaml(overlay, overlay.name)
    if document is None or has_errors(problems):
        raise ConfigurationError(tuple(problems))
    return _frozen(merged(_plain(base), document.data))  # type: ignore[return-value]


def _plain(value: object) -> object:
    """A frozen mapping back as plain dicts and lists, to merge a translation into it."""
    if isinstance(value, Mapping):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, tuple):
        return [_plain(v) for v in value]
    return value


class ConfigurationError(BuildError):
    """The configuration under templates/ has errors; the message lists them, one finding a line."""

    def __init__(self, findings: tuple[Finding, ...]):
        super().__init__("the configuration has errors:\n" + format_text(findings))
        self.findings = findings


def templates_directory(root: Path) -> Path:
    """The repository's templates/ folder, else the one shipped with quaestio (wheel or source tree)."""
    return resource_directory(root, TEMPLATES_DIR, BRANDING_FILE)


def _shown(root: Path, file: Path) -> str:
    """A file's path as findings name it: relative to the repository when it lies inside it."""
    try:
        return file.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return file.as_posix()


def _logo_finding(templates: Path, document: YamlDocument) -> Finding | None:
    """A finding when the logo does not name a file inside the templates folder."""
    logo = str(document.data["coalition"]["logo"])
    target = (templates / PurePosixPath(logo)).resolve()
    if templates.resolve() in target.parents and target.is_file():
        return None
    return finding(
        document.path,
        document.positions.of_value(("coalition", "logo")),
        Code.ASSET_PATH,
        f"the logo '{logo}' names no file in {templates.name}/",
        f"put the SVG file in {templates.name}/assets/ and write its path as assets/<name>.svg",
    )


@dataclass(frozen=True)
class CheckedBranding:
    """The outcome of checking the configuration: its findings, and the branding when there is no error."""

    branding: Branding | None
    findings: tuple[Finding, ...]
    files: int
    """How many of the configuration files lie in the repository itself (the others are quaestio's own)."""


def read_branding(root: Path) -> CheckedBranding:
    """Read every configuration file with the content loader and check it against its schema."""
    templates = templates_directory(root)
    schemas = load_schemas(
        resource_directory(root, SCHEMAS_DIR, CONFIGURATION_SCHEMAS[BRANDING_FILE]), CONFIGURATION_SCHEMAS.values()
    )
    documents: dict[str, YamlDocument] = {}
    findings: list[Finding] = []
    for name, schema in CONFIGURATION_SCHEMAS.items():
        document, problems = read_yaml(templates / name, _shown(root, templates / name))
        findings += problems
        if document is not None:
            problems = check_document(document, schema, schemas)
            findings += problems
            if not problems:
                documents[name] = document
    if BRANDING_FILE in documents:
        logo = _logo_finding(templates, documents[BRANDING_FILE])
        findings += [logo] if logo else []
    own = sum(1 for name in CONFIGURATION_SCHEMAS if not Path(_shown(root, templates / name)).is_absolute())
    if has_errors(findings):
        return CheckedBranding(None, tuple(ordered(findings)), own)
    data = {name: _frozen(document.data) for name, document in documents.items()}
    branding = Branding(templates, data[BRANDING_FILE], data[REPORTS_FILE], data[SITE_FILE])  # type: ignore[arg-type]
    return CheckedBranding(branding, tuple(ordered(findings)), own)


def load_branding(root: Path) -> Branding:
    """The checked configuration; raises ConfigurationError, listing the findings, when it has errors."""
    checked = read_branding(root)
    if checked.branding is None:
        raise ConfigurationError(checked.findings)
    return checked.branding
