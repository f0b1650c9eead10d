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

from .columns import PERIODS, Column, Header, level1_columns, place_row, read_header, split_columns
from .ledger import Ledger
from .model import Finding, Indicator, Target
from .ocr_review import OcrValue
from .sections import IndicatorItem
from .targets import parse_target
from .text import fold, is_placeholder, to_number

ATTRIBUTES = ("nature", "unit", "direction")
ATTRIBUTE_ROLES = ("weight", "score", "deviation_reason", "value_type", *ATTRIBUTES)


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
class _Read:
    """What the indicator table has given so far."""

    indicators: list[Indicator] = field(default_factory=list)
    groups: list[FunctionGroup] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    ocr_values: list[OcrValue] = field(default_factory=list)
    ledger: Ledger = field(default_factory=Ledger)
    extras: list[tuple[Cell, Cell | None]] = field(default_factory=list)  # (label, its 三级)
    labels: set[str] = field(default_factory=set)  # every label text read, folded

    def read_labels(self, labels: _RowLabels, level3: Cell | None) -> None:
        cells = [c for c in _label_cells(labels) if c is not None]
        self.ledger.read(cells, "label")
        self.ledger.read(labels.copies, "duplicate")
        self.labels |= {fold(c.text) for c in cells}
        self.extras += [(c, level3) for c in labels.extra]

    def settle_extras(self) -> list[Finding]:
        """Extra label cells that repeat a label read anywhere in the table are a merged
        cell's text printed again (exports print it at the first, the middle or every row of
        its span); the others stay unread, for the ledger to report."""
        copies = [(c, level3) for c, level3 in self.extras if fold(c.text) in self.labels]
        self.ledger.read([c for c, _ in copies], "duplicate")
        return _extra_labels(copies)


@dataclass
class _State:
    """The running context of the rows read so far: the columns of the last header, and the
    labels that merged cells carry down."""

    columns: tuple[Column, ...] = ()
    header_roles: tuple[str, ...] = ()  # as the header row names them, before any split
    header_columns: tuple[Column, ...] = ()  # as the last header row gave them
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

    def carry_labels(self, labels: _RowLabels) -> FunctionGroup | None:
        """A data row's labels become the context of the rows below it; returns the function
        group the row opens, if it opens one."""
        if labels.level1:
            self.start_level1(labels.level1)
        opened = None
        if labels.function is not None:
            opened = self.group = FunctionGroup(label=labels.function.text, parts=[labels.function])
            self.level2, self.key_task = None, None
        if labels.level2 is not None:
            if self.group is not None and labels.function is None:
                # A 职能 cell continued after a page end: same cell, second piece.
                self.group.parts.append(labels.level2)
            else:
                self.group = None
                self.level2 = labels.level2.text
                self.key_task = None
        if labels.key_task is not None:
            self.key_task = labels.key_task.text
        return opened

    def hold(self, indicator: Indicator) -> None:
        """Keep an indicator where a later row can still reach it: its 一级 may be printed
        further down, and its function group is linked to 主要职能 after the table."""
        if self.level1 is None:
            self.pending_level1.append(indicator)
        if self.group is not None:
            self.group.indicators.append(indicator)


def _dedupe_adjacent(cells: list[Cell]) -> tuple[list[Cell], list[Cell]]:
    """Cells without the copies of their left neighbour, and the copies."""
    out: list[Cell] = []
    copies: list[Cell] = []
    for cell in cells:
        if not out or fold(out[-1].text) != fold(cell.text):
            out.append(cell)
        else:
            copies.append(cell)
    return out, copies


