"""Text-layer PDFs (pdfplumber): ruled tables with merged cells that run over pages, into the same
RawDocument a text export gives.

The steps, each a small function named for what it turns into what:
    page → chars (fake-bold doubles removed) → quality check (cid / private-use / no text)
    page → tables (ruling lines; word alignment where rules are missing)
    table cells → grid positions with row/col spans (from geometry, not guesses)
    chars → cells by position → cell text (wrapped lines joined without spaces)
    chars outside tables → paragraphs
    per-page table fragments → one table (columns matched by x, repeated headers dropped,
    merged cells split by a page end joined back)
Pages are read one at a time and their caches released, so memory stays flat on long files."""

from __future__ import annotations

import bisect
import io
import itertools
import logging
import math
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from operator import itemgetter
from typing import Any

from .model import Block, Cell, ExtractError, Note, Paragraph, Table

log = logging.getLogger(__name__)

LATTICE = {"vertical_strategy": "lines", "horizontal_strategy": "lines"}
# Snap positions closer than this (points) into one grid line.
GRID_TOL = 2.0
# Share of characters that are (cid:N) or private-use above which a page's text is unusable.
BAD_TEXT_SHARE = 0.3
# A page whose most frequent Chinese character is more than this share of them all (with at
# least MIN_CJK_FOR_GLYPH_CHECK of them) has a broken font map.
ONE_GLYPH_SHARE = 0.35
MIN_CJK_FOR_GLYPH_CHECK = 40
_FURNITURE = re.compile(r"^(第\s*\d+\s*页.*|[-—–]?\s*\d+\s*[-—–]?|\d+\s*/\s*\d+|共\s*\d+\s*页.*)$")
_PUA = re.compile(r"[\ue000-\uf8ff]")
_SENTENCE_END = tuple("。；;！!？?等")


@dataclass
class _Cell:
    """A cell of one page's table, before stitching."""

    page: int
    bbox: tuple[float, float, float, float]  # x0, top, x1, bottom
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
class _Fragment:
    """One page's piece of a table."""

    page: int
    bbox: tuple[float, float, float, float]
    cells: list[_Cell]
    n_rows: int


@dataclass
class _PageResult:
    number: int
    # ('table', _Fragment) or ('paragraph', Paragraph), top to bottom
    items: list[tuple[str, Any]] = field(default_factory=list)
    notes: list[Note] = field(default_factory=list)


def is_cjk(ch: str) -> bool:
    return bool(ch) and (
        "\u3000" <= ch <= "\u9fff" or "\uf900" <= ch <= "\ufaff" or "\uff00" <= ch <= "\uffef"
    )


def check_pdf_bytes(data: bytes) -> None:
    """A download cut short has no end marker; say so instead of reading half a filing."""
    if b"%%EOF" not in data[-4096:]:
        raise ExtractError(
            "This PDF is incomplete: it ends before the PDF's end marker, so it was probably cut "
            "off while downloading or copying. Download or copy it again.",
            code="truncated_pdf",
        )


def _is_bad_char(text: str) -> bool:
    if text.startswith("(cid:") or _PUA.search(text):
        return True
    # Latin-1 and Latin Extended letters in a Chinese filing: codes read through the wrong map.
    return any("\u0080" <= ch <= "\u024f" and ch not in "±×÷°·" for ch in text)


def one_glyph_share(chars: list[dict[str, Any]]) -> float:
    """The share of the page's Chinese characters taken by the most frequent one. Natural
    Chinese text stays under a tenth; a font whose map sends every glyph to one code (a
    converter that substituted a font) gives most of them."""
    cjk = [c["text"] for c in chars if "\u4e00" <= c["text"][:1] <= "\u9fff"]
    if len(cjk) < MIN_CJK_FOR_GLYPH_CHECK:
        return 0.0
    return Counter(cjk).most_common(1)[0][1] / len(cjk)


def chars_to_quality(chars: list[dict[str, Any]], has_images: bool) -> str | None:
    """None when the text layer is usable; otherwise why the page needs OCR."""
    if not chars:
        return "no_text" if has_images else None
    if one_glyph_share(chars) > ONE_GLYPH_SHARE:
        return "one_glyph"
    bad = [c["text"] for c in chars if _is_bad_char(c["text"])]
    if len(bad) <= BAD_TEXT_SHARE * len(chars):
        return None
    if sum(1 for t in bad if _PUA.search(t)) > len(bad) / 2:
        return "private_use"
    return "unmapped_text"


