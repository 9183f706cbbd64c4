"""Canonical formatting of content files with ruamel.yaml: schema key order, indentation, width, block text."""

from __future__ import annotations

import difflib
import io
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import yaml
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import CommentMark, YAMLError
from ruamel.yaml.scalarstring import FoldedScalarString, LiteralScalarString
from ruamel.yaml.tokens import CommentToken

from quaestio.content.layout import Kind, discover
from quaestio.content.load import parse_yaml, read_yaml
from quaestio.content.schema import COMMON_FILE, SCHEMA_FILES
from quaestio.findings import Code, Finding, finding, has_errors
from quaestio.output import write_atomically

WIDTH = 100  # the longest line fmt writes, where text can be folded at a space
INDENT = 2
MODELINE = "# yaml-language-server: $schema="
_MAX_PASSES = 3

Schemas = Mapping[str, dict]


def modeline(kind: Kind) -> str:
    """The first line of a content file: which schema editors should use for it."""
    relative = "../schemas/" if kind is Kind.TOPIC else "../../schemas/"
    return f"{MODELINE}{relative}{SCHEMA_FILES[kind]}"


def read_schemas(directory: Path) -> dict[str, dict]:
    """The schema documents, by file name, that give the canonical key order."""
    return {
        name: json.loads((directory / name).read_text(encoding="utf-8"))
        for name in (COMMON_FILE, *SCHEMA_FILES.values())
    }


def yaml_round_trip() -> YAML:
    """A ruamel.yaml round-trip reader and writer with quaestio's canonical settings."""
    yaml = YAML(typ="rt")
    yaml.preserve_quotes = True
    yaml.width = 4096  # quaestio folds long text itself (see _fold), so ruamel never wraps a line
    yaml.indent(mapping=INDENT, sequence=2 * INDENT, offset=INDENT)
    return yaml


def dump(yaml: YAML, data: CommentedMap) -> str:
    """Serialise round-trip data to text."""
    stream = io.StringIO()
    yaml.dump(data, stream)
    return stream.getvalue()


def without_modeline(text: str) -> str:
    """The text without a byte-order mark, Windows line ends and its `# yaml-language-server:` line."""
    text = text.removeprefix("\ufeff").replace("\r\n", "\n")
    first, _, rest = text.partition("\n")
    return rest if first.startswith("# yaml-language-server:") else text


# -- the canonical form -------------------------------------------------------------------------


def _resolve(schema: dict, node: object, schemas: Schemas, own: str) -> dict:
    """The schema that applies to node: follow $ref and choose the anyOf branch of node's kind."""
    for _ in range(8):
        if "$ref" in schema:
            target, _, pointer = schema["$ref"].partition("#")
            document = schemas.get(target or own, {})
            for step in pointer.strip("/").split("/") if pointer.strip("/") else ():
                document = document.get(step, {})
            own = target or own
            schema = {**document, **{k: v for k, v in schema.items() if k != "$ref"}}
            continue
        if "anyOf" in schema:
            wanted = "object" if isinstance(node, dict) else "array" if isinstance(node, list) else "string"
            for branch in schema["anyOf"]:
                branch = _resolve(branch, node, schemas, own)
                if branch.get("type") == wanted:
                    return branch
            return {}
        return schema
    return schema


def _ordered(mapping: CommentedMap, properties: Sequence[str]) -> None:
    order = [k for k in properties if k in mapping] + [k for k in mapping if k not in properties]
    if list(mapping) != order:
        for key in order:
            mapping.move_to_end(key)


def _breakable(text: str) -> list[int]:
    """The spaces a folded scalar may break at: single spaces between two other characters."""
    return [i for i in range(1, len(text) - 1) if text[i] == " " and text[i - 1] != " " and text[i + 1] != " "]


def _fold(text: str, available: int) -> list[int]:
    """Greedy word wrap: the spaces to break at so that no line is longer than available, if it can be."""
    positions: list[int] = []
    start = 0
    last: int | None = None
    for index in _breakable(text):
        if index - start > available and last is not None and last >= start:
            positions.append(last)
            start = last + 1
        last = index
    if len(text) - start > available and last is not None and last >= start:
        positions.append(last)
    return positions


def _foldable(text: str) -> bool:
    return bool(text) and text == text.strip() and "\n" not in text and text.isprintable() and bool(_breakable(text))


