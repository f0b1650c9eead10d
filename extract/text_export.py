"""Text exports of filings: one line per table row, cells separated by tabs, sometimes wrapped in
HTML fragments, with leading tabs that vary from row to row."""

from __future__ import annotations

import html
import re

from .model import Block, Cell, Paragraph, Table

_PARAGRAPH_BREAK = re.compile(r"</p>\s*<p[^>]*>|<br\s*/?>", re.IGNORECASE)
_TAG = re.compile(r"<[^>]+>")
_SPACES = re.compile(r"[ \u3000\u00a0]+")


def clean_cell_text(raw: str) -> str:
    """HTML fragments to plain text; paragraphs inside a cell become lines."""
    text = _PARAGRAPH_BREAK.sub("\n", raw)
    text = html.unescape(_TAG.sub("", text))
    lines = (_SPACES.sub(" ", line).strip() for line in text.splitlines())
    return "\n".join(line for line in lines if line)


def lines_to_blocks(lines: list[str]) -> tuple[Block, ...]:
    """Tab-separated lines become table rows, other non-blank lines paragraphs. Blank lines do not
    end a table (exports put them at page ends); a paragraph does."""
    blocks: list[Block] = []
    rows: list[tuple[Cell, ...]] = []

    def close_table() -> None:
        if rows:
            blocks.append(Table(rows=tuple(rows), grid=False))  # leading tabs vary: no grid
            rows.clear()

    for number, line in enumerate(lines, start=1):
        line = line.rstrip("\r\n")
        if "\t" in line:
            row = len(rows)
            rows.append(
                tuple(
                    Cell(text=clean_cell_text(raw), row=row, col=col, line=number)
                    for col, raw in enumerate(line.split("\t"))
                )
            )
        elif line.strip():
            close_table()
            blocks.append(Paragraph(text=clean_cell_text(line), line=number))
    close_table()
    return tuple(blocks)


def text_to_blocks(text: str) -> tuple[Block, ...]:
    return lines_to_blocks(text.splitlines())
