"""Scans: offline OCR, structure from page images, routing, and accuracy on the scanned
renditions against their golden Filings."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import pytest

from compare import accuracy
from conftest import SAMPLES
from jixiao.extract import Table, extract_bytes, extract_file
from jixiao.extract.geometry import Box, snap_boxes
from jixiao.extract.page_types import Fragment
from jixiao.extract.pages import image_to_result
from jixiao.extract.render import render_pdf_page
from jixiao.extract.scan import (
    quarter_turned,
    red_free_gray,
    rotate,
    rules_to_tables,
    skew_angle,
)
from jixiao.pipeline import file_to_filing

# OCR of whole pages: seconds each, over a minute for the accuracy bar.
pytestmark = pytest.mark.slow

SCANS = SAMPLES / "scans"
EXPECTED = SAMPLES / "expected"
SCANNED = ["suzhou_commerce_2024_seed", "suzhou_commerce_2024_word", "suzhou_commerce_2024_excel"]


def _golden(name: str) -> dict[str, Any]:
    return json.loads((EXPECTED / f"{name}.scan.pdf.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def scanned() -> dict[str, dict[str, Any]]:
    """Each scanned filing read once (OCR is the slow part of the suite)."""
    return {name: file_to_filing(SCANS / f"{name}.scan.pdf").to_dict() for name in SCANNED}


@pytest.mark.parametrize("name", SCANNED)
def test_scanned_filing_meets_the_accuracy_bar(
    name: str, scanned: dict[str, dict[str, Any]]
) -> None:
    got, want = scanned[name], _golden(name)
    figures = accuracy(got, want)
    assert figures["rows_share"] >= 0.98, figures["missing_rows"]
    assert figures["funds_exact"] == figures["fund_lines"] == 28
    assert figures["hierarchy_share"] >= 0.85  # Calc clips merged cells at page ends
    assert got["source_format"] == "pdf-scanned"
    assert (got["department"], got["fiscal_year"], got["region"]) == (
        "苏州市商务局",
        2024,
        "苏州市",
    )
    ocr_pages = [f["location"] for f in got["findings"] if f["code"] == "page_ocr"]
    assert ocr_pages == [f"page {k}" for k in range(1, len(ocr_pages) + 1)] and len(ocr_pages) >= 4


def test_stamp_over_the_last_page_breaks_neither_grid_nor_text(
    scanned: dict[str, dict[str, Any]],
) -> None:
    got, want = scanned["suzhou_commerce_2024_seed"], _golden("suzhou_commerce_2024_seed")
    last = max(i["page"] for i in want["indicators"])
    on_stamped_page = [i for i in want["indicators"] if i["page"] == last]
    rows = {(i["level3"], tuple(t["raw"] for t in i["targets"])) for i in got["indicators"]}
    assert len(on_stamped_page) > 8
    for indicator in on_stamped_page:
        assert (indicator["level3"], tuple(t["raw"] for t in indicator["targets"])) in rows
    assert not any("商务局" in i["level3"] or "专用章" in i["level3"] for i in got["indicators"])


def test_every_ocr_cell_keeps_its_score() -> None:
    doc = extract_file(SCANS / "suzhou_commerce_2024_seed.pages4-5.tiff")
    assert doc.source_format == "image" and doc.page_count == 2
    cells = [c for b in doc.blocks if isinstance(b, Table) for r in b.rows for c in r if c.text]
    assert cells and all(c.confidence is not None and 0 < c.confidence <= 1 for c in cells)
    assert all(c.page in (1, 2) and c.bbox for c in cells)


def test_multi_page_tiff_is_read_page_by_page() -> None:
    # Pages 4-5 alone: no indicator header, so compare cells, not indicators.
    doc = extract_file(SCANS / "suzhou_commerce_2024_seed.pages4-5.tiff")
    texts = {c.text for b in doc.blocks if isinstance(b, Table) for r in b.rows for c in r}
    want = _golden("suzhou_commerce_2024_seed")
    names = [i["level3"] for i in want["indicators"] if i["page"] in (4, 5)]
    found = [n for n in names if n in texts]
    assert len(names) > 20 and len(found) >= 0.95 * len(names), set(names) - texts


@pytest.mark.parametrize(
    "name", ["suzhou_commerce_2024_seed.page2.jpg", "suzhou_commerce_2024_seed.page2-top.png"]
)
def test_jpeg_and_png_are_read_directly(name: str) -> None:
    doc = extract_file(SCANS / name)
    assert doc.source_format == "image"
    texts = {c.text for b in doc.blocks if isinstance(b, Table) for r in b.rows for c in r}
    assert {"国有资本金", "社保基金", "上年结转资金"} <= texts


def test_quarter_turned_page_is_read_upright() -> None:
    from PIL import Image

    with Image.open(SCANS / "suzhou_commerce_2024_seed.page2-top.png") as img:
        page = np.asarray(img.convert("L"))
    result = image_to_result(np.ascontiguousarray(np.rot90(page, 1)), 1, 180)
    assert "turned 270°" in result.notes[-1].message
    texts = {c.text for f in result.items if isinstance(f, Fragment) for c in f.cells}
    assert {"国有资本金", "社保基金"} <= texts


def test_a_table_of_narrow_columns_is_not_taken_for_a_page_on_its_side() -> None:
    """Regression: page 4 of the Word scan (columns of ≥, 100%, 个 stacked cell under cell)
    lined its ink up in columns, was taken for a turned page and read whole three times
    (12 s of a 25 s file) instead of by cell."""
    import pypdfium2

    pdf = pypdfium2.PdfDocument(SCANS / "suzhou_commerce_2024_word.scan.pdf")
    page = red_free_gray(render_pdf_page(pdf, 3, 150))
    assert not quarter_turned(page, 150)
    assert quarter_turned(np.ascontiguousarray(np.rot90(page, 1)), 150)
    assert quarter_turned(np.ascontiguousarray(np.rot90(page, 3)), 150)


def test_ocr_never_and_always() -> None:
    never = file_to_filing(SCANS / "suzhou_commerce_2024_seed.page2.jpg", ocr="never")
    assert never.status == "failed" and never.findings[0].code == "needs_ocr"
    always = extract_file(SAMPLES / "pdf" / "hard" / "unruled.pdf", ocr="always")
    assert always.source_format == "pdf-scanned"
    texts = {c.text for b in always.blocks if isinstance(b, Table) for r in b.rows for c in r}
    assert {"预算执行率", "=47%"} <= texts


def test_cid_page_is_routed_to_ocr_automatically() -> None:
    filing = file_to_filing(SAMPLES / "pdf" / "hard" / "cid_page3.pdf")
    assert filing.source_format == "pdf-scanned"
    assert [f.location for f in filing.findings if f.code == "page_ocr"] == ["page 3"]
    assert not [f for f in filing.findings if f.code == "page_needs_ocr"]
    assert len(filing.indicators) == 69


OFFLINE = """
import socket
def refuse(*args, **kwargs):
    raise OSError("network is off for this test")
