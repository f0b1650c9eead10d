"""Office and web files: the seed written as .docx and .xlsx and saved as a GBK web page gives
the same Filing as its text export; spans come from what the file declares."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from conftest import SAMPLES, assert_same_content
from jixiao.extract import ExtractError, Paragraph, Table, extract_bytes, extract_file
from jixiao.pipeline import file_to_filing

OFFICE = SAMPLES / "office"
FILES = {
    "suzhou_commerce_2024.docx": "docx",
    "suzhou_commerce_2024.xlsx": "xlsx",
    "suzhou_commerce_2024.gbk.html": "html",
}


@pytest.mark.parametrize("name", sorted(FILES))
def test_office_and_web_files_give_the_text_exports_filing(
    name: str, seed_golden: dict[str, Any]
) -> None:
    filing = file_to_filing(OFFICE / name).to_dict()
    assert filing["source_format"] == FILES[name]
    assert filing["status"] == "ok" and filing["findings"] == []
    assert_same_content(filing, seed_golden)


@pytest.mark.parametrize("name", ["suzhou_commerce_2024.docx", "suzhou_commerce_2024.xlsx"])
def test_merged_cells_become_spans(name: str) -> None:
    doc = extract_file(OFFICE / name)
    cells = [c for b in doc.blocks if isinstance(b, Table) for r in b.rows for c in r]
    lvzhi = next(c for c in cells if c.text == "履职")
    assert lvzhi.row_span == 34
    funds = next(c for c in cells if c.text == "部门整体资金(万元)")
    assert funds.row_span == 30
    header = next(c for c in cells if c.text == "二级指标")
    assert header.col_span == 2


def _soffice() -> str | None:
    import shutil

    return shutil.which("soffice") or shutil.which("libreoffice")


@pytest.mark.parametrize(
    ("name", "kind"), [("suzhou_commerce_2024.docx", "doc"), ("suzhou_commerce_2024.xlsx", "xls")]
)
def test_legacy_office_files_through_libreoffice(
    name: str, kind: str, tmp_path: Path, seed_golden: dict[str, Any]
) -> None:
    import subprocess

    soffice = _soffice()
    if soffice is None:
        pytest.skip(
            "LibreOffice is not installed (Debian libreoffice-writer-nogui, "
            "libreoffice-calc-nogui), so legacy .doc/.xls cannot be made or read here"
        )
    subprocess.run(
        [
            soffice,
            "--headless",
            f"-env:UserInstallation=file://{tmp_path}/profile",
            "--convert-to",
            kind,
            "--outdir",
            str(tmp_path),
            str(OFFICE / name),
        ],
        check=True,
        capture_output=True,
        timeout=300,
    )
    legacy = tmp_path / f"suzhou_commerce_2024.{kind}"
    filing = file_to_filing(legacy).to_dict()
    assert filing["source_format"] == kind
    if kind == "xls":
        assert_same_content(filing, seed_golden)
        return
    # LibreOffice's own .doc writer flattens the indicator table (merged cells under a
    # repeated header row) into paragraphs, so this fixture keeps only the first table whole.
    for key in ("department", "main_functions", "organization", "annual_goal"):
        assert filing[key] == seed_golden[key]
    assert [f["name"] for f in filing["fund_lines"]] == [
        f["name"] for f in seed_golden["fund_lines"]
    ]


def test_legacy_office_file_without_libreoffice_says_what_to_install(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import shutil

    monkeypatch.setattr(shutil, "which", lambda name: None)
    ole = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600
    with pytest.raises(ExtractError, match="libreoffice-writer-nogui") as err:
        extract_bytes(ole, "old.doc")
    assert err.value.code == "needs_libreoffice"


def test_html_paragraph_text_is_read_through_its_formatting() -> None:
    """Regression: a <p> whose text sits in <b><span> was skipped, and with it the year line
    (2023年度) of a saved web page. Navigation (links) stays out."""
    from jixiao.extract.office import html_to_blocks

    page = (
        "<html><body><div class='crumb'>当前位置：<a href='/'>首页</a> &gt; 绩效目标</div>"
        "<h1>某市部门整体预算绩效目标表</h1>"
        "<p align='center'><b><span style='font-size:12pt'>2023年度</span></b></p>"
        "</body></html>"
    )
    texts = [b.text for b in html_to_blocks(page) if isinstance(b, Paragraph)]
    assert texts == ["某市部门整体预算绩效目标表", "2023年度"]
