"""The normalizer's one text fold and one number parser, and the dictionaries they read."""

from __future__ import annotations

import ast
from decimal import Decimal
from pathlib import Path

import pytest
import zhconv
from hypothesis import given, settings
from hypothesis import strategies as st

from jixiao import dictionaries
from jixiao.normalize.checks import is_rate
from jixiao.normalize.text import fold, is_placeholder, to_number

NORMALIZE = Path(__file__).resolve().parent.parent / "normalize"


# --- fold ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "options", "folded"),
    [
        # dictionary lookups (was text.key): NFKC, no whitespace, simplified
        ("機構設置及\n人員配置", {}, "机构设置及人员配置"),
        ("资金（万元）", {}, "资金(万元)"),
        ("９.５ ％", {}, "9.5%"),
        # indicator names (was text.match_key): no punctuation or quotes either
        ("“三公经费”变动率", {"drop_punct": True}, "三公经费变动率"),
        ("業務學習與培訓及時性", {"drop_punct": True}, "业务学习与培训及时性"),
        ("部门预算执行率（%）", {"drop_punct": True}, "部门预算执行率%"),
        # value cells (was targets.fold): signs canonical, characters as printed, ends trimmed
        ("＞＝ 95 ％。", {"simplified": False, "comparators": True, "trim": True}, "≥95%"),
        ("≧90%；", {"simplified": False, "comparators": True, "trim": True}, "≥90%"),
        ("> = 90%", {"simplified": False, "comparators": True, "trim": True}, ">=90%"),
        ("有序推進", {"simplified": False, "comparators": True, "trim": True}, "有序推進"),
        # 职能 cells and their sources (was functions._fold, functions._bare)
        ("推進 依法行政，（一）", {"simplified": False}, "推進依法行政,(一)"),
        ("推進 依法行政，（一）", {"simplified": False, "drop_punct": True}, "推進依法行政一"),
    ],
)
def test_fold_per_use(text: str, options: dict[str, bool], folded: str) -> None:
    assert fold(text, **options) == folded


# The characters filings print: the dictionaries' words, their traditional forms, ASCII,
# full-width forms, CJK punctuation and whitespace.
def _domain_alphabet() -> str:
    words: set[str] = set()

    def walk(node: object) -> None:
        if isinstance(node, str):
            words.add(node)
        elif isinstance(node, dict):
            for k, v in node.items():
                walk(k)
                walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)

    for name in dictionaries.names():
        walk(dictionaries.load(name))
    chinese = "".join(sorted({c for w in words for c in w if "\u4e00" <= c <= "\u9fff"}))
    traditional = str(zhconv.convert(chinese, "zh-tw"))
    ascii_ = "".join(chr(c) for c in range(0x21, 0x7F))
    full_width = "".join(chr(c) for c in range(0xFF01, 0xFF5F))
    return chinese + traditional + ascii_ + full_width + "，。、；：“”‘’（）【】《》—·\u3000 \t\n"


ALPHABET = _domain_alphabet()


@settings(max_examples=400, deadline=None)
@given(
    st.text(alphabet=ALPHABET, max_size=20),
    st.booleans(),
    st.booleans(),
    st.booleans(),
)
def test_fold_is_idempotent(text: str, simplified: bool, drop_punct: bool, trim: bool) -> None:
    once = fold(text, simplified=simplified, drop_punct=drop_punct, trim=trim)
    assert fold(once, simplified=simplified, drop_punct=drop_punct, trim=trim) == once
    assert not any(c.isspace() for c in once)


def test_placeholders_come_from_the_dictionary() -> None:
    assert all(is_placeholder(p) for p in dictionaries.load("placeholders")["placeholders"])
    assert is_placeholder(" ／ ") and is_placeholder("——")
    assert not is_placeholder("无锡") and not is_placeholder("0")


