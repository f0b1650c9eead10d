"""What a self-evaluation (绩效自评表) lets a reader check: each 执行率 against 全年执行数 /
全年预算数, each 得分 against the score the rules of dictionaries/scoring.yaml give (the scoring
audit), no 得分 above its 分值, the 总分 against the 得分 it sums and the 分值 against 100."""

from __future__ import annotations

from dataclasses import replace
from decimal import ROUND_HALF_UP, Decimal

from jixiao import codes, dictionaries

from .funds import column_name
from .model import Finding, FundLine, Indicator, Target
from .sections import Row
from .text import fold, to_number

# 执行率 is printed rounded to one or two decimals; 得分 to two.
_RATE_TOLERANCE = Decimal("0.1")
_SCORE_TOLERANCE = Decimal("0.01")


def row_to_total_score(row: Row | None) -> Decimal | None:
    """总分 | 100 | 98.05: the 得分 is the last number of the row."""
    if row is None:
        return None
    numbers = [n for n in (to_number(c.text) for c in row if c.text) if n is not None]
    return numbers[-1] if numbers else None


def totals_row_to_score(row: Row | None) -> Decimal | None:
    """合计 | 100 | 99.5 under the indicators: the last of two or more numbers is the 得分
    total; a lone number is the 分值 total of a target table, no score."""
    if row is None:
        return None
    numbers = [n for n in (to_number(c.text) for c in row if c.text) if n is not None]
    return numbers[-1] if len(numbers) >= 2 else None


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


def _rules() -> dict[str, object]:
    return dictionaries.load("scoring")  # type: ignore[no-any-return]


def _quantize(value: Decimal) -> Decimal:
    places = Decimal(1).scaleb(-int(_rules()["decimals"]))  # type: ignore[call-overload]
    return value.quantize(places, rounding=ROUND_HALF_UP)


def _governing(indicator: Indicator) -> tuple[Target | None, Target | None]:
    """The target the indicator is scored against (the adjusted one where printed) and its
    actual value."""
    by_period = {t.period: t for t in indicator.targets}
    return by_period.get("adjusted") or by_period.get("FY"), by_period.get("actual")


def _amount(target: Target) -> Decimal | None:
    return target.value_wan if target.value_wan is not None else target.value


def _ratio_share(rule: str, actual: Decimal, low: Decimal, high: Decimal) -> Decimal:
    """The share of 分值 a numeric actual earns against its target (low..high; low == high
    but for ranges), by the named rule of scoring.yaml."""
    if rule == "at_least":
        return Decimal(1) if low <= 0 or actual >= low else max(actual, Decimal(0)) / low
    if rule == "at_most":
        if actual <= high or actual <= 0:
            return Decimal(1)
        return max(high, Decimal(0)) / actual
    if low <= actual <= high:  # exactly, within
        return Decimal(1)
    if actual <= 0 or low <= 0:
        return Decimal(0)
    return actual / low if actual < low else high / actual


def words_to_band(text: str) -> tuple[str, Decimal, Decimal] | None:
    """The achievement band (scoring.yaml bands) an actual written in words falls in: its name
    and its share of 分值 (low, high). A one-character word matches only the whole text, so 中
    in 中心 grades nothing."""
    whole = fold(text).strip(" 。.，,；;")
    for band in _rules()["bands"]:  # type: ignore[attr-defined]
        for word in band["words"]:
            if (len(word) == 1 and whole == word) or (len(word) > 1 and word in whole):
                low, high = band["share"]
                return str(band["name"]), Decimal(str(low)), Decimal(str(high))
    return None


