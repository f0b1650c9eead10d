"""The hard PDF cases, made from the seed rendition (run make_seed_pdf.py first):

    samples/bad/truncated.pdf          the seed PDF cut off part-way, as a broken download
    samples/bad/corrupt.pdf            a PDF header and trailer around garbage
    samples/bad/encrypted.pdf          the seed PDF with a user password ("jixiao")
    samples/pdf/hard/scanned.pdf       every page an image, no text layer
    samples/pdf/hard/cid_page3.pdf     page 3's font has no ToUnicode map: text reads (cid:N)
    samples/pdf/hard/private_use_page4.pdf  page 4's ToUnicode maps to private-use codes
    samples/pdf/hard/rotated.pdf       page 2 landscape-rotated (/Rotate 90, content turned to
                                       match) and page 3 printed sideways (/Rotate 90 alone)
    samples/pdf/hard/unruled.pdf       a table with no ruling lines at all

Needs pikepdf, pypdfium2, Pillow and reportlab; the outputs are committed."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pikepdf
import pypdfium2 as pdfium
from reportlab.lib.pagesizes import A4
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

HERE = Path(__file__).resolve().parent
SEED_PDF = HERE / "pdf" / "suzhou_commerce_2024_seed.pdf"
BAD = HERE / "bad"
HARD = HERE / "pdf" / "hard"


def truncated() -> None:
    data = SEED_PDF.read_bytes()
    (BAD / "truncated.pdf").write_bytes(data[: int(len(data) * 0.55)])


def corrupt() -> None:
    garbage = bytes((i * 37 + 11) % 256 for i in range(3000))
    (BAD / "corrupt.pdf").write_bytes(b"%PDF-1.4\n" + garbage + b"\ntrailer\n<<>>\n%%EOF\n")


def encrypted() -> None:
    with pikepdf.open(SEED_PDF) as pdf:
        pdf.save(
            BAD / "encrypted.pdf",
            encryption=pikepdf.Encryption(user="jixiao", owner="jixiao-owner", R=6),
        )


def scanned() -> None:
    doc = pdfium.PdfDocument(SEED_PDF)
    images = [page.render(scale=100 / 72).to_pil().convert("L") for page in doc]
    images[0].save(HARD / "scanned.pdf", save_all=True, append_images=images[1:], resolution=100.0)


def _page_with_own_font(pdf: pikepdf.Pdf, index: int) -> list[pikepdf.Dictionary]:
    """Give page `index` its own copies of its Resources and Type0 font dicts, so that editing
    them leaves the other pages alone; returns the copied fonts."""
    page = pdf.pages[index]
    resources = pikepdf.Dictionary(page.obj.Resources)
    fonts = pikepdf.Dictionary(resources.Font)
    copied = []
    for name, font in list(fonts.items()):
        if font.get("/Subtype") == "/Type0" or "/ToUnicode" in font:
            mine = pdf.make_indirect(pikepdf.Dictionary(font))
            fonts[name] = mine
            copied.append(mine)
    resources.Font = fonts
    page.obj.Resources = resources
    return copied


def cid_page3() -> None:
    with pikepdf.open(SEED_PDF) as pdf:
        for font in _page_with_own_font(pdf, 2):
            del font["/ToUnicode"]
        pdf.save(HARD / "cid_page3.pdf", deterministic_id=True)


def private_use_page4() -> None:
    with pikepdf.open(SEED_PDF) as pdf:
        for font in _page_with_own_font(pdf, 3):
            cmap = font.ToUnicode.read_bytes().decode("latin-1")
            # every destination code in the CMap moved into the private-use area
            cmap = re.sub(
                r"(<[0-9A-Fa-f]{2,4}>\s*)<([0-9A-Fa-f]{4})>",
                lambda m: f"{m.group(1)}<{0xE000 + int(m.group(2), 16) % 0x1800:04X}>",
                cmap,
            )
            font.ToUnicode = pdf.make_stream(cmap.encode("latin-1"))
        pdf.save(HARD / "private_use_page4.pdf", deterministic_id=True)


def rotated() -> None:
    with pikepdf.open(SEED_PDF) as pdf:
        landscape = pdf.pages[1]
        w, h = float(landscape.mediabox[2]), float(landscape.mediabox[3])
        # Turn the content a quarter left in page space; /Rotate 90 turns it back for display.
        landscape.contents_add(pikepdf.Stream(pdf, b"q 0 1 -1 0 %.4f 0 cm" % h), prepend=True)
        landscape.contents_add(pikepdf.Stream(pdf, b"Q"))
        landscape.mediabox = [0, 0, h, w]
        landscape.Rotate = 90
        pdf.pages[2].Rotate = 90  # printed sideways: displays turned a quarter
        pdf.save(HARD / "rotated.pdf", deterministic_id=True)


def unruled() -> None:
    font = "WQYMicroHei"
    pdfmetrics.registerFont(
        TTFont(font, "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", subfontIndex=0)
    )
    rows = [
        ("一级指标", "二级指标", "三级指标", "半年指标值", "全年指标值"),
        ("决策", "计划制定", "中长期规划制定健全性", "健全", "健全"),
        ("", "", "工作计划制定健全性", "健全", "健全"),
        ("", "目标设定", "绩效目标合理性", "合理", "合理"),
        ("", "", "绩效指标明确性", "明确", "明确"),
        ("", "预算编制", "预算调整率", "=0%", "=0%"),
        ("", "", "支付进度符合率", "=100%", "=100%"),
        ("", "", "预算执行率", "=47%", "=100%"),
    ]
    xs = (50, 110, 190, 360, 450)
    buf = io.BytesIO()
    c = Canvas(buf, pagesize=A4, invariant=1)
    width, height = A4
    c.setFont(font, 15)
    c.drawCentredString(width / 2, height - 70, "苏州市市级部门整体预算绩效目标表")
    c.setFont(font, 10)
    c.drawCentredString(width / 2, height - 92, "2024年度")
    c.drawString(50, height - 125, "单位名称：苏州市商务局")
    c.setFont(font, 9)
    for i, row in enumerate(rows):
        y = height - 160 - i * 22
        for x, text in zip(xs, row, strict=True):
            c.drawString(x, y, text)
    c.showPage()
    c.save()
    (HARD / "unruled.pdf").write_bytes(buf.getvalue())


def main() -> None:
    HARD.mkdir(parents=True, exist_ok=True)
    for make in (
        truncated,
        corrupt,
        encrypted,
        scanned,
        cid_page3,
        private_use_page4,
        rotated,
        unruled,
    ):
        make()
        print(make.__name__)


if __name__ == "__main__":
    main()
