"""Recognition by cell (extract/cell_ocr.py): how a cell's ink becomes line crops. Synthetic
ink, no OCR, except the last tests, which read real scans both ways."""

from __future__ import annotations

import dataclasses
import json
from itertools import pairwise

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from compare import accuracy
from conftest import SAMPLES
from jixiao.extract.cell_ocr import (
    _line_bands,
    _padded,
    _plausible,
    _runs,
    _to_punctuation,
    cell_crops,
    outside_regions,
    without_rules,
    without_specks,
)
from jixiao.extract.ocr import OcrLine
from jixiao.extract.settings import DEFAULT, SCAN
from jixiao.work import file_to_filings


def _ink(h: int, w: int) -> np.ndarray:
    return np.zeros((h, w), np.uint8)


def test_two_lines_of_a_cell_are_two_bands() -> None:
    ink = _ink(60, 200)
    ink[5:23, 10:150] = 255
    ink[30:48, 10:90] = 255
    assert _line_bands(ink) == [(5, 23), (30, 48)]


def test_a_lone_stroke_joins_its_line() -> None:
    # 二 or 三 written alone on a line: strokes with blank rows between them are one line.
    ink = _ink(60, 100)
    ink[10:22, 10:30] = 255  # a line of text, 12 px
    ink[30:32, 10:28] = 255  # 二's upper stroke
    ink[38:40, 8:30] = 255  # and its lower one
    ink[44:56, 10:60] = 255
    bands = _line_bands(ink)
    assert (30, 40) in bands and len(bands) == 3


def test_two_touching_lines_are_cut_at_the_thinnest_row() -> None:
    ink = _ink(120, 100)
    ink[5:45, 10:90] = 255  # two 20 px lines touching ...
    ink[24:26, 10:90] = 0
    ink[24:26, 40:42] = 255  # ... through one stroke
    ink[60:80, 10:90] = 255  # and lines of the usual height elsewhere in the cell
    ink[90:110, 10:90] = 255
    bands = _line_bands(ink)
    assert bands[0][0] == 5 and bands[1][1] == 45 and bands[0][1] == bands[1][0]
    assert 24 <= bands[0][1] <= 26 and len(bands) == 4


def test_two_texts_in_one_merged_cell_are_two_crops() -> None:
    ink = _ink(40, 400)
    ink[10:28, 10:80] = 255
    ink[10:28, 300:380] = 255  # far beyond two line heights
    crops = cell_crops(ink, ink, [(0, 0, 400, 40)], speck_px=5)
    assert [c.box for c in crops] == [(10, 10, 80, 28), (300, 10, 380, 28)]


def test_a_fleck_at_a_cell_border_is_no_line() -> None:
    # Regression: the 2x1 px tip of a seal's ring inside a cell read as "4" and became
    # "4涉外宣传经费"; a flat 5x2 one as "m".
    ink = _ink(80, 300)
    ink[2:3, 20:22] = 255
    ink[60:62, 60:65] = 255
    ink[20:38, 100:200] = 255
    crops = cell_crops(ink, ink, [(0, 0, 300, 80)], speck_px=5)
    assert [c.box for c in crops] == [(100, 20, 200, 38)]
    # Two flecks one above the other are a band of their own, still no line.
    ink[64:66, 61:63] = 255
    assert [c.box for c in cell_crops(ink, ink, [(0, 0, 300, 80)], 5)] == [(100, 20, 200, 38)]


def test_a_dash_alone_is_a_line() -> None:
    ink = _ink(40, 100)
    ink[19:21, 30:50] = 255  # "—", the placeholder of an empty value
    assert len(cell_crops(ink, ink, [(0, 0, 100, 40)], speck_px=5)) == 1


def test_a_line_reaches_out_to_its_punctuation() -> None:
    # Regression: a wrapped line that began with 、 (Excel wraps anywhere) lost it, and the
    # 职能 text no longer matched: the speck-free ink that finds lines has no 、 in it.
    band = _ink(18, 200)
    band[3:18, 40:150] = 255  # the line's characters
    band[12:16, 25:29] = 255  # 、 one full-width box before them
    band[14:17, 160:163] = 255  # ， after them
    assert _to_punctuation(band, 40, 150, reach=21) == (25, 163)


def test_a_seal_arc_beside_a_line_is_not_punctuation() -> None:
    band = _ink(18, 200)
    band[3:18, 40:150] = 255
    band[0:18, 160:162] = 255  # an arc crossing the whole band
    assert _to_punctuation(band, 40, 150, reach=21) == (40, 150)


def test_specks_go_strokes_stay() -> None:
    ink = _ink(40, 40)
    ink[5:7, 5:7] = 255  # dust
    ink[10:30, 20:22] = 255  # a stroke
    ink[35:37, 5:30] = 255  # a flat stroke
    out = without_specks(ink, 5)
    assert not out[5:7, 5:7].any() and out[10:30, 20:22].all() and out[35:37, 5:30].all()


