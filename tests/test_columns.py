"""normalize/columns.py: the indicator table's header cells to column roles by what they say,
however the table prints them; the standard 一级/二级 names (normalize/levels.py). Every
expectation below was written by hand from the small table beside it."""

from __future__ import annotations

import json
from decimal import Decimal
from itertools import pairwise

from hypothesis import given
from hypothesis import strategies as st

from conftest import SAMPLES
from jixiao.extract import Cell, Paragraph, RawDocument, Table
from jixiao.normalize import Filing, normalize
from jixiao.normalize.columns import Column, header_to_columns, read_header
from jixiao.normalize.levels import level_canonical
from jixiao.normalize.sections import is_indicator_header, is_subheader
from jixiao.pipeline import file_to_filings


def _row(r: int, *texts: str | None) -> tuple[Cell, ...]:
    """A grid row: texts[k] in column k, None for no cell."""
    return tuple(Cell(t, r, k) for k, t in enumerate(texts) if t is not None)


def _roles(cells: tuple[Cell, ...]) -> list[tuple[str, int]]:
    return [(c.role, c.col) for c in header_to_columns(cells)]


def _filing(*rows: tuple[Cell, ...], pages: tuple[int, ...] = ()) -> Filing:
    """The rows as one grid table; with `pages`, as one table per page starting at those rows."""
    starts = [0, *pages, len(rows)]
    tables = tuple(
        Table(tuple(rows[a:b]), page=k + 1, grid=True) for k, (a, b) in enumerate(pairwise(starts))
    )
    doc = RawDocument("t.html", "0" * 64, "html", (Paragraph("2024年度项目绩效目标表"), *tables))
    return normalize(doc)


def _labels(filing: Filing) -> list[str]:
    return [f"{i.level1} / {i.level2} / {i.level3}" for i in filing.indicators]


PLAIN = ["level1", "level2", "level3", "FY"]


def test_plain_header() -> None:
    assert _roles(_row(0, "一级指标", "二级指标", "三级指标", "指标值")) == list(
        zip(PLAIN, range(4), strict=True)
    )


def test_spaces_and_line_breaks_inside_labels() -> None:
    row = _row(0, "一级 指标", "二级\n指标", "三 级 指 标", "全年\n指标值", "权重\n(%)")
    assert [r for r, _ in _roles(row)] == ["level1", "level2", "level3", "FY", "weight"]


def test_traditional_characters() -> None:
    row = _row(0, "一級指標", "二級指標", "三級指標", "指標值", "度量單位")
    assert [r for r, _ in _roles(row)] == [*PLAIN, "unit"]
    assert is_indicator_header(row)


def test_a_label_split_over_two_cells_spans_both() -> None:
    # OCR cut 一级指标 into 一级 | 指标: one column over both cells.
    row = _row(0, "一级", "指标", "二级指标", "三级指标", None, "半年指标值", "全年指标值")
    assert header_to_columns(row) == (
        Column("level1", 0, 2),
        Column("level2", 2),
        Column("level3", 3),
        Column("H1", 5),
        Column("FY", 6),
    )
    assert is_indicator_header(row)


def test_every_role_of_the_dictionary() -> None:
    row = _row(
        0,
        "一级指标",
        "二级指标",
        "重点工作",
        "三级指标",
        "指标性质",
        "指标值",
        "度量单位",
        "指标值类型",
        "指标方向性",
        "分值",
        "得分",
        "偏差原因分析及改进措施",
        "备注",
    )
    assert [r for r, _ in _roles(row)] == [
        "level1",
        "level2",
        "key_task",
        "level3",
        "nature",
        "FY",
        "unit",
        "value_type",
        "direction",
        "weight",
        "score",
        "deviation_reason",
        "remark",
    ]


def test_a_header_fused_with_the_first_data_row() -> None:
    row = _row(0, "一级指标决策", "二级指标计划制定", "三级指标中长期规划制定健全性", "指标值健全")
    header = read_header(row)
    assert [c.role for c in header.columns] == PLAIN
    assert [(c.text, c.col) for c in header.first_row] == [
        ("决策", 0),
        ("计划制定", 1),
        ("中长期规划制定健全性", 2),
        ("健全", 3),
    ]
    assert is_indicator_header(row)


def test_a_plain_header_has_no_first_row() -> None:
    assert read_header(_row(0, "绩效指标", "一级指标", "二级指标", "三级指标")).first_row == ()


def test_the_fused_first_row_is_read_as_an_indicator() -> None:
    filing = _filing(
        _row(0, "一级指标决策", "二级指标计划制定", "三级指标中长期规划制定健全性", "指标值健全"),
        _row(1, None, None, "工作计划制定健全性", "健全"),
        _row(2, "产出指标", "数量指标", "培训人次", "≥500人次"),
    )
    assert _labels(filing) == [
        "决策 / 计划制定 / 中长期规划制定健全性",
        "决策 / 计划制定 / 工作计划制定健全性",
        "产出指标 / 数量指标 / 培训人次",
    ]
    assert [t.raw for i in filing.indicators for t in i.targets] == ["健全", "健全", "≥500人次"]


