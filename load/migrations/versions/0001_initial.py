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


def upgrade() -> None:
    bind = op.get_bind()
    # The tables as the metadata of this release defines them; later changes are migrations.
    schema.metadata.create_all(bind, tables=[t for t in schema.CONTRACT_TABLES])
    op.execute("DROP VIEW IF EXISTS indicator_targets")
    op.execute(schema.INDICATOR_TARGETS_VIEW)


def downgrade() -> None:
    op.execute("DROP VIEW IF EXISTS indicator_targets")
    for table in reversed(schema.CONTRACT_TABLES):
        table.drop(op.get_bind(), checkfirst=True)
