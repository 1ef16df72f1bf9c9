"""The `gxcrawl` command."""

import argparse
import json
import os
import sys
from pathlib import Path

from gxcrawl import lock
from gxcrawl.archive import beside
from gxcrawl.importer import expand_paths
from gxcrawl.report import parse_file
from gxcrawl.store.schema import open_database

PORTAL_CONTENT_SELECTORS = (".report-content",)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="gxcrawl", description="Collect China's government information-disclosure annual reports as data."
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    parse = commands.add_parser(
        "parse",
        help="read annual reports and print their figures as JSON Lines",
        description="Read each document (HTML page, text or markdown) and print one JSON object per "
        "document: its agency, year, form, every figure of the form, the consistency checks, "
        "the prose sections and any warnings. Exit status: 0 when every document was read, "
        "1 when any could not be (the others are still printed), 2 for a usage error.",
    )
    parse.add_argument("paths", nargs="+", metavar="PATH", help="a document, or a directory of documents")
    parse.add_argument("--pretty", action="store_true", help="indented JSON, for people")
    parse.add_argument(
        "--max-bytes",
        type=int,
        default=None,
        metavar="N",
        help="refuse documents larger than N bytes (default 50 MB, or GXCRAWL_MAX_BYTES)",
    )
    parse.add_argument(
        "--content-selector",
        action="append",
        default=None,
        metavar="CSS",
        help="CSS selector of the report's block in HTML pages (repeatable; default: "
        ".report-content, else the block holding the report's tables)",
    )
    reparse = commands.add_parser(
        "reparse",
        help="parse the archived documents again into the database (no network)",
        description="Read every archived report document again with the current parser and store the "
        "results by the same rules as a crawl: unchanged readings stay, changed ones become new "
        "versions, documents that could not be read and now can are stored. Exit status 75 when "
        "another process is writing the database.",
    )
    with_database(reparse, archive=True)
    reparse.add_argument(
        "--jobs",
        type=_not_negative,
        default=1,
        metavar="N",
        help="read in N processes (0: one per core); the database has one writer either way (default 1)",
    )
    browse = commands.add_parser(
        "browse",
        help="browse the database in datasette, with labels, facets, search, the forms and charts",
        description="Serve gxcrawl databases with datasette and the project's metadata: Chinese and English "
        "labels, facets, full-text search (short words by LIKE), canned queries, each report's "
        "figures in the official form's layout, and charts (at /-/dashboards).",
    )
    browse.add_argument(
        "databases",
        nargs="*",
        default=["output/gxcrawl.db"],
        metavar="DB",
        help="database files (default output/gxcrawl.db)",
    )
    browse.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    browse.add_argument("--port", type=int, default=8001, help="port (default 8001)")
    browse.add_argument(
        "--immutable",
        action="store_true",
        help="serve the databases as files no crawl writes any more (an archived copy): no locking",
    )
    browse.add_argument(
        "--write-metadata",
        metavar="FILE",
        default=None,
        help="write the metadata for these databases to FILE (for a datasette of your own: "
        "datasette DB -m FILE --template-dir gxcrawl/browse/templates) instead of serving",
    )
    ingest = commands.add_parser(
        "ingest",
        help="store what distributed workers pushed to Redis (the single writer of the database)",
        description="Take the items that workers of a distributed crawl (GXCRAWL_REDIS_URL set) pushed to "
        "Redis and store them, by the same rules as a crawl, into the database. Each item is "
        "removed from Redis only after its transaction commits; a killed ingest loses and "
        "doubles nothing when started again. Runs until Ctrl-C, or with --once until no item is "
        "left. Exit status 75 when another process is writing the database.",
    )
    ingest.add_argument(
        "--redis",
        default=os.environ.get("GXCRAWL_REDIS_URL") or os.environ.get("REDIS_URL"),
        help="the Redis URL (default: $GXCRAWL_REDIS_URL or $REDIS_URL)",
    )
    with_database(ingest, archive=True)
    ingest.add_argument("--once", action="store_true", help="stop when no item is left instead of waiting for more")
    importer = commands.add_parser(
        "import",
        help="store report files (HTML, PDF, DOCX, DOC, text, scans) in the database",
        description="Read each file, or every file in each directory, with the same parser as the crawls, keep "
        "its bytes in the archive, and store it with source 'files' by the same rules: one report per "
        "agency and year (a file of a report a spider found becomes a version of it), unchanged "
        "content not rewritten, unreadable files recorded in the failures table. Prints how many "
        "were new, changed, unchanged and unreadable. Exit status: 0, or 1 when any file could not "
        "be read, or 75 when another process is writing the database.",
    )
    importer.add_argument("paths", nargs="+", metavar="PATH", help="a report file, or a directory of them")
    with_database(importer)
    importer.add_argument(
        "--follow-links",
        action="store_true",
        help="also read files that symbolic links inside a directory lead to outside it (left out by default)",
    )
    with_archive(importer)
    correct = commands.add_parser(
        "correct",
        help="correct a figure the parser misread; the correction lasts through every later reading",
        description="Record a person's correction of one figure (REPORT_ID KEY VALUE), or of every row of a CSV "
        "(--file, columns report_id,key,value,reason and optionally by), and store the report again with it. The "
        "correction is applied to every later reading of the report (crawl, import, reparse, ingest); when a new "
        "version reads the corrected cell differently, the correction is kept but flagged for review instead "
        "(the corrections_to_review query lists them). VALUE 'null' means the report does not give the figure. "
        "Exit status: 0, 1 when a correction could not be recorded, 75 when another process is writing.",
    )
    correct.add_argument("report_id", nargs="?", metavar="REPORT_ID", help="the report's id (reports.id)")
    correct.add_argument("key", nargs="?", metavar="KEY", help="the figure's key (figures.key)")
    correct.add_argument("value", nargs="?", metavar="VALUE", help="the figure as the document prints it, or null")
    correct.add_argument("--reason", default="", help="what the document shows, and where (required)")
    correct.add_argument("--by", default=None, metavar="NAME", help="who made the correction")
    correct.add_argument("--file", default=None, metavar="CSV", help="corrections to record, one per row")
    with_database(correct, archive=True)
    exporter = commands.add_parser(
        "export",
        help="write the reports as one wide table: CSV, XLSX or Parquet, with a data dictionary",
        description="Write one row per report and one column per figure key (printed values), after the report's "
        "identity, scorecard and checks, as CSV (a second header row of Chinese labels), XLSX (the same, and a "
        "dictionary sheet) or Parquet (labels as column metadata); CSV and Parquet get OUT.dictionary.csv beside "
        "them. Reports are read and written a thousand at a time: memory stays flat.",
    )
    exporter.add_argument("out", metavar="OUT", help="the file to write")
    with_database(exporter)
    exporter.add_argument("--format", choices=("csv", "xlsx", "parquet"), default=None, help="default: OUT's extension")
    exporter.add_argument("--year", type=int, default=None, help="only the reports of this year")
    exporter.add_argument("--template", default=None, help="only the reports of this form: 2019, 2021 or legacy")
    linker = commands.add_parser(
        "link-agency",
        help="link an agency's old name to its current one, so that its history is whole",
        description="Record in agency_aliases that the agency whose reports print ALIAS is the one now called "
        "AGENCY: its history page, its previous year's report (for R6 and copying) and the list of who did not "
        "publish follow the current name. Its reports are graded again. Exit status 75 when another process is "
        "writing the database.",
    )
    linker.add_argument("alias", metavar="ALIAS", help="the name older reports print")
    linker.add_argument("agency", metavar="AGENCY", help="the name it is known by now")
    linker.add_argument("--note", default=None, help="why the two are one agency")
    linker.add_argument(
        "--replace", action="store_true", help="link ALIAS anew when it is linked to another agency already"
    )
    with_database(linker)
    rescorer = commands.add_parser(
        "rescore",
        help="grade every stored report again (scorecards)",
        description="Compute every report's scorecard again from the database, as the writer does when it stores "
        "a report: after an upgrade, or to see today's rules applied to yesterday's reports.",
    )
    with_database(rescorer)
    summariser = commands.add_parser(
        "rebuild-summaries",
        help="compute the summary tables and the index of single characters afresh (the pages read them)",
        description="Compute the summary tables (totals, outcomes, agencies, scores, gaps, facets) from the reports "
        "and scorecards, with the very queries they stand for, and the index of single characters that short "
        "searches read. The writer keeps them in step report by report; rebuild them after editing the database "
        "by hand. Exit status 75 when another process is writing the database.",
    )
    with_database(summariser)
    args = parser.parse_args(argv)
    if args.command == "export":
        return run_export(args)
    if args.command in ("link-agency", "rescore", "rebuild-summaries"):
        return run_scoring(args)
    if args.command == "correct":
        return run_correct(parser, args)
    if args.command == "import":
        return run_import(args)
    if args.command == "ingest":
        return run_ingest(args)
    if args.command == "reparse":
        return run_reparse(args)
    if args.command == "browse":
        return run_browse(args)
    return run_parse(args)