def test_a_name_starting_with_a_short_label_is_not_a_fused_header() -> None:
    # 三级医院 is a name, not 三级 fused with 医院.
    row = _row(3, "产出指标", "二级医院覆盖", "三级医院数量", "≥5个")
    assert not is_indicator_header(row)


def test_two_row_header_splits_the_value_column() -> None:
    filing = _filing(
        _row(0, "一级指标", "二级指标", "三级指标", "指标值", None),
        _row(1, None, None, None, "中 期", "年度"),
        _row(2, "产出指标", "数量指标", "培训人次", "≥1500人次", "≥500人次"),
    )
    (indicator,) = filing.indicators
    assert [(t.period, t.raw) for t in indicator.targets] == [
        ("LT", "≥1500人次"),
        ("FY", "≥500人次"),
    ]


def test_subheader_words() -> None:
    assert is_subheader(_row(1, "中 期", "年度"))
    assert is_subheader(_row(1, "中期指标值", "年度指标值"))
    assert not is_subheader(_row(1, "数据项1", "数据项2"))


def test_a_header_repeated_on_every_page_keeps_the_labels_carried_down() -> None:
    header = ("一级指标", "二级指标", "三级指标", "指标值")
    filing = _filing(
        _row(0, *header),
        _row(1, "产出指标", "数量指标", "培训人次", "≥500人次"),
        _row(0, *header),
        _row(1, None, None, "培训场次", "≥20场"),
        pages=(2,),
    )
    assert _labels(filing) == ["产出指标 / 数量指标 / 培训人次", "产出指标 / 数量指标 / 培训场次"]


def test_weight_and_unit_columns_between_the_levels_do_not_shift_them() -> None:
    header = _row(0, "一级", "权重", "二级", "分值", "三级", "计量单位", "目标值", "分值")
    assert [r for r, _ in _roles(header)] == [
        "level1",
        "level1_weight",
        "level2",
        "level2_weight",
        "level3",
        "unit",
        "FY",
        "weight",
    ]
    filing = _filing(
        header,
        _row(1, "产出指标", "40", "数量指标", "60", "培训人次", "人次", "≥500", "20"),
        _row(2, None, None, None, None, "培训场次", "场", "≥20", "40"),
    )
    assert _labels(filing) == ["产出指标 / 数量指标 / 培训人次", "产出指标 / 数量指标 / 培训场次"]
    assert [i.weight for i in filing.indicators] == [Decimal(20), Decimal(40)]
    assert [i.targets[0].unit for i in filing.indicators] == ["人次", "场"]


def test_the_first_of_two_target_columns_wins() -> None:
    # 目标值(标准) is the target; 指标值 under 采集数据项 further right is left alone.
    row = _row(0, "一级指标", "二级指标", "三级指标", "目标值(标准)", "采集数据项", "指标值")
    assert _roles(row) == [("level1", 0), ("level2", 1), ("level3", 2), ("FY", 3)]


def test_cell_contents_vote_for_an_unnamed_target_column() -> None:
    filing = _filing(
        _row(0, "一级指标", "二级指标", "三级指标", "预期"),
        _row(1, "产出指标", "数量指标", "培训人次", "≥500人次"),
        _row(2, None, None, "培训合格率", "≥95%"),
        _row(3, None, "时效指标", "完成时间", "12月底前"),
    )
    assert [[t.raw for t in i.targets] for i in filing.indicators] == [
        ["≥500人次"],
        ["≥95%"],
        ["12月底前"],
    ]


def test_cell_contents_vote_for_a_weight_column_and_a_level1_column() -> None:
    filing = _filing(
        _row(0, "类别", "二级指标", "三级指标", "指标值", ""),
        _row(1, "产出指标", "数量指标", "培训人次", "≥500人次", "30"),
        _row(2, None, "质量指标", "培训合格率", "≥95%", "30"),
        _row(3, "效益指标", "社会效益指标", "群众知晓率", "≥90%", "40"),
    )
    assert _labels(filing) == [
        "产出指标 / 数量指标 / 培训人次",
        "产出指标 / 质量指标 / 培训合格率",
        "效益指标 / 社会效益指标 / 群众知晓率",
    ]
    assert [i.weight for i in filing.indicators] == [Decimal(30), Decimal(30), Decimal(40)]


