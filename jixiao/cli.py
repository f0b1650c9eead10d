"""The command line: the parser, each command pointing at its handler in jixiao.commands, and
`main`, which returns the exit code.

Data goes to stdout; progress and messages to stderr. Exit codes: 0 every file ok (or partial),
1 some file failed, 2 usage error, 3 database unreachable, busy or lost, 4 jixiao crashed (the
traceback is in the log file), 128 + N when signal N stopped it (143 SIGTERM, 130 Ctrl-C)."""

from __future__ import annotations

import argparse
import logging
import os
import signal
import sys
from collections.abc import Callable, Sequence
from functools import partial
from typing import Any

from jixiao import __version__
from jixiao import commands as run
from jixiao.commands import DEFAULT_DB, EXIT_CRASH, EXIT_OK, EXIT_USAGE
from jixiao.logs import log_to_stderr

Handler = Callable[[argparse.Namespace], int]
Command = Callable[..., argparse.ArgumentParser]  # `_command` with the subparsers given


def _command(commands: Any, handler: Handler, **texts: str) -> argparse.ArgumentParser:
    """A subcommand named after its handler, which `main` calls with the parsed arguments: each
    command below starts with its handler, then its help and options."""
    parser: argparse.ArgumentParser = commands.add_parser(
        handler.__name__, formatter_class=argparse.RawDescriptionHelpFormatter, **texts
    )
    parser.set_defaults(func=handler)
    return parser


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="jixiao",
        description="Read Chinese budget performance tables (绩效目标表) into a SQL database.",
        epilog="examples:\n  jixiao ingest filings/\n  jixiao extract 商务局2024.txt --json",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"jixiao {__version__}")
    parser.add_argument("-v", "--verbose", action="store_true", help="log each step to stderr")
    parser.add_argument("-q", "--quiet", action="store_true", help="only errors on stderr")
    command = partial(_command, parser.add_subparsers(dest="command", metavar="COMMAND"))
    _ingest_parser(command)
    _db_parser(command)
    _extract_parser(command)
    _query_parser(command)
    _export_parser(command)
    _serve_parser(command)
    _report_parser(command)
    _corrections_parser(command)
    _debug_parser(command)
    return parser


def _ingest_parser(command: Command) -> None:
    ingest = command(
        run.ingest,
        help="read files and folders into the database",
        description="Read filings (files, or folders searched recursively) into the database. "
        "The same bytes ingested again replace their rows; a file that cannot be read is "
        "recorded as failed with a finding saying why, and the rest still load.",
        epilog="examples:\n"
        "  jixiao ingest samples/filings\n"
        "  jixiao ingest 2024/ 2025/商务局.txt --db sqlite:///filings.db\n"
        "  jixiao ingest scans/ --ocr always\n"
        "  JIXIAO_DB=postgresql+psycopg://user@host/db jixiao ingest inbox/ --json\n"
        "  jixiao ingest inbox/ --workers 8 --timeout 120 --wait 600 --prune\n"
        "  jixiao ingest inbox/ --executor dask --scheduler tcp://10.0.0.5:8786 --db URL\n\n"
        "Unchanged files (same path, size and mtime as last run) are not read again.\n"
        "exit codes: 0 all files read, 1 some files failed (a nightly run's success too), "
        "2 usage error (or a database at an older schema: run `jixiao db upgrade`), "
        "3 database unreachable, busy or lost mid-run, 4 jixiao crashed (traceback in the log "
        "file: $JIXIAO_LOG, else ~/.local/state/jixiao/jixiao.log), 143 stopped by SIGTERM",
    )
    ingest.add_argument("paths", nargs="+", metavar="PATH", help="files or folders")
    _db_argument(ingest, f"SQLAlchemy database URL (default: $JIXIAO_DB or {DEFAULT_DB})")
    ingest.add_argument("--json", action="store_true", help="print the summary as JSON")
    ingest.add_argument(
        "--corrections",
        action="append",
        metavar="FILE",
        help="a corrections file (CSV or YAML) to apply; repeatable "
        "(default: $JIXIAO_CORRECTIONS, a path or several joined by ':')",
    )
    _ingest_batch_options(ingest)


def _ingest_batch_options(ingest: argparse.ArgumentParser) -> None:
    """How the batch runs: where files are read, in what limits, what a run forgets."""
    ingest.add_argument(
        "--workers",
        type=int,
        default=os.cpu_count() or 1,
        metavar="N",
        help="worker processes that read files (default: the CPU count; 0 reads in this process)",
    )
    ingest.add_argument(
        "--timeout",
        type=float,
        default=300.0,
        metavar="SECONDS",
        help="time limit per file; a file that hits it is recorded as failed (default 300)",
    )
    ingest.add_argument(
        "--max-memory",
        type=float,
        default=2048.0,
        metavar="MB",
        help="memory cap per worker; a file that hits it is recorded as failed (default 2048)",
    )
    ingest.add_argument(
        "--prune",
        action="store_true",
        help="forget files that vanished since the last run (and their filings)",
    )
    ingest.add_argument(
        "--follow-symlinks",
        action="store_true",
        help="read symlinks that point outside the folders given (default: skip them, and say so)",
    )
    ingest.add_argument(
        "--wait",
        type=float,
        default=0.0,
        metavar="SECONDS",
        help="wait this long for another run on the same database to finish (default 0)",
    )
    ingest.add_argument(
        "--executor", choices=("local", "dask"), default="local", help="where files are read"
    )
    ingest.add_argument(
        "--scheduler", metavar="ADDRESS", help="Dask scheduler, e.g. tcp://10.0.0.5:8786"
    )
    ingest.add_argument(
        "--ocr",
        choices=("auto", "always", "never"),
        default="auto",
        help="OCR pages without a usable text layer (auto, the default), every page (always), "
        "or none (never)",
    )


