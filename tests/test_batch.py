"""The nightly batch: incremental runs, worker processes with limits, Dask, the lock, the runs
table, faults and bad input. Loader tests run on SQLite and on the real PostgreSQL."""

from __future__ import annotations

import os
import shutil
import signal
import struct
import subprocess
import sys
import time
import zlib
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from conftest import SAMPLES, SEED, seed_copies
from jixiao.load import DatabaseBusy, connect, create_schema, database_lock
from jixiao.pipeline import DatabaseUnreachable, ingest

SEED_BYTES = SEED.read_bytes()


def _scalar(url: str, sql: str) -> int:
    engine = create_engine(url)
    with engine.connect() as conn:
        value = conn.execute(text(sql)).scalar_one()
    engine.dispose()
    return int(value)


def test_second_run_skips_unchanged_files_without_reading_them(
    db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seed_copies(tmp_path / "in", 3)
    first = ingest([tmp_path / "in"], db_url)
    assert (first.ok, first.unchanged) == (3, 0)

    def no_reading(*args: object, **kwargs: object) -> None:
        raise AssertionError("an unchanged file was read")

    monkeypatch.setattr("jixiao.pipeline._sha256_of", no_reading)
    monkeypatch.setattr("jixiao.workers.file_to_filings", no_reading)
    second = ingest([tmp_path / "in"], db_url)
    assert (second.ok, second.failed, second.unchanged) == (0, 0, 3)
    assert _scalar(db_url, "SELECT count(*) FROM filings") == 3


def test_touched_file_is_hashed_not_reingested(db_url: str, tmp_path: Path) -> None:
    (path,) = seed_copies(tmp_path / "in", 1)
    ingest([path], db_url)
    os.utime(path, ns=(time.time_ns(), time.time_ns() + 5_000_000_000))
    again = ingest([path], db_url)
    assert (again.unchanged, again.ok) == (1, 0)


def test_changed_file_replaces_its_old_rows(db_url: str, tmp_path: Path) -> None:
    (path,) = seed_copies(tmp_path / "in", 1)
    ingest([path], db_url)
    path.write_bytes(SEED_BYTES.replace(b"2113.75\t4744.96", b"2113.75\t4754.96"))
    again = ingest([path], db_url)
    assert (again.partial, again.unchanged) == (1, 0)  # the tampered funds now warn
    assert _scalar(db_url, "SELECT count(*) FROM filings") == 1
    assert _scalar(db_url, "SELECT count(*) FROM indicators") == 69
    assert _scalar(db_url, "SELECT count(*) FROM findings WHERE code = 'funds_do_not_add_up'") == 1


def test_vanished_file_is_reported_and_pruned_only_when_asked(db_url: str, tmp_path: Path) -> None:
    paths = seed_copies(tmp_path / "in", 2)
    ingest([tmp_path / "in"], db_url)
    paths[0].unlink()
    kept = ingest([tmp_path / "in"], db_url)
    assert kept.vanished == [str(paths[0])] and kept.pruned == 0
    assert _scalar(db_url, "SELECT count(*) FROM filings") == 2
    pruned = ingest([tmp_path / "in"], db_url, prune_vanished=True)
    assert pruned.pruned == 1
    assert _scalar(db_url, "SELECT count(*) FROM filings") == 1


def test_prune_never_deletes_a_sibling_folders_filings(db_url: str, tmp_path: Path) -> None:
    """Regression: `ingest pa --prune` deleted the filings of a sibling folder `pa2`, because
    the path test was a string prefix without a separator."""
    seed_copies(tmp_path / "pa", 1)
    (tmp_path / "pa2").mkdir()
    (tmp_path / "pa2" / "other.txt").write_bytes(SEED_BYTES + b"\n" * 7)
    ingest([tmp_path / "pa", tmp_path / "pa2"], db_url)
    assert _scalar(db_url, "SELECT count(*) FROM filings") == 2
    summary = ingest([tmp_path / "pa"], db_url, prune_vanished=True)
    assert (summary.vanished, summary.pruned) == ([], 0)
    assert _scalar(db_url, "SELECT count(*) FROM filings") == 2


def test_runs_are_recorded(db_url: str, tmp_path: Path) -> None:
    seed_copies(tmp_path / "in", 2)
    summary = ingest([tmp_path / "in"], db_url, arguments={"paths": ["in"], "workers": 0})
    engine = create_engine(db_url)
    with engine.connect() as conn:
        run = conn.execute(text("SELECT * FROM ingest_runs")).mappings().one()
    engine.dispose()
    assert run["id"] == summary.run_id and run["status"] == "done"
    assert (run["files_seen"], run["ok"], run["failed"]) == (2, 2, 0)
    assert run["finished_at"] >= run["started_at"] and '"workers": 0' in run["arguments"]


def test_worker_processes_give_the_same_result(db_url: str, tmp_path: Path) -> None:
    seed_copies(tmp_path / "in", 4)
    summary = ingest([tmp_path / "in"], db_url, workers=2)
    assert (summary.ok, summary.indicators) == (4, 4 * 69)
    assert _scalar(db_url, "SELECT count(*) FROM targets") == 4 * 138


@pytest.mark.slow  # worker processes
def test_time_limit_and_memory_cap_fail_the_file_not_the_batch(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'db.sqlite'}"
    slow = tmp_path / "in" / "slow.pdf"
    slow.parent.mkdir()
    shutil.copy(SAMPLES / "scans" / "suzhou_commerce_2024_seed.scan.pdf", slow)
    seed_copies(tmp_path / "in", 2)
    summary = ingest([tmp_path / "in"], url, workers=2, timeout=3)
    assert (summary.ok, summary.failed) == (2, 1)
    why = _scalar(url, "SELECT count(*) FROM findings WHERE code = 'timeout'")
    assert why == 1
    # a file that keeps its worker busy for seconds (OCR), under a cap it cannot meet
    heavy = tmp_path / "heavy" / "scan.pdf"
    heavy.parent.mkdir()
    shutil.copy(SAMPLES / "scans" / "suzhou_commerce_2024_word.scan.pdf", heavy)
    capped = ingest([heavy], url, workers=1, max_memory_mb=1)
    assert capped.failed == 1
    assert _scalar(url, "SELECT count(*) FROM findings WHERE code = 'memory'") == 1


@pytest.mark.slow  # worker processes
def test_dask_local_cluster_writing_to_postgresql(pg_url: str, tmp_path: Path) -> None:
    from dask.distributed import LocalCluster

    url = pg_url
    seed_copies(tmp_path / "in", 3)
    with LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
    ) as cluster:
        summary = ingest(
            [tmp_path / "in"], url, executor="dask", scheduler=cluster.scheduler_address
        )
    assert (summary.ok, summary.indicators) == (3, 3 * 69)
    assert _scalar(url, "SELECT count(*) FROM targets") == 3 * 138


