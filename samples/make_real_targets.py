"""Target tables (绩效目标表) rebuilt from real published pages, as the departments would have
published them: office and web files with the merged cells the flattened excerpts imply. Cut-off
rows are completed in the same style; names and values are the real ones, OCR damage repaired
the way the original printed it. Each golden expected/{name}.json was written by a person from
the table, not from jixiao's output.

    python samples/make_real_targets.py

writes, in samples/real/:
- jingyan_matazhen_2023_projects_summary.xlsx, from
  https://m.qbidia.com/jyx/zjgk/202412/baa621fd1ec74c86bf45aa16dfd0603d.shtml
  (四川·乐山·井研县马踏镇 部门预算项目绩效目标申报表, several projects in one table: 金额单位:元,
  one row per indicator, 项目名称 | 预算数 | 年度目标 merged down over the project's rows, a
  department subtotal row; the third project completes the subtotal 8,827,620.53);
- ezhou_office_building_2022_project.docx, from https://desk33.com/d-245426.html
  (湖北·鄂州 市直部门预算项目支出绩效目标表: 项目类别 | 项目性质 | 立项依据, a 成本测算 block
  with 2020/2021 actual executions, 绩效标准 column, 成本指标 as a 一级; '292%' was '≥92%',
  '滨湖大胆' was '滨湖大厦');
- hubei_prior_year_2022_project.xlsx, from
  https://www.qingshan.gov.cn/qzfbm/zfgzbm/jyj/czxx/zxzj/ywjygz/202101/t20210105_1589009.shtml
  (武汉·青山区 绩效目标表: 指标内容, '稳步提高', two 满意度 rows under 效益指标) set in the Hubei
  layout with a prior-year column, 2021年实际实现值 | 预期2022年实现值 (as
  https://desk33.com/d-245426.html's 2020/2021 columns; the 2021 values are made up);
- traditional_training_2023_project.html, from
  http://www.clix4bitcoin.com/periodical/8/FLASH/data/63.html (通用共性指標庫, traditional
  characters, 培訓類項目 with the unit in the indicator's name, 效果指標 as a 一級); the
  project, department and figures are made up, the pinyin notes of the mirror left out;
- beijing_covid_bonds_2020_bundled_project.docx, from
  http://13560281748.com/xwzx/ztzl/yjjsgk/bmyjsgk/2020nysgk/202103/t20210304_5374860.html
  (北京 抗疫特别国债项目绩效目标表(打捆项目): '2020年1月--2020年11月', '≤620万/月', '1次/月');
  the mirror's vandalised names (狗万…) replaced by 北京市丰台区, a guess.

The three web forms in samples/forms/kpi_form_{dbjs,dtg,fzzl}.html are copies of real pages of a
项目支出绩效评价 system, not written by this script. Needs python-docx and openpyxl."""

from __future__ import annotations

import html
from pathlib import Path

from docx import Document
from make_regional import Rows, _text_cell, _write_rows, place
from openpyxl import Workbook

HERE = Path(__file__).resolve().parent
REAL = HERE / "real"


# --- 井研县马踏镇: 部门预算项目绩效目标申报表 (several projects), .xlsx ---------------------------

JINGYAN_HEADER = [
    "单位名称",
    "项目名称",
    "预算数",
    "年度目标",
    "一级指标",
    "二级指标",
    "三级指标",
    "指标性质",
    "指标值",
    "度量单位",
    "权重",
    "指标方向性",
]

