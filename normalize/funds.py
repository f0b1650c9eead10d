"""The funds block (部门整体资金): rows to fund lines with their parents, and the sums that must
hold between them."""

from __future__ import annotations

import re
from collections import defaultdict
from decimal import Decimal
from functools import cache

from jixiao import codes, dictionaries
from jixiao.extract import Cell

from .ledger import Ledger
from .model import Finding, FundLine
from .sections import Row, nonempty
from .text import fold, is_placeholder, matches_any, to_number

# Columns that hold amounts (scaled to the stored unit, and summed from children to parent).
AMOUNT_COLUMNS = ("half_year_plan", "full_year_budget", "initial_budget", "executed")


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


def _is_block_label(text: str) -> bool:
    """A cell that labels the block or a line rather than naming one: 小计, a dash, the block's
    own name (项目资金（万元） beside its first line)."""
    block = dictionaries.load("sections")["funds_block"]
    return _is_subtotal(text) or is_placeholder(text) or matches_any(text, block)


def _unit_factor(rows: list[Row]) -> tuple[Decimal, str]:
    """The block header says the unit (funds.yaml unit_markers): the stored unit as a rule;
    another is converted with its factor from units.yaml amounts_in_wan."""
    markers = dictionaries.load("funds")["unit_markers"]
    factors = dictionaries.load("units")["amounts_in_wan"]
    header = "".join(fold(c.text) for c in nonempty(rows[0])) if rows else ""
    for unit, words in markers.items():
        if any(fold(m) in header for m in words):
            return Decimal(str(factors[unit])), str(unit)
    return Decimal(1), _amount_unit()


def header_to_columns(cells: list[Cell]) -> list[str]:
    """Column header cells to fund_lines columns; a cell's exact word wins over a word it
    contains (年初预算数 is initial_budget, not the 预算数 of full_year_budget)."""
    columns = dictionaries.load("sections")["funds_columns"]
    out = []
    for cell in cells:
        k = fold(cell.text)
        exact = [col for col, words in columns.items() if k in {fold(w) for w in words}]
        contained = [col for col, words in columns.items() if matches_any(cell.text, words)]
        if exact or contained:
            out.append((exact or contained)[0])
    return out


def row_to_amounts(
    cells: list[Cell], columns: list[str], factor: Decimal
) -> tuple[Cell | None, dict[str, Decimal], list[Cell]]:
    """A data row to its name cell and amounts. The values are the cells after the name: in
    place when there are as many as columns (dashes keep their place), else the numbers
    matched from the right, because leading tabs vary from row to row."""
    names = [
        k
        for k, c in enumerate(cells)
        if c.text
        and to_number(c.text) is None
        and not is_placeholder(c.text)
        and not _is_subtotal(c.text)
    ]
    if not names:
        return None, {}, []
    name_at = names[-1]
    after = [c for c in cells[name_at + 1 :] if not _is_subtotal(c.text)]
    if len(after) != len(columns):
        after = [c for c in after if to_number(c.text) is not None][-len(columns) :]
        pairs = list(zip(reversed(columns), reversed(after), strict=False))
    else:
        pairs = list(zip(columns, after, strict=True))
    amounts: dict[str, Decimal] = {}
    read: list[Cell] = []
    for column, cell in pairs:
        number = to_number(cell.text)
        if number is not None:
            scaled = column in AMOUNT_COLUMNS
            amounts[column] = number * factor if scaled else number
            read.append(cell)
    return cells[name_at], amounts, read


def rows_to_fund_lines(
    rows: list[Row], ledger: Ledger | None = None
) -> tuple[list[FundLine], list[Finding]]:
    """Each data row holds a name (and maybe 小计) and its amounts. A row of column words
    (收入 | 全年预算数, or 年初预算数 | … | 得分) sets the columns; a project's block without
    one has the year's total and its sources, which are `income`. The cells read go to
    `ledger`."""
    ledger = ledger if ledger is not None else Ledger()
    sections = dictionaries.load("sections")
    funds = dictionaries.load("funds")
    factor, unit = _unit_factor(rows)
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
    section_keys = {s: {fold(w) for w in words} for s, words in sections["funds_sections"].items()}
    income_total_names = {fold(n) for n in funds["income"]["totals"]}
    child_sets = {fold(p): {fold(c) for c in cs} for p, cs in funds["income"]["children"].items()}
    top_level_spend = {fold(n) for n in funds["expenditure"]["top_level"]}
    projects_parent = funds["expenditure"]["projects_parent"]

    lines: list[FundLine] = []
    section: str | None = None
    columns: list[str] = ["full_year_budget"]
    income_total: str | None = None
    open_parent: str | None = None  # the income line printed with 小计
    in_projects = False
    for row in rows:
        cells = nonempty(row)
        texts = {fold(c.text) for c in cells if c.text}
        named_section = next((s for s, ks in section_keys.items() if ks & texts), None)
        header = header_to_columns([c for c in cells if c.text])
        if named_section or (header and not any(to_number(c.text) for c in cells if c.text)):
            section = named_section or section or "income"
            columns = header or ["full_year_budget"]
            ledger.read(cells, "label")
            continue
        section = section or "income"
        name_cell, amounts, amount_cells = row_to_amounts(list(row), columns, factor)
        if name_cell is None or not (amounts or any(is_placeholder(c.text) for c in cells)):
            # A row with no amount, not even a dash, names no fund line: the block's title
            # (部门整体资金（万元）) is a label, anything else is left for the ledger to report.
            if rows and row is rows[0]:
                ledger.read(cells, "label")
            continue
        ledger.read([name_cell, *amount_cells], "fund")
        ledger.read([c for c in cells if _is_block_label(c.text)], "label")
        name = name_cell.text.replace("\n", "")
        is_subtotal = any(_is_subtotal(c.text) for c in cells)
        line = FundLine(seq=len(lines) + 1, section=section, name=name, location=name_cell.location)
        for column, amount in amounts.items():
            setattr(line, column, amount)
        if section == "income":
            if fold(name) in income_total_names and income_total is None:
                income_total = name
            elif open_parent and part_name(name) in child_sets.get(fold(open_parent), set()):
                line.parent = open_parent
            else:
                line.parent = income_total
                open_parent = name if is_subtotal or part_name(name) in child_sets else None
        else:
            if fold(name) in top_level_spend:
                in_projects = fold(name) == fold(projects_parent)
            elif in_projects:
                line.parent = projects_parent
        lines.append(line)
    return lines, findings


@cache
def _part_of() -> re.Pattern[str]:
    words = "|".join(re.escape(w) for w in dictionaries.load("funds")["part_of"])
    return re.compile(rf"^\s*(?:{words})\s*[:：]\s*")


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
