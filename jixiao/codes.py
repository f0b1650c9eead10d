"""Every finding and note code jixiao writes (`findings.code`), in one place.

A leaf module: it imports nothing from jixiao, so every stage may read it. Codes are part of the
database contract (analysts filter on them): change a value only with a migration of the rows.
tests/test_codes.py checks that every code literal in extract/, normalize/, jixiao/ and load/
is defined here."""

from __future__ import annotations

# --- files that could not be read (extract) ---------------------------------------------------
UNREADABLE = "unreadable"  # the file could not be read at all (ExtractError's default)
EMPTY_FILE = "empty_file"  # the file has no bytes
NOT_TEXT = "not_text"  # bytes that decode as no known text encoding
IS_ARCHIVE = "is_archive"  # an archive handed to the single-file reader
NEEDS_OCR = "needs_ocr"  # scanned pages and OCR switched off
TRUNCATED_PDF = "truncated_pdf"  # a PDF cut short (no end marker)
ENCRYPTED_PDF = "encrypted_pdf"  # a password-protected PDF
CORRUPT_PDF = "corrupt_pdf"  # a PDF pdfium/pdfplumber cannot open, or one with no pages
CORRUPT_IMAGE = "corrupt_image"  # an image file Pillow cannot decode
IMAGE_TOO_LARGE = "image_too_large"  # an image past the pixel limit (decompression bomb)
CORRUPT_OFFICE = "corrupt_office"  # a .docx/.xlsx/.xls that is not the file its name says
NEEDS_LIBREOFFICE = "needs_libreoffice"  # legacy .doc/.wps and LibreOffice is not installed
CONVERSION_FAILED = "conversion_failed"  # LibreOffice could not convert a legacy file

# --- archives (ZIP) ---------------------------------------------------------------------------
ARCHIVE_DAMAGED = "archive_damaged"  # the archive itself cannot be opened
ARCHIVE_TOO_LARGE = "archive_too_large"  # an archive listing implausibly many files
ARCHIVE_EMPTY = "archive_empty"  # an archive with no file jixiao reads
ARCHIVE_NESTED = "archive_nested"  # an archive inside an archive (not unpacked)
ARCHIVE_UNSAFE_NAME = "archive_unsafe_name"  # an entry whose name points outside the archive
ARCHIVE_ENCRYPTED = "archive_encrypted"  # a password-protected entry
ARCHIVE_BOMB = "archive_bomb"  # an entry that would inflate past the limits (a zip bomb)
ARCHIVE_ENTRY_DAMAGED = "archive_entry_damaged"  # an entry that could not be unpacked

# --- the batch (workers) ------------------------------------------------------------------------
TIMEOUT = "timeout"  # reading the file took longer than --timeout
MEMORY = "memory"  # reading the file needed more than --max-memory
WORKER_CRASHED = "worker_crashed"  # the worker reading the file stopped without an answer
INTERNAL_ERROR = "internal_error"  # a bug in jixiao while reading the file

# --- pages (extract notes) ----------------------------------------------------------------------
PAGE_NEEDS_OCR = "page_needs_ocr"  # a PDF page without a usable text layer
PAGE_OCR = "page_ocr"  # a page was read by OCR
PAGE_TURNED = "page_turned"  # a page printed turned, read turned upright
PAGE_UNREADABLE = "page_unreadable"  # a page that neither its text nor OCR could read
READ_BY_PDFIUM = "read_by_pdfium"  # a page (or file) pdfminer misreads, read by PDFium instead
CELL_JOINED_ACROSS_PAGES = "cell_joined_across_pages"  # a cell split by a page end, rejoined

# --- documents that are not filings (normalize) -----------------------------------------------
NOT_A_FILING = "not_a_filing"  # read, but not a performance table (NormalizeError's default)
PAGES_UNREADABLE = "pages_unreadable"  # no table read: pages neither text nor OCR could read
PART_NOT_READ = "part_not_read"  # one table of a file with several could not be read
NO_INDICATORS = "no_indicators"  # no indicator rows under a 一级指标/三级指标 header
CELL_NOT_READ = "cell_not_read"  # a table cell no part of the filing read (the ledger)

# --- the filing's header ------------------------------------------------------------------------
FISCAL_YEAR_MISSING = "fiscal_year_missing"  # no fiscal year found in the filing
DEPARTMENT_MISSING = "department_missing"  # no department found in the filing
FISCAL_YEAR_FROM_FILE = "fiscal_year_from_file"  # a table stating no year took the one before it

