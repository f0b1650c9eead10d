"""A filing belongs to every file that holds its bytes (filing_sources), and a file whose last
read failed for a reason that may pass is read again (jixiao issue 15, point 1)."""

from __future__ import annotations

import hashlib
import shutil
import zipfile
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from conftest import SAMPLES, SEED
from jixiao import codes
from jixiao.load import connect, prune
from jixiao.load.migrate import upgrade
from jixiao.normalize import Filing
from jixiao.pipeline import ingest
from jixiao.workers import _failed

SEED_BYTES = SEED.read_bytes()
SAME = SEED_BYTES + b"\n"  # the bytes both the file and the archive's entry hold
OTHER = SEED_BYTES + b"\n\n"


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _rows(url: str, sql: str) -> list[tuple[object, ...]]:
    engine = create_engine(url)
    with engine.connect() as conn:
        rows = [tuple(r) for r in conn.execute(text(sql))]
    engine.dispose()
    return rows


def _filing_of(url: str, data: bytes) -> list[tuple[object, ...]]:
    """(source_path, container_sha256) of the filing of `data`'s bytes, if there is one."""
    return _rows(
        url,
        f"SELECT source_path, container_sha256 FROM filings WHERE source_sha256 = '{_sha(data)}'",
    )


def _zip(path: Path, entries: dict[str, bytes]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return path


def _file_and_zip(folder: Path, zip_name: str) -> tuple[Path, Path]:
    """x.txt, and an archive holding the same bytes as its entry x.txt; the archive's name
    decides whether it is read before the file (a.zip) or after it (z.zip)."""
    folder.mkdir(parents=True, exist_ok=True)
    standalone = folder / "x.txt"
    standalone.write_bytes(SAME)
    return standalone, _zip(folder / zip_name, {"x.txt": SAME})


# --- one filing, several files ------------------------------------------------------------------


@pytest.mark.parametrize("zip_name", ["a.zip", "z.zip"])
def test_changing_the_file_keeps_the_zip_entrys_filing(
    db_url: str, tmp_path: Path, zip_name: str
) -> None:
    """Regression: changing x.txt deleted the filing of the same bytes inside the archive, and
    later runs never restored it (the archive was unchanged)."""
    standalone, archive = _file_and_zip(tmp_path / "in", zip_name)
    first = ingest([tmp_path / "in"], db_url)
    assert (first.ok, first.failed) == (2, 0)
    assert len(_filing_of(db_url, SAME)) == 1  # one filing, two places
    standalone.write_bytes(OTHER)
    second = ingest([tmp_path / "in"], db_url)
    assert (second.ok, second.unchanged) == (1, 1)
    # The archive's entry keeps its filing, now named by the archive.
    assert _filing_of(db_url, SAME) == [(f"{archive}!/x.txt", _sha(archive.read_bytes()))]
    assert _filing_of(db_url, OTHER) == [(str(standalone), None)]
    third = ingest([tmp_path / "in"], db_url)
    assert third.unchanged == 2
    assert _rows(db_url, "SELECT count(*) FROM filings") == [(2,)]


@pytest.mark.parametrize("zip_name", ["a.zip", "z.zip"])
def test_pruning_the_zip_keeps_the_files_filing(db_url: str, tmp_path: Path, zip_name: str) -> None:
    """Regression: removing the archive with --prune deleted the filing of the file beside it
    that holds the same bytes."""
    standalone, archive = _file_and_zip(tmp_path / "in", zip_name)
    ingest([tmp_path / "in"], db_url)
    archive.unlink()
    summary = ingest([tmp_path / "in"], db_url, prune_vanished=True)
    assert (summary.pruned, summary.unchanged) == (1, 1)
    assert _filing_of(db_url, SAME) == [(str(standalone), None)]
    links = _rows(db_url, "SELECT path, container_path FROM filing_sources")
    assert links == [(str(standalone), str(standalone))]


def test_a_zip_read_after_the_file_adds_its_link(db_url: str, tmp_path: Path) -> None:
    """Regression: an archive holding bytes already loaded from a file took the filing over;
    pruning the file then deleted the archive entry's filing."""
    folder = tmp_path / "in"
    folder.mkdir()
    standalone = folder / "x.txt"
    standalone.write_bytes(SAME)
    ingest([folder], db_url)
    archive = _zip(folder / "z.zip", {"x.txt": SAME})
    added = ingest([folder], db_url)
    assert (added.ok, added.unchanged) == (1, 1)
    assert _rows(db_url, "SELECT count(*) FROM filings") == [(1,)]
    standalone.unlink()
    ingest([folder], db_url, prune_vanished=True)
    assert _filing_of(db_url, SAME) == [(f"{archive}!/x.txt", _sha(archive.read_bytes()))]
    links = _rows(db_url, "SELECT path, container_path FROM filing_sources")
    assert links == [(f"{archive}!/x.txt", str(archive))]


def test_an_archive_that_loses_an_entry_loses_its_filing_only(db_url: str, tmp_path: Path) -> None:
    """Not a regression: the links now do what the archive's container_sha256 did."""
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "x.txt").write_bytes(SAME)
    archive = _zip(folder / "z.zip", {"x.txt": SAME, "y.txt": OTHER})
    ingest([folder], db_url)
    assert _rows(db_url, "SELECT count(*) FROM filings") == [(2,)]
    _zip(archive, {"x.txt": SAME})  # y.txt taken out of the archive
    ingest([folder], db_url)
    assert _filing_of(db_url, OTHER) == []
    assert len(_filing_of(db_url, SAME)) == 1
    assert _rows(db_url, "SELECT count(*) FROM filing_sources") == [(2,)]


