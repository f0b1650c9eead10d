"""A PDF or image file read page by page: each PDF page from its text layer as pdfminer
(pdfplumber) reads it, or as PDFium reads it where pdfminer's reading is unusable, or by OCR
where neither is usable; pages stitched into blocks. A page tree pdfminer cannot read is read
by PDFium alone: a page PDFium can render is never refused. The notes on how each page was read
(page_turned, read_by_pdfium, page_needs_ocr, page_ocr, page_unreadable) are made here.

Pages are read one at a time and their caches released, so memory stays flat on long files.
pdfplumber loads on the first PDF; PDFium when a page needs it; OpenCV and the OCR engine only
when a page needs them."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from jixiao import codes

from . import render, text_layer
from .geometry import Box, Rule
from .layout import layout_to_items
from .model import Block, ExtractError, Note, Paragraph
from .page_types import Fragment, PageResult
from .settings import DEFAULT, Settings
from .stitch import pages_to_blocks

if TYPE_CHECKING:
    import numpy as np

log = logging.getLogger(__name__)

_NEEDS_OCR = "; its content could not be read and needs OCR."
# Below this share of dark pixels a rendered page is blank (a scanner's empty back side), and
# OCR finding nothing on it is no failure to read.
_BLANK_INK_SHARE = 0.001


def needs_ocr_note(number: int, why: str) -> Note:
    """The note that page `number` has no usable text layer: 'Page N {why}; ... needs OCR.'"""
    message = f"Page {number} {why}{_NEEDS_OCR}"
    return Note("warning", codes.PAGE_NEEDS_OCR, message, f"page {number}")


def _why(note: Note, number: int) -> str:
    """What page `number`'s page_needs_ocr note says is wrong with its text layer."""
    return note.message.removeprefix(f"Page {number} ").removesuffix(_NEEDS_OCR)


def _needs(result: PageResult) -> Note | None:
    return next((n for n in result.notes if n.code == codes.PAGE_NEEDS_OCR), None)


def page_to_result(page: Any, number: int, settings: Settings = DEFAULT) -> PageResult:
    """One page of pdfminer's text layer. A page whose text is unusable comes back with a
    `page_needs_ocr` note and no items; the caller decides how else to read it. Its quality is
    judged before it is turned: turning only moves the chars."""
    result = PageResult(number)
    chars = text_layer.page_chars(page, settings.text_layer)
    quality = text_layer.chars_to_quality(chars, bool(page.images), settings.text_layer)
    if quality is not None:
        result.notes.append(needs_ocr_note(number, text_layer.QUALITY[quality]))
        return result
    turn = text_layer.page_turn(page, settings.text_layer)
    if turn:
        page = text_layer.turned_upright(page, turn)
        chars = text_layer.page_chars(page, settings.text_layer)
        result.notes.append(
            Note(
                "info",
                codes.PAGE_TURNED,
                f"Page {number} was printed turned {turn}°; it was read turned upright.",
                f"page {number}",
            )
        )
    tables = text_layer.page_tables(page)
    rules = text_layer.page_rules(page)
    result.items = layout_to_items(number, chars, tables, rules, settings.layout)
    return result


def _pdfminer_result(page: Any, number: int, settings: Settings) -> PageResult:
    """page_to_result, with a page pdfminer fails on reported as needing another reading."""
    try:
        return page_to_result(page, number, settings)
    except ExtractError:
        raise
    except Exception as exc:
        log.debug("pdfminer failed on page %s", number, exc_info=True)
        why = f"has a text layer pdfminer could not read ({type(exc).__name__})"
        return PageResult(number, notes=[needs_ocr_note(number, why)])


def _page_geometry(
    page: Any | None, doc: Any, index: int, settings: Settings
) -> tuple[list[tuple[Box, list[Box]]], list[Rule]]:
    """The page's ruled tables and rules: pdfplumber's, from the drawn lines; where pdfplumber
    cannot read the page, found in PDFium's rendering as on a scan."""
    if page is not None:
        try:
            return text_layer.page_tables(page), text_layer.page_rules(page)
        except Exception:
            log.debug("pdfplumber found no rules on page %s", index + 1, exc_info=True)
    from .scan import red_free_gray, rules_to_tables

    dpi = settings.scan.render_dpi
    image = render.render_pdf_page(doc, index, dpi)
    return rules_to_tables(red_free_gray(image), 72.0 / dpi, settings.scan)


