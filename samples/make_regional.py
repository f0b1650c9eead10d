"""Filings from other provinces, other document types and other file formats, built by the team
from the structures departments publish (财政部 项目支出绩效目标表 and 绩效自评表 templates of
财预〔2020〕10号, and the layouts Guangdong, Hunan, Beijing and Sichuan departments put online).
Names and figures are made up; the shapes are not.

    python samples/make_regional.py

writes:
- office/zhaoqing_agriculture_2024.docx: one Word file holding a 部门整体 table (Guangdong
  layout: 部门(单位)名称, 年度总体绩效目标, one 指标值 column) followed by two 项目支出绩效目标表
  (项目名称, 主管部门 | 实施单位, 项目资金, 中期/年度 goals, 指标值 split into 中期 | 年度);
- office/changsha_rural_roads_2023_self_evaluation.xlsx: a 项目支出绩效自评表 (Hunan) with
  年初预算数 … 执行率 | 得分, 实际完成值, 分值, 得分, 偏差原因 and 总分; the same table as a
  legacy .xls (BIFF8, written by xlwt);
- pdf/zhaoqing_agriculture_2024.pdf: that Word file printed to PDF by LibreOffice (needs
  fonts-wqy-microhei: without a Chinese font LibreOffice writes a broken font map, kept as
  pdf/hard/one_glyph_font_map.pdf);
- office/zhaoqing_projects_2024_one_sheet.xlsx: the two project tables stacked on one sheet;
- web/dongcheng_education_2024.html: a Beijing 部门整体 table with 指标性质 | 指标值 | 度量单位 |
  权重 | 指标方向性;
- archives/regional_2024.zip: the web page and the Sichuan text export (filings/) in folders.

The Sichuan text export (filings/mianyang_education_2024.txt: 指标值类型, 上年实际值 | 本年预期值)
is written by hand. The golden files expected/{name}.json of these samples were written by a
person from these tables, not from jixiao's output. Needs python-docx, openpyxl and xlwt."""

from __future__ import annotations

import html
import zipfile
from pathlib import Path
from typing import Any

from docx import Document
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Side

HERE = Path(__file__).resolve().parent

# A cell: its text, or (text, rowspan, colspan).
Spec = str | tuple[str, int, int]
Rows = list[list[Spec]]


def place(rows: Rows) -> tuple[list[tuple[int, int, str, int, int]], int]:
    """Cells placed on a grid the way HTML places them (covered positions skipped)."""
    covered: set[tuple[int, int]] = set()
    out: list[tuple[int, int, str, int, int]] = []
    width = 0
    for r, row in enumerate(rows):
        c = 0
        for spec in row:
            while (r, c) in covered:
                c += 1
            text, rs, cs = (spec, 1, 1) if isinstance(spec, str) else spec
            out.append((r, c, text, rs, cs))
            for rr in range(r, r + rs):
                for cc in range(c, c + cs):
                    covered.add((rr, cc))
            c += cs
            width = max(width, c)
    return out, width


# --- 肇庆市农业农村局: 部门整体 + two project tables, one .docx -------------------------------

ZHAOQING_DEPARTMENT: Rows = [
    ["部门(单位)名称", ("肇庆市农业农村局", 1, 3)],
    [
        "年度总体绩效目标",
        (
            "围绕乡村振兴战略，稳定粮食生产，全年新建高标准农田8.5万亩，农产品质量安全例行监测"
            "合格率保持在98%以上。",
            1,
            3,
        ),
    ],
    [("部门整体资金（万元）", 9, 1), "收入", ("全年预算数", 1, 2)],
    ["资金总额", ("12,580.00", 1, 2)],
    ["财政拨款", ("11,980.00", 1, 2)],
    ["其他资金", ("600.00", 1, 2)],
    ["支出", ("全年预算数", 1, 2)],
    ["基本支出", ("4,580.00", 1, 2)],
    ["项目支出", ("8,000.00", 1, 2)],
    ["高标准农田建设", ("5,200.00", 1, 2)],
    ["农产品质量安全监管", ("2,800.00", 1, 2)],
    ["一级指标", "二级指标", "三级指标", "指标值"],
    [("产出指标", 4, 1), ("数量指标", 2, 1), "新建高标准农田面积", "≥8.5万亩"],
    ["农作物病虫害统防统治覆盖率", "≥45%"],
    ["质量指标", "农产品质量安全例行监测合格率", "≥98%"],
    ["时效指标", "高标准农田建设项目完工时间", "2024年12月底前"],
    [("效益指标", 3, 1), "经济效益指标", "农村居民人均可支配收入增长率", "≥6.5%"],
    ["社会效益指标", "粮食播种面积", "≥160万亩"],
    ["可持续影响指标", "耕地保护制度落实情况", "持续落实"],
    ["满意度指标", "服务对象满意度指标", "农户满意度", "≥90%"],
]


