"""Expected Filings of the LibreOffice PDFs (run after make_office_pdfs.py).

LibreOffice decides the page breaks, so the page of every grid row is looked up in the PDF with
PDFium's own text extraction (not jixiao's), and the merged cells that a page end cut with text
in both pieces are listed below as a person found them on the rendered pages:

- Word: the 职能10 cell (grid row 94) is cut by the end of page 4
  ("…管理和" | "监督对外投资、…等等"); page 5 repeats the indicator header row.
- Excel: LibreOffice Calc prints a cut merged cell's whole text on both pages, clipped; the
  pieces are the same text, so nothing is joined from two different texts."""

from __future__ import annotations

import re
from pathlib import Path

import pypdfium2 as pdfium
from expected_from_grid import expected_filing, write
from seed_grid import Grid, build_grid

HERE = Path(__file__).resolve().parent
PDF = HERE / "pdf"
EXPECTED = HERE / "expected"


def page_texts(pdf: Path) -> list[str]:
    doc = pdfium.PdfDocument(pdf)
    texts = []
    for page in doc:
        text = page.get_textpage().get_text_bounded()
        texts.append(re.sub(r"\s+", "", text))
    return texts


def row_pages(grid: Grid, pdf: Path) -> list[int]:
    """The page each grid row is printed on: where its first own cell's text is found, searching
    forward from the previous row's page."""
    texts = page_texts(pdf)
    pages, page = [], 1
    for row in range(grid.n_rows):
        own = sorted(
            (c for c in grid.cells if c.row == row and c.rowspan == 1 and c.text),
            key=lambda c: -len(c.text),
        )
        probe = re.sub(r"\s+", "", own[0].text)[:10] if own else ""
        if probe:
            page = next(p for p in range(page, len(texts) + 1) if probe in texts[p - 1])
        pages.append(page)
    return pages


def main() -> None:
    grid = build_grid()
    split = grid.header_rows[0]
    word = PDF / "suzhou_commerce_2024_word.pdf"
    tables = [(0, r) if r < split else (1, r - split) for r in range(grid.n_rows)]
    write(
        expected_filing(
            grid, word, row_pages(grid, word), table_of_row=tables, joined=[(94, 1, 4, 5)]
        ),
        EXPECTED / "suzhou_commerce_2024_word.pdf.json",
    )
    excel = PDF / "suzhou_commerce_2024_excel.pdf"
    write(
        expected_filing(grid, excel, row_pages(grid, excel)),
        EXPECTED / "suzhou_commerce_2024_excel.pdf.json",
    )
    print("expected Filings written")


if __name__ == "__main__":
    main()
