"""The indicator table: header rows give the columns; data rows become indicators with their
一级/二级/重点工作 filled down through merged cells by meaning, not by position.

Merged cells show up in exports as: text once, often not in the first row of the span (the lone
`履职` line between tables); text duplicated into neighbouring columns (`预算管理\t预算管理`);
and leading tabs that differ from row to row. So a row's label cells are recognised for what
they say (a 一级 name, a `职能N：` cell) and the rest are matched to the header's columns from
the right, next to the 三级指标 they describe."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from decimal import Decimal
from functools import cache

from jixiao import codes, dictionaries
from jixiao.extract import Cell

from .columns import LABEL_ROLES, PERIODS, Column, Header, place_row, read_header, split_columns
from .ledger import Ledger
from .levels import level_canonical
from .model import Finding, Indicator, Target
from .names import _level_key, name_to_canonical
from .ocr_review import OcrValue, ocr_name
from .sections import IndicatorItem
from .targets import parse_target
from .text import fold, is_placeholder, to_number, without_points

ATTRIBUTES = ("nature", "unit", "direction")
ATTRIBUTE_ROLES = (
    "weight",
    "score",
    "score_rate",
    "core",
    "deviation_reason",
    "value_type",
    "scoring_method",
    "explanation",
    *ATTRIBUTES,
)


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
    # Indicators of a table that prints no level columns (指标名称 | 指标值 | 完成值 …): their
    # levels are not in the document, so no 一级指标 is missing from them.
    unleveled: set[int] = field(default_factory=set)  # positions in `indicators`

    def read_labels(self, labels: _RowLabels, level3: Cell | None) -> None:
        cells = [c for c in (labels.level1_cell, labels.function, labels.level2) if c]
        cells += [labels.key_task] if labels.key_task else []
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
class _Slot:
    """One row of the indicator table as printed: the labels it shows itself, and its indicator
    (None for a row of labels only, an empty 生态效益 group; it still takes a row of a span)."""

    indicator: Indicator | None
    level1: str | None = None
    level2: str | None = None
    group: FunctionGroup | None = None
    key_task: str | None = None


@dataclass
class _State:
    """The running context of the rows read so far: the columns of the last header, and the
    rows under it with the labels each printed. Which rows a merged cell covers is settled
    once the rows are all read (`settle`): its text may be printed at its first row or, in
    text exports and unruled PDFs, at its middle row."""

    columns: tuple[Column, ...] = ()
    header_roles: tuple[str, ...] = ()  # as the header row names them, before any split
    header_columns: tuple[Column, ...] = ()  # as the last header row gave them
    grid: bool = True
    slots: list[_Slot] = field(default_factory=list)
    marker: str | None = None  # a lone 一级 line, waiting for the row below it
    open_group: FunctionGroup | None = None  # the 职能 cell a later piece may continue
    last_level1: str | None = None
    # A describing cell merged down several rows (指标性质 定量指标 over a block, one 偏差原因
    # for three indicators): role -> (the cell, the last table row it covers).
    spans: dict[str, tuple[Cell, int]] = field(default_factory=dict)
    # The last indicator and the last table row its merged 三级指标 cell covers: a row under it
    # with a 分值 only is one more scoring option of it (①…⑤ 5 each: 分值 25).
    level3_span: tuple[Indicator, int | None, int] | None = None

    @property
    def layout(self) -> tuple[str, ...]:
        return tuple(c.role for c in self.columns)

    def start_level1(self, name: str) -> None:
        """A lone 一级 line between rows: the merged cell's text, printed apart from its row."""
        self.marker = name

    def add_row(self, labels: _RowLabels, indicator: Indicator | None) -> FunctionGroup | None:
        """A row and the labels it prints; returns the function group the row opens, if any."""
        slot = _Slot(indicator)
        level1 = labels.level1 or self.marker
        self.marker = None
        if level1:
            if self.last_level1 is not None and _level_key(level1) != _level_key(self.last_level1):
                self.open_group = None  # a new 一级: no 职能 cell goes on past it
            slot.level1 = self.last_level1 = level1
        opened = None
        if labels.function is not None:
            opened = self.open_group = FunctionGroup(
                label=labels.function.text, parts=[labels.function]
            )
            slot.group = opened
        elif labels.level2 is not None:
            if self.open_group is not None and not _known_level2(labels.level2.text):
                # A 职能 cell continued after a page end: same cell, next piece.
                self.open_group.parts.append(labels.level2)
                slot.group = self.open_group
            else:
                self.open_group = None
                slot.level2 = labels.level2.text
        if labels.key_task is not None:
            slot.key_task = labels.key_task.text
        self.slots.append(slot)
        return opened

    def settle(self) -> None:
        """Give each row's indicator the 一级, 二级 and 重点工作 whose spans cover it."""
        if self.marker and self.slots:  # a lone 一级 line after the last row
            self.slots[-1].level1 = self.slots[-1].level1 or self.marker
        self.marker = None
        slots = self.slots
        middle = not self.grid
        level1 = _spans(
            [(k, s.level1) for k, s in enumerate(slots) if s.level1],
            len(slots),
            lambda k, label: _level1_mismatch(slots[k], label),
            middle,
        )
        level2: list[object | None] = [None] * len(slots)
        for lo, hi in _runs(level1):
            level2[lo:hi] = _spans(
                [
                    (k - lo, s.group or s.level2)
                    for k, s in enumerate(slots)
                    if lo <= k < hi and (s.group or s.level2)
                ],
                hi - lo,
                _level2_votes(slots[lo:hi]),
                middle,
            )
        key_task: list[object | None] = [None] * len(slots)
        if "key_task" in self.layout:
            for lo, hi in _runs([(a, id(b)) for a, b in zip(level1, level2, strict=True)]):
                key_task[lo:hi] = _spans(
                    [(k, s.key_task) for k, s in enumerate(slots[lo:hi]) if s.key_task],
                    hi - lo,
                    lambda k, label: 0.0,
                    middle,
                )
        for slot, l1, l2, task in zip(slots, level1, level2, key_task, strict=True):
            indicator = slot.indicator
            if indicator is None:
                continue
            indicator.level1 = l1 if isinstance(l1, str) else None
            indicator.key_task = task if isinstance(task, str) else None
            if isinstance(l2, FunctionGroup):
                indicator.level2 = None  # the group's text, once linked to 主要职能
                l2.indicators.append(indicator)
            else:
                indicator.level2 = l2 if isinstance(l2, str) else None
        self.slots = []


