"""The seed filing made the way departments make it: written in Word (.docx) and Excel (.xlsx)
with real merged cells and borders, then turned into PDF by LibreOffice headless.

    python samples/make_office_pdfs.py

writes samples/office/suzhou_commerce_2024.{docx,xlsx} and their PDFs in samples/pdf/. The .docx
has two tables (the header and funds, then the indicators) and repeats the indicator table's
header row on every page; the .xlsx is one sheet, one grid, and repeats nothing.

Needs python-docx, openpyxl and Debian's libreoffice-writer-nogui, libreoffice-calc-nogui and
fonts-wqy-microhei. Expected Filings are written by make_expected_office.py after a person has
checked the PDFs."""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
from pathlib import Path

from docx import Document
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt
from make_seed_pdf import FONT as RL_FONT
from make_seed_pdf import FONT_FILE, row_heights
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from seed_grid import COLUMN_WIDTHS, Grid, GridCell, build_grid

HERE = Path(__file__).resolve().parent
OFFICE = HERE / "office"
PDF = HERE / "pdf"
FONT = "WenQuanYi Micro Hei"


def _east_asian(run: object, size: float) -> None:
    run.font.name = FONT  # type: ignore[attr-defined]
    run.font.size = Pt(size)  # type: ignore[attr-defined]
    rpr = run._element.get_or_add_rPr()  # type: ignore[attr-defined]
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.append(fonts)
    fonts.set(qn("w:eastAsia"), FONT)


def _write_cell(cell: object, text: str, align_left: bool) -> None:
    lines = text.split("\n")
    first = cell.paragraphs[0]  # type: ignore[attr-defined]
    for i, line in enumerate(lines):
        paragraph = first if i == 0 else cell.add_paragraph()  # type: ignore[attr-defined]
        paragraph.alignment = WD_ALIGN_PARAGRAPH.LEFT if align_left else WD_ALIGN_PARAGRAPH.CENTER
        _east_asian(paragraph.add_run(line), 9)
    cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER  # type: ignore[attr-defined]


def _docx_table(doc: object, grid: Grid, rows: range, *, repeat_header: bool) -> None:
    table = doc.add_table(rows=len(rows), cols=len(COLUMN_WIDTHS))  # type: ignore[attr-defined]
    table.style = "Table Grid"
    scale = 17.0 / sum(COLUMN_WIDTHS)  # 17 cm of A4 between the margins
    for row in table.rows:
        tr_pr = row._tr.get_or_add_trPr()
        tr_pr.append(OxmlElement("w:cantSplit"))  # rows never break over a page
        for k, cell in enumerate(row.cells):
            cell.width = Cm(COLUMN_WIDTHS[k] * scale)
    if repeat_header:
        header = OxmlElement("w:tblHeader")
        header.set(qn("w:val"), "true")
        table.rows[0]._tr.get_or_add_trPr().append(header)
    start = rows.start
    for c in sorted((c for c in grid.cells if c.row in rows), key=lambda c: (c.row, c.col)):
        top_left = table.cell(c.row - start, c.col)
        if c.rowspan > 1 or c.colspan > 1:
            top_left = top_left.merge(
                table.cell(c.row - start + c.rowspan - 1, c.col + c.colspan - 1)
            )
        _write_cell(top_left, c.text, c.align == "left")


def make_docx(grid: Grid, path: Path) -> None:
    doc = Document()
    section = doc.sections[0]
    section.page_width, section.page_height = Cm(21.0), Cm(29.7)
    section.left_margin = section.right_margin = Cm(2.0)
    section.top_margin = section.bottom_margin = Cm(2.0)
    for text, size in ((grid.title, 16), (grid.year, 11)):
        paragraph = doc.add_paragraph()
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        _east_asian(paragraph.add_run(text), size)
    split = grid.header_rows[0]
    _docx_table(doc, grid, range(0, split), repeat_header=False)
    doc.add_paragraph()
    _docx_table(doc, grid, range(split, grid.n_rows), repeat_header=True)
    doc.save(str(path))


