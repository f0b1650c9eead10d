"""The funds block (部门整体资金): rows to fund lines with their parents, and the sums that must
hold between them."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache
from itertools import pairwise

from jixiao import codes, dictionaries
from jixiao.extract import Cell

from .ledger import Ledger
from .model import Finding, FundLine
from .sections import Row, is_funds_anchor, nonempty
from .text import fold, is_placeholder, to_number

# Columns that hold amounts (scaled to the stored unit, and summed from children to parent).
AMOUNT_COLUMNS = ("half_year_plan", "full_year_budget", "initial_budget", "executed")
# Columns that hold text as printed (得分计算方法).
TEXT_COLUMNS = ("scoring_method", "deviation_reason")


def _amount_unit() -> str:
    """The unit amounts are stored in (funds.yaml amount_unit)."""
    return str(dictionaries.load("funds")["amount_unit"])


def column_name(column: str) -> str:
    """A column as a filing prints it: the first of its words in sections.yaml funds_columns."""
    return str(dictionaries.load("sections")["funds_columns"][column][0])


@cache
def _subtotal_words() -> frozenset[str]:
    return frozenset(fold(w) for w in dictionaries.load("funds")["subtotal"])


def _is_subtotal(text: str) -> bool:
    """小计 (funds.yaml subtotal)."""
    return fold(text) in _subtotal_words()


def _unit_factor(rows: list[Row], lines: Sequence[str] = ()) -> tuple[Decimal, str]:
    """The block's labels say the unit (funds.yaml unit_markers): its first row, its anchor
    cell and column words wherever an export prints them, a 单位：元 cell; where they say
    none, a line printed above the table (金额单位：元). The stored unit as a rule; another is
    converted with its factor from units.yaml amounts_in_wan."""
    markers = dictionaries.load("funds")["unit_markers"]
    factors = dictionaries.load("units")["amounts_in_wan"]
    cells = [c for row in rows[1:] for c in nonempty(row)]
    labels = [
        c
        for c in cells
        if is_funds_anchor(c.text) or header_to_columns([c]) or fold(c.text).startswith("单位")
    ]
    header = "".join(fold(c.text) for c in (nonempty(rows[0]) if rows else []) + labels)
    for text in (header, "".join(fold(line) for line in lines)):
        for unit, words in markers.items():
            if any(fold(m) in text for m in words):
                return Decimal(str(factors[unit])), str(unit)
    return Decimal(1), _amount_unit()


def header_to_columns(cells: list[Cell]) -> list[str]:
    """Column header cells to fund_lines columns; a cell's exact word wins over a word it
    contains, and a longer contained word over a shorter (年初预算数 is initial_budget, not the
    预算数 of full_year_budget; 执行率得分(分) is the score, not the 执行率)."""
    return [column for _, column in _header_cells(cells)]


def _header_cells(cells: list[Cell]) -> list[tuple[Cell, str]]:
    columns = dictionaries.load("sections")["funds_columns"]
    out = []
    for cell in cells:
        k = fold(cell.text)
        exact = [col for col, words in columns.items() if k in {fold(w) for w in words}]
        contained = [
            (len(fold(w)), col) for col, words in columns.items() for w in words if fold(w) in k
        ]
        if exact or contained:
            out.append((cell, exact[0] if exact else max(contained, key=lambda p: p[0])[1]))
    return out


def header_to_places(cells: list[Cell]) -> dict[int, str]:
    """Column position -> fund_lines column, for a grid's header (its cells know their columns
    and spans); empty for a text export's, whose positions shift where cells are left out."""
    named = _header_cells(cells)
    if not named or any(cell.col_span is None for cell, _ in named):
        return {}
    return {
        col: column
        for cell, column in named
        for col in range(cell.col, cell.col + (cell.col_span or 1))
    }


def _placed(values: list[Cell], places: dict[int, str]) -> list[tuple[str, Cell]] | None:
    """A grid line's value cells under the header columns they stand in, when every one of them
    stands under one (a dash in 分值 keeps the numbers after it in place)."""
    if not places or any(v.col_span is None or v.col not in places for v in values):
        return None
    return [(places[v.col], v) for v in values]


