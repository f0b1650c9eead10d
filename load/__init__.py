"""load: the SQL schema and writing `Filing`s into it (SQLite by default), one transaction each.
Imports `normalize`'s types, nothing after it."""

from .batch import (
    Source,
    corrected_shas,
    fail_abandoned_runs,
    finish_run,
    load_sources,
    prune,
    record_file,
    start_run,
)
from .lock import DatabaseBusy, DatabaseUnreachable, LockLost, database_lock
from .migrate import SchemaOutOfDate
from .schema import metadata
from .writer import connect, create_schema, write_filing

__all__ = [
    "DatabaseBusy",
    "DatabaseUnreachable",
    "LockLost",
    "SchemaOutOfDate",
    "Source",
    "connect",
    "corrected_shas",
    "create_schema",
    "database_lock",
    "fail_abandoned_runs",
    "finish_run",
    "load_sources",
    "metadata",
    "prune",
    "record_file",
    "start_run",
    "write_filing",
]
