"""The batch: discover files → extract → normalize → load. The one place the stages meet."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from stat import S_ISBLK, S_ISCHR, S_ISFIFO, S_ISREG, S_ISSOCK

from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError

from jixiao import __version__
from jixiao.load import (
    DatabaseUnreachable,
    Source,
    connect,
    corrected_shas,
    create_schema,
    database_lock,
    fail_abandoned_runs,
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
    "RunStopped",
    "RunSummary",
    "Skipped",
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


class RunStopped(BaseException):
    """A signal asked the run to stop (the CLI raises it from its SIGTERM handler). Not an
    Exception, so no per-file `except Exception` swallows it: the run ends, marked failed."""

    def __init__(self, signal_name: str, number: int) -> None:
        super().__init__(f"stopped by {signal_name}")
        self.number = number


@dataclass
class _Stops:
    """A stop asked for while the run writes to the database waits for the write to end: raised
    inside SQLAlchemy's commit it could leave a connection holding SQLite's write lock, and the
    run's row could then not be marked failed."""

    writing: int = 0
    pending: RunStopped | None = None


_STOPS = _Stops()


def request_stop(signal_name: str, number: int) -> None:
    """Stop the run: now, or when the database write under way has ended."""
    stop = RunStopped(signal_name, number)
    if _STOPS.writing:
        _STOPS.pending = stop
        return
    raise stop


@contextlib.contextmanager
def _writing() -> Iterator[None]:
    _STOPS.writing += 1
    stop = None
    try:
        yield
    finally:
        _STOPS.writing -= 1
        if not _STOPS.writing:
            stop, _STOPS.pending = _STOPS.pending, None
    if stop is not None:
        raise stop


@dataclass
class RunSummary:
    files_seen: int = 0
    skipped: list[Skipped] = field(default_factory=list)
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
    abandoned: list[int] = field(default_factory=list)  # earlier runs found `running`, now failed

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


@dataclass(frozen=True)
class Skipped:
    """A folder entry the walk did not read, and why (in words a clerk understands)."""

    path: str
    reason: str


# Reasons a folder walk passes an entry over that are ordinary (a hidden file, a .docx~ lock
# file, a photo of the office): counted in the summary, not warned about one by one.
ORDINARY = frozenset({"hidden", "not a filing's file type"})


def discover(
    paths: Iterable[str | Path], follow_symlinks: bool = False
) -> tuple[list[Path], list[Skipped]]:
    """Files to ingest, and the entries a folder walk passed over with the reason. A file named
    on the command line is always read. In a folder, symlinks are read only when they point
    inside the folder, unless `follow_symlinks`; folders are never visited twice (a link loop
    must not hang a nightly run)."""
    files: list[Path] = []
    skipped: list[Skipped] = []
    for given in paths:
        path = Path(given)
        if path.is_file():
            files.append(path)
        elif path.is_dir():
            _walk(path, follow_symlinks, files, skipped)
        else:
            raise UsageError(f"{path}: no such file or folder. Check the path and try again.")
    return files, skipped


def _walk(root: Path, follow: bool, files: list[Path], skipped: list[Skipped]) -> None:
    inside = root.resolve()
    visited: set[str] = set()

    def unreadable(error: OSError) -> None:
        why = error.strerror or type(error).__name__
        where = stored_path(str(error.filename or root))
        skipped.append(Skipped(where, f"folder could not be read: {why}"))

    for folder, dirs, names in os.walk(root, onerror=unreadable, followlinks=follow):
        real = os.path.realpath(folder)
        if real in visited:  # a link back to a folder already read
            skipped.append(
                Skipped(stored_path(folder), "symlink loop: this folder was already read")
            )
            dirs[:] = []
            continue
        visited.add(real)
        kept = []
        for name in sorted(dirs):
            reason = _folder_skipped(Path(folder) / name, inside, follow)
            if reason:
                skipped.append(Skipped(stored_path(str(Path(folder) / name)), reason))
            else:
                kept.append(name)
        dirs[:] = kept
        for name in sorted(names):
            candidate = Path(folder) / name
            reason = _file_skipped(candidate, inside, follow)
            if reason:
                skipped.append(Skipped(stored_path(str(candidate)), reason))
            else:
                files.append(candidate)


def _folder_skipped(path: Path, inside: Path, follow: bool) -> str | None:
    if path.name.startswith("."):
        return "hidden"
    if path.is_symlink() and not (follow or _points_inside(path, inside)):
        return "symlink to a folder outside the one being ingested (--follow-symlinks follows it)"
    return None


def _file_skipped(path: Path, inside: Path, follow: bool) -> str | None:
    """Why a folder walk does not read `path`, or None to read it."""
    if path.name.startswith("."):
        return "hidden"
    if path.suffix.lower() not in FILING_SUFFIXES:
        return "not a filing's file type"
    if path.is_symlink():
        try:
            path.resolve(strict=True)
        except FileNotFoundError:
            return "dangling symlink: the file it points to does not exist"
        except (OSError, RuntimeError):
            return "symlink loop: the link points back to itself"
        if not (follow or _points_inside(path, inside)):
            return (
                "symlink to a file outside the folder being ingested (--follow-symlinks reads it)"
            )
    try:
        mode = path.stat().st_mode
    except OSError as exc:
        return f"could not be read: {exc.strerror or exc}"
    if not S_ISREG(mode):
        return f"not a regular file ({_kind(mode)})"
    return None


