"""The command line as users run it: a separate process, data on stdout, messages on stderr."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import SAMPLES, SEED
from jixiao.load.migrate import head


def run(
    *args: str, cwd: Path | None = None, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "jixiao", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env={**os.environ, **(env or {})},
        timeout=120,
    )


@pytest.mark.parametrize("command", [[], ["ingest"], ["extract"]])
def test_help_has_an_example(command: list[str]) -> None:
    result = run(*command, "--help")
    assert result.returncode == 0
    assert "example" in result.stdout and "jixiao " in result.stdout


def test_console_script_is_installed() -> None:
    script = Path(sys.executable).parent / "jixiao"
    assert script.exists()
    result = subprocess.run([str(script), "--version"], capture_output=True, text=True)
    assert result.returncode == 0 and result.stdout.startswith("jixiao ")


def test_ingest_prints_a_summary_and_exits_0(tmp_path: Path) -> None:
    db = tmp_path / "out.db"
    result = run("ingest", str(SEED), "--db", f"sqlite:///{db}")
    assert result.returncode == 0, result.stderr
    assert "filings: 1 ok, 0 partial, 0 failed" in result.stdout
    assert "indicators: 69" in result.stdout and "targets: 138" in result.stdout
    assert "findings: 3" in result.stdout
    assert "suzhou_commerce" in result.stderr  # progress goes to stderr
    assert db.exists()


def test_ingest_json_summary_and_exit_1_on_failed_files(tmp_path: Path) -> None:
    result = run(
        "ingest",
        str(SEED),
        str(SAMPLES / "bad"),
        "--json",
        "--db",
        f"sqlite:///{tmp_path / 'x.db'}",
    )
    assert result.returncode == 1
    summary = json.loads(result.stdout)
    assert (summary["ok"], summary["failed"], summary["indicators"]) == (1, 6, 69)
    assert "The file is empty" in result.stderr


def test_default_db_and_env_override(tmp_path: Path) -> None:
    shutil.copy(SEED, tmp_path / "f.txt")
    result = run("ingest", "f.txt", cwd=tmp_path, env={"JIXIAO_DB": ""})
    assert result.returncode == 0 and (tmp_path / "jixiao.db").exists()
    other = tmp_path / "other.db"
    result = run("ingest", "f.txt", cwd=tmp_path, env={"JIXIAO_DB": f"sqlite:///{other}"})
    assert result.returncode == 0 and other.exists()


@pytest.mark.parametrize(
    "args", [["ingest"], ["ingest", "/no/such/folder"], ["frobnicate"], ["extract", "/no/file"]]
)
def test_usage_errors_exit_2(args: list[str], tmp_path: Path) -> None:
    result = run(*args, cwd=tmp_path)
    assert result.returncode == 2
    assert result.stdout == ""


def test_unreachable_database_exits_3(tmp_path: Path) -> None:
    result = run("ingest", str(SEED), "--db", f"sqlite:///{tmp_path}/missing/dir/x.db")
    assert result.returncode == 3
    assert "Could not open or write the database" in result.stderr


def test_extract_json_is_the_filing(seed_golden: dict[str, object]) -> None:
    result = run("extract", str(SEED), "--json")
    assert result.returncode == 0
    filing = json.loads(result.stdout)
    filing.pop("source_path")
    assert filing == seed_golden


def test_extract_text_view() -> None:
    result = run("extract", str(SEED))
    assert result.returncode == 0
    assert "苏州市市级部门整体预算绩效目标表  [ok]" in result.stdout
    assert "69 indicators" in result.stdout


def test_extract_of_a_bad_file_says_why() -> None:
    result = run("extract", str(SAMPLES / "bad" / "random-bytes.txt"), "--json")
    assert result.returncode == 1
    filing = json.loads(result.stdout)
    assert filing["status"] == "failed"
    assert filing["findings"][0]["code"] == "not_text"


def test_db_upgrade_and_current(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'fresh.db'}"
    assert run("db", "current", "--db", url).stdout.startswith("none")
    assert run("db", "upgrade", "--db", url).returncode == 0
    assert run("db", "current", "--db", url).stdout.startswith(head())


def test_ingest_into_an_old_schema_names_the_command(tmp_path: Path) -> None:
    import sqlite3

    db = tmp_path / "old.db"
    sqlite3.connect(db).execute("CREATE TABLE filings (id INTEGER PRIMARY KEY)").close()
    result = run("ingest", str(SEED), "--db", f"sqlite:///{db}")
    assert result.returncode == 2
    assert "jixiao db upgrade" in result.stderr
