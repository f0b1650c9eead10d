"""Text exports (a published PDF copied out as tab-separated text): leading and trailing empty
cells dropped, merged-cell text at the first or the middle row of its span, a lone 一级 line,
the header repeated after a page end, a 职能 cell split over it, duplicated label cells.
Each sample in samples/text_exports/ shows some of these; the expected labels were written by
hand from the table the sample was typed from."""

from __future__ import annotations

from conftest import SAMPLES
from jixiao.extract import Table, extract_bytes
from jixiao.extract.text_export import text_to_blocks
from jixiao.normalize import Filing, normalize
from jixiao.normalize.indicators import _spans

TEXT_EXPORTS = SAMPLES / "text_exports"


def _read(name: str) -> Filing:
    path = TEXT_EXPORTS / name
    return normalize(extract_bytes(path.read_bytes(), path.name))


def _labels(filing: Filing) -> list[tuple[str | None, str | None, str]]:
    return [(i.level1, i.level2, i.level3) for i in filing.indicators]


def test_labels_printed_at_the_middle_row_of_their_span() -> None:
    # 决策 spans five rows and is printed at the third, 过程 likewise; 预算执行 spans four rows
    # and is printed at the second. Rows above a label printed lower belong to it.
    filing = _read("middle_rows.txt")
    assert _labels(filing) == [
        ("决策", "计划制定", "中长期规划制定健全性"),
        ("决策", "计划制定", "工作计划制定健全性"),
        ("决策", "预算编制", "预算编制科学性"),
        ("决策", "预算编制", "预算调整率"),
        ("决策", "预算编制", "预算执行率"),
        ("过程", "预算执行", "预算偏差率"),
        ("过程", "预算执行", "结转结余率"),
        ("过程", "预算执行", "公用经费控制率"),
        ("过程", "预算执行", "政府采购执行率"),
        ("过程", "资产管理", "资产管理制度健全性"),
    ]
    # Regression: 预算偏差率 … 政府采购执行率 were filed under 决策, carried down from above.
    assert not [f for f in filing.findings if f.code == "indicator_misplaced"]


def test_page_end_header_split_function_cell_and_lone_level1_line() -> None:
    filing = _read("page_break.txt")
    function2 = "职能2：负责全市乙事务的监督检查，组织开展乙领域专项整治，受理乙事务投诉等"
    rows = [
        (i.level1, (i.level2 or "").replace(" ", ""), i.key_task, i.level3)
        for i in filing.indicators
    ]
    assert rows == [
        ("决策", "计划制定", None, "中长期规划制定健全性"),
        (
            "履职",
            "职能1：负责全市甲事务的统筹管理，组织实施甲项目建设等",
            "组织实施甲项目建设",
            "甲项目开工数",
        ),
        (
            "履职",
            "职能1：负责全市甲事务的统筹管理，组织实施甲项目建设等",
            "组织实施甲项目建设",
            "甲项目竣工率",
        ),
        ("履职", function2, "开展乙领域专项整治", "专项整治检查次数"),
        ("履职", function2, "开展乙领域专项整治", "整改完成率"),
        # Regressions: the header repeated after the page end dropped the 重点工作 column, and
        # the second piece of the 职能2 cell was taken for a 重点工作 or a stray label.
        ("履职", function2, "开展乙领域专项整治", "监督检查覆盖率"),
        ("履职", function2, "加强乙事务投诉办理", "投诉按时办结率"),
        ("效益指标", "社会效益", None, "带动就业人数"),
    ]
    assert [i.function_seq for i in filing.indicators[1:7]] == [1, 1, 2, 2, 2, 2]
    assert not [f for f in filing.findings if f.code in ("extra_label_ignored", "level1_unknown")]


def test_duplicated_label_cells_are_one_cell_in_its_own_column() -> None:
    # 成本指标 is a 一级 name in some layouts; printed twice in the 二级 column it is a 二级.
    filing = _read("duplicated_cells.txt")
    assert _labels(filing) == [
        ("产出指标", "数量指标", "培训人次"),
        ("产出指标", "数量指标", "招聘会场次"),
        ("产出指标", "数量指标", "提供就业岗位数"),
        ("产出指标", "质量指标", "培训考核合格率"),
        ("产出指标", "成本指标", "人均培训补助标准"),
        ("效益指标", "社会效益指标", "就业质量"),
        ("满意度指标", "服务对象满意度指标", "参训人员满意度"),
    ]


