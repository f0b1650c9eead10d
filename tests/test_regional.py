"""Other provinces, other document types, other file formats: each sample against its golden
file, written by hand from the table itself (samples/expected/*.json); several filings in one
file; ZIP archives entry by entry, safely."""

from __future__ import annotations

import io
import json
import posixpath
import shutil
import zipfile
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import create_engine, text

from conftest import SAMPLES
from jixiao.extract import ExtractError, archive_entries, extract_bytes
from jixiao.extract.archive import unsafe_name
from jixiao.normalize import Filing, Indicator, Target
from jixiao.pipeline import file_to_filings, ingest

ARCHIVE = SAMPLES / "archives" / "regional_2024.zip"
SAMPLE_FILES = {
    "zhaoqing_agriculture_2024.docx": SAMPLES / "office" / "zhaoqing_agriculture_2024.docx",
    "changsha_rural_roads_2023_self_evaluation.xlsx": SAMPLES
    / "office"
    / "changsha_rural_roads_2023_self_evaluation.xlsx",
    "dongcheng_education_2024.html": SAMPLES / "web" / "dongcheng_education_2024.html",
    "mianyang_education_2024.txt": SAMPLES / "filings" / "mianyang_education_2024.txt",
}
HEADER = (
    "part",
    "doc_type",
    "title",
    "region",
    "fiscal_year",
    "department",
    "project_name",
    "implementing_unit",
    "project_period",
    "mid_long_term_goal",
    "annual_goal",
    "annual_goal_actual",
    "total_score",
    "grade",
    "status",
)
FUND_COLUMNS = (
    "full_year_budget",
    "half_year_plan",
    "initial_budget",
    "executed",
    "execution_rate",
    "weight",
    "score",
    "score_expected",
)


def _num(value: Decimal | None) -> str:
    return "-" if value is None else format(value.normalize(), "f")


def _target(t: Target) -> str:
    text = f"{t.period} {t.raw} | {t.comparator or '-'} {_num(t.value)} {t.unit or '-'} {t.kind}"
    if t.label:
        text += f" {t.label}"
    if t.due_date:
        text += f" due {t.due_date.isoformat()}"
    return text


def _indicator(i: Indicator) -> dict[str, Any]:
    out: dict[str, Any] = {"labels": f"{i.level1} / {i.level2} / {i.level3}"}
    for name in ("weight", "score", "score_expected", "score_rate"):
        value = getattr(i, name)
        if value is not None:
            out[name] = _num(value)
    for name in (
        "direction",
        "value_type",
        "deviation_reason",
        "core",
        "scoring_method",
        "explanation",
    ):
        if getattr(i, name) is not None:
            out[name] = getattr(i, name)
    out["targets"] = [_target(t) for t in i.targets]
    return out


def compact(filing: Filing) -> dict[str, Any]:
    """A Filing in the golden files' hand-writable form."""
    out: dict[str, Any] = {}
    for name in HEADER:
        value = getattr(filing, name)
        out[name] = _num(value) if isinstance(value, Decimal) else value
    out["findings"] = [f.code for f in filing.findings]
    out["fund_lines"] = [
        f"{f.section} | {f.parent or '-'} | {f.name} | "
        + " ".join(f"{c}={_num(getattr(f, c))}" for c in FUND_COLUMNS if getattr(f, c) is not None)
        for f in filing.fund_lines
    ]
    out["indicators"] = [_indicator(i) for i in filing.indicators]
    out["remarks"] = [f"{r.label} | {r.text}" for r in filing.remarks]
    return out


def golden(name: str) -> list[dict[str, Any]]:
    data = json.loads((SAMPLES / "expected" / f"{name}.json").read_text(encoding="utf-8"))
    return data["filings"]  # type: ignore[no-any-return]


