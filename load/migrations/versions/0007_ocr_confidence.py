"""How sure OCR was: filings.ocr_cells and ocr_low_confidence_share (how many of the filing's
non-empty cells OCR read, and the share of them read with a score under the low-confidence
threshold), and findings.confidence (the cell's OCR score on ocr_low_confidence findings, so SQL
and the report list the least certain cells first). Rows loaded before this revision keep NULL:
not counted.

Frozen: the columns are written out here as this revision made them.

Revision ID: 0007
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def _added() -> dict[str, list[sa.Column]]:  # type: ignore[type-arg]
    """The columns this revision adds, table by table (new objects on every call: a Column
    belongs to one table)."""
    return {
        "filings": [
            sa.Column("ocr_cells", sa.Integer),
            sa.Column("ocr_low_confidence_share", sa.Float),
        ],
        "findings": [sa.Column("confidence", sa.Float)],
    }


def upgrade() -> None:
    inspector = sa.inspect(op.get_bind())
    for table, columns in _added().items():
        present = {c["name"] for c in inspector.get_columns(table)}
        with op.batch_alter_table(table) as batch:
            for column in columns:
                if column.name not in present:
                    batch.add_column(column)


def downgrade() -> None:
    conn = op.get_bind()
    # SQLite drops a column by rebuilding its table, which the views naming the table do not
    # survive: they are set aside as the database holds them and put back afterwards.
    views = (
        conn.execute(sa.text("SELECT name, sql FROM sqlite_master WHERE type = 'view'")).all()
        if conn.dialect.name == "sqlite"
        else []
    )
    for name, _ in views:
        op.execute(f'DROP VIEW "{name}"')
    for table, columns in _added().items():
        with op.batch_alter_table(table) as batch:
            for column in reversed(columns):
                batch.drop_column(column.name)
    for _, sql in views:
        op.execute(sql)
