"""`catalog import`: read an OSCAL catalog (JSON, YAML or XML, parsed safely) into compact catalogs/<id>.yaml."""

from __future__ import annotations

import hashlib
import json
import re
import xml.etree.ElementTree as ElementTree
from bisect import bisect_right
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import defusedxml
import yaml
from defusedxml.ElementTree import DefusedXMLParser

from quaestio.content.catalogs import CATALOG_ID, CATALOGS_DIR, parse_catalog
from quaestio.findings import Code, Finding, finding, has_errors
from quaestio.output import write_atomically

MAX_IMPORT_BYTES = 64 * 1024 * 1024
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
_INSERT = re.compile(r"\{\{\s*insert:\s*([a-z-]+)\s*,\s*([^\s}]+)\s*\}\}")
_SPACE = re.compile(r"[ \t\r\n]+")
# OSCAL JSON and YAML write prose as Markdown; the XML form as markup. Both are kept as plain text.
_MARKDOWN_LINK = re.compile(r"\[([^\]]*)\]\([^)\s]*\)")
_MARKDOWN_STRONG = re.compile(r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1")
_LANGUAGE = re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$")
_HEADER = (
    "# Imported with `quaestio catalog import` from {source}; import it again rather than editing it.\n"
    "# Each control keeps its ID, label, title and statement ([Assignment: ...] and [Selection: ...]\n"
    "# stand for the catalog's parameters), and a withdrawn control names where it went.\n"
)


@dataclass(frozen=True)
class CatalogImport:
    """What `catalog import` made of a file: where it writes, what it holds and what was wrong."""

    path: str
    catalog_id: str = ""
    title: str = ""
    version: str = ""
    controls: int = 0
    withdrawn: int = 0
    groups: int = 0
    language: str = ""
    findings: tuple[Finding, ...] = ()
    text: str = field(default="", repr=False)


class _RefusedError(Exception):
    """Stops an import at a problem that leaves nothing to import."""

    def __init__(self, problem: Finding):
        super().__init__(problem.message)
        self.finding = problem


def is_token(value: str) -> bool:
    """OSCAL's token: a letter or '_', then letters, digits, '.', '-' or '_' (its pattern uses \\p{L} and \\p{N})."""
    return bool(value) and (value[0].isalpha() or value[0] == "_") and all(c.isalnum() or c in ".-_" for c in value[1:])


class _Places:
    """Where things stand in the imported file: XML elements carry their line; JSON and YAML are searched."""

    def __init__(self, file: str, text: str):
        self.file = file
        self.text = text
        self._starts = [0] + [m.end() for m in re.finditer("\n", text)]
        self.lines: dict[int, int] = {}  # id(xml element) -> line

    def of(self, node: object, *needles: str) -> tuple[int, int]:
        """The line of an XML element, else the first place where one of the needles (tried in turn) stands."""
        line = self.lines.get(id(node))
        if line is not None:
            return (line, 1)
        for needle in needles:
            at = self.text.find(needle) if needle else -1
            if at >= 0:
                number = bisect_right(self._starts, at)
                return (number, at - self._starts[number - 1] + 1)
        return (1, 1)


# ---------------------------------------------------------------- reading the three formats


def _refuse(file: str, position: tuple[int, int], code: Code, message: str, hint: str) -> _RefusedError:
    return _RefusedError(finding(file, position, code, message, hint))


def _read_json(text: str, file: str) -> object:
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise _refuse(
            file, (exc.lineno, exc.colno), Code.NOT_A_CATALOG, f"the JSON cannot be read: {exc.msg}", _FORMAT_HINT
        ) from None


_YAML_LOADER: type[yaml.CSafeLoader | yaml.SafeLoader]
try:
    _YAML_LOADER = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - PyYAML built without libyaml
    _YAML_LOADER = yaml.SafeLoader


class _TextDates(_YAML_LOADER):  # type: ignore[misc, valid-type]  # a base chosen at import time
    """The safe loader, with dates left as the text they are written as (OSCAL's dates are strings)."""


_TextDates.yaml_implicit_resolvers = {
    first: [(tag, pattern) for tag, pattern in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in _YAML_LOADER.yaml_implicit_resolvers.items()
}


def _read_yaml(text: str, file: str) -> object:
    try:
        if "&" in text or "*" in text:  # refuse anchors and aliases before anything is expanded
            for event in yaml.parse(text, Loader=_YAML_LOADER):
                if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
                    mark = event.start_mark
                    raise _refuse(
                        file,
                        (mark.line + 1, mark.column + 1) if mark is not None else (1, 1),
                        Code.NOT_A_CATALOG,
                        "the YAML uses an anchor or alias (&x, *x), which an OSCAL catalog does not need",
                        "write the values out in full, or import the catalog's JSON or XML version",
                    )
        return yaml.load(text, Loader=_TextDates)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        where = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        raise _refuse(
            file, where, Code.NOT_A_CATALOG, f"the YAML cannot be read: {exc.problem}", _FORMAT_HINT
        ) from None
    except yaml.YAMLError as exc:
        raise _refuse(file, (1, 1), Code.NOT_A_CATALOG, f"the YAML cannot be read: {exc}", _FORMAT_HINT) from None


_FORMAT_HINT = "check that this is the catalog file itself (OSCAL JSON, YAML or XML), complete and unchanged"


class _LineTreeBuilder(ElementTree.TreeBuilder):
    """A tree builder that notes the line of every element it starts."""

    def __init__(self, lines: dict[int, int]):
        super().__init__()
        self.lines = lines
        self.parser: DefusedXMLParser | None = None

    def start(self, tag: str, attrs: dict[str, str]) -> ElementTree.Element:
        element = super().start(tag, attrs)
        if self.parser is not None:
            self.lines[id(element)] = self.parser.parser.CurrentLineNumber
        return element


def _read_xml(raw: bytes, places: _Places) -> ElementTree.Element:
    """Parse XML with expat through defusedxml: any DTD, entity declaration or external reference is refused."""
    builder = _LineTreeBuilder(places.lines)
    parser = DefusedXMLParser(target=builder, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    builder.parser = parser
    try:
        parser.feed(raw)
        return parser.close()
    except defusedxml.DefusedXmlException as exc:
        line = parser.parser.CurrentLineNumber
        kind = {
            "DTDForbidden": "a document type declaration (DTD)",
            "EntitiesForbidden": "an entity declaration",
            "ExternalReferenceForbidden": "a reference to an external resource",
        }.get(type(exc).__name__, "a construct that could read files or expand without bound")
        raise _refuse(
            places.file,
            (line, 1),
            Code.UNSAFE_XML,
            f"the XML contains {kind}; quaestio refuses it before expanding anything (no file or address is read)",
            "OSCAL catalogs need no DTD or entities: remove the <!DOCTYPE ...> declaration, or use the JSON version",
        ) from None
    except ElementTree.ParseError as exc:
        line, column = exc.position
        message = str(exc).split(":")[0]
        raise _refuse(
            places.file, (line, column + 1), Code.NOT_A_CATALOG, f"the XML cannot be read: {message}", _FORMAT_HINT
        ) from None


# ---------------------------------------------------------------- OSCAL XML to the JSON shape


def _local(tag: object) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _inline(element: ElementTree.Element) -> str:
    """The text of a markup element, with <insert> written as OSCAL JSON writes it."""
    parts = [element.text or ""]
    for child in element:
        if _local(child.tag) == "insert":
            parts.append(f"{{{{ insert: {child.get('type', 'param')}, {child.get('id-ref', '')} }}}}")
        else:
            parts.append(_inline(child))
        parts.append(child.tail or "")
    return "".join(parts)


_BLOCKS = {"p", "li", "h1", "h2", "h3", "h4", "h5", "h6", "pre", "blockquote", "tr"}


def _prose(element: ElementTree.Element) -> str:
    """Markup-multiline content (p, ol, ul, li, table ...) as paragraphs separated by blank lines."""
    paragraphs: list[str] = []
    for child in element:
        name = _local(child.tag)
        if name in _BLOCKS:
            paragraphs.append(_inline(child))
        elif name in ("ol", "ul", "table", "thead", "tbody"):
            paragraphs.append(_prose(child))
    return "\n\n".join(p for p in paragraphs if p.strip())


_PLURAL = {"group": "groups", "control": "controls", "part": "parts", "param": "params", "prop": "props"}
_INLINE_FIELDS = ("title", "label", "version", "oscal-version", "last-modified", "how-many")


def _xml_child(node: dict, child: ElementTree.Element, places: _Places, language: str, prose: list[str]) -> None:
    """Put one child element of an OSCAL XML element where OSCAL JSON has it (prose collects the text blocks)."""
    name = _local(child.tag)
    if name in _PLURAL:
        node.setdefault(_PLURAL[name], []).append(_xml_node(child, places, language))
    elif name == "link":
        link = dict(child.attrib)
        places.lines[id(link)] = places.lines.get(id(child), 1)
        node.setdefault("links", []).append(link)
    elif name in _INLINE_FIELDS:
        node[name] = _inline(child)
    elif name == "select":
        node["select"] = {
            "how-many": child.get("how-many", ""),
            "choice": [_inline(c) for c in child if _local(c.tag) == "choice"],
        }
    elif name == "value":
        node.setdefault("values", []).append(_inline(child))
    elif name == "metadata":
        node["metadata"] = _xml_node(child, places, language)
    elif name in _BLOCKS:
        prose.append(_inline(child))
    elif name in ("ol", "ul", "table"):
        prose.append(_prose(child))


def _xml_node(element: ElementTree.Element, places: _Places, language: str) -> dict:
    """An OSCAL XML element (catalog, group, control, part, param ...) in the shape OSCAL JSON gives it."""
    node: dict = {key: value for key, value in element.attrib.items() if "}" not in key}
    language = element.get(XML_LANG, language)
    node["_lang"] = language
    places.lines[id(node)] = places.lines.get(id(element), 1)
    prose: list[str] = []
    for child in element:
        _xml_child(node, child, places, language, prose)
    if prose:
        node["prose"] = "\n\n".join(prose)
    return node


# ---------------------------------------------------------------- the compact catalog


@dataclass
class _Context:
    places: _Places
    params: dict[str, dict]
    ids: set[str]
    findings: list[Finding] = field(default_factory=list)

    def warn(self, node: object, value: str, field: str, message: str, hint: str) -> None:
        """A deviation, placed at the node's line (XML) or where `field: value` is written (JSON, YAML)."""
        needles = (f'"{field}": {json.dumps(value)}', f"{field}: {value}\n", f"{field}: '{value}'") if value else ()
        place = self.places.of(node, *needles)
        self.findings.append(finding(self.places.file, place, Code.CATALOG_DEVIATION, message, hint))


def _list(node: dict, key: str) -> list:
    value = node.get(key)
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []


def _label(node: dict) -> str:
    for prop in _list(node, "props"):
        if prop.get("name") == "label" and not prop.get("ns"):
            return str(prop.get("value", ""))
    return ""


def _walk_params(node: dict) -> Iterator[dict]:
    yield from _list(node, "params")
    for key in ("groups", "controls"):
        for child in _list(node, key):
            yield from _walk_params(child)


def _walk_ids(node: dict, key: str) -> Iterator[str]:
    for child in _list(node, key):
        if isinstance(child.get("id"), str):
            yield child["id"]
        yield from _walk_ids(child, "controls")
        if key == "groups":
            yield from _walk_ids(child, "groups")


def _render(prose: str, context: _Context, depth: int = 0) -> str:
    """Prose with each {{ insert: param, id }} shown as its values, [Selection: ...] or [Assignment: ...]."""

    def replace(match: re.Match) -> str:
        kind, identifier = match.group(1), match.group(2)
        param = context.params.get(identifier)
        if kind != "param" or param is None or depth > 4:
            return f"[Assignment: {identifier}]" if kind == "param" else match.group(0)
        values = [str(v) for v in param.get("values", []) if isinstance(v, (str, int, float))]
        if values:
            return "; ".join(values)
        select = param.get("select")
        if isinstance(select, dict):
            choices = [_render(str(c), context, depth + 1) for c in select.get("choice", [])]
            many = " (one or more)" if select.get("how-many") == "one-or-more" else ""
            return f"[Selection{many}: {'; '.join(choices)}]"
        label = param.get("label")
        return f"[Assignment: {_render(str(label), context, depth + 1)}]" if label else f"[Assignment: {identifier}]"

    plain = _MARKDOWN_STRONG.sub(r"\2", _MARKDOWN_LINK.sub(r"\1", prose))
    return _INSERT.sub(replace, plain)


def _one_line(text: str) -> str:
    return _SPACE.sub(" ", text).strip()


def _statement_lines(part: dict, context: _Context, depth: int) -> Iterator[str]:
    for child in _list(part, "parts"):
        if child.get("name") not in ("item", "statement"):
            continue
        label = _label(child)
        prose = _one_line(_render(str(child.get("prose", "")), context))
        text = f"{label} {prose}".strip()
        if text:
            yield "  " * depth + text
        yield from _statement_lines(child, context, depth + 1)


def _statement(control: dict, context: _Context) -> str:
    for part in _list(control, "parts"):
        if part.get("name") == "statement":
            lead = [_one_line(_render(p, context)) for p in str(part.get("prose", "")).split("\n\n") if p.strip()]
            return "\n".join([*lead, *_statement_lines(part, context, 0)])
    return ""


def _check_id(node: dict, what: str, context: _Context) -> str:
    identifier = node.get("id")
    if not isinstance(identifier, str) or not identifier:
        context.warn(node, "", "id", f"a {what} has no ID; it is left out", "give it an 'id' in the source catalog")
        return ""
    if not is_token(identifier):
        context.warn(
            node,
            identifier,
            "id",
            f"the {what} ID '{identifier}' is not an OSCAL token (a letter, then letters, digits, '.', '-', '_')",
            "it is imported as it is; mappings must name it exactly so",
        )
    return identifier


def _targets(control: dict, rel: str, context: _Context) -> list[str]:
    found = []
    for link in _list(control, "links"):
        if link.get("rel") != rel:
            continue
        href = str(link.get("href", ""))
        target = href[1:] if href.startswith("#") else href
        if not href.startswith("#"):
            context.warn(
                link,
                href,
                "href",
                f"the '{rel}' link of '{control.get('id')}' points to '{href}', "
                "without the '#' of a link inside the catalog",
                f"read as '#{target}'" if target in context.ids else "the link is left out: no control has that ID",
            )
        if target in context.ids:
            found.append(target)
    return found


def _compact_control(node: dict, context: _Context, language: str) -> dict | None:
    identifier = _check_id(node, "control", context)
    if not identifier:
        return None
    compact: dict = {"id": identifier}
    label = _label(node)
    if label:
        compact["label"] = label
    compact["title"] = _one_line(_render(str(node.get("title", "")), context)) or identifier
    statement = _statement(node, context)
    if statement:
        compact["statement"] = statement
    if node.get("_lang") and node["_lang"] != language:
        compact["language"] = node["_lang"]
    if any(p.get("name") == "status" and str(p.get("value", "")).lower() == "withdrawn" for p in _list(node, "props")):
        compact["withdrawn"] = True
        for rel, key in (("moved-to", "moved_to"), ("incorporated-into", "incorporated_into")):
            targets = _targets(node, rel, context)
            if targets:
                compact[key] = targets
    children = [c for c in (_compact_control(child, context, language) for child in _list(node, "controls")) if c]
    if children:
        compact["controls"] = children
    return compact


def _compact_group(node: dict, context: _Context, language: str) -> dict | None:
    identifier = _check_id(node, "group", context)
    if not identifier:
        return None
    compact: dict = {"id": identifier, "title": _one_line(str(node.get("title", ""))) or identifier}
    label = _label(node)
    if label:
        compact["label"] = label
    controls = [c for c in (_compact_control(child, context, language) for child in _list(node, "controls")) if c]
    if controls:
        compact["controls"] = controls
    groups = [g for g in (_compact_group(child, context, language) for child in _list(node, "groups")) if g]
    if groups:
        compact["groups"] = groups
    return compact


def _declared_language(catalog: dict, metadata: dict) -> str:
    for node in (catalog, metadata):
        if isinstance(node.get("_lang"), str) and node["_lang"]:
            return node["_lang"]
    for prop in _list(metadata, "props"):
        if prop.get("name") in ("language", "lang") and isinstance(prop.get("value"), str):
            return prop["value"]
    return ""


def _compact(
    document: object, places: _Places, language: str | None, catalog_id: str, source: str, digest: str
) -> tuple[dict, list[Finding]]:
    if not isinstance(document, dict) or not isinstance(document.get("catalog"), dict):
        kinds = ("profile", "component-definition", "system-security-plan", "assessment-plan", "mapping-collection")
        held = next((k for k in kinds if isinstance(document, dict) and k in document), None)
        what = f"an OSCAL {held}" if held else "no OSCAL catalog (no top-level 'catalog')"
        raise _refuse(places.file, (1, 1), Code.NOT_A_CATALOG, f"the file holds {what}", "import an OSCAL catalog")
    catalog = document["catalog"]
    metadata = catalog.get("metadata") if isinstance(catalog.get("metadata"), dict) else {}
    title = _one_line(str(metadata.get("title", "")))
    if not title:
        raise _refuse(places.file, (1, 1), Code.NOT_A_CATALOG, "the catalog has no metadata title", _FORMAT_HINT)
    context = _Context(
        places,
        {p["id"]: p for p in _walk_params(catalog) if isinstance(p.get("id"), str)},
        set(_walk_ids(catalog, "groups")) | set(_walk_ids(catalog, "controls")),
    )
    declared = _declared_language(catalog, metadata)
    if language is None and not declared:
        context.warn(
            metadata,
            "",
            "",
            "the catalog does not say which language its texts are in; they are marked as English",
            "give --lang (for example --lang de) to mark them with their language",
        )
    chosen = language or declared or "en"
    compact: dict = {
        "id": catalog_id,
        "title": title,
        "version": str(metadata.get("version", "")) or "unversioned",
        "oscal_version": str(metadata.get("oscal-version", "")),
        "language": chosen,
        "last_modified": str(metadata.get("last-modified", "")),
        "source": source,
        "source_sha256": digest,
    }
    groups = [g for g in (_compact_group(g, context, chosen) for g in _list(catalog, "groups")) if g]
    if groups:
        compact["groups"] = groups
    controls = [c for c in (_compact_control(c, context, chosen) for c in _list(catalog, "controls")) if c]
    if controls:
        compact["controls"] = controls
    if not groups and not controls:
        raise _refuse(places.file, (1, 1), Code.NOT_A_CATALOG, "the catalog has no groups or controls", _FORMAT_HINT)
    return compact, context.findings


# ---------------------------------------------------------------- writing


class _Dumper(yaml.SafeDumper):
    """Block style, multi-line statements as literal blocks, no aliases."""

    def ignore_aliases(self, data: object) -> bool:
        return True


def _string(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value and not any(line != line.rstrip() for line in value.split("\n")) else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _string)


def catalog_yaml(compact: dict) -> str:
    """The compact catalog as the text of catalogs/<id>.yaml."""
    body = yaml.dump(compact, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=100, indent=2)
    return _HEADER.format(source=compact["source"]) + body


def default_id(file: Path) -> str:
    """A catalog ID from a file name: 'NIST_SP-800-53_rev5_catalog.json' -> 'nist-sp-800-53-rev5-catalog'."""
    return re.sub(r"[^a-z0-9]+", "-", file.stem.lower()).strip("-")


def _count(compact: dict) -> tuple[int, int]:
    controls = withdrawn = 0
    stack = [compact]
    while stack:
        node = stack.pop()
        for control in node.get("controls", []):
            controls += 1
            withdrawn += bool(control.get("withdrawn"))
            stack.append(control)
        stack += node.get("groups", [])
    return controls, withdrawn


def _read_document(file: Path, raw: bytes, shown: str) -> tuple[object, _Places]:
    """The catalog file in OSCAL JSON's shape, whatever its format, and where its parts stand."""
    suffix = file.suffix.lower()
    if suffix not in (".json", ".yaml", ".yml", ".xml"):
        raise _refuse(
            shown, (1, 1), Code.NOT_A_CATALOG, f"'{file.name}' is not a .json, .yaml or .xml file", _FORMAT_HINT
        )
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        if suffix != ".xml":
            raise _refuse(shown, (1, 1), Code.NOT_A_CATALOG, "the file is not UTF-8 text", _FORMAT_HINT) from None
        text = ""
    places = _Places(shown, text)
    if suffix == ".xml":
        root = _read_xml(raw, places)
        if _local(root.tag) != "catalog":
            raise _refuse(
                shown, (1, 1), Code.NOT_A_CATALOG, f"the XML holds <{_local(root.tag)}>, not an OSCAL <catalog>", ""
            )
        catalog = _xml_node(root, places, root.get(XML_LANG, ""))
        document: object = {"catalog": catalog}
    else:
        document = _read_json(text, shown) if suffix == ".json" else _read_yaml(text, shown)
    return document, places


def read_catalog(file: Path, shown: str, catalog_id: str, language: str | None = None) -> CatalogImport:
    """Import a catalog file into the text of catalogs/<id>.yaml; nothing is written here."""
    target = f"{CATALOGS_DIR}/{catalog_id}.yaml"
    if language is not None and not _LANGUAGE.match(language):
        message = f"'{language}' is not a language tag"
        problem = finding(shown, (1, 1), Code.NOT_A_CATALOG, message, "write a BCP 47 tag such as en, fr, de or de-DE")
        return CatalogImport(target, catalog_id, findings=(problem,))
    try:
        size = file.stat().st_size
        if size > MAX_IMPORT_BYTES:
            raise _refuse(
                shown,
                (1, 1),
                Code.NOT_A_CATALOG,
                f"the file is {size / 1048576:.1f} MiB; catalogs of up to 64 MiB are imported",
                _FORMAT_HINT,
            )
        raw = file.read_bytes()
        document, places = _read_document(file, raw, shown)
        compact, warnings = _compact(document, places, language, catalog_id, file.name, hashlib.sha256(raw).hexdigest())
    except _RefusedError as refused:
        return CatalogImport(target, catalog_id, findings=(refused.finding,))
    except OSError as exc:
        problem = finding(shown, (1, 1), Code.NOT_A_CATALOG, f"the file cannot be read: {exc.strerror or exc}")
        return CatalogImport(target, catalog_id, findings=(problem,))
    except RecursionError:
        problem = finding(shown, (1, 1), Code.NOT_A_CATALOG, "the catalog is nested too deeply to be read", "")
        return CatalogImport(target, catalog_id, findings=(problem,))
    output = catalog_yaml(compact)
    checked, problems = parse_catalog(output, target, catalog_id)  # read back with the validator's own loader
    controls, withdrawn = _count(compact)
    return CatalogImport(
        target,
        catalog_id,
        compact["title"],
        compact["version"],
        controls,
        withdrawn,
        len(compact.get("groups", [])),
        compact["language"],
        tuple(warnings) + tuple(problems),
        output if checked is not None else "",
    )


def import_catalog(root: Path, file: Path, catalog_id: str | None = None, language: str | None = None) -> CatalogImport:
    """Import a catalog into root/catalogs/<id>.yaml, atomically; on any error nothing is written."""
    identifier = catalog_id or default_id(file)
    if not CATALOG_ID.match(identifier):
        problem = finding(
            str(file),
            (1, 1),
            Code.NOT_A_CATALOG,
            f"'{identifier}' cannot be a catalog ID",
            "give --id in lower case letters, digits and dashes, e.g. --id nist-sp-800-53-rev5",
        )
        return CatalogImport(f"{CATALOGS_DIR}/{identifier}.yaml", identifier, findings=(problem,))
    done = read_catalog(file, str(file), identifier, language)
    if has_errors(done.findings) or not done.text:
        return done
    try:
        write_atomically(root / done.path, done.text)
    except OSError as exc:
        problem = finding(done.path, (1, 1), Code.WRITE_FAILED, f"the catalog could not be written: {exc.strerror}")
        return CatalogImport(done.path, identifier, findings=(*done.findings, problem))
    return done
