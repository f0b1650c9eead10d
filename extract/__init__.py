"""extract: read one file into a `RawDocument` (paragraphs and tables whose cells keep where they
came from). Imports nothing from later stages."""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass
from pathlib import Path

from jixiao import codes

from .archive import Entry, archive_entries
from .model import Block, Cell, CellRef, ExtractError, Note, Paragraph, RawDocument, Table
from .settings import DEFAULT, Settings
from .sniff import decode_text, looks_like_html, sniff_format
from .text_export import text_to_blocks

__all__ = [
    "Block",
    "Cell",
    "CellRef",
    "Entry",
    "ExtractError",
    "Note",
    "Paragraph",
    "RawDocument",
    "Settings",
    "Table",
    "archive_entries",
    "decode_text",
    "extract_bytes",
    "extract_file",
    "is_archive",
    "sniff_format",
]


def is_archive(data: bytes) -> bool:
    """A ZIP archive of files (not a .docx/.xlsx, which are ZIP inside)."""
    return data[:4] in (b"PK\x03\x04", b"PK\x05\x06") and _office_kind(data) is None


OCR_MODES = ("auto", "always", "never")


def extract_bytes(
    data: bytes, source_path: str, ocr: str = "auto", settings: Settings = DEFAULT
) -> RawDocument:
    """Bytes of one file to a RawDocument. The format comes from the bytes, not the name.

    `ocr`: 'auto' reads by OCR the PDF pages that have no usable text layer (and images);
    'always' OCRs every page; 'never' only reports the pages that would need it. `settings`:
    the PDF and scan readers' tolerances (bench/ compares them)."""
    read = _read(data, sniff_format(data), ocr, settings)
    return RawDocument(
        source_path=source_path,
        sha256=hashlib.sha256(data).hexdigest(),
        source_format=read.source_format,
        blocks=read.blocks,
        encoding=read.encoding,
        page_count=read.page_count,
        notes=read.notes,
    )


@dataclass(frozen=True)
class _Read:
    source_format: str
    blocks: tuple[Block, ...]
    notes: tuple[Note, ...] = ()
    page_count: int | None = None
    encoding: str | None = None


def _read(data: bytes, fmt: str, ocr: str, settings: Settings) -> _Read:
    """The reader each format needs; heavy ones (pdfplumber, OCR, Office) load only then."""
    if fmt == "pdf":
        from .pages import pdf_to_blocks

        blocks, notes, pages, scanned = pdf_to_blocks(data, ocr, settings)
        return _Read("pdf-scanned" if scanned else "pdf", blocks, notes, pages)
    if fmt == "image":
        if ocr == "never":
            raise ExtractError(
                "This file is an image (a scan or photo); reading it needs OCR, which --ocr never "
                "turned off. Run again with --ocr auto.",
                code=codes.NEEDS_OCR,
            )
        from .pages import images_to_blocks

        blocks, notes, pages = images_to_blocks(data, settings)
        return _Read("image", blocks, notes, pages)
    office = _office_kind(data) if fmt == "zip" else None
    if office:
        from .office import docx_to_blocks, xlsx_to_blocks

        return _Read(office, (docx_to_blocks if office == "docx" else xlsx_to_blocks)(data))
    if fmt == "ole":
        from .office import legacy_kind, legacy_to_blocks, xls_to_blocks

        kind = legacy_kind(data)
        if kind == "xls":  # read directly; LibreOffice only for Word/WPS documents
            return _Read("xls", xls_to_blocks(data))
        return _Read(kind, legacy_to_blocks(data, kind))
    if fmt == "zip":
        raise ExtractError(
            "This file is a ZIP archive of several files, not one filing; `jixiao ingest` and "
            "`jixiao extract` read each file inside it (archive_entries does it for callers).",
            code=codes.IS_ARCHIVE,
        )
    text, encoding = decode_text(data)
    if looks_like_html(text):
        from .office import html_to_blocks

        return _Read("html", html_to_blocks(text), encoding=encoding)
    return _Read("text", text_to_blocks(text), encoding=encoding)


def _office_kind(data: bytes) -> str | None:
    """'docx' or 'xlsx' for an Office Open XML file, from the parts inside the ZIP."""
    import zipfile

    try:
        names = set(zipfile.ZipFile(io.BytesIO(data)).namelist())
    except zipfile.BadZipFile:
        return None
    if "word/document.xml" in names:
        return "docx"
    if "xl/workbook.xml" in names:
        return "xlsx"
    return None


def extract_file(path: str | Path, ocr: str = "auto") -> RawDocument:
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ExtractError(
            f"Could not open the file: {exc.strerror or exc}. Check that it exists and is "
            "readable.",
            code=codes.UNREADABLE,
        ) from exc
    return extract_bytes(data, str(path), ocr)
