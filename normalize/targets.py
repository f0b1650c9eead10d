"""`parse_target`: one value cell ("=100%", "≤10%", "有序推进", "全省前二") to a `Target`.

Each form is a small rule tried in order (deadline, rank, range, quantity, label); the first that
matches the whole cell wins, and a cell no rule matches is kind 'text', kept whole. The words and
units come from `dictionaries/`."""

from __future__ import annotations

import calendar
import datetime as dt
import re
from collections.abc import Callable
from dataclasses import replace
from decimal import Decimal
from functools import cache

from jixiao import dictionaries

from .model import Target
from .text import fold, to_number

_CN_DIGITS = "零〇一二两三四五六七八九十百千万亿"
_NUM = (
    r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?|[" + _CN_DIGITS + r"]+(?:点[" + _CN_DIGITS + "]+)?"
)


@cache
def _vocab() -> dict[str, object]:
    comparators = dictionaries.load("comparators")
    units = dictionaries.load("units")
    labels = dictionaries.load("labels")["labels"]
    alias_to_unit = {
        alias: canonical for canonical, aliases in units["units"].items() for alias in aliases
    }
    for canonical in units["units"]:
        alias_to_unit.setdefault(canonical, canonical)

    def alternation(words: list[str]) -> str:
        return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))

    return {
        "canonical": frozenset(comparators["canonical"]),
        "bounds": comparators["direction_of"],
        "prefix": comparators["prefix_words"],
        "suffix": comparators["suffix_words"],
        "prefix_re": alternation(list(comparators["prefix_words"])),
        "suffix_re": alternation(list(comparators["suffix_words"])),
        "units": alias_to_unit,
        "wan": {k: Decimal(str(v)) for k, v in units["amounts_in_wan"].items()},
        "rank_units": set(units["rank_units"]),
        "rank_unit": units["rank_units"][0],  # a rank target's unit: 位次
        "multipliers": {k: Decimal(v) for k, v in units["multipliers"].items()},
        "labels": labels,
    }


def _fold_value(text: str) -> str:
    """The comparable form of a value cell: NFKC (full-width digits, ％ ＝ ＞), look-alike signs to
    their canonical forms, no whitespace, no closing punctuation; characters as printed."""
    return fold(text, simplified=False, comparators=True, trim=True)


def _alternation(words: list[str]) -> str:
    """Words as a regex alternation, in the dictionary's order."""
    return "|".join(re.escape(w) for w in words)


@cache
def _patterns() -> dict[str, re.Pattern[str]]:
    """The deadline and rank forms, their words from deadlines.yaml and scopes.yaml."""
    deadlines = dictionaries.load("deadlines")
    scopes = dictionaries.load("scopes")
    suffix = (
        rf"(?P<before>{_alternation(deadlines['before'])})?(?:{_alternation(deadlines['done'])})?"
    )
    period_end = _alternation(deadlines["period_end"])
    scope = rf"(?P<scope>{_alternation(scopes['scopes'])})"
    lead = rf"(?:{_alternation(scopes['leads'])})?"
    n = r"(?P<n>\d+|[一二两三四五六七八九十]+)"
    return {
        "day": re.compile(r"(?P<y>\d{4})[-./](?P<m>\d{1,2})[-./](?P<d>\d{1,2})" + suffix),
        "month": re.compile(
            r"(?:(?P<y>\d{4})年)?(?P<m>\d{1,2})月(?:(?P<d>\d{1,2})[日号])?"
            rf"(?P<edge>{_alternation(list(deadlines['month_edges']))})?" + suffix
        ),
        "year_end": re.compile(
            rf"(?:(?P<y>\d{{4}})年)?(?:{_alternation(deadlines['year_end'])})" + suffix
        ),
        "quarter": re.compile(
            rf"(?:(?P<y>\d{{4}})年)?(?:第)?(?P<q>[一二三四1-4])季度(?:{period_end})?" + suffix
        ),
        "half": re.compile(
            rf"(?:(?P<y>\d{{4}})年)?(?P<h>{_alternation(list(deadlines['halves']))})半年"
            rf"(?:{period_end})?" + suffix
        ),
        "top": re.compile(
            rf"{scope}?{lead}(?:排名)?前{n}(?:{_alternation(scopes['top_suffixes'])})?(?:以内)?"
        ),
        "place": re.compile(
            rf"{scope}?{lead}(?:排名)?第{n}(?:{_alternation(scopes['place_suffixes'])})?"
        ),
        "standing": re.compile(
            rf"[^,;，；]*?{scope}(?:排名)?(?P<label>{_alternation(scopes['standings'])})"
        ),
    }


