"""Self-evaluations whole and the scoring audit: filings.grade (the self-assessed 优/良/中/差);
indicators.score_expected, score_rate (得分系数), core (是否核心指标), scoring_method
(得分计算方法) and explanation (指标解释/绩效标准); fund_lines.score_expected, scoring_method
and deviation_reason (原因); a `remarks` table (评价结论, 存在问题, 改进措施, 立项依据 … as
printed); the view self_evaluation_audit. The two score reconciliation codes get the names
analysts were promised (total_score_mismatch → score_total_wrong, weights_do_not_add_up →
weight_total_wrong), in the findings already loaded and in filing_findings.

Frozen: the columns and views are written out here as this revision made them.

Revision ID: 0008
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

RENAMED = {
    "total_score_mismatch": "score_total_wrong",
    "weights_do_not_add_up": "weight_total_wrong",
}


def _added() -> dict[str, list[sa.Column]]:  # type: ignore[type-arg]
    """The columns this revision adds, table by table (new objects on every call)."""
    return {
        "filings": [sa.Column("grade", sa.String(8))],
        "fund_lines": [
            sa.Column("score_expected", sa.Numeric(20, 6)),
            sa.Column("scoring_method", sa.Text),
            sa.Column("deviation_reason", sa.Text),
        ],
        "indicators": [
            sa.Column("score_expected", sa.Numeric(20, 6)),
            sa.Column("score_rate", sa.Numeric(20, 6)),
            sa.Column("core", sa.Boolean),
            sa.Column("scoring_method", sa.Text),
            sa.Column("explanation", sa.Text),
        ],
    }


FILING_FINDINGS_VIEW = """
CREATE VIEW filing_findings AS
SELECT f.id AS filing_id, f.source_path, f.part, f.department, f.fiscal_year, f.doc_type,
       f.status,
       SUM(CASE WHEN g.severity = 'error' THEN 1 ELSE 0 END) AS errors,
       SUM(CASE WHEN g.severity = 'warning' THEN 1 ELSE 0 END) AS warnings,
       SUM(CASE WHEN g.severity = 'info' THEN 1 ELSE 0 END) AS infos,
       SUM(CASE WHEN g.code IN ('funds_do_not_add_up', 'execution_rate_mismatch',
                                'score_total_wrong', 'weight_total_wrong')
                THEN 1 ELSE 0 END) AS reconciliation_failures
FROM filings f
LEFT JOIN findings g ON g.filing_id = f.id
GROUP BY f.id, f.source_path, f.part, f.department, f.fiscal_year, f.doc_type, f.status
"""

FILING_FINDINGS_VIEW_0004 = """
CREATE VIEW filing_findings AS
SELECT f.id AS filing_id, f.source_path, f.part, f.department, f.fiscal_year, f.doc_type,
       f.status,
       SUM(CASE WHEN g.severity = 'error' THEN 1 ELSE 0 END) AS errors,
       SUM(CASE WHEN g.severity = 'warning' THEN 1 ELSE 0 END) AS warnings,
       SUM(CASE WHEN g.severity = 'info' THEN 1 ELSE 0 END) AS infos,
       SUM(CASE WHEN g.code IN ('funds_do_not_add_up', 'execution_rate_mismatch',
                                'total_score_mismatch', 'weights_do_not_add_up')
                THEN 1 ELSE 0 END) AS reconciliation_failures
FROM filings f
LEFT JOIN findings g ON g.filing_id = f.id
GROUP BY f.id, f.source_path, f.part, f.department, f.fiscal_year, f.doc_type, f.status
"""

SELF_EVALUATION_AUDIT_VIEW = """
CREATE VIEW self_evaluation_audit AS
WITH scored AS (
    SELECT filing_id, 'indicator' AS item_kind, seq, level3 AS item, weight, score,
           score_expected
    FROM indicators
    UNION ALL
    SELECT filing_id, 'fund_line', seq, name, weight, score, score_expected
    FROM fund_lines
),
totals AS (
    SELECT f.id AS filing_id, f.department, f.project_name, f.fiscal_year, f.source_path,
           f.part, f.total_score AS printed_total, SUM(s.score) AS printed_sum,
           SUM(COALESCE(s.score_expected, s.score)) AS recomputed_total,
           SUM(s.weight) AS weight_total,
           SUM(CASE WHEN ABS(s.score - s.score_expected) >= 0.01 THEN 1 ELSE 0 END)
               AS differing
    FROM filings f
    JOIN scored s ON s.filing_id = f.id
    WHERE f.doc_type = 'self_evaluation'
    GROUP BY f.id, f.department, f.project_name, f.fiscal_year, f.source_path, f.part,
             f.total_score
)
SELECT t.*, d.item_kind, d.seq AS item_seq, d.item, d.weight, d.score AS printed_score,
       d.score_expected, d.score - d.score_expected AS difference
FROM totals t
LEFT JOIN scored d
  ON d.filing_id = t.filing_id AND ABS(d.score - d.score_expected) >= 0.01
"""


def _rename_codes(names: dict[str, str]) -> None:
    findings = sa.table("findings", sa.column("code", sa.String))
    for old, new in names.items():
        op.execute(findings.update().where(findings.c.code == old).values(code=new))


def upgrade() -> None:
    inspector = sa.inspect(op.get_bind())
    for table, columns in _added().items():
        present = {c["name"] for c in inspector.get_columns(table)}
        with op.batch_alter_table(table) as batch:
            for column in columns:
                if column.name not in present:
                    batch.add_column(column)
    if "remarks" not in inspector.get_table_names():
        _create_remarks()
    _rename_codes(RENAMED)
    op.execute("DROP VIEW IF EXISTS filing_findings")
    op.execute(FILING_FINDINGS_VIEW)
    op.execute("DROP VIEW IF EXISTS self_evaluation_audit")
    op.execute(SELF_EVALUATION_AUDIT_VIEW)


def _create_remarks() -> None:
    op.create_table(
        "remarks",
        sa.Column(
            "filing_id",
            sa.Integer,
            sa.ForeignKey("filings.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("seq", sa.Integer, primary_key=True),
        sa.Column("label", sa.Text, nullable=False),
        sa.Column("text", sa.Text, nullable=False),
    )


def downgrade() -> None:
    conn = op.get_bind()
    op.execute("DROP VIEW IF EXISTS self_evaluation_audit")
    op.execute("DROP VIEW IF EXISTS filing_findings")
    op.execute(FILING_FINDINGS_VIEW_0004)
    _rename_codes({new: old for old, new in RENAMED.items()})
    op.drop_table("remarks")
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
