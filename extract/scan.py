"""Scanned pages: page image → upright, deskewed, stamp-free → ruling grid (OpenCV morphology)
→ OCR chars (typed `Char`s) and cell boxes in points, the same a text layer gives, for
layout.py; so the layout, stitching and everything after are shared.

    image → red stamp removed (the red channel: a red stamp is bright there, black ink dark)
          → deskewed (±3°, from the long horizontal rules)
          → OCR lines (orientation by box shape and recognition score, not the classifier)
          → rules: horizontal and vertical strokes opened out of the binarized page
          → cells: the regions the rules enclose, tables closed at the ends of their verticals
"""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import pairwise

import cv2
import numpy as np

from jixiao import codes

from .cell_ocr import PixelBox, binarize, line_masks, read_cells, text_ink, without_specks
from .geometry import Box, Char, Rule, snap_boxes
from .model import ExtractError
from .ocr import OcrLine, image_to_lines, lines_to_chars
from .settings import SCAN, ScanSettings

log = logging.getLogger(__name__)


def red_free_gray(image: np.ndarray) -> np.ndarray:
    """Grayscale in which a red stamp disappears and the black text under it stays: the red
    channel (the stamp is bright there, black ink dark), with clearly red pixels whitened."""
    if image.ndim == 2:
        return image
    rgb = image.astype(np.int16)
    gray = np.ascontiguousarray(image[:, :, 0])
    red = (
        (rgb[:, :, 0] > 150)
        & (rgb[:, :, 0] - rgb[:, :, 1] > 40)
        & (rgb[:, :, 0] - rgb[:, :, 2] > 40)
    )  # bright in red: the seal, not the dark ink under it
    gray[red] = 255
    return gray


def binarize_rules(gray: np.ndarray) -> np.ndarray:
    """Hairline rules (Word's 0.5 pt grid) scan faint, and where text crowds them a small
    neighbourhood is dark on average and hides them: a wide one at a lower contrast keeps them.
    The long-stroke opening that follows removes the noise this lets in."""
    return binarize(gray, contrast=10, block=101)


def _profile_sharpness(binary: np.ndarray, degrees: float) -> float:
    """How sharply the ink lines up in rows when the page is turned by `degrees`."""
    h, w = binary.shape
    matrix = cv2.getRotationMatrix2D((w / 2, h / 2), degrees, 1.0)
    turned = cv2.warpAffine(binary, matrix, (w, h), flags=cv2.INTER_NEAREST, borderValue=0)
    rows = turned.sum(axis=1, dtype=np.float64)
    return float(np.square(np.diff(rows)).sum())


def skew_angle(gray: np.ndarray, settings: ScanSettings = SCAN) -> float:
    """Degrees the page is turned (within ±3°), by the projection profile: rules and text lines
    give the sharpest row profile when they lie level. Coarse search, then a fine one."""
    binary = binarize(gray)

    def shrunk(side: int) -> np.ndarray:
        scale = min(1.0, side / max(binary.shape))
        return cv2.resize(binary, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)

    small, large = shrunk(800), shrunk(2000)
    coarse = np.arange(-settings.max_skew, settings.max_skew + 1e-9, 0.2)
    best = max(coarse, key=lambda a: _profile_sharpness(small, a))
    fine = np.arange(best - 0.2, best + 0.2 + 1e-9, 0.04)  # 2000 px: 0.04° is 1.4 px across
    best = max(fine, key=lambda a: _profile_sharpness(large, a))
    return float(round(best, 2))


def rotate(gray: np.ndarray, degrees: float) -> np.ndarray:
    if abs(degrees) < 0.05:
        return gray
    h, w = gray.shape
    matrix = cv2.getRotationMatrix2D((w / 2, h / 2), degrees, 1.0)
    return cv2.warpAffine(gray, matrix, (w, h), flags=cv2.INTER_LINEAR, borderValue=255)


