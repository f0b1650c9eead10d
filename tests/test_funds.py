"""normalize/funds.py: funds blocks as published. Each sample is a small table typed by hand in
the shape an export prints it (tab-separated cells, merged labels at the middle of their span);
the expected lines were written from the table, not from jixiao's output."""

from __future__ import annotations

from decimal import Decimal

from jixiao.extract import extract_bytes
from jixiao.normalize import Filing, normalize

INDICATORS = "一级指标\t二级指标\t三级指标\t指标值\n产出指标\t数量指标\t调查次数\t≥4次\n"

Line = tuple[str, str | None, str, str | None, str | None]  # section, parent, name, H1, FY


def _filing(block: str, head: str = "部门名称\t示例市统计局\n") -> Filing:
    text = "示例市统计局2025年度部门整体支出绩效目标表\n" + head + block + INDICATORS
    return normalize(extract_bytes(text.encode("utf-8"), "test.txt"))


def _lines(filing: Filing) -> list[Line]:
    def num(d: Decimal | None) -> str | None:
        return None if d is None else f"{d:.2f}"

    return [
        (f.section, f.parent, f.name, num(f.half_year_plan), num(f.full_year_budget))
        for f in filing.fund_lines
    ]


def _codes(filing: Filing) -> set[str]:
    return {f.code for f in filing.findings}


def test_guangdong_block_with_labels_printed_mid_span() -> None:
    """收入预算 / 支出预算 beside the first line of their span, the block's label
    年度部门预算（万元） printed on a project row, 其中： before the first project, commas."""
    block = (
        "\t收入预算\t资金总额\t1,250.50\n"
        "\t\t其中：财政拨款\t1,200.00\n"
        "\t\t其他资金\t50.50\n"
        "\t支出预算\t基本支出\t850.50\n"
        "\t\t项目支出\t400.00\n"
        "\t\t其中：统计调查经费\t150.00\n"
        "年度部门预算（万元）\t\t　　统计信息化运维经费\t150.00\n"
        "\t　　普查专项经费\t100.00\n"
    )
    filing = _filing(block)
    assert _lines(filing) == [
        ("income", None, "资金总额", None, "1250.50"),
        ("income", "资金总额", "其中：财政拨款", None, "1200.00"),
        ("income", "资金总额", "其他资金", None, "50.50"),
        ("expenditure", None, "基本支出", None, "850.50"),
        ("expenditure", None, "项目支出", None, "400.00"),
        ("expenditure", "项目支出", "其中：统计调查经费", None, "150.00"),
        ("expenditure", "项目支出", "统计信息化运维经费", None, "150.00"),
        ("expenditure", "项目支出", "普查专项经费", None, "100.00"),
    ]
    assert "funds_do_not_add_up" not in _codes(filing)


def test_jiangsu_export_with_nameless_subtotal_and_section_words_on_lines() -> None:
    """Regression (d04-like text export): 小计 on a row of its own with 财政拨款 printed on the
    next row beside 一般公共预算资金, 收入 printed on the 政府性基金 row, 支出 on a project row,
    and the column words of the 支出 part on a row of their own. The 小计 row was dropped, and
    so were the rows holding 收入 and 支出."""
    block = (
        "部门整体资金（万元）\t\t\t全年预算 数\n"
        "\t\t资金总额\t300.00\n"
        "\t\t\t小计\t280.00\n"
        "\t\t财政拨款\t一般公共预算资金\t260.00\n"
        "\t收入\t\t政府性基金\t20.00\n"
        "\t\t其他资金\t20.00\n"
        "半年计划执行 数\t全年预算 数\n"
        "\t\t基本支出\t60.00\t120.00\n"
        "\t\t项目支出\t90.00\t180.00\n"
        "\t支出\t调查经费\t40.00\t100.00\n"
        "普查经费\t50.00\t80.00\n"
    )
    assert _lines(_filing(block, "单位名称\t示例市统计局\n")) == [
        ("income", None, "资金总额", None, "300.00"),
        ("income", "资金总额", "财政拨款", None, "280.00"),
        ("income", "财政拨款", "一般公共预算资金", None, "260.00"),
        ("income", "财政拨款", "政府性基金", None, "20.00"),
        ("income", "资金总额", "其他资金", None, "20.00"),
        ("expenditure", None, "基本支出", "60.00", "120.00"),
        ("expenditure", None, "项目支出", "90.00", "180.00"),
        ("expenditure", "项目支出", "调查经费", "40.00", "100.00"),
        ("expenditure", "项目支出", "普查经费", "50.00", "80.00"),
    ]


