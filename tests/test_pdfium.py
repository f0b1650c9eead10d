"""Pages that PDFium can read are never refused (issue 16, point 3): a page tree pdfminer cannot
read is read by PDFium; a text layer pdfminer misreads and PDFium reads soundly is PDFium's; only
where both fail is a page read by OCR; and a page OCR finds no text on says it could not be read.
Samples: samples/make_pdfium_cases.py."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from conftest import SAMPLES
from jixiao import codes
from jixiao.extract import Note, Paragraph, RawDocument, text_layer
from jixiao.extract.geometry import Char
from jixiao.extract.pages import _is_blank, pdfium_page_to_result
from jixiao.extract.render import page_chars
from jixiao.extract.text_layer import chars_to_quality
from jixiao.normalize import NormalizeError, normalize
from jixiao.pipeline import file_to_filing, file_to_filings

PDF = SAMPLES / "pdf"
HARD = PDF / "hard"
SEED_PDF = PDF / "suzhou_commerce_2024_seed.pdf"


def _seed_expected() -> dict[str, Any]:
    path = SAMPLES / "expected" / "suzhou_commerce_2024_seed.pdf.json"
    return json.loads(path.read_text(encoding="utf-8"))  # type: ignore[no-any-return]


def _assert_reads_as_the_seed(got: dict[str, Any], extra_findings: list[str]) -> None:
    want = _seed_expected()
    for key in want:
        if key not in ("source_path", "source_sha256", "findings", "indicators"):
            assert got[key] == want[key], key
    assert got["indicators"] == want["indicators"]
    assert [f["code"] for f in got["findings"]] == [
        *extra_findings,
        *(f["code"] for f in want["findings"]),
    ]


def test_a_page_tree_pdfminer_cannot_read_is_read_by_pdfium() -> None:
    # Page dicts without /Type /Page: pdfminer finds no pages ("This PDF has no pages."), PDFium
    # finds all five. Their text is read from PDFium's text layer, their rules from its
    # rendering, and the filing is the seed's to the last target.
    filing = file_to_filing(HARD / "untyped_pages.pdf", ocr="never")
    _assert_reads_as_the_seed(filing.to_dict(), [codes.READ_BY_PDFIUM])
    assert "PDFium finds 5 pages" in filing.findings[0].message


def test_a_page_pdfminer_skips_is_not_lost(tmp_path: Path) -> None:
    # Only page 3 untyped: pdfminer finds four pages and would drop page 3 without a word.
    data = SEED_PDF.read_bytes()
    key = b"/Type /Page\n"
    at = [k for k in range(len(data)) if data.startswith(key, k)][2]
    path = tmp_path / "page3_untyped.pdf"
    path.write_bytes(data[:at] + b" " * (len(key) - 1) + data[at + len(key) - 1 :])
    filing = file_to_filing(path, ocr="never")
    _assert_reads_as_the_seed(filing.to_dict(), [codes.READ_BY_PDFIUM])
    assert "(it finds only 4); PDFium finds 5 pages" in filing.findings[0].message


def test_a_page_count_past_the_page_tree_adds_no_pages(tmp_path: Path) -> None:
    # PDFium takes its page count from /Count: seven, of which two do not exist.
    path = tmp_path / "count7.pdf"
    path.write_bytes(SEED_PDF.read_bytes().replace(b"/Count 5", b"/Count 7"))
    filing = file_to_filing(path, ocr="never")
    _assert_reads_as_the_seed(filing.to_dict(), [])


def test_a_scan_in_a_page_tree_pdfminer_cannot_read_goes_to_ocr() -> None:
    filing = file_to_filing(HARD / "untyped_pages.scan.pdf", ocr="never")
    assert filing.status == "failed"
    (finding,) = filing.findings
    assert finding.code == codes.NEEDS_OCR and "page 1 need OCR" in finding.message


@pytest.mark.slow
def test_a_scan_in_a_page_tree_pdfminer_cannot_read_is_read_by_ocr() -> None:
    filing = file_to_filing(HARD / "untyped_pages.scan.pdf")
    assert filing.source_format == "pdf-scanned"
    assert [f.location for f in filing.findings if f.code == codes.PAGE_OCR] == ["page 1"]
    names = {line.name for line in filing.fund_lines}
    assert {"国有资本金", "社保基金", "上年结转资金"} <= names


def test_no_pages_only_when_pdfium_finds_none_either() -> None:
    filing = file_to_filing(HARD / "no_pages.pdf")
    assert [(f.code, f.message) for f in filing.findings] == [
        (codes.CORRUPT_PDF, "This PDF has no pages.")
    ]


def test_a_text_layer_pdfminer_misreads_is_read_by_pdfium() -> None:
    # Regression: a Word file converted by LibreOffice with no Chinese font installed draws
    # every Chinese character as one missing glyph, mapped to 肇, with the real character in
    # /ActualText. pdfminer reads 肇肇肇; PDFium honours /ActualText. The glyphs printed are all
    # the same box, so OCR could not read them either: PDFium's text is the only reading.
    from test_regional import compact, golden

    filings = file_to_filings(HARD / "one_glyph_font_map.pdf", ocr="never")
    want = golden("zhaoqing_agriculture_2024.docx")
    assert len(filings) == len(want)
    for filing, expected in zip(filings, want, strict=True):
        got = compact(filing)
        got["findings"] = [c for c in got["findings"] if c != codes.READ_BY_PDFIUM]
        assert got == {k: v for k, v in expected.items() if k in got}
    notes = [f for f in filings[0].findings if f.code == codes.READ_BY_PDFIUM]
    assert [(f.severity, f.location) for f in notes] == [("info", f"page {n}") for n in (1, 2, 3)]
    assert "one and the same character" in notes[0].message


def test_pdfium_garbage_is_not_taken_for_text() -> None:
    # cid_page3's page 3 has no ToUnicode map: PDFium guesses Latin letters and control codes
    # where pdfminer says (cid:N). Both readings are unusable, so the page still needs OCR.
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(HARD / "cid_page3.pdf")
    try:
        result = pdfium_page_to_result(doc, 2, None)
    finally:
        doc.close()
    assert not result.items
    assert [n.code for n in result.notes] == [codes.PAGE_NEEDS_OCR]
    assert "character map" in result.notes[0].message
    control = [Char(chr(c), 0, 1, 0, 1, 10) for c in (0x1E, 0x0B, 0x06)] * 4
    assert chars_to_quality(control, False) == "unmapped_text"


def test_a_page_pdfminer_fails_on_is_read_by_pdfium(monkeypatch: pytest.MonkeyPatch) -> None:
    # pdfminer raising on one page's content made it page_unreadable; PDFium reads it.
    page_chars_of = text_layer.page_chars

    def failing_on_page_3(page: Any, *args: Any) -> list[Char]:
        if page.page_number == 3:
            raise RuntimeError("pdfminer choked")
        return page_chars_of(page, *args)

    monkeypatch.setattr(text_layer, "page_chars", failing_on_page_3)
    filing = file_to_filing(SEED_PDF, ocr="never")
    _assert_reads_as_the_seed(filing.to_dict(), [codes.READ_BY_PDFIUM])
    assert filing.findings[0].location == "page 3"
    assert "pdfminer could not read (RuntimeError)" in filing.findings[0].message


@pytest.mark.parametrize("path", [SEED_PDF, HARD / "rotated.pdf"])
def test_pdfium_chars_stand_where_pdfplumber_puts_them(path: Path) -> None:
    """PDFium's boxes, in user space, placed as pdfplumber places chars on a page shown turned
    by its /Rotate (rotated.pdf: pages 2 and 3 are /Rotate 90)."""
    import pdfplumber
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(path)
    try:
        with pdfplumber.open(path) as pdf:
            for index, page in enumerate(pdf.pages):
                mine = [c for c in page_chars(doc, index) if c.text.strip()]
                theirs = [c for c in text_layer.page_chars(page) if c.text.strip()]
                assert len(mine) == len(theirs)
                by_text: dict[str, list[Char]] = {}
                for a in mine:
                    by_text.setdefault(a.text, []).append(a)
                for b in theirs:
                    off = min(
                        max(abs(a.centre[0] - b.centre[0]), abs(a.centre[1] - b.centre[1]))
                        for a in by_text[b.text]
                    )
                    assert off < 1, (index, b)
    finally:
        doc.close()


def test_unreadable_pages_say_so_not_check_the_tabs() -> None:
    note = Note(
        "error",
        codes.PAGE_UNREADABLE,
        "Page 1 has no text layer (it is an image, a scan), and OCR found no text on it: the "
        "page could not be read. If it is a scan, scan it again (300 dpi, black on white).",
        "page 1",
    )
    doc = RawDocument("scan.pdf", "0" * 64, "pdf-scanned", (), page_count=1, notes=(note,))
    with pytest.raises(NormalizeError) as raised:
        normalize(doc)
    message = str(raised.value)
    assert raised.value.code == codes.PAGES_UNREADABLE
    assert "(page 1 could not be read)" in message and "scan it again" in message
    assert "tabs" not in message
    # A scan that OCR read, but read as no filing: a hint for scans, not for text exports.
    letter = RawDocument("letter.pdf", "0" * 64, "pdf-scanned", (Paragraph("会议通知"),))
    with pytest.raises(NormalizeError, match="scan it again") as raised:
        normalize(letter)
    assert raised.value.code == codes.NOT_A_FILING and "tabs" not in str(raised.value)


@pytest.mark.slow
def test_a_page_ocr_finds_no_text_on_could_not_be_read() -> None:
    # Hatching: ink, no text. OCR finding nothing on it said "read by OCR", and the file was
    # "not a filing: check that its table cells are separated by tabs".
    filing = file_to_filing(HARD / "ink_no_text.scan.pdf")
    assert (filing.status, filing.source_format) == ("failed", "pdf-scanned")
    (finding,) = filing.findings
    assert finding.code == codes.PAGES_UNREADABLE
    assert "(page 1 could not be read)" in finding.message
    assert "OCR found no text on it" in finding.message and "tabs" not in finding.message


def test_a_blank_page_is_no_failure_to_read() -> None:
    white = np.full((200, 100, 3), 255, np.uint8)
    assert _is_blank(white)
    white[::8, :, :] = 0  # rules every 8 px: a ruled form with nothing written in it
    assert not _is_blank(white)