def pdfium_page_to_result(
    doc: Any, index: int, page: Any | None, settings: Settings = DEFAULT
) -> PageResult:
    """Page `index` of the text layer as PDFium reads it, laid out like pdfminer's (`page`:
    pdfplumber's page, for its rules and rotation, or None). A page whose text is unusable
    comes back with a `page_needs_ocr` note and no items."""
    number = index + 1
    result = PageResult(number)
    chars = render.page_chars(doc, index, None if page is None else page.rotation)
    quality = text_layer.chars_to_quality(chars, render.has_images(doc, index), settings.text_layer)
    if quality is not None:
        result.notes.append(needs_ocr_note(number, text_layer.QUALITY[quality]))
        return result
    tables, rules = _page_geometry(page, doc, index, settings)
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


def _is_blank(image: np.ndarray) -> bool:
    # Every other pixel both ways: a share of ink does not need them all (a full A4 page at
    # 200 dpi took as long as deskewing it).
    return float((image[::2, ::2].min(axis=2) < 128).mean()) < _BLANK_INK_SHARE


def _ocr_page(doc: Any, index: int, settings: Settings) -> tuple[PageResult, bool]:
    """Page `index` rendered by PDFium and read by OCR; and whether the page is blank."""
    dpi = render.scan_dpi(doc, index, settings.scan)
    image = render.render_pdf_page(doc, index, dpi)
    return image_to_result(image, index + 1, dpi, settings), _is_blank(image)


def _has_text(result: PageResult) -> bool:
    return any(
        item.text.strip()
        if isinstance(item, Paragraph)
        else any(c.text.strip() for c in item.cells)
        for item in result.items
        if isinstance(item, Paragraph | Fragment)
    )


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


def _found_nothing(needs: Note, number: int) -> PageResult:
    """A page with no usable text layer on which OCR found no text either."""
    return _page_unreadable(
        number,
        f"Page {number} {_why(needs, number)}, and OCR found no text on it: the page could not "
        "be read. If it is a scan, scan it again (300 dpi, black on white); if a program made "
        "it, export or print it to PDF again.",
        needs.location,
    )


def _unreadable(number: int, exc: Exception) -> PageResult:
    return _page_unreadable(
        number,
        f"Page {number} could not be read ({type(exc).__name__}); the rest of the file was.",
        f"page {number}",
    )


def _page_unreadable(number: int, message: str, location: str | None) -> PageResult:
    return PageResult(number, notes=[Note("error", codes.PAGE_UNREADABLE, message, location)])


class _Pdfium:
    """The file's PDFium document, opened once when first needed, closed once."""

    def __init__(self, data: bytes) -> None:
        self._data = data
        self._doc: Any | None = None
        self._count: int | None = None

    def get(self) -> Any:
        """The document; PdfiumError when PDFium cannot open the file."""
        if self._doc is None:
            import pypdfium2 as pdfium

            self._doc = pdfium.PdfDocument(self._data)
        return self._doc

    def page_count(self) -> int:
        """How many pages PDFium finds, 0 when it cannot open the file. PDFium believes the page
        tree's /Count: pages past its end that do not load are no pages."""
        if self._count is None:
            import pypdfium2 as pdfium

            try:
                doc = self.get()
            except pdfium.PdfiumError:
                self._count = 0
                return 0
            n = len(doc)
            while n and not _loads(doc, n - 1):
                n -= 1
            self._count = n
        return self._count

    def close(self) -> None:
        if self._doc is not None:
            self._doc.close()
            self._doc = None


def _loads(doc: Any, index: int) -> bool:
    import pypdfium2 as pdfium

    try:
        doc[index].close()
    except pdfium.PdfiumError:
        return False
    return True


def read_page(
    page: Any | None, pdfium: _Pdfium, index: int, ocr: str, settings: Settings = DEFAULT
) -> tuple[PageResult, bool]:
    """Page `index` and whether OCR read it. pdfminer's text layer (`page`: pdfplumber's page,
    None where pdfminer cannot read the page tree); where that is unusable, PDFium's; where
    both are, OCR (ocr='auto'; 'always' OCRs every page, 'never' none). A page OCR finds no
    text on, and that is not blank, could not be read, and says so."""
    number = index + 1
    if ocr == "always":
        return _ocr_page(pdfium.get(), index, settings)[0], True
    result = None if page is None else _pdfminer_result(page, number, settings)
    if result is not None and _needs(result) is None:
        return result, False
    if result is not None and ocr != "auto" and index >= pdfium.page_count():
        return result, False  # PDFium has no such page: pdfminer's reading is all there is
    doc = pdfium.get()
    by_pdfium = pdfium_page_to_result(doc, index, page, settings)
    if _needs(by_pdfium) is None:
        if result is not None:
            by_pdfium.notes.insert(0, _read_by_pdfium(result, number))
        return by_pdfium, False
    if result is None:  # no pdfminer page: PDFium's is the reading that says why
        result = by_pdfium
    needs = _needs(result)
    if ocr != "auto" or needs is None:
        return result, False
    read, blank = _ocr_page(doc, index, settings)
    if _has_text(read) or blank:
        return _read_by_ocr(needs, read), True
    return _found_nothing(needs, number), True


