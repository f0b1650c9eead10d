"""One tool on one sample, in a fresh interpreter, so its peak memory is its own:

    python bench/peers.py TOOL FILE

prints one JSON object: the rows the tool found (lists of cell texts), the page count and the
seconds the extraction took (imports and engine start-up excluded, the same for every tool).
TOOL is jixiao (whole path: extract + normalize + load into SQLite; also its Filings),
pdfplumber (bare extract_tables), camelot (lattice, then stack_contiguous) or img2table (its
RapidOCR backend, Chinese models). bench/run.py runs jixiao and pdfplumber with the project's
environment and camelot and img2table with the peers' own (.venv-peers)."""

from __future__ import annotations

import json
import resource
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

Rows = list[list[str]]


def peak_rss_mib() -> float:
    """This process's own peak RSS. Not getrusage's ru_maxrss: Linux carries that across
    exec, so a child started by a big parent would report the parent's size."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _page_count(path: Path) -> int:
    if path.suffix.lower() != ".pdf":
        return 1
    import pypdfium2

    pdf = pypdfium2.PdfDocument(str(path))
    try:
        return len(pdf)
    finally:
        pdf.close()


def _clean(value: Any) -> str:
    return "" if value is None else str(value)


def pdfplumber_tool() -> Callable[[Path], tuple[Rows, dict[str, Any]]]:
    import pdfplumber

    def run(path: Path) -> tuple[Rows, dict[str, Any]]:
        rows: Rows = []
        with pdfplumber.open(path) as pdf:
            for page in pdf.pages:
                for table in page.extract_tables():
                    rows += [[_clean(c) for c in row] for row in table]
                page.close()
        return rows, {}

    return run


def camelot_tool() -> Callable[[Path], tuple[Rows, dict[str, Any]]]:
    import camelot

    def run(path: Path) -> tuple[Rows, dict[str, Any]]:
        tables = camelot.read_pdf(str(path), flavor="lattice", pages="all")
        stacked = tables.stack_contiguous(match="column_count") if len(tables) > 1 else tables
        rows: Rows = []
        for table in stacked:
            rows += [[_clean(c) for c in row] for row in table.df.values.tolist()]
        return rows, {"tables": len(tables), "stacked_tables": len(stacked)}

    return run


def img2table_tool() -> Callable[[Path], tuple[Rows, dict[str, Any]]]:
    from img2table.document import PDF, Image
    from img2table.ocr import RapidOCR
    from rapidocr import LangRec

    # Chinese recognition; upright pages, so no direction classifier (as jixiao).
    ocr = RapidOCR(params={"Rec.lang_type": LangRec.CH, "Global.use_cls": False})

    def run(path: Path) -> tuple[Rows, dict[str, Any]]:
        if path.suffix.lower() == ".pdf":
            doc = PDF(str(path), pdf_text_extraction=False)
            found = doc.extract_tables(ocr=ocr, implicit_rows=False, borderless_tables=False)
            tables = [t for page in sorted(found) for t in found[page]]
        else:
            tables = Image(str(path)).extract_tables(ocr=ocr, implicit_rows=False)
        rows: Rows = []
        for table in tables:
            rows += [[_clean(c) for c in row] for row in table.df.values.tolist()]
        return rows, {"tables": len(tables)}

    return run


def jixiao_tool(recognition: str = "cells") -> Callable[[Path], tuple[Rows, dict[str, Any]]]:
    from dataclasses import replace

    from jixiao.extract.settings import DEFAULT
    from jixiao.load import connect, create_schema, write_filing
    from jixiao.pipeline import file_to_filings

    settings = replace(DEFAULT, scan=replace(DEFAULT.scan, recognition=recognition))
    _warm_ocr()

    def run(path: Path) -> tuple[Rows, dict[str, Any]]:
        with tempfile.TemporaryDirectory() as tmp:
            engine = connect(f"sqlite:///{tmp}/bench.db")
            create_schema(engine)
            filings = file_to_filings(path, settings=settings)
            for filing in filings:
                write_filing(engine, filing, "bench")
            engine.dispose()
        rows: Rows = [
            [i.level1 or "", i.level2 or "", i.level3, *(t.raw for t in i.targets)]
            for f in filings
            for i in f.indicators
        ]
        return rows, {"filings": [f.to_dict() for f in filings]}

    return run


def _warm_ocr() -> None:
    """Both OCR models loaded before the clock starts, as every peer's engine is."""
    import numpy as np

    from jixiao.extract.ocr import engine, recognize

    engine()(np.full((64, 64, 3), 255, np.uint8), use_cls=False)
    recognize([np.full((32, 64), 255, np.uint8)])


TOOLS = {
    "jixiao": jixiao_tool,
    # jixiao reading every scanned page by full-page detection, then recognition: the path
    # recognition by cell is measured against.
    "jixiao-page": lambda: jixiao_tool("page"),
    "pdfplumber": pdfplumber_tool,
    "camelot": camelot_tool,
    "img2table": img2table_tool,
}


def main() -> int:
    tool, path = sys.argv[1], Path(sys.argv[2])
    run = TOOLS[tool]()
    start = time.perf_counter()
    try:
        rows, extra = run(path)
        error = None
    except Exception as exc:  # a peer that fails on a file scores zero, and says why
        rows, extra, error = [], {}, f"{type(exc).__name__}: {exc}"[:300]
    seconds = time.perf_counter() - start
    peak = peak_rss_mib()
    out = {
        "rows": rows,
        "pages": _page_count(path),
        "seconds": seconds,
        "peak_rss_mib": round(peak, 1),
        "error": error,
        **extra,
    }
    print(json.dumps(out, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
