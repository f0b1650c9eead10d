"""Targets as real tables write them: targets.relative_to (what a relative target is measured
against: prior_year for 较上年 and 同比, budget for ≤预算数, plan for 在项目计划完成时间内完成,
standard, average) and targets.unit_class (percent, money, count, time, ratio, other); the
indicator_targets view gains both. Rows loaded before this revision keep NULL in both: ingest
again (`jixiao ingest --force`) to fill them.

Frozen: the columns and the view are written out here as this revision made them.

Revision ID: 0009
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def _added() -> list[sa.Column]:  # type: ignore[type-arg]
    """The columns this revision adds to targets (new objects on every call)."""
    return [sa.Column("relative_to", sa.String(16)), sa.Column("unit_class", sa.String(8))]


INDICATOR_TARGETS_VIEW = """
CREATE VIEW indicator_targets AS
SELECT f.id AS filing_id, f.department, f.region, f.fiscal_year, f.doc_type, f.title,
       f.source_path, f.status AS filing_status,
       i.id AS indicator_id, i.seq AS indicator_seq, i.level1, i.level2, i.key_task, i.level3,
       i.function_seq, i.canonical_name, i.match_score, i.page,
       t.period, t.raw, t.comparator, t.value, t.value_max, t.unit, t.kind, t.label,
       t.due_date, t.value_wan, t.effective_comparator, t.grade, t.polarity,
       f.part AS filing_part, f.project_name, f.implementing_unit,
       i.weight, i.score, i.direction, i.value_type,
       i.level1_canonical, i.level2_canonical,
       t.relative_to, t.unit_class
FROM targets t
JOIN indicators i ON i.id = t.indicator_id
JOIN filings f ON f.id = i.filing_id
"""

# The view as revision 0005 defined it, put back by the downgrade.
INDICATOR_TARGETS_VIEW_0005 = """
CREATE VIEW indicator_targets AS
SELECT f.id AS filing_id, f.department, f.region, f.fiscal_year, f.doc_type, f.title,
       f.source_path, f.status AS filing_status,
       i.id AS indicator_id, i.seq AS indicator_seq, i.level1, i.level2, i.key_task, i.level3,
       i.function_seq, i.canonical_name, i.match_score, i.page,
       t.period, t.raw, t.comparator, t.value, t.value_max, t.unit, t.kind, t.label,
       t.due_date, t.value_wan, t.effective_comparator, t.grade, t.polarity,
       f.part AS filing_part, f.project_name, f.implementing_unit,
       i.weight, i.score, i.direction, i.value_type,
       i.level1_canonical, i.level2_canonical
FROM targets t
JOIN indicators i ON i.id = t.indicator_id
JOIN filings f ON f.id = i.filing_id
"""


def upgrade() -> None:
    inspector = sa.inspect(op.get_bind())
    present = {c["name"] for c in inspector.get_columns("targets")}
    op.execute("DROP VIEW IF EXISTS indicator_targets")
    with op.batch_alter_table("targets") as batch:
        for column in _added():
            if column.name not in present:
                batch.add_column(column)
    op.execute(INDICATOR_TARGETS_VIEW)


def downgrade() -> None:
    conn = op.get_bind()
    op.execute("DROP VIEW IF EXISTS indicator_targets")
    # SQLite drops a column by rebuilding its table, which the views naming the table do not
    # survive: they are set aside as the database holds them and put back afterwards.
    views = (
        conn.execute(sa.text("SELECT name, sql FROM sqlite_master WHERE type = 'view'")).all()
        if conn.dialect.name == "sqlite"
        else []
    )
    for name, _ in views:
        op.execute(f'DROP VIEW "{name}"')
    with op.batch_alter_table("targets") as batch:
        for column in reversed(_added()):
            batch.drop_column(column.name)
    for _, sql in views:
        op.execute(sql)
    op.execute(INDICATOR_TARGETS_VIEW_0005)