@cache
def _section_words() -> dict[str, str]:
    sections = dictionaries.load("sections")["funds_sections"]
    return {fold(w, drop_punct=True): s for s, words in sections.items() for w in words}


def _words(*keys: str) -> frozenset[str]:
    """A list of funds.yaml ('income', 'totals' is funds['income']['totals']), folded."""
    node = dictionaries.load("funds")
    for key in keys:
        node = node[key]
    return frozenset(fold(w) for w in node)


def _is_line_word(text: str) -> bool:
    """A line name funds.yaml knows (财政拨款 printed on a row of its own, as exports print a
    merged cell): a label of the block. Other text on a row without amounts is not read."""
    return part_name(text) in _line_words()


@cache
def _line_words() -> frozenset[str]:
    children = dictionaries.load("funds")["income"]["children"]
    return frozenset(
        {
            *_words("income", "totals"),
            *_words("income", "sources"),
            *_words("expenditure", "top_level"),
            *_words("period_totals"),
            *(fold(p) for p in children),
            *(fold(c) for cs in children.values() for c in cs),
        }
    )


@dataclass
class _Group:
    """One line's cells in a row: its name (and labels of merged cells printed before it), a
    小计 mark, and its values. A row holds several when lines stand side by side."""

    names: list[Cell] = field(default_factory=list)
    values: list[Cell] = field(default_factory=list)
    subtotal: Cell | None = None


@dataclass
class _Entry:
    section: str
    name: str | None
    cell: Cell | None
    amounts: dict[str, Decimal]
    cells: list[Cell] = field(default_factory=list)  # every cell the line was read from
    texts: dict[str, str] = field(default_factory=dict)  # TEXT_COLUMNS as printed


def _kind(cell: Cell) -> str:
    text = cell.text
    if is_funds_anchor(text):
        return "anchor"
    if fold(text, drop_punct=True) in _section_words():
        return "section"
    if _is_subtotal(text):
        return "subtotal"
    if to_number(text) is not None or is_placeholder(text):
        return "value"
    return "name"


def row_to_groups(cells: list[Cell], text_places: frozenset[int] = frozenset()) -> list[_Group]:
    """A row's cells (the anchor and section words left out) into its lines: a run of names,
    then 小计 and the values; a name after values starts the next line. In a grid, text under a
    text column (原因, 得分计算方法: `text_places`) is a value of the line, not a name."""
    groups: list[_Group] = []
    for cell in cells:
        kind = _kind(cell)
        if kind == "name" and cell.col_span is not None and cell.col in text_places:
            kind = "value"
        if kind in ("anchor", "section"):
            continue
        if not groups or (kind == "name" and groups[-1].values):
            groups.append(_Group())
        group = groups[-1]
        if kind == "name":
            group.names.append(cell)
        elif kind == "subtotal":
            group.subtotal = cell
        else:
            group.values.append(cell)
    return groups


def values_to_texts(
    values: list[Cell], columns: list[str], places: dict[int, str] | None = None
) -> dict[str, str]:
    """The text columns (得分计算方法) of a line whose cells stand in place."""
    pairs = _placed(values, places or {})
    if pairs is None:
        if len(values) != len(columns):
            return {}
        pairs = list(zip(columns, values, strict=True))
    return {
        column: cell.text.strip()
        for column, cell in pairs
        if column in TEXT_COLUMNS and cell.text.strip()
    }