# What a merged cell's placement costs in `_spans`: its text at the first row of its span is
# the rule; at the middle row it is allowed where the table has no ruled grid, but each such
# span must be paid for by the rows the dictionary places (one row against = 1).
_AT_MIDDLE = 0.3
_MISPLACED = 100.0


def _spans(
    labels: list[tuple[int, object]],
    n_rows: int,
    mismatch: Callable[[int, object], float],
    middle: bool,
) -> list[object | None]:
    """The label covering each of `n_rows` rows, from the labels printed at some of them (row,
    label). Spans are contiguous and in order; the first starts at row 0 (rows above the first
    label printed belong to it), the last ends at the last row. Each label's text stands at the
    first row of its span or, when `middle`, at its middle row (an odd span's centre, an even
    span's upper centre); where that leaves a choice, the rows `mismatch` objects to least
    decide, then the fewest labels at a middle row."""
    merged: list[tuple[int, object]] = []
    for row, label in labels:
        if not merged or merged[-1][1] != label:
            merged.append((row, label))
    if not merged:
        return [None] * n_rows

    def cost(i: int, start: int, end: int) -> float:
        row, label = merged[i]
        at = (
            0.0 if row == start else _AT_MIDDLE if row == start + (end - start) // 2 else _MISPLACED
        )
        return at + sum(mismatch(k, label) for k in range(start, end + 1))

    # best[start] for label i: the cheapest spans of labels 0..i-1 when label i starts at start
    best: dict[int, tuple[float, list[int]]] = {0: (0.0, [0])}
    for i in range(1, len(merged)):
        row = merged[i][0]
        starts = range(merged[i - 1][0] + 1, row + 1) if middle else range(row, row + 1)
        nxt: dict[int, tuple[float, list[int]]] = {}
        for start in starts:
            options = [
                (c + cost(i - 1, s, start - 1), [*path, start])
                for s, (c, path) in best.items()
                if s < start
            ]
            if options:
                nxt[start] = min(options, key=lambda o: (o[0], [-x for x in o[1]]))
        best = nxt
    _, starts_found = min(
        ((c + cost(len(merged) - 1, s, n_rows - 1), path) for s, (c, path) in best.items()),
        key=lambda o: (o[0], [-x for x in o[1]]),
    )
    out: list[object | None] = [None] * n_rows
    for i, start in enumerate(starts_found):
        end = starts_found[i + 1] if i + 1 < len(starts_found) else n_rows
        out[start:end] = [merged[i][1]] * (end - start)
    return out


