"""A page's chars and rules to its cells and paragraphs, shared by the text layer and OCR: both
hand over typed `Char`s, ruled tables (outer box, cell boxes) and printed horizontal rules, in
points. No pdfplumber, no OpenCV here.

    cell boxes → grid positions with row/col spans (from geometry, not guesses)
    chars → cells by position → cell text (wrapped lines joined without spaces)
    cells at a table's top or bottom with no printed rule → open edges (a page end cut them)
    chars outside tables → paragraphs; with no rules at all, aligned text → table pieces
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from collections.abc import Callable

from .geometry import Box, Char, Rule, grid_index, snap
from .model import Paragraph
from .page_types import Fragment, PageCell, PageItem
from .settings import LAYOUT, LayoutSettings


def is_cjk(ch: str) -> bool:
    return bool(ch) and (
        "\u3000" <= ch <= "\u9fff" or "\uf900" <= ch <= "\ufaff" or "\uff00" <= ch <= "\uffef"
    )


def cells_to_grid(
    page: int, bboxes: list[Box], settings: LayoutSettings = LAYOUT
) -> list[PageCell]:
    """Cell boxes to grid positions: a cell's span is how many grid lines it crosses."""
    tol = settings.grid_tol
    xs = snap([b[0] for b in bboxes] + [b[2] for b in bboxes], tol)
    ys = snap([b[1] for b in bboxes] + [b[3] for b in bboxes], tol)
    cells = []
    for box in bboxes:
        col, col_end = grid_index(xs, box[0], tol), grid_index(xs, box[2], tol)
        row, row_end = grid_index(ys, box[1], tol), grid_index(ys, box[3], tol)
        cells.append(
            PageCell(
                page=page,
                bbox=Box(*box),
                row=row,
                col=col,
                row_span=max(1, row_end - row),
                col_span=max(1, col_end - col),
            )
        )
    cells.sort(key=lambda c: (c.row, c.col))
    return cells


def char_lines(chars: list[Char]) -> list[list[Char]]:
    """Chars to lines, top to bottom, each left to right."""
    lines: list[list[Char]] = []
    for ch in sorted(chars, key=lambda c: (round(c.top, 1), c.x0)):
        if lines:
            last = lines[-1]
            tol = max(1.0, 0.5 * min(ch.size, last[0].size))
            if abs(ch.top - last[0].top) <= tol:
                last.append(ch)
                continue
        lines.append([ch])
    for line in lines:
        line.sort(key=lambda c: c.x0)
    return lines


def line_text(line: list[Char]) -> str:
    out = ""
    prev: Char | None = None
    for ch in line:
        if prev is not None:
            gap = ch.x0 - prev.x1
            # Latin words keep their spaces; Chinese never had any.
            latin_gap = gap > 0.25 * ch.size and not (is_cjk(prev.text) or is_cjk(ch.text))
            if latin_gap or gap > 1.5 * ch.size:
                out += " "
        out += ch.text
        prev = ch
    return out


def join_pieces(a: str, b: str) -> str:
    """Two pieces of one wrapped text: no space between Chinese, one between Latin words."""
    if not a or not b:
        return a + b
    if a[-1].isascii() and a[-1].isalnum() and b[0].isascii() and b[0].isalnum():
        return a + " " + b
    return a + b


_ENUMERATED = re.compile(
    r"^\s*([(（]\s*[0-9一二三四五六七八九十]+\s*[)）]|\d+[.、．]|[一二三四五六七八九十]+、)"
)


def _ends_paragraph(line: list[Char], next_text: str, short_by: float, size: float) -> bool:
    """A line that stops short ended its paragraph only if it also ends a sentence or the next
    line starts a numbered item; line-breaking rules (no 。 or “ at a line start) shorten
    ordinary lines by a character or two."""
    if short_by <= 1.5 * size:
        return False
    if _ENUMERATED.match(next_text):
        return True
    return line[-1].text in "。；;：:！!？?" and short_by > 3 * size


