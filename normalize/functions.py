"""Link each 履职 `职能N：…` cell to the 主要职能 item it serves, and repair the cell where a page
end broke and garbled it, using the clean text of that item."""

from __future__ import annotations

import re

from rapidfuzz import fuzz

from jixiao import codes, dictionaries

from .indicators import FunctionGroup
from .model import Finding, Indicator, MainFunction
from .text import fold

# Below this partial-ratio score a 职能 cell is not taken to be about a 主要职能 item at all.
_LINK_THRESHOLD = 60.0
# Cells print full-width punctuation; 主要职能 text pasted from elsewhere often has ASCII.
_GAP = re.compile(r"[\u4e00-\u9fff]\s+[\u4e00-\u9fff]")
_FULL_WIDTH = str.maketrans({",": "，", "(": "（", ")": "）", ":": "：", ";": "；"})


def _split_label(text: str) -> tuple[str, str]:
    m = re.match(dictionaries.load("sections")["function_label_pattern"], text)
    if not m:
        return "", text
    return text[: m.end()], text[m.end() :]


def _best_function(
    body: str, functions: list[tuple[MainFunction, str]]
) -> tuple[MainFunction, float] | None:
    folded = fold(body, simplified=False)
    scored = [(f, fuzz.partial_ratio(folded, folded_text)) for f, folded_text in functions]
    if not scored:
        return None
    best = max(scored, key=lambda fs: fs[1])
    return best if best[1] >= _LINK_THRESHOLD else None


def _repair_from(body: str, source: str) -> str:
    """The span of `source` that `body` is a damaged copy of, in the cell's punctuation style."""
    folded_body, folded_source = (
        fold(body, simplified=False).rstrip("等"),
        fold(source, simplified=False),
    )
    alignment = fuzz.partial_ratio_alignment(folded_body, folded_source)
    if alignment is None:
        return body
    start, end = alignment.dest_start, alignment.dest_end
    # Snap the ends to where the cell's first and last words really are in the source.
    head, tail = folded_body[:3], folded_body[-3:]
    found = folded_source.find(head, max(0, start - 10), end)
    start = found if found >= 0 else start
    found = folded_source.rfind(tail, start, end + 10)
    end = found + len(tail) if found >= 0 else end
    span = folded_source[start:end]
    if re.search(r"[，（）：；]", body):
        span = span.translate(_FULL_WIDTH)
    return span


def link_functions(groups: list[FunctionGroup], functions: list[MainFunction]) -> list[Finding]:
    findings: list[Finding] = []
    folded_functions = [(f, fold(f.text, simplified=False)) for f in functions]
    for group in groups:
        printed = group.printed
        label, body = _split_label(printed)
        where = "; ".join(c.location for c in group.parts)
        match = _best_function(body, folded_functions)
        text = printed
        if match is None:
            findings.append(
                Finding(
                    "warning",
                    codes.FUNCTION_NOT_LINKED,
                    f"The 履职 cell '{printed[:40]}' matches none of the 主要职能 items; its "
                    "indicators have no function_seq.",
                    where,
                )
            )
        else:
            function, _ = match
            clean = fold(body, simplified=False).rstrip("等")
            # Only a cell that shows damage is repaired: broken over a page end, or with gaps
            # where characters were lost. A cell that merely paraphrases its item is kept.
            damaged = len(group.parts) > 1 or _GAP.search(body) is not None
            if damaged and clean not in fold(function.text, simplified=False):
                repaired = _repair_from(body, function.text)
                text = label + repaired + ("等" if body.endswith("等") else "")
                findings.append(
                    Finding(
                        "info",
                        codes.FUNCTION_TEXT_REPAIRED,
                        f"The {label.rstrip('：:')} cell was broken and garbled at a page end "
                        f"(printed as '{' | '.join(c.text for c in group.parts)}'); it was "
                        f"rejoined and repaired from 主要职能 item {function.seq} to '{text}'. "
                        "The printed text is kept in level2_raw.",
                        where,
                    )
                )
            elif len(group.parts) > 1:
                findings.append(
                    Finding(
                        "info",
                        codes.FUNCTION_TEXT_REJOINED,
                        f"The {label.rstrip('：:')} cell ran over a page end; its "
                        f"{len(group.parts)} pieces were joined.",
                        where,
                    )
                )
        raw = "\n".join(c.text for c in group.parts)
        for indicator in group.indicators:
            indicator.level2 = text
            indicator.level2_raw = raw if (len(group.parts) > 1 or text != printed) else None
            indicator.function_seq = match[0].seq if match else None
    return findings


def _clean_copy(text: str, sources: list[str]) -> str | None:
    """The one clean copy of `text` among `sources`, when OCR damaged it: the same characters
    give or take a few, found in exactly one place."""
    probe = fold(text, simplified=False, drop_punct=True)
    if len(probe) < 6:
        return None
    found: set[str] = set()
    for source in sources:
        if text in source:
            return None  # printed intact somewhere: nothing to repair
        alignment = fuzz.partial_ratio_alignment(text, source)
        if alignment is None or alignment.score < 90:
            continue
        span = source[alignment.dest_start : alignment.dest_end]
        # snap the span's ends to where the text's first and last characters are
        head = source.find(text[:2], max(0, alignment.dest_start - 3), alignment.dest_end)
        tail = source.rfind(text[-2:], alignment.dest_start, alignment.dest_end + 3)
        if head >= 0 and tail >= head:
            span = source[head : tail + 2]
        if (
            abs(len(fold(span, simplified=False, drop_punct=True)) - len(probe)) <= 2
            and span != text
        ):
            found.add(span)
    return found.pop() if len(found) == 1 else None


def repair_ocr_key_tasks(
    indicators: list[Indicator], functions: list[MainFunction], other_texts: list[str]
) -> list[Finding]:
    """重点工作 texts that OCR damaged, restored from the one clean copy the same document prints
    elsewhere (a 主要职能 item, a goal). Every indicator under that key task gets the repair."""
    findings = []
    sources = [f.text for f in functions] + [t for t in other_texts if t]
    for text in sorted({i.key_task for i in indicators if i.key_task}):
        clean = _clean_copy(text, sources)
        if clean is None:
            continue
        affected = [i for i in indicators if i.key_task == text]
        for indicator in affected:
            indicator.key_task = clean
        findings.append(
            Finding(
                "info",
                codes.KEY_TASK_REPAIRED,
                f"The 重点工作 '{text}' (as OCR read it) was repaired to '{clean}', the text the "
                "same filing prints elsewhere.",
                affected[0].location,
            )
        )
    return findings