@dataclass
class _RowLabels:
    level1: str | None = None
    level1_cell: Cell | None = None
    function: Cell | None = None
    level2: Cell | None = None
    key_task: Cell | None = None
    extra: list[Cell] = field(default_factory=list)
    copies: list[Cell] = field(default_factory=list)  # a label printed twice side by side


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
            out.level1, out.level1_cell = cell.text, cell
        elif out.function is None and function_re.match(cell.text):
            out.function = cell
        else:
            rest.append(cell)
    rest, out.copies = _dedupe_adjacent(rest)
    roles = [r for r in layout[: layout.index("level3")] if r in ("level2", "key_task")]
    if out.function is not None and "level2" in roles:
        roles.remove("level2")
    for role, cell in zip(reversed(roles), reversed(rest), strict=False):
        setattr(out, role, cell)
    out.extra = rest[: max(0, len(rest) - len(roles))]
    return out


def _label_cells(labels: _RowLabels) -> list[Cell | None]:
    return [labels.level1_cell, labels.function, labels.level2, labels.key_task]


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
    items: list[IndicatorItem], fiscal_year: int | None, ledger: Ledger | None = None
) -> tuple[list[Indicator], list[FunctionGroup], list[Finding], list[OcrValue]]:
    """Rows to indicators; also the function groups to link, findings, and the values OCR read
    (for review). The cells read go to `ledger`; a row read before any header goes nowhere."""
    state, read = _State(), _Read(ledger=ledger if ledger is not None else Ledger())
    for k, item in enumerate(items):
        if item.kind == "marker":
            assert item.paragraph is not None
            state.start_level1(item.paragraph.text)
        elif item.kind == "header":
            header = read_header(item.cells, _body(items, k), item.grid)
            state = _after_header(state, header, item.grid)
            if header.first_row and "level3" in state.layout:  # printed fused with the header
                _read_row(state, replace(item, cells=header.first_row), fiscal_year, read)
        elif item.kind == "subheader":
            state.columns = _after_subheader(state, item)
        elif "level3" in state.layout:
            _read_row(state, item, fiscal_year, read)
    read.findings += read.settle_extras()
    read.findings += _level1_unknown(read.indicators)
    return read.indicators, read.groups, read.findings, read.ocr_values


def _body(items: list[IndicatorItem], at: int) -> list[tuple[Cell, ...]]:
    """The data rows under the header at `at`, up to the next header (they vote for the
    columns the header does not name)."""
    out = []
    for item in items[at + 1 :]:
        if item.kind == "header":
            break
        if item.kind == "row":
            out.append(item.cells)
    return out


def _after_header(state: _State, header: Header, grid: bool) -> _State:
    columns, roles = header.columns, header.named
    if roles != state.header_roles:  # a repeated header at a page top changes nothing
        return _State(columns=columns, header_roles=roles, header_columns=columns)
    if grid:
        state.columns = columns  # same columns; positions as this table has them
        state.header_columns = columns
    return state


def _after_subheader(state: _State, item: IndicatorItem) -> tuple[Column, ...]:
    if state.columns == state.header_columns:  # not split already
        return split_columns(state.columns, item.cells, item.grid)
    return state.columns


def _read_row(state: _State, item: IndicatorItem, fiscal_year: int | None, read: _Read) -> None:
    placed = place_row(list(item.cells), state.columns, item.grid)
    level1_cols = level1_columns(state.columns, item.grid)
    if placed is None or not placed[0].get("level3") or not placed[0]["level3"].text:
        read.findings += _read_label_row(state, item, placed, level1_cols, read)
        return
    by_role, label_cells = placed
    labels = cells_to_labels(label_cells, state.layout, level1_cols)
    read.read_labels(labels, by_role["level3"])
    opened = state.carry_labels(labels)
    if opened is not None:
        read.groups.append(opened)
    indicator, findings, ocr_values = _row_to_indicator(
        by_role, state, len(read.indicators) + 1, fiscal_year
    )
    read.findings += findings
    read.ocr_values += ocr_values
    read.ledger.read([by_role["level3"]], "indicator")
    read.ledger.read([by_role.get(p) for p in PERIODS], "target")
    read.ledger.read([by_role.get(r) for r in ATTRIBUTE_ROLES], "attribute")
    state.hold(indicator)
    read.indicators.append(indicator)


