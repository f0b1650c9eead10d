"""Office and web files: .xlsx (openpyxl; merged ranges become spans), .docx (python-docx's XML;
gridSpan and vMerge become spans) and saved web pages (lxml; rowspan and colspan), into the
same RawDocument a text export gives. The source states its spans, so nothing is guessed."""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from jixiao import codes

from .model import Block, Cell, ExtractError, Paragraph, Table
from .text_export import clean_cell_text


@dataclass
class _Grid:
    """Cells placed on a grid as the source declares them; covered positions are skipped."""

    cells: dict[tuple[int, int], Cell] = field(default_factory=dict)
    covered: set[tuple[int, int]] = field(default_factory=set)

    def place(self, row: int, col: int, text: str, rows: int = 1, cols: int = 1) -> None:
        self.cells[(row, col)] = Cell(text=text, row=row, col=col, row_span=rows, col_span=cols)
        for r in range(row, row + rows):
            for c in range(col, col + cols):
                if (r, c) != (row, col):
                    self.covered.add((r, c))

    def free(self, row: int, col: int) -> bool:
        return (row, col) not in self.covered and (row, col) not in self.cells

    def to_blocks(self, width: int) -> list[Block]:
        """Rows to table rows; a row that is one line in one cell across the whole width (a
        title, 2024年度) is a paragraph, as it is on paper, and ends the table above it."""
        blocks: list[Block] = []
        rows: list[tuple[Cell, ...]] = []
        for r in sorted({r for r, _ in self.cells}):
            row = tuple(self.cells[(r, c)] for c in sorted(c for rr, c in self.cells if rr == r))
            filled = [c for c in row if c.text]
            if not filled:
                continue
            lone = (
                len(filled) == 1
                and (filled[0].col_span or 1) >= width
                and "\n" not in filled[0].text
            )
            if lone:
                # A title between two tables stacked on one sheet ends the first table.
                if rows:
                    blocks.append(Table(rows=tuple(rows), grid=True))
                    rows = []
                blocks.append(Paragraph(text=filled[0].text))
                continue
            rows.append(row)
        if rows:
            blocks.append(Table(rows=tuple(rows), grid=True))
        return blocks


def _number_text(value: Any) -> str:
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int | float | Decimal):
        d = Decimal(str(value))
        return (
            str(d.quantize(Decimal(1)))
            if d == d.to_integral_value()
            else format(d.normalize(), "f")
        )
    return "" if value is None else str(value).strip()


# A worksheet's <mergeCell ref="A1:F1"/> (any namespace prefix, self-closed or not), and its ref.
_MERGE_CELL = re.compile(rb"<(?:[\w.-]+:)?mergeCell\b[^>]*>(?:\s*</(?:[\w.-]+:)?mergeCell>)?")
_REF = re.compile(rb"""\bref=(["'])(.*?)\1""")


def _last_cell(xml: bytes) -> tuple[int, int]:
    """The last row and the last column (1-based) that hold a cell in a worksheet's XML,
    counted as openpyxl counts them: a row or cell without its `r` follows the one before."""
    from lxml import etree
    from openpyxl.utils.cell import coordinate_to_tuple

    last_row = last_col = row = col = 0
    events = etree.iterparse(
        io.BytesIO(xml), events=("start", "end"), tag=("{*}row", "{*}c"), resolve_entities=False
    )
    for event, element in events:
        is_row = etree.QName(element).localname == "row"
        if event == "start" and is_row:
            row, col = int(element.get("r") or row + 1), 0
        elif event == "end" and not is_row:
            ref = element.get("r")
            col = coordinate_to_tuple(ref)[1] if ref else col + 1
            last_row, last_col = max(last_row, row), max(last_col, col)
        elif event == "end":
            element.clear()
            while element.getprevious() is not None:
                del element.getparent()[0]
    return last_row, last_col


