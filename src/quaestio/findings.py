"""Findings: what a check says about the content, each pinned to a file, line and column."""

from __future__ import annotations

import difflib
import enum
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass


class Severity(str, enum.Enum):
    """How serious a finding is."""

    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True)
class Finding:
    """One thing wrong (or suspicious) in one place of one file."""

    file: str
    line: int
    column: int
    severity: Severity
    code: str
    message: str
    hint: str = ""

    @property
    def sort_key(self) -> tuple[str, int, int, str]:
        return (self.file, self.line, self.column, self.code)

    def as_dict(self) -> dict[str, object]:
        return {
            "file": self.file,
            "line": self.line,
            "column": self.column,
            "severity": self.severity.value,
            "code": self.code,
            "message": self.message,
            "hint": self.hint,
        }


def error(file: str, position: tuple[int, int], code: str, message: str, hint: str = "") -> Finding:
    """An error finding at a (line, column) position."""
    return Finding(file, position[0], position[1], Severity.ERROR, code, message, hint)


def warning(file: str, position: tuple[int, int], code: str, message: str, hint: str = "") -> Finding:
    """A warning finding at a (line, column) position."""
    return Finding(file, position[0], position[1], Severity.WARNING, code, message, hint)


def did_you_mean(value: object, candidates: Iterable[str]) -> str:
    """A "did you mean 'x'?" hint for a misspelled value, or '' when nothing is close."""
    if not isinstance(value, str):
        return ""
    choices = list(candidates)
    close = difflib.get_close_matches(value, choices, n=1, cutoff=0.6)
    if not close:
        folded = {c.lower(): c for c in choices}
        if value.lower() in folded:
            close = [folded[value.lower()]]
    return f"did you mean '{close[0]}'?" if close else ""


def ordered(findings: Iterable[Finding]) -> list[Finding]:
    """Findings ordered by file, line and column, without repeats."""
    return sorted(set(findings), key=lambda f: f.sort_key)


def promote_warnings(findings: Sequence[Finding]) -> list[Finding]:
    """The findings with every warning turned into an error (--strict)."""
    return [
        Finding(f.file, f.line, f.column, Severity.ERROR, f.code, f.message, f.hint)
        if f.severity is Severity.WARNING
        else f
        for f in findings
    ]


def has_errors(findings: Iterable[Finding]) -> bool:
    """Whether any finding is an error."""
    return any(f.severity is Severity.ERROR for f in findings)


def format_text(findings: Sequence[Finding], colour: bool = False) -> str:
    """Findings as `path:line:column: severity[code]: message`, each with its hint below."""
    styles = {Severity.ERROR: "\033[1;31m", Severity.WARNING: "\033[1;33m"}
    lines = []
    for f in findings:
        severity = f.severity.value
        if colour:
            severity = f"{styles[f.severity]}{severity}\033[0m"
        lines.append(f"{f.file}:{f.line}:{f.column}: {severity}[{f.code}]: {f.message}")
        if f.hint:
            lines.append(f"    hint: {f.hint}")
    return "\n".join(lines)


def _github_escape(text: str, property_value: bool = False) -> str:
    text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    if property_value:
        text = text.replace(":", "%3A").replace(",", "%2C")
    return text


def format_github(findings: Sequence[Finding]) -> str:
    """Findings as GitHub Actions workflow commands, which annotate the pull request."""
    lines = []
    for f in findings:
        level = "error" if f.severity is Severity.ERROR else "warning"
        message = f"{f.message}" + (f"\n{f.hint}" if f.hint else "")
        title = _github_escape(f"quaestio {f.code}", property_value=True)
        lines.append(
            f"::{level} file={_github_escape(f.file, True)},line={f.line},col={f.column},"
            f"title={title}::{_github_escape(message)}"
        )
    return "\n".join(lines)


def format_json(findings: Sequence[Finding]) -> str:
    """Findings as a JSON list of objects, for tools."""
    return json.dumps([f.as_dict() for f in findings], indent=2, ensure_ascii=False)


def summary(findings: Sequence[Finding], files: int) -> str:
    """One line counting errors and warnings."""
    errors = sum(1 for f in findings if f.severity is Severity.ERROR)
    warnings = len(findings) - errors

    def plural(n: int, word: str) -> str:
        return f"{n} {word}{'' if n == 1 else 's'}"

    return f"{plural(files, 'file')} checked: {plural(errors, 'error')}, {plural(warnings, 'warning')}."
