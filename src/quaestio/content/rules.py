"""Cross-reference rules a schema cannot express: unique IDs, prefixes, paths and links that resolve."""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote

from quaestio.content.catalogs import CATALOGS_DIR, Catalog
from quaestio.content.layout import Kind
from quaestio.content.load import JsonPath, Source
from quaestio.findings import Code, Finding, did_you_mean, finding
from quaestio.vocab import LINK_SCHEMES, MARKDOWN_FIELDS, Audience, Language

_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*):")
_MARKDOWN_LINK = re.compile(r"\]\(\s*<?([^)\s>]*)|<([A-Za-z][A-Za-z0-9+.-]*:[^>\s]*)>")
PLACEHOLDER = "TODO"  # what `new` writes where a person must still write the real text
_PLACEHOLDER = re.compile(r"\s*TODO\b")
ASSETS_DIR = "assets"
_UNSAFE = tuple(
    (re.compile(pattern, re.IGNORECASE), what)
    for pattern, what in (
        (r"<\s*/?\s*[a-z][a-z0-9-]*(\s[^<>]*)?/?>", "a raw HTML tag"),
        (r"\{\s*=\s*[a-z]+\s*\}", "a raw-format marker such as {=typst}"),
        (r"\{[^{}\n]*\btypst:[^{}\n]*\}", "a typst attribute"),
        (
            r"\\(input|include|write18|openin|openout|immediate|catcode|def|newcommand|usepackage|begin)\b",
            "a raw TeX command",
        ),
        (r"\{\{.*?\}\}|\{%.*?%\}", "a template expression"),
    )
)
_UNSAFE_ANY = re.compile("|".join(f"(?:{p.pattern})" for p, _ in _UNSAFE), re.IGNORECASE)


@dataclass(frozen=True)
class _Occurrence:
    source: Source
    path: JsonPath
    value: str
    topic: str


def _strings(items: object) -> Iterator[tuple[int, str]]:
    if isinstance(items, list):
        for index, item in enumerate(items):
            if isinstance(item, str):
                yield index, item


def _mappings(items: object) -> Iterator[tuple[int, dict]]:
    if isinstance(items, list):
        for index, item in enumerate(items):
            if isinstance(item, dict):
                yield index, item


def _texts(value: object) -> Iterator[tuple[JsonPath, str]]:
    """Every string in a text value (plain, or a mapping of translations), with its relative path."""
    if isinstance(value, str):
        yield (), value
    elif isinstance(value, dict):
        for language, text in value.items():
            if isinstance(text, str):
                yield (language,), text