# (项目名称, 预算数, 年度目标, indicators: 一级, 二级, 三级, 指标性质, 指标值, 度量单位, 权重)
JINGYAN_PROJECTS: list[tuple[str, str, str, list[tuple[str, ...]]]] = [
    (
        "村组干部报酬",
        "3,309,840.00",
        "按时发放村组干部报酬",
        [
            ("效益指标", "社会效益指标", "维护社会稳定", "≥", "95", "%", "10"),
            ("产出指标", "时效指标", "维持时效", "≥", "1", "年", "20"),
            ("产出指标", "质量指标", "按时发放", "≥", "1", "人/年", "10"),
            ("效益指标", "经济效益指标", "促进村集体经济发展", "≥", "95", "%", "10"),
            ("产出指标", "数量指标", "村组干部230人", "≥", "230", "个", "10"),
            ("效益指标", "生态效益指标", "保护生态环境卫生", "≥", "95", "%", "10"),
            ("效益指标", "可持续影响指标", "项目维持时效", "≥", "95", "%", "10"),
            ("满意度指标", "服务对象满意度指标", "人民群众满意度", "≥", "95", "%", "10"),
        ],
    ),
    (
        "基层组织活动经费",
        "660,000.00",
        "包括必要的办公用品费、水电费、报刊费等村社区办公经费,基层党组织开展组织活动、"
        "党员干部教育培训,群团活动开展,组织活动场所维护等。",
        [
            ("满意度指标", "服务对象满意度指标", "辖区内群众满意度", "≥", "95", "%", "10"),
            ("效益指标", "经济效益指标", "促进农村集体经济发展", "≥", "95", "%", "10"),
            ("效益指标", "可持续影响指标", "经济、环境等方面可持续发展", "≥", "95", "%", "10"),
            ("产出指标", "质量指标", "保障村社区正常运转", "≥", "95", "%", "20"),
            ("产出指标", "数量指标", "行政村数量", "=", "11", "个", "10"),
            # cut off in the excerpt from here on; completed in the same style
            ("产出指标", "时效指标", "经费及时拨付", "≥", "1", "年", "20"),
            ("效益指标", "社会效益指标", "基层组织服务能力提升", "≥", "95", "%", "10"),
            ("效益指标", "生态效益指标", "改善村容村貌", "≥", "95", "%", "10"),
        ],
    ),
    (
        "场镇环境卫生及基础设施运行维护",
        "4,857,780.53",
        "开展场镇环境卫生保洁、生活垃圾清运和公共基础设施维护,改善场镇及农村人居环境。",
        [
            ("产出指标", "数量指标", "场镇保洁面积", "≥", "12", "万平方米", "20"),
            ("效益指标", "社会效益指标", "群众生活环境改善", "≥", "95", "%", "10"),
            ("产出指标", "质量指标", "生活垃圾清运率", "≥", "95", "%", "20"),
            ("效益指标", "生态效益指标", "保护生态环境卫生", "≥", "95", "%", "10"),
            ("产出指标", "时效指标", "项目完成时限", "≤", "1", "年", "10"),
            ("效益指标", "可持续影响指标", "项目维持时效", "≥", "95", "%", "10"),
            ("满意度指标", "服务对象满意度指标", "人民群众满意度", "≥", "95", "%", "20"),
        ],
    ),
]


def jingyan_rows() -> Rows:
    unit_rows = sum(len(p[3]) for p in JINGYAN_PROJECTS)
    rows: Rows = [
        JINGYAN_HEADER,
        [("820-马踏镇部门", 1, 2), "8,827,620.53", *[""] * 9],
    ]
    for k, (name, amount, goal, indicators) in enumerate(JINGYAN_PROJECTS):
        n = len(indicators)
        for j, (l1, l2, l3, nature, value, unit, weight) in enumerate(indicators):
            row: list[str | tuple[str, int, int]] = []
            if k == 0 and j == 0:
                row.append(("820001-井研县马踏镇人民政府", unit_rows, 1))
            if j == 0:
                row += [(name, n, 1), (amount, n, 1), (goal, n, 1)]
            row += [l1, l2, l3, nature, value, unit, weight, "正向指标"]
            rows.append(row)
    return rows


def make_jingyan(path: Path) -> None:
    wb = Workbook()
    ws = wb.active
    ws.title = "项目绩效目标"
    width = len(JINGYAN_HEADER)
    _text_cell(ws, 1, 1, "部门预算项目绩效目标申报表(2023年度)")
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=width)
    _text_cell(ws, 2, 1, "金额单位:元")
    ws.merge_cells(start_row=2, start_column=1, end_row=2, end_column=width)
    rows = jingyan_rows()
    _write_rows(ws, rows, 3, ruled=True)
    # The budget export writes amounts as numbers shown with thousands separators.
    for r, c, text, _rs, _cs in place(rows)[0]:
        if c == 2 and r > 0:
            cell = ws.cell(row=3 + r, column=3)
            cell.value = float(text.replace(",", ""))
            cell.number_format = "#,##0.00"
    ws.column_dimensions["A"].width = 18
    ws.column_dimensions["D"].width = 30
    ws.column_dimensions["G"].width = 22
    wb.save(str(path))


