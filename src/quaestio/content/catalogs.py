"""Control catalogs imported into catalogs/<id>.yaml (e.g. NIST SP 800-53): their model and their loader."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import yaml

from quaestio.findings import Code, Finding, finding

CATALOGS_DIR = "catalogs"
CATALOG_ID = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
MAX_CATALOG_BYTES = 16 * 1024 * 1024
REPLACEMENT_KINDS = ("moved_to", "incorporated_into")

_LOADER: type[yaml.CSafeLoader | yaml.SafeLoader]
try:
    _LOADER = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - PyYAML built without libyaml
    _LOADER = yaml.SafeLoader


@dataclass(frozen=True)
class Control:
    """One control or enhancement of a catalog, with its statement as readable text."""

    id: str
    label: str
    title: str
    statement: str
    family: str
    parent: str | None = None
    withdrawn: bool = False
    moved_to: tuple[str, ...] = ()
    incorporated_into: tuple[str, ...] = ()
    language: str = ""

    @property
    def replacements(self) -> tuple[str, ...]:
        """The controls a withdrawn control was moved to or incorporated into."""
        return self.moved_to + self.incorporated_into

    @property
    def name(self) -> str:
        """What people call it: the label if the catalog gives one, else the ID."""
        return self.label or self.id


@dataclass(frozen=True)
class ControlGroup:
    """A top-level group (a family in SP 800-53) and every control under it, enhancements after their parent."""

    id: str
    title: str
    label: str
    controls: tuple[str, ...]


@dataclass(frozen=True)
class Catalog:
    """An imported catalog: what it is, which version, in which language, and its controls in order."""

    id: str
    title: str
    version: str
    oscal_version: str
    language: str
    last_modified: str
    source: str
    source_sha256: str
    file: str
    groups: tuple[ControlGroup, ...]
    controls: tuple[Control, ...] = field(repr=False)

    @cached_property
    def control_by_id(self) -> dict[str, Control]:
        return {c.id: c for c in self.controls}

    @cached_property
    def _by_folded_name(self) -> dict[str, Control]:
        found: dict[str, Control] = {}
        for control in self.controls:
            found.setdefault(control.id.casefold(), control)
            if control.label:
                found.setdefault(control.label.casefold(), control)
        return found

    def find(self, name: str) -> Control | None:
        """A control by its ID ('ir-4') or its label ('IR-4'), in any case."""
        return self.control_by_id.get(name) or self._by_folded_name.get(name.casefold())

    @property
    def short_title(self) -> str:
        """The title before its subtitle: 'NIST Special Publication 800-53 Revision 5'."""
        return self.title.split(": ", 1)[0]

    def language_of(self, control: Control) -> str:
        return control.language or self.language


class _MalformedError(Exception):
    """The catalog file does not have the shape `catalog import` writes; the needle locates the place."""

    def __init__(self, message: str, needle: str = ""):
        super().__init__(message)
        self.needle = needle


def _text(node: dict, key: str, where: str, required: bool = True) -> str:
    value = node.get(key)
    if value in (None, "") and not required:
        return ""
    if not isinstance(value, (str, int, float)) or isinstance(value, bool) or str(value) == "":
        raise _MalformedError(f"{where} has no text '{key}'", str(node.get("id", "")))
    return str(value)


def _ids(node: dict, key: str, where: str) -> tuple[str, ...]:
    value = node.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise _MalformedError(f"'{key}' of {where} must be a list of control IDs", str(node.get("id", "")))
    return tuple(value)


def _mappings(node: dict, key: str, where: str) -> list[dict]:
    value = node.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
        raise _MalformedError(f"'{key}' of {where} must be a list of mappings", str(node.get("id", "")))
    return value


def _controls(nodes: list[dict], family: str, parent: str | None, where: str) -> Iterator[Control]:
    for node in nodes:
        control_id = _text(node, "id", f"a control of {where}")
        here = f"the control '{control_id}'"
        yield Control(
            id=control_id,
            label=_text(node, "label", here, required=False),
            title=_text(node, "title", here),
            statement=_text(node, "statement", here, required=False),
            family=family,
            parent=parent,
            withdrawn=node.get("withdrawn") is True,
            moved_to=_ids(node, "moved_to", here),
            incorporated_into=_ids(node, "incorporated_into", here),
            language=_text(node, "language", here, required=False),
        )
        yield from _controls(_mappings(node, "controls", here), family, control_id, here)


def _group_controls(node: dict, family: str, where: str) -> Iterator[Control]:
    yield from _controls(_mappings(node, "controls", where), family, None, where)
    for sub in _mappings(node, "groups", where):
        yield from _group_controls(sub, family, f"the group '{sub.get('id', '?')}'")


def catalog_from_data(data: object, file: str, expected_id: str) -> Catalog:
    """The model of a catalog file's data; raises _MalformedError when it is not what `catalog import` writes."""
    if not isinstance(data, dict):
        raise _MalformedError("the file does not hold a catalog's fields (id, title, version, groups)")
    catalog_id = _text(data, "id", "the catalog")
    if catalog_id != expected_id:
        raise _MalformedError(
            f"the catalog's id '{catalog_id}' differs from its file name {expected_id}.yaml", catalog_id
        )
    groups: list[ControlGroup] = []
    controls: list[Control] = []
    for node in _mappings(data, "groups", "the catalog"):
        group_id = _text(node, "id", "a group of the catalog")
        where = f"the group '{group_id}'"
        members = list(_group_controls(node, group_id, where))
        controls += members
        groups.append(
            ControlGroup(
                group_id, _text(node, "title", where), _text(node, "label", where, False), tuple(c.id for c in members)
            )
        )
    loose = list(_controls(_mappings(data, "controls", "the catalog"), "", None, "the catalog"))
    if loose:
        controls += loose
        groups.append(ControlGroup("", "Other controls", "", tuple(c.id for c in loose)))
    return Catalog(
        id=catalog_id,
        title=_text(data, "title", "the catalog"),
        version=_text(data, "version", "the catalog"),
        oscal_version=_text(data, "oscal_version", "the catalog", False),
        language=_text(data, "language", "the catalog", False) or "en",
        last_modified=_text(data, "last_modified", "the catalog", False),
        source=_text(data, "source", "the catalog", False),
        source_sha256=_text(data, "source_sha256", "the catalog", False),
        file=file,
        groups=tuple(groups),
        controls=tuple(controls),
    )


