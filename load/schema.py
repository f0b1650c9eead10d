"""The database contract (README.md, "The database"): tables, columns and the views.
Names are what analysts' SQL depends on: change them only through migrations."""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
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

from jixiao import codes

metadata = MetaData()

AMOUNT = Numeric(20, 6)

# The current schema. Each migration in migrations/versions/ carries its own frozen copy of
# what it creates; a change here needs a new migration (tests/test_schema_docs.py compares).

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
    # Migration 0003: a file may hold several filings (part 1, 2, …), and an archive's entries
    # remember the archive; project tables and self-evaluations bring their own columns.
    Column("part", Integer, nullable=False, server_default="1"),
    Column("container_sha256", String(64)),
    Column("implementing_unit", Text),
    Column("project_period", Text),
    Column("annual_goal_actual", Text),
    Column("total_score", AMOUNT),
    # Migration 0005: the ledger. Non-empty table cells in the filing's part of the file, and
    # how many were read into it (the rest are cell_not_read findings).
    Column("cells_total", Integer),
    Column("cells_read", Integer),
    # Migration 0007: how many of those cells OCR read, and the share of them under the
    # low-confidence score (dictionaries/ocr.yaml); NULL for a filing OCR did not read.
    Column("ocr_cells", Integer),
    Column("ocr_low_confidence_share", Float),
    # Migration 0008: the self-assessed grade (优/良/中/差) as printed.
    Column("grade", String(8)),
    UniqueConstraint("source_sha256", "part", name="uq_filings_source_sha256_part"),
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
    Column("initial_budget", AMOUNT),
    Column("executed", AMOUNT),
    Column("execution_rate", AMOUNT),  # percent: 95.5 for 95.5%
    Column("weight", AMOUNT),  # 分值
    Column("score", AMOUNT),
    # Migration 0008: the scoring audit (dictionaries/scoring.yaml) and 得分计算方法.
    Column("score_expected", AMOUNT),
    Column("scoring_method", Text),
    Column("deviation_reason", Text),  # 原因: why the 执行率 falls short, as printed
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
    Column("weight", AMOUNT),  # 分值 / 权重
    Column("score", AMOUNT),  # 得分
    Column("deviation_reason", Text),
    Column("direction", String(8)),  # 正向 | 反向
    Column("value_type", String(8)),  # 指标值类型: 定量 | 定性
    # Migration 0005: the standard 一级/二级 names (level1/level2 stay as printed).
    Column("level1_canonical", Text),
    Column("level2_canonical", Text),
    # Migration 0008: the scoring audit and the columns of more layouts.
    Column("score_expected", AMOUNT),  # 得分 as the scoring rules give it
    Column("score_rate", AMOUNT),  # 得分系数, percent
    Column("core", Boolean),  # 是否核心指标
    Column("scoring_method", Text),  # 得分计算方法
    Column("explanation", Text),  # 指标解释 / 绩效标准
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
    # Migration 0009: what a relative target is measured against, and what its unit measures.
    Column("relative_to", String(16)),
    Column("unit_class", String(8)),
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
    # Migration 0007: the cell's OCR score, for ocr_low_confidence findings (lowest first).
    Column("confidence", Float),
)

# Migration 0008: labelled text beside the header, funds and indicators (评价结论, 存在问题, …).
remarks = Table(
    "remarks",
    metadata,
    Column("filing_id", Integer, _filing_fk(), primary_key=True),
    Column("seq", Integer, primary_key=True),
    Column("label", Text, nullable=False),
    Column("text", Text, nullable=False),
)

CHILD_TABLES = (targets, indicators, main_functions, fund_lines, remarks, findings)
CONTRACT_TABLES = (filings, main_functions, fund_lines, indicators, targets, findings)

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
       i.level1_canonical, i.level2_canonical,
       t.relative_to, t.unit_class
FROM targets t
JOIN indicators i ON i.id = t.indicator_id
JOIN filings f ON f.id = i.filing_id
"""


# Migration 0004: views analysts would otherwise write by hand.
_RECONCILIATION = ", ".join(f"'{code}'" for code in codes.RECONCILIATION)

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

FILING_FINDINGS_VIEW = f"""
CREATE VIEW filing_findings AS
SELECT f.id AS filing_id, f.source_path, f.part, f.department, f.fiscal_year, f.doc_type,
       f.status,
       SUM(CASE WHEN g.severity = 'error' THEN 1 ELSE 0 END) AS errors,
       SUM(CASE WHEN g.severity = 'warning' THEN 1 ELSE 0 END) AS warnings,
       SUM(CASE WHEN g.severity = 'info' THEN 1 ELSE 0 END) AS infos,
       SUM(CASE WHEN g.code IN ({_RECONCILIATION})
                THEN 1 ELSE 0 END) AS reconciliation_failures
FROM filings f
LEFT JOIN findings g ON g.filing_id = f.id
GROUP BY f.id, f.source_path, f.part, f.department, f.fiscal_year, f.doc_type, f.status
"""

# Migration 0008: the scoring audit. One row per self-evaluation and indicator or fund line
# whose printed 得分 is not the one the rules give (to the cent), with the filing's totals on
# each; a self-evaluation where every 得分 agrees has one row with item NULL.
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


VIEWS = {
    "indicator_targets": INDICATOR_TARGETS_VIEW,
    "fund_lines_with_totals": FUND_LINES_WITH_TOTALS_VIEW,
    "filing_findings": FILING_FINDINGS_VIEW,
    "self_evaluation_audit": SELF_EVALUATION_AUDIT_VIEW,
}


# --- batch bookkeeping (migration 0002) -------------------------------------------------------

sources = Table(
    "sources",
    metadata,
    # One row per file path seen: what lets a re-run skip unchanged files without reading them.
    Column("path", Text, primary_key=True),
    Column("size", BigInteger, nullable=False),
    Column("mtime_ns", BigInteger, nullable=False),
    Column("sha256", String(64), nullable=False, index=True),
    Column("last_run_id", Integer),
)

# Migration 0006: which file paths hold each filing's bytes. One filing (one set of bytes, one
# part) may come from several places: a file, and an entry of a ZIP elsewhere. It is deleted only
# when its last link goes (its file changed to other bytes, or was pruned).
filing_sources = Table(
    "filing_sources",
    metadata,
    Column("filing_id", Integer, _filing_fk(), primary_key=True),
    # Where the filing came from: the file itself, or an archive's entry (`a.zip!/x.txt`).
    Column("path", Text, primary_key=True),
    # The file on disk holding it (sources.path): the file itself, or the archive.
    Column("container_path", Text, nullable=False, index=True),
)

ingest_runs = Table(
    "ingest_runs",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("started_at", DateTime(timezone=True), nullable=False),
    Column("finished_at", DateTime(timezone=True)),
    Column("status", String(16), nullable=False),  # running | done | failed
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

BATCH_TABLES = (sources, filing_sources, ingest_runs)
