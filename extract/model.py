"""The type `extract` hands on: a `RawDocument` of paragraphs and tables whose cells remember
where they came from."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Cell:
    """One cell as printed. `row`/`col` are positions in its table as the source laid them out
    (text exports: the cell's index on its line, leading tabs included)."""

    text: str
    row: int
    col: int
    row_span: int | None = None
    col_span: int | None = None
    page: int | None = None
    bbox: tuple[float, float, float, float] | None = None
    confidence: float | None = None
    line: int | None = None  # 1-based source line, for text exports

    @property
    def location(self) -> str:
        parts: list[str] = []
        if self.page is not None:
            parts.append(f"page {self.page}")
        if self.line is not None:
            parts.append(f"line {self.line}")
        else:
            parts.append(f"row {self.row + 1}")
        parts.append(f"cell {self.col + 1}")
        return ", ".join(parts)


@dataclass(frozen=True)
class Paragraph:
    text: str
    page: int | None = None
    line: int | None = None

    @property
    def location(self) -> str:
        return f"line {self.line}" if self.line is not None else f"page {self.page}"


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


class ExtractError(Exception):
    """A file could not be read as a filing. The message is for a clerk: what is wrong, where,
    and what to try."""

    def __init__(self, message: str, *, code: str = "unreadable", location: str | None = None):
        super().__init__(message)
        self.code = code
        self.location = location