# --- to_number ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "chinese", "number"),
    [
        ("1,528.00", False, Decimal("1528.00")),
        ("95.5%", False, Decimal("95.5")),
        ("９.５", False, Decimal("9.5")),
        (" 20 948.46 ", False, Decimal("20948.46")),
        ("-", False, None),
        ("", False, None),
        ("NaN", False, None),
        ("Infinity", False, None),
        ("三十", False, None),  # a name, where numerals are not asked for
        ("三十", True, Decimal(30)),
        ("两", True, Decimal(2)),
        ("十一", True, Decimal(11)),
        ("九十九", True, Decimal(99)),
        ("一点五", True, Decimal("1.5")),
        ("三万", True, Decimal(30000)),
        ("1.2万", True, Decimal(12000)),
        ("1.2万", False, None),
        ("3亿", True, Decimal(300000000)),
        ("万", True, None),
        ("百", True, None),
        ("前三", True, None),
    ],
)
def test_to_number(text: str, chinese: bool, number: Decimal | None) -> None:
    assert to_number(text, chinese=chinese) == number


AMOUNTS = st.decimals(
    min_value=Decimal("-1e12"), max_value=Decimal("1e12"), places=2, allow_nan=False
)


@settings(max_examples=300, deadline=None)
@given(AMOUNTS)
def test_to_number_reads_thousands_separators(value: Decimal) -> None:
    assert to_number(f"{value:,}") == value
    assert to_number(f"{value:,}", chinese=True) == value


@settings(max_examples=300, deadline=None)
@given(AMOUNTS, st.sampled_from(sorted(dictionaries.load("units")["multipliers"].items())))
def test_to_number_scales_wan_and_yi(value: Decimal, multiplier: tuple[str, int]) -> None:
    word, factor = multiplier
    assert to_number(f"{value:,}{word}", chinese=True) == value * factor
    assert to_number(f"{value:,}{word}") is None


def test_rates_by_their_name() -> None:
    assert is_rate("预算执行率") and is_rate("服务对象满意度") and is_rate("资金占比")
    assert not is_rate("培训人数")


# --- dictionaries -------------------------------------------------------------------------------


@pytest.mark.parametrize("name", dictionaries.names())
def test_every_dictionary_loads(name: str) -> None:
    data = dictionaries.load(name)
    assert isinstance(data, dict) and data


def test_dictionary_loaders() -> None:
    assert {"scopes", "deadlines", "placeholders", "furniture"} <= set(dictionaries.names())
    canonical = set(dictionaries.load("comparators")["canonical"])
    comparators = dictionaries.load("comparators")
    for table in ("symbols", "prefix_words", "suffix_words", "directions"):
        assert set(comparators[table].values()) <= canonical, table
    assert set(comparators["direction_of"]) <= canonical
    units = dictionaries.load("units")
    assert set(dictionaries.load("funds")["unit_markers"]) == set(units["amounts_in_wan"])


@pytest.mark.parametrize(
    ("line", "furniture"),
    [("第 3 页", True), ("- 12 -", True), ("3 / 12", True), ("共 5 页", True), ("7", True)],
)
def test_page_furniture(line: str, furniture: bool) -> None:
    assert bool(dictionaries.page_furniture().match(line)) is furniture


@pytest.mark.parametrize("line", ["2024年度", "单位名称：某局", "3次/年", "第三季度"])
def test_page_furniture_leaves_content(line: str) -> None:
    assert not dictionaries.page_furniture().match(line)


# Words that live in dictionaries/ now: no string in normalize/'s code spells them (docstrings
# and comments may mention them).
MOVED = ["全省", "同级部门", "第一方阵", "上旬", "中旬", "下旬", "年底", "年度内", "小计", "其中",
         "亿元", "万元", "比重", "正向", "反向", "全年预算数", "半年计划执行数"]  # fmt: skip


def _code_strings(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef)
        and node.body
        and isinstance(node.body[0], ast.Expr)
    }
    return [
        node.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and id(node) not in docstrings
    ]


@pytest.mark.parametrize("module", sorted(p.name for p in NORMALIZE.glob("*.py")))
def test_no_moved_word_in_normalize_code(module: str) -> None:
    strings = _code_strings(NORMALIZE / module)
    assert not [(w, s) for s in strings for w in MOVED if w in s]
