"""normalize: a `RawDocument` into a `Filing`. Imports `extract`'s types, never `load`."""

from __future__ import annotations

from dataclasses import replace

from jixiao import codes, dictionaries
from jixiao.extract import Block, RawDocument, Table

from .checks import check_targets
from .corrections import (
    Correction,
    CorrectionsError,
    apply_corrections,
    by_filing,
    load_corrections,
)
from .functions import link_functions, repair_ocr_key_tasks
from .funds import reconcile_funds, rows_to_fund_lines
from .header import (
    field_value,
    goal_and_actual,
    paragraphs_to_fiscal_year,
    paragraphs_to_title,
    text_to_main_functions,
    text_to_staffing,
    to_doc_type,
    to_region,
    without_code,
)
from .indicators import items_to_indicators
from .ledger import Ledger
from .model import (
    Filing,
    Finding,
    FundLine,
    Indicator,
    MainFunction,
    NormalizeError,
    Remark,
    Staffing,
    Status,
    Target,
)
from .names import match_canonical_names
from .not_filings import describe, holds_performance_table
from .ocr_review import cells_to_ocr_share, low_confidence_findings, review_ocr_values
from .scores import (
    check_execution_rates,
    check_expected_scores,
    check_scores,
    row_to_total_score,
    totals_row_to_score,
    with_expected_scores,
)
from .sections import Sections, document_to_parts, document_to_sections, project_column
from .targets import parse_target
from .text import fold

__all__ = [
    "Correction",
    "CorrectionsError",
    "Filing",
    "Finding",
    "FundLine",
    "Indicator",
    "MainFunction",
    "NormalizeError",
    "Remark",
    "Staffing",
    "Target",
    "apply_corrections",
    "by_filing",
    "load_corrections",
    "normalize",
    "normalize_document",
    "parse_target",
]


# What to check when a file reads as no filing, by how it was read: tabs matter only in a text
# export; a scan may be too faint for OCR.
_NOT_A_FILING_HINTS = {
    "text": " If it is one, check that its table cells are separated by tabs.",
    "pdf-scanned": " If it is one, its scan may be too faint or blurred for OCR: scan it again "
    "(300 dpi, black on white).",
    "image": " If it is one, the picture may be too faint or blurred for OCR: scan it again "
    "(300 dpi, black on white).",
}


def findings_to_status(findings: list[Finding]) -> Status:
    return "partial" if any(f.severity in ("error", "warning") for f in findings) else "ok"


