"""Accuracy against the golden Filings, the same way for every tool.

Row accuracy: a golden indicator row is its 三级指标 and its target texts as printed; it is found
when one row of the tool's output holds a cell matching the 三级指标 and, for each target text,
another cell matching it (rapidfuzz ratio at least THRESHOLD after whitespace and width are
folded). Field accuracy (jixiao only, since only jixiao outputs fields): the share of golden
indicators whose hierarchy (一级/二级/三级) is right, of golden targets whose parse (period, raw,
comparator, value, unit, kind) is right, and of golden fund lines whose name, parent and amounts
are right."""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from rapidfuzz import fuzz

THRESHOLD = 90
ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"
EXPECTED = SAMPLES / "expected"
SEED_GOLDEN = EXPECTED / "suzhou_commerce_2024_department_overall.json"

Target = tuple[str, str, str, str, str, str]  # period raw comparator value unit kind


@dataclass
class Golden:
    """What a person checked a sample holds, in one shape for every golden file."""

    indicators: list[tuple[str, str, str, list[Target]]] = field(default_factory=list)
    funds: list[tuple[str, str, str, str]] = field(default_factory=list)  # + amounts text


def _num(value: Any) -> str:
    if value is None:
        return "-"
    return format(Decimal(str(value)).normalize(), "f")


def from_filing(d: dict[str, Any]) -> Golden:
    """A Filing as `Filing.to_dict()` gives it (the seed's golden files, jixiao's output)."""
    out = Golden()
    for i in d["indicators"]:
        targets = [
            (
                t["period"],
                t["raw"],
                t["comparator"] or "-",
                _num(t["value"]),
                t["unit"] or "-",
                t["kind"],
            )
            for t in i["targets"]
        ]
        out.indicators.append((i["level1"] or "", i["level2"] or "", i["level3"], targets))
    columns = ("full_year_budget", "half_year_plan", "initial_budget", "executed")
    for f in d["fund_lines"]:
        amounts = " ".join(f"{c}={_num(f.get(c))}" for c in columns if f.get(c) is not None)
        out.funds.append((f["section"], f["parent"] or "-", f["name"], amounts))
    return out


def from_compact(d: dict[str, Any]) -> Golden:
    """A regional golden file (written by hand in the compact form of tests/test_regional.py)."""
    out = Golden()
    for i in d["indicators"]:
        level1, level2, level3 = (
            "" if part == "None" else part for part in i["labels"].split(" / ")
        )
        targets = []
        for text in i["targets"]:
            left, right = text.split(" | ", 1)
            period, raw = left.split(" ", 1)
            comparator, value, unit, kind = right.split(" ")[:4]
            targets.append((period, raw, comparator, value, unit, kind))
        out.indicators.append((level1, level2, level3, targets))
    columns = ("full_year_budget", "half_year_plan", "initial_budget", "executed")
    for line in d["fund_lines"]:
        section, parent, name, amounts = line.split(" | ")
        kept = " ".join(p for c in columns for p in amounts.split() if p.startswith(f"{c}="))
        out.funds.append((section, parent, name, kept))
    return out


def goldens() -> dict[Path, Golden]:
    """Every committed sample with a golden Filing, and that Filing."""
    seed = from_filing(json.loads(SEED_GOLDEN.read_text(encoding="utf-8")))
    out: dict[Path, Golden] = {
        SAMPLES / "filings" / "suzhou_commerce_2024_department_overall.txt": seed,
        # The office and web renditions of the seed are checked against the seed's golden file.
        SAMPLES / "office" / "suzhou_commerce_2024.docx": seed,
        SAMPLES / "office" / "suzhou_commerce_2024.xlsx": seed,
        SAMPLES / "office" / "suzhou_commerce_2024.gbk.html": seed,
    }
    for kind in ("seed", "word", "excel"):
        for folder, suffix in (("pdf", ".pdf"), ("scans", ".scan.pdf")):
            name = f"suzhou_commerce_2024_{kind}{suffix}"
            golden = json.loads((EXPECTED / f"{name}.json").read_text(encoding="utf-8"))
            out[SAMPLES / folder / name] = from_filing(golden)

    def compact(name: str, parts: slice = slice(None)) -> Golden:
        data = json.loads((EXPECTED / f"{name}.json").read_text(encoding="utf-8"))
        merged = Golden()
        for filing in data["filings"][parts]:
            one = from_compact(filing)
            merged.indicators += one.indicators
            merged.funds += one.funds
        return merged

    office, web = SAMPLES / "office", SAMPLES / "web"
    out[office / "zhaoqing_agriculture_2024.docx"] = compact("zhaoqing_agriculture_2024.docx")
    out[SAMPLES / "pdf" / "zhaoqing_agriculture_2024.pdf"] = out[
        office / "zhaoqing_agriculture_2024.docx"
    ]
    out[office / "zhaoqing_projects_2024_one_sheet.xlsx"] = compact(
        "zhaoqing_agriculture_2024.docx", slice(1, None)
    )
    evaluation = compact("changsha_rural_roads_2023_self_evaluation.xlsx")
    out[office / "changsha_rural_roads_2023_self_evaluation.xlsx"] = evaluation
    out[office / "changsha_rural_roads_2023_self_evaluation.xls"] = evaluation
    out[web / "dongcheng_education_2024.html"] = compact("dongcheng_education_2024.html")
    out[SAMPLES / "filings" / "mianyang_education_2024.txt"] = compact(
        "mianyang_education_2024.txt"
    )
    both = Golden(
        out[web / "dongcheng_education_2024.html"].indicators
        + out[SAMPLES / "filings" / "mianyang_education_2024.txt"].indicators,
        out[web / "dongcheng_education_2024.html"].funds
        + out[SAMPLES / "filings" / "mianyang_education_2024.txt"].funds,
    )
    out[SAMPLES / "archives" / "regional_2024.zip"] = both
    return out


def fold(text: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text or ""))


def _matches(cell: str, want: str) -> bool:
    return bool(cell) and fuzz.ratio(cell, want) >= THRESHOLD


def row_accuracy(golden: Golden, rows: list[list[str]]) -> float:
    """Share of golden indicator rows found as one row of `rows`."""
    folded = [[fold(c) for c in row] for row in rows]
    found = 0
    for _l1, _l2, level3, targets in golden.indicators:
        want_name = fold(level3)
        want_values = [fold(t[1]) for t in targets]
        for row in folded:
            name_at = next((k for k, c in enumerate(row) if _matches(c, want_name)), None)
            if name_at is None:
                continue
            rest = row[:name_at] + row[name_at + 1 :]
            if all(any(_matches(c, v) for c in rest) for v in want_values):
                found += 1
                break
    return found / len(golden.indicators) if golden.indicators else 1.0


def field_accuracy(golden: Golden, got: Golden) -> dict[str, float]:
    """Position by position: hierarchy, parsed targets, fund lines."""

    def share(hits: int, total: int) -> float:
        return hits / total if total else 1.0

    hierarchy = sum(g[:3] == o[:3] for g, o in zip(golden.indicators, got.indicators, strict=False))
    targets_total = sum(len(g[3]) for g in golden.indicators)
    targets = sum(
        sum(a == b for a, b in zip(g[3], o[3], strict=False))
        for g, o in zip(golden.indicators, got.indicators, strict=False)
    )
    funds = sum(g == o for g, o in zip(golden.funds, got.funds, strict=False))
    return {
        "hierarchy": share(hierarchy, len(golden.indicators)),
        "targets": share(targets, targets_total),
        "funds": share(funds, len(golden.funds)),
    }