def _db_parser(command: Command) -> None:
    db = command(
        run.db,
        help="create or upgrade the database schema",
        description="Create the database schema, or upgrade one made by an older jixiao "
        "(Alembic migrations). `ingest` creates a new database by itself but refuses one at an "
        "older schema.",
        epilog="examples:\n"
        "  jixiao db upgrade\n"
        "  jixiao db upgrade --db postgresql+psycopg://postgres@127.0.0.1/test\n"
        "  jixiao db current --db sqlite:///filings.db",
    )
    db.add_argument("action", choices=("upgrade", "current"))
    _db_argument(db, f"as for ingest ({DEFAULT_DB})")


def _extract_parser(command: Command) -> None:
    extract = command(
        run.extract,
        help="show the Filing(s) one file would load, without a database",
        description="Read one file and print the Filing that `ingest` would load: header, "
        "funds, indicators with parsed targets, and findings. A file holding several tables "
        "(a department's table and its project tables) or a .zip archive gives several "
        "Filings; --json then prints an array instead of one object.",
        epilog="examples:\n"
        "  jixiao extract samples/filings/suzhou_commerce_2024_department_overall.txt\n"
        "  jixiao extract 商务局2024.txt --json > filing.json\n"
        "  jixiao extract samples/archives/regional_2024.zip",
    )
    extract.add_argument("file", metavar="FILE")
    extract.add_argument("--corrections", action="append", metavar="FILE", help="as for ingest")
    extract.add_argument(
        "--json",
        action="store_true",
        help="print the Filing as JSON (an array when there are several)",
    )
    extract.add_argument(
        "--ocr", choices=("auto", "always", "never"), default="auto", help="as for ingest"
    )
    extract.add_argument(
        "--timeout",
        type=float,
        default=300.0,
        metavar="SECONDS",
        help="time limit; a file that hits it is reported as failed (default 300)",
    )
    extract.add_argument(
        "--max-memory",
        type=float,
        default=2048.0,
        metavar="MB",
        help="memory cap; a file that hits it is reported as failed (default 2048)",
    )


def _db_argument(
    command: argparse.ArgumentParser,
    text: str = f"database URL (default: $JIXIAO_DB or {DEFAULT_DB}); opened read-only",
) -> None:
    command.add_argument("--db", default=None, metavar="URL", help=text)


def _query_parser(command: Command) -> None:
    query = command(
        run.query,
        help="run one SQL query, read-only, and print the rows",
        description="Run one SQL statement against the database, opened read-only, and print "
        "the rows to stdout as a table, CSV or JSON. Tables and views are described in the "
        "README (indicator_targets, fund_lines_with_totals, filing_findings, …).",
        epilog="examples:\n"
        '  jixiao query "SELECT department, fiscal_year, raw FROM indicator_targets '
        "WHERE canonical_name = '预算执行率'\"\n"
        '  jixiao query "SELECT * FROM filing_findings" --format csv > findings.csv\n'
        '  jixiao query "SELECT kind, count(*) AS n FROM targets GROUP BY kind" --format json',
    )
    query.add_argument("sql", metavar="SQL")
    query.add_argument("--format", choices=("table", "csv", "json"), default="table")
    _db_argument(query)


def _export_parser(command: Command) -> None:
    export = command(
        run.export,
        help="write tables or views to CSV, XLSX or Parquet",
        description="Write tables or views (all of them when none is named) to files. One "
        "table: --out is the file. Several: CSV and Parquet give a file each in the folder "
        "--out; XLSX gives one workbook with a sheet each. --labels zh puts Chinese column "
        "names in the header row.",
        epilog="examples:\n"
        "  jixiao export indicator_targets --format xlsx --out 指标.xlsx --labels zh\n"
        "  jixiao export --format parquet --out exports/\n"
        "  jixiao export filings findings --format csv --out exports/ --db sqlite:///f.db",
    )
    export.add_argument("tables", nargs="*", metavar="TABLE", help="tables or views (default: all)")
    export.add_argument("--format", choices=("csv", "xlsx", "parquet"), default="csv")
    export.add_argument("--out", required=True, metavar="PATH", help="file or folder to write")
    export.add_argument("--labels", choices=("en", "zh"), default="en", help="column names")
    _db_argument(export)


