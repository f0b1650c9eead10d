"""A picture for debugging (`jixiao debug FILE --page N --out page.png`): one page of a PDF or
image as the readers saw it (a scan as the scan pipeline straightened it), with what was found
on it drawn over it: the printed rules, the ruled boxes, the cells with their row and column,
the OCR text boxes coloured by confidence, and what each cell became in the filing (三级指标,
target, fund line, header field, ignored, not read).

It composes the stages as the per-file work does (the whole file extracted, then normalized),
then reads page N again for what a `RawDocument` does not keep (rules, ruled boxes, OCR lines).
Pure steps after that: page → `PageLayers` → a Pillow image → PNG. Coordinates are points;
they become pixels at the page's dpi."""

from __future__ import annotations

import itertools
import logging
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from jixiao import codes
from jixiao.extract import Cell, CellRef, RawDocument, extract_bytes, sniff_format
from jixiao.extract.geometry import Box, Char, Rule
from jixiao.normalize import NormalizeError, normalize_document, sections_to_ledger
from jixiao.normalize.funds import rows_to_fund_lines
from jixiao.normalize.header import paragraphs_to_fiscal_year, paragraphs_to_title
from jixiao.normalize.indicators import items_to_indicators
from jixiao.normalize.ledger import Ledger
from jixiao.normalize.model import FundLine, Indicator
from jixiao.normalize.not_filings import holds_performance_table
from jixiao.normalize.sections import Sections, document_to_parts, document_to_sections

if TYPE_CHECKING:
    from PIL import Image, ImageDraw, ImageFont

    from jixiao.extract.scan import ScanLayout

log = logging.getLogger(__name__)

NOT_READ = "not read"  # in the ledger, read by no step: a cell_not_read finding
NOT_A_FILING = "not a filing"  # in a part normalize refused: a part_not_read finding
Colour = tuple[int, int, int]

# What a cell became (a Ledger place, grouped) → its colour and legend line (ASCII: Pillow's
# own font has no Chinese).
PLACES: dict[str, tuple[Colour, str]] = {
    "indicator": ((30, 90, 230), "indicator name (level 3)"),
    "target": ((0, 160, 160), "target value"),
    "attribute": ((120, 170, 240), "indicator attribute (unit, weight...)"),
    "fund": ((140, 60, 200), "fund line"),
    "field": ((225, 175, 0), "header field"),
    "summary": ((160, 110, 50), "closing row (total score)"),
    "label": ((150, 150, 150), "label, heading"),
    "ignored": ((215, 215, 215), "ignored: furniture, dash, duplicate"),
    "reported": ((255, 120, 170), "quoted by a finding"),
    NOT_READ: ((230, 0, 0), "NOT READ"),
    NOT_A_FILING: ((80, 80, 80), "in a part that is not a filing"),
}
GROUPS = {"furniture": "ignored", "empty": "ignored", "duplicate": "ignored"}
RULE: Colour = (255, 0, 255)  # printed horizontal rules; no other mark has it
BOXES: Colour = (110, 110, 110)  # the ruled boxes the page's lines enclose
CONFIDENCE: list[tuple[float, Colour, str]] = [  # OCR text boxes, by score
    (0.9, (0, 170, 0), "OCR text, confidence >= 0.9"),
    (0.8, (255, 140, 0), "OCR text, confidence >= 0.8"),
    (0.0, (230, 0, 0), "OCR text, confidence < 0.8"),
]


class DebugError(Exception):
    """The picture cannot be made as asked (not a paged file, no such page, cannot write)."""


@dataclass(frozen=True)
class Mark:
    """What one non-empty cell became: a Ledger place (or NOT_READ, NOT_A_FILING), and which
    field or indicator when the cell says."""

    place: str
    detail: str = ""

    @property
    def group(self) -> str:
        return GROUPS.get(self.place, self.place)

    @property
    def read(self) -> bool:
        return self.place not in (NOT_READ, NOT_A_FILING)


@dataclass
class PageLayers:
    """Everything drawn for one page, in points (top-left origin) over `image`."""

    number: int
    count: int  # pages in the file
    image: np.ndarray  # RGB, as the reader saw it
    dpi: float
    how: str  # how the page was read
    rules: list[Rule] = field(default_factory=list)
    tables: list[tuple[Box, list[Box]]] = field(default_factory=list)
    text_boxes: list[tuple[Box, float]] = field(default_factory=list)  # OCR lines, scores
    cells: list[tuple[Cell, Mark | None]] = field(default_factory=list)  # None: empty cell