def test_a_crop_at_a_cell_border_gets_a_paper_margin() -> None:
    gray = np.full((100, 100), 240, np.uint8)
    gray[20:38, 10:60] = 0
    crop = _padded(gray, (10, 20, 60, 38), (10, 10, 90, 90))
    assert crop.shape[1] == 50 + 2 * (18 // 3)  # the left margin is added as paper
    assert crop[:, :3].min() == 240


def test_only_the_cells_rules_are_painted_over() -> None:
    # Regression: every long stroke on the page was taken for a rule, and a title in large
    # type lost its 山's strokes (昆山市 read as 昆L市).
    gray = np.full((400, 600), 250, np.uint8)
    gray[200:203, 50:550] = 0  # the rule between two rows of cells
    gray[100:400, 50:53] = 0  # the table's left border
    gray[20:80, 300:304] = 0  # a title's vertical stroke, 60 px, above the table
    clean = without_rules(gray, [(50, 100, 550, 202), (50, 200, 550, 400)])
    assert clean[200:203, 60:540].min() == 255 and clean[110:390, 50:53].min() == 255
    assert clean[20:80, 300:304].max() == 0


def test_only_text_outside_the_cells_is_detected() -> None:
    ink = _ink(200, 400)
    ink[10:28, 100:300] = 255  # a title above the table
    ink[60:78, 20:100] = 255  # text in a cell
    regions = outside_regions(ink, [(0, 50, 400, 200)], line_px=18)
    assert len(regions) == 1 and regions[0][1] <= 10 and regions[0][3] >= 28


def test_a_lone_uncertain_glyph_outside_the_grid_is_a_mark() -> None:
    # Regression: hatching read as "D" (0.71) made a page with no text a filing with text.
    assert not _plausible(OcrLine("D", 0.71, (0, 0, 10, 10)), 18)
    assert not _plausible(OcrLine("D", 0.93, (225, 71, 360, 184)), 18)  # the same, cleaner
    assert _plausible(OcrLine("1", 0.99, (0, 0, 10, 15)), 18)
    assert _plausible(OcrLine("单位：万元", 0.6, (0, 0, 90, 18)), 18)
    assert _plausible(OcrLine("部门整体支出绩效目标表", 0.99, (0, 0, 900, 50)), 18)


@given(st.lists(st.integers(0, 1), min_size=1, max_size=200), st.integers(0, 5))
@settings(max_examples=200, deadline=None)
def test_runs_cover_every_inked_position_once(bits: list[int], gap: int) -> None:
    profile = np.array(bits)
    runs = _runs(profile, gap)
    covered = np.zeros(len(bits), bool)
    for start, end in runs:
        assert 0 <= start < end <= len(bits) and not covered[start:end].any()
        covered[start:end] = True
    assert covered[profile > 0].all()
    assert all(b[0] - a[1] >= gap for a, b in pairwise(runs))


@given(
    st.lists(st.tuples(st.integers(0, 110), st.integers(1, 30)), min_size=1, max_size=8),
)
@settings(max_examples=200, deadline=None)
def test_bands_are_ordered_disjoint_and_hold_every_inked_row(lines: list[tuple[int, int]]) -> None:
    ink = _ink(140, 50)
    for top, height in lines:
        ink[top : top + height, 5:45] = 255
    bands = _line_bands(ink)
    rows = np.flatnonzero(ink.any(axis=1))
    assert all(a[1] <= b[0] for a, b in pairwise(bands))
    assert all(any(s <= r < e for s, e in bands) for r in rows)


PAGE = dataclasses.replace(DEFAULT, scan=dataclasses.replace(SCAN, recognition="page"))


@pytest.mark.slow
@pytest.mark.parametrize(
    "path",
    [
        "scans/suzhou_commerce_2024_excel.scan.pdf",
        "scans/classes/seed-p1-3.noise.scan.pdf",
        "scans/classes/seed-p1-3.stamp-over-text.scan.pdf",
    ],
)
def test_by_cell_reads_as_well_as_the_full_page_path(path: str) -> None:
    golden = json.loads(
        (SAMPLES / "expected" / "suzhou_commerce_2024_seed.scan.pdf.json").read_text("utf-8")
    )
    if "excel" in path:
        golden = json.loads(
            (SAMPLES / "expected" / "suzhou_commerce_2024_excel.scan.pdf.json").read_text("utf-8")
        )
    else:
        golden["indicators"] = [i for i in golden["indicators"] if i["page"] <= 3]
    by_cell = accuracy(file_to_filings(SAMPLES / path)[0].to_dict(), golden)
    by_page = accuracy(file_to_filings(SAMPLES / path, settings=PAGE)[0].to_dict(), golden)
    for key in ("rows_share", "hierarchy_share", "funds_exact"):
        assert by_cell[key] >= by_page[key], (key, by_cell, by_page)
