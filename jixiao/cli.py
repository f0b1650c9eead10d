"""The command line: parse arguments, call the library, turn exceptions into one-line messages.

Data goes to stdout; progress and messages to stderr. Exit codes: 0 every file ok (or partial),
1 some file failed, 2 usage error, 3 database unreachable."""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from collections.abc import Sequence
from typing import Any

from jixiao import __version__

DEFAULT_DB = "sqlite:///jixiao.db"
EXIT_OK, EXIT_FAILED_FILES, EXIT_USAGE, EXIT_DB = 0, 1, 2, 3

log = logging.getLogger("jixiao")


def _db_default() -> str:
    return os.environ.get("JIXIAO_DB") or DEFAULT_DB


def _parser() -> argparse.ArgumentParser:
    formatter = argparse.RawDescriptionHelpFormatter
    parser = argparse.ArgumentParser(
        prog="jixiao",
        description="Read Chinese budget performance tables (绩效目标表) into a SQL database.",
        epilog="examples:\n  jixiao ingest filings/\n  jixiao extract 商务局2024.txt --json",
        formatter_class=formatter,
    )
    parser.add_argument("--version", action="version", version=f"jixiao {__version__}")
    parser.add_argument("-v", "--verbose", action="store_true", help="log each step to stderr")
    parser.add_argument("-q", "--quiet", action="store_true", help="only errors on stderr")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    ingest = commands.add_parser(
        "ingest",
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
        "exit codes: 0 all files read, 1 some files failed, 2 usage error (or a database "
        "at an older schema: run `jixiao db upgrade`), 3 database unreachable or busy",
        formatter_class=formatter,
    )
    ingest.add_argument("paths", nargs="+", metavar="PATH", help="files or folders")
    ingest.add_argument(
        "--db",
        default=None,
        metavar="URL",
        help=f"SQLAlchemy database URL (default: $JIXIAO_DB or {DEFAULT_DB})",
    )
    ingest.add_argument("--json", action="store_true", help="print the summary as JSON")
    ingest.add_argument(
        "--corrections",
        action="append",
        metavar="FILE",
        help="a corrections file (CSV or YAML) to apply; repeatable "
        "(default: $JIXIAO_CORRECTIONS, a path or several joined by ':')",
    )
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

    db = commands.add_parser(
        "db",
        help="create or upgrade the database schema",
        description="Create the database schema, or upgrade one made by an older jixiao "
        "(Alembic migrations). `ingest` creates a new database by itself but refuses one at an "
        "older schema.",
        epilog="examples:\n"
        "  jixiao db upgrade\n"
        "  jixiao db upgrade --db postgresql+psycopg://postgres@127.0.0.1/test\n"
        "  jixiao db current --db sqlite:///filings.db",
        formatter_class=formatter,
    )
    db.add_argument("action", choices=("upgrade", "current"))
    db.add_argument("--db", default=None, metavar="URL", help=f"as for ingest ({DEFAULT_DB})")

    extract = commands.add_parser(
        "extract",
        help="show the Filing(s) one file would load, without a database",
        description="Read one file and print the Filing that `ingest` would load: header, "
        "funds, indicators with parsed targets, and findings. A file holding several tables "
        "(a department's table and its project tables) or a .zip archive gives several "
        "Filings; --json then prints an array instead of one object.",
        epilog="examples:\n"
        "  jixiao extract samples/filings/suzhou_commerce_2024_department_overall.txt\n"
        "  jixiao extract 商务局2024.txt --json > filing.json\n"
        "  jixiao extract samples/archives/regional_2024.zip",
        formatter_class=formatter,
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
    _analyst_commands(commands, formatter)
    return parser


def _db_argument(command: argparse.ArgumentParser) -> None:
    command.add_argument(
        "--db",
        default=None,
        metavar="URL",
        help=f"database URL (default: $JIXIAO_DB or {DEFAULT_DB}); opened read-only",
    )


def _analyst_commands(commands: Any, formatter: Any) -> None:
    query = commands.add_parser(
        "query",
        help="run one SQL query, read-only, and print the rows",
        description="Run one SQL statement against the database, opened read-only, and print "
        "the rows to stdout as a table, CSV or JSON. Tables and views are described in the "
        "README (indicator_targets, fund_lines_with_totals, filing_findings, …).",
        epilog="examples:\n"
        '  jixiao query "SELECT department, fiscal_year, raw FROM indicator_targets '
        "WHERE canonical_name = '预算执行率'\"\n"
        '  jixiao query "SELECT * FROM filing_findings" --format csv > findings.csv\n'
        '  jixiao query "SELECT kind, count(*) AS n FROM targets GROUP BY kind" --format json',
        formatter_class=formatter,
    )
    query.add_argument("sql", metavar="SQL")
    query.add_argument("--format", choices=("table", "csv", "json"), default="table")
    _db_argument(query)

    export = commands.add_parser(
        "export",
        help="write tables or views to CSV, XLSX or Parquet",
        description="Write tables or views (all of them when none is named) to files. One "
        "table: --out is the file. Several: CSV and Parquet give a file each in the folder "
        "--out; XLSX gives one workbook with a sheet each. --labels zh puts Chinese column "
        "names in the header row.",
        epilog="examples:\n"
        "  jixiao export indicator_targets --format xlsx --out 指标.xlsx --labels zh\n"
        "  jixiao export --format parquet --out exports/\n"
        "  jixiao export filings findings --format csv --out exports/ --db sqlite:///f.db",
        formatter_class=formatter,
    )
    export.add_argument("tables", nargs="*", metavar="TABLE", help="tables or views (default: all)")
    export.add_argument("--format", choices=("csv", "xlsx", "parquet"), default="csv")
    export.add_argument("--out", required=True, metavar="PATH", help="file or folder to write")
    export.add_argument("--labels", choices=("en", "zh"), default="en", help="column names")
    _db_argument(export)

    serve = commands.add_parser(
        "serve",
        help="browse the SQLite database in a web browser (Datasette, read-only)",
        description="Serve the SQLite database with Datasette, opened immutable so browsing "
        "can never change it: tables and columns described in Chinese and English, facets on "
        "department, fiscal year, 一级指标, kind and severity, and a search by indicator name "
        "(the search_indicators query). Listens on 127.0.0.1 unless --host says otherwise.",
        epilog="examples:\n"
        "  jixiao serve                      # http://127.0.0.1:8001/\n"
        "  jixiao serve --db sqlite:///filings.db --port 8080\n"
        "  jixiao serve --host 0.0.0.0       # reachable from other machines: think first",
        formatter_class=formatter,
    )
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8001)
    _db_argument(serve)

    report = commands.add_parser(
        "report",
        help="write a data-quality report as one self-contained HTML file",
        description="Describe the database's data quality in one HTML file that opens "
        "anywhere, offline: files by status, findings by code with file, page and cell, how "
        "values parsed by kind, reconciliation failures, with bar charts.",
        epilog="examples:\n"
        "  jixiao report --out report.html\n"
        "  jixiao report --db postgresql+psycopg://user@host/db --out /srv/www/jixiao.html",
        formatter_class=formatter,
    )
    report.add_argument("--out", required=True, metavar="FILE.html")
    _db_argument(report)

    corrections = commands.add_parser(
        "corrections",
        help="check a corrections file against the database",
        description="A corrections file (CSV or YAML) holds an analyst's fixes to cells: the "
        "filing's sha256, the cell's location as findings print it, the corrected text, "
        "optionally the original text, who and why. `ingest --corrections FILE` applies them "
        "on every run. `check` lists corrections whose filing or cell no longer exists (exit "
        "1 when there are any).",
        epilog="examples:\n"
        "  jixiao corrections check corrections.csv\n"
        "  jixiao corrections check fixes.yaml --db sqlite:///filings.db\n\n"
        "CSV header: sha256,location,corrected,original,who,why",
        formatter_class=formatter,
    )
    corrections.add_argument("action", choices=("check",))
    corrections.add_argument("file", metavar="FILE")
    _db_argument(corrections)


