"""Small pure helpers on cell text shared by the normalizer's steps: one way to fold text for
comparing, one way to read a number."""

from __future__ import annotations

import re
import unicodedata
from decimal import Decimal, InvalidOperation
from functools import cache

import cn2an
import zhconv

from jixiao import dictionaries

_SPACE = re.compile(r"\s+")
# Punctuation and quotes as they stand after NFKC (full-width forms are half-width by then).
_PUNCT = re.compile(r"[\s\"'“”‘’「」『』《》〈〉()（）\[\]【】,，.。:：;；、!！?？·•\-—_/]+")
# What closes a sentence or a clause: trimmed off both ends of a value cell.
_CLAUSE_ENDS = "。.;；,，"


@cache
def _simplified(text: str) -> str:
    return str(zhconv.convert(text, "zh-cn"))


@cache
def _comparator_symbols() -> tuple[tuple[str, str], ...]:
    """Look-alike comparator signs to their canonical forms, longest first."""
    symbols = dictionaries.load("comparators")["symbols"]
    return tuple(sorted(symbols.items(), key=lambda kv: -len(kv[0])))


def fold(
    text: str,
    *,
    simplified: bool = True,
    drop_punct: bool = False,
    comparators: bool = False,
    trim: bool = False,
) -> str:
    """Text in the form it is compared in. Always: NFKC (full-width letters, digits and signs to
    half-width: ９.５ ％ ＞ ，) and no whitespace (exports break cells over lines).

    simplified: traditional characters to simplified (mirror sites publish traditional), for
        matching against the dictionaries; off where the folded text is kept or shown.
    drop_punct: no punctuation or quotes either (“三公经费”变动率 = 三公经费变动率).
    comparators: look-alike comparator signs (>=, ≧, ⩾ …) to the canonical ones of
        comparators.yaml; applied before whitespace goes, so "> =" stays two signs.
    trim: no clause-closing punctuation (。 ; ,) at either end.

    The steps run in that order: NFKC, comparators, whitespace, simplified, punctuation, trim."""
    s = unicodedata.normalize("NFKC", text)
    if comparators:
        for alias, canonical in _comparator_symbols():
            s = s.replace(alias, canonical)
    s = _SPACE.sub("", s)
    if simplified:
        s = _simplified(s)
    if drop_punct:
        s = _PUNCT.sub("", s)
    if trim:
        s = s.strip(_CLAUSE_ENDS)
    return s


_POINTS = re.compile(r"[(（]\s*\d+(?:\.\d+)?\s*分\s*[)）]\s*$")


def without_points(text: str) -> str:
    """A level name without the points printed after it: 产出指标（50分） is 产出指标."""
    return _POINTS.sub("", text)


def matches_any(text: str, anchors: list[str]) -> bool:
    k = fold(text)
    return any(fold(anchor) in k for anchor in anchors)


@cache
def _placeholders() -> frozenset[str]:
    return frozenset(dictionaries.load("placeholders")["placeholders"])


def is_placeholder(text: str) -> bool:
    """A cell printed to say 'nothing here': a dash or slash (placeholders.yaml)."""
    return fold(text) in _placeholders()


@cache
def _multipliers() -> dict[str, Decimal]:
    return {k: Decimal(v) for k, v in dictionaries.load("units")["multipliers"].items()}


def _decimal(text: str) -> Decimal | None:
    try:
        return Decimal(text) if text else None
    except InvalidOperation:
        return None


def _chinese(text: str) -> Decimal | None:
    """'三十', '两', '一点五', '三万'; and an Arabic number times 万 or 亿 ('1.2万')."""
    multipliers = _multipliers()
    if text[-1:] in multipliers:
        number = _decimal(text[:-1])
        if number is not None:
            return number * multipliers[text[-1]]
    try:
        converted = cn2an.cn2an(text, "smart")
    except Exception:  # cn2an raises bare ValueError and friends on odd input
        return None
    return _decimal(str(converted))


def to_number(text: str, *, chinese: bool = False) -> Decimal | None:
    """A number cell to a Decimal, else None: '1,528.00', '９.５', '95.5%' (a percent as
    printed: 95.5). With `chinese`, also Chinese numerals ('三十', '两', '一点五', '三万') and an
    Arabic number times 万 or 亿 ('1,234.5万'); without it such text is not a number (a funds
    line named 一 is a name)."""
    k = fold(text).replace(",", "").removesuffix("%")
    number = _decimal(k)
    if number is None and chinese and k:
        number = _chinese(k)
    return number if number is not None and number.is_finite() else None
