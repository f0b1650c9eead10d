"""The ledger: where every non-empty table cell of a filing went.

Each step that reads a cell says so (`Ledger.read`, with what the cell became); what no step
read is reported at the end as `cell_not_read`, one finding per row, quoting the text and where
it stands. So a row that matches no rule is never lost without a trace, and a filing is `ok`
only when its ledger balances."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache

from jixiao import codes, dictionaries
from jixiao.extract import Block, Cell, CellRef, Table

from .model import Finding
from .text import fold, is_placeholder

# What a read cell became: field, label, indicator, target, attribute, fund, summary,
# furniture, empty, duplicate (a merged cell's text printed again) or reported (a finding
# quotes it).
Place = str


@cache
def _furniture(pattern_sets: tuple[str, ...]) -> re.Pattern[str]:
    words = dictionaries.load("furniture")
    lines = [p for name in pattern_sets for p in words[name]]
    return re.compile("^(?:" + "|".join(f"(?:{p})" for p in lines) + ")$")


def is_furniture(text: str, alone: bool = False) -> bool:
    """A unit line (单位：万元), a signature line (填报人：…) (furniture.yaml); a page number
    ("- 3 -", "3 / 12") only in a row of its own: beside other cells, "3" is an amount."""
    sets = ("table_cells", "page_lines") if alone else ("table_cells",)
    return bool(_furniture(sets).match(fold(text, trim=False).strip()))


@dataclass
class Ledger:
    """The non-empty cells of some tables, and where each one went."""

    cells: dict[CellRef, Cell] = field(default_factory=dict)
    places: dict[CellRef, Place] = field(default_factory=dict)

    @classmethod
    def of(cls, blocks: Iterable[Block]) -> Ledger:
        ledger = cls()
        alone: set[CellRef] = set()
        for block in blocks:
            if isinstance(block, Table):
                for row in block.rows:
                    printed = [c for c in row if c.text.strip() and c.ref is not None]
                    for cell in printed:
                        ledger.cells[cell.ref] = cell  # type: ignore[index]
                    if len({c.text.strip() for c in printed}) == 1:
                        alone.update(c.ref for c in printed if c.ref is not None)
        for ref, cell in ledger.cells.items():
            if is_furniture(cell.text, ref in alone):
                ledger.places[ref] = "furniture"
            elif is_placeholder(cell.text):
                ledger.places[ref] = "empty"  # a dash or 无: printed, says nothing
        return ledger

    def read(self, cells: Iterable[Cell | None], place: Place) -> None:
        """These cells became `place`; the first place a cell is given is the one it keeps."""
        for cell in cells:
            if cell is not None and cell.ref in self.cells:
                self.places.setdefault(cell.ref, place)

    def is_read(self, cell: Cell) -> bool:
        return cell.ref in self.places

    @property
    def total(self) -> int:
        return len(self.cells)

    @property
    def read_count(self) -> int:
        return len(self.places)

    def unread(self) -> list[Cell]:
        """The cells no step read, in document order."""
        return [c for ref, c in sorted(self.cells.items(), key=_order) if ref not in self.places]

    def findings(self) -> list[Finding]:
        """One `cell_not_read` warning per row that holds unread cells."""
        rows: dict[tuple[int, int | None, int], list[Cell]] = {}
        for cell in self.unread():
            assert cell.ref is not None
            rows.setdefault((cell.ref.block, cell.page, cell.row), []).append(cell)
        findings = []
        for cells in rows.values():
            quoted = " | ".join(f"'{short(c.text)}'" for c in cells)
            what = "This cell was" if len(cells) == 1 else f"These {len(cells)} cells were"
            findings.append(
                Finding(
                    "warning",
                    codes.CELL_NOT_READ,
                    f"{what} not read into the filing: {quoted}. The row matched no part of "
                    "the table (header, funds, indicators); check whether it holds data.",
                    "; ".join(c.location for c in cells[:3]),
                )
            )
        return findings


def _order(item: tuple[CellRef, Cell]) -> tuple[int, int, int, int]:
    ref = item[0]
    return (ref.block, ref.page or 0, ref.row, ref.col)


def short(text: str, limit: int = 40) -> str:
    """The text on one line, cut to `limit` characters, for quoting it in a finding."""
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"
