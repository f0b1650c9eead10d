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
                state = _State(layout=layout)
            continue
        if not state.layout or "level3" not in state.layout:
            continue
        periods = [r for r in state.layout if r in PERIODS]
        cells = list(item.cells)
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
                indicator.targets.append(
                    replace(parse_target(cell.text, fiscal_year), period=period)
                )
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
