"""What each `jixiao` command does once its arguments are parsed (jixiao.cli builds the parser and
points each command here with `set_defaults(func=...)`): call the library, print data to stdout,
turn exceptions into one-line messages on stderr, return the exit code (jixiao.logs puts
tracebacks in the log file, never on the console).

Exit codes: 0 every file ok (or partial), 1 some file failed, 2 usage error, 3 database
unreachable, busy or lost, 4 the run itself crashed; 128 + the signal's number when a signal
stopped it (143 for SIGTERM, 130 for Ctrl-C). Heavy modules are imported inside the handlers so
`jixiao --help` stays quick."""

from __future__ import annotations

import argparse
import json
import logging
import os
import signal
import sys
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

DEFAULT_DB = "sqlite:///jixiao.db"
EXIT_OK, EXIT_FAILED_FILES, EXIT_USAGE, EXIT_DB, EXIT_CRASH = 0, 1, 2, 3, 4

log = logging.getLogger("jixiao")


def _db(args: argparse.Namespace) -> str:
    """--db, else $JIXIAO_DB, else the SQLite file in the current folder."""
    return str(args.db or os.environ.get("JIXIAO_DB") or DEFAULT_DB)


def _corrections(args: argparse.Namespace) -> list[Any]:
    """The corrections named by --corrections, or by $JIXIAO_CORRECTIONS."""
    from jixiao.normalize import load_corrections

    files = args.corrections or [
        p for p in os.environ.get("JIXIAO_CORRECTIONS", "").split(":") if p
    ]
    return [c for f in files for c in load_corrections(f)]


def ingest(args: argparse.Namespace) -> int:
    from sqlalchemy.exc import SQLAlchemyError

    from jixiao.load import DatabaseBusy, LockLost, SchemaOutOfDate
    from jixiao.load.export import DatabaseURLError
    from jixiao.normalize import CorrectionsError
    from jixiao.pipeline import ORDINARY, DatabaseUnreachable, RunStopped, UsageError
    from jixiao.pipeline import ingest as run_ingest

    bar = _progress()

    def progress(filing: Any) -> None:
        counts = f"{len(filing.indicators)} indicators, {len(filing.findings)} findings"
        if bar is not None:
            bar.update(1)
        else:
            log.info("%-7s %s (%s)", filing.status, filing.source_path, counts)
        if filing.status == "failed":
            for finding in filing.findings:
                log.warning("failed  %s: %s", filing.source_path, finding.message)

    try:
        corrections = _corrections(args)
    except CorrectionsError as exc:
        log.error("jixiao ingest: %s", exc)
        return EXIT_USAGE
    try:
        with _stopped_by_signals():
            summary = run_ingest(
                args.paths,
                _db(args),
                on_filing=progress,
                ocr=args.ocr,
                workers=args.workers,
                timeout=args.timeout,
                max_memory_mb=args.max_memory,
                prune_vanished=args.prune,
                follow_symlinks=args.follow_symlinks,
                wait=args.wait,
                executor=args.executor,
                scheduler=args.scheduler,
                arguments={k: v for k, v in vars(args).items() if k != "func"},
                corrections=corrections,
            )
    except (UsageError, SchemaOutOfDate, DatabaseURLError) as exc:
        log.error("jixiao ingest: %s", exc)
        return EXIT_USAGE
    except (DatabaseUnreachable, DatabaseBusy, LockLost, SQLAlchemyError) as exc:
        log.error("jixiao ingest: %s", str(exc).splitlines()[0])
        return EXIT_DB
    except RunStopped as exc:
        log.error(
            "jixiao ingest: %s; every file committed before it is kept and the run is marked "
            "failed in ingest_runs. Run the ingest again to finish.",
            exc,
        )
        return 128 + exc.number
    finally:
        if bar is not None:
            bar.close()
    if summary.abandoned:
        log.warning(
            "earlier runs %s ended without finishing (killed?); marked failed in ingest_runs",
            ", ".join(map(str, summary.abandoned)),
        )
    for item in summary.skipped:
        if item.reason not in ORDINARY:
            log.warning("skipped %s: %s", item.path, item.reason)
    for path in summary.vanished:
        log.warning(
            "vanished %s (%s)", path, "forgotten" if args.prune else "kept; --prune forgets it"
        )
    _print_summary(summary, args.json)
    return summary.exit_code


@contextmanager
def _stopped_by_signals() -> Iterator[None]:
    """SIGTERM (systemd stopping the unit, `kill`) ends the run as Ctrl-C would: a file being
    written is finished first (`request_stop`), the run's row says failed, the workers are
    stopped."""
    from jixiao.pipeline import request_stop

    def stop(number: int, _frame: Any) -> None:
        request_stop(signal.Signals(number).name, number)

    previous = signal.signal(signal.SIGTERM, stop)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def _progress() -> Any:
    """A progress bar on a terminal; plain log lines when not on one (cron)."""
    if not sys.stderr.isatty():
        return None
    from tqdm import tqdm

    return tqdm(unit="file", file=sys.stderr, leave=False)


def _print_summary(summary: Any, as_json: bool) -> None:
    if as_json:
        print(json.dumps(summary.to_dict(), ensure_ascii=False, indent=2))
        return
    print(f"files seen: {summary.files_seen}" + _skipped_counts(summary.skipped))
    print(f"unchanged since last run: {summary.unchanged}")
    print(f"filings: {summary.ok} ok, {summary.partial} partial, {summary.failed} failed")
    print(f"indicators: {summary.indicators}")
    print(f"targets: {summary.targets}")
    print(f"findings: {summary.findings}")
    if summary.vanished:
        print(f"vanished: {len(summary.vanished)} (pruned: {summary.pruned})")


