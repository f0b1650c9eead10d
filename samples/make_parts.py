"""samples/parts/print_titles_2025.xlsx: a small department table whose title rows stand again
at the top of each printed page, as they do in a sheet laid out for printing (or pasted from a
print with Excel print titles). The table goes on after each repeated title: one filing.

    .venv/bin/python samples/make_parts.py

Needs openpyxl; the output is committed. The text exports beside it are written by hand."""

from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook

HERE = Path(__file__).resolve().parent
TITLE = ["示例市市级部门整体预算绩效目标表"]
YEAR = ["2025年度"]
HEADER = ["一级指标", "二级指标", "三级指标", "半年指标值", "全年指标值"]
PAGES = [
    [
        ["单位名称", "示例市文化馆"],
        ["年度目标", "全年举办公益展览12场、公益讲座24场。"],
        HEADER,
        ["决策", "目标设定", "绩效目标合理性", "合理", "合理"],
        ["产出指标", "数量指标", "公益展览场次", "≥5场", "≥12场"],
    ],
    [
        ["产出指标", "数量指标", "公益讲座场次", "≥10场", "≥24场"],
        ["产出指标", "质量指标", "展览开放率", "=100%", "=100%"],
    ],
    [
        HEADER,
        ["效益指标", "社会效益指标", "群众文化参与度", "有所提升", "有所提升"],
        ["满意度指标", "服务对象满意度指标", "观众满意度", "≥90%", "≥90%"],
    ],
]


def main() -> None:
    book = Workbook()
    sheet = book.active
    sheet.title = "绩效目标表"
    width = len(HEADER)
    r = 0
    for page in PAGES:
        for row in (TITLE, YEAR, *page):
            r += 1
            for c, text in enumerate(row, start=1):
                cell = sheet.cell(row=r, column=c, value=text)
                cell.data_type = "s"  # '=100%' is a target, not a formula
            if len(row) < width:  # a title across the table, a value across its columns
                sheet.merge_cells(start_row=r, start_column=len(row), end_row=r, end_column=width)
    sheet.print_title_rows = "1:2"
    book.save(HERE / "parts" / "print_titles_2025.xlsx")


if __name__ == "__main__":
    main()