# --- 鄂州市机关事务服务中心: 市直部门预算项目支出绩效目标表, .docx -----------------------------

EZHOU_INDICATORS: Rows = [
    [
        ("产出指标", 5, 1),
        ("数量指标", 2, 1),
        "办公大楼日常维修维护次数",
        "反映办公大楼全年维修维护情况",
        "≥280次",
        (
            "严格执行保安、保洁服务合同，按月开展服务质量考核；建立设施设备维修维保台账，"
            "落实节能降耗措施，各项费用据实结算，不突破预算。",
            10,
            1,
        ),
    ],
    ["大楼安检巡察次数", "反映大楼保卫巡检情况", "200次"],
    [
        ("质量指标", 3, 1),
        "办公大楼日常维修维护验收合格率",
        "反映办公大楼全年维修维护质量情况",
        "≥92%",
    ],
    ["经常性大型设备更新验收合格率", "反映办公大楼大型设备更新验收情况", "≥92%"],
    ["重要设备维修维保验收合格率", "反映设备设施维保质量情况", "≥95%"],
    [("成本指标", 2, 1), ("经济成本指标", 2, 1), "成本控制率", "", "不超预算"],
    # cut off in the excerpt from here on; completed in the same style
    ["水电气消耗下降率", "反映水电气消耗比上年下降情况", "≥2%"],
    [
        ("效益指标", 2, 1),
        "社会效益指标",
        "办公大楼安全运行",
        "反映办公大楼全年安全运行情况",
        "无重大安全责任事故",
    ],
    ["可持续影响指标", "设施设备完好率", "反映设施设备长期稳定运行情况", "≥95%"],
    [
        "满意度指标",
        "服务对象满意度指标",
        "入驻单位满意度",
        "反映入驻单位对大楼运行保障服务的满意程度",
        "≥90%",
    ],
]

EZHOU: Rows = [
    ["项目名称", ("滨湖大厦办公大楼运行保障", 1, 5)],
    ["项目类别", ("本级支出项目", 1, 2), "项目性质", ("持续性项目", 1, 2)],
    ["立项依据", ("市机关事务服务中心三定方案", 1, 5)],
    ["项目预算成本构成", "金额", ("测算(公式)依据", 1, 2), "2020年实际执行数", "2021年实际执行数"],
    ["保安服务费", "191", ("依据招标文件", 1, 2), "191", "191"],
    ["保洁服务费", "99", ("依据招标文件", 1, 2), "99", "99"],
    ["水电气、维修维护费", "524", ("根据三定方案,各项费用据实结算", 1, 2), "372.88", "504.55"],
    ["合计", "814", ("", 1, 2), "662.98", "794.55"],
    [
        "绩效目标",
        ("以办公大楼服务对象满意为目标,着力打造文明型机关、卫生型机关。", 1, 5),
    ],
    [("绩效指标", 1, 5), ("保障绩效目标实现措施", 2, 1)],
    ["一级指标", "二级指标", "三级指标", "绩效标准", "当年预期实现值"],
    *EZHOU_INDICATORS,
]


def _docx_table(doc: Document, rows: Rows) -> None:
    cells, width = place(rows)
    table = doc.add_table(rows=len(rows), cols=width)
    table.style = "Table Grid"
    for r, c, text, rs, cs in cells:
        cell = table.cell(r, c)
        if rs > 1 or cs > 1:
            cell = cell.merge(table.cell(r + rs - 1, c + cs - 1))
        cell.text = text


def make_ezhou(path: Path) -> None:
    doc = Document()
    doc.add_paragraph("鄂州市2022年市直部门预算项目支出绩效目标表")
    doc.add_paragraph("填报单位：鄂州市机关事务服务中心")
    doc.add_paragraph("单位：万元")
    _docx_table(doc, EZHOU)
    doc.add_paragraph("主管部门审核意见：")
    doc.add_paragraph("单位公章：　　　　年　　月　　日")
    doc.save(str(path))