def resolve_unit(text: str) -> tuple[str | None, Decimal] | None:
    """Unit text to (canonical unit, multiplier). '' is no unit; '次/月' a rate; '万个' folds
    the 万 into the multiplier. None when the text is not a unit."""
    vocab = _vocab()
    units: dict[str, str] = vocab["units"]  # type: ignore[assignment]
    if not text:
        return None, Decimal(1)
    if text in units:
        return units[text], Decimal(1)
    if "/" in text:
        parts = text.split("/")
        if len(parts) == 2 and all(p in units for p in parts):
            return f"{units[parts[0]]}/{units[parts[1]]}", Decimal(1)
        return None
    multipliers: dict[str, Decimal] = vocab["multipliers"]  # type: ignore[assignment]
    head, rest = text[:1], text[1:]
    if head in multipliers and rest in units:
        return units[rest], multipliers[head]
    return None


def _amount_in_wan(value: Decimal | None, unit: str | None) -> Decimal | None:
    factors: dict[str, Decimal] = _vocab()["wan"]  # type: ignore[assignment]
    if value is None or unit not in factors:
        return None
    return value * factors[unit]


def _strip_comparators(s: str) -> tuple[str | None, str]:
    """Take comparator symbols and words off both ends; returns (comparator, rest)."""
    vocab = _vocab()
    found: list[str] = []
    changed = True
    while changed:
        changed = False
        m = re.match(rf"^({vocab['prefix_re']})", s)
        if m:
            found.append(vocab["prefix"][m.group(1)])  # type: ignore[index]
            s = s[m.end() :]
            changed = True
        if s and s[:1] in vocab["canonical"]:  # type: ignore[operator]
            found.append(s[0])
            s = s[1:]
            changed = True
    m = re.search(rf"({vocab['suffix_re']})$", s)
    if m:
        found.append(vocab["suffix"][m.group(1)])  # type: ignore[index]
        s = s[: m.start()]
    # 不低于 and ≥ together say the same thing; when they disagree the symbol printed first wins.
    return (found[0] if found else None), s


# --- rules: each takes (raw, folded, fiscal_year) and returns a Target or None -----------------