def test_full_sqlite_location_gives_a_clear_message(tmp_path: Path) -> None:
    small = tmp_path / "small"
    small.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=256k", "tmpfs", str(small)], capture_output=True
    )
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs here to fill up: {mounted.stderr.decode()[:80]}")
    try:
        seed_copies(tmp_path / "in", 6)
        with pytest.raises(DatabaseUnreachable, match=r"full|writable"):
            ingest([tmp_path / "in"], f"sqlite:///{small / 'db.sqlite'}")
    finally:
        subprocess.run(["umount", str(small)], check=False)


def test_second_run_waits_for_the_lock_then_gives_up(db_url: str, tmp_path: Path) -> None:
    engine = connect(db_url)
    create_schema(engine)
    with database_lock(engine, wait=0):
        start = time.monotonic()
        with pytest.raises(DatabaseBusy, match="--wait"):
            ingest([SEED], db_url, wait=1)
        assert time.monotonic() - start >= 1
    assert ingest([SEED], db_url).ok == 1  # free again


def test_databases_in_two_schemas_do_not_wait_for_each_other(tmp_path: Path) -> None:
    """Regression: the PostgreSQL run lock covered the whole server database, so an ingest into
    one schema gave up (DatabaseBusy) while another schema's run held the lock."""
    from conftest import _pg_schema

    with _pg_schema() as first, _pg_schema() as second:
        engine = connect(first)
        create_schema(engine)
        with database_lock(engine, wait=0):
            assert ingest([SEED], second, wait=0).ok == 1
        engine.dispose()


@pytest.mark.slow  # worker processes
def test_kill_9_mid_batch_leaves_whole_filings_and_the_next_run_completes(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'db.sqlite'}"
    seed_copies(tmp_path / "in", 40)
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "jixiao",
            "ingest",
            str(tmp_path / "in"),
            "--db",
            url,
            "--workers",
            "0",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        time.sleep(0.2)
        try:
            if _scalar(url, "SELECT count(*) FROM filings") >= 5:
                break
        except Exception:  # the schema may not be there yet
            continue
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    loaded = _scalar(url, "SELECT count(*) FROM filings")
    assert 5 <= loaded < 40
    partial = _scalar(
        url,
        "SELECT count(*) FROM filings f WHERE (SELECT count(*) FROM indicators i "
        "WHERE i.filing_id = f.id) <> 69",
    )
    assert partial == 0  # only whole filings
    summary = ingest([tmp_path / "in"], url)
    assert summary.ok + summary.unchanged == 40
    assert _scalar(url, "SELECT count(*) FROM filings") == 40


def test_database_going_away_mid_run_ends_with_unreachable_and_keeps_what_was_committed(
    pg_url: str, tmp_path: Path
) -> None:
    # A server that can go away; the sessions to end named for this test alone (tests run in
    # parallel, each in its own schema of the same server database).
    name = f"jixiao_{os.getpid()}_{time.monotonic_ns()}"
    db_url = f"{pg_url}&application_name={name}"
    seed_copies(tmp_path / "in", 4)
    seen = []

    def cut(filing: object) -> None:
        seen.append(filing)
        if len(seen) == 2:
            admin = create_engine(db_url.split("?")[0], isolation_level="AUTOCOMMIT")
            with admin.connect() as conn:
                conn.execute(
                    text(
                        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                        "WHERE datname = current_database() AND pid <> pg_backend_pid() "
                        "AND application_name = :name"
                    ),
                    {"name": name},
                )
            admin.dispose()

    with pytest.raises(DatabaseUnreachable, match="committed before this point is kept"):
        ingest([tmp_path / "in"], db_url, on_filing=cut)
    assert _scalar(db_url, "SELECT count(*) FROM filings") >= 2


