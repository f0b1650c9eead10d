"""The loader on SQLite in a temp dir: the contract's tables, row counts, idempotent re-ingest,
failed files, the view."""

from __future__ import annotations

import shutil
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import create_engine, inspect, text

from conftest import SAMPLES, SEED
from jixiao.pipeline import UsageError, ingest

CONTRACT = {
    "filings": {
        "id",
        "source_path",
        "source_sha256",
        "source_format",
        "doc_type",
        "title",
        "region",
        "fiscal_year",
        "department",
        "project_name",
        "mid_long_term_goal",
        "annual_goal",
        "status",
        "pipeline_version",
        "ingested_at",
    },
    "main_functions": {"filing_id", "seq", "text"},
    "fund_lines": {
        "filing_id",
        "seq",
        "section",
        "parent",
        "name",
        "half_year_plan",
        "full_year_budget",
    },
    "indicators": {
        "id",
        "filing_id",
        "seq",
        "level1",
        "level2",
        "key_task",
        "level3",
        "function_seq",
        "canonical_name",
        "match_score",
        "page",
    },
    "targets": {
        "indicator_id",
        "period",
        "raw",
        "comparator",
        "value",
        "value_max",
        "unit",
        "kind",
        "label",
    },
    "findings": {"filing_id", "severity", "code", "message", "location"},
}


def _counts(url: str) -> dict[str, int]:
    engine = create_engine(url)
    with engine.connect() as conn:
        out = {t: conn.execute(text(f"SELECT count(*) FROM {t}")).scalar_one() for t in CONTRACT}
        out["indicator_targets"] = conn.execute(
            text("SELECT count(*) FROM indicator_targets")
        ).scalar_one()
    engine.dispose()
    return out


def test_schema_has_every_contract_column(db_url: str) -> None:
    ingest([SEED], db_url)
    inspector = inspect(create_engine(db_url))
    for table, columns in CONTRACT.items():
        have = {c["name"] for c in inspector.get_columns(table)}
        assert columns <= have, f"{table} lacks {columns - have}"
    assert "indicator_targets" in inspector.get_view_names()
    # One filing per (bytes, part): a file holding several tables gives several rows.
    uniques = inspector.get_unique_constraints("filings")
    assert any(u["column_names"] == ["source_sha256", "part"] for u in uniques)


def test_seed_row_counts(db_url: str) -> None:
    summary = ingest([SEED], db_url)
    assert (summary.files_seen, summary.ok, summary.failed) == (1, 1, 0)
    assert _counts(db_url) == {
        "filings": 1,
        "main_functions": 15,
        "fund_lines": 28,
        "indicators": 69,
        "targets": 138,
        "findings": 3,
        "indicator_targets": 138,
    }


def test_reingest_replaces_and_keeps_the_id(db_url: str) -> None:
    ingest([SEED], db_url)
    engine = create_engine(db_url)
    with engine.connect() as conn:
        first_id = conn.execute(text("SELECT id FROM filings")).scalar_one()
    before = _counts(db_url)
    ingest([SEED, SEED], db_url)
    assert _counts(db_url) == before
    with engine.connect() as conn:
        assert conn.execute(text("SELECT id FROM filings")).scalar_one() == first_id


def test_same_bytes_under_another_name_is_one_filing(db_url: str, tmp_path: Path) -> None:
    copy = tmp_path / "copy.txt"
    shutil.copy(SEED, copy)
    ingest([SEED, copy], db_url)
    assert _counts(db_url)["filings"] == 1


def test_failed_files_get_a_row_and_the_rest_still_load(db_url: str) -> None:
    summary = ingest([SAMPLES / "bad", SEED], db_url)
    assert summary.ok == 1 and summary.failed == 6
    assert summary.exit_code == 1
    engine = create_engine(db_url)
    with engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT f.source_path, f.status, g.severity, g.code, g.message FROM filings f "
                "JOIN findings g ON g.filing_id = f.id WHERE f.status = 'failed' "
                "ORDER BY f.source_path"
            )
        ).all()
        assert conn.execute(text("SELECT count(*) FROM indicators")).scalar_one() == 69
    assert [Path(r.source_path).name for r in rows] == [
        "corrupt.pdf",
        "empty.txt",
        "encrypted.pdf",
        "meeting-notice.txt",
        "random-bytes.txt",
        "truncated.pdf",
    ]
    assert {r.code for r in rows} == {
        "corrupt_pdf",
        "empty_file",
        "encrypted_pdf",
        "not_a_filing",
        "not_text",
        "truncated_pdf",
    }
    assert all(r.severity == "error" and len(r.message) > 20 for r in rows)


def test_view_joins_targets_with_their_indicator_and_filing(db_url: str) -> None:
    ingest([SEED], db_url)
    engine = create_engine(db_url)
    with engine.connect() as conn:
        row = conn.execute(
            text(
                "SELECT department, fiscal_year, level1, level2, level3, period, raw, comparator,"
                " value, unit, kind FROM indicator_targets "
                "WHERE level3 = '预算执行率' AND period = 'H1'"
            )
        ).one()
        assert tuple(row) == (
            "苏州市商务局",
            2024,
            "决策",
            "预算编制",
            "预算执行率",
            "H1",
            "=47%",
            "=",
            Decimal("47"),
            "%",
            "quantitative",
        )
        kinds = dict(
            conn.execute(text("SELECT kind, count(*) FROM indicator_targets GROUP BY kind")).all()
        )
        assert sum(kinds.values()) == 138 and kinds["text"] == 6


