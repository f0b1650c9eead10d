"""Scanned renditions of the seed PDFs, made as a county office makes them: printed, stamped,
scanned crooked at 150-200 dpi, saved as JPEG pages in a PDF.

    python samples/make_scans.py            # everything
    python samples/make_scans.py classes    # only samples/scans/classes/

For each of suzhou_commerce_2024_{seed,word,excel}.pdf writes samples/scans/<name>.scan.pdf:
every page turned by up to 1°, blurred, speckled with noise, JPEG-compressed, and on the last
page a red round stamp over the table. Also, for image input, page 2 of the seed's scan as JPEG,
its top third as grayscale PNG, and pages 4-5 as a two-page TIFF; and the expected Filings (the
PDF's expected Filing, read from a scan: source_format 'pdf-scanned'; the findings are OCR's own
and are not predicted, so tests compare rows, hierarchy and funds). In samples/scans/classes/,
pages 1-3 of the seed at 150 dpi with one class of damage each (heavy noise and dust, skew of
±3°, a seal over the table's text, faint and broken rules, a table printed without its frame).

Needs Pillow, pypdfium2, numpy and Debian's fonts-wqy-microhei; outputs are committed."""

from __future__ import annotations

import io
import json
import random
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pypdfium2 as pdfium
from PIL import Image, ImageDraw, ImageFilter, ImageFont

HERE = Path(__file__).resolve().parent
PDF = HERE / "pdf"
SCANS = HERE / "scans"
EXPECTED = HERE / "expected"
FONT = "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"

SOURCES = {  # name: dpi of the scan
    "suzhou_commerce_2024_seed": 180,
    "suzhou_commerce_2024_word": 150,
    "suzhou_commerce_2024_excel": 200,
}


