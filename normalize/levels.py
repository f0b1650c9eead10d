"""一级 and 二级 names as printed to their standard names (dictionaries/levels.yaml): 效益 and
效益指标 are both 效益指标, 服务对象满意度指标 is 服务对象满意度. The printed name is never changed;
the standard one goes beside it."""

from __future__ import annotations

from functools import cache
from typing import Literal

from jixiao import dictionaries

from .model import Indicator
from .text import fold, without_points

Level = Literal["level1", "level2"]


def _key(text: str) -> str:
    return fold(without_points(text), drop_punct=True).removesuffix("指标")


@cache
def _names(level: Level) -> dict[str, str]:
    out: dict[str, str] = {}
    for name, aliases in dictionaries.load("levels")[level].items():
        for word in [name, *(aliases or [])]:
            out[_key(word)] = str(name)
    return out


def level_canonical(text: str | None, level: Level) -> str | None:
    """The standard name of a 一级 or 二级 name as printed; None for one the dictionary does
    not know (a 履职 二级 names its 职能)."""
    if not text:
        return None
    return _names(level).get(_key(text))


def set_level_canonicals(indicators: list[Indicator]) -> None:
    """Fill level1_canonical and level2_canonical of every indicator."""
    for indicator in indicators:
        indicator.level1_canonical = level_canonical(indicator.level1, "level1")
        indicator.level2_canonical = level_canonical(indicator.level2, "level2")
