"""`jixiao debug FILE --page N --out page.png`: one page drawn with what was found on it.

The picture has the page's size at the dpi it was read at; its rules, OCR boxes and cells are
drawn where the readers found them, coloured by what each cell became; the cell marks agree with
normalize's own ledger on every kind of sample."""

from __future__ import annotations

import math
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from conftest import SAMPLES, Cli
from jixiao.debug import (
    CONFIDENCE,
    NOT_READ,
    PLACES,
    RULE,
    Mark,
    PageLayers,
    document_to_marks,
    layers_to_picture,
    legend_corner,
    marks_against_filings,
)
from jixiao.extract import Cell, extract_file
from jixiao.extract.geometry import Box, Rule
from jixiao.extract.settings import SCAN

SEED_PDF = SAMPLES / "pdf" / "suzhou_commerce_2024_seed.pdf"
ZHAOQING_PDF = SAMPLES / "pdf" / "zhaoqing_agriculture_2024.pdf"


def _page_size_pt(path: Path, index: int) -> tuple[float, float]:
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(path)
    try:
        width, height = document[index].get_size()
        return width, height
    finally:
        document.close()


def _render(path: Path, index: int, dpi: float) -> np.ndarray:
    import pypdfium2 as pdfium

    from jixiao.extract.render import render_pdf_page

    document = pdfium.PdfDocument(path)
    try:
        return render_pdf_page(document, index, dpi)
    finally:
        document.close()


def _pixels_of(image: Image.Image, colour: tuple[int, int, int]) -> np.ndarray:
    return np.all(np.asarray(image.convert("RGB")) == colour, axis=2)


def test_text_pdf_page_at_the_render_dpi_with_its_rules_drawn(tmp_path: Path, cli: Cli) -> None:
    out = tmp_path / "page2.png"
    ran = cli("debug", str(SEED_PDF), "--page", "2", "--out", str(out))
    assert ran.returncode == 0, ran.stderr
    assert str(out) in ran.stderr and ran.stdout == ""
    picture = Image.open(out)
    dpi = SCAN.render_dpi
    assert round(picture.info["dpi"][0]) == dpi
    width, height = _page_size_pt(SEED_PDF, 1)
    # PDFium renders ceil(points × dpi / 72) pixels a side.
    assert picture.size == (math.ceil(width * dpi / 72), math.ceil(height * dpi / 72))

    # Every printed rule of the page is drawn in the rule colour, which the page lacks.
    from jixiao.extract import text_layer

    pdf = text_layer.open_pdf(SEED_PDF.read_bytes())
    try:
        rules = text_layer.page_rules(pdf.pages[1])
    finally:
        pdf.close()
    assert len(rules) > 20
    drawn = _pixels_of(picture, RULE)
    scale = dpi / 72
    covered = [
        drawn[
            round(r.y * scale) - 1 : round(r.y * scale) + 2,
            round(r.x0 * scale) : round(r.x1 * scale),
        ]
        .any(axis=0)
        .mean()
        for r in rules
    ]
    # All along, but where the legend (in a corner) hides them.
    assert sum(c > 0.95 for c in covered) >= 0.8 * len(rules), covered
    assert not _pixels_of(Image.fromarray(_render(SEED_PDF, 1, dpi)), RULE).any()


def test_each_cell_is_marked_with_what_it_became() -> None:
    doc = extract_file(SEED_PDF)
    marks = document_to_marks(doc)
    by_text = {cell.text: marks.get(ref) for ref, cell in doc.cells() if cell.page == 2}
    execution = by_text["预算执行率"]
    assert execution == Mark("indicator", "9")
    ref = next(ref for ref, cell in doc.cells() if cell.text == "预算执行率")
    # 年度指标值, the cell after it on its row
    target = marks[replace(ref, col=ref.col + 1)]
    assert target == Mark("target", "9")
    assert by_text["支出"] == Mark("label")
    assert by_text["国有资本金"] is not None and by_text["国有资本金"].place == "fund"
    goal = next(m for ref, c in doc.cells() if (m := marks.get(ref)) and m.place == "field")
    assert goal.detail in ("mid_long_term_goal", "annual_goal", "department", "project_name")


@pytest.mark.parametrize(
    "path",
    [
        ZHAOQING_PDF,
        SAMPLES / "pdf" / "hard" / "unruled.pdf",
        SAMPLES / "office" / "changsha_rural_roads_2023_self_evaluation.xlsx",
        SAMPLES / "filings" / "suzhou_commerce_2024_department_overall.txt",
        SAMPLES / "filings" / "mianyang_education_2024.txt",
        SAMPLES / "parts" / "one_unit_three_tables_2025.txt",
        SAMPLES / "web" / "dongcheng_education_2024.html",
    ],
    ids=lambda p: p.name,
)
def test_marks_count_the_cells_normalize_read(path: Path) -> None:
    """The picture runs normalize's ledger steps itself (normalize keeps its ledger); when
    normalize gains a step that reads cells and the picture does not, this fails."""
    doc = extract_file(path, ocr="never")
    marks = document_to_marks(doc)
    assert marks and marks_against_filings(doc, marks) == []


