"""The per-file work: one file's bytes → extract → normalize → its Filings. No database.

What a worker process runs (jixiao.workers), so it imports only the extract and normalize
stages: never SQLAlchemy, Alembic or jixiao.load, which a worker has no use for."""

from __future__ import annotations

import hashlib
import logging
import os
from collections.abc import Mapping, Sequence
from pathlib import Path

from jixiao import codes
from jixiao.extract import ExtractError, Settings, archive_entries, extract_bytes, is_archive
from jixiao.logs import log_path
from jixiao.normalize import (
    Correction,
    Filing,
    Finding,
    NormalizeError,
    apply_corrections,
    normalize_document,
)

# Corrections by the sha256 of the filing they belong to.
Corrections = Mapping[str, Sequence[Correction]]

log = logging.getLogger(__name__)


def _sha256_of(path: Path) -> str:
    """The file's sha256, read in chunks: the batch's own process hashes every touched file
    with it and must never hold a large one whole."""
    try:
        with path.open("rb") as f:
            return hashlib.file_digest(f, "sha256").hexdigest()
    except OSError:
        # Unreadable: identify the failure by its path so it still gets its own row.
        return hashlib.sha256(b"unreadable:" + os.fsencode(path)).hexdigest()


def file_to_filing(path: Path, ocr: str = "auto") -> Filing:
    """The first filing of one file (most files hold one); `file_to_filings` gives them all."""
    return file_to_filings(path, ocr)[0]


def file_to_filings(
    path: Path,
    ocr: str = "auto",
    corrections: Corrections | None = None,
    settings: Settings | None = None,
) -> list[Filing]:
    """Extract and normalize one file into its filings: one per table it holds, one per entry of
    a ZIP archive. Never raises: what cannot be read becomes a failed Filing whose finding says
    why. `ocr`: auto | always | never (see extract_bytes); `settings`: the PDF and scan readers'
    tolerances (bench/ reads scans both ways with them)."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        message = (
            f"Could not open the file: {exc.strerror or exc}. Check that it exists and is readable."
        )
        return [
            Filing.failed(
                str(path), _sha256_of(path), "unknown", Finding("error", codes.UNREADABLE, message)
            )
        ]
    if is_archive(data):
        return archive_to_filings(data, str(path), ocr, corrections)
    return bytes_to_filings(data, str(path), ocr, corrections=corrections, settings=settings)


def bytes_to_filings(
    data: bytes,
    source_path: str,
    ocr: str = "auto",
    container_sha256: str | None = None,
    corrections: Corrections | None = None,
    settings: Settings | None = None,
) -> list[Filing]:
    sha = hashlib.sha256(data).hexdigest()

    def failed(source_format: str, finding: Finding) -> list[Filing]:
        filing = Filing.failed(source_path, sha, source_format, finding)
        filing.container_sha256 = container_sha256
        return [filing]

    try:
        doc = extract_bytes(data, source_path, ocr, settings or Settings())
    except ExtractError as exc:
        return failed("unknown", Finding("error", exc.code, str(exc)))
    except Exception as exc:  # a bug must cost one file, not the batch
        log.exception("unexpected error extracting %s", source_path)
        return failed("unknown", _internal(exc))
    doc = apply_corrections(doc, (corrections or {}).get(doc.sha256, ()))
    try:
        filings = normalize_document(doc)
    except NormalizeError as exc:
        return failed(doc.source_format, Finding("error", exc.code, str(exc)))
    except Exception as exc:
        log.exception("unexpected error normalizing %s", source_path)
        return failed(doc.source_format, _internal(exc))
    for filing in filings:
        filing.container_sha256 = container_sha256
    return filings


def archive_to_filings(
    data: bytes, path: str, ocr: str = "auto", corrections: Corrections | None = None
) -> list[Filing]:
    """Each file inside a ZIP archive on its own, named `archive.zip!/folder/file`; entries the
    archive cannot safely give (unsafe names, zip bombs) become failed filings that say why."""
    sha = hashlib.sha256(data).hexdigest()
    try:
        entries = list(archive_entries(data))
    except ExtractError as exc:
        return [Filing.failed(path, sha, "zip", Finding("error", exc.code, str(exc)))]
    if not entries:
        empty = Finding(
            "error",
            codes.ARCHIVE_EMPTY,
            "This ZIP archive holds no files jixiao could read (only folders or hidden files).",
        )
        return [Filing.failed(path, sha, "zip", empty)]
    filings: list[Filing] = []
    for entry in entries:
        entry_path = f"{path}!/{entry.name}"
        if entry.data is None or is_archive(entry.data):
            error = entry.refused or ExtractError(
                f"'{entry.name}' is an archive inside the archive; unpack it and ingest the "
                "files inside.",
                code=codes.ARCHIVE_NESTED,
            )
            # No bytes to hash: the entry is identified by its archive and its name.
            entry_sha = hashlib.sha256(f"{sha}:{entry.name}".encode()).hexdigest()
            failed = Filing.failed(
                entry_path, entry_sha, "zip-entry", Finding("error", error.code, str(error))
            )
            failed.container_sha256 = sha
            filings.append(failed)
            continue
        filings += bytes_to_filings(entry.data, entry_path, ocr, sha, corrections)
    return filings


def _internal(exc: Exception) -> Finding:
    return Finding(
        "error",
        codes.INTERNAL_ERROR,
        f"jixiao could not process this file because of an internal error "
        f"({type(exc).__name__}: {exc}). The rest of the batch was loaded; please report this "
        f"file to the jixiao maintainers with the log file {log_path()}.",
    )
