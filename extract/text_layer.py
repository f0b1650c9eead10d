"""The pdfplumber adapter: a text-layer PDF opened (truncated and encrypted files refused with a
plain reason), each page's chars as typed `Char`s (fake-bold doubles removed), whether its text
is usable, how far it is turned, its ruled tables (a closed lattice) and horizontal rules.
Everything pdfplumber-specific stays here."""

from __future__ import annotations

import io
import itertools
import math
import re
from collections import Counter
from operator import itemgetter
from typing import Any

from jixiao import codes

from .geometry import Box, Char, Rule, cluster_objects
from .model import ExtractError
from .settings import TEXT_LAYER, TextLayerSettings

LATTICE = {"vertical_strategy": "lines", "horizontal_strategy": "lines"}
_PUA = re.compile(r"[\ue000-\uf8ff]")

QUALITY = {
    "no_text": "has no text layer (it is an image, a scan)",
    "private_use": "has text mapped to private-use codes, not to real characters",
    "one_glyph": "has its Chinese characters mapped to one and the same character (a broken "
    "font map, typical of a converter that substituted a font)",
    "unmapped_text": "has text in a font without a usable character map (it reads as (cid:N) "
    "codes or stray Latin letters)",
}


def check_pdf_bytes(data: bytes) -> None:
    """A download cut short has no end marker; say so instead of reading half a filing."""
    if b"%%EOF" not in data[-4096:]:
        raise ExtractError(
            "This PDF is incomplete: it ends before the PDF's end marker, so it was probably cut "
            "off while downloading or copying. Download or copy it again.",
            code=codes.TRUNCATED_PDF,
        )


def open_pdf(data: bytes) -> Any:
    """A pdfplumber PDF; an encrypted or damaged file refused with a plain reason."""
    import pdfplumber

    try:
        return pdfplumber.open(io.BytesIO(data))
    except Exception as exc:
        if b"/Encrypt" in data:
            raise ExtractError(
                "This PDF is encrypted (password-protected), so its text cannot be read. Ask "
                "the department for an unprotected copy, or remove the password and ingest it "
                "again.",
                code=codes.ENCRYPTED_PDF,
            ) from exc
        raise ExtractError(
            f"This PDF is damaged and cannot be opened ({type(exc).__name__}). Download or "
            "export it again.",
            code=codes.CORRUPT_PDF,
        ) from exc


def _is_bad_char(text: str) -> bool:
    if text.startswith("(cid:") or _PUA.search(text):
        return True
    # Control codes: what a reader's guess makes of glyph codes of a font without a map.
    if any(ch < " " and ch not in "\t\n\r" for ch in text):
        return True
    # Latin-1 and Latin Extended letters in a Chinese filing: codes read through the wrong map.
    return any("\u0080" <= ch <= "\u024f" and ch not in "±×÷°·" for ch in text)


def one_glyph_share(chars: list[Char], settings: TextLayerSettings = TEXT_LAYER) -> float:
    """The share of the page's Chinese characters taken by the most frequent one. Natural
    Chinese text stays under a tenth; a font whose map sends every glyph to one code (a
    converter that substituted a font) gives most of them."""
    cjk = [c.text for c in chars if "\u4e00" <= c.text[:1] <= "\u9fff"]
    if len(cjk) < settings.min_cjk_for_glyph_check:
        return 0.0
    return Counter(cjk).most_common(1)[0][1] / len(cjk)


def chars_to_quality(
    chars: list[Char], has_images: bool, settings: TextLayerSettings = TEXT_LAYER
) -> str | None:
    """None when the text layer is usable; otherwise why the page needs OCR (a key of
    QUALITY)."""
    if not chars:
        return "no_text" if has_images else None
    if one_glyph_share(chars, settings) > settings.one_glyph_share:
        return "one_glyph"
    bad = [c.text for c in chars if _is_bad_char(c.text)]
    if len(bad) <= settings.bad_text_share * len(chars):
        return None
    if sum(1 for t in bad if _PUA.search(t)) > len(bad) / 2:
        return "private_use"
    return "unmapped_text"


def dedupe_chars(chars: list[dict[str, Any]], tolerance: float = 1) -> list[dict[str, Any]]:
    """Fake-bold doubles removed: pdfplumber's `dedupe_chars` rule (same text, font and size
    within `tolerance` points), keeping page order by index; pdfplumber restores the order with
    `chars.index`, which is quadratic and cost a third of a page's time."""
    order = {id(c): k for k, c in enumerate(chars)}
    key = itemgetter("upright", "text", "fontname", "size")
    kept = []
    for _, group in itertools.groupby(sorted(chars, key=key), key=key):
        for line in cluster_objects(list(group), itemgetter("doctop"), tolerance):
            for cluster in cluster_objects(line, itemgetter("x0"), tolerance):
                kept.append(min(cluster, key=itemgetter("doctop", "x0")))
    kept.sort(key=lambda c: order[id(c)])
    return kept


def to_chars(chars: list[dict[str, Any]]) -> list[Char]:
    """pdfplumber's char dicts as typed Chars."""
    return [Char(c["text"], c["x0"], c["x1"], c["top"], c["bottom"], c["size"]) for c in chars]


def page_chars(page: Any, settings: TextLayerSettings = TEXT_LAYER) -> list[Char]:
    """A page's chars, fake-bold doubles removed, in page order."""
    return to_chars(dedupe_chars(page.chars, tolerance=settings.dedupe_tolerance))


def chars_to_turn(chars: list[dict[str, Any]], settings: TextLayerSettings = TEXT_LAYER) -> int:
    """How far (0, 90, 180, 270 degrees) most text on the page is turned from upright, from
    pdfplumber's char matrices."""
    angles = Counter(
        round(math.degrees(math.atan2(c["matrix"][1], c["matrix"][0])) / 90) * 90 % 360
        for c in chars
    )
    if not angles:
        return 0
    angle, count = angles.most_common(1)[0]
    return angle if count >= settings.turn_majority * len(chars) else 0


def page_turn(page: Any, settings: TextLayerSettings = TEXT_LAYER) -> int:
    return chars_to_turn(page.chars, settings)


def turned_upright(page: Any, turn: int) -> Any:
    """The same page read with its /Rotate changed so that its text comes out upright (the page
    given is closed)."""
    import pdfplumber

    page.close()
    rotation = (page.rotation + turn) % 360
    page.page_obj.attrs["Rotate"] = rotation
    page.page_obj.rotate = rotation
    return pdfplumber.page.Page(page.pdf, page.page_obj, page_number=page.page_number)


def _closed_lattice(page: Any) -> dict[str, Any]:
    """Lattice settings that also close a table at the ends of its vertical rules: spreadsheets
    print no border where a page end cuts a merged cell, and a cell needs four sides."""
    verticals = [e for e in page.edges if e["orientation"] == "v"]
    if not verticals:
        return LATTICE
    top = min(e["top"] for e in verticals)
    bottom = max(e["bottom"] for e in verticals)
    return {**LATTICE, "explicit_horizontal_lines": [top, bottom]}


def page_tables(page: Any) -> list[tuple[Box, list[Box]]]:
    """The page's ruled tables: outer box and cell boxes."""
    return [
        (Box(*t.bbox), [Box(*c) for c in t.cells])  # bbox is computed: read it once
        for t in page.find_tables(_closed_lattice(page))
    ]


def page_rules(page: Any) -> list[Rule]:
    """The page's printed horizontal rules."""
    return [Rule(e["x0"], e["x1"], e["top"]) for e in page.edges if e["orientation"] == "h"]