def _runs(values: list[object]) -> list[tuple[int, int]]:
    """The [lo, hi) ranges of equal neighbouring values."""
    out: list[tuple[int, int]] = []
    for k, value in enumerate(values):
        if out and values[out[-1][0]] == value:
            out[-1] = (out[-1][0], k + 1)
        else:
            out.append((k, k + 1))
    return out


@cache
def _dictionary_levels() -> tuple[dict[str, str], frozenset[str]]:
    """From indicators.csv: each 二级 the template knows, with its 一级; and all of them."""
    rows = dictionaries.load_csv("indicators")
    level1_of = {fold(row["level2"]): _level_key(row["level1"]) for row in rows}
    return level1_of, frozenset(level1_of)


def _known_level2(text: str) -> bool:
    return fold(text) in _dictionary_levels()[1]


def _is_level_name(text: str) -> bool:
    """A standard 一级 or 二级 name, or one of its aliases (levels.yaml)."""
    return any(level_canonical(text, level) for level in ("level1", "level2"))


@cache
def _canonical(level3: str) -> tuple[str, str] | None:
    found = name_to_canonical(level3)
    return (_level_key(found[0].level1), fold(found[0].level2)) if found else None


def _level1_mismatch(slot: _Slot, label: object) -> float:
    """1 when the dictionary files this row under another 一级: by its 三级指标's canonical
    name, else by the 二级 it prints."""
    usual = None
    if slot.indicator is not None and (found := _canonical(slot.indicator.level3)):
        usual = found[0]
    elif slot.level2:
        usual = _dictionary_levels()[0].get(fold(slot.level2))
    return float(usual is not None and usual != _level_key(str(label)))


def _level2_votes(slots: list[_Slot]) -> Callable[[int, object], float]:
    """1 when the dictionary files the k-th of these rows under another 二级."""

    def mismatch(k: int, label: object) -> float:
        indicator = slots[k].indicator
        if not isinstance(label, str) or indicator is None:
            return 0.0
        found = _canonical(indicator.level3)
        return float(found is not None and found[1] != fold(label))

    return mismatch


@dataclass
class _RowLabels:
    level1_cell: Cell | None = None
    function: Cell | None = None
    level2: Cell | None = None
    key_task: Cell | None = None
    extra: list[Cell] = field(default_factory=list)
    copies: list[Cell] = field(default_factory=list)  # a label printed twice side by side

    @property
    def level1(self) -> str | None:
        return self.level1_cell.text if self.level1_cell is not None else None


def cells_to_labels(cells: list[tuple[Cell, str | None]]) -> _RowLabels:
    """A row's label cells, each with the column its position gives (None: left of them all,
    or not known), to what they are. By what they say first: a 一级 name (only in the 一级
    column or left of it: 成本指标 in the 二级 column is a 二级 under 产出) or any text in the
    一级 column, a `职能N：` cell;
    a cell repeating its neighbour is one merged cell printed twice; the rest by column."""
    anchors = dictionaries.load("sections")
    level1_keys = {fold(n) for n in anchors["level1_names"]}
    function_re = re.compile(anchors["function_label_pattern"])
    out = _RowLabels()
    kept: list[tuple[Cell, str | None]] = []
    for cell, role in cells:
        if not cell.text:
            continue
        if kept and fold(kept[-1][0].text) == fold(cell.text):
            # One merged cell printed twice: the first copy, in the column of the last
            # (the copy nearest the 三级指标 stands in the cell's own column).
            kept[-1] = (kept[-1][0], role)
            out.copies.append(cell)
        else:
            kept.append((cell, role))
    for cell, role in kept:
        known = fold(without_points(cell.text)) in level1_keys
        if out.level1_cell is None and (
            (known and role in ("level1", None, _ANY))
            # Whatever the 一级指标 column holds is the 一级 (项目决策（10分）, 项目管理).
            or (role == "level1" and not function_re.match(cell.text))
        ):
            out.level1_cell = cell
        elif out.function is None and function_re.match(cell.text):
            out.function = cell
        elif role in ("level2", _ANY) and out.level2 is None and out.function is None:
            out.level2 = cell
        elif role == "key_task" and out.key_task is None:
            out.key_task = cell
        else:
            out.extra.append(cell)
    return out


_ANY = "any"


