"""Split a RawDocument's stream of rows into the parts of a filing: header fields, the funds
block, and the indicator table (its header rows, data rows and lone 一级 labels)."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field, replace
from functools import cache
from typing import Literal, TypeAlias

from jixiao import dictionaries
from jixiao.extract import Block, Cell, Paragraph, RawDocument, Table

from .columns import PERIODS, header_roles, header_to_columns, subcolumn_role
from .text import fold, is_placeholder

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
    labels: list[Cell] = field(default_factory=list)  # label cells that hold no value themselves
    # Labelled text beside header, funds and indicators (评价结论 | …, 立项依据 | …): each label
    # cell with the value cells after it.
    remarks: list[tuple[Cell, list[Cell]]] = field(default_factory=list)


def nonempty(row: Row) -> list[Cell]:
    return [c for c in row if c.text]


def first_text(row: Row) -> str:
    cells = nonempty(row)
    return cells[0].text if cells else ""


# Columns only an indicator row has, beside its target: with a target column and 指标名称 they
# tell an indicator table without level columns from a list of names.
_INDICATOR_VALUE_ROLES = {"unit", "weight", "score", "nature", "score_rate", "comparator"}


def is_indicator_header(row: Row) -> bool:
    """A row naming the 三级指标 column and the 一级指标 or 二级指标 column (sections.yaml
    indicator_columns), however printed: `一級 指標`, split over cells, fused with the first
    data row (`columns.read_header`). A table without level columns (指标名称 | 计量单位 |
    年初指标值 | 全年完成值 | 指标权重, Chongqing's self-evaluation) is one when beside its 指标名称
    it names a target column and one more column an indicator has."""
    roles = header_roles(row)
    if "level3" not in roles:
        return False
    if roles & {"level1", "level2"}:
        return True
    return bool(roles & set(PERIODS)) and bool(roles & _INDICATOR_VALUE_ROLES)


# A label's leading number: 1.项目年度目标, 2、实施内容, (三)存在问题.
_ENUMERATOR = re.compile(
    r"^\s*[(（]\s*[一二三四五六七八九十百\d]+\s*[)）]\s*|^\s*(?:\d+|[一二三四五六七八九十]+)\s*[.、．]\s*"
)


def without_enumerator(text: str) -> str:
    """A label or item without its leading number: 1.项目年度目标, 二、实施内容, (三)存在问题."""
    return _ENUMERATOR.sub("", text).strip()


def label_to_field(text: str) -> str | None:
    """A header label ('单位名称', '主管部门', '中期目标（2024—2026年）') to its field name: the
    longest anchor it starts with, or contains when short (年度目标完成情况 is the actual, not
    the 年度目标), its leading number left out."""
    label = fold(without_enumerator(text))
    if len(label) > 24:
        return None
    found = [
        (len(a), str(name))
        for name, anchors in dictionaries.load("sections")["header_fields"].items()
        for a in (fold(anchor) for anchor in anchors)
        if label.startswith(a) or (a in label and len(label) <= 12)
    ]
    return max(found)[1] if found else None


_GLUED_LABEL_LENGTH = 4  # a label this long is one even with no space before it (X联系电话：)
_LEAD_LENGTH = 40  # a value cell cut at a label is one short line: '广州市司法局　单位：万元'


@cache
def _known_labels() -> tuple[tuple[str, str | None], ...]:
    """Every label a header row may print (NFKC), longest first, with its field: None for a
    label a filing does not use (sections.yaml ignored_labels)."""
    sections = dictionaries.load("sections")
    labels: list[tuple[str, str | None]] = [
        (_nfkc(a), str(name))
        for name, anchors in sections["header_fields"].items()
        for a in anchors
    ]
    labels += [(_nfkc(a), None) for a in sections["ignored_labels"]]
    return tuple(sorted(labels, key=lambda pair: -len(pair[0])))


def _nfkc(text: str) -> str:
    """NFKC character by character where it keeps the length (full-width colon, brackets and
    spaces to ASCII), so that positions in the result are positions in `text`."""
    out = (unicodedata.normalize("NFKC", c) for c in text)
    return "".join(n if len(n) == 1 else c for n, c in zip(out, text, strict=True))


def label_kind(text: str) -> tuple[bool, str | None]:
    """(is a label, its field): a header field's label, or one of the ignored labels (联系人,
    项目分类, …), which is a label of no field. A trailing colon is allowed."""
    name = label_to_field(text)
    if name is not None:
        return True, name
    key = _nfkc("".join(text.split())).rstrip(":")
    return any(key == label for label, field in _known_labels() if field is None), None


def text_to_pairs(text: str) -> tuple[str, list[tuple[str, str]]]:
    """'部门名称：X　单位：万元' -> ('', [('部门名称', 'X'), ('单位', '万元')]); 'X　联系人：Y' ->
    ('X', [('联系人', 'Y')]). A label stands before a colon: all the text before the first colon
    when that is a label, else a known label (header fields, ignored labels) after whitespace
    (or a long one right after a value). The text before the first label is the lead; with no
    label, (text, [])."""
    plain = _nfkc(text)
    cuts: list[tuple[int, int, int]] = []  # label start, label end, value start
    for colon in re.finditer(":", plain):
        begin = cuts[-1][2] if cuts else 0
        before = plain[begin : colon.start()].rstrip()
        start = _label_start(before, whole=not cuts)
        if start is not None:
            cuts.append((begin + start, begin + len(before), colon.end()))
    if not cuts:
        return text, []
    pairs = []
    for k, (start, end, value_start) in enumerate(cuts):
        value_end = cuts[k + 1][0] if k + 1 < len(cuts) else len(text)
        pairs.append((text[start:end].strip(), text[value_start:value_end].strip()))
    return text[: cuts[0][0]].strip(), pairs


def _label_start(before: str, whole: bool) -> int | None:
    if whole and before.strip() and label_kind(before)[0]:
        return len(before) - len(before.lstrip())
    for label, _ in _known_labels():
        if before.endswith(label):
            k = len(before) - len(label)
            if k == 0 or before[k - 1].isspace() or len(label) >= _GLUED_LABEL_LENGTH:
                return k
    return None


def _row_items(row: Row) -> list[tuple[bool, str | None, Cell]]:
    """A header row's cells as (is a label, its field, cell); a cell holding 'label：value'
    pairs is cut into label and value cells (each keeping the cell's place in the table)."""
    items: list[tuple[bool, str | None, Cell]] = []
    current: str | None = None  # the field whose value the next cell is
    for cell in nonempty(row):
        is_label, name = label_kind(cell.text)
        pairs = _cell_pairs(cell.text, current)
        if pairs is None:
            items.append((is_label, name, cell))
            current = name if is_label else current
            continue
        lead, cut = pairs
        if lead:
            items.append((False, None, replace(cell, text=lead)))
        for label, value in cut:
            current = label_kind(label)[1]
            items.append((True, current, replace(cell, text=label)))
            if value:
                items.append((False, None, replace(cell, text=value)))
    return items


def _cell_pairs(text: str, current: str | None) -> tuple[str, list[tuple[str, str]]] | None:
    """The label：value pairs a cell holds, or None when it is one label or one value: a value
    that starts with its own field's label ('机构设置及人员配置 | 机构设置：…') stays whole, and a
    value is cut at a label only when it is one short line."""
    lead, pairs = text_to_pairs(text)
    if not pairs or not (lead or any(value for _, value in pairs)):
        return None
    if current is not None and label_kind(pairs[0][0])[1] == current:
        return None
    if lead and ("\n" in lead or len(lead) > _LEAD_LENGTH):
        return None
    return lead, pairs


def row_to_fields(row: Row) -> dict[str, Row]:
    """'主管部门 | X | 实施单位 | Y' to both fields: each label takes the cells up to the next
    label; 'label：value' pairs in one cell are cut apart. A label of no field (联系人, 项目分类)
    ends the field before it, and a one-cell field (sections.yaml single_cell_fields) takes only
    the cell after its label. Each value is (label cell, value cells…), as `field_value` reads
    it."""
    single = set(dictionaries.load("sections")["single_cell_fields"])
    items = _row_items(row)
    if not items or not items[0][0] or all(name is None for _, name, _ in items):
        return {}
    out: dict[str, list[Cell]] = {}
    current: list[Cell] | None = None
    current_name: str | None = None
    for is_label, name, cell in items:
        if is_label and name is None:
            current = current_name = None
        elif is_label and name not in out:
            assert name is not None
            current, current_name = [cell], name
            out[name] = current
        elif current is not None:
            if current_name in single and len(current) > 1:
                continue
            current.append(cell)
    return {name: tuple(cells) for name, cells in out.items()}


def ignored_pairs(row: Row) -> list[Cell]:
    """The cells of a header row's pairs whose label a filing does not use (联系人 | 李四): read
    as recognised labels, deliberately not stored."""
    out: list[Cell] = []
    ignoring = False
    for is_label, name, cell in _row_items(row):
        if is_label:
            ignoring = name is None
        if ignoring:
            out.append(cell)
    return out


def is_remark_label(text: str) -> bool:
    """A label of labelled text (sections.yaml remark_labels and grade_labels), a trailing colon
    allowed."""
    anchors = dictionaries.load("sections")
    words = {
        fold(w, drop_punct=True) for w in (*anchors["remark_labels"], *anchors["grade_labels"])
    }
    return fold(without_enumerator(text), drop_punct=True) in words


def row_to_remarks(row: Row) -> list[tuple[Cell, list[Cell]]]:
    """A row that starts with a remark label: each label with the value cells up to the next
    label (项目类别 | 本级支出 | 项目性质 | 持续性项目). A merged value repeated is taken once."""
    cells = nonempty(row)
    if not cells or not is_remark_label(cells[0].text):
        return []
    out: list[tuple[Cell, list[Cell]]] = []
    for cell in cells:
        if is_remark_label(cell.text):
            out.append((cell, []))
        elif all(cell.text != c.text for c in out[-1][1]):
            out[-1][1].append(cell)
    return out


def _column_remark_labels(row: Row) -> dict[int, Cell]:
    """A grid row of group words and a remark label whose text stands in its column below (绩效指标
    | 保障绩效目标实现措施 over the indicator table, the measures merged down its last column):
    column -> label."""
    cells = nonempty(row)
    groups = {fold(w) for w in dictionaries.load("sections")["group_labels"]}
    labels = {c.col: c for c in cells if c.col_span is not None and is_remark_label(c.text)}
    words = [c for c in cells if c.col not in labels]
    if not labels or not words or any(fold(c.text) not in groups for c in words):
        return {}  # a remark label alone on its row has its text beside it (row_to_remarks)
    return labels


def _take_column_remarks(
    row: Row, labels: dict[int, Cell]
) -> tuple[Row, list[tuple[Cell, list[Cell]]]]:
    """The row without the text standing under a column remark label, and that text as the
    remark (once: the first text under the label; the label is then used up)."""
    found = [(labels.pop(c.col), [c]) for c in row if c.text and c.col in labels]
    taken = {id(cells[0]) for _, cells in found}
    return tuple(c for c in row if id(c) not in taken), found


def is_group_label(row: Row) -> bool:
    """A row holding only the label of a group of rows printed in a merged cell of its own
    (绩效指标 beside the indicator table, sections.yaml group_labels)."""
    words = {fold(w) for w in dictionaries.load("sections")["group_labels"]}
    return all(fold(c.text) in words for c in nonempty(row))


def column_labels(row: Row) -> list[tuple[str, Cell]] | None:
    """A row of labels only ('总体目标 | 中期目标 | 年度目标'): the fields whose values stand in
    the row below, column by column. The first cell may be a group word."""
    cells = nonempty(row)
    groups = {fold(g) for g in dictionaries.load("sections")["label_groups"]}
    labelled = [(label_to_field(c.text), c) for c in cells[1:]]
    if not labelled or any(name is None for name, _ in labelled):
        return None
    grouped = fold(cells[0].text) in groups
    if len(labelled) < (1 if grouped else 2) or (
        label_to_field(cells[0].text) is None and not grouped
    ):
        return None
    return [(name, c) for name, c in labelled if name is not None]


def _read_values_below(labels: list[tuple[str, Cell]], values: list[Cell], out: Sections) -> None:
    """The row of values under a row of labels, matched from the right. Two columns of one field
    (年初绩效目标 | 全年（调整）绩效目标) give the later, the goal in force, unless it is a
    placeholder (无); the other is kept as a remark under its own label."""
    given: dict[str, tuple[Cell, Cell]] = {}
    for (name, label), value in reversed(
        list(zip(reversed(labels), reversed(values), strict=False))
    ):
        earlier = given.get(name)
        if earlier is not None and is_placeholder(value.text):
            out.remarks.append((label, [value]))
            continue
        if earlier is not None and not is_placeholder(earlier[1].text):
            out.remarks.append((earlier[0], [earlier[1]]))
        given[name] = (label, value)
    out.fields.update(given)


def paragraph_to_fields(paragraph: Paragraph) -> dict[str, Row]:
    """'单位名称：苏州市商务局' printed as a line of text rather than a table row; a line with
    several pairs ('部门名称：X　单位：万元') gives each its own field."""
    lead, pairs = text_to_pairs(paragraph.text)
    if lead or not pairs:
        return {}
    out: dict[str, Row] = {}
    for label_text, value_text in pairs:
        name = label_to_field(label_text)
        if name is None or name in out or not value_text:
            continue
        label = Cell(text=label_text, row=0, col=0, page=paragraph.page, line=paragraph.line)
        value = Cell(text=value_text, row=0, col=1, page=paragraph.page, line=paragraph.line)
        out[name] = (label, value)
    return out


def is_title(text: str) -> bool:
    k = fold(text)
    return len(k) <= 60 and any(
        fold(m) in k for m in dictionaries.load("sections")["title_markers"]
    )


_NAMES = ("department", "project_name")  # the fields that say whose filing this is

Item: TypeAlias = Paragraph | tuple[Table, Row]


def item_fields(item: Item) -> dict[str, Row]:
    if isinstance(item, Paragraph):
        return paragraph_to_fields(item)
    return row_to_fields(item[1])


def named(fields: dict[str, Row]) -> dict[str, str]:
    """The unit and project a header row or line names, folded for comparing."""
    out = {}
    for name in _NAMES:
        row = fields.get(name)
        text = fold("".join(c.text for c in nonempty(row)[1:])) if row else ""
        if text:
            out[name] = text
    return out


def _words(key: str) -> set[str]:
    return {fold(w) for w in dictionaries.load("sections")[key]}


@dataclass
class _Part:
    """What one filing has shown so far, for deciding where the next one starts."""

    names: dict[str, str] = field(default_factory=dict)
    lines: set[str] = field(default_factory=set)  # its paragraphs, folded
    table: bool = False  # a table row seen
    indicators: bool = False  # an indicator header, or a row under a 一级指标, seen
    complete: bool = False  # its indicator table closed (满意度 rows, a 总分 row)

    def take(self, item: Item) -> None:
        if isinstance(item, Paragraph):
            self.lines.add(fold(item.text))
            self.names = {**named(paragraph_to_fields(item)), **self.names}
            self._level1(item.text)
            return
        row = item[1]
        if not nonempty(row):
            return
        self.table = True
        self.names = {**named(row_to_fields(row)), **self.names}
        self.indicators = self.indicators or is_indicator_header(row)
        self._level1(first_text(row))
        summary = {
            fold(w)
            for words in dictionaries.load("sections")["summary_rows"].values()
            for w in words
        }
        if self.indicators and fold(first_text(row)) in summary:
            self.complete = True

    def _level1(self, text: str) -> None:
        key = fold(text)
        if key in _words("level1_names"):
            self.indicators = True
            self.complete = key in _words("closing_level1")

    def names_new(self, names: dict[str, str]) -> bool:
        """A unit or project other than this filing's: one it has not named, or named otherwise."""
        return any(self.names.get(name) != value for name, value in names.items())

    def repeats(self, item: Item) -> bool:
        """A line, or a row naming its unit or project, this filing has: a page's top again."""
        if isinstance(item, Paragraph):
            return fold(item.text) in self.lines
        fields = row_to_fields(item[1])
        names = named(fields)
        return bool(names) and set(fields) <= set(_NAMES) and not self.names_new(names)


def _cut(items: list[Item]) -> tuple[list[int], set[int]]:
    """Where each filing starts among `items`, and the items that are a page's top printed
    again. A title after a table, or a header row after indicator rows, is held until what
    follows says: a new unit or project named, or a header after a complete indicator table,
    starts the next filing there; a row of the table going on makes it a repeated page top."""
    part = _Part()
    starts = [0]
    dropped: set[int] = set()
    held: int | None = None
    for k, item in enumerate(items):
        row = None if isinstance(item, Paragraph) else item[1]
        if row is not None and not nonempty(row):
            continue
        fields = item_fields(item)
        names = named(fields)
        new = (
            (names and part.names_new(names) and (part.indicators or held is not None))
            or (row is not None and is_indicator_header(row) and part.complete)
            or (fields and held is not None and part.complete)
        )
        if new:
            begin = k if held is None else held
            starts.append(begin)
            part, held = _Part(), None
            for earlier in items[begin:k]:
                part.take(earlier)
        elif (
            held is None
            and part.table
            and (
                (isinstance(item, Paragraph) and is_title(item.text))
                or bool(names and part.indicators)
            )
        ):
            held = k
        elif held is not None and row is not None and not fields and len(nonempty(row)) > 1:
            dropped |= {j for j in range(held, k) if part.repeats(items[j])}
            for earlier in items[held:k]:
                part.take(earlier)
            held = None
        if held is None:
            part.take(item)
    # A filing is a table: lines after the last table (填报单位：X under it) stay with it.
    ends = [*starts[1:], len(items)]
    starts = [
        start
        for start, end in zip(starts, ends, strict=True)
        if start == 0
        or any(not isinstance(i, Paragraph) and nonempty(i[1]) for i in items[start:end])
    ]
    return starts, dropped


def document_to_parts(doc: RawDocument) -> list[tuple[Block, ...]]:
    """A file may hold several filings (a department's overall table, then its project tables).
    A new one starts where a new unit or project is named after a table (单位名称, 项目名称), or
    a new indicator table follows a complete one. A title and header rows printed again at the
    top of every page (Excel print titles, Word repeated header rows) continue the filing and
    are dropped."""
    items: list[Item] = []
    for block in doc.blocks:
        if isinstance(block, Paragraph):
            items.append(block)
        else:
            items += [(block, row) for row in block.rows]
    starts, dropped = _cut(items)
    parts: list[tuple[Block, ...]] = []
    for start, end in zip(starts, [*starts[1:], len(items)], strict=True):
        blocks: list[Block] = []
        rows: list[Row] = []
        table: Table | None = None
        for k in range(start, end):
            item = items[k]
            if table is not None and (isinstance(item, Paragraph) or item[0] is not table):
                if rows:
                    blocks.append(replace(table, rows=tuple(rows)))
                table, rows = None, []
            if isinstance(item, Paragraph):
                if k not in dropped:
                    blocks.append(item)
                continue
            table = item[0]
            if k not in dropped:
                rows.append(item[1])
        if table is not None and rows:
            blocks.append(replace(table, rows=tuple(rows)))
        if blocks:
            parts.extend(split_summary(tuple(blocks)))
    return parts


def _project_labels(row: Row) -> dict[int, tuple[str, Cell]]:
    """The project columns of a summary's indicator header (单位名称, 项目名称, 预算数, 年度目标):
    column -> (role, its label cell)."""
    cells = {c.col: c for c in row}
    return {
        c.col: (c.role, cells[c.col])
        for c in header_to_columns(row)
        if c.role.startswith("project_") and c.col in cells
    }


def _read_project_cells(row: Row, labels: dict[int, tuple[str, Cell]], out: Sections) -> Row:
    """A summary row's project cells (merged down the project's rows, so printed on its first)
    into the part's header fields and its one fund line; the rest of the row. A row that names
    a unit and an amount but no project (820-马踏镇部门 | | 8,827,620.53) is the unit's total
    above its projects: the unit is the department, the amount a summary row."""
    mine = {
        labels[c.col][0]: (labels[c.col][1], c) for c in row if c.col in labels and c.text.strip()
    }
    rest = tuple(c for c in row if c.col not in labels)
    if not mine:
        return rest
    if "project_name" not in mine:
        if "project_unit" in mine:
            out.fields.setdefault("department", mine["project_unit"])
        if "project_budget" in mine:
            out.summary["unit_total"] = mine["project_budget"]
        out.labels += [
            c for role, (_, c) in mine.items() if role not in ("project_unit", "project_budget")
        ]
        return rest
    for role, name in (
        ("project_name", "project_name"),
        ("project_unit", "implementing_unit"),
        ("project_goal", "annual_goal"),
    ):
        if role in mine:
            out.fields.setdefault(name, mine[role])
    if "project_unit" in mine:
        out.fields.setdefault("department", mine["project_unit"])
    if "project_budget" in mine:
        out.fund_rows.append(mine["project_budget"])
    return rest


def project_column(row: Row) -> int | None:
    """The 项目名称 column of an indicator header that has one (a summary of projects)."""
    if not is_indicator_header(row):
        return None
    return next((c.col for c in header_to_columns(row) if c.role == "project_name"), None)


def split_summary(blocks: tuple[Block, ...]) -> list[tuple[Block, ...]]:
    """A part whose indicator table lists several projects, each named in its 项目名称 column
    and merged down its rows: one part per project. Each later part has the header row again
    (counted once, on the first: `normalize_document`) and the lines printed before the table
    (the title, 金额单位), which hold no cells."""
    for i, block in enumerate(blocks):
        if not isinstance(block, Table) or not block.grid:
            continue
        found = [
            (h, col) for h, row in enumerate(block.rows) if (col := project_column(row)) is not None
        ]
        if not found:
            continue
        h, col = found[0]
        starts = [
            r
            for r in range(h + 1, len(block.rows))
            if any(c.col == col and c.text.strip() for c in block.rows[r])
        ]
        if len(starts) < 2:
            return [blocks]
        lines = tuple(b for b in blocks[:i] if isinstance(b, Paragraph))
        out = [(*blocks[:i], replace(block, rows=block.rows[: starts[1]]))]
        for a, b in zip(starts[1:], [*starts[2:], len(block.rows)], strict=True):
            out.append((*lines, replace(block, rows=(block.rows[h], *block.rows[a:b]))))
        out[-1] = (*out[-1], *blocks[i + 1 :])
        return out
    return [blocks]


def is_subheader(row: Row) -> bool:
    """A second header row of periods only (中期 | 年度 under 指标值)."""
    cells = nonempty(row)
    return bool(cells) and all(subcolumn_role(c.text) is not None for c in cells)


_UNIT_NOTE = re.compile(r"[(（][^()（）]*[)）]|单位[:：]\S*")


def is_funds_anchor(text: str) -> bool:
    """The cell naming the funds block (部门整体资金（万元）, 年度部门预算（万元）, 项目资金
    （万元）): a word of sections.yaml funds_block, once its unit note is taken off."""
    key = fold(_UNIT_NOTE.sub("", fold(text)), drop_punct=True)
    return key in {fold(w, drop_punct=True) for w in dictionaries.load("sections")["funds_block"]}


@cache
def funds_words() -> frozenset[str]:
    """Cells that only a funds block holds: its section words (收入预算), its column words
    (全年预算数) and the lines every block prints (资金总额, 基本支出: funds.yaml)."""
    anchors, funds = dictionaries.load("sections"), dictionaries.load("funds")
    words = [w for ws in anchors["funds_sections"].values() for w in ws]
    words += [w for ws in anchors["funds_columns"].values() for w in ws]
    words += funds["income"]["totals"] + funds["expenditure"]["top_level"]
    return frozenset(fold(w, drop_punct=True) for w in words)


def starts_funds(row: Row) -> bool:
    """The funds block starts at its anchor cell, or before it where an export prints a merged
    label at the middle of its span: at the first row holding a word only that block holds."""
    words = funds_words()
    return any(
        is_funds_anchor(c.text) or fold(c.text, drop_punct=True) in words for c in nonempty(row)
    )


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
                labelled = paragraph_to_fields(block)
                for name, cells in labelled.items():
                    out.fields.setdefault(name, cells)
                if not labelled:
                    out.paragraphs.append(block)
            continue
        assert isinstance(block, Table)
        column_remarks: dict[int, Cell] = {}  # column -> the remark label standing above it
        projects: dict[int, tuple[str, Cell]] = {}  # a summary's project columns: role, label
        for row in block.rows:
            if not nonempty(row):
                continue
            if is_group_label(row):
                out.labels += nonempty(row)
                continue
            above = _column_remark_labels(row)
            if above:
                out.labels += [c for c in nonempty(row) if c not in above.values()]
                column_remarks.update(above)
                continue
            if column_remarks:
                row, found = _take_column_remarks(row, column_remarks)
                out.remarks += found
            if is_indicator_header(row):
                region = "indicators"
                out.indicator_items.append(IndicatorItem("header", cells=row, grid=block.grid))
                projects = _project_labels(row) if block.grid else {}
                continue
            remarks = row_to_remarks(row)
            if remarks:
                out.remarks += remarks
                continue
            if region == "indicators" and projects:
                row = _read_project_cells(row, projects, out)
                if not nonempty(row):
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
                _read_values_below(pending, nonempty(row), out)
                pending = None
                continue
            labels = column_labels(row)
            if labels is not None:
                pending, region = labels, "header"
                out.labels += nonempty(row)
                continue
            fields = row_to_fields(row)
            ignored = ignored_pairs(row)
            if fields or (region != "funds" and ignored and ignored[0] == nonempty(row)[0]):
                # Also a row of unused pairs only (部门联系人 | 张三 | 联系电话 | …).
                budget = fields.pop("budget", None)
                if budget is not None:
                    out.fund_rows.append(budget)
                out.fields.update(fields)
                out.labels += ignored
                region = "header"
                continue
            if region != "funds" and starts_funds(row):
                region = "funds"
            if region == "funds":
                out.fund_rows.append(row)
    return out
