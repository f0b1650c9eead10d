"""make bench: how fast jixiao reads and loads text exports, and how much memory it takes.

Copies the seed filing N times (each copy's bytes differ by trailing blank lines, so each is its
own filing), ingests them into a fresh SQLite database, and reports files per second, indicators
per second and peak RSS. Results go to stdout and bench/results.json; nothing is asserted."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

from jixiao import __version__
from jixiao.extract import extract_file
from jixiao.normalize import normalize
from jixiao.pipeline import ingest

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "samples" / "filings" / "suzhou_commerce_2024_department_overall.txt"


def _peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("-n", "--files", type=int, default=200, help="copies to ingest")
    args = parser.parse_args()
    data = SEED.read_bytes()
    results: dict[str, object] = {
        "date": dt.date.today().isoformat(),
        "version": __version__,
        "cores": os.cpu_count(),
        "python": sys.version.split()[0],
    }
    # extract + normalize alone, warm (dictionaries loaded once per process)
    normalize(extract_file(SEED))
    rounds = 50
    start = time.perf_counter()
    for _ in range(rounds):
        normalize(extract_file(SEED))
    per_file = (time.perf_counter() - start) / rounds
    results["extract_normalize_ms_per_file"] = round(per_file * 1000, 2)

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "filings"
        folder.mkdir()
        for i in range(args.files):
            (folder / f"f{i:05d}.txt").write_bytes(data + b"\n" * (i + 1))
        url = f"sqlite:///{tmp}/bench.db"
        start = time.perf_counter()
        summary = ingest([folder], url)
        elapsed = time.perf_counter() - start
        results.update(
            files=args.files,
            ingest_seconds=round(elapsed, 3),
            files_per_second=round(args.files / elapsed, 1),
            indicators_per_second=round(summary.indicators / elapsed, 0),
            peak_rss_mib=round(_peak_rss_mib(), 1),
        )
    print(json.dumps(results, indent=2, ensure_ascii=False))
    (ROOT / "bench" / "results.json").write_text(
        json.dumps(results, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