def _assert_filings(got: list[Filing], want: list[dict[str, Any]]) -> None:
    assert len(got) == len(want)
    for filing, expected in zip(got, want, strict=True):
        actual = compact(filing)
        for name in (*HEADER, "findings", "fund_lines", "remarks"):
            assert actual[name] == expected[name], f"part {expected['part']}: {name}"
        assert len(actual["indicators"]) == len(expected["indicators"])
        for a, e in zip(actual["indicators"], expected["indicators"], strict=True):
            assert a == e, e["labels"]


@pytest.mark.parametrize("name", sorted(SAMPLE_FILES))
def test_sample_gives_its_golden_filings(name: str) -> None:
    _assert_filings(file_to_filings(SAMPLE_FILES[name]), golden(name))


def test_a_pdf_holding_several_tables_gives_several_filings() -> None:
    # The Word file with the department's table and two project tables, printed to PDF.
    filings = file_to_filings(SAMPLES / "pdf" / "zhaoqing_agriculture_2024.pdf")
    assert [f.source_format for f in filings] == ["pdf"] * 3
    _assert_filings(filings, golden("zhaoqing_agriculture_2024.docx"))


def test_tables_stacked_on_one_sheet_are_separate_filings() -> None:
    # The docx's two project tables pasted one under the other on one worksheet, each under
    # its own title row: two filings, numbered 1 and 2, reading as in the docx.
    filings = file_to_filings(SAMPLES / "office" / "zhaoqing_projects_2024_one_sheet.xlsx")
    want = golden("zhaoqing_agriculture_2024.docx")[1:]
    want = [{**w, "part": k} for k, w in enumerate(want, start=1)]
    _assert_filings(filings, want)


def test_legacy_xls_is_read_without_libreoffice(monkeypatch: pytest.MonkeyPatch) -> None:
    # The same table as the .xlsx, saved as Excel 97-2003: xlrd reads it, merges included.
    monkeypatch.setattr(shutil, "which", lambda name: None)
    xls = SAMPLES / "office" / "changsha_rural_roads_2023_self_evaluation.xls"
    filings = file_to_filings(xls)
    assert [f.source_format for f in filings] == ["xls"]
    _assert_filings(filings, golden("changsha_rural_roads_2023_self_evaluation.xlsx"))


def test_the_archive_gives_each_entry_as_its_own_filing() -> None:
    filings = file_to_filings(ARCHIVE)
    assert [f.source_path for f in filings] == [
        f"{ARCHIVE}!/北京/东城区教委.html",
        f"{ARCHIVE}!/四川/绵阳市教体局.txt",
    ]
    _assert_filings(
        filings, golden("dongcheng_education_2024.html") + golden("mianyang_education_2024.txt")
    )
    archive_sha = __import__("hashlib").sha256(ARCHIVE.read_bytes()).hexdigest()
    assert {f.container_sha256 for f in filings} == {archive_sha}
    # An entry is the same filing as the file outside the archive: same bytes, same sha256.
    outside = file_to_filings(SAMPLE_FILES["dongcheng_education_2024.html"])[0]
    assert filings[0].source_sha256 == outside.source_sha256


def _zip(entries: dict[str, bytes], compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=compression) as z:
        for name, data in entries.items():
            z.writestr(name, data)
    return buf.getvalue()


GOOD = SAMPLE_FILES["mianyang_education_2024.txt"].read_bytes()


@pytest.mark.parametrize(
    ("bad_name", "bad_data", "code"),
    [
        ("../../etc/cron.d/evil.txt", GOOD, "archive_unsafe_name"),
        ("/etc/passwd", GOOD, "archive_unsafe_name"),
        ("C:\\Windows\\evil.txt", GOOD, "archive_unsafe_name"),
        ("bomb.txt", b"\0" * (60 * 2**20), "archive_bomb"),
        ("inner.zip", _zip({"a.txt": GOOD}), "archive_nested"),
    ],
)
def test_a_bad_entry_is_refused_and_the_rest_is_read(
    tmp_path: Path, bad_name: str, bad_data: bytes, code: str
) -> None:
    archive = tmp_path / "batch.zip"
    archive.write_bytes(_zip({bad_name: bad_data, "ok/绵阳.txt": GOOD}))
    filings = file_to_filings(archive)
    assert [f.status for f in filings] == ["failed", "ok"]
    assert filings[0].findings[0].code == code
    if code == "archive_unsafe_name":
        assert bad_name in filings[0].findings[0].message
    assert filings[1].department == "绵阳市教育和体育局"
    assert not (tmp_path / "etc").exists() and not Path("/etc/cron.d/evil.txt").exists()


