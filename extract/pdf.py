"""Kept for old imports: the PDF reader now lives in pages.py (per page: text layer or OCR),
text_layer.py (pdfplumber), layout.py (chars and rules to cells), stitch.py (across pages)."""

from __future__ import annotations

from .pages import pdf_to_blocks

__all__ = ["pdf_to_blocks"]