@dataclass(frozen=True)
class Picture:
    path: Path
    page: int
    count: int
    dpi: float
    how: str
    notes: list[str]  # what the picture may get wrong, for the log


# --- what each cell became -------------------------------------------------------------------


def document_to_marks(doc: RawDocument) -> dict[CellRef, Mark]:
    """Each non-empty cell of the document and what it became, part by part as
    `normalize_document` reads them. Header rows printed again at page tops belong to no part;
    normalize counts them as read labels."""
    marks = {ref: Mark("label", "repeated") for ref in Ledger.of(doc.blocks).cells}
    for blocks in document_to_parts(doc) or [doc.blocks]:
        marks.update(part_to_marks(replace(doc, blocks=blocks)))
    return marks


def part_to_marks(part: RawDocument) -> dict[CellRef, Mark]:
    """The ledger of one part, filled by the steps `normalize` runs with it, in its order."""
    sections = document_to_sections(part)
    if not holds_performance_table(part, sections):
        return {ref: Mark(NOT_A_FILING) for ref in Ledger.of(part.blocks).cells}
    ledger = sections_to_ledger(part, sections)
    title = paragraphs_to_title(sections.paragraphs)
    fiscal_year = paragraphs_to_fiscal_year(sections.paragraphs, title)
    fund_lines, _ = rows_to_fund_lines(sections.fund_rows, ledger)
    indicators, *_ = items_to_indicators(sections.indicator_items, fiscal_year, ledger)
    details = _details(ledger, sections, fund_lines, indicators)
    return {
        ref: Mark(ledger.places.get(ref, NOT_READ), details.get(ref, "")) for ref in ledger.cells
    }


def _details(
    ledger: Ledger, sections: Sections, fund_lines: list[FundLine], indicators: list[Indicator]
) -> dict[CellRef, str]:
    """The field a header cell went to; the indicator (by number) of a name cell and of the
    targets and attributes on its row; the fund line of a name cell."""
    out: dict[CellRef, str] = {}
    for name, row in sections.fields.items():
        for cell in row:
            if cell.ref is not None:
                out.setdefault(cell.ref, name)
    by_location = {i.location: i.seq for i in indicators}
    funds = {f.location: f.seq for f in fund_lines}
    rows: dict[tuple[int, int], int] = {}
    for ref, cell in ledger.cells.items():
        place = ledger.places.get(ref)
        if place == "indicator" and cell.location in by_location:
            rows[ref.block, ref.row] = by_location[cell.location]
            out[ref] = str(by_location[cell.location])
        elif place == "fund" and cell.location in funds:
            out[ref] = str(funds[cell.location])
    for ref in ledger.cells:
        if ledger.places.get(ref) in ("target", "attribute") and (ref.block, ref.row) in rows:
            out[ref] = str(rows[ref.block, ref.row])
    return out


def marks_against_filings(doc: RawDocument, marks: dict[CellRef, Mark]) -> list[str]:
    """Notes where the picture's count of read cells differs from normalize's own: a step that
    reads cells has been added to `normalize` and not here, and some colours are wrong."""
    try:
        filings = normalize_document(doc)
    except NormalizeError as exc:
        return [f"not read as a filing: {exc}"]
    expected = sum(f.cells_read for f in filings)
    drawn = sum(1 for m in marks.values() if m.read)
    if drawn == expected:
        return []
    return [
        f"normalize read {expected} cells of this file, the picture accounts for {drawn}: some "
        "cells may be coloured wrongly (jixiao/debug.py part_to_marks no longer runs the steps "
        "normalize runs)."
    ]


# --- the page as the readers saw it ----------------------------------------------------------


def page_count(data: bytes, fmt: str) -> int:
    """Pages of a PDF, frames of an image file; a damaged file raises ExtractError."""
    if fmt == "pdf":
        from jixiao.extract import text_layer

        text_layer.check_pdf_bytes(data)
        pdf = text_layer.open_pdf(data)
        try:
            return len(pdf.pages)
        finally:
            pdf.close()
    from jixiao.extract.scan import images_in

    return sum(1 for _ in images_in(data))