def test_amounts_survive_the_round_trip(db_url: str) -> None:
    ingest([SEED], db_url)
    engine = create_engine(db_url)
    with engine.connect() as conn:
        total = conn.execute(
            text("SELECT full_year_budget FROM fund_lines WHERE name = '资金总额'")
        ).scalar_one()
        parts = conn.execute(
            text("SELECT sum(full_year_budget) FROM fund_lines WHERE parent = '项目支出'")
        ).scalar_one()
    assert Decimal(str(total)) == Decimal("20948.46")
    assert round(Decimal(str(parts)), 2) == Decimal("16203.50")


def test_missing_path_is_a_usage_error(db_url: str, tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="no such file"):
        ingest([tmp_path / "nowhere"], db_url)


def test_folder_walk_skips_hidden_and_foreign_files(db_url: str, tmp_path: Path) -> None:
    shutil.copy(SEED, tmp_path / "a.txt")
    (tmp_path / ".DS_Store").write_bytes(b"\x00\x01")
    (tmp_path / "notes.md").write_text("# notes")
    summary = ingest([tmp_path], db_url)
    assert summary.files_seen == 1 and summary.ok == 1
    assert sorted((Path(s.path).name, s.reason) for s in summary.skipped) == [
        (".DS_Store", "hidden"),
        ("notes.md", "not a filing's file type"),
    ]


def test_schema_is_made_by_migrations(db_url: str) -> None:
    from jixiao.load import connect
    from jixiao.load.migrate import current, head

    ingest([SEED], db_url)
    assert current(connect(db_url)) == head()


def test_ingest_refuses_an_older_schema_and_db_upgrade_fixes_it(db_url: str) -> None:
    from jixiao.load import connect
    from jixiao.load.migrate import SchemaOutOfDate, current, upgrade
    from jixiao.load.schema import metadata

    engine = connect(db_url)
    metadata.create_all(engine)  # tables as an unversioned jixiao left them
    with pytest.raises(SchemaOutOfDate, match="jixiao db upgrade"):
        ingest([SEED], db_url)
    upgrade(engine)
    assert current(engine) is not None
    assert ingest([SEED], db_url).ok == 1


# --- rows derived from the model ----------------------------------------------------------------


def test_rows_come_from_the_model_and_the_writer_fills_only_keys() -> None:
    from jixiao.load import schema
    from jixiao.load.writer import plan
    from jixiao.normalize import Filing, Finding, FundLine, Indicator, MainFunction, Target

    filled = {
        (schema.filings, Filing): {"pipeline_version", "ingested_at"},
        (schema.main_functions, MainFunction): {"filing_id"},
        (schema.fund_lines, FundLine): {"filing_id"},
        (schema.indicators, Indicator): {"filing_id"},
        (schema.targets, Target): {"indicator_id"},
        (schema.findings, Finding): {"filing_id"},
    }
    for (table, model), want in filled.items():
        read, needed = plan(table, model)
        assert needed == want, table.name
        ids = {"id"} if table.autoincrement_column is not None else set()
        assert {c for c, _ in read} | needed | ids == set(table.c.keys()), table.name
    read, _ = plan(schema.filings, Filing)
    assert dict(read)["staff_admin_quota"] == ("staffing", "admin_quota")


def test_a_column_the_model_lacks_must_be_given() -> None:
    from sqlalchemy import Column, Integer, MetaData, Table, Text

    from jixiao.load.writer import model_row
    from jixiao.normalize import MainFunction

    table = Table(
        "main_functions",
        MetaData(),
        Column("filing_id", Integer, primary_key=True),
        Column("seq", Integer, primary_key=True),
        Column("text", Text),
        Column("not_in_the_model", Text),
    )
    with pytest.raises(TypeError, match="not_in_the_model"):
        model_row(table, MainFunction(1, "x"), filing_id=1)
    row = model_row(table, MainFunction(1, "x"), filing_id=7, not_in_the_model="y")
    assert row == {"filing_id": 7, "seq": 1, "text": "x", "not_in_the_model": "y"}


def test_staffing_lands_in_its_columns(db_url: str) -> None:
    from jixiao.pipeline import file_to_filings

    (filing,) = file_to_filings(SEED, "off", None)
    ingest([SEED], db_url)
    engine = create_engine(db_url)
    with engine.connect() as conn:
        got = conn.execute(
            text(
                "SELECT staff_admin_quota, staff_admin_in_use, staff_admin_aux_quota, "
                "staff_institution_quota, staff_institution_in_use, organization FROM filings"
            )
        ).one()
    engine.dispose()
    staffing = filing.staffing
    assert tuple(got) == (
        staffing.admin_quota,
        staffing.admin_in_use,
        staffing.admin_aux_quota,
        staffing.institution_quota,
        staffing.institution_in_use,
        filing.organization,
    )
    assert staffing.admin_quota is not None