def _serve_parser(command: Command) -> None:
    serve = command(
        run.serve,
        help="browse the SQLite database in a web browser (Datasette, read-only)",
        description="Serve the SQLite database with Datasette: tables and columns described in "
        "Chinese and English, facets on department, fiscal year, 一级指标, kind and severity, "
        "and a search by indicator name (the search_indicators query). Listens on 127.0.0.1 "
        "unless --host says otherwise. The file is served in Datasette's normal mode, not "
        "--immutable, so rows an ingest writes meanwhile show (immutable mode assumes the file "
        "never changes: stale counts, 'database disk image is malformed'); browsing still "
        "cannot write it, as Datasette reads through mode=ro connections and runs only SELECT. "
        "Ctrl-C, SIGTERM and SIGHUP stop Datasette with it (exit 0).",
        epilog="examples:\n"
        "  jixiao serve                      # http://127.0.0.1:8001/\n"
        "  jixiao serve --db sqlite:///filings.db --port 8080\n"
        "  jixiao serve --host 0.0.0.0       # reachable from other machines: think first",
    )
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8001)
    _db_argument(serve)


def _report_parser(command: Command) -> None:
    report = command(
        run.report,
        help="write a data-quality report as one self-contained HTML file",
        description="Describe the database's data quality in one HTML file that opens "
        "anywhere, offline: files by status, findings by code with file, page and cell, how "
        "values parsed by kind, reconciliation failures, with bar charts.",
        epilog="examples:\n"
        "  jixiao report --out report.html\n"
        "  jixiao report --db postgresql+psycopg://user@host/db --out /srv/www/jixiao.html",
    )
    report.add_argument("--out", required=True, metavar="FILE.html")
    _db_argument(report)


def _corrections_parser(command: Command) -> None:
    corrections = command(
        run.corrections,
        help="check a corrections file against the database",
        description="A corrections file (CSV or YAML) holds an analyst's fixes to cells: the "
        "filing's sha256, the cell's reference as findings print it (table 4, row 2, cell 3; "
        "PDFs: page 2, row 5, cell 3), the corrected text, "
        "optionally the original text, who and why. `ingest --corrections FILE` applies them "
        "on every run. `check` lists corrections whose filing or cell no longer exists (exit "
        "1 when there are any).",
        epilog="examples:\n"
        "  jixiao corrections check corrections.csv\n"
        "  jixiao corrections check fixes.yaml --db sqlite:///filings.db\n\n"
        "CSV header: sha256,cell,corrected,original,who,why (a location column is read too)",
    )
    corrections.add_argument("action", choices=("check",))
    corrections.add_argument("file", metavar="FILE")
    _db_argument(corrections)


def _debug_parser(command: Command) -> None:
    debug = command(
        run.debug,
        help="draw what was found on one page of a PDF or image into a PNG",
        description="Read the file as ingest does, then draw page N as the readers saw it (a "
        "scan straightened and turned upright) with what was found on it: the printed rules, "
        "the ruled boxes, each cell with its row and column (r3c2, as corrections name cells) "
        "coloured by what it became (indicator name, target, fund line, header field, ignored, "
        "NOT READ), the OCR text boxes coloured by confidence (green >= 0.9, orange >= 0.8, red "
        "below), and a legend. The PNG has the page's size at the dpi it was read at.",
        epilog="examples:\n"
        "  jixiao debug samples/pdf/suzhou_commerce_2024_seed.pdf --page 2 --out page2.png\n"
        "  jixiao debug scans/商务局.pdf --page 5 --out p5.png --ocr always\n"
        "  jixiao debug samples/scans/suzhou_commerce_2024_seed.page2.jpg --page 1 --out p.png",
    )
    debug.add_argument("file", metavar="FILE", help="a PDF, or a PNG, JPEG or TIFF image")
    debug.add_argument("--page", type=int, required=True, metavar="N", help="the page, from 1")
    debug.add_argument("--out", required=True, metavar="FILE.png", help="the picture to write")
    debug.add_argument(
        "--ocr", choices=("auto", "always", "never"), default="auto", help="as for ingest"
    )


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; the exit code is returned (argparse's own exits too: --help, --version
    and usage errors), never raised."""
    parser = _parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else EXIT_USAGE
    log_to_stderr(
        logging.WARNING if args.quiet else logging.DEBUG if args.verbose else logging.INFO
    )
    handler: Handler | None = getattr(args, "func", None)
    if handler is None:
        parser.print_help(sys.stderr)
        return EXIT_USAGE
    try:
        return handler(args)
    except BrokenPipeError:
        # `jixiao extract … | head`: the reader left; not an error worth a traceback.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_OK
    except KeyboardInterrupt:
        logging.getLogger("jixiao").error("jixiao %s: stopped (Ctrl-C)", args.command)
        return 128 + signal.SIGINT
    except Exception:
        # A bug: one line here, the traceback in the log file, and an exit code of its own so
        # a scheduler can tell it from files that failed.
        logging.getLogger("jixiao").exception(
            "jixiao %s crashed; please report it with the log file", args.command
        )
        return EXIT_CRASH
