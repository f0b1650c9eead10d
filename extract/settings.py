"""Every tolerance and threshold of the PDF and scan readers, in one place, as documented fields
of frozen dataclasses (in the manner of pdfplumber's TableSettings). The module-level instances
are the defaults; the reading functions take an optional `settings=` so that bench/ can sweep
them. Lengths are in points (1/72 inch) unless said otherwise."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class TextLayerSettings:
    """Whether a PDF page's text layer is usable, and how it is cleaned."""

    # Share of characters that are (cid:N), private-use or stray Latin-1 above which a page's
    # text is unusable.
    bad_text_share: float = 0.3
    # A page whose most frequent Chinese character is more than this share of them all has a
    # broken font map ...
    one_glyph_share: float = 0.35
    # ... counted only with at least this many Chinese characters on the page.
    min_cjk_for_glyph_check: int = 40
    # Fake-bold doubles: the same text, font and size within this distance are one char.
    dedupe_tolerance: float = 1.0
    # A page counts as turned when at least this share of its chars is turned the same way.
    turn_majority: float = 0.6


@dataclass(frozen=True)
class LayoutSettings:
    """Chars and rules to cells and paragraphs, and table pieces stitched across pages."""

    # Positions closer than this are one grid line (cell borders, column starts).
    grid_tol: float = 2.0
    # A char belongs to a table whose box, grown by this, holds its centre.
    table_tol: float = 1.0
    # A cell's text "runs to" an edge when it ends within margin_per_size * font size
    # + margin_pt of it (its text may carry on in the next page's piece).
    margin_per_size: float = 1.6
    margin_pt: float = 4.0
    # A table edge with printed rules under less than this share of a cell is open (a page end
    # cut the cell).
    min_rule_cover: float = 0.5
    # A piece on the next page goes on the same table when as wide within this ...
    same_width_tol: float = 6.0
    # ... and placed within this sideways (half an inch of scanner drift).
    scanner_drift: float = 36.0
    # A leading row of a continuation repeats the header when its text matches this well
    # (rapidfuzz ratio, 0-100: a scan drifts and OCR may misread a character) ...
    header_match_ratio: float = 90.0
    # ... up to this many rows.
    max_header_rows: int = 3


@dataclass(frozen=True)
class ScanSettings:
    """Page images: rendering, straightening, orientation and rules."""

    # The largest skew (degrees) searched for when straightening a page.
    max_skew: float = 3.0
    # Cell borders closer than this are one rule on a scan.
    snap_pt: float = 4.0
    # Rendering resolution for pages that are not one scanned image, and images without a dpi.
    render_dpi: int = 170
    # A scanned page's own resolution is used within these bounds.
    min_scan_dpi: int = 100
    max_scan_dpi: int = 300
    # Below this mean recognition score a page may be upside down: it is read turned too.
    upright_score: float = 0.6
    # A faint or broken rule is drawn in again where its strip between two rules is inked for
    # at least this share of its length.
    rule_cover: float = 0.6
    # How a ruled page is read: "cells" recognizes the text lines cut out of each cell, with
    # detection only outside the grid; "page" detects text over the whole page first (slower;
    # the reading of pages without a grid, and of pages that read poorly by cell).
    recognition: str = "cells"
    # Where a cell's text lines are is found in ink this much darker than its neighbourhood
    # (text is; scanner noise is not), after a median filter.
    line_contrast: int = 25
    # Ink blobs smaller than this both ways are specks (dust, noise, or a period) when finding
    # where a cell's text lines are (9 pt characters are about 8 pt tall).
    speck_pt: float = 2.4
    # A cell's lines are looked for this far in from its borders (pixels): inside the rules.
    cell_inset_px: int = 2
    # A line read by cell with a lower score sends its cell to detection and recognition.
    cell_retry_score: float = 0.5


@dataclass(frozen=True)
class Settings:
    """All of the above, for the functions that read whole pages and files."""

    text_layer: TextLayerSettings = field(default_factory=TextLayerSettings)
    layout: LayoutSettings = field(default_factory=LayoutSettings)
    scan: ScanSettings = field(default_factory=ScanSettings)


TEXT_LAYER = TextLayerSettings()
LAYOUT = LayoutSettings()
SCAN = ScanSettings()
DEFAULT = Settings(TEXT_LAYER, LAYOUT, SCAN)