_QUALITY = {
    "no_text": "has no text layer (it is an image, a scan)",
    "private_use": "has text mapped to private-use codes, not to real characters",
    "one_glyph": "has its Chinese characters mapped to one and the same character (a broken "
    "font map, typical of a converter that substituted a font)",
    "unmapped_text": "has text in a font without a usable character map (it reads as (cid:N) "
    "codes or stray Latin letters)",
}


def _snap(values: Iterable[float]) -> list[float]:
    out: list[float] = []
    for v in sorted(values):
        if not out or v - out[-1] > GRID_TOL:
            out.append(v)
    return out


def _index(grid: list[float], value: float) -> int:
    i = bisect.bisect_left(grid, value - GRID_TOL)
    return min(i, len(grid) - 1)


def cells_to_grid(page: int, bboxes: list[tuple[float, float, float, float]]) -> list[_Cell]:
    """Cell boxes to grid positions: a cell's span is how many grid lines it crosses."""
    xs = _snap([b[0] for b in bboxes] + [b[2] for b in bboxes])
    ys = _snap([b[1] for b in bboxes] + [b[3] for b in bboxes])
    cells = []
    for box in bboxes:
        col, col_end = _index(xs, box[0]), _index(xs, box[2])
        row, row_end = _index(ys, box[1]), _index(ys, box[3])
        cells.append(
            _Cell(
                page=page,
                bbox=box,
                row=row,
                col=col,
                row_span=max(1, row_end - row),
                col_span=max(1, col_end - col),
            )
        )
    cells.sort(key=lambda c: (c.row, c.col))
    return cells


def dedupe_chars(chars: list[dict[str, Any]], tolerance: float = 1) -> list[dict[str, Any]]:
    """Fake-bold doubles removed: pdfplumber's `dedupe_chars` rule (same text, font and size
    within `tolerance` points), keeping page order by index; pdfplumber restores the order with
    `chars.index`, which is quadratic and cost a third of a page's time."""
    from pdfplumber.utils.clustering import cluster_objects

    order = {id(c): k for k, c in enumerate(chars)}
    key = itemgetter("upright", "text", "fontname", "size")
    kept = []
    for _, group in itertools.groupby(sorted(chars, key=key), key=key):
        for line in cluster_objects(list(group), itemgetter("doctop"), tolerance):
            for cluster in cluster_objects(line, itemgetter("x0"), tolerance):
                kept.append(min(cluster, key=itemgetter("doctop", "x0")))
    kept.sort(key=lambda c: order[id(c)])
    return kept


def _char_lines(chars: list[dict[str, Any]]) -> list[list[dict[str, Any]]]:
    """Chars to lines, top to bottom, each left to right."""
    lines: list[list[dict[str, Any]]] = []
    for ch in sorted(chars, key=lambda c: (round(c["top"], 1), c["x0"])):
        if lines:
            last = lines[-1]
            tol = max(1.0, 0.5 * min(ch["size"], last[0]["size"]))
            if abs(ch["top"] - last[0]["top"]) <= tol:
                last.append(ch)
                continue
        lines.append([ch])
    for line in lines:
        line.sort(key=lambda c: c["x0"])
    return lines


def _line_text(line: list[dict[str, Any]]) -> str:
    out = ""
    prev: dict[str, Any] | None = None
    for ch in line:
        if prev is not None:
            gap = ch["x0"] - prev["x1"]
            # Latin words keep their spaces; Chinese never had any.
            latin_gap = gap > 0.25 * ch["size"] and not (is_cjk(prev["text"]) or is_cjk(ch["text"]))
            if latin_gap or gap > 1.5 * ch["size"]:
                out += " "
        out += ch["text"]
        prev = ch
    return out


def _join(a: str, b: str) -> str:
    """Two pieces of one wrapped text: no space between Chinese, one between Latin words."""
    if not a or not b:
        return a + b
    if a[-1].isascii() and a[-1].isalnum() and b[0].isascii() and b[0].isalnum():
        return a + " " + b
    return a + b


_ENUMERATED = re.compile(
    r"^\s*([(（]\s*[0-9一二三四五六七八九十]+\s*[)）]|\d+[.、．]|[一二三四五六七八九十]+、)"
)