def check_rules(sources: Sequence[Source], catalogs: Sequence[Catalog] = ()) -> list[Finding]:
    """Every cross-reference finding over the whole repository (and its imported catalogs), in one pass."""
    findings: list[Finding] = []
    topics = [s for s in sources if s.file.kind is Kind.TOPIC]
    recommendation_files = [s for s in sources if s.file.kind is Kind.RECOMMENDATIONS]

    # Topics: id and code, challenges and references.
    topic_codes: dict[str, str] = {}
    codes_seen: dict[str, _Occurrence] = {}
    challenges: dict[str, _Occurrence] = {}
    references: dict[str, dict[str, _Occurrence]] = {}
    for source in topics:
        data = source.document.data
        file = source.file
        topic_id = data.get("id")
        if isinstance(topic_id, str) and topic_id != file.topic:
            findings.append(
                finding(
                    file.path,
                    source.at(("id",)),
                    Code.PATH_MISMATCH,
                    f"the topic id '{topic_id}' does not match the file name '{file.file.name}'",
                    f"change the id to '{file.topic}', or rename the file to {topic_id}.yaml",
                )
            )
        code = data.get("code")
        if isinstance(code, str):
            topic_codes[file.topic] = code
            first = codes_seen.get(code)
            if first is not None:
                findings.append(
                    finding(
                        file.path,
                        source.at(("code",)),
                        Code.DUPLICATE_ID,
                        f"the topic code '{code}' is already used by {first.source.file.path}",
                        "give each topic its own code",
                    )
                )
            else:
                codes_seen[code] = _Occurrence(source, ("code",), code, file.topic)
        references[file.topic] = {}
        for index, challenge in _mappings(data.get("challenges")):
            challenge_id = challenge.get("id")
            if not isinstance(challenge_id, str):
                continue
            path = ("challenges", index, "id")
            findings.extend(_unique(challenges, _Occurrence(source, path, challenge_id, file.topic), "challenge"))
            if isinstance(code, str) and not challenge_id.startswith(f"{code}-C"):
                findings.append(
                    finding(
                        file.path,
                        source.at(path),
                        Code.ID_PREFIX,
                        f"the challenge ID '{challenge_id}' does not start with the topic code '{code}-C'",
                        f"number the topic's challenges {code}-C1, {code}-C2, ...",
                    )
                )
        for index, reference in _mappings(data.get("references")):
            reference_id = reference.get("id")
            if isinstance(reference_id, str):
                occurrence = _Occurrence(source, ("references", index, "id"), reference_id, file.topic)
                findings.extend(_unique(references[file.topic], occurrence, "reference"))
            findings.extend(_url_findings(source, ("references", index, "url"), reference.get("url")))
        glossary: dict[str, _Occurrence] = {}
        for index, entry in _mappings(data.get("glossary")):
            term = entry.get("term")
            if isinstance(term, str):
                findings.extend(
                    _unique(
                        glossary, _Occurrence(source, ("glossary", index, "term"), term, file.topic), "glossary term"
                    )
                )

    # Recommendations: ids, then what they point to.
    recommendations: dict[str, _Occurrence] = {}
    records: list[tuple[Source, int, dict]] = []
    for source in recommendation_files:
        data = source.document.data
        file = source.file
        declared_topic = data.get("topic")
        if isinstance(declared_topic, str) and declared_topic != file.topic:
            findings.append(
                finding(
                    file.path,
                    source.at(("topic",)),
                    Code.PATH_MISMATCH,
                    f"the file says topic '{declared_topic}' but lies in the folder recommendations/{file.topic}/",
                    f"change it to 'topic: {file.topic}', or move the file to recommendations/{declared_topic}/",
                )
            )
        declared_audience = data.get("audience")
        if (
            isinstance(declared_audience, str)
            and declared_audience in tuple(Audience)
            and declared_audience != file.audience
        ):
            findings.append(
                finding(
                    file.path,
                    source.at(("audience",)),
                    Code.PATH_MISMATCH,
                    f"the file says audience '{declared_audience}' but is named {file.file.name}",
                    f"change it to 'audience: {file.audience}', or rename the file to {declared_audience}.yaml",
                )
            )
        if file.topic not in topic_codes and not any(t.file.topic == file.topic for t in topics):
            findings.append(
                finding(
                    file.path,
                    source.at(("topic",)),
                    Code.UNKNOWN_TOPIC,
                    f"there is no topic file topics/{file.topic}.yaml for this folder",
                    did_you_mean(file.topic, [t.file.topic for t in topics])
                    or f"create topics/{file.topic}.yaml first",
                )
            )
        code = topic_codes.get(file.topic)
        prefix = f"{code}-{Audience(file.audience or 'public').code}-" if code else None
        for index, item in _mappings(data.get("recommendations")):
            records.append((source, index, item))
            rec_id = item.get("id")
            if not isinstance(rec_id, str):
                continue
            path = ("recommendations", index, "id")
            findings.extend(_unique(recommendations, _Occurrence(source, path, rec_id, file.topic), "recommendation"))
            if prefix and not rec_id.startswith(prefix):
                findings.append(
                    finding(
                        file.path,
                        source.at(path),
                        Code.ID_PREFIX,
                        f"the ID '{rec_id}' does not fit this file: recommendations of topic "
                        f"'{file.topic}' to the {file.audience} audience start with '{prefix}'",
                        f"use the next free number, as in {prefix}01",
                    )
                )

    adopted_addresses: set[str] = set()
    for source, index, item in records:
        base: JsonPath = ("recommendations", index)
        file = source.file
        own_id = item.get("id")
        status = item.get("status")
        for position, challenge_id in _strings(item.get("addresses")):
            if challenge_id in challenges:
                if status == "adopted":
                    adopted_addresses.add(challenge_id)
            else:
                candidates = [c for c, o in challenges.items() if o.topic == file.topic] or list(challenges)
                listed = f"the challenges of this topic are {', '.join(sorted(candidates)) or 'none'}"
                suggestion = did_you_mean(challenge_id, candidates)
                findings.append(
                    finding(
                        file.path,
                        source.at(base + ("addresses", position)),
                        Code.BROKEN_REFERENCE,
                        f"there is no challenge '{challenge_id}'",
                        f"{suggestion} ({listed})" if suggestion else listed,
                    )
                )
        topic_references = references.get(file.topic, {})
        for position, reference_id in _strings(item.get("references")):
            if reference_id not in topic_references:
                findings.append(
                    finding(
                        file.path,
                        source.at(base + ("references", position)),
                        Code.BROKEN_REFERENCE,
                        f"there is no reference '{reference_id}' in topics/{file.topic}.yaml",
                        did_you_mean(reference_id, topic_references)
                        or "add the source to the topic's references first",
                    )
                )
        for position, related_id in _strings(item.get("related")):
            where = source.at(base + ("related", position))
            if related_id == own_id:
                findings.append(
                    finding(
                        file.path,
                        where,
                        Code.SELF_REFERENCE,
                        f"'{related_id}' lists itself as related",
                        "remove it from 'related'",
                    )
                )
            elif related_id not in recommendations:
                findings.append(
                    finding(
                        file.path,
                        where,
                        Code.BROKEN_REFERENCE,
                        f"there is no recommendation '{related_id}'",
                        did_you_mean(related_id, recommendations) or "check the ID",
                    )
                )
        successor = item.get("superseded_by")
        if isinstance(successor, str):
            where = source.at(base + ("superseded_by",))
            if successor == own_id:
                findings.append(
                    finding(
                        file.path,
                        where,
                        Code.BROKEN_REFERENCE,
                        f"'{successor}' cannot supersede itself",
                        "name the recommendation that replaces it",
                    )
                )
            elif successor not in recommendations:
                findings.append(
                    finding(
                        file.path,
                        where,
                        Code.BROKEN_REFERENCE,
                        f"there is no recommendation '{successor}' to supersede this one",
                        did_you_mean(successor, recommendations) or "check the ID",
                    )
                )
            if status != "withdrawn" and isinstance(status, str):
                findings.append(
                    finding(
                        file.path,
                        where,
                        Code.SUPERSEDED_NOT_WITHDRAWN,
                        f"'{own_id}' names a successor but its status is '{status}'",
                        "set 'status: withdrawn' and give a 'withdrawal_reason', or remove 'superseded_by'",
                    )
                )
        if status == "withdrawn" and not item.get("withdrawal_reason"):
            findings.append(
                finding(
                    file.path,
                    source.at(base + ("status",)),
                    Code.WITHDRAWN_WITHOUT_REASON,
                    f"'{own_id}' is withdrawn but does not say why",
                    "add 'withdrawal_reason:' explaining why it was withdrawn",
                )
            )
        for addressee_index, addressee in _mappings(item.get("tracker")):
            for entry_index, entry in _mappings(addressee.get("history")):
                entry_path: JsonPath = (*base, "tracker", addressee_index, "history", entry_index, "source")
                findings.extend(_url_findings(source, entry_path, entry.get("source")))

    findings.extend(_mapping_findings(records, {c.id: c for c in catalogs}))

    for challenge_id, occurrence in challenges.items():
        if challenge_id not in adopted_addresses:
            findings.append(
                finding(
                    occurrence.source.file.path,
                    occurrence.source.at(occurrence.path),
                    Code.UNADDRESSED_CHALLENGE,
                    f"no adopted recommendation addresses the challenge '{challenge_id}'",
                    "add its ID to the 'addresses' of an adopted recommendation, or drop the challenge",
                )
            )

    for source in sources:
        findings.extend(_markdown_link_findings(source))
        findings.extend(_placeholder_findings(source))
        findings.extend(_unsafe_markup_findings(source))
    return findings