def indicator_to_expected_score(indicator: Indicator) -> tuple[Decimal | None, str]:
    """The 得分 the scoring rules give an indicator, and the rule in words (for findings); None
    where no rule applies (no 分值, no actual value, a target that is not graded)."""
    weight = indicator.weight
    target, actual = _governing(indicator)
    if weight is None or actual is None:
        return None, ""
    actual_value = _amount(actual)
    target_value = _amount(target) if target is not None else None
    if target is not None and target_value is not None and actual_value is not None:
        comparator = target.effective_comparator or "≥"
        if target.kind == "range" and target.value_max is not None:
            rule, high = "within", target.value_max
        else:
            rule, high = str(_rules()["rules"].get(comparator, "at_least")), target_value  # type: ignore[attr-defined]
        share = min(_ratio_share(rule, actual_value, target_value, high), Decimal(1))
        return _quantize(share * weight), (
            f"{actual.raw} against {target.raw} ({rule.replace('_', ' ')}) × 分值 {weight}"
        )
    if target is not None and target.due_date and actual.due_date:
        if actual.due_date <= target.due_date:  # late: how late costs what is not written down
            return _quantize(weight), f"{actual.raw} is on time for {target.raw}: full 分值"
        return None, ""
    if actual_value is None:
        band = words_to_band(actual.label or actual.raw)
        if band is not None and indicator.score is not None:
            name, low, high = band
            score = min(max(indicator.score, low * weight), high * weight)
            return _quantize(score), (
                f"{actual.raw} is {name}, which scores {low:%} to {high:%} of 分值 {weight}"
            )
    if indicator.score_rate is not None:
        return _quantize(indicator.score_rate / 100 * weight), (
            f"得分系数 {indicator.score_rate}% × 分值 {weight}"
        )
    return None, ""


def line_to_expected_score(line: FundLine) -> Decimal | None:
    """执行率 × 分值, capped at 分值 (the rate computed where only the amounts are printed)."""
    if line.weight is None:
        return None
    rate = line.execution_rate
    if rate is None and line.executed is not None and line.full_year_budget:
        rate = line.executed / line.full_year_budget * 100
    if rate is None:
        return None
    return _quantize(min(max(rate, Decimal(0)) / 100, Decimal(1)) * line.weight)


def with_expected_scores(
    indicators: list[Indicator], lines: list[FundLine]
) -> tuple[list[Indicator], list[FundLine]]:
    return (
        [replace(i, score_expected=indicator_to_expected_score(i)[0]) for i in indicators],
        [replace(f, score_expected=line_to_expected_score(f)) for f in lines],
    )


def _rounding(score: Decimal) -> Decimal:
    """How far a printed 得分 may lie from the exact one: half a unit of its last digit."""
    exponent = score.as_tuple().exponent
    places = exponent if isinstance(exponent, int) else 0
    allowance = Decimal(str(_rules()["rounding_allowance"]))
    return Decimal(5).scaleb(places - 1) + allowance


def check_expected_scores(indicators: list[Indicator], lines: list[FundLine]) -> list[Finding]:
    """score_inconsistent where a printed 得分 lies further from score_expected (set by
    with_expected_scores) than its rounding."""
    findings = []
    for indicator in indicators:
        expected, score = indicator.score_expected, indicator.score
        if expected is not None and score is not None and abs(score - expected) > _rounding(score):
            rule = indicator_to_expected_score(indicator)[1]
            findings.append(
                Finding(
                    "warning",
                    codes.SCORE_INCONSISTENT,
                    f"'{indicator.level3}' scored {score}, but the scoring rule gives "
                    f"{expected}: {rule}. Check the 得分 and the values it comes from.",
                    indicator.location,
                )
            )
    for line in lines:
        expected, score = line.score_expected, line.score
        if expected is not None and score is not None and abs(score - expected) > _rounding(score):
            findings.append(
                Finding(
                    "warning",
                    codes.SCORE_INCONSISTENT,
                    f"{line.name}: 得分 is {score}, but {column_name('execution_rate')} "
                    f"× 分值 {line.weight} gives {expected}. Check the 得分 and the "
                    f"{column_name('execution_rate')}.",
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
                    codes.SCORE_TOTAL_WRONG,
                    f"The 得分 of the indicators and funds add up to {got}, but 总分 is printed "
                    f"as {total}. A score may be misread or the total mistyped.",
                )
            )
    weights = [w for _, w, _, _ in scored if w is not None]
    expected = Decimal(str(_rules()["weight_total"]))
    if weights and any(s is not None for s in scores):
        got = sum(weights, Decimal(0))
        if abs(got - expected) > _SCORE_TOLERANCE:
            findings.append(
                Finding(
                    "warning",
                    codes.WEIGHT_TOTAL_WRONG,
                    f"The 分值 of the indicators and funds add up to {got}, not {expected}.",
                )
            )
    return findings