def _read_label_row(
    state: _State,
    item: IndicatorItem,
    placed: tuple[dict[str, Cell], list[Cell]] | None,
    level1_cols: range | None,
    read: _Read,
) -> list[Finding]:
    """A placeholder row (社会效益 with no 三级指标): only its 一级 carries down; target values
    in it are reported, since without a name they cannot be loaded."""
    by_role, label_cells = placed or ({}, [c for c in item.cells if c.text])
    values = [by_role[p] for p in PERIODS if p in by_role and by_role[p].text]
    findings = []
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
    # An empty group (社会效益 with no 三级指标) is read as printed: its labels only.
    read.read_labels(labels, None)
    if values and placed is not None:
        read.ledger.read(values, "reported")
    if labels.level1:
        state.start_level1(labels.level1)
    return findings


def _extra_labels(copies: list[tuple[Cell, Cell | None]]) -> list[Finding]:
    return [
        Finding(
            "info",
            codes.EXTRA_LABEL_IGNORED,
            f"An extra label '{cell.text}' stood before the 二级指标"
            + (f" of '{level3.text}'" if level3 is not None else "")
            + "; it repeats a label of the table and was taken as a copy of a merged cell.",
            cell.location,
        )
        for cell, level3 in copies
    ]


def _row_to_indicator(
    by_role: dict[str, Cell], state: _State, seq: int, fiscal_year: int | None
) -> tuple[Indicator, list[Finding], list[OcrValue]]:
    """A placed data row, in the context of the rows above it, to an indicator with its
    targets; also what was wrong with its cells, and its values OCR read."""
    level3 = by_role["level3"]
    indicator = Indicator(
        seq=seq,
        level1=state.level1,
        level2=state.level2,
        key_task=state.key_task if "key_task" in state.layout else None,
        level3=level3.text,
        page=level3.page,
        location=level3.location,
    )
    scores, findings = cells_to_scores(by_role)
    indicator.weight, indicator.score = scores.get("weight"), scores.get("score")
    indicator.deviation_reason = attributes_text(by_role, "deviation_reason")
    indicator.value_type = attributes_text(by_role, "value_type")
    attributes = {r: by_role[r].text for r in ATTRIBUTES if r in by_role}
    indicator.direction = to_direction(attributes.get("direction"))
    periods = [r for r in state.layout[state.layout.index("level3") :] if r in PERIODS]
    targets = _cells_to_targets(by_role, periods, attributes, fiscal_year)
    indicator.targets = [target for target, _ in targets]
    for _, cell in targets:
        conflict = unit_conflict(cell.text, attributes.get("unit"))
        if conflict:
            findings.append(Finding("warning", codes.UNIT_CONFLICT, conflict, cell.location))
    ocr_values = [
        OcrValue(indicator, k, cell)
        for k, (_, cell) in enumerate(targets)
        if cell.confidence is not None
    ]
    return indicator, findings, ocr_values


def _cells_to_targets(
    by_role: dict[str, Cell],
    periods: list[str],
    attributes: dict[str, str],
    fiscal_year: int | None,
) -> list[tuple[Target, Cell]]:
    """The value cells to targets, each with the cell it was read from. The 指标性质 column
    says how to compare (≥, ≤ …); where there is no 方向 column it also gives the direction."""
    out = []
    for period in periods:
        cell = by_role.get(period)
        if cell is None or not cell.text:
            continue
        target = parse_target(
            cell.text,
            fiscal_year,
            comparator=attributes.get("nature"),
            unit=attributes.get("unit"),
            direction=attributes.get("direction") or attributes.get("nature"),
        )
        out.append((replace(target, period=period), cell))
    return out


def _level1_unknown(indicators: list[Indicator]) -> list[Finding]:
    return [
        Finding(
            "warning",
            codes.LEVEL1_UNKNOWN,
            f"Could not tell which 一级指标 '{indicator.level3}' belongs to.",
            indicator.location,
        )
        for indicator in indicators
        if indicator.level1 is None
    ]
