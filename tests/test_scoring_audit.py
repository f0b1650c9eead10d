"""The scoring audit of self-evaluations: each 得分 recomputed from target, actual value and
分值 by the rules of dictionaries/scoring.yaml, stored as score_expected, with findings where the
department's arithmetic differs, the self_evaluation_audit view on both databases and the
report's section."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import create_engine, text

from conftest import SAMPLES
from jixiao import codes
from jixiao.load.report import write_report
from jixiao.normalize import Finding, FundLine, Indicator, parse_target
from jixiao.normalize.scores import (
    check_expected_scores,
    indicator_to_expected_score,
    line_to_expected_score,
    with_expected_scores,
    words_to_band,
)
from jixiao.pipeline import ingest

D = Decimal


def _indicator(target: str, actual: str, weight: str, score: str | None = None) -> Indicator:
    targets = [
        replace(parse_target(target, 2023), period="FY"),
        replace(parse_target(actual, 2023), period="actual"),
    ]
    return Indicator(
        seq=1,
        level1="产出指标",
        level2="数量指标",
        level3="指标",
        weight=D(weight),
        score=None if score is None else D(score),
        targets=targets,
    )


@pytest.mark.parametrize(
    ("target", "actual", "weight", "expected"),
    [
        ("≥3200公里", "3215公里", "10", "10.00"),  # 正向, met: full 分值
        ("≥100%", "95%", "10", "9.50"),  # 正向, short: actual / target × 分值
        ("≤0.45万元", "0.44万元", "10", "10.00"),  # 反向, met
        ("≤10%", "12.5%", "10", "8.00"),  # 反向, over: target / actual × 分值
        ("＝12座", "11座", "10", "9.17"),  # 等于, short: the smaller ratio
        ("=100%", "100%", "15", "15.00"),
        ("≥90万元", "90", "8", "8.00"),  # the actual without its unit
        ("2023年12月31日前", "2023年12月28日", "10", "10.00"),  # on time
    ],
)
def test_numeric_targets_score_by_their_comparator(
    target: str, actual: str, weight: str, expected: str
) -> None:
    got, rule = indicator_to_expected_score(_indicator(target, actual, weight))
    assert got == D(expected)
    assert rule


def test_a_late_deadline_is_left_to_judgement() -> None:
    got, _ = indicator_to_expected_score(_indicator("2023年6月底前", "2023年9月10日", "10", "5"))
    assert got is None


@pytest.mark.parametrize(
    ("actual", "score", "expected"),
    [
        ("达成预期指标", "10", "10.00"),  # 达成: 80–100% of 分值, printed inside
        ("达成预期指标", "6", "8.00"),  # below the band: its lower edge
        ("基本完成", "10", "8.00"),  # 部分达成: 60–80%
        ("未完成", "3", "3.00"),  # 未达成: 0–60%
        ("优", "10", "10.00"),
    ],
)
def test_words_score_by_achievement_band(actual: str, score: str, expected: str) -> None:
    got, _ = indicator_to_expected_score(_indicator("效果明显", actual, "10", score))
    assert got == D(expected)


def test_a_one_character_band_word_grades_only_on_its_own() -> None:
    assert words_to_band("中") is not None
    assert words_to_band("中心城区") is None  # 中 inside a name is no grade
    assert words_to_band("未达成") is not None and words_to_band("未达成")[0] == "未达成"  # type: ignore[index]


def test_no_rule_without_an_actual_or_a_weight() -> None:
    no_actual = _indicator("≥90%", "95%", "10")
    no_actual.targets = no_actual.targets[:1]
    assert indicator_to_expected_score(no_actual)[0] is None
    no_weight = _indicator("≥90%", "95%", "10")
    no_weight.weight = None
    assert indicator_to_expected_score(no_weight)[0] is None


def test_a_score_coefficient_scores_what_no_rule_can() -> None:
    indicator = _indicator("高", "高", "3")
    indicator.score_rate = D("100")
    indicator.targets = indicator.targets[:1]
    indicator.targets.append(
        replace(parse_target("12.5"), period="actual")
    )  # numeric actual, word target
    assert indicator_to_expected_score(indicator)[0] == D("3.00")


def test_the_funds_score_is_the_execution_rate_times_the_weight() -> None:
    line = FundLine(1, "income", "年度资金总额", execution_rate=D("95.5"), weight=D("10"))
    assert line_to_expected_score(line) == D("9.55")
    over = FundLine(1, "income", "年度资金总额", execution_rate=D("104"), weight=D("10"))
    assert line_to_expected_score(over) == D("10.00")  # capped at 分值
    amounts = FundLine(
        1, "income", "年度资金总额", full_year_budget=D(310.2), executed=D("154.74"), weight=D(10)
    )
    assert line_to_expected_score(amounts) == D("4.99")  # 154.74 / 310.2 × 10


def test_a_printed_score_within_its_rounding_is_consistent() -> None:
    # 11/12 × 10 = 9.17: a whole-point 得分 of 9 is its rounding, 9.0 is not.
    def check(score: str) -> list[Finding]:
        return check_expected_scores(
            *with_expected_scores([_indicator("＝12座", "11座", "10", score)], [])
        )

    assert check("9") == []
    (finding,) = check("9.0")
    assert finding.code == codes.SCORE_INCONSISTENT
    assert "9.17" in finding.message


@given(
    target=st.decimals(min_value=1, max_value=10_000, places=2),
    actual=st.decimals(min_value=0, max_value=10_000, places=2),
    weight=st.decimals(min_value=1, max_value=30, places=1),
    comparator=st.sampled_from(["≥", "≤", "="]),
)
def test_an_expected_score_never_exceeds_the_weight(
    target: Decimal, actual: Decimal, weight: Decimal, comparator: str
) -> None:
    got, _ = indicator_to_expected_score(
        _indicator(f"{comparator}{target}%", f"{actual}%", str(weight))
    )
    assert got is not None and D(0) <= got <= weight


def _cents(value: object) -> Decimal:
    """A number as SQLite (float) or PostgreSQL (numeric) returns it, to the cent."""
    return D(str(value)).quantize(D("0.01"))


@pytest.mark.parametrize("db_url", ["sqlite", "postgresql"], indirect=True)
def test_the_audit_view_lists_each_differing_score(db_url: str, tmp_path: Path) -> None:
    sample = SAMPLES / "office" / "changsha_rural_roads_2023_self_evaluation.xlsx"
    ingest([sample], db_url)
    engine = create_engine(db_url)
    with engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT printed_total, printed_sum, recomputed_total, weight_total, differing, "
                "item, printed_score, score_expected, difference FROM self_evaluation_audit "
                "ORDER BY item_seq"
            )
        ).all()
    engine.dispose()
    # 危桥改造数量: 9 printed, 11/12 × 10 = 9.17; 沿线群众满意度: 9.5 printed, 92% ≥ 90% → 10.
    assert [(r.item, _cents(r.printed_score), _cents(r.score_expected)) for r in rows] == [
        ("危桥改造数量", D("9.00"), D("9.17")),
        ("沿线群众满意度", D("9.50"), D("10.00")),
    ]
    first = rows[0]
    assert (_cents(first.printed_total), _cents(first.printed_sum)) == (D("98.05"), D("98.05"))
    assert _cents(first.recomputed_total) == D("98.72")  # 98.05 + 0.17 + 0.5
    assert (_cents(first.weight_total), first.differing) == (D("100.00"), 2)
    assert _cents(first.difference) == D("-0.17")
    out = write_report(db_url, tmp_path / "report.html")
    html = out.read_text(encoding="utf-8")
    assert "自评得分复核" in html and "危桥改造数量" in html and "98.72" in html