def _project(
    name: str,
    unit: str,
    period: str,
    funds: tuple[str, str, str],
    goals: tuple[str, str],
    indicators: Rows,
) -> Rows:
    return [
        ["项目名称", (name, 1, 5)],
        ["主管部门", ("肇庆市农业农村局", 1, 2), "实施单位", (unit, 1, 2)],
        ["项目期", (period, 1, 5)],
        [("项目资金（万元）", 3, 1), ("年度资金总额", 1, 3), (funds[0], 1, 2)],
        [("其中：财政拨款", 1, 3), (funds[1], 1, 2)],
        [("其他资金", 1, 3), (funds[2], 1, 2)],
        [("总体目标", 2, 1), ("中期目标（2024—2026年）", 1, 3), ("年度目标", 1, 2)],
        [(goals[0], 1, 3), (goals[1], 1, 2)],
        [
            ("绩效指标", 2 + len(indicators), 1),
            ("一级指标", 2, 1),
            ("二级指标", 2, 1),
            ("三级指标", 2, 1),
            ("指标值", 1, 2),
        ],
        ["中期", "年度"],
        *indicators,
    ]


ZHAOQING_FARMLAND = _project(
    "高标准农田建设",
    "肇庆市农田建设管理服务中心",
    "2024年—2026年",
    ("5,200.00", "5,000.00", "200.00"),
    (
        "到2026年累计建成高标准农田25万亩，项目区耕地质量平均提升0.5个等级。",
        "2024年新建高标准农田8.5万亩，完成当年项目竣工验收。",
    ),
    [
        [("产出指标", 4, 1), "数量指标", "新建高标准农田面积", "≥25万亩", "≥8.5万亩"],
        ["质量指标", "项目竣工验收合格率", "=100%", "=100%"],
        ["时效指标", "年度建设任务完成时限", "2026年底前", "2024年12月31日前"],
        ["成本指标", "亩均财政投入", "≤3000元/亩", "≤3000元/亩"],
        [("效益指标", 2, 1), "经济效益指标", "亩均粮食产能提升", "≥50公斤", "≥50公斤"],
        ["可持续影响指标", "耕地质量等级提升", "≥0.5个等级", "≥0.2个等级"],
        ["满意度指标", "服务对象满意度指标", "项目区农户满意度", "≥90%", "≥90%"],
    ],
)

ZHAOQING_SAFETY = _project(
    "农产品质量安全监管",
    "肇庆市农产品质量安全检测中心",
    "2024年",
    ("2,800.00", "2,800.00", "0.00"),
    (
        "建立覆盖全市的农产品质量安全监测体系。",
        "完成农产品例行监测样品6000批次，监测合格率保持在98%以上。",
    ),
    [
        [("产出指标", 2, 1), "数量指标", "例行监测样品数量", "≥18000批次", "≥6000批次"],
        ["质量指标", "监测合格率", "≥98%", "≥98%"],
        ["效益指标", "社会效益指标", "重大农产品质量安全事件发生次数", "=0次", "=0次"],
        ["满意度指标", "服务对象满意度指标", "群众满意度", "≥90%", "≥90%"],
    ],
)


def make_docx(path: Path) -> None:
    doc = Document()
    parts = [
        ("肇庆市农业农村局2024年部门整体支出绩效目标表", ZHAOQING_DEPARTMENT),
        ("2024年项目支出绩效目标表", ZHAOQING_FARMLAND),
        ("2024年项目支出绩效目标表", ZHAOQING_SAFETY),
    ]
    for k, (title, rows) in enumerate(parts):
        if k:
            doc.add_page_break()
        doc.add_paragraph(title)
        doc.add_paragraph("单位：万元")
        cells, width = place(rows)
        table = doc.add_table(rows=len(rows), cols=width)
        table.style = "Table Grid"
        for r, c, text, rs, cs in cells:
            cell = table.cell(r, c)
            if rs > 1 or cs > 1:
                cell = cell.merge(table.cell(r + rs - 1, c + cs - 1))
            cell.text = text
    doc.save(str(path))


def _text_cell(ws: Any, row: int, column: int, text: str) -> Any:
    """A cell holding text as typed: "=100%" stays text, as Excel keeps a value typed '=100%."""
    cell = ws.cell(row=row, column=column, value=text or None)
    if text.startswith("="):
        cell.data_type = "s"
    return cell