def text_layer_layers(data: bytes, index: int, dpi: float) -> PageLayers:
    """A page read from its text layer: rendered at `dpi` and turned as the reader turned it
    (upright), with its ruled boxes and rules."""
    import pypdfium2 as pdfium

    from jixiao.extract import text_layer
    from jixiao.extract.render import render_pdf_page

    pdf = text_layer.open_pdf(data)
    try:
        page = pdf.pages[index]
        turn = text_layer.page_turn(page)
        if turn:
            page = text_layer.turned_upright(page, turn)
        tables, rules = text_layer.page_tables(page), text_layer.page_rules(page)
        page.close()
    finally:
        pdf.close()
    document = pdfium.PdfDocument(data)
    try:
        image = render_pdf_page(document, index, dpi)
    finally:
        document.close()
    # /Rotate turns the page clockwise; np.rot90 turns counter-clockwise.
    image = np.ascontiguousarray(np.rot90(image, -turn // 90)) if turn else image
    how = f"text layer at {dpi:.0f} dpi" + (f", turned {turn} degrees" if turn else "")
    return PageLayers(index + 1, 0, image, dpi, how, rules, tables)


def page_image(data: bytes, fmt: str, index: int) -> tuple[np.ndarray, float]:
    """The image OCR read: a PDF page rendered at its scan resolution, or an image's frame."""
    if fmt == "image":
        from jixiao.extract.scan import images_in

        return next(itertools.islice(images_in(data), index, None))
    import pypdfium2 as pdfium

    from jixiao.extract.render import render_pdf_page, scan_dpi

    document = pdfium.PdfDocument(data)
    try:
        dpi = scan_dpi(document, index)
        return render_pdf_page(document, index, dpi), dpi
    finally:
        document.close()


def scan_layers(image: np.ndarray, dpi: float, number: int) -> PageLayers:
    """A page read by OCR: the image straightened and turned as the scan pipeline did it, its
    ruled boxes, rules and OCR lines."""
    from jixiao.extract.scan import image_to_layout

    read = image_to_layout(image, dpi)
    done = [f"OCR at {dpi:.0f} dpi"]
    if read.turn:
        done.append(f"turned {read.turn} degrees")
    if abs(read.angle) >= 0.05:
        done.append(f"straightened by {read.angle:.2f} degrees")
    return PageLayers(
        number,
        0,
        straightened(image, read),
        dpi,
        ", ".join(done),
        read.rules,
        read.tables,
        chars_to_text_boxes(read.chars),
    )


def straightened(image: np.ndarray, read: ScanLayout) -> np.ndarray:
    """The colour image turned as `image_to_layout` turned its gray copy, so the boxes it gives
    land on it: straightened, and when it was read turned, turned upright and straightened
    again (the first angle is not kept: found again, as it was found)."""
    from jixiao.extract.scan import red_free_gray, skew_angle

    if not read.turn:
        return _rotated(image, read.angle)
    first = _rotated(image, skew_angle(red_free_gray(image)))
    return _rotated(np.ascontiguousarray(np.rot90(first, read.turn // 90)), read.angle)


def _rotated(image: np.ndarray, degrees: float) -> np.ndarray:
    """`scan.rotate` (which takes a gray page) on each colour channel."""
    from jixiao.extract.scan import rotate

    channels = [rotate(np.ascontiguousarray(image[:, :, k]), degrees) for k in range(3)]
    return np.ascontiguousarray(np.dstack(channels))


def chars_to_text_boxes(chars: list[Char]) -> list[tuple[Box, float]]:
    """OCR lines back from their chars: a line's chars come one after another and share its
    top, bottom and score."""
    boxes: list[tuple[Box, float]] = []
    for (top, bottom, score), group in itertools.groupby(
        chars, key=lambda c: (c.top, c.bottom, c.confidence)
    ):
        line = list(group)
        box = Box(min(c.x0 for c in line), top, max(c.x1 for c in line), bottom)
        boxes.append((box, 0.0 if score is None else score))
    return boxes


def page_to_layers(
    data: bytes, source_path: str, number: int, ocr: str = "auto"
) -> tuple[PageLayers, list[str]]:
    """Page `number` (from 1) with everything found on it, and notes on what the picture may
    get wrong. Raises DebugError for a file without pages or a page it does not have, and
    ExtractError for a file that cannot be read."""
    fmt = sniff_format(data)
    if fmt not in ("pdf", "image"):
        raise DebugError(
            "only PDFs and images (PNG, JPEG, TIFF) have pages to draw; this file is read as "
            f"{fmt}. `jixiao extract FILE` shows what it holds."
        )
    count = page_count(data, fmt)
    if not 1 <= number <= count:
        pages = "1 page" if count == 1 else f"{count} pages"
        raise DebugError(
            f"page {number} is not in this file: it has {pages}. Ask for 1 to {count}."
        )
    doc = extract_bytes(data, source_path, ocr)
    marks = document_to_marks(doc)
    notes = marks_against_filings(doc, marks)
    where = f"page {number}"
    read_by_ocr = fmt == "image" or any(
        n.code == codes.PAGE_OCR and n.location == where for n in doc.notes
    )
    if read_by_ocr:
        image, dpi = page_image(data, fmt, number - 1)
        layers = scan_layers(image, dpi, number)
    else:
        from jixiao.extract.settings import SCAN

        layers = text_layer_layers(data, number - 1, SCAN.render_dpi)
        if any(n.code == codes.PAGE_NEEDS_OCR and n.location == where for n in doc.notes):
            layers.how += "; no usable text layer, not read (--ocr never)"
            layers.rules, layers.tables = [], []
    layers.count = count
    layers.cells = [
        (cell, marks.get(ref))
        for ref, cell in doc.cells()
        if cell.page == number and cell.bbox is not None
    ]
    return layers, notes


# --- drawing ---------------------------------------------------------------------------------


def _pixels(box: Iterable[float], scale: float) -> tuple[int, int, int, int]:
    x0, top, x1, bottom = (round(v * scale) for v in box)
    return x0, top, max(x0, x1), max(top, bottom)


def confidence_colour(score: float) -> Colour:
    return next(colour for floor, colour, _ in CONFIDENCE if score >= floor)


def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    from PIL import ImageFont

    return ImageFont.load_default(size=size)


def cell_label(cell: Cell, mark: Mark | None) -> str:
    """ "r3c2 target 5": the cell's row and column (from 1, as corrections name them) and what
    it became."""
    where = f"r{cell.row + 1}c{cell.col + 1}"
    if mark is None:
        return where
    what = "ind" if mark.place == "indicator" else mark.place
    return " ".join(p for p in (where, what, mark.detail) if p)


def layers_to_picture(layers: PageLayers) -> Image.Image:
    """The page faded, then over it: what each cell became (filled), the ruled boxes, the
    cells' outlines, the rules, the OCR text boxes, labels and a legend."""
    from PIL import Image, ImageDraw

    scale = layers.dpi / 72
    base = Image.fromarray(layers.image).convert("RGB")
    base = Image.blend(base, Image.new("RGB", base.size, "white"), 0.35)
    fills = Image.new("RGBA", base.size, (0, 0, 0, 0))
    paint = ImageDraw.Draw(fills)
    for cell, mark in layers.cells:
        if mark is not None and cell.bbox is not None:
            paint.rectangle(_pixels(cell.bbox, scale), fill=(*PLACES[mark.group][0], 70))
    picture = Image.alpha_composite(base.convert("RGBA"), fills).convert("RGB")
    draw = ImageDraw.Draw(picture)
    line = max(2, round(scale))
    for outer, boxes in layers.tables:
        for box in boxes:
            draw.rectangle(_pixels(box, scale), outline=BOXES, width=1)
        draw.rectangle(_pixels(outer, scale), outline=BOXES, width=line)
    inset = line + 1  # inside the rules, which are drawn next
    for cell, mark in layers.cells:
        if mark is not None and cell.bbox is not None:
            x0, top, x1, bottom = _pixels(cell.bbox, scale)
            if x1 - x0 > 2 * inset and bottom - top > 2 * inset:
                outline = PLACES[mark.group][0]
                draw.rectangle((x0 + inset, top + inset, x1 - inset, bottom - inset), None, outline)
    for rule in layers.rules:
        y = round(rule.y * scale)
        draw.line([(round(rule.x0 * scale), y), (round(rule.x1 * scale), y)], RULE, line)
    for box, score in layers.text_boxes:
        draw.rectangle(_pixels(box, scale), outline=confidence_colour(score), width=line)
    _draw_labels(draw, layers, scale)
    _draw_legend(picture, layers)
    return picture


def _draw_labels(draw: ImageDraw.ImageDraw, layers: PageLayers, scale: float) -> None:
    """Each cell's row, column and what it became at its top left; each table's number (as
    corrections count it) above it."""
    font = _font(max(9, round(5.5 * scale)))
    tables: dict[int, Box] = {}
    for cell, mark in layers.cells:
        assert cell.bbox is not None and cell.block is not None
        box = Box(*cell.bbox)
        tables[cell.block] = tables[cell.block].union(box) if cell.block in tables else box
        x0, top, _, _ = _pixels(box, scale)
        colour = (60, 60, 60) if mark is None else _darker(PLACES[mark.group][0])
        _text(draw, (x0 + 4, top + 4), cell_label(cell, mark), font, colour)
    for block, box in tables.items():
        x0, top, _, _ = _pixels(box, scale)
        size = round(font.getbbox("table")[3])
        _text(draw, (x0, max(0, top - size - 6)), f"table {block + 1}", font, (0, 0, 0))


def _darker(colour: Colour) -> Colour:
    r, g, b = (round(v * 0.6) for v in colour)
    return r, g, b


def _text(
    draw: ImageDraw.ImageDraw,
    at: tuple[int, int],
    text: str,
    font: ImageFont.FreeTypeFont | ImageFont.ImageFont,
    colour: Colour,
) -> None:
    """Text on a white patch, readable over the page's own."""
    x0, top, x1, bottom = draw.textbbox(at, text, font=font)
    draw.rectangle((x0 - 1, top - 1, x1 + 1, bottom + 1), fill=(255, 255, 255))
    draw.text(at, text, fill=colour, font=font)


def legend_lines(layers: PageLayers) -> list[tuple[str, Colour | None, str]]:
    """(text, colour, swatch: fill | line | box | none), top to bottom."""
    read = sum(1 for _, m in layers.cells if m is not None and m.read)
    unread = sum(1 for _, m in layers.cells if m is not None and not m.read)
    lines: list[tuple[str, Colour | None, str]] = [
        (f"page {layers.number} of {layers.count}: {layers.how}", None, "none"),
        (f"cells: {read} read, {unread} not read; r3c2: row 3, cell 2", None, "none"),
    ]
    lines += [(text, colour, "fill") for colour, text in PLACES.values()]
    lines += [("printed rule", RULE, "line"), ("ruled boxes found", BOXES, "box")]
    if layers.text_boxes:
        lines += [(text, colour, "box") for _, colour, text in CONFIDENCE]
    return lines


def legend_corner(image: np.ndarray, legend: tuple[int, int]) -> tuple[int, int]:
    """The top-left of the corner where the legend hides the least ink of the page."""
    h, w = image.shape[:2]
    lw, lh = min(legend[0], w), min(legend[1], h)
    ink = image.min(axis=2) < 160 if image.ndim == 3 else image < 160
    corners = [(w - lw, 0), (w - lw, h - lh), (0, h - lh), (0, 0)]
    return min(corners, key=lambda c: int(ink[c[1] : c[1] + lh, c[0] : c[0] + lw].sum()))


def _draw_legend(picture: Image.Image, layers: PageLayers) -> None:
    from PIL import ImageDraw

    scale = layers.dpi / 72
    font = _font(max(10, round(6.5 * scale)))
    draw = ImageDraw.Draw(picture)
    lines = legend_lines(layers)
    step = round(font.getbbox("Ag")[3]) + 6
    swatch = step - 6
    pad = 8
    width = max(draw.textlength(t, font=font) for t, _, _ in lines) + swatch + 3 * pad
    legend = (round(width), step * len(lines) + 2 * pad)
    x, y = legend_corner(layers.image, legend)
    draw.rectangle((x, y, x + legend[0] - 1, y + legend[1] - 1), (255, 255, 255), (0, 0, 0), 2)
    for k, (text, colour, kind) in enumerate(lines):
        top = y + pad + k * step
        left = x + pad
        if colour is not None:
            square = (left, top + 2, left + swatch, top + 2 + swatch)
            if kind == "fill":
                draw.rectangle(square, fill=colour, outline=_darker(colour))
            elif kind == "box":
                draw.rectangle(square, outline=colour, width=2)
            else:
                mid = top + 2 + swatch // 2
                draw.line([(left, mid), (left + swatch, mid)], colour, 3)
            left += swatch + pad
        draw.text((left, top), text, fill=(0, 0, 0), font=font)


# --- the file --------------------------------------------------------------------------------


def write_debug_picture(path: Path, page: int, out: Path, ocr: str = "auto") -> Picture:
    """Draw page `page` of the file at `path` into the PNG `out` (its dpi recorded in it)."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise DebugError(f"cannot read {path}: {exc.strerror or exc}. Check the path.") from exc
    layers, notes = page_to_layers(data, str(path), page, ocr)
    picture = layers_to_picture(layers)
    try:
        picture.save(out, format="PNG", dpi=(layers.dpi, layers.dpi))
    except OSError as exc:
        raise DebugError(
            f"cannot write {out}: {exc.strerror or exc}. Check that its folder exists and is "
            "writable."
        ) from exc
    return Picture(out, page, layers.count, layers.dpi, layers.how, notes)