def _turn(gray: np.ndarray, quarter_turns: int) -> np.ndarray:
    return np.ascontiguousarray(np.rot90(gray, quarter_turns)) if quarter_turns else gray


def _mean_score(lines: list[OcrLine]) -> float:
    return sum(line.score for line in lines) / len(lines) if lines else 0.0


def _text_score(lines: list[OcrLine]) -> float:
    """Mean score per character read: a long line says more about the page than a lone mark."""
    chars = sum(len(line.text) for line in lines)
    return sum(line.score * len(line.text) for line in lines) / chars if chars else 0.0


def quarter_turned(gray: np.ndarray, dpi: float, settings: ScanSettings = SCAN) -> bool:
    """A table page lying on its side. Its characters join into lines downwards rather than
    across (they sit closer along a line than lines do to each other); where that is close to
    even (a page of short cells), its ink lining up sharper in columns than in rows decides.
    That second test alone is fooled by a table of narrow columns (≥, 100%, 个 stacked cell
    under cell), which lines its ink up in columns upright too."""
    binary = binarize(gray)
    across = _joined_across(binary, dpi, settings)
    if abs(across - 1.0) > 0.1:
        return across < 1.0
    scale = min(1.0, 1000 / max(binary.shape))
    small = cv2.resize(binary, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    rows = _profile_sharpness(small, 0.0)
    columns = _profile_sharpness(np.ascontiguousarray(small.T), 0.0)
    return columns > 2.0 * rows


def _joined_across(binary: np.ndarray, dpi: float, settings: ScanSettings) -> float:
    """How much better the text's characters join into lines across the page than down it:
    the pieces its ink leaves smeared downwards by half a character over those it leaves
    smeared across (above 1 upright, below 1 on its side; 1 with no text)."""
    ink = without_specks(text_ink(binary), max(2, round(settings.speck_pt * dpi / 72)))
    n, _, stats, _ = cv2.connectedComponentsWithStats(ink, connectivity=8)
    if n < 2:
        return 1.0
    size = float(np.median(np.maximum(stats[1:, cv2.CC_STAT_WIDTH], stats[1:, cv2.CC_STAT_HEIGHT])))
    reach = max(3, round(0.6 * size))

    def pieces(kernel: tuple[int, int]) -> int:
        smeared = cv2.dilate(ink, cv2.getStructuringElement(cv2.MORPH_RECT, kernel))
        return int(cv2.connectedComponents(smeared, connectivity=8)[0]) - 1

    return pieces((1, reach)) / max(1, pieces((reach, 1)))


def upright_lines(
    gray: np.ndarray, on_side: bool, settings: ScanSettings = SCAN
) -> tuple[np.ndarray, list[OcrLine], int]:
    """OCR in the page's reading orientation, found without the direction classifier: a page on
    its side is read both ways round, a poorly read page upside down too, and the turn
    (degrees, counter-clockwise) whose text reads best wins."""
    if on_side:
        # Dense columns of text can look turned: the unturned reading competes too.
        candidates, best = [1, 3], (gray, image_to_lines(gray), 0)
    else:
        lines = image_to_lines(gray)
        if _mean_score(lines) >= settings.upright_score:
            return gray, lines, 0
        candidates, best = [2], (gray, lines, 0)
    for k in candidates:
        turned = _turn(gray, k)
        found = image_to_lines(turned)
        if _mean_score(found) > _mean_score(best[1]):
            best = (turned, found, k * 90)
    return best


def _segments(mask: np.ndarray, scale: float) -> list[Rule]:
    contours, _ = cv2.findContours(mask, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    out = []
    for contour in contours:
        x, y, w, h = cv2.boundingRect(contour)
        out.append(Rule(x * scale, (x + w) * scale, (y + h / 2) * scale))
    return out


def rules_to_tables(
    gray: np.ndarray, scale: float, settings: ScanSettings = SCAN
) -> tuple[list[tuple[Box, list[Box]]], list[Rule]]:
    """Tables (outer box, cell boxes) in points, and the printed horizontal rules."""
    ink = binarize_rules(gray)
    horizontal, vertical = line_masks(ink)
    vertical = _completed(vertical, horizontal, ink, settings.rule_cover)
    horizontal = _completed(horizontal.T, vertical.T, ink.T, settings.rule_cover).T
    # Bridge the small breaks a scan puts in printed rules.
    horizontal = cv2.dilate(horizontal, cv2.getStructuringElement(cv2.MORPH_RECT, (9, 3)))
    vertical = cv2.dilate(vertical, cv2.getStructuringElement(cv2.MORPH_RECT, (3, 9)))
    printed = _segments(horizontal, scale)
    grid = cv2.bitwise_or(horizontal, vertical)
    tables: list[tuple[Box, list[Box]]] = []
    n, labels, stats, _ = cv2.connectedComponentsWithStats(grid, connectivity=8)
    for k in range(1, n):
        x, y, w, h, _area = stats[k]
        if w < gray.shape[1] / 5 or h < 40:
            continue
        table = (labels[y : y + h, x : x + w] == k).astype(np.uint8) * 255
        if not _framed(vertical[y : y + h, x : x + w]):
            # Printed without a frame: its top and bottom rows end there, not at a page end
            # (a page end cuts a framed table, whose sides still show), so they count as ruled.
            printed += [Rule(x * scale, (x + w) * scale, e * scale) for e in (y, y + h - 1)]
        # Close the table on every side: where a page end cut it (a rule at the ends of its
        # verticals), and where it was printed without a frame (at the ends of its rules).
        cv2.rectangle(table, (1, 1), (w - 2, h - 2), 255, 3)
        cells = _enclosed(table)
        if len(cells) < 2:
            continue
        boxes = snap_boxes(
            [
                Box(
                    (x + cx) * scale, (y + cy) * scale, (x + cx + cw) * scale, (y + cy + ch) * scale
                )
                for cx, cy, cw, ch in cells
            ],
            settings.snap_pt,
        )
        tables.append((Box.enclosing(boxes), boxes))
    tables.sort(key=lambda t: t[0][1])
    return tables, printed


def _framed(vertical: np.ndarray) -> bool:
    """Whether a table's sides are ruled: a vertical rule at its left or right end running
    most of its height."""
    h = vertical.shape[0]
    sides = (vertical[:, :6], vertical[:, -6:])
    return any(side.any(axis=1).mean() >= 0.6 for side in sides) or h < 40


def _positions(mask: np.ndarray, axis: int) -> list[int]:
    """Where a mask's vertical strokes (axis 0: their x) stand, strokes within 4 px one."""
    profile = mask.any(axis=axis)
    xs = np.flatnonzero(profile)
    if not len(xs):
        return []
    groups = np.split(xs, np.flatnonzero(np.diff(xs) > 4) + 1)
    return [int(g.mean()) for g in groups]


def _completed(
    vertical: np.ndarray, horizontal: np.ndarray, ink: np.ndarray, cover: float
) -> np.ndarray:
    """Vertical rules a toner skipped or printed pale, drawn in again. A column boundary the
    page shows somewhere is completed between two horizontal rules that both cross it, where the
    strip between them is inked for at least `cover` of its height, and that ink stands alone
    (text beside a boundary has ink on both sides of it; a rule has paper). Transposed, the
    same for horizontal rules."""
    out = vertical.copy()
    w = ink.shape[1]
    rows = _positions(horizontal, 1)
    for x in _positions(vertical, 0):
        if x < 6 or x > w - 7:
            continue
        crossing = [y for y in rows if horizontal[max(0, y - 2) : y + 3, x - 3 : x + 4].any()]
        for top, bottom in pairwise(crossing):
            inner = slice(top + 3, bottom - 2)
            if bottom - top < 12 or out[inner, x - 1 : x + 2].all(axis=1).mean() > 0.9:
                continue
            strip = ink[inner, x - 2 : x + 3].any(axis=1)
            beside = ink[inner, x - 7 : x - 3].any(axis=1) | ink[inner, x + 4 : x + 8].any(axis=1)
            alone = strip & ~beside
            if strip.mean() >= cover and alone.sum() >= 0.8 * strip.sum():
                out[top : bottom + 1, x - 1 : x + 2] = 255
    return out


def _enclosed(table: np.ndarray) -> list[tuple[int, int, int, int]]:
    """The regions the rules enclose, grown by half a rule so neighbours share borders."""
    n, _, stats, _ = cv2.connectedComponentsWithStats(cv2.bitwise_not(table), connectivity=4)
    h, w = table.shape
    cells = []
    for k in range(1, n):
        x, y, cw, ch, area = stats[k]
        touches_edge = x == 0 or y == 0 or x + cw >= w or y + ch >= h
        if touches_edge or cw < 8 or ch < 8 or area < 0.5 * cw * ch:
            continue
        cells.append((x - 2, y - 2, cw + 4, ch + 4))
    return cells


@dataclass
class ScanLayout:
    """What a page image gives the layout: chars and rules in points, and what was done to
    read it."""

    chars: list[Char]
    tables: list[tuple[Box, list[Box]]]
    rules: list[Rule]
    turn: int  # degrees turned (counter-clockwise) to read upright
    angle: float  # degrees straightened


def image_to_layout(image: np.ndarray, dpi: float, settings: ScanSettings = SCAN) -> ScanLayout:
    """One page image to its chars, ruled tables and rules, upright and straight."""
    gray = red_free_gray(image)
    angle = skew_angle(gray, settings)
    gray = rotate(gray, angle)
    scale = 72.0 / dpi
    grid = None
    on_side = quarter_turned(gray, dpi, settings)
    if settings.recognition == "cells" and not on_side:
        grid = rules_to_tables(gray, scale, settings)
        cells = [_pixels(box, scale, gray.shape) for _, boxes in grid[0] for box in boxes]
        if cells:
            lines = read_cells(gray, cells, scale, settings)
            # Upside down, every cell reads poorly: the page is read whole, turned, below.
            if _text_score(lines) >= settings.upright_score:
                return ScanLayout(lines_to_chars(lines, scale), *grid, 0, angle)
    gray, lines, turn = upright_lines(gray, on_side, settings)
    if turn:
        angle = skew_angle(gray, settings)
        gray = rotate(gray, angle)
        lines = image_to_lines(gray) if abs(angle) >= 0.05 else lines
    if turn or grid is None:  # the grid found above is the unturned page's
        grid = rules_to_tables(gray, scale, settings)
    return ScanLayout(lines_to_chars(lines, scale), *grid, turn, angle)


def _pixels(box: Box, scale: float, shape: tuple[int, ...]) -> PixelBox:
    """A cell box in points back to page pixels, within the page."""
    h, w = shape[:2]
    x0, top, x1, bottom = (round(v / scale) for v in box)
    return (max(0, x0), max(0, top), min(w, x1), min(h, bottom))


def images_in(data: bytes, settings: ScanSettings = SCAN) -> Iterator[tuple[np.ndarray, float]]:
    """Every page of a PNG, JPEG or (multi-page) TIFF, as RGB arrays with their dpi."""
    from PIL import Image, ImageSequence

    try:
        img = Image.open(io.BytesIO(data))
    except Image.DecompressionBombError as exc:
        raise ExtractError(
            f"This image is too large to read safely ({exc}). Scan the page again at 150-300 dpi.",
            code=codes.IMAGE_TOO_LARGE,
        ) from exc
    except OSError as exc:
        raise ExtractError(
            f"This image is damaged and cannot be opened ({exc}). Scan or save it again.",
            code=codes.CORRUPT_IMAGE,
        ) from exc
    with img:
        for frame in ImageSequence.Iterator(img):
            default = settings.render_dpi
            dpi = frame.info.get("dpi", (default, default))[0] or default
            yield np.asarray(frame.convert("RGB")), float(dpi)