def _mapping_findings(records: Sequence[tuple[Source, int, dict]], catalogs: dict[str, Catalog]) -> list[Finding]:
    """`maps_to` entries whose catalog or control does not exist, or whose control was withdrawn."""
    findings = []
    for source, index, item in records:
        for position, mapping in _mappings(item.get("maps_to")):
            catalog_id, control_id = mapping.get("catalog"), mapping.get("control")
            if not isinstance(catalog_id, str) or not isinstance(control_id, str):
                continue
            base: JsonPath = ("recommendations", index, "maps_to", position)
            catalog = catalogs.get(catalog_id)
            if catalog is None:
                known = ", ".join(sorted(catalogs)) or "none yet"
                suggestion = did_you_mean(catalog_id, catalogs)
                findings.append(
                    finding(
                        source.file.path,
                        source.at(base + ("catalog",)),
                        Code.UNKNOWN_CATALOG,
                        f"there is no catalog '{catalog_id}' in {CATALOGS_DIR}/",
                        f"{suggestion} (imported: {known})"
                        if suggestion
                        else f"imported catalogs: {known}; "
                        f"add one with `quaestio catalog import FILE --id {catalog_id}`",
                    )
                )
                continue
            control = catalog.find(control_id)
            where = source.at(base + ("control",))
            if control is None:
                names = [c.label for c in catalog.controls if c.label] or [c.id for c in catalog.controls]
                findings.append(
                    finding(
                        source.file.path,
                        where,
                        Code.UNKNOWN_CONTROL,
                        f"the catalog '{catalog_id}' has no control '{control_id}'",
                        did_you_mean(control_id, names)
                        or f"write the control's label as the catalog does, e.g. {names[0]}",
                    )
                )
            elif control.withdrawn:
                successors = [catalog.control_by_id[r].name for r in control.replacements if r in catalog.control_by_id]
                how = "moved to" if control.moved_to else "incorporated into"
                findings.append(
                    finding(
                        source.file.path,
                        where,
                        Code.WITHDRAWN_CONTROL,
                        f"{control.name} ({control.title}) is withdrawn from '{catalog_id}'"
                        + (f"; it was {how} {', '.join(successors)}" if successors else ""),
                        f"map to {' or '.join(successors)} instead" if successors else "remove the mapping",
                    )
                )
    return findings


