"""The types `normalize` hands on: a `Filing` with its indicators and their `Target`s.

Plain dataclasses, JSON-serialisable through `to_dict`, so `jixiao extract FILE --json` shows
exactly what would be loaded."""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Literal

from jixiao import codes

Severity = Literal["error", "warning", "info"]
Status = Literal["ok", "partial", "failed"]


@dataclass(frozen=True)
class Finding:
    severity: Severity
    code: str
    message: str
    location: str | None = None
    confidence: float | None = None  # the cell's OCR score (ocr_low_confidence), for sorting


@dataclass(frozen=True)
class Target:
    """What one value cell means. `raw` is the cell as printed and is never altered."""

    raw: str
    kind: str  # quantitative | qualitative | rank | deadline | range | text
    comparator: str | None = None
    value: Decimal | None = None
    value_max: Decimal | None = None
    unit: str | None = None
    label: str | None = None
    due_date: dt.date | None = None
    value_wan: Decimal | None = None  # amounts (元/万元/亿元) in 万元
    effective_comparator: str | None = None  # stated, or implied by the direction 正向/反向
    grade: int | None = None  # qualitative labels with an order (优 4, 良 3, 中 2, 差 1)
    polarity: int | None = None  # qualitative labels: +1 a desirable state, -1 not
    period: str | None = (
        None  # H1 | FY | adjusted | LT | actual | prior, set by the table it came from
    )
    ocr_text: str | None = None  # what OCR read, where a repair changed it into `raw`
    # What a relative target is measured against: prior_year (较上年, 同比), budget (≤预算数),
    # plan (在项目计划完成时间内完成), standard.
    relative_to: str | None = None
    unit_class: str | None = None  # percent | money | count | time | ratio | other


@dataclass
class Indicator:
    seq: int
    level1: str | None
    level2: str | None
    level3: str
    key_task: str | None = None
    function_seq: int | None = None
    canonical_name: str | None = None
    match_score: float | None = None
    page: int | None = None
    level2_raw: str | None = None  # as printed, where level2 was rejoined or repaired
    value_type: str | None = None  # 指标值类型 as printed: 定量 | 定性
    level1_canonical: str | None = None  # the standard 一级 name (levels.yaml): 效益 -> 效益指标
    level2_canonical: str | None = (
        None  # the standard 二级 name (服务对象满意度指标 -> 服务对象满意度)
    )
    direction: str | None = None  # 指标方向性: 正向 | 反向
    weight: Decimal | None = None  # 分值 / 权重
    score: Decimal | None = None  # 得分 (self-evaluations)
    deviation_reason: str | None = None  # 偏差原因分析及改进措施 (self-evaluations)
    score_expected: Decimal | None = None  # 得分 as the scoring rules give it (scoring.yaml)
    score_rate: Decimal | None = None  # 得分系数 in percent as printed (Chongqing)
    core: bool | None = None  # 是否核心指标
    scoring_method: str | None = None  # 得分计算方法 as printed
    explanation: str | None = None  # 指标解释 / 绩效标准 as printed
    location: str | None = None
    targets: list[Target] = field(default_factory=list)


@dataclass(frozen=True)
class MainFunction:
    seq: int
    text: str


@dataclass
class FundLine:
    seq: int
    section: str  # income | expenditure
    name: str
    parent: str | None = None
    half_year_plan: Decimal | None = None
    full_year_budget: Decimal | None = None
    initial_budget: Decimal | None = None  # 年初预算数 (self-evaluations)
    executed: Decimal | None = None  # 全年执行数
    execution_rate: Decimal | None = None  # 执行率, in percent as printed (95.5 for 95.5%)
    weight: Decimal | None = None  # 分值
    score: Decimal | None = None  # 得分
    score_expected: Decimal | None = None  # 执行率 × 分值, capped at 分值 (scoring.yaml)
    scoring_method: str | None = None  # 得分计算方法 as printed
    deviation_reason: str | None = None  # 原因 of its 执行率, as printed
    location: str | None = None


@dataclass(frozen=True)
class Remark:
    """Labelled text a table holds beside its header, funds and indicators: 评价结论, 存在问题,
    改进措施, 立项依据, 项目类别."""

    seq: int
    label: str
    text: str


@dataclass(frozen=True)
class Staffing:
    """Staffing numbers stated in 机构设置及人员配置 (编制 = authorised posts)."""

    admin_quota: int | None = None  # 行政编制
    admin_in_use: int | None = None  # 实际用编 (行政)
    admin_aux_quota: int | None = None  # 行政附属编制
    institution_quota: int | None = None  # 事业编制
    institution_in_use: int | None = None  # 实际用编 (事业)


@dataclass
class Filing:
    source_path: str
    source_sha256: str
    source_format: str
    status: Status = "ok"
    part: int = 1  # which filing of its file (a file can hold several tables), from 1
    container_sha256: str | None = None  # the archive (.zip) the file came out of
    doc_type: str | None = None
    title: str | None = None
    region: str | None = None
    fiscal_year: int | None = None
    department: str | None = None
    project_name: str | None = None
    implementing_unit: str | None = None  # 实施单位 (project tables; department is 主管部门)
    project_period: str | None = None  # 项目期 as printed
    mid_long_term_goal: str | None = None
    annual_goal: str | None = None
    annual_goal_actual: str | None = None  # 实际完成情况 (self-evaluations)
    total_score: Decimal | None = None  # 总分 得分 (self-evaluations)
    grade: str | None = None  # the self-assessed grade as printed: 优 | 良 | 中 | 差
    organization: str | None = None
    staffing: Staffing = field(default_factory=Staffing)
    main_functions: list[MainFunction] = field(default_factory=list)
    fund_lines: list[FundLine] = field(default_factory=list)
    indicators: list[Indicator] = field(default_factory=list)
    remarks: list[Remark] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    # The ledger: non-empty table cells in the filing's part of the file, and how many of them
    # were read into the filing (the rest are `cell_not_read` findings).
    cells_total: int = 0
    cells_read: int = 0
    # OCR: how many of those cells OCR read, and the share of them it read with a score under
    # dictionaries/ocr.yaml's low_confidence (each an ocr_low_confidence finding); None when
    # OCR read none.
    ocr_cells: int | None = None
    ocr_low_confidence_share: float | None = None

    @classmethod
    def failed(
        cls, source_path: str, source_sha256: str, source_format: str, finding: Finding
    ) -> Filing:
        return cls(
            source_path=source_path,
            source_sha256=source_sha256,
            source_format=source_format,
            status="failed",
            findings=[finding],
        )

    def to_dict(self) -> dict[str, Any]:
        return _plain(dataclasses.asdict(self))  # type: ignore[no-any-return]


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


class NormalizeError(Exception):
    """The document was read but is not a filing jixiao understands. Message for a clerk."""

    def __init__(self, message: str, *, code: str = codes.NOT_A_FILING):
        super().__init__(message)
        self.code = code