def test_a_column_of_plain_numbers_that_do_not_sum_to_100_is_not_a_weight() -> None:
    header = read_header(
        _row(0, "一级指标", "二级指标", "三级指标", "指标值", ""),
        [
            _row(1, "产出指标", "数量指标", "培训人次", "≥500", "3"),
            _row(2, None, None, "b", "≥5", "4"),
        ],
        grid=True,
    )
    assert [c.role for c in header.columns] == PLAIN


def test_level_names_stay_as_printed_and_get_their_standard_names() -> None:
    filing = _filing(
        _row(0, "一级指标", "二级指标", "三级指标", "指标值"),
        _row(1, "成本指标", "经济成本指标", "项目总成本", "≤100万元"),
        _row(2, "效益", "社会效益", "群众知晓率", "≥90%"),
        _row(3, "满意度", "服务对象满意度指标", "群众满意度", "≥90%"),
    )
    got = [(i.level1, i.level1_canonical, i.level2, i.level2_canonical) for i in filing.indicators]
    assert got == [
        ("成本指标", "成本指标", "经济成本指标", "经济成本指标"),
        ("效益", "效益指标", "社会效益", "社会效益指标"),
        ("满意度", "满意度指标", "服务对象满意度指标", "服务对象满意度"),
    ]


def test_level_canonical() -> None:
    assert level_canonical("效益", "level1") == "效益指标"
    assert level_canonical("效益指标", "level1") == "效益指标"
    assert level_canonical("過程", "level1") == "过程指标"
    assert level_canonical("服务对象满意度指标", "level2") == "服务对象满意度"
    assert level_canonical("产出数量", "level2") == "数量指标"
    assert level_canonical("职能1：负责全市公共文化服务", "level2") is None
    assert level_canonical(None, "level1") is None


def test_web_form_with_level_weights_gives_its_golden() -> None:
    (filing,) = file_to_filings(SAMPLES / "forms" / "kpi_form_level_weights.html")
    golden = json.loads(
        (SAMPLES / "expected" / "kpi_form_level_weights.html.json").read_text(encoding="utf-8")
    )
    got = [
        {
            "labels": f"{i.level1} / {i.level2} / {i.level3}",
            "canonical": f"{i.level1_canonical} / {i.level2_canonical}",
            "weight": format(i.weight, "f") if i.weight is not None else None,
            "targets": [f"{t.period} {t.raw}" for t in i.targets],
        }
        for i in filing.indicators
    ]
    assert got == golden["indicators"]


LABELS = [
    "一级指标",
    "二级指标",
    "重点工作",
    "三级指标",
    "半年指标值",
    "全年指标值",
    "计量单位",
    "指标方向性",
    "分值",
    "得分",
]


@given(st.lists(st.tuples(st.integers(0, 8), st.sampled_from([" ", "\n", "  ", "\r\n", "\u3000"]))))
def test_spaces_and_line_breaks_never_change_the_columns(inserts: list[tuple[int, str]]) -> None:
    plain = _row(0, *LABELS)
    labels = list(LABELS)
    for k, (at, space) in enumerate(inserts):
        j = k % len(labels)
        cut = at % (len(labels[j]) + 1)
        labels[j] = labels[j][:cut] + space + labels[j][cut:]
    assert header_to_columns(_row(0, *labels)) == header_to_columns(plain)


def test_votes_do_not_make_a_repeated_header_a_new_table() -> None:
    # The unnamed 权重-like column votes differently on each page; the header is the same one,
    # so the 一级/二级 printed on page 1 still reach the first row of page 2.
    header = ("一级指标", "二级指标", "三级指标", "指标值", "")
    filing = _filing(
        _row(0, *header),
        _row(1, "产出指标", "数量指标", "培训人次", "≥500人次", "60"),
        _row(2, None, None, "培训场次", "≥20场", "40"),
        _row(0, *header),
        _row(1, None, None, "培训天数", "≥5天", "x"),
        pages=(3,),
    )
    assert _labels(filing)[-1] == "产出指标 / 数量指标 / 培训天数"
    assert [i.weight for i in filing.indicators][:2] == [Decimal(60), Decimal(40)]


def test_a_voted_column_does_not_stop_the_second_header_row_splitting() -> None:
    filing = _filing(
        _row(0, "一级指标", "二级指标", "三级指标", "指标值", None, ""),
        _row(1, None, None, None, "中期", "年度", None),
        _row(2, "产出指标", "数量指标", "培训人次", "≥1500人次", "≥500人次", "50"),
        _row(3, None, None, "培训场次", "≥60场", "≥20场", "50"),
    )
    assert [[(t.period, t.raw) for t in i.targets] for i in filing.indicators] == [
        [("LT", "≥1500人次"), ("FY", "≥500人次")],
        [("LT", "≥60场"), ("FY", "≥20场")],
    ]
    assert [i.weight for i in filing.indicators] == [Decimal(50), Decimal(50)]
