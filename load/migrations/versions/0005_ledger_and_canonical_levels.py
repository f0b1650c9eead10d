"""The ledger and the standard level names: filings.cells_total and cells_read (how many
non-empty table cells the filing's part of the file holds, and how many were read into it),
indicators.level1_canonical and level2_canonical (the standard 一级/二级 names beside the names
as printed). The indicator_targets view gains the two level names.

Frozen: the columns and both versions of the view are written out here as this revision made
them, so a change to jixiao.load.schema never changes what upgrading an old database does.

Revision ID: 0005
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def _added() -> dict[str, list[sa.Column]]:  # type: ignore[type-arg]
    """The columns this revision adds, table by table (new objects on every call: a Column
    belongs to one table). Rows loaded before this revision keep NULL: not counted."""
    return {
        "filings": [
            sa.Column("cells_total", sa.Integer),
            sa.Column("cells_read", sa.Integer),
        ],
        "indicators": [
            sa.Column("level1_canonical", sa.Text),
            sa.Column("level2_canonical", sa.Text),
        ],
    }


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
       i.level1_canonical, i.level2_canonical
FROM targets t
JOIN indicators i ON i.id = t.indicator_id
JOIN filings f ON f.id = i.filing_id
"""

# The view as revision 0003 defined it, put back by the downgrade.
INDICATOR_TARGETS_VIEW_0003 = """
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


def upgrade() -> None:
    inspector = sa.inspect(op.get_bind())
    op.execute("DROP VIEW IF EXISTS indicator_targets")
    for table, columns in _added().items():
        present = {c["name"] for c in inspector.get_columns(table)}
        with op.batch_alter_table(table) as batch:
            for column in columns:
                if column.name not in present:
                    batch.add_column(column)
    op.execute(INDICATOR_TARGETS_VIEW)


def downgrade() -> None:
    op.execute("DROP VIEW IF EXISTS indicator_targets")
    for table, columns in _added().items():
        with op.batch_alter_table(table) as batch:
            for column in reversed(columns):
                batch.drop_column(column.name)
    op.execute(INDICATOR_TARGETS_VIEW_0003)
