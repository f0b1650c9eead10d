"""PDFs that pdfminer cannot read and PDFium can (run make_seed_pdf.py first):

    samples/pdf/hard/untyped_pages.pdf       the seed PDF with /Type /Page blanked out of its
                                             page dicts: pdfminer finds no pages, PDFium five
    samples/pdf/hard/untyped_pages.scan.pdf  one scanned page (page 2 of the seed, a JPEG) in a
                                             page dict without /Type
    samples/pdf/hard/ink_no_text.scan.pdf    one scanned page of black shapes: ink, but no text
    samples/pdf/hard/no_pages.pdf            an empty page tree: no reader finds a page

The other PDFium case, a text layer pdfminer misreads, is samples/pdf/hard/one_glyph_font_map.pdf
(LibreOffice's /ActualText for glyphs of a missing font). Needs Pillow; the outputs are
committed."""

from __future__ import annotations

import io
from pathlib import Path

from PIL import Image, ImageDraw

HERE = Path(__file__).resolve().parent
SEED_PDF = HERE / "pdf" / "suzhou_commerce_2024_seed.pdf"
PAGE2_JPEG = HERE / "scans" / "suzhou_commerce_2024_seed.page2.jpg"
HARD = HERE / "pdf" / "hard"


def untyped_pages() -> None:
    """Blanks of the same length keep every xref offset right."""
    data = SEED_PDF.read_bytes()
    key = b"/Type /Page\n"
    assert data.count(key) == 5
    (HARD / "untyped_pages.pdf").write_bytes(data.replace(key, b" " * (len(key) - 1) + b"\n"))


def _pdf(objects: list[bytes]) -> bytes:
    """A classic PDF of `objects` (numbered from 1; object 1 the catalog) with its xref."""
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    out.write(b"".join(b"%010d 00000 n \n" % offset for offset in offsets))
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\n" % (len(objects) + 1))
    out.write(b"startxref\n%d\n%%%%EOF\n" % xref)
    return out.getvalue()


def _scan_pdf(jpeg: bytes, page_type: bytes = b"") -> bytes:
    """One page holding one JPEG at its own resolution; `page_type` goes in the page dict."""
    with Image.open(io.BytesIO(jpeg)) as img:
        (w, h), dpi = img.size, img.info.get("dpi", (72, 72))[0]
        gray = img.mode == "L"
    pw, ph = w * 72 / dpi, h * 72 / dpi
    content = b"q %.2f 0 0 %.2f 0 0 cm /Im0 Do Q" % (pw, ph)
    image = (
        b"<< /Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace /%s "
        b"/BitsPerComponent 8 /Filter /DCTDecode /Length %d >>\nstream\n"
        % (w, h, b"DeviceGray" if gray else b"DeviceRGB", len(jpeg))
        + jpeg
        + b"\nendstream"
    )
    return _pdf(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< %s/Parent 2 0 R /MediaBox [0 0 %.2f %.2f] /Resources << /XObject << /Im0 4 0 R "
            b">> >> /Contents 5 0 R >>" % (page_type, pw, ph),
            image,
            b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
        ]
    )


def untyped_scan() -> None:
    (HARD / "untyped_pages.scan.pdf").write_bytes(_scan_pdf(PAGE2_JPEG.read_bytes()))


def ink_no_text() -> None:
    """A half page of shapes at 100 dpi (a photocopied photo, a stamp gone black): far from
    blank, and no text for OCR."""
    w, h = 827, 584
    img = Image.new("L", (w, h), 255)
    draw = ImageDraw.Draw(img)
    draw.ellipse([60, 60, 360, 360], fill=0)
    draw.rectangle([420, 100, 760, 300], fill=96)
    draw.polygon([(100, 520), (400, 420), (700, 540)], fill=40)
    jpeg = io.BytesIO()
    img.save(jpeg, "JPEG", quality=60, dpi=(100, 100))
    pdf = _scan_pdf(jpeg.getvalue(), page_type=b"/Type /Page ")
    (HARD / "ink_no_text.scan.pdf").write_bytes(pdf)


def no_pages() -> None:
    (HARD / "no_pages.pdf").write_bytes(
        _pdf([b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [] /Count 0 >>"])
    )


def main() -> None:
    untyped_pages()
    untyped_scan()
    ink_no_text()
    no_pages()


if __name__ == "__main__":
    main()
