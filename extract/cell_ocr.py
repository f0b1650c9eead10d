"""Recognition by cell: where a page's ruling grid already says where every cell is, text
detection over the whole page is wasted work. Each cell's text lines are cut out by the cell's
own ink profile (rows of ink between blank rows, split sideways at wide gaps) and only the
recognition model reads them, in batches. Text detection runs only on the ink that lies
outside every cell (titles, notes, a region the rules did not close), in small strips.

    gray page + cell boxes (pixels) → ink without rules or specks
          → per cell: line bands (row profile) → segments (column profile) → crops
          → recognition in batches → OcrLines in page pixels
          → ink outside the cells → strips → detection + recognition

A crop the recognizer reads poorly (a stroke the profile cut, text written sideways) is read
again with detection on that cell alone, which is cheap on a small image."""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from .ocr import OcrLine, image_to_lines, recognize
from .settings import SCAN, ScanSettings

PixelBox = tuple[int, int, int, int]  # x0, top, x1, bottom


@dataclass(frozen=True)
class _Crop:
    box: PixelBox  # where it sits on the page
    cell: int  # the cell it came from, to read the cell again if it reads poorly


def binarize(gray: np.ndarray, contrast: int = 15, block: int = 25) -> np.ndarray:
    """Ink as 255 on 0, robust to uneven scans: darker than the mean of its `block`-pixel
    neighbourhood by `contrast`."""
    return cv2.adaptiveThreshold(
        gray, 255, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY_INV, block, contrast
    )


