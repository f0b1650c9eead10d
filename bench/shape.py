"""The shape of the code, as numbers anyone can recompute: lines per module, functions over
80 lines, import cycles between modules. Printed, never asserted (tests/test_layering.py is what
fails on a cycle).

    .venv/bin/python bench/shape.py          # a table on stdout
    .venv/bin/python bench/shape.py --json
"""

from __future__ import annotations

import argparse
import ast
import json
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from import_graph import INSTALLED_AS, cycles, project_graph  # noqa: E402

LONG_FUNCTION = 80


def function_lengths(path: Path) -> list[tuple[str, int]]:
    """Every function and method of a module with its length in lines (decorators excluded)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            out.append((node.name, (node.end_lineno or node.lineno) - node.lineno + 1))
    return out


def shape() -> dict[str, Any]:
    files = sorted(p for folder in INSTALLED_AS for p in (ROOT / folder).rglob("*.py"))
    lines = {
        str(p.relative_to(ROOT)): len(p.read_text(encoding="utf-8").splitlines()) for p in files
    }
    long_functions = sorted(
        (
            (length, f"{p.relative_to(ROOT)}:{name}")
            for p in files
            for name, length in function_lengths(p)
            if length > LONG_FUNCTION
        ),
        reverse=True,
    )
    found = cycles(project_graph(ROOT))
    return {
        "modules": len(files),
        "largest_modules": sorted(lines.items(), key=lambda kv: -kv[1])[:8],
        "modules_over_400_lines": sum(1 for n in lines.values() if n > 400),
        "functions_over_80_lines": [{"function": f, "lines": n} for n, f in long_functions],
        "import_cycles": [sorted(c) for c in found],
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    args = parser.parse_args()
    result = shape()
    if args.json:
        print(json.dumps(result, ensure_ascii=False, indent=2))
        return 0
    print(f"modules: {result['modules']} (over 400 lines: {result['modules_over_400_lines']})")
    print("largest:")
    for name, n in result["largest_modules"]:
        print(f"  {n:5d}  {name}")
    print(f"functions over {LONG_FUNCTION} lines: {len(result['functions_over_80_lines'])}")
    for f in result["functions_over_80_lines"]:
        print(f"  {f['lines']:5d}  {f['function']}")
    print(f"import cycles: {len(result['import_cycles'])}")
    for cycle in result["import_cycles"]:
        print("  " + " <-> ".join(cycle))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
