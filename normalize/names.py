"""三级指标 names to the canonical names in dictionaries/indicators.yaml."""

from __future__ import annotations

from functools import cache

from rapidfuzz import fuzz, process

from jixiao import dictionaries

from .model import Indicator
from .text import match_key


@cache
def _choices() -> tuple[dict[str, str], float]:
    data = dictionaries.load("indicators")
    choices: dict[str, str] = {}
    for canonical, aliases in data["indicators"].items():
        for name in [canonical, *(aliases or [])]:
            choices[match_key(name)] = canonical
    return choices, float(data["match_threshold"])


def name_to_canonical(name: str) -> tuple[str, float] | None:
    choices, threshold = _choices()
    found = process.extractOne(
        match_key(name), list(choices), scorer=fuzz.ratio, score_cutoff=threshold
    )
    if found is None:
        return None
    return choices[found[0]], round(float(found[1]), 1)


def match_canonical_names(indicators: list[Indicator]) -> None:
    for indicator in indicators:
        found = name_to_canonical(indicator.level3)
        if found:
            indicator.canonical_name, indicator.match_score = found
