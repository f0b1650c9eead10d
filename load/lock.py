"""One run at a time per database: a session-level PostgreSQL advisory lock held by a connection
of its own, or a lock file beside a SQLite database.

On PostgreSQL the lock's connection is in autocommit, so it never sits idle in a transaction
(which would pin `backend_xmin` and hold back VACUUM, and trip a server's
`idle_in_transaction_session_timeout`). Every commit on the run's engine first checks that the
lock is still held: a terminated lock backend would otherwise let a second run in while this one
goes on writing."""

from __future__ import annotations

import fcntl
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress

from sqlalchemy import Connection, Engine, event, text
from sqlalchemy.exc import SQLAlchemyError

# The advisory lock's first key: "jixi" in ASCII, so other tools can tell whose lock it is. The
# second is the schema's hash: jixiao databases kept as schemas of one PostgreSQL database (a
# team's test and production, or one per test) must not wait for each other.
_PG_LOCK_KEY = 0x6A697869
_PG_TRY = "SELECT pg_try_advisory_lock(:k, hashtext(current_schema()))"
_PG_UNLOCK = "SELECT pg_advisory_unlock(:k, hashtext(current_schema()))"
# Held by this session: pg_locks shows a two-key advisory lock as classid = key 1, objid = key 2.
_PG_HELD = """SELECT count(*) FROM pg_locks
WHERE locktype = 'advisory' AND pid = pg_backend_pid() AND granted AND objsubid = 2
  AND classid = CAST(:k AS bigint) AND objid = CAST(hashtext(current_schema()) AS oid)"""
LOCK_APPLICATION_NAME = "jixiao lock"


class DatabaseBusy(Exception):
    """Another run holds the database's lock."""


class DatabaseUnreachable(Exception):
    """The database could not be opened or written: the CLI exits 3."""


class LockLost(Exception):
    """The run's lock went away mid-run (its PostgreSQL backend was terminated, the server
    restarted): the run stops before its next commit, so no second run writes beside it."""


@contextmanager
def database_lock(engine: Engine, wait: float) -> Iterator[None]:
    """Hold the database for one run. Waits up to `wait` seconds, then raises DatabaseBusy."""
    deadline = time.monotonic() + max(0.0, wait)
    if engine.dialect.name == "postgresql":
        with _pg_lock(engine, deadline, wait):
            yield
        return
    database = engine.url.database
    if engine.dialect.name != "sqlite" or not database or database == ":memory:":
        yield
        return
    with _file_lock(f"{database}.lock", deadline, wait):
        yield


@contextmanager
def _pg_lock(engine: Engine, deadline: float, wait: float) -> Iterator[None]:
    conn = engine.connect().execution_options(isolation_level="AUTOCOMMIT")
    try:
        conn.exec_driver_sql(f"SET application_name = '{LOCK_APPLICATION_NAME}'")
        while not conn.execute(text(_PG_TRY), {"k": _PG_LOCK_KEY}).scalar_one():
            if time.monotonic() >= deadline:
                raise DatabaseBusy(_busy(wait))
            time.sleep(0.5)

        def still_held(committing: Connection) -> None:
            if committing is not conn:
                _check_held(conn)

        event.listen(engine, "commit", still_held)
        try:
            yield
        finally:
            event.remove(engine, "commit", still_held)
            with suppress(SQLAlchemyError):  # a backend gone took its lock with it
                conn.execute(text(_PG_UNLOCK), {"k": _PG_LOCK_KEY})
    finally:
        with suppress(SQLAlchemyError):
            conn.close()


def _check_held(conn: Connection) -> None:
    try:
        held = conn.execute(text(_PG_HELD), {"k": _PG_LOCK_KEY}).scalar_one()
    except SQLAlchemyError as exc:
        raise LockLost(_lost(f"{type(exc).__name__}: {str(exc).splitlines()[0]}")) from exc
    if not held:
        raise LockLost(_lost("the advisory lock is no longer held"))


@contextmanager
def _file_lock(path: str, deadline: float, wait: float) -> Iterator[None]:
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as exc:
        raise DatabaseUnreachable(
            f"Could not open or write the database {path.removesuffix('.lock')}: its lock file "
            f"cannot be made ({exc.strerror or exc}). Check that the folder exists and is "
            "writable."
        ) from exc
    try:
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise DatabaseBusy(_busy(wait)) from None
                time.sleep(0.5)
        yield
    finally:
        os.close(fd)  # closing releases the lock, also when the process is killed


def _busy(wait: float) -> str:
    return (
        f"Another jixiao run is writing to this database; waited {wait:g} s for it to finish. "
        "Try again later, or give --wait more seconds."
    )


def _lost(why: str) -> str:
    return (
        f"This run lost its lock on the database ({why}), so it stopped before writing more: "
        "every file committed before this point is kept. Run the ingest again."
    )
