"""The command line as users run it: data on stdout, messages on stderr, the exit code.

Most tests call `main(argv)` in this process (quick); a few run the installed `jixiao` script
and `python -m jixiao` as separate processes."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import SAMPLES, SEED, Cli
from jixiao.load.migrate import head


def _process(*command: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize("command", [[], ["ingest"], ["extract"]])
def test_help_has_an_example(command: list[str], cli: Cli) -> None:
    result = cli(*command, "--help")
    assert result.returncode == 0
    assert "example" in result.stdout and "jixiao " in result.stdout


def test_console_script_is_installed() -> None:
    script = Path(sys.executable).parent / "jixiao"
    assert script.exists()
    result = _process(str(script), "--version")
    assert result.returncode == 0 and result.stdout.startswith("jixiao ")


def test_python_dash_m_jixiao(tmp_path: Path) -> None:
    """The module entry point: help, a usage error's exit code, and a command's data."""
    help_ = _process(sys.executable, "-m", "jixiao", "ingest", "--help")
    assert help_.returncode == 0 and "example" in help_.stdout
    usage = _process(sys.executable, "-m", "jixiao", "frobnicate")
    assert usage.returncode == 2 and usage.stdout == ""
    result = _process(sys.executable, "-m", "jixiao", "extract", str(SEED))
    assert result.returncode == 0 and "69 indicators" in result.stdout


def test_ingest_prints_a_summary_and_exits_0(tmp_path: Path, cli: Cli) -> None:
    db = tmp_path / "out.db"
    result = cli("ingest", str(SEED), "--db", f"sqlite:///{db}")
    assert result.returncode == 0, result.stderr
    assert "filings: 1 ok, 0 partial, 0 failed" in result.stdout
    assert "indicators: 69" in result.stdout and "targets: 138" in result.stdout
    assert "findings: 3" in result.stdout
    assert "suzhou_commerce" in result.stderr  # progress goes to stderr
    assert db.exists()


def test_ingest_json_summary_and_exit_1_on_failed_files(tmp_path: Path, cli: Cli) -> None:
    result = cli(
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


def test_default_db_and_env_override(
    tmp_path: Path, cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    shutil.copy(SEED, tmp_path / "f.txt")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("JIXIAO_DB", "")
    result = cli("ingest", "f.txt")
    assert result.returncode == 0 and (tmp_path / "jixiao.db").exists()
    other = tmp_path / "other.db"
    monkeypatch.setenv("JIXIAO_DB", f"sqlite:///{other}")
    result = cli("ingest", "f.txt")
    assert result.returncode == 0 and other.exists()


@pytest.mark.parametrize(
    "args", [["ingest"], ["ingest", "/no/such/folder"], ["frobnicate"], ["extract", "/no/file"]]
)
def test_usage_errors_exit_2(
    args: list[str], tmp_path: Path, cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    result = cli(*args)
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr


def test_unreachable_database_exits_3(tmp_path: Path, cli: Cli) -> None:
    result = cli("ingest", str(SEED), "--db", f"sqlite:///{tmp_path}/missing/dir/x.db")
    assert result.returncode == 3
    assert "Could not open or write the database" in result.stderr


def test_extract_json_is_the_filing(seed_golden: dict[str, object], cli: Cli) -> None:
    result = cli("extract", str(SEED), "--json")
    assert result.returncode == 0
    filing = json.loads(result.stdout)
    filing.pop("source_path")
    assert filing == seed_golden


def test_extract_text_view(cli: Cli) -> None:
    result = cli("extract", str(SEED))
    assert result.returncode == 0
    assert "苏州市市级部门整体预算绩效目标表  [ok]" in result.stdout
    assert "69 indicators" in result.stdout


def test_extract_of_a_bad_file_says_why(cli: Cli) -> None:
    result = cli("extract", str(SAMPLES / "bad" / "random-bytes.txt"), "--json")
    assert result.returncode == 1
    filing = json.loads(result.stdout)
    assert filing["status"] == "failed"
    assert filing["findings"][0]["code"] == "not_text"


def test_db_upgrade_and_current(tmp_path: Path, cli: Cli) -> None:
    url = f"sqlite:///{tmp_path / 'fresh.db'}"
    assert cli("db", "current", "--db", url).returncode == 2  # not there: current makes none
    assert cli("db", "upgrade", "--db", url).returncode == 0
    assert cli("db", "current", "--db", url).stdout.startswith(head())


def test_ingest_into_an_old_schema_names_the_command(tmp_path: Path, cli: Cli) -> None:
    import sqlite3

    db = tmp_path / "old.db"
    sqlite3.connect(db).execute("CREATE TABLE filings (id INTEGER PRIMARY KEY)").close()
    result = cli("ingest", str(SEED), "--db", f"sqlite:///{db}")
    assert result.returncode == 2
    assert "jixiao db upgrade" in result.stderr


def test_main_returns_the_exit_code_and_never_raises(cli: Cli) -> None:
    assert cli("--version").returncode == 0
    assert cli("--version").stdout.startswith("jixiao ")
    nothing = cli()
    assert nothing.returncode == 2 and "COMMAND" in nothing.stderr and nothing.stdout == ""
