"""How close a Filing is to its golden one: the figures OCR and extraction are judged by (a test
helper: tests/test_scan.py; not part of the installed package).

Rows are matched as a multiset, so one lost or extra row costs only itself, not every row after
it."""

from __future__ import annotations

from collections import Counter
from typing import Any


def _row(indicator: dict[str, Any]) -> tuple[str, ...]:
    return (indicator["level3"], *(t["raw"] for t in indicator["targets"]))


def _hierarchy(indicator: dict[str, Any]) -> tuple[Any, ...]:
    return (
        indicator["level1"],
        indicator["level2"],
        indicator["key_task"],
        indicator["function_seq"],
    )


def accuracy(got: dict[str, Any], want: dict[str, Any]) -> dict[str, Any]:
    """Shares of golden indicator rows (三级指标 and every target as printed) found exactly, of
    those rows with their whole hierarchy right too, and of fund lines with exact amounts."""
    want_rows = Counter(_row(i) for i in want["indicators"])
    got_rows = Counter(_row(i) for i in got["indicators"])
    rows_equal = sum((want_rows & got_rows).values())
    want_full = Counter(_row(i) + _hierarchy(i) for i in want["indicators"])
    got_full = Counter(_row(i) + _hierarchy(i) for i in got["indicators"])
    hierarchy_equal = sum((want_full & got_full).values())
    got_funds = {(f["section"], f["name"]): f for f in got["fund_lines"]}
    funds_exact = 0
    for line in want["fund_lines"]:
        found = got_funds.get((line["section"], line["name"]))
        if found and all(
            found[k] == line[k] for k in ("half_year_plan", "full_year_budget", "parent")
        ):
            funds_exact += 1
    n, m = len(want["indicators"]), len(want["fund_lines"])
    return {
        "indicators": n,
        "rows_equal": rows_equal,
        "rows_share": round(rows_equal / n, 4) if n else 1.0,
        "hierarchy_equal": hierarchy_equal,
        "hierarchy_share": round(hierarchy_equal / n, 4) if n else 1.0,
        "fund_lines": m,
        "funds_exact": funds_exact,
        "missing_rows": sorted(" | ".join(r) for r in (want_rows - got_rows).elements()),
    }
