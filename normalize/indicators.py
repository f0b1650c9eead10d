"""The indicator table: header rows give the columns; data rows become indicators with their
一级/二级/重点工作 filled down through merged cells by meaning, not by position.

Merged cells show up in exports as: text once, often not in the first row of the span (the lone
`履职` line between tables); text duplicated into neighbouring columns (`预算管理\t预算管理`);
and leading tabs that differ from row to row. So a row's label cells are recognised for what
they say (a 一级 name, a `职能N：` cell) and the rest are matched to the header's columns from
the right, next to the 三级指标 they describe."""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from decimal import Decimal

from jixiao import codes, dictionaries
from jixiao.extract import Cell

from .model import Finding, Indicator
from .ocr_review import OcrValue
from .sections import IndicatorItem, Row
from .targets import parse_target
from .text import fold, is_placeholder, to_number

PERIODS = ("H1", "FY", "LT", "actual", "prior")
ATTRIBUTES = ("nature", "unit", "direction")
LABEL_ROLES = ("level1", "level2", "key_task")


@dataclass
class FunctionGroup:
    """One 履职 二级 cell (`职能N：…`), possibly printed in pieces across a page end."""

    label: str
    parts: list[Cell]
    indicators: list[Indicator] = field(default_factory=list)

    @property
    def printed(self) -> str:
        return "".join(c.text.replace("\n", "") for c in self.parts)


@dataclass(frozen=True)
class Column:
    """One column of the indicator table's header: its role and where it stands."""

    role: str
    col: int
    span: int = 1


@dataclass
class _State:
    columns: tuple[Column, ...] = ()
    header_roles: tuple[str, ...] = ()  # as the header row names them, before any split
    level1: str | None = None
    pending_level1: list[Indicator] = field(default_factory=list)
    level2: str | None = None
    group: FunctionGroup | None = None
    key_task: str | None = None

    def start_level1(self, name: str) -> None:
        if self.level1 is None:
            # The merged cell's text sat below the first rows of its span: fill them up, and
            # keep the 二级/重点工作 context those rows set.
            for indicator in self.pending_level1:
                indicator.level1 = name
            self.pending_level1.clear()
        elif name != self.level1:
            self.level2, self.group, self.key_task = None, None, None
        self.level1 = name

    @property
    def layout(self) -> tuple[str, ...]:
        return tuple(c.role for c in self.columns)


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


def _dedupe_adjacent(cells: list[Cell]) -> list[Cell]:
    out: list[Cell] = []
    for cell in cells:
        if not out or fold(out[-1].text) != fold(cell.text):
            out.append(cell)
    return out


@dataclass
class _RowLabels:
    level1: str | None = None
    function: Cell | None = None
    level2: Cell | None = None
    key_task: Cell | None = None
    extra: list[Cell] = field(default_factory=list)


def cells_to_labels(
    cells: list[Cell], layout: tuple[str, ...], level1_cols: range | None = None
) -> _RowLabels:
    """Label cells by what they say. `level1_cols`, on a grid: only a cell in the 一级 column
    is a 一级 name (成本指标 in the 二级 column is a 二级 under 产出)."""
    anchors = dictionaries.load("sections")
    level1_keys = {fold(n) for n in anchors["level1_names"]}
    function_re = re.compile(anchors["function_label_pattern"])
    out = _RowLabels()
    rest: list[Cell] = []
    for cell in cells:
        if not cell.text:
            continue
        in_level1 = level1_cols is None or cell.col in level1_cols
        if out.level1 is None and fold(cell.text) in level1_keys and in_level1:
            out.level1 = cell.text
        elif out.function is None and function_re.match(cell.text):
            out.function = cell
        else:
            rest.append(cell)
    rest = _dedupe_adjacent(rest)
    roles = [r for r in layout[: layout.index("level3")] if r in ("level2", "key_task")]
    if out.function is not None and "level2" in roles:
        roles.remove("level2")
    for role, cell in zip(reversed(roles), reversed(rest), strict=False):
        setattr(out, role, cell)
    out.extra = rest[: max(0, len(rest) - len(roles))]
    return out


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
        placed: dict[str, Cell] = {}
        rest: list[Cell] = []
        for cell in cells:
            role = next((c.role for c in columns if c.col <= cell.col < c.col + c.span), None)
            if role is None or role in LABEL_ROLES:
                if cell.text:
                    rest.append(cell)
            elif role not in placed or not placed[role].text:
                placed[role] = cell
        return placed, rest
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


def attributes_text(by_role: dict[str, Cell], role: str) -> str | None:
    cell = by_role.get(role)
    return cell.text.strip() if cell is not None and cell.text.strip() else None


def to_direction(text: str | None) -> str | None:
    """指标方向性 as printed (正向指标, 越小越好 …) to 正向 | 反向."""
    if not text:
        return None
    comparators = dictionaries.load("comparators")
    comparator = comparators["directions"].get(fold(text))
    direction = comparators["direction_of"].get(comparator or "")
    return str(direction) if direction else None


def cells_to_scores(by_role: dict[str, Cell]) -> tuple[dict[str, Decimal], list[Finding]]:
    """分值 and 得分 cells to numbers; one that is not a number is reported, not guessed."""
    out: dict[str, Decimal] = {}
    findings: list[Finding] = []
    for role in ("weight", "score"):
        cell = by_role.get(role)
        if cell is None or not cell.text.strip() or is_placeholder(cell.text):
            continue
        number = to_number(cell.text)
        if number is None:
            findings.append(
                Finding(
                    "warning",
                    codes.SCORE_NOT_A_NUMBER,
                    f"The {'分值' if role == 'weight' else '得分'} cell reads '{cell.text}', which "
                    "is not a number; it was left empty.",
                    cell.location,
                )
            )
        else:
            out[role] = number
    return out, findings