def _read_by_pdfium(misread: PageResult, number: int) -> Note:
    needs = _needs(misread)
    why = _why(needs, number) if needs is not None else "is misread"
    return Note(
        "info",
        codes.READ_BY_PDFIUM,
        f"As pdfminer reads it, page {number} {why}; PDFium reads its text layer soundly, and "
        "that reading was used.",
        f"page {number}",
    )


def iter_pages(
    pdf: Any | None,
    pdfium: _Pdfium,
    n_pages: int,
    ocr: str,
    scanned: list[int],
    settings: Settings = DEFAULT,
) -> Iterator[PageResult]:
    """Each page read by `read_page` (`pdf`: pdfplumber's PDF, None where pdfminer cannot read
    its page tree). Pages read by OCR are added to `scanned`."""
    for index in range(n_pages):
        number = index + 1
        page = None if pdf is None else pdf.pages[index]
        try:
            result, by_ocr = read_page(page, pdfium, index, ocr, settings)
            if by_ocr:
                scanned.append(number)
            yield result
        except ExtractError:
            raise
        except Exception as exc:
            log.debug("page %s failed", number, exc_info=True)
            yield _unreadable(number, exc)
        finally:
            if page is not None:
                page.close()  # release the page's cached objects: memory stays flat


def _pdfminer_pdf(data: bytes) -> tuple[Any | None, ExtractError | None, str]:
    """pdfplumber's PDF with its page list read; or None, the error that refuses the file if
    PDFium cannot read it either, and why pdfminer cannot."""
    try:
        pdf = text_layer.open_pdf(data)
    except ExtractError as exc:
        return None, exc, f"it cannot open the file ({type(exc.__cause__ or exc).__name__})"
    try:
        n_pages = len(pdf.pages)
    except Exception as exc:
        pdf.close()
        refused = ExtractError(
            f"This PDF is damaged: its page list cannot be read ({type(exc).__name__}). "
            "Download or export it again.",
            code=codes.CORRUPT_PDF,
        )
        return None, refused, f"it cannot read the page list ({type(exc).__name__})"
    if n_pages == 0:
        pdf.close()
        return None, ExtractError("This PDF has no pages.", code=codes.CORRUPT_PDF), "it finds none"
    return pdf, None, ""


def pdf_to_blocks(
    data: bytes, ocr: str = "auto", settings: Settings = DEFAULT
) -> tuple[tuple[Block, ...], tuple[Note, ...], int, int]:
    """Blocks, notes, page count and how many pages were read by OCR. A file whose pages
    pdfminer cannot all find is read by PDFium alone; refused only when PDFium finds no pages
    either."""
    text_layer.check_pdf_bytes(data)
    pdf, refused, why = _pdfminer_pdf(data)
    pdfium = _Pdfium(data)
    scanned: list[int] = []
    notes: list[Note] = []
    try:
        n_pages = 0 if pdf is None else len(pdf.pages)
        by_pdfium = pdfium.page_count()
        if by_pdfium > n_pages:
            if pdf is not None:  # its page list skips pages: pdfminer's page k is not PDFium's
                why = f"it finds only {n_pages}"
                pdf.close()
                pdf = None
            notes.append(
                Note(
                    "info",
                    codes.READ_BY_PDFIUM,
                    f"pdfminer cannot read this PDF's pages ({why}); PDFium finds {by_pdfium} "
                    f"page{'s' if by_pdfium > 1 else ''} in it, read with PDFium.",
                )
            )
            n_pages = by_pdfium
        if not n_pages:
            assert refused is not None
            raise refused
        pages = iter_pages(pdf, pdfium, n_pages, ocr, scanned, settings)
        blocks, page_notes = pages_to_blocks(pages, settings.layout)
    finally:
        if pdf is not None:
            pdf.close()
        pdfium.close()
    return tuple(blocks), (*notes, *page_notes), n_pages, len(scanned)


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
