"""The validation stage: schema checks per file, then cross-reference rules over the whole repository."""

from __future__ import annotations

from quaestio.content.catalogs import Catalog
from quaestio.content.cycle_rules import check_cycle
from quaestio.content.layout import Kind
from quaestio.content.load import LoadedContent, Source
from quaestio.content.rules import check_rules
from quaestio.content.schema import SchemaSet, check_document
from quaestio.findings import Code, Finding, finding, ordered

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


def validate(
    content: LoadedContent, schemas: SchemaSet, catalogs: tuple[Catalog, ...] = ()
) -> tuple[tuple[Source, ...], tuple[Finding, ...]]:
    """Check loaded content against the schemas and the imported catalogs; returns the sources fit for the
    model and every finding, in file order."""
    findings = list(content.findings)
    checked = []
    for source in content.sources:
        wrong = _wrong_kind(source)
        if wrong is not None:
            findings.append(wrong)
            continue
        findings.extend(check_document(source.document, source.file.kind, schemas))
        checked.append(source)
    findings.extend(check_rules(checked, catalogs))
    findings.extend(check_cycle(checked))
    return tuple(checked), tuple(ordered(findings))