def test_a_bomb_is_not_inflated() -> None:
    # The directory says 60 MiB; the reader must stop at its limit, not trust the directory.
    data = _zip({"bomb.txt": b"\0" * (60 * 2**20)})
    (entry,) = archive_entries(data)
    assert entry.data is None and entry.refused is not None


def test_damaged_and_empty_archives_are_failed_files(tmp_path: Path) -> None:
    damaged = tmp_path / "damaged.zip"
    damaged.write_bytes(_zip({"a.txt": GOOD})[:60])
    empty = tmp_path / "empty.zip"
    empty.write_bytes(_zip({}))
    (d,) = file_to_filings(damaged)
    (e,) = file_to_filings(empty)
    assert (d.status, e.status) == ("failed", "failed")
    assert e.findings[0].code == "archive_empty"
    assert d.findings[0].code in ("archive_damaged", "not_text", "archive_empty")


def test_gbk_entry_names_are_decoded(tmp_path: Path) -> None:
    # Chinese Windows zip tools store names in GBK without the UTF-8 flag.
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        info = zipfile.ZipInfo("x.txt")
        z.writestr(info, GOOD)
    raw = buf.getvalue().replace(b"x.txt", "绵阳".encode("gbk") + b"t")
    archive = tmp_path / "gbk.zip"
    archive.write_bytes(raw)
    (filing,) = file_to_filings(archive)
    assert filing.source_path.endswith("!/绵阳t") and filing.status == "ok"


@given(st.text(alphabet="./\\:abc中文", min_size=1, max_size=20))
def test_a_name_called_safe_stays_inside_the_folder(name: str) -> None:
    if unsafe_name(name):
        return
    joined = posixpath.normpath(posixpath.join("/base", name.replace("\\", "/")))
    assert joined == "/base" or joined.startswith("/base/")


def test_extract_bytes_of_an_archive_says_what_reads_it() -> None:
    with pytest.raises(ExtractError) as err:
        extract_bytes(_zip({"a.txt": GOOD}), "a.zip")
    assert err.value.code == "is_archive"


# --- the database -----------------------------------------------------------------------------


def _rows(db_url: str, sql: str) -> list[Any]:
    engine = create_engine(db_url)
    try:
        with engine.connect() as conn:
            return list(conn.execute(text(sql)))
    finally:
        engine.dispose()


def test_one_file_several_filings_in_the_database(db_url: str, tmp_path: Path) -> None:
    docx = tmp_path / "zhaoqing.docx"
    shutil.copy(SAMPLE_FILES["zhaoqing_agriculture_2024.docx"], docx)
    summary = ingest([docx], db_url)
    assert (summary.files_seen, summary.ok) == (1, 3)
    rows = _rows(
        db_url,
        "SELECT part, doc_type, project_name, implementing_unit FROM filings ORDER BY part",
    )
    assert [tuple(r) for r in rows] == [
        (1, "department_overall", None, None),
        (2, "project", "高标准农田建设", "肇庆市农田建设管理服务中心"),
        (3, "project", "农产品质量安全监管", "肇庆市农产品质量安全检测中心"),
    ]
    assert len({r[0] for r in _rows(db_url, "SELECT source_sha256 FROM filings")}) == 1
    lt = _rows(
        db_url,
        "SELECT raw FROM indicator_targets WHERE project_name = '高标准农田建设' "
        "AND period = 'LT' AND level3 = '新建高标准农田面积'",
    )
    assert [r[0] for r in lt] == ["≥25万亩"]
    # The same bytes again: replaced, not duplicated.
    ingest([docx], db_url)
    assert _rows(db_url, "SELECT count(*) FROM filings")[0][0] == 3


