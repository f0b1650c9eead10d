"""A database's data quality as one self-contained HTML file: files by status, findings by code
(with file, page and cell), the cells OCR was least sure of (lowest score first, for a clerk to
check first), how values parsed by kind, reconciliation failures, and bar charts drawn as inline
SVG, so the file opens anywhere, offline, with nothing beside it."""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import inspect, text
from sqlalchemy.engine import make_url

from jixiao import codes

from .export import read_only_engine

RECONCILIATION_CODES = codes.RECONCILIATION
STATUS_COLOURS = {"ok": "#2e7d32", "partial": "#f9a825", "failed": "#c62828"}
MAX_DETAIL_ROWS = 2000
MAX_UNSURE_CELLS = 200  # the cells OCR was least sure of, lowest score first

_CSS = """
body{font-family:"Noto Sans CJK SC","WenQuanYi Micro Hei","Microsoft YaHei",sans-serif;
margin:2em auto;max-width:75em;color:#222;padding:0 1em}
h1{font-size:1.6em}h2{margin-top:2em;border-bottom:1px solid #ccc;padding-bottom:.2em}
table{border-collapse:collapse;margin:.5em 0;font-size:.9em}
th,td{border:1px solid #ccc;padding:.25em .6em;text-align:left;vertical-align:top}
th{background:#f3f3f3}td.n{text-align:right;font-variant-numeric:tabular-nums}
.muted{color:#777}.chart{margin:.5em 0}
.error{color:#c62828}.warning{color:#a66f00}.info{color:#555}
"""


def _rows(conn: Any, sql: str) -> list[tuple[Any, ...]]:
    return [tuple(r) for r in conn.execute(text(sql))]


def _ocr(conn: Any) -> dict[str, Any]:
    """The filings OCR read, least sure first, and the cells it was least sure of, lowest score
    first; None for a database from before migration 0007 (no scores stored)."""
    if "confidence" not in {c["name"] for c in inspect(conn).get_columns("findings")}:
        return {"ocr_filings": None, "unsure_cells": None}
    return {
        "ocr_filings": _rows(
            conn,
            "SELECT source_path, part, ocr_cells, ocr_low_confidence_share FROM filings "
            "WHERE ocr_cells IS NOT NULL "
            "ORDER BY ocr_low_confidence_share DESC, source_path, part",
        ),
        "unsure_cells": _rows(
            conn,
            "SELECT g.confidence, f.source_path, f.part, g.location, g.message "
            "FROM findings g JOIN filings f ON f.id = g.filing_id "
            f"WHERE g.code = '{codes.OCR_LOW_CONFIDENCE}' AND g.confidence IS NOT NULL "
            f"ORDER BY g.confidence, f.source_path, f.part, g.id LIMIT {MAX_UNSURE_CELLS + 1}",
        ),
    }


def _audit(conn: Any) -> dict[str, Any]:
    """The scoring audit of self-evaluations (the self_evaluation_audit view), by department;
    None for a database from before migration 0008."""
    if "self_evaluation_audit" not in inspect(conn).get_view_names():
        return {"audit": None}
    return {
        "audit": _rows(
            conn,
            "SELECT source_path, part, department, project_name, printed_total, printed_sum, "
            "recomputed_total, weight_total, differing, item, printed_score, score_expected, "
            "difference FROM self_evaluation_audit "
            "ORDER BY department, source_path, part, item_kind, item_seq",
        )
    }