# --- failures that may pass are read again --------------------------------------------------------


def _failing_with(code: str) -> object:
    def read(path: Path, ocr: str = "auto", corrections: object = None) -> list[Filing]:
        return _failed(str(path), code, f"failed with {code} (test)")[1]

    return read


@pytest.mark.parametrize("code", sorted(codes.RETRYABLE))
def test_a_file_that_failed_for_a_passing_reason_is_read_again(
    db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, code: str
) -> None:
    """Regression: a file that timed out was "unchanged" on the next run (same size and mtime),
    so the advice "try it with a larger --timeout" did nothing."""
    path = tmp_path / "x.txt"
    path.write_bytes(SAME)
    monkeypatch.setattr("jixiao.workers.file_to_filings", _failing_with(code))
    first = ingest([path], db_url)
    assert first.failed == 1
    monkeypatch.undo()
    second = ingest([path], db_url)
    assert (second.ok, second.failed, second.unchanged) == (1, 0, 0)
    assert _rows(db_url, "SELECT status FROM filings") == [("ok",)]
    third = ingest([path], db_url)
    assert (third.ok, third.unchanged) == (0, 1)


def test_a_file_that_failed_for_good_stays_unchanged(
    db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "x.txt"
    path.write_bytes(SAME)
    monkeypatch.setattr("jixiao.workers.file_to_filings", _failing_with(codes.NOT_A_FILING))
    ingest([path], db_url)
    monkeypatch.undo()
    again = ingest([path], db_url)
    assert (again.failed, again.ok, again.unchanged) == (0, 0, 1)


def test_a_passing_failure_never_overwrites_the_same_bytes_read_well_elsewhere(
    db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Regression: x.txt timing out replaced the good filing its bytes had from an archive."""
    folder = tmp_path / "in"
    _zip(folder / "a.zip", {"x.txt": SAME})
    assert ingest([folder], db_url).ok == 1
    (folder / "x.txt").write_bytes(SAME)
    monkeypatch.setattr("jixiao.workers.file_to_filings", _failing_with(codes.TIMEOUT))
    ingest([folder / "x.txt"], db_url)
    monkeypatch.undo()
    assert _rows(db_url, "SELECT status, source_path FROM filings") == [
        ("ok", f"{folder}/a.zip!/x.txt")
    ]
    paths = _rows(db_url, "SELECT path FROM filing_sources ORDER BY path")
    assert paths == [(f"{folder}/a.zip!/x.txt",), (f"{folder}/x.txt",)]
    (folder / "a.zip").unlink()
    ingest([folder], db_url, prune_vanished=True)
    assert _rows(db_url, "SELECT status, source_path FROM filings") == [("ok", f"{folder}/x.txt")]


@pytest.mark.slow  # worker processes and OCR
def test_a_file_that_timed_out_in_a_worker_is_read_again(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'db.sqlite'}"
    slow = tmp_path / "in" / "slow.pdf"
    slow.parent.mkdir()
    shutil.copy(SAMPLES / "scans" / "suzhou_commerce_2024_seed.scan.pdf", slow)
    first = ingest([slow], url, workers=1, timeout=0.5)
    assert first.failed == 1
    assert _rows(url, "SELECT code FROM findings") == [(codes.TIMEOUT,)]
    second = ingest([slow], url, workers=1, timeout=300)
    assert (second.failed, second.unchanged) == (0, 0)
    assert second.ok + second.partial == 1


# --- migration 0006 -------------------------------------------------------------------------------


def test_migration_backfills_links_and_pruning_then_keeps_shared_filings(db_url: str) -> None:
    """A database at 0005 holding /d/x.txt, the archive /d/a.zip with x.txt (the same bytes)
    and y.txt, a copy of that archive at /e/copy.zip, a file of two parts and a filing no file
    backs: the upgrade links each filing to every file holding it."""
    engine = connect(db_url)
    upgrade(engine, "0005")
    filings = [
        # (source_path, source_sha256, part, container_sha256): x.txt read last from the archive
        ("/d/a.zip!/x.txt", "X", 1, "Z"),
        ("/d/a.zip!/y.txt", "Y", 1, "Z"),
        ("/d/m.txt", "M", 1, None),
        ("/d/m.txt", "M", 2, None),
        ("/gone.txt", "G", 1, None),
    ]
    sources = [("/d/x.txt", "X"), ("/d/a.zip", "Z"), ("/e/copy.zip", "Z"), ("/d/m.txt", "M")]
    with engine.begin() as conn:
        for path, sha, part, container in filings:
            conn.execute(
                text(
                    "INSERT INTO filings (source_path, source_sha256, source_format, status, "
                    "pipeline_version, ingested_at, part, container_sha256) VALUES "
                    "(:path, :sha, 'text', 'ok', '0.0', CURRENT_TIMESTAMP, :part, :container)"
                ),
                {"path": path, "sha": sha, "part": part, "container": container},
            )
        for path, sha in sources:
            conn.execute(
                text("INSERT INTO sources (path, size, mtime_ns, sha256) VALUES (:p, 1, 1, :s)"),
                {"p": path, "s": sha},
            )
    upgrade(engine)
    query = (
        "SELECT f.source_sha256, f.part, l.path, l.container_path FROM filing_sources l "
        "JOIN filings f ON f.id = l.filing_id ORDER BY 1, 2, 3"
    )
    assert _rows(db_url, query) == [
        ("M", 1, "/d/m.txt", "/d/m.txt"),
        ("M", 2, "/d/m.txt", "/d/m.txt"),
        ("X", 1, "/d/a.zip!/x.txt", "/d/a.zip"),
        ("X", 1, "/d/x.txt", "/d/x.txt"),
        ("X", 1, "/e/copy.zip!/x.txt", "/e/copy.zip"),
        ("Y", 1, "/d/a.zip!/y.txt", "/d/a.zip"),
        ("Y", 1, "/e/copy.zip!/y.txt", "/e/copy.zip"),
    ]
    # Both archives go: y.txt's filing with them, x.txt's stays with the file.
    prune(engine, ["/d/a.zip", "/e/copy.zip"])
    engine.dispose()
    left = "SELECT source_sha256, part, source_path, container_sha256 FROM filings ORDER BY 1, 2"
    assert _rows(db_url, left) == [
        ("G", 1, "/gone.txt", None),
        ("M", 1, "/d/m.txt", None),
        ("M", 2, "/d/m.txt", None),
        ("X", 1, "/d/x.txt", None),
    ]
