"""Limits on what an input or a database URL can cost or do (issue 15, points 5-9): large files
hashed in chunks, `extract` under ingest's memory cap, merged ranges bounded by a sheet's cells,
corrections files without YAML aliases (and in GBK), databases from a newer jixiao or not there,
drivers not installed, and `query` read-only however the database is named."""

from __future__ import annotations

import hashlib
import io
import json
import tracemalloc
import zipfile
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, text

from conftest import SAMPLES, SEED, Cli
from jixiao.extract import Table
from jixiao.extract.office import xlsx_to_blocks
from jixiao.load.export import QueryError, query
from jixiao.normalize import CorrectionsError, load_corrections
from jixiao.pipeline import ingest


def _scalar(url: str, sql: str) -> Any:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return conn.execute(text(sql)).scalar_one()
    finally:
        engine.dispose()


# --- large files are hashed in chunks -----------------------------------------------------------


def _sparse(path: Path, size: int) -> Path:
    with path.open("wb") as f:
        f.seek(size - 5)
        f.write(b"tail!")
    return path


def test_hashing_a_large_file_never_holds_it_whole(tmp_path: Path) -> None:
    """Regression: the batch's own process read a whole file to hash it (a touched file; a
    file whose worker hit the memory cap)."""
    from jixiao.work import _sha256_of
    from jixiao.workers import _failed

    big = _sparse(tmp_path / "big.pdf", 50 * 2**20)
    expected = hashlib.sha256(big.read_bytes()).hexdigest()
    tracemalloc.start()
    try:
        assert _sha256_of(big) == expected
        _, (filing,) = _failed(str(big), "memory", "too big")
        assert filing.source_sha256 == expected
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 5 * 2**20


# --- extract under ingest's limits --------------------------------------------------------------


@pytest.mark.slow  # a worker process
def test_extract_applies_the_memory_cap(tmp_path: Path, cli: Cli) -> None:
    """Regression: `jixiao extract` read the file in its own process, with no cap at all."""
    scan = SAMPLES / "scans" / "suzhou_commerce_2024_word.scan.pdf"  # OCR: busy for seconds
    result = cli("extract", str(scan), "--max-memory", "1", "--json")
    assert result.returncode == 1
    filing = json.loads(result.stdout)
    assert [f["code"] for f in filing["findings"]] == ["memory"]
    assert "memory cap (1 MB)" in filing["findings"][0]["message"]


def test_extract_takes_ingests_limits(cli: Cli) -> None:
    result = cli("extract", str(SEED), "--timeout", "120", "--max-memory", "4096", "--json")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["status"] == "ok"


# --- merged ranges are bounded by the cells a sheet holds ----------------------------------------


