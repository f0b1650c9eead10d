"""Browsing the database in a web browser: Datasette over the SQLite file, with the tables and
columns described in Chinese and English, facets on the columns analysts filter by, sensible
sorts, and a search by indicator name.

The file is served in Datasette's normal (mutable) mode, not --immutable: an ingest may be
writing it, and an immutable open trusts the file never to change (stale counts, "database disk
image is malformed"). Browsing still cannot write: Datasette reads a mutable file through
`mode=ro` connections, accepts only SELECT from visitors, and writes only through writable
canned queries or plugins, and the metadata here defines none.

`jixiao serve` runs Datasette as a child in its own session and stops all of it on SIGINT,
SIGTERM and SIGHUP; on Linux the child also dies with jixiao (PR_SET_PDEATHSIG), even a kill -9."""

from __future__ import annotations

import contextlib
import ctypes
import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from sqlalchemy.engine import make_url

from jixiao import dictionaries

from .export import QueryError

# Facets and default sorts per table or view: what analysts filter and order by.
FACETS: dict[str, list[str]] = {
    "filings": ["department", "fiscal_year", "doc_type", "status"],
    "indicators": ["level1", "level2"],
    "targets": ["kind", "period"],
    "findings": ["severity", "code"],
    "indicator_targets": ["department", "fiscal_year", "level1", "kind"],
    "fund_lines_with_totals": ["department", "fiscal_year", "section"],
    "filing_findings": ["department", "fiscal_year", "status"],
}
SORTS: dict[str, tuple[str, str]] = {  # table -> (sort | sort_desc, column)
    "filings": ("sort_desc", "fiscal_year"),
    "indicators": ("sort", "id"),
    "findings": ("sort", "id"),
    "indicator_targets": ("sort", "indicator_id"),
    "filing_findings": ("sort_desc", "warnings"),
    "fund_lines_with_totals": ("sort", "filing_id"),
}

SEARCH_SQL = """SELECT department, fiscal_year, doc_type, project_name, level1, level2, level3,
       period, raw, kind
FROM indicator_targets
WHERE :name <> '' AND (level3 LIKE '%' || :name || '%' OR canonical_name LIKE '%' || :name || '%')
ORDER BY fiscal_year DESC, department, indicator_id"""


# Ctrl-C, systemd / a supervisor / kill, and a closed terminal or SSH session.
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
PR_SET_PDEATHSIG = 1  # <linux/prctl.h>
STOP_GRACE_SECONDS = 5.0


def sqlite_path(url: str) -> Path:
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or not parsed.database:
        raise QueryError(
            "jixiao serve shows a SQLite database; for PostgreSQL, export what you need "
            "(jixiao export --db URL --format xlsx) or point a SQL client at the server."
        )
    path = Path(parsed.database)
    if not path.is_file():
        raise QueryError(f"There is no database at {path}. Run `jixiao ingest` first.")
    return path


def metadata(database: str) -> dict[str, Any]:
    """Datasette metadata for the database named `database` (the file's stem)."""
    columns = dictionaries.load("columns")
    tables: dict[str, Any] = {}
    for name, spec in columns.items():
        table: dict[str, Any] = {
            "title": f"{spec['zh']} {name}",
            "description": spec["en"],
            "columns": {col: f"{zh} — {en}" for col, (zh, en) in spec["columns"].items()},
        }
        if name in FACETS:
            table["facets"] = FACETS[name]
        if name in SORTS:
            key, column = SORTS[name]
            table[key] = column
        tables[name] = table
    return {
        "title": "jixiao 绩效目标数据库",
        "description": "Budget performance tables (绩效目标表, 绩效自评表) read by jixiao. "
        "Read-only: nothing here can change the data.",
        "databases": {
            database: {
                "tables": tables,
                "queries": {
                    "search_indicators": {
                        "title": "按指标名称搜索 Search indicators by name",
                        "description": "Every target of the indicators whose 三级指标 or "
                        "standard name contains the words given, e.g. 满意度.",
                        "sql": SEARCH_SQL,
                    }
                },
            }
        },
    }