# --- main functions and indicators ------------------------------------------------------------
FUNCTION_NOT_LINKED = "function_not_linked"  # a 履职 cell matches no main function
FUNCTION_TEXT_REJOINED = "function_text_rejoined"  # a 职能 text broken by a page end, rejoined
FUNCTION_TEXT_REPAIRED = "function_text_repaired"  # a garbled 职能 text repaired
KEY_TASK_REPAIRED = "key_task_repaired"  # a key task OCR garbled, repaired
INDICATOR_MISPLACED = "indicator_misplaced"  # an indicator filed under unusual levels
LEVEL1_UNKNOWN = "level1_unknown"  # a 一级指标 not in the dictionaries
VALUES_WITHOUT_INDICATOR = "values_without_indicator"  # value cells with no indicator name
EXTRA_LABEL_IGNORED = "extra_label_ignored"  # an extra label before the 二级指标, ignored
SCORE_NOT_A_NUMBER = "score_not_a_number"  # a 分值/得分 cell that is not a number
UNIT_CONFLICT = "unit_conflict"  # the unit column and the value disagree

# --- targets and amounts ----------------------------------------------------------------------
H1_ABOVE_FY = "h1_above_fy"  # the half-year target is above the full-year one
RATE_ABOVE_100 = "rate_above_100"  # a rate target above 100%
AMOUNTS_CONVERTED = "amounts_converted"  # amounts printed in 元/亿元, converted to 万元

# --- reconciliation: parts that should add up to their total ---------------------------------
FUNDS_DO_NOT_ADD_UP = "funds_do_not_add_up"  # fund lines do not add up to their total
EXECUTION_RATE_MISMATCH = "execution_rate_mismatch"  # 执行率 disagrees with executed / budget
SCORE_TOTAL_WRONG = "score_total_wrong"  # 总分 disagrees with the sum of the 得分
WEIGHT_TOTAL_WRONG = "weight_total_wrong"  # the 分值 do not add up to 100
SCORE_INCONSISTENT = "score_inconsistent"  # a 得分 the scoring rules (scoring.yaml) do not give
SCORE_ABOVE_WEIGHT = "score_above_weight"  # a 得分 above its 分值

# --- OCR review -----------------------------------------------------------------------------------
OCR_REPAIRED = "ocr_repaired"  # a value OCR misread, repaired (ocr_text keeps what it read)
OCR_LOW_CONFIDENCE = "ocr_low_confidence"  # OCR was unsure of a cell
OCR_SUSPECT_TEXT = "ocr_suspect_text"  # words where the other target is a number

# --- corrections (corrections file) -----------------------------------------------------------
CORRECTION_APPLIED = "correction_applied"  # a correction replaced a cell
CORRECTION_STALE = "correction_stale"  # the cell no longer reads the correction's original
CORRECTION_NOT_APPLIED = "correction_not_applied"  # the filing has no cell at the location
CORRECTION_AMBIGUOUS = "correction_ambiguous"  # its location names several cells; not applied

# --- groupings --------------------------------------------------------------------------------
# Findings that say a filing's parts do not add up to its totals (the filing_findings view's
# reconciliation_failures, the report's reconciliation section).
RECONCILIATION = (
    FUNDS_DO_NOT_ADD_UP,
    EXECUTION_RATE_MISMATCH,
    SCORE_TOTAL_WRONG,
    WEIGHT_TOTAL_WRONG,
)
# Findings a corrections file leaves behind.
CORRECTIONS = (
    CORRECTION_APPLIED,
    CORRECTION_STALE,
    CORRECTION_NOT_APPLIED,
    CORRECTION_AMBIGUOUS,
)
# Corrections that no longer land.
CORRECTIONS_NOT_LANDING = (CORRECTION_STALE, CORRECTION_NOT_APPLIED, CORRECTION_AMBIGUOUS)
# Errors that mean "this is not a filing jixiao could read" (a failed file, not a bad table).
NOT_A_FILING_ERRORS = frozenset(
    {
        UNREADABLE,
        EMPTY_FILE,
        NOT_TEXT,
        IS_ARCHIVE,
        NEEDS_OCR,
        TRUNCATED_PDF,
        ENCRYPTED_PDF,
        CORRUPT_PDF,
        CORRUPT_IMAGE,
        IMAGE_TOO_LARGE,
        CORRUPT_OFFICE,
        NEEDS_LIBREOFFICE,
        CONVERSION_FAILED,
        ARCHIVE_DAMAGED,
        ARCHIVE_TOO_LARGE,
        ARCHIVE_EMPTY,
        ARCHIVE_NESTED,
        ARCHIVE_UNSAFE_NAME,
        ARCHIVE_ENCRYPTED,
        ARCHIVE_BOMB,
        ARCHIVE_ENTRY_DAMAGED,
        TIMEOUT,
        MEMORY,
        WORKER_CRASHED,
        INTERNAL_ERROR,
        NOT_A_FILING,
        PAGES_UNREADABLE,
    }
)

# Failures that may not happen again with the same bytes (a larger --timeout or --max-memory, a
# worker that does not crash, a file made readable, LibreOffice installed): a file whose last
# read ended in one is read again on the next run even when unchanged.
RETRYABLE = frozenset({TIMEOUT, MEMORY, WORKER_CRASHED, UNREADABLE, NEEDS_LIBREOFFICE})


def all_codes() -> frozenset[str]:
    """Every code defined above."""
    return frozenset(
        value for name, value in globals().items() if name.isupper() and isinstance(value, str)
    )