def test_drawing_puts_each_layer_where_it_was_found() -> None:
    """A blank page at 144 dpi (2 px a point; the legend goes top right): a rule, an OCR line
    read at 0.85, a cell not read and one read as a target."""
    image = np.full((1600, 1200, 3), 255, dtype=np.uint8)
    unread = Cell("x", row=0, col=0, page=1, bbox=(10, 10, 100, 50), block=0)
    target = Cell("y", row=0, col=1, page=1, bbox=(100, 10, 200, 50), block=0)
    layers = PageLayers(
        1,
        1,
        image,
        144,
        "test",
        rules=[Rule(10, 200, 150)],
        text_boxes=[(Box(20, 100, 120, 120), 0.85)],
        cells=[(unread, Mark(NOT_READ)), (target, Mark("target", "1"))],
    )
    picture = np.asarray(layers_to_picture(layers))
    assert picture.shape == (1600, 1200, 3)
    assert (picture[300, 40:380] == RULE).all()  # y 150 pt, x 10-200 pt
    orange = CONFIDENCE[1][1]
    assert (picture[200, 60:220] == orange).all()  # the text box's top edge, y 100 pt
    red, teal = PLACES[NOT_READ][0], PLACES["target"][0]
    inside_unread, inside_target = picture[80, 150].astype(int), picture[80, 350].astype(int)
    # Filled with their colours, faintly: red-ish and teal-ish, not white.
    assert inside_unread[0] > inside_unread[1] + 40 and red[0] > red[1]
    assert inside_target[2] > inside_target[0] + 40 and teal[2] > teal[0]


def test_legend_goes_where_the_page_has_the_least_ink() -> None:
    image = np.full((100, 200, 3), 255, dtype=np.uint8)
    image[:60, :] = 0  # ink across the top
    image[60:, :100] = 0  # and bottom left
    assert legend_corner(image, (50, 30)) == (150, 70)  # bottom right


def test_page_out_of_range_exits_2_and_says_what_it_has(tmp_path: Path, cli: Cli) -> None:
    out = tmp_path / "p.png"
    for page in ("4", "0"):
        ran = cli("debug", str(ZHAOQING_PDF), "--page", page, "--out", str(out))
        assert ran.returncode == 2
        assert f"page {page} is not in this file: it has 3 pages" in ran.stderr
        assert len(ran.stderr.strip().splitlines()) == 1
    assert not out.exists()


def test_missing_file_and_files_without_pages_exit_2(tmp_path: Path, cli: Cli) -> None:
    out = str(tmp_path / "p.png")
    ran = cli("debug", str(tmp_path / "nope.pdf"), "--page", "1", "--out", out)
    assert ran.returncode == 2 and "no such file" in ran.stderr
    text = SAMPLES / "filings" / "mianyang_education_2024.txt"
    ran = cli("debug", str(text), "--page", "1", "--out", out)
    assert ran.returncode == 2 and "only PDFs and images" in ran.stderr
    ran = cli("debug", str(ZHAOQING_PDF), "--page", "1", "--out", str(tmp_path / "no" / "p.png"))
    assert ran.returncode == 2 and "cannot write" in ran.stderr


def test_help_has_an_example(cli: Cli) -> None:
    ran = cli("debug", "--help")
    assert ran.returncode == 0 and "examples:" in ran.stdout and "jixiao debug " in ran.stdout


@pytest.mark.slow
def test_scan_page_straightened_with_its_ocr_boxes(tmp_path: Path, cli: Cli) -> None:
    scan = SAMPLES / "scans" / "suzhou_commerce_2024_seed.page2-top.png"
    out = tmp_path / "scan.png"
    ran = cli("debug", str(scan), "--page", "1", "--out", str(out))
    assert ran.returncode == 0, ran.stderr
    assert "OCR at 180 dpi" in ran.stderr
    source, picture = Image.open(scan), Image.open(out)
    # An image is its own page: the same pixels a side, at the dpi it states.
    assert picture.size == source.size
    assert round(picture.info["dpi"][0]) == round(source.info["dpi"][0])
    green = CONFIDENCE[0][1]
    assert _pixels_of(picture, green).sum() > 1000  # OCR lines read well, boxed in green
    assert not _pixels_of(source, green).any()