def _literal_safe(text: str) -> bool:
    lines = text.split("\n")
    return (
        all(line.isprintable() and line == line.rstrip() for line in lines)
        and not text.startswith((" ", "\n"))
        and not text.endswith("\n\n")
    )


def _flow_width(node: object) -> int:
    if isinstance(node, dict):
        return 2 + sum(len(str(k)) + 2 + _flow_width(v) + 2 for k, v in node.items())
    if isinstance(node, list):
        return 2 + sum(_flow_width(v) + 2 for v in node)
    return len(str(node)) + 2


def _scalar(value: object, column: int, label: int) -> object:
    """A text value in canonical style; column is where block content starts, label the width before it."""
    if not isinstance(value, str) or isinstance(value, LiteralScalarString):
        return value
    available = WIDTH - column
    if isinstance(value, FoldedScalarString):
        if "\n" in value:
            return value
        cuts = [0, *(p + 1 for p in getattr(value, "fold_pos", []))]
        longest = max(len(value[a:b]) for a, b in zip(cuts, [c - 1 for c in cuts[1:]] + [len(value)], strict=True))
        if longest <= available or not _foldable(value):
            return value
        refolded = FoldedScalarString(str(value))
        refolded.fold_pos = _fold(str(value), available)
        return refolded
    if "\n" in value:
        return LiteralScalarString(str(value)) if _literal_safe(value) else value
    quotes = 2 if type(value) is not str else 0
    if label + len(value) + quotes > WIDTH and _foldable(value):
        folded = FoldedScalarString(str(value))
        folded.fold_pos = _fold(str(value), available)
        return folded
    return value


def canonical_scalar(value: object, column: int, label: int) -> object:
    """A text value in canonical style (plain, folded or literal), for files fmt does not walk itself."""
    return _scalar(value, column, label)


def _normalise(node: object, schema: dict, column: int, schemas: Schemas, own: str) -> None:
    """Put node (a mapping or list whose entries start at column) into canonical form, in place."""
    schema = _resolve(schema, node, schemas, own)
    if isinstance(node, CommentedMap):
        properties = schema.get("properties", {})
        _ordered(node, list(properties))
        for key in list(node):
            _child(node, key, properties.get(key, {}), column, column + len(str(key)) + 2, schemas, own)
    elif isinstance(node, CommentedSeq):
        items = schema.get("items", {})
        for index in range(len(node)):
            _child(node, index, items, column + INDENT, column + INDENT, schemas, own)


def _reorder(node: object, schema: dict, schemas: Schemas, own: str) -> None:
    """Put the keys of node and of every mapping inside it in schema order, changing nothing else."""
    schema = _resolve(schema, node, schemas, own)
    if isinstance(node, CommentedMap):
        properties = schema.get("properties", {})
        _ordered(node, list(properties))
        for key, value in node.items():
            _reorder(value, properties.get(key, {}), schemas, own)
    elif isinstance(node, CommentedSeq):
        for value in node:
            _reorder(value, schema.get("items", {}), schemas, own)


def _child(
    parent: CommentedMap | CommentedSeq, key: object, schema: dict, column: int, label: int, schemas: Schemas, own: str
) -> None:
    """Canonicalise parent[key]: column is where it would start on a line of its own."""
    value = parent[key]
    if isinstance(value, (CommentedMap, CommentedSeq)):
        if value.fa.flow_style():
            if label + _flow_width(value) > WIDTH and not _has_line_comment(parent, key):
                value.fa.set_block_style()
            else:
                _reorder(value, schema, schemas, own)  # short flow collections stay on one line
                return
        nested = column + INDENT if isinstance(parent, CommentedMap) else column
        _normalise(value, schema, nested, schemas, own)
    else:
        styled = _scalar(value, column + INDENT if isinstance(parent, CommentedMap) else column, label)
        restyled = styled is not value and not isinstance(value, (LiteralScalarString, FoldedScalarString))
        if restyled and not _comment_fits_block(parent, key):
            return
        parent[key] = styled


def _comment_after(parent: CommentedMap | CommentedSeq, key: object) -> tuple[list | None, int]:
    """The comment entry ruamel.yaml keeps after parent[key], and the slot of the comment in it."""
    slot = 2 if isinstance(parent, CommentedMap) else 0
    entry = parent.ca.items.get(key)
    return (entry if entry and len(entry) > slot else None), slot


def _has_line_comment(parent: CommentedMap | CommentedSeq, key: object) -> bool:
    """Whether a comment stands on the same line as parent[key] ('key: value  # note')."""
    entry, slot = _comment_after(parent, key)
    token = entry[slot] if entry else None
    return token is not None and not token.value.startswith("\n")