def gather(url: str) -> dict[str, Any]:
    """The numbers the report shows, read-only."""
    engine = read_only_engine(url)
    codes = ", ".join(f"'{c}'" for c in RECONCILIATION_CODES)
    try:
        with engine.connect() as conn:
            return (
                _ocr(conn)
                | _audit(conn)
                | {
                    "status": _rows(
                        conn, "SELECT status, count(*) FROM filings GROUP BY status ORDER BY 2 DESC"
                    ),
                    "doc_types": _rows(
                        conn,
                        "SELECT coalesce(doc_type, '(unknown)'), count(*) FROM filings "
                        "GROUP BY doc_type ORDER BY 2 DESC",
                    ),
                    "formats": _rows(
                        conn,
                        "SELECT source_format, count(*) FROM filings GROUP BY source_format "
                        "ORDER BY 2 DESC",
                    ),
                    "codes": _rows(
                        conn,
                        "SELECT code, severity, count(*) FROM findings GROUP BY code, severity "
                        "ORDER BY 3 DESC, 1",
                    ),
                    "kinds": _rows(
                        conn, "SELECT kind, count(*) FROM targets GROUP BY kind ORDER BY 2 DESC"
                    ),
                    "periods": _rows(
                        conn, "SELECT period, count(*) FROM targets GROUP BY period ORDER BY 2 DESC"
                    ),
                    "failed": _rows(
                        conn,
                        "SELECT f.source_path, g.code, g.message FROM filings f "
                        "JOIN findings g ON g.filing_id = f.id WHERE f.status = 'failed' "
                        "ORDER BY f.source_path",
                    ),
                    "reconciliation": _rows(
                        conn,
                        "SELECT f.source_path, f.department, f.fiscal_year, g.code, g.message, "
                        f"g.location FROM findings g JOIN filings f ON f.id = g.filing_id "
                        f"WHERE g.code IN ({codes}) ORDER BY f.department, f.fiscal_year",
                    ),
                    "details": _rows(
                        conn,
                        "SELECT g.severity, g.code, f.source_path, f.part, g.location, g.message "
                        "FROM findings g JOIN filings f ON f.id = g.filing_id "
                        "ORDER BY CASE g.severity WHEN 'error' THEN 0 WHEN 'warning' THEN 1 "
                        "ELSE 2 END, g.code, f.source_path "
                        f"LIMIT {MAX_DETAIL_ROWS + 1}",
                    ),
                    "totals": _rows(
                        conn,
                        "SELECT (SELECT count(*) FROM filings), (SELECT count(*) FROM indicators), "
                        "(SELECT count(*) FROM targets), (SELECT count(*) FROM findings)",
                    )[0],
                }
            )
    finally:
        engine.dispose()


def bar_chart(title: str, rows: Sequence[tuple[Any, ...]], colours: dict[str, str]) -> str:
    """Horizontal bars, one per (label, count) row, as inline SVG."""
    if not rows:
        return f'<p class="muted">{html.escape(title)}: nothing to show.</p>'
    width, bar_h, label_w = 640, 22, 170
    biggest = max(int(r[-1]) for r in rows) or 1
    height = bar_h * len(rows) + 30
    parts = [
        f'<svg class="chart" role="img" aria-label="{html.escape(title)}" '
        f'xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}">',
        f'<text x="0" y="14" font-size="13" font-weight="bold">{html.escape(title)}</text>',
    ]
    for k, row in enumerate(rows):
        label, count = str(row[0]), int(row[-1])
        y = 24 + k * bar_h
        w = max(1, round((width - label_w - 60) * count / biggest))
        colour = colours.get(label, "#4a6fa5")
        parts += [
            f'<text x="{label_w - 6}" y="{y + 15}" font-size="12" text-anchor="end">'
            f"{html.escape(label[:28])}</text>",
            f'<rect x="{label_w}" y="{y + 3}" width="{w}" height="{bar_h - 6}" '
            f'fill="{colour}"><title>{html.escape(label)}: {count}</title></rect>',
            f'<text x="{label_w + w + 5}" y="{y + 15}" font-size="12">{count}</text>',
        ]
    parts.append("</svg>")
    return "".join(parts)


