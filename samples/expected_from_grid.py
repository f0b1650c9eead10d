"""The expected Filing of a rendition of the seed grid, from what the renderer knows: the
hand-checked Filing of the text export, which page each grid row was printed on, and which
merged cells the renderer broke over a page end with text on both sides.

What differs from the text export is only where things are: PDF locations are
"page P, row R, cell C" in the (stitched) table, level2 is printed whole (no level2_raw, no
repair), and the findings are the renderer's own page-end breaks."""

from __future__ import annotations

import copy
import hashlib
import json
from pathlib import Path
from typing import Any

from seed_grid import Grid, load_golden


def expected_filing(
    grid: Grid,
    pdf: Path,
    row_page: list[int],
    *,
    table_of_row: list[tuple[int, int]] | None = None,
    joined: list[tuple[int, int, int, int]] = (),  # type: ignore[assignment]
) -> dict[str, Any]:
    """`table_of_row[r]` = (table number, row within that table) when the rendition splits the
    grid into several tables (default: one table). `joined` = (row, col, first page, next page)
    of each merged cell printed in two pieces with text in both."""
    filing = copy.deepcopy(load_golden())
    filing["source_sha256"] = hashlib.sha256(pdf.read_bytes()).hexdigest()
    filing["source_format"] = "pdf"
    local = table_of_row or [(0, r) for r in range(grid.n_rows)]

    def where(row: int, col: int) -> str:
        return f"page {row_page[row]}, row {local[row][1] + 1}, cell {col + 1}"

    by_item = {item: row for row, item in grid.row_items.items()}
    for k, indicator in enumerate(filing["indicators"]):
        row = by_item[("indicator", k)]
        indicator["location"] = where(row, 3)
        indicator["page"] = row_page[row]
        indicator["level2_raw"] = None
    name_col = {(c.row, c.text): c.col for c in grid.cells}
    for k, line in enumerate(filing["fund_lines"]):
        row = by_item[("fund", k)]
        line["location"] = where(row, name_col[(row, line["name"])])
    filing["findings"] = [
        {
            "severity": "info",
            "code": "cell_joined_across_pages",
            "message": f"A merged cell broken by the end of page {first} was joined with its "
            f"continuation on page {second}.",
            "location": f"page {first}, row {local[row][1] + 1}, cell {col + 1}",
        }
        for row, col, first, second in joined
    ]
    return filing


def write(filing: dict[str, Any], path: Path) -> None:
    path.write_text(json.dumps(filing, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
