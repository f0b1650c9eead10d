"""The seed filing against its hand-checked golden Filing, field by field, and the same filing
in other encodings."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from conftest import SAMPLES, SEED
from jixiao.pipeline import file_to_filing


def _filing_dict(path: Path) -> dict[str, Any]:
    d = file_to_filing(path).to_dict()
    d.pop("source_path")
    return d


@pytest.fixture(scope="module")
def seed() -> dict[str, Any]:
    return _filing_dict(SEED)


@pytest.mark.parametrize(
    "field",
    [
        "source_sha256",
        "source_format",
        "status",
        "doc_type",
        "title",
        "region",
        "fiscal_year",
        "department",
        "project_name",
        "mid_long_term_goal",
        "annual_goal",
        "organization",
        "staffing",
        "main_functions",
        "fund_lines",
        "findings",
    ],
)
def test_header_funds_and_findings(
    seed: dict[str, Any], seed_golden: dict[str, Any], field: str
) -> None:
    assert seed[field] == seed_golden[field]


def test_every_indicator(seed: dict[str, Any], seed_golden: dict[str, Any]) -> None:
    assert len(seed["indicators"]) == len(seed_golden["indicators"]) == 69
    for got, want in zip(seed["indicators"], seed_golden["indicators"], strict=True):
        assert got == want, f"indicator {want['seq']} ({want['location']})"


def test_golden_covers_the_whole_filing(seed: dict[str, Any], seed_golden: dict[str, Any]) -> None:
    assert seed == seed_golden


def test_counts_the_issue_names(seed: dict[str, Any]) -> None:
    indicators = seed["indicators"]
    assert sum(i["level1"] == "履职" for i in indicators) == 34
    assert len(seed["main_functions"]) == 15
    projects = [f for f in seed["fund_lines"] if f["parent"] == "项目支出"]
    assert len(projects) == 17
    assert all(i["function_seq"] for i in indicators if i["level1"] == "履职")
    assert all(len(i["targets"]) == 2 for i in indicators)
    # placeholder rows (社会效益, 生态效益, 可持续影响 with no 三级指标) are not indicators
    assert not {"社会效益", "生态效益", "可持续影响"} & {i["level2"] for i in indicators}


def test_repaired_function_keeps_its_raw_text(seed: dict[str, Any]) -> None:
    first = seed["indicators"][32]
    assert first["level3"] == "建设数量"
    assert first["level2"].startswith("职能1：拟订全市内贸发展规划，促进城乡商品市场发展")
    assert "拟订全市内 留发展计划 促进城" in first["level2_raw"]
    assert first["function_seq"] == 2  # 职能1 serves 主要职能 (二)
    repaired = [f for f in seed["findings"] if f["code"] == "function_text_repaired"]
    assert len(repaired) == 1 and repaired[0]["severity"] == "info"


ENCODED_COPIES = sorted((SAMPLES / "encodings").iterdir())


@pytest.mark.parametrize("path", ENCODED_COPIES, ids=[p.name for p in ENCODED_COPIES])
def test_other_encodings_give_the_same_filing(
    path: Path, seed: dict[str, Any], seed_golden: dict[str, Any]
) -> None:
    got = _filing_dict(path)
    assert got.pop("source_sha256") != seed_golden["source_sha256"]
    want = dict(seed_golden)
    want.pop("source_sha256")
    assert got == want


def test_gbk_copy_is_really_gbk() -> None:
    data = (SAMPLES / "encodings" / "suzhou_commerce_2024.gbk.txt").read_bytes()
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    assert SEED.read_text(encoding="utf-8") == data.decode("gbk")
