"""The command line: parse arguments, run the pipeline, print findings, choose the exit status."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from quaestio import __version__
from quaestio.findings import format_github, format_json, format_text, has_errors, promote_warnings, summary
from quaestio.pipeline import ALL_TARGETS, BuildError, Progress, check, run_build

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

    commands.add_parser("build", help="validate, then build everything (data, reports, site) into build/")
    commands.add_parser("reports", help="validate, then build the PDF and DOCX reports into build/reports/")
    commands.add_parser("site", help="validate, then build the open data and the website into build/data/ and build/site/")
    commands.add_parser("data", help="validate, then write the open data (JSON, CSV) into build/data/")
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


TARGETS = {"build": ALL_TARGETS, "reports": ("reports",), "site": ("data", "site"), "data": ("data",)}


def _progress(stream) -> Progress | None:
    """Progress lines on a terminal; silence in CI and pipes."""
    if not stream.isatty() or os.environ.get("CI"):
        return None
    return lambda message: print(f"  {message}", file=stream, flush=True)


def _build(root: Path, command: str) -> int:
    result = check(root)
    findings = list(result.findings)
    if findings:
        print(format_text(findings, colour=_colour(sys.stdout)))
    print(summary(findings, result.files), file=sys.stderr)
    if result.corpus is None:
        print("quaestio: build stopped: fix the errors above; build/ was left as it was.", file=sys.stderr)
        return EXIT_ERRORS
    try:
        built = run_build(root, result, TARGETS[command], _progress(sys.stderr))
    except BuildError as failure:
        print(f"quaestio: build failed: {failure}; build/ was left as it was.", file=sys.stderr)
        return EXIT_ERRORS
    except OSError as failure:  # a full disk, a read-only folder: the environment, not the content
        where = f" ({failure.filename})" if failure.filename else ""
        print(f"quaestio: build failed: {failure.strerror or failure}{where}; build/ was left as it was.",
              file=sys.stderr)
        return EXIT_ERRORS
    print(f"wrote {len(built.written)} file(s) into build/"
          + (f", {len(built.unchanged)} unchanged and skipped" if built.unchanged else ""), file=sys.stderr)
    for name in built.written:
        print(f"  wrote     build/{name}", file=sys.stderr)
    for name in built.unchanged:
        print(f"  unchanged build/{name}", file=sys.stderr)
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
    if args.command in TARGETS:
        return _build(root, args.command)
    parser.print_help(sys.stderr)
    return EXIT_USAGE