def _merge_bounds(element: bytes) -> tuple[int, int, int, int] | None:
    """A <mergeCell>'s first row, first column, last row and last column; None when its ref
    is not a range of cells (left for openpyxl to judge)."""
    from openpyxl.utils.cell import range_boundaries

    found = _REF.search(element)
    bounds = range_boundaries(found.group(2).decode()) if found else (None,)
    if None in bounds:
        return None
    min_col, min_row, max_col, max_row = (int(b or 0) for b in bounds)
    return min_row, min_col, max_row, max_col


def _merge_within(element: bytes, last_row: int, last_col: int) -> bytes:
    """A <mergeCell> cut to the sheet's last row and column; dropped when it starts beyond
    them (openpyxl would make its first cell there, and the sheet as large)."""
    from openpyxl.utils.cell import get_column_letter

    bounds = _merge_bounds(element)
    if bounds is None:
        return element
    first_row, first_col, end_row, end_col = bounds
    if first_row > last_row or first_col > last_col:
        return b""
    end = f"{get_column_letter(min(end_col, last_col))}{min(end_row, last_row)}"
    ref = f"{get_column_letter(first_col)}{first_row}:{end}"
    return _REF.sub(lambda m: b"ref=" + m.group(1) + ref.encode() + m.group(1), element, count=1)


def _merge_area(element: bytes) -> int:
    bounds = _merge_bounds(element)
    if bounds is None:
        return 0
    first_row, first_col, end_row, end_col = bounds
    return (end_row - first_row + 1) * (end_col - first_col + 1)


def _merges_within_cells(data: bytes) -> bytes:
    """The workbook with merged ranges cut to the cells their sheet holds. openpyxl fills a
    merged range cell by cell as it loads, so a 17 KB file merging A1:XFD1048576 would take
    17 billion cells; past the last cell a merge covers nothing. Only a sheet whose merges
    cover more cells than its XML has bytes (no real table) is rewritten: the others are
    read as they are, and reading stays linear in the file's size."""
    changed: dict[str, bytes] = {}
    with zipfile.ZipFile(io.BytesIO(data)) as book:
        for info in book.infolist():
            if info.filename.endswith(".xml"):
                xml = book.read(info)
                merges = _MERGE_CELL.findall(xml) if b"mergeCell" in xml else []
                if sum(_merge_area(m) for m in merges) > len(xml):
                    changed[info.filename] = _sheet_within_cells(xml)
        if not changed:
            return data
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as rewritten:
            for info in book.infolist():
                rewritten.writestr(info, changed.get(info.filename) or book.read(info))
    return out.getvalue()


def _sheet_within_cells(xml: bytes) -> bytes:
    """A worksheet's XML with each merge cut to its last row and column holding a cell."""
    last_row, last_col = _last_cell(xml)
    within = _MERGE_CELL.sub(lambda m: _merge_within(m.group(0), last_row, last_col), xml)
    if sum(_merge_area(m) for m in _MERGE_CELL.findall(within)) > last_row * last_col:
        # Merges that do not overlap cannot cover more than the sheet.
        raise ExtractError(
            "This Excel file's merged ranges overlap, which Excel itself refuses; open it in "
            "Excel or WPS, save it again and ingest that.",
            code=codes.CORRUPT_OFFICE,
        )
    return within


def xlsx_to_blocks(data: bytes) -> tuple[Block, ...]:
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(_merges_within_cells(data)), data_only=True)
    except ExtractError:
        raise
    except Exception as exc:
        raise ExtractError(
            f"This Excel file cannot be opened ({type(exc).__name__}); save it again from Excel "
            "or WPS and ingest that.",
            code=codes.CORRUPT_OFFICE,
        ) from exc
    blocks: list[Block] = []
    for sheet in book.worksheets:
        grid = _Grid()
        merged = {
            (m.min_row, m.min_col): (m.max_row - m.min_row + 1, m.max_col - m.min_col + 1)
            for m in sheet.merged_cells.ranges
        }
        for row in sheet.iter_rows():
            for cell in row:
                r, c = cell.row - 1, cell.column - 1
                if not grid.free(r, c):
                    continue
                rows, cols = merged.get((cell.row, cell.column), (1, 1))
                grid.place(r, c, _number_text(cell.value), rows, cols)
        blocks += grid.to_blocks(sheet.max_column)
    return tuple(blocks)


