"""A PDF or image file read page by page: each PDF page from its text layer, or by OCR where it
has none usable; pages stitched into blocks. The notes on how each page was read (page_turned,
page_needs_ocr, page_ocr, page_unreadable) are made here.

Pages are read one at a time and their caches released, so memory stays flat on long files.
pdfplumber loads on the first PDF; OpenCV and the OCR engine only when a page needs them."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from jixiao import codes

from . import text_layer
from .layout import layout_to_items
from .model import Block, ExtractError, Note
from .page_types import PageResult
from .settings import DEFAULT, Settings
from .stitch import pages_to_blocks

if TYPE_CHECKING:
    import numpy as np

log = logging.getLogger(__name__)


def page_to_result(page: Any, number: int, settings: Settings = DEFAULT) -> PageResult:
    """One page of the text layer. A page whose text is unusable comes back with a
    `page_needs_ocr` note and no items; the caller decides whether to OCR it."""
    result = PageResult(number)
    turn = text_layer.page_turn(page, settings.text_layer)
    if turn:
        page = text_layer.turned_upright(page, turn)
        result.notes.append(
            Note(
                "info",
                codes.PAGE_TURNED,
                f"Page {number} was printed turned {turn}°; it was read turned upright.",
                f"page {number}",
            )
        )
    chars = text_layer.page_chars(page, settings.text_layer)
    quality = text_layer.chars_to_quality(chars, bool(page.images), settings.text_layer)
    if quality is not None:
        result.notes.append(
            Note(
                "warning",
                codes.PAGE_NEEDS_OCR,
                f"Page {number} {text_layer.QUALITY[quality]}; its content could not be read "
                "and needs OCR.",
                f"page {number}",
            )
        )
        return result
    tables = text_layer.page_tables(page)
    rules = text_layer.page_rules(page)
    result.items = layout_to_items(number, chars, tables, rules, settings.layout)
    return result


def image_to_result(
    image: np.ndarray, number: int, dpi: float, settings: Settings = DEFAULT
) -> PageResult:
    """One page image to its items, with a note on what was done to read it."""
    from .scan import image_to_layout

    read = image_to_layout(image, dpi, settings.scan)
    result = PageResult(number)
    result.items = layout_to_items(
        number, read.chars, read.tables, read.rules, settings.layout, hidden_text=False
    )
    done = [f"read by OCR at {dpi:.0f} dpi"]
    if read.turn:
        done.append(f"turned {read.turn}° to read upright")
    if abs(read.angle) >= 0.05:
        done.append(f"straightened by {read.angle:.1f}°")
    result.notes.append(
        Note("info", codes.PAGE_OCR, f"Page {number} was {', '.join(done)}.", f"page {number}")
    )
    return result


def _ocr_page(
    data: bytes, index: int, number: int, cache: dict[str, Any], settings: Settings
) -> PageResult:
    """Page `number` rendered by PDFium and read by OCR."""
    import pypdfium2 as pdfium

    from .render import render_pdf_page, scan_dpi

    if "doc" not in cache:
        cache["doc"] = pdfium.PdfDocument(data)
    dpi = scan_dpi(cache["doc"], index, settings.scan)
    return image_to_result(render_pdf_page(cache["doc"], index, dpi), number, dpi, settings)


def _read_by_ocr(needs: Note, read: PageResult) -> PageResult:
    """The OCR reading of a page whose text layer needed it: its last note says why."""
    read.notes[-1:] = [
        Note(
            "info",
            codes.PAGE_OCR,
            needs.message.replace("needs OCR", "was read by OCR").replace(
                "could not be read and ", ""
            ),
            needs.location,
        )
    ]
    return read


def _unreadable(number: int, exc: Exception) -> PageResult:
    return PageResult(
        number,
        notes=[
            Note(
                "error",
                codes.PAGE_UNREADABLE,
                f"Page {number} could not be read ({type(exc).__name__}); the rest of the file "
                "was.",
                f"page {number}",
            )
        ],
    )


def iter_pages(
    pdf: Any, data: bytes, ocr: str, scanned: list[int], settings: Settings = DEFAULT
) -> Iterator[PageResult]:
    """Each page from its text layer, or by OCR where it has none usable (ocr='auto'), on every
    page (ocr='always') or never ('never'). Pages read by OCR are added to `scanned`."""
    cache: dict[str, Any] = {}
    try:
        for number, page in enumerate(pdf.pages, start=1):
            try:
                if ocr == "always":
                    result = _ocr_page(data, number - 1, number, cache, settings)
                    scanned.append(number)
                else:
                    result = page_to_result(page, number, settings)
                    needs = next((n for n in result.notes if n.code == codes.PAGE_NEEDS_OCR), None)
                    if ocr == "auto" and needs is not None:
                        read = _ocr_page(data, number - 1, number, cache, settings)
                        result = _read_by_ocr(needs, read)
                        scanned.append(number)
                yield result
            except ExtractError:
                raise
            except Exception as exc:
                log.debug("page %s failed", number, exc_info=True)
                yield _unreadable(number, exc)
            finally:
                page.close()  # release the page's cached objects: memory stays flat
    finally:
        if "doc" in cache:
            cache["doc"].close()


def pdf_to_blocks(
    data: bytes, ocr: str = "auto", settings: Settings = DEFAULT
) -> tuple[tuple[Block, ...], tuple[Note, ...], int, int]:
    """Blocks, notes, page count and how many pages were read by OCR."""
    text_layer.check_pdf_bytes(data)
    pdf = text_layer.open_pdf(data)
    scanned: list[int] = []
    try:
        try:
            n_pages = len(pdf.pages)
        except Exception as exc:
            raise ExtractError(
                f"This PDF is damaged: its page list cannot be read ({type(exc).__name__}). "
                "Download or export it again.",
                code=codes.CORRUPT_PDF,
            ) from exc
        if n_pages == 0:
            raise ExtractError("This PDF has no pages.", code=codes.CORRUPT_PDF)
        pages = iter_pages(pdf, data, ocr, scanned, settings)
        blocks, notes = pages_to_blocks(pages, settings.layout)
    finally:
        pdf.close()
    return tuple(blocks), tuple(notes), n_pages, len(scanned)


def images_to_blocks(
    data: bytes, settings: Settings = DEFAULT
) -> tuple[tuple[Block, ...], tuple[Note, ...], int]:
    """An image file (every frame of a TIFF) read by OCR, pages stitched like a PDF's."""
    from .scan import images_in

    count = 0

    def pages() -> Iterator[PageResult]:
        nonlocal count
        for count, (image, dpi) in enumerate(images_in(data, settings.scan), start=1):
            yield image_to_result(image, count, dpi, settings)

    blocks, notes = pages_to_blocks(pages(), settings.layout)
    return tuple(blocks), tuple(notes), count
