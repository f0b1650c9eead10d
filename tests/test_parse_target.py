"""parse_target, table-driven: every value printed in the seed, then the wider forms filings
write (README.md, the targets columns; normalize/targets.py)."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import SEED
from jixiao.normalize import Target, parse_target

D = Decimal

# raw -> (kind, comparator, value, value_max, unit, label)
SEED_VALUES: dict[
    str, tuple[str, str | None, Decimal | None, Decimal | None, str | None, str | None]
] = {
    "健全": ("qualitative", None, None, None, None, "健全"),
    "合理": ("qualitative", None, None, None, None, "合理"),
    "明确": ("qualitative", None, None, None, None, "明确"),
    "科学": ("qualitative", None, None, None, None, "科学"),
    "规范": ("qualitative", None, None, None, None, "规范"),
    "合规": ("qualitative", None, None, None, None, "合规"),
    "完善": ("qualitative", None, None, None, None, "完善"),
    "公开": ("qualitative", None, None, None, None, "公开"),
    "有效": ("qualitative", None, None, None, None, "有效"),
    "有序推进": ("qualitative", None, None, None, None, "有序推进"),
    "稳定增长": ("qualitative", None, None, None, None, "稳定增长"),
    "较高": ("qualitative", None, None, None, None, "较高"),
    "保持稳定": ("qualitative", None, None, None, None, "保持稳定"),
    "=0%": ("quantitative", "=", D(0), None, "%", None),
    "=47%": ("quantitative", "=", D(47), None, "%", None),
    "=100%": ("quantitative", "=", D(100), None, "%", None),
    "=30%": ("quantitative", "=", D(30), None, "%", None),
    "=80%": ("quantitative", "=", D(80), None, "%", None),
    "≤10%": ("quantitative", "≤", D(10), None, "%", None),
    "≤100%": ("quantitative", "≤", D(100), None, "%", None),
    "≤0%": ("quantitative", "≤", D(0), None, "%", None),
    "≥100%": ("quantitative", "≥", D(100), None, "%", None),
    "=0个": ("quantitative", "=", D(0), None, "个", None),
    "=30个": ("quantitative", "=", D(30), None, "个", None),
    "=0次": ("quantitative", "=", D(0), None, "次", None),
    "=1次": ("quantitative", "=", D(1), None, "次", None),
    "=2次": ("quantitative", "=", D(2), None, "次", None),
    "=0场": ("quantitative", "=", D(0), None, "场", None),
    "=1场": ("quantitative", "=", D(1), None, "场", None),
    "=2场": ("quantitative", "=", D(2), None, "场", None),
    "=1份": ("quantitative", "=", D(1), None, "份", None),
    "=0家": ("quantitative", "=", D(0), None, "家", None),
    "=3家": ("quantitative", "=", D(3), None, "家", None),
    "≥0家": ("quantitative", "≥", D(0), None, "家", None),
    "≥16家": ("quantitative", "≥", D(16), None, "家", None),
    "=1位次": ("rank", "=", D(1), None, "位次", None),
    "全省前二": ("rank", "≤", D(2), None, "位次", None),
    "主流平台的跨境企业数居全省前列": ("rank", None, None, None, "位次", "全省前列"),
    "在全省位次领先，份额基本不变": ("text", None, None, None, None, None),
    "有序推进，规模保持全省前列": ("text", None, None, None, None, None),
    "增速略高于GDP增速": ("text", None, None, None, None, None),
}

WIDER_FORMS = {
    # look-alike and full-width signs
    "＝100%": ("quantitative", "=", D(100), None, "%", None),
    "﹦100％": ("quantitative", "=", D(100), None, "%", None),
    "≧90%": ("quantitative", "≥", D(90), None, "%", None),
    "≦5%": ("quantitative", "≤", D(5), None, "%", None),
    ">=95%": ("quantitative", "≥", D(95), None, "%", None),
    "<=3天": ("quantitative", "≤", D(3), None, "天", None),
    "＞＝８０％": ("quantitative", "≥", D(80), None, "%", None),
    "> 0": ("quantitative", ">", D(0), None, None, None),
    "<5%": ("quantitative", "<", D(5), None, "%", None),
    "≥ 90 %": ("quantitative", "≥", D(90), None, "%", None),
    # comparator words
    "不低于95%": ("quantitative", "≥", D(95), None, "%", None),
    "不少于10场": ("quantitative", "≥", D(10), None, "场", None),
    "至少3次": ("quantitative", "≥", D(3), None, "次", None),
    "达到100%": ("quantitative", "≥", D(100), None, "%", None),
    "95%以上": ("quantitative", "≥", D(95), None, "%", None),
    "90%及以上": ("quantitative", "≥", D(90), None, "%", None),
    "不高于5%": ("quantitative", "≤", D(5), None, "%", None),
    "不超过3%": ("quantitative", "≤", D(3), None, "%", None),
    "5%以内": ("quantitative", "≤", D(5), None, "%", None),
    "控制在5%以内": ("quantitative", "≤", D(5), None, "%", None),
    "低于2%": ("quantitative", "<", D(2), None, "%", None),
    "高于80%": ("quantitative", ">", D(80), None, "%", None),
    # numbers
    "１２个": ("quantitative", None, D(12), None, "个", None),
    "1,200人": ("quantitative", None, D(1200), None, "人", None),
    "=12,345.67万元": ("quantitative", "=", D("12345.67"), None, "万元", None),
    "98.5%": ("quantitative", None, D("98.5"), None, "%", None),
    "三十个": ("quantitative", None, D(30), None, "个", None),
    "两次": ("quantitative", None, D(2), None, "次", None),
    "≥十二场": ("quantitative", "≥", D(12), None, "场", None),
    "1.2万人次": ("quantitative", None, D(12000), None, "人次", None),  # 万 before a count
    "5万个": ("quantitative", None, D(50000), None, "个", None),
    "2次/月": ("quantitative", None, D(2), None, "次/月", None),
    "≥500元/亩": ("quantitative", "≥", D(500), None, "元/亩", None),
    "3万元/人": ("quantitative", None, D(3), None, "万元/人", None),
    "=1名次": ("rank", "=", D(1), None, "位次", None),
    "≤3个百分点": ("quantitative", "≤", D(3), None, "百分点", None),
    # ranges
    "90%-95%": ("range", None, D(90), D(95), "%", None),
    "90-95%": ("range", None, D(90), D(95), "%", None),
    "1-3次": ("range", None, D(1), D(3), "次", None),
    "10~20家": ("range", None, D(10), D(20), "家", None),
    "5至8场": ("range", None, D(5), D(8), "场", None),
    "±3%以内": ("range", None, D(-3), D(3), "%", None),
    # ranks
    "全省前三": ("rank", "≤", D(3), None, "位次", None),
    "全市前10名": ("rank", "≤", D(10), None, "位次", None),
    "前5位": ("rank", "≤", D(5), None, "位次", None),
    "第一": ("rank", "=", D(1), None, "位次", None),
    "全省第二名": ("rank", "=", D(2), None, "位次", None),
    "居全省前列": ("rank", None, None, None, "位次", "全省前列"),
    "全国领先": ("rank", None, None, None, "位次", "全国领先"),
    # qualitative labels
    "优": ("qualitative", None, None, None, None, "优"),
    "良好": ("qualitative", None, None, None, None, "良好"),
    "达标": ("qualitative", None, None, None, None, "达标"),
    "及时": ("qualitative", None, None, None, None, "及时"),
    "=健全": ("qualitative", None, None, None, None, "健全"),
    "有效。": ("qualitative", None, None, None, None, "有效"),
    # more of what county and provincial filings print
    "≥98%": ("quantitative", "≥", D(98), None, "%", None),
    "≤5个工作日": ("quantitative", "≤", D(5), None, "工作日", None),
    "≤5天": ("quantitative", "≤", D(5), None, "天", None),
    "100%": ("quantitative", None, D(100), None, "%", None),
    "＞90%": ("quantitative", ">", D(90), None, "%", None),
    "12个月": ("quantitative", None, D(12), None, "个月", None),
    "≥1次/年": ("quantitative", "≥", D(1), None, "次/年", None),
    "=4次/年": ("quantitative", "=", D(4), None, "次/年", None),
    "≥2场/月": ("quantitative", "≥", D(2), None, "场/月", None),
    "≤500元/人": ("quantitative", "≤", D(500), None, "元/人", None),
    "≥85分": ("quantitative", "≥", D(85), None, "分", None),
    "90分以上": ("quantitative", "≥", D(90), None, "分", None),
    "≥3000人次": ("quantitative", "≥", D(3000), None, "人次", None),
    "≥1.5万人次": ("quantitative", "≥", D(15000), None, "人次", None),
    "=50户": ("quantitative", "=", D(50), None, "户", None),
    "≥20项": ("quantitative", "≥", D(20), None, "项", None),
    "≥6期": ("quantitative", "≥", D(6), None, "期", None),
    "=1套": ("quantitative", "=", D(1), None, "套", None),
    "≥10篇": ("quantitative", "≥", D(10), None, "篇", None),
    "≥100亩": ("quantitative", "≥", D(100), None, "亩", None),
    "≥2.5公里": ("quantitative", "≥", D("2.5"), None, "公里", None),
    "≥1200平方米": ("quantitative", "≥", D(1200), None, "平方米", None),
    "≥3所": ("quantitative", "≥", D(3), None, "所", None),
    "≤0.5‰": ("quantitative", "≤", D("0.5"), None, "‰", None),
    "≥ 1 个百分点": ("quantitative", "≥", D(1), None, "百分点", None),
    "不少于两场": ("quantitative", "≥", D(2), None, "场", None),
    "一百家": ("quantitative", None, D(100), None, "家", None),
    "≥三家": ("quantitative", "≥", D(3), None, "家", None),
    "＝１００％": ("quantitative", "=", D(100), None, "%", None),
    "≥10,000人": ("quantitative", "≥", D(10000), None, "人", None),
    "=0.5万元": ("quantitative", "=", D("0.5"), None, "万元", None),
    "≤2亿元": ("quantitative", "≤", D(20000), None, "万元", None),  # stored as 万元
    "95%-100%": ("range", None, D(95), D(100), "%", None),
    "80～90分": ("range", None, D(80), D(90), "分", None),
    "3-5个工作日": ("range", None, D(3), D(5), "工作日", None),
    "2-4次/年": ("range", None, D(2), D(4), "次/年", None),
    "全省第一": ("rank", "=", D(1), None, "位次", None),
    "前三名": ("rank", "≤", D(3), None, "位次", None),
    "全国前十": ("rank", "≤", D(10), None, "位次", None),
    "位居全市前列": ("rank", None, None, None, "位次", "全市前列"),
    "≤3位次": ("rank", "≤", D(3), None, "位次", None),
    "健全完善": ("qualitative", None, None, None, None, "健全完善"),  # a judgement phrase
    "规范。": ("qualitative", None, None, None, None, "规范"),
    "合格": ("qualitative", None, None, None, None, "合格"),
    "较好": ("qualitative", None, None, None, None, "较好"),
    "按时完成": ("qualitative", None, None, None, None, "按时完成"),
    "稳步推进": ("qualitative", None, None, None, None, "稳步推进"),
    "明显改善": ("qualitative", None, None, None, None, "明显改善"),
    "是": ("qualitative", None, None, None, None, "是"),
    "无": ("qualitative", None, D(0), None, None, "无"),  # none: a count of 0
    "长期": ("qualitative", None, None, None, None, "长期"),
    # text stays text, whole
    "逐步完善相关制度": ("qualitative", None, None, None, None, "逐步完善相关制度"),
    "社会效益显著": ("qualitative", None, None, None, None, "社会效益显著"),
    "约": ("text", None, None, None, None, None),
    "": ("text", None, None, None, None, None),
    "   ": ("text", None, None, None, None, None),
    "100%完成": ("text", None, None, None, None, None),
}


def _fields(t: Target) -> tuple[object, ...]:
    return (t.kind, t.comparator, t.value, t.value_max, t.unit, t.label)


@pytest.mark.parametrize("raw", sorted(SEED_VALUES))
def test_seed_values(raw: str) -> None:
    target = parse_target(raw)
    assert _fields(target) == SEED_VALUES[raw]
    assert target.raw == raw


def test_table_covers_every_value_in_the_seed() -> None:
    text = re.sub(r"</?p>", "", SEED.read_text(encoding="utf-8"))
    printed = set()
    for line in text.splitlines()[44:]:  # below the first 一级指标 header
        filled = [c for c in line.split("\t") if c]
        if len(filled) >= 3 and "指标值" not in filled[-1]:
            printed |= {filled[-1], filled[-2]}  # 半年 and 全年 targets
    assert len(printed) > 30
    assert printed <= set(SEED_VALUES), printed - set(SEED_VALUES)


@pytest.mark.parametrize("raw", sorted(WIDER_FORMS))
def test_wider_forms(raw: str) -> None:
    target = parse_target(raw)
    assert _fields(target) == WIDER_FORMS[raw]
    assert target.raw == raw


@pytest.mark.parametrize(
    ("raw", "due", "comparator"),
    [
        ("12月底前", dt.date(2024, 12, 31), "≤"),
        ("12月底", dt.date(2024, 12, 31), "≤"),
        ("6月底前完成", dt.date(2024, 6, 30), "≤"),
        ("6月前", dt.date(2024, 5, 31), "≤"),
        ("2024年12月31日前完成", dt.date(2024, 12, 31), "≤"),
        ("2025年3月", dt.date(2025, 3, 31), None),
        ("2024-10-15", dt.date(2024, 10, 15), None),
        ("2023.07-2024.01", dt.date(2024, 1, 31), "≤"),
        ("年底前", dt.date(2024, 12, 31), "≤"),
        ("年内完成", dt.date(2024, 12, 31), "≤"),
        ("2024年底", dt.date(2024, 12, 31), "≤"),
        ("第三季度", dt.date(2024, 9, 30), "≤"),
        ("第一季度末", dt.date(2024, 3, 31), "≤"),
        ("上半年", dt.date(2024, 6, 30), "≤"),
        # every month edge of dictionaries/deadlines.yaml
        ("6月上旬", dt.date(2024, 6, 10), None),
        ("6月中旬前", dt.date(2024, 6, 20), "≤"),
        ("6月下旬", dt.date(2024, 6, 30), None),
        ("2月末", dt.date(2024, 2, 29), "≤"),
        ("11月份完成", dt.date(2024, 11, 30), "≤"),  # done in November: by its end
        ("下半年底", dt.date(2024, 12, 31), "≤"),
        ("本年度内", dt.date(2024, 12, 31), "≤"),
    ],
)
def test_deadlines_take_the_fiscal_year(raw: str, due: dt.date, comparator: str | None) -> None:
    target = parse_target(raw, fiscal_year=2024)
    assert (target.kind, target.due_date, target.comparator) == ("deadline", due, comparator)


def test_deadline_without_a_year_to_fill() -> None:
    target = parse_target("12月底前")
    assert target.kind == "deadline" and target.due_date is None


@pytest.mark.parametrize(
    ("raw", "wan"),
    [
        ("5000元", D("0.5")),
        ("≥20948.46万元", D("20948.46")),
        ("1.5亿元", D(15000)),
        ("100-200万元", D(100)),
    ],
)
def test_amounts_also_in_wan(raw: str, wan: Decimal) -> None:
    target = parse_target(raw)
    assert target.value_wan == wan
    assert target.raw == raw


@pytest.mark.parametrize(
    ("raw", "hints", "want"),
    [
        # the comparator in its own 指标性质 column, the unit in a 度量单位 column
        ("95", {"comparator": "≥", "unit": "%"}, ("≥", D(95), "%", "≥")),
        ("95", {"comparator": "大于等于", "unit": "%"}, ("≥", D(95), "%", "≥")),
        ("5", {"comparator": "≤", "unit": "个工作日"}, ("≤", D(5), "工作日", "≤")),
        ("5", {"comparator": "≤", "unit": "件（次）"}, ("≤", D(5), None, "≤")),  # unknown unit
        ("5", {"comparator": "小于等于", "unit": "天"}, ("≤", D(5), "天", "≤")),
        ("100", {"comparator": "=", "unit": "%"}, ("=", D(100), "%", "=")),
        ("3", {"unit": "万元"}, (None, D(3), "万元", None)),
        ("2", {"unit": "亿元"}, (None, D(20000), "万元", None)),
        ("1", {"unit": "位次", "comparator": "="}, ("=", D(1), "位次", "=")),
        # the cell's own comparator and unit win over the columns
        ("≥90%", {"comparator": "≤", "unit": "个"}, ("≥", D(90), "%", "≥")),
        # no comparator anywhere: the direction fills effective_comparator only
        ("90%", {"direction": "正向"}, (None, D(90), "%", "≥")),
        ("5%", {"direction": "反向"}, (None, D(5), "%", "≤")),
        ("5%", {"direction": "反向指标"}, (None, D(5), "%", "≤")),
        ("=5%", {"direction": "正向"}, ("=", D(5), "%", "=")),
        ("3", {"comparator": "正向", "unit": "个"}, ("≥", D(3), "个", "≥")),
        ("健全", {"direction": "正向"}, (None, None, None, None)),
    ],
)
def test_comparator_unit_and_direction_in_columns_of_their_own(
    raw: str, hints: dict[str, str], want: tuple[object, ...]
) -> None:
    target = parse_target(raw, **hints)
    assert (target.comparator, target.value, target.unit, target.effective_comparator) == want
    assert target.raw == raw


@pytest.mark.parametrize(
    ("raw", "grade", "polarity"),
    [("优", 4, 1), ("良", 3, 1), ("中", 2, 1), ("差", 1, -1), ("健全", None, 1), ("否", None, -1)],
)
def test_labels_carry_grade_and_polarity(raw: str, grade: int | None, polarity: int) -> None:
    target = parse_target(raw)
    assert (target.kind, target.grade, target.polarity) == ("qualitative", grade, polarity)


def test_unit_is_spelled_one_way() -> None:
    assert parse_target("=3日").unit == "天"
    assert parse_target("≥2千米").unit == "公里"


@settings(max_examples=500, deadline=None)
@given(st.text())
def test_never_raises_and_keeps_raw(text: str) -> None:
    target = parse_target(text)
    assert target.raw == text
    assert target.kind in {"quantitative", "qualitative", "rank", "deadline", "range", "text"}


_cells = st.sampled_from(["=", "≥", "≤", "不低于", "以上", "", "约", "±"])
_nums = st.sampled_from(["0", "1", "12", "3.5", "1,000", "三十", "两", "１２", "9999999999"])
_units = st.sampled_from(["%", "个", "次/月", "万元", "元", "位次", "", "月底前", "家", "-5%"])


@settings(max_examples=500, deadline=None)
@given(_cells, _nums, _units, _cells)
def test_never_raises_on_value_like_cells(a: str, n: str, u: str, b: str) -> None:
    raw = f"{a}{n}{u}{b}"
    target = parse_target(raw, fiscal_year=2024)
    assert target.raw == raw
    if target.kind == "quantitative":
        assert target.value is not None