def serve_command(url: str, host: str, port: int, metadata_file: Path) -> list[str]:
    path = sqlite_path(url)
    return [
        sys.executable,
        "-m",
        "datasette",
        "serve",
        str(path),
        "--metadata",
        str(metadata_file),
        "--host",
        host,
        "--port",
        str(port),
        "--setting",
        "default_facet_size",
        "15",
    ]


def serve(url: str, host: str = "127.0.0.1", port: int = 8001) -> int:
    """Run Datasette until it exits (its exit status) or SIGINT, SIGTERM or SIGHUP stops
    `jixiao serve` (0); either way Datasette is gone, and its port free, when this returns."""
    path = sqlite_path(url)
    with tempfile.TemporaryDirectory() as tmp:
        meta = Path(tmp) / "metadata.json"
        meta.write_text(json.dumps(metadata(path.stem), ensure_ascii=False), encoding="utf-8")
        try:
            with _raising_on_stop_signals():
                return _run(serve_command(url, host, port, meta))
        except _Stopped:
            return 0


class _Stopped(Exception):
    """A stop signal reached `jixiao serve`."""


@contextlib.contextmanager
def _raising_on_stop_signals() -> Iterator[None]:
    # Without a handler SIGHUP (a closed terminal) ended jixiao and left Datasette on the port.
    # Only the first signal raises: later ones must not interrupt the stopping itself.
    if threading.current_thread() is not threading.main_thread():
        yield  # signal handlers can only be set in the main thread
        return
    raised = False

    def raise_stopped(signum: int, frame: object) -> None:
        nonlocal raised
        if not raised:
            raised = True
            raise _Stopped(signum)

    previous = {signum: signal.signal(signum, raise_stopped) for signum in STOP_SIGNALS}
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


def _run(command: list[str]) -> int:
    """Datasette's exit status; it is stopped whatever ends the wait."""
    # Stop signals are held while the child starts, so none lands between its start and the
    # `finally` that stops it; one that came meanwhile raises once they are let through. Its own
    # session: Ctrl-C reaches jixiao alone, which stops the whole group, and no terminal
    # job control (`stty tostop`) can suspend it.
    held = signal.pthread_sigmask(signal.SIG_BLOCK, STOP_SIGNALS)
    server: subprocess.Popen[bytes] | None = None
    try:
        server = subprocess.Popen(
            command, start_new_session=True, preexec_fn=_serving_child(os.getpid(), held)
        )
        signal.pthread_sigmask(signal.SIG_SETMASK, held)
        return exit_status(server.wait())
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, held)
        if server is not None:
            _stop(server)


def exit_status(returncode: int) -> int:
    """Popen's return code as a shell exit status: killed by signal N is 128 + N."""
    return 128 - returncode if returncode < 0 else returncode


def _serving_child(parent: int, mask: set[int | signal.Signals]) -> Callable[[], None]:
    """What the child does between fork and exec: die with `parent`, take the parent's mask."""
    prctl = _linux_prctl()

    def setup() -> None:
        if prctl is not None:
            prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
            if os.getppid() != parent:  # jixiao died before the line above took hold
                os._exit(1)
        signal.pthread_sigmask(signal.SIG_SETMASK, mask)

    return setup


def _linux_prctl() -> Callable[[int, int], int] | None:
    # Looked up before the fork: a child forked from a threaded parent should not load libraries.
    if not sys.platform.startswith("linux"):
        return None
    try:
        prctl: Callable[[int, int], int] = ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError):
        return None
    return prctl


def _stop(server: subprocess.Popen[bytes]) -> None:
    """SIGTERM to Datasette's process group, SIGKILL if it is still there after the grace."""
    if server.poll() is not None:
        return
    _signal_group(server.pid, signal.SIGTERM)
    try:
        server.wait(timeout=STOP_GRACE_SECONDS)
    except subprocess.TimeoutExpired:
        _signal_group(server.pid, signal.SIGKILL)
        server.wait()


def _signal_group(group: int, signum: int) -> None:
    with contextlib.suppress(ProcessLookupError):  # already gone
        os.killpg(group, signum)
