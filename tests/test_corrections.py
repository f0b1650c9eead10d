"""A cell has an identity, not a display string: corrections name a cell by its reference
(its table's position among the document's blocks, its row and column), so a web page with two
tables gets a correction in the one table it names; and no location says `page None`."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from conftest import SAMPLES, SEED
from jixiao.extract import Cell, CellRef, Paragraph, RawDocument, Table, extract_file
from jixiao.load.corrections import check_corrections
from jixiao.normalize import (
    CorrectionsError,
    Filing,
    apply_corrections,
    by_filing,
    load_corrections,
)
from jixiao.pipeline import file_to_filing, file_to_filings, ingest

WEB = SAMPLES / "web" / "dongcheng_education_2024.html"
FIRST_LEVEL3 = "义务教育阶段学校保障数量"  # row 4, cell 3 of the sample's one table


def _two_tables(folder: Path) -> Path:
    """The web sample with a second filing table after it: the same layout, another
    department, so both tables have '义务教育阶段学校保障数量' in row 4, cell 3."""
    page = WEB.read_text(encoding="utf-8")
    start, end = page.index("<table"), page.index("</table>") + len("</table>")
    second = page[start:end].replace("北京市东城区教育委员会", "北京市东城区体育局")
    title = "<h2>北京市东城区体育局2024年部门整体绩效目标申报表</h2>\n<p>（2024年度）</p>\n"
    path = folder / "two_tables.html"
    path.write_text(page[:end] + "\n" + title + second + page[end:], encoding="utf-8")
    return path


def _corrections(folder: Path, sha: str, *rows: tuple[str, str]) -> Path:
    """A corrections file in today's format: one row per (cell, corrected)."""
    path = folder / "fixes.csv"
    lines = ["sha256,cell,corrected,original,who,why"]
    lines += [f'{sha},"{cell}",{text},,王分析,与原件核对' for cell, text in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _first_level3(filing: Filing) -> str:
    return filing.indicators[0].level3


# --- the reference ------------------------------------------------------------------------


def test_a_reference_reads_back_as_written() -> None:
    ref = CellRef(block=6, row=3, col=2)
    assert str(ref) == "table 7, row 4, cell 3"
    assert CellRef.parse(str(ref)) == ref
    paged = CellRef(block=0, row=94, col=1, page=4)
    assert str(paged) == "page 4, table 1, row 95, cell 2"
    assert CellRef.parse(str(paged)) == paged
    assert CellRef.parse(" Block 7 , row 4, col 3 ") == ref
    for text in (
        "row 1, cell 1",
        "line 79, cell 3",
        "page 4, row 95, cell 2",
        "table 0, row 1, cell 1",
    ):
        assert CellRef.parse(text) is None, text


def test_every_cell_knows_its_table_and_a_part_keeps_the_numbers(tmp_path: Path) -> None:
    doc = extract_file(_two_tables(tmp_path))
    tables = [k for k, b in enumerate(doc.blocks) if isinstance(b, Table)]
    assert len(tables) == 2
    refs = [ref for ref, _ in doc.cells()]
    assert len(refs) == len(set(refs))  # unique in the document
    assert {ref.block for ref in refs} == set(tables)
    second = doc.blocks[tables[1]]
    assert isinstance(second, Table)
    cell = second.rows[3][2]
    assert cell.text == FIRST_LEVEL3
    assert cell.ref == CellRef(tables[1], 3, 2)
    assert cell.location == f"table {tables[1] + 1}, row 4, cell 3" == str(cell.ref)
    # normalize splits a file into parts; a part's cells are still named as in the whole file
    part = replace(doc, blocks=doc.blocks[tables[0] + 1 :])
    assert [ref for ref, _ in part.cells()] == [r for r in refs if r.block == tables[1]]


def test_readers_need_not_know_the_block() -> None:
    doc = RawDocument(
        "x.html",
        "0" * 64,
        "html",
        (Paragraph("标题"), Table(((Cell("a", 0, 0), Cell("b", 0, 1)),), grid=True)),
    )
    assert [(str(ref), cell.text) for ref, cell in doc.cells()] == [
        ("table 2, row 1, cell 1", "a"),
        ("table 2, row 1, cell 2", "b"),
    ]
    assert Cell("a", 0, 0).ref is None  # not in a document yet


# --- corrections key on the reference -----------------------------------------------------


def test_a_correction_in_the_second_table_leaves_the_first_alone(tmp_path: Path) -> None:
    path = _two_tables(tmp_path)
    before = file_to_filings(path)
    assert [_first_level3(f) for f in before] == [FIRST_LEVEL3, FIRST_LEVEL3]
    sha = before[0].source_sha256
    cell = before[1].indicators[0].location  # what findings and the indicators table show
    assert cell is not None and cell != before[0].indicators[0].location
    fixes = load_corrections(_corrections(tmp_path, sha, (cell, "义务教育阶段学校数量")))
    assert fixes[0].ref is not None and fixes[0].ref.row == 3 and fixes[0].ref.col == 2

    after = file_to_filings(path, corrections=by_filing(fixes))
    assert [_first_level3(f) for f in after] == [FIRST_LEVEL3, "义务教育阶段学校数量"]
    applied = [g for f in after for g in f.findings if g.code == "correction_applied"]
    assert len(applied) == 1 and applied[0].location == cell
    assert "王分析" in applied[0].message
    # everything else is as it was
    for got, want in zip(after, before, strict=True):
        assert got.indicators[1:] == want.indicators[1:]
        assert got.fund_lines == want.fund_lines


def test_a_location_two_tables_share_is_not_applied_but_explained(tmp_path: Path) -> None:
    """A file written before cells had references says `location: row 4, cell 3`; on a page
    with two tables that is two cells, so it lands on neither and the finding lists both."""
    path = _two_tables(tmp_path)
    doc = extract_file(path)
    fixes = tmp_path / "old.csv"
    fixes.write_text(
        "sha256,location,corrected,original,who,why\n"
        f'{doc.sha256},"row 4, cell 3",改,{FIRST_LEVEL3},王分析,核对\n',
        encoding="utf-8",
    )
    out = apply_corrections(doc, load_corrections(fixes))
    assert [c.text for _, c in out.cells()] == [c.text for _, c in doc.cells()]
    (note,) = [n for n in out.notes if n.code.startswith("correction")]
    assert note.code == "correction_ambiguous" and note.severity == "warning"
    tables = [k + 1 for k, b in enumerate(doc.blocks) if isinstance(b, Table)]
    for k in tables:
        assert f"table {k}, row 4, cell 3" in note.message


def test_an_old_style_location_still_lands_where_it_names_one_cell(tmp_path: Path) -> None:
    sha = file_to_filing(WEB).source_sha256
    fixes = tmp_path / "old.yaml"
    fixes.write_text(
        "corrections:\n"
        f"  - {{sha256: {sha}, location: 'row 4, cell 3', corrected: 学校数量, who: 王,"
        " why: 核对}\n",
        encoding="utf-8",
    )
    corrections = load_corrections(fixes)
    assert corrections[0].ref is None and corrections[0].location == "row 4, cell 3"
    (filing,) = file_to_filings(WEB, corrections=by_filing(corrections))
    assert _first_level3(filing) == "学校数量"
    (applied,) = [g for g in filing.findings if g.code == "correction_applied"]
    assert "table 4, row 4, cell 3" in applied.message  # tells the reference to write now


def test_text_exports_take_a_line_or_a_reference(tmp_path: Path) -> None:
    filing = file_to_filing(SEED)
    indicator = next(i for i in filing.indicators if i.level3 == "固定资产利用率")
    doc = extract_file(SEED)
    ref = next(r for r, c in doc.cells() if c.location == indicator.location)
    for cell in (indicator.location or "", str(ref)):
        fixes = load_corrections(_corrections(tmp_path, doc.sha256, (cell, "固定资产使用率")))
        fixed = apply_corrections(doc, fixes)
        changed = [
            (r, c.text)
            for (r, c), (_, was) in zip(fixed.cells(), doc.cells(), strict=True)
            if c != was
        ]
        assert changed == [(ref, "固定资产使用率")], cell


def test_a_reference_on_the_wrong_page_or_past_the_table_is_not_applied(tmp_path: Path) -> None:
    doc = extract_file(WEB)
    (k,) = [k for k, b in enumerate(doc.blocks) if isinstance(b, Table)]
    for cell in (f"page 2, table {k + 1}, row 4, cell 3", f"table {k + 1}, row 99, cell 1"):
        out = apply_corrections(
            doc, load_corrections(_corrections(tmp_path, doc.sha256, (cell, "x")))
        )
        assert out.blocks == doc.blocks
        assert [n.code for n in out.notes] == ["correction_not_applied"]


def test_a_paragraph_is_named_by_its_position(tmp_path: Path) -> None:
    doc = extract_file(WEB)
    title = next(b for b in doc.blocks if isinstance(b, Paragraph) and "申报表" in b.text)
    assert title.location == f"paragraph {(title.block or 0) + 1}"
    fixes = load_corrections(_corrections(tmp_path, doc.sha256, (title.location, "新标题")))
    out = apply_corrections(doc, fixes)
    assert [b.text for b in out.blocks if isinstance(b, Paragraph)].count("新标题") == 1


def test_a_corrections_file_without_a_cell_names_the_row(tmp_path: Path) -> None:
    fixes = tmp_path / "fixes.csv"
    fixes.write_text(f"sha256,cell,corrected,who,why\n{'0' * 64},,x,王,核对\n", encoding="utf-8")
    with pytest.raises(CorrectionsError, match=r"fixes.csv, row 2: cell missing"):
        load_corrections(fixes)


def test_check_lists_a_shared_location_and_not_a_reference(db_url: str, tmp_path: Path) -> None:
    path = _two_tables(tmp_path)
    filings = file_to_filings(path)
    sha, cell = filings[0].source_sha256, filings[1].indicators[0].location or ""
    fixes = tmp_path / "fixes.yaml"
    fixes.write_text(
        "corrections:\n"
        f"  - {{sha256: {sha}, cell: '{cell}', corrected: 学校数量, who: 王, why: 核对}}\n"
        f"  - {{sha256: {sha}, location: 'row 4, cell 3', corrected: y, who: 李, why: 旧}}\n",
        encoding="utf-8",
    )
    corrections = load_corrections(fixes)
    ingest([path], db_url, corrections=corrections)
    stale = check_corrections(db_url, corrections)
    assert [(s.correction.location, s.reason) for s in stale] == [
        ("row 4, cell 3", "several cells have this location: name the cell by its reference")
    ]


# --- no `page None` -----------------------------------------------------------------------


def test_locations_without_a_page_say_something_true() -> None:
    assert Paragraph("x").location == "paragraph"
    assert Paragraph("x", line=3).location == "line 3"
    assert Paragraph("x", page=2, block=4).location == "page 2, paragraph 5"
    assert Paragraph("x", block=4).location == "paragraph 5"
    assert Cell("x", 0, 1).location == "row 1, cell 2"
    assert Cell("x", 0, 1, block=2).location == "table 3, row 1, cell 2"
    assert Cell("x", 0, 1, page=2, block=2).location == "page 2, row 1, cell 2"
    assert Cell("x", 0, 1, line=9, block=2).location == "line 9, cell 2"


OFFICE = sorted(
    p for p in (SAMPLES / "office").iterdir() if p.suffix in (".docx", ".xlsx", ".html")
)


@pytest.mark.parametrize(
    "path",
    [*OFFICE, WEB],
    ids=lambda p: p.name,
)
def test_office_and_web_findings_never_say_none(path: Path, tmp_path: Path) -> None:
    filings = file_to_filings(path)
    sha = filings[0].source_sha256
    doc = extract_file(path)
    paragraph = next(b for b in doc.blocks if isinstance(b, Paragraph))
    fixes = _corrections(
        tmp_path, sha, (paragraph.location, paragraph.text), ("table 99, row 1, cell 1", "x")
    )
    filings = file_to_filings(path, corrections=by_filing(load_corrections(fixes)))
    assert all(f.status != "failed" for f in filings)
    said = [(g.location or "", g.message) for f in filings for g in f.findings]
    said += [(i.location or "", "") for f in filings for i in f.indicators]
    said += [(line.location or "", "") for f in filings for line in f.fund_lines]
    assert {"correction_applied", "correction_not_applied"} <= {
        g.code for f in filings for g in f.findings
    }
    assert not [s for s in said if "None" in s[0] or "None" in s[1]]
