"""Split a RawDocument's stream of rows into the parts of a filing: header fields, the funds
block, and the indicator table (its header rows, data rows and lone 一级 labels)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal

from jixiao import dictionaries
from jixiao.extract import Cell, Paragraph, RawDocument, Table

from .text import key, matches_any

Row = tuple[Cell, ...]


@dataclass(frozen=True)
class IndicatorItem:
    kind: Literal["header", "row", "marker"]
    cells: Row = ()
    paragraph: Paragraph | None = None


@dataclass
class Sections:
    paragraphs: list[Paragraph] = field(default_factory=list)
    fields: dict[str, Row] = field(default_factory=dict)
    fund_rows: list[Row] = field(default_factory=list)
    indicator_items: list[IndicatorItem] = field(default_factory=list)


def nonempty(row: Row) -> list[Cell]:
    return [c for c in row if c.text]


def first_text(row: Row) -> str:
    cells = nonempty(row)
    return cells[0].text if cells else ""


def is_indicator_header(row: Row) -> bool:
    keys = {key(c.text) for c in row}
    return "一级指标" in keys and "三级指标" in keys


def header_field_of(row: Row) -> str | None:
    label = key(first_text(row))
    for name, anchors in dictionaries.load("sections")["header_fields"].items():
        if any(label.startswith(key(a)) or key(a) in label for a in anchors) and len(label) <= 12:
            return str(name)
    return None


def paragraph_to_field(paragraph: Paragraph) -> tuple[str, Row] | None:
    """'单位名称：苏州市商务局' printed as a line of text rather than a table row."""
    m = re.match(r"^\s*([^：:]{2,12})[：:]\s*(.+)$", paragraph.text)
    if not m:
        return None
    label = Cell(text=m.group(1), row=0, col=0, page=paragraph.page, line=paragraph.line)
    value = Cell(text=m.group(2).strip(), row=0, col=1, page=paragraph.page, line=paragraph.line)
    name = header_field_of((label,))
    return (name, (label, value)) if name else None


def document_to_sections(doc: RawDocument) -> Sections:
    """One pass over the blocks. Region changes are driven by anchor cells, not positions."""
    anchors = dictionaries.load("sections")
    level1_keys = {key(n) for n in anchors["level1_names"]}
    out = Sections()
    region: Literal["header", "funds", "indicators"] = "header"
    for block in doc.blocks:
        if isinstance(block, Paragraph):
            if region == "indicators" and key(block.text) in level1_keys:
                out.indicator_items.append(IndicatorItem("marker", paragraph=block))
            elif region == "header":
                labelled = paragraph_to_field(block)
                if labelled is not None:
                    out.fields[labelled[0]] = labelled[1]
                else:
                    out.paragraphs.append(block)
            continue
        assert isinstance(block, Table)
        for row in block.rows:
            if not nonempty(row):
                continue
            if is_indicator_header(row):
                region = "indicators"
                out.indicator_items.append(IndicatorItem("header", cells=row))
                continue
            if region == "indicators":
                out.indicator_items.append(IndicatorItem("row", cells=row))
                continue
            name = header_field_of(row)
            if name is not None:
                out.fields[name] = row
                region = "header"
                continue
            if matches_any(first_text(row), anchors["funds_block"]):
                region = "funds"
            if region == "funds":
                out.fund_rows.append(row)
    return out