def _comment_fits_block(parent: CommentedMap | CommentedSeq, key: object) -> bool:
    """Prepare the comment after a one-line value for the value becoming a block; False if it cannot.

    After a one-line value ruamel.yaml's comment starts with the end of that line, which a block
    writes itself, and keeps the next line's indentation in its text; after a block it is stored
    without either. A comment on the value's own line ('key: value  # note') has no place after
    '>-', so such a value stays on one line.
    """
    if _has_line_comment(parent, key):
        return False
    entry, slot = _comment_after(parent, key)
    if entry is None or entry[slot] is None:
        return True
    token = entry[slot]
    rest = token.value[1:]
    indent = len(rest) - len(rest.lstrip(" "))
    entry[slot] = CommentToken(rest[indent:], CommentMark(indent)) if rest else None
    return True


def canonical_text(text: str, path: str, kind: Kind, schemas: Schemas) -> tuple[str | None, list[Finding]]:
    """The canonical form of a content file's text, or None and findings when it cannot be formatted safely."""
    original, problems = parse_yaml(text.removeprefix("\ufeff"), path)
    if original is None or has_errors(problems):
        return None, problems
    current = untabbed(text)
    for _ in range(_MAX_PASSES):
        formatted, stopped = _one_pass(current, kind, schemas)
        if formatted is None:
            return None, [
                finding(
                    path,
                    stopped,
                    Code.FMT_UNSAFE,
                    f"validate reads this file, but the formatter cannot read line {stopped[0]}, so it writes nothing",
                    "report this file to the maintainers; it was left as it was",
                )
            ]
        if formatted == current:
            break
        current = formatted
    else:
        return None, [
            finding(
                path,
                (1, 1),
                Code.FMT_UNSTABLE,
                "the file has no stable canonical form",
                "report this file to the maintainers; it was left as it was",
            )
        ]
    again, _ = parse_yaml(current, path)
    if again is None or again.data != original.data:
        return None, [
            finding(
                path,
                (1, 1),
                Code.FMT_UNSAFE,
                "formatting would change what the file says",
                "report this file to the maintainers; it was left as it was",
            )
        ]
    return current, []


def _one_pass(text: str, kind: Kind, schemas: Schemas) -> tuple[str | None, tuple[int, int]]:
    """The text in canonical form, or None and the (line, column) where ruamel.yaml stopped."""
    yaml = yaml_round_trip()
    try:
        data = yaml.load(without_modeline(text))
    except YAMLError as failure:
        mark = getattr(failure, "problem_mark", None)
        shift = 1 if without_modeline(text) != text.removeprefix("\ufeff").replace("\r\n", "\n") else 0
        return None, ((mark.line + 1 + shift, mark.column + 1) if mark is not None else (1, 1))
    if not isinstance(data, CommentedMap):
        return None, (1, 1)
    _normalise(data, schemas.get(SCHEMA_FILES[kind], {}), 0, schemas, SCHEMA_FILES[kind])
    return f"{modeline(kind)}\n{dump(yaml, data)}", (1, 1)


def untabbed(text: str) -> str:
    """The text with each tab outside quoted and block texts made a space.

    Validation has refused tabs in indentation and inside unquoted values, so such a tab stands between
    a field and its value, after a list dash or at the end of a line: there it means a space, and
    ruamel.yaml (unlike libyaml) cannot read it.
    """
    if "\t" not in text:
        return text
    kept: set[int] = set()
    for event in yaml.parse(text, Loader=yaml.CSafeLoader):
        if (
            isinstance(event, yaml.ScalarEvent)
            and event.style
            and event.style in "|>'\""
            and event.start_mark is not None
            and event.end_mark is not None
        ):
            kept.update(range(event.start_mark.line, event.end_mark.line + 1))
    lines = text.split("\n")
    return "\n".join(line if number in kept else line.replace("\t", " ") for number, line in enumerate(lines))


# -- files ---------------------------------------------------------------------------------------


def write_safely(file: Path, path: str, text: str) -> Finding | None:
    """Write a file atomically; a finding instead of an exception when the system refuses."""
    try:
        write_atomically(file, text)
    except OSError as exc:
        return finding(
            path,
            (1, 1),
            Code.WRITE_FAILED,
            f"the file cannot be written: {exc.strerror or exc}",
            "check that the file is not read-only and that the disk has space; it was left as it was",
        )
    return None


