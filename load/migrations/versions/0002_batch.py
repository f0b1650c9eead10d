"""Batch bookkeeping: `sources` (path, size, mtime, sha256 of every file seen, for incremental
runs) and `ingest_runs` (one row per run: start, end, counts, version, arguments).

Frozen: the tables are written out here as this revision made them.

Revision ID: 0002
"""

from __future__ import annotations

from alembic import op
from sqlalchemy import BigInteger, Column, DateTime, Integer, MetaData, String, Table, Text

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

metadata = MetaData()

sources = Table(
    "sources",
    metadata,
    Column("path", Text, primary_key=True),
    Column("size", BigInteger, nullable=False),
    Column("mtime_ns", BigInteger, nullable=False),
    Column("sha256", String(64), nullable=False, index=True),
    Column("last_run_id", Integer),
)

ingest_runs = Table(
    "ingest_runs",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("started_at", DateTime(timezone=True), nullable=False),
    Column("finished_at", DateTime(timezone=True)),
    Column("status", String(16), nullable=False),
    Column("files_seen", Integer),
    Column("unchanged", Integer),
    Column("ok", Integer),
    Column("partial", Integer),
    Column("failed", Integer),
    Column("vanished", Integer),
    Column("pruned", Integer),
    Column("pipeline_version", String(32), nullable=False),
    Column("arguments", Text),
)

BATCH_TABLES = (sources, ingest_runs)


def upgrade() -> None:
    # Tables that already exist (a database made before migrations) are left alone.
    metadata.create_all(op.get_bind(), tables=list(BATCH_TABLES))


def downgrade() -> None:
    for table in reversed(BATCH_TABLES):
        table.drop(op.get_bind(), checkfirst=True)
