"""The README's column tables, written from dictionaries/columns.yaml (the one place a column is
described): `python -m jixiao.load.readme_columns --write` rewrites the part of README.md between
the markers, `--check` fails when it is out of date (`make readme` writes it; the tests check)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from jixiao import dictionaries

START = "<!-- columns:start (from dictionaries/columns.yaml) -->"
END = "<!-- columns:end -->"


def _cell(text: Any) -> str:
    return str(text).replace("|", "\\|")


def render(columns: dict[str, Any]) -> str:
    """Every table and view of `columns` (columns.yaml's contents) as Markdown tables."""
    parts = []
    for relation, about in columns.items():
        lines = [
            f"**{relation}** ({about['zh']}): {about['en']}",
            "",
            "| column | 中文 | meaning |",
            "| --- | --- | --- |",
        ]
        lines += [
            f"| `{name}` | {_cell(zh)} | {_cell(en)} |"
            for name, (zh, en) in about["columns"].items()
        ]
        parts.append("\n".join(lines))
    return "\n\n".join(parts)


def rewrite(readme: str, columns: dict[str, Any]) -> str:
    """`readme` with the text between the markers replaced by the tables of `columns`."""
    if readme.count(START) != 1 or readme.count(END) != 1:
        raise ValueError(f"README.md must hold the markers {START} and {END} once each")
    head, rest = readme.split(START)
    _, tail = rest.split(END)
    return f"{head}{START}\n\n{render(columns)}\n\n{END}{tail}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m jixiao.load.readme_columns")
    mode = parser.add_mutually_exclusive_group(required=True)
    mode.add_argument("--check", action="store_true", help="fail if README.md is out of date")
    mode.add_argument("--write", action="store_true", help="rewrite README.md's column tables")
    parser.add_argument("--readme", type=Path, default=Path("README.md"))
    args = parser.parse_args(argv)
    readme = args.readme.read_text(encoding="utf-8")
    wanted = rewrite(readme, dictionaries.load("columns"))
    if args.write:
        if wanted != readme:
            args.readme.write_text(wanted, encoding="utf-8")
            print(f"{args.readme}: column tables rewritten from dictionaries/columns.yaml")
        return 0
    if wanted != readme:
        print(
            f"{args.readme}: the column tables differ from dictionaries/columns.yaml; "
            "run `make readme`",
            file=sys.stderr,
        )
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
