"""The batch: discover files → extract → normalize → load. The one place the stages meet."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError

from jixiao import __version__
from jixiao.load import (
    Source,
    connect,
    corrected_shas,
    create_schema,
    database_lock,
    finish_run,
    load_sources,
    prune,
    record_file,
    start_run,
)
from jixiao.normalize import Correction, Filing, by_filing

# The per-file work lives in jixiao.work (worker processes import it without the database);
# these names stay importable from here.
from jixiao.work import (
    Corrections,
    _sha256_of,
    archive_to_filings,
    bytes_to_filings,
    file_to_filing,
    file_to_filings,
)
from jixiao.workers import Result, run_in_process, run_in_workers, run_on_dask

__all__ = [
    "Corrections",
    "DatabaseUnreachable",
    "RunSummary",
    "UsageError",
    "archive_to_filings",
    "bytes_to_filings",
    "discover",
    "file_to_filing",
    "file_to_filings",
    "ingest",
]

# Suffixes a folder walk picks up. Files named on the command line are always read: the format is
# told from the bytes, the suffix only decides what a folder walk looks at.
FILING_SUFFIXES = frozenset(
    {
        "",
        ".txt",
        ".tsv",
        ".text",
        ".csv",
        ".pdf",
        ".xlsx",
        ".xls",
        ".docx",
        ".doc",
        ".wps",
        ".et",
        ".html",
        ".htm",
        ".zip",
        ".png",
        ".jpg",
        ".jpeg",
        ".tif",
        ".tiff",
    }
)


class UsageError(Exception):
    """Bad arguments: the CLI exits 2."""


class DatabaseUnreachable(Exception):
    """The database could not be opened or written: the CLI exits 3."""


@dataclass
class RunSummary:
    files_seen: int = 0
    skipped: list[str] = field(default_factory=list)
    ok: int = 0
    partial: int = 0
    failed: int = 0
    indicators: int = 0
    targets: int = 0
    findings: int = 0
    unchanged: int = 0
    vanished: list[str] = field(default_factory=list)
    pruned: int = 0
    run_id: int | None = None
    failed_files: list[str] = field(default_factory=list)

    def add(self, filing: Filing) -> None:
        setattr(self, filing.status, getattr(self, filing.status) + 1)
        if filing.status == "failed":
            self.failed_files.append(filing.source_path)
        self.indicators += len(filing.indicators)
        self.targets += sum(len(i.targets) for i in filing.indicators)
        self.findings += len(filing.findings)

    @property
    def exit_code(self) -> int:
        return 1 if self.failed else 0

    def to_dict(self) -> dict[str, object]:
        return asdict(self)


def discover(paths: Iterable[str | Path]) -> tuple[list[Path], list[Path]]:
    """Files to ingest and files a folder walk passed over (hidden or not a filing's suffix).
    Symlinked folders are not followed (a link loop must not hang a nightly run)."""
    files: list[Path] = []
    skipped: list[Path] = []
    for given in paths:
        path = Path(given)
        if path.is_file():
            files.append(path)
        elif path.is_dir():
            for folder, dirs, names in os.walk(path, followlinks=False):
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                for name in sorted(names):
                    candidate = Path(folder) / name
                    if name.startswith(".") or candidate.suffix.lower() not in FILING_SUFFIXES:
                        skipped.append(candidate)
                    elif candidate.is_file():
                        files.append(candidate)
        else:
            raise UsageError(f"{path}: no such file or folder. Check the path and try again.")
    return files, skipped


def _stat(path: Path) -> tuple[int, int] | None:
    try:
        st = path.stat()
    except OSError:
        return None
    return st.st_size, st.st_mtime_ns


def ingest(
    paths: Iterable[str | Path],
    db_url: str,
    on_filing: Callable[[Filing], None] | None = None,
    ocr: str = "auto",
    *,
    workers: int = 0,
    timeout: float = 300.0,
    max_memory_mb: float = 2048.0,
    prune_vanished: bool = False,
    wait: float = 0.0,
    executor: str = "local",
    scheduler: str | None = None,
    arguments: dict[str, object] | None = None,
    corrections: Sequence[Correction] = (),
) -> RunSummary:
    """Ingest files and folders into the database at `db_url`, incrementally: a file whose
    path, size and mtime are unchanged since the last run is not read at all; one whose bytes
    changed is read again and replaces its old rows; a file that vanished is reported, and
    forgotten only with `prune_vanished`.

    `workers`: 0 reads files in this process; N > 0 in N worker processes with a per-file
    `timeout` (seconds) and memory cap; `executor='dask'` sends the work to `scheduler`.
    `corrections` are applied to their filings' cells; a file with corrections (or with
    corrections applied last time) is read again even when unchanged, so they take effect."""
    roots = [Path(p) for p in paths]
    files, skipped = discover(roots)
    summary = RunSummary(files_seen=len(files), skipped=[str(p) for p in skipped])
    engine = _open(db_url)
    try:
        with database_lock(engine, wait):
            run_id = start_run(engine, __version__, arguments or {"paths": [str(p) for p in roots]})
            summary.run_id = run_id
            known = load_sources(engine)
            by_sha = by_filing(corrections)
            run = _Run(engine, run_id, known, corrected_shas(engine, set(by_sha)), summary)
            todo, seen = _decide(run, files)
            summary.vanished = _vanished(known, seen, roots)
            results = _read(todo, ocr, by_sha, executor, scheduler, workers, timeout, max_memory_mb)
            for path_key, filings in results:
                _record(run, path_key, filings, todo, on_filing)
            if prune_vanished and summary.vanished:
                summary.pruned = prune(engine, summary.vanished)
            finish_run(engine, run_id, "done", _counts(summary))
    except SQLAlchemyError as exc:
        raise DatabaseUnreachable(_unreachable(db_url, exc)) from exc
    finally:
        engine.dispose()
    return summary


# What to read: path → (size, mtime_ns, sha256); (0, 0, "") for a file gone since listing.
_Todo = dict[str, tuple[int, int, str]]


@dataclass
class _Run:
    """What the steps of one run share: the database, the run's row in ingest_runs, the sources
    known before it, the contents to read again for corrections, and the counts so far."""

    engine: Engine
    run_id: int
    known: dict[str, Source]
    reread: set[str]
    summary: RunSummary


def _open(db_url: str) -> Engine:
    """The database, at the current schema (a new one is created)."""
    try:
        engine = connect(db_url)
        create_schema(engine)
    except SQLAlchemyError as exc:
        raise DatabaseUnreachable(_unreachable(db_url, exc)) from exc
    return engine


def _decide(run: _Run, files: list[Path]) -> tuple[_Todo, set[str]]:
    """The files to read, and every path listed. A file with the size and mtime of last time is
    unchanged; one only touched (same bytes) has its new stat recorded; both count as unchanged
    unless their contents are to be read again for corrections, or their last read failed for a
    reason that may have passed (a time limit, LibreOffice missing: codes.RETRYABLE)."""
    todo: _Todo = {}
    seen: set[str] = set()
    for path in files:
        key, stat = str(path), _stat(path)
        seen.add(key)
        if stat is None:
            todo[key] = (0, 0, "")  # vanished since listing: the reader will say so
            continue
        previous = run.known.get(key)
        settled = previous is not None and not previous.retry and previous.sha256 not in run.reread
        if previous and settled and (previous.size, previous.mtime_ns) == stat:
            run.summary.unchanged += 1
            continue
        sha = _sha256_of(path)
        if previous and settled and previous.sha256 == sha:  # only touched
            record_file(run.engine, None, key, *stat, sha, __version__, run.run_id)
            run.summary.unchanged += 1
            continue
        todo[key] = (*stat, sha)
    return todo, seen


def _vanished(known: Iterable[str], seen: set[str], roots: list[Path]) -> list[str]:
    """Paths known before, under one of the roots given, that this run did not list."""
    under = [r.resolve() for r in roots]
    return sorted(p for p in known if p not in seen and any(_is_under(p, r) for r in under))


def _is_under(path: str, root: Path) -> bool:
    """Whether `path` (an archive's entry by its archive) is `root` or inside it: by path
    parts, not by string prefix, so folder `pa` does not hold `pa2/x.txt`."""
    outer = Path(path.split("!/", 1)[0]).resolve()
    return outer == root or outer.is_relative_to(root)


def _read(
    todo: _Todo,
    ocr: str,
    by_sha: Corrections,
    executor: str,
    scheduler: str | None,
    workers: int,
    timeout: float,
    max_memory_mb: float,
) -> Iterator[Result]:
    """Each file's filings as they are read: on Dask, in worker processes, or in this process."""
    if executor == "dask":
        if not scheduler:
            raise UsageError("--executor dask needs --scheduler ADDRESS.")
        return run_on_dask(todo, scheduler, ocr, by_sha)
    if workers > 0:
        return run_in_workers(todo, workers, timeout, max_memory_mb, ocr, by_sha)
    return run_in_process(todo, ocr, by_sha)


def _record(
    run: _Run,
    path_key: str,
    filings: list[Filing],
    todo: _Todo,
    on_filing: Callable[[Filing], None] | None,
) -> None:
    """Write one file's filings (replacing what its old contents gave) and count them."""
    size, mtime_ns, sha = todo.get(path_key, (0, 0, ""))
    sha = sha or filings[0].source_sha256
    record_file(run.engine, filings, path_key, size, mtime_ns, sha, __version__, run.run_id)
    for filing in filings:
        run.summary.add(filing)
        if on_filing:
            on_filing(filing)


def _counts(summary: RunSummary) -> dict[str, int]:
    return {
        "files_seen": summary.files_seen,
        "unchanged": summary.unchanged,
        "ok": summary.ok,
        "partial": summary.partial,
        "failed": summary.failed,
        "vanished": len(summary.vanished),
        "pruned": summary.pruned,
    }


def _unreachable(db_url: str, exc: Exception) -> str:
    first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return (
        f"Could not open or write the database {db_url}: {exc.__class__.__name__}: {first}. "
        "Check the --db URL, that the server is running and that the location is writable; "
        "everything committed before this point is kept."
    )