def _ends_paragraph(
    line: list[dict[str, Any]], next_text: str, short_by: float, size: float
) -> bool:
    """A line that stops short ended its paragraph only if it also ends a sentence or the next
    line starts a numbered item; line-breaking rules (no 。 or “ at a line start) shorten
    ordinary lines by a character or two."""
    if short_by <= 1.5 * size:
        return False
    if _ENUMERATED.match(next_text):
        return True
    return line[-1]["text"] in "。；;：:！!？?" and short_by > 3 * size


def chars_to_text(
    chars: list[dict[str, Any]], bbox: tuple[float, float, float, float]
) -> tuple[str, bool, bool]:
    """A cell's chars to its text; whether its last line runs to the right edge and the bottom
    (the text may carry on); whether its first line sits right under the top edge.

    Wrapped lines are joined without a separator; a line that stops well short of the widest
    one ended a paragraph, and becomes a line break."""
    lines = _char_lines(chars)
    if not lines:
        return "", False, False
    widths = [line[-1]["x1"] - line[0]["x0"] for line in lines]
    size = max(c["size"] for c in chars)
    widest = max(widths)
    text = ""
    for i, line in enumerate(lines):
        piece = _line_text(line)
        if i == 0:
            text = piece
        elif _ends_paragraph(lines[i - 1], piece, widest - widths[i - 1], size):
            text += "\n" + piece
        elif widest - widths[i - 1] < 0.6 * size:
            text += piece  # a full line broke mid-word: no space, even between Latin letters
        else:
            text = _join(text, piece)
    last = lines[-1]
    margin = 1.6 * size + 4
    ends_full = (
        bbox[2] - last[-1]["x1"] < margin and bbox[3] - max(c["bottom"] for c in last) < margin
    )
    starts_top = min(c["top"] for c in lines[0]) - bbox[1] < margin
    text = unicodedata.normalize("NFC", text).strip()
    return text, ends_full, starts_top


def assign_chars(
    chars: list[dict[str, Any]], cells: list[_Cell], table_bbox: tuple[float, ...] | None = None
) -> list[dict[str, Any]]:
    """Put each char in the cell holding its centre (a clipped remnant beyond an open edge goes
    to the cell at that edge); returns the chars outside every cell."""
    xs = _snap([c.bbox[0] for c in cells] + [c.bbox[2] for c in cells])
    ys = _snap([c.bbox[1] for c in cells] + [c.bbox[3] for c in cells])
    owner: dict[tuple[int, int], int] = {}
    for index, cell in enumerate(cells):
        for r in range(cell.row, cell.row + cell.row_span):
            for c in range(cell.col, cell.col + cell.col_span):
                owner[(r, c)] = index
    buckets: list[list[dict[str, Any]]] = [[] for _ in cells]
    outside = []
    for ch in chars:
        cx, cy = (ch["x0"] + ch["x1"]) / 2, (ch["top"] + ch["bottom"]) / 2
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
        cell.text, cell.ends_full, cell.starts_top = chars_to_text(bucket, cell.bbox)
        scores = [c["confidence"] for c in bucket if c.get("confidence") is not None]
        cell.confidence = round(min(scores), 3) if scores else None
    return outside


def chars_to_paragraphs(chars: list[dict[str, Any]], page: int) -> list[tuple[float, Paragraph]]:
    out = []
    for line in _char_lines(chars):
        text = _line_text(line).strip()
        if text:
            out.append((line[0]["top"], Paragraph(text=text, page=page)))
    return out


def chars_to_turn(chars: list[dict[str, Any]]) -> int:
    """How far (0, 90, 180, 270 degrees) most text on the page is turned from upright."""
    angles = Counter(
        round(math.degrees(math.atan2(c["matrix"][1], c["matrix"][0])) / 90) * 90 % 360
        for c in chars
    )
    if not angles:
        return 0
    angle, count = angles.most_common(1)[0]
    return angle if count >= 0.6 * len(chars) else 0


def _turned_upright(page: Any, turn: int) -> Any:
    """The same page read with its /Rotate changed so that its text comes out upright."""
    import pdfplumber

    rotation = (page.rotation + turn) % 360
    page.page_obj.attrs["Rotate"] = rotation
    page.page_obj.rotate = rotation
    return pdfplumber.page.Page(page.pdf, page.page_obj, page_number=page.page_number)


