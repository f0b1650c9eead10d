"""One filing is one filing: a title (and header rows) printed again at the top of each page
continues the filing; a new one starts where a new unit or project is named, or a new indicator
table follows a complete one. A header row or line holding several label–value pairs gives each
pair to its own field, and labels a filing does not use are never swallowed into a field.

Every expected value below was written by hand from the sample tables (samples/parts/, made by
hand or by samples/make_parts.py) and from the small tables built in the tests."""

from __future__ import annotations

from conftest import SAMPLES
from jixiao.extract import Cell, Paragraph, RawDocument, Table
from jixiao.normalize import normalize_document
from jixiao.normalize.header import field_value
from jixiao.normalize.sections import (
    document_to_parts,
    paragraph_to_fields,
    row_to_fields,
    text_to_pairs,
)
from jixiao.pipeline import file_to_filings

PARTS = SAMPLES / "parts"


def _row(*texts: str, page: int | None = None) -> tuple[Cell, ...]:
    return tuple(Cell(text=t, row=0, col=k, page=page) for k, t in enumerate(texts))


def _table(*rows: tuple[str, ...], page: int | None = None) -> Table:
    return Table(rows=tuple(_row(*r, page=page) for r in rows), page=page, grid=True)


def _doc(*blocks: Paragraph | Table) -> RawDocument:
    return RawDocument(source_path="t.pdf", sha256="0", source_format="pdf", blocks=blocks)


def _fields(fields: dict[str, tuple[Cell, ...]]) -> dict[str, str | None]:
    return {name: field_value(row) for name, row in fields.items()}


def _level3(filing: object) -> list[str]:
    return [i.level3 for i in filing.indicators]  # type: ignore[attr-defined]


# --- a title repeated at the top of every page -------------------------------------------------


def test_excel_print_titles_repeated_on_every_page_are_one_filing() -> None:
    # Regression (d02_pdf: an Excel table printed with its title rows on every page was read
    # as three filings). The sheet holds the title and year three times; page 3 starts with
    # the indicator header again. Six indicators in all.
    filings = file_to_filings(PARTS / "print_titles_2025.xlsx")
    assert len(filings) == 1
    filing = filings[0]
    assert filing.title == "示例市市级部门整体预算绩效目标表"
    assert filing.fiscal_year == 2025
    assert filing.department == "示例市文化馆"
    assert _level3(filing) == [
        "绩效目标合理性",
        "公益展览场次",
        "公益讲座场次",
        "展览开放率",
        "群众文化参与度",
        "观众满意度",
    ]
    assert [t.raw for t in filing.indicators[3].targets] == ["=100%", "=100%"]


def test_repeated_title_and_unit_row_at_a_page_top_are_dropped() -> None:
    # A text export of a printed table: title and year on every page, and on page 3 the
    # 单位名称 row too. It is the same filing, and the repeated 单位名称 row is no indicator.
    filings = file_to_filings(PARTS / "print_titles_2025.txt")
    assert len(filings) == 1
    assert filings[0].department == "示例市文化馆"
    assert _level3(filings[0]) == [
        "绩效目标合理性",
        "公益展览场次",
        "公益讲座场次",
        "群众文化参与度",
        "观众满意度",
    ]


def test_a_table_going_on_after_a_repeated_title_is_read() -> None:
    # Regression (d07_pdf, d07_scan: page 2 repeats the title and 单位：万元, then the
    # indicator table goes on; the second part was "not read" and its indicators lost).
    title = "示例市司法局2024年度部门整体支出绩效目标表"
    doc = _doc(
        Paragraph(title, page=1),
        Paragraph("单位：万元", page=1),
        _table(
            ("部门名称", "示例市司法局"),
            ("一级指标", "二级指标", "三级指标", "指标值"),
            ("产出指标", "数量指标", "办理行政复议案件数", "≥4000件"),
            page=1,
        ),
        Paragraph(title, page=2),
        Paragraph("单位：万元", page=2),
        _table(
            ("效益指标", "社会效益指标", "法治政府建设水平", "显著提升"),
            ("满意度指标", "服务对象满意度指标", "群众满意度", "≥95%"),
            page=2,
        ),
    )
    assert len(document_to_parts(doc)) == 1
    filings = normalize_document(doc)
    assert len(filings) == 1
    assert [f.code for f in filings[0].findings if f.code == "part_not_read"] == []
    assert _level3(filings[0]) == ["办理行政复议案件数", "法治政府建设水平", "群众满意度"]


