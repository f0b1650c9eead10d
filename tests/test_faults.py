"""Fault injection: the nightly batch killed, stopped, crashed, cut off from its database, racing
another run, and walking folders full of odd entries. Whatever happens, every filing in the
database is whole, the run's row says how it ended, and the next run finishes the work: the
database then equals the one a clean run gives."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, event, text

from conftest import SEED, Cli, seed_copies
from jixiao.load import LockLost, connect, create_schema, database_lock
from jixiao.load.migrate import current, head
from jixiao.pipeline import discover, ingest

SEED_BYTES = SEED.read_bytes()


def _rows(url: str, sql: str) -> list[Any]:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return [tuple(r) for r in conn.execute(text(sql))]
    finally:
        engine.dispose()


def _state(url: str) -> list[Any]:
    """What the database holds, without ids or times: each filing with its row counts, and
    each source."""
    filings = _rows(
        url,
        "SELECT f.source_path, f.part, f.status, f.source_sha256, "
        "(SELECT count(*) FROM indicators i WHERE i.filing_id = f.id), "
        "(SELECT count(*) FROM targets t JOIN indicators i ON t.indicator_id = i.id "
        " WHERE i.filing_id = f.id), "
        "(SELECT count(*) FROM fund_lines l WHERE l.filing_id = f.id), "
        "(SELECT count(*) FROM findings g WHERE g.filing_id = f.id) "
        "FROM filings f ORDER BY 1, 2",
    )
    sources = _rows(url, "SELECT path, sha256 FROM sources ORDER BY 1")
    return [filings, sources]


def _jixiao(*args: str, prelude: str = "") -> subprocess.Popen[str]:
    """`jixiao ARGS` in a process of its own; `prelude` runs first (to plant a fault)."""
    code = textwrap.dedent(prelude) + "\nimport sys\nfrom jixiao.cli import main\n"
    code += f"sys.exit(main({list(args)!r}))\n"
    return subprocess.Popen(
        [sys.executable, "-c", code], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )


# Where a run is killed with -9: each prelude wraps one step of the batch so that the process
# dies there, mid-way, as a power cut or the OOM killer would.
KILL_POINTS = {
    "after the run started": """
        import os, signal, jixiao.pipeline as p
        def _die(*a, **k): os.kill(os.getpid(), signal.SIGKILL)
        p._decide = _die
    """,
    "inside a filing's transaction": """
        import os, signal, jixiao.load.batch as b
        _write, _n = b.write_filing_in, [0]
        def _write_then_die(conn, filing, version):
            _n[0] += 1
            out = _write(conn, filing, version)
            if _n[0] == 3:
                os.kill(os.getpid(), signal.SIGKILL)
            return out
        b.write_filing_in = _write_then_die
    """,
    "while pruning": """
        import os, signal, jixiao.load.batch as b
        _delete = b.delete_filings
        def _delete_then_die(conn, ids):
            _delete(conn, ids)
            if ids:
                os.kill(os.getpid(), signal.SIGKILL)
        b.delete_filings = _delete_then_die
    """,
    "while finishing the run": """
        import os, signal, jixiao.pipeline as p
        def _die(*a, **k): os.kill(os.getpid(), signal.SIGKILL)
        p.finish_run = _die
    """,
}


@pytest.mark.slow  # a process per kill
@pytest.mark.parametrize("point", sorted(KILL_POINTS))
def test_kill_9_then_a_rerun_equals_a_clean_run(
    point: str, db_url: str, tmp_path: Path, _log_file: Path
) -> None:
    folder = tmp_path / "in"
    files = seed_copies(folder, 6)
    if point == "while pruning":  # a first run to have something to prune
        assert ingest([folder], db_url).ok == 6
        files[0].unlink()
    killed = _jixiao("ingest", str(folder), "--db", db_url, "--workers", "0", "--prune",
                     prelude=KILL_POINTS[point])  # fmt: skip
    killed.communicate(timeout=120)
    assert killed.returncode == -signal.SIGKILL
    # Only whole filings: each has every indicator the seed holds, or is not there at all.
    assert not _rows(
        db_url,
        "SELECT id FROM filings f WHERE (SELECT count(*) FROM indicators i "
        "WHERE i.filing_id = f.id) <> 69",
    )
    rerun = ingest([folder], db_url, prune_vanished=True)
    assert rerun.failed == 0
    statuses = _rows(db_url, "SELECT status FROM ingest_runs ORDER BY id")
    assert ("running",) not in statuses and statuses[-1] == ("done",)
    if point != "after the run started":
        assert rerun.abandoned  # the killed run's row, found running, is now failed

    clean = f"sqlite:///{tmp_path / 'clean.db'}"
    ingest([folder], clean)
    assert _state(db_url) == _state(clean)


@pytest.mark.slow  # a process of its own
def test_sigterm_stops_the_run_marks_it_failed_and_the_next_run_finishes(
    tmp_path: Path,
) -> None:
    url = f"sqlite:///{tmp_path / 'db.sqlite'}"
    folder = tmp_path / "in"
    seed_copies(folder, 30)
    process = _jixiao("ingest", str(folder), "--db", url, "--workers", "0")
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        time.sleep(0.2)
        try:
            if _rows(url, "SELECT count(*) FROM filings")[0][0] >= 3:
                break
        except Exception:  # the schema may not be there yet
            continue
    process.send_signal(signal.SIGTERM)
    _, err = process.communicate(timeout=60)
    assert process.returncode == 128 + signal.SIGTERM
    assert "stopped by SIGTERM" in err and "Traceback" not in err
    assert _rows(url, "SELECT status FROM ingest_runs") == [("failed",)]
    # How many files committed before the signal landed is a race (the poll sees 3, a fourth
    # may follow within its 0.2 s): the next run reads exactly the rest.
    again = ingest([folder], url)
    assert again.unchanged >= 3 and again.ok + again.unchanged == 30 and again.failed == 0
    assert _rows(url, "SELECT count(*) FROM filings") == [(30,)]


def test_a_stop_during_a_database_write_waits_for_the_write() -> None:
    """Regression: a CI run's SIGTERM landed inside a commit and left the run `running` (the
    row could not be marked failed). A stop asked for while writing is raised after it."""
    from jixiao import pipeline

    written = False
    with pytest.raises(pipeline.RunStopped, match="SIGTERM"), pipeline._writing():
        pipeline.request_stop("SIGTERM", 15)
        written = True
    assert written
    with pytest.raises(pipeline.RunStopped):  # outside a write: at once
        pipeline.request_stop("SIGTERM", 15)


def _said_in_one_line_with_the_log(stderr: str, error: str, log: Path) -> None:
    """The console names the error and the log file; the traceback is in the file alone."""
    assert "Traceback" not in stderr
    assert error in stderr and str(log) in stderr
    assert "Traceback (most recent call last)" in log.read_text()


def test_a_crash_of_the_run_is_exit_4_one_line_and_a_failed_run(
    tmp_path: Path, cli: Cli, monkeypatch: pytest.MonkeyPatch, _log_file: Path
) -> None:
    def crash(*args: object) -> None:
        raise RuntimeError("a bug in the batch")

    monkeypatch.setattr("jixiao.pipeline._record", crash)
    url = f"sqlite:///{tmp_path / 'db.sqlite'}"
    result = cli("ingest", str(SEED), "--db", url, "--workers", "0")
    assert result.returncode == 4
    assert result.stderr.count("\n") == 1, result.stderr
    _said_in_one_line_with_the_log(result.stderr, "RuntimeError: a bug in the batch", _log_file)
    assert _rows(url, "SELECT status FROM ingest_runs") == [("failed",)]


def test_an_internal_error_in_one_file_is_one_line_with_the_log_named(
    tmp_path: Path, cli: Cli, monkeypatch: pytest.MonkeyPatch, _log_file: Path
) -> None:
    def bug(*args: object) -> None:
        raise ZeroDivisionError("division by zero")

    monkeypatch.setattr("jixiao.work.normalize_document", bug)
    url = f"sqlite:///{tmp_path / 'db.sqlite'}"
    result = cli("ingest", str(SEED), "--db", url, "--workers", "0")
    assert result.returncode == 1
    _said_in_one_line_with_the_log(result.stderr, "ZeroDivisionError", _log_file)
    message = _rows(url, "SELECT message FROM findings WHERE code = 'internal_error'")[0][0]
    assert str(_log_file) in message


@pytest.mark.slow  # two processes
def test_two_first_runs_racing_on_a_fresh_database_both_finish(db_url: str, tmp_path: Path) -> None:
    folder = tmp_path / "in"
    seed_copies(folder, 3)
    runs = [
        _jixiao("ingest", str(folder), "--db", db_url, "--workers", "0", "--wait", "120")
        for _ in range(2)
    ]
    for run in runs:
        _, err = run.communicate(timeout=180)
        assert run.returncode == 0, err
    assert _rows(db_url, "SELECT count(*) FROM filings") == [(3,)]
    assert _rows(db_url, "SELECT status, count(*) FROM ingest_runs GROUP BY status") == [
        ("done", 2)
    ]


# --- the PostgreSQL run lock -------------------------------------------------------------


def _lock_backend(url: str) -> list[Any]:
    """The backend holding the run lock of the schema `url` names: pid, state, and whether it
    pins no xmin."""
    schema = url.split("search_path%3D")[1].split("%20")[0]
    return _rows(
        url.split("?")[0],
        "SELECT a.pid, a.state, a.backend_xmin IS NULL FROM pg_stat_activity a "
        "JOIN pg_locks l ON l.pid = a.pid AND l.locktype = 'advisory' AND l.granted "
        f"WHERE a.application_name = 'jixiao lock' AND l.objid = CAST(hashtext('{schema}') AS oid)",
    )


def test_the_postgresql_lock_is_never_idle_in_a_transaction(pg_url: str, tmp_path: Path) -> None:
    seen: list[Any] = []
    seed_copies(tmp_path / "in", 2)
    ingest([tmp_path / "in"], pg_url, on_filing=lambda f: seen.append(_lock_backend(pg_url)))
    assert len(seen) == 2
    for backends in seen:
        assert [(state, no_xmin) for _, state, no_xmin in backends] == [("idle", True)]


def test_idle_in_transaction_timeout_does_not_end_a_good_run(pg_url: str, tmp_path: Path) -> None:
    """Regression: the lock's connection sat idle in a transaction for the whole run, so a
    server's idle_in_transaction_session_timeout killed it and a good run exited 3."""
    url = pg_url + "%20-cidle_in_transaction_session_timeout%3D300"
    seed_copies(tmp_path / "in", 3)
    summary = ingest([tmp_path / "in"], url, on_filing=lambda f: time.sleep(0.6))
    assert summary.ok == 3


