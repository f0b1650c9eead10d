"""Review of values that OCR read: repair the domain's typical confusions where the context
leaves one reading, and flag what a person should check.

Confusions seen on scanned target tables: ≥ read as 2 or 三, ≤ as Q, % as 96, 0 as O, 1 as l.
A repair is made only when the cell's own shape or its sibling target makes the reading
unambiguous; each repair is an info finding, and the OCR reading stays in `ocr_text`.

Every cell OCR read under the score in dictionaries/ocr.yaml is an `ocr_low_confidence` finding
that names it by its reference and carries its score (a target value a warning, any other cell
info), so a clerk checks the least certain cells first; the filing keeps the share of its OCR'd
cells that are under it."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, replace
from functools import cache

from jixiao import codes, dictionaries
from jixiao.extract import Cell, CellRef

from .checks import is_rate
from .ledger import short
from .model import Finding, Indicator, Target
from .targets import parse_target


@cache
def low_confidence() -> float:
    """The OCR score under which a cell is worth a person's look (dictionaries/ocr.yaml)."""
    return float(dictionaries.load("ocr")["low_confidence"])


def is_unsure(cell: Cell) -> bool:
    """OCR read the cell with a score under the threshold."""
    return cell.confidence is not None and cell.confidence < low_confidence()


def cell_reference(cell: Cell) -> str:
    """The cell as a corrections file names it ("page 2, table 4, row 2, cell 3"): unique in
    its document, unlike a location such as "page 2, row 2, cell 3"."""
    return str(cell.ref) if cell.ref is not None else cell.location


@dataclass
class OcrValue:
    """A target read by OCR, with the cell it came from."""

    indicator: Indicator
    index: int  # position in indicator.targets
    cell: Cell


def _shape_repairs(text: str) -> str:
    """Repairs the characters around them decide alone."""
    fixed = re.sub(r"(?<=\d)[Oo]|[Oo](?=\d)|(?<=[=≥≤<>])[Oo](?=%|$)", "0", text)
    fixed = re.sub(r"(?<=\d)[lI](?=[\d%])|(?<=[=≥≤<>])[lI](?=[\d%])", "1", fixed)
    fixed = re.sub(r"^[Qq](?=\d)", "≤", fixed)
    return re.sub(r"^三(?=\d)", "≥", fixed)  # 三 before Arabic digits is never a numeral


def ocr_name(text: str) -> str:
    """An indicator name as OCR read it, without what print never has: two clause marks in a
    row ("、，" where a scan's speck became a comma) keep the first."""
    return re.sub(r"([、，,；;：:])[、，,；;]+", r"\1", text)


def _one_char_off(text: str, word: str) -> bool:
    return len(text) == len(word) and sum(a != b for a, b in zip(text, word, strict=True)) == 1


def _context_repairs(text: str, sibling: Target | None, name: str) -> str:
    """Repairs that need the indicator: a rate, and the other period's target."""
    if (
        sibling is not None
        and sibling.kind == "qualitative"
        and parse_target(text).kind == "text"
        and _one_char_off(text, sibling.raw)
    ):
        return sibling.raw  # a judgement word misread by one character: 含规 for 合规
    if sibling is None or sibling.unit != "%" or not is_rate(name):
        return text
    m = re.fullmatch(r"([=≥≤<>]?)(\d+(?:\.\d+)?)96", text)
    if m and float(m.group(2)) <= 100:
        return f"{m.group(1)}{m.group(2)}%"  # % read as 96
    m = re.fullmatch(r"2(\d+(?:\.\d+)?)%", text)
    if m and sibling.comparator == "≥" and float(m.group(1)) <= 100:
        return f"≥{m.group(1)}%"  # ≥ read as 2: 2100% is no rate, ≥100% matches its sibling
    return text


def review_ocr_values(values: list[OcrValue], fiscal_year: int | None) -> list[Finding]:
    findings: list[Finding] = []
    for value in values:
        indicator, cell = value.indicator, value.cell
        target = indicator.targets[value.index]
        siblings = [t for k, t in enumerate(indicator.targets) if k != value.index]
        sibling = siblings[0] if siblings else None
        fixed = _context_repairs(_shape_repairs(target.raw), sibling, indicator.level3)
        if fixed != target.raw:
            repaired = replace(
                parse_target(fixed, fiscal_year), period=target.period, ocr_text=target.raw
            )
            indicator.targets[value.index] = repaired
            findings.append(
                Finding(
                    "info",
                    codes.OCR_REPAIRED,
                    f"OCR read '{target.raw}' for '{indicator.level3}' ({target.period}); "
                    f"read as '{fixed}', the only reading that fits. The OCR text is kept in "
                    "ocr_text.",
                    cell.location,
                )
            )
            target = repaired
        if cell.confidence is not None and is_unsure(cell):
            findings.append(
                Finding(
                    "warning",
                    codes.OCR_LOW_CONFIDENCE,
                    f"OCR is unsure of '{target.raw}' for '{indicator.level3}' at "
                    f"{cell_reference(cell)} (score {cell.confidence:.2f}); check it against "
                    "the document.",
                    cell_reference(cell),
                    confidence=cell.confidence,
                )
            )
        elif target.kind == "text" and sibling is not None and sibling.kind == "quantitative":
            findings.append(
                Finding(
                    "warning",
                    codes.OCR_SUSPECT_TEXT,
                    f"'{target.raw}' for '{indicator.level3}' reads as words where its other "
                    f"target ('{sibling.raw}') is a number; check it against the document.",
                    cell.location,
                )
            )
    return findings


def cells_to_ocr_share(cells: Iterable[Cell]) -> tuple[int | None, float | None]:
    """How many of the cells OCR read, and the share of those under the threshold; (None, None)
    when OCR read none of them (a text layer, an office file)."""
    scores = [c.confidence for c in cells if c.confidence is not None]
    if not scores:
        return None, None
    low = sum(1 for score in scores if score < low_confidence())
    return len(scores), round(low / len(scores), 4)


def low_confidence_findings(cells: Iterable[Cell], reviewed: set[CellRef]) -> list[Finding]:
    """An info finding for each cell OCR read under the threshold, in document order: the cell's
    reference and text, and its score in `confidence`. The target values in `reviewed` are left
    out: `review_ocr_values` reports them, with their indicator, as warnings."""
    findings = []
    for cell in cells:
        if cell.confidence is None or not is_unsure(cell) or cell.ref in reviewed:
            continue
        where = cell_reference(cell)
        findings.append(
            Finding(
                "info",
                codes.OCR_LOW_CONFIDENCE,
                f"OCR is unsure of '{short(cell.text, 60)}' at {where} (score "
                f"{cell.confidence:.2f}, under {low_confidence():g}); check it against the "
                "document.",
                where,
                confidence=cell.confidence,
            )
        )
    return findings
