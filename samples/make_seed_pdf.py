"""Render the seed filing as the published 苏州 PDF looks: A4, one ruled table with vertically
merged 一级/二级/职能 cells that run over page ends, long cells wrapping, WQY MicroHei embedded.

Header rows are fake bold (every glyph printed twice, 0.3 pt apart). Merged cells are drawn as
spreadsheets and WPS print them: a short label is centred on the whole span and so lands on
whichever page holds the span's middle (the lone 履职 of the text export); a long text flows from
the top of the span and carries on after the page end (the broken 职能 cell). Rows never break.

    python samples/make_seed_pdf.py     # writes samples/pdf/suzhou_commerce_2024_seed.pdf

Needs reportlab and Debian's fonts-wqy-microhei; the PDF is committed, tests need neither."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from expected_from_grid import expected_filing, write
from reportlab.lib.pagesizes import A4
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from seed_grid import COLUMN_WIDTHS, Grid, GridCell, build_grid

HERE = Path(__file__).resolve().parent
OUT = HERE / "pdf" / "suzhou_commerce_2024_seed.pdf"
EXPECTED = HERE / "expected" / "suzhou_commerce_2024_seed.pdf.json"
FONT_FILE = "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"
FONT = "WQYMicroHei"

PAGE_W, PAGE_H = A4
MARGIN_X, MARGIN_TOP, MARGIN_BOTTOM = 40.0, 50.0, 66.0
SIZE, LEADING, PAD, MIN_ROW = 8.5, 11.5, 3.0, 18.0


def wrap(text: str, width: float) -> list[str]:
    """Break text into lines that fit `width`, character by character (Chinese has no spaces)."""
    lines: list[str] = []
    for paragraph in text.split("\n"):
        line = ""
        for ch in paragraph:
            if pdfmetrics.stringWidth(line + ch, FONT, SIZE) > width and line:
                lines.append(line)
                line = ch
            else:
                line += ch
        lines.append(line)
    return lines


@dataclass
class Placed:
    """Where a grid row ended up."""

    page: int
    top: float  # distance from the page top
    height: float


@dataclass
class Layout:
    rows: list[Placed] = field(default_factory=list)
    pages: int = 0


def column_x(col: int) -> float:
    return MARGIN_X + sum(COLUMN_WIDTHS[:col])


def cell_width(cell: GridCell) -> float:
    return float(sum(COLUMN_WIDTHS[cell.col : cell.col + cell.colspan]))


def row_heights(grid: Grid) -> list[float]:
    heights = [MIN_ROW] * grid.n_rows
    for cell in grid.cells:
        if cell.rowspan == 1:
            need = len(wrap(cell.text, cell_width(cell) - 2 * PAD)) * LEADING + 2 * PAD
            heights[cell.row] = max(heights[cell.row], need)
    for cell in grid.cells:
        if cell.rowspan > 1:
            need = len(wrap(cell.text, cell_width(cell) - 2 * PAD)) * LEADING + 2 * PAD
            span = range(cell.row, cell.row + cell.rowspan)
            have = sum(heights[r] for r in span)
            if have < need:
                heights[span[-1]] += need - have
    return heights


def paginate(grid: Grid, heights: list[float], first_top: float) -> Layout:
    layout = Layout()
    page, top = 1, first_top
    for h in heights:
        if top + h > PAGE_H - MARGIN_BOTTOM:
            page, top = page + 1, MARGIN_TOP
        layout.rows.append(Placed(page, top, h))
        top += h
    layout.pages = page
    return layout


def fragments(cell: GridCell, layout: Layout) -> list[tuple[int, float, float]]:
    """(page, top, height) of each per-page piece of a cell."""
    out: list[tuple[int, float, float]] = []
    for r in range(cell.row, cell.row + cell.rowspan):
        placed = layout.rows[r]
        if out and out[-1][0] == placed.page:
            page, top, height = out[-1]
            out[-1] = (page, top, height + placed.height)
        else:
            out.append((placed.page, placed.top, placed.height))
    return out


def text_per_fragment(cell: GridCell, pieces: list[tuple[int, float, float]]) -> list[list[str]]:
    lines = wrap(cell.text, cell_width(cell) - 2 * PAD) if cell.text else []
    out: list[list[str]] = [[] for _ in pieces]
    if not lines:
        return out
    if cell.flow:
        i = 0
        for k, (_, _, height) in enumerate(pieces):
            fit = max(0, int((height - 2 * PAD) // LEADING))
            if k == len(pieces) - 1:
                fit = len(lines)
            out[k] = lines[i : i + fit]
            i += fit
        return out
    # centred on the whole span: the piece that holds the middle gets the text
    total = sum(h for _, _, h in pieces)
    middle, acc = total / 2, 0.0
    for k, (_, _, height) in enumerate(pieces):
        if acc + height >= middle and height - 2 * PAD >= len(lines) * LEADING:
            out[k] = lines
            return out
        acc += height
    biggest = max(range(len(pieces)), key=lambda k: pieces[k][2])
    out[biggest] = lines
    return out


def render(grid: Grid, path: Path) -> dict[str, object]:
    pdfmetrics.registerFont(TTFont(FONT, FONT_FILE, subfontIndex=0))
    heights = row_heights(grid)
    title_block = MARGIN_TOP + 60
    layout = paginate(grid, heights, title_block)
    canvas = Canvas(str(path), pagesize=A4, pageCompression=1, invariant=1)
    canvas.setTitle(grid.title)
    drawn: dict[int, list[tuple[GridCell, tuple[int, float, float], list[str]]]] = {}
    cell_meta = []
    for cell in grid.cells:
        pieces = fragments(cell, layout)
        texts = text_per_fragment(cell, pieces)
        for piece, lines in zip(pieces, texts, strict=True):
            drawn.setdefault(piece[0], []).append((cell, piece, lines))
        cell_meta.append(
            {
                "row": cell.row,
                "col": cell.col,
                "rowspan": cell.rowspan,
                "colspan": cell.colspan,
                "pages": [p for p, _, _ in pieces],
                "text_pages": [p for (p, _, _), t in zip(pieces, texts, strict=True) if t],
            }
        )
    for page in range(1, layout.pages + 1):
        if page == 1:
            canvas.setFont(FONT, 16)
            canvas.drawCentredString(PAGE_W / 2, PAGE_H - MARGIN_TOP - 16, grid.title)
            canvas.setFont(FONT, 10)
            canvas.drawCentredString(PAGE_W / 2, PAGE_H - MARGIN_TOP - 40, grid.year)
        canvas.setLineWidth(0.6)
        for cell, (_, top, height), lines in drawn.get(page, []):
            x, w = column_x(cell.col), cell_width(cell)
            canvas.rect(x, PAGE_H - top - height, w, height, stroke=1, fill=0)
            if not lines:
                continue
            canvas.setFont(FONT, SIZE)
            block = len(lines) * LEADING
            y0 = (
                PAGE_H - top - PAD - SIZE
                if cell.flow
                else (PAGE_H - top - (height - block) / 2 - SIZE)
            )
            # Header rows in fake bold, as WPS prints them: each glyph twice, a hair apart.
            strokes = (0.0, 0.3) if cell.row in grid.header_rows else (0.0,)
            for i, line in enumerate(lines):
                y = y0 - i * LEADING
                for dx in strokes:
                    if cell.align == "left":
                        canvas.drawString(x + PAD + dx, y, line)
                    else:
                        canvas.drawCentredString(x + w / 2 + dx, y, line)
        canvas.setFont(FONT, 8)
        canvas.drawCentredString(PAGE_W / 2, MARGIN_BOTTOM / 2, f"第{page}页")
        canvas.showPage()
    canvas.save()
    return {
        "pages": layout.pages,
        "row_pages": [p.page for p in layout.rows],
        "cells": cell_meta,
    }


def main() -> None:
    OUT.parent.mkdir(exist_ok=True)
    grid = build_grid()
    meta = render(grid, OUT)
    joined = [
        (c["row"], c["col"], a, b)
        for c in meta["cells"]
        for a, b in zip(c["text_pages"], c["text_pages"][1:], strict=False)
        if b == a + 1
    ]
    write(expected_filing(grid, OUT, meta["row_pages"], joined=joined), EXPECTED)
    print(f"{OUT}: {meta['pages']} pages; expected Filing in {EXPECTED.name}")


if __name__ == "__main__":
    main()
