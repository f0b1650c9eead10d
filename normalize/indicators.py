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

from jixiao import dictionaries
from jixiao.extract import Cell

from .model import Finding, Indicator
from .ocr_review import OcrValue
from .sections import IndicatorItem, Row
from .targets import parse_target
from .text import key

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


@dataclass
class _State:
    layout: tuple[str, ...] = ()
    header: tuple[Cell, ...] = ()
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


def header_to_layout(cells: Row) -> tuple[str, ...]:
    """Header cells to column roles, e.g. ('level1','level2','key_task','level3','H1','FY')."""
    columns = dictionaries.load("sections")["indicator_columns"]
    lookup = {key(word): role for role, words in columns.items() for word in words}
    return tuple(lookup[key(c.text)] for c in cells if c.text and key(c.text) in lookup)


def _dedupe_adjacent(cells: list[Cell]) -> list[Cell]:
    out: list[Cell] = []
    for cell in cells:
        if not out or key(out[-1].text) != key(cell.text):
            out.append(cell)
    return out


@dataclass
class _RowLabels:
    level1: str | None = None
    function: Cell | None = None
    level2: Cell | None = None
    key_task: Cell | None = None
    extra: list[Cell] = field(default_factory=list)


def cells_to_labels(cells: list[Cell], layout: tuple[str, ...]) -> _RowLabels:
    anchors = dictionaries.load("sections")
    level1_keys = {key(n) for n in anchors["level1_names"]}
    function_re = re.compile(anchors["function_label_pattern"])
    out = _RowLabels()
    rest: list[Cell] = []
    for cell in cells:
        if not cell.text:
            continue
        if out.level1 is None and key(cell.text) in level1_keys:
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


def cells_by_position(
    cells: list[Cell], header: tuple[Cell, ...], layout: tuple[str, ...]
) -> dict[str, Cell] | None:
    """Cells matched to the header's columns by position: by grid column where the table has
    geometry (PDF, scan), else only when the row has as many cells as the header."""
    roles = dict(zip((c.col for c in header), layout, strict=False))
    if all(c.bbox is not None for c in header) and any(c.bbox is not None for c in cells):
        spans = [
            (c.col, c.col + (c.col_span or 1), role)
            for c, role in zip(header, layout, strict=False)
        ]
        out: dict[str, Cell] = {}
        for cell in cells:
            role = next((r for a, b, r in spans if a <= cell.col < b), None)
            if role:
                out[role] = cell
        return out
    if len(cells) != len(header):
        return None
    return {roles.get(h.col, role): c for h, role, c in zip(header, layout, cells, strict=False)}


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
            layout = header_to_layout(item.cells)
            if layout != state.layout:  # a repeated header at a page top changes nothing
                state = _State(layout=layout, header=tuple(c for c in item.cells if c.text))
            continue
        if not state.layout or "level3" not in state.layout:
            continue
        periods = [r for r in state.layout if r in PERIODS]
        cells = list(item.cells)
        attributes: dict[str, str] = {}
        if any(r in ATTRIBUTES for r in state.layout):
            by_role = cells_by_position(cells, state.header, state.layout)
            if by_role is None:
                findings.append(
                    Finding(
                        "warning",
                        "row_not_aligned",
                        "This row's cells could not be matched to the header's columns (指标性质/"
                        "度量单位 layouts need them in place); it was not loaded.",
                        next((c.location for c in cells if c.text), None),
                    )
                )
                continue
            attributes = {r: by_role[r].text for r in ATTRIBUTES if r in by_role}
            # Labels as they stand, then 三级指标 and the values in the header's order: the
            # shape the steps below expect.
            placed = {id(c) for role, c in by_role.items() if role not in LABEL_ROLES}
            blank = Cell(text="", row=-1, col=-1)
            cells = [c for c in cells if id(c) not in placed and c.text] + [
                by_role.get(role, blank) for role in ("level3", *periods)
            ]
        else:
            while cells and not cells[-1].text:
                cells.pop()
        if len(cells) < len(periods) + 1 or not cells[-len(periods) - 1].text:
            # A placeholder row (社会效益 with no 三级指标): labels only.
            if any(c.text for c in cells[-len(periods) :]) and len(cells) > len(periods):
                findings.append(
                    Finding(
                        "warning",
                        "values_without_indicator",
                        "This row has target values but no 三级指标 name; it was not loaded.",
                        cells[-1].location,
                    )
                )
            labels = cells_to_labels(cells, state.layout)
            if labels.level1:
                state.start_level1(labels.level1)
            continue
        value_cells = cells[-len(periods) :]
        level3_cell = cells[-len(periods) - 1]
        labels = cells_to_labels(cells[: -len(periods) - 1], state.layout)
        if labels.level1:
            state.start_level1(labels.level1)
        for cell in labels.extra:
            findings.append(
                Finding(
                    "info",
                    "extra_label_ignored",
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
        for period, cell in zip(periods, value_cells, strict=True):
            if cell.text:
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
                    findings.append(Finding("warning", "unit_conflict", conflict, cell.location))
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
                    "level1_unknown",
                    f"Could not tell which 一级指标 '{indicator.level3}' belongs to.",
                    indicator.location,
                )
            )
    return indicators, groups, findings, ocr_values
