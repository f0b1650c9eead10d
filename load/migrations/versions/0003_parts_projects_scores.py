"""Several filings per file and the columns of project tables and self-evaluations:
filings.part (unique with source_sha256, replacing source_sha256 alone), container_sha256,
implementing_unit, project_period, annual_goal_actual, total_score; indicators.weight, score,
deviation_reason, direction, value_type; fund_lines.initial_budget, executed, execution_rate,
weight, score. The indicator_targets view gains the new indicator columns.

Frozen: the columns and both versions of the view are written out here as this revision made
them, so a change to jixiao.load.schema never changes what upgrading an old database does.

Revision ID: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

AMOUNT = sa.Numeric(20, 6)


def _added() -> dict[str, list[sa.Column]]:  # type: ignore[type-arg]
    """The columns this revision adds, table by table (new objects on every call: a Column
    belongs to one table)."""
    return {
        "filings": [
            sa.Column("part", sa.Integer, nullable=False, server_default="1"),
            sa.Column("container_sha256", sa.String(64)),
            sa.Column("implementing_unit", sa.Text),
            sa.Column("project_period", sa.Text),
            sa.Column("annual_goal_actual", sa.Text),
            sa.Column("total_score", AMOUNT),
        ],
        "fund_lines": [
            sa.Column("initial_budget", AMOUNT),
            sa.Column("executed", AMOUNT),
            sa.Column("execution_rate", AMOUNT),
            sa.Column("weight", AMOUNT),
            sa.Column("score", AMOUNT),
        ],
        "indicators": [
            sa.Column("weight", AMOUNT),
            sa.Column("score", AMOUNT),
            sa.Column("deviation_reason", sa.Text),
            sa.Column("direction", sa.String(8)),
            sa.Column("value_type", sa.String(8)),
        ],
    }


# The view as this revision defined it.
INDICATOR_TARGETS_VIEW = """
CREATE VIEW indicator_targets AS
SELECT f.id AS filing_id, f.department, f.region, f.fiscal_year, f.doc_type, f.title,
       f.source_path, f.status AS filing_status,
       i.id AS indicator_id, i.seq AS indicator_seq, i.level1, i.level2, i.key_task, i.level3,
       i.function_seq, i.canonical_name, i.match_score, i.page,
       t.period, t.raw, t.comparator, t.value, t.value_max, t.unit, t.kind, t.label,
       t.due_date, t.value_wan, t.effective_comparator, t.grade, t.polarity,
       f.part AS filing_part, f.project_name, f.implementing_unit,
       i.weight, i.score, i.direction, i.value_type
FROM targets t
JOIN indicators i ON i.id = t.indicator_id
JOIN filings f ON f.id = i.filing_id
"""

# The view as revision 0001 defined it, put back by the downgrade.
INDICATOR_TARGETS_VIEW_0001 = """
CREATE VIEW indicator_targets AS
SELECT f.id AS filing_id, f.department, f.region, f.fiscal_year, f.doc_type, f.title,
       f.source_path, f.status AS filing_status,
       i.id AS indicator_id, i.seq AS indicator_seq, i.level1, i.level2, i.key_task, i.level3,
       i.function_seq, i.canonical_name, i.match_score, i.page,
       t.period, t.raw, t.comparator, t.value, t.value_max, t.unit, t.kind, t.label,
       t.due_date, t.value_wan, t.effective_comparator, t.grade, t.polarity
FROM targets t
JOIN indicators i ON i.id = t.indicator_id
JOIN filings f ON f.id = i.filing_id
"""


def upgrade() -> None:
    bind = op.get_bind()
    inspector = sa.inspect(bind)
    op.execute("DROP VIEW IF EXISTS indicator_targets")
    for table, columns in _added().items():
        present = {c["name"] for c in inspector.get_columns(table)}
        uniques = {u["name"] for u in inspector.get_unique_constraints(table)}
        # batch mode: SQLite rebuilds the table (it cannot drop a constraint in place).
        with op.batch_alter_table(table) as batch:
            for column in columns:
                if column.name not in present:  # a database made before migrations has it
                    batch.add_column(column)
            if table == "filings":
                if "uq_filings_source_sha256" in uniques:
                    batch.drop_constraint("uq_filings_source_sha256", type_="unique")
                if "uq_filings_source_sha256_part" not in uniques:
                    batch.create_unique_constraint(
                        "uq_filings_source_sha256_part", ["source_sha256", "part"]
                    )
    op.execute(INDICATOR_TARGETS_VIEW)


def downgrade() -> None:
    op.execute("DROP VIEW IF EXISTS indicator_targets")
    for table, columns in _added().items():
        with op.batch_alter_table(table) as batch:
            if table == "filings":
                batch.drop_constraint("uq_filings_source_sha256_part", type_="unique")
                batch.create_unique_constraint("uq_filings_source_sha256", ["source_sha256"])
            for column in reversed(columns):
                batch.drop_column(column.name)
    op.execute(INDICATOR_TARGETS_VIEW_0001)
