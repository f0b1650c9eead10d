"""Only performance tables become filings. A 部门决算 or 单位预算 disclosure (收支总表, 收入决算表,
…) holds tables and mentions 绩效目标, but no indicator table: it is refused with not_a_filing
and a message saying what it is. A letter about performance tables is not one either; a file
holding a performance table among budget tables gives that filing alone.

The samples in samples/negatives/ are pages cut from real disclosures (see its README); the
expected kinds and table titles below were read off those pages by hand."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import SAMPLES
from jixiao import codes
from jixiao.extract import Cell, Paragraph, RawDocument, Table, extract_file
from jixiao.normalize import NormalizeError, normalize_document
from jixiao.pipeline import file_to_filings

NEGATIVES = SAMPLES / "negatives"


@pytest.mark.parametrize(
    ("name", "says"),
    [
        (
            "final_accounts_3pages.pdf",
            ["部门决算", "final accounts", "收入支出决算总表", "收入决算表"],
        ),
        ("unit_budget_3pages.pdf", ["单位预算", "budget", "财务收支预算总表", "收入预算总表"]),
        ("unit_budget_check.xlsx", ["单位预算", "2026年度普陀区单位预算公开情况检查表"]),
    ],
)
def test_a_budget_disclosure_is_not_a_filing(name: str, says: list[str]) -> None:
    doc = extract_file(NEGATIVES / name)
    with pytest.raises(NormalizeError) as raised:
        normalize_document(doc)
    assert raised.value.code == codes.NOT_A_FILING
    message = str(raised.value)
    for words in [*says, "holds no performance table"]:
        assert words in message


def test_the_batch_records_a_disclosure_as_failed() -> None:
    filings = file_to_filings(NEGATIVES / "unit_budget_3pages.pdf")
    assert [(f.status, [x.code for x in f.findings]) for f in filings] == [
        ("failed", [codes.NOT_A_FILING])
    ]


def _row(row: int, *texts: str) -> tuple[Cell, ...]:
    return tuple(Cell(text=t, row=row, col=k) for k, t in enumerate(texts))


def _table(*rows: tuple[str, ...]) -> Table:
    return Table(rows=tuple(_row(k, *r) for k, r in enumerate(rows)), grid=True)


def _doc(*blocks: Paragraph | Table) -> RawDocument:
    return RawDocument(source_path="t.pdf", sha256="0", source_format="pdf", blocks=blocks)


def test_a_letter_about_performance_tables_is_not_one() -> None:
    doc = _doc(
        Paragraph("关于报送2024年度部门整体绩效目标表的函"),
        Paragraph("附件：2024年度部门整体绩效目标表（纸质件另送）"),
        _table(("单位名称", "某局"), ("项目", "预算数"), ("资金总额", "100")),
    )
    with pytest.raises(NormalizeError) as raised:
        normalize_document(doc)
    assert raised.value.code == codes.NOT_A_FILING


_FILING = (
    Paragraph("2024年度部门整体绩效目标表"),
    _table(
        ("单位名称", "甲局"),
        ("一级指标", "二级指标", "三级指标", "指标值"),
        ("产出", "数量指标", "培训人次", "≥100人次"),
        ("满意度", "服务对象满意度", "群众满意度", "≥90%"),
    ),
)


def test_budget_tables_after_a_filing_give_no_filing_of_their_own() -> None:
    # a spreadsheet's second sheet: its title in a row of one cell
    budget = (
        _table(
            ("2024年度部门财政拨款收支总表",),
            ("部门名称", "乙局"),
            ("收入", "支出"),
            ("财政拨款", "200"),
            ("合计", "200"),
        ),
    )
    filings = normalize_document(_doc(*_FILING, *budget))
    assert [(f.department, len(f.indicators)) for f in filings] == [("甲局", 2)]
    skipped = [f for f in filings[0].findings if f.code == codes.PART_NOT_READ]
    assert len(skipped) == 1 and "8 table cells" in skipped[0].message
    # every cell of the file is accounted for: the filing's own, and the part reported
    assert filings[0].cells_total == 2 + 4 + 4 + 4 + 1 + 2 + 2 + 2 + 2
    # the part's 8 cells are reported by part_not_read, never counted read
    unread = [f for f in filings[0].findings if f.code == codes.CELL_NOT_READ]
    assert filings[0].cells_read == filings[0].cells_total - 8 - len(unread)


def test_the_sample_pages_are_small(tmp_path: Path) -> None:
    assert sum(p.stat().st_size for p in NEGATIVES.iterdir()) < 300_000
