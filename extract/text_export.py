"""Text exports of filings: one line per table row, cells separated by tabs, sometimes wrapped in
HTML fragments, with leading tabs that vary from row to row. A page end shows as blank lines;
the row a word processor repeats at the top of each page (the table's header) follows them."""

from __future__ import annotations

import html
import re

from jixiao import dictionaries

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


def _row_key(cells: list[str]) -> str:
    """A row's text for spotting a repeat: empty cells (leading tabs vary) and spaces ignored."""
    return "\t".join(_SPACES.sub("", c) for c in cells if c.strip())


def _starts_filing(text: str) -> bool:
    return any(m in _SPACES.sub("", text) for m in dictionaries.load("sections")["title_markers"])


def lines_to_blocks(lines: list[str]) -> tuple[Block, ...]:
    """Tab-separated lines become table rows, other non-blank lines paragraphs. Blank lines do not
    end a table (exports put them at page ends); a paragraph does. A row of two cells or more
    that follows a page end and repeats a row of the same filing word for word is the header
    printed again at the page top: it is dropped, as a PDF's repeated header is."""
    blocks: list[Block] = []
    rows: list[tuple[Cell, ...]] = []
    seen: set[str] = set()  # the rows of this filing so far
    after_blank = False

    def close_table() -> None:
        if rows:
            blocks.append(Table(rows=tuple(rows), grid=False))  # leading tabs vary: no grid
            rows.clear()

    for number, line in enumerate(lines, start=1):
        line = line.rstrip("\r\n")
        if not line.strip() and "\t" not in line:
            after_blank = True
            continue
        if "\t" in line:
            texts = [clean_cell_text(raw) for raw in line.split("\t")]
            key = _row_key(texts)
            repeated = after_blank and key in seen and key.count("\t") >= 1
            if key:
                after_blank = False
                seen.add(key)
            if repeated:
                continue
            row = len(rows)
            rows.append(
                tuple(
                    Cell(text=text, row=row, col=col, line=number) for col, text in enumerate(texts)
                )
            )
        elif line.strip():
            after_blank = False
            if _starts_filing(line):
                seen.clear()
            close_table()
            blocks.append(Paragraph(text=clean_cell_text(line), line=number))
    close_table()
    return tuple(blocks)


def text_to_blocks(text: str) -> tuple[Block, ...]:
    return lines_to_blocks(text.splitlines())