def _segments(line: list[dict[str, Any]]) -> list[list[dict[str, Any]]]:
    """A line of chars split where the gap is wider than a character: the cells of a row."""
    out = [[line[0]]]
    for ch in line[1:]:
        if ch["x0"] - out[-1][-1]["x1"] > ch["size"]:
            out.append([ch])
        else:
            out[-1].append(ch)
    return out


def chars_to_aligned_fragments(
    chars: list[dict[str, Any]], page: int
) -> tuple[list[_Fragment], list[dict[str, Any]]]:
    """The fallback where a table has no ruling lines: consecutive lines of two or more
    separated segments are rows; columns are where segments start, clustered across the rows.
    Returns the tables and the chars left over (paragraphs)."""
    lines = _char_lines(chars)
    runs: list[list[list[list[dict[str, Any]]]]] = []
    leftover: list[dict[str, Any]] = []
    current: list[list[list[dict[str, Any]]]] = []
    for line in [*lines, []]:
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
    fragments = []
    for run in runs:
        starts = _snap(seg[0]["x0"] for row in run for seg in row)
        cells = []
        for r, row in enumerate(run):
            for seg in row:
                col = max(0, bisect.bisect_right(starts, seg[0]["x0"] + GRID_TOL) - 1)
                box = (
                    seg[0]["x0"],
                    min(c["top"] for c in seg),
                    seg[-1]["x1"],
                    max(c["bottom"] for c in seg),
                )
                cells.append(
                    _Cell(page=page, bbox=box, row=r, col=col, text=_line_text(seg).strip())
                )
        xs = [c.bbox for c in cells]
        bbox = (
            min(b[0] for b in xs),
            min(b[1] for b in xs),
            max(b[2] for b in xs),
            max(b[3] for b in xs),
        )
        fragments.append(_Fragment(page=page, bbox=bbox, cells=cells, n_rows=len(run)))
    return fragments, leftover


