"""What one page gives before pages are stitched: table pieces whose cells know their box, and
paragraphs, top to bottom; with the notes on how the page was read."""

from __future__ import annotations

from dataclasses import dataclass, field

from .geometry import Box
from .model import Note, Paragraph


@dataclass
class PageCell:
    """A cell of one page's table, before stitching."""

    page: int
    bbox: Box
    row: int = 0
    col: int = 0
    row_span: int = 1
    col_span: int = 1
    text: str = ""
    # Its text runs to the right edge and the bottom: it may go on in the next page's piece.
    ends_full: bool = False
    starts_top: bool = False  # its text starts right under its top edge
    open_top: bool = False  # no rule printed on this side: a page end cut the cell
    open_bottom: bool = False
    confidence: float | None = None  # lowest OCR score of its text, when OCR read it


@dataclass
class Fragment:
    """One page's piece of a table. `grid`: its cells' columns are grid columns from the page's
    geometry (ruled tables, printed or scanned, and columns of aligned text); the stitched
    Table carries it."""

    page: int
    bbox: Box
    cells: list[PageCell]
    n_rows: int
    grid: bool = True


PageItem = Fragment | Paragraph


@dataclass
class PageResult:
    number: int
    items: list[PageItem] = field(default_factory=list)  # top to bottom
    notes: list[Note] = field(default_factory=list)
