"""Scans with one class of damage each (samples/scans/classes/, made by samples/make_scans.py
from pages 1-3 of the seed at 150 dpi): heavy noise and dust, skew of ±3°, a seal over the
table's text, faint and broken rules, a table printed without its frame. Each is read against the
seed's golden rows for those pages: a regression sample for one class of loss."""

from __future__ import annotations

import json
from typing import Any

import pytest

from compare import accuracy
from conftest import SAMPLES
from jixiao.work import file_to_filing

pytestmark = pytest.mark.slow  # OCR of three pages each

CLASSES = ["noise", "skew", "stamp-over-text", "faint-broken-rules", "no-outer-border"]
PAGES = 3


def _golden_pages() -> dict[str, Any]:
    path = SAMPLES / "expected" / "suzhou_commerce_2024_seed.scan.pdf.json"
    golden = json.loads(path.read_text(encoding="utf-8"))
    golden["indicators"] = [i for i in golden["indicators"] if i["page"] <= PAGES]
    return golden


@pytest.mark.parametrize("damage", CLASSES)
def test_each_class_of_damage_reads_its_rows_funds_and_header(damage: str) -> None:
    path = SAMPLES / "scans" / "classes" / f"seed-p1-3.{damage}.scan.pdf"
    got, want = file_to_filing(path).to_dict(), _golden_pages()
    figures = accuracy(got, want)
    assert figures["rows_share"] >= 0.97, figures["missing_rows"]
    assert figures["funds_exact"] == figures["fund_lines"] == 28
    assert (got["department"], got["fiscal_year"], got["region"]) == (
        "苏州市商务局",
        2024,
        "苏州市",
    )
    # The pages end mid-table: rows whose 一级指标 is printed on page 4 are honestly unplaced,
    # and the filing is never `ok` while something was left unread.
    assert got["status"] == "partial"
    assert got["cells_read"] < got["cells_total"] or any(
        f["severity"] != "info" for f in got["findings"]
    )
