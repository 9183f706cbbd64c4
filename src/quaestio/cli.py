"""The command line: parse arguments, run the pipeline, print findings, choose the exit status."""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from quaestio import __version__
from quaestio.content.layout import RECOMMENDATIONS_DIR, TOPICS_DIR, holds_content
from quaestio.errors import GitError, UsageError
from quaestio.findings import Finding, format_github, format_json, format_text, has_errors, promote_warnings, summary
from quaestio.pipeline import ALL_TARGETS, BuildError, Progress, StageDone, check, run_build, schemas_directory
from quaestio.vocab import TRANSLATIONS, Audience, Language

if TYPE_CHECKING:
    from quaestio.workflow.scaffold import Scaffolded

IMPORT_COLUMNS = "title, text, rationale, priority, horizon, addresses, references"  # as in quaestio.workflow.importer

EXIT_OK, EXIT_ERRORS, EXIT_USAGE = 0, 1, 2
EXIT_STOPPED = 130  # stopped by Ctrl-C: 128 + SIGINT, as shells report it


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="quaestio",
        description="Validate and compile the Cyber Security Coalition's recommendations.",
    )
    parser.add_argument("--version", action="version", version=f"quaestio {__version__}")
    parser.add_argument(
        "--root", type=Path, default=Path("."), help="the content repository (default: the current folder)"
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    validate = commands.add_parser("validate", help="check every content file and report all findings at once")
    validate.add_argument(
        "--format",
        choices=("text", "github", "json"),
        default="text",
        help="text for people (default), github for pull-request annotations, json for tools",
    )
    validate.add_argument("--strict", action="store_true", help="treat warnings as errors")

    commands.add_parser("build", help="validate, then build everything (data, reports, site) into build/")
    commands.add_parser("reports", help="validate, then build the PDF and DOCX reports into build/reports/")
    commands.add_parser(
        "site", help="validate, then build the open data and the website into build/data/ and build/site/"
    )
    commands.add_parser("data", help="validate, then write the open data (JSON, CSV) into build/data/")
    _workflow_parsers(commands)
    _describe(parser)
    return parser


def _describe(parser: argparse.ArgumentParser) -> None:
    """Give every command's --help the one-line summary the command list shows for it."""
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            summaries = {choice.dest: choice.help for choice in action._choices_actions}
            for name, command in action.choices.items():
                command.description = command.description or summaries.get(name)
                _describe(command)


def _cycle_parsers(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """The yearly cycle's commands: the follow-up tracker and editions."""
    followup = commands.add_parser("followup", help="the implementation tracker: migrate the old form, import updates")
    actions = followup.add_subparsers(dest="action", metavar="ACTION", required=True)
    migrate = actions.add_parser("migrate", help="move every old follow_up list into the tracker, losing no entry")
    migrate.add_argument("--dry-run", action="store_true", help="list what would move; write nothing")
    updates = actions.add_parser("import", help="apply a returned follow-up sheet (CSV or XLSX) to the tracker")
    updates.add_argument("file", type=Path, help="the .csv or .xlsx file, in the columns of build/data/follow-up.csv")
    updates.add_argument("--sheet", help="the sheet to read (default: 'Follow-up', else the only sheet)")
    updates.add_argument(
        "--dry-run", action="store_true", help="check the file and say what it would add; write nothing"
    )

    edition = commands.add_parser("edition", help="start the next edition of the working sessions")
    steps = edition.add_subparsers(dest="step", metavar="STEP", required=True)
    start = steps.add_parser("new", help="open edition YEAR: revisited topics keep their earlier edition on record")
    start.add_argument("year", type=int, help="the new edition's year, after the current one")
    start.add_argument(
        "--topic",
        action="append",
        default=[],
        dest="topics",
        help="a topic the new edition revisits (repeat it; default: every open topic of the current edition)",
    )
    start.add_argument("--dry-run", action="store_true", help="say what would change; write nothing")


def _workflow_parsers(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """The working groups' commands: new, fmt, import, catalog import, diff, translate, serve."""
    new = commands.add_parser("new", help="scaffold a topic, or a recommendation with the next free ID")
    kinds = new.add_subparsers(dest="kind", metavar="KIND", required=True)
    topic = kinds.add_parser("topic", help="create topics/<id>.yaml")
    topic.add_argument("--id", required=True, dest="topic_id", help="the topic's short name, e.g. cloud-security")
    topic.add_argument("--code", required=True, help="2 to 4 capitals that start its IDs, e.g. CLD (never reused)")
    topic.add_argument("--title", help="the topic's title (default: a placeholder to replace)")
    topic.add_argument("--date", type=_date, help="the session's date, YYYY-MM-DD (default: today)")
    topic.add_argument("--edition", type=int, help="the report's edition year (default: the session's year)")
    recommendation = kinds.add_parser("recommendation", help="append one to recommendations/<topic>/<audience>.yaml")
    recommendation.add_argument("--topic", required=True, help="the topic's id, e.g. governance")
    recommendation.add_argument("--audience", required=True, choices=tuple(Audience))
    recommendation.add_argument("--title", help="the recommendation in one line (default: a placeholder)")

    fmt = commands.add_parser("fmt", help="rewrite content files in the canonical form (comments kept)")
    fmt.add_argument(
        "--check",
        action="store_true",
        help="change nothing; show what would change in each file (why, and a unified diff), exit 1",
    )
    fmt.add_argument("paths", nargs="*", type=Path, help="files or folders (default: all content files)")

    spreadsheet = commands.add_parser("import", help="add the rows of a CSV or XLSX file as new recommendations")
    spreadsheet.add_argument("file", type=Path, help=f"the .csv or .xlsx file; columns: {IMPORT_COLUMNS}")
    spreadsheet.add_argument("--topic", required=True, help="the topic's id, e.g. governance")
    spreadsheet.add_argument("--audience", required=True, choices=tuple(Audience))
    spreadsheet.add_argument("--sheet", help="the sheet to read, when the workbook has several")
    spreadsheet.add_argument("--dry-run", action="store_true", help="show what would be added; write nothing")

    catalog = commands.add_parser("catalog", help="control catalogs that recommendations map to (catalogs/)")
    actions = catalog.add_subparsers(dest="action", metavar="ACTION", required=True)
    take = actions.add_parser("import", help="import an OSCAL catalog (JSON, YAML or XML) into catalogs/<id>.yaml")
    take.add_argument("file", type=Path, help="the OSCAL catalog file: .json, .yaml or .xml")
    take.add_argument("--id", dest="catalog_id", help="the catalog's ID in catalogs/ (default: from the file name)")
    take.add_argument("--lang", help="the language of its texts, when the file does not say (e.g. de)")

    diff = commands.add_parser(
        "diff", help="what changed in the recommendations between a git revision and the work tree, or two revisions"
    )
    diff.add_argument("base", help="the earlier revision: a branch, tag or commit, e.g. origin/main")
    diff.add_argument(
        "head", nargs="?", default=None, help="the later revision (default: the work tree, uncommitted edits included)"
    )
    diff.add_argument(
        "--format",
        choices=("markdown", "json"),
        default="markdown",
        help="markdown for a pull request (default), json for tools",
    )

    _translate_parsers(commands)
    _cycle_parsers(commands)

    preview = commands.add_parser("serve", help="preview the website on 127.0.0.1, rebuilt when content changes")
    preview.add_argument("--port", type=int, default=8000, help="the port to listen on (default: 8000)")


def _translate_parsers(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """The translators' commands: status, export and import."""
    languages = tuple(language.value for language in TRANSLATIONS)
    translate = commands.add_parser("translate", help="translation status, export to XLIFF or PO, import back")
    actions = translate.add_subparsers(dest="action", metavar="ACTION", required=True)
    status = actions.add_parser("status", help="per language and topic: texts translated, stale and missing")
    status.add_argument("--lang", choices=languages, help="one language (default: all)")
    export = actions.add_parser("export", help="write a language's texts as XLIFF 2.0 (.xlf) or gettext PO (.po)")
    export.add_argument("--lang", choices=languages, required=True, help="the language to translate into")
    export.add_argument("--only", choices=("missing", "stale"), help="only the untranslated, or only the stale texts")
    export.add_argument("-o", "--output", type=Path, required=True, help="the file to write: .xlf or .po")
    imported = actions.add_parser("import", help="write the translations of an .xlf or .po file into translations/")
    imported.add_argument("file", type=Path, help="the translated .xlf or .po file")


def _colour(stream: TextIO) -> bool:
    return stream.isatty() and "NO_COLOR" not in os.environ


def _validate(root: Path, output_format: str, strict: bool) -> int:
    result = check(root, cached=True, model=False)
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


def _progress(stream: TextIO) -> Progress | None:
    """Every step on a terminal; in CI and pipes only the stage lines (see _stage_done)."""
    if not stream.isatty() or os.environ.get("CI"):
        return None
    return lambda message: print(f"  {message}", file=stream, flush=True)


def _stage_done(stream: TextIO) -> StageDone:
    """One line per stage with its time, so that a long build in CI shows where it is."""
    return lambda name, seconds: print(f"quaestio: {name} done in {seconds:.1f} s", file=stream, flush=True)


def _build(root: Path, command: str) -> int:
    started = time.monotonic()
    result = check(root)
    findings = list(result.findings)
    if findings:
        print(format_text(findings, colour=_colour(sys.stdout)))
    print(summary(findings, result.files), file=sys.stderr)
    _stage_done(sys.stderr)("validation", time.monotonic() - started)
    if result.corpus is None:
        print("quaestio: build stopped: fix the errors above; build/ was left as it was.", file=sys.stderr)
        return EXIT_ERRORS
    try:
        built = run_build(root, result, TARGETS[command], _progress(sys.stderr), _stage_done(sys.stderr))
    except BuildError as failure:
        print(f"quaestio: build failed: {failure}; build/ was left as it was.", file=sys.stderr)
        return EXIT_ERRORS
    except OSError as failure:  # a full disk, a read-only folder: the environment, not the content
        where = f" ({failure.filename})" if failure.filename else ""
        print(
            f"quaestio: build failed: {failure.strerror or failure}{where}; build/ was left as it was.", file=sys.stderr
        )
        return EXIT_ERRORS
    print(
        f"wrote {len(built.written)} file(s) into build/"
        + (f", {len(built.unchanged)} unchanged and skipped" if built.unchanged else ""),
        file=sys.stderr,
    )
    for name in built.written:
        print(f"  wrote     build/{name}", file=sys.stderr)
    for name in built.unchanged:
        print(f"  unchanged build/{name}", file=sys.stderr)
    return EXIT_OK


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{value}' is not a date written as YYYY-MM-DD") from None


def _fail(message: str, status: int = EXIT_USAGE) -> int:
    print(f"quaestio: error: {message}", file=sys.stderr)
    return status


def _print_findings(findings: Sequence[Finding]) -> None:
    if findings:
        print(format_text(findings, colour=_colour(sys.stdout)))


def _new_topic(root: Path, topic: str, code: str, title: str | None, date: dt.date | None, edition: int | None) -> int:
    from quaestio.workflow import fmt, scaffold

    try:
        done = scaffold.new_topic(root, topic, code, title, date, edition, fmt.read_schemas(schemas_directory(root)))
    except scaffold.ScaffoldError as problem:
        return _fail(str(problem))
    return _scaffolded(root, done, "created")


def _new_recommendation(root: Path, topic: str, audience: str, title: str | None) -> int:
    from quaestio.workflow import fmt, scaffold

    try:
        done = scaffold.new_recommendation(root, topic, audience, title, fmt.read_schemas(schemas_directory(root)))
    except scaffold.ScaffoldError as problem:
        return _fail(str(problem))
    return _scaffolded(root, done, f"added {', '.join(done.ids)} to")


def _scaffolded(root: Path, done: Scaffolded, what: str) -> int:
    if done.findings:
        _print_findings(done.findings)
        print(f"quaestio: nothing was written to {done.path}", file=sys.stderr)
        return EXIT_ERRORS
    print(f"{what} {done.path}", file=sys.stderr)
    if not done.history_checked:
        print("note: not a git checkout, so only the IDs in the files were checked as used", file=sys.stderr)
    placeholders = [f for f in check(root).findings if f.file == done.path]
    if placeholders:
        print("replace the placeholders (and fix anything else listed):", file=sys.stderr)
        _print_findings(placeholders)
    return EXIT_OK


def _fmt(root: Path, paths: Sequence[Path], check_only: bool) -> int:
    from quaestio.workflow import fmt as formatting

    missing = [str(p) for p in paths if not p.exists()]
    if missing:
        return _fail(f"no such file or folder: {', '.join(missing)}")
    files, rejected = formatting.content_files(root, paths)
    if rejected:
        return _fail(
            f"not content files of {root}: {', '.join(rejected)} (fmt formats topics/*.yaml and "
            "recommendations/<topic>/<audience>.yaml)"
        )
    outcome = formatting.format_files(files, formatting.read_schemas(schemas_directory(root)), check_only)
    _print_findings(outcome.findings)
    for change in outcome.changes:
        print(f"{'would reformat' if check_only else 'reformatted'} {change.path}: {'; '.join(change.reasons)}")
        if check_only:
            print(change.diff, end="")
    verb = "would be reformatted" if check_only else "reformatted"
    print(
        f"{len(outcome.changed)} file(s) {verb}, {outcome.unchanged} already canonical"
        + (f", {len(outcome.findings)} could not be formatted" if outcome.findings else "")
        + ".",
        file=sys.stderr,
    )
    if outcome.findings or (check_only and outcome.changed):
        return EXIT_ERRORS
    return EXIT_OK


def _import(root: Path, file: Path, topic: str, audience: str, sheet: str | None, dry_run: bool) -> int:
    from quaestio.workflow import importer
    from quaestio.workflow.fmt import read_schemas

    if not file.is_file():
        return _fail(f"no such file: {file}")
    try:
        table, findings = importer.read_table(file, str(file), sheet)
        if table is None:
            _print_findings(findings)
            print(f"quaestio: nothing was imported from {file}", file=sys.stderr)
            return EXIT_ERRORS
        done = importer.import_table(root, table, topic, audience, read_schemas(schemas_directory(root)), dry_run)
    except importer.ImporterError as problem:
        return _fail(str(problem))
    if done.findings:
        _print_findings(done.findings)
        print(f"quaestio: nothing was imported; {done.path} was left as it was", file=sys.stderr)
        return EXIT_ERRORS
    if dry_run:
        print(done.diff(), end="")
        print(
            f"would add {len(done.ids)} recommendation(s) to {done.path}: {', '.join(done.ids)} "
            "(dry run: nothing written)",
            file=sys.stderr,
        )
        return EXIT_OK
    print(f"added {len(done.ids)} recommendation(s) to {done.path}: {', '.join(done.ids)}", file=sys.stderr)
    return EXIT_OK


def _catalog_import(root: Path, file: Path, catalog_id: str | None, language: str | None) -> int:
    from quaestio.workflow.catalog import import_catalog

    if not file.is_file():
        return _fail(f"no such file: {file}")
    done = import_catalog(root, file, catalog_id, language)
    _print_findings(done.findings)
    if has_errors(done.findings) or not done.text:
        print(f"quaestio: nothing was imported from {file}; {done.path} was left as it was", file=sys.stderr)
        return EXIT_ERRORS
    print(
        f"imported {done.title} (version {done.version}, {done.language}): {done.controls} controls "
        f"({done.withdrawn} withdrawn) in {done.groups} groups into {done.path}",
        file=sys.stderr,
    )
    return EXIT_OK


def _diff(root: Path, base: str, head: str | None, output_format: str) -> int:
    from quaestio.workflow import diff as semantic

    try:
        report = semantic.semantic_diff(root, base, head)
    except GitError as problem:
        return _fail(str(problem))
    print(semantic.as_json(report) if output_format == "json" else semantic.as_markdown(report))
    if report.findings:
        print(format_text(report.findings, colour=_colour(sys.stderr)), file=sys.stderr)
    return EXIT_ERRORS if has_errors(report.findings) else EXIT_OK


def _translate(root: Path, args: argparse.Namespace) -> int:
    from quaestio.content.schema import load_schemas
    from quaestio.output import write_atomically
    from quaestio.workflow import translate

    schemas = load_schemas(schemas_directory(root))
    if args.action == "status":
        found = translate.inventory(root, schemas)
        languages = [Language(args.lang)] if args.lang else list(TRANSLATIONS)
        print(translate.status_table(translate.status(found, languages)))
        return EXIT_OK
    if args.action == "export":
        translate.exchange_format(args.output)
        data, count = translate.export(translate.inventory(root, schemas), Language(args.lang), args.only, args.output)
        try:
            write_atomically(args.output, data)
        except OSError as problem:
            return _fail(f"cannot write {args.output}: {problem.strerror or problem}", EXIT_ERRORS)
        print(f"wrote {count} text(s) to translate into '{args.lang}' to {args.output}", file=sys.stderr)
        return EXIT_OK
    if not args.file.is_file():
        return _fail(f"no such file: {args.file}")
    outcome = translate.import_file(root, args.file, schemas, str(args.file))
    if outcome.findings:
        _print_findings(outcome.findings)
        print(f"quaestio: nothing was imported from {args.file}; no file was changed", file=sys.stderr)
        return EXIT_ERRORS
    for path in outcome.written:
        print(f"updated {path}")
    print(f"imported {outcome.updated} translation(s) into {len(outcome.written)} file(s)", file=sys.stderr)
    return EXIT_OK


def _followup_migrate(root: Path, dry_run: bool) -> int:
    from quaestio.publish.branding import load_branding
    from quaestio.workflow.fmt import read_schemas
    from quaestio.workflow.migrate import migrate_follow_up

    outcome = migrate_follow_up(root, load_branding(root), read_schemas(schemas_directory(root)), dry_run)
    if outcome.findings:
        _print_findings(outcome.findings)
        print("quaestio: nothing was migrated; every file was left as it was", file=sys.stderr)
        return EXIT_ERRORS
    verb = "would move" if dry_run else "moved"
    for path, ids, moved in outcome.files:
        print(f"{path}: {verb} {moved} follow-up entries of {', '.join(ids)}", file=sys.stderr)
    print(f"{verb} {outcome.entries} follow-up entries into the tracker", file=sys.stderr)
    return EXIT_OK


def _edition_new(root: Path, year: int, topics: Sequence[str], dry_run: bool) -> int:
    from quaestio.workflow.edition import start_edition
    from quaestio.workflow.fmt import read_schemas
    from quaestio.workflow.scaffold import ScaffoldError

    try:
        started = start_edition(root, year, topics, read_schemas(schemas_directory(root)), dry_run)
    except ScaffoldError as problem:
        return _fail(str(problem))
    if started.findings:
        _print_findings(started.findings)
        print("quaestio: nothing was written; every topic was left as it was", file=sys.stderr)
        return EXIT_ERRORS
    verb = "would open" if dry_run else "opened"
    print(f"{verb} edition {year} for: {', '.join(started.topics)}", file=sys.stderr)
    if not dry_run:
        print(
            "each topic's earlier session and status quaestionis are kept in earlier_editions; write the new "
            "session's date, venue and chairs, and bring the status quaestionis up to date",
            file=sys.stderr,
        )
    return EXIT_OK


def _followup_import(root: Path, file: Path, sheet: str | None, dry_run: bool) -> int:
    from quaestio.workflow import followup
    from quaestio.workflow.fmt import read_schemas
    from quaestio.workflow.importer import ImporterError

    if not file.is_file():
        return _fail(f"no such file: {file}")
    result = check(root)
    if result.corpus is None:
        _print_findings([f for f in result.findings if f.severity.value == "error"])
        return _fail("the content has errors; fix them before importing follow-up", EXIT_ERRORS)
    try:
        table, findings = followup.read_sheet(file, str(file), sheet)
    except ImporterError as problem:
        return _fail(str(problem))
    if table is None:
        _print_findings(findings)
        print(f"quaestio: nothing was imported from {file}", file=sys.stderr)
        return EXIT_ERRORS
    done = followup.import_followup(root, table, result.corpus, read_schemas(schemas_directory(root)), dry_run)
    if done.findings:
        _print_findings(done.findings)
        print(f"quaestio: nothing was imported from {file}; every file was left as it was", file=sys.stderr)
        return EXIT_ERRORS
    verb = "would add" if dry_run else "added"
    for rec_id, addressee, date in done.added:
        print(f"  {verb} {rec_id}, {addressee}, {date}", file=sys.stderr)
    print(
        f"{verb} {len(done.added)} assessment(s) to {len(done.files)} file(s); "
        f"{done.unchanged} row(s) were already on record",
        file=sys.stderr,
    )
    return EXIT_OK


def _serve(root: Path, port: int) -> int:
    from quaestio.workflow.serve import serve

    try:
        serve(root, port)
    except OSError as problem:
        return _fail(f"cannot listen on 127.0.0.1:{port} ({problem.strerror or problem}); choose another --port")
    return EXIT_OK


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status (0 clean, 1 errors found, 2 usage error, 130 stopped).

    With no command it builds everything, as `python build.py` promises.
    """
    parser = _parser()
    args = parser.parse_args(argv)
    root: Path = args.root
    if not root.is_dir():
        parser.print_usage(sys.stderr)
        print(f"quaestio: error: the folder {root} does not exist", file=sys.stderr)
        return EXIT_USAGE
    try:
        return _run(parser, args, root)
    except (UsageError, GitError) as problem:
        return _fail(str(problem))
    except KeyboardInterrupt:  # Ctrl-C (serve's SIGTERM too): a word, not a traceback
        print("quaestio: stopped", file=sys.stderr)
        return EXIT_STOPPED


def _no_content(root: Path) -> str:
    """Why root is not a content repository, or '' when it holds content files."""
    if holds_content(root):
        return ""
    return (
        f"no content in {root.resolve()}: a content repository holds {TOPICS_DIR}/<topic>.yaml and "
        f"{RECOMMENDATIONS_DIR}/<topic>/<audience>.yaml; point --root at it, or start one with "
        "'quaestio new topic'"
    )


Handler = Callable[[Path, argparse.Namespace], int]

# Each command's handler; `build`, `reports`, `site` and `data` are the build targets (TARGETS).
HANDLERS: dict[str, Handler] = {
    "validate": lambda root, a: _validate(root, a.format, a.strict),
    "new": lambda root, a: (
        _new_topic(root, a.topic_id, a.code, a.title, a.date, a.edition)
        if a.kind == "topic"
        else _new_recommendation(root, a.topic, a.audience, a.title)
    ),
    "fmt": lambda root, a: _fmt(root, a.paths, a.check),
    "import": lambda root, a: _import(root, a.file, a.topic, a.audience, a.sheet, a.dry_run),
    "catalog": lambda root, a: _catalog_import(root, a.file, a.catalog_id, a.lang),
    "diff": lambda root, a: _diff(root, a.base, a.head, a.format),
    "followup": lambda root, a: (
        _followup_migrate(root, a.dry_run)
        if a.action == "migrate"
        else _followup_import(root, a.file, a.sheet, a.dry_run)
    ),
    "edition": lambda root, a: _edition_new(root, a.year, a.topics, a.dry_run),
    "serve": lambda root, a: _serve(root, a.port),
    "translate": lambda root, a: _translate(root, a),
}


# The commands that read the whole repository: in a folder without content they stop with a usage error.
NEEDS_CONTENT = ("build", "validate", "serve", *TARGETS)


def _run(parser: argparse.ArgumentParser, args: argparse.Namespace, root: Path) -> int:
    command = args.command or "build"
    empty = _no_content(root) if command in NEEDS_CONTENT else ""
    if empty:
        return _fail(empty)
    if command in TARGETS:
        return _build(root, command)
    handler = HANDLERS.get(command)
    if handler is None:
        parser.print_help(sys.stderr)
        return EXIT_USAGE
    return handler(root, args)
