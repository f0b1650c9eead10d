"""The indicator table's columns: header rows to columns with roles, and a data row's cells to
those roles. What the label cells on the left say is `indicators.py`'s business."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from decimal import Decimal
from functools import cache

from jixiao import dictionaries
from jixiao.extract import Cell

from .targets import parse_target
from .text import fold, to_number

PERIODS = ("H1", "FY", "adjusted", "LT", "actual", "prior")
LABEL_ROLES = ("level1", "level2", "key_task")
LEVELS = ("level1", "level2", "key_task", "level3")
JOIN = 3  # a label may be split over this many neighbouring cells (一级 | 指标)
# A label shorter than this is not looked for at the start of a longer cell: 三级医院数量 is a
# name, not 三级 fused with 医院数量; 一级指标决策 is 一级指标 fused with 决策.
FUSED_MIN = 3
_BRACKET = re.compile(r"[(（\[【][^()（）\[\]【】]*[)）\]】]\s*$")

_YEAR = re.compile(r"(?:19|20)\d{2}\s*年(?:度)?")

Cells = tuple[Cell, ...]


@dataclass(frozen=True)
class Column:
    """One column of the indicator table's header: its role and where it stands."""

    role: str
    col: int
    span: int = 1


@dataclass(frozen=True)
class Header:
    """A header row read: its columns, and the first data row's cells where the header was
    printed fused with it (`一级指标决策`: header 一级指标, data 决策); () when it was not."""

    columns: tuple[Column, ...]
    first_row: Cells = ()
    named: tuple[str, ...] = ()  # the roles the labels name, before the cells' votes


def _key(text: str) -> str:
    return fold(text, drop_punct=True)


@cache
def _labels() -> dict[str, str]:
    """Folded header label -> role (sections.yaml indicator_columns)."""
    columns = dictionaries.load("sections")["indicator_columns"]
    return {_key(word): str(role) for role, words in columns.items() for word in words}


def label_role(text: str) -> str | None:
    """The role a header label names: 一级指标, `一級 指標`, `全年预算\n指标值`, 目标值(标准)."""
    labels = _labels()
    text = _YEAR.sub("YYYY年", text)  # 2021年实际实现值: the year is the column's, not the label's
    role = labels.get(_key(text))
    if role is None and _BRACKET.search(text):
        role = labels.get(_key(_BRACKET.sub("", text)))
    return role


def fused_label(text: str) -> tuple[str, str] | None:
    """A header label with the first data row's cell printed onto it: (role, the rest as
    printed). The longest label that starts the cell wins (一级指标 before 一级)."""
    key = _key(text)
    found = max(
        (k for k in _labels() if len(k) >= FUSED_MIN and key.startswith(k) and len(key) > len(k)),
        key=len,
        default="",
    )
    if not found:
        return None
    # The rest as printed: drop characters of the text until the label's folded form is used up.
    for cut in range(1, len(text) + 1):
        if _key(text[:cut]) == found:
            rest = text[cut:].strip()
            return (_labels()[found], rest) if _key(rest) else None
    return None


def read_header(cells: Sequence[Cell], body: Sequence[Cells] = (), grid: bool = False) -> Header:
    """Header cells to columns with roles, e.g. level1 level2 key_task level3 H1 FY, by what
    the labels say (sections.yaml indicator_columns). Cells the dictionary does not know
    (绩效指标 in front of 一级指标) take no column. A weight column right of a level column is
    that level's weight, so 一级 | 权重 | 二级 | 分值 | 三级 | 目标值 | 分值 keeps the levels and
    the indicator's own weight apart. On a grid, `body` (the rows under the header) votes for
    the columns the header does not name: see `vote_columns`."""
    filled = [c for c in cells if c.text]
    columns: list[Column] = []
    first_row: list[Cell] = []
    fused_any = False
    k = 0
    while k < len(filled):
        cell = filled[k]
        # The longest run of neighbouring cells that spells a label: 一级 | 指标 is one
        # column, not 一级 and an unknown 指标.
        role, width = None, 1
        for n in range(JOIN, 0, -1):
            joined = filled[k : k + n]
            if len(joined) == n and (role := label_role("".join(c.text for c in joined))):
                width = n
                break
        if role is None and (fused := fused_label(cell.text)) is not None:
            role, fused_any = fused[0], True
            first_row.append(replace(cell, text=fused[1]))
        if role is not None:
            last = filled[k + width - 1]
            end = last.col + (last.col_span or 1)
            columns.append(Column(role, cell.col, end - cell.col))
        else:
            first_row.append(cell)
        k += width
    if not fused_any:
        first_row = []  # no label was fused: unknown cells are just unknown labels
    named = _level_weights(_first_of_each(columns))
    out = vote_columns(named, body) if grid and body else named
    return Header(out, tuple(first_row), tuple(c.role for c in named))


