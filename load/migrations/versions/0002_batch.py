"""Batch bookkeeping: `sources` (path, size, mtime, sha256 of every file seen, for incremental
runs) and `ingest_runs` (one row per run: start, end, counts, version, arguments).

Revision ID: 0002
"""

from __future__ import annotations

from alembic import op

from jixiao.load import schema

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    schema.create_as_of(op.get_bind(), revision, schema.BATCH_TABLES)


def downgrade() -> None:
    for table in reversed(schema.BATCH_TABLES):
        table.drop(op.get_bind(), checkfirst=True)