def _place(text: str, needle: str) -> tuple[int, int]:
    at = text.find(needle) if needle else -1
    if at < 0:
        return (1, 1)
    return (text.count("\n", 0, at) + 1, at - (text.rfind("\n", 0, at) + 1) + 1)


def catalog_data(text: str) -> object:
    """The data of a catalog file's text (YAML 1.1, as `catalog import` writes it); yaml.YAMLError if it is
    not YAML."""
    return yaml.load(text, Loader=_LOADER)


CatalogReader = Callable[[str], object]


def parse_catalog(
    text: str, file: str, expected_id: str, read: CatalogReader = catalog_data
) -> tuple[Catalog | None, list[Finding]]:
    """A catalog from the text of catalogs/<id>.yaml, or a finding saying why it cannot be used.

    read gives the text's data (a cache may stand in for `catalog_data`)."""
    hint = "import the catalog again with `quaestio catalog import FILE --id ID` rather than editing it by hand"
    try:
        data = read(text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        where = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        return None, [finding(file, where, Code.CATALOG_FILE, f"YAML syntax error: {exc.problem}", hint)]
    except yaml.YAMLError as exc:
        return None, [finding(file, (1, 1), Code.CATALOG_FILE, f"the file cannot be read as YAML: {exc}", hint)]
    try:
        catalog = catalog_from_data(data, file, expected_id)
    except _MalformedError as problem:
        return None, [finding(file, _place(text, problem.needle), Code.CATALOG_FILE, str(problem), hint)]
    seen: set[str] = set()
    for control in catalog.controls:
        if control.id in seen:
            where = _place(text, f"id: {control.id}\n")
            message = f"the control ID '{control.id}' appears twice"
            return None, [finding(file, where, Code.CATALOG_FILE, message, hint)]
        seen.add(control.id)
    return catalog, []


def load_catalogs(root: Path, read: CatalogReader = catalog_data) -> tuple[tuple[Catalog, ...], list[Finding]]:
    """Every catalogs/<id>.yaml under root, in name order, and findings for the files that cannot be used
    (read gives a file's data from its text, see `parse_catalog`)."""
    folder = root / CATALOGS_DIR
    if not folder.is_dir():
        return (), []
    catalogs: list[Catalog] = []
    findings: list[Finding] = []
    for path in sorted(folder.iterdir()):
        if not path.is_file() or path.suffix not in (".yaml", ".yml"):
            continue
        relative = f"{CATALOGS_DIR}/{path.name}"
        if path.suffix != ".yaml" or not CATALOG_ID.match(path.stem):
            message = f"'{path.name}' is not a catalog file name: catalogs/<id>.yaml, the id in lower case and dashes"
            findings.append(
                finding(relative, (1, 1), Code.CATALOG_FILE, message, "rename it, e.g. nist-sp-800-53.yaml")
            )
            continue
        try:
            size = path.stat().st_size
            if size > MAX_CATALOG_BYTES:
                message = f"the file is {size / 1048576:.1f} MiB; a catalog file may be at most 16 MiB"
                findings.append(finding(relative, (1, 1), Code.CATALOG_FILE, message))
                continue
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            findings.append(finding(relative, (1, 1), Code.CATALOG_FILE, f"the file cannot be read: {exc}"))
            continue
        catalog, problems = parse_catalog(text, relative, path.stem, read)
        findings += problems
        if catalog is not None:
            catalogs.append(catalog)
    return tuple(catalogs), findings
