"""The database contract (README.md, "The database") as first released: filings,
main_functions, fund_lines, indicators, targets, findings and the indicator_targets view.

Frozen: the tables and the view are written out here as this revision made them, so a change to
jixiao.load.schema never changes what upgrading an old database does.

Revision ID: 0001
"""

from __future__ import annotations

from alembic import op
from sqlalchemy import (
    Column,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    MetaData,
    Numeric,
    String,
    Table,
    Text,
    UniqueConstraint,
)

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

# The tables as this revision defined them (frozen: later changes are later migrations).
metadata = MetaData()

AMOUNT = Numeric(20, 6)

filings = Table(
    "filings",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("source_path", Text, nullable=False),
    Column("source_sha256", String(64), nullable=False),
    Column("source_format", String(32), nullable=False),
    Column("doc_type", String(32)),
    Column("title", Text),
    Column("region", Text),
    Column("fiscal_year", Integer),
    Column("department", Text),
    Column("project_name", Text),
    Column("mid_long_term_goal", Text),
    Column("annual_goal", Text),
    Column("status", String(16), nullable=False),
    Column("pipeline_version", String(32), nullable=False),
    Column("ingested_at", DateTime(timezone=True), nullable=False),
    # Beyond the contract: 机构设置及人员配置 and its staffing numbers.
    Column("organization", Text),
    Column("staff_admin_quota", Integer),
    Column("staff_admin_in_use", Integer),
    Column("staff_admin_aux_quota", Integer),
    Column("staff_institution_quota", Integer),
    Column("staff_institution_in_use", Integer),
    UniqueConstraint("source_sha256", name="uq_filings_source_sha256"),
)


def _filing_fk() -> ForeignKey:
    return ForeignKey("filings.id", ondelete="CASCADE")


main_functions = Table(
    "main_functions",
    metadata,
    Column("filing_id", Integer, _filing_fk(), primary_key=True),
    Column("seq", Integer, primary_key=True),
    Column("text", Text, nullable=False),
)

fund_lines = Table(
    "fund_lines",
    metadata,
    Column("filing_id", Integer, _filing_fk(), primary_key=True),
    Column("seq", Integer, primary_key=True),
    Column("section", String(16), nullable=False),
    Column("parent", Text),
    Column("name", Text, nullable=False),
    Column("half_year_plan", AMOUNT),
    Column("full_year_budget", AMOUNT),
)

indicators = Table(
    "indicators",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("filing_id", Integer, _filing_fk(), nullable=False, index=True),
    Column("seq", Integer, nullable=False),
    Column("level1", Text),
    Column("level2", Text),
    Column("key_task", Text),
    Column("level3", Text, nullable=False),
    Column("function_seq", Integer),
    Column("canonical_name", Text),
    Column("match_score", Float),
    Column("page", Integer),
    Column("level2_raw", Text),  # beyond the contract: level2 as printed where it was repaired
    UniqueConstraint("filing_id", "seq", name="uq_indicators_filing_seq"),
)

targets = Table(
    "targets",
    metadata,
    Column(
        "indicator_id", Integer, ForeignKey("indicators.id", ondelete="CASCADE"), primary_key=True
    ),
    Column("period", String(8), primary_key=True),
    Column("raw", Text, nullable=False),
    Column("comparator", String(2)),
    Column("value", AMOUNT),
    Column("value_max", AMOUNT),
    Column("unit", Text),
    Column("kind", String(16), nullable=False),
    Column("label", Text),
    Column("due_date", Date),
    Column("value_wan", AMOUNT),
    Column("effective_comparator", String(2)),
    Column("grade", Integer),  # beyond the contract: order of a qualitative label
    Column("polarity", Integer),  # beyond the contract: +1 desirable label, -1 not
    Column("ocr_text", Text),  # beyond the contract: what OCR read where a repair changed it
)

findings = Table(
    "findings",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("filing_id", Integer, _filing_fk(), nullable=False, index=True),
    Column("severity", String(8), nullable=False),
    Column("code", String(64), nullable=False),
    Column("message", Text, nullable=False),
    Column("location", Text),
)

CONTRACT_TABLES = (filings, main_functions, fund_lines, indicators, targets, findings)

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
    # Tables that already exist (a database made before migrations) are left alone.
    metadata.create_all(op.get_bind(), tables=list(CONTRACT_TABLES))
    op.execute("DROP VIEW IF EXISTS indicator_targets")
    op.execute(INDICATOR_TARGETS_VIEW)


def downgrade() -> None:
    op.execute("DROP VIEW IF EXISTS indicator_targets")
    for table in reversed(CONTRACT_TABLES):
        table.drop(op.get_bind(), checkfirst=True)