socket.socket.connect = refuse
socket.create_connection = refuse
import numpy as np
from jixiao.extract.ocr import image_to_lines
from PIL import Image

page = np.asarray(Image.open(sys.argv[1]).convert("L"))
lines = image_to_lines(page)
assert any(line.text == "社保基金" for line in lines), [line.text for line in lines]
print("ok", len(lines))
"""


def test_ocr_runs_with_the_network_unreachable(tmp_path: Path) -> None:
    script = tmp_path / "offline.py"
    script.write_text("import sys\n" + OFFLINE)
    image = str(SCANS / "suzhou_commerce_2024_seed.page2-top.png")
    command = [sys.executable, str(script), image]
    env = {
        "PATH": "/usr/bin:/bin",
        "HTTP_PROXY": "http://127.0.0.1:9",
        "HTTPS_PROXY": "http://127.0.0.1:9",
        "HOME": str(tmp_path),
    }
    unshare = shutil.which("unshare")
    if unshare and subprocess.run([unshare, "-n", "true"], capture_output=True).returncode == 0:
        command = [unshare, "-n", *command]  # a new network namespace: no route anywhere
    result = subprocess.run(command, capture_output=True, text=True, env=env, timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.startswith("ok")


# --- the image steps on their own --------------------------------------------------------


def _ruled_page() -> np.ndarray:
    """A white page with a 3x3 ruled table whose first column is merged over all rows."""
    page = np.full((600, 800), 255, np.uint8)
    xs, ys = (100, 300, 500, 700), (100, 200, 300, 400)
    for x in xs:
        cv2.line(page, (x, ys[0]), (x, ys[-1]), 0, 2)
    cv2.line(page, (xs[0], ys[0]), (xs[-1], ys[0]), 0, 2)
    cv2.line(page, (xs[0], ys[-1]), (xs[-1], ys[-1]), 0, 2)
    for y in ys[1:-1]:
        cv2.line(page, (xs[1], y), (xs[-1], y), 0, 2)
    return page


def test_rules_to_cells_with_spans() -> None:
    tables, printed = rules_to_tables(_ruled_page(), 1.0)
    ((_, boxes),) = tables
    assert len(boxes) == 7  # one merged cell and six plain ones
    merged = [b for b in boxes if b[0] < 150]
    assert len(merged) == 1 and merged[0][3] - merged[0][1] > 290
    assert len(printed) >= 4


def test_deskew_finds_a_small_turn() -> None:
    page = _ruled_page()
    turned = rotate(page, 1.2)
    assert abs(skew_angle(turned) + 1.2) < 0.15
    assert abs(skew_angle(page)) < 0.15


def test_red_stamp_vanishes_and_ink_under_it_stays() -> None:
    rgb = np.full((100, 100, 3), 255, np.uint8)
    cv2.circle(rgb, (50, 50), 40, (215, 40, 40), 6)  # a red ring
    rgb[45:55, 10:90] = 0  # black ink across it
    gray = red_free_gray(rgb)
    assert gray[50, 12] == 0 and gray[50, 88] == 0  # ink kept where the ring crosses it
    assert gray[50 - 40, 50] == 255  # ring gone


def test_snap_boxes_aligns_borders_a_pixel_apart() -> None:
    boxes = [Box(0, 0, 10, 10), Box(10.8, 0.5, 20, 10.6), Box(0, 10.4, 20, 20)]
    snapped = snap_boxes(boxes, 2.0)
    assert snapped[0][2] == snapped[1][0] and snapped[0][3] == snapped[2][1]


def test_image_bytes_are_sniffed_not_named() -> None:
    data = (SCANS / "suzhou_commerce_2024_seed.page2-top.png").read_bytes()
    assert extract_bytes(data, "no-suffix").source_format == "image"
