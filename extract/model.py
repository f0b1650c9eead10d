"""The type `extract` hands on: a `RawDocument` of paragraphs and tables whose cells remember
where they came from."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from typing import Any

from jixiao import codes


@dataclass(frozen=True)
class CellRef:
    """Which cell of a document: its table's position in `RawDocument.blocks` (paragraphs and
    tables counted together), and its `row`/`col` in that table, all from 0; `page` where the
    document has pages (a PDF table may run over several). Stable across re-reads of the same
    bytes, and unique in a document, unlike a location such as "row 1, cell 1" that every table
    of a web page has.

    As text (`str(ref)`, what a corrections file holds) it counts from 1, as people do:
    "table 4, row 2, cell 3", or "page 2, table 4, row 2, cell 3"."""

    block: int
    row: int
    col: int
    page: int | None = None

    def __str__(self) -> str:
        where = f"page {self.page}, " if self.page is not None else ""
        return f"{where}table {self.block + 1}, row {self.row + 1}, cell {self.col + 1}"

    @classmethod
    def parse(cls, text: str) -> CellRef | None:
        """The reference `text` spells (as `str` writes it; "block" for "table" and "col" for
        "cell" are read too), or None when it is not one."""
        m = _REF.match(text)
        if not m:
            return None
        page, block, row, col = m.group("page", "block", "row", "col")
        numbers = [int(block), int(row), int(col)]
        if min(numbers) < 1:
            return None
        return cls(numbers[0] - 1, numbers[1] - 1, numbers[2] - 1, int(page) if page else None)


_REF = re.compile(
    r"^\s*(?:page\s+(?P<page>\d+)\s*,\s*)?(?:table|block)\s+(?P<block>\d+)\s*,\s*"
    r"row\s+(?P<row>\d+)\s*,\s*(?:cell|col)\s+(?P<col>\d+)\s*$",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Cell:
    """One cell as printed. `row`/`col` are positions in its table as the source laid them out
    (text exports: the cell's index on its line, leading tabs included). `block` is its table's
    position in the document; readers leave it None and `RawDocument` fills it in."""

    text: str
    row: int
    col: int
    row_span: int | None = None
    col_span: int | None = None
    page: int | None = None
    bbox: tuple[float, float, float, float] | None = None
    confidence: float | None = None
    line: int | None = None  # 1-based source line, for text exports
    block: int | None = None  # position of its table in RawDocument.blocks, from 0

    @property
    def ref(self) -> CellRef | None:
        """The cell's identity in its document; None for a cell that is not in one."""
        if self.block is None:
            return None
        return CellRef(self.block, self.row, self.col, self.page)

    @property
    def location(self) -> str:
        """Where a person finds the cell: "line 79, cell 3" (text exports), "page 4, row 95,
        cell 2" (PDFs and scans), "table 4, row 2, cell 3" (office files and web pages, which
        have neither pages nor lines: the table is numbered by its position among the
        document's blocks, as in `CellRef`)."""
        parts: list[str] = []
        if self.page is not None:
            parts.append(f"page {self.page}")
        if self.line is not None:
            parts.append(f"line {self.line}")
        else:
            if self.page is None and self.block is not None:
                parts.append(f"table {self.block + 1}")
            parts.append(f"row {self.row + 1}")
        parts.append(f"cell {self.col + 1}")
        return ", ".join(parts)


@dataclass(frozen=True)
class Paragraph:
    text: str
    page: int | None = None
    line: int | None = None
    block: int | None = None  # position in RawDocument.blocks, from 0; filled in by it

    @property
    def location(self) -> str:
        """Where a person finds the paragraph: "line 12" (text exports), "page 2, paragraph 5"
        (PDFs), "paragraph 5" (office files and web pages). Paragraphs are numbered by their
        position among the document's blocks, tables counted too."""
        if self.line is not None:
            return f"line {self.line}"
        parts = [] if self.page is None else [f"page {self.page}"]
        parts.append("paragraph" if self.block is None else f"paragraph {self.block + 1}")
        return ", ".join(parts)


@dataclass(frozen=True)
class Table:
    """Rows of cells. A row keeps empty cells so that positions stay as printed."""

    rows: tuple[tuple[Cell, ...], ...]
    page: int | None = None
    grid: bool = False  # cells' `col` are true grid columns (office files, web pages)


Block = Paragraph | Table


@dataclass(frozen=True)
class Note:
    """Something the extractor noticed that a person may need to know (a page that needs OCR, a
    merged cell joined across a page end). `normalize` turns notes into findings."""

    severity: str  # error | warning | info
    code: str
    message: str
    location: str | None = None


@dataclass(frozen=True)
class RawDocument:
    source_path: str
    sha256: str
    source_format: str  # 'text', later 'pdf', 'pdf-scanned', 'image', ...
    blocks: tuple[Block, ...]
    encoding: str | None = None
    page_count: int | None = None
    notes: tuple[Note, ...] = field(default=())

    def __post_init__(self) -> None:
        # Number the blocks that are not numbered yet by their position, so each cell knows its
        # `ref` without the readers knowing it. Blocks already numbered keep their number: a
        # part of a document (`replace(doc, blocks=doc.blocks[5:9])`) still names the cells
        # the way the whole document does.
        if any(_unnumbered(block) for block in self.blocks):
            blocks = tuple(_numbered(block, k) for k, block in enumerate(self.blocks))
            object.__setattr__(self, "blocks", blocks)

    def cells(self) -> Iterator[tuple[CellRef, Cell]]:
        """Every table cell with its reference, in document order."""
        for block in self.blocks:
            if isinstance(block, Table):
                for row in block.rows:
                    for cell in row:
                        ref = cell.ref
                        assert ref is not None  # numbered by __post_init__
                        yield ref, cell

    def to_dict(self) -> dict[str, Any]:
        out: list[dict[str, Any]] = []
        for block in self.blocks:
            if isinstance(block, Paragraph):
                out.append({"paragraph": block.text, "line": block.line, "page": block.page})
            else:
                out.append(
                    {
                        "table": [
                            [
                                {"text": c.text, "row": c.row, "col": c.col, "line": c.line}
                                for c in row
                            ]
                            for row in block.rows
                        ]
                    }
                )
        return {
            "source_path": self.source_path,
            "sha256": self.sha256,
            "source_format": self.source_format,
            "encoding": self.encoding,
            "page_count": self.page_count,
            "blocks": out,
        }


def _unnumbered(block: Block) -> bool:
    if isinstance(block, Paragraph):
        return block.block is None
    return any(cell.block is None for row in block.rows for cell in row)


def _numbered(block: Block, k: int) -> Block:
    if isinstance(block, Paragraph):
        return block if block.block is not None else replace(block, block=k)
    if not _unnumbered(block):
        return block
    rows = tuple(
        tuple(cell if cell.block is not None else replace(cell, block=k) for cell in row)
        for row in block.rows
    )
    return replace(block, rows=rows)


class ExtractError(Exception):
    """A file could not be read as a filing. The message is for a clerk: what is wrong, where,
    and what to try."""

    def __init__(self, message: str, *, code: str = codes.UNREADABLE, location: str | None = None):
        super().__init__(message)
        self.code = code
        self.location = location