def make_xlsx(grid: Grid, path: Path) -> None:
    wb = Workbook()
    ws = wb.active
    ws.title = "绩效目标表"
    thin = Side(style="thin", color="000000")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    font = Font(name=FONT, size=9)
    letters = "ABCDEF"
    for k, width in enumerate(COLUMN_WIDTHS):
        ws.column_dimensions[letters[k]].width = width / 5.2
    ws.merge_cells("A1:F1")
    ws["A1"] = grid.title
    ws["A1"].font = Font(name=FONT, size=15)
    ws["A1"].alignment = Alignment(horizontal="center")
    ws.merge_cells("A2:F2")
    ws["A2"] = grid.year
    ws["A2"].font = Font(name=FONT, size=10)
    ws["A2"].alignment = Alignment(horizontal="center")
    first = 4  # grid row 0 is sheet row 4; row 3 stays empty
    # Excel does not grow rows to fit wrapped text: set the heights the text needs, as a clerk
    # would drag them, from the same metrics the seed rendition uses.
    for r, height in enumerate(row_heights(grid)):
        ws.row_dimensions[first + r].height = round(height * 1.1, 1)
    for r in range(grid.n_rows):
        for k in range(len(COLUMN_WIDTHS)):
            cell = ws.cell(row=first + r, column=k + 1)
            cell.border = border
            cell.font = font
    for c in grid.cells:
        _xlsx_cell(ws, c, first)
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = "portrait"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.5
    wb.save(str(path))


def _xlsx_cell(ws: object, c: GridCell, first: int) -> None:
    row, col = first + c.row, c.col + 1
    if c.rowspan > 1 or c.colspan > 1:
        ws.merge_cells(  # type: ignore[attr-defined]
            start_row=row,
            start_column=col,
            end_row=row + c.rowspan - 1,
            end_column=col + c.colspan - 1,
        )
    cell = ws.cell(row=row, column=col)  # type: ignore[attr-defined]
    if re.fullmatch(r"\d+(\.\d+)?", c.text):
        cell.value = float(c.text) if "." in c.text else int(c.text)  # amounts are numbers
    elif c.text:
        cell.value = c.text
        cell.data_type = "s"  # "=100%" is a target, not a formula
    cell.alignment = Alignment(
        horizontal="left" if c.align == "left" else "center", vertical="center", wrap_text=True
    )


def make_html(grid: Grid, path: Path) -> None:
    """The filing as a government site publishes it: a saved web page, GBK-encoded, the table
    with rowspan and colspan."""
    import html

    rows: dict[int, list[GridCell]] = {}
    for c in grid.cells:
        rows.setdefault(c.row, []).append(c)
    lines = [
        '<html><head><meta http-equiv="Content-Type" content="text/html; charset=gbk">',
        f"<title>{html.escape(grid.title)}</title></head><body>",
        f"<h2>{html.escape(grid.title)}</h2>",
        f"<p>{html.escape(grid.year)}</p>",
        '<table border="1" cellspacing="0">',
    ]
    for r in range(grid.n_rows):
        cells = sorted(rows.get(r, []), key=lambda c: c.col)
        tds = "".join(
            f'<td rowspan="{c.rowspan}" colspan="{c.colspan}">'
            + "<br/>".join(html.escape(line) for line in c.text.split("\n"))
            + "</td>"
            for c in cells
        )
        lines.append(f"<tr>{tds}</tr>")
    lines.append("</table></body></html>")
    path.write_bytes("\n".join(lines).encode("gbk"))


def to_pdf(source: Path, target: Path) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(
            [
                "soffice",
                "--headless",
                f"-env:UserInstallation=file://{tmp}/profile",
                "--convert-to",
                "pdf",
                "--outdir",
                tmp,
                str(source),
            ],
            check=True,
            capture_output=True,
            timeout=300,
        )
        shutil.move(Path(tmp) / f"{source.stem}.pdf", target)


def main() -> None:
    pdfmetrics.registerFont(TTFont(RL_FONT, FONT_FILE, subfontIndex=0))
    OFFICE.mkdir(exist_ok=True)
    grid = build_grid()
    docx = OFFICE / "suzhou_commerce_2024.docx"
    xlsx = OFFICE / "suzhou_commerce_2024.xlsx"
    make_docx(grid, docx)
    make_xlsx(grid, xlsx)
    make_html(grid, OFFICE / "suzhou_commerce_2024.gbk.html")
    to_pdf(docx, PDF / "suzhou_commerce_2024_word.pdf")
    to_pdf(xlsx, PDF / "suzhou_commerce_2024_excel.pdf")
    print("written", docx.name, xlsx.name, "and their PDFs")


if __name__ == "__main__":
    main()
