"""Text-layer PDFs: the seed's PDF rendition and the LibreOffice renditions give their expected
Filing exactly; each hard case has its sample and its test."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import SAMPLES, assert_same_content
from jixiao.extract import Table, extract_file
from jixiao.extract.geometry import Box, Char
from jixiao.extract.layout import cells_to_grid, chars_to_text
from jixiao.extract.page_types import Fragment, PageCell
from jixiao.extract.stitch import merge_pieces, stitch
from jixiao.extract.text_layer import chars_to_quality, chars_to_turn
from jixiao.pipeline import file_to_filing, ingest

PDF = SAMPLES / "pdf"
HARD = PDF / "hard"
EXPECTED = SAMPLES / "expected"

RENDITIONS = [
    ("suzhou_commerce_2024_seed.pdf", "suzhou_commerce_2024_seed.pdf.json"),
    ("suzhou_commerce_2024_word.pdf", "suzhou_commerce_2024_word.pdf.json"),
    ("suzhou_commerce_2024_excel.pdf", "suzhou_commerce_2024_excel.pdf.json"),
]


def _filing(path: Path) -> dict[str, Any]:
    d = file_to_filing(path).to_dict()
    d.pop("source_path")
    return d


@pytest.fixture(scope="module")
def seed_pdf() -> dict[str, Any]:
    return _filing(PDF / "suzhou_commerce_2024_seed.pdf")


@pytest.mark.parametrize(("pdf", "expected"), RENDITIONS)
def test_rendition_gives_its_expected_filing(pdf: str, expected: str) -> None:
    want = json.loads((EXPECTED / expected).read_text(encoding="utf-8"))
    got = _filing(PDF / pdf)
    for key in want:
        if key != "indicators":
            assert got[key] == want[key], key
    for g, w in zip(got["indicators"], want["indicators"], strict=True):
        assert g == w, w["location"]


def test_pdf_gives_the_same_filing_as_the_text_export(
    seed_pdf: dict[str, Any], seed_golden: dict[str, Any]
) -> None:
    assert_same_content(seed_pdf, seed_golden)


def test_seed_pdf_structure() -> None:
    doc = extract_file(PDF / "suzhou_commerce_2024_seed.pdf")
    assert doc.source_format == "pdf" and doc.page_count == 5
    tables = [b for b in doc.blocks if isinstance(b, Table)]
    assert len(tables) == 1  # five pages stitched into one table
    cells = [c for row in tables[0].rows for c in row]
    assert all(c.page and c.bbox for c in cells)
    # the lone 履职 label: one cell spanning all 34 履职 rows over three pages
    lvzhi = next(c for c in cells if c.text == "履职")
    assert (lvzhi.row_span, lvzhi.col, lvzhi.page) == (34, 0, 3)
    # the 职能10 cell that the end of page 4 cut: joined back, no space at the join
    tenth = next(c for c in cells if c.text.startswith("职能10"))
    assert tenth.text.endswith("对外承包工程、对外劳务合作等等") and " " not in tenth.text
    assert tenth.row_span == 3 and tenth.page == 4
    # fake-bold header cells come out once
    headers = [c.text for c in cells if c.text.startswith("一级")]
    assert headers == ["一级指标"] * 3
    paragraphs = [b.text for b in doc.blocks if not isinstance(b, Table)]
    assert paragraphs[:2] == ["苏州市市级部门整体预算绩效目标表", "2024年度"]


def test_cid_page_is_reported_and_the_rest_is_read() -> None:
    filing = file_to_filing(HARD / "cid_page3.pdf", ocr="never")
    ocr = [f for f in filing.findings if f.code == "page_needs_ocr"]
    assert [(f.severity, f.location) for f in ocr] == [("warning", "page 3")]
    assert "character map" in ocr[0].message
    assert filing.status == "partial"
    assert len(filing.indicators) > 30  # pages 1-2 and 4-5
    assert all("(cid:" not in i.level3 for i in filing.indicators)


def test_private_use_page_is_reported() -> None:
    filing = file_to_filing(HARD / "private_use_page4.pdf", ocr="never")
    ocr = [f for f in filing.findings if f.code == "page_needs_ocr"]
    assert [f.location for f in ocr] == ["page 4"]
    assert "private-use" in ocr[0].message


def test_scan_without_text_layer_fails_with_needs_ocr_when_ocr_is_off() -> None:
    filing = file_to_filing(HARD / "scanned.pdf", ocr="never")
    assert filing.status == "failed"
    (finding,) = filing.findings
    assert finding.code == "needs_ocr" and "page 1" in finding.message
    assert "--ocr auto" in finding.message


@pytest.mark.parametrize(
    ("name", "code", "words"),
    [
        ("encrypted.pdf", "encrypted_pdf", "encrypted"),
        ("truncated.pdf", "truncated_pdf", "incomplete"),
        ("corrupt.pdf", "corrupt_pdf", "damaged"),
    ],
)
def test_unreadable_pdfs_fail_with_a_plain_reason(name: str, code: str, words: str) -> None:
    filing = file_to_filing(SAMPLES / "bad" / name)
    assert filing.status == "failed"
    assert [f.code for f in filing.findings] == [code]
    assert words in filing.findings[0].message


def test_bad_pdfs_do_not_stop_the_batch(db_url: str) -> None:
    bad = [SAMPLES / "bad" / n for n in ("encrypted.pdf", "truncated.pdf", "corrupt.pdf")]
    summary = ingest([*bad, PDF / "suzhou_commerce_2024_seed.pdf"], db_url)
    assert (summary.failed, summary.ok, summary.indicators) == (3, 1, 69)


def test_rotated_pages_read_as_upright(seed_pdf: dict[str, Any]) -> None:
    rotated = _filing(HARD / "rotated.pdf")
    turned = [f for f in rotated["findings"] if f["code"] == "page_turned"]
    assert [f["location"] for f in turned] == ["page 3"]  # page 2's /Rotate is compensated
    for key in ("indicators", "fund_lines", "main_functions", "department"):
        assert rotated[key] == seed_pdf[key]


def test_unruled_table_falls_back_to_text_alignment() -> None:
    filing = file_to_filing(HARD / "unruled.pdf")
    assert filing.status == "ok"
    assert filing.department == "苏州市商务局" and filing.fiscal_year == 2024
    got = [(i.level1, i.level2, i.level3, [t.raw for t in i.targets]) for i in filing.indicators]
    assert got == [
        ("决策", "计划制定", "中长期规划制定健全性", ["健全", "健全"]),
        ("决策", "计划制定", "工作计划制定健全性", ["健全", "健全"]),
        ("决策", "目标设定", "绩效目标合理性", ["合理", "合理"]),
        ("决策", "目标设定", "绩效指标明确性", ["明确", "明确"]),
        ("决策", "预算编制", "预算调整率", ["=0%", "=0%"]),
        ("决策", "预算编制", "支付进度符合率", ["=100%", "=100%"]),
        ("决策", "预算编制", "预算执行率", ["=47%", "=100%"]),
    ]


# --- the steps on their own --------------------------------------------------------------


def _char(text: str, x0: float, top: float, size: float = 10.0) -> Char:
    return Char(text, x0, x0 + size, top, top + size, size)


def _plumber_char(text: str, matrix: tuple[float, ...] = (1, 0, 0, 1, 0, 0)) -> dict[str, Any]:
    """A char as pdfplumber gives it (only what the turn check reads)."""
    return {"text": text, "x0": 0, "x1": 10, "top": 0, "bottom": 10, "size": 10, "matrix": matrix}


def test_spans_come_from_geometry() -> None:
    # 3 columns x 3 rows; the first column merged over all rows, the last row's two right cells
    # merged across columns.
    boxes = [
        Box(0, 0, 10, 30),
        Box(10, 0, 20, 10),
        Box(20, 0, 30, 10),
        Box(10, 10, 20, 20),
        Box(20, 10, 30, 20),
        Box(10, 20, 30, 30),
    ]
    cells = cells_to_grid(1, boxes)
    spans = {(c.row, c.col): (c.row_span, c.col_span) for c in cells}
    assert spans == {
        (0, 0): (3, 1),
        (0, 1): (1, 1),
        (0, 2): (1, 1),
        (1, 1): (1, 1),
        (1, 2): (1, 1),
        (2, 1): (1, 2),
    }


def test_wrapped_lines_join_without_spaces() -> None:
    chars = [_char(ch, 10 * i, 0) for i, ch in enumerate("职能一拟订")]
    chars += [_char(ch, 10 * i, 12) for i, ch in enumerate("发展规划")]
    text, _, starts_top = chars_to_text(chars, (0, 0, 52, 30))
    assert text == "职能一拟订发展规划"
    assert starts_top


def test_short_line_ends_a_paragraph() -> None:
    chars = [_char(ch, 10 * i, 0) for i, ch in enumerate("一二三四五六")]
    chars += [_char(ch, 10 * i, 12) for i, ch in enumerate("七八")]
    chars += [_char(ch, 10 * i, 24) for i, ch in enumerate("(2)九十")]
    text, _, _ = chars_to_text(chars, (0, 0, 62, 40))
    assert text == "一二三四五六七八\n(2)九十"


def test_latin_word_broken_at_a_full_line_gets_no_space() -> None:
    # Regression: "增速略高于G" / "DP增速" came out as "G DP".
    chars = [_char(ch, 10 * i, 0) for i, ch in enumerate("增速略高于G")]
    chars += [_char(ch, 10 * i, 12) for i, ch in enumerate("DP增速")]
    assert chars_to_text(chars, (0, 0, 62, 30))[0] == "增速略高于GDP增速"


def test_quality_flags_cid_private_use_and_missing_text() -> None:
    good = [_char(ch, 0, 0) for ch in "预算执行率=100%"]
    assert chars_to_quality(good, False) is None
    assert chars_to_quality([_char("(cid:12)", 0, 0)] * 5 + good[:2], False) == "unmapped_text"
    assert chars_to_quality([_char("\ue001", 0, 0)] * 9, False) == "private_use"
    assert chars_to_quality([], True) == "no_text"
    assert chars_to_quality([], False) is None  # a blank page is not a scan


def test_turn_is_the_majority_direction() -> None:
    upright = [_plumber_char("字")] * 5
    sideways = [_plumber_char("字", matrix=(0, -1, 1, 0, 0, 0))] * 20
    assert chars_to_turn(upright) == 0
    assert chars_to_turn(sideways + upright) == 270


def _fragment(page: int, cells: list[PageCell], n_rows: int) -> Fragment:
    return Fragment(page=page, bbox=Box(0, 0, 30, 100), cells=cells, n_rows=n_rows)


def test_stitch_drops_repeated_headers_and_joins_split_cells() -> None:
    def cell(
        page: int,
        row: int,
        x0: float,
        x1: float,
        text: str,
        span: int = 1,
        full: bool = False,
        top: bool = True,
    ) -> PageCell:
        return PageCell(
            page=page,
            bbox=Box(x0, row * 10, x1, (row + span) * 10),
            row=row,
            row_span=span,
            text=text,
            ends_full=full,
            starts_top=top,
        )

    page1 = _fragment(
        1,
        [
            cell(1, 0, 0, 10, "一级"),
            cell(1, 0, 10, 30, "三级"),
            cell(1, 1, 0, 10, "职能1：拟订全市内贸", span=2, full=True),
            cell(1, 1, 10, 30, "甲"),
            cell(1, 2, 10, 30, "乙"),
        ],
        3,
    )
    page2 = _fragment(
        2,
        [
            cell(2, 0, 0, 10, "一级"),
            cell(2, 0, 10, 30, "三级"),  # repeated header
            cell(2, 1, 0, 10, "发展规划等", span=1),
            cell(2, 1, 10, 30, "丙"),
        ],
        2,
    )
    table, notes = stitch([page1, page2])
    rows = [[(c.text, c.row, c.col, c.row_span) for c in r] for r in table.rows]
    assert rows == [
        [("一级", 0, 0, 1), ("三级", 0, 1, 1)],
        [("职能1：拟订全市内贸发展规划等", 1, 0, 3), ("甲", 1, 1, 1)],
        [("乙", 2, 1, 1)],
        [("丙", 3, 1, 1)],
    ]
    assert [n.code for n in notes] == ["cell_joined_across_pages"]


def test_stitch_keeps_cells_that_merely_meet_at_a_page_end() -> None:
    a = PageCell(
        page=1, bbox=Box(0, 0, 10, 20), row=0, row_span=2, text="职能2：完整的文字", ends_full=False
    )
    b = PageCell(
        page=2, bbox=Box(0, 0, 10, 20), row=0, row_span=2, text="职能3：另一项", starts_top=True
    )
    table, notes = stitch([_fragment(1, [a], 2), _fragment(2, [b], 2)])
    assert [c.text for r in table.rows for c in r] == ["职能2：完整的文字", "职能3：另一项"]
    assert notes == []


def test_word_pdf_repeated_header_rows_are_dropped() -> None:
    doc = extract_file(PDF / "suzhou_commerce_2024_word.pdf")
    tables = [b for b in doc.blocks if isinstance(b, Table)]
    assert len(tables) == 2  # header and funds; indicators (stitched over four pages)
    headers = [r for r in tables[1].rows if r[0].text == "一级指标"]
    # one per section (决策/过程, 履职, 效益/满意度); the copies Word printed at page tops are gone
    assert [r[0].page for r in headers] == [2, 3, 5]


def test_excel_pdf_clipped_merged_cells_are_whole() -> None:
    doc = extract_file(PDF / "suzhou_commerce_2024_excel.pdf")
    (table,) = [b for b in doc.blocks if isinstance(b, Table)]
    texts = [c.text for row in table.rows for c in row]
    eighth = [t for t in texts if t.startswith("职能8")]
    assert eighth == [
        "职能8：贯彻执行国家有关自由贸易试验区建设的方针、政策、法规和制度，负责推进我市"
        "自由贸易试验区建设相关工作等"
    ]
    assert texts.count("履职") == 1 and texts.count("过程") == 1
    paragraphs = [b.text for b in doc.blocks if not isinstance(b, Table)]
    assert paragraphs == ["苏州市市级部门整体预算绩效目标表", "2024年度"]  # no clipped remnants


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="职能一二三拟订发展规划，。等ab1", max_size=30))
def test_merge_pieces_never_loses_or_doubles_a_whole_piece(a: str) -> None:
    assert merge_pieces(a, a) == a
    assert merge_pieces(a, "") == a and merge_pieces("", a) == a
    merged = merge_pieces(a, "续写的下半段")
    assert merged.startswith(a) and merged.endswith("续写的下半段")


def test_merge_pieces_counts_an_overlap_once() -> None:
    assert merge_pieces("职能8：贯彻执行国家有关自由贸易", "国家有关自由贸易试验区建设") == (
        "职能8：贯彻执行国家有关自由贸易试验区建设"
    )
    assert merge_pieces("职能8：贯彻执行", "职能8：贯彻执行国家有关") == "职能8：贯彻执行国家有关"


def test_real_pages_are_not_one_glyph() -> None:
    import pdfplumber

    from jixiao.extract.settings import TEXT_LAYER
    from jixiao.extract.text_layer import one_glyph_share, to_chars

    for path in (PDF / "suzhou_commerce_2024_seed.pdf", PDF / "suzhou_commerce_2024_excel.pdf"):
        with pdfplumber.open(path) as pdf:
            for page in pdf.pages:
                share = one_glyph_share(to_chars(page.chars))
                assert share < TEXT_LAYER.one_glyph_share / 2
