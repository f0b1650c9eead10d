"""Checks on targets that a reader of the filing would make, as findings: a half-year target
above the full-year one for a quantity that only accumulates; a rate stated as at least or
exactly more than 100%."""

from __future__ import annotations

from functools import cache

from jixiao import codes, dictionaries

from .model import Finding, Indicator, Target


def _cumulative_units() -> set[str]:
    return set(dictionaries.load("units")["cumulative"])


@cache
def _rate_endings() -> tuple[str, ...]:
    return tuple(dictionaries.load("units")["rate_name_endings"])


def is_rate(name: str) -> bool:
    """An indicator whose name says it is a rate, a share of a whole (units.yaml
    rate_name_endings: 执行率, 满意度, 占比 …): its % target cannot exceed 100."""
    return name.endswith(_rate_endings())


def _by_period(indicator: Indicator) -> dict[str, Target]:
    return {t.period: t for t in indicator.targets if t.period}


def check_targets(indicators: list[Indicator]) -> list[Finding]:
    findings = []
    cumulative = _cumulative_units()
    for indicator in indicators:
        targets = _by_period(indicator)
        h1, fy = targets.get("H1"), targets.get("FY")
        if (
            h1 is not None
            and fy is not None
            and h1.kind == fy.kind == "quantitative"
            and h1.unit == fy.unit
            and h1.unit in cumulative
            and h1.value is not None
            and fy.value is not None
            and h1.value > fy.value
        ):
            findings.append(
                Finding(
                    "warning",
                    codes.H1_ABOVE_FY,
                    f"'{indicator.level3}': the half-year target {h1.raw} is above the full-year "
                    f"target {fy.raw}, but {h1.unit} only add up over the year. One of them is "
                    "probably mistyped or misread.",
                    indicator.location,
                )
            )
        if is_rate(indicator.level3):
            for target in indicator.targets:
                if (
                    target.unit == "%"
                    and target.comparator in ("=", "≥", ">")
                    and target.value is not None
                    and target.value > 100
                ):
                    findings.append(
                        Finding(
                            "warning",
                            codes.RATE_ABOVE_100,
                            f"'{indicator.level3}' ({target.period}) is a rate but its target "
                            f"{target.raw} asks for more than 100%. Check the value.",
                            indicator.location,
                        )
                    )
    return findings
