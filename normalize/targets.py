"""`parse_target`: one value cell ("=100%", "≤10%", "有序推进", "全省前二") to a `Target`.

Each form is a small rule tried in order (deadline, rank, range, quantity, label); the first that
matches the whole cell wins, and a cell no rule matches is kind 'text', kept whole. The words and
units come from `dictionaries/`."""

from __future__ import annotations

import calendar
import contextlib
import datetime as dt
import re
from collections.abc import Callable
from dataclasses import replace
from decimal import Decimal
from functools import cache
from typing import Any

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
        "stored_as": {
            k: (v["unit"], Decimal(str(v["factor"]))) for k, v in units["stored_as"].items()
        },
        "unit_classes": {u: cls for cls, members in units["classes"].items() for u in members},
        "labels": labels,
        "fillers": comparators["fillers"],
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
        rf"(?P<before>{_alternation(deadlines['before'])})?"
        rf"(?P<done>{_alternation(deadlines['done'])})?"
    )
    period_end = _alternation(deadlines["period_end"])
    year = rf"(?:(?P<y>\d{{4}})年|(?P<ry>{_alternation(list(deadlines['relative_years']))}))?"
    scope = rf"(?P<scope>{_alternation(scopes['scopes'])})"
    lead = rf"(?:{_alternation(scopes['leads'])})?"
    n = r"(?P<n>\d+|[一二两三四五六七八九十]+)"
    return {
        "day": re.compile(r"(?P<y>\d{4})[-./](?P<m>\d{1,2})[-./](?P<d>\d{1,2})" + suffix),
        "month": re.compile(
            rf"{year}(?P<m>\d{{1,2}})月(?:(?P<d>\d{{1,2}})[日号])?"
            rf"(?P<edge>{_alternation(list(deadlines['month_edges']))})?" + suffix
        ),
        "year_end": re.compile(rf"{year}(?:{_alternation(deadlines['year_end'])})" + suffix),
        "quarter": re.compile(rf"{year}(?:第)?(?P<q>[一二三四1-4])季度(?:{period_end})?" + suffix),
        "half": re.compile(
            rf"{year}(?P<h>{_alternation(list(deadlines['halves']))})半年"
            rf"(?:{period_end})?" + suffix
        ),
        "plan": re.compile(
            rf"(?:在|于|按)?.{{0,8}}?(?:{_alternation(deadlines['plan_limits'])})"
            rf"(?:内|前|之内|以内|之前)(?:{_alternation(deadlines['done'])})?"
        ),
        "season": re.compile(
            rf"(?:在|于)?[^\d,，;；、]{{0,3}}(?:{_alternation(deadlines['period_ends'])})"
            rf"(?:内|前|之内|之前|期间)(?:{_alternation(deadlines['done'])})?"
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
    """Unit text to (canonical unit, multiplier). '' is no unit; '次/季度' and '元/人·天' keep their
    structure; '万人次' folds the 万 into the multiplier; '亿元' is stored as 万元; a unit in
    Latin letters ('M', 'Mbps') is kept lowercased. None when the text is not a unit."""
    if not text:
        return None, Decimal(1)
    if "/" in text:
        parts = text.split("/")
        if len(parts) != 2:
            return None
        top, below = _unit_product(parts[0]), _unit_product(parts[1])
        if top is None or below is None or top[0] is None or below[0] is None:
            return None
        return f"{top[0]}/{below[0]}", top[1] / below[1]
    return _unit_product(text)


def _unit_product(text: str) -> tuple[str | None, Decimal] | None:
    """人·天 (a product of units), or one unit."""
    pieces = re.split(r"[·•*×]", text)
    if len(pieces) == 1:
        return _one_unit(text)
    found = [_one_unit(piece) for piece in pieces]
    if any(f is None or f[0] is None for f in found):
        return None
    return "·".join(str(f[0]) for f in found if f), Decimal(1)


def _one_unit(text: str) -> tuple[str | None, Decimal] | None:
    vocab = _vocab()
    units: dict[str, str] = vocab["units"]  # type: ignore[assignment]
    stored_as: dict[str, tuple[str, Decimal]] = vocab["stored_as"]  # type: ignore[assignment]
    multipliers: dict[str, Decimal] = vocab["multipliers"]  # type: ignore[assignment]
    if text in units:
        unit, factor = units[text], Decimal(1)
    elif text[:1] in multipliers and text[1:] in units:
        unit, factor = units[text[1:]], multipliers[text[:1]]
    elif re.fullmatch(r"[A-Za-z]{1,6}", text):
        return units.get(text.lower(), text.lower()), Decimal(1)
    else:
        return None
    if unit in stored_as:
        unit, extra = stored_as[unit]
        factor *= extra
    return unit, factor


def unit_class_of(unit: str | None) -> str | None:
    """What a unit measures (units.yaml classes): a compound unit takes its numerator's class."""
    if not unit:
        return None
    classes: dict[str, str] = _vocab()["unit_classes"]  # type: ignore[assignment]
    head = unit.split("/")[0].split("·")[0]
    return classes.get(head, "other")


def _amount_in_wan(value: Decimal | None, unit: str | None) -> Decimal | None:
    factors: dict[str, Decimal] = _vocab()["wan"]  # type: ignore[assignment]
    if value is None or unit not in factors:
        return None
    return value * factors[unit]


def _strip_comparators(s: str) -> tuple[str | None, str]:
    """Take comparator symbols and words off both ends, and the words around a number that say
    nothing more (fillers in comparators.yaml); returns (comparator, rest)."""
    vocab = _vocab()
    fillers: dict[str, list[Any]] = vocab["fillers"]  # type: ignore[assignment]
    for before, after in fillers["frames"]:
        if s.startswith(before) and s.endswith(after) and len(s) > len(before) + len(after):
            s = s[len(before) : -len(after)]
            break
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
        for word in (*fillers["after_comparator"], *fillers["approximate_before"]):
            if s.startswith(word) and len(s) > len(word):
                s = s[len(word) :]
                changed = True
    for word in fillers["approximate_after"]:
        if s.endswith(word) and len(s) > len(word):
            s = s[: -len(word)]
    m = re.search(rf"({vocab['suffix_re']})(?:{_alternation(_done_words())})?$", s)
    if m and m.start() > 0:
        found.append(vocab["suffix"][m.group(1)])  # type: ignore[index]
        s = s[: m.start()]
    # 不低于 and ≥ together say the same thing; when they disagree the symbol printed first wins.
    return (found[0] if found else None), s


def _done_words() -> list[str]:
    return list(dictionaries.load("deadlines")["done"])


# --- rules: each takes (raw, folded, fiscal_year) and returns a Target or None -----------------


def _end_of_month(year: int, month: int) -> dt.date:
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def _deadline(raw: str, s: str, fiscal_year: int | None) -> Target | None:
    """A date to finish by, written absolutely or against the budget year; a date after a
    lead (完成时间为, 截止, 于) is one to finish by."""
    for lead in dictionaries.load("deadlines")["leads"]:
        rest = s[len(lead) :].lstrip(":")
        if s.startswith(lead) and rest:
            found = _dated(raw, rest, fiscal_year)
            if found is not None:
                return replace(found, comparator="≤")
    return _dated(raw, s, fiscal_year)


def _dated(raw: str, s: str, fiscal_year: int | None) -> Target | None:
    def target(date: dt.date | None, by: bool) -> Target:
        return Target(raw=raw, kind="deadline", comparator="≤" if by else None, due_date=date)

    def year_of(m: re.Match[str]) -> int | None:
        if m["y"]:
            return int(m["y"])
        if m["ry"] and fiscal_year is not None:
            return fiscal_year + int(dictionaries.load("deadlines")["relative_years"][m["ry"]])
        return fiscal_year

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
            date = dt.date(int(m["y"]), int(m["m"]), int(m["d"]))
        except ValueError:
            return None
        return target(date, bool(m["before"] or m["done"]))
    m = patterns["month"].fullmatch(s)
    if m and 1 <= int(m["m"]) <= 12:
        return _month_deadline(m, year_of(m), target)
    m = patterns["year_end"].fullmatch(s)
    if m and (m["y"] or m["ry"] or not s[:1].isdigit()):
        year = year_of(m)
        return target(dt.date(year, 12, 31) if year else None, True)
    m = patterns["quarter"].fullmatch(s)
    if m:
        quarter = "一二三四".find(m["q"]) + 1 or int(m["q"])
        year = year_of(m)
        return target(_end_of_month(year, quarter * 3) if year else None, True)
    m = patterns["half"].fullmatch(s)
    if m:
        year = year_of(m)
        month = int(dictionaries.load("deadlines")["halves"][m["h"]])
        return target(_end_of_month(year, month) if year else None, True)
    if patterns["plan"].fullmatch(s):
        return replace(target(None, True), relative_to="plan")
    if patterns["season"].fullmatch(s):
        return target(None, True)
    return None


def _month_deadline(
    m: re.Match[str], year: int | None, target: Callable[[dt.date | None, bool], Target]
) -> Target | None:
    """2024年8月底前, 12月31日前, 6月前 (before June), 6月上旬, 2021年12月完成 (by its end)."""
    month = int(m["m"])
    before = bool(m["before"])
    edge = dictionaries.load("deadlines")["month_edges"].get(m["edge"]) or {}
    by = before or bool(m["done"]) or bool(edge.get("by"))  # "6月底" is by the end of June
    if year is None:
        return target(None, by)
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
    return target(date, by)


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


def _ratio(raw: str, s: str, fiscal_year: int | None) -> Target | None:
    """1:1, ≥1:0.5: a ratio, stored as its quotient with the ratio kept as the label."""
    comparator, body = _strip_comparators(s)
    m = re.fullmatch(r"(?P<a>\d+(?:\.\d+)?)[:∶比](?P<b>\d+(?:\.\d+)?)", body)
    if not m or not Decimal(m["b"]):
        return None
    return Target(
        raw=raw,
        kind="quantitative",
        comparator=comparator,
        value=Decimal(m["a"]) / Decimal(m["b"]),
        unit="比",
        label=body,
    )


def _label(raw: str, s: str, fiscal_year: int | None) -> Target | None:
    """A judgement word of labels.yaml; some are a number in words (零增长: ≤ 0 %)."""
    labels: dict[str, dict[str, object] | None] = _vocab()["labels"]  # type: ignore[assignment]
    word = s.lstrip("=")
    if word not in labels:
        return None
    meaning = labels[word] or {}
    value = meaning.get("value")
    return Target(
        raw=raw,
        kind="qualitative",
        label=word,
        grade=meaning.get("grade"),  # type: ignore[arg-type]
        polarity=meaning.get("polarity"),  # type: ignore[arg-type]
        comparator=meaning.get("comparator"),  # type: ignore[arg-type]
        value=Decimal(str(value)) if value is not None else None,
        unit=meaning.get("unit"),  # type: ignore[arg-type]
    )


@cache
def _relative_pattern() -> re.Pattern[str]:
    """较上年(有所)提高…, 同比下降…: lead, reference, degree, change, then perhaps a number."""
    words = dictionaries.load("labels")
    return re.compile(
        rf"(?:{_alternation(words['reference_leads'])})?"
        rf"(?P<ref>{_alternation(sorted(words['references'], key=len, reverse=True))})"
        rf"(?:{_alternation(words['reference_tails'])})?"
        rf"(?:{_alternation(words['degrees'])})?"
        rf"(?P<change>{_alternation(sorted(words['changes'], key=len, reverse=True))})"
        r"(?P<rest>.*)"
    )


def _relative(raw: str, s: str, fiscal_year: int | None) -> Target | None:
    """A target against a reference (labels.yaml references): 较上年提高 (> prior year),
    同比增长10% (a quantity relative to the prior year), ≤预算数 and 控制在预算内 (≤ budget),
    不低于上年."""
    words = dictionaries.load("labels")
    references: dict[str, str] = words["references"]
    m = _relative_pattern().fullmatch(s)
    if m:
        relative_to = references[m["ref"]]
        phrase = s[: m.start("rest")]
        if not m["rest"]:
            return Target(
                raw=raw,
                kind="qualitative",
                comparator=words["changes"][m["change"]],
                label=phrase,
                polarity=1,
                relative_to=relative_to,
            )
        amount = _range(raw, m["rest"], fiscal_year) or _quantity(raw, m["rest"], fiscal_year)
        if amount is not None:
            return replace(amount, label=phrase, relative_to=relative_to)
        return None
    comparator, rest = _strip_comparators(s)
    if comparator and rest in references:
        return Target(
            raw=raw,
            kind="qualitative",
            comparator=comparator,
            label=s,
            polarity=1,
            relative_to=references[rest],
        )
    return None


def _several(raw: str, s: str, fiscal_year: int | None) -> Target | None:
    """≥95%；≥98%: two or more values in one cell (targets for two years, two sub-items) stay
    kind text, with the first one's reading so that it can still be found by value."""
    parts = [part for part in re.split(r"[;；]", s) if part]
    if len(parts) < 2:
        return None
    read = [_range(raw, part, fiscal_year) or _quantity(raw, part, fiscal_year) for part in parts]
    first = read[0]
    if first is None or any(r is None for r in read):
        return None
    return replace(first, kind="text")


@cache
def _judgements() -> list[tuple[str, int]]:
    words: dict[str, int] = dictionaries.load("labels")["judgements"]
    return sorted(words.items(), key=lambda kv: -len(kv[0]))


def _phrase(raw: str, s: str, fiscal_year: int | None) -> Target | None:
    """A short evaluative phrase (labels.yaml: at most phrase_length characters, no list or
    sentence punctuation, a judgement word in it) is qualitative, with that word's polarity;
    anything longer or without one describes, and stays text."""
    words = dictionaries.load("labels")
    if len(s) > int(words["phrase_length"]) or any(b in s for b in words["phrase_breaks"]):
        return None
    if re.search(r"\d", s):
        return None
    for word, polarity in _judgements():
        if word in s:
            references: dict[str, str] = words["references"]
            named = sorted((r for r in references if r in s), key=len, reverse=True)
            return Target(
                raw=raw,
                kind="qualitative",
                label=s,
                polarity=polarity,
                relative_to=references[named[0]] if named else None,  # 符合国家标准: standard
            )
    return None


_RULES: tuple[Callable[[str, str, int | None], Target | None], ...] = (
    _deadline,
    _rank,
    _range,
    _quantity,
    _ratio,
    _label,
    _relative,
    _several,
    _phrase,
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
    with contextlib.suppress(ValueError, ArithmeticError, OverflowError):
        target = _with_hints(target, comparator, unit, direction)
    unit_class = "time" if target.kind == "deadline" else unit_class_of(target.unit)
    return replace(target, unit_class=unit_class) if unit_class else target