def values_to_amounts(
    values: list[Cell], columns: list[str], factor: Decimal, places: dict[int, str] | None = None
) -> tuple[dict[str, Decimal], list[Cell]]:
    """A line's value cells to its amounts, and the cells read: under their header columns in
    a grid (`places`), in place when there are as many as columns (dashes keep their place),
    else the numbers matched from the right, because exports drop empty cells."""
    placed = _placed(values, places or {})
    if placed is not None:
        pairs = placed
    elif len(values) != len(columns):
        values = [c for c in values if to_number(c.text) is not None][-len(columns) :]
        pairs = list(zip(reversed(columns), reversed(values), strict=False))
    else:
        pairs = list(zip(columns, values, strict=True))
    amounts: dict[str, Decimal] = {}
    for column, cell in pairs:
        number = to_number(cell.text) if column not in TEXT_COLUMNS else None
        if number is not None:
            amounts[column] = number * factor if column in AMOUNT_COLUMNS else number
    return amounts, [cell for _, cell in pairs]


def _merged_line_name(cells: list[Cell]) -> tuple[Cell, int] | None:
    """A cell of a row of column words that is no column word but a line the block knows
    (年度资金总额), merged down over the rows below: it names their values."""
    for cell in cells:
        span = cell.row_span or 1
        if span > 1 and not header_to_columns([cell]) and _is_line_word(cell.text):
            return cell, cell.row + span - 1
    return None


@cache
def _unit_note() -> re.Pattern[str]:
    """A trailing (万元): an amount unit of units.yaml amounts_in_wan in brackets."""
    units = "|".join(map(re.escape, dictionaries.load("units")["amounts_in_wan"]))
    return re.compile(rf"\s*[(（]\s*(?:{units})\s*[)）]\s*$")


def _line_name(cell: Cell) -> str:
    """A line's name as printed, without a trailing unit note (项目预算金额（万元）)."""
    return _unit_note().sub("", cell.text.replace("\n", "")).strip()


def _rows_to_entries(
    rows: list[Row], factor: Decimal, ledger: Ledger
) -> tuple[list[_Entry], list[str]]:
    """Each row's lines, with their section and amounts; and the labels of merged cells printed
    on a row beside another line (财政拨款 | 一般公共预算资金 | 20555.48). The block's own
    labels (its name, section and column words) go to `ledger`; the lines' cells are read
    once they are named. A whole-period line (中期资金总额) is left for the ledger to report,
    since fund_lines holds the year's amounts only."""
    entries: list[_Entry] = []
    labels: list[str] = []
    section: str | None = None
    columns: list[str] = ["full_year_budget"]
    places: dict[int, str] = {}
    # A line's name merged down beside the column words (年度资金总额 | 年初预算数 | … over
    # 64.8 | …): the name of the values row(s) it covers, and the last row it covers.
    merged_name: tuple[Cell, int] | None = None
    period: tuple[int, int] | None = None  # (lines in a row, index of the whole-period one)
    period_words = _words("period_totals")
    for row in rows:
        cells = nonempty(row)
        keys = [fold(c.text, drop_punct=True) for c in cells]
        named = [_section_words()[key] for key in keys if key in _section_words()]
        section = named[-1] if named else section
        ledger.read([c for c in cells if _kind(c) in ("anchor", "section")], "label")
        groups = row_to_groups(
            cells, frozenset(col for col, c in places.items() if c in TEXT_COLUMNS)
        )
        if not any(g.values or g.subtotal for g in groups):
            header = header_to_columns([n for g in groups for n in g.names])
            if header:
                columns = header
                places = header_to_places([n for g in groups for n in g.names])
                merged_name = _merged_line_name([n for g in groups for n in g.names])
            else:
                labels += [_line_name(n) for g in groups for n in g.names]
            name_cells = [n for g in groups for n in g.names]
            ledger.read([n for n in name_cells if header or _is_line_word(n.text)], "label")
            continue
        for k, group in enumerate(groups):
            names = [_line_name(n) for n in group.names]
            if names and part_name(names[-1]) in period_words:
                period = (len(groups), k) if len(groups) > 1 else period
                continue
            if len(groups) > 1 and period == (len(groups), k):
                continue
            if not names and merged_name is not None and cells[0].row <= merged_name[1]:
                group.names, names = [merged_name[0]], [_line_name(merged_name[0])]
                merged_name = None
            if not names and group.subtotal is None:
                continue
            labels += names[:-1]
            name = names[-1] if names else None
            if name is not None and part_name(name) in _words("expenditure", "top_level"):
                section = "expenditure"
            amounts, read = values_to_amounts(group.values, columns, factor, places)
            entries.append(
                _Entry(
                    section=section or "income",
                    name=name,
                    cell=group.names[-1] if group.names else group.subtotal,
                    amounts=amounts,
                    cells=[*group.names, *read, *([group.subtotal] if group.subtotal else [])],
                    texts=values_to_texts(group.values, columns, places),
                )
            )
    return entries, labels