def test_self_evaluation_columns_in_the_database(db_url: str) -> None:
    ingest([SAMPLE_FILES["changsha_rural_roads_2023_self_evaluation.xlsx"]], db_url)
    (filing,) = _rows(db_url, "SELECT doc_type, total_score, annual_goal_actual FROM filings")
    assert filing[0] == "self_evaluation" and Decimal(str(filing[1])) == Decimal("98.05")
    assert filing[2].startswith("完成农村公路日常养护3215公里")
    (total,) = _rows(
        db_url,
        "SELECT initial_budget, full_year_budget, executed, execution_rate, weight, score "
        "FROM fund_lines WHERE name = '年度资金总额'",
    )
    assert [Decimal(str(v)) for v in total] == [
        Decimal(v) for v in ["1500", "1600", "1528", "95.5", "10", "9.55"]
    ]
    scores = _rows(
        db_url, "SELECT sum(weight), sum(score) FROM indicators WHERE deviation_reason IS NULL"
    )
    assert [Decimal(str(v)) for v in scores[0]] == [Decimal(70), Decimal(70)]
    actual = _rows(
        db_url,
        "SELECT raw, value FROM indicator_targets "
        "WHERE period = 'actual' AND level3 = '危桥改造数量'",
    )
    assert [(r[0], Decimal(str(r[1]))) for r in actual] == [("11座", Decimal(11))]


def test_an_archive_that_loses_an_entry_loses_its_filing(db_url: str, tmp_path: Path) -> None:
    archive = tmp_path / "filings.zip"
    html = SAMPLE_FILES["dongcheng_education_2024.html"].read_bytes()
    archive.write_bytes(_zip({"a.html": html, "b.txt": GOOD}))
    ingest([tmp_path], db_url)
    assert _rows(db_url, "SELECT count(*) FROM filings")[0][0] == 2
    archive.write_bytes(_zip({"b.txt": GOOD, "c.txt": b"not a filing"}))
    ingest([tmp_path], db_url)
    rows = _rows(db_url, "SELECT source_path, status FROM filings ORDER BY source_path")
    assert [(p.split("/")[-2] + "/" + p.split("/")[-1], s) for p, s in rows] == [
        ("filings.zip!/b.txt", "ok"),
        ("filings.zip!/c.txt", "failed"),
    ]


def test_an_older_database_is_upgraded_with_its_rows(db_url: str, tmp_path: Path) -> None:
    from jixiao.load import connect
    from jixiao.load.migrate import current, head, upgrade

    engine = connect(db_url)
    upgrade(engine, "0002")
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO filings (source_path, source_sha256, source_format, status, "
                "pipeline_version, ingested_at) VALUES ('old.txt', 'abc', 'text', 'ok', '0.0', "
                "CURRENT_TIMESTAMP)"
            )
        )
        filing_id = conn.execute(text("SELECT id FROM filings")).scalar_one()
        conn.execute(
            text("INSERT INTO indicators (filing_id, seq, level3) VALUES (:f, 1, '培训人次')"),
            {"f": filing_id},
        )
    upgrade(engine)
    assert current(engine) == head()
    rows = _rows(
        db_url,
        "SELECT f.part, i.level3, i.weight FROM filings f JOIN indicators i ON i.filing_id = f.id",
    )
    assert [tuple(r) for r in rows] == [(1, "培训人次", None)]
    engine.dispose()
    docx = tmp_path / "z.docx"
    shutil.copy(SAMPLE_FILES["zhaoqing_agriculture_2024.docx"], docx)
    assert ingest([docx], db_url).ok == 3
