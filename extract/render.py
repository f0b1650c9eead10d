"""Everything PDFium (pypdfium2): a PDF opened where pdfminer cannot read it, its pages rendered
as images (for OCR, and for the rules of a page pdfplumber cannot read), and its text layer as
typed `Char`s in pdfplumber's coordinates, so that layout.py reads either the same way.

PDFium reads some text layers pdfminer cannot: it honours /ActualText (LibreOffice writes every
Chinese glyph as one missing glyph with the real character in /ActualText when no Chinese font
is installed) and a page tree whose pages lack /Type /Page."""

from __future__ import annotations

from typing import Any

import numpy as np

from .geometry import Char
from .settings import SCAN, ScanSettings

# A glyph PDFium found no character for: pdfminer's way of saying it, so that the text layer's
# quality is judged the same for either reader.
UNMAPPED = "(cid:?)"


def open_document(data: bytes) -> Any | None:
    """A pypdfium2 PdfDocument, or None when PDFium cannot open the bytes either."""
    import pypdfium2 as pdfium

    try:
        return pdfium.PdfDocument(data)
    except pdfium.PdfiumError:
        return None


def scan_dpi(pdf: Any, index: int, settings: ScanSettings = SCAN) -> float:
    """The resolution a scanned page was made at (its one big image), to render it pixel for
    pixel: resampling blurs hairline rules. `render_dpi` when the page is not one image."""
    import pypdfium2.raw as pdfium_c

    page = pdf[index]
    try:
        width = page.get_size()[0]
        for obj in page.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_IMAGE]):
            x0, _, x1, _ = obj.get_bounds()
            if x1 - x0 >= 0.8 * width:
                pixels = obj.get_metadata().width
                dpi = round(pixels * 72 / (x1 - x0))
                return float(min(settings.max_scan_dpi, max(settings.min_scan_dpi, dpi)))
    finally:
        page.close()
    return float(settings.render_dpi)


def render_pdf_page(pdf: Any, index: int, dpi: float = SCAN.render_dpi) -> np.ndarray:
    """A PDF page (of a pypdfium2 PdfDocument) as an RGB array."""
    page = pdf[index]
    try:
        bitmap = page.render(scale=dpi / 72, rev_byteorder=True)  # RGB, not PDFium's BGR
        return np.ascontiguousarray(bitmap.to_numpy()[:, :, :3])
    finally:
        page.close()


def has_images(pdf: Any, index: int) -> bool:
    import pypdfium2.raw as pdfium_c

    page = pdf[index]
    try:
        return any(True for _ in page.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_IMAGE]))
    finally:
        page.close()


def to_display(
    box: tuple[float, float, float, float],
    mediabox: tuple[float, float, float, float],
    rotation: int,
) -> tuple[float, float, float, float]:
    """A box in PDF user space (left, bottom, right, top) as (x0, top, x1, bottom) from the
    top-left of the page shown turned by `rotation` (its /Rotate): pdfminer's page matrix for
    each rotation, then pdfplumber's top = height - y."""
    left, bottom, right, top = box
    mx0, my0, mx1, my1 = mediabox
    if rotation == 90:
        return bottom - my0, left - mx0, top - my0, right - mx0
    if rotation == 180:
        return mx1 - right, bottom - my0, mx1 - left, top - my0
    if rotation == 270:
        return my1 - top, mx1 - right, my1 - bottom, mx1 - left
    return left - mx0, my1 - top, right - mx0, my1 - bottom


def _char_text(textpage: Any, k: int, n: int) -> tuple[str, int]:
    """Char `k`'s text and how many PDFium chars it takes (two for a surrogate pair)."""
    import pypdfium2.raw as pdfium_c

    if pdfium_c.FPDFText_HasUnicodeMapError(textpage, k):
        return UNMAPPED, 1
    code = pdfium_c.FPDFText_GetUnicode(textpage, k)
    if 0xD800 <= code < 0xDC00 and k + 1 < n:
        low = pdfium_c.FPDFText_GetUnicode(textpage, k + 1)
        if 0xDC00 <= low < 0xE000:
            return chr(0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)), 2
    if 0xD800 <= code < 0xE000:
        return UNMAPPED, 1  # half a pair: no character
    return chr(code), 1


def page_chars(pdf: Any, index: int, rotation: int | None = None) -> list[Char]:
    """Page `index`'s text layer as PDFium reads it, in page order: the spaces and line breaks
    PDFium adds itself left out, a glyph without a character as UNMAPPED. Boxes are PDFium's
    loose ones (advance width by font height, as pdfminer's), placed as the page shows turned
    by `rotation` (its own /Rotate when None)."""
    import pypdfium2.raw as pdfium_c

    page = pdf[index]
    textpage = page.get_textpage()
    try:
        mediabox = page.get_mediabox()
        turn = (page.get_rotation() if rotation is None else rotation) % 360
        n = textpage.count_chars()
        chars: list[Char] = []
        k = 0
        while k < n:
            text, width = _char_text(textpage, k, n)
            if not pdfium_c.FPDFText_IsGenerated(textpage, k):
                box = textpage.get_charbox(k, loose=True)
                x0, top, x1, bottom = to_display(box, mediabox, turn)
                size = pdfium_c.FPDFText_GetFontSize(textpage, k)
                chars.append(Char(text, x0, x1, top, bottom, size))
            k += width
        return chars
    finally:
        textpage.close()
        page.close()