def _name_subtotals(entries: list[_Entry], labels: list[str]) -> list[_Entry]:
    """A 小计 row without a name (its merged name cell printed on another row) takes the name
    of the parent whose children follow it (funds.yaml income children), as printed in a label
    where one is; a nameless row that cannot be named is dropped."""
    children = dictionaries.load("funds")["income"]["children"]
    named = []
    for k, entry in enumerate(entries):
        if entry.name is None:
            following = next((e.name for e in entries[k + 1 :] if e.name), None)
            parent = next(
                (
                    p
                    for p, cs in children.items()
                    if following and part_name(following) in {fold(c) for c in cs}
                ),
                None,
            )
            if parent is None:
                continue
            entry.name = next((lb for lb in labels if part_name(lb) == fold(parent)), parent)
        named.append(entry)
    return named


def _income_parents(entries: list[_Entry]) -> dict[int, str | None]:
    """The parent of each income line: a dictionary parent (财政拨款 over 一般公共预算资金) when
    the block prints it, else the year's total: a line named in funds.yaml income totals, or
    failing that the line that a 其中： line follows."""
    funds = dictionaries.load("funds")
    totals = _words("income", "totals")
    child_sets = {fold(p): {fold(c) for c in cs} for p, cs in funds["income"]["children"].items()}
    names = {part_name(e.name): e.name for e in entries if e.name}
    total = next((e for e in entries if e.name and part_name(e.name) in totals), None)
    if total is None:
        total = next(
            (
                e
                for e, after in pairwise(entries)
                if e.name and not is_part(e.name) and after.name and is_part(after.name)
            ),
            None,
        )
    parents: dict[int, str | None] = {}
    for k, entry in enumerate(entries):
        key = part_name(entry.name or "")
        if entry is total or key in totals:
            parents[k] = None
            continue
        parent = next((p for p, cs in child_sets.items() if key in cs and p in names), None)
        parents[k] = names[parent] if parent else (total.name if total else None)
    return parents


def rows_to_fund_lines(
    rows: list[Row], ledger: Ledger | None = None, above: Sequence[str] = ()
) -> tuple[list[FundLine], list[Finding]]:
    """Each data row holds one line (or several side by side): a name (and maybe 小计) and its
    amounts. A row of column words (收入 | 全年预算数, or 年初预算数 | … | 得分) sets the
    columns; a block without one (a project's year total and its sources) has 全年预算数. A
    section word (收入预算, 支出) sets the section wherever it is printed in its row, and so
    does a top-level expenditure line (基本支出): exports print merged labels mid-span. The
    cells read go to `ledger`; `above` is the text printed before the table (金额单位：元)."""
    ledger = ledger if ledger is not None else Ledger()
    factor, unit = _unit_factor(rows, above)
    findings: list[Finding] = []
    if unit != _amount_unit():
        findings.append(
            Finding(
                "info",
                codes.AMOUNTS_CONVERTED,
                f"The funds block states its amounts in {unit}; they are stored in "
                f"{_amount_unit()}.",
                rows[0][0].location if rows else None,
            )
        )
    entries, labels = _rows_to_entries(rows, factor, ledger)
    entries = _name_subtotals(entries, labels)
    for entry in entries:
        ledger.read(entry.cells, "fund")
    income = [e for e in entries if e.section == "income"]
    parents = {id(income[k]): p for k, p in _income_parents(income).items()}
    entries = [e for e in entries if not _prints_nothing(e, set(parents.values()))]
    top_level = _words("expenditure", "top_level")
    top: str | None = None
    lines: list[FundLine] = []
    for entry in entries:
        name = entry.name or ""
        if entry.section == "income":
            parent = parents[id(entry)]
        elif part_name(name) in top_level:
            parent, top = None, name
        else:
            parent = top
        line = FundLine(
            seq=len(lines) + 1,
            section=entry.section,
            name=name,
            parent=parent,
            location=entry.cell.location if entry.cell else None,
        )
        for column, amount in entry.amounts.items():
            setattr(line, column, amount)
        for column, value in entry.texts.items():
            setattr(line, column, value)
        lines.append(line)
    return lines, findings


