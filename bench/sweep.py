"""Sweep one layout setting over the committed text-layer PDFs: how the share of golden
indicator rows found changes as a tolerance moves away from its default. Printed, never
asserted; the defaults in extract/settings.py should sit on a plateau, not a cliff.

    .venv/bin/python bench/sweep.py                          # grid_tol
    .venv/bin/python bench/sweep.py header_match_ratio 60 75 90 100
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import fields, replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from accuracy import goldens, row_accuracy

from jixiao.extract import Table
from jixiao.extract.pages import pdf_to_blocks
from jixiao.extract.settings import DEFAULT, LAYOUT

DEFAULT_VALUES = {"grid_tol": [0.5, 1.0, 2.0, 4.0, 8.0]}


def rows_of(path: Path, field_name: str, value: float) -> list[list[str]]:
    settings = replace(DEFAULT, layout=replace(LAYOUT, **{field_name: value}))
    blocks, _notes, _pages, _ocr = pdf_to_blocks(path.read_bytes(), "never", settings)
    return [[c.text for c in row] for b in blocks if isinstance(b, Table) for row in b.rows]


def main() -> int:
    names = [f.name for f in fields(LAYOUT)]
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("setting", nargs="?", default="grid_tol", choices=names)
    parser.add_argument("values", nargs="*", type=float, help="values to try")
    args = parser.parse_args()
    values = args.values or DEFAULT_VALUES.get(args.setting) or [getattr(LAYOUT, args.setting)]
    pdfs = {p: g for p, g in goldens().items() if p.parent.name == "pdf"}
    print(f"{args.setting} (default {getattr(LAYOUT, args.setting)}): golden rows found")
    print("value    " + "  ".join(p.stem[:24].ljust(24) for p in pdfs))
    for value in values:
        shares = [
            row_accuracy(golden, rows_of(p, args.setting, value)) for p, golden in pdfs.items()
        ]
        print(f"{value:<8g} " + "  ".join(f"{s:<24.3f}" for s in shares))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
