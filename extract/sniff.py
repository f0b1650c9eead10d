"""What a file is, told from its bytes: the extension is only a hint."""

from __future__ import annotations

import codecs

from charset_normalizer import from_bytes

from jixiao import codes

from .model import ExtractError

# (magic prefix, format) for the containers a filing can arrive in.
_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"%PDF-", "pdf"),
    (b"PK\x03\x04", "zip"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "ole"),
    (b"\x89PNG\r\n\x1a\n", "image"),
    (b"\xff\xd8\xff", "image"),
    (b"II*\x00", "image"),
    (b"MM\x00*", "image"),
)

_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)

# Share of control characters above which decoded "text" is really binary.
_MAX_CONTROL_SHARE = 0.01


def sniff_format(data: bytes) -> str:
    """'pdf', 'zip', 'ole', 'image' from magic bytes, else 'text' (decoded by `decode_text`);
    raises ExtractError for an empty file."""
    if not data.strip():
        raise ExtractError("The file is empty: there is nothing to read.", code=codes.EMPTY_FILE)
    head = data[:1024].lstrip()
    for magic, fmt in _MAGIC:
        if head.startswith(magic) or (fmt == "pdf" and magic in data[:1024]):
            return fmt
    return "text"


def looks_like_html(text: str) -> bool:
    lowered = text[:2048].lower()
    return "<html" in lowered or "<!doctype html" in lowered or "<table" in lowered


def _utf16_without_bom(data: bytes) -> str | None:
    if len(data) < 4 or len(data) % 2:
        return None
    even_nuls = data[0::2].count(0)
    odd_nuls = data[1::2].count(0)
    half = len(data) // 2
    # ASCII-heavy UTF-16 has a NUL in every other byte; CJK-heavy UTF-16 has none, so we
    # also accept text that decodes cleanly and is mostly CJK.
    if odd_nuls > 0.3 * half and even_nuls < 0.05 * half:
        return "utf-16-le"
    if even_nuls > 0.3 * half and odd_nuls < 0.05 * half:
        return "utf-16-be"
    return None


def _looks_textual(text: str) -> bool:
    if not text:
        return False
    controls = sum(1 for ch in text if ord(ch) < 32 and ch not in "\t\n\r\f")
    return controls <= _MAX_CONTROL_SHARE * len(text)


def decode_text(data: bytes) -> tuple[str, str]:
    """Decode bytes of a text export; returns (text, encoding name).

    Order matters: a BOM is certain; UTF-8 is strict enough that a clean decode is almost never
    wrong; GB18030 (a superset of GBK and GB2312) is what Chinese Windows writes; only then do
    we ask charset-normalizer (Big5 and friends)."""
    for bom, name in _BOMS:
        if data.startswith(bom):
            return data.decode(name), name
    utf16 = _utf16_without_bom(data)
    if utf16:
        try:
            return data.decode(utf16), utf16
        except UnicodeDecodeError:
            pass
    for name in ("utf-8", "gb18030"):
        try:
            text = data.decode(name)
        except UnicodeDecodeError:
            continue
        if _looks_textual(text):
            return text, name
    best = from_bytes(data).best()
    if best is not None:
        text = str(best)
        if _looks_textual(text):
            return text, best.encoding
    raise ExtractError(
        "The file is not text in any encoding jixiao knows (UTF-8, UTF-16, GB18030/GBK, Big5): "
        "it looks like binary data. If it is a filing, open it and save it again as text or PDF.",
        code=codes.NOT_TEXT,
    )
