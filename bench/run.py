"""make bench: speed and memory, measured side by side, never asserted.

1. Text exports: the seed ingested N times (each copy's bytes differ) into a fresh SQLite
   database: files/s, indicators/s.
2. PDFs: on the same files in the same run, pages per second of
   - jixiao's whole PDF path (extract + normalize + load into SQLite), and
   - pdfplumber's bare `page.extract_tables()` over every page,
   and their ratio (goal: jixiao costs at most 1.5x the bare extraction).
3. Memory: peak RSS of a child process ingesting a 200-page filing (the seed's indicator pages
   repeated, one table stitched over 200 pages; goal: under 300 MB), next to the peak RSS of the
   bare extraction of the same file.
4. Scans, normalization, batch: OCR overhead over bare rapidocr, normalize's share of the work,
   a no-op re-run, worker speed-up.
5. Side by side with the tools people use today (pdfplumber, Camelot, img2table, run from
   their own environment, .venv-peers), on every committed sample with a golden Filing: the
   share of golden indicator rows each finds, pages/s, peak RSS; jixiao's field-level accuracy
   (bench/accuracy.py). `--only-peers` reruns just this part.

Writes bench/results.json and bench/RESULTS.md, with every goal earlier issues named."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"
SEED = SAMPLES / "filings" / "suzhou_commerce_2024_department_overall.txt"
PDFS = [
    SAMPLES / "pdf" / "suzhou_commerce_2024_seed.pdf",
    SAMPLES / "pdf" / "suzhou_commerce_2024_word.pdf",
    SAMPLES / "pdf" / "suzhou_commerce_2024_excel.pdf",
]


def bare_extract_tables(path: Path) -> int:
    import pdfplumber

    with pdfplumber.open(path) as pdf:
        for page in pdf.pages:
            page.extract_tables()
            page.close()
        return len(pdf.pages)


def jixiao_whole_path(path: Path, db_url: str) -> None:
    from jixiao.load import connect, create_schema, write_filing
    from jixiao.pipeline import file_to_filing

    engine = connect(db_url)
    create_schema(engine)
    filing = file_to_filing(path)
    write_filing(engine, filing, "bench")
    engine.dispose()
    if filing.status == "failed":
        raise SystemExit(f"bench: {path} failed: {filing.findings}")


def make_long_pdf(target: Path, pages: int = 200) -> None:
    """The seed PDF with its indicator pages (3 and 4) repeated until it has `pages` pages."""
    import pikepdf

    with pikepdf.open(PDFS[0]) as src, pikepdf.new() as out:
        order = [0, 1] + [2 + (i % 2) for i in range(pages - 3)] + [4]
        for index in order:
            out.pages.append(src.pages[index])
        out.save(target)


def child_peak_rss(mode: str, path: Path, db_url: str) -> float:
    """Peak RSS (MiB) of a fresh interpreter doing one thing to one file."""
    here = str(Path(__file__).parent)
    call = (
        f"run.bare_extract_tables(run.Path({str(path)!r}))"
        if mode == "bare"
        else f"run.jixiao_whole_path(run.Path({str(path)!r}), {db_url!r})"
    )
    code = (
        f"import sys; sys.path.insert(0, {here!r}); import run, peers; {call}; "
        "print(round(peers.peak_rss_mib() * 1024))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return int(out.stdout.strip().splitlines()[-1]) / 1024


def bench_text(files: int) -> dict[str, Any]:
    from jixiao.pipeline import ingest

    data = SEED.read_bytes()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "filings"
        folder.mkdir()
        for i in range(files):
            (folder / f"f{i:05d}.txt").write_bytes(data + b"\n" * (i + 1))
        start = time.perf_counter()
        summary = ingest([folder], f"sqlite:///{tmp}/bench.db")
        elapsed = time.perf_counter() - start
    return {
        "files": files,
        "seconds": round(elapsed, 3),
        "files_per_second": round(files / elapsed, 1),
        "indicators_per_second": round(summary.indicators / elapsed),
    }


def bench_pdfs(rounds: int) -> list[dict[str, Any]]:
    """Best of `rounds`, the two paths interleaved so that machine noise hits both alike."""
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for path in PDFS:
            pages = bare_extract_tables(path)  # warm both paths once
            jixiao_whole_path(path, f"sqlite:///{tmp}/warm.db")
            bare = ours = float("inf")
            for k in range(rounds):
                start = time.perf_counter()
                bare_extract_tables(path)
                bare = min(bare, time.perf_counter() - start)
                start = time.perf_counter()
                jixiao_whole_path(path, f"sqlite:///{tmp}/{path.stem}-{k}.db")
                ours = min(ours, time.perf_counter() - start)
            rows.append(
                {
                    "file": path.name,
                    "pages": pages,
                    "bare_pages_per_second": round(pages / bare, 2),
                    "jixiao_pages_per_second": round(pages / ours, 2),
                    "ratio": round(ours / bare, 2),
                }
            )
    return rows


def bench_memory(pages: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        long_pdf = Path(tmp) / "long.pdf"
        make_long_pdf(long_pdf, pages)
        db = f"sqlite:///{tmp}/long.db"
        start = time.perf_counter()
        ours_rss = child_peak_rss("jixiao", long_pdf, db)
        ours_s = time.perf_counter() - start
        start = time.perf_counter()
        bare_rss = child_peak_rss("bare", long_pdf, db)
        bare_s = time.perf_counter() - start
    return {
        "pages": pages,
        "jixiao_peak_rss_mib": round(ours_rss, 1),
        "bare_peak_rss_mib": round(bare_rss, 1),
        "jixiao_seconds": round(ours_s, 1),
        "bare_seconds": round(bare_s, 1),
        "ratio": round(ours_s / bare_s, 2),
    }


SCANNED = SAMPLES / "scans" / "suzhou_commerce_2024_seed.scan.pdf"


def bench_normalize(rounds: int) -> dict[str, Any]:
    """parse_target throughput over every target printed in the golden Filings, and the time to
    normalize the seed PDF's RawDocument next to the time to extract it, in the same run (warm:
    dictionaries, jieba and pdfplumber loaded once per process, as in a batch)."""
    from jixiao.extract import extract_file
    from jixiao.normalize import normalize, parse_target

    sys.path.insert(0, str(ROOT / "bench"))
    from accuracy import from_compact, from_filing

    raws = []
    for path in sorted((SAMPLES / "expected").glob("*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        # The seed's golden files are Filings; the regional ones hold several, compactly.
        golden = [from_filing(data)] if "indicators" in data else map(from_compact, data["filings"])
        raws += [t[1] for g in golden for i in g.indicators for t in i[3]]
    parse_target("≥90%", 2024)
    start = time.perf_counter()
    for _ in range(rounds):
        for raw in raws:
            parse_target(raw, 2024)
    per_second = rounds * len(raws) / (time.perf_counter() - start)
    pdf = PDFS[0]
    normalize(extract_file(pdf))  # warm
    extract_s = normalize_s = float("inf")
    for _ in range(rounds):
        start = time.perf_counter()
        doc = extract_file(pdf)
        extract_s = min(extract_s, time.perf_counter() - start)
        start = time.perf_counter()
        normalize(doc)
        normalize_s = min(normalize_s, time.perf_counter() - start)
    return {
        "parse_target_values": len(raws),
        "parse_target_per_second": round(per_second),
        "file": pdf.name,
        "extract_ms": round(extract_s * 1000, 1),
        "normalize_ms": round(normalize_s * 1000, 1),
        "share": round(normalize_s / extract_s, 3),
    }


def bench_ocr() -> dict[str, Any]:
    """Seconds per page: jixiao's whole OCR path (render, stamp removal, deskew, orientation,
    OCR, grid, assignment, stitching, normalize with repairs, load) against bare rapidocr on the
    same page images (rendered once beforehand, not timed), in the same run."""
    import pypdfium2 as pdfium

    from jixiao.extract.ocr import engine
    from jixiao.extract.render import render_pdf_page, scan_dpi

    doc = pdfium.PdfDocument(SCANNED)
    images = [render_pdf_page(doc, k, scan_dpi(doc, k)) for k in range(len(doc))]
    doc.close()
    ocr = engine()
    ocr(images[0], use_cls=False)  # warm: models loaded in both paths
    start = time.perf_counter()
    for image in images:
        ocr(image, use_cls=False)
    bare = time.perf_counter() - start
    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        jixiao_whole_path(SCANNED, f"sqlite:///{tmp}/scan.db")
        ours = time.perf_counter() - start
        rss = child_peak_rss("jixiao", SCANNED, f"sqlite:///{tmp}/scan-child.db")
    pages = len(images)
    return {
        "file": SCANNED.name,
        "pages": pages,
        "bare_seconds_per_page": round(bare / pages, 2),
        "jixiao_seconds_per_page": round(ours / pages, 2),
        "overhead": round(ours / bare - 1, 3),
        "worker_peak_rss_mib": round(rss, 1),
    }


def bench_batch(noop_files: int, pdf_copies: int) -> dict[str, Any]:
    """A no-op re-run over `noop_files` already-ingested files (goal: under 2 s), and the
    throughput of 2 worker processes against 1 on copies of the seed PDF (goal: at least 1.7x
    on 2 cores)."""
    from jixiao.pipeline import ingest

    data = SEED.read_bytes()
    pdf = PDFS[0].read_bytes()
    out: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "many"
        folder.mkdir()
        for i in range(noop_files):
            (folder / f"f{i:05d}.txt").write_bytes(data + b"\n" * (i + 1))
        url = f"sqlite:///{tmp}/noop.db"
        ingest([folder], url, workers=os.cpu_count() or 1)
        start = time.perf_counter()
        summary = ingest([folder], url)
        out["noop_files"] = noop_files
        out["noop_seconds"] = round(time.perf_counter() - start, 3)
        out["noop_unchanged"] = summary.unchanged
        pdfs = Path(tmp) / "pdfs"
        pdfs.mkdir()
        for i in range(pdf_copies):
            (pdfs / f"p{i:03d}.pdf").write_bytes(pdf + b"\n%% copy %d\n" % i)
        for workers in (1, 2):
            start = time.perf_counter()
            done = ingest([pdfs], f"sqlite:///{tmp}/w{workers}.db", workers=workers)
            elapsed = time.perf_counter() - start
            out[f"workers_{workers}_files_per_second"] = round(done.ok / elapsed, 2)
    out["speedup_2_workers"] = round(
        out["workers_2_files_per_second"] / out["workers_1_files_per_second"], 2
    )
    return out


PEERS_PYTHON = Path(os.environ.get("BENCH_PEERS_PYTHON", ROOT / ".venv-peers" / "bin" / "python"))


def _tools_for(path: Path) -> list[str]:
    """Who reads what: every tool reads PDFs (a scan gives the text-layer tools nothing, which
    is what a user would see); img2table, an OCR tool, is run on the scans."""
    if path.suffix.lower() != ".pdf":
        return ["jixiao"]
    tools = ["jixiao", "pdfplumber", "camelot"]
    return [*tools, "img2table"] if ".scan." in path.name else tools


def run_tool(tool: str, path: Path) -> dict[str, Any]:
    """One tool on one file in a fresh process: its output and its peak RSS (MiB)."""
    ours = tool.startswith("jixiao") or tool == "pdfplumber"
    python = Path(sys.executable) if ours else PEERS_PYTHON
    if not python.exists():
        return {"error": f"{python} not found: make bench installs the peers there"}
    done = subprocess.run(
        [str(python), str(ROOT / "bench" / "peers.py"), tool, str(path)],
        capture_output=True,
        text=True,
    )
    try:
        out: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    except (IndexError, json.JSONDecodeError):
        last = (done.stderr.strip().splitlines() or ["no output"])[-1][:200]
        return {"error": f"{tool} crashed (exit {done.returncode}): {last}"}
    return out


def bench_peers() -> list[dict[str, Any]]:
    """Every committed sample with a golden Filing, every tool that reads its format."""
    sys.path.insert(0, str(ROOT / "bench"))
    from accuracy import goldens, row_accuracy

    rows = []
    for path, golden in goldens().items():
        for tool in _tools_for(path):
            print(f"  {tool} {path.name}", file=sys.stderr)
            out = run_tool(tool, path)
            row: dict[str, Any] = {
                "sample": str(path.relative_to(ROOT / "samples")),
                "tool": tool,
                "pages": out.get("pages"),
                "seconds": round(out.get("seconds", 0.0), 3),
                "pages_per_second": (
                    round(out["pages"] / out["seconds"], 2) if out.get("seconds") else None
                ),
                "peak_rss_mib": out.get("peak_rss_mib"),
                "golden_rows": len(golden.indicators),
                "row_accuracy": round(row_accuracy(golden, out.get("rows", [])), 4),
                "error": out.get("error"),
            }
            if tool == "jixiao" and out.get("filings"):
                row["fields"] = _fields(golden, out["filings"])
            rows.append(row)
    return rows


SCAN_TOOLS = ("jixiao", "jixiao-page", "img2table")


def scan_goldens() -> dict[Path, Any]:
    """Every committed scan with what it holds: the three scanned renditions of the seed, and
    the five damage classes (pages 1-3 of the seed, so the seed's golden rows of those pages)."""
    sys.path.insert(0, str(ROOT / "bench"))
    from accuracy import from_filing, goldens

    out = {path: golden for path, golden in goldens().items() if ".scan." in path.name}
    seed = json.loads(
        (SAMPLES / "expected" / "suzhou_commerce_2024_seed.scan.pdf.json").read_text("utf-8")
    )
    seed["indicators"] = [i for i in seed["indicators"] if i["page"] <= 3]
    for path in sorted((SAMPLES / "scans" / "classes").glob("*.scan.pdf")):
        out[path] = from_filing(seed)
    return out


def bench_scans() -> dict[str, Any]:
    """Recognition by cell against jixiao's own full-page path and img2table (RapidOCR
    backend), in one run on the same scans, each tool in a fresh process: pages/s, rows found,
    jixiao's fields, peak RSS. The ratios are over all pages (total pages / total seconds)."""
    from accuracy import row_accuracy

    files = []
    totals = {tool: {"pages": 0, "seconds": 0.0, "peak_rss_mib": 0.0} for tool in SCAN_TOOLS}
    for path, golden in scan_goldens().items():
        row: dict[str, Any] = {"sample": str(path.relative_to(SAMPLES))}
        for tool in SCAN_TOOLS:
            print(f"  {tool} {path.name}", file=sys.stderr)
            out = run_tool(tool, path)
            seconds, pages = out.get("seconds", 0.0), out.get("pages") or 0
            result: dict[str, Any] = {
                "pages": pages,
                "seconds": round(seconds, 2),
                "pages_per_second": round(pages / seconds, 3) if seconds else None,
                "peak_rss_mib": out.get("peak_rss_mib"),
                "rows_found": round(row_accuracy(golden, out.get("rows", [])), 4),
                "error": out.get("error"),
            }
            if out.get("filings"):
                result["fields"] = _fields(golden, out["filings"])
            row[tool] = result
            totals[tool]["pages"] += pages
            totals[tool]["seconds"] += seconds
            totals[tool]["peak_rss_mib"] = max(
                totals[tool]["peak_rss_mib"], out.get("peak_rss_mib") or 0.0
            )
        files.append(row)
    speed = {
        tool: round(t["pages"] / t["seconds"], 3) if t["seconds"] else 0.0
        for tool, t in totals.items()
    }
    return {
        "files": files,
        "pages_per_second": speed,
        "peak_rss_mib": {tool: t["peak_rss_mib"] for tool, t in totals.items()},
        "over_img2table": round(speed["jixiao"] / speed["img2table"], 2)
        if speed["img2table"]
        else None,
        "over_full_page": round(speed["jixiao"] / speed["jixiao-page"], 2)
        if speed["jixiao-page"]
        else None,
        "no_less_accurate": all(_as_accurate(f["jixiao"], f["jixiao-page"]) for f in files),
    }


def _as_accurate(cells: dict[str, Any], page: dict[str, Any]) -> bool:
    """Recognition by cell read a scan at least as well as the full-page path: rows found and
    every field share."""
    if cells["rows_found"] < page["rows_found"]:
        return False
    mine, theirs = cells.get("fields", {}), page.get("fields", {})
    return all(mine.get(k, 0.0) >= v for k, v in theirs.items())


def scans_markdown(results: dict[str, Any]) -> list[str]:
    scans = results["scans"]
    lines = [
        "## Scans: recognition by cell, jixiao's full-page path and img2table",
        "",
        f"Measured {results.get('scans_date', results['date'])} on {results['cores']} cores. "
        "Same scans, same run, each tool in a fresh process (seconds exclude imports and model "
        "loading). jixiao = whole path (render, deskew, grid, OCR, layout, normalize, load), "
        "reading each ruled cell's lines with the recognition model alone; jixiao-page = the same "
        "path with `ScanSettings(recognition='page')`, full-page detection then recognition; "
        "img2table = its RapidOCR backend with the Chinese models (OCRs only the pages where it "
        "found a table). **rows found** as above; hierarchy, targets and funds are jixiao's "
        "field shares against the golden Filing.",
        "",
        "| sample | tool | pages/s | rows found | hierarchy | targets | funds | peak RSS (MiB) |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for f in scans["files"]:
        for tool in SCAN_TOOLS:
            r = f[tool]
            fields = r.get("fields", {})

            def share(key: str, fields: dict[str, float] = fields) -> str:
                return f"{fields[key]:.1%}" if key in fields else ""

            lines.append(
                f"| {f['sample']} | {tool} | {r['pages_per_second']} | {r['rows_found']:.1%} | "
                f"{share('hierarchy')} | {share('targets')} | {share('funds')} | "
                f"{r['peak_rss_mib']} |"
            )
    speed = scans["pages_per_second"]
    lines += [
        "",
        "| over all scans | jixiao | jixiao-page | img2table |",
        "| --- | ---: | ---: | ---: |",
        f"| pages/s | {speed['jixiao']} | {speed['jixiao-page']} | {speed['img2table']} |",
        f"| peak RSS (MiB) | {scans['peak_rss_mib']['jixiao']} | "
        f"{scans['peak_rss_mib']['jixiao-page']} | {scans['peak_rss_mib']['img2table']} |",
        "",
    ]
    return lines


def _fields(golden: Any, filings: list[dict[str, Any]]) -> dict[str, float]:
    """jixiao's field shares against the golden Filing, over all the filings of one file."""
    from accuracy import field_accuracy, from_filing

    merged, *more = [from_filing(f) for f in filings]
    for other in more:
        merged.indicators += other.indicators
        merged.funds += other.funds
    return {k: round(v, 4) for k, v in field_accuracy(golden, merged).items()}


def goals(results: dict[str, Any]) -> list[tuple[str, str, str, bool]]:
    """The figures earlier issues named, each with what this run measured."""
    worst_pdf = max(r["ratio"] for r in results["pdf"])
    m, o, n, b = results["memory"], results["ocr"], results["normalize"], results["batch"]
    return [
        ("PDF: jixiao whole path / bare extract_tables", "≤ 1.5×", f"{worst_pdf}× (worst file)",
         worst_pdf <= 1.5),
        (f"{m['pages']}-page PDF: jixiao peak RSS", "< 300 MB", f"{m['jixiao_peak_rss_mib']} MiB",
         m["jixiao_peak_rss_mib"] * 1.048576 < 300),
        ("scans: jixiao OCR path over bare rapidocr", "≤ +20%", f"{o['overhead']:+.1%}",
         o["overhead"] <= 0.2),
        ("scans: worker peak RSS", "< 1 GB", f"{o['worker_peak_rss_mib']} MiB",
         o["worker_peak_rss_mib"] * 1.048576 < 1000),
        ("normalize / extract (seed PDF)", "< 10%", f"{n['share']:.1%}", n["share"] < 0.1),
        (f"no-op re-run over {b['noop_files']} files", "< 2 s", f"{b['noop_seconds']} s",
         b["noop_seconds"] < 2),
        ("2 workers over 1 (2 cores)", "≥ 1.7×", f"{b['speedup_2_workers']}×",
         b["speedup_2_workers"] >= 1.7),
        *_scan_goals(results.get("scans")),
    ]  # fmt: skip


def _scan_goals(scans: dict[str, Any] | None) -> list[tuple[str, str, str, bool]]:
    if not scans:
        return []
    rss = scans["peak_rss_mib"]["jixiao"]
    return [
        ("scans: by cell / img2table, pages/s", "≥ 2×", f"{scans['over_img2table']}×",
         (scans["over_img2table"] or 0) >= 2),
        ("scans: by cell / full-page path, pages/s", "≥ 2×", f"{scans['over_full_page']}×",
         (scans["over_full_page"] or 0) >= 2),
        ("scans: by cell as accurate as full-page, every scan", "yes",
         "yes" if scans["no_less_accurate"] else "no", scans["no_less_accurate"]),
        ("scans: by cell, worker peak RSS", "< 1 GB", f"{rss} MiB", rss * 1.048576 < 1000),
    ]  # fmt: skip


def peers_markdown(results: dict[str, Any]) -> list[str]:
    lines = [
        "## Side by side: jixiao and the tools people use today",
        "",
        f"Measured {results.get('peers_date', results['date'])} on {results['cores']} cores.",
        "",
        "Every committed sample with a golden Filing; each tool on each file in a fresh process "
        "(peak RSS is that process's). **rows found**: the share of the golden indicator rows "
        "(三级指标 and its target texts as printed) that appear as one row of the tool's output, "
        "fuzzy-matched (rapidfuzz ratio ≥ 90 on whitespace-folded text, the same for every "
        "tool). pdfplumber = bare `extract_tables()`; Camelot = lattice, then "
        "`stack_contiguous()`; img2table = its RapidOCR backend with the Chinese models "
        "(scans only). Seconds exclude imports and OCR model loading, for every tool. Peers run "
        "in their own environment (.venv-peers), never jixiao's. Files without pages (text, "
        "office, web, archives) count as one page, and only jixiao reads them.",
        "",
        "| sample | tool | pages | rows found | pages/s | peak RSS (MiB) | note |",
        "| --- | --- | ---: | ---: | ---: | ---: | --- |",
    ]
    for r in results["peers"]:
        note = (r["error"] or "")[:80] or ("no table found" if r["row_accuracy"] == 0 else "")
        lines.append(
            f"| {r['sample']} | {r['tool']} | {r['pages']} | {r['row_accuracy']:.1%} | "
            f"{r['pages_per_second']} | {r['peak_rss_mib']} | {note} |"
        )
    lines += [
        "",
        "### jixiao, field by field against the golden Filing",
        "",
        "Hierarchy: 一级/二级/三级 of each golden indicator; targets: period, raw, comparator, "
        "value, unit and kind of each golden target; funds: name, parent and amounts of each "
        "golden fund line.",
        "",
        "| sample | indicators | hierarchy | parsed targets | fund amounts |",
        "| --- | ---: | ---: | ---: | ---: |",
    ]
    for r in results["peers"]:
        if r["tool"] == "jixiao" and "fields" in r:
            f = r["fields"]
            lines.append(
                f"| {r['sample']} | {r['golden_rows']} | {f['hierarchy']:.1%} | "
                f"{f['targets']:.1%} | {f['funds']:.1%} |"
            )
    lines += [
        "",
        "## Goals named in earlier issues",
        "",
        "| goal | target | measured | met |",
        "| --- | --- | --- | --- |",
    ]
    for name, target, measured, met in goals(results):
        lines.append(f"| {name} | {target} | {measured} | {'yes' if met else 'no'} |")
    return [*lines, ""]


def to_markdown(results: dict[str, Any]) -> str:
    lines = [
        "# jixiao benchmarks",
        "",
        f"Measured {results['date']} with `make bench` on {results['cores']} cores "
        f"({results['machine']}), Python {results['python']}, jixiao {results['version']}.",
        "",
        *(scans_markdown(results) if "scans" in results else []),
        *(peers_markdown(results) if "peers" in results else []),
        "## PDF: jixiao's whole path vs pdfplumber's bare `extract_tables()`",
        "",
        "Same files, same run, best of several rounds. jixiao = extract + normalize + load into "
        "SQLite. Goal: ratio ≤ 1.5.",
        "",
        "| file | pages | bare pages/s | jixiao pages/s | ratio (jixiao time / bare time) |",
        "| --- | ---: | ---: | ---: | ---: |",
    ]
    for row in results["pdf"]:
        lines.append(
            f"| {row['file']} | {row['pages']} | {row['bare_pages_per_second']} | "
            f"{row['jixiao_pages_per_second']} | {row['ratio']} |"
        )
    m = results["memory"]
    lines += [
        "",
        f"## Memory: a {m['pages']}-page filing (one table stitched over every page)",
        "",
        "| path | peak RSS (MiB) | seconds |",
        "| --- | ---: | ---: |",
        f"| jixiao whole path | {m['jixiao_peak_rss_mib']} | {m['jixiao_seconds']} |",
        f"| pdfplumber bare extract_tables | {m['bare_peak_rss_mib']} | {m['bare_seconds']} |",
        "",
        f"Goal: jixiao under 300 MB. Time ratio on this file: {m['ratio']}.",
        "",
        "## Scans: jixiao's OCR path vs bare rapidocr",
        "",
        "Same page images, same run. jixiao = render, stamp removal, deskew, orientation, OCR, "
        "grid, assignment, stitching, normalize with OCR repairs, load. Goal: at most 20% on top "
        "of bare OCR; peak memory per worker under 1 GB.",
        "",
        "| file | pages | bare rapidocr s/page | jixiao s/page | overhead "
        "| worker peak RSS (MiB) |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
        f"| {results['ocr']['file']} | {results['ocr']['pages']} | "
        f"{results['ocr']['bare_seconds_per_page']} | {results['ocr']['jixiao_seconds_per_page']} "
        f"| {results['ocr']['overhead']:.1%} | {results['ocr']['worker_peak_rss_mib']} |",
        "",
        "## Normalization",
        "",
        f"`parse_target`: {results['normalize']['parse_target_per_second']:,} values/s over "
        f"the {results['normalize']['parse_target_values']} targets printed in the golden "
        "Filings.",
        "",
        "| file | extract (ms) | normalize (ms) | normalize / extract |",
        "| --- | ---: | ---: | ---: |",
        f"| {results['normalize']['file']} | {results['normalize']['extract_ms']} | "
        f"{results['normalize']['normalize_ms']} | {results['normalize']['share']:.1%} |",
        "",
        "Goal: normalizing a filing costs under 10% of extracting it from PDF.",
        "",
        "## Batch",
        "",
        f"No-op re-run over {results['batch']['noop_files']} already-ingested files: "
        f"{results['batch']['noop_seconds']} s (goal: under 2 s).",
        "",
        "| worker processes | seed PDFs per second |",
        "| ---: | ---: |",
        f"| 1 | {results['batch']['workers_1_files_per_second']} |",
        f"| 2 | {results['batch']['workers_2_files_per_second']} |",
        "",
        f"Speed-up of 2 workers over 1: {results['batch']['speedup_2_workers']}x "
        "(goal: at least 1.7x on 2 cores).",
        "",
        "## Text exports",
        "",
        f"{results['text']['files']} copies of the seed ingested into SQLite: "
        f"{results['text']['files_per_second']} files/s, "
        f"{results['text']['indicators_per_second']} indicators/s.",
        "",
    ]
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--files", type=int, default=200, help="text copies to ingest")
    parser.add_argument("--rounds", type=int, default=5, help="timing rounds per PDF")
    parser.add_argument("--pages", type=int, default=200, help="pages of the long PDF")
    parser.add_argument("--no-peers", action="store_true", help="skip the side-by-side part")
    parser.add_argument(
        "--only-peers", action="store_true", help="only the side-by-side part (for a quick look)"
    )
    parser.add_argument(
        "--only-scans",
        action="store_true",
        help="only the scans three ways (by cell, full page, img2table)",
    )
    args = parser.parse_args()
    from jixiao import __version__

    if args.only_peers or args.only_scans:
        results = json.loads((ROOT / "bench" / "results.json").read_text(encoding="utf-8"))
        if args.only_peers:
            results["peers"] = bench_peers()
            results["peers_date"] = dt.date.today().isoformat()
        if args.only_scans:
            results["scans"] = bench_scans()
            results["scans_date"] = dt.date.today().isoformat()
        _write(results)
        return 0

    results: dict[str, Any] = {
        "date": dt.date.today().isoformat(),
        "peers_date": dt.date.today().isoformat(),
        "version": __version__,
        "cores": os.cpu_count(),
        "machine": platform.machine(),
        "python": platform.python_version(),
    }
    print("text exports …", file=sys.stderr)
    results["text"] = bench_text(args.files)
    print("PDFs …", file=sys.stderr)
    results["pdf"] = bench_pdfs(args.rounds)
    print(f"{args.pages}-page PDF …", file=sys.stderr)
    results["memory"] = bench_memory(args.pages)
    print("normalization …", file=sys.stderr)
    results["normalize"] = bench_normalize(args.rounds)
    print("batch …", file=sys.stderr)
    results["batch"] = bench_batch(1000, 24)
    print("scans …", file=sys.stderr)
    results["ocr"] = bench_ocr()
    if not args.no_peers:
        print("scans three ways: by cell, full page, img2table …", file=sys.stderr)
        results["scans"] = bench_scans()
        print("side by side with pdfplumber, Camelot, img2table …", file=sys.stderr)
        results["peers"] = bench_peers()
    _write(results)
    return 0


def _write(results: dict[str, Any]) -> None:
    (ROOT / "bench" / "results.json").write_text(
        json.dumps(results, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    (ROOT / "bench" / "RESULTS.md").write_text(to_markdown(results), encoding="utf-8")
    print(to_markdown(results))


if __name__ == "__main__":
    raise SystemExit(main())