def _unique(seen: dict[str, _Occurrence], occurrence: _Occurrence, what: str) -> list[Finding]:
    first = seen.get(occurrence.value)
    if first is None:
        seen[occurrence.value] = occurrence
        return []
    line, column = first.source.at(first.path)
    return [
        finding(
            occurrence.source.file.path,
            occurrence.source.at(occurrence.path),
            Code.DUPLICATE_ID,
            f"the {what} ID '{occurrence.value}' is already used at {first.source.file.path}:{line}:{column}",
            "IDs must be unique; give this one the next free number (never reuse an old one)",
        )
    ]


def _url_problem(url: str) -> str:
    match = _SCHEME.match(url)
    if match is None:
        return "is not an absolute address"
    scheme = match.group(1).lower()
    if scheme not in LINK_SCHEMES:
        return f"uses the scheme '{scheme}:'"
    if scheme in ("http", "https") and not url[len(scheme) + 1 :].startswith("//"):
        return "is missing '//' after the scheme"
    return ""


def _url_findings(source: Source, path: JsonPath, url: object) -> list[Finding]:
    if not isinstance(url, str) or not url:
        return []
    problem = _url_problem(url)
    if not problem:
        return []
    return [
        finding(
            source.file.path,
            source.at(path),
            Code.URL_SCHEME,
            f"the address '{url}' {problem}",
            "addresses must start with https://, http:// or mailto:",
        )
    ]