def _end_of_month(year: int, month: int) -> dt.date:
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def _deadline(raw: str, s: str, fiscal_year: int | None) -> Target | None:
    def target(date: dt.date | None, before: bool) -> Target:
        return Target(raw=raw, kind="deadline", comparator="≤" if before else None, due_date=date)

    def year_of(group: str | None) -> int | None:
        return int(group) if group else fiscal_year

    m = re.fullmatch(
        r"(?P<y1>\d{4})[.\-/年](?P<m1>\d{1,2})月?[-~—–至到](?:(?P<y2>\d{4})[.\-/年])?(?P<m2>\d{1,2})月?",
        s,
    )
    if m:
        y2 = int(m["y2"] or m["y1"])
        m2 = int(m["m2"])
        if 1 <= m2 <= 12:
            return target(_end_of_month(y2, m2), True)
    patterns = _patterns()
    m = patterns["day"].fullmatch(s)
    if m:
        try:
            return target(dt.date(int(m["y"]), int(m["m"]), int(m["d"])), bool(m["before"]))
        except ValueError:
            return None
    m = patterns["month"].fullmatch(s)
    if m and 1 <= int(m["m"]) <= 12:
        year, month = year_of(m["y"]), int(m["m"])
        before = bool(m["before"])
        edge = dictionaries.load("deadlines")["month_edges"].get(m["edge"]) or {}
        if year is None:
            return target(None, before)
        try:
            if m["d"]:
                date = dt.date(year, month, int(m["d"]))
            elif before and not m["edge"]:
                date = dt.date(year, month, 1) - dt.timedelta(days=1)  # "6月前": before June
            elif edge.get("day", "end") != "end":
                date = dt.date(year, month, int(edge["day"]))  # 上旬: the 10th
            else:
                date = _end_of_month(year, month)
        except ValueError:
            return None
        return target(date, before or bool(edge.get("by")))  # "6月底" is by the end of June
    m = patterns["year_end"].fullmatch(s)
    if m and (m["y"] or not s[:1].isdigit()):
        year = year_of(m["y"])
        return target(dt.date(year, 12, 31) if year else None, True)
    m = patterns["quarter"].fullmatch(s)
    if m:
        quarter = "一二三四".find(m["q"]) + 1 or int(m["q"])
        year = year_of(m["y"])
        return target(_end_of_month(year, quarter * 3) if year else None, True)
    m = patterns["half"].fullmatch(s)
    if m:
        year = year_of(m["y"])
        month = int(dictionaries.load("deadlines")["halves"][m["h"]])
        return target(_end_of_month(year, month) if year else None, True)
    return None


def _rank(raw: str, s: str, fiscal_year: int | None) -> Target | None:
    patterns = _patterns()
    unit = str(_vocab()["rank_unit"])
    m = patterns["top"].fullmatch(s)
    if m:
        n = to_number(m["n"], chinese=True)
        if n is not None:
            return Target(raw=raw, kind="rank", comparator="≤", value=n, unit=unit)
    m = patterns["place"].fullmatch(s)
    if m:
        n = to_number(m["n"], chinese=True)
        if n is not None:
            return Target(raw=raw, kind="rank", comparator="=", value=n, unit=unit)
    # "居全省前列" with a subject in front, but one clause only: "有序推进，…保持全省前列" is text.
    m = patterns["standing"].fullmatch(s)
    if m:
        return Target(raw=raw, kind="rank", unit=unit, label=f"{m['scope']}{m['label']}")
    return None


def _range(raw: str, s: str, fiscal_year: int | None) -> Target | None:
    comparator, body = _strip_comparators(s)
    m = re.fullmatch(rf"±(?P<a>{_NUM})(?P<u>[^\d]*)", body)
    if m:
        unit = resolve_unit(m["u"])
        a = to_number(m["a"], chinese=True)
        if unit is None or a is None:
            return None
        return Target(
            raw=raw, kind="range", value=-a * unit[1], value_max=a * unit[1], unit=unit[0]
        )
    m = re.fullmatch(
        rf"(?P<a>{_NUM})(?P<u1>[^\d\-~～—–至到]*)[-~～—–至到](?P<b>{_NUM})(?P<u2>[^\d]*)", body
    )
    if not m:
        return None
    u1, u2 = resolve_unit(m["u1"]), resolve_unit(m["u2"])
    a, b = to_number(m["a"], chinese=True), to_number(m["b"], chinese=True)
    if u1 is None or u2 is None or a is None or b is None:
        return None
    if m["u1"] and u1[0] != u2[0]:
        return None
    low, high = a * (u1[1] if m["u1"] else u2[1]), b * u2[1]
    if low > high:
        return None
    return Target(
        raw=raw,
        kind="range",
        comparator=comparator if comparator not in _vocab()["bounds"] else None,  # type: ignore[operator]
        value=low,
        value_max=high,
        unit=u2[0],
        value_wan=_amount_in_wan(low, u2[0]),
    )