def normalize(doc: RawDocument) -> Filing:
    """Compose the steps. Raises NormalizeError when the document is not a filing at all."""
    sections = document_to_sections(doc)
    title = paragraphs_to_title(sections.paragraphs)
    notes = [Finding(n.severity, n.code, n.message, n.location) for n in doc.notes]  # type: ignore[arg-type]
    if not holds_performance_table(doc, sections):
        ocr_pages = [n.location or "" for n in doc.notes if n.code == codes.PAGE_NEEDS_OCR]
        if ocr_pages:
            raise NormalizeError(
                f"Nothing in this file could be read as text: {', '.join(ocr_pages)} need OCR "
                "(scanned images, or fonts without a character map), which was turned off. "
                "Run again with --ocr auto.",
                code=codes.NEEDS_OCR,
            )
        unreadable = [n for n in doc.notes if n.code == codes.PAGE_UNREADABLE]
        if unreadable:  # the pages that could hold the table: say so, with what to try
            pages = ", ".join(n.location or "?" for n in unreadable)
            raise NormalizeError(
                f"No table could be read from this file ({pages} could not be read). "
                f"{unreadable[0].message}",
                code=codes.PAGES_UNREADABLE,
            )
        raise NormalizeError(
            describe(doc)
            or "This file does not look like a budget performance table (绩效目标表/绩效自评表): "
            "it has no 一级指标/三级指标 header, no indicator rows and no 绩效目标 title."
            + _NOT_A_FILING_HINTS.get(doc.source_format, "")
        )
    ledger = sections_to_ledger(doc, sections)
    fiscal_year = paragraphs_to_fiscal_year(sections.paragraphs, title)
    fields = {name: field_value(row) for name, row in sections.fields.items()}
    for name in ("department", "implementing_unit", "project_name"):
        if name in fields:
            fields[name] = without_code(fields[name])
    department = fields.get("department")
    organization = field_value(sections.fields.get("organization"))
    main_functions = text_to_main_functions(field_value(sections.fields.get("main_functions")))
    fund_lines, findings = rows_to_fund_lines(
        sections.fund_rows, ledger, [p.text for p in sections.paragraphs]
    )
    findings = notes + findings
    findings += reconcile_funds(fund_lines)
    indicators, groups, indicator_findings, ocr_values = items_to_indicators(
        sections.indicator_items, fiscal_year, ledger
    )
    findings += indicator_findings
    findings += review_ocr_values(ocr_values, fiscal_year)
    findings += link_functions(groups, main_functions)
    if doc.source_format in ("pdf-scanned", "image"):
        goals = [
            field_value(sections.fields.get(k)) or "" for k in ("mid_long_term_goal", "annual_goal")
        ]
        findings += repair_ocr_key_tasks(indicators, main_functions, goals)
    findings += match_canonical_names(indicators)
    findings += check_targets(indicators)
    total_score = row_to_total_score(
        sections.summary.get("total_score") or sections.fields.get("total_score")
    )
    if total_score is None:
        total_score = totals_row_to_score(sections.summary.get("column_totals"))
    remarks, grade = sections_to_remarks(sections)
    findings += check_execution_rates(fund_lines)
    indicators, fund_lines = with_expected_scores(indicators, fund_lines)
    findings += check_expected_scores(indicators, fund_lines)
    findings += check_scores(indicators, fund_lines, total_score)
    if not indicators:
        findings.append(
            Finding(
                "error",
                codes.NO_INDICATORS,
                "No indicator rows were found under a 一级指标/三级指标 header.",
            )
        )
    for name, value in (("fiscal_year", fiscal_year), ("department", department)):
        if value is None:
            findings.append(
                Finding("warning", f"{name}_missing", f"The filing's {name} was not found.")
            )
    findings += ledger.findings()
    doc_type = to_doc_type(title, fields, total_score)
    if doc_type == "self_evaluation" and not fields.get("annual_goal_actual"):
        goal = goal_and_actual(sections.fields.get("annual_goal"))
        if goal is not None:
            fields["annual_goal"], fields["annual_goal_actual"] = goal
    ocr_cells, ocr_share = cells_to_ocr_share(ledger.cells.values())
    values = {v.cell.ref for v in ocr_values if v.cell.ref is not None}
    findings += low_confidence_findings(ledger.cells.values(), values)
    return Filing(
        source_path=doc.source_path,
        source_sha256=doc.sha256,
        source_format=doc.source_format,
        status=findings_to_status(findings),
        doc_type=doc_type,
        title=title,
        region=to_region(title, department) or to_region(None, fields.get("implementing_unit")),
        fiscal_year=fiscal_year,
        department=department,
        project_name=fields.get("project_name"),
        implementing_unit=fields.get("implementing_unit"),
        project_period=fields.get("project_period"),
        mid_long_term_goal=fields.get("mid_long_term_goal"),
        annual_goal=fields.get("annual_goal"),
        annual_goal_actual=fields.get("annual_goal_actual"),
        total_score=total_score,
        organization=organization,
        staffing=text_to_staffing(organization),
        main_functions=main_functions,
        fund_lines=fund_lines,
        indicators=indicators,
        remarks=remarks,
        grade=grade,
        findings=findings,
        cells_total=ledger.total,
        cells_read=ledger.read_count,
        ocr_cells=ocr_cells,
        ocr_low_confidence_share=ocr_share,
    )


def sections_to_remarks(sections: Sections) -> tuple[list[Remark], str | None]:
    """The labelled text rows as remarks, and the self-assessed grade (sections.yaml
    grade_labels) apart."""
    grade_words = {fold(w, drop_punct=True) for w in dictionaries.load("sections")["grade_labels"]}
    remarks: list[Remark] = []
    grade = None
    for label, values in sections.remarks:
        text = "\n".join(c.text.strip() for c in values).strip()
        name = label.text.strip().rstrip(":：")
        if fold(name, drop_punct=True) in grade_words:
            grade = text or None
        elif text:
            remarks.append(Remark(len(remarks) + 1, name, text))
    return remarks, grade


def sections_to_ledger(doc: RawDocument, sections: Sections) -> Ledger:
    """The ledger of the document's table cells, with what the sections themselves read: the
    header fields, label cells, closing rows and the indicator table's header rows. The funds
    and indicator steps read the rest."""
    ledger = Ledger.of(doc.blocks)
    for row in sections.fields.values():
        ledger.read(row, "field")
    ledger.read(sections.labels, "label")
    for row in sections.summary.values():
        ledger.read(row, "summary")
    for label, values in sections.remarks:
        ledger.read([label, *values], "remark")
    for item in sections.indicator_items:
        if item.kind in ("header", "subheader"):
            ledger.read(item.cells, "label")
    return ledger


