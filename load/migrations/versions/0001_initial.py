"""The database contract of DESIGN.md as first released: filings, main_functions, fund_lines,
indicators, targets, findings and the indicator_targets view.

Revision ID: 0001
"""

from __future__ import annotations

from alembic import op

from jixiao.load import schema

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


# The view as this revision defined it; later revisions replace it.
INDICATOR_TARGETS_VIEW = """
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
    schema.create_as_of(op.get_bind(), revision, schema.CONTRACT_TABLES)
    op.execute("DROP VIEW IF EXISTS indicator_targets")
    op.execute(INDICATOR_TARGETS_VIEW)


def downgrade() -> None:
    op.execute("DROP VIEW IF EXISTS indicator_targets")
    for table in reversed(schema.CONTRACT_TABLES):
        table.drop(op.get_bind(), checkfirst=True)