def xls_to_blocks(data: bytes) -> tuple[Block, ...]:
    """Legacy Excel 97-2003 (.xls, and WPS 表格 .et saved in that format) read directly by
    xlrd, merged ranges included; no LibreOffice needed."""
    import xlrd

    try:
        book = xlrd.open_workbook(file_contents=data, formatting_info=True)
    except Exception as exc:  # xlrd raises XLRDError, CompDocError, struct errors …
        raise ExtractError(
            f"This legacy Excel file cannot be opened ({type(exc).__name__}); save it again from "
            "Excel or WPS (as .xlsx if you can) and ingest that.",
            code=codes.CORRUPT_OFFICE,
        ) from exc
    blocks: list[Block] = []
    for sheet in book.sheets():
        grid = _Grid()
        # merged_cells: (first row, last row + 1, first col, last col + 1)
        merged = {(r0, c0): (r1 - r0, c1 - c0) for r0, r1, c0, c1 in sheet.merged_cells}
        for r in range(sheet.nrows):
            for c in range(sheet.ncols):
                if not grid.free(r, c):
                    continue
                cell = sheet.cell(r, c)
                value = cell.value if cell.ctype != xlrd.XL_CELL_EMPTY else None
                rows, cols = merged.get((r, c), (1, 1))
                grid.place(r, c, _number_text(value), rows, cols)
        blocks += grid.to_blocks(sheet.ncols)
    return tuple(blocks)


_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def _docx_cell_text(tc: Any) -> str:
    paragraphs = []
    for p in tc.iter(f"{_W}p"):
        paragraphs.append("".join(t.text or "" for t in p.iter(f"{_W}t")).strip())
    return "\n".join(p for p in paragraphs if p)


def _docx_table(tbl: Any) -> list[Block]:
    grid = _Grid()
    width = 0
    for r, tr in enumerate(tbl.findall(f"{_W}tr")):
        col = 0
        for tc in tr.findall(f"{_W}tc"):
            props = tc.find(f"{_W}tcPr")
            span_el = props.find(f"{_W}gridSpan") if props is not None else None
            vmerge = props.find(f"{_W}vMerge") if props is not None else None
            cols = int(span_el.get(f"{_W}val")) if span_el is not None else 1
            if vmerge is not None and vmerge.get(f"{_W}val") != "restart":
                # continues the cell above: grow that cell's span
                for above in range(r - 1, -1, -1):
                    origin = grid.cells.get((above, col))
                    if origin is not None:
                        grid.place(
                            above,
                            col,
                            origin.text,
                            (origin.row_span or 1) + 1,
                            origin.col_span or 1,
                        )
                        break
            else:
                grid.place(r, col, _docx_cell_text(tc), 1, cols)
            col += cols
        width = max(width, col)
    return grid.to_blocks(width)


def _inside_table(element: Any) -> bool:
    return any(a.tag == f"{_W}tbl" for a in element.iterancestors())


def docx_to_blocks(data: bytes) -> tuple[Block, ...]:
    from docx import Document

    try:
        body = Document(io.BytesIO(data)).element.body
    except Exception as exc:
        raise ExtractError(
            f"This Word file cannot be opened ({type(exc).__name__}); save it again from Word "
            "or WPS and ingest that.",
            code=codes.CORRUPT_OFFICE,
        ) from exc
    blocks: list[Block] = []
    for child in body.iterchildren():
        if child.tag == f"{_W}tbl":
            blocks += _docx_table(child)
            continue
        # A table can sit inside a paragraph (a frame or text box, as LibreOffice writes a
        # floating table): read the tables, not their flattened text.
        tables = [t for t in child.iter(f"{_W}tbl") if not _inside_table(t)]
        if tables:
            for table in tables:
                blocks += _docx_table(table)
            continue
        text = "".join(t.text or "" for t in child.iter(f"{_W}t")).strip()
        if text and child.tag == f"{_W}p":
            blocks.append(Paragraph(text=text))
    return tuple(blocks)