def unit_conflict(text: str, column_unit: str | None) -> str | None:
    """A value printed with a unit that contradicts the 度量单位 column beside it."""
    if not column_unit:
        return None
    own = parse_target(text).unit
    stated = parse_target(f"1{column_unit}").unit
    if own and stated and own != stated:
        return (
            f"'{text}' is printed in {own} but the unit column says {column_unit}; the value's "
            "own unit was kept. Check which one the filing means."
        )
    return None


def items_to_indicators(
    items: list[IndicatorItem], fiscal_year: int | None
) -> tuple[list[Indicator], list[FunctionGroup], list[Finding], list[OcrValue]]:
    """Rows to indicators; also the function groups to link, findings, and the values OCR read
    (for review)."""
    state = _State()
    indicators: list[Indicator] = []
    groups: list[FunctionGroup] = []
    findings: list[Finding] = []
    ocr_values: list[OcrValue] = []
    for item in items:
        if item.kind == "marker":
            assert item.paragraph is not None
            state.start_level1(item.paragraph.text)
            continue
        if item.kind == "header":
            columns = header_to_columns(item.cells)
            roles = tuple(c.role for c in columns)
            if roles != state.header_roles:  # a repeated header at a page top changes nothing
                state = _State(columns=columns, header_roles=roles)
            elif item.grid:
                state.columns = columns  # same columns; positions as this table has them
            continue
        if item.kind == "subheader":
            if len(state.columns) == len(state.header_roles):  # not split already
                state.columns = split_columns(state.columns, item.cells, item.grid)
            continue
        if "level3" not in state.layout:
            continue
        tail = state.layout[state.layout.index("level3") :]
        placed = place_row(list(item.cells), state.columns, item.grid)
        # Where columns are known (office grids, ruled PDF tables, scans), a 一级 name counts
        # as 一级 only in the 一级 column.
        level1_cols = next(
            (
                range(c.col, c.col + c.span)
                for c in state.columns
                if c.role == "level1" and item.grid
            ),
            None,
        )
        if placed is None or not placed[0].get("level3") or not placed[0]["level3"].text:
            # A placeholder row (社会效益 with no 三级指标): labels only.
            by_role, label_cells = placed or ({}, [c for c in item.cells if c.text])
            values = [by_role[p] for p in PERIODS if p in by_role and by_role[p].text]
            if values and placed is not None:
                findings.append(
                    Finding(
                        "warning",
                        codes.VALUES_WITHOUT_INDICATOR,
                        "This row has target values but no 三级指标 name; it was not loaded.",
                        values[-1].location,
                    )
                )
            labels = cells_to_labels(label_cells, state.layout, level1_cols)
            if labels.level1:
                state.start_level1(labels.level1)
            continue
        by_role, label_cells = placed
        level3_cell = by_role["level3"]
        attributes = {r: by_role[r].text for r in ATTRIBUTES if r in by_role}
        labels = cells_to_labels(label_cells, state.layout, level1_cols)
        if labels.level1:
            state.start_level1(labels.level1)
        for cell in labels.extra:
            findings.append(
                Finding(
                    "info",
                    codes.EXTRA_LABEL_IGNORED,
                    f"An extra label '{cell.text}' stood before the 二级指标 of "
                    f"'{level3_cell.text}'; it was taken as a stray copy of a merged cell.",
                    cell.location,
                )
            )
        if labels.function is not None:
            state.group = FunctionGroup(label=labels.function.text, parts=[labels.function])
            groups.append(state.group)
            state.level2, state.key_task = None, None
        if labels.level2 is not None:
            if state.group is not None and labels.function is None:
                # A 职能 cell continued after a page end: same cell, second piece.
                state.group.parts.append(labels.level2)
            else:
                state.group = None
                state.level2 = labels.level2.text
                state.key_task = None
        if labels.key_task is not None:
            state.key_task = labels.key_task.text
        indicator = Indicator(
            seq=len(indicators) + 1,
            level1=state.level1,
            level2=state.level2,
            key_task=state.key_task if "key_task" in state.layout else None,
            level3=level3_cell.text,
            page=level3_cell.page,
            location=level3_cell.location,
        )
        scores, score_findings = cells_to_scores(by_role)
        findings += score_findings
        indicator.weight, indicator.score = scores.get("weight"), scores.get("score")
        indicator.deviation_reason = attributes_text(by_role, "deviation_reason")
        indicator.value_type = attributes_text(by_role, "value_type")
        indicator.direction = to_direction(attributes.get("direction"))
        for period in (r for r in tail if r in PERIODS):
            if period not in by_role or not by_role[period].text:
                continue
            cell = by_role[period]
            target = parse_target(
                cell.text,
                fiscal_year,
                comparator=attributes.get("nature"),
                unit=attributes.get("unit"),
                direction=attributes.get("direction") or attributes.get("nature"),
            )
            indicator.targets.append(replace(target, period=period))
            conflict = unit_conflict(cell.text, attributes.get("unit"))
            if conflict:
                findings.append(Finding("warning", codes.UNIT_CONFLICT, conflict, cell.location))
            if cell.confidence is not None:
                ocr_values.append(OcrValue(indicator, len(indicator.targets) - 1, cell))
        if state.level1 is None:
            state.pending_level1.append(indicator)
        if state.group is not None:
            state.group.indicators.append(indicator)
        indicators.append(indicator)
    for indicator in indicators:
        if indicator.level1 is None:
            findings.append(
                Finding(
                    "warning",
                    codes.LEVEL1_UNKNOWN,
                    f"Could not tell which 一级指标 '{indicator.level3}' belongs to.",
                    indicator.location,
                )
            )
    return indicators, groups, findings, ocr_values
