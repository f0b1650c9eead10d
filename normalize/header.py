"""The filing's header: title, region, year, department, 主要职能, staffing and goals."""

from __future__ import annotations

import itertools
import re

from jixiao import dictionaries
from jixiao.extract import Paragraph

from .model import MainFunction, Staffing
from .sections import Row, label_kind, nonempty, without_enumerator
from .text import fold, to_number

_ENUMERATOR_ANYWHERE = re.compile(r"[(（]\s*[一二三四五六七八九十百]+\s*[)）]")


def paragraphs_to_title(paragraphs: list[Paragraph]) -> str | None:
    groups = dictionaries.load("sections")["title_words"]
    for p in paragraphs:
        text = fold(p.text)  # traditional characters too: 績效目標表
        if all(any(word in text for word in group) for group in groups):
            return p.text
    return paragraphs[0].text if paragraphs else None


def paragraphs_to_fiscal_year(paragraphs: list[Paragraph], title: str | None) -> int | None:
    pattern = re.compile(dictionaries.load("sections")["fiscal_year_pattern"])
    # A line that is only "2024年度" is the strongest evidence; then the title; then any line.
    candidates = [p.text for p in paragraphs if re.fullmatch(r"\s*\d{4}\s*年度?\s*", p.text)]
    candidates += [title or ""] + [p.text for p in paragraphs]
    for text in candidates:
        m = pattern.search(text)
        if m:
            return int(m["year"])
    return None


def title_to_doc_type(title: str | None) -> str | None:
    for marker, doc_type in dictionaries.load("sections")["doc_types"]:
        if title and marker in fold(title):
            return str(doc_type)
    return None


def to_doc_type(
    title: str | None, fields: dict[str, str | None], total_score: object
) -> str | None:
    """The title says it; failing that, what the table holds: a 总分 or 实际完成情况 makes a
    self-evaluation, a 项目名称 a project table, 主要职能 or a department a department's."""
    by_title = title_to_doc_type(title)
    if by_title:
        return by_title
    if total_score is not None or fields.get("annual_goal_actual"):
        return "self_evaluation"
    if fields.get("project_name"):
        return "project"
    if fields.get("main_functions") or fields.get("department"):
        return "department_overall"
    return None


def to_region(title: str | None, department: str | None) -> str | None:
    """From the title (苏州市市级部门…), else from the department's name (北京市东城区…), else
    from a province named in brackets in either (西部（重庆）科学城)."""
    sections = dictionaries.load("sections")
    for pattern, text in (
        (sections["region_pattern"], title),
        (sections["department_region_pattern"], department),
    ):
        if text:
            m = re.match(pattern, fold(text))
            if m:
                return m["region"]
    for text in (title, department):
        for m in re.finditer(r"\(([^()]{2,4})\)", fold(text or "")):
            if m[1] in sections["bracketed_regions"]:
                return str(sections["bracketed_regions"][m[1]])
    return None


# A budget code printed before a name (51092324T000010263357-项目名称, 219001-单位名称): letters
# and digits, at least one digit, then a dash, then the name in Chinese (not G20 峰会).
_CODE_PREFIX = re.compile(
    r"^(?=[0-9A-Za-z]*\d)[0-9A-Za-z]{3,}\s*[-－—_]\s*(?=[\u4e00-\u9fff]|\d{4}年)"
)


def without_code(name: str | None) -> str | None:
    """A unit's or project's name without the budget code printed before it."""
    return _CODE_PREFIX.sub("", name) if name else name


def goal_and_actual(row: Row | None) -> tuple[str, str] | None:
    """A self-evaluation's 年度总体目标 printed as two cells side by side without their labels
    (the template's 预期目标 | 实际完成情况 columns): the goal and what was achieved."""
    if row is None:
        return None
    cells = nonempty(row)
    if len(cells) != 3 or cells[1].col_span is None:  # a grid's two cells, not a text's lines
        return None
    return cells[1].text, cells[2].text


def field_value(row: Row | None) -> str | None:
    """The text of a header field: every non-empty cell after the label, joined."""
    if row is None:
        return None
    cells = nonempty(row)[1:]
    while len(cells) > 1 and label_kind(cells[0].text)[0]:  # 年度总体目标 | 年初设定目标 | X
        cells = cells[1:]
    text = "\n".join(c.text for c in cells)
    return text or None


def text_to_main_functions(text: str | None) -> list[MainFunction]:
    """'(一) …\n(二) …' to numbered items; the enumerators go, seq keeps the order."""
    if not text:
        return []
    items = [line for line in text.splitlines() if line.strip()]
    # Items run together when a line break was lost: split again at every "(二)", "(三)" … that
    # follows its predecessor in sequence.
    split: list[str] = []
    for item in items:
        split += _split_at_numbered(item)
    items = split
    return [
        MainFunction(seq=i, text=without_enumerator(item)) for i, item in enumerate(items, start=1)
    ]


def _split_at_numbered(text: str) -> list[str]:
    marks = list(_ENUMERATOR_ANYWHERE.finditer(text))
    numbers = [to_number(m.group().strip("()（） "), chinese=True) for m in marks]
    cuts = [
        m.start()
        for k, m in enumerate(marks)
        if k > 0 and m.start() > 0 and numbers[k] == (numbers[k - 1] or 0) + 1
    ]
    bounds = [0, *cuts, len(text)]
    pieces = (text[a:b].strip() for a, b in itertools.pairwise(bounds))
    return [p for p in pieces if p]


def text_to_staffing(text: str | None) -> Staffing:
    if not text:
        return Staffing()
    values: dict[str, int] = {}
    for name, pattern in dictionaries.load("sections")["staffing_patterns"].items():
        m = re.search(pattern, text)
        if m:
            values[name] = int(m.group(1))
    return Staffing(**values)