def _quantity(raw: str, s: str, fiscal_year: int | None) -> Target | None:
    comparator, body = _strip_comparators(s)
    m = re.fullmatch(rf"(?P<n>{_NUM})(?P<u>[^\d]*)", body)
    if not m:
        return None
    number = to_number(m["n"], chinese=True)
    unit = resolve_unit(m["u"])
    if number is None or unit is None:
        return None
    value = number * unit[1]
    kind = "rank" if unit[0] in _vocab()["rank_units"] else "quantitative"  # type: ignore[operator]
    return Target(
        raw=raw,
        kind=kind,
        comparator=comparator,
        value=value,
        unit=unit[0],
        value_wan=_amount_in_wan(value, unit[0]),
    )


def _label(raw: str, s: str, fiscal_year: int | None) -> Target | None:
    labels: dict[str, dict[str, int] | None] = _vocab()["labels"]  # type: ignore[assignment]
    word = s.lstrip("=")
    if word in labels:
        meaning = labels[word] or {}
        return Target(
            raw=raw,
            kind="qualitative",
            label=word,
            grade=meaning.get("grade"),
            polarity=meaning.get("polarity"),
        )
    return None


_RULES: tuple[Callable[[str, str, int | None], Target | None], ...] = (
    _deadline,
    _rank,
    _range,
    _quantity,
    _label,
)


def comparator_of(word: str | None) -> str | None:
    """A 指标性质 / direction cell ("≥", "大于等于", "不低于", "正向", "反向") as a comparator."""
    if not word:
        return None
    s = _fold_value(word)
    directions = dictionaries.load("comparators")["directions"]
    if s in directions:
        return str(directions[s])
    vocab = _vocab()
    if s in vocab["prefix"]:  # type: ignore[operator]
        return str(vocab["prefix"][s])  # type: ignore[index]
    if s in vocab["suffix"]:  # type: ignore[operator]
        return str(vocab["suffix"][s])  # type: ignore[index]
    return s if s in vocab["canonical"] else None  # type: ignore[operator]


def _with_hints(
    target: Target, comparator: str | None, unit: str | None, direction: str | None
) -> Target:
    changes: dict[str, object] = {}
    stated = comparator_of(comparator)
    if target.comparator is None and stated and target.kind in ("quantitative", "rank", "deadline"):
        changes["comparator"] = stated
    if unit and target.unit is None and target.value is not None:
        resolved = resolve_unit(_fold_value(unit))
        if resolved and resolved[0]:
            value = target.value * resolved[1]
            changes.update(
                unit=resolved[0],
                value=value,
                value_max=target.value_max * resolved[1] if target.value_max is not None else None,
                value_wan=_amount_in_wan(value, resolved[0]),
                kind="rank" if resolved[0] in _vocab()["rank_units"] else target.kind,  # type: ignore[operator]
            )
    final = changes.get("comparator", target.comparator)
    implied = comparator_of(direction) if direction else None
    if final is not None:
        changes["effective_comparator"] = final
    elif implied in ("≥", "≤") and target.kind in ("quantitative", "rank", "range", "deadline"):
        changes["effective_comparator"] = implied
    return replace(target, **changes) if changes else target  # type: ignore[arg-type]


def parse_target(
    text: str,
    fiscal_year: int | None = None,
    *,
    comparator: str | None = None,
    unit: str | None = None,
    direction: str | None = None,
) -> Target:
    """What a target cell means. Never raises: a value that fits no rule is kind 'text'.

    `fiscal_year` fills the year of deadlines that omit it ("12月底前"). Layouts that print the
    comparator, the unit or the direction in columns of their own pass them as `comparator`
    (指标性质: "≥", "大于等于"), `unit` (度量单位) and `direction` (正向/反向): the cell's own
    comparator and unit win; the direction only fills `effective_comparator` where no
    comparator is stated."""
    raw = text if isinstance(text, str) else str(text)
    s = _fold_value(raw)
    target = Target(raw=raw, kind="text")
    if s:
        for rule in _RULES:
            try:
                found = rule(raw, s, fiscal_year)
            except (ValueError, ArithmeticError, OverflowError):
                found = None
            if found is not None:
                target = found
                break
    try:
        return _with_hints(target, comparator, unit, direction)
    except (ValueError, ArithmeticError, OverflowError):
        return target
