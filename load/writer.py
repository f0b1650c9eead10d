"""Writing a Filing: one transaction per filing; the same bytes again replace that filing's rows
(the filing keeps its id), never duplicate them."""

from __future__ import annotations

import datetime as dt
import warnings
from typing import Any

from sqlalchemy import (
    Connection,
    Engine,
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
    """An engine for `url`, with SQLite's foreign keys switched on."""
    # Named connections let a DBA see (and a test end) jixiao's sessions in pg_stat_activity.
    args = {"application_name": "jixiao"} if url.startswith("postgresql") else {}
    engine = create_engine(url, connect_args=args)
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


def _filing_row(filing: Filing, version: str) -> dict[str, Any]:
    staffing = filing.staffing
    return {
        "source_path": filing.source_path,
        "source_sha256": filing.source_sha256,
        "source_format": filing.source_format,
        "doc_type": filing.doc_type,
        "title": filing.title,
        "region": filing.region,
        "fiscal_year": filing.fiscal_year,
        "department": filing.department,
        "project_name": filing.project_name,
        "mid_long_term_goal": filing.mid_long_term_goal,
        "annual_goal": filing.annual_goal,
        "part": filing.part,
        "container_sha256": filing.container_sha256,
        "implementing_unit": filing.implementing_unit,
        "project_period": filing.project_period,
        "annual_goal_actual": filing.annual_goal_actual,
        "total_score": filing.total_score,
        "status": filing.status,
        "pipeline_version": version,
        "ingested_at": dt.datetime.now(dt.UTC),
        "organization": filing.organization,
        "staff_admin_quota": staffing.admin_quota,
        "staff_admin_in_use": staffing.admin_in_use,
        "staff_admin_aux_quota": staffing.admin_aux_quota,
        "staff_institution_quota": staffing.institution_quota,
        "staff_institution_in_use": staffing.institution_in_use,
    }


def _delete_children(conn: Connection, filing_id: int) -> None:
    indicator_ids = select(schema.indicators.c.id).where(schema.indicators.c.filing_id == filing_id)
    conn.execute(delete(schema.targets).where(schema.targets.c.indicator_id.in_(indicator_ids)))
    for table in (schema.indicators, schema.main_functions, schema.fund_lines, schema.findings):
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
    row = _filing_row(filing, version)
    existing = conn.execute(
        select(schema.filings.c.id).where(
            schema.filings.c.source_sha256 == filing.source_sha256,
            schema.filings.c.part == filing.part,
        )
    ).scalar_one_or_none()
    if existing is None:
        filing_id = int(
            conn.execute(insert(schema.filings).values(**row)).inserted_primary_key[0]  # type: ignore[index]
        )
    else:
        filing_id = int(existing)
        conn.execute(update(schema.filings).where(schema.filings.c.id == filing_id).values(**row))
        _delete_children(conn, filing_id)
    if filing.main_functions:
        conn.execute(
            insert(schema.main_functions),
            [{"filing_id": filing_id, "seq": m.seq, "text": m.text} for m in filing.main_functions],
        )
    if filing.fund_lines:
        conn.execute(
            insert(schema.fund_lines),
            [
                {
                    "filing_id": filing_id,
                    "seq": f.seq,
                    "section": f.section,
                    "parent": f.parent,
                    "name": f.name,
                    "half_year_plan": f.half_year_plan,
                    "full_year_budget": f.full_year_budget,
                    "initial_budget": f.initial_budget,
                    "executed": f.executed,
                    "execution_rate": f.execution_rate,
                    "weight": f.weight,
                    "score": f.score,
                }
                for f in filing.fund_lines
            ],
        )
    target_rows: list[dict[str, Any]] = []
    if filing.indicators:
        # One round trip for all indicators; RETURNING in parameter order gives each its id.
        ids = conn.execute(
            insert(schema.indicators).returning(
                schema.indicators.c.id, sort_by_parameter_order=True
            ),
            [
                {
                    "filing_id": filing_id,
                    "seq": i.seq,
                    "level1": i.level1,
                    "level2": i.level2,
                    "key_task": i.key_task,
                    "level3": i.level3,
                    "function_seq": i.function_seq,
                    "canonical_name": i.canonical_name,
                    "match_score": i.match_score,
                    "page": i.page,
                    "level2_raw": i.level2_raw,
                    "weight": i.weight,
                    "score": i.score,
                    "deviation_reason": i.deviation_reason,
                    "direction": i.direction,
                    "value_type": i.value_type,
                }
                for i in filing.indicators
            ],
        ).scalars()
        for indicator_id, indicator in zip(ids, filing.indicators, strict=True):
            target_rows += [
                {
                    "indicator_id": indicator_id,
                    "period": t.period,
                    "raw": t.raw,
                    "comparator": t.comparator,
                    "value": t.value,
                    "value_max": t.value_max,
                    "unit": t.unit,
                    "kind": t.kind,
                    "label": t.label,
                    "due_date": t.due_date,
                    "value_wan": t.value_wan,
                    "ocr_text": t.ocr_text,
                    "effective_comparator": t.effective_comparator,
                    "grade": t.grade,
                    "polarity": t.polarity,
                }
                for t in indicator.targets
            ]
    if target_rows:
        conn.execute(insert(schema.targets), target_rows)
    if filing.findings:
        conn.execute(
            insert(schema.findings),
            [
                {
                    "filing_id": filing_id,
                    "severity": f.severity,
                    "code": f.code,
                    "message": f.message,
                    "location": f.location,
                }
                for f in filing.findings
            ],
        )
    return filing_id
