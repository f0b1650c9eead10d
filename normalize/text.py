"""Small pure helpers on cell text shared by the normalizer's steps."""

from __future__ import annotations

import re
import unicodedata
from decimal import Decimal, InvalidOperation
from functools import cache

import zhconv

_SPACE = re.compile(r"\s+")
_PUNCT = re.compile(r"[\s\"'“”‘’「」『』《》〈〉()（）\[\]【】,，.。:：;；、!！?？·•\-—_/]+")


@cache
def simplified(text: str) -> str:
    """Traditional characters to simplified, for matching against the dictionaries only."""
    return str(zhconv.convert(text, "zh-cn"))


def key(text: str) -> str:
    """A header or label as a lookup key: NFKC, simplified, no whitespace (exports break cells
    over lines; mirror sites publish traditional characters)."""
    return simplified(_SPACE.sub("", unicodedata.normalize("NFKC", text)))


def match_key(text: str) -> str:
    """A name as compared against the dictionaries: simplified, NFKC, no punctuation or quotes."""
    return _PUNCT.sub("", simplified(unicodedata.normalize("NFKC", text)))


def matches_any(text: str, anchors: list[str]) -> bool:
    k = key(text)
    return any(key(anchor) in k for anchor in anchors)


_PLACEHOLDERS = frozenset({"—", "-", "/", "——", "--", "－", "无", "／", "\\"})


def is_placeholder(text: str) -> bool:
    """A cell printed to say 'nothing here': a dash or slash."""
    return key(text) in _PLACEHOLDERS


def to_number(text: str) -> Decimal | None:
    """'1,528.00', '95.5%', '９.５' to a Decimal (percent as printed: 95.5); else None."""
    k = key(text).replace(",", "").removesuffix("%")
    try:
        number = Decimal(k) if k else None
    except InvalidOperation:
        return None
    return number if number is not None and number.is_finite() else None