def html_to_blocks(text: str) -> tuple[Block, ...]:
    from lxml import html

    root = html.fromstring(text)
    blocks: list[Block] = []
    for element in root.iter("table", "h1", "h2", "h3", "p", "div"):
        if element.tag == "table":
            if element.getparent() is not None and any(
                a.tag == "table" for a in element.iterancestors()
            ):
                continue
            grid = _Grid()
            width = 0
            for r, tr in enumerate(element.iter("tr")):
                col = 0
                for td in tr:
                    if td.tag not in ("td", "th"):
                        continue
                    while not grid.free(r, col):
                        col += 1
                    rows = int(td.get("rowspan", "1") or 1)
                    cols = int(td.get("colspan", "1") or 1)
                    grid.place(
                        r, col, clean_cell_text(html.tostring(td, encoding="unicode")), rows, cols
                    )
                    col += cols
                width = max(width, col)
            blocks += grid.to_blocks(width)
        elif not any(a.tag == "table" for a in element.iterancestors()):
            # A paragraph's text through its formatting (<p><b><span>2023年度</span></b></p>).
            # An element holding anything else is read through its own blocks, or is page
            # chrome: links make navigation and breadcrumbs (当前位置：首页 > …), not content.
            if any(d.tag not in _HTML_FORMATTING for d in element.iterdescendants()):
                continue
            own = clean_cell_text(html.tostring(element, encoding="unicode"))
            if own.strip():
                blocks.append(Paragraph(text=own.strip()))
    return tuple(blocks)


_HTML_FORMATTING = frozenset(
    {"b", "strong", "i", "em", "u", "span", "font", "sup", "sub", "br", "o:p", "small", "big"}
)


_LIBREOFFICE_PACKAGES = "libreoffice-writer-nogui and libreoffice-calc-nogui"


def legacy_kind(data: bytes) -> str:
    """'doc' (Word, WPS 文字) or 'xls' (Excel, WPS 表格) for an OLE compound file, from the names
    of the streams inside it."""
    if "WordDocument".encode("utf-16-le") in data:
        return "doc"
    if "Workbook".encode("utf-16-le") in data or "Book".encode("utf-16-le") in data:
        return "xls"
    return "doc"


def legacy_to_blocks(data: bytes, kind: str, timeout: float = 180.0) -> tuple[Block, ...]:
    """.doc/.wps or .xls/.et converted by LibreOffice headless into .docx/.xlsx, then read as
    those. Without LibreOffice, a clear error naming what to install."""
    import shutil
    import subprocess
    import tempfile
    from pathlib import Path

    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        raise ExtractError(
            f"This is a legacy Office file (.{kind}, also .wps/.et); reading it needs LibreOffice, "
            f"which is not installed here. Install the Debian packages {_LIBREOFFICE_PACKAGES} "
            "(apt-get install …), or save the file as .docx/.xlsx, and ingest it again.",
            code=codes.NEEDS_LIBREOFFICE,
        )
    target = "docx" if kind == "doc" else "xlsx"
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / f"filing.{kind}"
        source.write_bytes(data)
        try:
            subprocess.run(
                [
                    soffice,
                    "--headless",
                    f"-env:UserInstallation=file://{tmp}/profile",
                    "--convert-to",
                    target,
                    "--outdir",
                    tmp,
                    str(source),
                ],
                check=True,
                capture_output=True,
                timeout=timeout,
            )
            converted = (Path(tmp) / f"filing.{target}").read_bytes()
        except (subprocess.SubprocessError, OSError) as exc:
            raise ExtractError(
                f"LibreOffice could not convert this .{kind} file ({type(exc).__name__}); open "
                f"it and save it as .{target}, then ingest that.",
                code=codes.CONVERSION_FAILED,
            ) from exc
    return docx_to_blocks(converted) if target == "docx" else xlsx_to_blocks(converted)
