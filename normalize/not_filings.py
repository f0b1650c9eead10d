"""Whether a document (or one part of a file) holds a performance table at all, and, where it
holds none, what it is instead: a 部门决算 or 单位预算 disclosure is full of tables and mentions
绩效目标 in its text, but none of its tables is a filing. The decision is by what the document
holds (an indicator header, indicator rows, a performance table's title, a goal block); the
words of not_filings.yaml only name what it is."""

from __future__ import annotations

import re

from jixiao import dictionaries
from jixiao.extract import Paragraph, RawDocument, Table

from .sections import Sections, first_text, is_title, nonempty
from .text import fold

# The fields only a performance table's goal block holds (中期目标, 年度目标, 年度总体目标完成情况).
_GOAL_FIELDS = ("mid_long_term_goal", "annual_goal", "annual_goal_actual")
_SENTENCE = re.compile(r"[，。；,;]")  # a line of running text, never a table's title


def _title_lines(doc: RawDocument) -> list[str]:
    """The document's lines that may be titles: its paragraphs, and the table rows of one cell
    (a spreadsheet's title row)."""
    lines: list[str] = []
    for block in doc.blocks:
        if isinstance(block, Paragraph):
            lines.append(block.text)
        elif isinstance(block, Table):
            lines += [nonempty(row)[0].text for row in block.rows if len(nonempty(row)) == 1]
    return lines


def is_performance_title(text: str) -> bool:
    """A performance table's title (sections.yaml title_markers): not a line of running text,
    not a letter or notice about such tables (…报送绩效目标表的函), and not a reference to one
    sent elsewhere (附件：…绩效目标表)."""
    if _SENTENCE.search(text) or not is_title(text):
        return False
    words = dictionaries.load("not_filings")
    key = fold(text)
    return not key.endswith(tuple(fold(e) for e in words["letter_endings"])) and not (
        key.startswith(tuple(fold(w) for w in words["reference_leads"]))
    )


def holds_performance_table(doc: RawDocument, sections: Sections) -> bool:
    """An indicator header, a row under a 一级指标 name (决策, 产出, …), a goal block, or a
    performance table's title."""
    if sections.indicator_items or any(sections.fields.get(name) for name in _GOAL_FIELDS):
        return True
    level1 = {fold(n) for n in dictionaries.load("sections")["level1_names"]}
    for block in doc.blocks:
        if isinstance(block, Table) and any(fold(first_text(row)) in level1 for row in block.rows):
            return True
    return any(is_performance_title(line) for line in _title_lines(doc))


def describe(doc: RawDocument) -> str | None:
    """'This is a 部门决算 (final accounts) disclosure: its tables are 收入支出决算总表, …' when
    its lines name a budget or final-account document or its tables; None when they name
    neither."""
    words = dictionaries.load("not_filings")
    titles = sorted((fold(t) for t in words["table_titles"]), key=len, reverse=True)
    kind: tuple[str, str, str] | None = None
    tables: list[str] = []
    for line in _title_lines(doc):
        key = fold(line)
        if len(key) > 60 or _SENTENCE.search(line):
            continue
        if kind is None:
            kind = next(
                ((k, str(v), line) for k, v in words["kinds"].items() if fold(k) in key), None
            )
        title = next((t for t in titles if t in key), None)
        if title is not None and title not in tables:
            tables.append(title)
    if kind is None and not tables:
        return None
    what = (
        f"a {kind[0]} ({kind[1]}) document ('{' '.join(kind[2].split())}')"
        if kind
        else "a budget or final-account table"
    )
    held = f": its tables are {', '.join(tables)}" if tables else ""
    return (
        f"This is {what}{held}; it holds no performance table (绩效目标表/绩效自评表): no "
        "一级指标/三级指标 header, no indicator rows and no 绩效目标 title."
    )
