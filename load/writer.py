"""Writing a Filing: one transaction per filing; the same bytes again replace that filing's rows
(the filing keeps its id), never duplicate them."""

from __future__ import annotations

import dataclasses
import datetime as dt
import typing
import warnings
from typing import Any

from sqlalchemy import (
    Connection,
    Engine,
    Table,
    create_engine,
    delete,
    event,
    insert,
    select,
    update,
)
from sqlalchemy import exc as sa_exc

from jixiao.normalize import Filing

from . import schema

# SQLite has no decimal type; amounts have at most a few decimals, so the float round trip is
# exact at the precision filings print. The warning would otherwise fire on every read.
warnings.filterwarnings(
    "ignore", message=r".*does \*not\* support Decimal objects natively", category=sa_exc.SAWarning
)


def connect(url: str) -> Engine:
    """An engine for `url`, with SQLite's foreign keys switched on. A URL jixiao cannot use
    (its driver not installed, say) raises DatabaseURLError, saying what to install."""
    from .export import checked_url

    parsed = checked_url(url)
    # Named connections let a DBA see (and a test end) jixiao's sessions in pg_stat_activity;
    # a name given in the URL wins.
    args = (
        {"application_name": "jixiao"}
        if parsed.get_backend_name() == "postgresql" and "application_name" not in parsed.query
        else {}
    )
    engine = create_engine(parsed, connect_args=args)
    if engine.dialect.name == "sqlite":

        @event.listens_for(engine, "connect")
        def _pragmas(dbapi_connection: Any, _record: Any) -> None:
            dbapi_connection.execute("PRAGMA foreign_keys = ON")
            # WAL with synchronous=NORMAL: a commit per filing without an fsync per commit; a
            # crash can lose the last filings, never corrupt the database.
            dbapi_connection.execute("PRAGMA journal_mode = WAL")
            dbapi_connection.execute("PRAGMA synchronous = NORMAL")

    return engine


def create_schema(engine: Engine) -> None:
    """Bring a new database to the current schema; refuse one at an older revision."""
    from .migrate import check_current

    check_current(engine, create_if_empty=True)


# --- rows derived from the model ---------------------------------------------------------------
# A table's row is its columns read off the model object's same-named fields, so a new column
# needs only the model field, the schema column (and its migration) and its line in
# dictionaries/columns.yaml. What the model does not hold, the writer fills in: ids and foreign
# keys (filing_id, indicator_id), pipeline_version and ingested_at.

# Nested dataclass fields stored flat, with a prefix: Filing.staffing.admin_quota is
# filings.staff_admin_quota.
FLATTENED = {"staffing": "staff_"}

# (column, path of attributes to its value), and the columns the writer must fill in.
Plan = tuple[tuple[tuple[str, tuple[str, ...]], ...], frozenset[str]]


def _field_paths(model: type) -> dict[str, tuple[str, ...]]:
    """Column name → attribute path, for every field of the dataclass `model`."""
    hints = typing.get_type_hints(model)
    paths: dict[str, tuple[str, ...]] = {}
    for field in dataclasses.fields(model):
        prefix = FLATTENED.get(field.name)
        if prefix is None:
            paths[field.name] = (field.name,)
        else:
            for inner in dataclasses.fields(hints[field.name]):
                paths[prefix + inner.name] = (field.name, inner.name)
    return paths


_PLANS: dict[tuple[Table, type], Plan] = {}


def plan(table: Table, model: type) -> Plan:
    """How `table`'s rows are read off `model` objects: the columns with a same-named field,
    and the columns left for the writer (an autoincrementing id is left to the database)."""
    known = _PLANS.get((table, model))
    if known is not None:
        return known
    paths = _field_paths(model)
    read = tuple((c.name, paths[c.name]) for c in table.columns if c.name in paths)
    filled = frozenset(
        c.name for c in table.columns if c.name not in paths and c is not table.autoincrement_column
    )
    _PLANS[(table, model)] = (read, filled)
    return read, filled