def stamp(size: int) -> Image.Image:
    """A red round seal: ring, star, the department's name, on transparent ground."""
    seal = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    draw = ImageDraw.Draw(seal)
    red = (215, 30, 35, 230)
    draw.ellipse((4, 4, size - 4, size - 4), outline=red, width=max(4, size // 40))
    cx = cy = size / 2
    r = size * 0.12
    points = []
    for k in range(10):
        radius = r if k % 2 == 0 else r * 0.4
        angle = np.pi / 2 + k * np.pi / 5
        points.append((cx + radius * np.cos(angle), cy - radius * np.sin(angle)))
    draw.polygon(points, fill=red)
    font = ImageFont.truetype(FONT, size // 9)
    for text, y in (("苏州市商务局", size * 0.22), ("预算绩效专用章", size * 0.68)):
        w = draw.textlength(text, font=font)
        draw.text((cx - w / 2, y), text, font=font, fill=red)
    return seal


def degrade(page: Image.Image, rng: random.Random, stamped: bool) -> Image.Image:
    page = page.convert("RGB")
    if stamped:
        seal = stamp(int(page.width * 0.3))
        x = int(page.width * 0.52)
        y = int(page.height * 0.18)
        # multiply: ink under the seal stays dark, the seal reddens the paper
        layer = Image.new("RGBA", page.size, (255, 255, 255, 0))
        layer.paste(seal, (x, y), seal)
        base = np.asarray(page, dtype=np.float32)
        overlay = np.asarray(layer.convert("RGB"), dtype=np.float32)
        alpha = np.asarray(layer.split()[-1], dtype=np.float32)[..., None] / 255
        mixed = base * (1 - alpha) + base * overlay / 255 * alpha
        page = Image.fromarray(mixed.clip(0, 255).astype(np.uint8))
    page = page.rotate(rng.uniform(-1.0, 1.0), resample=Image.BICUBIC, fillcolor="white")
    page = page.filter(ImageFilter.GaussianBlur(radius=rng.uniform(0.4, 0.8)))
    pixels = np.asarray(page, dtype=np.float32)
    noise = np.random.default_rng(rng.randrange(1 << 30)).normal(0, 9, pixels.shape[:2])
    pixels = (pixels + noise[..., None]).clip(0, 255).astype(np.uint8)
    buf = io.BytesIO()
    Image.fromarray(pixels).save(buf, "JPEG", quality=55)  # JPEG artefacts, as scanners save
    return Image.open(io.BytesIO(buf.getvalue()))


def scan(name: str, dpi: int) -> list[Image.Image]:
    rng = random.Random(name)
    doc = pdfium.PdfDocument(PDF / f"{name}.pdf")
    pages = [doc[k].render(scale=dpi / 72).to_pil() for k in range(len(doc))]
    out = [degrade(p, rng, stamped=(k == len(pages) - 1)) for k, p in enumerate(pages)]
    for page in out:
        page.info["dpi"] = (dpi, dpi)
    return out


def expected(name: str, target: Path, source_format: str) -> dict[str, Any]:
    import hashlib

    filing = json.loads((EXPECTED / f"{name}.pdf.json").read_text(encoding="utf-8"))
    filing["source_sha256"] = hashlib.sha256(target.read_bytes()).hexdigest()
    filing["source_format"] = source_format
    filing["findings"] = []
    return filing


# --- one class of damage per sample ---------------------------------------------------------------
# Pages 1-3 of the seed (header, funds, the first indicator pages) at 150 dpi, each with one kind
# of damage real scans have, pushed further than the samples above: each is a regression sample
# for one class of loss (tests/test_scan.py reads them against the seed's golden rows).
CLASS_PAGES, CLASS_DPI = 3, 150
CLASSES = ("noise", "skew", "stamp-over-text", "faint-broken-rules", "no-outer-border")


def _rule_masks(gray: np.ndarray) -> np.ndarray:
    """Where the printed rules are: long dark runs, across or down."""
    import cv2

    ink = (gray < 160).astype(np.uint8) * 255
    h, w = ink.shape
    across = cv2.morphologyEx(ink, cv2.MORPH_OPEN, np.ones((1, max(25, w // 30)), np.uint8))
    down = cv2.morphologyEx(ink, cv2.MORPH_OPEN, np.ones((max(25, h // 60), 1), np.uint8))
    return cv2.bitwise_or(across, down)


def faint_broken_rules(page: Image.Image, rng: random.Random) -> Image.Image:
    """Rules printed pale by a tired toner, with gaps where it skipped."""
    pixels = np.asarray(page.convert("RGB")).copy()
    rules = _rule_masks(np.asarray(page.convert("L"))) > 0
    pixels[rules] = np.maximum(pixels[rules], 185)
    h, w = rules.shape
    gaps = np.zeros_like(rules)
    for _ in range(80):  # short skips, across and down
        y, x = rng.randrange(h), rng.randrange(w)
        gaps[max(0, y - 4) : y + 4, max(0, x - 3) : x + 3] = True
    pixels[rules & gaps] = 255
    return Image.fromarray(pixels)


def no_outer_border(page: Image.Image) -> Image.Image:
    """The table printed without its frame: the outermost rules of each table erased."""
    import cv2

    pixels = np.asarray(page.convert("RGB")).copy()
    rules = _rule_masks(np.asarray(page.convert("L")))
    n, labels, stats, _ = cv2.connectedComponentsWithStats(rules, connectivity=8)
    for k in range(1, n):
        x, y, w, h, _ = stats[k]
        if w < page.width / 5 or h < 40:
            continue
        mine = labels == k
        frame = np.zeros_like(mine)
        frame[y : y + 4, x : x + w] = True
        frame[y + h - 4 : y + h, x : x + w] = True
        frame[y : y + h, x : x + 4] = True
        frame[y : y + h, x + w - 4 : x + w] = True
        # The rule's anti-aliased edge is fainter than the mask's threshold: paint a little
        # wider than the mask, so no trace of the frame is left.
        erase = cv2.dilate((mine & frame).astype(np.uint8), np.ones((5, 5), np.uint8)) > 0
        pixels[erase] = 255
    return Image.fromarray(pixels)


def stamp_over_text(page: Image.Image) -> Image.Image:
    """A seal pressed over the table's text, in its middle, not in a margin."""
    page = page.convert("RGB")
    seal = stamp(int(page.width * 0.32))
    layer = Image.new("RGBA", page.size, (255, 255, 255, 0))
    layer.paste(seal, (int(page.width * 0.3), int(page.height * 0.4)), seal)
    base = np.asarray(page, dtype=np.float32)
    overlay = np.asarray(layer.convert("RGB"), dtype=np.float32)
    alpha = np.asarray(layer.split()[-1], dtype=np.float32)[..., None] / 255
    mixed = base * (1 - alpha) + base * overlay / 255 * alpha
    return Image.fromarray(mixed.clip(0, 255).astype(np.uint8))


def damaged(page: Image.Image, damage: str, number: int, rng: random.Random) -> Image.Image:
    """One seed page with one class of damage, then scanned: blur, noise, JPEG."""
    angle, sigma = rng.uniform(-0.5, 0.5), 9.0
    if damage == "noise":
        sigma = 22.0
    elif damage == "skew":
        angle = 3.0 if number % 2 else -2.6
    elif damage == "stamp-over-text":
        page = stamp_over_text(page)
    elif damage == "faint-broken-rules":
        page = faint_broken_rules(page, rng)
    elif damage == "no-outer-border":
        page = no_outer_border(page)
    page = page.convert("RGB").rotate(angle, resample=Image.BICUBIC, fillcolor="white")
    page = page.filter(ImageFilter.GaussianBlur(radius=0.6))
    pixels = np.asarray(page, dtype=np.float32)
    noise_rng = np.random.default_rng(rng.randrange(1 << 30))
    pixels = pixels + noise_rng.normal(0, sigma, pixels.shape[:2])[..., None]
    if damage == "noise":  # dust: black and white specks
        specks = noise_rng.random(pixels.shape[:2])
        pixels[specks < 0.004] = 0
        pixels[specks > 0.996] = 255
    buf = io.BytesIO()
    Image.fromarray(pixels.clip(0, 255).astype(np.uint8)).save(buf, "JPEG", quality=50)
    return Image.open(io.BytesIO(buf.getvalue()))


def damage_classes() -> None:
    doc = pdfium.PdfDocument(PDF / "suzhou_commerce_2024_seed.pdf")
    clean = [doc[k].render(scale=CLASS_DPI / 72).to_pil() for k in range(CLASS_PAGES)]
    (SCANS / "classes").mkdir(exist_ok=True)
    for damage in CLASSES:
        rng = random.Random(damage)
        pages = [damaged(p, damage, k + 1, rng) for k, p in enumerate(clean)]
        target = SCANS / "classes" / f"seed-p1-3.{damage}.scan.pdf"
        pages[0].save(target, "PDF", save_all=True, append_images=pages[1:], resolution=CLASS_DPI)
        print(target.name, len(pages), "pages")


def main() -> None:
    SCANS.mkdir(exist_ok=True)
    damage_classes()
    if sys.argv[1:] == ["classes"]:
        return
    for name, dpi in SOURCES.items():
        pages = scan(name, dpi)
        target = SCANS / f"{name}.scan.pdf"
        pages[0].save(target, "PDF", save_all=True, append_images=pages[1:], resolution=dpi)
        (EXPECTED / f"{name}.scan.pdf.json").write_text(
            json.dumps(expected(name, target, "pdf-scanned"), ensure_ascii=False, indent=1) + "\n",
            encoding="utf-8",
        )
        if name == "suzhou_commerce_2024_seed":
            pages[1].save(SCANS / "suzhou_commerce_2024_seed.page2.jpg", dpi=(dpi, dpi), quality=55)
            top = pages[1].crop((0, 0, pages[1].width, pages[1].height // 3)).convert("L")
            top.save(SCANS / "suzhou_commerce_2024_seed.page2-top.png", dpi=(dpi, dpi))
            plain = [Image.fromarray(np.asarray(p)) for p in pages[3:5]]
            plain[0].save(
                SCANS / "suzhou_commerce_2024_seed.pages4-5.tiff",
                save_all=True,
                append_images=plain[1:],
                dpi=(dpi, dpi),
                compression="jpeg",
                quality=55,
            )
        print(target.name, len(pages), "pages")


if __name__ == "__main__":
    main()