def line_masks(binary: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The horizontal and the vertical strokes of binarized ink long enough to be rules."""
    h, w = binary.shape
    horizontal = cv2.morphologyEx(
        binary, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (max(25, w // 30), 1))
    )
    vertical = cv2.morphologyEx(
        binary, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (1, max(25, h // 60)))
    )
    return horizontal, vertical


def rule_mask(ink: np.ndarray) -> np.ndarray:
    """The printed rules of binarized ink: its long strokes, a pixel wider each way."""
    horizontal, vertical = line_masks(ink)
    return cv2.dilate(cv2.bitwise_or(horizontal, vertical), np.ones((3, 3), np.uint8))


def text_ink(ink: np.ndarray) -> np.ndarray:
    """The ink (255 on 0, binarized) that can be text: printed rules opened out and removed."""
    return cv2.bitwise_and(ink, cv2.bitwise_not(rule_mask(ink)))


def without_specks(ink: np.ndarray, side_px: int) -> np.ndarray:
    """`ink` without the blobs smaller than `side_px` both ways: dust and noise, and also
    periods and commas, so this copy only says where text lines are; what they say is read
    from the page itself."""
    _, labels, stats, _ = cv2.connectedComponentsWithStats(ink, connectivity=8)
    small = (stats[:, cv2.CC_STAT_WIDTH] < side_px) & (stats[:, cv2.CC_STAT_HEIGHT] < side_px)
    small[0] = False
    if not small.any():
        return ink
    return np.where(small[labels], 0, ink).astype(np.uint8)


def _runs(profile: np.ndarray, gap: int) -> list[tuple[int, int]]:
    """Runs of nonzero entries (start, end exclusive), runs closer than `gap` joined."""
    on = np.flatnonzero(profile)
    if not len(on):
        return []
    breaks = np.flatnonzero(np.diff(on) > gap)
    starts = [on[0], *on[breaks + 1]]
    ends = [*on[breaks], on[-1]]
    return [(int(s), int(e) + 1) for s, e in zip(starts, ends, strict=True)]


def _line_bands(ink: np.ndarray) -> list[tuple[int, int]]:
    """A cell's text lines as row ranges. A band much shorter than the cell's lines (a stroke
    of 二 or 三 standing alone) joins its nearer neighbour; a band about twice a line's height
    (two lines touching) is cut at its thinnest row."""
    profile = ink.sum(axis=1)
    bands = _runs(profile, 1)
    if not bands:
        return []
    height = float(np.median([e - s for s, e in bands if e - s >= 3] or [e - s for s, e in bands]))
    merged: list[tuple[int, int]] = []
    for start, end in bands:
        if merged:
            p_start, p_end = merged[-1]
            short = min(end - start, p_end - p_start) < 0.6 * height
            if short and end - p_start <= 1.3 * height and start - p_end < 0.6 * height:
                merged[-1] = (p_start, end)
                continue
        merged.append((start, end))
    out: list[tuple[int, int]] = []
    for start, end in merged:
        if end - start > 1.7 * height and height >= 6:
            inner = profile[start + int(0.6 * height) : end - int(0.6 * height)]
            if len(inner):
                cut = start + int(0.6 * height) + int(np.argmin(inner))
                out += [(start, cut), (cut, end)]
                continue
        out.append((start, end))
    return out


def cell_crops(
    lines: np.ndarray, marks: np.ndarray, cells: list[PixelBox], speck_px: int
) -> list[_Crop]:
    """The text lines of every cell as page boxes: bands by the row profile of `lines` (ink
    without specks), each split sideways where a gap is wider than two line heights (two texts
    in one merged cell), and widened to the small marks of `marks` (all ink) just beyond its
    ends: the comma or 、 that ends a wrapped line. A piece shorter than two specks both ways is
    not a line (the tip of a seal's ring that crosses the cell, flecks)."""
    crops: list[_Crop] = []
    for index, (x0, top, x1, bottom) in enumerate(cells):
        cell = lines[top:bottom, x0:x1]
        if not cell.any():
            continue
        for b_top, b_bottom in _line_bands(cell):
            height = b_bottom - b_top
            columns = np.asarray(cell[b_top:b_bottom].any(axis=0))
            band = marks[top + b_top : top + b_bottom, x0:x1]
            reach = max(2, int(1.2 * height))  # a full-width 、 or ， box and a little
            for s, e in _runs(columns, max(2 * height, 8)):
                rows = np.flatnonzero(cell[b_top:b_bottom, s:e].any(axis=1))
                tall = rows[-1] - rows[0] + 1
                if max(tall, e - s) < 2 * speck_px:  # a fleck: a digit or a dash is longer
                    continue
                s, e = _to_punctuation(band, s, e, reach)
                crops.append(_Crop((x0 + s, top + b_top, x0 + e, top + b_bottom), index))
    return crops


def _to_punctuation(band: np.ndarray, s: int, e: int, reach: int) -> tuple[int, int]:
    """A line's ends moved out to the mark within `reach` beyond each, if it is small enough to
    be punctuation (at most half the line's height): not a seal's arc or a rule's stub, which
    run the band's height."""
    limit = 0.5 * band.shape[0]

    def small(zone: np.ndarray) -> bool:
        rows = np.flatnonzero(zone.any(axis=1))
        return bool(len(rows)) and rows[-1] - rows[0] + 1 <= limit

    after, before = band[:, e : e + reach], band[:, max(0, s - reach) : s]
    if small(after):
        e += int(np.flatnonzero(after.any(axis=0))[-1]) + 1
    if small(before):
        s = max(0, s - reach) + int(np.flatnonzero(before.any(axis=0))[0])
    return s, e


def _padded(gray: np.ndarray, box: PixelBox, limit: PixelBox) -> np.ndarray:
    """A crop of `gray` around `box` with a margin of a third of the line height at its ends
    (the recognizer drops a mark that touches the edge: the 、 that begins a wrapped line) and
    a quarter above and below (more lets the next line's strokes in, and the same 、 is dropped
    again). Past `limit` (the cell: its rules would read as 丨) the margin is paper."""
    x0, top, x1, bottom = box
    pad, v_pad = max(2, (bottom - top) // 3), max(2, (bottom - top) // 4)
    lx0, ltop, lx1, lbottom = limit
    c_top, c_bottom = max(ltop, top - v_pad), min(lbottom, bottom + v_pad)
    c_x0, c_x1 = max(lx0, x0 - pad), min(lx1, x1 + pad)
    crop = gray[c_top:c_bottom, c_x0:c_x1]
    sides = (
        v_pad - (top - c_top),
        v_pad - (c_bottom - bottom),
        pad - (x0 - c_x0),
        pad - (c_x1 - x1),
    )
    if not any(side > 0 for side in sides):
        return crop
    t, b, left, right = (max(0, side) for side in sides)
    paper = int(np.percentile(crop, 90)) if crop.size else 255
    return cv2.copyMakeBorder(crop, t, b, left, right, cv2.BORDER_CONSTANT, value=paper)


def outside_regions(ink: np.ndarray, cells: list[PixelBox], line_px: int) -> list[PixelBox]:
    """Boxes around the text that lies outside every cell, a strip per block of lines."""
    rest = ink.copy()
    for x0, top, x1, bottom in cells:
        rest[top:bottom, x0:x1] = 0
    if not rest.any():
        return []
    joined = cv2.dilate(rest, cv2.getStructuringElement(cv2.MORPH_RECT, (3 * line_px, line_px)))
    n, _, stats, _ = cv2.connectedComponentsWithStats(joined, connectivity=8)
    h, w = ink.shape
    boxes = []
    for k in range(1, n):
        x, y, bw, bh, _area = stats[k]
        if bh < line_px // 2 and bw < line_px:  # a lone mark, not text
            continue
        boxes.append((max(0, x - 4), max(0, y - 4), min(w, x + bw + 4), min(h, y + bh + 4)))
    return boxes


def without_rules(gray: np.ndarray, cells: list[PixelBox]) -> np.ndarray:
    """The page with its cells' rules painted over as paper: crops are cut from it, so that a
    line may run up to its cell's border (Excel prints text 2 px from it) without the border
    reading as 丨. Only long strokes along the cells' borders are rules: a large title's 山 has
    strokes as long."""
    borders = np.zeros_like(gray)
    for x0, top, x1, bottom in cells:
        cv2.rectangle(borders, (x0, top), (x1 - 1, bottom - 1), 255, thickness=7)
    clean = gray.copy()
    clean[(rule_mask(binarize(gray)) > 0) & (borders > 0)] = 255
    return clean


def line_ink(gray: np.ndarray, settings: ScanSettings = SCAN) -> np.ndarray:
    """The ink that says where text lines are: the page median-filtered (scanner noise and
    dust go, strokes stay) and binarized at a contrast that noise does not reach, without its
    rules."""
    return text_ink(binarize(cv2.medianBlur(gray, 3), contrast=settings.line_contrast))


def _speck_px(scale: float, settings: ScanSettings) -> int:
    return max(2, round(settings.speck_pt / scale))


def read_cells(
    gray: np.ndarray, cells: list[PixelBox], scale: float, settings: ScanSettings = SCAN
) -> list[OcrLine]:
    """Every text line of a page (`gray`; `scale`, points per pixel) whose grid gave `cells`
    (pixel boxes): recognition only on the lines cut out of each cell, detection only outside
    the cells and on cells read poorly."""
    marks = line_ink(gray, settings)
    ink = without_specks(marks, _speck_px(scale, settings))
    clean = without_rules(gray, cells)
    inner = [_inset(cell, settings.cell_inset_px) for cell in cells]
    crops = cell_crops(ink, marks, inner, _speck_px(scale, settings))
    images = [_padded(clean, crop.box, cells[crop.cell]) for crop in crops]
    read = recognize(images) if images else []
    lines: list[OcrLine] = []
    poor: set[int] = set()
    for crop, (text, score) in zip(crops, read, strict=True):
        if score < settings.cell_retry_score:
            poor.add(crop.cell)
        elif text.strip():
            x0, top, x1, bottom = crop.box
            lines.append(OcrLine(text.strip(), score, (x0, top, x1, bottom)))
    for k in sorted(poor):
        # Read whole by detection; where it finds nothing, the poor line was a mark (a full-page
        # reading drops it too: RapidOCR keeps lines scoring 0.5 or more).
        found = _detected(clean, cells[k])
        if found:
            lines = [line for line in lines if not _holds(cells[k], line.box)] + found
    heights = [crop.box[3] - crop.box[1] for crop in crops]
    line_px = int(np.median(heights)) if heights else max(12, gray.shape[0] // 100)
    for region in outside_regions(ink, cells, line_px):
        # Ink beside a cell (text that runs over its rule) is found again here: what was read
        # inside a cell is not read twice.
        lines += [
            line
            for line in _detected(gray, region)
            if not any(_holds(cell, line.box) for cell in cells) and _plausible(line, line_px)
        ]
    return lines


def _detected(gray: np.ndarray, box: PixelBox, margin: int = 8) -> list[OcrLine]:
    """Detection and recognition on one region, on a white margin (the detector misses text
    that touches the image edge), in page pixels."""
    x0, top, x1, bottom = box
    region = cv2.copyMakeBorder(
        gray[top:bottom, x0:x1], margin, margin, margin, margin, cv2.BORDER_CONSTANT, value=255
    )
    return [
        OcrLine(
            line.text,
            line.score,
            (b[0] + x0 - margin, b[1] + top - margin, b[2] + x0 - margin, b[3] + top - margin),
        )
        for line in image_to_lines(region)
        for b in [line.box]
    ]


def _plausible(line: OcrLine, line_px: int) -> bool:
    """Whether a line found outside the grid is text: a lone glyph read with less than near
    certainty, or a glyph over three lines tall, is a mark (hatching, a seal's edge, dust) the
    detector took for one. A title in large type is under three lines tall."""
    top, bottom = line.box[1], line.box[3]
    if len(line.text) <= 2 and bottom - top > 3 * line_px:
        return False
    return len(line.text) > 1 or line.score >= 0.9


def _holds(cell: PixelBox, box: tuple[float, float, float, float]) -> bool:
    cx, cy = (box[0] + box[2]) / 2, (box[1] + box[3]) / 2
    return cell[0] <= cx <= cell[2] and cell[1] <= cy <= cell[3]


def _inset(box: PixelBox, by: int) -> PixelBox:
    """A cell without its borders: the rules and the half rule each cell box is grown by."""
    x0, top, x1, bottom = box
    if x1 - x0 <= 2 * by or bottom - top <= 2 * by:
        return box
    return (x0 + by, top + by, x1 - by, bottom - by)