def _not_negative(text: str) -> int:
    number = int(text)
    if number < 0:
        raise argparse.ArgumentTypeError(f"{number} is not a number of processes: give 0 (one per core) or more")
    return number


def with_database(command, archive: bool = False) -> None:
    """The options naming the database (and its archive) a command works on."""
    command.add_argument("--db", default="output/gxcrawl.db", help="the database (default output/gxcrawl.db)")
    if archive:
        with_archive(command)


def with_archive(command) -> None:
    command.add_argument("--archive", default=None, help="the archive folder (default: archive/ beside the database)")


def no_database(path: str) -> bool:
    """Whether there is no database at `path`, said on stderr."""
    if Path(path).exists():
        return False
    print(f"gxcrawl: no database at {path}; run a crawl first (or pass --db)", file=sys.stderr)
    return True


def as_the_writer(database: str, work):
    """`work()`'s result, run holding the database's writer lock; None (said on stderr) when another process
    holds it."""
    try:
        with lock.writing(database):
            return work()
    except lock.DatabaseBusy as busy:
        print(f"gxcrawl: {busy}", file=sys.stderr)
        return None


def archive_root(args) -> str:
    return args.archive or str(beside(args.db))


def run_reparse(args) -> int:
    from gxcrawl.reparse import reparse

    if no_database(args.db):
        return 2
    outcomes = as_the_writer(args.db, lambda: reparse(args.db, archive_root(args), args.jobs))
    if outcomes is None:
        return lock.BUSY_EXIT_STATUS
    print(", ".join(f"{count} {outcome}" for outcome, count in sorted(outcomes.items())) or "nothing to reparse")
    return 0


