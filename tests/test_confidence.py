"""Confidence that means something (jixiao issue 16, point 4): a filing OCR read says what share
of its cells OCR was unsure of, every such cell is a finding with its reference, text and score,
and the report lists them lowest score first, so a clerk checks those first."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest
from alembic import command
from alembic.config import Config
from sqlalchemy import create_engine, inspect, text

from conftest import SAMPLES, SEED
from jixiao import codes, dictionaries
from jixiao.extract import Cell, CellRef, Paragraph, RawDocument, Table
from jixiao.load import connect, create_schema, write_filing
from jixiao.load.migrate import MIGRATIONS, upgrade
from jixiao.load.report import write_report
from jixiao.normalize import Correction, Filing, apply_corrections, normalize
from jixiao.pipeline import ingest

# (text, OCR score) per cell; the table is the document's second block, on page 1.
ROWS: list[list[tuple[str, float | None]]] = [
    [("单位名称", 0.99), ("某局", 0.62)],
    [(t, 0.97) for t in ("一级指标", "二级指标", "三级指标", "半年指标值", "全年指标值")],
    [("决策", 0.95), ("预算编制", 0.95), ("预算执行率", 0.41), ("≥95%", 0.55), ("≥100%", 0.9)],
    [("", None), ("", None), ("支付进度符合率", 0.8), ("=100%", 0.79), ("=100%", 0.97)],
]
NON_EMPTY = 15
UNSURE = {  # reference -> (text, score): the cells under 0.8
    "page 1, table 2, row 1, cell 2": ("某局", 0.62),
    "page 1, table 2, row 3, cell 3": ("预算执行率", 0.41),
    "page 1, table 2, row 3, cell 4": ("≥95%", 0.55),  # target values: warnings
    "page 1, table 2, row 4, cell 4": ("=100%", 0.79),
}
VALUES = {"page 1, table 2, row 3, cell 4", "page 1, table 2, row 4, cell 4"}


def _doc(sha: str = "0" * 64, *, ocr: bool = True) -> RawDocument:
    rows = tuple(
        tuple(
            Cell(t, r, k, page=1, confidence=score if ocr else None)
            for k, (t, score) in enumerate(row)
        )
        for r, row in enumerate(ROWS)
    )
    fmt = "pdf-scanned" if ocr else "pdf"
    return RawDocument(f"{sha[:4]}.pdf", sha, fmt, (Paragraph("2024年度", page=1), Table(rows)))


def _unsure(filing: Filing) -> dict[str, tuple[str, float | None]]:
    return {
        f.location or "": (f.severity, f.confidence)
        for f in filing.findings
        if f.code == codes.OCR_LOW_CONFIDENCE
    }


def test_the_threshold_is_data() -> None:
    assert dictionaries.load("ocr")["low_confidence"] == 0.8


def test_a_filing_read_by_ocr_counts_its_unsure_cells_and_reports_each() -> None:
    filing = normalize(_doc())
    assert filing.ocr_cells == NON_EMPTY == filing.cells_total
    # 支付进度符合率 at exactly 0.8 is not under the threshold
    assert filing.ocr_low_confidence_share == round(len(UNSURE) / NON_EMPTY, 4)
    found = _unsure(filing)
    assert found == {
        ref: ("warning" if ref in VALUES else "info", score) for ref, (_, score) in UNSURE.items()
    }
    for finding in filing.findings:
        if finding.code == codes.OCR_LOW_CONFIDENCE:
            text_, score = UNSURE[finding.location or ""]
            assert f"'{text_}'" in finding.message and finding.location in finding.message
            assert f"{score:.2f}" in finding.message
        else:
            assert finding.confidence is None, finding
    # The value warnings still name their indicator.
    warning = next(f for f in filing.findings if f.location == "page 1, table 2, row 3, cell 4")
    assert "预算执行率" in warning.message


def test_a_filing_not_read_by_ocr_has_no_share() -> None:
    filing = normalize(_doc(ocr=False))
    assert (filing.ocr_cells, filing.ocr_low_confidence_share) == (None, None)
    assert not _unsure(filing)


def test_a_corrected_cell_is_no_longer_an_ocr_reading() -> None:
    """A person checked it: confirmed as read (same text) or corrected, it carries no score, so
    it leaves the list and the count; its reference is what the finding printed."""
    doc = _doc()
    fixes = [
        Correction(doc.sha256, ref, corrected, "王分析", "与原件核对", ref=CellRef.parse(ref))
        for ref, corrected in (
            ("page 1, table 2, row 3, cell 3", "预算执行率"),  # confirmed
            ("page 1, table 2, row 3, cell 4", "≥96%"),  # corrected
        )
    ]
    filing = normalize(apply_corrections(doc, fixes))
    assert set(_unsure(filing)) == {
        "page 1, table 2, row 1, cell 2",
        "page 1, table 2, row 4, cell 4",
    }
    assert filing.ocr_cells == NON_EMPTY - 2
    assert filing.ocr_low_confidence_share == round(2 / (NON_EMPTY - 2), 4)
    assert filing.indicators[0].targets[0].raw == "≥96%"
    applied = [f for f in filing.findings if f.code == codes.CORRECTION_APPLIED]
    assert len(applied) == 2


# --- the database and the report --------------------------------------------------------------


def _rows(url: str, sql: str) -> list[tuple[object, ...]]:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return [tuple(r) for r in conn.execute(text(sql))]
    finally:
        engine.dispose()


def _section_tables(page: str, heading: str) -> list[list[list[str]]]:
    """The tables under the h2 holding `heading`, as rows of cell texts."""
    start = page.index(heading)
    end = page.find("<h2>", start)
    section = page[start : end if end > 0 else len(page)]
    tables = []
    for table in re.findall(r"<tbody>(.*?)</tbody>", section, flags=re.S):
        rows = re.findall(r"<tr>(.*?)</tr>", table, flags=re.S)
        tables.append(
            [[html.unescape(c) for c in re.findall(r"<td[^>]*>(.*?)</td>", row)] for row in rows]
        )
    return tables


def test_the_report_lists_the_least_sure_cells_first(db_url: str, tmp_path: Path) -> None:
    engine = connect(db_url)
    create_schema(engine)
    second = _doc("1" * 64)  # another scan, whose 某局 is the least sure cell of all
    rows = [[(t, 0.3 if t == "某局" else s) for t, s in row] for row in ROWS]
    second = RawDocument(
        second.source_path,
        second.sha256,
        second.source_format,
        (
            Paragraph("2024年度", page=1),
            Table(
                tuple(
                    tuple(Cell(t, r, k, page=1, confidence=s) for k, (t, s) in enumerate(row))
                    for r, row in enumerate(rows)
                )
            ),
        ),
    )
    for doc in (_doc(), second, _doc("2" * 64, ocr=False)):
        write_filing(engine, normalize(doc), "test")
    engine.dispose()
    got = _rows(
        db_url,
        "SELECT source_sha256, ocr_cells, ocr_low_confidence_share FROM filings ORDER BY 1",
    )
    assert got == [("0" * 64, 15, 0.2667), ("1" * 64, 15, 0.2667), ("2" * 64, None, None)]
    scores = _rows(
        db_url,
        f"SELECT confidence FROM findings WHERE code = '{codes.OCR_LOW_CONFIDENCE}' "
        "ORDER BY confidence",
    )
    assert [s for (s,) in scores] == sorted([0.3, 0.62] + [0.41, 0.55, 0.79] * 2)

    out = write_report(db_url, tmp_path / "report.html")
    page = out.read_text(encoding="utf-8")
    filings, cells = _section_tables(page, "Cells OCR was least sure of")
    assert [r[0] for r in filings] == ["0000.pdf", "1111.pdf"]  # the text filing is not listed
    assert [r[2:] for r in filings] == [["15", "26.7%"]] * 2
    listed = [(r[0], r[1], r[3]) for r in cells]
    assert listed == [
        ("0.30", "1111.pdf", "page 1, table 2, row 1, cell 2"),
        ("0.41", "0000.pdf", "page 1, table 2, row 3, cell 3"),
        ("0.41", "1111.pdf", "page 1, table 2, row 3, cell 3"),
        ("0.55", "0000.pdf", "page 1, table 2, row 3, cell 4"),
        ("0.55", "1111.pdf", "page 1, table 2, row 3, cell 4"),
        ("0.62", "0000.pdf", "page 1, table 2, row 1, cell 2"),
        ("0.79", "0000.pdf", "page 1, table 2, row 4, cell 4"),
        ("0.79", "1111.pdf", "page 1, table 2, row 4, cell 4"),
    ]
    for row in cells:  # and their text, for the clerk to find
        assert f"'{UNSURE[row[3]][0]}'" in row[4]
    # Before the report's other sections: the clerk's first stop.
    assert page.index("Cells OCR was least sure of") < page.index("Findings by code")


def test_the_report_of_an_older_database_says_to_upgrade(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'old.db'}"
    engine = connect(url)
    upgrade(engine, "0006")
    engine.dispose()
    page = write_report(url, tmp_path / "report.html").read_text(encoding="utf-8")
    assert "jixiao db upgrade" in page and "Findings by code" in page


# --- migration 0007 -----------------------------------------------------------------------------


def _downgrade(url: str, revision: str) -> None:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    engine = connect(url)
    with engine.connect() as conn:
        if engine.dialect.name == "sqlite":
            conn.exec_driver_sql("PRAGMA foreign_keys = OFF")
            conn.commit()
        with conn.begin():
            config.attributes["connection"] = conn
            command.downgrade(config, revision)
    engine.dispose()


def test_migration_adds_the_scores_and_keeps_old_rows_null(db_url: str) -> None:
    engine = connect(db_url)
    upgrade(engine, "0006")
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO filings (source_path, source_sha256, source_format, status, "
                "pipeline_version, ingested_at) VALUES ('old.pdf', 'abc', 'pdf-scanned', "
                "'partial', '0.0', CURRENT_TIMESTAMP)"
            )
        )
        conn.execute(
            text(
                "INSERT INTO findings (filing_id, severity, code, message, location) "
                "SELECT id, 'warning', 'ocr_low_confidence', 'old', 'page 1, row 1, cell 1' "
                "FROM filings"
            )
        )
    upgrade(engine)
    engine.dispose()
    assert _rows(db_url, "SELECT ocr_cells, ocr_low_confidence_share FROM filings") == [
        (None, None)
    ]
    assert _rows(db_url, "SELECT message, confidence FROM findings") == [("old", None)]
    # New rows land in the new columns beside the old ones.
    engine = connect(db_url)
    write_filing(engine, normalize(_doc()), "test")
    engine.dispose()
    assert _rows(db_url, "SELECT min(confidence) FROM findings") == [(0.41,)]
    # And the downgrade takes the columns away again, rows kept.
    _downgrade(db_url, "0006")
    engine = create_engine(db_url)
    columns = {
        t: {c["name"] for c in inspect(engine).get_columns(t)} for t in ("filings", "findings")
    }
    engine.dispose()
    assert not {"ocr_cells", "ocr_low_confidence_share"} & columns["filings"]
    assert "confidence" not in columns["findings"]
    assert _rows(db_url, "SELECT count(*) FROM filings") == [(2,)]
    assert _rows(db_url, "SELECT count(*) FROM filing_findings") == [(2,)]  # views still there


# --- a real scan ------------------------------------------------------------------------------


@pytest.mark.slow  # OCR of a page
def test_a_scan_reports_its_share_and_a_text_filing_none(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'j.db'}"
    scan = SAMPLES / "scans" / "suzhou_commerce_2024_seed.page2.jpg"
    summary = ingest([scan, SEED], url)
    assert summary.failed == 0
    got = {
        fmt: share
        for fmt, share in _rows(url, "SELECT source_format, ocr_low_confidence_share FROM filings")
    }
    assert got["text"] is None
    share = got["image"]
    assert isinstance(share, float) and 0 <= share <= 1
    [(cells, unsure)] = _rows(
        url,
        "SELECT f.ocr_cells, (SELECT count(*) FROM findings g WHERE g.filing_id = f.id AND "
        f"g.code = '{codes.OCR_LOW_CONFIDENCE}' AND g.confidence < 0.8) FROM filings f "
        "WHERE f.source_format = 'image'",
    )
    assert isinstance(cells, int) and cells > 100
    assert unsure == round(share * cells)