def _write_rows(ws: Any, rows: Rows, first: int, ruled: bool = False) -> None:
    """Rows placed from worksheet row `first`, merged where they span."""
    thin = Side(style="thin")
    cells, _ = place(rows)
    for r, c, text, rs, cs in cells:
        cell = _text_cell(ws, first + r, c + 1, text)
        if ruled:
            cell.alignment = Alignment(wrap_text=True, vertical="center")
            cell.border = Border(left=thin, right=thin, top=thin, bottom=thin)
        if rs > 1 or cs > 1:
            ws.merge_cells(
                start_row=first + r,
                start_column=c + 1,
                end_row=first + r + rs - 1,
                end_column=c + cs,
            )


def make_stacked_xlsx(path: Path) -> None:
    """The two project tables stacked on one worksheet, each under its own title row, the way
    a finance bureau pastes a department's project tables into one sheet."""
    wb = Workbook()
    ws = wb.active
    ws.title = "项目绩效目标"
    row = 1
    for rows in (ZHAOQING_FARMLAND, ZHAOQING_SAFETY):
        _, width = place(rows)
        ws.cell(row=row, column=1, value="2024年项目支出绩效目标表")
        ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=width)
        _write_rows(ws, rows, row + 1)
        row += len(rows) + 2
    wb.save(str(path))


# --- 长沙市交通运输局: 项目支出绩效自评表, .xlsx ----------------------------------------------

CHANGSHA: Rows = [
    ["项目名称", ("长沙市农村公路养护专项", 1, 8)],
    ["主管部门", ("长沙市交通运输局", 1, 3), "实施单位", ("长沙市公路事务中心", 1, 4)],
    [
        ("项目资金（万元）", 5, 1),
        "",
        "年初预算数",
        "全年预算数",
        "全年执行数",
        "分值",
        "执行率",
        ("得分", 1, 2),
    ],
    ["年度资金总额", "1,500.00", "1,600.00", "1,528.00", "10", "95.5%", ("9.55", 1, 2)],
    ["其中：当年财政拨款", "1,500.00", "1,500.00", "1,440.00", "—", "96.0%", ("—", 1, 2)],
    ["上年结转资金", "0.00", "100.00", "88.00", "—", "88.0%", ("—", 1, 2)],
    ["其他资金", "0.00", "0.00", "0.00", "—", "—", ("—", 1, 2)],
    [("年度总体目标", 2, 1), ("预期目标", 1, 4), ("实际完成情况", 1, 4)],
    [
        ("完成全市农村公路日常养护里程3200公里，实施危桥改造12座，优良中等路率达到85%以上。", 1, 4),
        (
            "完成农村公路日常养护3215公里，改造危桥11座（1座因汛期延至2024年一季度完工），"
            "优良中等路率达86.3%。",
            1,
            4,
        ),
    ],
    [
        ("绩效指标", 9, 1),
        "一级指标",
        "二级指标",
        "三级指标",
        "年度指标值",
        "实际完成值",
        "分值",
        "得分",
        "偏差原因分析及改进措施",
    ],
    [
        ("产出指标", 5, 1),
        ("数量指标", 2, 1),
        "日常养护里程",
        "≥3200公里",
        "3215公里",
        "10",
        "10",
        "",
    ],
    [
        "危桥改造数量",
        "＝12座",
        "11座",
        "10",
        "9",
        "1座危桥因汛期停工，已于2024年3月完工；今后提前安排汛期施工计划。",
    ],
    ["质量指标", "优良中等路率", "≥85%", "86.3%", "10", "10", ""],
    ["时效指标", "养护任务完成时间", "2023年12月31日前", "2023年12月28日", "10", "10", ""],
    ["成本指标", "每公里养护成本", "≤0.45万元", "0.44万元", "10", "10", ""],
    [("效益指标", 2, 1), "社会效益指标", "农村公路列养率", "＝100%", "100%", "15", "15", ""],
    ["可持续影响指标", "路网通行条件", "明显改善", "明显改善", "15", "15", ""],
    [
        "满意度指标",
        "服务对象满意度指标",
        "沿线群众满意度",
        "≥90%",
        "92%",
        "10",
        "9.5",
        "群众对雨季通行条件意见较多，下年度加强排水设施养护。",
    ],
    [("总分", 1, 6), "100", "98.05", ""],
]


def make_xlsx(path: Path) -> None:
    wb = Workbook()
    ws = wb.active
    ws.title = "自评表"
    ws.append(["项目支出绩效自评表"])
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=9)
    ws.append(["（2023年度）"])
    ws.merge_cells(start_row=2, start_column=1, end_row=2, end_column=9)
    _write_rows(ws, CHANGSHA, 3, ruled=True)
    wb.save(str(path))


# --- 北京市东城区教育委员会: 部门整体, a saved web page -----------------------------------------

