from __future__ import annotations

import json
import os
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"
SEED = SAMPLES / "filings" / "suzhou_commerce_2024_department_overall.txt"
SEED_GOLDEN = SAMPLES / "expected" / "suzhou_commerce_2024_department_overall.json"


# What differs between renditions of one filing: where things are, not what they say.
WHERE = {"location", "page", "level2_raw"}
CONTENT_FIELDS = (
    "title",
    "region",
    "fiscal_year",
    "department",
    "doc_type",
    "organization",
    "staffing",
    "main_functions",
    "mid_long_term_goal",
    "annual_goal",
)


def assert_same_content(filing: dict[str, Any], golden: dict[str, Any]) -> None:
    """`filing` says what `golden` says: header, every indicator with its targets, every fund
    line; locations, pages and findings may differ."""
    for key in CONTENT_FIELDS:
        assert filing[key] == golden[key], key

    def strip(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return [{k: v for k, v in r.items() if k not in WHERE} for r in rows]

    for got, want in zip(strip(filing["indicators"]), strip(golden["indicators"]), strict=True):
        assert got == want, want["seq"]
    assert strip(filing["fund_lines"]) == strip(golden["fund_lines"])


@pytest.fixture(scope="session")
def seed_golden() -> dict[str, Any]:
    return json.loads(SEED_GOLDEN.read_text(encoding="utf-8"))


PG_SERVER = os.environ.get("JIXIAO_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


def _pg_reachable() -> str | None:
    """None when the test PostgreSQL answers, else why not."""
    from sqlalchemy import create_engine, text

    try:
        engine = create_engine(PG_SERVER)
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        engine.dispose()
    except Exception as exc:  # any failure means: skip, and say why
        return f"PostgreSQL at {PG_SERVER} is not reachable ({type(exc).__name__})"
    return None


@contextmanager
def _pg_schema() -> Iterator[str]:
    reason = _pg_reachable()
    if reason:
        pytest.skip(reason)
    from sqlalchemy import create_engine, text

    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(PG_SERVER, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield f"{PG_SERVER}?options=-csearch_path%3D{schema}"
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def seed_copies(folder: Path, n: int) -> list[Path]:
    """n different filings: the seed with its bytes changed by trailing blank lines."""
    folder.mkdir(parents=True, exist_ok=True)
    seed = SEED.read_bytes()
    paths = []
    for i in range(n):
        path = folder / f"filing-{i:03d}.txt"
        path.write_bytes(seed + b"\n" * (i + 1))
        paths.append(path)
    return paths


@pytest.fixture(autouse=True)
def _log_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Each test's tracebacks in a log file of its own, never the user's."""
    path = tmp_path / "jixiao.log"
    monkeypatch.setenv("JIXIAO_LOG", str(path))
    return path


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh database per test: a SQLite file, or a schema of its own on the real
    PostgreSQL server (dropped afterwards), so runs never collide."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'jixiao.db'}"
        return
    with _pg_schema() as url:
        yield url


@pytest.fixture
def pg_url() -> Iterator[str]:
    """A schema of its own on the real PostgreSQL server, for PostgreSQL-only cases."""
    with _pg_schema() as url:
        yield url


@dataclass
class Ran:
    """What a `jixiao` command run in this process gave."""

    returncode: int
    stdout: str
    stderr: str


Cli = Callable[..., Ran]


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str]) -> Cli:
    """`jixiao ARGS…` run in this process: its exit code and what it printed."""
    from jixiao.cli import main

    def run(*args: str) -> Ran:
        capsys.readouterr()
        code = main(list(args))
        out, err = capsys.readouterr()
        return Ran(code, out, err)

    return run