def _split(
    items: list[dict[str, Any]], test: Any
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    yes: list[dict[str, Any]] = []
    no: list[dict[str, Any]] = []
    for item in items:
        (yes if test(item) else no).append(item)
    return yes, no


def _centre_in(ch: dict[str, Any], box: tuple[float, ...], tol: float = 0.0) -> bool:
    cx, cy = (ch["x0"] + ch["x1"]) / 2, (ch["top"] + ch["bottom"]) / 2
    return bool(box[0] - tol <= cx <= box[2] + tol and box[1] - tol <= cy <= box[3] + tol)


def _closed_lattice(page: Any) -> dict[str, Any]:
    """Lattice settings that also close a table at the ends of its vertical rules: spreadsheets
    print no border where a page end cuts a merged cell, and a cell needs four sides."""
    verticals = [e for e in page.edges if e["orientation"] == "v"]
    if not verticals:
        return LATTICE
    top = min(e["top"] for e in verticals)
    bottom = max(e["bottom"] for e in verticals)
    return {**LATTICE, "explicit_horizontal_lines": [top, bottom]}


def _covered(edges: list[dict[str, Any]], y: float, x0: float, x1: float) -> float:
    """Share of the span x0..x1 at height y that printed horizontal rules cover."""
    spans = sorted(
        (max(e["x0"], x0), min(e["x1"], x1))
        for e in edges
        if abs(e["top"] - y) <= GRID_TOL and e["x1"] > x0 and e["x0"] < x1
    )
    covered, reach = 0.0, x0
    for a, b in spans:
        if b > reach:
            covered += b - max(a, reach)
            reach = b
    return covered / max(x1 - x0, 1e-6)


def mark_open_edges(
    cells: list[_Cell], table_bbox: tuple[float, ...], horizontals: list[dict[str, Any]]
) -> None:
    """A cell at the table's top or bottom with no printed rule there was cut by a page end."""
    for cell in cells:
        x0, top, x1, bottom = cell.bbox
        if abs(bottom - table_bbox[3]) <= GRID_TOL:
            cell.open_bottom = _covered(horizontals, bottom, x0, x1) < 0.5
        if abs(top - table_bbox[1]) <= GRID_TOL:
            cell.open_top = _covered(horizontals, top, x0, x1) < 0.5


def _remnants(
    cells: list[_Cell], table_bbox: tuple[float, ...], chars: list[dict[str, Any]]
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Chars beyond an open edge, in that cell's column band: the rest of a merged cell's text
    that the page end clipped (still in the file, just not visible). Returns (theirs, others)."""
    bands = [(c.bbox[0], c.bbox[2], "below") for c in cells if c.open_bottom]
    bands += [(c.bbox[0], c.bbox[2], "above") for c in cells if c.open_top]
    if not bands:
        return [], chars
    theirs: list[dict[str, Any]] = []
    others: list[dict[str, Any]] = []
    for ch in chars:
        cx, cy = (ch["x0"] + ch["x1"]) / 2, (ch["top"] + ch["bottom"]) / 2
        hit = any(
            x0 <= cx <= x1 and (cy > table_bbox[3] if side == "below" else cy < table_bbox[1])
            for x0, x1, side in bands
        )
        (theirs if hit else others).append(ch)
    return theirs, others


Box = tuple[float, float, float, float]


def layout_to_items(
    number: int,
    chars: list[dict[str, Any]],
    tables: list[tuple[Box, list[Box]]],
    horizontals: list[dict[str, Any]],
) -> list[tuple[str, Any]]:
    """A page's chars and ruled tables (outer box, cell boxes) to its items, top to bottom.
    Shared by the text layer and OCR: both hand over chars and rules in points."""
    items: list[tuple[float, str, Any]] = []
    remaining = chars
    if not tables:
        fragments, remaining = chars_to_aligned_fragments(chars, number)
        items += [(f.bbox[1], "table", f) for f in fragments]
    per_table = []
    for box, cell_boxes in tables:
        cells = cells_to_grid(number, cell_boxes)
        if not cells:
            continue
        inside, remaining = _split(remaining, lambda c, b=box: _centre_in(c, b, 1))
        per_table.append((box, cells, inside))
    for box, cells, inside in per_table:
        mark_open_edges(cells, box, horizontals)
        remnants, remaining = _remnants(cells, box, remaining)
        remaining += assign_chars(inside + remnants, cells, box)
        n_rows = max(c.row + c.row_span for c in cells)
        fragment = _Fragment(page=number, bbox=box, cells=cells, n_rows=n_rows)
        items.append((box[1], "table", fragment))
    items += [(top, "paragraph", p) for top, p in chars_to_paragraphs(remaining, number)]
    items.sort(key=lambda item: item[0])
    return [(kind, obj) for _, kind, obj in items]


def page_to_result(page: Any, number: int) -> _PageResult:
    """One page of the text layer. A page whose text is unusable comes back with a
    `page_needs_ocr` note and no items; the caller decides whether to OCR it."""
    result = _PageResult(number)
    turn = chars_to_turn(page.chars)
    if turn:
        page.close()
        page = _turned_upright(page, turn)
        result.notes.append(
            Note(
                "info",
                "page_turned",
                f"Page {number} was printed turned {turn}°; it was read turned upright.",
                f"page {number}",
            )
        )
    chars = dedupe_chars(page.chars, tolerance=1)
    quality = chars_to_quality(chars, bool(page.images))
    if quality is not None:
        result.notes.append(
            Note(
                "warning",
                "page_needs_ocr",
                f"Page {number} {_QUALITY[quality]}; its content could not be read and needs OCR.",
                f"page {number}",
            )
        )
        return result
    tables = [
        (tuple(t.bbox), [tuple(c) for c in t.cells])  # bbox is computed: read it once
        for t in page.find_tables(_closed_lattice(page))
    ]
    horizontals = [e for e in page.edges if e["orientation"] == "h"]
    result.items = layout_to_items(number, chars, tables, horizontals)
    return result


def _is_furniture(item: tuple[str, Any]) -> bool:
    return item[0] == "paragraph" and bool(_FURNITURE.match(item[1].text))


def _same_columns(a: _Fragment, b: _Fragment) -> bool:
    """The same table goes on: as wide, and (on a scan, shifted a little) about as placed."""
    same_width = abs((a.bbox[2] - a.bbox[0]) - (b.bbox[2] - b.bbox[0])) <= GRID_TOL * 3
    return same_width and abs(a.bbox[0] - b.bbox[0]) <= 36  # half an inch of scanner drift


@dataclass
class _Stitched:
    fragments: list[_Fragment]
    notes: list[Note] = field(default_factory=list)


def _row_text(fragment: _Fragment, row: int) -> str:
    return "|".join(c.text for c in sorted(fragment.cells, key=lambda c: c.col) if c.row == row)


def _drop_repeated_header(first: _Fragment, fragment: _Fragment) -> int:
    """How many leading rows of `fragment` repeat the table's first rows (a header row Word or
    Excel prints again at the top of each page). Compared by text only, and loosely: a scan
    drifts sideways and OCR may misread a character."""
    from rapidfuzz import fuzz

    dropped = 0
    while dropped < min(3, fragment.n_rows - 1, first.n_rows):
        head = _row_text(first, dropped)
        if not head or fuzz.ratio(_row_text(fragment, dropped), head) < 90:
            break
        dropped += 1
    return dropped


def pages_to_blocks(pages: Iterable[_PageResult]) -> tuple[list[Block], list[Note]]:
    """Lay pages end to end, stitching a table that goes on at the top of the next page."""
    blocks: list[Block | _Stitched] = []
    notes: list[Note] = []
    open_table: _Stitched | None = None  # the last table, if nothing but page furniture follows
    for page in pages:
        notes += page.notes
        content = [item for item in page.items if not _is_furniture(item)]
        for k, (kind, obj) in enumerate(content):
            if kind == "paragraph":
                blocks.append(obj)
                open_table = None
                continue
            fragment: _Fragment = obj
            continues = (
                k == 0
                and open_table is not None
                and open_table.fragments[-1].page == page.number - 1
                and _same_columns(open_table.fragments[-1], fragment)
            )
            if continues and open_table is not None:
                open_table.fragments.append(fragment)
            else:
                open_table = _Stitched([fragment])
                blocks.append(open_table)
    out: list[Block] = []
    for block in blocks:
        if isinstance(block, _Stitched):
            table, table_notes = stitch(block.fragments)
            out.append(table)
            notes += table_notes
        else:
            out.append(block)
    return out, notes


def stitch(fragments: list[_Fragment]) -> tuple[Table, list[Note]]:
    """Per-page fragments to one Table: global columns from x-positions, repeated headers
    dropped, merged cells split by a page end joined back."""
    notes: list[Note] = []
    # Columns are matched by x relative to each piece's left edge: scans drift between pages.
    shift = {id(f): f.bbox[0] - fragments[0].bbox[0] for f in fragments}
    xs = _snap(x - shift[id(f)] for f in fragments for c in f.cells for x in (c.bbox[0], c.bbox[2]))
    placed: list[_Cell] = []
    offset = 0
    previous: _Fragment | None = None
    previous_cells: list[_Cell] = []
    for fragment in fragments:
        skip = _drop_repeated_header(fragments[0], fragment) if previous is not None else 0
        cells = [c for c in fragment.cells if c.row >= skip]
        dx = shift[id(fragment)]
        for cell in cells:
            cell.col = _index(xs, cell.bbox[0] - dx)
            cell.col_span = max(1, _index(xs, cell.bbox[2] - dx) - cell.col)
        joined: set[int] = set()
        if previous is not None:
            bottom = [c for c in previous_cells if c.row + c.row_span == offset]
            for cell in [c for c in cells if c.row == skip]:
                above = next(
                    (a for a in bottom if a.col == cell.col and a.col_span == cell.col_span),
                    None,
                )
                if above is None:
                    continue
                cut = above.open_bottom and cell.open_top  # no rule between them: one cell
                if not (cut or above.row_span > 1 or cell.row_span > 1):
                    continue
                # Text that fills its piece to the right and the bottom and stops mid-sentence
                # goes on in the next piece (word processors flow it; they may centre it).
                flows_on = above.ends_full and above.text[-1:] not in _SENTENCE_END
                if above.text and cell.text and not (cut or flows_on):
                    continue  # two different cells that happen to meet at the page end
                if above.text and cell.text and above.text != cell.text:
                    notes.append(
                        Note(
                            "info",
                            "cell_joined_across_pages",
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
                joined.add(id(cell))
        for cell in cells:
            if id(cell) in joined:
                continue
            cell.row = cell.row - skip + offset
            placed.append(cell)
        offset += fragment.n_rows - skip
        previous = fragment
        previous_cells = [c for c in placed]
    return _cells_to_table(placed), notes


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
    return _join(a, b)


def _cells_to_table(cells: list[_Cell]) -> Table:
    rows: dict[int, list[Cell]] = {}
    for c in cells:
        rows.setdefault(c.row, []).append(
            Cell(
                text=c.text,
                row=c.row,
                col=c.col,
                row_span=c.row_span,
                col_span=c.col_span,
                page=c.page,
                bbox=tuple(round(v, 2) for v in c.bbox),  # type: ignore[arg-type]
                confidence=c.confidence,
            )
        )
    return Table(
        rows=tuple(tuple(sorted(rows[r], key=lambda c: c.col)) for r in sorted(rows)),
        page=min((c.page for c in cells), default=None),
    )


def _open(data: bytes) -> Any:
    import pdfplumber

    try:
        return pdfplumber.open(io.BytesIO(data))
    except Exception as exc:
        if b"/Encrypt" in data:
            raise ExtractError(
                "This PDF is encrypted (password-protected), so its text cannot be read. Ask "
                "the department for an unprotected copy, or remove the password and ingest it "
                "again.",
                code="encrypted_pdf",
            ) from exc
        raise ExtractError(
            f"This PDF is damaged and cannot be opened ({type(exc).__name__}). Download or "
            "export it again.",
            code="corrupt_pdf",
        ) from exc


def _ocr_page(data: bytes, index: int, number: int, cache: dict[str, Any]) -> _PageResult:
    """Page `number` rendered by PDFium and read by OCR (scan.py)."""
    import pypdfium2 as pdfium

    from .scan import image_to_result, render_pdf_page, scan_dpi

    if "doc" not in cache:
        cache["doc"] = pdfium.PdfDocument(data)
    dpi = scan_dpi(cache["doc"], index)
    return image_to_result(render_pdf_page(cache["doc"], index, dpi), number, dpi)


def iter_pages(pdf: Any, data: bytes, ocr: str, scanned: list[int]) -> Iterator[_PageResult]:
    """Each page from its text layer, or by OCR where it has none usable (ocr='auto'), on every
    page (ocr='always') or never ('never'). Pages read by OCR are added to `scanned`."""
    cache: dict[str, Any] = {}
    try:
        for number, page in enumerate(pdf.pages, start=1):
            try:
                if ocr == "always":
                    result = _ocr_page(data, number - 1, number, cache)
                    scanned.append(number)
                else:
                    result = page_to_result(page, number)
                    if ocr == "auto" and any(n.code == "page_needs_ocr" for n in result.notes):
                        read = _ocr_page(data, number - 1, number, cache)
                        why = next(n for n in result.notes if n.code == "page_needs_ocr")
                        read.notes[-1:] = [
                            Note(
                                "info",
                                "page_ocr",
                                why.message.replace("needs OCR", "was read by OCR").replace(
                                    "could not be read and ", ""
                                ),
                                why.location,
                            )
                        ]
                        result = read
                        scanned.append(number)
                yield result
            except ExtractError:
                raise
            except Exception as exc:
                log.debug("page %s failed", number, exc_info=True)
                yield _PageResult(
                    number,
                    notes=[
                        Note(
                            "error",
                            "page_unreadable",
                            f"Page {number} could not be read ({type(exc).__name__}); the rest "
                            "of the file was.",
                            f"page {number}",
                        )
                    ],
                )
            finally:
                page.close()  # release the page's cached objects: memory stays flat
    finally:
        if "doc" in cache:
            cache["doc"].close()


def pdf_to_blocks(
    data: bytes, ocr: str = "auto"
) -> tuple[tuple[Block, ...], tuple[Note, ...], int, int]:
    """Blocks, notes, page count and how many pages were read by OCR."""
    check_pdf_bytes(data)
    pdf = _open(data)
    scanned: list[int] = []
    try:
        try:
            n_pages = len(pdf.pages)
        except Exception as exc:
            raise ExtractError(
                f"This PDF is damaged: its page list cannot be read ({type(exc).__name__}). "
                "Download or export it again.",
                code="corrupt_pdf",
            ) from exc
        if n_pages == 0:
            raise ExtractError("This PDF has no pages.", code="corrupt_pdf")
        blocks, notes = pages_to_blocks(iter_pages(pdf, data, ocr, scanned))
    finally:
        pdf.close()
    return tuple(blocks), tuple(notes), n_pages, len(scanned)