DONGCHENG: Rows = [
    ["部门(单位)名称", ("北京市东城区教育委员会", 1, 7)],
    [
        "年度绩效目标",
        (
            "保障全区义务教育学校正常运转，推进义务教育优质均衡发展，完成校舍安全改造和教师"
            "培训任务，办好人民满意的教育。",
            1,
            7,
        ),
    ],
    [
        "一级指标",
        "二级指标",
        "三级指标",
        "指标性质",
        "指标值",
        "度量单位",
        "权重（%）",
        "指标方向性",
    ],
    [
        ("产出指标", 6, 1),
        ("数量指标", 2, 1),
        "义务教育阶段学校保障数量",
        "＝",
        "58",
        "所",
        "10",
        "正向指标",
    ],
    ["教师培训人次", "≥", "3200", "人次", "10", "正向指标"],
    [("质量指标", 2, 1), "校舍安全改造项目验收合格率", "＝", "100", "%", "10", "正向指标"],
    ["义务教育巩固率", "≥", "99.5", "%", "10", "正向指标"],
    ["时效指标", "校舍改造完成时间", "定性", "暑期内完成", "", "10", "正向指标"],
    ["成本指标", "生均公用经费", "≤", "0.32", "万元/人", "10", "反向指标"],
    [("效益指标", 2, 1), "社会效益指标", "适龄儿童入学率", "＝", "100", "%", "15", "正向指标"],
    ["可持续影响指标", "校园安全责任事故发生次数", "≤", "0", "次", "10", "反向指标"],
    ["满意度指标", "服务对象满意度指标", "家长满意度", "≥", "90", "%", "15", "正向指标"],
]


def make_xls(path: Path) -> None:
    """The same self-evaluation as a legacy Excel 97-2003 workbook (BIFF8), as many county
    finance bureaus still publish."""
    import xlwt

    book = xlwt.Workbook(encoding="utf-8")
    sheet = book.add_sheet("自评表")
    sheet.write_merge(0, 0, 0, 8, "项目支出绩效自评表")
    sheet.write_merge(1, 1, 0, 8, "（2023年度）")
    cells, _ = place(CHANGSHA)
    for r, c, text, rs, cs in cells:
        if rs > 1 or cs > 1:
            sheet.write_merge(2 + r, 2 + r + rs - 1, c, c + cs - 1, text)
        else:
            sheet.write(2 + r, c, text)
    book.save(str(path))


def make_html(path: Path) -> None:
    cells, _ = place(DONGCHENG)
    rows: dict[int, list[str]] = {}
    for r, _c, text, rs, cs in cells:
        span = (f' rowspan="{rs}"' if rs > 1 else "") + (f' colspan="{cs}"' if cs > 1 else "")
        rows.setdefault(r, []).append(f"<td{span}>{html.escape(text)}</td>")
    body = "\n".join(f"<tr>{''.join(tds)}</tr>" for _, tds in sorted(rows.items()))
    page = f"""<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8">
<title>北京市东城区教育委员会2024年部门整体绩效目标申报表_东城区人民政府网站</title></head>
<body>
<div class="nav">首页 &gt; 政务公开 &gt; 财政预决算</div>
<h2>北京市东城区教育委员会2024年部门整体绩效目标申报表</h2>
<p>（2024年度）</p>
<table border="1" cellspacing="0">
{body}
</table>
<p>发布日期：2024-02-06</p>
</body></html>
"""
    path.write_text(page, encoding="utf-8")


def make_zip(path: Path) -> None:
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as z:
        z.write(HERE / "web" / "dongcheng_education_2024.html", "北京/东城区教委.html")
        z.write(HERE / "filings" / "mianyang_education_2024.txt", "四川/绵阳市教体局.txt")


def main() -> None:
    for folder in ("office", "web", "archives"):
        (HERE / folder).mkdir(exist_ok=True)
    make_docx(HERE / "office" / "zhaoqing_agriculture_2024.docx")
    # The Word file printed to PDF, the way it gets published: three tables in one PDF.
    from make_office_pdfs import to_pdf

    to_pdf(
        HERE / "office" / "zhaoqing_agriculture_2024.docx",
        HERE / "pdf" / "zhaoqing_agriculture_2024.pdf",
    )
    make_xlsx(HERE / "office" / "changsha_rural_roads_2023_self_evaluation.xlsx")
    make_stacked_xlsx(HERE / "office" / "zhaoqing_projects_2024_one_sheet.xlsx")
    make_xls(HERE / "office" / "changsha_rural_roads_2023_self_evaluation.xls")
    make_html(HERE / "web" / "dongcheng_education_2024.html")
    make_zip(HERE / "archives" / "regional_2024.zip")
    print("written the docx, xlsx, html and zip samples")


if __name__ == "__main__":
    main()
