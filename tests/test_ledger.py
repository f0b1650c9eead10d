"""The ledger: every non-empty table cell ends in the filing, as a recognised label or
furniture, or in a `cell_not_read` finding that quotes it. Never in silence."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import SAMPLES, SEED
from jixiao import codes
from jixiao.extract import RawDocument, Table, extract_bytes, extract_file
from jixiao.normalize import Filing, NormalizeError, normalize_document
from jixiao.normalize.ledger import Ledger, is_furniture

# Every sample that is a filing (the bad inputs and archives are tested elsewhere); scans are
# left out here because OCR is slow (tests/test_scan.py checks their ledgers).
READABLE = sorted(
    p
    for folder in ("filings", "office", "pdf", "web", "encodings", "parts", "forms", "text_exports")
    for p in (SAMPLES / folder).iterdir()
    if p.is_file() and p.suffix != ".xls" and "scan" not in p.name
)


def _unread_quoted(filing: Filing) -> list[str]:
    return [f.message for f in filing.findings if f.code == codes.CELL_NOT_READ]


def _balance(doc: RawDocument, filings: list[Filing]) -> None:
    """read + reported = all, for each filing; and every unread cell is quoted by a finding at
    its location."""
    for filing in filings:
        assert 0 < filing.cells_read <= filing.cells_total
        unread = filing.cells_total - filing.cells_read
        findings = [
            f for f in filing.findings if f.code in (codes.CELL_NOT_READ, codes.PART_NOT_READ)
        ]
        quoted_cells = sum(
            len((f.location or "").split("; ")) for f in findings if f.code == codes.CELL_NOT_READ
        )
        # A finding names at most three locations of its row; it always quotes every cell.
        assert quoted_cells <= unread
        assert (unread == 0) == (not findings)
        if filing.status == "ok":
            assert filing.cells_read == filing.cells_total


@pytest.mark.parametrize("path", READABLE, ids=lambda p: p.name)
def test_every_sample_balances_its_ledger(path: Path) -> None:
    doc = extract_file(path)
    filings = normalize_document(doc)
    _balance(doc, filings)
    # Every sample but the real web forms is read whole. They print a column of 数据项 choices
    # under no header, which no field holds, weights for their 一级 and 二级 levels, which no
    # column holds yet, and under 项目效果 a 理由 label and the scoring options ①–⑤ of each
    # indicator: they must be reported, and nothing else.
    for filing in filings:
        unread = " ".join(_unread_quoted(filing))
        if path.name.startswith("kpi_form_"):
            quoted = re.findall(r"'([^']*)'", unread)
            reported = r"数据项\d|\d+|理由|[①-⑩]"
            assert quoted and all(re.fullmatch(reported, q) for q in quoted), unread
        else:
            assert filing.cells_read == filing.cells_total, unread
    assert sum(f.cells_total for f in filings) == _cells(doc)


@pytest.mark.parametrize("path", sorted((SAMPLES / "real").iterdir()), ids=lambda p: p.name)
def test_real_layouts_balance_their_ledger(path: Path) -> None:
    """The real layouts (not all read whole yet) still account for every cell, once: the
    multi-project summary prints its header row once and gives it to each project's filing."""
    doc = extract_file(path)
    filings = normalize_document(doc)
    _balance(doc, filings)
    assert sum(f.cells_total for f in filings) == _cells(doc)


def _cells(doc: RawDocument) -> int:
    """The document's table cells that hold text."""
    return sum(
        1
        for b in doc.blocks
        if isinstance(b, Table)
        for row in b.rows
        for c in row
        if c.text.strip()
    )


def _seed_lines() -> list[str]:
    return SEED.read_text(encoding="utf-8").splitlines()


def test_deleting_the_header_row_turns_the_rows_into_findings() -> None:
    lines = _seed_lines()
    header = next(k for k, line in enumerate(lines) if line.startswith("一级指标\t"))
    text = "\n".join(lines[:header] + lines[header + 1 :])
    doc = extract_bytes(text.encode("utf-8"), "no_header.txt")
    filing = normalize_document(doc)[0]
    assert filing.status == "partial"
    messages = " ".join(_unread_quoted(filing))
    # The first block's rows (决策 | 目标设定 | 绩效目标合理性 | 合理 | 合理) are quoted.
    for text in ("规划制定健全性", "绩效目标合理性", "预算调整率", "≤10%"):
        assert text in messages
    assert filing.cells_read < filing.cells_total