def test_repeated_header_row_after_a_title_continues_an_unfinished_table() -> None:
    # Word's repeated header rows: page 2 starts with the title and the indicator header
    # again; the table before it has not reached its 满意度 rows, so it goes on.
    header = ("一级指标", "二级指标", "三级指标", "指标值")
    doc = _doc(
        Paragraph("项目支出绩效目标表", page=1),
        _table(
            ("项目名称", "森林防火"),
            header,
            ("产出指标", "数量指标", "监控点", "=40个"),
            page=1,
        ),
        Paragraph("项目支出绩效目标表", page=2),
        _table(header, ("效益指标", "社会效益指标", "火灾受害率", "≤0.9‰"), page=2),
    )
    filings = normalize_document(doc)
    assert len(filings) == 1
    assert _level3(filings[0]) == ["监控点", "火灾受害率"]


# --- where a new filing starts -----------------------------------------------------------------


def test_one_unit_three_tables_are_three_filings() -> None:
    # The unit's 目标表, then its 自评表 (same unit, a new title, after a complete table),
    # then a project table with no title whose 主管部门 row comes before its 项目名称.
    filings = file_to_filings(PARTS / "one_unit_three_tables_2025.txt")
    assert [f.part for f in filings] == [1, 2, 3]
    assert [f.doc_type for f in filings] == ["department_overall", "self_evaluation", "project"]
    assert [f.department for f in filings] == ["示例市文化馆"] * 3
    assert [len(f.indicators) for f in filings] == [2, 2, 1]
    assert filings[2].project_name == "馆藏书画数字化"
    assert filings[2].implementing_unit == "示例市美术馆"


def test_a_new_indicator_table_after_a_complete_one_is_a_new_filing() -> None:
    header = ("一级指标", "二级指标", "三级指标", "指标值")
    doc = _doc(
        _table(
            ("单位名称", "示例市档案馆"),
            header,
            ("产出指标", "数量指标", "档案接收量", "≥2万卷"),
            ("满意度指标", "服务对象满意度指标", "查档满意度", "≥90%"),
            header,
            ("产出指标", "数量指标", "档案数字化量", "≥5万页"),
        )
    )
    assert len(document_to_parts(doc)) == 2


def test_a_new_project_named_after_a_title_starts_a_filing() -> None:
    doc = _doc(
        Paragraph("项目支出绩效目标表"),
        _table(
            ("项目名称", "甲项目"),
            ("一级指标", "二级指标", "三级指标", "指标值"),
            ("产出指标", "数量指标", "甲", "=1个"),
        ),
        Paragraph("项目支出绩效目标表"),
        _table(
            ("项目名称", "乙项目"),
            ("一级指标", "二级指标", "三级指标", "指标值"),
            ("产出指标", "数量指标", "乙", "=2个"),
        ),
    )
    filings = normalize_document(doc)
    assert [f.project_name for f in filings] == ["甲项目", "乙项目"]
    assert [_level3(f) for f in filings] == [["甲"], ["乙"]]