def chars_to_text(
    chars: list[Char],
    bbox: Box | tuple[float, float, float, float],
    settings: LayoutSettings = LAYOUT,
) -> tuple[str, bool, bool]:
    """A cell's chars to its text; whether its last line runs to the right edge and the bottom
    (the text may carry on); whether its first line sits right under the top edge.

    Wrapped lines are joined without a separator; a line that stops well short of the widest
    one ended a paragraph, and becomes a line break."""
    lines = char_lines(chars)
    if not lines:
        return "", False, False
    widths = [line[-1].x1 - line[0].x0 for line in lines]
    size = max(c.size for c in chars)
    widest = max(widths)
    text = ""
    for i, line in enumerate(lines):
        piece = line_text(line)
        if i == 0:
            text = piece
        elif _ends_paragraph(lines[i - 1], piece, widest - widths[i - 1], size):
            text += "\n" + piece
        elif widest - widths[i - 1] < 0.6 * size:
            text += piece  # a full line broke mid-word: no space, even between Latin letters
        else:
            text = join_pieces(text, piece)
    last = lines[-1]
    margin = settings.margin_per_size * size + settings.margin_pt
    ends_full = bbox[2] - last[-1].x1 < margin and bbox[3] - max(c.bottom for c in last) < margin
    starts_top = min(c.top for c in lines[0]) - bbox[1] < margin
    text = unicodedata.normalize("NFC", text).strip()
    return text, ends_full, starts_top


def assign_chars(
    chars: list[Char],
    cells: list[PageCell],
    table_bbox: Box | None = None,
    settings: LayoutSettings = LAYOUT,
) -> list[Char]:
    """Put each char in the cell holding its centre (a clipped remnant beyond an open edge goes
    to the cell at that edge); returns the chars outside every cell."""
    xs = snap([c.bbox[0] for c in cells] + [c.bbox[2] for c in cells], settings.grid_tol)
    ys = snap([c.bbox[1] for c in cells] + [c.bbox[3] for c in cells], settings.grid_tol)
    owner: dict[tuple[int, int], int] = {}
    for index, cell in enumerate(cells):
        for r in range(cell.row, cell.row + cell.row_span):
            for c in range(cell.col, cell.col + cell.col_span):
                owner[(r, c)] = index
    buckets: list[list[Char]] = [[] for _ in cells]
    outside = []
    for ch in chars:
        cx, cy = ch.centre
        if table_bbox is not None:
            cy = min(max(cy, table_bbox[1] + 0.01), table_bbox[3] - 0.01)
        col = bisect.bisect_right(xs, cx) - 1
        row = bisect.bisect_right(ys, cy) - 1
        found = owner.get((row, col))
        if found is None or not (0 <= col < len(xs) - 1 and 0 <= row < len(ys) - 1):
            outside.append(ch)
        else:
            buckets[found].append(ch)
    for cell, bucket in zip(cells, buckets, strict=True):
        cell.text, cell.ends_full, cell.starts_top = chars_to_text(bucket, cell.bbox, settings)
        scores = [c.confidence for c in bucket if c.confidence is not None]
        cell.confidence = round(min(scores), 3) if scores else None
    return outside


def chars_to_paragraphs(chars: list[Char], page: int) -> list[tuple[float, Paragraph]]:
    out = []
    for line in char_lines(chars):
        text = line_text(line).strip()
        if text:
            out.append((line[0].top, Paragraph(text=text, page=page)))
    return out


def _segments(line: list[Char]) -> list[list[Char]]:
    """A line of chars split where the gap is wider than a character: the cells of a row."""
    out = [[line[0]]]
    for ch in line[1:]:
        if ch.x0 - out[-1][-1].x1 > ch.size:
            out.append([ch])
        else:
            out[-1].append(ch)
    return out


def _aligned_runs(chars: list[Char]) -> tuple[list[list[list[list[Char]]]], list[Char]]:
    """Runs of two or more consecutive lines of two or more segments; the other chars."""
    runs: list[list[list[list[Char]]]] = []
    leftover: list[Char] = []
    current: list[list[list[Char]]] = []
    for line in [*char_lines(chars), []]:
        segments = _segments(line) if line else []
        if len(segments) >= 2:
            current.append(segments)
            continue
        if len(current) >= 2:
            runs.append(current)
        else:
            leftover += [ch for row in current for seg in row for ch in seg]
        current = []
        leftover += line
    return runs, leftover


def chars_to_aligned_fragments(
    chars: list[Char], page: int, settings: LayoutSettings = LAYOUT
) -> tuple[list[Fragment], list[Char]]:
    """The fallback where a table has no ruling lines: consecutive lines of two or more
    separated segments are rows; columns are where segments start, clustered across the rows.
    Returns the tables and the chars left over (paragraphs)."""
    runs, leftover = _aligned_runs(chars)
    fragments = []
    for run in runs:
        starts = snap((seg[0].x0 for row in run for seg in row), settings.grid_tol)
        cells = []
        for r, row in enumerate(run):
            for seg in row:
                col = max(0, bisect.bisect_right(starts, seg[0].x0 + settings.grid_tol) - 1)
                box = Box(
                    seg[0].x0, min(c.top for c in seg), seg[-1].x1, max(c.bottom for c in seg)
                )
                cells.append(
                    PageCell(page=page, bbox=box, row=r, col=col, text=line_text(seg).strip())
                )
        bbox = Box.enclosing(c.bbox for c in cells)
        # Its columns are where segments start, clustered across the rows: positions from the
        # page, as for a ruled table, so a cell's `col` is its column (normalize places by it).
        fragments.append(Fragment(page=page, bbox=bbox, cells=cells, n_rows=len(run), grid=True))
    return fragments, leftover