def _table(headers: Sequence[str], rows: Sequence[tuple[Any, ...]], numeric: set[int]) -> str:
    if not rows:
        return '<p class="muted">None.</p>'
    head = "".join(f"<th>{html.escape(h)}</th>" for h in headers)
    body = []
    for row in rows:
        cells = []
        for k, value in enumerate(row):
            shown = "" if value is None else str(value)
            cls = ' class="n"' if k in numeric else ""
            if headers[k] in ("severity", "严重程度"):
                cls = f' class="{html.escape(shown)}"'
            cells.append(f"<td{cls}>{html.escape(shown)}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def _ocr_sections(data: dict[str, Any]) -> list[str]:
    """The filings OCR read with their share of unsure cells, and the cells OCR was least sure
    of with file, cell and text, lowest score first."""
    heading = "<h2>OCR 低置信度 · Cells OCR was least sure of: check these first</h2>"
    if data["unsure_cells"] is None:
        return [
            heading,
            '<p class="muted">This database stores no OCR scores (a schema before revision '
            "0007): run <code>jixiao db upgrade</code> and ingest the scans again.</p>",
        ]
    filings = [
        (path, part, cells, f"{share:.1%}") for path, part, cells, share in data["ocr_filings"]
    ]
    cells = [
        (f"{score:.2f}", path, part, location, message)
        for score, path, part, location, message in data["unsure_cells"][:MAX_UNSURE_CELLS]
    ]
    sections = [
        heading,
        _table(["file", "part", "OCR'd cells", "share under threshold"], filings, {2, 3}),
        _table(["score", "file", "part", "cell", "message"], cells, {0}),
    ]
    if len(data["unsure_cells"]) > MAX_UNSURE_CELLS:
        sections.append(
            f'<p class="muted">The {MAX_UNSURE_CELLS} lowest scores; query the findings table '
            f"(code {codes.OCR_LOW_CONFIDENCE}, ORDER BY confidence) for the rest.</p>"
        )
    return sections


def _number(value: Any) -> str:
    return "" if value is None else format(Decimal(str(value)).normalize(), "f")


def _audit_sections(data: dict[str, Any]) -> list[str]:
    """Per self-evaluation the printed and recomputed totals, then each 得分 the rules of
    dictionaries/scoring.yaml do not give, with the gap."""
    heading = "<h2>自评得分复核 · Scoring audit: 得分 recomputed from target, actual and 分值</h2>"
    if data["audit"] is None:
        return [
            heading,
            '<p class="muted">This database has no scoring audit (a schema before revision '
            "0008): run <code>jixiao db upgrade</code> and ingest again.</p>",
        ]
    totals: dict[tuple[Any, ...], tuple[Any, ...]] = {}
    items = []
    for (
        path,
        part,
        department,
        project,
        printed,
        summed,
        recomputed,
        weights,
        differing,
        *rest,
    ) in data["audit"]:
        row = (path, part, department or "", project or "", printed, summed, recomputed, weights)
        totals[(path, part)] = (*row, differing)
        item, score, expected, difference = rest
        if item is not None:
            items.append((path, part, item, score, expected, difference))
    summary = [tuple(v if i < 4 else _number(v) for i, v in enumerate(r)) for r in totals.values()]
    gaps = [(*r[:3], *(_number(v) for v in r[3:])) for r in items]
    return [
        heading,
        _table(
            [
                "file",
                "part",
                "department",
                "project",
                "总分 printed",
                "得分 summed",
                "recomputed",
                "分值 total",
                "differing",
            ],
            summary,
            {4, 5, 6, 7, 8},
        ),
        _table(
            ["file", "part", "indicator or fund line", "得分", "expected", "gap"], gaps, {3, 4, 5}
        ),
    ]


def render(data: dict[str, Any], source: str) -> str:
    filings, indicators, targets, findings = data["totals"]
    details = data["details"][:MAX_DETAIL_ROWS]
    more = len(data["details"]) > MAX_DETAIL_ROWS
    generated = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    sections = [
        "<h1>jixiao 数据质量报告 · Data quality report</h1>",
        f'<p class="muted">{html.escape(source)} · generated {generated} · {filings} filings, '
        f"{indicators} indicators, {targets} targets, {findings} findings</p>",
        "<h2>文件状态 · Files by status</h2>",
        bar_chart("Filings by status", data["status"], STATUS_COLOURS),
        _table(["status", "filings"], data["status"], {1}),
        _table(["doc_type", "filings"], data["doc_types"], {1}),
        _table(["source_format", "filings"], data["formats"], {1}),
        "<h2>无法读取的文件 · Files that could not be read</h2>",
        _table(["file", "code", "why"], data["failed"], set()),
        *_ocr_sections(data),
        "<h2>问题记录 · Findings by code</h2>",
        bar_chart("Findings by code", [(c, n) for c, _, n in data["codes"]], {}),
        _table(["code", "severity", "count"], data["codes"], {2}),
        "<h2>指标值解析 · How values parsed</h2>",
        bar_chart("Targets by kind", data["kinds"], {}),
        _table(["kind", "targets"], data["kinds"], {1}),
        _table(["period", "targets"], data["periods"], {1}),
        "<h2>对账不符 · Reconciliation failures</h2>",
        _table(
            ["file", "department", "fiscal_year", "code", "message", "location"],
            data["reconciliation"],
            set(),
        ),
        *_audit_sections(data),
        "<h2>全部问题 · Every finding, with file, page and cell</h2>",
        _table(["severity", "code", "file", "part", "location", "message"], details, set()),
    ]
    if more:
        sections.append(
            f'<p class="muted">The first {MAX_DETAIL_ROWS} findings; query the findings table '
            "for the rest.</p>"
        )
    return (
        '<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8">'
        "<title>jixiao 数据质量报告</title>"
        f"<style>{_CSS}</style></head><body>{''.join(sections)}</body></html>\n"
    )


def write_report(url: str, out: Path) -> Path:
    data = gather(url)
    parsed = make_url(url)
    source = parsed.render_as_string(hide_password=True)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(render(data, source), encoding="utf-8")
    return out