def _label_roles(
    cells: list[Cell], level3: Cell | None, columns: tuple[Column, ...], grid: bool
) -> list[tuple[Cell, str | None]]:
    """Each label cell with the column it stands in. On a grid, the header's; in a text
    export, counted back from the 三级指标 (leading tabs vary, the cells next to it do not).
    A row without a 三级指标 gives no position (`_ANY`): a 一级 name in it is a 一级, the
    other label a 二级."""
    layout = [c.role for c in columns]
    if grid:
        return [
            (c, next((x.role for x in columns if x.col <= c.col < x.col + x.span), None))
            for c in cells
        ]
    if level3 is None:
        return [(c, _ANY) for c in cells]
    at = layout.index("level3")
    return [
        (c, layout[at - (level3.col - c.col)] if level3.col - c.col <= at else None)
        for c in cells
        if c.col < level3.col
    ]


def attributes_text(by_role: dict[str, Cell], role: str) -> str | None:
    cell = by_role.get(role)
    return cell.text.strip() if cell is not None and cell.text.strip() else None


def to_value_type(text: str | None) -> str | None:
    """指标值类型 as printed (定量指标, 定性) to 定量 | 定性 (labels.yaml value_types); a word
    the dictionary does not know stays as printed; None for a blank."""
    if not text or not text.strip():
        return None
    return value_type_word(text) or text.strip()


def value_type_word(text: str | None) -> str | None:
    """定量 | 定性 when `text` is one of labels.yaml value_types, else None."""
    key = fold(text or "", drop_punct=True)
    for name, words in dictionaries.load("labels")["value_types"].items():
        if key in words:
            return str(name)
    return None


def to_direction(text: str | None) -> str | None:
    """指标方向性 as printed (正向指标, 越小越好 …) to 正向 | 反向."""
    if not text:
        return None
    comparators = dictionaries.load("comparators")
    comparator = comparators["directions"].get(fold(text))
    direction = comparators["direction_of"].get(comparator or "")
    return str(direction) if direction else None


_SCORE_LABELS = {"weight": "分值", "score": "得分", "score_rate": "得分系数"}


def to_flag(text: str | None) -> bool | None:
    """是否核心指标 as printed (是/否, Y/N, √) to true/false (labels.yaml yes_no)."""
    if not text:
        return None
    words = dictionaries.load("labels")["yes_no"]
    key = fold(text, drop_punct=True).upper()
    return True if key in words["yes"] else False if key in words["no"] else None