def normalize_document(doc: RawDocument) -> list[Filing]:
    """Every filing in a document: one per table it holds (a department's overall table and
    its project tables), numbered by `part`. A part that is not a filing is reported on the
    first filing rather than dropped; a document with no filing at all raises NormalizeError."""
    parts = document_to_parts(doc)
    if len(parts) <= 1:
        # one filing: read from its part, which leaves out page tops printed again
        filing = normalize(replace(doc, blocks=parts[0]) if parts else doc)
        return _count_page_tops(doc, parts, [filing])
    filings: list[Filing] = []
    skipped: list[Finding] = []
    skipped_cells = 0  # the cells of the parts not read, which their finding accounts for
    seen: set[object] = set()  # the cells of the parts before
    for k, blocks in enumerate(parts):
        part = replace(doc, blocks=blocks, notes=doc.notes if k == 0 else ())
        refs = set(Ledger.of(blocks).cells)
        shared, seen = len(refs & seen), seen | refs  # a summary's header, in every project
        try:
            filing = normalize(part)
        except NormalizeError as exc:
            where = _first_location(blocks)
            cells = Ledger.of(blocks).total
            skipped.append(
                Finding(
                    "warning",
                    codes.PART_NOT_READ,
                    f"Part {k + 1} of this file ({cells} table cells, not stored): {exc}",
                    where,
                )
            )
            skipped_cells += cells
            continue
        filing.part = len(filings) + 1
        # The shared cells count once, on the filing that first has them.
        filing.cells_total -= shared
        filing.cells_read -= shared
        if filings and filing.department is None and _same_summary(parts[k]):
            filing = _from_summary_before(filing, filings[-1])
        if filing.fiscal_year is None and filings and filings[-1].fiscal_year is not None:
            filing.fiscal_year = filings[-1].fiscal_year
            filing.findings = [
                f for f in filing.findings if f.code != codes.FISCAL_YEAR_MISSING
            ] + [
                Finding(
                    "info",
                    codes.FISCAL_YEAR_FROM_FILE,
                    f"This table states no year; it was taken from the table before it in the "
                    f"same file ({filing.fiscal_year}).",
                )
            ]
        filings.append(filing)
    if not filings:
        raise NormalizeError(skipped[0].message if skipped else "No filing found in this file.")
    filings[0].findings += skipped
    filings[0].cells_total += skipped_cells  # not read: the part_not_read finding reports them
    for filing in filings:
        filing.status = findings_to_status(filing.findings)
    return _count_page_tops(doc, parts, filings)


def _count_page_tops(
    doc: RawDocument, parts: list[tuple[Block, ...]], filings: list[Filing]
) -> list[Filing]:
    """The title and header rows printed again at page tops, which `document_to_parts` leaves
    out of every part, are recognised labels: the ledger of the first filing counts them read,
    so the filings' counts add up to every cell of the file."""
    in_parts = {ref for p in parts for ref in Ledger.of(p).cells}
    repeated = Ledger.of(doc.blocks).total - len(in_parts)
    if parts and repeated > 0:
        filings[0].cells_total += repeated
        filings[0].cells_read += repeated
    return filings


def _same_summary(blocks: tuple[Block, ...]) -> bool:
    """A later project of a summary: its table opens with the summary's header row."""
    table = next((b for b in blocks if isinstance(b, Table)), None)
    return table is not None and project_column(table.rows[0]) is not None


def _from_summary_before(filing: Filing, before: Filing) -> Filing:
    """A later project of a summary takes the unit the summary names once, in cells merged
    down from the first project (单位名称), with the region that unit gives."""
    filing.department = before.department
    filing.implementing_unit = filing.implementing_unit or before.implementing_unit
    filing.region = filing.region or before.region
    filing.findings = [f for f in filing.findings if f.code != codes.DEPARTMENT_MISSING]
    return filing


def _first_location(blocks: tuple[Block, ...]) -> str | None:
    for block in blocks:
        if isinstance(block, Table):
            for row in block.rows:
                for cell in row:
                    if cell.text:
                        return cell.location
        elif block.text:
            return block.location
    return None