def _print_summary(summary: Any, as_json: bool) -> None:
    if as_json:
        print(json.dumps(summary.to_dict(), ensure_ascii=False, indent=2))
        return
    print(
        f"files seen: {summary.files_seen}"
        + (f" (skipped {len(summary.skipped)} other files)" if summary.skipped else "")
    )
    print(f"unchanged since last run: {summary.unchanged}")
    print(f"filings: {summary.ok} ok, {summary.partial} partial, {summary.failed} failed")
    print(f"indicators: {summary.indicators}")
    print(f"targets: {summary.targets}")
    print(f"findings: {summary.findings}")
    if summary.vanished:
        print(f"vanished: {len(summary.vanished)} (pruned: {summary.pruned})")


def _cmd_ingest(args: argparse.Namespace) -> int:
    from sqlalchemy.exc import SQLAlchemyError

    from jixiao.load import DatabaseBusy, SchemaOutOfDate
    from jixiao.pipeline import DatabaseUnreachable, UsageError, ingest

    bar = _progress()

    def report(filing: Any) -> None:
        counts = f"{len(filing.indicators)} indicators, {len(filing.findings)} findings"
        if bar is not None:
            bar.update(1)
        else:
            log.info("%-7s %s (%s)", filing.status, filing.source_path, counts)
        if filing.status == "failed":
            for finding in filing.findings:
                log.warning("failed  %s: %s", filing.source_path, finding.message)

    db = args.db or _db_default()
    from jixiao.normalize import CorrectionsError

    try:
        corrections = _corrections(args)
    except CorrectionsError as exc:
        log.error("jixiao ingest: %s", exc)
        return EXIT_USAGE
    try:
        summary = ingest(
            args.paths,
            db,
            on_filing=report,
            ocr=args.ocr,
            workers=args.workers,
            timeout=args.timeout,
            max_memory_mb=args.max_memory,
            prune_vanished=args.prune,
            wait=args.wait,
            executor=args.executor,
            scheduler=args.scheduler,
            arguments={k: v for k, v in vars(args).items() if k != "func"},
            corrections=corrections,
        )
    except (UsageError, SchemaOutOfDate) as exc:
        log.error("jixiao ingest: %s", exc)
        return EXIT_USAGE
    except (DatabaseUnreachable, DatabaseBusy, SQLAlchemyError) as exc:
        log.error("jixiao ingest: %s", str(exc).splitlines()[0])
        return EXIT_DB
    finally:
        if bar is not None:
            bar.close()
    for path in summary.vanished:
        log.warning(
            "vanished %s (%s)", path, "forgotten" if args.prune else "kept; --prune forgets it"
        )
    _print_summary(summary, args.json)
    return summary.exit_code