# --- 武汉市青山区教育局: 项目支出绩效目标表 with a prior-year column, .xlsx ------------------

QINGSHAN: Rows = [
    ["项目名称", ("农村义务教育薄弱学校改造补助资金", 1, 5)],
    ["项目主管部门", ("青山区教育局", 1, 2), "项目执行单位", ("化工区学校", 1, 2)],
    [("资金情况（万元）", 2, 1), ("年度资金总额", 1, 2), ("16", 1, 3)],
    [("其中：上级资金", 1, 2), ("16", 1, 3)],
    [("总体目标", 2, 1), ("年度目标", 1, 5)],
    [
        (
            "全面改善农村义务教育薄弱学校办学条件,扩大基础教育资源,进一步提高义务教育均衡"
            "发展水平。",
            1,
            5,
        )
    ],
    [
        ("绩效指标", 10, 1),
        "一级指标",
        "二级指标",
        "指标内容",
        "2021年实际实现值",
        "预期2022年实现值",
    ],
    [("产出指标", 6, 1), "数量指标", "农村义务教育学校改造覆盖率", "100%", "100%"],
    [("质量指标", 2, 1), "校舍维修改造质量合格率", "100%", "100%"],
    ["购置设施设备质量合格率", "100%", "100%"],
    [("时效指标", 2, 1), "预算资金当年下达率", "100%", "100%"],
    ["项目按计划完成率", "100%", "100%"],
    ["成本指标", "建设项目成本控制率", "100%", "100%"],
    [
        ("效益指标", 3, 1),
        "可持续影响指标",
        "义务教育优质均衡发展情况",
        "有所提高",
        "稳步提高",
    ],
    [("社会公众或服务对象满意度指标", 2, 1), "学生家长满意度", "92%", "≥90%"],
    ["学校满意度", "95%", "≥90%"],
]


def make_qingshan(path: Path) -> None:
    wb = Workbook()
    ws = wb.active
    ws.title = "绩效目标表"
    _, width = place(QINGSHAN)
    _text_cell(ws, 1, 1, "武汉市青山区2022年项目支出绩效目标表")
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=width)
    _text_cell(ws, 2, 1, "（2022年度）")
    ws.merge_cells(start_row=2, start_column=1, end_row=2, end_column=width)
    _write_rows(ws, QINGSHAN, 3, ruled=True)
    ws.column_dimensions["D"].width = 28
    wb.save(str(path))


# --- 佛山市財政局: 項目支出績效目標表 in traditional characters, a reposted web page -------------

TRAINING: Rows = [
    ["項目名稱", ("財政幹部業務培訓", 1, 4)],
    ["主管部門", "佛山市財政局", "實施單位", ("佛山市財政局人事科", 1, 2)],
    [("項目資金（萬元）", 3, 1), ("年度資金總額", 1, 3), "90.00"],
    [("其中：財政撥款", 1, 3), "90.00"],
    [("其他資金", 1, 3), "0.00"],
    [
        "年度目標",
        (
            "全年組織財政幹部業務培訓班12期，培訓600人，培訓合格率達到98%以上，提升財政幹部"
            "依法理財和業務履職能力。",
            1,
            4,
        ),
    ],
    [("績效指標", 8, 1), "一級指標", "二級指標", "三級指標", "指標值"],
    [("產出指標", 6, 1), ("數量指標", 2, 1), "組織培訓班次(次)", "12"],
    ["培訓參加人數(人)", "600"],
    [("質量指標", 2, 1), "培訓出勤率(%)", "≥95"],
    ["培訓合格率(%)", "≥98"],
    ["時效指標", "培訓計劃完成時間", "2023年12月31日前"],
    ["成本指標", "人均培訓成本(元)", "≤1500"],
    ["效果指標", "滿意度指標", "受訓學員滿意度(%)", "≥90"],
]