def _skipped_counts(skipped: list[Any]) -> str:
    """(skipped 4: 3 not a filing's file type, 1 dangling symlink …), by reason."""
    if not skipped:
        return ""
    reasons = Counter(item.reason.split(":")[0].split(" (")[0] for item in skipped)
    parts = ", ".join(f"{n} {reason}" for reason, n in reasons.most_common())
    return f" (skipped {len(skipped)}: {parts})"


def db(args: argparse.Namespace) -> int:
    from sqlalchemy.exc import SQLAlchemyError

    from jixiao.load import SchemaOutOfDate, connect
    from jixiao.load.export import QueryError, read_only_engine
    from jixiao.load.migrate import current, head, upgrade

    url = _db(args)
    try:
        if args.action == "upgrade":
            engine = connect(url)
            upgrade(engine)
            log.info("jixiao db: %s is at schema %s", url, current(engine))
        else:
            # Read-only: asking about a database that is not there must not create it.
            engine = read_only_engine(url)
            print(f"{current(engine) or 'none'} (this jixiao: {head()})")
    except (QueryError, SchemaOutOfDate) as exc:
        log.error("jixiao db: %s", exc)
        return EXIT_USAGE
    except SQLAlchemyError as exc:
        log.error("jixiao db: could not open %s: %s", url, str(exc).splitlines()[0])
        return EXIT_DB
    return EXIT_OK


def extract(args: argparse.Namespace) -> int:
    from jixiao.normalize import CorrectionsError, by_filing
    from jixiao.workers import run_in_workers

    path = Path(args.file)
    if not path.is_file():
        log.error("jixiao extract: %s: no such file. Check the path and try again.", path)
        return EXIT_USAGE
    try:
        corrections = by_filing(_corrections(args))
    except CorrectionsError as exc:
        log.error("jixiao extract: %s", exc)
        return EXIT_USAGE
    # In a worker, as ingest reads: a file that needs more memory or time than the limits
    # allow is stopped and reported, not left to take the machine down.
    ((_, filings),) = run_in_workers(
        [str(path)], 1, args.timeout, args.max_memory, args.ocr, corrections
    )
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


def query(args: argparse.Namespace) -> int:
    from jixiao.load.export import QueryError
    from jixiao.load.export import query as run_query

    try:
        frame = run_query(_db(args), args.sql)
    except QueryError as exc:
        log.error("jixiao query: %s", exc)
        return EXIT_USAGE
    _print_frame(frame, args.format)
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


def export(args: argparse.Namespace) -> int:
    from jixiao.load.export import QueryError
    from jixiao.load.export import export as run_export

    try:
        for path in run_export(_db(args), args.tables, args.format, Path(args.out), args.labels):
            log.info("wrote %s", path)
    except QueryError as exc:
        log.error("jixiao export: %s", exc)
        return EXIT_USAGE
    return EXIT_OK


def serve(args: argparse.Namespace) -> int:
    from jixiao.load.browse import serve as run_server
    from jixiao.load.export import QueryError

    url = _db(args)
    log.info("serving %s read-only at http://%s:%s/ (Ctrl-C stops)", url, args.host, args.port)
    try:
        return run_server(url, args.host, args.port)
    except QueryError as exc:
        log.error("jixiao serve: %s", exc)
        return EXIT_USAGE


def report(args: argparse.Namespace) -> int:
    from jixiao.load.export import QueryError
    from jixiao.load.report import write_report

    try:
        log.info("wrote %s", write_report(_db(args), Path(args.out)))
    except QueryError as exc:
        log.error("jixiao report: %s", exc)
        return EXIT_USAGE
    return EXIT_OK


def corrections(args: argparse.Namespace) -> int:
    """`corrections check`: print the corrections that no longer land; exit 1 when any."""
    from jixiao.load.corrections import check_corrections
    from jixiao.load.export import QueryError
    from jixiao.normalize import CorrectionsError, load_corrections

    try:
        stale = check_corrections(_db(args), load_corrections(args.file))
    except (QueryError, CorrectionsError) as exc:
        log.error("jixiao corrections: %s", exc)
        return EXIT_USAGE
    for item in stale:
        c = item.correction
        print(f"{c.source}\t{c.sha256[:12]}\t{c.location}\t{item.reason}")
    log.info("%d corrections no longer land", len(stale))
    return EXIT_FAILED_FILES if stale else EXIT_OK


def debug(args: argparse.Namespace) -> int:
    """`debug FILE --page N --out page.png`: the page with what was found on it drawn over it;
    the PNG's path on stderr."""
    from jixiao.debug import DebugError, write_debug_picture
    from jixiao.extract import ExtractError

    path = Path(args.file)
    if not path.is_file():
        log.error("jixiao debug: %s: no such file. Check the path and try again.", path)
        return EXIT_USAGE
    try:
        picture = write_debug_picture(path, args.page, Path(args.out), args.ocr)
    except DebugError as exc:
        log.error("jixiao debug: %s: %s", path, exc)
        return EXIT_USAGE
    except ExtractError as exc:
        log.error("jixiao debug: %s: %s", path, exc)
        return EXIT_FAILED_FILES
    for note in picture.notes:
        log.warning("jixiao debug: %s: %s", path, note)
    log.info("wrote %s (page %d of %d, %s)", picture.path, picture.page, picture.count, picture.how)
    return EXIT_OK
