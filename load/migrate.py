"""Schema versions, through Alembic. `jixiao db upgrade` runs the migrations; ingest creates a
new database itself and refuses one at an older revision, naming the command to run."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, inspect

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


class SchemaOutOfDate(Exception):
    """The database was made by an older jixiao and must be upgraded first."""


class SchemaTooNew(SchemaOutOfDate):
    """The database was written by a newer jixiao: this one is out of date, not the database."""


def _config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


def head() -> str:
    return str(ScriptDirectory.from_config(_config()).get_current_head())


def current(engine: Engine) -> str | None:
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def check_known(revision: str | None) -> None:
    """SchemaTooNew when `revision` is none of this jixiao's migrations."""
    if revision is None:
        return
    known = {script.revision for script in ScriptDirectory.from_config(_config()).walk_revisions()}
    if revision not in known:
        raise SchemaTooNew(
            f"This database was written by a newer jixiao (schema revision {revision}; this "
            f"jixiao knows up to {head()}). Upgrade jixiao and try again; this one leaves the "
            "database as it is."
        )


def upgrade(engine: Engine, revision: str = "head") -> None:
    check_known(current(engine))
    config = _config()
    sqlite = engine.dialect.name == "sqlite"
    with engine.connect() as conn:
        if sqlite:
            # SQLite changes a table by rebuilding it; with foreign keys on, dropping the old
            # table would cascade-delete its children. The switch only works outside a
            # transaction, so it is flipped before the migration's transaction begins.
            conn.exec_driver_sql("PRAGMA foreign_keys = OFF")
            conn.commit()
        with conn.begin():
            if engine.dialect.name == "postgresql":
                # Alembic imports each migration script between statements; on a loaded machine
                # that gap can outlast a server's idle_in_transaction_session_timeout, which then
                # kills the upgrade halfway. LOCAL: the setting ends with this transaction.
                conn.exec_driver_sql("SET LOCAL idle_in_transaction_session_timeout = 0")
            config.attributes["connection"] = conn
            command.upgrade(config, revision)
        if sqlite:
            problems = conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
            conn.exec_driver_sql("PRAGMA foreign_keys = ON")
            conn.commit()
            if problems:
                raise RuntimeError(f"The upgrade left broken references: {problems[:5]}")


def check_current(engine: Engine, *, create_if_empty: bool) -> None:
    revision = current(engine)
    if revision == head():
        return
    check_known(revision)
    if revision is None and create_if_empty and "filings" not in inspect(engine).get_table_names():
        upgrade(engine)
        return
    raise SchemaOutOfDate(
        f"The database has schema revision {revision or 'none (made before migrations)'}; this "
        f"jixiao needs {head()}. Run `jixiao db upgrade --db URL` first, then ingest again."
    )