def _html_table(rows: Rows) -> str:
    cells, _ = place(rows)
    by_row: dict[int, list[str]] = {}
    for r, _c, text, rs, cs in cells:
        span = (f' rowspan="{rs}"' if rs > 1 else "") + (f' colspan="{cs}"' if cs > 1 else "")
        by_row.setdefault(r, []).append(f"<td{span}>{html.escape(text)}</td>")
    return "\n".join(f"<tr>{''.join(tds)}</tr>" for _, tds in sorted(by_row.items()))


def make_training(path: Path) -> None:
    page = f"""<!DOCTYPE html>
<html lang="zh-Hant"><head><meta charset="utf-8">
<title>佛山市財政局2023年項目支出績效目標表 - 預算公開轉載</title></head>
<body>
<div class="nav">首頁 &gt; 財政資訊 &gt; 預算公開</div>
<h2>2023年項目支出績效目標表</h2>
<p>（2023年度）</p>
<table border="1" cellspacing="0" style="border-collapse:collapse">
{_html_table(TRAINING)}
</table>
<p>來源：佛山市財政局　轉載日期：2023-03-02</p>
</body></html>
"""
    path.write_text(page, encoding="utf-8")


# --- 北京市丰台区城市管理委员会: 抗疫特别国债项目绩效目标表(打捆项目), .docx -----------------

PERIOD = "2020年1月--2020年11月"
BEIJING: Rows = [
    [("抗疫特别国债项目绩效目标表(打捆项目)", 1, 6)],
    [("(2020年度)", 1, 6)],
    ["项目名称", ("疫情期间区域病媒防治环境卫生清洁等费用", 1, 5)],
    [
        "主管预算部门",
        ("北京市丰台区城市管理委员会", 1, 2),
        "项目预算金额 (万元)",
        ("5652", 1, 2),
    ],
    [
        "绩效目标",
        (
            "1.按《北京市市容环境卫生管理条例》及疫情期间各项文件规定,为提升我区环境卫生质量、"
            "坚决杜绝病媒传播的需要,搞好污染防治、环境卫生保洁消杀工作,开展我区环境卫生治理"
            "工作。2.工作由服务外包公司承担,采用服务外包方式,达到干净整洁、生活垃圾日产日清的"
            "效果。",
            1,
            5,
        ),
    ],
    [("绩效指标", 12, 1), "一级指标", "二级指标", "三级指标", ("指标值", 1, 2)],
    [
        ("产出指标", 8, 1),
        ("数量指标", 3, 1),
        "清扫保洁道路面积",
        ("1346.0088万平方米", 1, 2),
    ],
    ["清扫保洁道路条数", ("485条", 1, 2)],
    ["生活垃圾运输车辆", ("283辆", 1, 2)],
    ["质量指标", "垃圾无害化处理率", ("100%", 1, 2)],
    [("时效指标", 3, 1), "城市道路以克论净量化考核", ("1次/月", 1, 2)],
    ["环境卫生专项考核", ("1次/月", 1, 2)],
    ["各项费用使用周期", (PERIOD, 1, 2)],
    ["成本指标", "人工成本", ("≤620万/月", 1, 2)],
    [("效益指标", 2, 1), "社会效益指标", "清扫保洁覆盖率", ("≥99%", 1, 2)],
    ["可持续影响指标", "保障期限", (PERIOD, 1, 2)],
    ["满意度指标", "服务对象满意度指标", "周围群众满意度", ("≥90%", 1, 2)],
]


def make_beijing(path: Path) -> None:
    doc = Document()
    _docx_table(doc, BEIJING)
    doc.save(str(path))


def main() -> None:
    REAL.mkdir(exist_ok=True)
    make_jingyan(REAL / "jingyan_matazhen_2023_projects_summary.xlsx")
    make_ezhou(REAL / "ezhou_office_building_2022_project.docx")
    make_qingshan(REAL / "hubei_prior_year_2022_project.xlsx")
    make_training(REAL / "traditional_training_2023_project.html")
    make_beijing(REAL / "beijing_covid_bonds_2020_bundled_project.docx")
    print("written the real target-table samples in samples/real/")


if __name__ == "__main__":
    main()