def test_rows_before_the_block_label_are_funds() -> None:
    """Regression (d02-like export): the block's label 部门整体资金（万元） printed at the middle
    of its span, after the column row and the income lines; those were lost."""
    block = (
        "全年预算数\n"
        "\t\t资金总额\t100.00\n"
        "\t\t财政拨款\t小计\t100.00\n"
        "\t一般公共预算资金\t100.00\n"
        "收入\t\t其他资金\t0.00\n"
        "支出\t\t半年计划 执行数\t全年预算数\n"
        "部门整体资金（万元）\t\t基本支出\t30.00\t70.00\n"
        "项目支出\t10.00\t30.00\n"
        "\t\t调查经费\t10.00\t30.00\n"
    )
    assert _lines(_filing(block, "单位名称\t示例市统计局\n")) == [
        ("income", None, "资金总额", None, "100.00"),
        ("income", "资金总额", "财政拨款", None, "100.00"),
        ("income", "财政拨款", "一般公共预算资金", None, "100.00"),
        ("income", "资金总额", "其他资金", None, "0.00"),
        ("expenditure", None, "基本支出", "30.00", "70.00"),
        ("expenditure", None, "项目支出", "10.00", "30.00"),
        ("expenditure", "项目支出", "调查经费", "10.00", "30.00"),
    ]


PROJECT_HEAD = "项目名称\t统计调查项目\n主管部门\t示例市统计局\t实施单位\t示例市调查队\n"


def test_project_whole_period_budget_and_the_year_in_yuan() -> None:
    """项目总预算 (the whole period) is not the year's total; 当年年度预算 is, and 其中：财政资金
    and 其它资金 are its parts. The block says 元: stored in 万元."""
    block = (
        "资金情况（元）\t项目总预算\t3,000,000.00\n"
        "\t当年年度预算\t1,200,000.00\n"
        "\t其中：财政资金\t1,000,000.00\n"
        "\t其它资金\t200,000.00\n"
    )
    filing = _filing(block, PROJECT_HEAD)
    assert _lines(filing) == [
        ("income", None, "当年年度预算", None, "120.00"),
        ("income", "当年年度预算", "其中：财政资金", None, "100.00"),
        ("income", "当年年度预算", "其它资金", None, "20.00"),
    ]
    assert "amounts_converted" in _codes(filing)


def test_project_mid_term_and_annual_side_by_side() -> None:
    """中期资金总额 | 年度资金总额 side by side, each with its sources below: the year's."""
    block = (
        "项目资金（万元）\t中期资金总额\t900.00\t年度资金总额\t300.00\n"
        "\t其中：财政拨款\t810.00\t其中：财政拨款\t270.00\n"
        "\t其他资金\t90.00\t其他资金\t30.00\n"
    )
    assert _lines(_filing(block, PROJECT_HEAD)) == [
        ("income", None, "年度资金总额", None, "300.00"),
        ("income", "年度资金总额", "其中：财政拨款", None, "270.00"),
        ("income", "年度资金总额", "其他资金", None, "30.00"),
    ]


def test_project_local_and_higher_level_funds_under_a_subtotal() -> None:
    """财政资金 | 小计 over 本级资金 and 上级资金 (funds.yaml income children)."""
    block = (
        "项目资金（万元）\t年度资金总额\t500.00\n"
        "\t财政资金\t小计\t450.00\n"
        "\t\t本级资金\t150.00\n"
        "\t\t上级资金\t300.00\n"
        "\t其他资金\t50.00\n"
    )
    filing = _filing(block, PROJECT_HEAD)
    assert _lines(filing) == [
        ("income", None, "年度资金总额", None, "500.00"),
        ("income", "年度资金总额", "财政资金", None, "450.00"),
        ("income", "财政资金", "本级资金", None, "150.00"),
        ("income", "财政资金", "上级资金", None, "300.00"),
        ("income", "年度资金总额", "其他资金", None, "50.00"),
    ]
    assert "funds_do_not_add_up" not in _codes(filing)


def test_total_named_outside_the_dictionary_is_the_line_a_part_follows() -> None:
    """申请财政预算资金 is no dictionary total; the 其中： line after it says it is the whole."""
    block = (
        "项目资金（万元）\t申请财政预算资金\t80.00\n"
        "\t其中：中央补助资金\t50.00\n"
        "\t市级配套资金\t30.00\n"
    )
    assert _lines(_filing(block, PROJECT_HEAD)) == [
        ("income", None, "申请财政预算资金", None, "80.00"),
        ("income", "申请财政预算资金", "其中：中央补助资金", None, "50.00"),
        ("income", "申请财政预算资金", "市级配套资金", None, "30.00"),
    ]


def test_unit_printed_on_the_block_label_mid_span() -> None:
    """The label carrying （元） printed at the middle of the block, not on its first row."""
    block = (
        "\t收入预算\t资金总额\t2,000,000.00\n"
        "年度部门预算（元）\t\t其他资金\t2,000,000.00\n"
        "\t支出预算\t基本支出\t2,000,000.00\n"
    )
    assert _lines(_filing(block)) == [
        ("income", None, "资金总额", None, "200.00"),
        ("income", "资金总额", "其他资金", None, "200.00"),
        ("expenditure", None, "基本支出", None, "200.00"),
    ]