def run_export(args) -> int:
    from gxcrawl.export import FORMATS, export, has_wide_view

    if no_database(args.db):
        return 2
    chosen = args.format or Path(args.out).suffix.lstrip(".").lower()
    if chosen not in FORMATS:
        print(f"gxcrawl: say which format to write with --format ({', '.join(FORMATS)})", file=sys.stderr)
        return 2
    if not has_wide_view(args.db) and as_the_writer(args.db, lambda: open_database(args.db).close() or True) is None:
        return lock.BUSY_EXIT_STATUS  # made by an older gxcrawl, and a crawl is writing: the view cannot be added now
    count = export(args.db, args.out, chosen, args.year, args.template)
    print(f"{count} reports written to {args.out}")
    return 0


def run_scoring(args) -> int:
    from gxcrawl.store.characters import CHARACTER_INDEX, build_character_index
    from gxcrawl.store.scorecards import link_agency, rescore
    from gxcrawl.store.summaries import SUMMARIES, rebuild_summaries

    if no_database(args.db):
        return 2

    def work():
        db = open_database(args.db)
        try:
            if args.command == "rescore":
                return f"{rescore(db)} reports graded"
            if args.command == "rebuild-summaries":
                rebuild_summaries(db)
                with db.atomic():
                    build_character_index(db)
                return f"{', '.join(SUMMARIES)} and {CHARACTER_INDEX} computed afresh"
            graded = link_agency(db, args.alias, args.agency, args.note, args.replace)
            return f"{args.alias} → {args.agency}: {graded} reports graded again"
        finally:
            db.close()

    try:
        said = as_the_writer(args.db, work)
    except ValueError as trouble:
        print(f"gxcrawl: {trouble}", file=sys.stderr)
        return 2
    if said is None:
        return lock.BUSY_EXIT_STATUS
    print(said)
    return 0


def run_correct(parser, args) -> int:
    from gxcrawl.corrections import CorrectionError, read_corrections_file

    if no_database(args.db):
        return 2
    if args.file:
        try:
            rows = read_corrections_file(args.file)
        except (OSError, CorrectionError) as trouble:
            print(f"gxcrawl: {trouble}", file=sys.stderr)
            return 2
    elif args.report_id and args.key and args.value is not None:
        rows = [{"report_id": args.report_id, "key": args.key, "value": args.value, "reason": args.reason}]
    else:
        parser.error("correct needs REPORT_ID KEY VALUE --reason TEXT, or --file CSV")
    outcomes = as_the_writer(args.db, lambda: _record_corrections(args, rows))
    if outcomes is None:
        return lock.BUSY_EXIT_STATUS
    for line in outcomes:
        print(line, file=sys.stderr if line.startswith("gxcrawl:") else sys.stdout)
    return 1 if any(line.startswith("gxcrawl:") for line in outcomes) else 0


def _record_corrections(args, rows: list[dict]) -> list[str]:
    """Each report's corrections recorded and the report stored again with them: one line each, errors starting
    gxcrawl:."""
    from gxcrawl.archive import Archive
    from gxcrawl.corrections import CorrectionError, add_correction, parse_value
    from gxcrawl.reparse import reread_current

    db = open_database(args.db)
    archive = Archive(archive_root(args))
    by_report: dict[str, list] = {}
    for number, row in enumerate(rows, 1):
        by_report.setdefault(row.get("report_id") or "", []).append((number, row))
    lines = []
    try:
        for report_id, numbered in by_report.items():
            with db.atomic():
                recorded = []
                for number, row in numbered:
                    try:
                        value = parse_value(row.get("value") or "", row.get("key") or "")
                        reason, by = row.get("reason") or "", row.get("by") or args.by
                        recorded.append((add_correction(db, report_id, row["key"], value, reason, by), row))
                    except CorrectionError as trouble:
                        lines.append(f"gxcrawl: correction {number} ({report_id} {row.get('key')}): {trouble}")
                outcome = reread_current(db, archive, report_id) if recorded else None
                lines.extend(_recorded(db, correction, row, outcome) for correction, row in recorded)
    finally:
        db.close()
    return lines


