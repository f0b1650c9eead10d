"""The indicator table's columns: header rows to columns with roles, and a data row's cells to
those roles. What the label cells on the left say is `indicators.py`'s business."""

from __future__ import annotations

from dataclasses import dataclass

from jixiao import dictionaries
from jixiao.extract import Cell

from .sections import Row
from .text import fold

PERIODS = ("H1", "FY", "LT", "actual", "prior")
LABEL_ROLES = ("level1", "level2", "key_task")


@dataclass(frozen=True)
class Column:
    """One column of the indicator table's header: its role and where it stands."""

    role: str
    col: int
    span: int = 1


def header_to_columns(cells: Row) -> tuple[Column, ...]:
    """Header cells to columns with roles, e.g. level1 level2 key_task level3 H1 FY. Cells
    the dictionary does not know (绩效指标 in front of 一级指标) take no column."""
    columns = dictionaries.load("sections")["indicator_columns"]
    lookup = {fold(word): role for role, words in columns.items() for word in words}
    return tuple(
        Column(lookup[fold(c.text)], c.col, c.col_span or 1)
        for c in cells
        if c.text and fold(c.text) in lookup
    )


def split_columns(columns: tuple[Column, ...], sub: Row, grid: bool) -> tuple[Column, ...]:
    """A second header row splitting a value column (指标值 over 中期 | 年度): the split column
    gives way to its parts. On a grid, the parts replace the column they stand under; else the
    last value column."""
    words = {
        fold(w): role for w, role in dictionaries.load("sections")["indicator_subcolumns"].items()
    }
    parts = [Column(words[fold(c.text)], c.col, c.col_span or 1) for c in sub if c.text]
    if grid:
        kept = [c for c in columns if not any(c.col <= p.col < c.col + c.span for p in parts)]
        return tuple(sorted([*kept, *parts], key=lambda c: c.col))
    at = max((k for k, c in enumerate(columns) if c.role in PERIODS), default=len(columns) - 1)
    return (*columns[:at], *parts, *columns[at + 1 :])


def level1_columns(columns: tuple[Column, ...], grid: bool) -> range | None:
    """Where a 一级 name may stand. Only a grid's columns are true positions; a text export's
    are not, so there a 一级 name counts wherever it is printed."""
    if not grid:
        return None
    return next((range(c.col, c.col + c.span) for c in columns if c.role == "level1"), None)


def place_row(
    cells: list[Cell], columns: tuple[Column, ...], grid: bool
) -> tuple[dict[str, Cell], list[Cell]] | None:
    """A data row's cells to the roles right of the labels (三级指标, values, 分值 …), and the
    label cells left for `cells_to_labels`. On a grid (office files, web pages, ruled PDFs)
    cells go to the column they stand in; a text export's leading tabs vary, so there cells
    are counted from the right, or taken in place when the row is as wide as the header.
    None when the row is too short to hold the values (a row of labels only)."""
    roles = [c.role for c in columns]
    tail = roles[roles.index("level3") :]
    if grid:
        return _place_on_grid(cells, columns)
    if len(cells) == len(columns) and any(r not in PERIODS for r in tail[1:]):
        placed = dict(zip(roles, cells, strict=True))
        rest = [placed.pop(r) for r in LABEL_ROLES if r in placed]
        return placed, [c for c in rest if c.text]
    cells = list(cells)
    while cells and not cells[-1].text:
        cells.pop()
    if len(cells) < len(tail):
        return None
    head, values = cells[: len(cells) - len(tail)], cells[len(cells) - len(tail) :]
    return dict(zip(tail, values, strict=True)), [c for c in head if c.text]


def _place_on_grid(
    cells: list[Cell], columns: tuple[Column, ...]
) -> tuple[dict[str, Cell], list[Cell]]:
    placed: dict[str, Cell] = {}
    rest: list[Cell] = []
    for cell in cells:
        role = next((c.role for c in columns if c.col <= cell.col < c.col + c.span), None)
        if role is None or role in LABEL_ROLES:
            if cell.text:
                rest.append(cell)
        # A header column may span several grid columns: the first of its cells with text wins.
        elif role not in placed or not placed[role].text:
            placed[role] = cell
    return placed, rest