def test_a_stray_row_in_the_funds_block_is_reported_not_dropped() -> None:
    lines = _seed_lines()
    total = next(k for k, line in enumerate(lines) if "资金总额" in line)
    stray = "\t\t\t备用金说明\t另见附件"
    text = "\n".join([*lines[: total + 1], stray, *lines[total + 1 :]])
    filing = normalize_document(extract_bytes(text.encode("utf-8"), "stray.txt"))[0]
    assert filing.status == "partial"
    assert any("另见附件" in m for m in _unread_quoted(filing))
    assert filing.cells_total - filing.cells_read >= 1


@pytest.mark.parametrize(
    ("text", "furniture"),
    [
        ("单位：万元", True),
        ("金额单位: 万元", True),
        ("（单位：元）", True),
        ("填报人：张三", True),
        ("联系电话：0512-1234567", True),
        ("单位（盖章）", True),
        ("填报单位（盖章）：某市体育局", True),
        ("第 3 页", True),
        ("项目支出", False),
        ("8", False),  # regression: a bare amount was taken for a page number
        ("- 3 -", False),
        ("1/2", False),
        ("单位名称", False),
        ("≥95%", False),
    ],
)
def test_furniture_is_recognised_by_what_it_says(text: str, furniture: bool) -> None:
    assert is_furniture(text) is furniture


def test_a_bare_number_is_a_page_number_only_in_a_row_of_its_own() -> None:
    assert is_furniture("- 3 -", alone=True) and is_furniture("12", alone=True)
    doc = extract_bytes("信息化外包服务费\t11\t22\n- 3 -\t\n".encode(), "t.txt")
    places = Ledger.of(doc.blocks).places
    assert sorted(places.values()) == ["furniture"]


def test_a_cell_keeps_the_first_place_it_is_given() -> None:
    doc = extract_file(SEED)
    ledger = Ledger.of(doc.blocks)
    cell = next(iter(ledger.cells.values()))
    ledger.read([cell], "field")
    ledger.read([cell], "label")
    assert ledger.places[cell.ref] == "field"  # type: ignore[index]
    assert ledger.read_count == 1 + sum(1 for p in ledger.places.values() if p == "furniture")


_HANZI = "的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工"
# Rows a department's export might hold anywhere: junk text, numbers, labels, dashes.
_CELL = st.one_of(
    st.sampled_from(["", "", "说明", "备注", "12.5", "—", "≥95%", "其他", "小计", "合计"]),
    st.text(alphabet=_HANZI, min_size=1, max_size=8),
)


@settings(max_examples=40, deadline=None)
@given(
    at=st.integers(min_value=0, max_value=140),
    rows=st.lists(st.lists(_CELL, min_size=1, max_size=6), min_size=1, max_size=4),
)
def test_inserted_rows_are_read_or_reported(at: int, rows: list[list[str]]) -> None:
    """Rows inserted anywhere in the seed: the ledger still balances, and a filing is `ok` only
    when every cell, the inserted ones too, was read."""
    lines = _seed_lines()
    at = min(at, len(lines))
    inserted = ["\t".join(r) for r in rows]
    text = "\n".join([*lines[:at], *inserted, *lines[at:]])
    doc = extract_bytes(text.encode("utf-8"), "inserted.txt")
    try:
        filings = normalize_document(doc)
    except NormalizeError:
        return
    _balance(doc, filings)


def test_a_group_label_on_a_row_of_its_own_is_read() -> None:
    """Regression: the 绩效指标 cell left of a Guangdong indicator table, printed on a row of
    its own above the header, was reported as not read."""
    lines = _seed_lines()
    header = next(k for k, line in enumerate(lines) if line.startswith("一级指标\t"))
    text = "\n".join([*lines[:header], "\t绩效指标\t", *lines[header:]])
    filing = normalize_document(extract_bytes(text.encode("utf-8"), "group.txt"))[0]
    assert not _unread_quoted(filing)
    assert filing.status == "ok"