def model_row(table: Table, obj: Any, **filled: Any) -> dict[str, Any]:
    """`table`'s row for the model object `obj`; `filled` gives the columns the model does not
    hold (and must give exactly those)."""
    read, needed = plan(table, type(obj))
    if needed != filled.keys():
        raise TypeError(
            f"{table.name} from {type(obj).__name__}: the writer must give {sorted(needed)}, "
            f"gave {sorted(filled)}"
        )
    out = dict(filled)
    for column, path in read:
        value = obj
        for name in path:
            value = getattr(value, name)
        out[column] = value
    return out


def _filing_row(filing: Filing, version: str) -> dict[str, Any]:
    return model_row(
        schema.filings, filing, pipeline_version=version, ingested_at=dt.datetime.now(dt.UTC)
    )


def _delete_children(conn: Connection, filing_id: int) -> None:
    indicator_ids = select(schema.indicators.c.id).where(schema.indicators.c.filing_id == filing_id)
    conn.execute(delete(schema.targets).where(schema.targets.c.indicator_id.in_(indicator_ids)))
    for table in (
        schema.indicators,
        schema.main_functions,
        schema.fund_lines,
        schema.remarks,
        schema.findings,
    ):
        conn.execute(delete(table).where(table.c.filing_id == filing_id))


def delete_filings(conn: Connection, filing_ids: list[int]) -> None:
    for filing_id in filing_ids:
        _delete_children(conn, filing_id)
    if filing_ids:
        conn.execute(delete(schema.filings).where(schema.filings.c.id.in_(filing_ids)))


def write_filing(engine: Engine, filing: Filing, version: str) -> int:
    """Write one filing atomically; returns its id."""
    with engine.begin() as conn:
        return write_filing_in(conn, filing, version)


def write_filing_in(conn: Connection, filing: Filing, version: str) -> int:
    filing_row = _filing_row(filing, version)
    existing = conn.execute(
        select(schema.filings.c.id).where(
            schema.filings.c.source_sha256 == filing.source_sha256,
            schema.filings.c.part == filing.part,
        )
    ).scalar_one_or_none()
    if existing is None:
        filing_id = int(
            conn.execute(insert(schema.filings).values(**filing_row)).inserted_primary_key[0]  # type: ignore[index]
        )
    else:
        filing_id = int(existing)
        conn.execute(
            update(schema.filings).where(schema.filings.c.id == filing_id).values(**filing_row)
        )
        _delete_children(conn, filing_id)
    if filing.main_functions:
        conn.execute(
            insert(schema.main_functions),
            [
                model_row(schema.main_functions, m, filing_id=filing_id)
                for m in filing.main_functions
            ],
        )
    if filing.fund_lines:
        conn.execute(
            insert(schema.fund_lines),
            [model_row(schema.fund_lines, f, filing_id=filing_id) for f in filing.fund_lines],
        )
    if filing.remarks:
        conn.execute(
            insert(schema.remarks),
            [model_row(schema.remarks, r, filing_id=filing_id) for r in filing.remarks],
        )
    target_rows: list[dict[str, Any]] = []
    if filing.indicators:
        # One round trip for all indicators; RETURNING in parameter order gives each its id.
        ids = conn.execute(
            insert(schema.indicators).returning(
                schema.indicators.c.id, sort_by_parameter_order=True
            ),
            [model_row(schema.indicators, i, filing_id=filing_id) for i in filing.indicators],
        ).scalars()
        for indicator_id, indicator in zip(ids, filing.indicators, strict=True):
            target_rows += [
                model_row(schema.targets, t, indicator_id=indicator_id) for t in indicator.targets
            ]
    if target_rows:
        conn.execute(insert(schema.targets), target_rows)
    if filing.findings:
        conn.execute(
            insert(schema.findings),
            [model_row(schema.findings, f, filing_id=filing_id) for f in filing.findings],
        )
    return filing_id