def test_header_after_a_page_end_is_dropped_only_when_it_repeats() -> None:
    header = "一级指标\t二级指标\t三级指标\t指标值"
    text = "\n".join(
        [header, "产出指标\t数量指标\t甲\t=1个", "", "", "\t" + header, "\t\t乙\t=2个"]
    )
    (table,) = text_to_blocks(text)
    assert isinstance(table, Table)
    assert [[c.text for c in row if c.text] for row in table.rows] == [
        ["一级指标", "二级指标", "三级指标", "指标值"],
        ["产出指标", "数量指标", "甲", "=1个"],
        ["乙", "=2个"],
    ]
    # Not after a page end: a section's own header row, kept.
    (table,) = text_to_blocks("\n".join([header, "产出指标\t数量指标\t甲\t=1个", header]))
    assert isinstance(table, Table) and len(table.rows) == 3


def test_a_second_filing_keeps_its_header() -> None:
    header = "一级指标\t二级指标\t三级指标\t指标值"
    text = "\n".join(
        [
            "项目支出绩效目标表",
            header,
            "产出指标\t数量指标\t甲\t=1个",
            "",
            "项目支出绩效目标表",
            header,
        ]
    )
    blocks = text_to_blocks(text)
    assert [len(b.rows) for b in blocks if isinstance(b, Table)] == [2, 1]


def test_spans_first_row_is_plain_carry_down() -> None:
    assert _spans([(0, "A"), (2, "B")], 4, lambda k, label: 0.0, middle=True) == [
        "A",
        "A",
        "B",
        "B",
    ]


def test_spans_rows_above_the_first_label_belong_to_it() -> None:
    assert _spans([(1, "A")], 3, lambda k, label: 0.0, middle=False) == ["A", "A", "A"]


def test_spans_middle_row_where_first_row_cannot_be() -> None:
    # A at row 0; B printed at row 3 of rows 0..5. B at its first row would leave A a span of
    # three with its text at the top: allowed, and cheaper. A key_task-like row with no vote.
    assert _spans([(0, "A"), (3, "B")], 6, lambda k, label: 0.0, middle=True) == [
        "A",
        "A",
        "A",
        "B",
        "B",
        "B",
    ]
    # The dictionary says rows 2 and 3 are B's: then B spans 2..5 with its text at row 3.
    votes = {2: "B", 3: "B"}
    assert _spans(
        [(0, "A"), (3, "B")],
        6,
        lambda k, label: float(k in votes and votes[k] != label),
        middle=True,
    ) == ["A", "A", "B", "B", "B", "B"]
    # On a ruled grid a merged cell's text is at its first row: no moving up.
    assert _spans(
        [(0, "A"), (3, "B")],
        6,
        lambda k, label: float(k in votes and votes[k] != label),
        middle=False,
    ) == ["A", "A", "A", "B", "B", "B"]


def test_a_lone_level2_with_its_leading_cell_dropped_is_a_label_not_a_value() -> None:
    """Regression: `\t生态效益指标` (an empty group whose export dropped a leading cell) was
    counted into the one value column and reported as values_without_indicator."""
    text = "\n".join(
        [
            "某县2025年项目支出绩效目标表",
            "项目名称\t农村道路养护",
            "主管部门\t某县交通运输局",
            "一级指标\t二级指标\t三级指标\t指标值",
            "产出指标\t数量指标\t养护里程\t≥120公里",
            "效益指标\t社会效益指标\t群众出行条件\t有所改善",
            "\t生态效益指标",
            "\t可持续影响指标\t养护机制\t长效运行",
            "满意度指标\t服务对象满意度指标\t群众满意度\t≥90%",
        ]
    )
    filing = normalize(extract_bytes(text.encode("utf-8"), "lone_level2.txt"))
    assert [f.code for f in filing.findings if f.severity != "info"] == []
    assert [(i.level1, i.level2, i.level3) for i in filing.indicators] == [
        ("产出指标", "数量指标", "养护里程"),
        ("效益指标", "社会效益指标", "群众出行条件"),
        ("效益指标", "可持续影响指标", "养护机制"),
        ("满意度指标", "服务对象满意度指标", "群众满意度"),
    ]
    assert filing.cells_read == filing.cells_total
