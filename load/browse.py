"""Browsing the database in a web browser: Datasette over the SQLite file, opened immutable (so
browsing can never change it), with the tables and columns described in Chinese and English,
facets on the columns analysts filter by, sensible sorts, and a search by indicator name."""

from __future__ import annotations

import contextlib
import json
import signal
import subprocess
import sys
import tempfile
import threading
from collections.abc import Iterator
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
        "--immutable",
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
    """Run Datasette until it is stopped; its exit status."""
    path = sqlite_path(url)
    with tempfile.TemporaryDirectory() as tmp:
        meta = Path(tmp) / "metadata.json"
        meta.write_text(json.dumps(metadata(path.stem), ensure_ascii=False), encoding="utf-8")
        server = subprocess.Popen(serve_command(url, host, port, meta))
        try:
            with _stop_on_sigterm():
                return server.wait()
        except KeyboardInterrupt:
            return 0
        finally:
            _stop(server)


class _Terminated(KeyboardInterrupt):
    """SIGTERM (systemd, a supervisor, kill) stops serving like Ctrl-C does."""


@contextlib.contextmanager
def _stop_on_sigterm() -> Iterator[None]:
    # Without this, terminating `jixiao serve` left its Datasette child serving on the port.
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def raise_terminated(signum: int, frame: object) -> None:
        raise _Terminated

    previous = signal.signal(signal.SIGTERM, raise_terminated)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def _stop(server: subprocess.Popen[bytes]) -> None:
    if server.poll() is not None:
        return
    server.terminate()
    try:
        server.wait(timeout=10)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()
