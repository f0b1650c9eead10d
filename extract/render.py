"""PDF pages as images, rendered by PDFium (no poppler), for OCR."""

from __future__ import annotations

from typing import Any

import numpy as np

from .settings import SCAN, ScanSettings


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