@dataclass(frozen=True)
class Change:
    """What fmt changes in one file: why, in words with line numbers, and as a unified diff."""

    path: str
    reasons: tuple[str, ...]
    diff: str


@dataclass(frozen=True)
class Outcome:
    """What fmt did: the files it changed (or would change) and what stopped it on others."""

    changed: tuple[str, ...]
    unchanged: int
    findings: tuple[Finding, ...]
    changes: tuple[Change, ...] = ()


def _lines_of(numbers: list[int]) -> str:
    shown = ", ".join(str(n) for n in numbers[:5]) + (", ..." if len(numbers) > 5 else "")
    return f"line{'s' if len(numbers) > 1 else ''} {shown}"


def describe_change(path: str, old: str, new: str) -> Change:
    """Why fmt changes a file (each reason with its lines) and the unified diff of the change."""
    reasons = []
    if "\r\n" in old:
        reasons.append("Windows line ends (CRLF) become plain line ends (LF)")
    before = old.removeprefix("\ufeff").replace("\r\n", "\n").split("\n")
    after = new.split("\n")
    if not before[0].startswith(MODELINE) or before[0] != after[0]:
        reasons.append("the first line must name the file's schema (# yaml-language-server: $schema=...)")
    kept = set(after)
    checks = (
        ("trailing spaces are removed", lambda line: line not in kept and line.rstrip(" ") in kept),
        ("tabs become spaces", lambda line: "\t" in line),
        (f"lines over {WIDTH} characters are folded", lambda line: len(line) > WIDTH),
    )
    for reason, test in checks:
        numbers = [n for n, line in enumerate(before, start=1) if test(line)]
        if numbers:
            reasons.append(f"{reason} ({_lines_of(numbers)})")
    moved = _moved_lines(before, after)
    if moved:
        reasons.append(f"fields are put in the schema's order ({_lines_of(moved)})")
    if not reasons:
        reasons.append("indentation, quoting or line breaks differ from the canonical form")
    diff = "".join(
        difflib.unified_diff(
            [line + "\n" for line in before], [line + "\n" for line in after], path, f"{path} (formatted)"
        )
    )
    return Change(path, tuple(reasons), diff)


def _moved_lines(before: list[str], after: list[str]) -> list[int]:
    """Lines (1-based, in the original) that fmt moves elsewhere unchanged."""
    removed: dict[str, list[int]] = {}
    added: set[str] = set()
    matcher = difflib.SequenceMatcher(None, before, after, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op in ("delete", "replace"):
            for n in range(i1, i2):
                removed.setdefault(before[n], []).append(n + 1)
        if op in ("insert", "replace"):
            added.update(after[j1:j2])
    return sorted(n for text, numbers in removed.items() if text.strip() and text in added for n in numbers)


def content_files(root: Path, paths: Sequence[Path]) -> tuple[list[tuple[Path, str, Kind]], list[str]]:
    """The content files to format (all of them, or those under paths) and the paths that are not content."""
    found, _ = discover(root)
    by_file = {c.file.resolve(): c for c in found}
    if not paths:
        return [(c.file, c.path, c.kind) for c in found], []
    chosen: set[Path] = set()
    rejected = []
    for given in paths:
        target = given.resolve()
        matches = {f for f in by_file if f == target or target in f.parents}
        if not matches:
            rejected.append(str(given))
        chosen |= matches
    return [(c.file, c.path, c.kind) for f, c in by_file.items() if f in chosen], rejected


def format_files(files: Sequence[tuple[Path, str, Kind]], schemas: Schemas, check_only: bool) -> Outcome:
    """Format each file in place (atomically), or with check_only just report which ones would change."""
    changed: list[str] = []
    changes: list[Change] = []
    findings: list[Finding] = []
    unchanged = 0
    for file, path, kind in files:
        document, problems = read_yaml(file, path)
        if document is None:
            findings.extend(problems)
            continue
        text = file.read_bytes().decode("utf-8")
        formatted, problems = canonical_text(text, path, kind, schemas)
        findings.extend(problems)
        if formatted is None:
            continue
        if formatted == text:
            unchanged += 1
            continue
        if not check_only:
            problem = write_safely(file, path, formatted)
            if problem is not None:
                findings.append(problem)
                continue
        changed.append(path)
        changes.append(describe_change(path, text, formatted))
    return Outcome(tuple(changed), unchanged, tuple(findings), tuple(changes))