def _xlsx_merging(ref: str) -> bytes:
    """A sheet with a 3-row, 2-column table whose merge A1:B1 is rewritten to `ref` (openpyxl
    itself would fill a large merge cell by cell while writing it)."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for row in (["标题", None], ["一级指标", "二级指标"], ["产出指标", "数量指标"]):
        sheet.append(row)
    sheet.merge_cells("A1:B1")
    written = io.BytesIO()
    book.save(written)
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(written.getvalue())) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for info in source.infolist():
            data = source.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                assert b'ref="A1:B1"' in data
                data = data.replace(b'<mergeCell ref="A1:B1"', f'<mergeCell ref="{ref}"'.encode())
            target.writestr(info, data)
    return out.getvalue()


def _cells(blocks: tuple[Any, ...]) -> list[Any]:
    return [c for b in blocks if isinstance(b, Table) for row in b.rows for c in row]


def test_a_huge_merged_range_covers_only_the_sheets_cells() -> None:
    """Regression: openpyxl filled a merged range cell by cell, so a 5 KB file merging
    A1:XFD1048576 asked for 17 billion cells and never finished. The smallest case comes
    first: on the old code it fails at once, without the wait."""
    for ref in ("B2:Z2000", "A1:Z100000", "A1:XFD1048576", "C1:XFD1048576", "A4:XFD1048576"):
        data = _xlsx_merging(ref)
        assert len(data) < 20_000
        blocks = xlsx_to_blocks(data)
        cells = _cells(blocks)
        assert len(cells) <= 3 * 2, ref
        for cell in cells:
            assert cell.row + (cell.row_span or 1) <= 3, ref
            assert cell.col + (cell.col_span or 1) <= 2, ref
    # B2:Z2000 is cut to B2:B3 (hiding B3, as Excel does); a merge that begins past the cells
    # is dropped and the table read whole
    cut = _cells(xlsx_to_blocks(_xlsx_merging("B2:Z2000")))
    assert [(c.text, c.row_span, c.col_span) for c in cut][2:] == [
        ("一级指标", 1, 1),
        ("二级指标", 2, 1),
        ("产出指标", 1, 1),
    ]
    kept = _cells(xlsx_to_blocks(_xlsx_merging("C1:XFD1048576")))
    assert [c.text for c in kept] == ["标题", "", "一级指标", "二级指标", "产出指标", "数量指标"]


def test_overlapping_huge_merges_are_refused_not_expanded() -> None:
    from jixiao.extract import ExtractError

    data = _xlsx_merging('A1:Z5000"/><mergeCell ref="A1:Z5000')
    with pytest.raises(ExtractError, match="merged ranges overlap"):
        xlsx_to_blocks(data)


# --- corrections files --------------------------------------------------------------------------

SHA = "a" * 64


def test_corrections_yaml_refuses_aliases(tmp_path: Path) -> None:
    """Regression: a 1 KB "billion laughs" of nested aliases expanded to gigabytes."""
    aliased = tmp_path / "fixes.yaml"
    aliased.write_text(
        f"- {{sha256: &s {SHA}, cell: 'table 1, row 1, cell 1', corrected: x, who: 王, why: y}}\n"
        "- {sha256: *s, cell: 'table 1, row 1, cell 2', corrected: x, who: 王, why: y}\n",
        encoding="utf-8",
    )
    with pytest.raises(CorrectionsError, match=r"fixes\.yaml, line 2: YAML aliases"):
        load_corrections(aliased)
    laughs = ['a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for k in range(1, 9):
        name, inner = chr(ord("a") + k), chr(ord("a") + k - 1)
        laughs.append(f"{name}: &{name} [{', '.join([f'*{inner}'] * 9)}]")
    laughs.append(
        f"corrections: [{{sha256: {SHA}, cell: 'table 1, row 1, cell 1', corrected: *i, "
        "who: 王, why: y}]"
    )
    bomb = tmp_path / "laughs.yaml"
    bomb.write_text("\n".join(laughs), encoding="utf-8")
    assert bomb.stat().st_size < 1200
    with pytest.raises(CorrectionsError, match="aliases"):
        load_corrections(bomb)


def test_corrections_csv_in_gbk_is_read(tmp_path: Path) -> None:
    """Regression: a CSV saved by Excel on Chinese Windows (GBK) could not be read at all."""
    path = tmp_path / "fixes.csv"
    path.write_bytes(
        f'sha256,cell,corrected,original,who,why\n{SHA},"table 1, row 2, cell 3",≥95%,≥9.5%,'
        "王分析,与原件核对\n".encode("gbk")
    )
    (fix,) = load_corrections(path)
    assert (fix.corrected, fix.original, fix.who, fix.why) == (
        "≥95%",
        "≥9.5%",
        "王分析",
        "与原件核对",
    )


def test_corrections_yaml_mapping_without_the_key_is_an_error(tmp_path: Path) -> None:
    """Regression: a mapping under another key (`fixes:`) gave zero corrections, silently."""
    path = tmp_path / "fixes.yaml"
    path.write_text(
        f"fixes:\n  - {{sha256: {SHA}, cell: 'table 1, row 1, cell 1', corrected: x, "
        "who: 王, why: y}\n",
        encoding="utf-8",
    )
    with pytest.raises(CorrectionsError, match=r"under the key 'corrections:'.*fixes"):
        load_corrections(path)
    path.write_text(path.read_text(encoding="utf-8").replace("fixes:", "corrections:"))
    assert len(load_corrections(path)) == 1


# --- databases: newer, missing, no driver -------------------------------------------------------


def test_a_database_from_a_newer_jixiao_is_refused_clearly(db_url: str, cli: Cli) -> None:
    """Regression: ingest said to run `jixiao db upgrade`, which then failed inside Alembic."""
    assert ingest([SEED], db_url).ok == 1
    engine = create_engine(db_url)
    with engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = 'ffff_from_the_future'"))
    engine.dispose()
    for command in (["ingest", str(SEED)], ["db", "upgrade"]):
        result = cli(*command, "--db", db_url)
        assert result.returncode == 2, (command, result.stderr)
        assert "newer jixiao (schema revision ffff_from_the_future;" in result.stderr
        assert "Upgrade jixiao" in result.stderr and "Traceback" not in result.stderr
    assert _scalar(db_url, "SELECT version_num FROM alembic_version") == "ffff_from_the_future"


def test_db_current_on_a_missing_file_creates_nothing(tmp_path: Path, cli: Cli) -> None:
    """Regression: `db current` made a new empty database and reported 'none'."""
    missing = tmp_path / "missing.db"
    result = cli("db", "current", "--db", f"sqlite:///{missing}")
    assert result.returncode == 2 and result.stdout == ""
    assert f"There is no database at {missing}" in result.stderr
    assert not missing.exists()


def test_db_current_on_a_database(tmp_path: Path, cli: Cli) -> None:
    from jixiao.load.migrate import head

    url = f"sqlite:///{tmp_path / 'j.db'}"
    assert cli("db", "upgrade", "--db", url).returncode == 0
    result = cli("db", "current", "--db", url)
    assert result.returncode == 0 and result.stdout.startswith(head())


def _commands_with_db(tmp_path: Path) -> list[list[str]]:
    fixes = tmp_path / "fixes.csv"
    fixes.write_text("sha256,cell,corrected,who,why\n", encoding="utf-8")
    return [
        ["ingest", str(SEED)],
        ["db", "upgrade"],
        ["db", "current"],
        ["query", "SELECT 1"],
        ["export", "--out", str(tmp_path / "out")],
        ["report", "--out", str(tmp_path / "r.html")],
        ["corrections", "check", str(fixes)],
    ]


@pytest.mark.parametrize(
    ("url", "says"),
    [
        ("mysql+pymysql://u:secret@host/db", "pip install PyMySQL"),
        ("mysql://u@host/db", "pip install mysqlclient"),
        ("postgresql+asyncpg://u@host/db", "asyncio driver"),
        ("frobdb://u@host/db", "does not know the database kind 'frobdb'"),
        ("not a url", "is not a database URL"),
    ],
)
def test_a_url_jixiao_cannot_use_is_one_line_exit_2(
    url: str, says: str, tmp_path: Path, cli: Cli
) -> None:
    """Regression: a driver not installed gave a traceback (ModuleNotFoundError) from every
    command that takes --db; an unknown kind of database was 'unreachable' (exit 3)."""
    for command in _commands_with_db(tmp_path):
        result = cli(*command, "--db", url)
        assert result.returncode == 2, (command, result.stderr)
        assert says in result.stderr, (command, result.stderr)
        assert len(result.stderr.strip().splitlines()) == 1, (command, result.stderr)
        assert "secret" not in result.stderr


# --- query is read-only however the database is named --------------------------------------------


def test_query_on_postgresql_runs_in_a_read_only_transaction(pg_url: str, cli: Cli) -> None:
    """A writable CTE passes the SELECT/WITH check; the transaction jixiao opens refuses it."""
    assert ingest([SEED], pg_url).ok == 1
    before = _scalar(pg_url, "SELECT count(*) FROM findings")
    assert before > 0
    sql = "WITH d AS (DELETE FROM findings RETURNING 1) SELECT count(*) FROM d"
    result = cli("query", sql, "--db", pg_url)
    assert result.returncode == 2 and "read-only transaction" in result.stderr
    with pytest.raises(QueryError):
        query(pg_url, sql)
    assert _scalar(pg_url, "SELECT count(*) FROM findings") == before
    setting = query(pg_url, "SELECT current_setting('transaction_read_only') AS ro")
    assert setting["ro"].tolist() == ["on"]


def test_query_on_sqlite_stays_read_only_in_a_folder_named_with_a_hash(
    tmp_path: Path, cli: Cli
) -> None:
    """Regression: the read-only URI ended its path at a '#': `a#b/jixiao.db` opened a new,
    writable, empty file `a` instead, and the query failed on it."""
    folder = tmp_path / "a#b"
    folder.mkdir()
    url = f"sqlite:///{folder / 'jixiao.db'}"
    assert ingest([SEED], url).ok == 1
    before = sorted(p.name for p in tmp_path.iterdir())
    result = cli("query", "SELECT count(*) AS n FROM findings", "--db", url, "--format", "json")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == [{"n": 3}]
    assert sorted(p.name for p in tmp_path.iterdir()) == before
    for sql in (
        "DELETE FROM findings RETURNING 1",
        "WITH d AS (DELETE FROM findings RETURNING 1) SELECT count(*) FROM d",
    ):
        assert cli("query", sql, "--db", url).returncode == 2
    assert _scalar(url, "SELECT count(*) FROM findings") == 3
