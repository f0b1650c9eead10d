"""parse_target on real values: every line of tests/data/value_expressions.tsv (107 target values
printed in published tables, each with the form it should parse to; copied from the project's
shared collection, conventions in its header comment below), then property tests.

Conventions of the file: a `|` in `raw` splits 指标性质 | 指标值 | 度量单位 over three columns;
`comparator` only where the text has a symbol or a comparator word; deadlines carry an ISO date,
`YYYY` standing for the budget year and `YYYY+1` for the next, with unit `date`; 亿元 becomes
万元 and 万人次 is expanded to 人次."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from jixiao.normalize import Target, parse_target

FISCAL_YEAR = 2024
TSV = Path(__file__).parent / "data" / "value_expressions.tsv"


@dataclass(frozen=True)
class Line:
    raw: str
    comparator: str | None
    value: str | None
    value_max: str | None
    unit: str | None
    kind: str

    @property
    def numeric(self) -> bool:
        return self.value is not None

    def wanted(self) -> tuple[str | None, object, object, str | None]:
        return (self.comparator, _typed(self.value), _typed(self.value_max), self.unit)


def _typed(text: str | None) -> object:
    if text is None:
        return None
    if text.startswith("YYYY") or (text[:4].isdigit() and text[4:5] == "-"):
        return text.replace("YYYY+1", str(FISCAL_YEAR + 1)).replace("YYYY", str(FISCAL_YEAR))
    return Decimal(text)


def _lines() -> list[Line]:
    with TSV.open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f, delimiter="\t"))
    return [
        Line(
            r["raw"],
            r["comparator"] or None,
            r["value"] or None,
            r["value_max"] or None,
            r["unit"] or None,
            r["kind"],
        )
        for r in rows
    ]


LINES = _lines()


def _parsed(line: Line) -> Target:
    if "|" in line.raw:
        comparator, value, unit = line.raw.split("|")
        return parse_target(value, FISCAL_YEAR, comparator=comparator, unit=unit)
    return parse_target(line.raw, FISCAL_YEAR)


def _got(target: Target) -> tuple[str | None, object, object, str | None]:
    if target.due_date is not None:
        return (target.comparator, target.due_date.isoformat(), None, "date")
    return (target.comparator, target.value, target.value_max, target.unit)


def test_the_file_is_whole() -> None:
    assert len(LINES) == 107
    assert sum(line.numeric for line in LINES) == 79


def test_numeric_values_read_right_on_at_least_97_percent() -> None:
    numeric = [line for line in LINES if line.numeric]
    misses = [(line.raw, line.wanted(), _got(_parsed(line))) for line in numeric]
    misses = [m for m in misses if m[1] != m[2]]
    share = 1 - len(misses) / len(numeric)
    assert share >= 0.97, f"{share:.3f} right; misses (raw, wanted, got): {misses}"


def test_kinds_right_on_at_least_95_percent() -> None:
    misses = [(line.raw, line.kind, _parsed(line).kind) for line in LINES]
    misses = [m for m in misses if m[1] != m[2]]
    share = 1 - len(misses) / len(LINES)
    assert share >= 0.95, f"{share:.3f} right; misses (raw, wanted, got): {misses}"


@pytest.mark.parametrize("line", LINES, ids=[line.raw for line in LINES])
def test_every_line_keeps_its_raw_text(line: Line) -> None:
    target = _parsed(line)
    assert target.raw == (line.raw.split("|")[1] if "|" in line.raw else line.raw)


# --- forms beyond the file: the classes its lines stand for ------------------------------------


@pytest.mark.parametrize(
    ("raw", "kind", "comparator", "relative_to"),
    [
        ("较上年下降", "qualitative", "≤", "prior_year"),
        ("同比提升", "qualitative", ">", "prior_year"),
        ("与上年相比明显改善", "qualitative", ">", "prior_year"),
        ("不低于上年", "qualitative", "≥", "prior_year"),
        ("不超过预算", "qualitative", "≤", "budget"),
        ("控制在年度预算以内", "qualitative", "≤", "budget"),
        ("在合同约定工期内完成", "deadline", "≤", "plan"),
        ("按规定时限内完成", "deadline", "≤", "plan"),
        ("高于全省平均水平", "qualitative", ">", "average"),
    ],
)
def test_relative_targets_say_what_they_are_measured_against(
    raw: str, kind: str, comparator: str, relative_to: str
) -> None:
    target = parse_target(raw, FISCAL_YEAR)
    assert (target.kind, target.comparator, target.relative_to) == (kind, comparator, relative_to)


def test_a_judgement_against_a_standard_says_so() -> None:
    target = parse_target("符合国家标准", FISCAL_YEAR)
    assert (target.kind, target.relative_to, target.polarity) == ("qualitative", "standard", 1)


def test_a_change_with_a_number_is_a_quantity_relative_to_the_prior_year() -> None:
    target = parse_target("较上年增长10%", FISCAL_YEAR)
    assert (target.kind, target.value, target.unit, target.relative_to) == (
        "quantitative",
        Decimal(10),
        "%",
        "prior_year",
    )


@pytest.mark.parametrize(
    ("raw", "unit", "value", "unit_class"),
    [
        ("2次/季度", "次/季度", Decimal(2), "count"),
        ("≤150元/人·天", "元/人·天", Decimal(150), "money"),
        ("≤800万元/km", "万元/公里", Decimal(800), "money"),
        ("12人/年", "人/年", Decimal(12), "count"),
        ("≥2.5亿元", "万元", Decimal(25000), "money"),
        ("300千元", "千元", Decimal(300), "money"),
        ("≥3.2万人次", "人次", Decimal(32000), "count"),
        ("≤5‰", "‰", Decimal(5), "percent"),
        ("≥98%", "%", Decimal(98), "percent"),
        ("1:1", "比", Decimal(1), "ratio"),
        ("≥15家", "家", Decimal(15), "count"),
        ("30个工作日内", "工作日", Decimal(30), "time"),
        ("≤30日", "天", Decimal(30), "time"),
        ("100Mbps", "mbps", Decimal(100), "other"),
        ("≥8.5万亩", "万亩", Decimal("8.5"), "other"),
    ],
)
def test_units_keep_their_structure_and_get_a_class(
    raw: str, unit: str, value: Decimal, unit_class: str
) -> None:
    target = parse_target(raw, FISCAL_YEAR)
    assert (target.unit, target.value, target.unit_class) == (unit, value, unit_class)


@pytest.mark.parametrize(
    ("raw", "wan"),
    [("72890元", Decimal("7.289")), ("300千元", Decimal(30)), ("≥2.5亿元", Decimal(25000))],
)
def test_every_money_amount_is_also_in_wan(raw: str, wan: Decimal) -> None:
    assert parse_target(raw, FISCAL_YEAR).value_wan == wan


@pytest.mark.parametrize(
    ("raw", "due"),
    [
        ("2024年8月底前", "2024-08-31"),
        ("12月31日前", "2024-12-31"),
        ("完成时间为2022年12月30日", "2022-12-30"),
        ("截止时间：2024年11月", "2024-11-30"),
        ("于2024年10月底前", "2024-10-31"),
        ("年底前", "2024-12-31"),
        ("次年3月底前", "2025-03-31"),
        ("次年6月底前完成", "2025-06-30"),
        ("当年底", "2024-12-31"),
        ("上半年", "2024-06-30"),
        ("2021年12月完成", "2021-12-31"),
    ],
)
def test_deadlines_get_their_date(raw: str, due: str) -> None:
    target = parse_target(raw, FISCAL_YEAR)
    assert target.kind == "deadline" and target.due_date is not None
    assert (target.comparator, target.due_date.isoformat()) == ("≤", due)


@pytest.mark.parametrize(
    ("raw", "value", "unit"),
    [("24小时内", 24, "小时"), ("30个工作日内", 30, "工作日"), ("6个月内完成", 6, "个月")],
)
def test_durations_are_at_most_so_long(raw: str, value: int, unit: str) -> None:
    target = parse_target(raw, FISCAL_YEAR)
    assert (target.kind, target.comparator, target.value, target.unit, target.unit_class) == (
        "quantitative",
        "≤",
        Decimal(value),
        unit,
        "time",
    )


@pytest.mark.parametrize(
    ("raw", "kind", "polarity"),
    [
        ("严格落实各项管理制度", "qualitative", 1),
        ("未达到预期", "qualitative", -1),
        ("项目资金使用符合规定", "qualitative", 1),
        ("组织开展业务培训", "text", None),
        ("及时、准确、完整", "text", None),
        ("按季度拨付资金，确保项目顺利实施并达到预期效果", "text", None),
    ],
)
def test_a_short_judgement_is_qualitative_and_a_description_is_text(
    raw: str, kind: str, polarity: int | None
) -> None:
    target = parse_target(raw, FISCAL_YEAR)
    assert (target.kind, target.polarity) == (kind, polarity)


# --- properties ---------------------------------------------------------------------------------

_WORDS = {
    "≥": ["不低于", "不少于", "大于等于", "至少"],
    "≤": ["不高于", "不超过", "小于等于"],
    ">": ["高于", "大于", "超过"],
    "<": ["低于", "小于"],
}
_UNITS = ["%", "个", "人次", "万元", "元", "家", "次/月", "小时", "天", "亩", ""]


@given(
    st.sampled_from(sorted(_WORDS)),
    st.data(),
    st.decimals(min_value=0, max_value=100000, places=2, allow_nan=False),
    st.sampled_from(_UNITS),
)
def test_a_comparator_word_and_its_symbol_parse_alike(
    symbol: str, data: st.DataObject, number: Decimal, unit: str
) -> None:
    word = data.draw(st.sampled_from(_WORDS[symbol]))
    with_symbol = parse_target(f"{symbol}{number}{unit}", FISCAL_YEAR)
    with_word = parse_target(f"{word}{number}{unit}", FISCAL_YEAR)
    assert with_symbol.comparator == with_word.comparator == symbol
    assert (with_symbol.kind, with_symbol.value, with_symbol.unit, with_symbol.unit_class) == (
        with_word.kind,
        with_word.value,
        with_word.unit,
        with_word.unit_class,
    )


_VALUE_CHARS = list(
    "较上年同比提高下降≤≥预算内以约左右为标准0123456789%次/·人元亿万年月底前完成、，;；"
)


@given(st.text(alphabet=st.sampled_from(_VALUE_CHARS), max_size=20))
def test_value_like_text_never_raises_and_keeps_raw(text: str) -> None:
    target = parse_target(text, FISCAL_YEAR)
    assert target.raw == text
    assert target.kind in {"quantitative", "qualitative", "rank", "deadline", "range", "text"}
    assert target.unit_class in {None, "percent", "money", "count", "time", "ratio", "other"}
