"""The one place that orders the stages: load, validate, model, and (later) render and write."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from quaestio.findings import Finding, Severity, has_errors
from quaestio.layout import SCHEMAS_DIR
from quaestio.load import load_content
from quaestio.model import Corpus, build_corpus
from quaestio.output import write_atomically
from quaestio.schema import SCHEMA_FILES, SchemaSet, load_schemas
from quaestio.validate import validate


@dataclass(frozen=True)
class Checked:
    """The outcome of checking a repository: findings, and the model when there is no error."""

    findings: tuple[Finding, ...]
    files: int
    corpus: Corpus | None


def schemas_directory(root: Path) -> Path:
    """The repository's own schemas/ folder, else the copy that ships with quaestio."""
    candidates = (root / SCHEMAS_DIR, Path(__file__).parent / SCHEMAS_DIR, Path(__file__).parents[2] / SCHEMAS_DIR)
    for candidate in candidates:
        if all((candidate / name).is_file() for name in SCHEMA_FILES.values()):
            return candidate
    raise FileNotFoundError(f"no schemas found in {root / SCHEMAS_DIR}")


def check(root: Path, schemas: SchemaSet | None = None) -> Checked:
    """Load and validate every content file under root, and build the model if nothing is wrong."""
    schemas = schemas or load_schemas(schemas_directory(root))
    content = load_content(root)
    sources, findings = validate(content, schemas)
    corpus = None if has_errors(findings) else build_corpus(sources)
    return Checked(findings, content.files, corpus)


def write_build(out: Path, result: Checked) -> list[Path]:
    """Write what the pipeline builds so far into out/: the validation report."""
    report = out / "validation.json"
    document = {
        "files": result.files,
        "errors": sum(1 for f in result.findings if f.severity is Severity.ERROR),
        "warnings": sum(1 for f in result.findings if f.severity is Severity.WARNING),
        "findings": [f.as_dict() for f in result.findings],
    }
    write_atomically(report, json.dumps(document, indent=2, ensure_ascii=False) + "\n")
    return [report]