def _markdown_link_findings(source: Source) -> list[Finding]:
    findings = []
    for path, text in _walk_texts(source.document.data, ()):
        for match in _MARKDOWN_LINK.finditer(text):
            target = match.group(1) or match.group(2) or ""
            scheme = _SCHEME.match(target)
            where = source.document.locate(path, target or match.group(0))
            if scheme and scheme.group(1).lower() not in LINK_SCHEMES:
                findings.append(
                    finding(
                        source.file.path,
                        where,
                        Code.URL_SCHEME,
                        f"a link in the text uses the scheme '{scheme.group(1)}:'",
                        "links must start with https://, http:// or mailto:",
                    )
                )
            elif target and not scheme and not target.startswith("#"):
                problem = _asset_problem(source, target)
                if problem:
                    findings.append(
                        finding(
                            source.file.path,
                            where,
                            Code.ASSET_PATH,
                            f"the path '{target}' {problem}",
                            f"put the file in {ASSETS_DIR}/ and write its path as "
                            f"{ASSETS_DIR}/<name>, or link to a web address",
                        )
                    )
    return findings


def _repository_root(source: Source) -> Path:
    return Path(str(source.file.file)[: -len(source.file.path)] or ".")


def _asset_problem(source: Source, target: str) -> str:
    """Why a path in content is not acceptable, or '' when it names a file inside assets/."""
    clean = unquote(target.split("#", 1)[0].split("?", 1)[0])
    if not clean:
        return ""
    if clean.startswith(("/", "\\")) or re.match(r"^[A-Za-z]:[\\/]", clean):
        return "is absolute; paths in content are relative to the repository"
    if ".." in re.split(r"[\\/]", clean):
        return "climbs out of its folder with '..'"
    root = _repository_root(source).resolve()
    assets = root / ASSETS_DIR
    candidate = root / clean
    if not clean.startswith(f"{ASSETS_DIR}/"):
        return f"is not inside the {ASSETS_DIR}/ folder"
    resolved = candidate.resolve()
    if resolved != assets and assets not in resolved.parents:
        return f"leads outside the {ASSETS_DIR}/ folder (through a symbolic link)"
    if not resolved.is_file():
        return "names a file that does not exist"
    return ""


def _unsafe_markup_findings(source: Source) -> list[Finding]:
    """Warnings for text that tries to reach past Markdown: raw HTML, TeX or typst, templates, scripts."""
    findings = []
    for path, text in _walk_texts(source.document.data, ()):
        if not _UNSAFE_ANY.search(text):  # one scan for the common, clean case
            continue
        for pattern, what in _UNSAFE:
            match = pattern.search(text)
            if match:
                findings.append(
                    finding(
                        source.file.path,
                        source.document.locate(path, match.group(0)),
                        Code.UNSAFE_MARKUP,
                        f"the text contains {what}: '{match.group(0)[:40]}'",
                        "it will be shown as plain text, never run; write plain Markdown instead",
                    )
                )
    return findings


def _walk_texts(node: object, path: JsonPath) -> Iterator[tuple[JsonPath, str]]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key in MARKDOWN_FIELDS:
                for sub, text in _texts(value):
                    yield path + (key,) + sub, text
            elif isinstance(value, (dict, list)):
                yield from _walk_texts(value, path + (key,))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _walk_texts(value, path + (index,))


def _placeholder_findings(source: Source) -> list[Finding]:
    return [
        finding(
            source.file.path,
            source.at(path),
            Code.PLACEHOLDER_TEXT,
            f"{_field_name(path)} still holds the placeholder text '{text.strip()[:40]}'",
            f"write the real text in place of '{PLACEHOLDER}'; the comment beside or above it says what belongs there",
        )
        for path, text in _placeholders(source.document.data, ())
    ]


def _field_name(path: JsonPath) -> str:
    named = [step for step in path if isinstance(step, str) and step not in tuple(Language)]
    return f"'{named[-1]}'" if named else "the value"


def _placeholders(node: dict | list, path: JsonPath) -> Iterator[tuple[JsonPath, str]]:
    """Every string under node that starts with the placeholder marker (paths built only for collections)."""
    for key, value in node.items() if isinstance(node, dict) else enumerate(node):
        if isinstance(value, str):
            if PLACEHOLDER in value and _PLACEHOLDER.match(value):
                yield path + (key,), value
        elif isinstance(value, (dict, list)):
            yield from _placeholders(value, path + (key,))
