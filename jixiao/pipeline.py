"""The batch: discover files → extract → normalize → load. The one place the stages meet."""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path

from sqlalchemy.exc import SQLAlchemyError

from jixiao import __version__
from jixiao.extract import ExtractError, extract_file
from jixiao.load import connect, create_schema, write_filing
from jixiao.normalize import Filing, Finding, NormalizeError, normalize

log = logging.getLogger(__name__)

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
    """Files to ingest and files a folder walk passed over (hidden or not a filing's suffix)."""
    files: list[Path] = []
    skipped: list[Path] = []
    for given in paths:
        path = Path(given)
        if path.is_file():
            files.append(path)
        elif path.is_dir():
            for candidate in sorted(p for p in path.rglob("*") if p.is_file()):
                relative = candidate.relative_to(path)
                hidden = any(part.startswith(".") for part in relative.parts)
                if hidden or candidate.suffix.lower() not in FILING_SUFFIXES:
                    skipped.append(candidate)
                else:
                    files.append(candidate)
        else:
            raise UsageError(f"{path}: no such file or folder. Check the path and try again.")
    return files, skipped


def _sha256_of(path: Path) -> str:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        # Unreadable: identify the failure by its path so it still gets its own row.
        return hashlib.sha256(b"unreadable:" + str(path).encode()).hexdigest()


def file_to_filing(path: Path, ocr: str = "auto") -> Filing:
    """Extract and normalize one file. Never raises: a file that cannot be read becomes a failed
    Filing whose finding says why. `ocr`: auto | always | never (see extract_bytes)."""
    try:
        doc = extract_file(path, ocr)
    except ExtractError as exc:
        return Filing.failed(
            str(path), _sha256_of(path), "unknown", Finding("error", exc.code, str(exc))
        )
    except Exception as exc:  # a bug must cost one file, not the batch
        log.exception("unexpected error extracting %s", path)
        return Filing.failed(str(path), _sha256_of(path), "unknown", _internal(exc))
    try:
        return normalize(doc)
    except NormalizeError as exc:
        return Filing.failed(
            str(path), doc.sha256, doc.source_format, Finding("error", exc.code, str(exc))
        )
    except Exception as exc:
        log.exception("unexpected error normalizing %s", path)
        return Filing.failed(str(path), doc.sha256, doc.source_format, _internal(exc))


def _internal(exc: Exception) -> Finding:
    return Finding(
        "error",
        "internal_error",
        f"jixiao could not process this file because of an internal error "
        f"({type(exc).__name__}: {exc}). The rest of the batch was loaded; please report this "
        "file to the jixiao maintainers.",
    )


def iter_filings(files: Iterable[Path], ocr: str = "auto") -> Iterator[Filing]:
    for path in files:
        yield file_to_filing(path, ocr)


def ingest(
    paths: Iterable[str | Path],
    db_url: str,
    on_filing: Callable[[Filing], None] | None = None,
    ocr: str = "auto",
) -> RunSummary:
    """Ingest files and folders into the database at `db_url`."""
    files, skipped = discover(paths)
    summary = RunSummary(files_seen=len(files), skipped=[str(p) for p in skipped])
    try:
        engine = connect(db_url)
        create_schema(engine)
    except SQLAlchemyError as exc:
        raise DatabaseUnreachable(
            f"Could not open the database {db_url}: {exc.__class__.__name__}: "
            f"{str(exc).splitlines()[0]}. Check the --db URL and that the server is running."
        ) from exc
    try:
        for filing in iter_filings(files, ocr):
            try:
                write_filing(engine, filing, __version__)
            except SQLAlchemyError as exc:
                log.error("could not store %s: %s", filing.source_path, exc)
                filing = Filing.failed(
                    filing.source_path,
                    filing.source_sha256,
                    filing.source_format,
                    Finding(
                        "error",
                        "not_stored",
                        f"The filing was read but could not be stored ({type(exc).__name__}).",
                    ),
                )
                write_filing(engine, filing, __version__)
            summary.add(filing)
            if on_filing:
                on_filing(filing)
    finally:
        engine.dispose()
    return summary
