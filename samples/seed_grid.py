"""The seed filing as the one big ruled table the published 苏州 PDF prints, built from its
hand-checked golden Filing (samples/expected/suzhou_commerce_2024_department_overall.json).

Every renderer (reportlab, .docx, .xlsx) draws this same logical grid, so every rendition has
the same rows and columns and the expected Filing of each follows from the grid."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
GOLDEN = HERE / "expected" / "suzhou_commerce_2024_department_overall.json"

# Six grid columns: 一级 | 二级 (职能) | 重点工作 | 三级 | 半年 | 全年 (relative widths)
COLUMN_WIDTHS = (55, 100, 95, 145, 60, 60)


@dataclass
class GridCell:
    row: int
    col: int
    text: str
    colspan: int = 1
    rowspan: int = 1
    align: str = "center"  # center | left
    flow: bool = False  # long text that flows top-down across a page end instead of centring
    role: str = ""  # what the cell is, for building expected output


@dataclass
class Grid:
    title: str
    year: str
    cells: list[GridCell] = field(default_factory=list)
    n_rows: int = 0
    header_rows: list[int] = field(default_factory=list)  # indicator header rows
    # row -> ('indicator', index) or ('fund', index)
    row_items: dict[int, tuple[str, int]] = field(default_factory=dict)
    # 一级 -> empty placeholder rows (社会效益 …) that its merged cell also covers
    placeholder_rows: dict[str, list[int]] = field(default_factory=dict)

    def add_row(self, *cells: tuple[int, int, str], **kw: Any) -> int:
        """Cells as (col, colspan, text); returns the row index."""
        row = self.n_rows
        for col, colspan, text in cells:
            self.cells.append(GridCell(row, col, text, colspan=colspan, **kw))
        self.n_rows += 1
        return row

    def cell(self, row: int, col: int, text: str, **kw: Any) -> GridCell:
        c = GridCell(row, col, text, **kw)
        self.cells.append(c)
        return c


def load_golden() -> dict[str, Any]:
    return json.loads(GOLDEN.read_text(encoding="utf-8"))


def _amount(v: Any) -> str:
    if v is None:
        return ""
    return str(int(v)) if float(v).is_integer() else str(v)


def build_grid(filing: dict[str, Any] | None = None) -> Grid:
    f = filing or load_golden()
    g = Grid(title=f["title"], year=f"{f['fiscal_year']}年度")
    g.add_row((0, 1, "单位名称"), (1, 5, f["department"]))
    functions = "\n".join(f"({_cn(m['seq'])}) {m['text']}" for m in f["main_functions"])
    r = g.add_row((0, 1, "单位主要职能"))
    g.cell(r, 1, functions, colspan=5, align="left")
    r = g.add_row((0, 1, "机构设置及人员配置"))
    g.cell(r, 1, f["organization"], colspan=5, align="left")

    # funds block
    lines = f["fund_lines"]
    first_fund_row = g.n_rows
    g.add_row((1, 1, "收入"), (2, 2, ""), (4, 2, "全年预算数"))
    i = 0
    while i < len(lines):
        line = lines[i]
        if line["section"] == "expenditure":
            break
        children = [x for x in lines if x["parent"] == line["name"] and x["section"] == "income"]
        if children and line["parent"] is not None:
            r = g.n_rows
            g.cell(r, 1, line["name"], rowspan=1 + len(children))
            g.add_row((2, 2, "小计"), (4, 2, _amount(line["full_year_budget"])))
            g.row_items[r] = ("fund", i)
            for child in children:
                j = lines.index(child)
                rr = g.add_row((2, 2, child["name"]), (4, 2, _amount(child["full_year_budget"])))
                g.row_items[rr] = ("fund", j)
            i += 1 + len(children)
            continue
        r = g.add_row((1, 3, line["name"]), (4, 2, _amount(line["full_year_budget"])))
        g.row_items[r] = ("fund", i)
        i += 1
    g.add_row((1, 3, "支出"), (4, 1, "半年计划执行数"), (5, 1, "全年预算数"))
    projects = [x for x in lines if x["parent"] == "项目支出"]
    for j in range(i, len(lines)):
        line = lines[j]
        if line["parent"] == "项目支出":
            continue
        r = g.add_row(
            (1, 3, line["name"]),
            (4, 1, _amount(line["half_year_plan"])),
            (5, 1, _amount(line["full_year_budget"])),
        )
        g.row_items[r] = ("fund", j)
        if line["name"] == "项目支出":
            g.cell(g.n_rows, 1, "", rowspan=len(projects))
            for p in projects:
                rr = g.add_row(
                    (2, 2, p["name"]),
                    (4, 1, _amount(p["half_year_plan"])),
                    (5, 1, _amount(p["full_year_budget"])),
                )
                g.row_items[rr] = ("fund", lines.index(p))
    g.cell(first_fund_row, 0, "部门整体资金(万元)", rowspan=g.n_rows - first_fund_row)

    g.add_row((0, 1, "中长期目标"), (1, 5, f["mid_long_term_goal"]))
    g.add_row((0, 1, "年度目标"), (1, 5, f["annual_goal"]))

    # indicator sections: consecutive indicators sharing a layout
    indicators = f["indicators"]
    sections: list[list[int]] = []
    for k, ind in enumerate(indicators):
        with_task = ind["key_task"] is not None
        if sections and (indicators[sections[-1][0]]["key_task"] is not None) == with_task:
            sections[-1].append(k)
        else:
            sections.append([k])
    placeholders = {"效益指标": ["社会效益", "生态效益", "可持续影响"]}
    for section in sections:
        with_task = indicators[section[0]]["key_task"] is not None
        header = g.n_rows
        g.header_rows.append(header)
        if with_task:
            g.add_row(
                (0, 1, "一级指标"),
                (1, 1, "二级指标"),
                (2, 1, "重点工作"),
                (3, 1, "三级指标"),
                (4, 1, "半年指标值"),
                (5, 1, "全年指标值"),
            )
        else:
            g.add_row(
                (0, 1, "一级指标"),
                (1, 2, "二级指标"),
                (3, 1, "三级指标"),
                (4, 1, "半年指标值"),
                (5, 1, "全年指标值"),
            )
        rows_of: dict[int, int] = {}
        for k in section:
            ind = indicators[k]
            h1, fy = (t["raw"] for t in ind["targets"])
            r = g.add_row((3, 1, ind["level3"]), (4, 1, h1), (5, 1, fy))
            rows_of[k] = r
            g.row_items[r] = ("indicator", k)
            last_of_level1 = k == len(indicators) - 1 or (
                indicators[k + 1]["level1"] != ind["level1"]
            )
            if last_of_level1 and ind["level1"] in placeholders:
                for name in placeholders.pop(ind["level1"]):
                    rr = g.add_row((1, 2, name), (3, 1, ""), (4, 1, ""), (5, 1, ""))
                    g.placeholder_rows.setdefault(ind["level1"], []).append(rr)
        # merged label cells: runs of equal values, in section order
        _merge_runs(g, section, indicators, rows_of, "level1", col=0, colspan=1)
        _merge_runs(
            g,
            section,
            indicators,
            rows_of,
            "level2",
            col=1,
            colspan=1 if with_task else 2,
            flow=with_task,
            align="left" if with_task else "center",
        )
        if with_task:
            _merge_runs(
                g,
                section,
                indicators,
                rows_of,
                "key_task",
                col=2,
                colspan=1,
                flow=True,
                align="left",
            )
    return g


def _merge_runs(
    g: Grid,
    section: list[int],
    indicators: list[dict[str, Any]],
    rows_of: dict[int, int],
    field_name: str,
    *,
    col: int,
    colspan: int,
    flow: bool = False,
    align: str = "center",
) -> None:
    start = 0
    while start < len(section):
        end = start
        value = indicators[section[start]][field_name]
        parent = (indicators[section[start]]["level1"], indicators[section[start]]["level2"])
        while end + 1 < len(section):
            nxt = indicators[section[end + 1]]
            same_parent = field_name != "key_task" or (nxt["level1"], nxt["level2"]) == parent
            if nxt[field_name] != value or not same_parent:
                break
            end += 1
        first_row = rows_of[section[start]]
        last_row = rows_of[section[end]]
        if field_name == "level1":
            last_row = max([last_row, *g.placeholder_rows.get(value, [])])
        g.cell(
            first_row,
            col,
            value or "",
            colspan=colspan,
            rowspan=last_row - first_row + 1,
            flow=flow,
            align=align,
            role=field_name,
        )
        start = end + 1


def _cn(n: int) -> str:
    digits = "零一二三四五六七八九"
    if n < 10:
        return digits[n]
    if n == 10:
        return "十"
    if n < 20:
        return "十" + digits[n - 10]
    return digits[n // 10] + "十" + (digits[n % 10] if n % 10 else "")
