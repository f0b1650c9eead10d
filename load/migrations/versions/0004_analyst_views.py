"""Views for analysts: fund_lines_with_totals (each fund line with its filing and its parent's
amounts) and filing_findings (findings counted per filing, reconciliation failures apart).

Revision ID: 0004
"""

from __future__ import annotations

from alembic import op

from jixiao.load import schema

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

_NEW = ("fund_lines_with_totals", "filing_findings")


def upgrade() -> None:
    for name in _NEW:
        op.execute(f"DROP VIEW IF EXISTS {name}")
        op.execute(schema.VIEWS[name])


def downgrade() -> None:
    for name in _NEW:
        op.execute(f"DROP VIEW IF EXISTS {name}")