def _points_inside(link: Path, inside: Path) -> bool:
    return link.resolve().is_relative_to(inside)


def _kind(mode: int) -> str:
    if S_ISFIFO(mode):
        return "a FIFO"
    if S_ISSOCK(mode):
        return "a socket"
    if S_ISCHR(mode) or S_ISBLK(mode):
        return "a device"
    return "not a file"


def stored_path(path: str) -> str:
    """A path as the database and the summary keep it. A file name that is not UTF-8 (GBK names
    from Windows shares and ZIPs, a stray \\xff) arrives from the folder walk with its bytes
    surrogate-escaped, which no database or terminal takes; those bytes are written as \\xNN,
    so the name stays readable and tells its file apart from every other."""
    return os.fsencode(path).decode("utf-8", errors="backslashreplace")


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
    follow_symlinks: bool = False,
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

    Runs left `running` by a run that was killed are marked failed; this run's row is marked
    failed when it crashes or is stopped (RunStopped), and done when it ends.

    `workers`: 0 reads files in this process; N > 0 in N worker processes with a per-file
    `timeout` (seconds) and memory cap; `executor='dask'` sends the work to `scheduler`.
    `corrections` are applied to their filings' cells; a file with corrections (or with
    corrections applied last time) is read again even when unchanged, so they take effect."""
    roots = [Path(p) for p in paths]
    files, skipped = discover(roots, follow_symlinks)
    summary = RunSummary(files_seen=len(files), skipped=skipped)
    engine = _connect(db_url)
    try:
        with database_lock(engine, wait):
            _create(engine, db_url)  # under the lock: two first runs must not both create it
            summary.abandoned = fail_abandoned_runs(engine)
            summary.run_id = start_run(
                engine, __version__, arguments or {"paths": [str(p) for p in roots]}
            )
            run = _Run(engine, summary.run_id, load_sources(engine), set(), summary)
            by_sha = by_filing(corrections)
            run.reread = corrected_shas(engine, set(by_sha))
            todo, seen = _decide(run, files)
            summary.vanished = _vanished(run.known, seen, roots)
            results = _read(todo, ocr, by_sha, executor, scheduler, workers, timeout, max_memory_mb)
            for path_key, filings in results:
                with _writing():
                    _record(run, path_key, filings, todo, on_filing)
            if prune_vanished and summary.vanished:
                summary.pruned = prune(engine, summary.vanished)
            with _writing():
                finish_run(engine, summary.run_id, "done", _counts(summary))
    except BaseException as exc:
        # Outside the lock: a run that lost its lock may still say how it ended.
        _mark_failed(engine, summary)
        if isinstance(exc, SQLAlchemyError):
            raise DatabaseUnreachable(_unreachable(db_url, exc)) from exc
        raise
    finally:
        engine.dispose()
    return summary


def _mark_failed(engine: Engine, summary: RunSummary) -> None:
    """The run's row says `failed` when the run crashed, was stopped or lost the database (when
    the database can still be written)."""
    if summary.run_id is None:
        return
    with contextlib.suppress(Exception):  # the database itself failed: the next run marks it
        finish_run(engine, summary.run_id, "failed", _counts(summary))


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


def _connect(db_url: str) -> Engine:
    try:
        return connect(db_url)
    except SQLAlchemyError as exc:
        raise DatabaseUnreachable(_unreachable(db_url, exc)) from exc


def _create(engine: Engine, db_url: str) -> None:
    """The database at the current schema (a new one is created)."""
    try:
        create_schema(engine)
    except SQLAlchemyError as exc:
        raise DatabaseUnreachable(_unreachable(db_url, exc)) from exc


def _decide(run: _Run, files: list[Path]) -> tuple[_Todo, set[str]]:
    """The files to read, and every path listed. A file with the size and mtime of last time is
    unchanged; one only touched (same bytes) has its new stat recorded; both count as unchanged
    unless their contents are to be read again for corrections, or their last read failed for a
    reason that may have passed (a time limit, LibreOffice missing: codes.RETRYABLE)."""
    todo: _Todo = {}
    seen: set[str] = set()
    for path in files:
        key, stat = str(path), _stat(path)
        seen.add(stored_path(key))
        if stat is None:
            todo[key] = (0, 0, "")  # vanished since listing: the reader will say so
            continue
        previous = run.known.get(stored_path(key))
        settled = previous is not None and not previous.retry and previous.sha256 not in run.reread
        if previous and settled and (previous.size, previous.mtime_ns) == stat:
            run.summary.unchanged += 1
            continue
        sha = _sha256_of(path)
        if previous and settled and previous.sha256 == sha:  # only touched
            record_file(run.engine, None, stored_path(key), *stat, sha, __version__, run.run_id)
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
    for filing in filings:
        filing.source_path = stored_path(filing.source_path)
    path = stored_path(path_key)
    record_file(run.engine, filings, path, size, mtime_ns, sha, __version__, run.run_id)
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