# --- bad input -------------------------------------------------------------------------


def _raw_pdf(page_streams: list[bytes]) -> bytes:
    """A minimal valid PDF with one content stream per page (Helvetica)."""
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>", b""]
    kids = []
    for stream in page_streams:
        content = len(objects) + 2
        kids.append(len(objects) + 1)
        objects.append(
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents %d 0 R "
            b"/Resources << /Font << /F1 << /Type /Font /Subtype /Type1 /BaseFont /Helvetica "
            b">> >> >> >>" % content
        )
        objects.append(b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream")
    objects[1] = b"<< /Type /Pages /Kids [%s] /Count %d >>" % (
        b" ".join(b"%d 0 R" % k for k in kids),
        len(kids),
    )
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


def _bomb_pdf() -> bytes:
    zeros = zlib.compress(b"0" * (400 * 2**20), 9)  # 400 MB of text behind 400 KB
    pdf = _raw_pdf([b"BT /F1 12 Tf 72 720 Td (x) Tj ET"])
    marker = b"<< /Length 33 >>"
    return pdf.replace(marker, b"<< /Length %d /Filter /FlateDecode >>" % len(zeros)).replace(
        b"BT /F1 12 Tf 72 720 Td (x) Tj ET", zeros
    )


def _huge_png() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data))
            + kind
            + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        )

    header = struct.pack(">IIBBBBB", 20000, 20000, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00" * 1000))
        + chunk(b"IEND", b"")
    )


@pytest.mark.slow  # worker processes
def test_bad_input_never_stops_the_batch(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "empty.txt").write_bytes(b"")
    shutil.copy(SAMPLES / "bad" / "truncated.pdf", folder / "truncated.pdf")
    shutil.copy(SAMPLES / "bad" / "encrypted.pdf", folder / "encrypted.pdf")
    (folder / "noise.pdf").write_bytes(os.urandom(5000))
    (folder / "letter.pdf").write_bytes(
        _raw_pdf([b"BT /F1 12 Tf 72 720 Td (Dear colleagues, the meeting moves to Friday.) Tj ET"])
    )
    (folder / "2000-pages.pdf").write_bytes(
        _raw_pdf([b"BT /F1 12 Tf 72 720 Td (page) Tj ET"] * 2000)
    )
    (folder / "bomb.pdf").write_bytes(_bomb_pdf())
    (folder / "huge.png").write_bytes(_huge_png())
    shutil.copy(SAMPLES / "encodings" / "suzhou_commerce_2024.gbk.txt", folder / "gbk.txt")
    shutil.copy(SEED, folder / "商务局 2024 绩效目标.txt")
    (folder / "loop").symlink_to(folder, target_is_directory=True)
    url = f"sqlite:///{tmp_path / 'db.sqlite'}"
    summary = ingest([folder], url, workers=2, timeout=20, max_memory_mb=900)
    assert summary.ok == 2  # the GBK copy and the Chinese file name
    assert summary.failed == 8
    engine = create_engine(url)
    with engine.connect() as conn:
        rows = dict(
            conn.execute(
                text(
                    "SELECT f.source_path, g.code FROM filings f "
                    "JOIN findings g ON g.filing_id = f.id WHERE f.status = 'failed'"
                )
            ).all()
        )
    engine.dispose()
    codes = {Path(p).name: c for p, c in rows.items()}
    assert codes == {
        "empty.txt": "empty_file",
        "truncated.pdf": "truncated_pdf",
        "encrypted.pdf": "encrypted_pdf",
        "noise.pdf": codes["noise.pdf"],
        "letter.pdf": "not_a_filing",
        "2000-pages.pdf": codes["2000-pages.pdf"],
        "bomb.pdf": codes["bomb.pdf"],
        "huge.png": "image_too_large",
    }
    assert codes["noise.pdf"] in ("not_text", "corrupt_pdf", "truncated_pdf")
    assert codes["2000-pages.pdf"] in ("timeout", "not_a_filing")
    assert codes["bomb.pdf"] in ("memory", "worker_crashed", "not_a_filing", "corrupt_pdf")


def test_file_that_disappears_between_listing_and_reading(tmp_path: Path) -> None:
    _, second = seed_copies(tmp_path / "in", 2)

    def remove_the_next(filing: object) -> None:
        second.unlink(missing_ok=True)

    summary = ingest(
        [tmp_path / "in"], f"sqlite:///{tmp_path / 'db.sqlite'}", on_filing=remove_the_next
    )
    assert (summary.ok, summary.failed) == (1, 1)
