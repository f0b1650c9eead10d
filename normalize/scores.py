"""What a self-evaluation (绩效自评表) lets a reader check: each 执行率 against 全年执行数 /
全年预算数, no 得分 above its 分值, and the 总分 against the 得分 it sums."""

from __future__ import annotations

from decimal import Decimal

from jixiao import codes, dictionaries

from .funds import column_name
from .model import Finding, FundLine, Indicator
from .sections import Row
from .text import to_number

# 执行率 is printed rounded to one or two decimals; 得分 to two.
_RATE_TOLERANCE = Decimal("0.1")
_SCORE_TOLERANCE = Decimal("0.01")


def row_to_total_score(row: Row | None) -> Decimal | None:
    """总分 | 100 | 98.05: the 得分 is the last number of the row."""
    if row is None:
        return None
    numbers = [n for n in (to_number(c.text) for c in row if c.text) if n is not None]
    return numbers[-1] if numbers else None


def check_execution_rates(lines: list[FundLine]) -> list[Finding]:
    findings = []
    for line in lines:
        if line.execution_rate is None or line.executed is None or not line.full_year_budget:
            continue
        computed = line.executed / line.full_year_budget * 100
        if abs(computed - line.execution_rate) > _RATE_TOLERANCE:
            findings.append(
                Finding(
                    "warning",
                    codes.EXECUTION_RATE_MISMATCH,
                    f"{line.name}: {column_name('execution_rate')} is printed as "
                    f"{line.execution_rate}% but {column_name('executed')} / "
                    f"{column_name('full_year_budget')} = {line.executed} / "
                    f"{line.full_year_budget} = {computed:.2f}%. Check both figures in the filing.",
                    line.location,
                )
            )
    return findings


def check_scores(
    indicators: list[Indicator], lines: list[FundLine], total: Decimal | None
) -> list[Finding]:
    findings = []
    scored: list[tuple[str, Decimal | None, Decimal | None, str | None]] = [
        (i.level3, i.weight, i.score, i.location) for i in indicators
    ] + [(f.name, f.weight, f.score, f.location) for f in lines]
    for name, weight, score, location in scored:
        if weight is not None and score is not None and score > weight + _SCORE_TOLERANCE:
            findings.append(
                Finding(
                    "warning",
                    codes.SCORE_ABOVE_WEIGHT,
                    f"'{name}' scored {score}, more than its 分值 {weight}.",
                    location,
                )
            )
    scores = [s for _, _, s, _ in scored if s is not None]
    if total is not None and scores:
        got = sum(scores, Decimal(0))
        if abs(got - total) > _SCORE_TOLERANCE:
            findings.append(
                Finding(
                    "warning",
                    codes.TOTAL_SCORE_MISMATCH,
                    f"The 得分 of the indicators and funds add up to {got}, but 总分 is printed "
                    f"as {total}. A score may be misread or the total mistyped.",
                )
            )
    weights = [w for _, w, _, _ in scored if w is not None]
    expected = Decimal(str(dictionaries.load("funds").get("score_total", 100)))
    if weights and any(s is not None for s in scores):
        got = sum(weights, Decimal(0))
        if abs(got - expected) > _SCORE_TOLERANCE:
            findings.append(
                Finding(
                    "warning",
                    codes.WEIGHTS_DO_NOT_ADD_UP,
                    f"The 分值 of the indicators and funds add up to {got}, not {expected}.",
                )
            )
    return findings