def header_to_columns(cells: Sequence[Cell]) -> tuple[Column, ...]:
    """Header cells to columns with roles (`read_header` without the body)."""
    return read_header(cells).columns


def header_roles(cells: Sequence[Cell]) -> set[str]:
    """The roles a row's cells name, for telling a header row from a data row."""
    return {c.role for c in read_header(cells).columns}


def _first_of_each(columns: list[Column]) -> list[Column]:
    """A role named twice keeps its first column (目标值(标准) … 采集数据项 | 指标值), except 分值
    and 权重, which `_level_weights` tells apart by where they stand."""
    seen: set[str] = set()
    out = []
    for column in columns:
        if column.role in seen and column.role != "weight":
            continue
        seen.add(column.role)
        out.append(column)
    return out


def _level_weights(columns: list[Column]) -> tuple[Column, ...]:
    out: list[Column] = []
    level: str | None = None
    for column in columns:
        if column.role in LEVELS:
            level = column.role
        elif column.role == "weight" and level in LABEL_ROLES:
            column = replace(column, role=f"{level}_weight")
        if column.role == "weight" and any(c.role == "weight" for c in out):
            continue
        out.append(column)
    return tuple(out)


def vote_columns(columns: tuple[Column, ...], body: Sequence[Cells]) -> tuple[Column, ...]:
    """Grid columns the header does not name get a role from what their cells hold: 一级 names
    (level1), numbers that sum to 100 (weight), targets such as ≥95% or 12个 (FY). A role the
    header already names is not given again."""
    votes = dictionaries.load("sections")["column_votes"]
    taken = {c.role for c in columns}
    covered = {k for c in columns for k in range(c.col, c.col + c.span)}
    texts: dict[int, list[str]] = {}
    for row in body:
        for cell in row:
            if cell.text.strip() and cell.col not in covered:
                texts.setdefault(cell.col, []).append(cell.text)
    out = list(columns)
    for col in sorted(texts):
        role = _vote(texts[col], votes)
        if role is not None and role not in taken:
            taken.add(role)
            out.append(Column(role, col))
    return tuple(sorted(out, key=lambda c: c.col))


def _vote(texts: list[str], votes: dict[str, float]) -> str | None:
    if len(texts) < votes["min_cells"]:
        return None
    level1_keys = {fold(n) for n in dictionaries.load("sections")["level1_names"]}
    numbers = [to_number(t) for t in texts]
    if all(n is not None for n in numbers) and sum(n or Decimal(0) for n in numbers) == Decimal(
        str(votes["weight_total"])
    ):
        return "weight"
    share = votes["share"]
    if sum(fold(t) in level1_keys for t in texts) >= share * len(texts):
        return "level1"
    targets = [parse_target(t) for t in texts]
    looks = [t.value is not None and (t.comparator or t.unit) for t in targets]
    if sum(map(bool, looks)) >= share * len(texts):
        return "FY"
    return None


def subcolumn_role(text: str) -> str | None:
    """The period a second header row's cell names: 中期, 年 度 (indicator_subcolumns), or a
    period label of indicator_columns (中期指标值, 年度目标值)."""
    words = dictionaries.load("sections")["indicator_subcolumns"]
    role = {_key(w): str(r) for w, r in words.items()}.get(_key(text))
    if role is None:
        role = label_role(text)
    return role if role in PERIODS else None


def split_columns(columns: tuple[Column, ...], sub: Cells, grid: bool) -> tuple[Column, ...]:
    """A second header row splitting a value column (指标值 over 中期 | 年度): the split column
    gives way to its parts. On a grid, the parts replace the column they stand under; else the
    last value column."""
    parts = [
        Column(role, c.col, c.col_span or 1)
        for c in sub
        if c.text and (role := subcolumn_role(c.text)) is not None
    ]
    if grid:
        kept = [c for c in columns if not any(c.col <= p.col < c.col + c.span for p in parts)]
        return tuple(sorted([*kept, *parts], key=lambda c: c.col))
    at = max((k for k, c in enumerate(columns) if c.role in PERIODS), default=len(columns) - 1)
    return (*columns[:at], *parts, *columns[at + 1 :])


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
    level3 = next((c.col for c in columns if c.role == "level3"), None)
    for cell in cells:
        role = next((c.role for c in columns if c.col <= cell.col < c.col + c.span), None)
        if role is None and level3 is not None and cell.col > level3:
            continue  # a column right of the names the header does not name (采集数据项)
        if role is None or role in LABEL_ROLES:
            if cell.text:
                rest.append(cell)
        # A header column may span several grid columns: the first of its cells with text wins.
        elif role not in placed or not placed[role].text:
            placed[role] = cell
    return placed, rest
