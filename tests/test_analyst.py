"""What analysts get: the views, the README's SQL, `jixiao query` and `export` (read-only),
the column dictionary, corrections that stick, and (in a real headless Chromium) `jixiao
serve` and `jixiao report`."""

from __future__ import annotations

import json
import re
import shutil
from decimal import Decimal
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from sqlalchemy import create_engine, inspect, text

from conftest import ROOT, SAMPLES, SEED, Cli
from jixiao import dictionaries
from jixiao.load.export import QueryError, export, query
from jixiao.normalize import CorrectionsError, load_corrections
from jixiao.pipeline import file_to_filing, ingest

GOOD = [SAMPLES / "filings", SAMPLES / "office", SAMPLES / "web"]


def _tampered(folder: Path) -> Path:
    """The seed with one project's half-year amount changed: its funds no longer add up."""
    path = folder / "tampered.txt"
    seed = SEED.read_text(encoding="utf-8")
    path.write_text(seed.replace("涉外宣传经费\t0\t10", "涉外宣传经费\t0.5\t10"), encoding="utf-8")
    return path


@pytest.fixture
def loaded(db_url: str, tmp_path: Path) -> str:
    summary = ingest([*GOOD, SAMPLES / "bad", _tampered(tmp_path)], db_url)
    # partial: the tampered seed, and the Changsha self-evaluation (.xlsx, .xls) whose 9.5 for a
    # met target is not the scoring rules' 10 (score_inconsistent).
    assert summary.failed == 6 and summary.ok >= 10 and summary.partial == 3
    return db_url


def _scalar(db_url: str, sql: str) -> Any:
    engine = create_engine(db_url)
    try:
        with engine.connect() as conn:
            return conn.execute(text(sql)).scalar_one()
    finally:
        engine.dispose()


# --- views and the README -----------------------------------------------------------------


def test_fund_lines_with_totals(loaded: str) -> None:
    share = _scalar(
        loaded,
        "SELECT share_of_parent FROM fund_lines_with_totals "
        "WHERE department = '绵阳市教育和体育局' AND name = '财政拨款'",
    )
    assert abs(Decimal(str(share)) - Decimal(43200) / Decimal(45600)) < Decimal("1e-9")
    parent = _scalar(
        loaded,
        "SELECT parent_full_year_budget FROM fund_lines_with_totals "
        "WHERE project_name = '高标准农田建设' AND name = '其他资金' AND filing_id = "
        "(SELECT min(id) FROM filings WHERE project_name = '高标准农田建设')",
    )
    assert Decimal(str(parent)) == Decimal(5200)


def test_filing_findings(loaded: str) -> None:
    infos = _scalar(
        loaded,
        "SELECT infos FROM filing_findings WHERE source_path LIKE "
        "'%suzhou_commerce_2024_department_overall.txt'",
    )
    assert infos == 3
    failed = _scalar(loaded, "SELECT count(*) FROM filing_findings WHERE status = 'failed'")
    assert failed == 6
    tampered = _scalar(
        loaded,
        "SELECT reconciliation_failures FROM filing_findings WHERE source_path LIKE "
        "'%tampered.txt'",
    )
    assert tampered == 1


def _readme_queries() -> list[str]:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```sql\n(.*?)```", readme, flags=re.S)
    statements = [s.strip() for block in blocks for s in block.split(";")]
    return [s for s in statements if s and not all(ln.startswith("--") for ln in s.splitlines())]


def test_readme_sql_runs_and_answers(loaded: str) -> None:
    statements = _readme_queries()
    assert len(statements) >= 6
    engine = create_engine(loaded)
    answered = 0
    with engine.connect() as conn:
        for sql in statements:
            rows = conn.execute(text(sql)).fetchall()
            answered += bool(rows)
    engine.dispose()
    # Each question has an answer in the samples (the reconciliation failure is the tampered
    # copy of the seed).
    assert answered == len(statements)


def test_every_column_is_described_and_documented(db_url: str) -> None:
    ingest([SEED], db_url)
    described = dictionaries.load("columns")
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    inspector = inspect(create_engine(db_url))
    relations = inspector.get_table_names() + inspector.get_view_names()
    for relation in relations:
        if relation == "alembic_version":
            continue
        have = {c["name"] for c in inspector.get_columns(relation)}
        assert relation in described, relation
        assert have == set(described[relation]["columns"]), relation
        assert relation in readme, relation
        for column in have:
            assert re.search(rf"\b{column}\b", readme), f"{relation}.{column} not in README"


# --- query and export --------------------------------------------------------------------