def _progress() -> Any:
    """A progress bar on a terminal; plain log lines when not on one (cron)."""
    if not sys.stderr.isatty():
        return None
    from tqdm import tqdm

    return tqdm(unit="file", file=sys.stderr, leave=False)


def _cmd_db(args: argparse.Namespace) -> int:
    from sqlalchemy.exc import SQLAlchemyError

    from jixiao.load import connect
    from jixiao.load.migrate import current, head, upgrade

    url = args.db or _db_default()
    try:
        engine = connect(url)
        if args.action == "upgrade":
            upgrade(engine)
            log.info("jixiao db: %s is at schema %s", url, current(engine))
        else:
            print(f"{current(engine) or 'none'} (this jixiao: {head()})")
    except SQLAlchemyError as exc:
        log.error("jixiao db: could not open %s: %s", url, str(exc).splitlines()[0])
        return EXIT_DB
    return EXIT_OK


def _print_filing(filing: Any) -> None:
    print(f"{filing.title or '(no title)'}  [{filing.status}]")
    print(f"  {filing.department} · {filing.region} · {filing.fiscal_year} · {filing.doc_type}")
    print(
        f"  {len(filing.main_functions)} main functions, {len(filing.fund_lines)} fund lines, "
        f"{len(filing.indicators)} indicators"
    )
    for ind in filing.indicators:
        values = "  ".join(f"{t.period}={t.raw}" for t in ind.targets)
        print(f"  {ind.seq:>3} {ind.level1}/{(ind.level2 or '')[:12]}/{ind.level3}  {values}")
    for f in filing.findings:
        print(f"  {f.severity}: {f.code}: {f.message}" + (f" ({f.location})" if f.location else ""))


