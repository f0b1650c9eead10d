"""Pages laid end to end: a table that goes on at the top of the next page is stitched to its
piece on the page before (columns matched by x, repeated headers dropped, merged cells split by a
page end joined back); page furniture (page numbers) is dropped."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from jixiao import codes, dictionaries

from .geometry import grid_index, snap
from .layout import join_pieces
from .model import Block, Cell, Note, Paragraph, Table
from .page_types import Fragment, PageCell, PageItem, PageResult
from .settings import LAYOUT, LayoutSettings

_SENTENCE_END = tuple("。；;！!？?等")


def _is_furniture(item: PageItem) -> bool:
    return isinstance(item, Paragraph) and bool(dictionaries.page_furniture().match(item.text))


def _same_columns(a: Fragment, b: Fragment, settings: LayoutSettings) -> bool:
    """The same table goes on: as wide, and (on a scan, shifted a little) about as placed."""
    same_width = abs((a.bbox[2] - a.bbox[0]) - (b.bbox[2] - b.bbox[0])) <= settings.same_width_tol
    return same_width and abs(a.bbox[0] - b.bbox[0]) <= settings.scanner_drift


@dataclass
class _Stitched:
    fragments: list[Fragment]
    notes: list[Note] = field(default_factory=list)


def _row_text(fragment: Fragment, row: int) -> str:
    return "|".join(c.text for c in sorted(fragment.cells, key=lambda c: c.col) if c.row == row)


def _repeated_header_rows(first: Fragment, fragment: Fragment, settings: LayoutSettings) -> int:
    """How many leading rows of `fragment` repeat the table's first rows (a header row Word or
    Excel prints again at the top of each page). Compared by text only, and loosely: a scan
    drifts sideways and OCR may misread a character."""
    from rapidfuzz import fuzz

    dropped = 0
    while dropped < min(settings.max_header_rows, fragment.n_rows - 1, first.n_rows):
        head = _row_text(first, dropped)
        if not head or fuzz.ratio(_row_text(fragment, dropped), head) < settings.header_match_ratio:
            break
        dropped += 1
    return dropped


def pages_to_blocks(
    pages: Iterable[PageResult], settings: LayoutSettings = LAYOUT
) -> tuple[list[Block], list[Note]]:
    """Lay pages end to end, stitching a table that goes on at the top of the next page."""
    blocks: list[Block | _Stitched] = []
    notes: list[Note] = []
    open_table: _Stitched | None = None  # the last table, if nothing but page furniture follows
    for page in pages:
        notes += page.notes
        content = [item for item in page.items if not _is_furniture(item)]
        for k, item in enumerate(content):
            if isinstance(item, Paragraph):
                blocks.append(item)
                open_table = None
                continue
            if (
                k == 0
                and open_table is not None
                and open_table.fragments[-1].page == page.number - 1
                and _same_columns(open_table.fragments[-1], item, settings)
            ):
                open_table.fragments.append(item)
            else:
                open_table = _Stitched([item])
                blocks.append(open_table)
    out: list[Block] = []
    for block in blocks:
        if isinstance(block, _Stitched):
            table, table_notes = stitch(block.fragments, settings)
            out.append(table)
            notes += table_notes
        else:
            out.append(block)
    return out, notes


def _join_across(above: PageCell, cell: PageCell, notes: list[Note]) -> bool:
    """Join `cell` (first row of a piece) into `above` (last row of the piece before) when they
    are one merged cell split by the page end; whether they were."""
    cut = above.open_bottom and cell.open_top  # no rule between them: one cell
    if not (cut or above.row_span > 1 or cell.row_span > 1):
        return False
    # Text that fills its piece to the right and the bottom and stops mid-sentence goes on in
    # the next piece (word processors flow it; they may centre it).
    flows_on = above.ends_full and above.text[-1:] not in _SENTENCE_END
    if above.text and cell.text and not (cut or flows_on):
        return False  # two different cells that happen to meet at the page end
    if above.text and cell.text and above.text != cell.text:
        notes.append(
            Note(
                "info",
                codes.CELL_JOINED_ACROSS_PAGES,
                f"A merged cell broken by the end of page {above.page} was joined "
                f"with its continuation on page {cell.page}.",
                f"page {above.page}, row {above.row + 1}, cell {above.col + 1}",
            )
        )
    above.text = merge_pieces(above.text, cell.text)
    if cell.confidence is not None:
        above.confidence = min(above.confidence or 1.0, cell.confidence)
    above.ends_full = cell.ends_full
    above.open_bottom = cell.open_bottom
    above.row_span += cell.row_span
    return True


def stitch(
    fragments: list[Fragment], settings: LayoutSettings = LAYOUT
) -> tuple[Table, list[Note]]:
    """Per-page fragments to one Table: global columns from x-positions, repeated headers
    dropped, merged cells split by a page end joined back."""
    notes: list[Note] = []
    tol = settings.grid_tol
    # Columns are matched by x relative to each piece's left edge: scans drift between pages.
    shift = {id(f): f.bbox[0] - fragments[0].bbox[0] for f in fragments}
    xs = snap(
        (x - shift[id(f)] for f in fragments for c in f.cells for x in (c.bbox[0], c.bbox[2])), tol
    )
    placed: list[PageCell] = []
    offset = 0
    previous_cells: list[PageCell] | None = None
    for fragment in fragments:
        skip = 0
        if previous_cells is not None:
            skip = _repeated_header_rows(fragments[0], fragment, settings)
        cells = [c for c in fragment.cells if c.row >= skip]
        dx = shift[id(fragment)]
        for cell in cells:
            cell.col = grid_index(xs, cell.bbox[0] - dx, tol)
            cell.col_span = max(1, grid_index(xs, cell.bbox[2] - dx, tol) - cell.col)
        joined: set[int] = set()
        if previous_cells is not None:
            bottom = [c for c in previous_cells if c.row + c.row_span == offset]
            for cell in [c for c in cells if c.row == skip]:
                above = next(
                    (a for a in bottom if a.col == cell.col and a.col_span == cell.col_span),
                    None,
                )
                if above is not None and _join_across(above, cell, notes):
                    joined.add(id(cell))
        for cell in cells:
            if id(cell) in joined:
                continue
            cell.row = cell.row - skip + offset
            placed.append(cell)
        offset += fragment.n_rows - skip
        previous_cells = list(placed)
    return _cells_to_table(placed, grid=all(f.grid for f in fragments)), notes


def merge_pieces(a: str, b: str) -> str:
    """The text of a cell printed in two pieces. Spreadsheets print the whole text on both
    pages, clipped; word processors flow it on. So: one piece inside the other is the whole;
    an overlap is counted once; otherwise the second goes on from the first."""
    if not a or b in a:
        return a or b
    if a in b:
        return b
    for k in range(min(len(a), len(b)) - 1, 3, -1):
        if a.endswith(b[:k]):
            return a + b[k:]
    return join_pieces(a, b)


def _cells_to_table(cells: list[PageCell], grid: bool) -> Table:
    rows: dict[int, list[Cell]] = {}
    for c in cells:
        x0, top, x1, bottom = (round(v, 2) for v in c.bbox)
        rows.setdefault(c.row, []).append(
            Cell(
                text=c.text,
                row=c.row,
                col=c.col,
                row_span=c.row_span,
                col_span=c.col_span,
                page=c.page,
                bbox=(x0, top, x1, bottom),
                confidence=c.confidence,
            )
        )
    return Table(
        rows=tuple(tuple(sorted(rows[r], key=lambda c: c.col)) for r in sorted(rows)),
        page=min((c.page for c in cells), default=None),
        grid=grid,
    )
