"""三级指标 names to the canonical names in dictionaries/indicators.csv.

Three tries, each stricter about what it accepts:
1. the whole name against every canonical name and alias (rapidfuzz ratio) on a simplified,
   punctuation-free key: “三公经费”变动率 = "三公"经费变动率 = 三公经费变动率;
2. the same, accepting a lower score only when it is unambiguous (a clear margin over the next
   best): a character or two damaged by OCR;
3. the words (jieba with a domain user dictionary): every word of the canonical name present,
   in any order, with a few words more ("部门预算执行率（%）")."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from functools import cache

from rapidfuzz import fuzz, process
from rapidfuzz.distance import Levenshtein

from jixiao import codes, dictionaries

from .levels import set_level_canonicals
from .model import Finding, Indicator
from .text import fold

STRICT = 90.0  # whole-string score accepted outright
LOOSE = 78.0  # accepted when the runner-up is MARGIN behind
MARGIN = 10.0
WORDS = 95.0  # token-set score on jieba words


@dataclass(frozen=True)
class Canonical:
    name: str
    level1: str
    level2: str


@cache
def _table() -> tuple[dict[str, Canonical], list[str]]:
    by_key: dict[str, Canonical] = {}
    for row in dictionaries.load_csv("indicators"):
        entry = Canonical(row["canonical_name"], row["level1"], row["level2"])
        for name in [row["canonical_name"], *filter(None, row["aliases"].split("|"))]:
            by_key[fold(name, drop_punct=True)] = entry
    return by_key, list(by_key)


@cache
def _jieba() -> object:
    import jieba

    jieba.setLogLevel(logging.WARNING)
    # The domain dictionary alone: the words that matter here are in it, the rest falls apart
    # into single characters (harmless for the word-set match), and jieba's general dictionary
    # would cost a worker about 100 MB.
    return jieba.Tokenizer(dictionary=str(dictionaries.path("jieba_user.txt")))


@cache
def _words(text: str) -> str:
    return " ".join(w for w in _jieba().lcut(fold(text, drop_punct=True)) if w.strip())  # type: ignore[attr-defined]


@cache
def _canonical_words() -> list[tuple[str, str]]:
    return [(k, _words(k)) for k in _table()[1]]


def name_to_canonical(name: str) -> tuple[Canonical, float] | None:
    """The canonical indicator a printed name means, with the score of the match."""
    by_key, keys = _table()
    probe = fold(name, drop_punct=True)
    if not probe:
        return None
    found = process.extract(probe, keys, scorer=fuzz.ratio, limit=8)
    if found:
        best_key, best, _ = found[0]
        others = [score for k, score, _ in found[1:] if by_key[k] != by_key[best_key]]
        runner_up = others[0] if others else 0.0
        # A short name is judged loosely only for a misread character (OCR substitutes, it
        # does not drop): 预箅执行率 is 预算执行率, but 预算执行 (a 二级) is not.
        misread = len(probe) == len(best_key) and Levenshtein.distance(probe, best_key) == 1
        unambiguous = best - runner_up >= MARGIN
        loose = unambiguous and (
            (len(probe) >= 6 and best >= LOOSE) or (len(probe) >= 4 and misread)
        )
        if best >= STRICT or loose:
            return by_key[best_key], round(float(best), 1)
    joined = _words(name)
    words = joined.split()
    found_words = process.extractOne(joined, dict(_canonical_words()), scorer=fuzz.token_set_ratio)
    if found_words is None:
        return None
    _, best, best_key = found_words
    canonical_words = _words(best_key).split()
    extra = "".join(w for w in words if w not in canonical_words)
    # every word of the canonical name, plus at most a short qualifier ("部门", "%")
    if best >= WORDS and set(canonical_words) <= set(words) and len(extra) <= 3:
        return by_key[best_key], round(float(best), 1)
    return None


def _level_key(text: str | None) -> str:
    return fold(text or "").removesuffix("指标")


def match_canonical_names(indicators: list[Indicator]) -> list[Finding]:
    """Set canonical_name and match_score, and the standard 一级/二级 names; report an
    indicator filed under a 一级/二级 where the dictionary says it does not belong."""
    set_level_canonicals(indicators)
    findings = []
    for indicator in indicators:
        found = name_to_canonical(indicator.level3)
        if not found:
            continue
        canonical, score = found
        indicator.canonical_name, indicator.match_score = canonical.name, score
        # Only the 一级 is judged, and only a standard one: 二级 names differ from template to
        # template, and an evaluation's own 一级 (项目管理（25分）) says nothing against it.
        placed = _level_key(indicator.level1_canonical)
        usual = _level_key(canonical.level1)
        if placed and placed != usual:
            findings.append(
                Finding(
                    "warning",
                    codes.INDICATOR_MISPLACED,
                    f"'{indicator.level3}' ({canonical.name}) is filed under "
                    f"{indicator.level1}/{indicator.level2}; it usually belongs under "
                    f"{canonical.level1}/{canonical.level2}. Check the filing or the extraction.",
                    indicator.location,
                )
            )
    return findings
