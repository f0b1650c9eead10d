"""Split a RawDocument's stream of rows into the parts of a filing: header fields, the funds
block, and the indicator table (its header rows, data rows and lone 一级 labels)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from typing import Literal

from jixiao import dictionaries
from jixiao.extract import Block, Cell, Paragraph, RawDocument, Table

from .columns import header_roles, subcolumn_role
from .text import fold, matches_any

Row = tuple[Cell, ...]


@dataclass(frozen=True)
class IndicatorItem:
    kind: Literal["header", "subheader", "row", "marker"]
    cells: Row = ()
    paragraph: Paragraph | None = None
    grid: bool = False  # the row's columns are the table's true grid columns


@dataclass
class Sections:
    paragraphs: list[Paragraph] = field(default_factory=list)
    fields: dict[str, Row] = field(default_factory=dict)
    fund_rows: list[Row] = field(default_factory=list)
    indicator_items: list[IndicatorItem] = field(default_factory=list)
    summary: dict[str, Row] = field(default_factory=dict)  # 总分 and other closing rows


def nonempty(row: Row) -> list[Cell]:
    return [c for c in row if c.text]


def first_text(row: Row) -> str:
    cells = nonempty(row)
    return cells[0].text if cells else ""


def is_indicator_header(row: Row) -> bool:
    """A row naming the 三级指标 column and the 一级指标 or 二级指标 column (sections.yaml
    indicator_columns), however printed: `一級 指標`, split over cells, fused with the first
    data row (`columns.read_header`)."""
    roles = header_roles(row)
    return "level3" in roles and bool(roles & {"level1", "level2"})


def label_to_field(text: str) -> str | None:
    """A header label ('单位名称', '主管部门', '中期目标（2024—2026年）') to its field name."""
    label = fold(text)
    if len(label) > 24:
        return None
    for name, anchors in dictionaries.load("sections")["header_fields"].items():
        for anchor in anchors:
            a = fold(anchor)
            if label.startswith(a) or (a in label and len(label) <= 12):
                return str(name)
    return None


def header_field_of(row: Row) -> str | None:
    return label_to_field(first_text(row))


def row_to_fields(row: Row) -> dict[str, Row]:
    """'主管部门 | X | 实施单位 | Y' to both fields: each label takes the cells up to the next
    label. Each value is (label cell, value cells…), as `field_value` reads it."""
    cells = nonempty(row)
    if not cells or label_to_field(cells[0].text) is None:
        return {}
    out: dict[str, list[Cell]] = {}
    current: list[Cell] | None = None
    for cell in cells:
        name = label_to_field(cell.text)
        if name is not None and name not in out:
            current = out[name] = [cell]
        elif current is not None:
            current.append(cell)
    return {name: tuple(cells) for name, cells in out.items()}


def column_labels(row: Row) -> list[tuple[str, Cell]] | None:
    """A row of labels only ('总体目标 | 中期目标 | 年度目标'): the fields whose values stand in
    the row below, column by column. The first cell may be a group word."""
    cells = nonempty(row)
    groups = {fold(g) for g in dictionaries.load("sections")["label_groups"]}
    labelled = [(label_to_field(c.text), c) for c in cells[1:]]
    if len(labelled) < 2 or any(name is None for name, _ in labelled):
        return None
    if label_to_field(cells[0].text) is None and fold(cells[0].text) not in groups:
        return None
    return [(name, c) for name, c in labelled if name is not None]


def paragraph_to_field(paragraph: Paragraph) -> tuple[str, Row] | None:
    """'单位名称：苏州市商务局' printed as a line of text rather than a table row."""
    m = re.match(r"^\s*([^：:]{2,12})[：:]\s*(.+)$", paragraph.text)
    if not m:
        return None
    label = Cell(text=m.group(1), row=0, col=0, page=paragraph.page, line=paragraph.line)
    value = Cell(text=m.group(2).strip(), row=0, col=1, page=paragraph.page, line=paragraph.line)
    name = header_field_of((label,))
    return (name, (label, value)) if name else None


def is_title(text: str) -> bool:
    k = fold(text)
    return len(k) <= 60 and any(
        fold(m) in k for m in dictionaries.load("sections")["title_markers"]
    )


def starts_filing(row: Row) -> bool:
    return header_field_of(row) in ("project_name", "department")


def document_to_parts(doc: RawDocument) -> list[tuple[Block, ...]]:
    """A file may hold several filings (a department's overall table, then its project tables).
    A new one starts at a title line after a table, or at a row naming a project or department
    after indicator rows."""
    parts: list[list[Block]] = [[]]
    seen_table = seen_indicators = False
    for block in doc.blocks:
        if isinstance(block, Paragraph):
            if seen_table and is_title(block.text):
                parts.append([])
                seen_table = seen_indicators = False
            parts[-1].append(block)
            continue
        rows: list[Row] = []
        for row in block.rows:
            if seen_indicators and starts_filing(row):
                if rows:
                    parts[-1].append(replace(block, rows=tuple(rows)))
                parts.append([])
                rows, seen_indicators = [], False
            seen_indicators = seen_indicators or is_indicator_header(row)
            rows.append(row)
        if rows:
            parts[-1].append(replace(block, rows=tuple(rows)))
            seen_table = True
    return [tuple(p) for p in parts if p]


def is_subheader(row: Row) -> bool:
    """A second header row of periods only (中期 | 年度 under 指标值)."""
    cells = nonempty(row)
    return bool(cells) and all(subcolumn_role(c.text) is not None for c in cells)


def document_to_sections(doc: RawDocument) -> Sections:
    """One pass over the blocks. Region changes are driven by anchor cells, not positions."""
    anchors = dictionaries.load("sections")
    level1_keys = {fold(n) for n in anchors["level1_names"]}
    summary_rows = {
        name: {fold(w) for w in words} for name, words in anchors["summary_rows"].items()
    }
    out = Sections()
    region: Literal["header", "funds", "indicators"] = "header"
    pending: list[tuple[str, Cell]] | None = None  # column labels waiting for their values
    for block in doc.blocks:
        if isinstance(block, Paragraph):
            if region == "indicators" and fold(block.text) in level1_keys:
                out.indicator_items.append(IndicatorItem("marker", paragraph=block))
            elif region == "header":
                labelled = paragraph_to_field(block)
                if labelled is not None:
                    out.fields.setdefault(labelled[0], labelled[1])
                else:
                    out.paragraphs.append(block)
            continue
        assert isinstance(block, Table)
        for row in block.rows:
            if not nonempty(row):
                continue
            if is_indicator_header(row):
                region = "indicators"
                out.indicator_items.append(IndicatorItem("header", cells=row, grid=block.grid))
                continue
            if region == "indicators":
                summary = next(
                    (n for n, ks in summary_rows.items() if fold(first_text(row)) in ks), None
                )
                if summary:
                    out.summary[summary] = row
                elif out.indicator_items[-1].kind == "header" and is_subheader(row):
                    out.indicator_items.append(IndicatorItem("subheader", row, grid=block.grid))
                else:
                    out.indicator_items.append(IndicatorItem("row", cells=row, grid=block.grid))
                continue
            if pending is not None:
                values = nonempty(row)
                for (name, label), value in zip(reversed(pending), reversed(values), strict=False):
                    out.fields[name] = (label, value)
                pending = None
                continue
            labels = column_labels(row)
            if labels is not None:
                pending, region = labels, "header"
                continue
            fields = row_to_fields(row)
            if fields:
                out.fields.update(fields)
                region = "header"
                continue
            if matches_any(first_text(row), anchors["funds_block"]):
                region = "funds"
            if region == "funds":
                out.fund_rows.append(row)
    return out