def test_a_filling_unit_line_under_the_table_is_no_new_filing() -> None:
    # The line under a project table names the unit that filled it in (its 实施单位), not
    # a new filing: a filing is a table.
    doc = _doc(
        Paragraph("项目支出绩效目标表"),
        _table(
            ("项目名称", "河道治理"),
            ("主管部门", "示例市水利局", "实施单位", "示例市河道管理处"),
            ("一级指标", "二级指标", "三级指标", "指标值"),
            ("产出指标", "数量指标", "治理河道长度", "≥56公里"),
            ("满意度指标", "服务对象满意度指标", "群众满意度", "≥92%"),
        ),
        Paragraph("填报单位（盖章）：示例市河道管理处"),
    )
    filings = normalize_document(doc)
    assert len(filings) == 1
    assert filings[0].department == "示例市水利局"
    assert filings[0].implementing_unit == "示例市河道管理处"


# --- several label–value pairs in one row or line ----------------------------------------------


def test_label_pairs_in_header_rows_and_lines_go_to_their_own_fields() -> None:
    # Before: department '示例市文化和旅游局　单位：万元', project_name '馆藏书画数字化\n项目分类\n
    # 一次性项目', implementing_unit with 项目负责人 and 李四, project_period with the 联系人 cell.
    filing = file_to_filings(PARTS / "label_pairs_2025.txt")[0]
    assert filing.fiscal_year == 2025
    assert filing.department == "示例市文化和旅游局"
    assert filing.project_name == "馆藏书画数字化"
    assert filing.implementing_unit == "示例市美术馆"
    assert filing.project_period == "2025年"
    assert _level3(filing) == ["数字化藏品件数"]


def test_text_to_pairs() -> None:
    assert text_to_pairs("部门名称：示例市司法局　单位：万元") == (
        "",
        [("部门名称", "示例市司法局"), ("单位", "万元")],
    )
    assert text_to_pairs("联系人:张三 联系电话:0511-1234567") == (
        "",
        [("联系人", "张三"), ("联系电话", "0511-1234567")],
    )
    assert text_to_pairs("示例市司法局 单位：万元") == ("示例市司法局", [("单位", "万元")])
    # A colon inside a value is no label: 其中 is not one.
    assert text_to_pairs("其中：财政拨款") == ("其中：财政拨款", [])


def test_paragraph_with_several_pairs() -> None:
    fields = paragraph_to_fields(Paragraph("部门名称：示例市司法局　单位：万元"))
    assert _fields(fields) == {"department": "示例市司法局"}
    fields = paragraph_to_fields(Paragraph("填报单位:示例市司法局  联系人:张三"))
    assert _fields(fields) == {"department": "示例市司法局"}
    assert paragraph_to_fields(Paragraph("单位：万元")) == {}


def test_row_with_several_pairs() -> None:
    assert _fields(row_to_fields(_row("项目名称", "甲项目", "项目分类", "一次性项目"))) == {
        "project_name": "甲项目"
    }
    assert _fields(row_to_fields(_row("主管部门", "示例市局", "实施单位", "示例中心"))) == {
        "department": "示例市局",
        "implementing_unit": "示例中心",
    }
    assert _fields(row_to_fields(_row("部门名称：示例市局", "单位：万元"))) == {
        "department": "示例市局"
    }
    assert _fields(row_to_fields(_row("部门名称", "示例市局　单位：万元"))) == {
        "department": "示例市局"
    }
    assert _fields(row_to_fields(_row("单位：万元", "部门名称：示例市局"))) == {
        "department": "示例市局"
    }
    # Only labels of no field: not a header row.
    assert row_to_fields(_row("联系人", "张三", "联系电话", "0511-1234567")) == {}


def test_a_header_field_holds_only_its_own_cell() -> None:
    assert _fields(row_to_fields(_row("项目名称", "甲项目", "（一次性）"))) == {
        "project_name": "甲项目"
    }
    # A value that starts with its own field's label stays whole.
    text = "（1）机构设置：内设办公室。\n（2）人员配置：行政编制10名。"
    assert _fields(row_to_fields(_row("机构设置及人员配置", text))) == {"organization": text}
    text = "机构设置：内设办公室。\n人员配置：行政编制10名。"
    assert _fields(row_to_fields(_row("机构设置及人员配置", text))) == {"organization": text}
