"""The command line: parse arguments, run the pipeline, print findings, choose the exit status."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from quaestio import __version__
from quaestio.findings import format_github, format_json, format_text, has_errors, promote_warnings, summary
from quaestio.pipeline import check, write_build

EXIT_OK, EXIT_ERRORS, EXIT_USAGE = 0, 1, 2


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="quaestio",
        description="Validate and compile the Cyber Security Coalition's recommendations.",
    )
    parser.add_argument("--version", action="version", version=f"quaestio {__version__}")
    parser.add_argument("--root", type=Path, default=Path("."),
                        help="the content repository (default: the current folder)")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    validate = commands.add_parser("validate", help="check every content file and report all findings at once")
    validate.add_argument("--format", choices=("text", "github", "json"), default="text",
                          help="text for people (default), github for pull-request annotations, json for tools")
    validate.add_argument("--strict", action="store_true", help="treat warnings as errors")

    commands.add_parser("build", help="validate, then build everything into build/")
    return parser


def _colour(stream) -> bool:
    return stream.isatty() and "NO_COLOR" not in os.environ


def _validate(root: Path, output_format: str, strict: bool) -> int:
    result = check(root)
    findings = promote_warnings(result.findings) if strict else list(result.findings)
    if output_format == "json":
        print(format_json(findings))
    elif output_format == "github":
        if findings:
            print(format_github(findings))
        print(summary(findings, result.files), file=sys.stderr)
    else:
        if findings:
            print(format_text(findings, colour=_colour(sys.stdout)))
        print(summary(findings, result.files), file=sys.stderr)
    return EXIT_ERRORS if has_errors(findings) else EXIT_OK


def _build(root: Path) -> int:
    result = check(root)
    findings = list(result.findings)
    if findings:
        print(format_text(findings, colour=_colour(sys.stdout)))
    print(summary(findings, result.files), file=sys.stderr)
    if result.corpus is None:
        print("quaestio: build stopped: fix the errors above; build/ was left as it was.", file=sys.stderr)
        return EXIT_ERRORS
    written = write_build(root / "build", result)
    for path in written:
        print(f"wrote {path.relative_to(root).as_posix()}", file=sys.stderr)
    return EXIT_OK


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status (0 clean, 1 errors found, 2 usage error)."""
    parser = _parser()
    args = parser.parse_args(argv)
    root: Path = args.root
    if not root.is_dir():
        parser.print_usage(sys.stderr)
        print(f"quaestio: error: the folder {root} does not exist", file=sys.stderr)
        return EXIT_USAGE
    if args.command == "validate":
        return _validate(root, args.format, args.strict)
    if args.command == "build":
        return _build(root)
    parser.print_help(sys.stderr)
    return EXIT_USAGE