def _recorded(db, correction: int, row: dict, outcome: str) -> str:
    """What became of a recorded correction once its report was stored again, in words."""
    from gxcrawl.reparse import MISSING

    said = f"correction {correction}: {row['report_id']} {row['key']} = {row['value']}"
    review = db.execute("SELECT review FROM corrections WHERE id = ?", [correction]).fetchone()[0]
    if review:
        return f"gxcrawl: {said} was recorded but does not fit the report as it reads now ({review}); it awaits review"
    if outcome == MISSING:
        return f"{said}; kept, but the report's documents are not in the archive: it applies from its next reading"
    if outcome in ("now unreadable", "still unreadable"):
        return f"{said}; kept, but the archived documents cannot be read now: it applies from the next reading"
    return f"{said}; the report was stored again with it"


def quoted(name: str) -> str:
    """A file name as a message shows it: quoted, its newlines and control characters escaped, so that a name
    cannot forge a line of the log."""
    return repr(str(name))


def run_import(args) -> int:
    from gxcrawl.archive import Archive
    from gxcrawl.importer import UNREADABLE, import_files

    missing = [path for path in args.paths if not Path(path).exists()]
    if missing:
        print(f"gxcrawl: no such file or directory: {', '.join(map(quoted, missing))}", file=sys.stderr)
        return 2

    def store_files():
        db = open_database(args.db)
        try:
            return import_files(db, Archive(archive_root(args)), args.paths, follow_links=args.follow_links)
        finally:
            db.close()

    outcomes = as_the_writer(args.db, store_files)
    if outcomes is None:
        return lock.BUSY_EXIT_STATUS
    print(
        ", ".join(
            f"{outcomes[name]} {name}"
            for name in ("new", "changed", "unchanged", "older", UNREADABLE)
            if outcomes[name] or name != "older"
        )
    )
    if outcomes[UNREADABLE]:
        print(
            f"gxcrawl: {outcomes[UNREADABLE]} files could not be read; the failures table of {args.db} says why",
            file=sys.stderr,
        )
        return 1
    return 0


def run_ingest(args) -> int:
    from gxcrawl.ingest import ingest

    if not args.redis:
        print(
            "gxcrawl: no Redis to ingest from: pass --redis redis://host:6379/0 (or set GXCRAWL_REDIS_URL)",
            file=sys.stderr,
        )
        return 2
    outcomes = as_the_writer(args.db, lambda: ingest(args.redis, args.db, archive_root(args), once=args.once))
    if outcomes is None:
        return lock.BUSY_EXIT_STATUS
    print(", ".join(f"{count} {outcome}" for outcome, count in sorted(outcomes.items())) or "nothing to ingest")
    if outcomes["rejected"]:
        print(
            f"gxcrawl: {outcomes['rejected']} messages could not be stored; the failures table says why, and "
            "they are kept in Redis (gxcrawl:items:failed)",
            file=sys.stderr,
        )
        return 1
    return 0


def run_browse(args) -> int:
    from gxcrawl.browse.server import database_names, metadata_for, serve

    if args.write_metadata:
        metadata = metadata_for(database_names(args.databases))
        Path(args.write_metadata).write_text(json.dumps(metadata, ensure_ascii=False, indent=2), encoding="utf-8")
        return 0
    try:
        serve(args.databases, args.host, args.port, args.immutable)
    except FileNotFoundError as missing:
        print(f"gxcrawl: {missing}", file=sys.stderr)
        return 2
    return 0


def run_parse(args) -> int:
    status = 0
    for path in expand_paths(args.paths):
        report = parse_file(
            path, max_bytes=args.max_bytes, content_selectors=tuple(args.content_selector or PORTAL_CONTENT_SELECTORS)
        )
        if report.error:
            status = 1
            print(f"gxcrawl: {quoted(path)}: {report.error}", file=sys.stderr)
        # JSON Lines for programs: no spaces after separators (a fifth of a report's cells); --pretty for people.
        compact = {"indent": 2} if args.pretty else {"separators": (",", ":")}
        print(json.dumps(report.to_json(), ensure_ascii=False, **compact), flush=True)
    return status


if __name__ == "__main__":
    sys.exit(main())
