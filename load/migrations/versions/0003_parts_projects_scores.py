"""Several filings per file and the columns of project tables and self-evaluations:
filings.part (unique with source_sha256, replacing source_sha256 alone), container_sha256,
implementing_unit, project_period, annual_goal_actual, total_score; indicators.weight, score,
deviation_reason, direction, value_type; fund_lines.initial_budget, executed, execution_rate,
weight, score. The indicator_targets view gains the new indicator columns.

Revision ID: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from jixiao.load import schema

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

_TABLES = (schema.filings, schema.fund_lines, schema.indicators)


def _added(table: sa.Table) -> list[sa.Column]:  # type: ignore[type-arg]
    return [c for c in table.columns if c.info.get("since") == revision]


def upgrade() -> None:
    bind = op.get_bind()
    inspector = sa.inspect(bind)
    op.execute("DROP VIEW IF EXISTS indicator_targets")
    for table in _TABLES:
        present = {c["name"] for c in inspector.get_columns(table.name)}
        uniques = {u["name"] for u in inspector.get_unique_constraints(table.name)}
        # batch mode: SQLite rebuilds the table (it cannot drop a constraint in place).
        with op.batch_alter_table(table.name) as batch:
            for column in _added(table):
                if column.name not in present:  # a database made before migrations has it
                    batch.add_column(column._copy())
            if table is schema.filings:
                if "uq_filings_source_sha256" in uniques:
                    batch.drop_constraint("uq_filings_source_sha256", type_="unique")
                if "uq_filings_source_sha256_part" not in uniques:
                    batch.create_unique_constraint(
                        "uq_filings_source_sha256_part", ["source_sha256", "part"]
                    )
    op.execute(schema.INDICATOR_TARGETS_VIEW)


def downgrade() -> None:
    op.execute("DROP VIEW IF EXISTS indicator_targets")
    for table in _TABLES:
        with op.batch_alter_table(table.name) as batch:
            if table is schema.filings:
                batch.drop_constraint("uq_filings_source_sha256_part", type_="unique")
                batch.create_unique_constraint("uq_filings_source_sha256", ["source_sha256"])
            for column in reversed(_added(table)):
                batch.drop_column(column.name)
    from importlib import import_module

    op.execute(import_module("jixiao.load.migrations.versions.0001_initial").INDICATOR_TARGETS_VIEW)
