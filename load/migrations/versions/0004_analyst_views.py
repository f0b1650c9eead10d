"""Views for analysts: fund_lines_with_totals (each fund line with its filing and its parent's
amounts) and filing_findings (findings counted per filing, reconciliation failures apart).

Frozen: the views are written out here as this revision made them (the finding codes too), so
a change to jixiao.load.schema or jixiao.codes never changes what upgrading does.

Revision ID: 0004
"""

from __future__ import annotations

from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

FUND_LINES_WITH_TOTALS_VIEW = """
CREATE VIEW fund_lines_with_totals AS
SELECT f.id AS filing_id, f.department, f.region, f.fiscal_year, f.doc_type, f.project_name,
       l.seq, l.section, l.name, l.parent, l.half_year_plan, l.full_year_budget,
       l.initial_budget, l.executed, l.execution_rate,
       p.full_year_budget AS parent_full_year_budget,
       1.0 * l.full_year_budget / NULLIF(p.full_year_budget, 0) AS share_of_parent
FROM fund_lines l
JOIN filings f ON f.id = l.filing_id
LEFT JOIN fund_lines p
  ON p.filing_id = l.filing_id AND p.section = l.section AND p.name = l.parent
"""

FILING_FINDINGS_VIEW = """
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

VIEWS = {
    "fund_lines_with_totals": FUND_LINES_WITH_TOTALS_VIEW,
    "filing_findings": FILING_FINDINGS_VIEW,
}


def upgrade() -> None:
    for name, sql in VIEWS.items():
        op.execute(f"DROP VIEW IF EXISTS {name}")
        op.execute(sql)


def downgrade() -> None:
    for name in VIEWS:
        op.execute(f"DROP VIEW IF EXISTS {name}")