def _prints_nothing(entry: _Entry, parents: set[str | None]) -> bool:
    """A line that prints no number at all, only dashes (其他资金 | / | /), and heads no other
    line: no fund line. Its cells are read all the same."""
    values = [c for c in entry.cells if c is not entry.cell]
    return (
        not entry.amounts
        and not entry.texts
        and bool(values)
        and all(is_placeholder(c.text) for c in values)
        and entry.name not in parents
    )


@cache
def _part_of() -> re.Pattern[str]:
    words = "|".join(re.escape(w) for w in dictionaries.load("funds")["part_of"])
    return re.compile(rf"^\s*(?:{words})\s*[:：]\s*")


def is_part(name: str) -> bool:
    """A name printed with 其中： (funds.yaml part_of): part of the line above."""
    return bool(_part_of().match(name))


def part_name(name: str) -> str:
    """A line's name for matching, without the 其中： (funds.yaml part_of) that says it is part
    of the line above (the name itself is stored as printed)."""
    return fold(_part_of().sub("", name))


def _fmt(amount: Decimal) -> str:
    return f"{amount:,.2f}"


def _check_sum(
    parts: list[FundLine], whole: FundLine, column: str, what: str, tolerance: Decimal
) -> Finding | None:
    values = [getattr(p, column) for p in parts]
    total = getattr(whole, column)
    if total is None or not values or any(v is None for v in values):
        return None
    got = sum(values, Decimal(0))
    diff = got - total
    if abs(diff) <= tolerance:
        return None
    unit = _amount_unit()
    return Finding(
        "warning",
        codes.FUNDS_DO_NOT_ADD_UP,
        f"{what} add up to {_fmt(got)} {unit} but {whole.name} is {_fmt(total)} {unit} "
        f"({column_name(column)}): a difference of {_fmt(diff)} {unit}. Check these lines in "
        "the filing; either the filing is wrong or a number was misread.",
        whole.location,
    )


def reconcile_funds(lines: list[FundLine]) -> list[Finding]:
    """Children must add up to their parent in every column both print; the cross-section
    balances in dictionaries/funds.yaml (基本支出 + 项目支出 = 资金总额) must hold."""
    funds = dictionaries.load("funds")
    tolerance = Decimal(str(funds["tolerance"]))
    by_name = {(line.section, line.name): line for line in lines}
    any_by_name = {fold(line.name): line for line in lines}
    children: dict[tuple[str, str], list[FundLine]] = defaultdict(list)
    for line in lines:
        if line.parent:
            children[(line.section, line.parent)].append(line)
    findings = []
    for (section, parent_name), parts in children.items():
        parent = by_name.get((section, parent_name))
        if parent is None:
            continue
        for column in AMOUNT_COLUMNS:
            what = f"The {len(parts)} lines under {parent_name}"
            finding = _check_sum(parts, parent, column, what, tolerance)
            if finding:
                findings.append(finding)
    for rule in funds["balances"]:
        part_lines = [any_by_name.get(fold(n)) for n in rule["parts"]]
        whole = any_by_name.get(fold(rule["whole"]))
        if whole is None or any(p is None for p in part_lines):
            continue
        for column in rule["columns"]:
            what = " + ".join(rule["parts"])
            finding = _check_sum(
                [p for p in part_lines if p is not None], whole, column, what, tolerance
            )
            if finding:
                findings.append(finding)
    return findings