def _cmd_extract(args: argparse.Namespace) -> int:
    from pathlib import Path

    from jixiao.pipeline import file_to_filings

    path = Path(args.file)
    if not path.is_file():
        log.error("jixiao extract: %s: no such file. Check the path and try again.", path)
        return EXIT_USAGE
    from jixiao.normalize import CorrectionsError, by_filing

    try:
        corrections = by_filing(_corrections(args))
    except CorrectionsError as exc:
        log.error("jixiao extract: %s", exc)
        return EXIT_USAGE
    filings = file_to_filings(path, args.ocr, corrections)
    if args.json:
        dicts = [f.to_dict() for f in filings]
        print(json.dumps(dicts[0] if len(dicts) == 1 else dicts, ensure_ascii=False, indent=2))
    else:
        for k, filing in enumerate(filings):
            if len(filings) > 1:
                print(f"--- {k + 1}/{len(filings)}: {filing.source_path} (part {filing.part})")
            _print_filing(filing)
    failed = any(f.status == "failed" for f in filings)
    return EXIT_FAILED_FILES if failed else EXIT_OK


def _corrections(args: argparse.Namespace) -> list[Any]:
    """The corrections named by --corrections, or by $JIXIAO_CORRECTIONS."""
    from jixiao.normalize import load_corrections

    files = args.corrections or [
        p for p in os.environ.get("JIXIAO_CORRECTIONS", "").split(":") if p
    ]
    return [c for f in files for c in load_corrections(f)]


def _cmd_analyst(args: argparse.Namespace) -> int:
    from pathlib import Path

    from jixiao.load.export import QueryError
    from jixiao.normalize import CorrectionsError

    url = args.db or _db_default()
    try:
        if args.command == "query":
            from jixiao.load.export import query

            _print_frame(query(url, args.sql), args.format)
        elif args.command == "export":
            from jixiao.load.export import export

            for path in export(url, args.tables, args.format, Path(args.out), args.labels):
                log.info("wrote %s", path)
        elif args.command == "serve":
            from jixiao.load.browse import serve

            log.info(
                "serving %s read-only at http://%s:%s/ (Ctrl-C stops)", url, args.host, args.port
            )
            return serve(url, args.host, args.port)
        elif args.command == "report":
            from jixiao.load.report import write_report

            log.info("wrote %s", write_report(url, Path(args.out)))
        else:
            from jixiao.load.corrections import check_corrections
            from jixiao.normalize import load_corrections

            stale = check_corrections(url, load_corrections(args.file))
            for item in stale:
                c = item.correction
                print(f"{c.source}\t{c.sha256[:12]}\t{c.location}\t{item.reason}")
            log.info("%d corrections no longer land", len(stale))
            return EXIT_FAILED_FILES if stale else EXIT_OK
    except (QueryError, CorrectionsError) as exc:
        log.error("jixiao %s: %s", args.command, exc)
        return EXIT_USAGE
    return EXIT_OK


def _print_frame(frame: Any, fmt: str) -> None:
    if fmt == "csv":
        sys.stdout.write(frame.to_csv(index=False))
    elif fmt == "json":
        sys.stdout.write(frame.to_json(orient="records", force_ascii=False, date_format="iso"))
        sys.stdout.write("\n")
    else:
        import pandas as pd

        with pd.option_context(
            "display.unicode.east_asian_width",
            True,
            "display.max_rows",
            None,
            "display.max_columns",
            None,
            "display.width",
            200,
            "display.max_colwidth",
            60,
        ):
            print(frame.to_string(index=False) if len(frame) else "(no rows)")


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    level = logging.WARNING if args.quiet else logging.DEBUG if args.verbose else logging.INFO
    logging.basicConfig(level=level, format="%(message)s", stream=sys.stderr)
    for chatty in ("alembic", "distributed", "jieba"):
        logging.getLogger(chatty).setLevel(max(level, logging.WARNING))
    try:
        if args.command == "ingest":
            return _cmd_ingest(args)
        if args.command == "extract":
            return _cmd_extract(args)
        if args.command == "db":
            return _cmd_db(args)
        if args.command in ("query", "export", "serve", "report", "corrections"):
            return _cmd_analyst(args)
    except BrokenPipeError:
        # `jixiao extract … | head`: the reader left; not an error worth a traceback.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_OK
    parser.print_help(sys.stderr)
    return EXIT_USAGE