def test_query_formats(loaded: str, cli: Cli) -> None:
    sql = "SELECT kind, count(*) AS n FROM targets GROUP BY kind ORDER BY kind"
    as_json = json.loads(cli("query", sql, "--db", loaded, "--format", "json").stdout)
    frame = query(loaded, sql)
    assert as_json == [{"kind": k, "n": int(n)} for k, n in frame.itertuples(index=False)]
    as_csv = cli("query", sql, "--db", loaded, "--format", "csv").stdout.splitlines()
    assert as_csv[0] == "kind,n" and len(as_csv) == len(frame) + 1
    table = cli(
        "query", "SELECT level3 FROM indicators WHERE level3 = '家长满意度'", "--db", loaded
    )
    assert table.returncode == 0 and "家长满意度" in table.stdout


def test_query_cannot_write(loaded: str, cli: Cli) -> None:
    before = _scalar(loaded, "SELECT count(*) FROM filings")
    result = cli("query", "DELETE FROM filings", "--db", loaded)
    assert result.returncode == 2 and "read-only" in result.stderr
    with pytest.raises(QueryError):
        query(loaded, "UPDATE filings SET title = 'x'")
    assert _scalar(loaded, "SELECT count(*) FROM filings") == before


@pytest.mark.parametrize(
    "sql",
    [
        "ROLLBACK; BEGIN READ WRITE; DELETE FROM findings; COMMIT; SELECT 1",
        "SELECT 1; DELETE FROM findings",
        "SET TRANSACTION READ WRITE",
        "COPY filings TO '/tmp/x.csv'",
        "ATTACH DATABASE '/tmp/x.db' AS x",
        "VACUUM INTO '/tmp/x.db'",
        "WITH d AS (DELETE FROM findings RETURNING 1) SELECT * FROM d",
    ],
)
def test_query_refuses_what_could_write(loaded: str, sql: str, cli: Cli) -> None:
    """Regression: on PostgreSQL `ROLLBACK; BEGIN READ WRITE; DELETE …; COMMIT` deleted every
    finding; on SQLite VACUUM INTO and ATTACH wrote files anywhere."""
    before = _scalar(loaded, "SELECT count(*) FROM findings")
    result = cli("query", sql, "--db", loaded)
    assert result.returncode == 2 and "read-only" in result.stderr
    assert _scalar(loaded, "SELECT count(*) FROM findings") == before


def test_query_colon_in_a_string_is_text(loaded: str, cli: Cli) -> None:
    result = cli("query", "SELECT 'a:b' AS t, ':name' AS u", "--db", loaded)
    assert result.returncode == 0, result.stderr
    assert "a:b" in result.stdout and ":name" in result.stdout