def _split(chars: list[Char], test: Callable[[Char], bool]) -> tuple[list[Char], list[Char]]:
    yes: list[Char] = []
    no: list[Char] = []
    for ch in chars:
        (yes if test(ch) else no).append(ch)
    return yes, no


def _covered(rules: list[Rule], y: float, x0: float, x1: float, tol: float) -> float:
    """Share of the span x0..x1 at height y that printed horizontal rules cover."""
    spans = sorted(
        (max(e.x0, x0), min(e.x1, x1))
        for e in rules
        if abs(e.y - y) <= tol and e.x1 > x0 and e.x0 < x1
    )
    covered, reach = 0.0, x0
    for a, b in spans:
        if b > reach:
            covered += b - max(a, reach)
            reach = b
    return covered / max(x1 - x0, 1e-6)


def mark_open_edges(
    cells: list[PageCell], table_bbox: Box, rules: list[Rule], settings: LayoutSettings = LAYOUT
) -> None:
    """A cell at the table's top or bottom with no printed rule there was cut by a page end."""
    tol, cover = settings.grid_tol, settings.min_rule_cover
    for cell in cells:
        x0, top, x1, bottom = cell.bbox
        if abs(bottom - table_bbox[3]) <= tol:
            cell.open_bottom = _covered(rules, bottom, x0, x1, tol) < cover
        if abs(top - table_bbox[1]) <= tol:
            cell.open_top = _covered(rules, top, x0, x1, tol) < cover


def _remnants(
    cells: list[PageCell], table_bbox: Box, chars: list[Char]
) -> tuple[list[Char], list[Char]]:
    """Chars beyond an open edge, in that cell's column band: the rest of a merged cell's text
    that the page end clipped (still in the file, just not visible). Returns (theirs, others)."""
    bands = [(c.bbox[0], c.bbox[2], "below") for c in cells if c.open_bottom]
    bands += [(c.bbox[0], c.bbox[2], "above") for c in cells if c.open_top]
    if not bands:
        return [], chars

    def hit(ch: Char) -> bool:
        cx, cy = ch.centre
        return any(
            x0 <= cx <= x1 and (cy > table_bbox[3] if side == "below" else cy < table_bbox[1])
            for x0, x1, side in bands
        )

    return _split(chars, hit)


def _in_box(box: Box, tol: float) -> Callable[[Char], bool]:
    return lambda ch: box.contains(*ch.centre, tol)


def layout_to_items(
    number: int,
    chars: list[Char],
    tables: list[tuple[Box, list[Box]]],
    rules: list[Rule],
    settings: LayoutSettings = LAYOUT,
    *,
    hidden_text: bool = True,
) -> list[PageItem]:
    """A page's chars, ruled tables (outer box, cell boxes) and printed horizontal rules to its
    items, top to bottom. `hidden_text`: the page may hold text beyond its edges (a text layer
    does, where a page end clipped a merged cell); a scan shows only what was printed, so text
    beyond a table's open edge there is the page's own (a title over a table printed without
    its frame), never the rest of a cell."""
    items: list[tuple[float, PageItem]] = []
    remaining = chars
    if not tables:
        fragments, remaining = chars_to_aligned_fragments(chars, number, settings)
        items += [(f.bbox[1], f) for f in fragments]
    per_table = []
    for outer, cell_boxes in tables:
        box = Box(*outer)
        cells = cells_to_grid(number, cell_boxes, settings)
        if not cells:
            continue
        inside, remaining = _split(remaining, _in_box(box, settings.table_tol))
        per_table.append((box, cells, inside))
    for box, cells, inside in per_table:
        mark_open_edges(cells, box, rules, settings)
        remnants, remaining = _remnants(cells, box, remaining) if hidden_text else ([], remaining)
        remaining += assign_chars(inside + remnants, cells, box, settings)
        n_rows = max(c.row + c.row_span for c in cells)
        items.append((box[1], Fragment(page=number, bbox=box, cells=cells, n_rows=n_rows)))
    items += [(top, p) for top, p in chars_to_paragraphs(remaining, number)]
    items.sort(key=lambda item: item[0])
    return [item for _, item in items]
