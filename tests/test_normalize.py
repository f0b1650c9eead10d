"""normalize/: fill-down by meaning, the funds checks, 职能 repair, header fields."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import SEED
from jixiao.extract import extract_bytes
from jixiao.normalize import Filing, Indicator, MainFunction, NormalizeError, normalize
from jixiao.normalize.header import text_to_main_functions, text_to_staffing

SEED_TEXT = SEED.read_text(encoding="utf-8")


def _normalize(text: str) -> Filing:
    return normalize(extract_bytes(text.encode("utf-8"), "test.txt"))


def _tampered(old: str, new: str) -> Filing:
    assert SEED_TEXT.count(old) == 1
    return _normalize(SEED_TEXT.replace(old, new))


def test_seed_funds_add_up() -> None:
    filing = _normalize(SEED_TEXT)
    assert not [f for f in filing.findings if f.code == "funds_do_not_add_up"]
    by_name = {f.name: f for f in filing.fund_lines}
    projects = [f for f in filing.fund_lines if f.parent == "项目支出"]
    for column in ("half_year_plan", "full_year_budget"):
        total = sum((getattr(p, column) for p in projects), Decimal(0))
        assert total == getattr(by_name["项目支出"], column)
    assert (
        by_name["基本支出"].full_year_budget + by_name["项目支出"].full_year_budget
        == by_name["资金总额"].full_year_budget
    )


def test_tampered_basic_spending_breaks_the_balance() -> None:
    filing = _tampered("基本支出\t\t2113.75\t4744.96", "基本支出\t\t2113.75\t4754.96")
    warnings = [f for f in filing.findings if f.code == "funds_do_not_add_up"]
    assert len(warnings) == 1
    w = warnings[0]
    assert w.severity == "warning"
    assert "基本支出 + 项目支出" in w.message and "资金总额" in w.message
    assert "10.00" in w.message  # the difference
    assert w.location == "line 12, cell 3"  # the 资金总额 line
    assert filing.status == "partial"


def test_tampered_project_line_names_the_parent_and_column() -> None:
    filing = _tampered("涉外宣传经费\t0\t10", "涉外宣传经费\t0.5\t10")
    (w,) = [f for f in filing.findings if f.code == "funds_do_not_add_up"]
    assert "17 lines under 项目支出" in w.message
    assert "半年计划执行数" in w.message and "0.50" in w.message
    assert w.location == "line 23, cell 3"


def test_tampered_fiscal_subline() -> None:
    filing = _tampered("\t\t\t政府性基金\t\t0", "\t\t\t政府性基金\t\t12.5")
    codes = [(f.code, f.location) for f in filing.findings if f.severity == "warning"]
    assert ("funds_do_not_add_up", "line 13, cell 3") in codes  # 财政拨款's sub-lines


def test_amounts_in_yuan_are_converted() -> None:
    text = SEED_TEXT.replace("部门整体 资金(万 元)", "部门整体资金(元)")
    filing = _normalize(text.replace("20948.46", "209484600"))
    total = next(f for f in filing.fund_lines if f.name == "资金总额")
    assert total.full_year_budget == Decimal("20948.46")
    assert any(f.code == "amounts_converted" for f in filing.findings)


HEADER = "一级指标\t二级指标\t三级指标\t半年指标值\t全年指标值\n"


def test_lone_level1_line_fills_the_rows_above_it() -> None:
    text = (
        "2024年度\n单位名称\t某局\n"
        + HEADER
        + "决策\t计划\t甲\t健全\t健全\n"
        + "一级指标\t二级指标\t重点工作\t三级指标\t半年指标值\t全年指标值\n"
        + "\t职能1：做事\t任务A\t乙\t=1次\t=2次\n"
        + "\t\t任务B\t丙\t=1次\t=2次\n"
        + "\n履职\n\n"
        + "\t\t丁\t=1次\t=2次\n"
    )
    filing = _normalize(text)
    # Regression: the lone 履职 line used to reset 重点工作, so 丁 lost 任务B.
    assert [(i.level1, i.level3, i.key_task) for i in filing.indicators] == [
        ("决策", "甲", None),
        ("履职", "乙", "任务A"),
        ("履职", "丙", "任务B"),
        ("履职", "丁", "任务B"),
    ]


def test_repeated_header_at_a_page_top_does_not_reset_the_fill() -> None:
    text = (
        "2024年度\n单位名称\t某局\n"
        + HEADER
        + "过程\t预算执行\t甲\t=0%\t=0%\n"
        + HEADER
        + "\t\t乙\t=0%\t=0%\n"
    )
    filing = _normalize(text)
    assert [(i.level1, i.level2) for i in filing.indicators] == [("过程", "预算执行")] * 2


def test_placeholder_rows_are_not_indicators() -> None:
    text = (
        "2024年度\n单位名称\t某局\n" + HEADER + "效益指标\t经济效益\t甲\t稳定\t稳定\t\n"
        "\t社会效益\t\t\t\t\n\t生态效益\t\t\t\t\n"
    )
    filing = _normalize(text)
    assert [i.level3 for i in filing.indicators] == ["甲"]
    assert filing.status == "ok"


def test_values_without_a_name_are_reported() -> None:
    text = "2024年度\n单位名称\t某局\n" + HEADER + "决策\t计划\t甲\t健全\t健全\n\t\t\t=1次\t=2次\n"
    filing = _normalize(text)
    assert [f.code for f in filing.findings] == ["values_without_indicator"]
    assert filing.status == "partial"


def test_level1_that_never_appears_is_reported() -> None:
    filing = _normalize("2024年度\n单位名称\t某局\n" + HEADER + "\t计划\t甲\t健全\t健全\n")
    assert any(f.code == "level1_unknown" for f in filing.findings)


def test_paraphrased_function_is_linked_not_repaired() -> None:
    # Regression: 职能5 says "协调和管理等工作" where 主要职能 (六) says "协调和管理工作"; an
    # undamaged cell must be kept as printed.
    filing = _normalize(SEED_TEXT)
    fifth = next(i for i in filing.indicators if i.level3 == "完成评估报告数量")
    assert fifth.level2 == "职能5：按规定负责全市国家级、省级开发区的指导、服务、协调和管理等工作"
    assert fifth.level2_raw is None and fifth.function_seq == 6
    repaired = [f for f in filing.findings if f.code == "function_text_repaired"]
    assert [f.location for f in repaired] == ["line 79, cell 3; line 81, cell 1"]


def test_main_functions_split_without_paragraph_tags() -> None:
    items = text_to_main_functions("(一) 甲事。(二) 乙事。（三）丙事等")
    assert [(m.seq, m.text) for m in items] == [(1, "甲事。"), (2, "乙事。"), (3, "丙事等")]


def test_staffing_numbers() -> None:
    staffing = text_to_staffing(
        "人员配置:机关现有行政编制92名,实际用编人数91名,行政附属编制0名,"
        "下属事业单位有全额事业编制14名,实际用编人数10名。"
    )
    assert (
        staffing.admin_quota,
        staffing.admin_in_use,
        staffing.admin_aux_quota,
        staffing.institution_quota,
        staffing.institution_in_use,
    ) == (92, 91, 0, 14, 10)


@pytest.mark.parametrize("text", ["会议通知\n各单位：\n请准时参加。\n", "a\tb\nc\td\n"])
def test_not_a_filing(text: str) -> None:
    with pytest.raises(NormalizeError, match="does not look like"):
        _normalize(text)


def test_traditional_characters_are_read_and_matched() -> None:
    text = (
        "2024年度\n單位名稱\t某局\n一級指標\t二級指標\t三級指標\t半年指標值\t全年指標值\n"
        "過程\t預算執行\t預算執行率\t=50%\t=100%\n"
    )
    filing = _normalize(text)
    assert filing.department == "某局"
    indicator = filing.indicators[0]
    assert (indicator.level1, indicator.level3) == ("過程", "預算執行率")  # stored as printed
    assert indicator.canonical_name == "预算执行率"


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.text(alphabet="甲乙丙。,(含区域)", min_size=1, max_size=12), min_size=1, max_size=10
    )
)
def test_main_functions_split_at_every_numbered_item(bodies: list[str]) -> None:
    # Items written on one line ("(一) …(二) …") come apart again, none lost, none merged.
    numerals = "一二三四五六七八九十"
    text = "".join(f"({numerals[k]}) {body}" for k, body in enumerate(bodies))
    items = text_to_main_functions(text)
    assert [m.text for m in items] == bodies
    assert [m.seq for m in items] == list(range(1, len(bodies) + 1))


def _ocr_doc(rows: list[tuple[str, str, str, str, str, float]]) -> Filing:
    from jixiao.extract import Cell, Paragraph, RawDocument, Table

    header = ("一级指标", "二级指标", "三级指标", "半年指标值", "全年指标值")
    table_rows = [tuple(Cell(t, 1, k, page=1) for k, t in enumerate(header))]
    table_rows.append((Cell("单位名称", 0, 0), Cell("某局", 0, 1)))
    table_rows.reverse()
    for r, (l1, l2, l3, h1, fy, score) in enumerate(rows, start=2):
        table_rows.append(
            tuple(
                Cell(t, r, k, page=1, confidence=score) for k, t in enumerate((l1, l2, l3, h1, fy))
            )
        )
    doc = RawDocument(
        "x.pdf", "0" * 64, "pdf-scanned", (Paragraph("2024年度", page=1), Table(tuple(table_rows)))
    )
    return normalize(doc)


def test_ocr_confusions_repaired_where_context_decides() -> None:
    filing = _ocr_doc(
        [
            ("决策", "预算编制", "预算执行率", "2100%", "≥100%", 0.95),  # ≥ read as 2
            ("", "", "支付进度符合率", "=10096", "=100%", 0.95),  # % read as 96
            ("", "", "政府采购执行率", "Q10%", "=1O0%", 0.95),  # ≤ as Q, 0 as O
            ("", "", "组织活动次数", "2100", "=2次", 0.95),  # not a rate: left alone
        ]
    )
    raw = [[t.raw for t in i.targets] for i in filing.indicators]
    assert raw == [["≥100%", "≥100%"], ["=100%", "=100%"], ["≤10%", "=100%"], ["2100", "=2次"]]
    first = filing.indicators[0].targets[0]
    assert (first.ocr_text, first.comparator, first.value) == ("2100%", "≥", Decimal(100))
    repaired = [f for f in filing.findings if f.code == "ocr_repaired"]
    assert len(repaired) == 4 and all(f.severity == "info" for f in repaired)
    assert filing.indicators[3].targets[0].ocr_text is None


def test_ocr_misreads_of_words_and_marks_repaired_by_class() -> None:
    """Regression (samples/scans/classes, heavy noise): a judgement word one character off its
    sibling (含规 beside 合规) and two clause marks in a row in a name (、，) were kept."""
    filing = _ocr_doc(
        [
            ("决策", "预算编制", "非税收入管理合规性", "合规", "含规", 0.9),
            ("", "", "县域商业、，物流配送网点", "健全", "健全", 0.9),
            ("", "", "工作完成情况", "完成", "良好", 0.9),  # two real words: left alone
        ]
    )
    assert [[t.raw for t in i.targets] for i in filing.indicators] == [
        ["合规", "合规"],
        ["健全", "健全"],
        ["完成", "良好"],
    ]
    assert filing.indicators[0].targets[1].ocr_text == "含规"
    assert filing.indicators[1].level3 == "县域商业、物流配送网点"


def test_ocr_doubts_are_flagged_with_their_cell() -> None:
    filing = _ocr_doc(
        [
            ("决策", "预算编制", "预算执行率", "=47%", "=1OO%", 0.55),
            ("", "", "支付进度符合率", "约百分百", "=100%", 0.97),
        ]
    )
    codes = [(f.code, f.location) for f in filing.findings if f.severity == "warning"]
    assert ("ocr_low_confidence", "page 1, table 2, row 3, cell 4") in codes
    assert ("ocr_suspect_text", "page 1, row 4, cell 4") in codes


ATTRIBUTE_HEADER = "一级指标\t二级指标\t三级指标\t指标性质\t指标值\t度量单位\t指标方向\n"


def test_comparator_and_unit_in_columns_of_their_own() -> None:
    text = (
        "2024年度\n单位名称\t某县财政局\n"
        + ATTRIBUTE_HEADER
        + "产出指标\t数量指标\t培训人次\t≥\t300\t人次\t正向\n"
        + "\t\t培训合格率\t大于等于\t95\t%\t正向\n"
        + "\t质量指标\t差错率\t\t2\t%\t反向\n"
        + "\t\t资金拨付及时性\t定性\t及时\t\t\n"
        + "\t时效指标\t完成时间\t≤\t2024年11月\t\t\n"
    )
    filing = _normalize(text)
    got = [
        (i.level1, i.level2, i.level3, t.comparator, t.value, t.unit, t.effective_comparator)
        for i in filing.indicators
        for t in i.targets
    ]
    assert got == [
        ("产出指标", "数量指标", "培训人次", "≥", Decimal(300), "人次", "≥"),
        ("产出指标", "数量指标", "培训合格率", "≥", Decimal(95), "%", "≥"),
        ("产出指标", "质量指标", "差错率", None, Decimal(2), "%", "≤"),
        ("产出指标", "质量指标", "资金拨付及时性", None, None, None, None),
        ("产出指标", "时效指标", "完成时间", "≤", None, None, "≤"),
    ]
    assert [t.period for i in filing.indicators for t in i.targets] == ["FY"] * 5


def test_unit_column_contradicted_by_the_value() -> None:
    text = (
        "2024年度\n单位名称\t某局\n"
        + ATTRIBUTE_HEADER
        + "产出指标\t数量指标\t培训人数\t≥\t300人次\t个\t正向\n"
    )
    filing = _normalize(text)
    (conflict,) = [f for f in filing.findings if f.code == "unit_conflict"]
    assert "人次" in conflict.message and "个" in conflict.message
    assert filing.indicators[0].targets[0].unit == "人次"


def test_h1_above_fy_and_rates_above_100_are_flagged() -> None:
    text = (
        "2024年度\n单位名称\t某局\n"
        + HEADER
        + "产出\t数量\t培训场次\t=5场\t=3场\n"
        + "\t\t培训人数\t=60%\t=50%\n"  # a share, not a count: no finding
        + "\t质量\t验收合格率\t≥90%\t≥120%\n"
        + "\t\t预算偏差率\t≤150%\t≤150%\n"  # at most: fine
    )
    filing = _normalize(text)
    codes = {(f.code, f.location) for f in filing.findings}
    assert codes == {
        ("h1_above_fy", "line 4, cell 3"),
        ("rate_above_100", "line 6, cell 3"),
        # 预算偏差率 belongs under 过程, not 产出
        ("indicator_misplaced", "line 7, cell 3"),
    }


def test_seed_passes_the_target_checks() -> None:
    filing = _normalize(SEED_TEXT)
    assert not [f for f in filing.findings if f.code in ("h1_above_fy", "rate_above_100")]


@pytest.mark.parametrize(
    ("printed", "canonical"),
    [
        ("“三公经费”变动率", "三公经费变动率"),
        ('"三公"经费变动率', "三公经费变动率"),
        ("三公经费变动率", "三公经费变动率"),
        ("预算完成率", "预算执行率"),  # an alias in indicators.csv
        ("部门预算执行率（%）", "预算执行率"),  # jieba words: a qualifier more
        ("预箅执行率", "预算执行率"),  # OCR: one character misread
        ("项日管理制度健全性", "项目管理制度健全性"),  # OCR, and not 预算管理制度健全性
        ("業務學習與培訓及時性", "业务学习与培训及时性"),  # traditional characters
        ("服务对象满意度（%）", "服务对象满意度"),
        ("预算执行", None),  # a 二级 name, not the indicator 预算执行率
        ("建设数量", None),
        ("受扶持企业的满意度", None),
        ("省级服务贸易资金完成率", None),
    ],
)
def test_names_find_their_canonical_form(printed: str, canonical: str | None) -> None:
    from jixiao.normalize.names import name_to_canonical

    found = name_to_canonical(printed)
    assert (found[0].name if found else None) == canonical


def test_ocr_damaged_key_task_is_restored_from_its_clean_copy() -> None:
    from jixiao.normalize.functions import repair_ocr_key_tasks

    indicators = [
        Indicator(
            seq=1,
            level1="履职",
            level2="职能8",
            level3="甲",
            key_task="推进我市自由贸易试验区建设关工作",
        ),
        Indicator(
            seq=2,
            level1="履职",
            level2="职能8",
            level3="乙",
            key_task="推进我市自由贸易试验区建设关工作",
        ),
        Indicator(
            seq=3, level1="履职", level2="职能1", level3="丙", key_task="一刻钟便民生活圈建设"
        ),
    ]
    functions = [
        MainFunction(9, "贯彻执行…制度,负责推进我市自由贸易试验区建设相关工作。贯彻执行国家多双边")
    ]
    findings = repair_ocr_key_tasks(indicators, functions, [])
    assert [i.key_task for i in indicators] == [
        "推进我市自由贸易试验区建设相关工作",
        "推进我市自由贸易试验区建设相关工作",
        "一刻钟便民生活圈建设",
    ]
    assert [f.code for f in findings] == ["key_task_repaired"]


@pytest.mark.parametrize(
    ("title", "doc_type"),
    [
        # Regression: 项目支出绩效自评表 names 项目支出 too; it is a self-evaluation.
        ("项目支出绩效自评表", "self_evaluation"),
        ("2024年项目支出绩效目标表", "project"),
        ("苏州市市级部门整体预算绩效目标表", "department_overall"),
    ],
)
def test_title_to_doc_type(title: str, doc_type: str) -> None:
    from jixiao.normalize.header import title_to_doc_type

    assert title_to_doc_type(title) == doc_type


def test_initial_budget_column_is_not_the_full_year_budget() -> None:
    # Regression: 年初预算数 contains 预算数, the word of full_year_budget.
    from jixiao.extract import Cell
    from jixiao.normalize.funds import header_to_columns

    cells = [
        Cell(text=t, row=0, col=k) for k, t in enumerate(["年初预算数", "全年预算数", "执行率"])
    ]
    assert header_to_columns(cells) == ["initial_budget", "full_year_budget", "execution_rate"]


def test_empty_level2_row_on_a_ruled_table_is_not_an_indicator() -> None:
    """Regression: a ruled PDF table whose 效益指标 block opens with an empty 经济效益指标 row
    (三级 and 指标值 blank, 三级 spanning two grid columns). When normalize guessed the grid
    from bounding boxes, that row was read off the grid: 经济效益指标 became a target of the
    row above and the block kept 产出指标 as its 一级. The reader now says the table is a grid."""
    from jixiao.extract import Cell, Paragraph, RawDocument, Table

    rows = [
        [(0, 1, "一级指标"), (1, 1, "二级指标"), (2, 2, "三级指标"), (4, 1, "指标值")],
        [(0, 1, "产出指标"), (1, 1, "成本指标"), (2, 2, "健身器材采购成本"), (4, 1, "≤90万元")],
        [(0, 1, "效益指标"), (1, 1, "经济效益指标"), (2, 2, ""), (4, 1, "")],
        [(1, 1, "社会效益指标"), (2, 2, "经常参加体育锻炼人数比例"), (4, 1, "≥43%")],
        [(1, 1, "生态效益指标"), (2, 2, ""), (4, 1, "")],
    ]
    table = Table(
        tuple(
            tuple(
                Cell(
                    text,
                    r,
                    col,
                    col_span=span,
                    row_span=1,
                    page=1,
                    bbox=(col * 50.0, r * 20.0, (col + span) * 50.0, r * 20.0 + 20),
                )
                for col, span, text in row
            )
            for r, row in enumerate(rows)
        ),
        page=1,
        grid=True,
    )
    doc = RawDocument(
        "x.pdf",
        "0" * 64,
        "pdf",
        (
            Paragraph("2024年度项目支出绩效目标表", page=1),
            Paragraph("项目名称：某项目", page=1),
            table,
        ),
    )
    filing = normalize(doc)
    got = [(i.level1, i.level2, i.level3, [t.raw for t in i.targets]) for i in filing.indicators]
    assert got == [
        ("产出指标", "成本指标", "健身器材采购成本", ["≤90万元"]),
        ("效益指标", "社会效益指标", "经常参加体育锻炼人数比例", ["≥43%"]),
    ]


@pytest.mark.parametrize(
    ("printed", "flag"),
    [
        ("是", True),
        ("Y", True),
        ("yes", True),
        ("否", False),
        ("N", False),
        ("NO", False),
        ("", None),
    ],
)
def test_yes_no_words_read_as_flags(printed: str, flag: bool | None) -> None:
    """Regression: labels.yaml's bare `yes:`/`no:` keys were YAML booleans, so the first
    是否核心指标 column read crashed the filing (KeyError 'yes')."""
    from jixiao.normalize.indicators import to_flag

    assert to_flag(printed) is flag


@pytest.mark.parametrize(
    ("printed", "name"),
    [
        ("51092324T000010263357-2023年全县安可替代补助资金项目", "2023年全县安可替代补助资金项目"),
        ("219001-池州市贵池区发展和改革委员会", "池州市贵池区发展和改革委员会"),
        ("G20 峰会保障项目", "G20 峰会保障项目"),  # a name that starts with letters and digits
        ("2023年铁路沿线环境整治项目", "2023年铁路沿线环境整治项目"),
    ],
)
def test_budget_code_before_a_name_is_not_part_of_it(printed: str, name: str) -> None:
    from jixiao.normalize.header import without_code

    assert without_code(printed) == name


@pytest.mark.parametrize(
    ("label", "field"),
    [
        ("年度目标完成情况", "annual_goal_actual"),  # longest anchor: not the 年度目标
        ("年度总体目标完成情况", "annual_goal_actual"),
        ("1.项目年度目标", "annual_goal"),  # its number left out
        ("自评总分（分）", "total_score"),
        ("中长期绩效目标", "mid_long_term_goal"),
    ],
)
def test_header_labels_take_their_longest_anchor(label: str, field: str) -> None:
    from jixiao.normalize.sections import label_to_field

    assert label_to_field(label) == field


@pytest.mark.parametrize(
    ("title", "department", "region"),
    [
        (None, "西部（重庆）科学城融媒体中心", "重庆市"),
        (None, "大英县交通运输局", "大英县"),
        (None, "中国(上海)自由贸易试验区管理委员会", "上海市"),
        (None, "市场监督管理局（本级）", None),  # brackets that name no province
    ],
)
def test_region_from_a_county_or_a_bracketed_province(
    title: str | None, department: str, region: str | None
) -> None:
    from jixiao.normalize.header import to_region

    assert to_region(title, department) == region


def test_a_totals_row_gives_a_score_only_beside_the_weight_total() -> None:
    from jixiao.extract import Cell
    from jixiao.normalize.scores import totals_row_to_score

    row = tuple(Cell(t, 0, k) for k, t in enumerate(["合计", "", "100", "99.5"]))
    assert totals_row_to_score(row) == Decimal("99.5")
    assert totals_row_to_score(row[:3]) is None  # a target table's 分值 total only


@pytest.mark.parametrize(
    ("printed", "value_type"), [("定量指标", "定量"), ("定性", "定性"), ("≥", None), ("正向", None)]
)
def test_nature_column_words_that_are_value_types(printed: str, value_type: str | None) -> None:
    from jixiao.normalize.indicators import value_type_word

    assert value_type_word(printed) == value_type


@pytest.mark.parametrize(
    ("level1", "misplaced"), [("产出指标", True), ("决策", False), ("项目管理（25分）", False)]
)
def test_only_a_standard_level1_can_misplace_an_indicator(level1: str, misplaced: bool) -> None:
    """Regression: 预算执行率 under an evaluation's own 一级 项目管理（25分） (Yinchuan) was
    reported as filed in the wrong place."""
    from jixiao.normalize.names import match_canonical_names

    indicator = Indicator(seq=1, level1=level1, level2=None, level3="预算执行率")
    codes_found = [f.code for f in match_canonical_names([indicator])]
    assert ("indicator_misplaced" in codes_found) is misplaced