def cells_to_scores(by_role: dict[str, Cell]) -> tuple[dict[str, Decimal], list[Finding]]:
    """分值 and 得分 cells to numbers; one that is not a number is reported, not guessed."""
    out: dict[str, Decimal] = {}
    findings: list[Finding] = []
    for role in ("weight", "score", "score_rate"):
        cell = by_role.get(role)
        if cell is None or not cell.text.strip() or is_placeholder(cell.text):
            continue
        number = to_number(cell.text)
        if number is None:
            findings.append(
                Finding(
                    "warning",
                    codes.SCORE_NOT_A_NUMBER,
                    f"The {_SCORE_LABELS[role]} cell reads '{cell.text}', which "
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
    state.settle()
    read.findings += read.settle_extras()
    read.findings += _level1_unknown(
        [i for k, i in enumerate(read.indicators) if k not in read.unleveled]
    )
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
        state.settle()
        return _State(columns=columns, header_roles=roles, header_columns=columns, grid=grid)
    if grid:
        state.columns = columns  # same columns; positions as this table has them
        state.header_columns = columns
    return state


def _after_subheader(state: _State, item: IndicatorItem) -> tuple[Column, ...]:
    if state.columns == state.header_columns:  # not split already
        return split_columns(state.columns, item.cells, item.grid)
    return state.columns


def _read_row(state: _State, item: IndicatorItem, fiscal_year: int | None, read: _Read) -> None:
    state.grid = state.grid and item.grid
    placed = place_row(list(item.cells), state.columns, item.grid)
    if placed is None or not placed[0].get("level3") or not placed[0]["level3"].text:
        if placed is not None:
            _add_option_weight(state, placed[0], read)
        read.findings += _read_label_row(state, item, placed, read)
        return
    by_role, label_cells = placed
    by_role = _with_spans(state, by_role)
    labels = cells_to_labels(_label_roles(label_cells, by_role["level3"], state.columns, item.grid))
    indicator, findings, ocr_values = _row_to_indicator(
        by_role, state, len(read.indicators) + 1, fiscal_year
    )
    level3_cell = by_role["level3"]
    if not set(state.header_roles) & set(LABEL_ROLES):
        read.unleveled.add(len(read.indicators))
    state.level3_span = (
        indicator,
        level3_cell.block,
        level3_cell.row + (level3_cell.row_span or 1) - 1,
    )
    opened = state.add_row(labels, indicator)
    if opened is not None:
        read.groups.append(opened)
    read.read_labels(labels, by_role["level3"])
    read.ledger.read([by_role["level3"]], "indicator")
    read.ledger.read([by_role.get(p) for p in PERIODS], "target")
    read.ledger.read([by_role.get(r) for r in ATTRIBUTE_ROLES], "attribute")
    read.findings += findings
    read.ocr_values += ocr_values
    read.indicators.append(indicator)


# Roles whose merged cell describes every row it covers. Not 分值 or 得分: a score merged over
# rows is the group's, once, and is not copied onto each indicator.
_SPREAD_ROLES = ("nature", "unit", "direction", "value_type", "scoring_method", "deviation_reason")


def _with_spans(state: _State, by_role: dict[str, Cell]) -> dict[str, Cell]:
    """A row's cells with the describing cells merged down over it from a row above (a
    spreadsheet or grid gives a merged cell once, at its first row, with its row span)."""
    row = by_role["level3"].row
    out = dict(by_role)
    for role in _SPREAD_ROLES:
        cell = by_role.get(role)
        if cell is not None and cell.text.strip():
            if (cell.row_span or 1) > 1:
                state.spans[role] = (cell, cell.row + (cell.row_span or 1) - 1)
            else:
                state.spans.pop(role, None)
            continue
        span = state.spans.get(role)
        if span is not None and span[0].block == by_role["level3"].block and row <= span[1]:
            out[role] = span[0]
    return out


def _add_option_weight(state: _State, by_role: dict[str, Cell], read: _Read) -> None:
    """A grid row inside the merged 三级指标 cell above it that prints a 分值 and no target: a
    further scoring option of that indicator, whose 分值 adds to the indicator's."""
    weight = by_role.get("weight")
    span = state.level3_span
    if weight is None or span is None or weight.row_span is None:
        return
    indicator, block, last_row = span
    number = to_number(weight.text)
    values = [p for p in PERIODS if p in by_role and by_role[p].text]
    if number is None or values or weight.block != block or weight.row > last_row:
        return
    indicator.weight = (indicator.weight or 0) + number
    read.ledger.read([weight], "attribute")


def _read_label_row(
    state: _State,
    item: IndicatorItem,
    placed: tuple[dict[str, Cell], list[Cell]] | None,
    read: _Read,
) -> list[Finding]:
    """A row without a 三级指标 (社会效益 with nothing under it): it takes a row of the spans
    of the merged cells beside it, and its labels count like any row's; target values in it
    are reported, since without a name they cannot be loaded."""
    by_role, label_cells = placed or ({}, [c for c in item.cells if c.text])
    values = [by_role[p] for p in PERIODS if p in by_role and by_role[p].text]
    if not item.grid and values and all(_is_level_name(c.text) for c in values):
        # An export dropped the row's leading cells, so a lone 二级 (生态效益指标) was counted
        # into the value column: it is the row's label.
        label_cells = sorted([*label_cells, *values], key=lambda c: c.col)
        values = []
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
    labels = cells_to_labels(_label_roles(label_cells, None, state.columns, item.grid))
    state.add_row(labels, None)
    # An empty group (社会效益 with no 三级指标) is read as printed: its labels only.
    read.read_labels(labels, None)
    if values and placed is not None:
        read.ledger.read(values, "reported")
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
        level1=None,  # the labels are settled once the table is read
        level2=None,
        key_task=None,
        level3=ocr_name(level3.text) if level3.confidence is not None else level3.text,
        page=level3.page,
        location=level3.location,
    )
    scores, findings = cells_to_scores(by_role)
    indicator.weight, indicator.score = scores.get("weight"), scores.get("score")
    indicator.score_rate = scores.get("score_rate")
    indicator.core = to_flag(attributes_text(by_role, "core"))
    indicator.scoring_method = attributes_text(by_role, "scoring_method")
    indicator.explanation = attributes_text(by_role, "explanation")
    indicator.deviation_reason = attributes_text(by_role, "deviation_reason")
    attributes = {r: by_role[r].text for r in ATTRIBUTES if r in by_role}
    # 指标性质 holds a comparator (≥, 正向) in some layouts and 定量指标/定性指标 in others.
    nature_type = value_type_word(attributes.get("nature"))
    if nature_type is not None:
        del attributes["nature"]
    indicator.value_type = to_value_type(attributes_text(by_role, "value_type")) or nature_type
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
        if cell is None or not cell.text or is_placeholder(cell.text):  # — in 年度指标值: none
            continue
        target = parse_target(
            cell.text,
            fiscal_year,
            # What was achieved is a measurement: the ≥ of 指标性质 is the target's, not its.
            comparator=attributes.get("nature") if period != "actual" else None,
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