def test_query_on_a_missing_database_says_what_to_do(tmp_path: Path, cli: Cli) -> None:
    result = cli("query", "SELECT 1", "--db", f"sqlite:///{tmp_path / 'none.db'}")
    assert result.returncode == 2 and "jixiao ingest" in result.stderr


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "parquet"])
def test_export_one_view_with_chinese_labels(
    loaded: str, tmp_path: Path, fmt: str, cli: Cli
) -> None:
    out = tmp_path / f"targets.{fmt}"
    result = cli(
        "export", "indicator_targets", "--format", fmt, "--out", str(out), "--db", loaded,
        "--labels", "zh",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    read = {"csv": pd.read_csv, "xlsx": pd.read_excel, "parquet": pd.read_parquet}[fmt]
    frame = read(out)
    assert len(frame) == _scalar(loaded, "SELECT count(*) FROM indicator_targets")
    assert {"三级指标", "原文", "单位名称"} <= set(frame.columns)
    assert "家长满意度" in set(frame["三级指标"])


def test_export_everything(loaded: str, tmp_path: Path) -> None:
    written = export(loaded, [], "parquet", tmp_path / "all")
    names = {p.stem for p in written}
    assert {"filings", "indicators", "targets", "indicator_targets", "filing_findings"} <= names
    book = export(loaded, [], "xlsx", tmp_path / "all.xlsx", labels="zh")[0]
    sheets = pd.read_excel(book, sheet_name=None)
    assert "申报文件" in sheets and len(sheets["申报文件"]) == _scalar(
        loaded, "SELECT count(*) FROM filings"
    )
    with pytest.raises(QueryError, match="No table or view named nosuch"):
        export(loaded, ["nosuch"], "csv", tmp_path / "x.csv")


def test_exported_cells_that_look_like_formulas_open_as_text(db_url: str, tmp_path: Path) -> None:
    """Regression: a cell printed as =HYPERLINK(…) became a live formula in the xlsx export and
    in Excel's reading of the CSV."""
    formula = '=HYPERLINK("http://example.invalid","点我")'
    folder = tmp_path / "in"
    folder.mkdir()
    text_ = SEED.read_text(encoding="utf-8").replace("固定资产利用率", formula, 1)
    (folder / "f.txt").write_text(text_, encoding="utf-8")
    ingest([folder], db_url)
    book = export(db_url, ["indicators"], "xlsx", tmp_path / "i.xlsx")[0]
    import openpyxl

    sheet = openpyxl.load_workbook(book).active
    assert sheet is not None
    cells = [c for row in sheet.iter_rows() for c in row if c.value == formula]
    assert len(cells) == 1 and cells[0].data_type == "s"
    csv = export(db_url, ["indicators"], "csv", tmp_path / "i.csv")[0]
    assert "'" + formula in set(pd.read_csv(csv)["level3"])


# --- corrections -------------------------------------------------------------------------


def _seed_cell() -> tuple[str, str, str]:
    filing = file_to_filing(SEED)
    indicator = next(i for i in filing.indicators if i.level3 == "固定资产利用率")
    return filing.source_sha256, indicator.location or "", indicator.level3


def test_corrections_apply_on_every_ingest(db_url: str, tmp_path: Path) -> None:
    sha, location, original = _seed_cell()
    fixes = tmp_path / "fixes.csv"
    fixes.write_text(
        "sha256,location,corrected,original,who,why\n"
        f'{sha},"{location}",固定资产使用率,{original},王分析,与原件核对\n',
        encoding="utf-8",
    )
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(SEED, folder / "seed.txt")
    sql = "SELECT count(*) FROM indicators WHERE level3 = '固定资产使用率'"
    ingest([folder], db_url)
    assert _scalar(db_url, sql) == 0
    corrections = load_corrections(fixes)
    ingest([folder], db_url, corrections=corrections)  # unchanged file, read again
    assert _scalar(db_url, sql) == 1
    applied = _scalar(db_url, "SELECT message FROM findings WHERE code = 'correction_applied'")
    assert "王分析" in applied and "与原件核对" in applied
    ingest([folder], db_url, corrections=corrections)  # and again: still applied
    assert _scalar(db_url, sql) == 1
    ingest([folder], db_url)  # the correction withdrawn: the cell as printed again
    assert _scalar(db_url, sql) == 0


def test_corrections_check_lists_what_no_longer_lands(
    db_url: str, tmp_path: Path, cli: Cli
) -> None:
    sha, location, _ = _seed_cell()
    zeros = "0" * 64
    fixes = tmp_path / "fixes.yaml"
    fixes.write_text(
        "corrections:\n"
        f"  - {{sha256: {sha}, location: '{location}', corrected: x, who: 王, why: 核对}}\n"
        f"  - {{sha256: {sha}, location: 'line 9999, cell 1', corrected: y, who: 王, why: 核对}}\n"
        f"  - {{sha256: '{zeros}', location: 'line 1, cell 1', corrected: z, who: 李, why: 旧}}\n"
        f"  - {{sha256: {sha}, location: '{location}x', corrected: w, who: 李, why: 旧,"
        " original: 不是这个}\n",
        encoding="utf-8",
    )
    ingest([SEED], db_url, corrections=load_corrections(fixes))
    result = cli("corrections", "check", str(fixes), "--db", db_url)
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    assert len(lines) == 3
    assert "line 9999" in lines[0] and "no cell" in lines[0]
    assert "0000000000" in lines[1] and "changed or is gone" in lines[1]
    assert lines[2].endswith("the filing has no cell at this location")


def test_a_bad_corrections_file_names_the_row(tmp_path: Path, cli: Cli) -> None:
    fixes = tmp_path / "fixes.csv"
    fixes.write_text("sha256,location,corrected,who,why\nabc,line 1,x,,\n", encoding="utf-8")
    with pytest.raises(CorrectionsError, match=r"fixes.csv, row 2: .*who"):
        load_corrections(fixes)
    result = cli("ingest", str(SEED), "--corrections", str(fixes), "--db", "sqlite:///:memory:")
    assert result.returncode == 2 and "row 2" in result.stderr


# --- in a real browser -------------------------------------------------------------------


def _browser() -> Any:
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    driver = shutil.which("chromedriver")
    if not chromium or not driver:
        pytest.skip(
            "Chromium and ChromeDriver are not installed (Debian packages chromium and "
            "chromium-driver; `make test` installs them when run as root)"
        )
    from selenium import webdriver
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.chrome.service import Service

    options = Options()
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--window-size=1280,1600"):
        options.add_argument(arg)
    options.binary_location = chromium
    return webdriver.Chrome(service=Service(driver), options=options)


@pytest.fixture
def sqlite_db(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'jixiao.db'}"
    ingest([*GOOD, SAMPLES / "bad"], url)
    return url


@pytest.mark.slow  # a real headless Chromium
def test_serve_in_a_browser(sqlite_db: str, tmp_path: Path) -> None:
    from selenium.webdriver.common.by import By
    from test_serve import serving

    browser = _browser()
    # `serving` stops jixiao serve and checks no Datasette of it is left on the port.
    with serving(sqlite_db) as served:
        base = f"http://127.0.0.1:{served.port}/jixiao"
        try:
            browser.get(f"{base}/indicator_targets")
            assert "指标与指标值" in browser.page_source
            total = _count(browser)
            # A facet filters: pick 北京市东城区教育委员会 in the department facet.
            link = browser.find_element(By.PARTIAL_LINK_TEXT, "北京市东城区教育委员会")
            link.click()
            assert "department=" in browser.current_url
            assert 0 < _count(browser) < total
            assert _count(browser) == 9
            # The search finds an indicator by its Chinese name.
            browser.get(f"{base}/search_indicators")
            field = browser.find_element(By.NAME, "name")
            field.send_keys("路网通行")
            field.submit()
            assert "路网通行条件" in browser.page_source
            assert "长沙市交通运输局" in browser.page_source
            # Served mutable (an ingest may be writing), yet nothing the browser does can write.
            browser.get(f"{base}?sql=DELETE+FROM+filings")
            assert "Statement must be a SELECT" in browser.page_source
            assert _scalar(sqlite_db, "SELECT count(*) FROM filings") > 0
        finally:
            browser.quit()


def _count(browser: Any) -> int:
    from selenium.webdriver.common.by import By

    heading = browser.find_element(By.CSS_SELECTOR, "h3").text  # "123 rows"
    match = re.search(r"([\d,]+) rows?", heading)
    assert match, heading
    return int(match.group(1).replace(",", ""))


def test_serve_binds_to_localhost_and_is_not_immutable(
    sqlite_db: str, tmp_path: Path, cli: Cli
) -> None:
    from jixiao.load.browse import serve_command

    command = serve_command(sqlite_db, "127.0.0.1", 8001, tmp_path / "m.json")
    # --immutable showed stale counts, or "database disk image is malformed", while an ingest
    # wrote the file; tests/test_serve.py checks the live file still cannot be written.
    assert "--immutable" not in command and command[command.index("--host") + 1] == "127.0.0.1"
    result = cli("serve", "--help")
    assert "127.0.0.1" in result.stdout and "example" in result.stdout
    assert "mode=ro" in result.stdout  # the help says how browsing stays read-only


@pytest.mark.slow  # a real headless Chromium
def test_report_in_a_browser(sqlite_db: str, tmp_path: Path, cli: Cli) -> None:
    from PIL import Image
    from selenium.webdriver.common.by import By

    out = tmp_path / "report.html"
    result = cli("report", "--db", sqlite_db, "--out", str(out))
    assert result.returncode == 0, result.stderr
    page = out.read_text(encoding="utf-8")
    assert "http" not in re.sub(r'xmlns="http://www.w3.org/2000/svg"', "", page)  # self-contained
    browser = _browser()
    try:
        browser.get(out.as_uri())
        headings = [h.text for h in browser.find_elements(By.TAG_NAME, "h2")]
        for words in ("Files by status", "Findings by code", "How values parsed",
                      "Reconciliation failures"):  # fmt: skip
            assert any(words in h for h in headings), words
        broken = browser.execute_script(
            "return [...document.images].filter(i => !i.complete || i.naturalWidth === 0).length"
        )
        assert broken == 0
        bars = browser.find_elements(By.CSS_SELECTOR, "svg rect")
        assert len(bars) >= 5
        body = browser.find_element(By.TAG_NAME, "body").text
        assert "truncated.pdf" in body and "not_a_filing" in body
        shot = tmp_path / "report.png"
        browser.save_screenshot(str(shot))
    finally:
        browser.quit()
    image = Image.open(shot).convert("RGB")
    colours = image.getcolors(maxcolors=1 << 20) or []
    # Not a blank page: text, the green and red status bars.
    assert len(colours) > 50
    pixels = {c for _, c in colours}
    assert (46, 125, 50) in pixels and (198, 40, 40) in pixels