def test_a_slow_upgrade_outlives_idle_in_transaction_timeout(pg_url: str) -> None:
    """Regression: a CI run's upgrade was killed halfway (IdleInTransactionSessionTimeout on an
    ALTER TABLE) when the machine paused between two of the migration's statements."""
    url = pg_url + "%20-cidle_in_transaction_session_timeout%3D300"
    engine = connect(url)

    @event.listens_for(engine, "before_cursor_execute")
    def pause_before_alter(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if statement.lstrip().upper().startswith("ALTER TABLE"):
            time.sleep(0.5)

    try:
        create_schema(engine)
        assert current(engine) == head()
    finally:
        engine.dispose()


def test_losing_the_lock_stops_the_run_before_its_next_commit(pg_url: str, tmp_path: Path) -> None:
    seed_copies(tmp_path / "in", 5)
    done: list[object] = []

    def terminate_the_lock(filing: object) -> None:
        done.append(filing)
        if len(done) == 2:
            pid = _lock_backend(pg_url)[0][0]
            _rows(pg_url.split("?")[0], f"SELECT pg_terminate_backend({pid})")

    with pytest.raises(LockLost, match="lost its lock"):
        ingest([tmp_path / "in"], pg_url, on_filing=terminate_the_lock)
    assert _rows(pg_url, "SELECT count(*) FROM filings") == [(2,)]
    assert _rows(pg_url, "SELECT status FROM ingest_runs") == [("failed",)]
    engine = connect(pg_url)
    with database_lock(engine, wait=0):  # free again: nobody holds it
        pass
    engine.dispose()


def test_losing_the_lock_is_exit_3_with_a_message(
    pg_url: str, tmp_path: Path, cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    seed_copies(tmp_path / "in", 2)

    def terminate_the_lock(*args: object) -> None:
        pid = _lock_backend(pg_url)[0][0]
        _rows(pg_url.split("?")[0], f"SELECT pg_terminate_backend({pid})")

    monkeypatch.setattr("jixiao.pipeline._vanished", lambda *a: terminate_the_lock() or [])
    result = cli("ingest", str(tmp_path / "in"), "--db", pg_url, "--workers", "0")
    assert result.returncode == 3
    assert "lost its lock" in result.stderr and "Traceback" not in result.stderr


def test_a_lock_held_elsewhere_still_means_busy(pg_url: str, tmp_path: Path) -> None:
    engine = connect(pg_url)
    create_schema(engine)
    with database_lock(engine, wait=0):
        from jixiao.load import DatabaseBusy

        with pytest.raises(DatabaseBusy):
            ingest([SEED], pg_url, wait=0)
    engine.dispose()


# --- folders full of odd entries ----------------------------------------------------------


def _odd_folder(tmp_path: Path) -> tuple[Path, Path]:
    folder, outside = tmp_path / "in", tmp_path / "elsewhere"
    folder.mkdir()
    outside.mkdir()
    (folder / "a.txt").write_bytes(SEED_BYTES)
    (outside / "b.txt").write_bytes(SEED_BYTES + b"\n")
    (folder / "link-inside.txt").symlink_to(folder / "a.txt")
    (folder / "link-outside.txt").symlink_to(outside / "b.txt")
    (folder / "dangling.txt").symlink_to(tmp_path / "gone.txt")
    (folder / "loop.txt").symlink_to(folder / "loop.txt")
    os.mkfifo(folder / "pipe.txt")
    (folder / "sub").mkdir()
    (folder / "sub" / "up").symlink_to(folder)  # a folder loop
    (folder / "outside-folder").symlink_to(outside)
    return folder, outside


def test_every_entry_a_walk_passes_over_is_reported_with_its_reason(tmp_path: Path) -> None:
    folder, _ = _odd_folder(tmp_path)
    files, skipped = discover([folder])
    assert sorted(p.name for p in files) == ["a.txt", "link-inside.txt"]
    reasons = {Path(s.path).name: s.reason for s in skipped}
    assert reasons["link-outside.txt"].startswith("symlink to a file outside")
    assert reasons["dangling.txt"].startswith("dangling symlink")
    assert reasons["loop.txt"].startswith("symlink loop")
    assert reasons["pipe.txt"] == "not a regular file (a FIFO)"
    assert reasons["outside-folder"].startswith("symlink to a folder outside")
    assert "up" not in reasons  # a link back inside: walked once, not again


def test_follow_symlinks_reads_outside_and_never_loops(tmp_path: Path) -> None:
    folder, _ = _odd_folder(tmp_path)
    files, skipped = discover([folder], follow_symlinks=True)
    assert sorted(p.name for p in files) == [
        "a.txt",
        "b.txt",
        "link-inside.txt",
        "link-outside.txt",
    ]
    assert any(s.reason.startswith("symlink loop: this folder") for s in skipped)


def test_an_unreadable_subfolder_is_reported_and_the_rest_is_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, cli: Cli
) -> None:
    folder = tmp_path / "in"
    (folder / "locked").mkdir(parents=True)
    (folder / "a.txt").write_bytes(SEED_BYTES)
    real = os.scandir

    def scandir(path: Any = ".") -> Any:
        if str(path).endswith("locked"):
            raise PermissionError(13, "Permission denied", str(path))
        return real(path)

    monkeypatch.setattr(os, "scandir", scandir)
    result = cli("ingest", str(folder), "--db", f"sqlite:///{tmp_path / 'db.sqlite'}",
                 "--workers", "0")  # fmt: skip
    assert result.returncode == 0
    assert f"skipped {folder / 'locked'}: folder could not be read: Permission denied" in (
        result.stderr
    )
    assert "skipped 1: 1 folder could not be read" in result.stdout


def test_ocr_engine_logs_never_reach_the_console(capfd: pytest.CaptureFixture[str]) -> None:
    """Also after the CLI set up its logging (regression: that set RapidOCR's level back to
    warnings, and they reached the console through ours)."""
    import logging

    import numpy as np

    from jixiao.extract.ocr import image_to_lines
    from jixiao.logs import log_to_stderr

    image_to_lines(np.full((64, 64), 255, np.uint8))
    log_to_stderr(logging.INFO)
    capfd.readouterr()
    assert image_to_lines(np.full((64, 64), 255, np.uint8)) == []
    _, err = capfd.readouterr()
    assert "RapidOCR" not in err and "detection result is empty" not in err


def test_file_names_that_are_not_utf8_are_read_and_kept_apart(tmp_path: Path, cli: Cli) -> None:
    """Regression: a GBK file name (a Windows share) or a stray 0xff byte aborted every nightly
    run with UnicodeEncodeError."""
    folder = tmp_path / "in"
    folder.mkdir()
    gbk, stray = "中文.txt".encode("gbk"), b"\xff.txt"
    for name, extra in ((gbk, b""), (stray, b"\n")):
        with open(os.path.join(os.fsencode(folder), name), "wb") as f:
            f.write(SEED_BYTES + extra)
    url = f"sqlite:///{tmp_path / 'db.sqlite'}"
    first = cli("ingest", str(folder), "--db", url, "--workers", "0", "--json")
    assert first.returncode == 0, first.stderr
    assert '"ok": 2' in first.stdout
    stored = sorted(r[0] for r in _rows(url, "SELECT source_path FROM filings"))
    assert stored == [f"{folder}/\\xd6\\xd0\\xce\\xc4.txt", f"{folder}/\\xff.txt"]
    again = cli("ingest", str(folder), "--db", url, "--workers", "0", "--json")
    assert '"unchanged": 2' in again.stdout  # the stored names find their files again


def test_an_unreadable_file_with_a_name_that_is_not_utf8_still_gets_an_identity(
    tmp_path: Path,
) -> None:
    """Regression: the fallback hash of an unreadable file encoded its path as UTF-8, which a
    surrogate-escaped name cannot be (UnicodeEncodeError instead of a failed filing)."""
    from jixiao.work import _sha256_of
    from jixiao.workers import _failed

    missing = Path(os.fsdecode(os.fsencode(tmp_path) + b"/\xff.txt"))
    assert len(_sha256_of(missing)) == 64
    _, (filing,) = _failed(str(missing), "timeout", "test")
    assert filing.status == "failed" and len(filing.source_sha256) == 64
